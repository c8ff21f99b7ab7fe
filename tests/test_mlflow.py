"""``fitdoctor analyze mlflow:EXPERIMENT`` and ``--mlflow-log`` on a real local MLflow store.

One SQLite tracking store per module (creating one runs MLflow's migrations, which is
the slow part). Two experiments in it:

* ``digits``: two real Keras trainings logged by ``mlflow.keras.autolog()``
  (tests/data/mlflow_train.py, run in its own process): one built to overfit, one healthy;
* ``manual``: runs logged with ``MlflowClient.log_batch`` the way training loops and
  other libraries log (steps as epochs, no steps, two fits in one run, a global step with
  an ``epoch`` metric, a parent run with no metric...), to pin down how each is read.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import mlflow  # the dev extra installs it (see pyproject.toml): a missing one fails here
import pytest
from click.testing import CliRunner
from mlflow.entities import Metric, Param, RunTag

import fitdoctor
from fitdoctor import cli
from fitdoctor.errors import InputError

DATA = Path(__file__).parent / "data"
ENV = {"NO_COLOR": "1", "CI": None, "GITHUB_ACTIONS": None, "FORCE_COLOR": None,
       "GITHUB_STEP_SUMMARY": None, "COLUMNS": "100"}
runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh SQLite store, ``MLFLOW_TRACKING_URI`` pointing at it for the module."""
    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        # experiments created here keep their artifacts in ./mlruns beside the store (not
        # in the checkout): change folder before the first one is created
        mp.chdir(folder)
        _fill_manual(mlflow.MlflowClient(uri))
        yield uri


