"""Class-imbalance detectors: see through a good-looking accuracy.

When 98% of the samples belong to one class, a model that always predicts that class
scores 98% accuracy and is useless. These detectors measure what accuracy hides,
from the class counts (``Run.data``), the per-class validation metrics recorded by
:class:`fitdoctor.FitDoctor` (``Run.per_class``), the majority-class baseline
(``Run.baselines``) and, for a bare Keras History, its precision/recall curves:

* ``class-counts-imbalance``: the imbalance ratio and majority share of the classes;
* ``accuracy-near-majority-baseline``: validation accuracy barely above (or below)
  always predicting the majority class;
* ``minority-recall-low``: a minority class whose validation recall stays low or
  collapses while accuracy rises;
* ``imbalance-metrics-missing``: an imbalanced classification compiled with accuracy
  alone;
* ``f1-threshold``: a binary task whose F1-maximising decision threshold is far from 0.5.

The recommended ``class_weight`` is scikit-learn's ``compute_class_weight("balanced")``,
``n_samples / (n_classes * count_c)``, computed here without importing scikit-learn
(the analysis path must start fast); the tests check it against scikit-learn.

A bare history has no class counts: :func:`parse_class_counts` and
:func:`with_class_counts` let the CLI's ``--class-counts 950,50`` supply them.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.errors import InputError, MissingInput
from fitdoctor.run import DataInfo, PerClass, Run

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
_PR_METRIC = re.compile(r"precision|recall|auc|prc|f1|fbeta|sensitivity|specificity")
#: A bare Keras ``Recall`` (class 1 at threshold 0.5): ``val_recall``, ``val_recall_1``.
_VAL_RECALL = re.compile(r"^val_recall(_\d+)?$")
#: Accuracy-like metric names.
_ACCURACY = re.compile(r"^(val_)?(acc|accuracy|\w+_accuracy)$")


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
class _Classes:
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
        return sum(self.counts)

    @property
    def majority(self) -> int:
        return max(range(len(self.counts)), key=lambda i: self.counts[i])

    @property
    def minority(self) -> int:
        return min(range(len(self.counts)), key=lambda i: self.counts[i])

    @property
    def ratio(self) -> float:
        """Largest over smallest class; infinite when a class has no sample."""
        smallest = self.counts[self.minority]
        return self.counts[self.majority] / smallest if smallest else math.inf

    def share(self, index: int) -> float:
        return self.counts[index] / self.total

    def is_minority(self, index: int, min_ratio: float) -> bool:
        """True when the class is at least ``min_ratio`` times rarer than the majority."""
        count = self.counts[index]
        return count * min_ratio <= self.counts[self.majority]

    def counts_text(self) -> str:
        return ", ".join(f"{n}: {c}" for n, c in zip(self.names, self.counts, strict=True))

    def metrics_line(self) -> str:
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
        return balanced_class_weights(self.counts)


def _task(ctx: Context) -> str | None:
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


def _not_classification(ctx: Context) -> bool:
    """True for regression and multi-label runs, recorded or evident from the metrics."""
    task = _task(ctx)
    if task is not None:
        return task in ("regression", "multilabel")
    keys = list(ctx.run.metrics)
    regression = any(_REGRESSION_METRIC.match(k) for k in keys)
    classification = any(_ACCURACY.match(k) or _PR_METRIC.search(k) for k in keys)
    return regression and not classification


def _names(ctx: Context, k: int) -> list[str]:
    data = ctx.run.data
    if data is not None and data.class_names and len(data.class_names) == k:
        return [str(n) for n in data.class_names]
    if ctx.run.per_class and len(ctx.run.per_class[-1].labels) == k:
        return [str(n) for n in ctx.run.per_class[-1].labels]
    return [str(i) for i in range(k)]


def _classes(ctx: Context) -> _Classes:
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
    if not all(_plausible_count(c) for c in counts):
        raise MissingInput(
            f"the class counts are not sample counts (each 0 to {MAX_COUNT:.0e})",
            COUNTS_HINT, needs="input",
        )
    task = _task(ctx) or ("binary" if len(counts) == 2 else "multiclass")
    model = ctx.run.model
    return _Classes(
        names=_names(ctx, len(counts)),
        counts=[int(c) for c in counts],
        source=source,
        train_counts=train,
        val_counts=val,
        task=task,
        encoding=data.label_encoding if data else None,
        output_units=model.output_units if model else None,
    )


def _number(value: object) -> bool:
    """A recorded metric value: a number (NaN included), not None or text."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _float_or_none(values: Sequence[object], index: int) -> float | None:
    """``values[index]`` as a float, or ``None`` when missing or not a number."""
    value = values[index] if index < len(values) else None
    return float(value) if _number(value) else None  # type: ignore[arg-type]


