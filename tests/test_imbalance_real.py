"""Class imbalance: real trainings, and the helpers behind the recommendations.

The Keras tests train tiny Dense models on scikit-learn's ``make_classification`` with a
2-3% minority class and accuracy as the only metric, recorded by ``FitDoctor`` with
per-class validation metrics, and check that the class-imbalance rules see through the
excellent accuracy, name the minority class and give a ``class_weight`` equal to
scikit-learn's. A balanced training must not get any class-imbalance warning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fitdoctor
from fitdoctor.detectors.imbalance import (
    balanced_class_weights,
    format_class_weight,
    metrics_line,
    parse_class_counts,
    with_class_counts,
)
from fitdoctor.errors import InputError
from fitdoctor.report import Finding, Report, Severity
from fitdoctor.rules import Settings
from fitdoctor.run import Run

RUNS = Path(__file__).parent / "data" / "runs" / "imbalance"


def _sklearn_weights(counts: list[int]) -> list[float]:
    from sklearn.utils.class_weight import compute_class_weight

    y = np.repeat(np.arange(len(counts)), counts)
    classes = np.unique(y)
    weights = compute_class_weight("balanced", classes=classes, y=y)
    out = [0.0] * len(counts)
    for c, w in zip(classes, weights, strict=True):
        out[int(c)] = float(w)
    return out


def _finding(report: Report, code: str) -> Finding:
    hits = [f for f in report.findings if f.code == code]
    assert hits, f"{code} did not fire: {[f.code for f in report.findings]}, {report.skipped}"
    return hits[0]


# ------------------------------------------------------------------ helpers
@pytest.mark.parametrize(
    "counts", [[950, 50], [980, 20], [400, 300, 250, 100], [600, 500, 40], [7, 3], [1, 1, 998]]
)
def test_balanced_class_weights_equal_sklearn(counts: list[int]) -> None:
    ours = balanced_class_weights(counts)
    assert ours == pytest.approx(_sklearn_weights(counts), rel=1e-12)


def test_balanced_class_weights_skip_empty_class_like_sklearn_on_present_labels() -> None:
    ours = balanced_class_weights([90, 0, 10])
    present = _sklearn_weights([90, 10])
    assert ours[1] is None
    assert [ours[0], ours[2]] == pytest.approx(present)


def test_format_class_weight_is_pasteable() -> None:
    text = format_class_weight(balanced_class_weights([950, 50]))
    assert text == "{0: 0.526, 1: 10.0}"
    assert eval(text) == {0: 0.526, 1: 10.0}
    assert format_class_weight([0.5155, None, 16.12]) == "{0: 0.515, 2: 16.1}"


def test_parse_class_counts() -> None:
    assert parse_class_counts("950,50") == [950, 50]
    assert parse_class_counts(" 400, 300 ,250,100 ") == [400, 300, 250, 100]
    for bad in ["", "950", "950;50", "950,-5", "9.5,1", "a,b", "0,0", "950,,50"]:
        with pytest.raises(InputError, match="--class-counts"):
            parse_class_counts(bad)


def test_with_class_counts_enables_the_rules_on_a_bare_history() -> None:
    history = {
        "loss": [0.4, 0.2, 0.12, 0.1],
        "accuracy": [0.95, 0.975, 0.98, 0.98],
        "val_loss": [0.3, 0.2, 0.15, 0.13],
        "val_accuracy": [0.976, 0.98, 0.98, 0.981],
    }
    bare = fitdoctor.analyze(dict(history), Settings(select=["FD5"]))
    assert not bare.findings
    assert {s.code for s in bare.skipped} >= {"FD501", "FD502", "FD504"}
    assert any("--class-counts" in s.hint for s in bare.skipped)

    run = with_class_counts(fitdoctor.load(dict(history)), parse_class_counts("980,20"))
    report = fitdoctor.analyze(run, Settings(select=["FD5"]))
    fd501 = _finding(report, "FD501")
    assert fd501.severity is Severity.WARNING
    assert fd501.evidence["class_weight"] == format_class_weight(_sklearn_weights([980, 20]))
    assert "0.980" in _finding(report, "FD502").message
    assert _finding(report, "FD504").severity is Severity.WARNING


def test_with_class_counts_rejects_a_mismatch() -> None:
    run = Run.from_dict(json.loads((RUNS / "balanced_digits.json").read_text()))
    with pytest.raises(InputError, match="10 classes"):
        with_class_counts(run, [950, 50])


def test_severity_escalates_with_the_ratio() -> None:
    mild = fitdoctor.analyze(RUNS / "multiclass_sparse_mild.json", Settings(select=["FD5"]))
    strong = fitdoctor.analyze(RUNS / "binary_trap.json", Settings(select=["FD5"]))
    assert _finding(mild, "FD501").severity is Severity.INFO
    assert _finding(mild, "FD504").severity is Severity.INFO
    assert _finding(strong, "FD501").severity is Severity.WARNING
    assert _finding(strong, "FD504").severity is Severity.WARNING


def test_metrics_line_by_output() -> None:
    sigmoid = metrics_line(task="binary", encoding="binary", output_units=1, minority=1)
    assert "keras.metrics.Recall(name=" in sigmoid and 'AUC(curve="PR"' in sigmoid
    assert "F1Score" not in sigmoid
    onehot = metrics_line(task="multiclass", encoding="one-hot", output_units=3, minority=2)
    assert "class_id=2" in onehot and "F1Score" in onehot
    softmax2 = metrics_line(task="binary", encoding="one-hot", output_units=2, minority=1)
    assert "class_id=1" in softmax2


def test_regression_run_is_not_judged() -> None:
    run = Run.from_dict(json.loads((RUNS / "binary_trap.json").read_text()))
    assert run.data is not None
    run.data.task = "regression"
    report = fitdoctor.analyze(run, Settings(select=["FD5"]))
    assert not report.findings


def test_class_imbalance_rules_never_import_sklearn() -> None:
    import subprocess
    import sys

    code = (
        "import sys, fitdoctor\n"
        f"fitdoctor.analyze({str(RUNS / 'binary_trap.json')!r})\n"
        "bad = [m for m in ('sklearn', 'keras', 'tensorflow') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ real trainings
def _split(x: np.ndarray, y: np.ndarray) -> tuple[Any, ...]:
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=0
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_train, y_train, test_size=0.25, stratify=y_train, random_state=0
    )
    return x_train, x_val, x_test, y_train, y_val, y_test


def _train(
    x: np.ndarray,
    y: np.ndarray,
    *,
    units: int,
    activation: str,
    loss: str,
    epochs: int,
    metrics: list[Any] | None = None,
) -> tuple[Report, Run, Any]:
    import keras

    x_train, x_val, _, y_train, y_val, _ = _split(x, y)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((x.shape[1],)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(units, activation=activation),
        ]
    )
    model.compile(optimizer="adam", loss=loss, metrics=metrics or ["accuracy"])
    doctor = fitdoctor.FitDoctor(path=None, validation_data=(x_val, y_val), report=None, verbose=0)
    model.fit(
        x_train, y_train, epochs=epochs, batch_size=64, validation_data=(x_val, y_val),
        callbacks=[doctor], verbose=0,
    )
    assert doctor.report is not None and doctor.run is not None
    return doctor.report, doctor.run, model


def _binary_data(weights: list[float]) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=5000, n_features=20, n_informative=4, n_redundant=2,
        n_clusters_per_class=1, weights=weights, flip_y=0, class_sep=1.0, random_state=0,
    )
    return x.astype("float32"), y


@pytest.mark.keras
def test_real_binary_two_percent_positives_accuracy_only() -> None:
    x, y = _binary_data([0.98])
    report, run, _ = _train(
        x, y, units=1, activation="sigmoid", loss="binary_crossentropy", epochs=6
    )
    assert run.data is not None and run.data.train_class_counts is not None
    counts = run.data.train_class_counts
    assert counts[1] / sum(counts) == pytest.approx(0.02, abs=0.003)
    acc = [v for v in run.metrics["val_accuracy"] if v is not None]
    assert max(acc) >= 0.97  # accuracy looks excellent ...

    fd501 = _finding(report, "FD501")
    assert fd501.severity is Severity.WARNING
    assert fd501.evidence["minority_class"] == "1"
    assert fd501.evidence["class_weights"] == pytest.approx(_sklearn_weights(counts))
    assert fd501.evidence["class_weight"] == format_class_weight(_sklearn_weights(counts))
    cw = next(r.text for r in fd501.recommendations if r.action == "class-weights")
    assert f"class_weight={fd501.evidence['class_weight']}" in cw

    fd502 = _finding(report, "FD502")  # ... but is no better than the majority baseline
    assert fd502.evidence["error_reduction"] <= 0.5
    assert "class '0'" in fd502.message

    fd503 = _finding(report, "FD503")  # ... and the positives are missed
    assert fd503.evidence["class_name"] == "1"
    assert fd503.evidence["recall_last"] < 0.5
    assert "class '1'" in fd503.message and "recall" in fd503.message
    assert len(fd503.evidence["recall_by_epoch"]) == 6

    fd504 = _finding(report, "FD504")
    line = fd504.evidence["metrics_line"]
    assert "Recall" in line and 'AUC(curve="PR"' in line
    fd505 = _finding(report, "FD505")  # ... at 0.5; a lower threshold finds them
    assert fd505.evidence["threshold"] < 0.5
    assert fd505.evidence["threshold_f1"] > fd505.evidence["default_f1"]


@pytest.mark.keras
@pytest.mark.parametrize(
    ("run_file", "units", "activation", "loss", "keys"),
    [
        ("binary_trap.json", 1, "sigmoid", "binary_crossentropy",
         {"val_precision", "val_recall", "val_pr_auc"}),
        ("multiclass_onehot_collapse.json", 3, "softmax", "categorical_crossentropy",
         {"val_precision_2", "val_recall_2", "val_pr_auc", "val_macro_f1"}),
    ],
)
def test_real_metrics_line_from_the_report_compiles_and_trains(
    run_file: str, units: int, activation: str, loss: str, keys: set[str]
) -> None:
    import keras

    report = fitdoctor.analyze(RUNS / run_file, Settings(select=["FD504"]))
    line = _finding(report, "FD504").evidence["metrics_line"]
    assert line.startswith("metrics=")
    metrics = eval(line.removeprefix("metrics="), {"keras": keras})
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    ids = rng.integers(0, max(units, 2), size=256)
    y = ids.astype("float32") if units == 1 else keras.utils.to_categorical(ids, units)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(units, activation=activation)])
    model.compile(optimizer="adam", loss=loss, metrics=metrics)
    history = model.fit(x, y, epochs=1, batch_size=64, validation_split=0.25, verbose=0)
    assert keys <= set(history.history)


@pytest.mark.keras
def test_real_multiclass_onehot_names_the_rare_class() -> None:
    import keras
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=4000, n_features=20, n_informative=6, n_redundant=2, n_classes=3,
        n_clusters_per_class=1, weights=[0.6, 0.375, 0.025], flip_y=0, class_sep=0.8,
        random_state=1,
    )
    onehot = keras.utils.to_categorical(y, 3)
    report, run, _ = _train(
        x.astype("float32"), onehot, units=3, activation="softmax",
        loss="categorical_crossentropy", epochs=5,
    )
    assert run.data is not None and run.data.label_encoding == "one-hot"
    counts = run.data.train_class_counts
    assert counts is not None
    fd501 = _finding(report, "FD501")
    assert fd501.evidence["minority_class"] == "2"
    assert fd501.evidence["class_weights"] == pytest.approx(_sklearn_weights(counts))
    fd503 = _finding(report, "FD503")
    assert fd503.evidence["class_name"] == "2"
    assert fd503.evidence["recall_last"] < 0.5
    line = _finding(report, "FD504").evidence["metrics_line"]
    assert "class_id=2" in line and "F1Score" in line


@pytest.mark.keras
def test_real_balanced_run_gets_no_class_imbalance_warning() -> None:
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    report, run, _ = _train(
        x, digits.target, units=10, activation="softmax",
        loss="sparse_categorical_crossentropy", epochs=4,
    )
    assert run.data is not None and run.data.label_encoding == "sparse"
    assert run.per_class, "per-class metrics were not recorded"
    imbalance = [
        f for f in report.findings
        if f.diagnosis == "class-imbalance" and f.severity.rank >= Severity.WARNING.rank
    ]
    assert not imbalance, [f.message for f in imbalance]
    assert not [f for f in report.findings if f.code.startswith("FD5")]
    assert not [s for s in report.skipped if s.code in ("FD501", "FD502", "FD503", "FD504")]


def test_bare_regression_history_is_not_judged() -> None:
    history = {"loss": [3.0, 2.0, 1.5], "mae": [1.4, 1.1, 0.9], "val_loss": [3.1, 2.2, 1.8],
               "val_mae": [1.5, 1.2, 1.0]}
    report = fitdoctor.analyze(history, Settings(select=["FD5"]))
    assert not report.findings
    assert not report.skipped


def test_class_without_training_samples() -> None:
    run = Run.from_dict(json.loads((RUNS / "binary_trap.json").read_text()))
    assert run.data is not None
    run.data.train_class_counts = [1000, 0]
    report = fitdoctor.analyze(run, Settings(select=["FD5"]))
    assert not [f for f in report.findings if f.code == "FD000"]
    fd501 = _finding(report, "FD501")
    assert fd501.severity is Severity.WARNING
    assert "1000:0 (class '1' has none)" in fd501.message
    assert "class_weight" not in fd501.evidence  # nothing to weight up
    assert "class-weights" not in [r.action for r in fd501.recommendations]


def test_short_run_is_not_judged_on_recall_or_accuracy() -> None:
    run = Run.from_dict(json.loads((RUNS / "binary_trap.json").read_text()))
    keep = 2
    run.epochs = run.epochs[:keep]
    run.metrics = {k: v[:keep] for k, v in run.metrics.items()}
    run.per_class = run.per_class[:keep]
    report = fitdoctor.analyze(run, Settings(select=["FD5"]))
    skipped = {s.code for s in report.skipped}
    assert {"FD502", "FD503"} <= skipped
    assert "FD501" in {f.code for f in report.findings}
