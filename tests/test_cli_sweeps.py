"""``fitdoctor analyze`` over a sweep: when the summary applies, --each, globs, the pool."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fitdoctor import batch, cli, readers
from fitdoctor.rules import Settings

ENV = {"NO_COLOR": "1", "CI": None, "GITHUB_ACTIONS": None, "FORCE_COLOR": None,
       "GITHUB_STEP_SUMMARY": None, "COLUMNS": "100"}
runner = CliRunner()


def invoke(*args: str | Path) -> Any:
    return runner.invoke(cli.app, [str(a) for a in args], env=ENV)


def history(overfit: bool, n: int = 30) -> dict[str, list[float]]:
    loss = [1.0 * 0.88**i for i in range(n)]
    if overfit:
        val = [1.0 - 0.08 * min(i, 6) + 0.04 * max(0, i - 6) for i in range(n)]
    else:
        val = [1.05 * 0.88**min(i, 24) for i in range(n)]
    return {"loss": loss, "val_loss": val}


@pytest.fixture
def sweep_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "runs"
    folder.mkdir()
    for i, (units, overfit) in enumerate([(512, True), (16, False), (512, True), (16, False)]):
        record = {**history(overfit), "units": units, "dropout": 0.0, "test_accuracy": 0.9}
        (folder / f"run{i}.json").write_text(json.dumps(record))
    return folder


def test_a_folder_is_one_summary(sweep_dir: Path) -> None:
    result = invoke("analyze", sweep_dir, "-f", "text", "--exit-zero")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("sweep: 4 runs from 4 sources")
    assert "verdict:" not in out  # no per-run report without --each
    flat = " ".join(out.split())
    assert "overfitting in 2 runs (run0.json, run2.json)" in flat
    assert "units=512 in both of these runs and none of the 2 others" in flat
    assert "same in every run: dropout=0" in flat and "test_accuracy" not in flat
    each = invoke("analyze", sweep_dir, "-f", "text", "--exit-zero", "--each").stdout
    assert each.count("verdict:") == 4 and each.index("verdict:") < each.index("sweep:")


def test_json_lines_then_the_summary_and_a_quoted_glob(sweep_dir: Path) -> None:
    result = invoke("analyze", str(sweep_dir / "run[0-2].json"), "-f", "json", "--exit-zero")
    assert result.exit_code == 0, result.output
    *reports, summary = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in reports] == ["run0.json", "run1.json", "run2.json"]
    assert summary["schema"] == "fitdoctor.sweep/1" and summary["runs"] == 3
    assert summary["hyperparameters"] == {"varying": ["units"], "shared": {"dropout": 0.0}}
    nothing = invoke("analyze", str(sweep_dir / "nope*.json"))
    assert nothing.exit_code == 2 and "no such file" in nothing.stderr


def test_a_healthy_run_of_accuracies_alone_is_not_called_unhealthy(tmp_path: Path) -> None:
    # ranked by val_loss, the healthy run logging accuracies alone has no value to rank:
    # "no run is healthy" beside "1 healthy" contradicted the count
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(history(True)))
    # (levelled off: a run of accuracies still climbing 3 points an epoch is not-converged,
    # its error rate judged in the loss's place)
    acc = {"accuracy": [round(0.9 - 0.4 * 0.5**i, 4) for i in range(12)],
           "val_accuracy": [round(0.88 - 0.4 * 0.5**i, 4) for i in range(12)]}
    (folder / "b.json").write_text(json.dumps(acc))
    out = " ".join(invoke("analyze", folder, "-f", "text", "--exit-zero").stdout.split())
    assert "1 healthy" in out, out
    assert "no run is healthy" not in out and "no healthy run logs val_loss" in out


def test_one_history_in_a_folder_is_its_report(tmp_path: Path) -> None:
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "h.json").write_text(json.dumps(history(True)))
    result = invoke("analyze", tmp_path / "only", "-f", "json", "--exit-zero")
    report = json.loads(result.stdout)  # one indented object, as for the file itself
    assert report["schema"] == "fitdoctor.report/1" and report["source"] == "h.json"


def test_output_file_and_exit_codes(sweep_dir: Path, tmp_path: Path) -> None:
    (sweep_dir / "broken.json").write_text("{")
    target = tmp_path / "summary.md"
    result = invoke("analyze", sweep_dir, "-f", "markdown", "-o", target, "--fail-on", "warning")
    assert result.exit_code == 2  # an unusable file wins over findings
    assert result.stdout == "" and "broken.json" in result.stderr
    text = target.read_text()
    assert text.startswith("## fitdoctor sweep: 4 runs from 5 sources")
    assert "| 1 | run" in text
    clean = invoke("analyze", *sorted(sweep_dir.glob("run*.json")), "--fail-on", "warning")
    assert clean.exit_code == 1


def test_the_pool_gives_what_one_process_gives(sweep_dir: Path) -> None:
    sources = [readers.Source(str(p), str(p)) for p in sorted(sweep_dir.glob("*.json"))] * 3
    options = batch.Options(Settings(), formats=("json",))
    one = list(batch.analyze_sources(sources, options, jobs=1))
    pooled = list(batch.analyze_sources(sources, options, jobs=2))
    assert [r.index for r in pooled] == list(range(len(sources)))
    assert [[x.outputs for x in r.runs] for r in pooled] == [[x.outputs for x in r.runs]
                                                             for r in one]
    assert [[x.row for x in r.runs] for r in pooled] == [[x.row for x in r.runs] for r in one]


def test_workers_for() -> None:
    assert batch.workers_for(1, 0) == 1 and batch.workers_for(10, 1) == 1
    assert batch.workers_for(10, 0) == 1  # small sweeps stay in-process
    assert batch.workers_for(batch.POOL_MIN_SOURCES, 0) == batch.available_cpus()
    assert batch.workers_for(3, 8) == 3


def recorded_run(name: str, lr: float, units: int, drop: float, overfit: bool) -> str:
    """A run file as ``FitDoctor()`` writes it: curves, and the model, compile and fit."""
    from fitdoctor import runlog_writer
    from fitdoctor.run import CompileInfo, FitInfo, Layer, ModelInfo, Run

    layers = [Layer(name="dense", class_name="Dense", path="dense", units=units,
                    activation="relu", params=65 * units, trainable_params=65 * units,
                    output_shape=[None, units])]
    if drop:
        layers.append(Layer(name="dropout", class_name="Dropout", path="dropout", dropout=drop,
                            output_shape=[None, units]))
    layers.append(Layer(name="dense_1", class_name="Dense", path="dense_1", units=10,
                        activation="softmax", params=10 * units + 10,
                        trainable_params=10 * units + 10, output_shape=[None, 10]))
    curves = history(overfit)
    run = Run(
        epochs=list(range(1, 31)), metrics={k: list(v) for k, v in curves.items()},
        status="completed", source="fitdoctor", name=name,
        model=ModelInfo(name="sequential", class_name="Sequential", layers=layers,
                        output_activation="softmax", output_units=10),
        compile=CompileInfo(loss="sparse_categorical_crossentropy", from_logits=False,
                            optimizer="Adam", learning_rate=lr,
                            optimizer_config={"name": "adam", "learning_rate": lr},
                            metrics=["accuracy"]),
        fit=FitInfo(epochs=30, batch_size=64, validation="split", validation_split=0.3),
    )
    return runlog_writer.dumps(run)


def test_a_sweep_of_run_files_shows_the_settings_that_differ(tmp_path: Path) -> None:
    grid = [(0.01, 128, 0.3, True), (0.001, 128, 0.0, False), (0.03, 64, 0.5, True),
            (0.001, 16, 0.0, False)]
    for i, (lr, units, drop, overfit) in enumerate(grid):
        (tmp_path / f"run{i:02d}.json").write_text(recorded_run(f"run{i:02d}", lr, units, drop,
                                                                overfit))
    text = invoke("analyze", tmp_path, "-f", "text", "--exit-zero").stdout
    lines = text.splitlines()
    head = next(line for line in lines if line.lstrip().startswith("#"))
    assert head.split()[-3:] == ["lr", "units", "dropout"]
    assert all(len(line) <= 100 for line in lines)
    row = next(line for line in lines if " run02 " in line)
    assert row.split()[-3:] == ["0.03", "64", "0.5"]
    assert "same in every run: optimizer=Adam, l2=0, batch_size=64, epochs=30" in text
    assert "dropout>=0.3 in both of these runs and none of the 2 others" in " ".join(text.split())
    md = invoke("analyze", tmp_path, "-f", "markdown", "--exit-zero").stdout
    assert "| lr | units | dropout |" in md and "| 0.001 | 16 | 0 |" in md
    summary = json.loads(invoke("analyze", tmp_path, "-f", "json", "--exit-zero")
                         .stdout.splitlines()[-1])
    assert summary["hyperparameters"] == {
        "varying": ["lr", "units", "dropout"],
        "shared": {"optimizer": "Adam", "l2": 0.0, "batch_size": 64, "epochs": 30},
    }
    assert {r["run"]: r["hyperparameters"]["units"] for r in summary["table"]} == {
        "run00": 128, "run01": 128, "run02": 64, "run03": 16}


@pytest.mark.keras
@pytest.mark.slow
def test_a_real_sweep_recorded_by_the_callback_shows_its_knobs(tmp_path: Path) -> None:
    import keras
    from sklearn.datasets import load_digits

    from fitdoctor import FitDoctor

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    for i, (lr, units, drop) in enumerate([(1e-2, 32, 0.0), (1e-3, 64, 0.3), (3e-2, 16, 0.0)]):
        keras.utils.set_random_seed(i)
        layers: list[Any] = [keras.Input((64,)), keras.layers.Dense(units, activation="relu")]
        if drop:
            layers.append(keras.layers.Dropout(drop))
        model = keras.Sequential([*layers, keras.layers.Dense(10, activation="softmax")])
        model.compile(keras.optimizers.Adam(lr), "sparse_categorical_crossentropy")
        doctor = FitDoctor(tmp_path / f"run{i}.json", report=None, verbose=0, per_class=False,
                           reference=False)
        model.fit(x, y, epochs=3, batch_size=64, validation_split=0.3, verbose=0,
                  callbacks=[doctor])
    summary = json.loads(invoke("analyze", tmp_path, "-f", "json", "--exit-zero")
                         .stdout.splitlines()[-1])
    assert summary["hyperparameters"]["varying"] == ["lr", "units", "dropout"]
    assert summary["hyperparameters"]["shared"] == {
        "optimizer": "Adam", "l2": 0.0, "batch_size": 64, "epochs": 3}
    got = {r["run"]: (r["hyperparameters"]["lr"], r["hyperparameters"]["units"],
                      r["hyperparameters"]["dropout"]) for r in summary["table"]}
    assert got == {"run0": (0.01, 32, 0.0), "run1": (0.001, 64, 0.3), "run2": (0.03, 16, 0.0)}