def _plausible_count(count: object) -> bool:
    """A number of samples: finite, not negative, at most :data:`MAX_COUNT`."""
    if isinstance(count, bool) or not isinstance(count, (int, float)):
        return False
    return 0 <= count <= MAX_COUNT


def _watched_metrics(ctx: Context) -> list[str]:
    """Metric names the training watches: compiled metrics and logged training curves."""
    compiled = list(ctx.run.compile.metrics) if ctx.run.compile is not None else []
    return [*compiled, *(k for k in ctx.run.metrics if not k.startswith("val_"))]


def _watches_pr(ctx: Context) -> bool:
    """True when some watched metric is precision, recall, AUC or F1-like."""
    return any(_PR_METRIC.search(name.lower()) for name in _watched_metrics(ctx))


def _common(cls: _Classes, ctx: Context) -> dict[str, object]:
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
    if not _watches_pr(ctx):
        values["metrics_line"] = cls.metrics_line()
        values["needs_one_hot"] = cls.needs_one_hot()
        values["n_classes"] = len(cls.counts)
    return values


def _factor(cls: _Classes, index: int) -> float | None:
    """How many times the majority outnumbers class ``index`` (``None`` for an empty class)."""
    count = cls.counts[index]
    return cls.counts[cls.majority] / count if count else None


def _drop_none(values: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}


def _val_accuracy(ctx: Context) -> tuple[str, list[float]] | None:
    key = ctx.accuracy_key("val_")
    if key is None:
        return None
    return key, [float(v) for v in ctx.array(key)]


def _acc_at(ctx: Context, values: list[float], epoch: int) -> float | None:
    if epoch not in ctx.epochs:
        return None
    v = values[ctx.epochs.index(epoch)]
    return v if math.isfinite(v) else None


# ------------------------------------------------------------------ detectors
@detector("class-counts-imbalance")
def class_counts_imbalance(
    ctx: Context, *, min_ratio: float, warn_ratio: float, min_val_samples: int,
    min_share_ratio: float, max_share_ratio: float,
) -> Evidence | None:
    """Imbalance ratio (largest over smallest class) and majority share of the class counts.

    Args:
        ctx: The run.
        min_ratio: Report when the largest class outnumbers the smallest this many times.
        warn_ratio: The ratio at which accuracy starts to mislead (evidence ``misleading``).
        min_val_samples: Fewer validation samples of the minority class than this are
            too few to measure it (evidence ``val_problem``).
        min_share_ratio: The validation share of the minority over its training share
            below which the split does not mirror training.
        max_share_ratio: The same ratio above which it does not either.

    Returns:
        The counts, the ratio, the shares and the balanced ``class_weight``, or ``None``.
    """
    if _not_classification(ctx):
        return None
    cls = _classes(ctx)
    if cls.ratio < min_ratio:
        return None
    maj, mino = cls.majority, cls.minority
    values = _common(cls, ctx)
    values.update(
        {
            "counts_source": cls.source,
            "counts_text": cls.counts_text(),
            "majority_share": cls.share(maj),
            "minority_count": cls.counts[mino],
            "minority_share": cls.share(mino),
            "misleading": cls.ratio >= warn_ratio,
            "val_counts": cls.val_counts if cls.source == "training" else None,
        }
    )
    values.update(_validation_split_check(cls, min_val_samples, min_share_ratio, max_share_ratio))
    return Evidence(_drop_none(values))


