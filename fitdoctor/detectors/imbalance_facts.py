"""Class facts the class-imbalance detectors share, and the helpers users call.

Gathers what a run says about its classes (counts from training, validation or the
per-class support; task, label encoding, output units), what ``fit`` applied
(``class_weight``, ``sample_weight``: ``Run.meta``, recorded by FitDoctor) and what the
minority class's validation precision and recall were, at 0.5 and at the F1-best
threshold: the numbers every class-imbalance finding carries, measured once here.

The recommended ``class_weight`` is scikit-learn's ``compute_class_weight("balanced")``,
``n_samples / (n_classes * count_c)``, computed here without importing scikit-learn
(the analysis path must start fast); the tests check it against scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from fitdoctor.detectors.base import Context
from fitdoctor.errors import InputError, MissingInput
from fitdoctor.run import DataInfo, Run

#: Most samples a class count may say (more is no data set: a corrupt or made-up count).
MAX_COUNT = 10**15

#: What enables the class-imbalance rules on a run without class counts.
COUNTS_HINT = (
    "record the run with FitDoctor(validation_data=(x_val, y_val)), "
    "or give the training class counts (CLI: --class-counts 950,50)"
)

#: What enables the rules that need per-class validation metrics.
PER_CLASS_HINT = (
    "record the run with FitDoctor(validation_data=(x_val, y_val)) for per-class "
    "metrics, or compile with keras.metrics.Recall()"
)

#: Metric names that already show what accuracy hides.
PR_METRIC = re.compile(r"precision|recall|auc|prc|f1|fbeta|sensitivity|specificity")
#: A bare Keras ``Recall`` (class 1 at threshold 0.5): ``val_recall``, ``val_recall_1``.
VAL_RECALL = re.compile(r"^val_recall(_\d+)?$")
#: Accuracy-like metric names.
ACCURACY = re.compile(r"^(val_)?(acc|accuracy|\w+_accuracy)$")


# ------------------------------------------------------------------ public helpers
def parse_class_counts(text: str) -> list[int]:
    """Parse training class counts given on the command line, e.g. ``"950,50"``.

    Args:
        text: Comma-separated non-negative integers, one per class in class-id order.

    Returns:
        The counts.

    Raises:
        InputError: The text is not at least two non-negative integers with a positive sum.
    """
    usage = "--class-counts expects one count per class, e.g. --class-counts 950,50"
    parts = [p.strip() for p in text.split(",")]
    counts: list[int] = []
    for part in parts:
        if not re.fullmatch(r"\d+", part):
            raise InputError(f"{usage}; got {text!r}")
        if len(part.lstrip("0")) > len(str(MAX_COUNT)) or int(part) > MAX_COUNT:
            raise InputError(f"{usage}; a class count is at most {MAX_COUNT:.0e} samples")
        counts.append(int(part))
    if len(counts) < 2:
        raise InputError(f"{usage} (at least two classes); got {text!r}")
    if sum(counts) == 0:
        raise InputError(f"{usage}; all counts are zero")
    return counts


def with_class_counts(run: Run, counts: Sequence[int]) -> Run:
    """Record user-given training class counts on a run (for ``--class-counts``).

    Fills ``run.data.train_class_counts`` and, when unknown, ``n_classes``, ``task``
    (``binary`` for two classes, else ``multiclass``) and ``n_train``.

    Args:
        run: The run; updated in place.
        counts: Training samples per class, in class-id order.

    Returns:
        The same run, for chaining.

    Raises:
        InputError: The counts disagree with the run's recorded number of classes.
    """
    values = [int(c) for c in counts]
    if len(values) < 2 or any(c < 0 for c in values) or sum(values) == 0:
        raise InputError("class counts must be at least two non-negative integers, not all zero")
    if run.data is None:
        run.data = DataInfo()
    data = run.data
    if data.n_classes is not None and data.n_classes != len(values):
        raise InputError(
            f"{len(values)} class counts given, but the run has {data.n_classes} classes"
        )
    data.train_class_counts = values
    data.n_classes = len(values)
    if data.task is None:
        data.task = "binary" if len(values) == 2 else "multiclass"
    if data.n_train is None:
        data.n_train = sum(values)
    return run


def balanced_class_weights(counts: Sequence[int]) -> list[float | None]:
    """scikit-learn's ``compute_class_weight("balanced")``: ``n / (k * count_c)``.

    Args:
        counts: Training samples per class (classes with no sample get ``None``; ``k``
            counts only the classes present, as scikit-learn does with ``np.unique(y)``).

    Returns:
        One weight per class.
    """
    present = [c for c in counts if c > 0]
    n, k = sum(present), len(present)
    return [n / (k * c) if c > 0 else None for c in counts]


def format_class_weight(weights: Sequence[float | None]) -> str:
    """A ``class_weight`` dict ready to paste, weights to three significant digits.

    Args:
        weights: One weight per class id (``None`` for a class left out).

    Returns:
        Text such as ``{0: 0.526, 1: 10.0}``.
    """
    items = [f"{i}: {float(f'{w:.3g}')!r}" for i, w in enumerate(weights) if w is not None]
    return "{" + ", ".join(items) + "}"


def metrics_line(
    *, task: str | None, encoding: str | None, output_units: int | None, minority: int
) -> str:
    """The ``metrics=[...]`` argument to compile for an imbalanced classification.

    Args:
        task: ``binary`` or ``multiclass`` (``None`` when unknown).
        encoding: Label encoding: ``binary``, ``one-hot`` or ``sparse`` (``None`` when unknown).
        output_units: Units of the output layer, if known.
        minority: Class id of the rarest class.

    Returns:
        Code to paste into ``model.compile(...)``.
    """
    single_output = task == "binary" and encoding != "one-hot" and output_units in (None, 1)
    if single_output:
        return (
            'metrics=["accuracy", keras.metrics.Precision(name="precision"), '
            'keras.metrics.Recall(name="recall"), '
            'keras.metrics.AUC(curve="PR", name="pr_auc")]'
        )
    return (
        f'metrics=["accuracy", keras.metrics.Precision(class_id={minority}, '
        f'name="precision_{minority}"), keras.metrics.Recall(class_id={minority}, '
        f'name="recall_{minority}"), keras.metrics.AUC(curve="PR", name="pr_auc"), '
        'keras.metrics.F1Score(average="macro", name="macro_f1")]'
    )


# ------------------------------------------------------------------ shared facts
@dataclass
class Classes:
    """Class facts gathered from whatever the run holds."""

    names: list[str]
    counts: list[int]
    source: str
    train_counts: list[int] | None
    val_counts: list[int] | None
    task: str | None
    encoding: str | None
    output_units: int | None

    @property
    def total(self) -> int:
        """Samples over all classes."""
        return sum(self.counts)

    @property
    def majority(self) -> int:
        """Index of the largest class."""
        return max(range(len(self.counts)), key=lambda i: self.counts[i])

    @property
    def minority(self) -> int:
        """Index of the smallest class."""
        return min(range(len(self.counts)), key=lambda i: self.counts[i])

    @property
    def ratio(self) -> float:
        """Largest over smallest class; infinite when a class has no sample."""
        smallest = self.counts[self.minority]
        return self.counts[self.majority] / smallest if smallest else math.inf

    def share(self, index: int) -> float:
        """Share of the samples in class ``index``."""
        return self.counts[index] / self.total

    def is_minority(self, index: int, min_ratio: float) -> bool:
        """True when the class is at least ``min_ratio`` times rarer than the majority."""
        count = self.counts[index]
        return count * min_ratio <= self.counts[self.majority]

    def counts_text(self) -> str:
        """``"0: 950, 1: 50"``."""
        return ", ".join(f"{n}: {c}" for n, c in zip(self.names, self.counts, strict=True))

    def metrics_line(self) -> str:
        """The ``metrics=[...]`` line for these classes (:func:`metrics_line`)."""
        return metrics_line(
            task=self.task,
            encoding=self.encoding,
            output_units=self.output_units,
            minority=self.minority,
        )

    def needs_one_hot(self) -> bool:
        """Keras's P/R/F1 metrics need one-hot targets and the labels are integers.

        Integer labels (``sparse``, or 0/1 ``binary``) with several output units need
        one-hot targets for ``Precision(class_id=...)``, ``Recall`` and ``F1Score``.
        """
        single = self.task == "binary" and self.encoding != "one-hot" and (
            self.output_units in (None, 1)
        )
        return self.encoding in ("sparse", "binary") and not single

    def weights(self) -> list[float | None]:
        """The balanced class weights (:func:`balanced_class_weights`)."""
        return balanced_class_weights(self.counts)


def task_of(ctx: Context) -> str | None:
    """The task: recorded, else binary for two classes and multiclass for more."""
    data = ctx.run.data
    if data is not None and data.task is not None:
        return data.task
    n = ctx.n_classes
    if n is not None:
        return "binary" if n == 2 else "multiclass"
    return None


#: Metric names that only a regression logs.
_REGRESSION_METRIC = re.compile(
    r"^(val_)?(mae|mse|rmse|mape|msle|mean_\w+_error|root_mean_squared_error|r2_score)$"
)


def not_classification(ctx: Context) -> bool:
    """True for regression and multi-label runs, recorded or evident from the metrics."""
    task = task_of(ctx)
    if task is not None:
        return task in ("regression", "multilabel")
    keys = list(ctx.run.metrics)
    regression = any(_REGRESSION_METRIC.match(k) for k in keys)
    classification = any(ACCURACY.match(k) or PR_METRIC.search(k) for k in keys)
    return regression and not classification


def class_names(ctx: Context, k: int) -> list[str]:
    """Display names of ``k`` classes: recorded names, per-class labels, else ids."""
    data = ctx.run.data
    if data is not None and data.class_names and len(data.class_names) == k:
        return [str(n) for n in data.class_names]
    if ctx.run.per_class and len(ctx.run.per_class[-1].labels) == k:
        return [str(n) for n in ctx.run.per_class[-1].labels]
    return [str(i) for i in range(k)]


def classes(ctx: Context) -> Classes:
    """Class facts; MissingInput when the run has no class counts at all."""
    data = ctx.run.data
    train = list(data.train_class_counts) if data and data.train_class_counts else None
    val = list(data.val_class_counts) if data and data.val_class_counts else None
    support = list(ctx.run.per_class[-1].support) if ctx.run.per_class else None
    if train and sum(train) > 0:
        counts, source = train, "training"
    elif val and sum(val) > 0:
        counts, source = val, "validation"
    elif support and sum(support) > 0:
        counts, source = support, "validation"
        val = support
    else:
        raise MissingInput("no class counts in the run", COUNTS_HINT, needs="run-file")
    if len(counts) < 2:
        raise MissingInput("the class counts name fewer than two classes", COUNTS_HINT,
                           needs="run-file")
    if not all(plausible_count(c) for c in counts):
        raise MissingInput(
            f"the class counts are not sample counts (each 0 to {MAX_COUNT:.0e})",
            COUNTS_HINT, needs="input",
        )
    task = task_of(ctx) or ("binary" if len(counts) == 2 else "multiclass")
    model = ctx.run.model
    return Classes(
        names=class_names(ctx, len(counts)),
        counts=[int(c) for c in counts],
        source=source,
        train_counts=train,
        val_counts=val,
        task=task,
        encoding=data.label_encoding if data else None,
        output_units=model.output_units if model else None,
    )


def watched_metrics(ctx: Context) -> list[str]:
    """Metric names the training watches: compiled metrics and logged training curves."""
    compiled = list(ctx.run.compile.metrics) if ctx.run.compile is not None else []
    return [*compiled, *(k for k in ctx.run.metrics if not k.startswith("val_"))]


def watches_pr(ctx: Context) -> bool:
    """True when some watched metric is precision, recall, AUC or F1-like."""
    return any(PR_METRIC.search(name.lower()) for name in watched_metrics(ctx))


def common_values(
    cls: Classes, ctx: Context, near_balanced: float, weight_step: float
) -> dict[str, object]:
    """Evidence every class-imbalance finding carries: counts, weights, metrics line.

    The metrics line is left out when the run already watches precision, recall, AUC
    or F1 (recommendations that need it are dropped).
    """
    weights = cls.weights()
    values: dict[str, object] = {
        "class_counts": cls.counts,
        "imbalance_ratio": cls.ratio,
        "ratio_finite": cls.ratio if math.isfinite(cls.ratio) else None,
        "majority_count": cls.counts[cls.majority],
        "majority_class": cls.names[cls.majority],
        "minority_class": cls.names[cls.minority],
        "class_weights": weights,
        # A class without training samples cannot be weighted up: no dict then.
        "class_weight": format_class_weight(weights) if min(cls.counts) > 0 else None,
        "oversample_factor": cls.ratio if math.isfinite(cls.ratio) else None,
    }
    if not watches_pr(ctx):
        values["metrics_line"] = cls.metrics_line()
        values["needs_one_hot"] = cls.needs_one_hot()
        values["n_classes"] = len(cls.counts)
    values.update(minority_tradeoff(ctx, cls.minority, len(cls.counts)))
    values.update(applied_weights(ctx, cls, values, near_balanced, weight_step))
    return values


def applied_class_weight(run: Run, k: int) -> list[float] | None:
    """The ``class_weight`` the run trained with, one weight per class id; ``None`` without.

    Read from ``run.meta["class_weight"]`` (``{"0": 0.53, "1": 10.0}``, recorded by
    FitDoctor from the ``fit`` call); a class left out of the dict weighs 1, as in Keras.
    All-equal weights change nothing and count as none.
    """
    raw = run.meta.get("class_weight")
    if not isinstance(raw, dict) or not raw:
        return None
    weights = [1.0] * k
    for key, value in raw.items():
        try:
            index, weight = int(key), float(value)
        except (TypeError, ValueError):
            return None
        if not 0 <= index < k or not math.isfinite(weight) or weight < 0:
            return None
        weights[index] = weight
    return None if max(weights) - min(weights) <= 1e-9 * max(weights) else weights


def minority_tradeoff(ctx: Context, minority: int, k: int) -> dict[str, object]:
    """The minority class's validation precision, recall, F1 and PR-AUC at the last epoch.

    At the default decision (0.5, or argmax) from the last per-class record: what
    weighting the classes would trade (the F1-best threshold and what it trades are
    FD505's own evidence). Empty without per-class metrics.
    """
    records = [r for r in ctx.run.per_class
               if len(r.recall) == k and all(is_number(x) for x in r.recall)]
    if not records:
        return {}
    rec = max(records, key=lambda r: r.epoch)
    at = {key: float_at(values, minority) if len(values) == k else None
          for key, values in (("minority_precision", rec.precision),
                              ("minority_recall", rec.recall), ("minority_f1", rec.f1),
                              ("minority_pr_auc", rec.pr_auc))}
    if any(at[key] is None for key in ("minority_precision", "minority_recall", "minority_f1")):
        return {}  # a value the run file left null: no trade-off to state
    out: dict[str, object] = {"tradeoff_epoch": rec.epoch}
    out.update({key: value for key, value in at.items() if value is not None})
    return out


def applied_weights(
    ctx: Context, cls: Classes, values: dict[str, object], near_balanced: float,
    weight_step: float,
) -> dict[str, object]:
    """What the run already weights, and the next step for the weights.

    ``weights_applied`` is true when the run trained with a ``class_weight`` or
    ``sample_weight`` (``Run.meta``); ``weights_known`` when the run file says either way.
    With a ``class_weight`` in force, ``next_step`` is ``"back"`` when it cost the
    minority's precision more than it bought recall (precision below recall at the
    default decision): ``next_class_weight`` is then ``weight_step`` of the way from the
    weights in force to none; ``"up"`` when the weights are below ``near_balanced`` of
    balanced (the minority's weight over the majority's) and the minority's recall is
    still below its precision: ``weight_step`` of the way from the weights in force to
    balanced; else ``"threshold"`` (weighting more is not the next step).
    """
    meta = ctx.run.meta
    k = len(cls.counts)
    applied = applied_class_weight(ctx.run, k)
    sample = meta.get("sample_weight") is True
    out: dict[str, object] = {
        "weights_known": "class_weight" in meta or "sample_weight" in meta,
        "weights_applied": applied is not None or sample,
        "sample_weighted": sample,
    }
    if applied is None:
        return out
    out["applied_class_weight"] = format_class_weight(applied)
    out["applied_class_weights"] = applied
    maj, mino = cls.majority, cls.minority
    balanced = cls.weights()
    precision, recall = values.get("minority_precision"), values.get("minority_recall")
    ratio = applied[mino] / applied[maj] if applied[maj] > 0 else math.inf
    balanced_ratio = cls.ratio
    step, target = "threshold", None
    measured = isinstance(precision, float) and isinstance(recall, float)
    if measured and ratio > 1 and precision < recall:  # type: ignore[operator]
        step, target = "back", [1.0] * k
    elif ratio < near_balanced * balanced_ratio and all(b is not None for b in balanced) and not (
            measured and recall >= precision):  # type: ignore[operator]
        step, target = "up", [float(b) for b in balanced if b is not None]
    out["next_step"] = step
    out["weights_vs_balanced"] = ratio / balanced_ratio if math.isfinite(balanced_ratio) else None
    if target is not None:
        out["next_class_weight"] = format_class_weight(
            [(1 - weight_step) * a + weight_step * t
             for a, t in zip(applied, target, strict=True)])
    return out


def factor(cls: Classes, index: int) -> float | None:
    """How many times the majority outnumbers class ``index`` (``None`` for an empty class)."""
    count = cls.counts[index]
    return cls.counts[cls.majority] / count if count else None


def drop_none(values: dict[str, object]) -> dict[str, object]:
    """``values`` without the ``None`` entries."""
    return {k: v for k, v in values.items() if v is not None}


def val_accuracy(ctx: Context) -> tuple[str, list[float]] | None:
    """``(key, values)`` of the validation accuracy curve, or ``None``."""
    key = ctx.accuracy_key("val_")
    if key is None:
        return None
    return key, [float(v) for v in ctx.array(key)]


def value_at(ctx: Context, values: list[float], epoch: int) -> float | None:
    """The value at ``epoch`` when finite, else ``None``."""
    if epoch not in ctx.epochs:
        return None
    v = values[ctx.epochs.index(epoch)]
    return v if math.isfinite(v) else None


def is_number(value: object) -> bool:
    """A recorded metric value: a number (NaN included), not None or text."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def float_at(values: Sequence[object], index: int) -> float | None:
    """``values[index]`` as a float, or ``None`` when missing or not a number."""
    value = values[index] if index < len(values) else None
    return float(value) if is_number(value) else None  # type: ignore[arg-type]


def plausible_count(count: object) -> bool:
    """A number of samples: finite, not negative, at most :data:`MAX_COUNT`."""
    if isinstance(count, bool) or not isinstance(count, (int, float)):
        return False
    return 0 <= count <= MAX_COUNT
