"""FitDoctor on real (tiny) Keras trainings: what it records, crash safety, fault tolerance."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("keras")

import keras
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits

from fitdoctor import keras_facts
from fitdoctor.callback import FitDoctor
from fitdoctor.report import Report
from fitdoctor.run import Run

pytestmark = pytest.mark.keras


def load_run(path: Path) -> Run:
    from fitdoctor import io

    return io.load(path)


def validate_run_file(path: Path, run: Run) -> None:
    """Every line of the run log fits schema run-2, and the run's run/1 form fits run-1."""
    jsonschema = pytest.importorskip("jsonschema")
    from referencing import Registry, Resource

    folder = Path(keras_facts.__file__).parent / "schemas"
    schemas = {n: json.loads((folder / f"{n}.schema.json").read_text())
               for n in ("run-1", "run-2")}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())
    validator = jsonschema.Draft202012Validator(schemas["run-2"], registry=registry)
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["schema"] == "fitdoctor.run/2"
    for line in lines:
        validator.validate(json.loads(line))
    jsonschema.validate(run.to_dict(), schemas["run-1"])


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_digits(return_X_y=True)
    return (x / 16.0).astype("float32"), y.astype("int64")


@pytest.fixture(scope="module")
def cancer() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_breast_cancer(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x.astype("float32"), y.astype("int64")


def digits_functional_nested() -> Any:
    """Functional model with a nested Sequential: Dense(32, relu, L2) → Dropout → Dense(10)."""
    inner = keras.Sequential(
        [
            keras.layers.Dense(32, activation="relu",
                               kernel_regularizer=keras.regularizers.L2(1e-4),
                               bias_regularizer=keras.regularizers.L1L2(l1=1e-5, l2=2e-5)),
            keras.layers.Dropout(0.25),
        ],
        name="trunk",
    )
    inputs = keras.Input((64,))
    outputs = keras.layers.Dense(10, activation="softmax", name="head")(inner(inputs))
    return keras.Model(inputs, outputs, name="digits_net")


# ------------------------------------------------------------------ everything recorded
def test_multiclass_run_file_holds_every_fact(
    tmp_path: Path, digits: tuple[np.ndarray, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    x, y = digits
    y1 = keras.utils.to_categorical(y, 10)
    keras.utils.set_random_seed(0)
    model = digits_functional_nested()
    model.compile(keras.optimizers.RMSprop(1e-3), "categorical_crossentropy",
                  metrics=["accuracy"])
    path = tmp_path / "digits.json"
    doctor = FitDoctor(path, max_val_samples=300, report="text")
    # Halve the rate from epoch 2 on (min_delta so large nothing counts as progress). It runs
    # before FitDoctor and logs the rate in force before it reduces it.
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0,
                                                min_delta=100.0, min_lr=1e-6, verbose=0)
    history = model.fit(x, y1, epochs=5, batch_size=64, validation_split=0.2,
                        validation_freq=2, callbacks=[plateau, doctor], verbose=0)
    run = load_run(path)
    validate_run_file(path, run)

    # Rows: 1-based epochs, every log key, None gaps where validation did not run.
    assert run.epochs == [1, 2, 3, 4, 5]
    assert run.status == "completed"
    assert run.source == "fitdoctor"
    assert set(run.metrics) >= {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"}
    assert run.metrics["val_loss"][0] is None and run.metrics["val_loss"][2] is None
    assert run.metrics["val_loss"][1] == pytest.approx(history.history["val_loss"][0])
    assert run.metrics["val_loss"][3] == pytest.approx(history.history["val_loss"][1])
    assert run.metrics["loss"] == pytest.approx(history.history["loss"])
    assert run.metrics["learning_rate"] == pytest.approx([1e-3, 1e-3, 5e-4, 2.5e-4, 1.25e-4])
    assert run.seconds is not None and len(run.seconds) == 5
    assert all(s is not None and s > 0 for s in run.seconds)

    # Model: nested Sequential flattened, units, activations, regularizers, dropout, params.
    assert run.model is not None
    assert run.model.name == "digits_net" and run.model.class_name == "Functional"
    assert [layer.path for layer in run.model.layers] == ["trunk/dense", "trunk/dropout", "head"]
    dense, dropout, head = run.model.layers
    assert (dense.class_name, dense.units, dense.activation) == ("Dense", 32, "relu")
    assert dense.kernel_regularizer is not None
    assert (dense.kernel_regularizer.kind, dense.kernel_regularizer.l2) == ("L2", 1e-4)
    assert dense.bias_regularizer is not None
    assert (dense.bias_regularizer.kind, dense.bias_regularizer.l1,
            dense.bias_regularizer.l2) == ("L1L2", 1e-5, 2e-5)
    assert dense.activity_regularizer is None
    assert dense.params == dense.trainable_params == 64 * 32 + 32
    assert dense.output_shape == [None, 32]
    assert (dropout.class_name, dropout.dropout, dropout.params) == ("Dropout", 0.25, 0)
    assert (head.units, head.activation, head.params) == (10, "softmax", 330)
    assert run.model.params == model.count_params() == 64 * 32 + 32 + 330
    assert run.model.input_shape == [None, 64]
    assert (run.model.output_activation, run.model.output_units) == ("softmax", 10)

    # Compile.
    assert run.compile is not None
    assert run.compile.loss == "categorical_crossentropy"
    assert run.compile.from_logits is False
    assert run.compile.optimizer == "RMSprop"
    assert run.compile.learning_rate == 1e-3
    assert run.compile.optimizer_config["rho"] == pytest.approx(0.9)
    assert run.compile.metrics == ["accuracy"]

    # Fit.
    assert run.fit is not None
    assert run.fit.epochs == 5 and run.fit.batch_size == 64
    assert run.fit.steps_per_epoch == math.ceil(1437 / 64)
    assert (run.fit.validation, run.fit.validation_split, run.fit.validation_freq) == (
        "split", 0.2, 2)
    assert run.fit.initial_epoch == 0

    # Data: Keras's split is the last 20% of the arrays.
    n_val = 360
    assert run.data is not None
    assert (run.data.task, run.data.label_encoding) == ("multiclass", "one-hot")
    assert (run.data.n_train, run.data.n_val, run.data.n_features) == (1797 - n_val, n_val, 64)
    assert run.data.n_classes == 10
    assert run.data.class_names == [str(i) for i in range(10)]
    assert run.data.train_class_counts == np.bincount(y[:-n_val], minlength=10).tolist()
    assert run.data.val_class_counts == np.bincount(y[-n_val:], minlength=10).tolist()
    assert run.data.val_fingerprint == keras_facts.fingerprint(x[-n_val:], y1[-n_val:])
    # the training rows' inputs against the validation rows'
    shift = keras_facts.input_shift(x[:-n_val], x[-n_val:])
    assert shift is not None
    assert run.data.val_spread_ratio == pytest.approx(shift[0], rel=1e-3)
    assert run.data.val_mean_shift == pytest.approx(shift[1], rel=1e-3)
    assert abs(shift[0] - 1.0) < 0.2 and shift[1] < 0.5  # one preprocessing for both

    # Per-class: every epoch, on 300 evenly spread validation samples.
    assert [pc.epoch for pc in run.per_class] == [1, 2, 3, 4, 5]
    last = run.per_class[-1]
    assert last.labels == run.data.class_names
    assert sum(last.support) == 300
    assert np.asarray(last.confusion).sum(axis=1).tolist() == last.support
    pred = model.predict(x[-n_val:][keras_facts.subsample(n_val, 300)], verbose=0).argmax(1)
    truth = y[-n_val:][keras_facts.subsample(n_val, 300)]
    correct = np.diag(np.asarray(last.confusion))
    assert correct.sum() == int((pred == truth).sum())
    assert last.recall[3] == pytest.approx(correct[3] / max(1, last.support[3]))
    assert last.threshold is None  # thresholds are for binary tasks

    # Baselines: training majority class, its accuracy and prior cross-entropy on validation.
    counts = np.bincount(y[:-n_val], minlength=10)
    assert run.baselines is not None
    assert run.baselines.majority_class == str(int(counts.argmax()))
    assert run.baselines.majority_accuracy == pytest.approx(
        float(np.mean(y[-n_val:] == counts.argmax())))
    prior = counts / counts.sum()
    assert run.baselines.prior_loss == pytest.approx(-np.mean(np.log(prior[y[-n_val:]])))

    assert run.meta["versions"]["keras"] == keras.__version__
    assert run.meta["fact_sources"]["validation"] == "fit(validation_split=...)"
    assert "per-class metrics use 300 of 360 validation samples" in run.meta["notes"]

    # The report printed at the end and is on the callback with the run.
    out = capsys.readouterr().out
    assert isinstance(doctor.report, Report)
    assert doctor.run is not None and doctor.run.epochs == run.epochs
    assert doctor.report.verdict.split(":")[0] in out
    assert f"fitdoctor: run saved to {path}" in out


def test_binary_early_stopping_and_lr_schedule(
    tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    x, y = cancer
    xt, yt, xv, yv = x[:400], y[:400], x[400:], y[400:]
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    path = tmp_path / "cancer.json"
    scheduler = keras.callbacks.LearningRateScheduler(lambda epoch: 0.01 / (epoch + 1))
    # Any improvement under 10 counts as none: training stops after epoch 1 + patience 1.
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=10.0)
    doctor = FitDoctor(path, report=None)
    model.fit(xt, yt, epochs=20, batch_size=32, validation_data=(xv, yv),
              callbacks=[doctor, scheduler, stopper], verbose=0)
    run = load_run(path)
    assert run.status == "stopped-early"
    assert run.epochs == [1, 2]
    # The scheduler sets the rate in on_epoch_begin *after* FitDoctor's: still recorded right.
    assert run.metrics["learning_rate"] == pytest.approx([0.01, 0.005])
    assert run.compile is not None and run.compile.optimizer == "Adam"
    assert run.fit is not None and run.fit.validation == "data"
    assert run.fit.validation_split is None and run.fit.batch_size == 32
    assert run.data is not None
    assert (run.data.task, run.data.label_encoding, run.data.n_classes) == ("binary", "binary", 2)
    assert (run.data.n_train, run.data.n_val, run.data.n_features) == (400, len(yv), 30)
    assert run.data.val_class_counts == np.bincount(yv, minlength=2).tolist()
    pc = run.per_class[-1]
    assert pc.labels == ["0", "1"] and sum(pc.support) == len(yv)
    assert pc.threshold is not None and 0.0 < pc.threshold < 1.0
    assert pc.threshold_f1 is not None and pc.threshold_f1 >= max(pc.f1[1], 0.0) - 1e-12
    assert run.baselines is not None and run.baselines.majority_class == "1"
    assert run.baselines.majority_accuracy == pytest.approx(float(np.mean(yv == 1)))
    p1 = yt.mean()
    bce = -np.mean(yv * np.log(p1) + (1 - yv) * np.log(1 - p1))
    assert run.baselines.prior_loss == pytest.approx(bce)
    assert capsys.readouterr().out.strip() == f"fitdoctor: run saved to {path}"


def test_sparse_labels_with_logits(tmp_path: Path, digits: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = digits
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(0.05),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["sparse_categorical_accuracy"])
    path = tmp_path / "sparse.json"
    model.fit(x, y, epochs=2, validation_split=0.25, verbose=0,
              callbacks=[FitDoctor(path, report=None, verbose=0, per_class_every=2)])
    run = load_run(path)
    assert run.compile is not None
    assert (run.compile.loss, run.compile.from_logits) == ("sparse_categorical_crossentropy", True)
    assert run.compile.metrics == ["sparse_categorical_accuracy"]
    assert run.model is not None and run.model.output_activation == "linear"
    assert run.data is not None
    assert (run.data.task, run.data.label_encoding, run.data.n_classes) == (
        "multiclass", "sparse", 10)
    assert run.fit is not None and run.fit.batch_size == 32  # Keras's default, as fit used it
    assert run.meta["fact_sources"]["batch_size"] == "keras default"
    assert [pc.epoch for pc in run.per_class] == [2]  # every 2 epochs
    assert sum(run.per_class[0].support) == run.data.n_val == 450


def test_regression_with_lr_schedule_object(tmp_path: Path) -> None:
    x, y = load_diabetes(return_X_y=True)
    x = ((x - x.mean(0)) / x.std(0)).astype("float32")
    y = y.astype("float32")
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1)])
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=1, decay_rate=0.9)
    model.compile(keras.optimizers.Adam(schedule), "mse", metrics=["mae"])
    path = tmp_path / "diabetes.json"
    model.fit(x, y, epochs=3, batch_size=100, validation_split=0.2, verbose=0,
              callbacks=[FitDoctor(path, report=None, verbose=0)])
    run = load_run(path)
    assert run.compile is not None
    assert run.compile.loss == "mean_squared_error" and run.compile.from_logits is None
    assert run.compile.learning_rate == pytest.approx(0.01)
    assert run.compile.optimizer_config["learning_rate"]["class_name"] == "ExponentialDecay"
    steps = math.ceil(354 / 100)
    # The rate in force at each epoch's first step: 0.01 * 0.9 ** (steps before it).
    assert run.metrics["learning_rate"] == pytest.approx(
        [0.01 * 0.9 ** (steps * e) for e in range(3)], rel=1e-5)
    assert run.data is not None
    assert (run.data.task, run.data.label_encoding, run.data.n_classes) == (
        "regression", None, None)
    assert run.data.train_class_counts is None and run.per_class == []
    assert run.baselines is not None and run.baselines.majority_accuracy is None
    mean = float(np.mean(y[:-89]))
    assert run.baselines.prior_loss == pytest.approx(float(np.mean((y[-89:] - mean) ** 2)),
                                                     rel=1e-5)


