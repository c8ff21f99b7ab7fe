"""A network that memorised its training set: overfitting the validation curve may not show.

A fully connected network with hundreds of weights per training row can fit every
training row exactly (its capacity far exceeds the data). Trained on a cross-entropy
loss, it then keeps growing its confidence: the training loss falls towards 0, and on
new data the few rows it gets wrong are predicted ever more confidently, so the held-out
loss rises while the accuracy holds. A small validation set the model gets (nearly) all
right cannot show that: its loss only measures the confidence on rows it already gets
right, and keeps falling. This detector measures the memorisation itself, from what a
run file records (the model's weights, the number of training rows, the loss of the
constant predictor), so the warning does not depend on the validation curve showing it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor import curves
from fitdoctor.detectors.advice import RegularizationSteps, more_rows, regularization_advice
from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.detectors.span import judged_span, recorded_prior_loss, span_or_missing
from fitdoctor.detectors.stability import training_noise
from fitdoctor.detectors.training import restores_best_weights, stopped_early
from fitdoctor.detectors.validation_setup import recorded_callbacks, wilson_half_width
from fitdoctor.errors import MissingInput
from fitdoctor.vocabulary import is_accuracy

#: Fully connected layers: every weight is free to fit one pattern (a convolution or a
#: recurrent cell shares its weights across positions, so its count says less).
_FULLY_CONNECTED = {"Dense", "EinsumDense"}

_NEEDS_RUN = (
    "record the run with FitDoctor(), which records the model, data.n_train and the prior loss"
)


def _fully_connected_weights(ctx: Context) -> int:
    model = ctx.run.model
    if model is None:
        raise MissingInput("the model's layers are unknown (a bare history)", _NEEDS_RUN,
                           needs="run-file")
    return sum(int(layer.params or 0) for layer in model.layers
               if layer.class_name in _FULLY_CONNECTED)


@detector("memorised-training-set")
def memorised_training_set(
    ctx: Context,
    *,
    min_epochs: int,
    max_train_loss_share: float,
    min_weights_per_row: float,
    saturated_errors: int,
    max_error_bound: float,
    bound_z: float,
    noisy_window: int,
    min_epochs_after_best: int,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
    shrink_factor: float,
    l2_first: float,
    l2_step: float,
    dropout_step: float,
    dropout_max: float,
    data_factor: float,
) -> Evidence | None:
    """A big network drove a classifier's training loss to ~0: it memorised the rows.

    The fully connected weights far outnumber the training rows, and the training loss is
    a sliver of the constant predictor's. Measures the training loss at the end (median
    of the last three judged epochs) against the run file's prior loss, and the Dense
    weights per training row. A model that injects noise while training (Dropout,
    GaussianNoise, augmentation) has its training loss measured with the noise on: each
    reading overstates the fit of the weights, and they swing, so the lowest of the last
    ``noisy_window`` epochs stands for the end instead. Reports
    the validation set's size and errors at the end, which say whether its curve could
    show the overfitting at all, and ``turn_seen``: EarlyStopping stopped training at
    least ``min_epochs_after_best`` epochs after the lowest validation loss and restored
    that epoch's weights (the validation curve turned, and the model kept is its best).
    """
    ctx.require_epochs(min_epochs)
    data = ctx.run.data
    task = data.task if data is not None else None
    if data is None or not data.n_train:
        raise MissingInput("the number of training rows is unknown (a bare history)",
                           _NEEDS_RUN, needs="run-file")
    if task not in ("binary", "multiclass", "multilabel"):
        # a regression's squared error does not push predictions to infinity: a network
        # that interpolates a smooth target can generalise, and the corpus shows both
        raise MissingInput("not a classification (the memorisation check reads a "
                           "cross-entropy against the prior's)", _NEEDS_RUN, needs="run-file")
    prior = recorded_prior_loss(ctx.run)
    if prior is None:
        raise MissingInput("the run does not record the constant predictor's loss",
                           _NEEDS_RUN, needs="run-file")
    weights = _fully_connected_weights(ctx)
    n_train = int(data.n_train)
    span = judged_span(
        ctx, blowup_factor=blowup_factor, blowup_level=blowup_level,
        recover_factor=recover_factor, dead_tolerance=dead_tolerance,
        dead_accuracy=dead_accuracy, dead_accuracy_gain=dead_accuracy_gain,
        dead_accuracy_peak=dead_accuracy_peak,
    )
    span_or_missing(ctx, span, min_epochs)
    if span.size < min_epochs:
        return None
    train = ctx.array(ctx.loss_key)[span.start : span.end]
    kept = _kept_index(ctx, span.start, span.end)
    if kept is None:
        return None
    finite = train[: kept + 1][np.isfinite(train[: kept + 1])]
    if finite.size < 3:
        return None
    noisy = training_noise(ctx.run)
    level = float(np.min(finite[-noisy_window:])) if noisy else curves.median(finite[-3:])
    if not level > 0 or not math.isfinite(prior / level) or level > max_train_loss_share * prior:
        return None  # exactly 0 (or a subnormal float) is a frozen or broken output, not a fit
    if weights < min_weights_per_row * n_train:
        return None
    below = np.flatnonzero(np.isfinite(train) & (train <= max_train_loss_share * prior))
    first = int(below[0])
    epochs = ctx.epochs[span.start : span.end]
    values: dict[str, Any] = {
        "train_loss": float(f"{level:.3g}"),
        "prior_loss": float(f"{prior:.4g}"),
        "train_share": float(f"{level / prior:.3g}"),
        "train_share_inverse": round(prior / level),
        "share_pct": f"{100 * max_train_loss_share:g}",
        "weights": weights,
        "weights_per_row": round(weights / n_train),
        "memorised_epoch": epochs[first],
        "epochs_after": epochs[kept] - epochs[first],
        "kept_epoch": epochs[kept],
        "restored": _restores(ctx),
        "epochs_after_best": epochs[-1] - epochs[kept],
        "turn_seen": _restores(ctx) and stopped_early(ctx)
        and _restore_monitor(ctx)[0] == "val_loss"
        and epochs[-1] - epochs[kept] >= min_epochs_after_best,
        "training_noise": ", ".join(noisy[:3]) + (", ..." if len(noisy) > 3 else ""),
        "noisy_window": min(noisy_window, finite.size),
    }
    values.update(_validation_view(ctx, span.start, span.end, saturated_errors,
                                   max_error_bound, bound_z))
    values.update(regularization_advice(ctx.run, RegularizationSteps(
        shrink_factor, l2_first, l2_step, dropout_step, dropout_max, data_factor)))
    values.update(n_train=n_train, n_train_proposed=more_rows(n_train, data_factor))
    return Evidence(values, epoch=epochs[first])


def _kept_index(ctx: Context, start: int, end: int) -> int | None:
    """Row (within the span) of the model the user kept.

    The last epoch, or, when the run file says EarlyStopping restored the best weights,
    the best epoch of the monitor it recorded (:func:`_restore_monitor`).
    """
    if _restores(ctx):
        key, mode = _restore_monitor(ctx)
        return curves.best_index(ctx.array(key)[start:end], mode=mode)
    return end - start - 1


def _restore_monitor(ctx: Context) -> tuple[str, str]:
    """``(monitor, mode)`` of the EarlyStopping among the recorded callbacks.

    ``("val_loss", "min")``, Keras's default, when the run file records no EarlyStopping
    monitor the run logs; the mode as recorded, else a loss is minimised and an
    accuracy-like metric maximised.
    """
    for cb in recorded_callbacks(ctx.run, ("EarlyStopping",)) or ():
        key = cb.get("monitor")
        if isinstance(key, str) and ctx.run.has(key):
            mode = cb.get("mode")
            if mode not in ("min", "max"):
                base = key.removeprefix("val_")
                mode = "max" if is_accuracy(base) or base.endswith("auc") else "min"
            return key, str(mode)
    return "val_loss", "min"


def _restores(ctx: Context) -> bool:
    """True when the run file says EarlyStopping restores its best (val_loss) weights."""
    return restores_best_weights(ctx) is True and ctx.run.has("val_loss")


def _error_upper_bound(errors: int, n: int, z: float) -> float:
    """Upper end of the Wilson interval at ``z`` of ``errors`` in ``n`` (z 1.96, 0 in 60: 6.0%)."""
    q = errors / n
    center = (q + z * z / (2 * n)) / (1 + z * z / n)
    return min(1.0, center + wilson_half_width(q, n, z))


def _validation_view(ctx: Context, start: int, end: int, saturated_errors: int,
                     max_error_bound: float, z: float) -> dict[str, Any]:
    """What the validation set can show: its size, errors at the end and loss trend.

    ``errors_bounded``: its errors at the end bound the held-out error rate (the upper
    end of their Wilson interval at ``z`` standard errors) at most ``max_error_bound``,
    so the memorised network has few mistakes on new data to grow confident about.
    """
    out: dict[str, Any] = {"val_saturated": False, "n_val": None, "val_errors": None,
                           "errors_bounded": False}
    data = ctx.run.data
    n_val = int(data.n_val) if data is not None and data.n_val else None
    key = ctx.accuracy_key("val_")
    if n_val is None or key is None:
        return out
    acc = ctx.array(key)[start:end]
    acc = acc[np.isfinite(acc)]
    if acc.size == 0:
        return out
    last = float(acc[-1])
    errors = max(0, round(n_val * (1 - last)))
    upper = _error_upper_bound(errors, n_val, z)
    out.update(
        n_val=n_val,
        val_errors=errors,
        val_errors_s="" if errors == 1 else "s",
        val_accuracy=round(last, 4),
        val_metric=key,
        val_error_bound_pct=round(100 * upper, 1),
        errors_bounded=upper <= max_error_bound,
        val_saturated=errors <= saturated_errors,
        n_total=n_val + int(data.n_train or 0) if data is not None else None,
    )
    if ctx.run.has("val_loss"):
        val = ctx.array("val_loss")[start:end]
        val = val[np.isfinite(val)]
        if val.size >= 2 and math.isfinite(float(val[-1])):
            out.update(val_loss_first=float(f"{float(val[0]):.3g}"),
                       val_loss_last=float(f"{float(val[-1]):.3g}"),
                       val_loss_min=float(f"{float(val.min()):.3g}"))
    return out
