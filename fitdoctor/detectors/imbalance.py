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
from collections.abc import Sequence

from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.detectors.imbalance_facts import (
    ACCURACY,
    COUNTS_HINT,
    PER_CLASS_HINT,
    VAL_RECALL,
    Classes,
    applied_class_weight,
    applied_weights,
    balanced_class_weights,
    classes,
    common_values,
    drop_none,
    factor,
    float_at,
    format_class_weight,
    is_number,
    metrics_line,
    minority_tradeoff,
    not_classification,
    parse_class_counts,
    task_of,
    val_accuracy,
    value_at,
    watched_metrics,
    watches_pr,
    with_class_counts,
)
from fitdoctor.errors import MissingInput
from fitdoctor.run import PerClass

__all__ = [
    "COUNTS_HINT",
    "PER_CLASS_HINT",
    "balanced_class_weights",
    "format_class_weight",
    "metrics_line",
    "parse_class_counts",
    "with_class_counts",
]

# ------------------------------------------------------------------ detectors
@detector("class-counts-imbalance")
def class_counts_imbalance(
    ctx: Context, *, min_ratio: float, warn_ratio: float, min_val_samples: int,
    min_share_ratio: float, max_share_ratio: float, near_balanced: float, weight_step: float,
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
        near_balanced: A ``class_weight`` in force below this share of balanced is the
            one to raise next (``next_step``).
        weight_step: How far the next ``class_weight`` goes toward its target.

    Returns:
        The counts, the ratio, the shares and the balanced ``class_weight``, or ``None``.
    """
    if not_classification(ctx):
        return None
    cls = classes(ctx)
    if cls.ratio < min_ratio:
        return None
    maj, mino = cls.majority, cls.minority
    values = common_values(cls, ctx, near_balanced, weight_step)
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
    return Evidence(drop_none(values))


def _validation_split_check(
    cls: Classes, min_val_samples: int, min_share_ratio: float, max_share_ratio: float
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
    ctx: Context, *, min_baseline: float, max_error_reduction: float, min_epochs: int,
    judge_weighted: bool, near_balanced: float, weight_step: float,
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
        judge_weighted: Judge runs trained with ``class_weight`` or ``sample_weight``
            too (``Run.meta``); weighting trades accuracy for the minority's recall on
            purpose, so by default those runs are left to the other rules.
        near_balanced: A ``class_weight`` in force below this share of balanced is the
            one to raise next (``next_step``).
        weight_step: How far the next ``class_weight`` goes toward its target.

    Returns:
        Accuracy, baseline and the error reduction, or ``None``.
    """
    if not_classification(ctx):
        return None
    cls = classes(ctx)
    ctx.require_epochs(min_epochs)
    if not judge_weighted and (applied_class_weight(ctx.run, len(cls.counts)) is not None
                               or ctx.run.meta.get("sample_weight") is True):
        return None
    found = val_accuracy(ctx)
    if found is None:
        raise MissingInput(
            "no validation accuracy curve", "compile with metrics=['accuracy'] and validate"
        )
    key, acc = found
    baselines = ctx.run.baselines
    maj = cls.majority
    if baselines is not None and baselines.majority_accuracy is not None:
        baseline = float(baselines.majority_accuracy)
        source = "validation-baseline"
        if baselines.majority_class is not None:
            maj_name = str(baselines.majority_class)
        else:
            maj_name = cls.names[maj]
    elif cls.val_counts is not None and sum(cls.val_counts) > 0:
        val = cls.val_counts
        vmaj = max(range(len(val)), key=lambda i: val[i])
        baseline = val[vmaj] / sum(val)
        source = "validation-counts"
        maj_name = cls.names[vmaj]
    else:
        baseline = cls.share(maj)
        source = "training-counts"
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
    values = common_values(cls, ctx, near_balanced, weight_step)
    values.update(
        {
            "accuracy_key": key,
            "best_accuracy": best,
            "accuracy_epoch": ctx.epochs[best_i],
            "last_accuracy": last,
            "baseline": baseline,
            "baseline_class": maj_name,
            "baseline_from": source,
            "error_reduction": reduction,
            "accuracy_gap": best - baseline,
            "comparison": comparison,
        }
    )
    return Evidence(drop_none(values), epoch=ctx.epochs[best_i])


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
    near_balanced: float,
    weight_step: float,
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
        near_balanced: A ``class_weight`` in force below this share of balanced is the
            one to raise next (``next_step``).
        weight_step: How far the next ``class_weight`` goes toward its target.

    Returns:
        The neglected class with its recall by epoch, or ``None``.
    """
    if not_classification(ctx):
        return None
    ctx.require_epochs(min_epochs)
    if ctx.run.per_class:
        return _recall_from_per_class(ctx, min_ratio, max_recall, min_drop, near_balanced,
                                      weight_step)
    return _recall_from_history(ctx, min_ratio, max_recall, min_drop, min_accuracy_gap,
                                near_balanced, weight_step)


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
    found = val_accuracy(ctx)
    if found is None:
        return {}, {}
    key, acc = found
    acc_at = {e: value_at(ctx, acc, e) for e in ctx.epochs}
    a0, a1 = acc_at.get(first_epoch), acc_at.get(last_epoch)
    if a0 is None or a1 is None:
        return {}, acc_at
    trend = "rose" if a1 > a0 else "stayed" if a1 == a0 else "went"
    return {"accuracy_key": key, "accuracy_first": a0, "accuracy_last": a1,
            "accuracy_trend": trend}, acc_at


def _recall_from_per_class(
    ctx: Context, min_ratio: float, max_recall: float, min_drop: float, near_balanced: float,
    weight_step: float,
) -> Evidence | None:
    records: list[PerClass] = sorted(ctx.run.per_class, key=lambda r: r.epoch)
    cls = classes(ctx)
    k = len(cls.counts)
    # an epoch whose recalls are not all numbers (null in a run file) is left out
    records = [r for r in records if len(r.recall) == k and all(is_number(x) for x in r.recall)]
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
    _, c, pattern, _ = hits[0]
    recalls = [float(r.recall[c]) for r in records]
    values = common_values(cls, ctx, near_balanced, weight_step)
    values.update(_recall_values(
        name=cls.names[c], index=c, cls=cls, binary=k == 2,
        source="per-class validation metrics", epochs=epochs, recalls=recalls,
        pattern=pattern, note=note, neglected=[cls.names[h[1]] for h in hits],
        precision_last=float_at(records[-1].precision, c), f1_last=float_at(records[-1].f1, c),
    ))
    return Evidence(drop_none(values), epoch=epochs[-1])


def _recall_values(
    *, name: str, index: int, cls: Classes | None, binary: bool, source: str,
    epochs: list[int], recalls: list[float], pattern: str, note: dict[str, object],
    neglected: list[str], precision_last: float | None, f1_last: float | None,
) -> dict[str, object]:
    """The evidence of a neglected class: its recall by epoch and how it fell.

    The finding's epoch is the last one (``recall_epoch``): the epoch its message names.
    """
    best_i = max(range(len(recalls)), key=lambda i: recalls[i])
    return {
        "class_name": name,
        "class_index": index,
        "class_count": cls.counts[index] if cls is not None else None,
        "class_share": cls.share(index) if cls is not None else None,
        "oversample_factor": factor(cls, index) if cls is not None else None,
        "binary_class": name if binary else None,
        "recall_source": source,
        "recall_first": recalls[0],
        "recall_best": recalls[best_i],
        "recall_best_epoch": epochs[best_i],
        "recall_last": recalls[-1],
        "recall_epoch": epochs[-1],
        "precision_last": precision_last,
        "f1_last": f1_last,
        "recall_by_epoch": dict(zip([str(e) for e in epochs], recalls, strict=True)),
        "trajectory": _trajectory(epochs, recalls),
        "pattern": pattern,
        **note,
        "neglected_classes": neglected,
        "n_neglected": len(neglected),
    }


def _history_recall_keys(ctx: Context) -> dict[str, int]:
    """Validation recall curves of a bare history, by key → class id.

    ``val_recall_N`` (``keras.metrics.Recall(class_id=N, name="recall_N")``, the name
    the recommended metrics line gives) is class N; a bare ``val_recall`` is class 1 of
    a binary model (Keras's default: positives at threshold 0.5), and is meaningless
    per class for a multi-class model.
    """
    n = ctx.n_classes
    multiclass = (n is not None and n > 2) or task_of(ctx) == "multiclass"
    out: dict[str, int] = {}
    for key in ctx.run.metrics:
        match = VAL_RECALL.match(key)
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
    ctx: Context, min_ratio: float, max_recall: float, min_drop: float, min_accuracy_gap: float,
    near_balanced: float, weight_step: float,
) -> Evidence | None:
    keys = _history_recall_keys(ctx)
    if not keys:
        reason = "no per-class validation metrics and no per-class val_recall curve"
        raise MissingInput(reason, PER_CLASS_HINT, needs="run-file")
    try:
        cls: Classes | None = classes(ctx)
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
    _, key, c, epochs, recalls, pattern, _ = hits[0]
    note, _ = _accuracy_note(ctx, epochs[0], epochs[-1])
    values: dict[str, object] = (
        common_values(cls, ctx, near_balanced, weight_step) if cls is not None else {})
    name = cls.names[c] if cls is not None else str(c)
    precision_key = key.replace("recall", "precision")
    precision_last = None
    if ctx.run.has(precision_key):
        p = float(ctx.array(precision_key)[ctx.epochs.index(epochs[-1])])
        precision_last = p if math.isfinite(p) else None
    values.update(_recall_values(
        name=name, index=c, cls=cls, binary=cls is None or len(cls.counts) == 2,
        source=f"{key} (Keras Recall at threshold 0.5)", epochs=epochs, recalls=recalls,
        pattern=pattern, note=note,
        neglected=[cls.names[h[2]] if cls is not None else str(h[2]) for h in hits],
        precision_last=precision_last, f1_last=None,
    ))
    return Evidence(drop_none(values), epoch=epochs[-1])


@detector("imbalance-metrics-missing")
def imbalance_metrics_missing(
    ctx: Context, *, min_ratio: float, warn_ratio: float, near_balanced: float,
    weight_step: float,
) -> Evidence | None:
    """An imbalanced classification watched without precision, recall, AUC or F1.

    Args:
        ctx: The run.
        min_ratio: Only judge imbalanced data (largest over smallest class at least this).
        warn_ratio: The ratio at which accuracy starts to mislead (evidence ``misleading``).
        near_balanced: A ``class_weight`` in force below this share of balanced is the
            one to raise next (``next_step``).
        weight_step: How far the next ``class_weight`` goes toward its target.

    Returns:
        What is watched, and the ``metrics=[...]`` line to compile with, or ``None``.
    """
    if not_classification(ctx):
        return None
    cls = classes(ctx)
    if cls.ratio < min_ratio:
        return None
    if watches_pr(ctx):
        return None
    watched = sorted({n for n in watched_metrics(ctx) if ACCURACY.match(n.lower())})
    values = common_values(cls, ctx, near_balanced, weight_step)
    values.update(
        {
            "watched": ", ".join(watched) if watched else "only the loss",
            "watched_metrics": watched,
            "misleading": cls.ratio >= warn_ratio,
            "per_class_recorded": bool(ctx.run.per_class),
        }
    )
    return Evidence(drop_none(values))


@detector("f1-threshold")
def f1_threshold(
    ctx: Context, *, min_gain: float, min_shift: float, near_balanced: float,
    weight_step: float,
) -> Evidence | None:
    """The F1-maximising decision threshold of a binary task against the default 0.5.

    Reads the threshold and its F1 that FitDoctor records with the per-class metrics
    (class 1 is the positive class), and the F1 of class 1 at 0.5 from the same epoch.

    Args:
        ctx: The run.
        min_gain: Fire when the best threshold raises F1 by at least this much.
        min_shift: ... and lies at least this far from 0.5.
        near_balanced: A ``class_weight`` in force below this share of balanced is the
            one to raise next (``next_step``).
        weight_step: How far the next ``class_weight`` goes toward its target.

    Returns:
        The threshold, its F1 and the F1 at 0.5, or ``None``.
    """
    task = task_of(ctx)
    if (task is not None and task != "binary") or not_classification(ctx):
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
        "threshold_precision": rec.threshold_precision,
        "threshold_recall": rec.threshold_recall,
        "threshold_epoch": rec.epoch,
        "direction": "lower" if threshold < 0.5 else "higher",
    }
    with contextlib.suppress(MissingInput):
        found = classes(ctx)
        if min(found.counts) > 0:
            weights = found.weights()
            values["class_weights"] = weights
            values["class_weight"] = format_class_weight(weights)
        values.update(applied_weights(
            ctx, found, minority_tradeoff(ctx, found.minority, len(found.counts)),
            near_balanced, weight_step))
    values["weights_applied"] = bool(values.get("weights_applied")) or (
        ctx.run.meta.get("sample_weight") is True)
    return Evidence(drop_none(values), epoch=rec.epoch)
