"""A network that predicts one class: its accuracies stuck where a constant output sits.

``one-class-predictions``: the validation accuracy holds one value over most of the
run, the training accuracy sits near it, and the training loss hardly fell. A network
whose answers on the validation rows never change while the weights move gives every
row the same class (or saturates on them); with the training accuracy at the same
level and the loss near where it started, it learned next to nothing from its inputs:
a beginner's "my model predicts only one class". A validation accuracy that holds
still while the training accuracy climbs away from it is the validation data's
problem instead (``validation-constant``, FD706).

Severities and wording live in ``rules/curves.toml``; this function measures.
"""

from __future__ import annotations

import numpy as np

from fitdoctor import curves
from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.detectors.span import binary_entropy, judged_span
from fitdoctor.errors import MissingInput

#: Accuracies equal to this many decimals are the same value (a fraction of rows).
_DECIMALS = 6


@detector("one-class-predictions")
def one_class_predictions(
    ctx: Context,
    *,
    min_epochs: int,
    min_same_share: float,
    max_accuracy: float,
    max_accuracy_gap: float,
    max_train_gain: float,
    min_train_change: float,
    max_loss_fall: float,
    max_pace: float,
    constant_fraction: float,
    max_loss_ratio: float,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
) -> Evidence | None:
    """The validation accuracy stuck at one value, the training accuracy beside it.

    Fires when the most common validation accuracy (equal to six decimals) covers at
    least ``min_same_share`` of the logged epochs (and ``min_epochs`` of them) and is
    above 0 and at most ``max_accuracy``; the training accuracy's second-half median is
    within ``max_accuracy_gap`` of it and its best less than ``max_train_gain`` above its
    first; and the training loss moved at least ``min_train_change`` of its first value
    (else nothing moves at all: FD302), but its second-half median fell less than
    ``max_loss_fall`` of it (a network that learned cuts its loss far more), falls less
    than ``max_pace`` of its level per epoch over that half (else it is still learning),
    and is at least ``constant_fraction`` of the binary entropy of the training accuracy
    (:func:`~.span.binary_entropy`): no constant output scoring that accuracy loses
    less, so a network below it ranks its rows, whatever its accuracy repeats (a linear
    model converged on a stable boundary). A training loss more than ``max_loss_ratio``
    times the validation loss measures a network handicapped while it trains (dropout,
    augmentation): its level says nothing of a constant output.

    A run file that records a reference model's accuracy is left to FD201, which sets the
    network against it and knows the model's layers (saturated sigmoid stacks, a missing
    hidden layer): it tells more than the accuracies repeating.

    Raises:
        MissingInput: The run logs no training or no validation accuracy.
    """
    ctx.require_epochs(min_epochs)
    base = ctx.run.baselines
    if (base is not None and base.reference_metric == "accuracy"
            and base.reference_value is not None):
        return None  # a reference model judges what the network learned: FD201's, better told
    val_key = ctx.accuracy_key("val_")
    train_key = ctx.accuracy_key()
    if val_key is None or train_key is None:
        raise MissingInput(
            "no training and validation accuracy to tell what the network predicts",
            "log an accuracy: model.compile(..., metrics=[\"accuracy\"])",
        )
    # the epochs the curve rules judge: after a wild first epoch the run recovered from
    # (unscaled inputs: 422 at epoch 1, then 0.69), before a blow-up (FD401-FD404's)
    span = judged_span(
        ctx, blowup_factor=blowup_factor, blowup_level=blowup_level,
        recover_factor=recover_factor, dead_tolerance=dead_tolerance,
        dead_accuracy=dead_accuracy, dead_accuracy_gain=dead_accuracy_gain,
        dead_accuracy_peak=dead_accuracy_peak,
    )
    if span.end < ctx.run.n_epochs or span.dead_by is not None:
        return None  # a blow-up or a dead network: the divergence rules' finding
    rows = slice(span.start, span.end)
    val = _finite(ctx.array(val_key)[rows])
    train_acc = _finite(ctx.array(train_key)[rows])
    loss_raw = ctx.array(ctx.loss_key)[rows]
    loss = _finite(loss_raw)
    if val.size < min_epochs or train_acc.size < 2 or loss.size < 2:
        return None
    if loss.size < loss_raw.size or float(loss[0]) <= 0:
        return None  # a NaN/inf loss is the divergence rules'
    values, counts = np.unique(np.round(val, _DECIMALS), return_counts=True)
    top = int(np.argmax(counts))
    value, same = float(values[top]), int(counts[top])
    if same < min_epochs or same < min_same_share * val.size:
        return None
    if not 0.0 < value <= max_accuracy:
        # no row right is no class's share (a regression compiled with an accuracy); a
        # high accuracy held is a network that learned far more often than one class
        # holding that share of the rows, and its loss cannot tell the two apart
        return None
    train_level = curves.median(train_acc[train_acc.size // 2 :])
    if abs(train_level - value) > max_accuracy_gap:
        return None  # the network fits its training rows (or the validation rows) apart
    if float(train_acc.max() - train_acc[0]) >= max_train_gain:
        return None  # the training accuracy climbed: the network learned, then settled
    first = float(loss[0])
    moved = float(loss.max() - loss.min()) / first
    if moved < min_train_change:
        return None  # nothing moves at all: FD302's flat loss
    late = curves.median(loss[loss.size // 2 :])
    fell = (first - late) / first
    if fell >= max_loss_fall or late < constant_fraction * binary_entropy(train_level):
        return None
    second = loss[loss.size // 2 :]
    line = curves.theil_sen(second) if second.size >= 2 else None
    if line is not None and late > 0 and -line[0] / late >= max_pace:
        return None  # still falling fast: a network still learning
    if ctx.run.has(ctx.val_loss_key):
        val_loss = _finite(ctx.array(ctx.val_loss_key)[rows])
        if val_loss.size and late > max_loss_ratio * curves.median(val_loss[val_loss.size // 2 :]):
            return None  # a handicapped training loss (dropout, augmentation)
    vals = ctx.array(val_key)[rows]
    at = span.start + int(
        np.flatnonzero(np.isfinite(vals) & (np.round(vals, _DECIMALS) == values[top]))[0])
    return Evidence({
        "metric": val_key,
        "value": float(f"{value:.4g}"),
        "same_epochs": same,
        "epochs": int(val.size),
        "train_metric": train_key,
        "train_accuracy": float(f"{train_level:.4g}"),
        "loss_first": float(f"{first:.4g}"),
        "loss_late": float(f"{late:.4g}"),
        "fell_pct": round(100 * fell, 1),
        "constant_loss": float(f"{binary_entropy(train_level):.4g}"),
        "rose": fell <= 0,
        "wild_start": span.wild_start > 0,
        "first_epoch": ctx.epochs[span.start],
    }, epoch=ctx.epochs[at])


def _finite(values: np.ndarray) -> np.ndarray:
    return np.asarray(values[np.isfinite(values)], dtype=float)