def test_dataset_input_uses_callback_kwargs(
    tmp_path: Path, digits: tuple[np.ndarray, np.ndarray]
) -> None:
    import tensorflow as tf

    x, y = digits
    xt, yt, xv, yv = x[:1200], y[:1200], x[1200:], y[1200:]
    train = tf.data.Dataset.from_tensor_slices((xt, yt)).batch(100)
    val = tf.data.Dataset.from_tensor_slices((xv, yv)).batch(100)
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "ds.json"
    model.fit(train, validation_data=val, epochs=1, verbose=0, shuffle=False, callbacks=[
        FitDoctor(path, validation_data=(xv, yv), y_train=yt, report=None, verbose=0)])
    run = load_run(path)
    assert run.data is not None and run.fit is not None
    assert (run.data.n_train, run.data.n_val) == (1200, len(yv))
    assert run.data.train_class_counts == np.bincount(yt, minlength=10).tolist()
    assert run.fit.validation == "data" and run.fit.steps_per_epoch == 12
    # 1200 samples in 12 steps fit any batch size from 100 to 109: not guessed.
    assert run.fit.batch_size is None
    assert len(run.per_class) == 1 and sum(run.per_class[0].support) == len(yv)
    assert run.meta["fact_sources"]["validation"] == "FitDoctor(validation_data=...)"
    assert run.data.input_std is None  # a dataset's inputs cannot be read without consuming it


