"""Compare two runs: did the change help?

:func:`compare` analyzes a BEFORE and an AFTER run with the same rules and measures
what changed: the findings that appeared, disappeared or stayed (by code), and one
number, the *yardstick*, taken at the epoch each run keeps, with its noise::

    AFTER fixes FD101 overfitting: val_accuracy 0.933 → 0.933, no detectable change (±0.25)

* :mod:`fitdoctor.compare.yardstick`: which number judges the change for this task
  (minority PR-AUC for an imbalanced classification, MAE for a regression, accuracy
  otherwise; ``monitor=`` overrides), and why;
* :mod:`fitdoctor.compare.stats`: the epoch each run keeps, the yardstick there, and
  its noise (a binomial interval on the validation samples, or the spread of the
  curve's tail);
* :mod:`fitdoctor.compare.verdict`: the :class:`Comparison` and its judgment.

This package measures and judges only; :mod:`fitdoctor.reporters.compare_render` shows
a :class:`Comparison`, and the CLI picks the exit code.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fitdoctor.compare.stats import (
    Kept,
    Measure,
    difference_noise,
    kept_epoch,
    measure,
    n_validation,
    record_at,
    shared_size,
)
from fitdoctor.compare.verdict import (
    COMPARE_SCHEMA,
    ClassChange,
    ClassNumbers,
    Comparison,
    FindingChange,
    Side,
    num,
)
from fitdoctor.compare.yardstick import (
    MIN_RATIO,
    Yardstick,
    choose,
    default_monitor,
    minority,
    monitor_mode,
)
from fitdoctor.report import Report
from fitdoctor.run import Run

if TYPE_CHECKING:
    from fitdoctor.rules import Rule, Settings

__all__ = [
    "COMPARE_SCHEMA",
    "ClassChange",
    "ClassNumbers",
    "Comparison",
    "FindingChange",
    "Kept",
    "Measure",
    "Side",
    "Yardstick",
    "compare",
    "default_monitor",
    "kept_epoch",
    "monitor_mode",
    "num",
]

#: AFTER is worse "beyond noise" when worse by more than this many tail spreads (for a
#: metric that is not a rate of samples).
NOISE_FACTOR = 2.0

#: Defaults of the validation-size inference when the FD702 rule is not loaded.
_INFER_MAX_N = 20000
_INFER_MAX_FALSE = 1e-3


def compare(
    before: Any,
    after: Any,
    settings: Settings | None = None,
    *,
    monitor: str | None = None,
    mode: str | None = None,
    noise_factor: float = NOISE_FACTOR,
) -> Comparison:
    """Compare a BEFORE and an AFTER run.

    Args:
        before: The run before the change: a :class:`Run` or anything
            :func:`fitdoctor.load` reads (path, history dict, ``History``, DataFrame).
        after: The run after the change.
        settings: Rules to analyze both with, and the metric names to read them by
            (``metric_map``, a configuration's ``[tool.fitdoctor.metrics]``). Defaults
            to `None` (all rules).
        monitor: Validation curve to judge on instead of the task's yardstick.
            Defaults to `None` (:func:`fitdoctor.compare.yardstick.choose`).
        mode: ``"min"`` or ``"max"`` for ``monitor``. Defaults to `None` (from its name).
        noise_factor: For a metric that is not a rate of samples, AFTER is worse "beyond
            noise" when worse by more than this many times the spread of the curves'
            tails. Defaults to `2.0`.

    Returns:
        The comparison.

    Raises:
        InputError: A run cannot be read, or lacks the monitored metric.
        ConfigError: ``mode`` is invalid or cannot be inferred.

    Example:
        >>> cmp = compare("before.json", "after.json")  # doctest: +SKIP
        >>> print(cmp.verdict)  # doctest: +SKIP
        AFTER fixes FD101 overfitting: val_accuracy 0.933 → 0.933, no detectable change ...
    """
    from fitdoctor import engine
    from fitdoctor.rules import Settings

    settings = settings or Settings()
    # the configuration's [tool.fitdoctor.metrics] names the curves, as analyze reads them
    run_b = _load(before, settings.metric_map)
    run_a = _load(after, settings.metric_map)
    rules = settings.rules()
    report_b = engine.analyze(run_b, settings, rules=rules)
    report_a = engine.analyze(run_a, settings, rules=rules)
    every = Settings(rule_options=settings.rule_options, rule_dirs=settings.rule_dirs).rules()
    yardstick = choose(
        run_b, run_a, (report_b, report_a), monitor=monitor, mode=mode,
        min_ratio=_param(every, "class-counts-imbalance", "min_ratio", MIN_RATIO),
    )
    max_n = int(_param(every, "validation-sampling-error", "infer_max_n", _INFER_MAX_N))
    max_false = _param(every, "validation-sampling-error", "infer_max_false", _INFER_MAX_FALSE)
    n_b, n_a = shared_size(
        n_validation(run_b, max_n=max_n, max_false=max_false),
        n_validation(run_a, max_n=max_n, max_false=max_false),
        run_b, run_a, max_n,
    )
    side_b = _side(run_b, report_b, yardstick, "BEFORE", n_b)
    side_a = _side(run_a, report_a, yardstick, "AFTER", n_a)
    threshold, how = difference_noise(side_b.measure, side_a.measure, yardstick, noise_factor)
    differ = _validation_differs(run_b, run_a, side_b, side_a)
    per_class = _per_class(run_b, run_a, side_b.kept, side_a.kept)
    found = minority(run_b) or minority(run_a)
    minority_change = None
    if yardstick.task == "imbalanced" and found is not None:
        minority_change = next((c for c in per_class if c.label == found[0]), None)
    cmp = Comparison(
        before=side_b,
        after=side_a,
        yardstick=yardstick,
        threshold=threshold,
        noise=how,
        common_epochs=sorted(set(run_b.epochs) & set(run_a.epochs)),
        comparable=not differ,
        not_comparable=differ,
        changes=_changes(report_b, report_a),
        per_class=per_class,
        minority=minority_change,
    )
    cmp.notes = _notes(cmp, run_b, run_a)
    return cmp


# ------------------------------------------------------------------ helpers
def _load(source: Any, metric_map: Mapping[str, str] | None = None) -> Run:
    from fitdoctor.readers import from_any

    run = from_any(source, metric_map=metric_map or None)
    if run is not source and not run.name and isinstance(source, (str, os.PathLike)):
        run.name = os.path.basename(os.fspath(source))  # a fresh run: naming it is safe
    return run


def _param(rules: list[Rule], detector: str, name: str, default: float) -> float:
    """A parameter of the (first) rule using ``detector``, as configured; else ``default``."""
    for rule in rules:
        if rule.detector.name == detector and name in rule.values:
            return float(rule.values[name])
    return default


def _at(run: Run, key: str, epoch: int | None) -> float | None:
    if epoch is None or epoch not in run.epochs or key not in run.metrics:
        return None
    v = run.metrics[key][run.epochs.index(epoch)]
    return float(v) if v is not None and math.isfinite(v) else None


#: Layers that can carry a weight penalty the run file does not record (an Embedding's
#: ``embeddings_regularizer``, a recurrent layer's ``recurrent_regularizer``, a separable
#: or depthwise convolution's ``depthwise_regularizer``): with one of them in the model,
#: "no penalty recorded" does not mean "no penalty".
UNRECORDED_PENALTY_LAYERS = ("Embedding", "LSTM", "GRU", "SimpleRNN", "Bidirectional",
                             "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
                             "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
                             "SeparableConv2D")


def _penalized(run: Run) -> bool | None:
    """Whether the run's model has a weight penalty (a regularizer); ``None`` unknown."""
    if run.model is None or not run.model.layers:
        return None
    layers = run.model.layers
    if any(
        reg is not None
        for layer in layers
        for reg in (layer.kernel_regularizer, layer.bias_regularizer, layer.activity_regularizer)
    ):
        return True
    if any(layer.class_name in UNRECORDED_PENALTY_LAYERS for layer in layers):
        return None
    return False


def _class_weight(run: Run) -> tuple[dict[str, float] | None, bool]:
    """The ``class_weight`` the run file records (``meta["class_weight"]``), and if it says."""
    if "class_weight" not in run.meta:
        return None, False
    raw = run.meta.get("class_weight")
    if not isinstance(raw, dict):
        return None, True
    weights: dict[str, float] = {}
    for k, v in raw.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            weights[str(k)] = float(v)
    return (weights or None), True


def _side(
    run: Run, report: Report, yardstick: Yardstick, what: str,
    n_val: tuple[int, str] | None,
) -> Side:
    kept = kept_epoch(run)
    val, train = _at(run, "val_loss", kept.epoch), _at(run, "loss", kept.epoch)
    weights, known = _class_weight(run)
    return Side(
        name=run.name or what,
        n_epochs=run.n_epochs,
        kept=kept,
        best_epoch=report.best_epoch.epoch if report.best_epoch is not None else None,
        measure=measure(run, yardstick, kept, n_val),
        val_loss=val,
        gap=val - train if val is not None and train is not None else None,
        n_val=n_val[0] if n_val else None,
        n_val_source=n_val[1] if n_val else None,
        report=report,
        class_weight=weights,
        weights_known=known,
    )


def _validation_differs(before: Run, after: Run, b: Side, a: Side) -> str:
    """Why the two validation sets are not the same (empty when nothing says they differ).

    Recorded sizes must be equal; a size read off the accuracy's steps is only a
    denominator (an accuracy of 12/15 also reads as 4/5), so inferred sizes differ only
    when neither divides the other.
    """
    if (b.n_val and a.n_val and b.n_val != a.n_val
            and not {"step", "other run"} & {b.n_val_source, a.n_val_source}):
        inferred = "inferred" in (b.n_val_source, a.n_val_source)
        if not inferred or (max(b.n_val, a.n_val) % min(b.n_val, a.n_val)):
            how = "" if not inferred else " (read off the accuracy's steps)"
            return f"{b.n_val} and {a.n_val} validation samples{how}"
    db, da = before.data, after.data
    if db is not None and da is not None:
        if db.val_fingerprint and da.val_fingerprint and db.val_fingerprint != da.val_fingerprint:
            return "different validation data (fingerprints differ)"
        if (db.val_class_counts and da.val_class_counts
                and list(db.val_class_counts) != list(da.val_class_counts)):
            return (f"different validation class counts ({_counts(db.val_class_counts)} and "
                    f"{_counts(da.val_class_counts)})")
    return ""


def _counts(counts: list[int]) -> str:
    return ":".join(str(c) for c in counts)


def _changes(before: Report, after: Report) -> list[FindingChange]:
    b = {f.code: f for f in before.findings}
    a = {f.code: f for f in after.findings}
    skipped = {s.code: s.reason for s in after.skipped}
    out: list[FindingChange] = []
    for code, f in b.items():
        if code not in a:
            out.append(FindingChange(code, f.name, f.diagnosis, "fixed", before=f,
                                     unjudged=skipped.get(code, "")))
    for code, f in a.items():
        if code not in b:
            out.append(FindingChange(code, f.name, f.diagnosis, "new", after=f))
    for code, f in b.items():
        if code in a:
            out.append(FindingChange(code, f.name, f.diagnosis, "stayed", before=f, after=a[code]))
    return out


def _class_numbers(run: Run, kept: Kept) -> dict[str, ClassNumbers]:
    record = record_at(run, kept.epoch)
    if record is None:
        return {}
    out: dict[str, ClassNumbers] = {}

    def pick(values: list[Any], i: int) -> float | None:
        if i >= len(values) or values[i] is None:
            return None
        v = float(values[i])
        return v if math.isfinite(v) else None

    for i, label in enumerate(record.labels):
        support = record.support[i] if i < len(record.support) else None
        out[str(label)] = ClassNumbers(
            recall=pick(record.recall, i),
            precision=pick(record.precision, i),
            f1=pick(record.f1, i),
            pr_auc=pick(record.pr_auc, i),
            support=int(support) if support is not None else None,
            epoch=record.epoch,
        )
    return out


def _per_class(before: Run, after: Run, kb: Kept, ka: Kept) -> list[ClassChange]:
    nb, na = _class_numbers(before, kb), _class_numbers(after, ka)
    if not nb or not na:
        return []
    labels = list(nb) + [label for label in na if label not in nb]
    return [ClassChange(label, nb.get(label), na.get(label)) for label in labels]


def _notes(cmp: Comparison, before: Run, after: Run) -> list[str]:
    notes: list[str] = []
    b, a = cmp.before, cmp.after
    if not cmp.comparable:
        notes.append(
            f"the validation sets differ ({cmp.not_comparable}): the numbers are not "
            "comparable, only the findings are; no numeric regression is judged."
        )
    for change in cmp.setup_escalated:
        assert change.before is not None and change.after is not None
        notes.append(
            f"{change.code} {change.name} went {change.before.severity.value} → "
            f"{change.after.severity.value} on the same {b.n_val} validation samples: it "
            "judges the validation data both runs share, not the change; not a regression."
        )
    weighted = [(side, run) for side, run in ((b, before), (a, after))
                if side.class_weight or run.meta.get("sample_weight") is True]
    if weighted:
        names = " and ".join("BEFORE" if side is b else "AFTER" for side, _ in weighted)
        kinds = sorted({"class_weight" if side.class_weight else "sample_weight"
                        for side, _ in weighted})
        notes.append(
            f"{names} trained with {' and '.join(kinds)}: Keras weights only the training "
            "loss, so the validation metrics and the per-class metrics are unweighted and "
            "the runs are judged alike."
        )
    if (
        cmp.yardstick.key != "val_loss"
        and b.val_loss is not None
        and a.val_loss is not None
        and a.val_loss > b.val_loss * (1 + 0.02)
        and not cmp.worse_beyond_noise
    ):
        if (b.class_weight is None) != (a.class_weight is None) and (
            b.weights_known or a.weights_known
        ):
            why = ("class weights move the predicted probabilities toward the minority "
                   "class, which the unweighted validation loss counts as miscalibration")
        elif _penalized(before) is False and _penalized(after) is False:
            why = ("neither run has weight penalties, so it is the predictions' confidence: "
                   "the loss counts how sure the model is of what it gets wrong, the "
                   "accuracy does not")
        else:
            why = ("Keras adds regularization penalties (L2, ...) to val_loss, so it is not "
                   "comparable between runs with different regularization")
        notes.append(
            f"val_loss rose ({num(b.val_loss)} → {num(a.val_loss)}) while {cmp.monitor} "
            f"did not get worse beyond noise: {why}; the regression check uses "
            f"{cmp.monitor}."
        )
    if cmp.yardstick.key == "val_loss" and cmp.worse_beyond_noise and (
        cmp.yardstick.task != "imbalanced"
    ):
        alt = default_monitor(before, after)
        if alt != "val_loss":
            alt_b, alt_a = _at(before, alt, b.kept.epoch), _at(after, alt, a.kept.epoch)
            mode = monitor_mode(alt)
            if alt_b is not None and alt_a is not None and (
                alt_a >= alt_b if mode == "max" else alt_a <= alt_b
            ):
                notes.append(
                    f"val_loss got worse but {alt} did not ({num(alt_b)} → {num(alt_a)}): if "
                    "AFTER adds regularization, Keras counts its penalty in val_loss; judge "
                    f"on --monitor {alt} instead."
                )
    if cmp.threshold == 0 and cmp.comparable and cmp.delta is not None:
        notes.append(
            f"the noise of {cmp.monitor} could not be measured: any worsening counts as "
            "beyond noise."
        )
    return notes