@pytest.fixture(scope="module")
def trained(store: str) -> str:
    """The ``digits`` experiment: two real trainings logged by mlflow.keras.autolog()."""
    proc = subprocess.run(
        [sys.executable, str(DATA / "mlflow_train.py"), store, "digits"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return store


def invoke(*args: str) -> Any:
    return runner.invoke(cli.app, list(args), env=ENV)  # MLFLOW_TRACKING_URI: the store


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


# ------------------------------------------------------------------ the manual experiment
T0 = 1_700_000_000_000  # ms


def _run(client: Any, exp: str, name: str, start: int, *, metrics: Sequence[Metric] = (),
         params: dict[str, str] | None = None, tags: dict[str, str] | None = None,
         status: str = "FINISHED") -> str:
    run = client.create_run(exp, start_time=T0 + start, run_name=name)
    run_id: str = run.info.run_id
    client.log_batch(
        run_id,
        metrics=list(metrics),
        params=[Param(k, v) for k, v in (params or {}).items()],
        tags=[RunTag(k, v) for k, v in (tags or {}).items()],
    )
    if status != "RUNNING":
        client.set_terminated(run_id, status)
    return run_id


def _curve(key: str, values: list[float], *, steps: list[int] | None = None,
           t: int = 0, dt: int = 1000) -> list[Metric]:
    steps = list(range(len(values))) if steps is None else steps
    pairs = enumerate(zip(values, steps, strict=True))
    return [Metric(key, v, T0 + t + i * dt, s) for i, (v, s) in pairs]


LOSS = [1.0 - 0.08 * i for i in range(10)]
VAL = [1.05 - 0.08 * i for i in range(6)] + [0.65 + 0.05 * i for i in range(1, 5)]


def _fill_manual(client: Any) -> None:
    exp = client.create_experiment("manual")
    _run(client, exp, "by-epoch", 1,
         metrics=[*_curve("loss", LOSS), *_curve("val_loss", VAL, t=1),
                  Metric("test_accuracy", 0.91, T0 + 20_000, 0)],
         params={"epochs": "10", "batch_size": "32", "optimizer_name": "adam",
                 "optimizer_learning_rate": "0.001", "class_weight": "None", "shuffle": "True"},
         tags={"team": "vision", "fitdoctor.verdict": "stale", "mlflow.note.content": "x"})
    _run(client, exp, "no-steps", 2,
         metrics=[*_curve("train_loss", LOSS[:8], steps=[0] * 8),
                  *_curve("validation_loss", VAL[:8], steps=[0] * 8, t=1)])
    # fit called twice in one run, both counting epochs from 0 (a frozen head, then all)
    _run(client, exp, "two-fits", 3,
         metrics=[*_curve("loss", LOSS[:5]), *_curve("val_loss", VAL[:5], t=1),
                  *_curve("loss", LOSS[4:], t=60_000), *_curve("val_loss", VAL[4:], t=60_001)])
    _run(client, exp, "parent", 4, params={"n_trials": "3"})
    _run(client, exp, "accuracy-only", 5,
         metrics=_curve("accuracy", [0.5 + 0.04 * i for i in range(8)]))
    # PyTorch Lightning's MLFlowLogger: global steps, an `epoch` metric at each logged step
    train = [(s, e, 1.0 - 0.1 * k) for k, (s, e) in enumerate(
        [(9, 0), (19, 0), (29, 0), (39, 1), (49, 1), (59, 1), (69, 2), (79, 2), (89, 2)])]
    _run(client, exp, "lightning", 6, metrics=[
        *[Metric("train_loss", v, T0 + 100 * s, s) for s, _, v in train],
        *[Metric("epoch", float(e), T0 + 100 * s, s) for s, e, _ in train],
        *_curve("val_loss", [0.9, 0.7, 0.6], steps=[29, 59, 89], t=100 * 29 + 1, dt=3000),
    ])
    _run(client, exp, "global-step", 7, status="RUNNING",
         metrics=_curve("loss", LOSS[:8], steps=[100 * (i + 1) for i in range(8)]))
    _run(client, exp, "diverged", 8, status="FAILED",
         metrics=_curve("loss", [1.0, 0.9, 3.0, 40.0, 900.0, math.inf]))
    client.create_experiment("empty")
    # mlflow.tensorflow.autolog() with EarlyStopping(patience=3, restore_best_weights=True):
    # 9 epochs (steps 0-8), the best at step 5; autolog logs stopped_epoch and
    # restored_epoch, then the restored epoch's values again at step 9
    tf_exp = client.create_experiment("tf-autolog")
    val = [1.0, 0.8, 0.65, 0.55, 0.5, 0.48, 0.5, 0.53, 0.56]
    _run(client, tf_exp, "restored", 9, metrics=[
        *_curve("loss", LOSS[:9]), *_curve("val_loss", val, t=1),
        Metric("stopped_epoch", 8.0, T0 + 30_000, 0), Metric("restored_epoch", 5.0, T0 + 30_001, 0),
        Metric("loss", LOSS[5], T0 + 30_002, 9), Metric("val_loss", val[5], T0 + 30_003, 9),
    ], params={"epochs": "30", "batch_size": "32", "monitor": "val_loss", "patience": "3",
               "min_delta": "0", "baseline": "None", "restore_best_weights": "True"},
         tags={"mlflow.autologging": "tensorflow"})  # as autolog tags the runs it makes
    # Hugging Face Trainer's MLflowCallback (logging_strategy="epoch"): every logs dict as
    # metrics at the global step, `epoch` among them (Trainer.log adds it), as Lightning's
    # MLFlowLogger logs one; the Trainer's own eval_runtime and train_runtime tell them apart
    hf_exp = client.create_experiment("hf-trainer")
    hf: list[Metric] = []
    for e in range(1, 6):
        s, t = 20 * e, 10_000 * e
        hf += [Metric("loss", 1.0 / (e + 1), T0 + t, s), Metric("grad_norm", 2.0, T0 + t, s),
               Metric("learning_rate", 5e-5 * (1 - e / 5), T0 + t, s),
               Metric("epoch", float(e), T0 + t, s),
               Metric("eval_loss", 0.9 / e + 0.02 * e, T0 + t + 1, s),
               Metric("eval_runtime", 1.2, T0 + t + 1, s), Metric("epoch", float(e), T0 + t + 1, s)]
    hf += [Metric("train_runtime", 60.0, T0 + 60_000, 100),
           Metric("train_loss", 0.4, T0 + 60_000, 100), Metric("epoch", 5.0, T0 + 60_000, 100)]
    _run(client, hf_exp, "trainer", 10, metrics=hf)


@pytest.fixture(scope="module")
def manual(store: str) -> dict[str, fitdoctor.Run]:
    runs = fitdoctor.load_runs("mlflow:manual")
    return {run.name.removeprefix("mlflow:manual/"): run for run in runs}


def test_steps_are_epochs_params_and_tags_are_facts(manual: dict[str, fitdoctor.Run]) -> None:
    run = manual["by-epoch"]
    assert run.source == "mlflow" and run.status == "completed"
    assert run.framework == ""  # log_metric(step=epoch) with Keras's names: any loop may

    assert run.epochs == list(range(1, 11))
    assert run.metrics["loss"] == pytest.approx(LOSS)
    assert run.metrics["val_loss"] == pytest.approx(VAL)
    facts = run.facts
    assert list(facts)[:4] == ["epochs", "batch_size", "optimizer_name", "optimizer_learning_rate"]
    assert facts["epochs"] == 10 and facts["batch_size"] == 32 and facts["shuffle"] is True
    assert facts["optimizer_learning_rate"] == pytest.approx(0.001)
    assert facts["test_accuracy"] == pytest.approx(0.91)  # one value: a fact, not a curve
    assert facts["tags.team"] == "vision"
    assert "class_weight" not in facts  # a None param says nothing
    assert not any(k.startswith(("tags.mlflow.", "tags.fitdoctor.")) for k in facts)
    assert facts["mlflow.run_id"] == run.meta["mlflow"]["run_id"]
    assert run.fit is not None and (run.fit.epochs, run.fit.batch_size) == (10, 32)
    assert run.meta["mlflow"]["experiment"] == "manual"


def test_tensorflow_autologs_restored_copy_is_no_epoch(store: str) -> None:
    """The restored epoch's values that mlflow.tensorflow.autolog() logs again after
    training are left out with a note; its restore_best_weights param says the run kept
    its best epoch, so FD101 does not tell it to restore what it restored."""
    (run,) = fitdoctor.load_runs("mlflow:tf-autolog")
    assert run.epochs == list(range(1, 10)) and run.metrics["val_loss"][-1] == 0.56
    assert run.fit is not None and run.fit.restore_best_weights is True
    assert run.status == "stopped-early"
    assert run.framework == "keras"  # the mlflow.autologging tag: tensorflow
    assert any("restored epoch 6" in n and "step 9" in n for n in run.meta.get("notes", []))
    assert run.facts["restored_epoch"] == 5 and run.facts["stopped_epoch"] == 8
    report = fitdoctor.analyze(run)
    assert all(f.severity.name != "WARNING" for f in report.findings if f.code == "FD101")


def test_values_logged_without_steps_are_rows_in_order(manual: dict[str, fitdoctor.Run]) -> None:
    run = manual["no-steps"]
    assert run.epochs == list(range(1, 9))
    assert run.metrics["loss"] == pytest.approx(LOSS[:8])  # train_loss read as loss
    assert run.metrics["val_loss"] == pytest.approx(VAL[:8])  # validation_loss as val_loss
    assert any("without a step" in note for note in run.meta["notes"])
    assert run.framework == "" and run.meta["not_keras_names"] == ["train_loss", "validation_loss"]


def test_two_fits_in_one_run_are_two_runs(manual: dict[str, fitdoctor.Run]) -> None:
    first, second = manual["two-fits (fit 1 of 2)"], manual["two-fits (fit 2 of 2)"]
    assert first.epochs == [1, 2, 3, 4, 5] and second.epochs == [1, 2, 3, 4, 5, 6]
    assert first.metrics["val_loss"] == pytest.approx(VAL[:5])
    assert second.metrics["loss"] == pytest.approx(LOSS[4:])
    assert first.meta["mlflow"]["run_id"] == second.meta["mlflow"]["run_id"]


def test_global_steps_with_an_epoch_metric_are_grouped_by_epoch(
    manual: dict[str, fitdoctor.Run],
) -> None:
    run = manual["lightning"]
    assert run.framework == "lightning"  # an epoch metric at the others' steps: MLFlowLogger
    assert run.epochs == [1, 2, 3]
    assert run.metrics["loss"] == pytest.approx([0.9, 0.6, 0.3])  # mean of each epoch's steps
    assert run.metrics["val_loss"] == pytest.approx([0.9, 0.7, 0.6])


def test_the_trainers_mlflow_callback_is_the_trainers_not_lightnings(store: str) -> None:
    (run,) = fitdoctor.load_runs("mlflow:hf-trainer")
    assert run.framework == "transformers"
    assert run.metrics["val_loss"][0] == pytest.approx(0.92)


def test_other_steps_are_rows_with_a_note(manual: dict[str, fitdoctor.Run]) -> None:
    run = manual["global-step"]
    assert run.epochs == list(range(1, 9)) and run.status == "running"
    assert any("MLflow steps 100..800 are not epoch numbers" in n for n in run.meta["notes"])


def test_infinity_comes_back_and_failed_is_interrupted(manual: dict[str, fitdoctor.Run]) -> None:
    run = manual["diverged"]
    assert run.metrics["loss"][-1] == math.inf  # the SQL store keeps it as the largest float
    assert run.status == "interrupted"


def test_runs_without_a_loss_curve_are_left_out_with_a_note(
    manual: dict[str, fitdoctor.Run],
) -> None:
    assert "parent" not in manual and "accuracy-only" not in manual
    note = next(n for n in manual["by-epoch"].meta["notes"] if "left out" in n)
    assert note.startswith("2 other runs of mlflow:manual left out: parent (no metric logged)")
    assert "accuracy-only (no loss column" in note
    order = [name for name in manual]
    assert order[:2] == ["by-epoch", "no-steps"]  # oldest first


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("mlflow:nope", "mlflow:nope: no experiment 'nope' in sqlite:///"),
        ("mlflow:empty", "mlflow:empty: experiment 'empty' has no run in sqlite:///"),
        ("mlflow:", "mlflow:: no experiment named: write mlflow:EXPERIMENT"),
    ],
)
def test_unknown_or_empty_experiment_is_one_line(store: str, arg: str, expected: str) -> None:
    result = invoke("analyze", arg)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"fitdoctor: error: {expected}"), lines
    if "no experiment" in expected:  # what exists, so that a typo is easy to fix
        assert "; experiments: " in lines[0] and "'manual'" in lines[0]