def test_raw_inputs_scale_is_recorded_and_judged(tmp_path: Path) -> None:
    """Digits fed raw (0..16) to 32 tanh units under RMSprop: the inputs' scale is recorded
    from the training rows Keras kept, and FD616 says so with the numbers."""
    x, y = load_digits(return_X_y=True)
    x = x.astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="tanh"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.RMSprop(1e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    path = tmp_path / "raw.json"
    doctor = FitDoctor(path, report=None, verbose=0, reference=False, per_class=False)
    model.fit(x, y, epochs=2, validation_split=0.2, verbose=0, callbacks=[doctor])
    run = load_run(path)
    validate_run_file(path, run)
    scale = keras_facts.input_scale(x[:-360])  # Keras's split: the first 80% train
    assert run.data is not None and scale is not None
    assert run.data.input_std == pytest.approx(scale[0], rel=1e-3)
    assert run.data.input_std == pytest.approx(4.3, abs=0.1)
    assert (run.data.input_max, run.data.input_scale_spread) == (16.0, pytest.approx(1.5, abs=0.1))
    found = [f for f in doctor.report.findings if f.code == "FD616"]
    assert found and "values up to 16" in found[0].message
    assert found[0].recommendations[0].action == "normalize-inputs"


def test_without_validation_per_class_is_skipped_with_a_note(
    tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = cancer
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    doctor = FitDoctor(tmp_path / "r.json", report=None, verbose=0)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[doctor])
    assert doctor.run is not None and doctor.run.per_class == []
    assert doctor.run.fit is not None and doctor.run.fit.validation == "none"
    assert any("no validation arrays" in n for n in doctor.run.meta["notes"])
    # Baselines fall back to the training labels.
    assert doctor.run.baselines is not None
    assert doctor.run.baselines.majority_accuracy == pytest.approx(float(np.mean(y == 1)))


# ------------------------------------------------------------------ crash safety
KILL_SCRIPT = """
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras, numpy as np
from sklearn.datasets import load_digits
from fitdoctor import FitDoctor

class Say(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        print(epoch + 1, flush=True)

x, y = load_digits(return_X_y=True)
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x / 16, y, epochs=10000, batch_size=256, validation_split=0.2, verbose=0,
          callbacks=[FitDoctor(sys.argv[1], report=None), Say()])
"""


def test_sigkill_mid_training_leaves_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "killed.json"
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(KILL_SCRIPT))
    proc = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        seen = 0
        # only a guard against a hang: a cold virtualenv on a busy machine can take over a
        # minute to import keras and train three epochs (it failed a clean-clone CI at 60 s)
        deadline = time.monotonic() + 600
        while seen < 3 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen = int(line)
        assert seen == 3, "the training never reached epoch 3"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    run = load_run(path)  # a readable run log holding every finished epoch
    assert run.status == "running"
    assert run.epochs[:3] == [1, 2, 3]
    assert run.epochs == list(range(1, run.n_epochs + 1))
    assert all(len(v) == run.n_epochs for v in run.metrics.values())
    assert run.model is not None and run.data is not None and run.data.n_val == 360
    assert [pc.epoch for pc in run.per_class] == run.epochs
    assert any(pc.confusion for pc in run.per_class)  # the best epoch's matrix so far
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # `fitdoctor analyze` reads it: a report, not exit 2.
    done = subprocess.run([sys.executable, "-m", "fitdoctor", "analyze", str(path), "-f", "json"],
                          capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["schema"] == "fitdoctor.report/1"


def test_training_ended_by_exception_is_interrupted_at_exit(
    tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = cancer

    class Boom(keras.callbacks.Callback):  # type: ignore[misc]
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if epoch == 1:
                raise KeyboardInterrupt

    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    path = tmp_path / "int.json"
    doctor = FitDoctor(path, report=None)
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, y, epochs=5, verbose=0, callbacks=[doctor, Boom()])
        assert load_run(path).status == "running"
        assert doctor._atexit is not None  # what atexit runs when the interpreter exits
        doctor._atexit()
        run = load_run(path)
        assert run.status == "interrupted" and run.epochs == [1, 2]
    finally:
        doctor._unregister_exit()


# ------------------------------------------------------------------ value by value
def test_one_bad_log_value_is_noted_and_skipped_never_the_epoch(
    tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = cancer

    class Odd(keras.callbacks.Callback):  # type: ignore[misc]
        """Runs before FitDoctor and adds values a metric could log."""

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            logs["huge"] = 10**400 if epoch == 1 else 1.0  # overflows float()
            logs["tiny"] = -(10**5000)  # str() of it is refused too
            logs["per_class_f1"] = np.array([0.5, 0.25])  # F1Score(average=None)
            logs["label"] = "text"
            logs["scalar"] = np.array([[0.75]], dtype="float32")

    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    path = tmp_path / "odd.json"
    doctor = FitDoctor(path, report=None, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, epochs=3, verbose=0, callbacks=[Odd(), doctor])
    assert not [w for w in caught if "fitdoctor" in str(w.message)]
    run = load_run(path)
    assert run.epochs == [1, 2, 3] and run.has("loss")
    assert run.metrics["huge"] == [1.0, math.inf, 1.0]
    assert run.metrics["tiny"] == [-math.inf] * 3
    assert run.metrics["scalar"] == [0.75] * 3
    assert "per_class_f1" not in run.metrics and "label" not in run.metrics
    notes = run.meta["notes"]
    assert any("'huge' is a number of about 401 digits at epoch 2" in n and "inf" in n
               for n in notes)
    assert any("'per_class_f1' is not a number at epoch 1 (an array of shape (2,))" in n
               for n in notes)
    assert any("'label' is not a number" in n for n in notes)
    assert len([n for n in notes if n.startswith("log ")]) == 4  # one per key, not per epoch
    assert doctor.report is not None and doctor.report.verdict


def test_per_class_pr_auc_and_confusion_at_best_and_last_epochs(
    tmp_path: Path, digits: tuple[np.ndarray, np.ndarray]
) -> None:
    from sklearn.metrics import average_precision_score

    x, y = digits
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(10)])
    model.compile(keras.optimizers.Adam(0.02),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    path = tmp_path / "pc.json"
    # A learning rate that overshoots: val_loss falls, then rises; the best is not the last.
    doctor = FitDoctor(path, report=None, verbose=0, max_val_samples=200)
    orphan = tmp_path / ".pc.json.999999999.abcdef01.tmp"  # a crashed save's leftover
    orphan.write_text("{")
    model.fit(x[:300], y[:300], epochs=8, batch_size=16, validation_data=(x[1000:], y[1000:]),
              verbose=0, callbacks=[doctor])
    assert not orphan.exists()
    run = load_run(path)
    val_loss = run.metrics["val_loss"]
    best = run.epochs[int(np.nanargmin(np.asarray(val_loss, dtype=float)))]
    kept = [pc.epoch for pc in run.per_class if pc.confusion]
    assert kept == sorted({best, 8})
    last = run.per_class[-1]
    index = keras_facts.subsample(len(y) - 1000, 200)
    logits = model.predict(x[1000:][index], verbose=0)
    prob = np.exp(logits - logits.max(1, keepdims=True))
    prob /= prob.sum(1, keepdims=True)
    truth = y[1000:][index]
    expected = [average_precision_score(truth == c, prob[:, c]) for c in range(10)]
    assert last.pr_auc == pytest.approx(expected, abs=1e-5)
    matrix = np.asarray(last.confusion)
    assert matrix.sum() == 200 and np.diag(matrix).sum() == int((prob.argmax(1) == truth).sum())
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    assert last.top_confusions[0][2] == off.max()
    assert all(pc.top_confusions is not None and len(pc.f1) == 10 for pc in run.per_class)
    # PR-AUC (the costly part of the scoring) only where it is read: the best and the last
    # epochs, computed when training ends and recorded in the end line.
    assert [pc.epoch for pc in run.per_class if pc.pr_auc] == kept
    assert all(len(pc.pr_auc) == 10 for pc in run.per_class if pc.pr_auc)
    end = json.loads(path.read_text().splitlines()[-1])
    assert end["kind"] == "end" and [e["epoch"] for e in end["pr_auc"]] == kept
    # The callback's own run agrees with the file.
    assert doctor.run is not None
    assert [pc.epoch for pc in doctor.run.per_class if pc.confusion] == kept
    assert [pc.pr_auc for pc in doctor.run.per_class] == [pc.pr_auc for pc in run.per_class]


# ------------------------------------------------------------------ never breaks training
def test_faults_become_one_warning_each(
    tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    x, y = cancer

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("model introspection exploded")

    monkeypatch.setattr(keras_facts, "model_info", broken)
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])

    def bad_predict(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("predict exploded")

    monkeypatch.setattr(model, "predict_on_batch", bad_predict)
    path = tmp_path / "missing-folder" / "run.json"
    doctor = FitDoctor(path, report=None, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0, callbacks=[doctor])
    assert len(history.history["loss"]) == 3  # training finished
    messages = [str(w.message) for w in caught if "fitdoctor" in str(w.message)]
    assert len(messages) == 3, messages
    assert any("reading the model" in m and "exploded" in m for m in messages)
    assert any("per-class metrics" in m and "predict exploded" in m for m in messages)
    assert any("saving the run" in m for m in messages)  # once, not once per epoch
    assert not path.exists()
    run = doctor.run
    assert run is not None and run.epochs == [1, 2, 3] and run.model is None
    assert run.per_class == [] and run.status == "completed"
    assert run.compile is not None and run.data is not None  # the other facts survived
    assert len(run.meta["errors"]) == 1 + 3 + 5  # model, 3 predicts, 5 saves
    assert isinstance(doctor.report, Report)


def test_failing_hook_body_does_not_stop_training(
    tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    x, y = cancer
    monkeypatch.setattr(FitDoctor, "_record", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(FitDoctor, "_analyze", lambda *a, **k: [][1])
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    doctor = FitDoctor(tmp_path / "r.json", report="text", verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=2, verbose=0, callbacks=[doctor])
    assert len(history.history["loss"]) == 2
    kinds = sorted(str(w.message).split(" failed")[0] for w in caught
                   if "fitdoctor" in str(w.message))
    assert kinds == ["fitdoctor: analyzing the run", "fitdoctor: recording the epoch"]
    assert all(w.category is RuntimeWarning for w in caught if "fitdoctor" in str(w.message))
    tails = {str(w.message).split(" failed")[0]: str(w.message).rsplit("; ", 1)[1]
             for w in caught if "fitdoctor" in str(w.message)}
    assert tails == {"fitdoctor: analyzing the run": "the recorded run is kept",
                     "fitdoctor: recording the epoch": "training continues"}
    assert doctor.report is None
    assert load_run(tmp_path / "r.json").status == "completed"


# ------------------------------------------------------------------ distribution
def test_mirrored_strategy_writes_once_and_correctly(
    tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tensorflow as tf

    from fitdoctor import runlog_writer

    x, y = cancer
    saves: list[tuple[str, str, int]] = []
    real_start, real_append = runlog_writer.RunLogWriter.start, runlog_writer.RunLogWriter.append

    def counting_start(self: Any, run: Run, **kwargs: Any) -> None:
        saves.append(("start", run.status, run.n_epochs))
        real_start(self, run, **kwargs)

    def counting_append(self: Any, record: dict[str, Any], run: Run, **kwargs: Any) -> None:
        saves.append((record["kind"], run.status, run.n_epochs))
        real_append(self, record, run, **kwargs)

    monkeypatch.setattr(runlog_writer.RunLogWriter, "start", counting_start)
    monkeypatch.setattr(runlog_writer.RunLogWriter, "append", counting_append)
    strategy = tf.distribute.MirroredStrategy(devices=["/cpu:0"])
    with strategy.scope():
        model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(4, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    path = tmp_path / "mirrored.json"
    model.fit(x, y, epochs=2, batch_size=64, validation_split=0.2, verbose=0,
              callbacks=[FitDoctor(path, report=None, verbose=0)])
    assert keras_facts.is_chief(model) is True
    assert saves == [("start", "running", 0), ("epoch", "running", 1),
                     ("epoch", "running", 2), ("end", "completed", 2)]
    run = load_run(path)
    assert run.epochs == [1, 2] and run.status == "completed"
    assert run.data is not None and run.data.n_val == 114 and len(run.per_class) == 2


def test_non_chief_worker_writes_and_prints_nothing(
    tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    x, y = cancer
    monkeypatch.setattr(keras_facts, "is_chief", lambda model: False)
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    doctor = FitDoctor(tmp_path / "w1.json", report="text")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[doctor])
    assert not (tmp_path / "w1.json").exists()
    assert capsys.readouterr().out == ""
    assert doctor.run is not None and doctor.run.epochs == [1, 2]


# ------------------------------------------------------------------ arguments
def test_path_none_writes_nothing_and_report_none_prints_nothing(
    tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    x, y = cancer
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    doctor = FitDoctor(path=None, report=None)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[doctor])
    assert list(tmp_path.iterdir()) == []
    assert capsys.readouterr().out == ""
    assert isinstance(doctor.report, Report) and doctor.run is not None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"report": "html"}, "report must be"), ({"per_class_every": 0}, "per_class_every"),
     ({"max_val_samples": 0}, "max_val_samples"), ({"validation_data": [1]}, "validation_data"),
     ({"stop_on": ["overfit"]}, "stop_on: 'overfit' is not a diagnosis"),
     ({"patience": 0}, "patience must be at least 1")],
)
def test_bad_arguments_fail_at_construction(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        FitDoctor(**kwargs)


def test_only_epoch_hooks_are_overridden() -> None:
    base = keras.callbacks.Callback
    overridden = {name for name in dir(FitDoctor)
                  if name.startswith("on_") and getattr(FitDoctor, name) is not getattr(base, name)}
    assert overridden == {"on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end"}


def test_import_fitdoctor_does_not_import_keras() -> None:
    import fitdoctor

    assert fitdoctor.FitDoctor is FitDoctor  # lazily re-exported
    code = ("import sys, fitdoctor; assert 'keras' not in sys.modules; "
            "assert 'tensorflow' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_records_a_reference_model_and_whether_early_stopping_restores() -> None:
    """The run file knows what a simple model reaches and which weights were kept."""
    x, y = load_breast_cancer(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    doctor = FitDoctor(path=None, report=None, verbose=0)
    stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    model.fit(x, y, epochs=3, validation_split=0.2, verbose=0, callbacks=[stop, doctor])
    run = doctor.run
    assert run is not None and run.fit is not None and run.baselines is not None
    assert run.fit.restore_best_weights is True
    assert run.baselines.reference_metric == "accuracy"
    assert run.baselines.reference_model in ("logistic regression", "gradient boosting")
    assert 0.8 < (run.baselines.reference_value or 0) <= 1.0
    assert "reference" in run.meta["fact_sources"]

    off = FitDoctor(path=None, report=None, verbose=0, reference=False)
    model.fit(x, y, epochs=1, validation_split=0.2, verbose=0, callbacks=[off])
    assert off.run is not None and off.run.baselines is not None
    assert off.run.baselines.reference_value is None
    assert off.run.fit is not None and off.run.fit.restore_best_weights is None


def test_the_reference_model_fits_in_the_background_and_reaches_the_end_line(
    tmp_path: Path,
) -> None:
    """Fitted on a thread while training runs: the header has no reference, the end line has."""
    x, y = load_breast_cancer(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    path = tmp_path / "ref.json"
    doctor = FitDoctor(path, report=None, verbose=0)
    model.fit(x, y, epochs=2, validation_split=0.2, verbose=0, callbacks=[doctor])
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["baselines"]["reference_value"] is None
    assert lines[0]["baselines"]["majority_accuracy"] is not None
    end = lines[-1]
    assert end["kind"] == "end" and end["baselines"]["reference_metric"] == "accuracy"
    run = load_run(path)
    assert run.baselines is not None and doctor.run is not None
    assert run.baselines == doctor.run.baselines
    assert 0.8 < (run.baselines.reference_value or 0) <= 1.0
    assert run.baselines.majority_accuracy == lines[0]["baselines"]["majority_accuracy"]
    assert "reference" in run.meta["fact_sources"]
    assert not [t for t in threading.enumerate() if t.name == "fitdoctor-reference"]


def test_a_training_waits_for_the_reference_model_a_bounded_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reference still fitting when training ends is left out after REFERENCE_WAIT s.

    The fit is held on an event (the bound, not a clock, is what is tested): the run is
    recorded without a reference, with a note, and no warning.
    """
    from fitdoctor import callback, reference

    release = threading.Event()

    def held(*args: Any, **kwargs: Any) -> None:
        release.wait(60)

    monkeypatch.setattr(reference, "fit_reference", held)
    monkeypatch.setattr(callback, "REFERENCE_WAIT", 0.05)
    x, y = load_breast_cancer(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    path = tmp_path / "held.json"
    doctor = FitDoctor(path, report=None, verbose=0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            model.fit(x, y, epochs=1, validation_split=0.2, verbose=0, callbacks=[doctor])
    finally:
        release.set()
    run = load_run(path)
    assert run.baselines is not None and run.baselines.reference_value is None
    assert "reference" not in run.meta["fact_sources"]
    assert run.meta["notes"] == ["no reference model: it was still fitting 0.05 s after "
                                 "training ended, and training does not wait longer for it"]
    assert "errors" not in run.meta


def test_records_what_fit_applied(tmp_path: Path, cancer: tuple[np.ndarray, np.ndarray]) -> None:
    """class_weight, sample_weight and the shaping callbacks reach the run file (issue 11)."""
    x, y = cancer
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    path = tmp_path / "weighted.json"
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=4, restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2),
        FitDoctor(path=path, report=None, verbose=0, reference=False),
    ]
    model.fit(x, y, epochs=2, validation_split=0.2, verbose=0, batch_size=64,
              class_weight={0: 1.5, 1: np.float32(0.75)}, callbacks=callbacks)
    run = load_run(path)
    validate_run_file(path, run)
    assert run.meta["class_weight"] == {"0": 1.5, "1": 0.75}
    assert run.meta["sample_weight"] is False
    stop, plateau = run.meta["callbacks"]
    assert stop["class"] == "EarlyStopping" and stop["patience"] == 4
    assert stop["restore_best_weights"] is True and stop["monitor"] == "val_loss"
    assert plateau == {"class": "ReduceLROnPlateau", "monitor": "val_loss", "factor": 0.5,
                       "patience": 2, "min_delta": 0.0001, "min_lr": 0.0, "mode": "auto"}
    assert run.per_class and run.per_class[-1].threshold_precision is not None

    plain = FitDoctor(path=None, report=None, verbose=0, reference=False)
    model.fit(x, y, epochs=1, validation_split=0.2, verbose=0,
              sample_weight=np.ones(len(y), dtype="float32"), callbacks=[plain])
    assert plain.run is not None
    assert plain.run.meta["class_weight"] is None and plain.run.meta["sample_weight"] is True
    assert plain.run.meta["callbacks"] == []

    blind = FitDoctor(path=None, report=None, verbose=0, reference=False, inspect_fit=False)
    model.fit(x, y, epochs=1, validation_split=0.2, verbose=0, class_weight={0: 1.0, 1: 2.0},
              callbacks=[blind])
    assert blind.run is not None and "class_weight" not in blind.run.meta  # unknown, not "none"



def test_recurrent_dropout_is_recorded_and_makes_the_training_loss_noisy_by_design(
    tmp_path: Path,
) -> None:
    """An LSTM's ``recurrent_dropout`` is recorded per layer and, like Dropout, marks the
    training loss as measured with noise on: the training-loss swing rules do not apply.
    Zeroing the recorded rate (the same run as a model without it) makes them judge."""
    import dataclasses

    from fitdoctor import engine
    from fitdoctor.detectors.stability import training_noise

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4, 2)).astype("float32")
    y = (x[:, :, 0].sum(axis=1) > 0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 2)),
                              keras.layers.LSTM(3, recurrent_dropout=0.3, name="lstm"),
                              keras.layers.Dense(1, activation="sigmoid", name="out")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    path = tmp_path / "run.json"
    doctor = FitDoctor(path, report=None, reference=False)
    model.fit(x, y, epochs=6, batch_size=32, validation_split=0.25, callbacks=[doctor],
              verbose=0)

    run = load_run(path)
    validate_run_file(path, run)
    assert run.model is not None
    rates = [(la.name, la.dropout, la.recurrent_dropout) for la in run.model.layers]
    assert rates == [("lstm", 0.0, 0.3), ("out", None, None)]  # dropout left at 0
    assert training_noise(run) == ["lstm"]
    skipped = {s.code: s for s in engine.analyze(run).skipped}
    assert skipped["FD411"].needs == "not-applicable" and "lstm" in skipped["FD411"].reason

    plain = dataclasses.replace(run, model=dataclasses.replace(run.model, layers=[
        dataclasses.replace(la, recurrent_dropout=0.0) for la in run.model.layers]))
    assert training_noise(plain) == []
    assert "FD411" not in {s.code for s in engine.analyze(plain).skipped}


def test_a_second_fit_with_the_same_callback_keeps_the_first_fits_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """misc7: fine-tuning with a second ``fit`` and the same FitDoctor replaced the first
    fit's epochs in the run file. Each later fit writes its own file beside it
    (``run-fit2.json``, ...) and says so once on stderr; a new callback (a script run
    again) overwrites as before."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    path = tmp_path / "run.json"
    doctor = FitDoctor(path, report=None, reference=False, per_class=False)
    model.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[doctor])
    assert "fit called again" not in capsys.readouterr().err
    model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[doctor])
    model.fit(x, y, epochs=1, validation_split=0.25, verbose=0, callbacks=[doctor])
    err = capsys.readouterr().err
    assert err.count("fitdoctor: fit called again with the same FitDoctor") == 2
    second, third = tmp_path / "run-fit2.json", tmp_path / "run-fit3.json"
    assert f"this fit is recorded in {second}; {path} keeps the previous fit's 3 epoch(s)" in err
    assert f"recorded in {third}; {second} keeps the previous fit's 2 epoch(s)" in err
    assert doctor.path == third
    assert [load_run(p).epochs for p in (path, second, third)] == [[1, 2, 3], [1, 2], [1]]
    quiet = FitDoctor(path, report=None, reference=False, per_class=False, verbose=0)
    for _ in range(2):
        model.fit(x, y, epochs=1, validation_split=0.25, verbose=0, callbacks=[quiet])
    assert "fit called again" not in capsys.readouterr().err
    assert load_run(path).epochs == [1] and load_run(second).epochs == [1]
