"""``FitDoctor(live=True)`` and ``stop_on`` on real (tiny) trainings, and the notebook display."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("keras")

import keras
from sklearn.datasets import load_digits, make_classification

from fitdoctor import io
from fitdoctor.callback import FitDoctor

pytestmark = pytest.mark.keras

PNG = b"\x89PNG\r\n\x1a\n"


def digits_sgd() -> tuple[Any, np.ndarray, np.ndarray]:
    """Dense(64, relu) → softmax on digits, SGD at 0.05."""
    x, y = load_digits(return_X_y=True)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, (x / 16).astype("float32"), y


def explode_after(epochs: int) -> Any:
    """The learning rate ×10 every epoch after ``epochs`` epochs: the loss explodes."""
    return keras.callbacks.LearningRateScheduler(
        lambda e, lr: 0.05 if e < epochs else 0.05 * 10.0 ** (e - epochs + 1))


def divergence_epoch(loss: list[float]) -> int:
    """First epoch (1-based) whose loss is non-finite or 3× the lowest loss before it."""
    low = math.inf
    for i, v in enumerate(loss):
        if not math.isfinite(v) or v >= 3 * low:
            return i + 1
        low = min(low, v)
    raise AssertionError(f"the loss did not diverge: {loss}")


def test_diverging_training_stops_within_two_epochs_and_the_report_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, x, y = digits_sgd()
    path = tmp_path / "diverging.json"
    doctor = FitDoctor(path, live=True, stop_on=["diverged"], per_class=False, report="text")
    history = model.fit(x, y, epochs=20, batch_size=64, validation_split=0.2, verbose=0,
                        callbacks=[explode_after(4), doctor])
    loss = history.history["loss"]
    last = len(loss)
    assert last < 20
    assert last - divergence_epoch(loss) <= 2

    out = capsys.readouterr().out
    assert doctor.stopped is not None and doctor.stopped.epoch == last
    code = doctor.stopped.finding.code
    assert doctor.stopped.finding.diagnosis == "diverged"
    # the live line, then the stop line, each printed once, before the report
    assert out.count(f"fitdoctor: epoch {last}/20: error {code} ") == 1
    stop_line = f"fitdoctor stopped training after epoch {last}: {code} "
    assert out.index(f"fitdoctor: epoch {last}/20:") < out.index(stop_line) < \
        out.index("verdict: diverged")
    # outside a notebook: those lines only, no display
    assert doctor._plot is None
    assert all(line.startswith("fitdoctor") for line in out[: out.index("verdict:")].splitlines())

    # the report: the stop as a note, the run stopped early, the finding still there
    report = doctor.report
    assert report is not None and any(f.code == code for f in report.findings)
    assert any(n.startswith(stop_line) for n in report.notes)
    assert report.run_summary["status"] == "stopped-early"
    assert f"notes:\n  - {stop_line}" in out

    # the run file says so too
    run = io.load(path)
    assert run.status == "stopped-early" and run.n_epochs == last
    assert run.meta["stopped_by"]["code"] == code
    assert run.meta["stopped_by"]["epoch"] == last
    assert any(n.startswith(stop_line) for n in run.meta["notes"])


def test_overfitting_stops_past_its_patience_with_the_best_weights_restored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 60 samples of a noisy 20-feature problem and 512 units: memorized in a few epochs
    x, y = make_classification(n_samples=240, n_features=20, n_informative=10, flip_y=0.1,
                               random_state=0)
    x = x.astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.003), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    doctor = FitDoctor(tmp_path / "overfit.json", live=True, stop_on=["overfitting"],
                       restore_best_weights=True, report=None, per_class=False)
    history = model.fit(x[:60], y[:60], epochs=60, batch_size=16,
                        validation_data=(x[60:], y[60:]), verbose=0, callbacks=[doctor])
    val = history.history["val_loss"]
    stop = doctor.stopped
    assert stop is not None and stop.finding.code == "FD101"
    best = int(np.argmin(val)) + 1
    assert stop.best_epoch == best and stop.patience is not None
    assert stop.epoch == len(val) < 60
    assert stop.epoch - best >= stop.patience
    # the weights are those of the best epoch: they give its validation loss again
    assert model.evaluate(x[60:], y[60:], verbose=0)[0] == pytest.approx(val[best - 1],
                                                                          rel=1e-4)
    run = doctor.run
    assert run is not None and run.meta["restored_epoch"] == best
    note = (f"fitdoctor stopped training after epoch {stop.epoch}: FD101 validation-loss-rising "
            f"(overfitting) fired, {stop.epoch - best} epochs past the best epoch {best} "
            f"(patience {stop.patience}); the weights of epoch {best} (the best) were restored")
    assert note in run.meta["notes"]
    assert doctor.report is not None and note in doctor.report.notes
    out = capsys.readouterr().out
    assert f"fitdoctor: epoch {stop.epoch}/60: warning FD101 validation-loss-rising" in out
    assert note in out


@pytest.fixture
def notebook() -> Iterator[Any]:
    """An IPython shell that looks like a Jupyter kernel, with its display output captured."""
    pytest.importorskip("IPython")
    pytest.importorskip("matplotlib")
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    shell.kernel = object()  # what tells a Jupyter kernel's shell from a terminal's
    try:
        with capture_output(stdout=False, stderr=False, display=True) as captured:
            yield captured
    finally:
        del shell.kernel
        InteractiveShell.clear_instance()


def test_in_a_notebook_the_curves_update_in_place_with_the_findings_marked(
    notebook: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fitdoctor.live_plot import in_notebook

    assert in_notebook()
    model, x, y = digits_sgd()
    doctor = FitDoctor(tmp_path / "nb.json", live=True, per_class=False, report=None,
                       verbose=0)
    history = model.fit(x, y, epochs=7, batch_size=64, validation_split=0.2, verbose=0,
                        callbacks=[explode_after(4), doctor])
    assert len(history.history["loss"]) == 7
    outputs = notebook.outputs
    # drawn after the first epoch, when a finding fired, and when training ended
    assert len(outputs) >= 3
    first, *updates = outputs
    display_id = first.transient["display_id"]
    assert display_id and first.update is False
    assert all(o.update is True and o.transient["display_id"] == display_id for o in updates)
    pngs = [o.data["image/png"] for o in outputs]
    assert all(isinstance(p, bytes) and p.startswith(PNG) for p in pngs)
    assert len(set(pngs)) == len(pngs)  # every drawing shows something new
    texts = [o.data["text/plain"] for o in outputs]
    assert texts[0].startswith("fitdoctor: nb, epoch 1/7: ")
    # a finding that fired is marked on the curves from the drawing after it fired on
    fired = next(iter(doctor.live_diagnosis.fired.values())) if doctor.live_diagnosis else None
    assert fired is not None and fired.finding.diagnosis == "diverged"
    marked = [t for t in texts if fired.finding.code in t]
    assert marked and f"nb, epoch {fired.epoch}/7: diverged" in marked[0]
    # the last drawing is the final report's
    assert doctor.report is not None
    assert texts[-1].startswith(f"fitdoctor: nb, 7 epochs: {doctor.report.verdict}")
    # the live line is printed too, once
    out = capsys.readouterr().out
    assert out.count(f"fitdoctor: epoch {fired.epoch}/7: error {fired.finding.code} ") == 1
