"""What a plateau is measured against: the baselines a run or its curves imply.

Underfitting is a loss that plateaued at a *poor* level. Poor compared with what the data
allows: the validation score of a quick reference model (a run file recorded by the
callback, :mod:`fitdoctor.reference`), else what learning nothing scores: the loss of
predicting the class prior (a run file), ln(k) for k known classes, and, for a bare
binary history, the loss a constant predictor with the same accuracy would have (the
entropy of the accuracy). These functions measure; the thresholds are parameters of the
rule that uses them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor.detectors.base import Context
from fitdoctor.detectors.span import Span, binary_entropy, curve, pct
from fitdoctor.errors import MissingInput
from fitdoctor.vocabulary import canonical_loss


def poor_level(
    ctx: Context,
    span: Span,
    level: float,
    *,
    max_accuracy: float,
    chance_fraction: float,
    baseline_fraction: float,
    implied_fraction: float,
    binary_tolerance: float,
    reference_margin: float,
    reference_z: float,
    scored: Span | None = None,
    handicapped: bool = False,
) -> dict[str, Any] | None:
    """Evidence that the plateau is poor, against the best baseline known; else None.

    The network's scores set against a reference model are its best over ``scored``
    (default: ``span``), the rows the caller judges the network by.

    Against a reference model's validation accuracy the network's shortfall must exceed
    the noise of that accuracy: ``reference_z`` standard errors of it on the validation
    set, or, on a validation set too small for that, the network's training accuracy
    (measured on the many more training rows) must fall short of the reference by
    ``reference_z`` standard errors of the difference: a network that does not even fit
    its own training data as well as a simple model predicts unseen data lacks capacity.

    ``handicapped``: the training curves measure a network handicapped by a regularizer
    active only while training (dropout, input noise) and sit well above the validation
    loss; then only the validation score against a reference judges: neither the
    training accuracy nor the training loss's level (against the prior, chance, an
    accuracy assumed poor) says what the network can fit, and without a reference the
    result is ``None``.

    Raises MissingInput when nothing tells what a poor level is.
    """
    if not math.isfinite(level):
        return None  # a loss at inf or NaN did not plateau: the divergence rules judge it
    run = ctx.run
    base = run.baselines
    scored = span if scored is None else scored
    ref = _reference(ctx, scored)
    weak: dict[str, Any] = {}
    if ref is not None and _uninformative(ctx, ref[1], ref[2], reference_z):
        # a reference that scores no better than the class prior or the mean learned
        # nothing: it says a simple model cannot do this task, not what the data allows
        # (logistic regression on sequences whose class is a frequency: 0.30 of three
        # classes, where a recurrent network reaches 1.0). Judge as if there were none.
        weak = {
            "reference_model": ref[3],
            "reference_value": float(f"{ref[1]:.4g}"),
            "reference_metric": ref[2],
        }
        ref = None
    if ref is not None:
        score, ref_value, metric, model = ref
        mae = metric == "mse" and _mae_loss(ctx)
        train_score: float | None = None
        confirmed = False  # decided by the training accuracy, not the validation alone
        # the network fits its own training rows worse than the reference predicts the
        # validation rows, beyond the noise of both (a capacity limit, whatever the gap)
        train_short = False
        if metric == "accuracy":
            shortfall = ref_value - score
            # on a small validation set one sample is several points: the shortfall must
            # also exceed reference_z standard errors of the reference's accuracy ...
            n_val = run.data.n_val if run.data is not None else None
            se = reference_se(ref_value, n_val)
            # ... and of the network's own accuracy on those rows: near 100% the
            # reference's collapses (1.0 on 40 rows: 0.024), the network's does not
            # (0.95, two rows missed: 0.040), and two rows are no shortfall
            se_val = max(se, reference_se(score, n_val))
            judged = shortfall if shortfall >= reference_z * se_val else 0.0
            # ... or the training accuracy, known far better, must confirm it
            train_score = None if handicapped else _best_train_accuracy(ctx, scored)
            n_train = run.data.n_train if run.data is not None else None
            if train_score is not None and n_train and se > 0:
                t = (train_score * n_train + 1) / (n_train + 2)
                se_diff = math.sqrt(se**2 + t * (1 - t) / n_train)
                train_short = ref_value - train_score >= reference_z * se_diff
                if judged == 0.0 and train_short:
                    judged, confirmed = shortfall, True
        else:  # mse: how much lower the reference's error is than the network's ...
            shortfall = (score - ref_value) / score if score > 0 else 0.0
            # ... judged as a share of the target's variance when the run knows it (the
            # explained variance lost, like accuracy points): 0.0129 against 0.0118 on a
            # target of variance 0.91 is 9% more error but 0.1% of the variance
            prior = float(base.prior_loss) if base is not None and base.prior_loss else None
            judged = (score - ref_value) / prior if prior else shortfall
            # ... beyond the noise of the reference's MSE on the validation rows (its
            # standard error with normal residuals, MSE sqrt(2 / n_val)), unless the
            # network's training loss, on many more rows, is no lower than it: 0.505
            # against ridge's 0.470 on 62 diabetes rows is 3% of the variance, within
            # one standard error (0.084), while the network trains at 0.436
            n_val = run.data.n_val if run.data is not None else None
            se = ref_value * math.sqrt(2.0 / n_val) if n_val else 0.0
            # (a network trained on the mean absolute error: its MSE is at least the
            # square of its MAE, so the squares are what is compared)
            train_mse = level**2 if mae else level
            fits_worse = train_mse >= ref_value and not handicapped
            if score - ref_value < reference_z * se and not fits_worse:
                judged = 0.0
        if judged < reference_margin:
            return None
        kind = "reference_train" if confirmed else "reference"
        mse_kind = "reference_mae" if mae else "reference_mse"
        return {
            "reference_kind": kind if metric == "accuracy" else mse_kind,
            "mae_score": float(f"{math.sqrt(score):.4g}") if mae else None,
            "train_score": float(f"{train_score:.4g}") if train_score is not None else None,
            "reference_value": float(f"{ref_value:.4g}"),
            "reference_model": model,
            "reference_metric": metric,
            "score": float(f"{score:.4g}"),
            "shortfall_pts": pct(shortfall) if metric == "accuracy" else None,
            "shortfall_pct": pct(shortfall) if metric != "accuracy" else None,
            "_train_short": train_short,
        }
    if handicapped:
        return None  # the training loss's level is the regularizer's, not the fit's
    if base is not None and _positive(base.prior_loss):
        prior = float(base.prior_loss)  # type: ignore[arg-type]
        if level < baseline_fraction * prior:
            return None
        return {
            "reference_kind": "prior_weak_reference" if weak else "prior",
            "prior_loss": float(f"{prior:.4g}"),
            "level_share_pct": _percent(level, prior),
            **weak,
        }
    k = ctx.n_classes
    if k and k >= 2:
        chance = math.log(k)
        if level < chance_fraction * chance:
            return None
        return {
            "reference_kind": "chance",
            "n_classes": k,
            "chance_loss": round(chance, 4),
            "level_share_pct": _percent(level, chance),
        }
    acc_key = ctx.accuracy_key()
    if acc_key is None:
        raise MissingInput(
            "no accuracy metric, class count or baseline to judge the loss level",
            "pass --task/--classes, log accuracy, or record the run with FitDoctor()",
        )
    _, acc = curve(ctx, acc_key, span)
    accuracy = float(acc[-1])
    binary = _looks_binary(ctx, span, binary_tolerance)
    implied = _binary_entropy(accuracy) if binary else None
    if implied is not None and implied > 0:
        if level < implied_fraction * implied:
            return None
        return {
            "reference_kind": "implied",
            "metric": acc_key,
            "accuracy": round(accuracy, 4),
            "implied_loss": round(implied, 4),
            "level_share_pct": _percent(level, implied),
        }
    if accuracy > max_accuracy:
        return None
    return {
        "reference_kind": "accuracy",
        "metric": acc_key,
        "accuracy": round(accuracy, 4),
        "max_accuracy": max_accuracy,
    }


def reference_se(ref_value: float, n_val: int | None) -> float:
    """Standard error of a reference model's accuracy ``ref_value`` on ``n_val`` rows.

    The accuracy is shrunk one sample towards 1/2 ((k + 1) / (n + 2)), so a reference
    at 1.0 on 25 rows is not taken as exact. 0.0 when the validation size is unknown.
    """
    if not n_val:
        return 0.0
    p = (ref_value * n_val + 1) / (n_val + 2)
    return math.sqrt(p * (1 - p) / n_val)


def reaches_reference(ctx: Context, accuracy: float, z: float) -> dict[str, Any] | None:
    """The reference model's numbers when a validation ``accuracy`` reaches its score.

    Reaches: within ``z`` standard errors (:func:`reference_se`) of the accuracy the
    run's reference model scores on the same validation rows, a reference that learned
    something (not :func:`_uninformative`). ``{"reference_model", "reference_value"}``,
    else ``None`` (short of it, or the run records no accuracy reference).
    """
    ref = accuracy_reference(ctx, z)
    if ref is None:
        return None
    data = ctx.run.data
    se = reference_se(ref, data.n_val if data is not None else None)
    if accuracy < ref - z * se:
        return None
    base = ctx.run.baselines
    model = base.reference_model if base is not None else None
    return {"reference_model": model or "simple model", "reference_value": float(f"{ref:.4g}")}


def accuracy_reference(ctx: Context, z: float) -> float | None:
    """The validation accuracy the run's reference model scores, when it learned something.

    ``None`` when the run records no accuracy reference, or one no better than ignoring
    the inputs (:func:`_uninformative` at ``z``).
    """
    base = ctx.run.baselines
    if base is None or base.reference_metric != "accuracy" or not _finite(base.reference_value):
        return None
    ref = float(base.reference_value)  # type: ignore[arg-type]  # finite: checked
    return None if _uninformative(ctx, ref, "accuracy", z) else ref


def learned_nothing(ctx: Context, span: Span, z: float) -> dict[str, Any] | None:
    """The network's best validation score when it is no better than ignoring the inputs.

    The test a reference model fails when it learned nothing (:func:`_uninformative`),
    applied to the network: its best validation accuracy within ``z`` standard errors of
    what always predicting the largest class scores, or its lowest validation MSE at or
    above the prior's (predicting the training mean). ``{"nothing_score", "nothing_base",
    "nothing_metric"}``, else ``None`` (learned something, or the run lacks the baseline).
    """
    base = ctx.run.baselines
    if base is None:
        return None
    key = ctx.accuracy_key("val_")
    if key is not None and ctx.run.has(key):
        values = ctx.array(key)[span.start : span.end]
        values = values[np.isfinite(values)]
        if values.size == 0:
            return None
        best = float(values.max())
        shares = _constant_accuracies(ctx)
        if not shares or not _uninformative(ctx, best, "accuracy", z):
            return None
        return {"nothing_score": float(f"{best:.4g}"),
                "nothing_base": float(f"{max(shares):.4g}"), "nothing_metric": "accuracy"}
    loss = ctx.run.compile.loss if ctx.run.compile is not None else None
    if loss not in _MSE_LOSSES or not ctx.run.has("val_loss") or not _positive(base.prior_loss):
        return None
    values = ctx.array("val_loss")[span.start : span.end]
    values = values[np.isfinite(values)]
    if values.size == 0 or not _uninformative(ctx, float(values.min()), "mse", z):
        return None
    return {"nothing_score": float(f"{float(values.min()):.4g}"),
            "nothing_base": float(f"{float(base.prior_loss):.4g}"),  # type: ignore[arg-type]
            "nothing_metric": "mse"}


def informative_reference(ctx: Context, span: Span, z: float) -> dict[str, Any] | None:
    """The run's reference model, when it learned from the inputs; else ``None``.

    ``{"reference_model", "reference_value", "reference_metric"}`` for a recorded
    reference whose validation score beats ignoring the inputs (:func:`_uninformative`
    at ``z``): the data holds something a simple model finds.
    """
    ref = _reference(ctx, span)
    if ref is None or _uninformative(ctx, ref[1], ref[2], z):
        return None
    return {"reference_model": ref[3], "reference_value": float(f"{ref[1]:.4g}"),
            "reference_metric": ref[2]}


def _constant_accuracies(ctx: Context) -> list[float]:
    """What a constant prediction scores on the validation rows, as far as the run knows.

    The training majority class's validation accuracy, and the largest validation class
    share when the run records the validation class counts.
    """
    base = ctx.run.baselines
    data = ctx.run.data
    majority = base.majority_accuracy if base is not None else None
    shares = [float(majority)] if majority is not None and _finite(majority) else []
    counts = data.val_class_counts if data is not None else None
    if counts and sum(counts) > 0:
        shares.append(max(counts) / sum(counts))
    return shares


def _reference(ctx: Context, span: Span) -> tuple[float, float, str, str] | None:
    """``(network score, reference score, metric, model)`` when the run has a reference.

    The network's score is its best validation accuracy, or for an ``mse`` reference its
    lowest validation loss when that loss is the mean squared error, or the square of its
    lowest validation loss when that loss is the mean absolute error (:func:`_mae_loss`):
    a lower bound of its MSE (the mean of the squared errors is at least the square of
    their mean), so the comparison can only flatter the network.
    """
    base = ctx.run.baselines
    if base is None or not base.reference_metric or not _finite(base.reference_value):
        return None
    reference = float(base.reference_value)  # type: ignore[arg-type]  # finite: checked
    metric = base.reference_metric
    model = base.reference_model or "simple model"
    if metric == "accuracy":
        key = ctx.accuracy_key("val_")
        if key is None:
            return None
        values = ctx.array(key)[span.start : span.end]
        values = values[np.isfinite(values)]
        if values.size == 0:
            return None
        return float(values.max()), reference, metric, model
    loss = ctx.run.compile.loss if ctx.run.compile is not None else None
    mae = _mae_loss(ctx)
    if metric != "mse" or (loss not in _MSE_LOSSES and not mae) or not ctx.run.has("val_loss"):
        return None
    values = ctx.array("val_loss")[span.start : span.end]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    best = float(values.min())
    return (best**2 if mae else best), reference, metric, model


def _mae_loss(ctx: Context) -> bool:
    """Whether the run's compiled loss is the mean absolute error."""
    loss = ctx.run.compile.loss if ctx.run.compile is not None else None
    return loss is not None and canonical_loss(loss) == "mean_absolute_error"