def _validation_split_check(
    cls: _Classes, min_val_samples: int, min_share_ratio: float, max_share_ratio: float
) -> dict[str, object]:
    """Whether validation mirrors the training class shares and holds enough of the minority.

    ``val_problem`` names a problem (``"missing"``, ``"share"``, ``"few"``; else ``None``);
    ``stratify_share`` is set only when the validation counts are unknown, for the
    generic stratification advice.
    """
    mino = cls.minority
    out: dict[str, object] = {"val_problem": None, "stratify_share": None}
    val = cls.val_counts
    if val is None or cls.train_counts is None or sum(val) == 0:
        out["stratify_share"] = cls.share(mino)
        return out
    count = val[mino]
    share = count / sum(val)
    out["val_minority_count"] = count
    out["val_minority_share"] = share
    train_share = cls.share(mino)
    out["train_minority_share"] = train_share
    if train_share == 0:
        return out
    if count == 0:
        out["val_problem"] = "missing"
    elif not min_share_ratio <= share / train_share <= max_share_ratio:
        out["val_problem"] = "share"
    elif count < min_val_samples:
        out["val_problem"] = "few"
        out["recall_step"] = 1 / count
    return out


@detector("accuracy-near-majority-baseline")
def accuracy_near_majority_baseline(
    ctx: Context, *, min_baseline: float, max_error_reduction: float, min_epochs: int
) -> Evidence | None:
    """Best validation accuracy against always predicting the majority class.

    The gap is measured as the share of the baseline's errors the model removes,
    ``(accuracy - baseline) / (1 - baseline)``: 0.96 against a 0.95 baseline removes
    20% of the errors, which is next to nothing.

    Args:
        ctx: The run.
        min_baseline: Only judge data where always predicting the majority class already
            scores at least this accuracy (where accuracy can flatter a useless model).
        max_error_reduction: Fire when the best validation accuracy removes at most this
            share of the majority baseline's errors (or is below the baseline).
        min_epochs: Epochs needed before the rule judges.

    Returns:
        Accuracy, baseline and the error reduction, or ``None``.
    """
    if _not_classification(ctx):
        return None
    cls = _classes(ctx)
    ctx.require_epochs(min_epochs)
    found = _val_accuracy(ctx)
    if found is None:
        raise MissingInput(
            "no validation accuracy curve", "compile with metrics=['accuracy'] and validate"
        )
    key, acc = found
    baselines = ctx.run.baselines
    maj = cls.majority
    if baselines is not None and baselines.majority_accuracy is not None:
        baseline = float(baselines.majority_accuracy)
        source = "validation baseline"
        if baselines.majority_class is not None:
            maj_name = str(baselines.majority_class)
        else:
            maj_name = cls.names[maj]
    elif cls.val_counts is not None and sum(cls.val_counts) > 0:
        val = cls.val_counts
        vmaj = max(range(len(val)), key=lambda i: val[i])
        baseline = val[vmaj] / sum(val)
        source = "validation class counts"
        maj_name = cls.names[vmaj]
    else:
        baseline = cls.share(maj)
        source = "training class counts; validation assumed alike"
        maj_name = cls.names[maj]
    if baseline < min_baseline:
        return None
    finite = [(v, i) for i, v in enumerate(acc) if math.isfinite(v)]
    if not finite:
        raise MissingInput(f"no finite value in {key!r}")
    best, best_i = max(finite)
    last = finite[-1][0]
    room = 1.0 - baseline
    reduction = (best - baseline) / room if room > 0 else 0.0
    if reduction > max_error_reduction:
        return None
    if best < baseline - 1e-9:
        comparison = "below"
    elif best <= baseline + 1e-9:
        comparison = "equal"
    else:
        comparison = "partial"
    values = _common(cls, ctx)
    values.update(
        {
            "accuracy_key": key,
            "best_accuracy": best,
            "accuracy_epoch": ctx.epochs[best_i],
            "last_accuracy": last,
            "baseline": baseline,
            "baseline_class": maj_name,
            "baseline_source": source,
            "error_reduction": reduction,
            "accuracy_gap": best - baseline,
            "comparison": comparison,
        }
    )
    return Evidence(_drop_none(values), epoch=ctx.epochs[best_i])


def _trajectory(epochs: Sequence[int], values: Sequence[float], limit: int = 6) -> str:
    points = list(zip(epochs, values, strict=True))
    if len(points) > limit:
        step = (len(points) - 1) / (limit - 1)
        points = [points[round(i * step)] for i in range(limit)]
    return ", ".join(f"e{e} {v:.2f}" for e, v in points)


def _low_stretch_start(epochs: Sequence[int], recalls: Sequence[float], limit: float) -> int:
    start = len(recalls) - 1
    while start > 0 and recalls[start - 1] < limit:
        start -= 1
    return epochs[start]


