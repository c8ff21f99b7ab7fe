"""A real, tiny KerasTuner search analyzed from its folder: which trials overfit, and why.

Six trials of ``keras_tuner.RandomSearch`` over ``units`` (2 or 512) and the hidden
activation (relu, tanh, elu): all six combinations. The data is small (60 training
samples of a 20-feature classification with 10% flipped labels), so the 512-unit
networks memorize it and their validation loss turns up within 25 epochs, while the
2-unit ones cannot. KerasTuner 1.4 keeps only each trial's best epoch in
``trial.json``; ``FitDoctor()`` in ``tuner.search(callbacks=[...])`` writes each trial's
run (its curves, the trial id and hyperparameters as facts) into the trial's folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fitdoctor import cli

pytestmark = [pytest.mark.keras, pytest.mark.slow]

ENV = {"NO_COLOR": "1", "CI": None, "GITHUB_ACTIONS": None, "FORCE_COLOR": None,
       "GITHUB_STEP_SUMMARY": None, "COLUMNS": "100"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kt = pytest.importorskip("keras_tuner")
    import keras
    from sklearn.datasets import make_classification

    from fitdoctor import FitDoctor

    keras.utils.set_random_seed(0)
    x, y = make_classification(n_samples=240, n_features=20, n_informative=10, flip_y=0.1,
                               random_state=0)
    x = x.astype("float32")

    def build(hp: Any) -> Any:
        model = keras.Sequential([
            keras.Input((20,)),
            keras.layers.Dense(hp.Choice("units", [2, 512]),
                               activation=hp.Choice("activation", ["relu", "tanh", "elu"])),
            keras.layers.Dense(2, activation="softmax"),
        ])
        model.compile(optimizer=keras.optimizers.Adam(0.003),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    directory = tmp_path_factory.mktemp("tuning")
    tuner = kt.RandomSearch(build, objective="val_loss", max_trials=6, directory=str(directory),
                            project_name="mlp", seed=3)
    # inside a trial the run goes to the trial's folder, never to this path
    doctor = FitDoctor(directory / "outside.json", report=None, verbose=0)
    tuner.search(x[:60], y[:60], epochs=25, batch_size=16, validation_data=(x[60:], y[60:]),
                 verbose=0, callbacks=[doctor])
    assert not (directory / "outside.json").exists()
    return directory / "mlp"


def test_fitdoctor_writes_one_run_per_trial_with_its_id_and_hyperparameters(
    project: Path,
) -> None:
    from fitdoctor import io

    trials = sorted(project.glob("trial_*/trial.json"))
    assert len(trials) == 6
    for trial_json in trials:
        state = json.loads(trial_json.read_text())
        path = trial_json.parent / "fitdoctor-run.json"
        assert path.read_bytes().startswith(b'{"schema":"fitdoctor.run/2"')
        run = io.load(path)
        values = state["hyperparameters"]["values"]
        assert run.name == f"trial_{state['trial_id']}"
        assert run.facts == {"trial_id": state["trial_id"], **values}
        assert run.meta["hyperparameters"] == list(values) == ["units", "activation"]
        assert run.meta["keras_tuner"]["folder"] == str(trial_json.parent)
        assert run.status == "completed" and run.n_epochs == 25
        assert run.model is not None and run.model.layers[0].units == values["units"]


def test_the_summary_names_the_overfitting_trials_and_their_setting(project: Path) -> None:
    result = CliRunner().invoke(cli.app, ["analyze", str(project), "-f", "json", "--exit-zero"],
                                env=ENV)
    assert result.exit_code == 0, result.output
    *reports, summary = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == summary["runs"] == 6
    assert all(r["n_epochs"] == 25 for r in reports)
    assert summary["monitor"] == {"name": "val_loss", "mode": "min", "objective": True}
    units = {row["run"]: row["hyperparameters"]["units"] for row in summary["table"]}
    (overfitting,) = [s for s in summary["settings"] if s["diagnosis"] == "overfitting"]
    assert len(overfitting["runs"]) >= 2
    assert {units[r] for r in overfitting["runs"]} == {512}
    first = overfitting["associations"][0]
    assert (first["hyperparameter"], first["op"], first["value"]) == ("units", "=", 512)
    assert first["others"] == 0

    text = CliRunner().invoke(cli.app, ["analyze", str(project), "-f", "text", "--exit-zero"],
                              env=ENV).stdout
    flat = " ".join(text.split())
    assert f"overfitting in {len(overfitting['runs'])} runs" in flat
    assert "units=512 in" in flat
    for name in overfitting["runs"]:
        assert name in text