def test_a_missing_store_is_refused_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nowhere.db"
    result = runner.invoke(cli.app, ["analyze", "mlflow:x"],
                           env={**ENV, "MLFLOW_TRACKING_URI": f"sqlite:///{db}"})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"fitdoctor: error: mlflow:x: no MLflow tracking store at {db}")
    assert not db.exists()


def test_mlflow_log_needs_an_mlflow_source(tmp_path: Path) -> None:
    history = tmp_path / "h.json"
    history.write_text(json.dumps({"loss": LOSS, "val_loss": VAL}), encoding="utf-8")
    result = invoke("analyze", str(history), "--mlflow-log")
    assert result.exit_code == 2
    assert "give an mlflow:EXPERIMENT source" in result.stderr


def test_load_reads_one_mlflow_run_only(store: str) -> None:
    with pytest.raises(InputError, match="holds 7 runs"):
        fitdoctor.load("mlflow:manual")


def test_mlflow_log_on_a_run_of_two_fits_and_on_left_out_runs(store: str) -> None:
    result = invoke("analyze", "mlflow:manual", "-f", "json", "--exit-zero", "--mlflow-log")
    assert result.exit_code == 0, result.stderr
    assert "wrote the verdicts to 6 MLflow runs" in result.stderr  # 7 reports, 6 runs
    reports = {r["source"]: r for r in json_lines(result.stdout)}
    client = mlflow.MlflowClient(store)
    exp = client.get_experiment_by_name("manual")
    runs = {r.info.run_name: r for r in client.search_runs([exp.experiment_id])}
    tags = runs["two-fits"].data.tags
    first = reports["mlflow:manual/two-fits (fit 1 of 2)"]["verdict"]
    second = reports["mlflow:manual/two-fits (fit 2 of 2)"]["verdict"]
    assert tags["fitdoctor.verdict"] == f"fit 1: {first}; fit 2: {second}"
    assert "fitdoctor.best_epoch" not in tags  # one per fit: no single epoch to keep
    assert runs["by-epoch"].data.tags["fitdoctor.verdict"] != "stale"
    assert not any(k.startswith("fitdoctor.") for k in runs["parent"].data.tags)