def _uninformative(ctx: Context, value: float, metric: str, z: float) -> bool:
    """Whether a reference's score is no better than ignoring the inputs.

    Accuracy: not above the best a constant prediction scores on the validation rows
    (the training majority class's validation accuracy, or the largest validation class
    share when the run knows the validation class counts) by ``z`` standard errors of
    that accuracy. MSE: at or above the prior's loss (the error of predicting the
    training mean). ``False`` when the run lacks the baseline.
    """
    base = ctx.run.baselines
    if base is None:
        return False
    if metric == "accuracy":
        data = ctx.run.data
        shares = _constant_accuracies(ctx)
        if not shares:
            return False
        m = max(shares)
        n_val = data.n_val if data is not None else None
        se = math.sqrt(m * (1 - m) / n_val) if n_val else 0.0
        return value - m < z * se if se > 0 else value <= m
    return _positive(base.prior_loss) and value >= float(base.prior_loss)  # type: ignore[arg-type]


def _best_train_accuracy(ctx: Context, span: Span) -> float | None:
    """The network's best training accuracy over the judged span, when it logs one."""
    key = ctx.accuracy_key()
    if key is None or not ctx.run.has(key):
        return None
    values = ctx.array(key)[span.start : span.end]
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else None


def _percent(level: float, reference: float) -> float:
    """``level`` as a whole percentage of ``reference`` (inf when it overflows)."""
    share = 100 * level / reference  # Python floats overflow to inf, silently
    return round(share) if math.isfinite(share) else share


