"""Which epochs the curve rules judge, and measurements several curve detectors share.

A learning curve is judged between two cuts:

* **the start**: a first epoch (or two) whose average loss is ``blowup_factor`` times
  what follows is a wild start (unscaled inputs or targets, a first step far too big),
  not part of the curve's shape. When the network is *dead* after it, that start is a
  blow-up, and nothing after it is a learning curve. Dead means: the training and
  validation losses sit at a constant (within ``dead_tolerance``: a collapse to a
  constant prediction), or the training accuracy stays below ``dead_accuracy`` without
  gaining ``dead_accuracy_gain`` (stuck near chance), or the network *froze*: the
  training loss sits at exactly 0 (saturated outputs, no gradient left) and the
  validation loss at a constant. A first epoch (or two) ``blowup_factor`` times the
  loss of a constant predictor (a run file's ``prior_loss``, else ln k for k known
  classes) is a wild start too when the network is dead after it, however gradually
  the loss came down from it (3950 → 1005 → 258 → 77 → 24 → 0.0 on a frozen network),
  or when no training or validation loss after it beats that constant predictor's (the
  network never learned anything the constant does not know).
* **the end**: the first logged non-finite loss, or the first epoch whose training loss
  jumps ``blowup_factor`` times above the previous one to a level that matters (at least
  ``blowup_level`` of the loss at the start) and does not come back (within
  ``recover_factor`` of its level before the jump, over the next three epochs). What
  follows a blow-up is not a learning curve either; a jump the run recovers from is a
  spike (the ``loss-spikes`` detector), not a blow-up.

The rules' parameters set every factor (``rules/curves.toml``, shared ``[params]``);
these functions measure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fitdoctor import curves
from fitdoctor.detectors.base import Context
from fitdoctor.errors import MissingInput
from fitdoctor.run import Run


@dataclass(frozen=True)
class Span:
    """The rows the curve rules judge, and why the curve was cut.

    Args:
        start: First judged row.
        end: One past the last judged row.
        blowup: Row of a blow-up (a jump, or a wild start the network died of), if any.
        blowup_ratio: How many times the neighbouring epoch's loss the blow-up was.
        wild_start: Rows skipped at the start as a wild first epoch the run recovered from.
        dead_by: After a wild start the network died: ``"loss"`` (constant losses),
            ``"frozen"`` (a training loss of exactly 0 and a constant validation loss),
            ``"accuracy"`` (accuracy stuck low) or ``"constant"`` (no epoch after it beat
            the constant predictor's loss); ``None`` otherwise.
        baseline: The constant predictor's loss the blow-up was measured against, when
            the wild start was found against it (``blowup_ratio`` is then a multiple of
            it, not of the next epoch's loss).
        frozen_unknown: The network froze after its first epoch, but the run does not
            tell the constant predictor's loss, so whether that first epoch was a
            blow-up cannot be judged (a bare history without ``--classes``).
    """

    start: int
    end: int
    blowup: int | None = None
    blowup_ratio: float | None = None
    wild_start: int = 0
    dead_by: str | None = None
    baseline: float | None = None
    frozen_unknown: bool = False

    @property
    def size(self) -> int:
        """Number of judged rows."""
        return max(0, self.end - self.start)


def judged_span(
    ctx: Context,
    *,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
) -> Span:
    """The judged rows of ``ctx``'s run (memoized per parameter set)."""
    dead = (dead_tolerance, dead_accuracy, dead_accuracy_gain, dead_accuracy_peak)
    memo_key = f"span:{blowup_factor}:{blowup_level}:{recover_factor}:{dead}"
    cached = ctx.memo.get(memo_key)
    if isinstance(cached, Span):
        return cached
    span = _compute_span(ctx, blowup_factor, blowup_level, recover_factor, dead)
    ctx.memo[memo_key] = span
    return span


def _compute_span(
    ctx: Context,
    blowup_factor: float,
    blowup_level: float,
    recover_factor: float,
    dead: tuple[float, float, float, float],
) -> Span:
    n = ctx.run.n_epochs
    end = n
    for key in ("loss", "val_loss"):
        if ctx.run.has(key):
            bad = np.flatnonzero(ctx.nonfinite(key))
            if bad.size:
                end = min(end, int(bad[0]))
    if not ctx.run.has("loss"):
        return Span(0, end)
    x = ctx.array("loss")[:end]
    start = _wild_start(x, blowup_factor)
    dead_by = _dead_after(ctx, x, start, *dead) if start else None
    if dead_by is not None:
        low = float(np.nanmin(x[start : start + 3]))
        ratio = float(x[0] / low) if low > 0 else math.inf
        return Span(0, 0, blowup=0, blowup_ratio=ratio, dead_by=dead_by)
    baseline = constant_loss(ctx)
    above = _wild_start(x, blowup_factor, baseline) if baseline else 0
    high = above if start == 0 else 0
    dead_by = _dead_after(ctx, x, high, *dead) if high else None
    if dead_by is None and above and baseline and _never_beat_constant(ctx, x, above, baseline):
        dead_by = "constant"
    if dead_by is not None and baseline:
        peak = int(np.nanargmax(x[:above]))
        return Span(0, 0, blowup=peak, blowup_ratio=float(x[peak] / baseline),
                    dead_by=dead_by, baseline=baseline)
    unknown = start == 0 and not baseline and _dead_after(ctx, x, 1, *dead) == "frozen"
    jump = _jump(x, start, blowup_factor, blowup_level, recover_factor)
    if jump is not None:
        return Span(start, jump[0], blowup=jump[0], blowup_ratio=jump[1], wild_start=start)
    return Span(start, end, wild_start=start, frozen_unknown=unknown)


def _wild_start(x: np.ndarray, factor: float, baseline: float | None = None) -> int:
    """Leading rows (at most two) whose loss is ``factor`` times the next epoch's.

    With a ``baseline`` (the constant predictor's loss): leading rows whose loss is
    ``factor`` times that instead.
    """
    start = 0
    while start < min(2, x.size - 2):
        cur, nxt = float(x[start]), float(x[start + 1])
        ref = nxt if baseline is None else baseline
        if not (np.isfinite(cur) and np.isfinite(nxt) and ref > 0 and cur >= factor * ref):
            break
        start += 1
    return start


def recorded_prior_loss(run: Run) -> float | None:
    """A run file's ``prior_loss`` (predicting the class frequencies, or the mean target).

    ``None`` when the run does not record one, or it is not finite and above zero.
    """
    prior = run.baselines.prior_loss if run.baselines is not None else None
    if isinstance(prior, (int, float)) and math.isfinite(prior) and prior > 0:
        return float(prior)
    return None


def constant_loss(ctx: Context) -> float | None:
    """The loss of a constant predictor, when the run tells it; else ``None``.

    A run file's ``prior_loss`` (predicting the class frequencies, or the mean target);
    else, for a classification with ``k`` known classes (``--classes``), ln k: the loss
    of predicting every class alike, which is at least the prior's (a cross-entropy
    loss, as a classifier of known classes uses). A bare history knows neither.
    """
    prior = recorded_prior_loss(ctx.run)
    if prior is not None:
        return prior
    data = ctx.run.data
    k = ctx.n_classes
    if k and k >= 2 and (data is None or data.task != "regression"):
        return math.log(k)
    return None


def class_bound_loss(ctx: Context, max_classes: float) -> float | None:
    """The most a constant prediction can lose, ln K, for a classifier of up to K classes.

    Only for a run that tells neither the constant predictor's loss nor its class count
    (:func:`constant_loss` is ``None``: a bare history) but logs a training accuracy, so
    it is a classifier, trained (as Keras classifiers are) on a cross-entropy: predicting
    every class alike loses ln k <= ln K, and the class frequencies lose less. ``None``
    otherwise (a known baseline, a regression, no accuracy, ``max_classes`` below 2).
    """
    if constant_loss(ctx) is not None or max_classes < 2 or ctx.accuracy_key() is None:
        return None
    data = ctx.run.data
    if data is not None and data.task == "regression":
        return None
    return math.log(max_classes)


def binary_entropy(p: float) -> float:
    """``-p ln p - (1 - p) ln(1 - p)``: the entropy of a two-way split ``p : 1 - p``.

    What always predicting a class of share ``p`` loses on a binary task, and a lower
    bound of what a constant output scoring accuracy ``p`` loses on any number of
    classes (merging classes only lowers the entropy). ``0`` at 0 and 1.
    """
    q = min(max(p, 0.0), 1.0)
    return float(-sum(x * math.log(x) for x in (q, 1.0 - q) if x > 0))


def honest_loss(error: float, max_classes: float) -> float:
    """The cross-entropy of a classifier's own predictions at honest confidence.

    A classifier that errs on a share ``error`` of its rows and puts probability
    ``1 - error`` on the class it predicts, ``error / (k - 1)`` on each other one, loses
    h(error) + error ln(k - 1) (h: the binary entropy), the most any predictor of that
    accuracy needs to lose (Fano's inequality); with up to ``max_classes`` classes at
    most h(error) + error ln(max_classes - 1). A loss far above it is confidence in
    wrong answers: outputs saturated far past what the accuracy supports.
    """
    e = min(max(error, 0.0), 1.0)
    return binary_entropy(e) + e * math.log(max(max_classes - 1.0, 1.0))


def bounded_blowup(
    ctx: Context,
    bound: float,
    *,
    blowup_factor: float,
    dead_tolerance: float,
    dead_accuracy: float,
    dead_accuracy_gain: float,
    dead_accuracy_peak: float,
) -> tuple[int, float, str] | None:
    """A wild start against ``bound`` (ln K) that the network died of, for a bare classifier.

    The span's own test against a constant predictor's loss (a run file's prior loss,
    ln k with ``--classes``), with the most any constant prediction of up to K classes
    loses instead (:func:`class_bound_loss`): a first epoch (or two) ``blowup_factor``
    times ln K, after which the network is dead, as :func:`judged_span` tells dead.
    Returns ``(row of the peak, its multiple of bound, how it died)``, or ``None``.
    """
    if not ctx.run.has("loss") or bound <= 0:
        return None
    x = ctx.array("loss")
    bad = np.flatnonzero(~np.isfinite(x))
    x = x[: int(bad[0])] if bad.size else x
    if _wild_start(x, blowup_factor):
        return None  # a wild start against the next epoch: judged_span decides it
    high = _wild_start(x, blowup_factor, bound)
    if not high:
        return None
    dead_by = _dead_after(ctx, x, high, dead_tolerance, dead_accuracy, dead_accuracy_gain,
                          dead_accuracy_peak)
    if dead_by is None:
        return None
    peak = int(np.nanargmax(x[:high]))
    return peak, float(x[peak] / bound), dead_by


def late_freeze(
    ctx: Context, baseline: float | None, *, blowup_factor: float, frozen_epochs: int
) -> tuple[int, float, float | None, int] | None:
    """A wild start after which the network froze before the end, however late.

    :func:`judged_span` tells a frozen network over the last half of the run; one that
    kept bouncing for most of the run and froze only at the end (Adam at a learning rate
    of 5 on wine: 836 → 289 → ... → 376 → 222 → 0 → 48 → 0 0 0 0 0 0 0, its validation
    loss exactly 0 from epoch 6) is frozen too: a training loss of exactly 0 over the last
    ``frozen_epochs`` epochs or more, beside a validation loss that repeats its value
    exactly (at the epochs it was logged; not judged when none of them falls in those
    last epochs), is a network whose weights no longer change. The
    start is wild as :func:`judged_span` tells it: its first epoch (or two)
    ``blowup_factor`` times the next one's loss, or ``baseline`` (the constant
    predictor's loss, or ln ``max_classes`` for a bare classifier).

    Returns ``(row of the peak, ratio, baseline or None, frozen epochs)`` or ``None``.
    """
    if not ctx.run.has("loss"):
        return None
    x = ctx.array("loss")
    if not np.isfinite(x).all():
        return None  # a NaN or inf loss is FD401's
    zeros = int(np.argmax(x[::-1] != 0)) if np.any(x != 0) else x.size
    if zeros < max(frozen_epochs, 1):
        return None
    if ctx.run.has("val_loss"):
        # the epochs it was logged at (validation_freq > 1 leaves gaps between them)
        val = ctx.array("val_loss")[-zeros:]
        val = val[np.isfinite(val) | ctx.nonfinite("val_loss")[-zeros:]]
        if val.size == 0 or not np.isfinite(val).all() or np.any(val != val[-1]):
            return None
    live = x[: x.size - zeros]
    start = _wild_start(live, blowup_factor) if live.size >= 3 else 0
    if start:
        low = float(np.nanmin(live[start : start + 3]))
        return 0, (float(live[0] / low) if low > 0 else math.inf), None, zeros
    high = _wild_start(live, blowup_factor, baseline) if baseline else 0
    if not high or baseline is None:
        return None
    peak = int(np.nanargmax(live[:high]))
    return peak, float(live[peak] / baseline), baseline, zeros


def _dead_after(
    ctx: Context, x: np.ndarray, start: int, tolerance: float, accuracy: float, gain: float,
    peak: float,
) -> str | None:
    """How the network is dead after a wild start (it never learns again), or ``None``.

    Either the losses sit at a constant (``"loss"``: a collapse to a constant
    prediction; ``"frozen"`` when the training loss sits at exactly 0: outputs so
    saturated that no gradient is left, and the weights no longer change), or the
    training accuracy stays below ``accuracy`` without gaining ``gain`` along its trend,
    nor peaking ``peak`` times ``gain`` above its first reading (stuck at chance while
    the loss bounces).
    """
    rest = x[start:]
    rest = rest[np.isfinite(rest)]
    if rest.size < 3:
        return None
    acc_key = ctx.accuracy_key()
    if acc_key is not None:
        acc = ctx.array(acc_key)[start : x.size]
        acc = acc[np.isfinite(acc)]
        line = curves.theil_sen(acc)
        if (
            acc.size >= 3 and line is not None and curves.median(acc) < accuracy
            and line[0] * (acc.size - 1) < gain and float(acc.max() - acc[0]) < peak * gain
        ):
            return "accuracy"
    tail = rest[-max(3, rest.size // 2):]
    if not _flat(tail, tolerance):
        return None
    if ctx.run.has("val_loss"):
        val = ctx.array("val_loss")[start : x.size]
        val = val[np.isfinite(val)]
        if val.size >= 3 and not _flat(val[-max(3, val.size // 2):], tolerance):
            return None
    return "frozen" if not np.any(tail) else "loss"


def _never_beat_constant(ctx: Context, x: np.ndarray, start: int, baseline: float) -> bool:
    """After a wild start, no epoch did better than a constant predictor.

    Every training loss after ``start`` (at least two: :func:`_wild_start` leaves them)
    and every logged validation loss there is at or above ``baseline``, the loss of
    ignoring the inputs (the class frequencies, the mean target, ln k): the blow-up broke
    the weights and the network never learned anything the constant does not know,
    whether its loss then sits still, bounces or creeps up (RMSprop at a learning rate of
    1.5 on a Friedman regression: 495, then 1.22 and 1.27 against the mean's 1.02, and a
    validation loss rising 1.98 → 3.96). A run that recovers beats the constant at some
    epoch, and is judged without its wild start.
    """
    rest = x[start:]
    if rest.size < 2 or not np.isfinite(rest).all() or float(rest.min()) < baseline:
        return False
    if ctx.run.has("val_loss"):
        val = ctx.array("val_loss")[start : x.size]
        val = val[np.isfinite(val)]
        if val.size and float(val.min()) < baseline:
            return False
    return True


def _flat(values: np.ndarray, tolerance: float) -> bool:
    """Constant within ``tolerance`` of its level; a level of 0 only when exactly 0."""
    level = abs(curves.median(values))
    with np.errstate(over="ignore"):  # values near the float limit: an infinite spread
        spread = float(values.max() - values.min())
    return spread <= tolerance * level if level > 0 else spread == 0.0


def _jump(
    x: np.ndarray, start: int, factor: float, level: float, recover: float
) -> tuple[int, float] | None:
    """First row whose loss jumps ``factor`` times the previous one and does not recover.

    The jump must also reach ``level`` of the loss at ``start``; it is recovered from
    when the median of the next three epochs is back within ``recover`` times the loss
    before the jump.
    """
    if x.size - start < 2:
        return None
    first = x[start]
    seg = x[start:]
    prev = seg[:-1]
    cur = seg[1:]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        hit = (
            np.isfinite(cur) & np.isfinite(prev) & (prev > 0)
            & (cur >= factor * prev) & (cur >= level * first)
        )
    for k in np.flatnonzero(hit).tolist():
        i = int(k) + 1
        after = seg[i + 1 : i + 4]
        after = after[np.isfinite(after)]
        if after.size and curves.median(after) <= recover * seg[i - 1]:
            continue  # back down: a spike the run recovered from
        with np.errstate(over="ignore"):  # a jump from near zero: the ratio is inf
            return start + i, float(seg[i] / seg[i - 1])
    return None


def span_or_missing(ctx: Context, span: Span, min_epochs: int) -> None:
    """Raise MissingInput when fewer than ``min_epochs`` rows can be judged."""
    if span.size < min_epochs and ctx.run.n_epochs >= min_epochs:
        raise MissingInput(
            f"only {span.size} epochs can be judged before the loss blew up or stopped "
            "being finite",
            "fix the divergence first",
        )


def curve(ctx: Context, key: str, span: Span) -> tuple[np.ndarray, np.ndarray]:
    """Raw and smoothed ``key`` over the span."""
    raw = ctx.array(key)[span.start : span.end]
    return raw, curves.smooth(raw)


def pct(x: float) -> float:
    """A fraction as a percentage with one decimal."""
    return round(100.0 * x, 1)


def rise_over_running_min(x: np.ndarray) -> np.ndarray | None:
    """Each epoch's loss divided by the lowest loss so far (0 where that is not positive).

    ``None`` when the curve is too short, not finite, or does not start positive: such
    a curve cannot be judged as climbing.
    """
    if x.size < 2 or not np.isfinite(x).all() or x[0] <= 0:
        return None
    running_min = np.minimum.accumulate(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # near the float limit
        ratio: np.ndarray = np.where(running_min > 0, x / running_min, 0.0)
    return ratio


def climbs(raw: np.ndarray, factor: float) -> bool:
    """True when a loss rises ``factor`` times above its running minimum and its start."""
    x = curves.fill_gaps(raw)
    ratio = rise_over_running_min(x)
    return ratio is not None and bool(np.any((ratio >= factor) & (x > x[0])))


def swing(values: np.ndarray) -> float | None:
    """Mean absolute epoch-to-epoch change over the second half of a curve.

    ``None`` with fewer than three finite values in that half. Used on accuracy curves:
    a loss can swing while the predictions that decide the accuracy barely change. The
    mean, not the median: one collapse of the accuracy is instability too.
    """
    x = values[np.isfinite(values)]
    tail = x[x.size // 2 :]
    if tail.size < 3:
        return None
    return float(np.mean(np.abs(np.diff(tail))))