def test_a_refused_write_is_one_line_naming_the_run(manual: dict[str, fitdoctor.Run]) -> None:
    from fitdoctor import mlflow_log

    run = manual["by-epoch"]
    report = fitdoctor.analyze(run)
    ghost = fitdoctor.Run(epochs=run.epochs, metrics=run.metrics, name="ghost",
                          meta={"mlflow": {**run.meta["mlflow"], "run_id": "0" * 32}})
    with pytest.raises(InputError) as caught:
        mlflow_log.log_reports([(report, ghost)])
    message = str(caught.value)
    assert message.startswith(f"MLflow run {'0' * 32}: cannot write to the tracking store ")
    assert "\n" not in message


BLOCKER = textwrap.dedent(
    """
    import importlib.abc, sys

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked by the test")
            return None

    sys.meta_path.insert(0, Block())
    from fitdoctor.cli import main
    sys.argv = ["fitdoctor", "analyze", *ARGS]
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    loaded = sorted({m.split(".")[0] for m in sys.modules} & {"keras", "tensorflow", "mlflow"})
    print(code, *loaded, file=sys.stderr)
    """
)


def _blocked(blocked: set[str], *args: str,
             env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = f"BLOCKED = {sorted(blocked)!r}\nARGS = {list(args)!r}\n" + BLOCKER
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, **env})


