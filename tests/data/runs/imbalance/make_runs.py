#!/usr/bin/env python
"""Write the hand-made class-imbalance run files next to this script.

Usage:
    python tests/data/runs/imbalance/make_runs.py

Each run is built as a :class:`fitdoctor.Run` and saved with ``Run.to_dict()``. The
per-class metrics are derived from per-epoch confusion matrices (rows: true class,
columns: predicted), so precision, recall, F1, support and the validation accuracy
agree with each other as they would in a recorded run. The files are deterministic:
re-running the script rewrites them byte for byte.

Runs (what the class-imbalance rules FD501-FD505 should make of them):

binary_trap.json              950/50 sigmoid, accuracy only; recall of class 1 never
                              above 0.2 while val_accuracy rises; F1-best threshold 0.2
                              → FD501 (warning), FD502, FD503, FD504 (warning), FD505
binary_weighted.json          same counts, trained with class_weight and PR metrics;
                              recall 0.8, accuracy 0.985, threshold near 0.5
                              → only FD501, which does not recommend the weights again
binary_weighted_overshoot.json  balanced class_weight in force, recall 0.72 at precision
                              0.15, accuracy below the baseline; F1-best threshold 0.86
                              → FD501 (next: weights halfway back), FD505 (higher
                              threshold, its trade in numbers); FD502 silent (weighted)
binary_weighted_light.json    class_weight {0: 1, 1: 3} in force, recall 0.20
                              → FD503, next: weights halfway to balanced
binary_softmax_onehot.json    950/50 as one-hot labels on a 2-unit softmax → FD504's
                              metrics line uses class_id=1
binary_below_baseline.json    val_accuracy under the 0.95 majority baseline → FD502
balanced_digits.json          10 balanced classes, good recall → silent
multiclass_onehot_collapse.json  600/500/40 one-hot softmax; recall of class 'rare'
                              collapses 0.60 → 0.28 while accuracy rises → FD503, FD504
multiclass_sparse_mild.json   400/300/250/100 sparse labels, every recall ≥ 0.6
                              → FD501 (info), FD504 (info, one-hot note)
history_counts_only.json      a bare Keras History plus --class-counts 980,20
                              → FD501, FD502, FD504; FD503/FD505 skipped
history_recall_counts.json    a bare History with val_recall/val_precision plus
                              --class-counts 950,50 → FD503 from val_recall
history_multiclass_class_id.json  a bare History with Recall(class_id=2) of a 3-class
                              model plus --class-counts 600,500,40 → FD503 names class 2
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from fitdoctor.detectors.imbalance import with_class_counts
from fitdoctor.run import Baselines, CompileInfo, DataInfo, FitInfo, ModelInfo, PerClass, Run

HERE = Path(__file__).parent


def per_class(epoch: int, labels: list[str], confusion: list[list[int]]) -> PerClass:
    """Precision, recall, F1 and support from a confusion matrix."""
    k = len(labels)
    support = [sum(row) for row in confusion]
    predicted = [sum(confusion[r][c] for r in range(k)) for c in range(k)]
    precision, recall, f1 = [], [], []
    for c in range(k):
        tp = confusion[c][c]
        p = tp / predicted[c] if predicted[c] else 0.0
        r = tp / support[c] if support[c] else 0.0
        precision.append(round(p, 4))
        recall.append(round(r, 4))
        f1.append(round(2 * p * r / (p + r), 4) if p + r else 0.0)
    return PerClass(epoch, labels, precision, recall, f1, support, confusion)


def accuracy(confusion: list[list[int]]) -> float:
    total = sum(sum(row) for row in confusion)
    return round(sum(confusion[i][i] for i in range(len(confusion))) / total, 4)


def column(values: list[float]) -> list[float | None]:
    """A metric column (``Run.metrics`` values may be ``None``)."""
    return list(values)


def falling(start: float, end: float, n: int) -> list[float | None]:
    """A smoothly falling loss curve."""
    return [round(end + (start - end) * math.exp(-0.45 * i), 4) for i in range(n)]


def binary_confusions(neg: int, pos: int, tp: list[int], fp: list[int]) -> list[list[list[int]]]:
    return [[[neg - f, f], [pos - t, t]] for t, f in zip(tp, fp, strict=True)]


def binary_model(units: int = 1, activation: str = "sigmoid") -> ModelInfo:
    return ModelInfo(
        name="sequential",
        class_name="Sequential",
        params=353,
        trainable_params=353,
        input_shape=[None, 20],
        output_activation=activation,
        output_units=units,
    )


def binary_trap() -> Run:
    n = 10
    tp = [0, 0, 1, 1, 2, 2, 2, 2, 2, 2]
    fp = [0, 0, 1, 1, 1, 0, 0, 0, 0, 0]
    conf = binary_confusions(475, 25, tp, fp)
    acc = [accuracy(c) for c in conf]
    records = [per_class(e + 1, ["0", "1"], c) for e, c in enumerate(conf)]
    thresholds = [0.31, 0.27, 0.24, 0.22, 0.21, 0.2, 0.2, 0.19, 0.2, 0.2]
    threshold_f1 = [0.31, 0.38, 0.44, 0.49, 0.52, 0.54, 0.55, 0.55, 0.56, 0.56]
    for rec, t, f in zip(records, thresholds, threshold_f1, strict=True):
        rec.threshold, rec.threshold_f1 = t, f
    return Run(
        epochs=list(range(1, n + 1)),
        metrics={
            "loss": falling(0.45, 0.12, n),
            "accuracy": [0.93, 0.948, 0.95, 0.951, 0.953, 0.955, 0.956, 0.957, 0.958, 0.959],
            "val_loss": falling(0.3, 0.14, n),
            "val_accuracy": column(acc),
        },
        status="completed",
        source="fitdoctor",
        name="binary_trap",
        model=binary_model(),
        compile=CompileInfo(loss="binary_crossentropy", optimizer="Adam", learning_rate=0.001,
                            metrics=["accuracy"]),
        fit=FitInfo(epochs=n, batch_size=32, validation="data"),
        data=DataInfo(task="binary", label_encoding="binary", n_train=1000, n_val=500,
                      n_features=20, n_classes=2, class_names=["0", "1"],
                      train_class_counts=[950, 50], val_class_counts=[475, 25]),
        per_class=records,
        baselines=Baselines(majority_accuracy=0.95, prior_loss=0.1985, majority_class="0"),
    )


def binary_weighted() -> Run:
    run = binary_trap()
    n = run.n_epochs
    tp = [10, 14, 16, 18, 19, 20, 20, 20, 20, 20]
    fp = [30, 20, 14, 10, 8, 6, 5, 5, 5, 5]
    conf = binary_confusions(475, 25, tp, fp)
    records = [per_class(e + 1, ["0", "1"], c) for e, c in enumerate(conf)]
    for rec in records:
        rec.threshold = 0.46
        rec.threshold_f1 = round(rec.f1[1] + 0.01, 4)
    run.name = "binary_weighted"
    run.per_class = records
    run.metrics["val_accuracy"] = column([accuracy(c) for c in conf])
    run.metrics["precision"] = [0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.62, 0.63, 0.64, 0.65]
    run.metrics["recall"] = [0.5, 0.6, 0.7, 0.75, 0.8, 0.82, 0.84, 0.85, 0.86, 0.87]
    run.metrics["val_precision"] = column([r.precision[1] for r in records])
    run.metrics["val_recall"] = column([r.recall[1] for r in records])
    run.metrics["val_pr_auc"] = [0.3, 0.45, 0.55, 0.6, 0.64, 0.67, 0.69, 0.7, 0.7, 0.71]
    assert n == len(records)
    assert run.compile is not None
    run.compile.metrics = ["accuracy", "precision", "recall", "pr_auc"]
    run.meta.update(class_weight={"0": 0.526, "1": 10.0}, sample_weight=False, callbacks=[])
    return run


def binary_weighted_overshoot() -> Run:
    """Balanced weights that over-shoot: recall 0.72 at precision 0.15, below the baseline."""
    run = binary_trap()
    run.name = "binary_weighted_overshoot"
    tp = [20, 19, 19, 18, 18, 18, 18, 18, 18, 18]
    fp = [180, 150, 130, 120, 110, 105, 104, 103, 102, 102]
    conf = binary_confusions(475, 25, tp, fp)
    records = [per_class(e + 1, ["0", "1"], c) for e, c in enumerate(conf)]
    for rec in records:  # the F1-best threshold lies far above 0.5: 12 of 25 found, 4 false
        rec.threshold, rec.threshold_f1 = 0.86, 0.5714
        rec.threshold_precision, rec.threshold_recall = 0.75, 0.48
    run.per_class = records
    run.metrics["val_accuracy"] = column([accuracy(c) for c in conf])
    run.meta.update(class_weight={"0": 0.526, "1": 10.0}, sample_weight=False, callbacks=[])
    return run


def binary_weighted_light() -> Run:
    """Light weights (1:3 against a balanced 1:19): recall of class 1 still 0.20."""
    run = binary_trap()
    run.name = "binary_weighted_light"
    tp = [1, 2, 3, 4, 4, 5, 5, 5, 5, 5]
    fp = [1, 1, 2, 2, 2, 2, 2, 2, 2, 2]
    conf = binary_confusions(475, 25, tp, fp)
    run.per_class = [per_class(e + 1, ["0", "1"], c) for e, c in enumerate(conf)]
    run.metrics["val_accuracy"] = column([accuracy(c) for c in conf])
    run.meta.update(class_weight={"0": 1.0, "1": 3.0}, sample_weight=False, callbacks=[])
    return run


def binary_softmax_onehot() -> Run:
    run = binary_trap()
    run.name = "binary_softmax_onehot"
    run.model = binary_model(units=2, activation="softmax")
    assert run.data is not None and run.compile is not None
    run.data.label_encoding = "one-hot"
    run.compile.loss = "categorical_crossentropy"
    return run


def binary_below_baseline() -> Run:
    run = binary_trap()
    run.name = "binary_below_baseline"
    fp = [40, 35, 30, 28, 26, 25, 25, 24, 24, 24]
    tp = [3, 4, 5, 5, 6, 6, 6, 6, 6, 6]
    conf = binary_confusions(475, 25, tp, fp)
    run.per_class = [per_class(e + 1, ["0", "1"], c) for e, c in enumerate(conf)]
    run.metrics["val_accuracy"] = column([accuracy(c) for c in conf])
    return run


def balanced_digits() -> Run:
    n, k = 8, 10
    labels = [str(i) for i in range(k)]
    support = [36, 36, 35, 37, 36, 37, 36, 36, 35, 36]
    records = []
    for e in range(n):
        conf = []
        for c in range(k):
            right = round(support[c] * min(0.97, 0.55 + 0.06 * e + 0.004 * c))
            row = [0] * k
            row[c] = right
            row[(c + 1) % k] = support[c] - right
            conf.append(row)
        records.append(per_class(e + 1, labels, conf))
    acc = [accuracy(r.confusion) for r in records]
    return Run(
        epochs=list(range(1, n + 1)),
        metrics={
            "loss": falling(1.9, 0.15, n),
            "accuracy": [round(min(0.99, a + 0.02), 4) for a in acc],
            "val_loss": falling(1.7, 0.2, n),
            "val_accuracy": column(acc),
        },
        status="completed",
        source="fitdoctor",
        name="balanced_digits",
        model=ModelInfo(name="sequential", class_name="Sequential", output_activation="softmax",
                        output_units=10),
        compile=CompileInfo(loss="sparse_categorical_crossentropy", optimizer="RMSprop",
                            metrics=["accuracy"]),
        data=DataInfo(task="multiclass", label_encoding="sparse", n_train=1437, n_val=360,
                      n_features=64, n_classes=10, class_names=labels,
                      train_class_counts=[142, 146, 142, 146, 145, 145, 145, 143, 139, 144],
                      val_class_counts=support),
        per_class=records,
        baselines=Baselines(majority_accuracy=0.1028, prior_loss=2.302, majority_class="3"),
    )


def multiclass_onehot_collapse() -> Run:
    n = 9
    labels = ["cat", "dog", "rare"]
    rare_tp = [2, 5, 6, 5, 4, 3, 3, 3, 3]  # of 10: 0.2, 0.5, 0.6 (epoch 3) ... 0.3
    records = []
    for e in range(n):
        cat_ok = 120 + 3 * e
        dog_ok = 95 + 3 * e
        conf = [
            [cat_ok, 150 - cat_ok, 0],
            [125 - dog_ok, dog_ok, 0],
            [10 - rare_tp[e], 0, rare_tp[e]],
        ]
        records.append(per_class(e + 1, labels, conf))
    acc = [accuracy(r.confusion) for r in records]
    return Run(
        epochs=list(range(1, n + 1)),
        metrics={
            "loss": falling(1.0, 0.3, n),
            "accuracy": [round(a + 0.01, 4) for a in acc],
            "val_loss": falling(0.95, 0.4, n),
            "val_accuracy": column(acc),
        },
        status="completed",
        source="fitdoctor",
        name="multiclass_onehot_collapse",
        model=ModelInfo(name="sequential", class_name="Sequential", output_activation="softmax",
                        output_units=3),
        compile=CompileInfo(loss="categorical_crossentropy", optimizer="Adam",
                            metrics=["accuracy"]),
        data=DataInfo(task="multiclass", label_encoding="one-hot", n_train=1140, n_val=285,
                      n_features=16, n_classes=3, class_names=labels,
                      train_class_counts=[600, 500, 40], val_class_counts=[150, 125, 10]),
        per_class=records,
        baselines=Baselines(majority_accuracy=0.5263, majority_class="cat"),
    )


def multiclass_sparse_mild() -> Run:
    n = 6
    labels = ["a", "b", "c", "d"]
    support = [100, 75, 62, 25]
    records = []
    for e in range(n):
        conf = []
        for c in range(4):
            right = round(support[c] * (0.6 + 0.05 * e))
            row = [0] * 4
            row[c] = right
            row[(c + 1) % 4] = support[c] - right
            conf.append(row)
        records.append(per_class(e + 1, labels, conf))
    acc = [accuracy(r.confusion) for r in records]
    return Run(
        epochs=list(range(1, n + 1)),
        metrics={
            "loss": falling(1.3, 0.5, n),
            "accuracy": column(acc),
            "val_loss": falling(1.3, 0.6, n),
            "val_accuracy": column(acc),
        },
        status="completed",
        source="fitdoctor",
        name="multiclass_sparse_mild",
        model=ModelInfo(name="sequential", class_name="Sequential", output_activation="softmax",
                        output_units=4),
        compile=CompileInfo(loss="sparse_categorical_crossentropy", optimizer="Adam",
                            metrics=["accuracy"]),
        data=DataInfo(task="multiclass", label_encoding="sparse", n_train=1050, n_val=262,
                      n_classes=4, class_names=labels,
                      train_class_counts=[400, 300, 250, 100], val_class_counts=support),
        per_class=records,
    )


def history_counts_only() -> Run:
    """What the CLI builds from a bare History JSON and --class-counts 980,20."""
    n = 8
    run = Run(
        epochs=list(range(1, n + 1)),
        metrics={
            "loss": falling(0.4, 0.08, n),
            "accuracy": [0.95, 0.975, 0.979, 0.98, 0.98, 0.981, 0.981, 0.982],
            "val_loss": falling(0.3, 0.09, n),
            "val_accuracy": [0.976, 0.98, 0.98, 0.98, 0.98, 0.981, 0.981, 0.981],
        },
        source="keras-history",
        name="history_counts_only",
    )
    return with_class_counts(run, [980, 20])


def history_recall_counts() -> Run:
    """A bare History compiled with Precision/Recall, plus --class-counts 950,50."""
    n = 8
    run = Run(
        epochs=list(range(1, n + 1)),
        metrics={
            "loss": falling(0.4, 0.1, n),
            "accuracy": [0.93, 0.95, 0.955, 0.958, 0.96, 0.961, 0.962, 0.963],
            "precision": [0.0, 0.2, 0.5, 0.6, 0.62, 0.65, 0.66, 0.66],
            "recall": [0.0, 0.02, 0.08, 0.15, 0.2, 0.22, 0.24, 0.25],
            "val_loss": falling(0.3, 0.13, n),
            "val_accuracy": [0.95, 0.95, 0.952, 0.954, 0.956, 0.957, 0.958, 0.958],
            "val_precision": [0.0, 0.0, 0.5, 0.6, 0.6, 0.62, 0.63, 0.63],
            "val_recall": [0.0, 0.0, 0.04, 0.12, 0.16, 0.2, 0.2, 0.2],
        },
        source="keras-history",
        name="history_recall_counts",
    )
    return with_class_counts(run, [950, 50])


def history_multiclass_class_id() -> Run:
    """A bare History compiled with the recommended multi-class metrics line, plus
    --class-counts 600,500,40: Recall(class_id=2, name="recall_2") stays low."""
    n = 6
    run = Run(
        epochs=list(range(1, n + 1)),
        metrics={
            "loss": falling(1.0, 0.35, n),
            "accuracy": [0.7, 0.8, 0.85, 0.87, 0.88, 0.89],
            "recall_2": [0.0, 0.05, 0.1, 0.12, 0.15, 0.15],
            "val_loss": falling(0.9, 0.4, n),
            "val_accuracy": [0.75, 0.82, 0.85, 0.86, 0.87, 0.87],
            "val_precision_2": [0.0, 0.5, 0.5, 0.6, 0.6, 0.6],
            "val_recall_2": [0.0, 0.0, 0.1, 0.1, 0.2, 0.2],
            "val_recall": [0.7, 0.8, 0.84, 0.85, 0.86, 0.86],
        },
        source="keras-history",
        name="history_multiclass_class_id",
    )
    return with_class_counts(run, [600, 500, 40])


RUNS = {
    "binary_weighted_overshoot": binary_weighted_overshoot,
    "binary_weighted_light": binary_weighted_light,
    "binary_trap": binary_trap,
    "binary_weighted": binary_weighted,
    "binary_softmax_onehot": binary_softmax_onehot,
    "binary_below_baseline": binary_below_baseline,
    "balanced_digits": balanced_digits,
    "multiclass_onehot_collapse": multiclass_onehot_collapse,
    "multiclass_sparse_mild": multiclass_sparse_mild,
    "history_counts_only": history_counts_only,
    "history_recall_counts": history_recall_counts,
    "history_multiclass_class_id": history_multiclass_class_id,
}


def main() -> None:
    for name, build in RUNS.items():
        data: dict[str, Any] = build().to_dict()
        (HERE / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {name}.json")


if __name__ == "__main__":
    main()
