"""Pure numpy helpers for training curves.

Every function takes a 1-D float array with ``nan`` for epochs where the metric was
not logged, and tolerates non-finite values (a diverged run). Decisions built on these
must hold on noisy validation curves: one bad epoch is not a trend, so the helpers
smooth robustly (a running median, then a running mean) and measure noise from the
residuals, and detectors compare changes against that noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Robust standard deviation from the median absolute deviation.
_MAD_TO_STD = 1.4826


def first_nonfinite(values: np.ndarray) -> int | None:
    """Index of the first value that is NaN or infinite, or ``None``.

    Gaps read as NaN too: for a curve with gaps, use
    :meth:`fitdoctor.detectors.base.Context.nonfinite`, which knows what was logged.
    """
    idx = np.flatnonzero(~np.isfinite(values))
    return int(idx[0]) if idx.size else None


def median(values: np.ndarray) -> float:
    """Median of a non-empty array (``np.median`` imports ``numpy.ma`` on first use: slow)."""
    x = np.asarray(values, dtype=float).ravel()
    n = x.size
    if n == 0:
        return float("nan")
    half = n // 2
    part = np.partition(x, [half - 1, half] if n % 2 == 0 else [half])
    return float(part[half]) if n % 2 else float((part[half - 1] + part[half]) / 2)


def fill_gaps(values: np.ndarray) -> np.ndarray:
    """Linearly interpolate non-finite entries from finite neighbours (edges held)."""
    out = np.asarray(values, dtype=float).copy()
    ok = np.isfinite(out)
    if ok.all() or not ok.any():
        return out
    x = np.arange(out.size)
    out[~ok] = np.interp(x[~ok], x[ok], out[ok])
    return out


def _median3(values: np.ndarray) -> np.ndarray:
    """Running median over 3 points; the two edge points use their 2-point mean."""
    n = values.size
    if n < 3:
        return values.copy()
    out = np.empty(n)
    a, b, c = values[:-2], values[1:-1], values[2:]
    out[1:-1] = np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c))
    out[0] = (values[0] + values[1]) / 2
    out[-1] = (values[-2] + values[-1]) / 2
    return out


def _running_mean(values: np.ndarray, half: int) -> np.ndarray:
    """Centred running mean with the window shrinking at the edges (via cumulative sums)."""
    n = values.size
    csum = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(n)
    lo = np.maximum(0, idx - half)
    hi = np.minimum(n, idx + half + 1)
    out: np.ndarray = (csum[hi] - csum[lo]) / (hi - lo)
    return out


def smooth(values: np.ndarray, window: int | None = None) -> np.ndarray:
    """Robustly smoothed curve: gaps filled, running median of 3, then running mean.

    The mean's window grows with the curve (about a tenth of its length, at least 3,
    odd) and shrinks at the edges, so the last epochs are not dragged towards the
    middle. Non-finite input values are treated as gaps.

    Args:
        values: The curve.
        window: Running-mean window. Defaults to `None` (chosen from the length).

    Returns:
        The smoothed curve, same length.
    """
    x = fill_gaps(np.asarray(values, dtype=float))
    n = x.size
    if n < 3 or not np.isfinite(x).all():
        return x
    med = _median3(x)
    if window is None:
        window = max(3, (n // 10) | 1)
    half = max(1, window // 2)
    return _running_mean(med, half)


def noise(values: np.ndarray) -> float:
    """Epoch-to-epoch noise of a curve, as a robust standard deviation.

    The larger of two robust estimates: the residuals from :func:`smooth`, and the second
    differences (``x[i-1] - 2 x[i] + x[i+1]`` has standard deviation ``sqrt(6)·σ`` for
    independent noise, and is zero along any straight trend, so a steep descent is not
    mistaken for noise while a zig-zag, which smoothing hides, is caught).

    Returns ``0.0`` for curves shorter than 4 points.
    """
    x = fill_gaps(np.asarray(values, dtype=float))
    ok = np.isfinite(x)
    if ok.sum() < 4:
        return 0.0
    resid = (x - smooth(x))[ok]
    mad = median(np.abs(resid - median(resid)))
    second = np.diff(x[ok], n=2)
    dmad = median(np.abs(second - median(second))) / float(np.sqrt(6))
    return float(_MAD_TO_STD * max(mad, dmad))


def wiggle(values: np.ndarray) -> float:
    """Average per-step movement of a curve beyond the shape "falls, then rises".

    The curve's total variation minus that of a curve with the same start, minimum and
    end that only falls to the minimum and rises from it, divided by the steps: zero for
    any steady descent, rise, or turn, and the mean up-and-down movement otherwise. The
    corpus labels a run unstable by this measure of its held-out test loss. Non-finite
    values are dropped; ``0.0`` for fewer than three finite points.
    """
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size < 3:
        return 0.0
    total = float(np.abs(np.diff(x)).sum())
    low = float(x.min())
    unimodal = (float(x[0]) - low) + (float(x[-1]) - low)
    return float(max(0.0, total - unimodal) / (x.size - 1))


def best_index(values: np.ndarray, mode: str = "min") -> int | None:
    """Index of the best finite value (first one on ties), or ``None`` if none is finite."""
    x = np.asarray(values, dtype=float)
    ok = np.isfinite(x)
    if not ok.any():
        return None
    masked = np.where(ok, x, np.inf if mode == "min" else -np.inf)
    return int(np.argmin(masked) if mode == "min" else np.argmax(masked))


def longest_wait(values: np.ndarray, mode: str = "min") -> int:
    """Longest run of logged epochs without a new best (how patient one had to be)."""
    best = np.inf if mode == "min" else -np.inf
    wait = longest = 0
    for v in np.asarray(values, dtype=float).tolist():
        if not math.isfinite(v):
            continue
        better = v < best if mode == "min" else v > best
        if better:
            best, wait = v, 0
        else:
            wait += 1
            longest = max(longest, wait)
    return longest


@dataclass(frozen=True)
class Trend:
    """A straight-line fit over the tail of a curve.

    Args:
        slope: Change per epoch.
        stderr: Standard error of the slope.
        start: First index of the fitted window.
        points: Number of finite points used.
    """

    slope: float
    stderr: float
    start: int
    points: int

    def t(self) -> float:
        """Slope in units of its standard error (``inf`` for a perfect fit)."""
        if self.stderr == 0:
            return float("inf") if self.slope != 0 else 0.0
        return self.slope / self.stderr


def trend(values: np.ndarray, last: int) -> Trend | None:
    """Least-squares slope over the last ``last`` epochs, finite points only.

    Returns ``None`` when fewer than 3 finite points are in the window.
    """
    x = np.asarray(values, dtype=float)
    start = max(0, x.size - last)
    idx = np.arange(start, x.size)
    y = x[start:]
    ok = np.isfinite(y)
    if ok.sum() < 3:
        return None
    xi, yi = idx[ok].astype(float), y[ok]
    xm = xi - xi.mean()
    sxx = float((xm**2).sum())
    slope = float((xm * (yi - yi.mean())).sum() / sxx)
    resid = yi - (yi.mean() + slope * xm)
    dof = max(1, yi.size - 2)
    stderr = float(np.sqrt((resid**2).sum() / dof / sxx))
    return Trend(slope, stderr, int(start), int(ok.sum()))


def relative_change(values: np.ndarray, start: int, end: int) -> float:
    """``(x[end] - x[start]) / |x[start]|`` on the smoothed curve (``0`` when x[start] is 0)."""
    s = smooth(values)
    base = abs(float(s[start]))
    if base == 0 or not np.isfinite(base):
        return 0.0
    return float((s[end] - s[start]) / base)


def plateau_start(values: np.ndarray, tolerance: float,
                  level_tolerance: float | None = None) -> int | None:
    """First index after which the smoothed curve never improves by more than ``tolerance``.

    Improvement is measured relative to the curve's total range, so a curve that has
    flattened out is found whatever its scale. With ``level_tolerance``, an index from
    which the curve never improves by more than that fraction of its later lowest level
    counts as flat too: a curve that hardly moved all run has a tiny range, against which
    a creep of a few hundredths of a percent an epoch would look like progress. ``None``
    when the curve keeps improving until its last epoch.

    Args:
        values: A curve to be minimised.
        tolerance: Fraction of the total range that still counts as "no progress".
        level_tolerance: Fraction of the curve's level that still counts as "no
            progress", or ``None`` to judge by the range alone.
    """
    s = smooth(values)
    if s.size < 3 or not np.isfinite(s).all():
        return None
    span = float(s.max() - s.min())
    if span == 0:
        return 0
    future_min = np.minimum.accumulate(s[::-1])[::-1]
    gains = (s - future_min) / span
    if level_tolerance is not None:
        level = np.abs(future_min)
        with np.errstate(divide="ignore", invalid="ignore"):
            by_level = np.where(level > 0, (s - future_min) / level, np.inf)
        gains = np.where(by_level <= level_tolerance, 0.0, gains)
    flat = np.flatnonzero(gains <= tolerance)
    if not flat.size:
        return None
    # the plateau starts at the first index from which every later one is flat too
    start = s.size - 1
    for i in range(s.size - 1, -1, -1):
        if gains[i] <= tolerance:
            start = i
        else:
            break
    return int(start) if start < s.size - 1 else None


#: Points of a segment whose every pair :func:`theil_sen` reads (about two million pairs);
#: a longer segment is read at every k-th point. Not a threshold: the memory a line costs.
THEIL_SEN_POINTS = 2000
#: Points of a segment :func:`trend_z` compares pair by pair (12.5 million pairs, about
#: 0.05 s); a longer segment is read at every k-th point. Not a threshold: the time a
#: trend costs.
TREND_Z_POINTS = 5000


def theil_sen(values: np.ndarray) -> tuple[float, float] | None:
    """Robust straight line through the finite points: ``(slope, intercept)`` at index 0.

    The median of the pairwise slopes (Theil–Sen): up to ~29% of the points can be
    spikes without moving it. ``None`` with fewer than two finite points. Beyond
    :data:`THEIL_SEN_POINTS` points the slopes are taken between every k-th point only
    (evenly spread over the segment), so the pairs stay about two million: every pair of
    a 40,000-step segment would need gigabytes. The intercept reads every point.
    """
    x = np.asarray(values, dtype=float)
    idx = np.flatnonzero(np.isfinite(x))
    if idx.size < 2:
        return None
    y = x[idx]
    step = -(-idx.size // THEIL_SEN_POINTS)  # ceil: 1 up to THEIL_SEN_POINTS points
    sub_y, sub_idx = y[::step], idx[::step]
    i, j = np.triu_indices(sub_idx.size, k=1)
    slope = median((sub_y[j] - sub_y[i]) / (sub_idx[j] - sub_idx[i]))
    intercept = median(y - slope * idx)
    return slope, intercept


def scatter(values: np.ndarray) -> float:
    """Epoch-to-epoch noise of a curve segment, robust to spikes and to a trend.

    The larger of two robust standard deviations (MAD): of the residuals from a
    Theil–Sen line (a steady rise or fall is not noise, and a few spikes move neither
    the line nor the MAD), and of the second differences (a zig-zag, whose residuals
    alternate around the line, shows there; an occasional spike does not). Unlike
    :func:`noise`, meant for a segment that may rise, such as a validation loss after
    its minimum. ``0.0`` for fewer than 4 finite points.
    """
    x = np.asarray(values, dtype=float)
    idx = np.flatnonzero(np.isfinite(x))
    if idx.size < 4:
        return 0.0
    line = theil_sen(x)
    assert line is not None
    resid = x[idx] - (line[1] + line[0] * idx)
    second = np.diff(x[idx], n=2)
    return float(_MAD_TO_STD * max(
        median(np.abs(resid - median(resid))),
        median(np.abs(second - median(second))) / float(np.sqrt(6)),
    ))


def trend_z(values: np.ndarray) -> float:
    """How surely a curve segment trends up (positive) or down: the Mann–Kendall z-score.

    Counts, over every pair of finite points, whether the later one is higher or lower
    (ties count neither), and scales that count by its spread under no trend. It reads
    only the order of the values, so spikes, however tall or frequent, weigh no more than
    any other point: a loss that keeps drifting up between its spikes scores high where
    a noise band widened by the spikes would swallow the drift. ``0.0`` for fewer than 3
    finite points. A segment of more than :data:`TREND_Z_POINTS` finite points is read at
    every k-th point (its z is then that of the thinned segment: a weaker test, never a
    stronger one).
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    if n < 3:
        return 0.0
    # each point against those after it, one row at a time (an n x n matrix of pairs
    # would hold 800 MB for a 10,000-epoch run); beyond TREND_Z_POINTS points, every k-th
    # (evenly spread: pair by pair, 200,000 steps took minutes)
    x = x[:: -(-n // TREND_Z_POINTS)]
    n = x.size
    s = float(sum(int(np.sign(x[i + 1 :] - x[i]).sum()) for i in range(n - 1)))
    var = n * (n - 1) * (2 * n + 5) / 18.0
    if s == 0:
        return 0.0
    return (s - math.copysign(1.0, s)) / math.sqrt(var)


def infer_denominator(
    values: np.ndarray, *, max_n: int, rel_tol: float = 2.0**-23, max_false: float = 1e-3
) -> int | None:
    """The smallest ``n`` with every value a multiple of ``1/n``: the samples behind a rate.

    An accuracy measured on ``n`` samples is ``k/n``. The values' own precision sets the
    tolerance: ``rel_tol`` of the value (float32 rounding by default) or half a unit in
    the last printed decimal, whichever is larger (a CSV with four decimals cannot say
    much). Candidates whose chance of fitting every distinct value by luck exceeds
    ``max_false`` are not tried, so the answer is ``None`` when the values cannot tell.

    Args:
        values: The rates (NaN ignored).
        max_n: Largest ``n`` tried.
        rel_tol: Relative precision of the stored values. Defaults to float32's.
        max_false: Largest accepted chance of a spurious fit. Defaults to `1e-3`.

    Returns:
        ``n``, or ``None``.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x) & (x >= 0) & (x <= 1)]
    distinct = np.unique(x)
    informative = distinct[(distinct > 0) & (distinct < 1)]
    if informative.size < 3:
        return None
    decimals = max(_decimals(v) for v in informative.tolist())
    tol = np.maximum(rel_tol * informative, 0.5 * 10.0 ** (-decimals) if decimals < 12 else 0.0)
    tol = np.maximum(tol, 1e-12)
    m = informative.size
    # chance that m values fit 1/n steps by luck: (2 n tol)^m n, tol at its largest; it
    # grows with n, so the candidates end where it first exceeds max_false
    ns = np.arange(2, max_n + 1, dtype=float)
    luck = (2 * ns * float(tol.max())) ** min(m, 12) * ns
    over = np.flatnonzero(luck > max_false)
    last = int(over[0]) if over.size else ns.size
    # blocks of candidates, small first (small n are common), doubling up to ~32 MB
    start, size, cap = 0, 64, max(64, 4_000_000 // m)
    while start < last:
        block = ns[start : min(last, start + size), None]
        k = np.round(informative[None, :] * block)
        fits = np.all(np.abs(informative[None, :] - k / block) <= tol[None, :], axis=1)
        hit = np.flatnonzero(fits)
        if hit.size:
            return int(block[hit[0], 0])
        start, size = start + size, min(cap, 2 * size)
    return None


def _decimals(value: float) -> int:
    """Decimal places in the shortest repr of ``value`` (17 when it needs full precision)."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        mantissa, exp = text.lower().split("e")
        frac = mantissa.split(".")[1] if "." in mantissa else ""
        return max(0, len(frac.rstrip("0")) - int(exp))
    frac = text.split(".")[1] if "." in text else ""
    return len(frac.rstrip("0"))