def test_without_the_extra_one_line_says_what_to_install(tmp_path: Path) -> None:
    proc = _blocked({"mlflow"}, "mlflow:digits", env={})
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines == [
        "fitdoctor: error: mlflow:digits: reading MLflow experiments needs MLflow: "
        "pip install 'fitdoctor[mlflow]'",
        "2",
    ]


def test_reading_mlflow_imports_neither_keras_nor_tensorflow(store: str) -> None:
    proc = _blocked({"keras", "tensorflow"}, "mlflow:manual", "-f", "json", "--exit-zero",
                    env={"MLFLOW_TRACKING_URI": store})
    assert proc.stderr.splitlines()[-1] == "0 mlflow", proc.stderr[-2000:]
    assert len(json_lines(proc.stdout)) == 7


# ------------------------------------------------------------------ real trainings


@pytest.mark.keras
@pytest.mark.slow
def test_analyze_an_autologged_experiment(trained: str) -> None:
    result = invoke("analyze", "mlflow:digits", "-f", "json")
    assert result.exit_code == 0, result.stderr  # FD101 is a warning: below --fail-on error
    overfit, healthy = json_lines(result.stdout)
    assert overfit["source"] == "mlflow:digits/overfit"
    assert healthy["source"] == "mlflow:digits/healthy"
    assert overfit["metrics"] == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert overfit["n_epochs"] == 25
    codes = {f["code"]: f["diagnosis"] for f in overfit["findings"]}
    assert codes.get("FD101") == "overfitting", overfit["findings"]
    assert overfit["best_epoch"]["epoch"] < 12
    # healthy: no warning or error (an info such as FD702 on a small validation set may stay)
    assert healthy["verdict"].startswith("healthy"), healthy["findings"]
    assert all(f["severity"] == "info" for f in healthy["findings"]), healthy["findings"]
    assert healthy["run"]["status"] == "stopped-early"  # EarlyStopping: fewer epochs than asked
    assert healthy["best_epoch"]["stopped_early"] is True
    facts = healthy["run"]["facts"]
    assert facts["epochs"] == 60 and facts["batch_size"] == 32
    assert facts["tags.recipe"] == "32x1 on 1400 samples, early stopping"