@detector("minority-recall-low")
def minority_recall_low(
    ctx: Context,
    *,
    min_ratio: float,
    max_recall: float,
    min_drop: float,
    min_accuracy_gap: float,
    min_epochs: int,
) -> Evidence | None:
    """A minority class whose validation recall stays low or collapses.

    Uses the per-class validation metrics of a FitDoctor run; for a bare history, a
    Keras ``val_recall`` curve (class 1 at threshold 0.5) of a binary task.

    Args:
        ctx: The run.
        min_ratio: A class is a minority when the majority outnumbers it this many times.
        max_recall: Recall at the last epoch below this is "low".
        min_drop: A fall of recall from its best by at least this much is a collapse
            (when validation accuracy did not fall meanwhile).
        min_accuracy_gap: Without class counts, fire only when validation accuracy
            exceeds the low recall by at least this much (the accuracy paradox).
        min_epochs: Epochs needed before the rule judges.

    Returns:
        The neglected class with its recall by epoch, or ``None``.
    """
    if _not_classification(ctx):
        return None
    ctx.require_epochs(min_epochs)
    if ctx.run.per_class:
        return _recall_from_per_class(ctx, min_ratio, max_recall, min_drop)
    return _recall_from_history(ctx, min_ratio, max_recall, min_drop, min_accuracy_gap)


def _judge_recall(
    epochs: list[int],
    recalls: list[float],
    acc_at: dict[int, float | None],
    max_recall: float,
    min_drop: float,
) -> tuple[str, int] | None:
    """``(pattern, epoch)`` when the recall curve is low or collapsed, else ``None``.

    The pattern is ``"collapsed"`` (fell by ``min_drop`` from its best while the accuracy
    held), ``"down"`` (ends low after being fine) or ``"never"`` (never fine).
    """
    last = recalls[-1]
    best_i = max(range(len(recalls)), key=lambda i: recalls[i])
    best = recalls[best_i]
    acc_best, acc_last = acc_at.get(epochs[best_i]), acc_at.get(epochs[-1])
    acc_held = acc_best is None or acc_last is None or acc_last >= acc_best - 1e-9
    if best - last >= min_drop and best_i < len(recalls) - 1 and acc_held:
        fell = next(
            i for i in range(best_i + 1, len(recalls)) if best - recalls[i] >= min_drop
        )
        return "collapsed", epochs[fell]
    if last < max_recall:
        pattern = "down" if best >= max_recall else "never"
        return pattern, _low_stretch_start(epochs, recalls, max_recall)
    return None


def _accuracy_note(
    ctx: Context, first_epoch: int, last_epoch: int
) -> tuple[dict[str, object], dict[int, float | None]]:
    """The validation accuracy from ``first_epoch`` to ``last_epoch``, and by epoch."""
    found = _val_accuracy(ctx)
    if found is None:
        return {}, {}
    key, acc = found
    acc_at = {e: _acc_at(ctx, acc, e) for e in ctx.epochs}
    a0, a1 = acc_at.get(first_epoch), acc_at.get(last_epoch)
    if a0 is None or a1 is None:
        return {}, acc_at
    trend = "rose" if a1 > a0 else "stayed" if a1 == a0 else "went"
    return {"accuracy_key": key, "accuracy_first": a0, "accuracy_last": a1,
            "accuracy_trend": trend}, acc_at


def _recall_from_per_class(
    ctx: Context, min_ratio: float, max_recall: float, min_drop: float
) -> Evidence | None:
    records: list[PerClass] = sorted(ctx.run.per_class, key=lambda r: r.epoch)
    cls = _classes(ctx)
    k = len(cls.counts)
    # an epoch whose recalls are not all numbers (null in a run file) is left out
    records = [r for r in records if len(r.recall) == k and all(_number(x) for x in r.recall)]
    if not records:
        raise MissingInput("the per-class metrics do not match the class counts", PER_CLASS_HINT,
                           needs="run-file")
    epochs = [r.epoch for r in records]
    note, acc_at = _accuracy_note(ctx, epochs[0], epochs[-1])
    hits: list[tuple[float, int, str, int]] = []
    for c in range(k):
        if not cls.is_minority(c, min_ratio):
            continue
        recalls = [float(r.recall[c]) for r in records]
        judged = _judge_recall(epochs, recalls, acc_at, max_recall, min_drop)
        if judged is not None:
            hits.append((recalls[-1], c, judged[0], judged[1]))
    if not hits:
        return None
    hits.sort()
    _, c, pattern, epoch = hits[0]
    recalls = [float(r.recall[c]) for r in records]
    best_i = max(range(len(recalls)), key=lambda i: recalls[i])
    values = _common(cls, ctx)
    values.update(
        {
            "class_name": cls.names[c],
            "class_index": c,
            "class_count": cls.counts[c],
            "class_share": cls.share(c),
            "oversample_factor": _factor(cls, c),
            "binary_class": cls.names[c] if k == 2 else None,
            "recall_source": "per-class validation metrics",
            "recall_first": recalls[0],
            "recall_best": recalls[best_i],
            "recall_best_epoch": epochs[best_i],
            "recall_last": recalls[-1],
            "recall_epoch": epochs[-1],
            "precision_last": _float_or_none(records[-1].precision, c),
            "f1_last": _float_or_none(records[-1].f1, c),
            "recall_by_epoch": dict(zip([str(e) for e in epochs], recalls, strict=True)),
            "trajectory": _trajectory(epochs, recalls),
            "pattern": pattern,
            **note,
            "neglected_classes": [cls.names[h[1]] for h in hits],
            "n_neglected": len(hits),
        }
    )
    return Evidence(_drop_none(values), epoch=epoch)


