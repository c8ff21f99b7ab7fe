"""Curve detectors: overfitting, underfitting, convergence, divergence, instability.

Each detector measures the training and validation curves of a run and returns the
numbers a rule needs; thresholds are the rules' parameters (``rules/curves.toml``).
All of them judge only the epochs before the first non-finite training loss (what
comes after a NaN is not a curve), and compare changes with the curve's own
epoch-to-epoch noise, so one bad epoch is never a trend.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor import curves
from fitdoctor.detectors.advice import learning_rate_change, regularization_advice
from fitdoctor.detectors.base import Context, Evidence, detector, finite
from fitdoctor.errors import MissingInput
from fitdoctor.readers.names import read_name

#: A training loss this many times a neighbouring epoch's is a blow-up (healthy runs seen
#: in the recorded corpus stay under 20× between consecutive epochs).
SPIKE_FACTOR = 50.0


def _prefix(ctx: Context) -> int:
    """Rows before the first non-finite loss or blow-up: what the curve rules may judge.

    A run whose loss exploded (NaN, infinity, or an epoch :data:`SPIKE_FACTOR` times its
    neighbour) is judged by the divergence rules only; what follows a blow-up, often a
    collapse to a constant predictor, is not a learning curve.
    """
    if "prefix" in ctx.memo:
        return int(ctx.memo["prefix"])
    cut = ctx.run.n_epochs
    for key in ("loss", "val_loss"):
        if ctx.run.has(key):
            bad = np.flatnonzero(ctx.nonfinite(key))
            if bad.size:
                cut = min(cut, int(bad[0]))
    if ctx.run.has("loss"):
        spike = _spike(ctx.array("loss")[:cut])
        if spike is not None:
            cut = min(cut, spike[0])
    ctx.memo["prefix"] = cut
    return cut


def _spike(values: np.ndarray) -> tuple[int, float] | None:
    """First epoch whose loss is SPIKE_FACTOR times a finite neighbour, with that ratio."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if n < 2:
        return None
    ok = np.isfinite(x) & (x > 0)
    usable = np.where(ok, x, np.nan)
    neighbour = np.full(n, np.nan)
    neighbour[1:] = usable[:-1]
    neighbour[:-1] = np.fmax(neighbour[:-1], usable[1:])
    with np.errstate(invalid="ignore"):
        hit = ok & (x >= SPIKE_FACTOR * neighbour)
    idx = np.flatnonzero(hit)
    if idx.size == 0:
        return None
    i = int(idx[0])
    return i, float(x[i] / neighbour[i])