@pytest.mark.keras
@pytest.mark.slow
def test_mlflow_log_round_trip(trained: str, tmp_path: Path) -> None:
    client = mlflow.MlflowClient(trained)
    exp = client.get_experiment_by_name("digits")
    ids = {r.info.run_name: r.info.run_id for r in client.search_runs([exp.experiment_id])}
    client.set_tag(ids["healthy"], "fitdoctor.finding.FD999", "from an older analysis")

    result = invoke("analyze", "mlflow:digits", "-f", "json", "--mlflow-log")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "fitdoctor: wrote the verdicts to 2 MLflow runs: tags fitdoctor.*, artifacts "
        "fitdoctor/report.html and report.json\n"
    )
    reports = {r["source"].rsplit("/", 1)[1]: r for r in json_lines(result.stdout)}

    for name, report in reports.items():
        tags = client.get_run(ids[name]).data.tags
        codes = [f["code"] for f in report["findings"]]
        assert tags["fitdoctor.verdict"] == report["verdict"]
        assert tags["fitdoctor.findings"] == ",".join(codes)
        assert tags["fitdoctor.best_epoch"] == str(report["best_epoch"]["epoch"])
        assert tags["fitdoctor.version"] == fitdoctor.__version__
        assert {k for k in tags if k.startswith("fitdoctor.finding.")} == {
            f"fitdoctor.finding.{c}" for c in codes
        }
        for f in report["findings"]:
            assert tags[f"fitdoctor.finding.{f['code']}"] == f"{f['severity']}: {f['message']}"
        listed = {a.path for a in client.list_artifacts(ids[name], "fitdoctor")}
        assert listed == {"fitdoctor/report.html", "fitdoctor/report.json"}
        html = Path(client.download_artifacts(ids[name], "fitdoctor/report.html", str(tmp_path)))
        page = html.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and f"mlflow:digits/{name}" in page
        saved = json.loads(Path(client.download_artifacts(
            ids[name], "fitdoctor/report.json", str(tmp_path))).read_text(encoding="utf-8"))
        assert saved["verdict"] == report["verdict"]

    overfit = client.get_run(ids["overfit"]).data.tags
    assert "FD101" in overfit["fitdoctor.findings"].split(",")
    assert overfit["fitdoctor.severity"] == "warning"
    healthy = client.get_run(ids["healthy"]).data.tags
    assert healthy["fitdoctor.severity"] in ("none", "info"), healthy
    assert healthy["fitdoctor.verdict"].startswith("healthy"), healthy
    assert "fitdoctor.finding.FD999" not in healthy  # stale: deleted

    again = invoke("analyze", "mlflow:digits", "-f", "json")
    assert [r["verdict"] for r in json_lines(again.stdout)] == [
        reports["overfit"]["verdict"], reports["healthy"]["verdict"]
    ]  # its own tags are not facts of the next analysis
    assert not any(k.startswith("tags.fitdoctor") for r in json_lines(again.stdout)
                   for k in r["run"]["facts"])