def _history_recall_keys(ctx: Context) -> dict[str, int]:
    """Validation recall curves of a bare history, by key → class id.

    ``val_recall_N`` (``keras.metrics.Recall(class_id=N, name="recall_N")``, the name
    the recommended metrics line gives) is class N; a bare ``val_recall`` is class 1 of
    a binary model (Keras's default: positives at threshold 0.5), and is meaningless
    per class for a multi-class model.
    """
    n = ctx.n_classes
    multiclass = (n is not None and n > 2) or _task(ctx) == "multiclass"
    out: dict[str, int] = {}
    for key in ctx.run.metrics:
        match = _VAL_RECALL.match(key)
        if match is None or not ctx.run.has(key):
            continue
        if match.group(1):
            c = int(match.group(1)[1:])
            if n is None or c < n:
                out[key] = c
        elif not multiclass:
            out[key] = 1
    return out


def _recall_from_history(
    ctx: Context, min_ratio: float, max_recall: float, min_drop: float, min_accuracy_gap: float
) -> Evidence | None:
    keys = _history_recall_keys(ctx)
    if not keys:
        reason = "no per-class validation metrics and no per-class val_recall curve"
        raise MissingInput(reason, PER_CLASS_HINT, needs="run-file")
    try:
        cls: _Classes | None = _classes(ctx)
    except MissingInput:
        cls = None
    hits: list[tuple[float, str, int, list[int], list[float], str, int]] = []
    for key, c in keys.items():
        if cls is not None and (c >= len(cls.counts) or not cls.is_minority(c, min_ratio)):
            continue
        arr = ctx.array(key)
        rows = [i for i in range(arr.size) if math.isfinite(float(arr[i]))]
        if not rows:
            continue
        epochs = [ctx.epochs[i] for i in rows]
        recalls = [float(arr[i]) for i in rows]
        _, acc_at = _accuracy_note(ctx, epochs[0], epochs[-1])
        if cls is None:  # no counts: require the accuracy paradox's signature
            acc_last = acc_at.get(epochs[-1])
            if acc_last is None or acc_last - recalls[-1] < min_accuracy_gap:
                continue
        judged = _judge_recall(epochs, recalls, acc_at, max_recall, min_drop)
        if judged is not None:
            hits.append((recalls[-1], key, c, epochs, recalls, judged[0], judged[1]))
    if not hits:
        return None
    hits.sort(key=lambda h: h[0])
    _, key, c, epochs, recalls, pattern, epoch = hits[0]
    note, _ = _accuracy_note(ctx, epochs[0], epochs[-1])
    best_i = max(range(len(recalls)), key=lambda i: recalls[i])
    values: dict[str, object] = _common(cls, ctx) if cls is not None else {}
    name = cls.names[c] if cls is not None else str(c)
    precision_key = key.replace("recall", "precision")
    precision_last = None
    if ctx.run.has(precision_key):
        p = float(ctx.array(precision_key)[ctx.epochs.index(epochs[-1])])
        precision_last = p if math.isfinite(p) else None
    binary = cls is None or len(cls.counts) == 2
    values.update(
        {
            "class_name": name,
            "class_index": c,
            "class_count": cls.counts[c] if cls is not None else None,
            "class_share": cls.share(c) if cls is not None else None,
            "oversample_factor": _factor(cls, c) if cls is not None else None,
            "binary_class": name if binary else None,
            "recall_source": f"{key} (Keras Recall at threshold 0.5)",
            "recall_first": recalls[0],
            "recall_best": recalls[best_i],
            "recall_best_epoch": epochs[best_i],
            "recall_last": recalls[-1],
            "recall_epoch": epochs[-1],
            "precision_last": precision_last,
            "recall_by_epoch": dict(zip([str(e) for e in epochs], recalls, strict=True)),
            "trajectory": _trajectory(epochs, recalls),
            "pattern": pattern,
            **note,
            "neglected_classes": [cls.names[h[2]] if cls is not None else str(h[2]) for h in hits],
            "n_neglected": len(hits),
        }
    )
    return Evidence(_drop_none(values), epoch=epoch)