def _finite(value: object) -> bool:
    """A recorded number that can be compared with: finite (not None, NaN or inf)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _positive(value: object) -> bool:
    """A recorded loss a level can be measured against: finite and above zero."""
    return _finite(value) and value > 0  # type: ignore[operator]


#: Loss names whose value is the mean squared error (comparable with an ``mse`` reference).
_MSE_LOSSES = frozenset({"mse", "mean_squared_error", "MeanSquaredError"})


def _looks_binary(ctx: Context, span: Span, tolerance: float) -> bool:
    """A bare history's task looks binary: its first loss is within ``tolerance`` of ln 2.

    A fresh classifier starts near the chance loss ln(k); ln 2 is 0.693, ln 3 is 1.099.
    Run facts, when known, decide instead.
    """
    data = ctx.run.data
    if data is not None and data.task is not None:
        return data.task == "binary"
    raw = ctx.array(ctx.loss_key)[span.start : span.end]
    raw = raw[np.isfinite(raw)]
    return raw.size > 0 and abs(float(raw[0]) - math.log(2)) <= tolerance * math.log(2)


def _binary_entropy(p: float) -> float | None:
    """Cross-entropy of always predicting the prior when the majority class is ``p``."""
    if not 0.5 <= p < 1:
        return None
    return binary_entropy(p)
