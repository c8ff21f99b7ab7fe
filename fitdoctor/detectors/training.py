"""Curve detectors: overfitting, underfitting, convergence, a run too short to judge.

Each detector measures the training and validation curves of a run and returns the
numbers a rule needs; thresholds are the rules' parameters (``rules/curves.toml``).
All of them judge only the span of epochs :mod:`fitdoctor.detectors.span` describes
(no wild first epoch, nothing after a blow-up or a NaN), and compare changes with the
curve's own epoch-to-epoch noise, so one bad epoch is never a trend. Divergence and
instability are in :mod:`fitdoctor.detectors.stability`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from fitdoctor import curves
from fitdoctor.detectors.advice import (
    RegularizationSteps,
    fmt_rate,
    input_scale_advice,
    layer_l2,
    learning_rate_change,
    narrowest_hidden,
    no_hidden_layer,
    peak_learning_rate_row,
    plain_sgd_rate,
    regularization_advice,
    target_spread,
    widest_hidden,
)
from fitdoctor.detectors.base import Context, Evidence, detector, finite
from fitdoctor.detectors.baselines import informative_reference, learned_nothing, poor_level
from fitdoctor.detectors.model_setup import is_regression, norm_loss
from fitdoctor.detectors.span import (
    Span,
    climbs,
    constant_loss,
    curve,
    judged_span,
    pct,
    span_or_missing,
)
from fitdoctor.detectors.validation_setup import (
    restored_epoch,
    restores_best,
    training_regularizers,
    validation_size,
)
from fitdoctor.error_view import ERROR_VIEW
from fitdoctor.errors import MissingInput
from fitdoctor.readers.names import read_name
from fitdoctor.run import Layer
from fitdoctor.vocabulary import (
    LEARNING_RATE_KEYS,
    PLAIN_LAYERS,
    REGRESSION_LOSSES,
    canonical_loss,
    canonical_metric,
)


def _span(
    ctx: Context,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
) -> Span:
    return judged_span(
        ctx,
        blowup_factor=blowup_factor,
        blowup_level=blowup_level,
        recover_factor=recover_factor,
        dead_tolerance=dead_tolerance,
        dead_accuracy=dead_accuracy,
        dead_accuracy_gain=dead_accuracy_gain,
        dead_accuracy_peak=dead_accuracy_peak,
    )


# --------------------------------------------------------------------- overfitting
@detector("val-loss-divergence")
def val_loss_divergence(
    ctx: Context,
    *,
    min_epochs: int,
    smooth_window: int,
    min_rise: float,
    min_rise_scale: float,
    noise_factor: float,
    bias_factor: float,
    min_after: int,
    min_persist: float,
    min_train_drop: float,
    climb_factor: float,
    min_acc_gain: float,
    acc_noise_factor: float,
    sampling_rows: float,
    lower_lr_from: float,
    min_start_climb: float,
    start_noise_factor: float,
    climb_lr_factor: float,
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
    sgd_lr_factor: float,
    trend_z: float,
    band_epochs: int,
    climb_epochs: int,
    climb_swing: float,
    error_rate_z: float,
    infer_max_n: int,
    infer_max_false: float,
) -> Evidence | None:
    """Validation loss rising from its minimum while the training loss keeps falling.

    The noise the rise is compared with is the scatter of the validation loss around a
    robust straight line from its minimum on (:func:`fitdoctor.curves.scatter`): a rise
    with spikes along the way, or a rise that then holds flat, is not noise. Where spikes
    come so often that they widen that band over the rise, a drift up that the order of
    the epochs shows (:func:`fitdoctor.curves.trend_z` at least ``trend_z``) passes too. With the
    validation rows recorded, the evidence also says whether the rise is within
    ``sampling_rows / sqrt(n_val)`` of the minimum, how far a small validation set can
    drift from the population on its own while the weights move (the advice then asks for
    K-fold before regularising). A training loss that went back ``min_start_climb``
    above its first epoch's before the validation minimum (:func:`_start_climb`) leads
    the advice with a lower learning rate. On an error view (accuracies, no loss), the
    validation error's rise must also pass :func:`_beyond_rows`.

    A run too short for the noise band (under ``band_epochs``), or whose band the rise
    does not pass, is judged on how it ends (:func:`_end_climb`): the validation loss
    rose in each of its last ``climb_epochs`` epochs or more (``min_after`` on a run long
    enough for the band), to its highest since its minimum and ``min_rise`` above it, by
    more than ``climb_swing`` times the largest rise of any one epoch before that climb,
    while the validation accuracy (if logged) did not reach a new best at the end, on
    rows that reach the run's last epoch (not cut off before a blow-up). The other tests
    (the loss scale, the training loss's fall, the guards against a diverging training
    loss) apply to both.
    """
    ctx.require_epochs(min_epochs)
    span = _span(ctx, blowup_factor, blowup_level, recover_factor, dead_tolerance, dead_accuracy,
                 dead_accuracy_gain, dead_accuracy_peak)
    # rows cut off before a blow-up end on the climb into it (the divergence, not how the
    # run ended): only the band judges them, so they need as many epochs as it does
    cut = span.end < ctx.run.n_epochs
    span_or_missing(ctx, span, band_epochs if cut else min_epochs)
    if span.size < (band_epochs if cut else min_epochs):
        return None
    val_raw = ctx.array(ctx.val_loss_key)[span.start : span.end]
    if span.size < band_epochs and not np.isfinite(val_raw).all():
        # a run under band_epochs is judged on how it ends, epoch by epoch: with epochs
        # missing (validation_freq=2, a NaN) it cannot be judged at all
        raise MissingInput(
            f"the validation loss is missing at {int((~np.isfinite(val_raw)).sum())} of "
            f"{span.size} epochs; a run under {band_epochs} epochs is judged on every one",
            "validate every epoch (validation_freq=1), or train longer",
        )
    # a window capped in epochs: a long run's early minimum is not smeared away
    val = curves.smooth(val_raw, window=min(smooth_window, max(3, (span.size // 10) | 1)))
    train_raw, train = curve(ctx, ctx.loss_key, span)
    if climbs(train_raw, climb_factor):
        return None  # a training loss that explodes is diverging, not overfitting
    b = int(np.argmin(val))
    banded = (_band_rise(val_raw, val, b, ctx.known_noise(ctx.val_loss_key), min_after=min_after,
                         min_rise=min_rise, noise_factor=noise_factor, bias_factor=bias_factor,
                         min_persist=min_persist, trend_z=trend_z, band_epochs=band_epochs)
              if span.size >= band_epochs else None)
    # a climb as long as the band path asks a rise to last (min_after), or climb_epochs on
    # a run too short for the band; only where the judged rows reach the run's end
    ended = None if banded is not None or cut else _end_climb(
        ctx, span, val_raw, climb_epochs=min_after if span.size >= band_epochs else climb_epochs,
        climb_swing=climb_swing, min_rise=min_rise, min_acc_gain=min_acc_gain,
        acc_noise_factor=acc_noise_factor)
    if banded is not None:
        level, rise, sigma = banded
    elif ended is not None:
        b = ended["best"]
        level, rise = float(val_raw[b]), ended["rise"]
        sigma = curves.scatter(_noise_segment(val_raw, b))
    else:
        return None
    scale = abs(curves.median(train_raw[np.isfinite(train_raw)][:3]))
    if rise < min_rise_scale * scale and not _error_curves(ctx):
        # a classifier's log-loss going 0.001 → 0.004 at 100% accuracy: confidence on
        # rows it gets right, nothing on the problem's scale. A regression's loss is its
        # prediction error, judged against the level it reached (min_rise), whatever its
        # first epochs were (they depend on the targets' units and the first prediction)
        return None
    train_drop = (float(train[b]) - float(train[-1])) / abs(float(train[b])) if train[b] else 0.0
    if train_drop < min_train_drop:
        return None
    # the rise must already be there before the training loss climbed back climb_factor
    # times above its lowest since the minimum and stayed there (an optimiser spike near
    # a zero loss): where the validation loss rose only with that climb, the training
    # went wrong; the model did not overfit. The climb is the stretch after the last
    # epoch within climb_factor of the low, so a loss jittering 1e-4..5e-4 around its low
    # is no climb, and a low of exactly 0 (a printed 0.0000) has no ratio to climb by
    tail = curves.fill_gaps(train_raw[b:])
    if np.isfinite(tail).all():
        floor = float(tail.min())
        if floor > 0 and curves.median(tail[-3:]) >= climb_factor * floor:
            last_low = b + int(np.nonzero(tail <= climb_factor * floor)[0][-1])
            before = curves.median(curves.fill_gaps(val_raw)[max(last_low - 1, 0) : last_low + 2])
            if (before - level) / level < min_rise:
                return None
    raw_best = curves.best_index(val_raw)
    assert raw_best is not None
    raw_min = float(val_raw[raw_best])
    raw_last = float(val_raw[np.isfinite(val_raw)][-1])
    epochs = ctx.epochs[span.start : span.end]
    n = span.size
    turn = min(max(b, raw_best) + 1, n - 1)  # after the later of the smoothed and raw minimum
    values: dict[str, Any] = {
        "start_epoch": epochs[turn],
        "val_best": round(raw_min, 4),
        "val_best_epoch": epochs[raw_best],
        "val_last": round(raw_last, 4),
        "rise_pct": pct((raw_last - raw_min) / raw_min) if raw_min > 0 else pct(rise / level),
        "end_rise_pct": pct(rise / level),
        "duration": n - turn,
        "train_drop_pct": pct(train_drop),
        "gap_last": round(float(val[-1] - train[-1]), 4),
        "stop_epoch": epochs[raw_best],
        "val_noise": round(sigma, 4),
        "end_climb": ended is not None,
        "climb_epochs_seen": ended["epochs"] if ended is not None else 0,
        # significant digits: a swing of 2e-5 on a loss near 1e-3 is no "0.0"
        "largest_swing": float(f"{ended['swing']:.4g}") if ended is not None else None,
        "swung_before": ended is not None and ended["swing"] > 0,
        "climbed_from_first": ended is not None and ended["start"] == 0,
        "epochs_after_best": epochs[-1] - epochs[raw_best],
        "early_stopped": stopped_early(ctx),
        "restored": restores_best_weights(ctx),
        "fitdoctor_restored": restored_epoch(ctx.run) is not None
        and not (ctx.run.fit is not None and ctx.run.fit.restore_best_weights),
        # an EarlyStopping is in force (FitDoctor's own restoring is not one)
        "early_stopping": ctx.run.fit is not None
        and ctx.run.fit.restore_best_weights is not None,
    }
    if ctx.run.meta.get(ERROR_VIEW, {}).get("val_loss") and not _beyond_rows(
            ctx, level, rise, error_rate_z, infer_max_n, infer_max_false):
        return None
    data = ctx.run.data
    n_val = int(data.n_val) if data is not None and data.n_val else None
    if n_val:
        sampling = sampling_rows / math.sqrt(n_val)
        values.update(n_val=n_val, sampling_pct=pct(sampling),
                      within_sampling=rise / level < sampling)
    values.update(_accuracy_after(ctx, span, raw_best, min_acc_gain, acc_noise_factor))
    values.update(regularization_advice(ctx.run, RegularizationSteps(
        shrink_factor, l2_first, l2_step, dropout_step, dropout_max, data_factor)))
    climb = _start_climb(ctx, span, train_raw, raw_best, min_start_climb, start_noise_factor,
                         climb_lr_factor)
    values.update(climb)
    # plain SGD at a large rate: ``sgd_lr_factor`` of the rate is advice (``sgd_lr`` and
    # the rates), unless the climb's advice already says it
    rate = plain_sgd_rate(ctx.run, sgd_lr_factor)
    fast = rate["sgd_lr"] is not None and rate["sgd_lr"] >= lower_lr_from
    if fast and not climb["start_climbed"]:
        values.update(rate)
    return Evidence(values, epoch=values["start_epoch"])


def _beyond_rows(ctx: Context, level: float, rise: float, z: float, max_n: int,
                 max_false: float) -> bool:
    """Whether an error rate's rise is beyond what its validation rows explain.

    The validation error, 1 − accuracy, of an error view (:mod:`fitdoctor.error_view`)
    on ``n`` rows moves in steps of ``1/n``: its rise from ``level`` must exceed ``z``
    standard errors of a proportion, √(p(1 − p)/n) at the end's error ``p``. ``n`` is the
    run file's, else read off the validation accuracy's steps; a validation accuracy
    whose steps tell no ``n`` up to ``max_n`` is taken on a set too large for its steps to
    show (its standard error is under 1% for any error rate), and the rise stands.
    """
    acc_key = ctx.accuracy_key("val_")
    found = validation_size(ctx.run, acc_key, max_n=max_n, max_false=max_false)
    if found is None:
        return True
    p = min(max(level + rise, 0.0), 1.0)
    return rise > z * math.sqrt(p * (1.0 - p) / max(found[0], 1))


def _band_rise(val_raw: np.ndarray, val: np.ndarray, b: int, known: float | None, *,
               min_after: int, min_rise: float, noise_factor: float, bias_factor: float,
               min_persist: float, trend_z: float, band_epochs: int,
               ) -> tuple[float, float, float] | None:
    """The rise from the smoothed minimum ``b`` beyond the noise band: (level, rise, σ).

    ``None`` when fewer than ``min_after`` epochs follow the minimum, when the end sits
    less than ``min_rise`` above it, when the late half after it is within the band (and
    no trend up passes ``trend_z``), or when the rise does not persist. σ is the scatter
    of the validation loss from its minimum on; with fewer than ``band_epochs`` epochs
    after the minimum, the whole curve's epoch-to-epoch noise when that is less (a few
    epochs that step up and hold scatter around any line through them: the rise would
    be its own noise).
    """
    after_best = val_raw[b + 1 :]
    after_best = after_best[np.isfinite(after_best)]
    if after_best.size < min_after:
        return None
    level = float(val[b])
    rise = curves.median(after_best[-3:]) - level
    sigma = known if known is not None else curves.scatter(_noise_segment(val_raw, b))
    if known is None and after_best.size < band_epochs:
        # too few epochs after the minimum to measure their own noise: a step up and a
        # hold (0.528, 0.608, 0.594, 0.589) scatters around any line through it, so the
        # rise would be its own noise; the whole curve's epoch-to-epoch noise, if less
        sigma = min(sigma, curves.noise(val_raw))
    # the late half after the minimum: its median is judged against the minimum, with a
    # band that shrinks as it holds more epochs (the median of many is known better) but
    # never below bias_factor noise-widths (the minimum of a noisy curve is biased low)
    late = after_best[after_best.size // 2 :]
    band = sigma * (bias_factor + noise_factor / math.sqrt(late.size))
    if level <= 0 or rise / level < min_rise:
        return None
    # beyond the band, or a drift up that the order of the values shows however many
    # spikes widen the band (frequent spikes inflate the noise measured on the segment)
    if curves.median(late) - level <= band and curves.trend_z(val_raw[b:]) < trend_z:
        return None
    if float(np.mean(late > level + band / 2)) < min_persist:
        return None
    if int(np.sum(after_best > level + band / 2)) < min_after:
        return None  # an uptick of an epoch or two at the end is a swing, not yet a rise
    return level, rise, sigma


def _noise_segment(val_raw: np.ndarray, b: int) -> np.ndarray:
    """The stretch of validation loss its noise is measured on.

    From its minimum ``b`` on, or its last 5 epochs when that holds fewer than 5 finite
    values (5 points to measure a scatter around a line on).
    """
    seg = val_raw[b:]
    return seg if np.isfinite(seg).sum() >= 5 else val_raw[-5:]


def _end_climb(ctx: Context, span: Span, val_raw: np.ndarray, *, climb_epochs: int,
               climb_swing: float, min_rise: float, min_acc_gain: float,
               acc_noise_factor: float) -> dict[str, Any] | None:
    """A validation loss that ends climbing, beyond every swing before the climb.

    The last ``climb_epochs`` or more epochs each rose; the last value is the highest
    since the raw minimum and at least ``min_rise`` above it; the climb (from the epoch
    before it to the last) is more than ``climb_swing`` times the largest one-epoch rise
    before it; and the validation accuracy, if logged, did not reach a new best at the
    last epoch, by ``min_acc_gain`` and more than ``acc_noise_factor`` times its noise (a
    loss rising with the accuracy still improving is confidence, not yet overfitting).
    Not on a run known to have stopped early (its status, or fewer epochs than ``fit``
    asked for): its last epochs are the ones its EarlyStopping waited through, which is
    the stop FD101's first advice asks for. ``best`` and ``start`` (the epoch the climb
    starts from) index the span; ``rise`` is the last value over the minimum.
    """
    if not np.isfinite(val_raw).all() or stopped_early(ctx):
        return None  # an early-stopped run ends on the epochs its EarlyStopping waited
    n = val_raw.size
    up = np.diff(val_raw) > 0
    k = up.size if up.all() else up.size - 1 - int(np.flatnonzero(~up)[-1])  # last rises
    if k < climb_epochs:
        return None
    start = n - 1 - k  # the epoch the climb starts from
    best = int(np.argmin(val_raw))
    low, last = float(val_raw[best]), float(val_raw[-1])
    if best > start or low <= 0 or last < float(val_raw[best:].max()):
        return None  # the climb began before the minimum, or ends below a higher swing
    if (last - low) / low < min_rise:
        return None
    before = np.diff(val_raw[: start + 1])
    swing = float(before.max()) if before.size and before.max() > 0 else 0.0
    if last - float(val_raw[start]) <= climb_swing * swing:
        return None
    key = ctx.accuracy_key("val_")
    if key is not None:
        acc = ctx.array(key)[span.start : span.end]
        earlier = acc[:-1][np.isfinite(acc[:-1])]
        if np.isfinite(acc[-1]) and earlier.size and _accuracy_gained(
                ctx, key, acc, float(acc[-1] - earlier.max()), min_acc_gain, acc_noise_factor):
            return None  # the accuracy still improves: the loss overfits first
    return {"best": best, "rise": last - low, "swing": swing, "epochs": k, "start": start}


def _start_climb(ctx: Context, span: Span, train_raw: np.ndarray, best: int,
                 min_climb: float, noise_factor: float, lr_factor: float) -> dict[str, Any]:
    """A training loss that went back above its first epoch's before the validation minimum.

    The first epoch's training loss is the mean over the steps that took the network from
    its initial weights to its first fit; a working optimiser does not lose all of that
    again. When some epoch before ``best`` (the validation minimum's row in the span, the
    epoch the message names) reads at least ``min_climb`` above it, and by more than
    ``noise_factor`` times the training curve's noise (a resumed run's first reading is a
    point on a noisy plateau, not where the weights began), the steps undid the fit
    (momentum SGD at 0.5: 0.76, then 0.91 and 1.02), so the validation minimum is a point
    in a swing and the first fix is the rate (``lr_factor`` of the rate in force at the
    climb's peak, as logged, else the compiled one: a schedule may have cut it since).
    ``{"start_climbed": True, "start_loss", "climb_peak", "climb_peak_epoch",
    "start_climb_pct"}`` and :func:`_climb_rate`'s keys, else ``{"start_climbed": False}``.
    """
    fit = ctx.run.fit
    if span.start != 0 or ctx.epochs[0] != 1 or (fit is not None and fit.initial_epoch):
        # the first reading is not the first epoch's (a resumed run, a skipped start):
        # nothing says where the weights began
        return {"start_climbed": False}
    x = train_raw[:best]
    if x.size < 2 or not math.isfinite(float(x[0])) or not float(x[0]) > 0:
        return {"start_climbed": False}
    first = float(x[0])
    later = np.where(np.isfinite(x[1:]), x[1:], -np.inf)
    peak_i = 1 + int(np.argmax(later))
    peak = float(x[peak_i])
    if not (math.isfinite(peak) and peak >= (1 + min_climb) * first
            and peak - first > noise_factor * curves.noise(train_raw)):
        return {"start_climbed": False}
    return {"start_climbed": True, "start_loss": float(f"{first:.4g}"),
            "climb_peak": float(f"{peak:.4g}"),
            "climb_peak_epoch": ctx.epochs[span.start + peak_i],
            "start_climb_pct": pct(peak / first - 1),
            **_climb_rate(ctx, lr_factor, row=span.start + peak_i)}


def _climb_rate(ctx: Context, factor: float, row: int | None = None) -> dict[str, Any]:
    """The rate advice of a training loss that climbed back (FD101's and FD201's climbs).

    ``{"climb_lr_now", "climb_lr_proposed", "climb_lr_factor"}``: the rate at the last
    epoch, or at metric row ``row`` (:func:`learning_rate_change`), ``factor`` of it, and
    the factor itself for advice that cannot name the rate.
    """
    change = learning_rate_change(ctx.run, factor, row=row)
    return {"climb_lr_now": change["lr_now"], "climb_lr_proposed": change["lr_proposed"],
            "climb_lr_factor": factor}


def _error_curves(ctx: Context) -> bool:
    """Whether the loss is a regression's prediction error.

    The run file says so (:func:`_error_loss`: a regression's loss, no accuracy logged);
    a bare history, with no task or loss recorded, when it logs no accuracy and its
    validation metrics include a regression error (``val_mae``, ``val_mse``, ...).
    """
    if _error_loss(ctx):
        return True
    run = ctx.run
    known = (run.data is not None and run.data.task is not None) or (
        run.compile is not None and run.compile.loss is not None)
    if known or ctx.accuracy_key("val_") is not None:
        return False
    return any(key.startswith("val_") and key != "val_loss"
               and canonical_loss(canonical_metric(key)) in _ERROR_METRICS
               for key in run.metrics)


#: Validation metrics that are a regression's error: its losses, and the root mean squared
#: error Keras offers as a metric only.
_ERROR_METRICS = REGRESSION_LOSSES | {"root_mean_squared_error", "rmse"}


def _accuracy_after(
    ctx: Context, span: Span, best: int, min_gain: float, noise_factor: float
) -> dict[str, Any]:
    """Whether the validation accuracy kept improving after the val_loss minimum.

    A rising validation loss with a rising accuracy is over-confidence on the samples
    the model gets wrong: the loss overfits before the accuracy does.
    """
    key = ctx.accuracy_key("val_")
    out: dict[str, Any] = {"acc_still_rose": False}
    if key is None:
        return out
    acc = ctx.array(key)[span.start : span.end]
    i = curves.best_index(acc, mode="max")
    if i is None or i <= best or not np.isfinite(acc[best]):
        return out
    gain = float(acc[i] - acc[best])
    out.update(
        acc_metric=key,
        acc_at_best=round(float(acc[best]), 4),
        acc_peak=round(float(acc[i]), 4),
        acc_peak_epoch=ctx.epochs[span.start + i],
        acc_still_rose=_accuracy_gained(ctx, key, acc, gain, min_gain, noise_factor),
    )
    return out


def _accuracy_gained(ctx: Context, key: str, acc: np.ndarray, gain: float, min_gain: float,
                     noise_factor: float) -> bool:
    """Whether an accuracy ``gain`` is one: ``min_gain`` or more, and beyond noise.

    Beyond noise: more than ``noise_factor`` times the curve's epoch-to-epoch noise
    (:meth:`Context.noise` of ``acc``). FD101's accuracy note and its end-climb path
    read gains alike.
    """
    return gain >= min_gain and gain > noise_factor * ctx.noise(key, acc)


def restores_best_weights(ctx: Context) -> bool | None:
    """Whether EarlyStopping or FitDoctor restored the best weights, when the run says.

    See :func:`~fitdoctor.detectors.validation_setup.restores_best`.
    """
    return restores_best(ctx.run)


def stopped_early(ctx: Context) -> bool:
    """True only when the run's facts say training stopped before the epochs asked for."""
    run = ctx.run
    if run.status == "stopped-early":
        return True
    if run.status in ("completed", "running", "interrupted"):
        return False
    if run.fit is not None and run.fit.epochs:
        return run.epochs[-1] < run.fit.epochs
    return False


@detector("generalization-gap")
def generalization_gap(
    ctx: Context,
    *,
    min_epochs: int,
    max_accuracy_gap: float,
    max_loss_ratio: float,
    min_loss_gap: float,
    window: int,
    max_val_rise: float,
    max_closing: float,
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
    """A persistent train/validation gap at the end of training, without a rise.

    With an accuracy metric the gap is train minus validation accuracy, in points.
    Without one it is the validation loss against the training loss: a ratio, and the
    absolute difference as a share of the loss scale (the first judged training loss),
    so a training loss near zero makes no meaningless ratio. A gap that is still closing
    (validation catching up with training) is not a steady gap: silent when it shrank by
    more than ``max_closing`` of itself over the last quarter of the run.
    """
    ctx.require_epochs(min_epochs)
    span = _span(ctx, blowup_factor, blowup_level, recover_factor, dead_tolerance, dead_accuracy,
                 dead_accuracy_gain, dead_accuracy_peak)
    if span.size < min_epochs:
        return None
    _, val = curve(ctx, ctx.val_loss_key, span)
    train_raw, train = curve(ctx, ctx.loss_key, span)
    if float(val[-1]) > float(val.min()) * (1 + max_val_rise):
        return None  # a rising validation loss is a rise, not a steady gap
    n = span.size
    w = min(window, n)
    acc_key = ctx.accuracy_key()
    values: dict[str, Any] = {}
    if acc_key and ctx.run.has("val_" + acc_key):
        _, tacc = curve(ctx, acc_key, span)
        _, vacc = curve(ctx, "val_" + acc_key, span)
        gaps = tacc[-w:] - vacc[-w:]
        if not (gaps >= max_accuracy_gap).all():
            return None
        closing = _closing(tacc - vacc, w)
        if closing > max_closing:
            return None
        values.update(
            metric=acc_key,
            accuracy_gap=round(float(gaps[-1]), 4),
            gap_pts=pct(float(gaps[-1])),
            train_value=round(float(tacc[-1]), 4),
            val_value=round(float(vacc[-1]), 4),
            threshold_pts=pct(max_accuracy_gap),
        )
    else:
        first = float(train_raw[np.isfinite(train_raw)][0])
        scale = abs(first) if first else 1.0
        gap = val[-w:] - train[-w:]
        ratio = val[-w:] / np.maximum(train[-w:], 1e-300)
        if not ((ratio >= max_loss_ratio).all() and (gap >= min_loss_gap * scale).all()):
            return None
        closing = _closing(val - train, w)
        if closing > max_closing:
            return None
        last_ratio = float(ratio[-1])
        values.update(
            metric="loss",
            loss_gap=float(f"{float(gap[-1]):.4g}"),
            gap_scale_pct=pct(float(gap[-1]) / scale),
            scale=float(f"{scale:.4g}"),
            ratio=float(f"{last_ratio:.3g}") if last_ratio < 1000 else None,
            train_value=float(f"{float(train[-1]):.4g}"),
            val_value=float(f"{float(val[-1]):.4g}"),
            threshold_ratio=max_loss_ratio,
        )
    values["gap_closed_pct"] = pct(closing)
    values.update(regularization_advice(ctx.run, RegularizationSteps(
        shrink_factor, l2_first, l2_step, dropout_step, dropout_max, data_factor)))
    return Evidence(values, epoch=ctx.epochs[span.end - w])


def _closing(gap: np.ndarray, window: int) -> float:
    """Share of itself the (smoothed) gap lost over the last quarter of the run.

    The quarter is at least ``window`` epochs; positive when the gap shrank (validation
    catching up), negative when it widened, ``0.0`` when the run is too short to tell.
    """
    k = max(window, gap.size // 4)
    if gap.size <= k:
        return 0.0
    then, now = float(gap[-1 - k]), float(gap[-1])
    return (then - now) / then if then > 0 else 0.0


# -------------------------------------------------------------------- underfitting
@detector("high-plateau")
def high_plateau(
    ctx: Context,
    *,
    min_epochs: int,
    plateau_tolerance: float,
    plateau_level_tolerance: float,
    min_plateau: int,
    max_accuracy: float,
    chance_fraction: float,
    baseline_fraction: float,
    implied_fraction: float,
    binary_tolerance: float,
    max_gap_ratio: float,
    min_progress: float,
    min_plateau_fraction: float,
    reference_margin: float,
    reference_z: float,
    window_fraction: float,
    min_window: int,
    max_share: float,
    min_gain: float,
    steep_pace: float,
    share_from_baseline: float,
    noise_factor: float,
    regression_pace: float,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
    max_catch_up: float,
    min_parted_epochs: int,
    handicap_ratio: float,
    cut_factor: float,
    min_climb: float,
    climb_lr_factor: float,
    widen_factor: float,
    first_hidden_units: int,
    max_input_std: float,
    min_input_max: float,
    max_input_mean: float,
    max_input_spread: float,
) -> Evidence | None:
    """Training loss flat at a poor level, with validation close to training.

    "Poor" is measured against the best baseline the run offers, in this order: the
    validation score of a reference model fitted on the same data (a run file); the loss
    of predicting the class prior (a run file); ln(k) with a known class count; for a
    binary task, the loss of a constant predictor that would reach the same accuracy
    (the entropy of the accuracy); else a low training accuracy. A monitored loss still
    falling leaves the run to FD301 unless, at the tail's pace, reaching the reference's
    score would take more than ``max_catch_up`` times the epochs run
    (:func:`_catch_up_epochs`). Against a bar the curves only imply (not a reference
    model's score), a validation loss rising while the training fit still improves
    (:func:`_parted`) is variance, not bias. A training loss that a regularizer active
    only while training keeps ``handicap_ratio`` times above the validation loss over the
    plateau (:func:`_handicap`) measures the handicap, not the fit: only the validation
    score against a reference judges, and the regularizer is the first advice.
    """
    ctx.require_epochs(min_epochs)
    span = _span(ctx, blowup_factor, blowup_level, recover_factor, dead_tolerance, dead_accuracy,
                 dead_accuracy_gain, dead_accuracy_peak)
    if span.size < min_epochs:
        return None
    train_raw, train = curve(ctx, ctx.loss_key, span)
    finite_train = train_raw[np.isfinite(train_raw)]
    first = float(finite_train[0])
    if first == 0 or float(finite_train.max() - finite_train.min()) / abs(first) <= min_progress:
        return None  # a loss that never moved is not learning at all, not a capacity limit
    n = span.size
    needed = max(min_plateau, round(min_plateau_fraction * n))
    start = curves.plateau_start(train_raw, plateau_tolerance)
    falling = _still_falling(ctx, span, window_fraction, min_window, max_share, min_gain,
                             steep_pace, share_from_baseline, noise_factor, regression_pace)
    by_level = False
    if (start is None or n - start < needed) and not falling:
        # a loss that hardly moved all run has a range so small that a creep of a few
        # hundredths of a percent an epoch looks like progress against it; judged on its
        # level, as the still-falling test judges a tail (which found no fall that
        # matters), the creep is a plateau candidate, confirmed below only where a
        # reference model's score is out of the creep's reach
        start = curves.plateau_start(train_raw, plateau_tolerance, plateau_level_tolerance)
        by_level = True
    if start is None or n - start < needed:
        return None
    level = float(train[-1])
    values: dict[str, Any] = {
        "plateau_epoch": ctx.epochs[span.start + start],
        "plateau_epochs": n - start,
        "loss_level": float(f"{level:.4g}"),
    }
    # a network that lost the fit it had is judged by the score it plateaued at, not a
    # better one it had before (L2 0.1 on moons: 0.83 training and 0.80 validation
    # accuracy at epoch 3, then the penalty pulled the weights to zero and the network
    # sat at the majority share, 0.51 and 0.42, for 34 epochs; its best of the run is
    # within the noise of gradient boosting's 0.88 on 50 validation rows)
    scored = span
    lost = _lost_fit(ctx, span, start, noise_factor, reference_margin)
    if lost is not None:
        scored = dataclasses.replace(span, start=span.start + start)
    # Dropout(0.3) on 8 units keeps the training loss 1.3-1.6x the validation loss: its
    # level and the training accuracy measure the dropped-out network, not what the
    # network fits; the validation score, measured without the dropout, still can
    handicap = _handicap(ctx, span, start, handicap_ratio)
    below: dict[str, Any] | None = None
    if handicap is not None and handicap["handicap_regularizers"] is None:
        # nothing known explains a validation loss that far below the training loss
        # (validation rows easier than the training rows, leaked into them, or a bare
        # history's unknown dropout): FD704's question. Until it is answered neither the
        # training curves against the validation rows nor either loss's level against
        # the prior measures capacity; a reference model scored on the same validation
        # rows still does (the rows are as easy for it), where the run recorded one and
        # a plain model: with a penalty in force the gap stays FD704's alone (review8)
        if not _plain_model(ctx):
            return None
        below, handicap = handicap, None
    judged = poor_level(
        ctx, span, level, max_accuracy=max_accuracy, chance_fraction=chance_fraction,
        baseline_fraction=baseline_fraction, implied_fraction=implied_fraction,
        binary_tolerance=binary_tolerance,
        reference_margin=reference_margin, reference_z=reference_z, scored=scored,
        handicapped=handicap is not None or below is not None,
    )
    if judged is None:
        return None
    if below is not None:
        # a linear model on Friedman #1 with 24 validation rows easier than its training
        # rows: validation MSE 0.195, 22% below its training MSE, where gradient boosting
        # reaches 0.074 on the same 24 rows, far beyond the noise of an MSE on 24 rows
        values["val_below_pct"] = below["handicap_below_pct"]
    values.update(judged)
    values["handicapped"] = handicap is not None
    values.update(handicap or {})
    if lost is not None:
        # the bar (a reference, or the learned-nothing test) was set against the
        # plateau's score, not the run's best: say so
        values.update(lost)
    if falling or by_level:
        # unfinished, not a capacity limit, unless the fall still going on cannot close
        # the shortfall against the reference: then more epochs are not the fix. A loss
        # still falling from above the constant predictor's has not yet reached what a
        # constant output scores (a bias alone gets there): its pace measures the descent
        # to the mean, not the network's capacity, whatever it would take to reach the
        # reference (RMSprop on diabetes' unscaled targets: validation MSE 14,390, twice
        # the training mean's 6,791, still falling 1.4% an epoch). A plateau found only
        # on the loss's level is one when its creep, too, cannot reach the reference
        # (without one, a creep of 0.4% an epoch over a short run's last 4 epochs is no
        # plateau anyone can confirm)
        if falling and _above_constant(ctx, span):
            return None  # FD301 judges it
        more = _catch_up_epochs(ctx, span, judged, window_fraction, min_window)
        if more is None or more <= max_catch_up * n:
            return None  # FD301 judges it
        values["still_creeping"] = True
        if math.isfinite(more):
            values["catch_up_epochs"] = math.ceil(more)
            values["catch_up_times"] = round(more / n, 1)
    if ctx.run.has("val_loss"):
        _, val = curve(ctx, "val_loss", span)
        if float(val[-1]) > level * (1 + max_gap_ratio):
            if not _fits_worse_than_reference(values, level):
                return None  # a large gap is variance, not bias
            if values["reference_kind"] == "reference":
                # the training accuracy is what settles it: say so
                values["reference_kind"] = "reference_train"
        values["val_loss_level"] = float(f"{float(val[-1]):.4g}")
        # a bar the curves only imply (chance, an accuracy assumed poor, the prior) is a
        # guess at what the data allows; a network still fitting its training rows better
        # while its validation loss gets worse has reached what they allow (variance, not
        # bias). A reference model's validation score is no guess: it stands.
        guessed = values["reference_kind"] not in _MODEL_REFERENCES
        if guessed and _parted(ctx, span, train, val, noise_factor, min_gain,
                               min_parted_epochs):
            return None
    widest = widest_hidden(ctx.run)
    units = int(widest.units or 0) if widest is not None else None
    values["units_now"] = units
    values["units_more"] = round(units * widen_factor) if units else None
    l2 = layer_l2(widest) if widest is not None else 0.0
    values["l2_now"] = fmt_rate(l2) if l2 != 0 else None
    values.update(_advice_when_nothing_learned(ctx, scored, reference_z, values["l2_now"]))
    values.update(input_scale_advice(
        ctx.run, max_input_std=max_input_std, min_input_max=min_input_max,
        max_input_mean=max_input_mean, max_input_spread=max_input_spread))
    # the inputs are informative when a reference model learned from them what the
    # network did not: "more features" is advice only when nothing says so
    values["features_suspect"] = not (
        values["learned_nothing"]
        and values["reference_kind"] in _MODEL_REFERENCES
    )
    values["add_layer"] = not values["learned_nothing"]
    output = no_hidden_layer(ctx.run)
    if output is not None:
        # a linear model of its inputs: a hidden layer is the capacity it lacks (no layer
        # to widen, no hidden activation to saturate), whatever it learned
        values.update(_first_hidden_layer(output, first_hidden_units))
        values["widen"] = values["add_layer"] = values["optimisation_first"] = False
        if values["learned_nothing"]:
            values["nothing_kind"] = f"linear_{values['nothing_metric']}"
    # the generic "lower L2 and dropout" comes last, unless the L2 factor or the
    # handicapping regularizer already leads the advice; none at all on a model recorded
    # without any (nothing to lower: the validation-below path, a plain model)
    values["lower_reg_last"] = (not values["l2_first"] and not values["handicapped"]
                                and "val_below_pct" not in values and not _plain_model(ctx))
    # the optimiser's part in the plateau, said before any capacity advice: a rate cut
    # that froze a descent still going on, or a training loss climbing back from its low
    values.update(_rate_cut(ctx, span, start, cut_factor,
                            plateau_tolerance / min_plateau))
    values.update(_climb(ctx, span, train_raw, min_window, noise_factor, min_climb,
                         climb_lr_factor))
    bounded = _bounded_regression_output(ctx)
    if bounded is not None:
        # a regression through a bounded output cannot reach targets outside its range,
        # however wide or deep the network: the output activation comes first
        values.update(bounded)
        values["widen"] = values["add_layer"] = values["features_suspect"] = False
        if "add_first_layer" in values:
            values["add_first_layer"] = False
    return Evidence(values, epoch=values["plateau_epoch"])


def _first_hidden_layer(output: Layer, units: int) -> dict[str, Any]:
    """FD201's advice for a model with no hidden layer: the first one to add.

    ``{"no_hidden_layer": True, "add_first_layer": True, "output_layer",
    "output_units", "hidden_proposed"}``: ``units`` wide, and never narrower than the
    output's units (a softmax over more classes than the hidden layer has units
    squeezes them through a bottleneck).
    """
    out_units = int(output.units or 0)
    return {"no_hidden_layer": True, "add_first_layer": True, "output_layer": output.name,
            "output_units": out_units, "hidden_proposed": max(units, out_units)}


#: ``reference_kind`` values of a bar set by a reference model's validation score (not one
#: the curves only imply: chance, the prior's loss, an accuracy assumed poor).
_MODEL_REFERENCES = ("reference", "reference_train", "reference_mse", "reference_mae")


def _rate_cut(ctx: Context, span: Span, start: int, cut_factor: float,
              flat: float) -> dict[str, Any]:
    """A learning-rate cut that began the plateau while the training loss still fell.

    The run logs the rate per epoch (``learning_rate`` or ``lr``: a schedule or a
    callback), the rate logged at the plateau's first epoch, the epoch before or the two
    after it (the plateau is found on a smoothed curve, and a rate logged at an epoch's
    end can be the one the next epoch trains at) is at most ``1 / cut_factor`` of the
    epoch's before, and in the epoch before that cut the training loss fell so fast that
    it was no plateau by the rule's own measure: a fall that, kept up for
    ``min_plateau`` epochs, exceeds ``plateau_tolerance`` of the span's range (``flat``
    is ``plateau_tolerance / min_plateau``). The descent was going on when the rate was
    cut, and the plateau is what the cut left of it. A plateau that came first
    (ReduceLROnPlateau cuts after ``patience`` epochs without progress on the validation
    loss) has no such fall before its cut, and keeps the capacity advice.
    ``{"rate_cut": True, "cut_epoch", "cut_lr_before", "cut_lr_after", "cut_pace_pct"}``
    (that epoch's fall, as a share of the loss's level), else ``{"rate_cut": False}``.
    """
    key = next((k for k in LEARNING_RATE_KEYS if ctx.run.has(k)), None)
    if key is None:
        return {"rate_cut": False}
    lr = ctx.array(key)
    loss = ctx.array(ctx.loss_key)
    judged = loss[span.start : span.end]
    judged = judged[np.isfinite(judged)]
    if judged.size < 2:
        return {"rate_cut": False}
    scale = float(judged.max() - judged.min())
    first = span.start + start
    for c in range(max(span.start + 2, first - 1), min(span.end, first + 3)):
        before, after = float(lr[c - 1]), float(lr[c])
        if not (np.isfinite(before) and np.isfinite(after) and after > 0
                and before >= cut_factor * after):
            continue
        then, now = float(loss[c - 2]), float(loss[c - 1])
        if not (np.isfinite(then) and np.isfinite(now) and then > 0
                and then - now > flat * scale):
            return {"rate_cut": False}  # the loss had levelled off before the cut
        return {"rate_cut": True, "cut_epoch": ctx.epochs[c],
                "cut_lr_before": fmt_rate(before), "cut_lr_after": fmt_rate(after),
                "cut_pace_pct": pct(1 - now / then)}
    return {"rate_cut": False}


def _climb(ctx: Context, span: Span, train_raw: np.ndarray, window: int,
           noise_factor: float, min_climb: float, lr_factor: float) -> dict[str, Any]:
    """A training loss that ends well above its own lowest reading.

    The median of the span's last ``window`` readings is above the lowest reading before
    them by at least ``min_climb`` of that low and by more than ``noise_factor`` times the
    curve's noise: the network fitted its training rows better earlier in the run and the
    optimiser undid it (a rate too high: momentum SGD at 0.5 on digits climbs from 0.63 to
    1.25). No width fits the training data better when the optimiser cannot hold a fit
    it had. ``{"climbs": True, "climb_low", "climb_low_epoch", "climb_now", "climb_pct"}``
    and :func:`_climb_rate`'s keys, else ``{"climbs": False}``.
    """
    x = train_raw
    if x.size <= window + 1:
        return {"climbs": False}
    early = x[:-window]
    if not np.isfinite(early).any():
        return {"climbs": False}
    low_i = int(np.nanargmin(early))
    low = float(early[low_i])
    late = x[-window:]
    now = curves.median(late[np.isfinite(late)])  # nan when none is finite
    rise = now - low
    if not (low > 0 and rise >= min_climb * low and rise > noise_factor * curves.noise(x)):
        return {"climbs": False}
    return {"climbs": True, "climb_low": float(f"{low:.4g}"),
            "climb_low_epoch": ctx.epochs[span.start + low_i],
            "climb_now": float(f"{now:.4g}"), "climb_pct": pct(rise / low),
            **_climb_rate(ctx, lr_factor)}


def _plain_model(ctx: Context) -> bool:
    """Whether the run recorded its model and the model has no regularizer of any kind.

    No dropout or input noise (:func:`training_regularizers`) and no weight or activity
    penalty: nothing in the model bears on the gap between its losses. Every layer must
    be a built-in whose facts show all it does (``vocabulary.PLAIN_LAYERS``): a custom
    layer may hold a Dropout the run file does not list. A bare history cannot say.
    """
    model = ctx.run.model
    if model is None or training_regularizers(ctx) != []:
        return False
    if any(layer.class_name not in PLAIN_LAYERS for layer in model.layers):
        return False
    return not any(layer.kernel_regularizer or layer.bias_regularizer
                   or layer.activity_regularizer for layer in model.layers)


def _handicap(ctx: Context, span: Span, start: int, ratio: float) -> dict[str, Any] | None:
    """The training loss held well above the validation loss over the plateau, and why.

    Over the plateau (rows ``start`` on of the span) the median training loss is at least
    ``ratio`` times the median validation loss. ``{"handicap_regularizers",
    "handicap_pct"}``: the recorded model's dropout and input noise / augmentation
    (:func:`training_regularizers`; Keras measures the training loss on
    the handicapped network, the validation loss without the handicap), ``None`` when
    the run recorded a model without any or no model at all (a bare history), and how
    far above, in percent. ``None`` when the training loss is not that far above (or
    there is no validation loss).
    """
    if not ctx.run.has("val_loss"):
        return None
    train = ctx.array(ctx.loss_key)[span.start + start : span.end]
    val = ctx.array("val_loss")[span.start + start : span.end]
    ok = np.isfinite(train) & np.isfinite(val)
    if not ok.any():
        return None
    t_med, v_med = curves.median(train[ok]), curves.median(val[ok])
    if v_med <= 0 or t_med < ratio * v_med:
        return None
    regs = training_regularizers(ctx)
    return {"handicap_regularizers": ", ".join(regs) if regs else None,
            "handicap_pct": pct(t_med / v_med - 1),
            "handicap_below_pct": pct(1 - v_med / t_med)}


#: Output activations whose range is bounded, and the range, for a regression's advice.
_BOUNDED_OUTPUTS = {"sigmoid": "0 and 1", "hard_sigmoid": "0 and 1", "softmax": "0 and 1",
                    "tanh": "-1 and 1", "softsign": "-1 and 1"}


def _bounded_regression_output(ctx: Context) -> dict[str, Any] | None:
    """The output layer and its range when a regression predicts through a bounded output.

    ``{"output_activation", "output_layer", "output_range"}`` when the task is a
    regression (data facts, else the loss) and the model's output activation is one of
    :data:`_BOUNDED_OUTPUTS`; else ``None`` (or when the run has no model facts).
    """
    model = ctx.run.model
    if model is None or model.output_activation not in _BOUNDED_OUTPUTS:
        return None
    loss = ctx.run.compile.loss if ctx.run.compile is not None else None
    if not is_regression(ctx, norm_loss(loss) if loss else None):
        return None
    layer = next((x.name for x in reversed(model.layers)
                  if x.activation == model.output_activation), None)
    return {"output_activation": model.output_activation,
            "output_layer": layer or "the output layer",
            "output_range": _BOUNDED_OUTPUTS[model.output_activation]}


def _advice_when_nothing_learned(
    ctx: Context, span: Span, reference_z: float, l2_now: str | None
) -> dict[str, Any]:
    """What decides FD201's advice: did the network learn anything at all?

    A network whose best validation score is what ignoring the inputs scores (the class
    prior, the mean) learned nothing. Too few units is then rarely the cause: a 16-unit
    sigmoid stack under plain SGD sits at ln 3 on iris, where a logistic regression
    reaches 0.90, and any network wider than a linear model could too. The optimisation
    (saturated layers, a learning rate too small, dead units) or a penalty holding every
    weight near zero is. Widening stays advice only for a layer narrower than the classes
    it must separate (a bottleneck: a one-unit GRU on three classes). Returns the
    ``learned_nothing`` flag and its numbers, ``widen`` (more units is advice),
    ``l2_first`` (an L2 factor is in force: the first suspect), ``optimisation_first``
    (none is: the optimisation is) and the learning rate in force.
    """
    nothing = learned_nothing(ctx, span, reference_z)
    narrowest = narrowest_hidden(ctx.run)
    k = ctx.n_classes
    bottleneck = narrowest is not None and k is not None and narrowest < k
    out: dict[str, Any] = {
        "learned_nothing": nothing is not None,
        "widen": nothing is None or bottleneck,
        "l2_first": nothing is not None and l2_now is not None,
        "optimisation_first": nothing is not None and l2_now is None and not bottleneck,
    }
    if nothing is not None:
        out.update(nothing)
        out["nothing_kind"] = "bottleneck" if bottleneck else nothing["nothing_metric"]
        out["narrowest_units"] = narrowest
        out["n_classes"] = k
        out["lr_now"] = learning_rate_change(ctx.run, 1.0)["lr_now"]
    return out


def _still_falling(
    ctx: Context,
    span: Span,
    window_fraction: float,
    min_window: int,
    max_share: float,
    min_gain: float,
    steep_pace: float,
    share_from_baseline: float,
    noise_factor: float,
    regression_pace: float,
) -> bool:
    """Whether the monitored loss (val_loss, else loss) still falls as FD301 calls unfinished.

    The tail is measured as FD301 measures it (:func:`_tail_fall`) and judged by the same
    test (:func:`_falls_on_its_own`): a material fall (``min_gain`` of its level, beyond
    ``noise_factor`` times its noise) whose tail holds ``max_share`` of the whole fall, or
    falls ``steep_pace`` of its level per epoch, or, for a regression, ``regression_pace``:
    a decelerating fall whose training loss only looks flat against a steep first epoch.
    FD301's moderate pace backed by a validation accuracy still gaining is not part of it
    (an accuracy gain is FD201's catch-up question). A tail creeping less than ``min_gain``
    of its level is not material to FD301 either, so it is the plateau, however large its
    share of a small whole fall (a 1-unit GRU whose validation loss crept 1.04 -> 1.03,
    0.8%, over its last 9 of 30 epochs, 11% of its fall from 1.10).
    """
    _, _, smooth, w, trend = _tail_fall(ctx, span, window_fraction, min_window,
                                        share_from_baseline)
    if trend is None:
        return False
    fall = _fall_rates(smooth, w, trend, _stride(ctx, span))
    return fall is not None and _falls_on_its_own(
        ctx, fall, min_gain=min_gain, noise_factor=noise_factor, min_share=max_share,
        steep_pace=steep_pace, regression_pace=regression_pace)


def _fall_rates(
    smooth: np.ndarray, w: int, trend: tuple[float, float, float, float], stride: int
) -> tuple[float, float, float, float, float] | None:
    """A tail's fall as both still-falling tests read it: ``(gain, pace, drop, share, noise)``.

    ``gain`` is the tail's drop over the smoothed curve's level at the tail's start,
    ``pace`` the robust line's fall per epoch over the level at the end (the line's fall
    per row over ``stride``, the epochs between the rows a log kept: :func:`_stride`);
    ``None`` when either level is not positive (a loss that is no loss).
    """
    slope, drop, share, sigma = trend
    n = smooth.size
    start = abs(float(smooth[n - w]))
    level = float(smooth[-1])
    if level <= 0 or start == 0:
        return None
    return drop / start, -slope / level / stride, drop, share, sigma


def _falls_on_its_own(
    ctx: Context,
    fall: tuple[float, float, float, float, float],
    *,
    min_gain: float,
    noise_factor: float,
    min_share: float,
    steep_pace: float,
    regression_pace: float,
) -> bool:
    """Whether a tail's fall says "unfinished" without the validation accuracy's help.

    The one definition FD301 and FD201's still-falling guard share: a material fall (at
    least ``min_gain`` of the level, beyond ``noise_factor`` times the noise) that holds
    ``min_share`` of the whole fall (slow but steady), or falls ``steep_pace`` of its level
    per epoch, or is a regression's error falling ``regression_pace`` of its level per
    epoch (the run file says the task is a regression, or the loss is an error such as
    MSE, and no validation accuracy is logged): a regression's loss is its prediction
    error, so ten more epochs at 1% would cut it about a tenth, whatever the tail's share
    of a long descent.
    """
    if not _material(fall, min_gain, noise_factor):
        return False
    _, pace, _, share, _ = fall
    if share >= min_share or pace >= steep_pace:
        return True
    return pace >= regression_pace and _error_loss(ctx)


def _material(fall: tuple[float, float, float, float, float], min_gain: float,
              noise_factor: float) -> bool:
    """A tail's fall of at least ``min_gain`` of its level and ``noise_factor`` times its noise."""
    gain, _, drop, _, sigma = fall
    return gain >= min_gain and drop > noise_factor * sigma


def _error_loss(ctx: Context) -> bool:
    """Whether the monitored loss is a prediction error (a regression, no accuracy logged)."""
    if ctx.accuracy_key("val_") is not None:
        return False
    loss = norm_loss(ctx.run.compile.loss) if ctx.run.compile is not None else None
    return is_regression(ctx, loss)


def _above_constant(ctx: Context, span: Span) -> bool:
    """Whether the monitored loss (val_loss, else loss) ends above a constant predictor's.

    The last finite reading of the span is above :func:`constant_loss` (a run file's
    prior loss: predicting the class frequencies or the training mean; ln k with a known
    class count). ``False`` when the run tells no constant predictor's loss.
    """
    base = constant_loss(ctx)
    if base is None:
        return False
    raw = ctx.array(_monitored(ctx))[span.start : span.end]
    raw = raw[np.isfinite(raw)]
    return raw.size > 0 and float(raw[-1]) > base


def _monitored(ctx: Context) -> str:
    """The loss FD301 and FD201's still-falling guard judge: val_loss, else loss."""
    return "val_loss" if ctx.run.has("val_loss") else ctx.loss_key


def _catch_up_epochs(
    ctx: Context, span: Span, judged: dict[str, Any], window_fraction: float,
    min_window: int,
) -> float | None:
    """Epochs the network would need, at its tail's pace, to reach the reference's score.

    The pace is the robust (Theil–Sen) slope over the same tail FD301 measures (the last
    ``window_fraction`` of the span, at least ``min_window`` epochs) of the validation
    accuracy, or of the validation loss against an MSE reference; the distance is the
    reference's score minus the network's at the tail's end (the line's last value, so
    that one lucky epoch does not shorten it). Undiminished, a pace that has been slowing
    down all run is an optimistic reading, so the count is a lower bound. A network
    trained on the mean absolute error (``reference_mae``) is measured on its validation
    MAE against the square root of the reference's MSE: its MSE is at least its MAE
    squared, so it cannot reach the reference before its MAE reaches that root, and the
    count stays a lower bound (a 2-unit network on Friedman #1 whose MAE still falls
    0.001 an epoch, 0.2 above the root of gradient boosting's MSE, needs ~200 epochs
    more, not the ten FD301's "train longer" suggests). ``inf`` when the score does not
    improve at all; ``None`` without a reference to reach.
    """
    kind = judged.get("reference_kind")
    if kind not in ("reference", "reference_mse", "reference_mae"):
        return None
    ref = float(judged["reference_value"])
    if kind == "reference":
        key = ctx.accuracy_key("val_")
        sign = 1.0
    else:
        key, sign = "val_loss", -1.0
        if kind == "reference_mae":
            ref = math.sqrt(ref)  # the MAE at which the MSE's lower bound meets it
    if key is None or not ctx.run.has(key):
        return None
    raw = ctx.array(key)[span.start : span.end]
    n = raw.size
    w = min(max(min_window, round(window_fraction * n)), n)
    line = curves.theil_sen(raw[n - w :])
    if line is None:
        return None
    pace = sign * line[0]  # improvement per epoch
    now = line[1] + line[0] * (w - 1)
    distance = sign * (ref - now)
    if distance <= 0:
        return None  # already there at this pace: not a capacity limit
    return distance / pace if pace > 0 else math.inf


def _lost_fit(ctx: Context, span: Span, start: int, noise_factor: float,
              reference_margin: float) -> dict[str, Any] | None:
    """The fit the network had before its plateau and lost on it, else ``None``.

    Its best training accuracy before the plateau (row ``start`` of the span) is above
    its best on the plateau by more than ``noise_factor`` times the accuracy's noise and
    by more than ``reference_margin`` (a shortfall that small against a reference would
    not count either): the
    plateau is a collapse (a penalty or a rate that pulled the weights to where the
    network predicts the class prior), and what the network scored before it is not what
    it plateaued at. ``{"lost_epoch", "lost_score", "lost_now"}`` (the epoch and best
    training accuracy before the plateau, the best on it); ``None`` without a training
    accuracy.
    """
    key = ctx.accuracy_key()
    if key is None or start < 1:
        return None
    acc = ctx.array(key)[span.start : span.end]
    before, on = acc[:start], acc[start:]
    if not (np.isfinite(before).any() and np.isfinite(on).any()):
        return None
    best = int(np.nanargmax(before))
    now = float(np.nanmax(on))
    drop = float(before[best]) - now
    if not (drop > reference_margin and drop > noise_factor * curves.noise(acc)):
        return None
    return {"lost_epoch": ctx.epochs[span.start + best],
            "lost_score": float(f"{float(before[best]):.4g}"),
            "lost_now": float(f"{now:.4g}")}


def _parted(ctx: Context, span: Span, train: np.ndarray, val: np.ndarray,
            noise_factor: float, min_gain: float, min_epochs: int) -> bool:
    """Whether the validation loss got worse while the training loss kept falling.

    Measured from the validation loss's lowest (smoothed) epoch to the last: the
    validation loss rose beyond ``noise_factor`` times its noise while the training loss
    fell at least ``min_gain`` of its level. The network then still fits its training
    rows better, and the better fit no longer carries to unseen rows: what it lacks is
    not capacity (a 64-unit network on digits with 40% of its labels flipped plateaus at
    a training accuracy of 0.57, the most those labels allow, while its validation loss
    has risen 1.1% for 24 epochs and its training loss fell 5.4%). Not judged on fewer
    than ``min_epochs`` epochs with both losses logged.
    """
    finite = np.isfinite(val) & np.isfinite(train)
    if finite.sum() < min_epochs:
        return False
    idx = np.flatnonzero(finite)
    best = int(idx[np.argmin(val[idx])])
    last = int(idx[-1])
    if best >= last:
        return False
    raw_val = ctx.array("val_loss")[span.start : span.end]
    noise = curves.noise(raw_val)
    rise = float(val[last] - val[best])
    fall = float(train[best] - train[last])
    if not (rise > noise_factor * noise and fall >= min_gain * abs(float(train[best]))):
        return False
    # fitting its training rows better means getting more of them right, where an
    # accuracy is logged: a loss falling at a constant training accuracy is the output
    # settling on the class balance (four sigmoid layers at ln 3 on iris), not a fit
    acc_key = ctx.accuracy_key()
    if acc_key is None:
        return True
    acc = ctx.array(acc_key)[span.start : span.end]
    if acc.size != val.size or not (np.isfinite(acc[best]) and np.isfinite(acc[last])):
        return False
    gain = float(acc[last] - acc[best])
    return gain > 0 and gain > noise_factor * curves.noise(acc)


def _fits_worse_than_reference(judged: dict[str, Any], level: float) -> bool:
    """Whether the network fits its training data worse than the reference validates.

    Then a gap to validation does not make the plateau variance: the network lacks
    capacity even on the rows it trains on (a 2-unit network at a training MSE of 0.20
    where gradient boosting validates at 0.09; a 4-unit network on digits whose best
    training accuracy, 0.922, is 4 points below the 0.962 a logistic regression reaches
    on the validation rows, beyond the noise of both, while its validation loss sits 44%
    above its training loss).
    """
    ref = judged.get("reference_value")
    if ref is None:
        return False
    kind = judged.get("reference_kind")
    if kind == "reference_mse":
        return level >= float(ref)
    if kind == "reference_mae":
        return level**2 >= float(ref)  # the training MSE is at least the MAE squared
    return kind in ("reference", "reference_train") and bool(judged.get("_train_short"))


# ------------------------------------------------------------------ convergence
@detector("still-improving")
def still_improving(
    ctx: Context,
    *,
    min_epochs: int,
    window_fraction: float,
    min_window: int,
    min_gain: float,
    min_share: float,
    min_pace: float,
    noise_factor: float,
    min_acc_gain: float,
    saturated_accuracy: float,
    saturated_train_accuracy: float,
    min_acc_progress: float,
    slow_total_drop: float,
    slow_min_epochs: int,
    lr_factor: float,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
    steep_pace: float,
    infer_max_n: int,
    infer_max_false: float,
    share_from_baseline: float,
    regression_pace: float,
    last_out: int,
    max_end_rebound: float,
    max_target_spread: float,
    more_fade: float,
    max_more_factor: float,
    unknown_more_share: float,
) -> Evidence | None:
    """The monitored loss still falling materially over the last epochs.

    Material means: over the tail, a robust (Theil–Sen) fall of at least ``min_gain`` of
    the level and ``noise_factor`` times the tail's noise; either a tail that holds at
    least ``min_share`` of the run's whole fall (slow but steady) or a pace of at least
    ``min_pace`` of the level per epoch (fast); the curve's best region at its end; and,
    when the validation accuracy has reached ``saturated_accuracy``, that accuracy still
    gaining ``min_acc_gain`` over the tail (a loss that keeps falling while a 99%
    accuracy holds still is the model growing confident, not an unfinished run), unless
    the training accuracy, below ``saturated_train_accuracy``, still gains
    ``min_acc_progress`` over the tail (a small validation set at 100% while the network
    still learns the rows it trains on says nothing about what is left to gain). A fast
    pace below ``steep_pace`` on a tail holding less than ``min_share`` of the whole fall
    also needs the validation accuracy, when there is one, to gain at least
    ``min_acc_gain`` and ``noise_factor`` times its noise over the tail. So does any fire
    when the training accuracy has reached ``saturated_train_accuracy``: with every
    training example already right, a loss that keeps falling while the validation
    accuracy holds still is the margins widening (or L2 shrinking the weights), not an
    unfinished fit. The run's whole fall is counted from at most ``share_from_baseline``
    times the constant predictor's loss (when the run tells it, and the loss ended below
    it): a first epoch far above it (unscaled inputs, a wild start) is the model undoing
    a bad start, not learning, and must not dwarf the fall that is still going on.
    A regression (its loss an error, the run file says so) whose loss still falls at
    least ``regression_pace`` of its level per epoch is unfinished whatever the share:
    only a classifier's loss falls while what it gets right holds still. The fall at
    the very end must show with the last ``last_out`` readings left out too
    (:func:`_last_step_only`), and the last reading must not have undone more than
    ``max_end_rebound`` of the tail's fall (:func:`_turned_up`).
    """
    ctx.require_epochs(min_epochs)
    # a history that logged only the validation loss (a Lightning run logging its
    # validation step alone) is judged on that curve: the span then ends where the
    # validation loss turned NaN or infinite (no training loss to cut a blow-up from)
    trained = ctx.run.has("loss")
    span = _span(ctx, blowup_factor, blowup_level, recover_factor, dead_tolerance,
                 dead_accuracy, dead_accuracy_gain, dead_accuracy_peak)
    if span.size < min_epochs or span.end < ctx.run.n_epochs:
        return None  # diverged runs are not "unfinished"
    key, raw, smooth, w, trend = _tail_fall(ctx, span, window_fraction, min_window,
                                            share_from_baseline)
    n = span.size
    tail = raw[n - w :]
    if trend is None:
        return None
    # a log that keeps every k-th epoch (a loop printing every 50): rates per epoch
    stride = _stride(ctx, span)
    fall = _fall_rates(smooth, w, trend, stride)
    if fall is None:
        return None
    gain, pace, _, share, _ = fall
    # the validation curve must not have turned: its last epochs are its best region
    best = curves.best_index(smooth)
    if best is not None and best < n - max(2, w // 2):
        return None
    # still falling at the very end: a tail that is the recovery from a bump and then
    # holds flat is finished, however steep its line
    span_end = max(3, w // 2)
    recent = curves.theil_sen(raw[n - span_end :])
    if recent is not None and recent[0] >= 0:
        return None
    if _last_step_only(raw, span_end, last_out):
        return None
    if _turned_up(tail, fall[4], min_gain, noise_factor, max_end_rebound):
        return None
    acc = _accuracy_progress(ctx, span, w, infer_max_n, infer_max_false)
    fitted = _train_accuracy(ctx, span)
    # a saturated validation accuracy leaves nothing to gain, unless the network is still
    # visibly learning rows it gets wrong in training: a small validation set at 100%
    # while the training accuracy climbs from 90% is not a finished model
    learning = (fitted is not None and fitted < saturated_train_accuracy
                and _train_accuracy_gain(ctx, span, w) >= min_acc_progress)
    if acc is not None and acc[1] >= saturated_accuracy and (
        acc[0] < min_acc_gain or acc[1] >= 1.0
    ) and not learning:
        return None  # nothing left to gain in what the model is judged on
    acc_still = acc is not None and acc[0] < max(min_acc_gain, noise_factor * acc[2])
    if acc_still and fitted is not None and fitted >= saturated_train_accuracy:
        return None  # the training set is fitted and validation accuracy holds: confidence
    if acc_still and key != "val_loss":
        # no validation loss, so the training loss is the curve judged; the held-out
        # score has stopped gaining, so what still falls is the fit to the training rows
        return None
    # a fast pace alone, on a tail that holds little of the run's whole fall, counts only
    # when the validation accuracy (if any) still gains beyond its noise, or when the pace
    # is steep: a loss creeping down a few percent an epoch while the accuracy holds is the
    # model growing more confident, and more epochs would not change what it gets right
    confident_only = acc_still and share < min_share and pace < steep_pace
    # what falls on its own (a share, a steep pace, a regression's error pace: the test
    # FD201's still-falling guard reads too), or a moderate pace the accuracy backs
    by_loss = _falls_on_its_own(
        ctx, fall, min_gain=min_gain, noise_factor=noise_factor, min_share=min_share,
        steep_pace=steep_pace, regression_pace=regression_pace,
    ) or (_material(fall, min_gain, noise_factor) and pace >= min_pace and not confident_only)
    by_accuracy = acc is not None and acc[0] >= min_acc_progress and acc[0] > noise_factor * acc[2]
    if not (by_loss or by_accuracy):
        return None
    more = _epochs_more(tail, n, more_fade, max_more_factor, unknown_more_share) * stride
    # how far the training loss fell over the run (the monitored curve's own fall when
    # the history logged only the validation loss)
    _, train = curve(ctx, ctx.loss_key if trained else key, span)
    total_drop = (float(train[0]) - float(train[-1])) / abs(float(train[0])) if train[0] else 0.0
    epochs = ctx.epochs[span.start : span.end]
    values: dict[str, Any] = {
        "monitor": key,
        "window": w,
        "from_epoch": epochs[n - w],
        "gain_pct": pct(gain),
        "share_pct": pct(min(share, 1.0)),
        # one decimal, or two significant digits below it: 1.6% over 100 epochs is 0.016%
        # per epoch, not 0.0
        "per_epoch_pct": _shown_pct(gain / max(1, epochs[n - 1] - epochs[n - w])),
        "last_value": float(f"{float(raw[np.isfinite(raw)][-1]):.4g}"),
        "epochs_more": more,
        "epochs_total": ctx.epochs[-1] + more,
        "total_drop_pct": pct(total_drop),
        "slow": total_drop < slow_total_drop and n >= slow_min_epochs,
        "accuracy_metric": ctx.accuracy_key("val_") if acc is not None else None,
        "accuracy_gain_pts": pct(acc[0]) if acc is not None else None,
        "accuracy_last": round(acc[1], 4) if acc is not None else None,
        "by_accuracy": not by_loss,
    }
    if values["slow"]:
        values.update(learning_rate_change(ctx.run, lr_factor))
    # targets far from the output's starting scale: part of the descent is the output
    # travelling there, and standardising them is the lasting fix (advice only)
    values.update(target_spread(ctx.run, max_target_spread))
    return Evidence(values, epoch=epochs[n - w])


def _turned_up(tail: np.ndarray, sigma: float, min_gain: float, noise_factor: float,
               max_rebound: float) -> bool:
    """Whether the tail's last reading sits above its best by a rise that counts.

    More than ``max_rebound`` of the tail's fall (its first reading down to its best),
    ``noise_factor`` times the tail's noise ``sigma`` and ``min_gain`` of the best: the
    loss stopped falling and turned, however the line through the tail reads (a
    Trainer's evaluations 0.067, 0.043, 0.054 make a falling line; the last reading undid
    half the fall). A steep descent's small last bump (0.216, 0.158, 0.161) is not a turn.
    """
    logged = tail[np.isfinite(tail)]
    if logged.size < 2:
        return False
    best = float(logged.min())
    rise = float(logged[-1]) - best
    fall = float(logged[0]) - best
    return (rise > max_rebound * fall and rise > noise_factor * sigma
            and rise > min_gain * abs(best))


def _last_step_only(raw: np.ndarray, stretch: int, last_out: int) -> bool:
    """Whether the fall at the very end rests on the last ``last_out`` readings alone.

    The stretch of ``stretch`` epochs that ends ``last_out`` logged readings earlier does
    not fall (robust line): the end's fall is then a swing's last step, a validation loss
    swinging around a level whose last value happens to be its lowest (momentum SGD on
    moons with batches of 4: 0.215 0.213 0.209 0.195 0.201 0.19 0.19 0.179 0.187 0.171
    0.191 then 0.155, with a flat training loss; trained on, it rose 50% over 75
    epochs), not a trend. ``False`` with ``last_out`` 0 or too few readings to leave out.
    """
    logged = np.flatnonzero(np.isfinite(raw))
    if last_out <= 0 or logged.size <= last_out + 1:
        return False
    end = int(logged[-last_out])
    earlier = curves.theil_sen(raw[max(0, end - stretch) : end])
    return earlier is not None and earlier[0] >= 0


def _accuracy_progress(
    ctx: Context, span: Span, w: int, infer_max_n: int, infer_max_false: float
) -> tuple[float, float, float] | None:
    """Validation accuracy over the last ``w`` epochs: ``(gain, last value, noise)``.

    The gain is the robust (Theil–Sen) slope times the window; the noise is the largest of
    the tail's scatter, the noise of the curve's second half and, when the validation
    set's size is known (recorded, or read off the accuracy's steps:
    :func:`~fitdoctor.detectors.validation_setup.validation_size`), the accuracy's
    binomial standard error. ``None`` without one.
    """
    key = ctx.accuracy_key("val_")
    if key is None:
        return None
    full = ctx.array(key)[span.start : span.end]
    acc = full[-w:]
    line = curves.theil_sen(acc)
    finite_acc = acc[np.isfinite(acc)]
    if line is None or finite_acc.size < 2:
        return None
    noise = max(curves.scatter(acc), curves.noise(full[full.size // 2 :]))
    found = validation_size(ctx.run, key, max_n=infer_max_n, max_false=infer_max_false)
    if found is not None:  # an accuracy on n_val samples moves by its binomial SE by chance
        n_val = found[0]
        last = min(max(float(finite_acc[-1]), 0.0), 1.0)
        noise = max(noise, math.sqrt(last * (1.0 - last) / n_val))
    return line[0] * (w - 1), float(finite_acc[-1]), noise


def _train_accuracy(ctx: Context, span: Span) -> float | None:
    """The training accuracy at the end of the span (median of its last three values)."""
    key = ctx.accuracy_key()
    if key is None:
        return None
    acc = ctx.array(key)[span.start : span.end]
    acc = acc[np.isfinite(acc)]
    return curves.median(acc[-3:]) if acc.size else None


def _train_accuracy_gain(ctx: Context, span: Span, w: int) -> float:
    """The training accuracy's gain over the last ``w`` epochs (robust line; 0 without one)."""
    key = ctx.accuracy_key()
    if key is None:
        return 0.0
    line = curves.theil_sen(ctx.array(key)[span.start : span.end][-w:])
    return 0.0 if line is None else line[0] * (w - 1)


def _shown_pct(x: float) -> float:
    """A fraction as a per cent with one decimal, or two significant digits below 0.1."""
    return pct(x) or float(f"{100 * x:.2g}")


def _stride(ctx: Context, span: Span) -> int:
    """Epochs between the rows a log kept (1; 50 for a loop that prints every 50th)."""
    gaps = np.diff(np.asarray(ctx.epochs[span.start : span.end]))
    return max(1, int(np.median(gaps))) if gaps.size else 1


def _epochs_more(tail: np.ndarray, n: int, fade: float, max_factor: float,
                 unknown_share: float) -> int:
    """Epochs until the tail's improvement fades, from its decay between halves.

    The gain per half-tail shrinks by the ratio of the second half's gain to the first's
    (kept within 0.05-0.95 so a log exists); the epochs until it is ``fade`` of the last
    half's, at least the tail's length and at most ``max_factor`` times the ``n`` epochs
    run. A tail whose halves do not both gain gives no ratio: ``unknown_share`` of ``n``
    (at least the tail's length).
    """
    tail = curves.fill_gaps(tail)
    half = max(1, tail.size // 2)
    g1 = float(tail[0] - tail[half])
    g2 = float(tail[half] - tail[-1])
    if g1 <= 0 or g2 <= 0:
        return max(half * 2, math.floor(unknown_share * n))
    q = min(0.95, max(0.05, g2 / g1))
    # halves until the gain per half falls to ``fade`` of the last one
    halves = math.log(fade) / math.log(q)
    more = math.ceil(halves * half)
    return min(max(more, half * 2), math.floor(max_factor * n))


def _tail_fall(
    ctx: Context, span: Span, window_fraction: float, min_window: int,
    share_from_baseline: float,
) -> tuple[str, np.ndarray, np.ndarray, int, tuple[float, float, float, float] | None]:
    """The monitored loss (val_loss, else loss) and how its last epochs fall.

    ``(key, raw, smooth, w, trend)``: the tail is the last ``window_fraction`` of the
    span (at least ``min_window`` epochs), ``trend`` is :func:`_tail_trend`'s with the
    whole fall counted from at most :func:`_fall_cap`. FD301 and FD201's still-falling
    guard read the same measurement, so they agree on what still falls.
    """
    key = _monitored(ctx)
    raw, smooth = curve(ctx, key, span)
    n = span.size
    w = min(max(min_window, round(window_fraction * n)), n)
    return key, raw, smooth, w, _tail_trend(ctx, key, raw, smooth, w,
                                            _fall_cap(ctx, share_from_baseline))


def _fall_cap(ctx: Context, share_from_baseline: float) -> float | None:
    """Where a loss's whole fall starts at most: that multiple of a constant predictor's loss.

    ``None`` (from the curve's highest point) when the run does not tell the constant
    predictor's loss, or ``share_from_baseline`` is 0.
    """
    base = constant_loss(ctx)
    return share_from_baseline * base if base is not None and share_from_baseline > 0 else None


def _tail_trend(
    ctx: Context, key: str, raw: np.ndarray, smooth: np.ndarray, w: int,
    cap: float | None = None,
) -> tuple[float, float, float, float] | None:
    """How a loss falls over its last ``w`` epochs: ``(slope, drop, share, noise)``.

    The slope is a robust (Theil–Sen) line's over the tail, the drop that slope times the
    tail's length, the share that drop's part of the curve's whole fall (its highest
    smoothed value to its last), and the noise the tail's (the larger of its scatter and
    the noise of the curve's second half, or the known noise). With ``cap``, the whole
    fall starts at most there when the curve ended below it (a wild first epoch above
    the constant predictor's loss does not count as learning). ``None`` when the tail
    does not fall.
    """
    n = raw.size
    line = curves.theil_sen(raw[n - w :])
    if line is None or line[0] >= 0:
        return None
    slope = line[0]
    drop = -slope * (w - 1)
    top = float(np.max(smooth))
    if cap is not None and float(smooth[-1]) < cap:
        top = min(top, cap)
    total = top - float(smooth[-1])
    share = drop / total if total > 0 else 0.0
    known = ctx.known_noise(key)
    sigma = known if known is not None else max(curves.scatter(raw[n - w :]),
                                                 curves.noise(raw[n // 2 :]))
    return slope, drop, share, sigma


@detector("flat-loss")
def flat_loss(
    ctx: Context,
    *,
    min_epochs: int,
    max_change: float,
    lr_factor: float,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
    first_hidden_units: int,
    reference_z: float,
    max_input_std: float,
    min_input_max: float,
    max_input_mean: float,
    max_input_spread: float,
) -> Evidence | None:
    """Training loss that barely moves from its first epoch.

    Its range within ``max_change`` of its first value; or, scattered wider (a per-batch
    average over few noisy batches), a robust line through it moving less than that over
    the run while the validation loss's range stays within it (:func:`_flat_under_noise`).

    On a recorded model with no hidden layer (:func:`no_hidden_layer`) the evidence adds
    the hidden layer to give it (:func:`_first_hidden_layer`, ``first_hidden_units``
    wide), and ``linear_stuck``: the model learned nothing from its inputs
    (:func:`learned_nothing` at ``reference_z``) where a recorded reference model did,
    so a linear model of them cannot, at any learning rate.
    """
    ctx.require_epochs(min_epochs)
    span = _span(ctx, blowup_factor, blowup_level, recover_factor, dead_tolerance, dead_accuracy,
                 dead_accuracy_gain, dead_accuracy_peak)
    if span.size < min_epochs:
        return None
    raw = ctx.array(ctx.loss_key)[span.start : span.end]
    finite_raw = raw[np.isfinite(raw)]
    first = float(finite_raw[0])
    if first == 0:
        return None
    with np.errstate(over="ignore"):
        change = float(finite_raw.max() - finite_raw.min()) / abs(first)
    noisy = _flat_under_noise(ctx, span, finite_raw, max_change) if change > max_change else None
    if change > max_change and noisy is None:
        return None
    values: dict[str, Any] = {
        "first": float(f"{first:.4g}"),
        "last": float(f"{float(finite_raw[-1]):.4g}"),
        "change_pct": round(100 * change, 2),
        "threshold_pct": round(100 * max_change, 2),
        "noisy": noisy is not None,
        **(noisy or {}),
    }
    # raised from the highest rate the run logged: a loss that did not move under a
    # decaying schedule did not move at its peak either (KAN logs: flat at 1e-3, decayed
    # to 1e-7 by the end; "raise from 1e-7 to 1e-6" proposed less than it already had)
    values.update(learning_rate_change(ctx.run, lr_factor, row=peak_learning_rate_row(ctx.run)))
    output = no_hidden_layer(ctx.run)
    if output is not None:
        values.update(_first_hidden_layer(output, first_hidden_units))
        ref = informative_reference(ctx, span, reference_z)
        stuck = ref is not None and learned_nothing(ctx, span, reference_z) is not None
        values["linear_stuck"] = stuck
        values["add_first_layer"] = not stuck  # advice after the learning rate's
        if ref is not None and stuck:
            values.update(ref)
    values.update(input_scale_advice(
        ctx.run, max_input_std=max_input_std, min_input_max=min_input_max,
        max_input_mean=max_input_mean, max_input_spread=max_input_spread))
    return Evidence(values, epoch=ctx.epochs[span.start])


def _trend_change(loss: np.ndarray) -> float:
    """How far a robust line through ``loss`` moves over the run, over its first value."""
    with np.errstate(over="ignore", invalid="ignore"):  # values near the float range
        line = curves.theil_sen(loss)
        if line is None or not loss[0] or not math.isfinite(line[0]):
            return math.inf
        return abs(line[0]) * (loss.size - 1) / abs(float(loss[0]))


def _flat_under_noise(ctx: Context, span: Span, train: np.ndarray,
                      max_change: float) -> dict[str, Any] | None:
    """A training loss that only scatters, beside a validation loss that holds still.

    The training loss ends within ``max_change`` of where it began, its robust line
    moves less over the run, and the validation loss's range stays within it: nothing
    learned, read through the noise of a per-batch average (a step-logged loss jumping
    8% between epochs).

    Returns:
        The evidence that says so (``trend_pct``, ``val_first``, ``val_change_pct``), or
        ``None``.
    """
    if not ctx.run.has("val_loss"):
        return None
    # ends where it began (a drop at the first epoch and a flat line after it is a
    # plateau, another rule's), and its line moves no more
    trend = _trend_change(train)
    if trend > max_change:
        return None
    if abs(float(train[-1]) - float(train[0])) > max_change * abs(float(train[0])):
        return None
    val = ctx.array(ctx.val_loss_key)[span.start : span.end]
    val = val[np.isfinite(val)]
    if val.size < 3 or not val[0]:
        return None
    val_change = float(val.max() - val.min()) / abs(float(val[0]))
    if val_change > max_change:
        return None
    return {"trend_pct": round(100 * trend, 2), "val_first": float(f"{float(val[0]):.4g}"),
            "val_change_pct": round(100 * val_change, 2)}


@detector("too-short")
def too_short(ctx: Context, *, min_epochs: int) -> Evidence | None:
    """Fewer epochs than any curve can be judged on (none at all included).

    A run that recorded no epoch is measured too (``epochs`` 0): with nothing to judge,
    every other rule is skipped, and without this finding it would read as healthy. A
    record that kept fewer epochs than the run trained (a file holding only the tenth
    epoch's values, a KerasTuner trial's best epoch) is skipped instead: the training was
    not short, and the report's verdict says the record is too short to judge.
    """
    n = ctx.run.n_epochs
    if n >= min_epochs and n > 0:
        return None
    last = ctx.epochs[-1] if n else 0
    if last >= min_epochs:  # the run went on longer; its record kept only some epochs
        raise MissingInput(
            f"the run lasted at least {last} epochs, but only {n} of them were recorded",
            "record every epoch (FitDoctor() in the callbacks, or the full History)",
        )
    planned = ctx.run.fit.epochs if ctx.run.fit is not None else None
    return Evidence(
        {
            "epochs": n,
            "plural": n != 1,
            "min_epochs": min_epochs,
            "running": ctx.run.status == "running",
            "stopped_early": ctx.run.status == "stopped-early",
            "epochs_planned": planned if planned and planned > n else None,
        },
        epoch=ctx.epochs[0] if n else None,
    )


# ---------------------------------------------------------------- validation setup
@detector("no-validation")
def no_validation(ctx: Context, *, validation_split: float) -> Evidence | None:
    """No validation curve at all; the advice holds out ``validation_split`` of the rows."""
    ctx.require_epochs(1)
    if any(k.startswith("val_") for k in ctx.run.metrics):
        return None
    # The message lists what was logged; a name that reads as validation (kept as is by a
    # --metric-map) is a validation curve, so the rule does not fire on it.
    if any(read_name(k).role == "val" for k in ctx.run.metrics):
        return None
    n_train = ctx.run.data.n_train if ctx.run.data and ctx.run.data.n_train else None
    values: dict[str, Any] = {
        "metrics": ", ".join(ctx.run.metrics) or "none",
        "n_train": f"{n_train:,}" if n_train else None,
        "n_val_proposed": f"{round(validation_split * n_train):,}" if n_train else None,
        "kfold_hint": finite(float(n_train)) if n_train else None,
    }
    return Evidence(values, epoch=None)