@detector("imbalance-metrics-missing")
def imbalance_metrics_missing(
    ctx: Context, *, min_ratio: float, warn_ratio: float
) -> Evidence | None:
    """An imbalanced classification watched without precision, recall, AUC or F1.

    Args:
        ctx: The run.
        min_ratio: Only judge imbalanced data (largest over smallest class at least this).
        warn_ratio: The ratio at which accuracy starts to mislead (evidence ``misleading``).

    Returns:
        What is watched, and the ``metrics=[...]`` line to compile with, or ``None``.
    """
    if _not_classification(ctx):
        return None
    cls = _classes(ctx)
    if cls.ratio < min_ratio:
        return None
    if _watches_pr(ctx):
        return None
    watched = sorted({n for n in _watched_metrics(ctx) if _ACCURACY.match(n.lower())})
    values = _common(cls, ctx)
    values.update(
        {
            "watched": ", ".join(watched) if watched else "only the loss",
            "watched_metrics": watched,
            "misleading": cls.ratio >= warn_ratio,
            "per_class_recorded": bool(ctx.run.per_class),
        }
    )
    return Evidence(_drop_none(values))


@detector("f1-threshold")
def f1_threshold(ctx: Context, *, min_gain: float, min_shift: float) -> Evidence | None:
    """The F1-maximising decision threshold of a binary task against the default 0.5.

    Reads the threshold and its F1 that FitDoctor records with the per-class metrics
    (class 1 is the positive class), and the F1 of class 1 at 0.5 from the same epoch.

    Args:
        ctx: The run.
        min_gain: Fire when the best threshold raises F1 by at least this much.
        min_shift: ... and lies at least this far from 0.5.

    Returns:
        The threshold, its F1 and the F1 at 0.5, or ``None``.
    """
    task = _task(ctx)
    if (task is not None and task != "binary") or _not_classification(ctx):
        return None
    records = [
        r for r in ctx.run.per_class if r.threshold is not None and r.threshold_f1 is not None
    ]
    if not records:
        if ctx.run.per_class and task == "binary":
            raise MissingInput("the per-class metrics carry no decision threshold", PER_CLASS_HINT,
                               needs="run-file")
        raise MissingInput(
            "no validation predictions to tune the decision threshold on",
            "record the run with FitDoctor(validation_data=(x_val, y_val))",
        )
    rec = max(records, key=lambda r: r.epoch)
    if len(rec.f1) != 2:
        return None
    assert rec.threshold is not None and rec.threshold_f1 is not None
    threshold, best_f1 = float(rec.threshold), float(rec.threshold_f1)
    default_f1 = float(rec.f1[1])
    gain = best_f1 - default_f1
    if gain < min_gain or abs(threshold - 0.5) < min_shift:
        return None
    values: dict[str, object] = {
        "positive_class": rec.labels[1] if len(rec.labels) == 2 else "1",
        "threshold": threshold,
        "threshold_f1": best_f1,
        "default_f1": default_f1,
        "f1_gain": gain,
        "default_recall": float(rec.recall[1]),
        "default_precision": float(rec.precision[1]),
        "threshold_epoch": rec.epoch,
        "direction": "lower" if threshold < 0.5 else "higher",
    }
    with contextlib.suppress(MissingInput):
        found = _classes(ctx)
        if min(found.counts) > 0:
            weights = found.weights()
            values["class_weights"] = weights
            values["class_weight"] = format_class_weight(weights)
    return Evidence(_drop_none(values), epoch=rec.epoch)
