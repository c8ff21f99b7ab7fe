"""Divergence and instability detectors.

* ``non-finite-loss``, ``exploding-loss``, ``loss-spike``: the optimizer broke the
  weights. A first epoch far above the rest is a wild start, not a
  blow-up, unless the network is dead after it (:mod:`fitdoctor.detectors.span`).
* ``oscillation``: a training loss that goes up and down from epoch to epoch, and
  a model whose accuracy does too: a loss can swing at a tiny level while the
  predictions stay put, which is not instability.
* ``validation-oscillation``: a validation loss that moves up and down beyond a steady
  trend by more than a validation set of its size moves by chance.
* ``worse-than-constant``: a training loss that ends far above the loss of predicting
  the class prior (a run file's baseline): broken weights without a NaN.
* ``loss-spikes``: a training loss that jumps several times over and back, again
  and again, or once back toward where training started.

The training-loss checks (``oscillation``, ``loss-spikes``) do not judge a
model that injects noise while training (:func:`training_noise`): Keras measures its
training loss with the noise on, so the swings are the regularisation at work.

Thresholds live in ``rules/curves.toml``; these functions measure.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor import curves
from fitdoctor.detectors.advice import input_scale_advice, learning_rate_change
from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.detectors.span import (
    Span,
    bounded_blowup,
    class_bound_loss,
    constant_loss,
    curve,
    honest_loss,
    judged_span,
    late_freeze,
    pct,
    recorded_prior_loss,
    rise_over_running_min,
    swing,
)
from fitdoctor.detectors.validation_setup import validation_size
from fitdoctor.errors import NOT_APPLICABLE, MissingInput
from fitdoctor.run import Run
from fitdoctor.vocabulary import TRAINING_NOISE_LAYERS


def _g(x: float) -> float:
    """Four significant digits, as a float."""
    return float(f"{x:.4g}")


def training_noise(run: Run) -> list[str]:
    """Names of the layers that inject noise while training, from the run file's model.

    Dropout and its kin with a rate above 0, GaussianNoise, random augmentation layers
    (:data:`~fitdoctor.vocabulary.TRAINING_NOISE_LAYERS`), and any layer with its own
    ``dropout`` or ``recurrent_dropout`` above 0 (a recurrent layer's). Empty without a
    model (a bare history).
    """
    if run.model is None:
        return []
    names = []
    for layer in run.model.layers:
        rates = [r for r in (layer.dropout, layer.recurrent_dropout) if r is not None]
        if rates:
            if max(rates) > 0:
                names.append(layer.name)
        elif layer.class_name in TRAINING_NOISE_LAYERS:
            names.append(layer.name)
    return names


def _training_loss_judged(ctx: Context, judge_noisy: bool) -> None:
    """MissingInput when the training loss was measured with noise injected on purpose.

    Keras computes the training loss with Dropout, GaussianNoise and augmentation on
    and the validation loss with them off: a regularised model's training loss swings
    by design, and those swings say nothing about the step size.
    """
    noisy = training_noise(ctx.run)
    if noisy and not judge_noisy:
        shown = ", ".join(noisy[:3]) + (", ..." if len(noisy) > 3 else "")
        raise MissingInput(
            f"the model injects noise while training ({shown}): Keras measures the "
            "training loss with it on, so its swings are the regularisation at work, "
            "not steps too large; FD412 judges the validation loss, measured without it",
            "set the rule's judge_noisy = true ([tool.fitdoctor.rule.<code>] in "
            "pyproject.toml) to judge it anyway",
            needs=NOT_APPLICABLE,
        )


def _judged_curve(
    ctx: Context, key: str, min_epochs: int, span_params: dict[str, float]
) -> tuple[Span, np.ndarray, np.ndarray] | None:
    """The judged span, its finite-row mask and ``key``'s finite values over it.

    ``None`` when the span or its finite values are shorter than ``min_epochs``.
    ``span_params`` are :func:`judged_span`'s keywords (the shared blow-up parameters).
    """
    span = judged_span(ctx, **span_params)
    if span.size < min_epochs:
        return None
    raw, _ = curve(ctx, key, span)
    ok = np.isfinite(raw)
    x = raw[ok]
    if x.size < min_epochs:
        return None
    return span, ok, x


@detector("non-finite-loss")
def non_finite_loss(
    ctx: Context, *, lr_factor: float, max_input_std: float, min_input_max: float,
    max_input_mean: float, max_input_spread: float,
) -> Evidence | None:
    """A NaN or infinite loss (training or validation).

    A history with no ``loss`` of its own (a Lightning module logging ``data_loss`` and
    ``mean_loss``) is judged on its training curves named as losses: a NaN in any of them
    is the run diverging, whichever is the total.
    """
    ctx.require_epochs(1)
    keys = [key for key in ("loss", "val_loss") if ctx.run.has(key)]
    if not ctx.run.has("loss"):
        keys += [key for key in ctx.run.metrics
                 if "loss" in key.lower() and not key.startswith(("val_", "test_"))
                 and key not in keys and ctx.run.has(key)]
    masks = {key: ctx.nonfinite(key) for key in keys}
    found = [(int(np.flatnonzero(mask)[0]), key) for key, mask in masks.items() if mask.any()]
    if not found:
        return None
    i, key = min(found)
    value = float(ctx.array(key)[i])
    finite_before = ctx.array("loss")[:i] if ctx.run.has("loss") else np.array([])
    finite_before = finite_before[np.isfinite(finite_before)]
    bad = max(int(mask.sum()) for mask in masks.values())
    values: dict[str, Any] = {
        "metric": key,
        "value": "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf"),
        "nan_epoch": ctx.epochs[i],
        "last_finite": _g(float(finite_before[-1])) if finite_before.size else None,
        "nonfinite_epochs": bad,
        "plural": bad != 1,
    }
    values.update(learning_rate_change(ctx.run, lr_factor))
    values.update(input_scale_advice(
        ctx.run, max_input_std=max_input_std, min_input_max=min_input_max,
        max_input_mean=max_input_mean, max_input_spread=max_input_spread))
    return Evidence(values, epoch=ctx.epochs[i])


@detector("exploding-loss")
def exploding_loss(
    ctx: Context,
    *,
    min_epochs: int,
    factor: float,
    min_rising: int,
    lr_factor: float,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
) -> Evidence | None:
    """Finite training loss climbing far above its running minimum and its start.

    The start is the training loss's first epoch, or, where that first epoch (its mean
    over the steps from the initial weights) sits above everything after it, and the
    training loss ends ``factor`` times its minimum and above its median over the run
    (not a spike it recovered from), the validation loss's: fallen to a ``factor``-th of
    its first value, then climbed back above it for ``min_rising`` epochs, the run lost
    what it had learned (a fine-tune whose
    training loss fell 11,856 -> 2,171 and climbed back to 8,460 while its validation
    loss went 2,691 -> 680 -> 2,799).
    """
    ctx.require_epochs(min_epochs)
    span = judged_span(
        ctx,
        blowup_factor=blowup_factor,
        blowup_level=blowup_level,
        recover_factor=recover_factor,
        dead_tolerance=dead_tolerance,
        dead_accuracy=dead_accuracy,
        dead_accuracy_gain=dead_accuracy_gain,
        dead_accuracy_peak=dead_accuracy_peak,
    )
    full = ctx.array(ctx.loss_key)
    end = curves.first_nonfinite(full[span.start :])
    stop = full.size if end is None else span.start + end
    raw = curves.fill_gaps(full[span.start : stop])
    ratio = rise_over_running_min(raw)
    if raw.size < min_epochs or ratio is None:
        return None
    peak_i = int(np.argmax(ratio))
    if ratio[peak_i] < factor:
        return None
    low_i = int(np.argmin(raw[: peak_i + 1]))
    above = int(np.sum(raw[low_i:] > raw[0])) if raw[peak_i] > raw[0] else 0
    back = None
    if above < min_rising:
        # the run ends where it climbed to, above its median: no spike it recovered
        # from, no jitter near zero (an overfit network's training loss at 1e-4 spiking
        # to 5e-4 is 5x its minimum too)
        end_level = float(raw[-1])
        if end_level < factor * float(raw[low_i]) or end_level <= curves.median(raw):
            return None
        back = _validation_back_to_start(ctx, span.start, stop, factor, min_rising)
        if back is None:
            return None
    epochs = ctx.epochs[span.start : stop]
    values: dict[str, Any] = {
        "min_loss": _g(float(raw[low_i])),
        "min_epoch": epochs[low_i],
        "peak_loss": _g(float(raw[peak_i])),
        "peak_epoch": epochs[peak_i],
        "ratio": float(f"{ratio[peak_i]:.3g}"),
        "epochs_above_start": above,
        "val_back": back is not None,
        **(back or {}),
    }
    values.update(learning_rate_change(ctx.run, lr_factor))
    return Evidence(values, epoch=epochs[min(low_i + 1, raw.size - 1)])


def _validation_back_to_start(
    ctx: Context, start: int, stop: int, factor: float, min_rising: int
) -> dict[str, Any] | None:
    """The validation loss fell ``factor`` times, then climbed back above its start.

    Over rows ``start:stop``: its minimum at most a ``factor``-th of its first value (the
    run had learned), then ``factor`` times that minimum and above its first value for
    at least ``min_rising`` logged epochs after it (and lost it). ``{"val_first",
    "val_low", "val_last"}``, else ``None`` (or no validation loss).
    """
    if not ctx.run.has("val_loss"):
        return None
    val = ctx.array("val_loss")[start:stop]
    val = val[np.isfinite(val)]
    if val.size < 2:
        return None
    low_i = int(np.argmin(val))
    low = float(val[low_i])
    after = val[low_i + 1 :]
    # it had learned (fell to a factor-th of its first value) and lost it all (climbed
    # factor times back, to above where it started)
    if low <= 0 or low * factor > float(val[0]) or float(after.max(initial=low)) < factor * low:
        return None
    if int(np.sum(after > val[0])) < min_rising:
        return None
    return {"val_first": _g(float(val[0])), "val_low": _g(low), "val_last": _g(float(val[-1]))}


@detector("loss-spike")
def loss_spike(
    ctx: Context,
    *,
    lr_factor: float,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
    max_classes: int,
    frozen_epochs: int,
    max_input_std: float,
    min_input_max: float,
    max_input_mean: float,
    max_input_spread: float,
) -> Evidence | None:
    """A training loss that blew up: a jump orders of magnitude up, or a dead network.

    A bare classifier (no prior loss, no class count) is held to ln ``max_classes``,
    the most a constant prediction of that many classes loses
    (:func:`~fitdoctor.detectors.span.class_bound_loss`): a first epoch ``blowup_factor``
    times that, after which the network is dead or frozen, blew up whatever k is.
    """
    ctx.require_epochs(2)
    key = ctx.loss_key  # MissingInput without a training loss
    span = judged_span(
        ctx,
        blowup_factor=blowup_factor,
        blowup_level=blowup_level,
        recover_factor=recover_factor,
        dead_tolerance=dead_tolerance,
        dead_accuracy=dead_accuracy,
        dead_accuracy_gain=dead_accuracy_gain,
        dead_accuracy_peak=dead_accuracy_peak,
    )
    bound = class_bound_loss(ctx, max_classes) if span.blowup is None else None
    bounded = bounded_blowup(
        ctx, bound, blowup_factor=blowup_factor, dead_tolerance=dead_tolerance,
        dead_accuracy=dead_accuracy, dead_accuracy_gain=dead_accuracy_gain,
        dead_accuracy_peak=dead_accuracy_peak,
    ) if bound is not None else None
    if bounded is not None:
        span = Span(0, 0, blowup=bounded[0], blowup_ratio=bounded[1], dead_by=bounded[2],
                    baseline=bound)
    late = None
    if span.blowup is None:
        late = late_freeze(ctx, constant_loss(ctx) or bound, blowup_factor=blowup_factor,
                           frozen_epochs=frozen_epochs)
    if late is not None:
        span = Span(0, 0, blowup=late[0], blowup_ratio=late[1], dead_by="frozen",
                    baseline=late[2])
    if span.blowup is None and span.frozen_unknown:
        raise MissingInput(
            "the network froze (a training loss of exactly 0, a constant validation "
            "loss), but without the loss of a constant predictor fitdoctor cannot tell "
            "whether its first epoch blew up",
            "pass --classes N (or record the run with FitDoctor())",
        )
    if span.blowup is None:
        return None
    full = ctx.array(key)
    i = span.blowup
    rest = full[i + 1 :]
    rest = rest[np.isfinite(rest)]
    values: dict[str, Any] = {
        "spike_loss": _g(float(full[i])),
        "spike_epoch": ctx.epochs[i],
        "ratio": float(f"{span.blowup_ratio:.3g}") if span.blowup_ratio else None,
        "after": _g(curves.median(rest)) if rest.size else None,
        "first_epoch": i == 0,
        "dead_by": span.dead_by,
        "factor": blowup_factor,
    }
    if span.dead_by == "accuracy":
        acc_key = ctx.accuracy_key()
        assert acc_key is not None
        acc = ctx.array(acc_key)[1:]
        values["accuracy_metric"] = acc_key
        values["accuracy_level"] = round(curves.median(acc[np.isfinite(acc)]), 4)
    if span.baseline is not None:
        values["baseline"] = _g(span.baseline)
        regression = ctx.run.data is not None and ctx.run.data.task == "regression"
        recorded = recorded_prior_loss(ctx.run) is not None
        kind = ("mean" if regression else "prior") if recorded else "chance"
        from_bound = bound is not None and span.baseline == bound
        values["baseline_kind"] = "bound" if from_bound else kind
        values["max_classes"] = int(max_classes) if from_bound else None
    if span.dead_by == "frozen":
        values.update(_frozen(ctx, full))
    values["val_after"] = None
    if span.dead_by == "constant" and ctx.run.has("val_loss"):
        val = ctx.array("val_loss")[i + 1 :]
        val = val[np.isfinite(val)]
        values["val_after"] = _g(curves.median(val)) if val.size else None
    values.update(learning_rate_change(ctx.run, lr_factor))
    values.update(input_scale_advice(
        ctx.run, max_input_std=max_input_std, min_input_max=min_input_max,
        max_input_mean=max_input_mean, max_input_spread=max_input_spread))
    return Evidence(values, epoch=ctx.epochs[i])


def _frozen(ctx: Context, loss: np.ndarray) -> dict[str, Any]:
    """Where a frozen network's training loss became exactly 0, and its validation loss.

    The validation loss it then holds, and over how many of the last epochs it held
    exactly that value (from the first reading of it to the last).
    """
    nonzero = np.flatnonzero(loss != 0)
    first_zero = int(nonzero[-1]) + 1 if nonzero.size else 0
    out: dict[str, Any] = {
        "frozen_epoch": ctx.epochs[min(first_zero, len(ctx.epochs) - 1)],
        "zero_epochs": int(loss.size - first_zero),
        "val_frozen": None,
        "val_same_epochs": None,
    }
    if ctx.run.has("val_loss"):
        val = ctx.array("val_loss")
        logged = np.flatnonzero(np.isfinite(val))
        val = val[logged]
        if val.size:
            same = int(np.argmax(val[::-1] != val[-1])) if np.any(val != val[-1]) else val.size
            out["val_frozen"] = _g(float(val[-1]))
            # epochs, not readings: validation_freq > 1 logs it every few epochs
            out["val_same_epochs"] = int(logged[-1] - logged[-same]) + 1
    return out


@detector("oscillation")
def oscillation(
    ctx: Context,
    *,
    min_epochs: int,
    min_up: float,
    max_up: float,
    min_amplitude: float,
    min_accuracy_swing: float,
    steady_val_up: float,
    judge_noisy: bool,
    min_wiggle: float,
    level_floor: float,
    settle: float,
    min_constant_share: float,
    scale_cap: float,
    lr_factor: float,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
) -> Evidence | None:
    """A training loss that goes up and down from epoch to epoch in its second half.

    Measured on the second half of the judged span (the steady state, after the first
    descent): the share of all movement that is upward (0 for a steady descent, about
    0.5 for a random walk), and the median epoch-to-epoch change relative to the
    problem's scale: the first judged training loss, capped at ``scale_cap`` times the
    curve's late level. When the matching accuracy is logged, its own median epoch-to-epoch
    change must reach ``min_accuracy_swing`` too: a loss that swings while the accuracy
    holds still is a few samples changing their confidence, not a model jumping around.
    A validation loss that descends steadily meanwhile (upward share below
    ``steady_val_up``) means the swings are the noise of averaging a few batches per
    epoch, not an unstable optimizer. The training loss of a model that injects noise
    while training is not judged unless ``judge_noisy`` (:func:`training_noise`). The
    validation loss is :func:`validation_oscillation`'s.

    A loss can also swing around a trend that keeps falling (its second half then moves
    mostly down): where the run file shows the model and no layer that injects noise
    while training, the training loss's average per-epoch movement beyond "falls, then
    rises" (:func:`_swings_around_trend`) reaching ``min_wiggle`` of its late level, and
    ``min_constant_share`` of a constant predictor's loss when the run tells it, fires
    too. A bare history does not show whether Dropout or augmentation made the swings,
    so it is judged by the first measure only.
    """
    ctx.require_epochs(min_epochs)
    _training_loss_judged(ctx, judge_noisy)
    key = ctx.loss_key
    judged = _judged_curve(ctx, key, min_epochs, {
        "blowup_factor": blowup_factor, "blowup_level": blowup_level,
        "recover_factor": recover_factor, "dead_tolerance": dead_tolerance,
        "dead_accuracy": dead_accuracy, "dead_accuracy_gain": dead_accuracy_gain,
        "dead_accuracy_peak": dead_accuracy_peak,
    })
    if judged is None:
        return None
    span, ok, x = judged
    val_aligned = None  # the validation loss on the judged epochs (NaN where not logged)
    steady_val = False
    if ctx.run.has("val_loss"):
        val_raw, _ = curve(ctx, "val_loss", span)
        val_aligned = val_raw[ok]
        val = val_raw[np.isfinite(val_raw)]
        val_measured = (_up_and_amplitude(ctx, span, val, scale_cap)
                        if val.size >= min_epochs else None)
        steady_val = val_measured is not None and val_measured[0] < steady_val_up
    epochs = np.asarray(ctx.epochs[span.start : span.end])[ok]
    acc_key = ctx.accuracy_key()
    values: dict[str, Any] | None = None
    measured = _up_and_amplitude(ctx, span, x, scale_cap)
    if measured is not None and not steady_val:
        up, amplitude, scale, half, tail = measured
        acc_swing = None
        if acc_key is not None:
            acc_swing = swing(ctx.array(acc_key)[span.start : span.end])
        if (min_up <= up <= max_up and amplitude >= min_amplitude
                and (acc_swing is None or acc_swing >= min_accuracy_swing)):
            worst = half + int(np.argmax(tail))
            values = {
                "around_trend": False,
                "from_epoch": int(epochs[half]),
                "rises": int((tail > 0).sum()),
                "steps": int(tail.size),
                "up_pct": pct(up),
                "amplitude_pct": pct(amplitude),
                "scale": _g(scale),
                "worst_epoch": int(epochs[worst + 1]),
                "worst_jump": _g(float(np.diff(x)[worst])),
                "accuracy_metric": acc_key,
                "accuracy_swing_pts": pct(acc_swing) if acc_swing is not None else None,
            }
    if values is None and ctx.run.model is not None and not training_noise(ctx.run):
        # the run file shows the model, and no layer in it injects noise while training
        values = _swings_around_trend(
            ctx, x, epochs, val_aligned, min_wiggle=min_wiggle, level_floor=level_floor,
            settle=settle, min_constant_share=min_constant_share, steady_val_up=steady_val_up)
    if values is None:
        return None
    values["metric"] = key
    values.update(learning_rate_change(ctx.run, lr_factor))
    return Evidence(values, epoch=int(values["from_epoch"]))


def _swings_around_trend(
    ctx: Context,
    x: np.ndarray,
    epochs: np.ndarray,
    val: np.ndarray | None,
    *,
    min_wiggle: float,
    level_floor: float,
    settle: float,
    min_constant_share: float,
    steady_val_up: float,
) -> dict[str, Any] | None:
    """A training loss that swings while its trend keeps falling, measured as FD412 does.

    From the first epoch within ``settle`` times its level: the average per-epoch
    movement beyond "falls, then rises" (:func:`curves.wiggle`), over the level (the
    second half's median, at least ``level_floor`` of where the loss started, or of a
    constant predictor's loss when lower). ``None`` under ``min_wiggle``, under
    ``min_constant_share`` of a constant predictor's loss when the run tells it (swings
    of a loss near zero that no prediction would notice), and when the validation loss
    ``val`` (aligned with ``x``) descends steadily over the same epochs (less than
    ``steady_val_up`` of its movement upward): the epoch averages' noise, not the
    weights jumping. Unlike the first measure, the accuracy's movement is not asked
    for: the constant predictor's share is this measure's test of swings that matter
    (a training loss swinging 10% of its level around a falling trend moved a
    classifier's accuracy by under `min_accuracy_swing` on dev's clf_x100_adam_s1, an
    unstable run by its held-out test curve).
    """
    late = curves.median(x[x.size // 2 :])
    if not late > 0 or not math.isfinite(late):
        return None
    prior = constant_loss(ctx)
    by_prior = prior is not None and prior < float(x[0])
    start = prior if by_prior and prior is not None else float(x[0])
    level = max(late, level_floor * start)
    near = np.flatnonzero(x <= settle * level)
    if near.size == 0:
        return None
    settled = int(near[0])
    judged = x[settled:]
    raw = curves.wiggle(judged)
    ratio = raw / level
    if not math.isfinite(ratio) or ratio < min_wiggle:
        return None
    if prior is not None and raw < min_constant_share * prior:
        return None
    if val is not None:
        moves = np.diff(val[settled:][np.isfinite(val[settled:])])
        total = float(np.abs(moves).sum())
        if total > 0 and float(moves[moves > 0].sum()) / total < steady_val_up:
            return None
    steps = np.diff(judged)
    if steps.size == 0:
        return None
    worst = int(np.argmax(steps))
    return {
        "around_trend": True,
        "from_epoch": int(epochs[settled]),
        "wiggle_pct": pct(ratio),
        **_level_values(level, late, start, by_prior, level_floor),
        "bar_pct": pct(min_wiggle),
        "rises": int((steps > 0).sum()),
        "steps": int(steps.size),
        "worst_epoch": int(epochs[settled + worst + 1]),
        "worst_jump": _g(float(steps[worst])),
        "constant_share_pct": pct(raw / prior) if prior is not None else None,
    }


def _level_values(
    level: float, late: float, start: float, by_prior: bool, level_floor: float
) -> dict[str, Any]:
    """The level swings are measured against, for FD411's and FD412's messages.

    ``level_from`` (and the floor and its base, ``start``) only when the late level was
    too near zero and ``level_floor`` of where the loss started, or of a constant
    predictor's loss when that was lower (``by_prior``), set the level instead.
    """
    floored = level > late
    return {
        "level": _g(level),
        "late_level": _g(late),
        "level_from": ("prior" if by_prior else "start") if floored else None,
        "level_floor_pct": pct(level_floor) if floored else None,
        "start": _g(start) if floored else None,
    }


@detector("validation-oscillation")
def validation_oscillation(
    ctx: Context,
    *,
    min_epochs: int,
    min_wiggle: float,
    level_floor: float,
    wild_start: float,
    settle: float,
    noise_rows: float,
    unknown_rows: int,
    min_accuracy_swing: float,
    min_rows_flipping: float,
    min_constant_share: float,
    min_rises: int,
    end_share: float,
    end_fraction: float,
    infer_max_n: int,
    infer_max_false: float,
    lr_factor: float,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
) -> Evidence | None:
    """A validation loss that swings beyond a steady trend, more than its size explains.

    Measured from the first epoch where the validation loss comes within ``settle``
    times its late median (the descent before is the approach, and a wild stretch that
    settled is not judged): its average per-epoch movement beyond the shape "falls, then
    rises" (:func:`curves.wiggle`: zero for any steady
    descent, rise or turn), as a fraction of its late level (the median of the second
    half, at least ``level_floor`` of where it started, or of a constant predictor's loss
    when that is lower, or of the next two epochs after a first one ``wild_start`` times
    above them: a loss near zero is not judged by ratios of nothing). The bar is
    the larger of ``min_wiggle`` and ``noise_rows / sqrt(n_val)``: when the weights move a
    little, each validation row's loss changes on its own and their mean over ``n_val``
    rows moves by about ``1/sqrt(n_val)`` of a row's change; when the weights jump, every
    row moves at once and the size of the set does not calm it. When the last
    ``end_share`` of the judged epochs (``min_epochs`` or more) swings less than
    ``end_fraction`` as much as the whole stretch, by both measures (the wiggle and the
    robust scatter), the run settled: swings it grew out of are not the model it ends
    with. ``n_val`` is the run
    file's, else read off the validation accuracy's steps, else ``unknown_rows``. When
    the validation accuracy is logged, its own wiggle over the same epochs (beyond
    "rises, then falls") must reach ``min_accuracy_swing`` too: a loss that swings at
    99.9% accuracy is a few confident rows, not a model jumping around. Without an
    accuracy (a regression), when the run tells a constant predictor's loss, the swings
    must reach ``min_constant_share`` of it: material, not a loss near zero moving by
    ratios of its own small level.
    """
    ctx.require_epochs(min_epochs)
    key = ctx.val_loss_key
    judged_curve = _judged_curve(ctx, key, min_epochs, {
        "blowup_factor": blowup_factor, "blowup_level": blowup_level,
        "recover_factor": recover_factor, "dead_tolerance": dead_tolerance,
        "dead_accuracy": dead_accuracy, "dead_accuracy_gain": dead_accuracy_gain,
        "dead_accuracy_peak": dead_accuracy_peak,
    })
    if judged_curve is None:
        return None
    span, ok, x = judged_curve
    tail = x[x.size // 2 :]
    start = float(x[0])
    if start > wild_start * curves.median(x[1:3]):
        start = curves.median(x[1:3])  # a wild first epoch: where the descent really began
    prior = constant_loss(ctx)
    by_prior = prior is not None and prior < start
    if prior is not None:
        start = min(start, prior)
    late = curves.median(tail)
    if not late > 0 or not math.isfinite(late):
        return None  # a late level at or below zero: no level to judge swings by
    level = max(late, level_floor * start)  # finite: late and start are
    # judged from where it first came near its late level: the descent before is the
    # approach, not swings (a wild first stretch that settled is not judged)
    near = np.flatnonzero(x <= settle * late)
    if near.size == 0:  # cannot happen with settle >= 1 (half the tail is at most late)
        return None
    settled = int(near[0])
    judged = x[settled:]
    if int((np.diff(judged) > 0).sum()) < min_rises:
        return None  # one bump after a steep descent: a spike (FD413's), not swings
    raw_wiggle = curves.wiggle(judged)
    wiggle = raw_wiggle / level
    if not math.isfinite(wiggle):
        return None  # swings past the float range: a blow-up's (FD403), not a ratio
    acc_key = ctx.accuracy_key("val_")
    found = validation_size(ctx.run, acc_key, max_n=infer_max_n, max_false=infer_max_false)
    n_val, source = found if found is not None else (unknown_rows, "assumed")
    noise = noise_rows / math.sqrt(max(n_val, 1))
    bar = max(min_wiggle, noise)
    if wiggle < bar:
        return None
    # the swings must still be there at the end: a stretch of spikes that settled (a
    # learning rate cut, early swings the run grew out of) is not the model one ends with
    # settled: both measures of the swings, the movement beyond a fall-then-rise shape and
    # the robust scatter around a line, fell below end_fraction of the whole stretch's
    # (either alone misreads: a two-level zigzag's scatter collapses, a last jump up reads
    # as a rise to the wiggle)
    end = judged[int(judged.size * (1.0 - end_share)) :]
    end_wiggle: float | None = None  # not measured: too few epochs at the end
    if end.size >= min_epochs:
        end_wiggle = curves.wiggle(end) / level
        whole_scatter, end_scatter = curves.scatter(judged), curves.scatter(end)
        if (end_wiggle < end_fraction * wiggle
                and end_scatter < end_fraction * whole_scatter):
            return None
    acc_swing = None
    if acc_key is not None:  # the same epochs, measured the same way
        acc = ctx.array(acc_key)[span.start : span.end][ok][settled:]
        if np.isfinite(acc).sum() >= 3:
            acc_swing = curves.wiggle(-acc)
            # at least a few rows changing their answer each epoch: on 60 rows one row is
            # 1.7 points, so a 1-point bar would count a single flip as a model jumping
            flips = min_rows_flipping / n_val if source != "assumed" else 0.0
            if acc_swing < max(min_accuracy_swing, flips):
                return None
    if acc_swing is None and prior is not None and raw_wiggle < min_constant_share * prior:
        return None  # no accuracy to show the predictions move: swings must be material
    epochs = np.asarray(ctx.epochs[span.start : span.end])[ok]
    steps = np.diff(judged)
    if steps.size == 0:
        return None
    worst = int(np.argmax(steps))
    gaps = np.diff(epochs[settled:])
    every = int(np.median(gaps)) if gaps.size else 1  # validation_freq, or NaN gaps
    values: dict[str, Any] = {
        "metric": key,
        "from_epoch": int(epochs[settled]),
        "wiggle_pct": pct(wiggle),
        "end_wiggle_pct": None if end_wiggle is None else pct(end_wiggle),
        **_level_values(level, late, start, by_prior, level_floor),
        "validation_every": every if every > 1 else None,
        "bar_pct": pct(bar),
        "noise_pct": pct(noise),
        "n_val": int(n_val),
        "n_val_source": source,
        "n_val_assumed": source == "assumed",
        "sampling_sets_bar": source != "assumed" and noise >= min_wiggle,
        "rises": int((steps > 0).sum()),
        "steps": int(steps.size),
        "worst_epoch": int(epochs[settled + worst + 1]),
        "worst_jump": _g(float(steps[worst])),
        "accuracy_metric": acc_key,
        "accuracy_swing_pts": pct(acc_swing) if acc_swing is not None else None,
    }
    values.update(learning_rate_change(ctx.run, lr_factor))
    return Evidence(values, epoch=int(epochs[settled]))  # where the judged swings start


def _up_and_amplitude(
    ctx: Context, span: Any, x: np.ndarray, scale_cap: float
) -> tuple[float, float, float, int, np.ndarray] | None:
    """Upward share and relative amplitude of the second half of ``x``, with the scale.

    The scale is the first judged training loss, at most ``scale_cap`` times the late
    level of ``x``.
    """
    diffs = np.diff(x)
    half = diffs.size // 2
    tail = diffs[half:]
    movement = float(np.abs(tail).sum())
    late_level = abs(curves.median(curves.smooth(x)[half + 1 :]))
    train = ctx.array(ctx.loss_key)[span.start : span.end]
    train = train[np.isfinite(train)]
    if train.size == 0:
        return None
    scale = min(abs(float(train[0])), scale_cap * late_level)
    if movement == 0 or scale <= 0:
        return None
    up = float(tail[tail > 0].sum()) / movement
    amplitude = curves.median(np.abs(tail)) / scale
    return up, amplitude, scale, half, tail


@detector("loss-spikes")
def loss_spikes(
    ctx: Context,
    *,
    min_epochs: int,
    min_ratio: float,
    min_height: float,
    min_spikes: int,
    severe_undo: float,
    judge_noisy: bool,
    lr_factor: float,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
) -> Evidence | None:
    """The training loss jumps ``min_ratio`` times the previous epoch and back, repeatedly.

    A spike counts when the loss is at least ``min_ratio`` times the epoch before, the
    jump is at least ``min_height`` of the loss scale (the first judged training loss:
    swings at the floating-point floor of a converged loss do not count), and the next
    epoch comes back down. ``min_spikes`` of them fire; so does a single one that undoes
    at least ``severe_undo`` of the fall so far (the jump against the first judged loss
    minus the lowest loss before it): one epoch threw away that much of what training
    had achieved. The training loss of a model that injects noise while training is not
    judged unless ``judge_noisy`` (:func:`training_noise`).
    """
    ctx.require_epochs(min_epochs)
    _training_loss_judged(ctx, judge_noisy)
    span = judged_span(
        ctx,
        blowup_factor=blowup_factor,
        blowup_level=blowup_level,
        recover_factor=recover_factor,
        dead_tolerance=dead_tolerance,
        dead_accuracy=dead_accuracy,
        dead_accuracy_gain=dead_accuracy_gain,
        dead_accuracy_peak=dead_accuracy_peak,
    )
    if span.size < min_epochs:
        return None
    raw, _ = curve(ctx, ctx.loss_key, span)
    finite_raw = raw[np.isfinite(raw)]
    if finite_raw.size < min_epochs:
        return None
    scale = abs(float(finite_raw[0]))
    x = curves.fill_gaps(raw)
    spikes: list[int] = []
    undone: list[float] = []  # share of the fall so far that each spike undid
    for i in range(1, x.size):
        prev, cur = float(x[i - 1]), float(x[i])
        if prev <= 0 or cur < min_ratio * prev or cur - prev < min_height * scale:
            continue
        if i + 1 < x.size and float(x[i + 1]) >= cur:
            continue  # still climbing: a rise, not a spike
        spikes.append(i)
        fall = float(x[0]) - float(np.min(x[:i]))
        undone.append((cur - prev) / fall if fall > 0 else 0.0)  # no fall yet: not judged
    if not spikes or (len(spikes) < min_spikes and max(undone) < severe_undo):
        return None
    epochs = ctx.epochs[span.start : span.end]
    ratios = [float(x[i] / x[i - 1]) for i in spikes]
    worst = spikes[int(np.argmax(ratios))]
    values: dict[str, Any] = {
        "spikes": len(spikes),
        "plural": len(spikes) != 1,
        "severe": len(spikes) < min_spikes,
        "undo_pct": pct(max(undone)),
        "undo_epoch": epochs[spikes[int(np.argmax(undone))]],
        "spike_epochs": ", ".join(str(epochs[i]) for i in spikes[:6])
        + (", ..." if len(spikes) > 6 else ""),
        "max_ratio": float(f"{max(ratios):.3g}"),
        "worst_epoch": epochs[worst],
        "worst_from": _g(float(x[worst - 1])),
        "worst_to": _g(float(x[worst])),
        "scale": _g(scale),
    }
    values.update(learning_rate_change(ctx.run, lr_factor))
    return Evidence(values, epoch=epochs[spikes[0]])


def weighted_prior_loss(run: Run, prior: float) -> float:
    """The constant predictor's training loss under the run's ``class_weight``.

    Keras multiplies each sample's loss by its class's weight and averages over the
    samples; the best constant prediction is then ``p_c ∝ w_c n_c`` and its
    cross-entropy ``-Σ a_c log(a_c / Σ a)`` with ``a_c = w_c n_c / n`` (``log 2`` for a
    binary task with balanced weights, far above the unweighted prior loss). ``prior``
    unchanged when the run records no ``class_weight`` (``meta["class_weight"]``) or no
    training class counts.
    """
    weights = run.meta.get("class_weight")
    data = run.data
    counts = data.train_class_counts if data is not None else None
    if not isinstance(weights, dict) or not weights or not counts or sum(counts) <= 0:
        return prior
    n = float(sum(counts))
    a = []
    for c, count in enumerate(counts):
        w = weights.get(str(c), weights.get(c, 1.0))
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
            return prior
        if count > 0 and w > 0:
            a.append(float(w) * count / n)
    total = sum(a)
    if total <= 0:
        return prior
    return float(-sum(x * math.log(x / total) for x in a))


@detector("worse-than-constant")
def worse_than_constant(
    ctx: Context, *, min_epochs: int, class_factor: float, regression_factor: float,
    window_fraction: float, lr_factor: float, blowup_factor: float, max_classes: int,
    max_input_std: float, min_input_max: float, max_input_mean: float,
    max_input_spread: float,
) -> Evidence | None:
    """A training loss that ends far above the loss of predicting the prior (or the mean).

    The constant predictor's loss is a run file's baseline (``prior_loss``), else ln k
    for ``k`` known classes (``--classes``: the loss of predicting every class alike, at
    least the prior's, so the bar is only stricter). A network
    whose training loss ends ``class_factor`` times above it (``regression_factor`` for a
    regression, whose losses spread wider) is worse than predicting the class frequencies
    without looking at the inputs: its weights are broken, whether or not a NaN showed.
    A run trained with ``class_weight`` is held to the constant predictor's weighted
    loss (:func:`weighted_prior_loss`), unless the curve judged is the unweighted metric
    the validation loss mirrors (a ``binary_crossentropy`` metric beside the weighted
    ``loss``: :func:`~fitdoctor.detectors.base.mirrored_loss_key`); one trained with
    ``sample_weight`` is not judged.

    A bare classifier (it logs an accuracy, the run tells neither prior nor class count)
    is judged only when its first epoch blew up, ``blowup_factor`` times ln
    ``max_classes`` (more than any constant prediction of that many classes loses),
    against what its own predictions would lose at honest confidence
    (:func:`~fitdoctor.detectors.span.honest_loss` at its training accuracy, for up to
    ``max_classes`` classes): a loss ``class_factor`` times that, and above ln
    ``max_classes`` itself, is confidence in wrong answers the blow-up left behind.
    Otherwise the rule cannot judge it.
    """
    ctx.require_epochs(min_epochs)
    prior = constant_loss(ctx)
    if prior is None:
        found = _worse_than_honest(
            ctx, min_epochs=min_epochs, class_factor=class_factor,
            window_fraction=window_fraction, blowup_factor=blowup_factor,
            max_classes=max_classes,
        )
        if found is None:
            raise MissingInput(
                "the loss of predicting the class prior (or the mean) is unknown",
                "record the run with FitDoctor(), which records the baselines, or pass "
                "--classes N", needs="run-file",
            )
        found.values.update(learning_rate_change(ctx.run, lr_factor))
        found.values.update(input_scale_advice(
            ctx.run, max_input_std=max_input_std, min_input_max=min_input_max,
            max_input_mean=max_input_mean, max_input_spread=max_input_spread))
        return found
    # ln k: at least the prior's loss, so a stricter bar
    chance = recorded_prior_loss(ctx.run) is None
    if ctx.run.meta.get("sample_weight") is True:
        raise MissingInput(
            "the training loss is weighted by sample_weight: the loss of a constant "
            "predictor under those weights is unknown",
            "judge the validation loss, which Keras does not weight",
        )
    unweighted = prior
    if ctx.loss_key == "loss":
        # a mirrored metric (Context.loss_key) is computed unweighted, as its val_ twin
        prior = weighted_prior_loss(ctx.run, prior)
    train = ctx.array(ctx.loss_key)
    train = train[np.isfinite(train)]
    if train.size < min_epochs:
        return None
    w = min(train.size, max(2, math.ceil(window_fraction * train.size)))
    late = curves.median(train[-w:])
    regression = ctx.run.data is not None and ctx.run.data.task == "regression"
    factor = regression_factor if regression else class_factor
    if late <= factor * prior:
        return None
    values = _late_against(late, prior, w, regression=regression,
                           class_weighted=prior != unweighted, chance=chance)
    values.update(learning_rate_change(ctx.run, lr_factor))
    values.update(input_scale_advice(
        ctx.run, max_input_std=max_input_std, min_input_max=min_input_max,
        max_input_mean=max_input_mean, max_input_spread=max_input_spread))
    return Evidence(values, epoch=ctx.epochs[-min(w, len(ctx.epochs))])


def _late_against(
    late: float, prior: float, window: int, *, regression: bool, class_weighted: bool,
    chance: bool,
) -> dict[str, Any]:
    """The late training loss against the loss it is judged by, as FD404's values."""
    return {
        "late_loss": _g(late),
        "prior_loss": _g(prior),
        "ratio": float(f"{late / prior:.3g}"),
        "window": window,
        "regression": regression,
        "class_weighted": class_weighted,
        "chance": chance,
    }


def _worse_than_honest(
    ctx: Context, *, min_epochs: int, class_factor: float, window_fraction: float,
    blowup_factor: float, max_classes: int,
) -> Evidence | None:
    """A bare classifier that blew up at its first epoch and still loses far too much.

    ``None`` when the run is not such a classifier (see :func:`worse_than_constant`),
    did not start ``blowup_factor`` times ln ``max_classes``, or ends within
    ``class_factor`` times the loss of its own predictions at honest confidence, or
    within ln ``max_classes`` (what predicting every class alike loses at most), or gets
    every training row right (no wrong answer to be confident in: a loss that high is a
    penalty term's).
    """
    bound = class_bound_loss(ctx, max_classes)
    acc_key = ctx.accuracy_key()
    if bound is None or acc_key is None or ctx.run.meta.get("sample_weight") is True:
        return None
    loss = ctx.array(ctx.loss_key)
    acc = ctx.array(acc_key)
    keep = np.isfinite(loss) & np.isfinite(acc)
    loss, acc = loss[keep], acc[keep]
    if loss.size < min_epochs or not loss[0] >= blowup_factor * bound:
        return None
    w = min(loss.size, max(2, math.ceil(window_fraction * loss.size)))
    late = curves.median(loss[-w:])
    accuracy = curves.median(acc[-w:])
    honest = honest_loss(1.0 - accuracy, max_classes)
    if not honest > 0:
        # a training accuracy of 1: no answer is wrong, so a loss above ln K is a penalty
        # term's (a large L2 after the blow-up), not confidence in wrong answers
        return None
    # above ln K too: worse than any constant prediction, whatever k is (at a high
    # accuracy the honest loss is near 0, and a penalty term or label smoothing alone
    # could lift a healthy loss past a multiple of it)
    if not late > max(class_factor * honest, bound):
        return None
    values = _late_against(late, honest, w, regression=False, class_weighted=False,
                           chance=False)
    values.update({
        "bound": True,
        "accuracy_metric": acc_key,
        "accuracy": round(accuracy, 4),
        "max_classes": int(max_classes),
        "first_loss": _g(float(loss[0])),
        "first_ratio": float(f"{loss[0] / bound:.3g}"),
        "bound_loss": _g(bound),
    })
    return Evidence(values, epoch=ctx.epochs[-min(w, len(ctx.epochs))])
