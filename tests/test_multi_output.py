"""Multi-output models: the curve rules judge the total loss and each output."""

from __future__ import annotations

import pytest

import fitdoctor
from fitdoctor import engine
from fitdoctor.run import Run


def _overfitting(n: int, turn: int) -> list[float]:
    return [1.0 * 0.85**i if i <= turn else 0.85**turn * (1 + 0.08 * (i - turn)) for i in range(n)]


def multi_output_run() -> Run:
    n = 20
    falling = [1.0 * 0.85**i for i in range(n)]
    out1_val = _overfitting(n, 6)  # out1 overfits from epoch 7
    out2_val = [1.1 * 0.86**i for i in range(n)]
    metrics = {
        "loss": [a + b for a, b in zip(falling, falling, strict=True)],
        "out1_loss": falling,
        "out2_loss": falling,
        "out1_accuracy": [min(0.99, 0.5 + 0.03 * i) for i in range(n)],
        "val_loss": [a + b for a, b in zip(out1_val, out2_val, strict=True)],
        "val_out1_loss": out1_val,
        "val_out2_loss": out2_val,
        "val_out1_accuracy": [0.5 + 0.02 * min(i, 6) for i in range(n)],
    }
    return Run(epochs=list(range(1, n + 1)), metrics=metrics, name="two-heads")


def test_outputs_are_found() -> None:
    assert engine.outputs(multi_output_run()) == ["out1", "out2"]
    single = Run(epochs=[1, 2], metrics={"loss": [1.0, 0.5], "ce_loss": [0.9, 0.4]})
    assert engine.outputs(single) == []  # one extra loss term is not a multi-output model


def test_each_output_is_judged_and_findings_say_which() -> None:
    report = fitdoctor.analyze(multi_output_run())
    per_output = {(f.code, f.output) for f in report.findings if f.output is not None}
    # out1's validation loss turns up; out2's is still falling fast at the end
    assert per_output == {("FD101", "out1"), ("FD301", "out2")}
    overfit = next(f for f in report.findings if f.output == "out1")
    assert overfit.message.startswith("output out1: ")
    assert "val_out1_loss" in overfit.message and "val_loss" not in overfit.message.replace(
        "val_out1_loss", ""
    )
    assert overfit.to_dict()["output"] == "out1"
    total = [f for f in report.findings if f.output is None]
    assert all("output" not in f.to_dict() for f in total)


def test_view_of_one_output() -> None:
    view = engine.output_view(multi_output_run(), "out1")
    assert set(view.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert view.metric_names["val_loss"] == "val_out1_loss"


@pytest.mark.keras
@pytest.mark.slow
def test_a_real_two_output_keras_model_is_judged_per_output() -> None:
    keras = pytest.importorskip("keras")
    np = pytest.importorskip("numpy")
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(128, 6)).astype("float32")
    inputs = keras.Input((6,), name="x")
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    out1 = keras.layers.Dense(1, activation="sigmoid", name="out1")(hidden)
    out2 = keras.layers.Dense(1, name="out2")(hidden)
    model = keras.Model(inputs, [out1, out2])
    model.compile("adam", loss={"out1": "binary_crossentropy", "out2": "mse"},
                  metrics={"out1": ["accuracy"]})
    y1 = (x[:, 0] > 0).astype("float32")
    y2 = x[:, 1:2]
    history = model.fit(x, {"out1": y1, "out2": y2}, epochs=3, validation_split=0.25, verbose=0)
    run = fitdoctor.load(history)
    assert engine.outputs(run) == ["out1", "out2"], sorted(history.history)
    assert {"val_out1_loss", "val_out2_loss", "out1_accuracy"} <= set(run.metrics)
    fitdoctor.analyze(run)  # runs the per-output views without error


def test_findings_left_out_as_moot_keep_their_output() -> None:
    """FD705 makes FD102 moot on the total and on each output: three lines, told apart."""
    from fitdoctor.reporters._common import superseded_line

    n = 20
    falling = [1.0 * 0.8**i for i in range(n)]
    metrics = {
        "loss": [2 * v for v in falling],
        "out1_loss": falling,
        "out2_loss": falling,
        "accuracy": [min(0.98, 0.1 + 0.06 * i) for i in range(n)],
        "val_loss": [2.0] * n,
        "val_out1_loss": [1.0 - 0.001 * i for i in range(n)],
        "val_out2_loss": [1.0 - 0.001 * i for i in range(n)],
        "val_accuracy": [0.01 + 0.002 * (i % 3) for i in range(n)],  # at chance
    }
    report = fitdoctor.analyze(Run(epochs=list(range(1, n + 1)), metrics=metrics))
    assert [f.code for f in report.findings] == ["FD705"]
    moot = [(s.code, s.output) for s in report.superseded]
    assert moot == [("FD102", None), ("FD102", "out1"), ("FD102", "out2")]
    listed = report.to_dict()["superseded"]
    assert "output" not in listed[0] and [s.get("output") for s in listed[1:]] == ["out1", "out2"]
    line = superseded_line(report)
    assert line is not None
    assert ("FD102 generalization-gap (by FD705), FD102 generalization-gap on output out1 "
            "(by FD705), FD102 generalization-gap on output out2 (by FD705)") in line