def _curve(ctx: Context, key: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw and smoothed curve over the first ``n`` rows."""
    raw = ctx.array(key)[:n]
    return raw, curves.smooth(raw)


def _pct(x: float) -> float:
    return round(100.0 * x, 1)


# --------------------------------------------------------------------- overfitting
@detector("val-loss-divergence")
def val_loss_divergence(
    ctx: Context,
    *,
    min_epochs: int,
    min_rise: float,
    noise_factor: float,
    min_after: int,
    min_train_drop: float,
    max_patience: int,
) -> Evidence | None:
    """Validation loss rising from its minimum while the training loss keeps falling."""
    ctx.require_epochs(min_epochs)
    n = _prefix(ctx)
    if n < min_epochs:
        raise MissingInput(f"only {n} finite epochs", "fix the divergence first")
    val_raw, val = _curve(ctx, ctx.val_loss_key, n)
    train_raw, train = _curve(ctx, ctx.loss_key, n)
    if _climbs(train_raw):
        return None  # a training loss that explodes is diverging, not overfitting
    b = int(np.argmin(val))
    after = n - 1 - b
    if after < min_after:
        return None
    level = float(val[b])
    # where the curve ends: the median of its last three logged values (robust to one bad
    # epoch, and not pulled back towards the middle as a smoothed end point is)
    after_best = val_raw[b + 1 : n]
    after_best = after_best[np.isfinite(after_best)]
    if after_best.size == 0:
        return None
    end_level = curves.median(after_best[-3:])
    rise = end_level - level
    band = noise_factor * ctx.noise(ctx.val_loss_key, val_raw)
    if level <= 0 or rise <= band or rise / level < min_rise:
        return None
    # the rise must persist: most of the last half of the epochs after the best sit above
    late = after_best[after_best.size // 2 :]
    if np.mean(late > level + band / 2) < 0.6:
        return None
    train_drop = (float(train[b]) - float(train[-1])) / abs(float(train[b])) if train[b] else 0.0
    if train_drop < min_train_drop:
        return None
    raw_best = curves.best_index(val_raw)
    assert raw_best is not None
    raw_min = float(val_raw[raw_best])
    finite_val = val_raw[np.isfinite(val_raw)]
    raw_last = float(finite_val[-1])
    epochs = ctx.epochs
    # the turn: after the later of the smoothed minimum and the raw best epoch
    turn = min(max(b, raw_best) + 1, n - 1)
    after = n - turn
    values: dict[str, Any] = {
        "start_epoch": epochs[turn],
        "val_best": round(raw_min, 4),
        "val_best_epoch": epochs[raw_best],
        "val_last": round(raw_last, 4),
        "rise_pct": _pct((raw_last - raw_min) / raw_min) if raw_min > 0 else _pct(rise / level),
        "duration": after,
        "train_drop_pct": _pct(train_drop),
        "gap_last": round(float(val[-1] - train[-1]), 4),
        "stop_epoch": epochs[raw_best],
        "val_noise": round(band / noise_factor, 4),
    }
    raw_after = ctx.epochs[n - 1] - epochs[raw_best]
    stopped = _stopped_early(ctx)
    looks_stopped = (
        stopped if stopped is not None else (n == ctx.run.n_epochs and raw_after <= max_patience)
    )
    values["early_stopped"] = int(bool(looks_stopped))
    values["_stopped_text"] = (
        f"; training stopped {raw_after} epochs after its best, as EarlyStopping does: "
        f"with restore_best_weights=True you kept epoch {epochs[raw_best]}"
        if looks_stopped
        else ""
    )
    values["_accuracy_text"] = _accuracy_after(ctx, raw_best, n)
    values.update(regularization_advice(ctx.run))
    return Evidence(values, epoch=values["start_epoch"])


def _accuracy_after(ctx: Context, best: int, n: int) -> str:
    """A note when the validation accuracy kept improving after the val_loss minimum.

    A rising validation loss with a rising accuracy is over-confidence on the samples
    the model gets wrong: the loss overfits before the accuracy does.
    """
    key = ctx.accuracy_key()
    if key is None or not ctx.run.has("val_" + key):
        return ""
    acc = ctx.array("val_" + key)[:n]
    i = curves.best_index(acc, mode="max")
    if i is None or i <= best or not np.isfinite(acc[best]):
        return ""
    gain = float(acc[i] - acc[best])
    if gain <= 2 * ctx.noise("val_" + key, acc) or gain < 0.005:
        return ""
    return (
        f"; val_{key} still rose from {acc[best]:.4f} to {acc[i]:.4f} (epoch {ctx.epochs[i]}):"
        f" the loss overfits first, so monitor val_{key} if accuracy is what you ship"
    )


def _stopped_early(ctx: Context) -> bool | None:
    """True/False when the run's facts say whether training stopped early; None if unknown."""
    run = ctx.run
    if run.status == "stopped-early":
        return True
    if run.status == "completed":
        return False
    if run.fit is not None and run.fit.epochs:
        return run.epochs[-1] < run.fit.epochs
    return None


@detector("generalization-gap")
def generalization_gap(
    ctx: Context,
    *,
    min_epochs: int,
    max_accuracy_gap: float,
    max_loss_ratio: float,
    min_val_loss: float,
    window: int,
    max_val_rise: float,
) -> Evidence | None:
    """A persistent train/validation gap at the end of training, without a rise."""
    ctx.require_epochs(min_epochs)
    n = _prefix(ctx)
    if n < min_epochs:
        return None
    _, val = _curve(ctx, ctx.val_loss_key, n)
    _, train = _curve(ctx, ctx.loss_key, n)
    if float(val[-1]) > float(val.min()) * (1 + max_val_rise):
        return None  # a rising validation loss is FD101's finding, not a steady gap
    w = min(window, n)
    acc_key = ctx.accuracy_key()
    values: dict[str, Any] = {}
    if acc_key and ctx.run.has("val_" + acc_key):
        _, tacc = _curve(ctx, acc_key, n)
        _, vacc = _curve(ctx, "val_" + acc_key, n)
        gaps = tacc[-w:] - vacc[-w:]
        if not (gaps >= max_accuracy_gap).all():
            return None
        values.update(
            metric=acc_key,
            gap=round(float(gaps[-1]), 4),
            gap_pct=_pct(float(gaps[-1])),
            accuracy_gap=round(float(gaps[-1]), 4),
            train_value=round(float(tacc[-1]), 4),
            val_value=round(float(vacc[-1]), 4),
            threshold_pct=_pct(max_accuracy_gap),
        )
    else:
        ratio = val[-w:] / np.maximum(train[-w:], 1e-12)
        if not ((ratio >= max_loss_ratio).all() and float(val[-1]) >= min_val_loss):
            return None
        values.update(
            metric="loss",
            gap=round(float(val[-1] - train[-1]), 4),
            gap_pct=_pct(float(ratio[-1]) - 1.0),
            train_value=round(float(train[-1]), 4),
            val_value=round(float(val[-1]), 4),
            threshold_pct=_pct(max_loss_ratio - 1.0),
        )
    values.update(regularization_advice(ctx.run))
    return Evidence(values, epoch=ctx.epochs[n - w])


# -------------------------------------------------------------------- underfitting
@detector("high-plateau")
def high_plateau(
    ctx: Context,
    *,
    min_epochs: int,
    plateau_tolerance: float,
    min_plateau: int,
    max_accuracy: float,
    chance_fraction: float,
    baseline_fraction: float,
    max_gap_ratio: float,
    min_progress: float,
    min_plateau_fraction: float,
) -> Evidence | None:
    """Training loss flat at a poor level, with validation close to training."""
    ctx.require_epochs(min_epochs)
    n = _prefix(ctx)
    if n < min_epochs:
        return None
    train_raw, train = _curve(ctx, ctx.loss_key, n)
    first = float(train_raw[np.isfinite(train_raw)][0])
    if first == 0 or float(np.nanmax(train_raw) - np.nanmin(train_raw)) / abs(first) < min_progress:
        return None  # a loss that never moved is stalled (FD302), not a capacity limit
    start = curves.plateau_start(train_raw, plateau_tolerance)
    if start is None or n - start < max(min_plateau, round(min_plateau_fraction * n)):
        return None
    level = float(train[-1])
    run = ctx.run
    assumption: str | None = None
    reference: float | None = None
    acc_key = ctx.accuracy_key()
    base = run.baselines
    if base is not None and base.prior_loss:
        reference = float(base.prior_loss)
        if level < baseline_fraction * reference:
            return None
        assumption = (
            f"training loss {level:.4f} is {level / reference:.0%} of the loss of predicting "
            f"the class prior ({reference:.4f})"
        )
    elif ctx.n_classes and ctx.n_classes >= 2:
        reference = math.log(ctx.n_classes)
        if level < chance_fraction * reference:
            return None
        assumption = (
            f"training loss {level:.4f} is {level / reference:.0%} of the chance level "
            f"ln({ctx.n_classes}) = {reference:.4f}"
        )
    elif acc_key is not None:
        _, acc = _curve(ctx, acc_key, n)
        if float(acc[-1]) > max_accuracy:
            return None
        assumption = (
            f"{acc_key} plateaued at {float(acc[-1]):.3f}, far from 1 "
            f"(assumed poor below {max_accuracy:.2f}; pass --classes for a chance-level check)"
        )
    else:
        raise MissingInput(
            "no accuracy metric, class count or baseline to judge the loss level",
            "pass --task/--classes, log accuracy, or record the run with FitDoctor()",
        )
    if run.has("val_loss"):
        _, val = _curve(ctx, "val_loss", n)
        if float(val[-1]) > level * (1 + max_gap_ratio):
            return None  # a large gap is variance, not bias
        val_level: float | None = round(float(val[-1]), 4)
    else:
        val_level = None
    values: dict[str, Any] = {
        "plateau_epoch": ctx.epochs[start],
        "plateau_epochs": n - start,
        "loss_level": round(level, 4),
        "val_loss_level": val_level,
        "_assumption": assumption,
    }
    adv = regularization_advice(run)
    values["units_now"] = adv["units_now"]
    values["units_more"] = 2 * adv["units_now"] if adv["units_now"] else None
    values["l2_now"] = adv["l2_now"] if adv["l2_now"] not in (None, "0") else None
    return Evidence(values, epoch=ctx.epochs[start])


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
    min_t: float,
    slow_total_drop: float,
) -> Evidence | None:
    """The monitored loss still falling materially over the last epochs.

    Material means: a significant slope, a fall of at least ``min_gain`` over the tail,
    and either a tail that holds at least ``min_share`` of the run's whole fall (slow
    but steady) or a pace of at least ``min_pace`` of the level per epoch (fast).
    """
    ctx.require_epochs(min_epochs)
    n = _prefix(ctx)
    if n < min_epochs or n < ctx.run.n_epochs:
        return None  # diverged runs are not "unfinished"
    key = "val_loss" if ctx.run.has("val_loss") else ctx.loss_key
    raw, smooth = _curve(ctx, key, n)
    w = max(min_window, round(window_fraction * n))
    w = min(w, n)
    tr = curves.trend(raw, w)
    if tr is None or tr.slope >= 0 or -tr.t() < min_t:
        return None
    level = float(smooth[-1])
    if level <= 0:
        return None
    gain = -tr.slope * (w - 1) / abs(float(smooth[n - w]))
    if gain < min_gain:
        return None
    total = float(np.max(smooth) - smooth[-1])
    share = -tr.slope * (w - 1) / total if total > 0 else 0.0
    pace = -tr.slope / level
    if share < min_share and pace < min_pace:
        return None  # the tail's fall is a sliver of what the run achieved: converging
    # the validation curve must not have turned: its last epochs are its best region
    best = curves.best_index(smooth)
    if best is not None and best < n - max(2, w // 2):
        return None
    more = _epochs_more(raw[n - w :], n)
    _, train = _curve(ctx, ctx.loss_key, n)
    total_drop = (float(train[0]) - float(train[-1])) / abs(float(train[0])) if train[0] else 0.0
    values: dict[str, Any] = {
        "monitor": key,
        "window": w,
        "from_epoch": ctx.epochs[n - w],
        "gain_pct": _pct(gain),
        "share_pct": _pct(min(share, 1.0)),
        "per_epoch_pct": _pct(gain / max(1, w - 1)),
        "last_value": round(float(raw[np.isfinite(raw)][-1]), 4),
        "epochs_more": more,
        "epochs_total": ctx.epochs[-1] + more,
        "total_drop_pct": _pct(total_drop),
        "slow": total_drop < slow_total_drop and n >= 10,
    }
    if values["slow"]:
        values.update(learning_rate_change(ctx.run, 3.0))
    values["_slow_text"] = "slowly " if values["slow"] else ""
    return Evidence(values, epoch=ctx.epochs[n - w])


def _epochs_more(tail: np.ndarray, n: int) -> int:
    """Epochs until the tail's improvement fades, from its decay between halves."""
    tail = curves.fill_gaps(tail)
    half = max(1, tail.size // 2)
    g1 = float(tail[0] - tail[half])
    g2 = float(tail[half] - tail[-1])
    if g1 <= 0 or g2 <= 0:
        return max(half * 2, n // 2)
    q = min(0.95, max(0.05, g2 / g1))
    # halves until the gain per half falls to 10% of the last one
    halves = math.log(0.1) / math.log(q)
    more = math.ceil(halves * half)
    return min(max(more, half * 2), 3 * n)


@detector("flat-loss")
def flat_loss(ctx: Context, *, min_epochs: int, max_change: float) -> Evidence | None:
    """Training loss that barely moves from its first epoch."""
    ctx.require_epochs(min_epochs)
    n = _prefix(ctx)
    if n < min_epochs:
        return None
    raw = ctx.array(ctx.loss_key)[:n]
    first = float(raw[np.isfinite(raw)][0])
    if first == 0:
        return None
    lo, hi = float(np.nanmin(raw)), float(np.nanmax(raw))
    change = (hi - lo) / abs(first)
    if change > max_change:
        return None
    values: dict[str, Any] = {
        "first": round(first, 4),
        "last": round(float(raw[np.isfinite(raw)][-1]), 4),
        "change_pct": round(100 * change, 2),
        "threshold_pct": round(100 * max_change, 2),
    }
    values.update(learning_rate_change(ctx.run, 10.0))
    return Evidence(values, epoch=ctx.epochs[0])


# --------------------------------------------------------------------- divergence
@detector("non-finite-loss")
def non_finite_loss(ctx: Context) -> Evidence | None:
    """A NaN or infinite loss (training or validation)."""
    ctx.require_epochs(1)
    masks = {key: ctx.nonfinite(key) for key in ("loss", "val_loss") if ctx.run.has(key)}
    found = [
        (int(np.flatnonzero(mask)[0]), key) for key, mask in masks.items() if mask.any()
    ]
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
        "last_finite": round(float(finite_before[-1]), 4) if finite_before.size else None,
        "nonfinite_epochs": bad,
        "_before_text": (
            f" (last finite training loss {float(finite_before[-1]):.4g})"
            if finite_before.size
            else ""
        ),
        "_count_text": f"{bad} epoch{'s' if bad != 1 else ''} with a non-finite loss",
    }
    values.update(learning_rate_change(ctx.run, 0.1))
    return Evidence(values, epoch=ctx.epochs[i])


def _rise_over_running_min(x: np.ndarray) -> np.ndarray | None:
    """Each epoch's loss divided by the lowest loss so far (0 where that is not positive).

    ``None`` when the curve is too short, not finite, or does not start positive: such
    a curve cannot be judged as climbing.
    """
    if x.size < 2 or not np.isfinite(x).all() or x[0] <= 0:
        return None
    running_min = np.minimum.accumulate(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio: np.ndarray = np.where(running_min > 0, x / running_min, 0.0)
    return ratio


def _climbs(raw: np.ndarray, factor: float = 3.0) -> bool:
    """True when a loss rises ``factor`` times above its running minimum and its start."""
    x = curves.fill_gaps(raw)
    ratio = _rise_over_running_min(x)
    return ratio is not None and bool(np.any((ratio >= factor) & (x > x[0])))


@detector("exploding-loss")
def exploding_loss(
    ctx: Context,
    *,
    min_epochs: int,
    factor: float,
    min_rising: int,
) -> Evidence | None:
    """Finite training loss climbing far above its running minimum and its start."""
    ctx.require_epochs(min_epochs)
    full = ctx.array(ctx.loss_key)
    end = curves.first_nonfinite(full)
    raw = curves.fill_gaps(full[: end if end is not None else full.size])
    ratio = _rise_over_running_min(raw)
    if raw.size < min_epochs or ratio is None:
        return None
    peak_i = int(np.argmax(ratio))
    if ratio[peak_i] < factor or raw[peak_i] <= raw[0]:
        return None
    low_i = int(np.argmin(raw[: peak_i + 1]))
    above = int(np.sum(raw[low_i:] > raw[0]))
    if above < min_rising:
        return None
    values: dict[str, Any] = {
        "min_loss": float(f"{raw[low_i]:.4g}"),
        "min_epoch": ctx.epochs[low_i],
        "peak_loss": float(f"{raw[peak_i]:.4g}"),
        "peak_epoch": ctx.epochs[peak_i],
        "ratio": float(f"{ratio[peak_i]:.3g}"),
        "epochs_above_start": above,
    }
    values.update(learning_rate_change(ctx.run, 0.1))
    return Evidence(values, epoch=ctx.epochs[min(low_i + 1, raw.size - 1)])


@detector("loss-spike")
def loss_spike(ctx: Context) -> Evidence | None:
    """One epoch whose training loss is orders of magnitude above its neighbours."""
    ctx.require_epochs(2)
    full = ctx.array(ctx.loss_key)
    finite_end = curves.first_nonfinite(full)
    spike = _spike(full[: finite_end if finite_end is not None else full.size])
    if spike is None:
        return None
    i, ratio = spike
    rest = full[i + 1 :]
    rest = rest[np.isfinite(rest)]
    values: dict[str, Any] = {
        "spike_loss": float(f"{full[i]:.4g}"),
        "spike_epoch": ctx.epochs[i],
        "ratio": float(f"{ratio:.3g}"),
        "after": float(f"{curves.median(rest):.4g}") if rest.size else None,
        "factor": SPIKE_FACTOR,
    }
    values.update(learning_rate_change(ctx.run, 0.1))
    return Evidence(values, epoch=ctx.epochs[i])


# ---------------------------------------------------------------------- stability
@detector("oscillation")
def oscillation(
    ctx: Context,
    *,
    metric: str,
    min_epochs: int,
    min_up: float,
    max_up: float,
    min_amplitude: float,
) -> Evidence | None:
    """A loss that goes up and down from epoch to epoch in its second half.

    Measured on the second half of the run (the steady state, after the first descent):
    the share of all movement that is upward (0 for a steady descent, about 0.5 for a
    random walk), and the median epoch-to-epoch change relative to the problem's scale:
    the first epoch's training loss, capped at ten times the curve's late level (so a
    loss that starts huge, as with unscaled regression targets, does not hide swings).
    Relative to the scale rather than to the level, because a validation loss near zero
    swings by large ratios when a single sample changes its mind.
    """
    ctx.require_epochs(min_epochs)
    n = _prefix(ctx)
    if n < min_epochs:
        return None
    key = ctx.val_loss_key if metric == "val_loss" else ctx.loss_key
    raw = ctx.array(key)[:n]
    ok = np.isfinite(raw)
    x = raw[ok]
    if x.size < min_epochs:
        return None
    diffs = np.diff(x)
    half = diffs.size // 2
    tail = diffs[half:]
    movement = float(np.abs(tail).sum())
    late_level = abs(curves.median(curves.smooth(x)[half + 1:]))
    train = ctx.array(ctx.loss_key)
    first = float(train[np.isfinite(train)][0])
    scale = min(abs(first), 10 * late_level)
    if movement == 0 or scale <= 0:
        return None
    up = float(tail[tail > 0].sum()) / movement
    amplitude = curves.median(np.abs(tail)) / scale
    if up < min_up or up > max_up or amplitude < min_amplitude:
        return None
    epochs = np.asarray(ctx.epochs)[ok]
    worst = half + int(np.argmax(tail))
    values: dict[str, Any] = {
        "metric": key,
        "from_epoch": int(epochs[half]),
        "rises": int((tail > 0).sum()),
        "steps": int(tail.size),
        "up_pct": _pct(up),
        "amplitude_pct": _pct(amplitude),
        "scale": float(f"{scale:.4g}"),
        "worst_epoch": int(epochs[worst + 1]),
        "worst_jump": float(f"{diffs[worst]:.4g}"),
    }
    values.update(learning_rate_change(ctx.run, 0.3))
    return Evidence(values, epoch=int(epochs[half]))


# ---------------------------------------------------------------- validation setup
@detector("no-validation")
def no_validation(ctx: Context) -> Evidence | None:
    """No validation curve at all."""
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
        "n_val_proposed": f"{round(0.2 * n_train):,}" if n_train else None,
        "kfold_hint": finite(float(n_train)) if n_train else None,
    }
    return Evidence(values, epoch=None)
