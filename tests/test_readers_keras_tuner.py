"""KerasTuner project folders, as KerasTuner writes them (samples made here in its format).

The real search is in tests/test_sweep_keras_tuner.py; these samples follow what
keras-tuner 1.4 writes (``trial.json`` with one observation per metric: the best epoch)
and what 1.0 wrote (one observation per epoch).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fitdoctor import cli, readers
from fitdoctor.errors import InputError

ENV = {"NO_COLOR": "1", "CI": None, "GITHUB_ACTIONS": None, "FORCE_COLOR": None,
       "GITHUB_STEP_SUMMARY": None, "COLUMNS": "100"}


def observations(values: list[float], first_step: int = 0) -> list[dict[str, Any]]:
    return [{"value": [v], "step": first_step + i} for i, v in enumerate(values)]


def trial_json(trial_id: str, hp: dict[str, Any], metrics: dict[str, list[float]], *,
               score: float | None, best_step: int = 0, status: str = "COMPLETED",
               first_step: int = 0) -> dict[str, Any]:
    directions = {"loss": "min", "val_loss": "min", "accuracy": "max", "val_accuracy": "max"}
    return {
        "trial_id": trial_id,
        "hyperparameters": {
            "space": [{"class_name": "Choice", "config": {"name": k, "default": v,
                                                          "conditions": [], "values": [v],
                                                          "ordered": True}}
                      for k, v in hp.items()],
            "values": hp,
        },
        "metrics": {"metrics": {
            name: {"direction": directions[name],
                   "observations": observations(vals, first_step)}
            for name, vals in metrics.items()
        }},
        "score": score,
        "best_step": best_step,
        "status": status,
        "message": None,
    }


def write_project(folder: Path, trials: dict[str, dict[str, Any]]) -> Path:
    folder.mkdir(parents=True)
    (folder / "oracle.json").write_text(json.dumps({
        "ongoing_trials": {}, "start_order": list(trials), "end_order": list(trials),
        "run_times": {t: 1 for t in trials}, "seed": 1,
    }))
    (folder / "tuner0.json").write_text("{}")
    for tid, state in trials.items():
        (folder / f"trial_{tid}").mkdir()
        (folder / f"trial_{tid}" / "trial.json").write_text(json.dumps(state))
        (folder / f"trial_{tid}" / "build_config.json").write_text('{"input_shape": [null, 8]}')
    return folder


def rising(n: int, turn: int) -> list[float]:
    return [1.0 - 0.08 * min(i, turn) + 0.06 * max(0, i - turn) for i in range(n)]


def test_keras_tuner_1_0_per_epoch_observations(tmp_path: Path) -> None:
    n = 14
    loss = [1.0 * 0.85**i for i in range(n)]
    trials = {
        "00": trial_json("00", {"units": 512, "tuner/trial_id": "x"},
                         {"loss": loss, "val_loss": rising(n, 5)}, score=min(rising(n, 5))),
        "01": trial_json("01", {"units": 8}, {"loss": loss, "val_loss": loss}, score=loss[-1]),
        "02": trial_json("02", {"units": 64}, {}, score=None, status="FAILED"),
    }
    project = write_project(tmp_path / "tuning" / "mlp", trials)
    runs = readers.load_runs(project)
    assert [r.name for r in runs] == ["trial_00", "trial_01"]  # the failed trial has no metrics
    first = runs[0]
    assert first.source == "keras-tuner" and first.status == "completed"
    assert first.framework == "keras"
    assert first.epochs == list(range(1, n + 1))
    assert first.facts["trial_id"] == "00" and first.facts["units"] == 512
    assert "tuner/trial_id" not in first.facts
    assert first.meta["hyperparameters"] == ["units"]
    assert first.meta["objective"] == {"name": "val_loss", "direction": "min"}
    # the tuner directory (holding projects) reads the same, runs named by project
    assert [r.name for r in readers.load_runs(tmp_path / "tuning")] == ["trial_00", "trial_01"]


def test_keras_tuner_1_4_keeps_only_the_best_epoch(tmp_path: Path) -> None:
    trials = {
        str(i): trial_json(str(i), {"units": u}, {"loss": [0.3], "val_loss": [0.4 + i / 10]},
                           score=0.4 + i / 10, best_step=6, first_step=6)
        for i, u in enumerate((8, 512, 64))
    }
    project = write_project(tmp_path / "p", trials)
    runs = readers.load_runs(project)
    assert [r.epochs for r in runs] == [[7], [7], [7]]
    assert "KerasTuner keeps only a trial's best epoch" in runs[0].meta["notes"][0]
    result = CliRunner().invoke(cli.app, ["analyze", str(project), "-f", "text"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "3 not judged" in result.stdout
    assert "save each trial's history into its trial folder" in " ".join(result.stdout.split())
    assert "no run is healthy" not in result.stdout


def test_a_history_in_the_trial_folder_gives_the_curves(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {
        "0": trial_json("0", {"units": 8}, {"loss": [0.3], "val_loss": [0.4]}, score=0.4,
                        best_step=3, first_step=3),
    })
    history = {"loss": [1.0, 0.7, 0.5, 0.4, 0.35], "val_loss": [1.1, 0.8, 0.6, 0.5, 0.45]}
    (project / "trial_0" / "fitdoctor-run.json").write_text(json.dumps(history))
    (run,) = readers.load_runs(project)
    assert run.epochs == [1, 2, 3, 4, 5] and run.metrics["val_loss"][-1] == 0.45
    assert run.facts["units"] == 8 and run.name == "trial_0"


def test_a_project_without_metrics_is_refused(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {
        "0": trial_json("0", {"units": 8}, {}, score=None, status="FAILED"),
    })
    with pytest.raises(InputError, match="without a trial that has metrics"):
        readers.load_runs(project)


def test_a_project_in_a_folder_of_histories_is_one_source(tmp_path: Path) -> None:
    write_project(tmp_path / "runs" / "tuning" / "p", {
        "0": trial_json("0", {"units": 8}, {"loss": [1.0, 0.5, 0.4]}, score=0.4),
    })
    (tmp_path / "runs" / "h.json").write_text(json.dumps({"loss": [1.0, 0.8]}))
    found = readers.history_sources(tmp_path / "runs")
    assert found == [str(tmp_path / "runs" / "h.json"), str(tmp_path / "runs" / "tuning" / "p")]
