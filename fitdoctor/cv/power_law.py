"""What a learning curve measures: the power law, its extrapolation, the trend.

A power law through the validation scores, its value at twice the data with an
uncertainty, and the change per doubling of the data. Pure measurement (numpy; scipy's
``curve_fit`` when installed): nothing here judges whether more data would help. The
learning-curve rules do that (``rules/cross_validation.toml``, measured by
:mod:`fitdoctor.detectors.learning_curve`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from fitdoctor.cv.results import SizeScores

__all__ = [
    "BOOTSTRAP",
    "Extrapolation",
    "PowerLaw",
    "doubling_trend",
    "extrapolate",
    "fit_power_law",
]

#: Bootstrap resamples for the extrapolation's uncertainty.
BOOTSTRAP = 200

_B_GRID = np.linspace(0.0, 3.0, 301)


@dataclass(frozen=True)
class PowerLaw:
    """``score(n) = a * n**-b + c``, fitted to the validation scores.

    Args:
        a: Scale.
        b: Exponent (how fast the score improves with data).
        c: Asymptote (the score with unlimited data).
        method: ``"curve_fit"`` (scipy, non-linear least squares), ``"grid"`` (least
            squares over a grid of ``b``) or ``"log-log"`` (a straight line through
            ``log score`` against ``log n``, ``c = 0``; without scipy).
    """

    a: float
    b: float
    c: float
    method: str

    def __call__(self, n: float) -> float:
        """The fitted score at ``n`` training samples."""
        return float(self.a * float(n) ** (-self.b) + self.c)


@dataclass(frozen=True)
class Extrapolation:
    """The fitted curve at twice the data, with its uncertainty.

    Args:
        n_now: Largest training-set size measured.
        n_target: The size extrapolated to (twice ``n_now``).
        now: Fitted validation score at ``n_now``.
        predicted: Fitted validation score at ``n_target``.
        predicted_std: Its standard deviation (bootstrap over folds, else the fit's
            covariance), or ``None`` when unknown.
        gain: ``now - predicted``: the improvement of the score (an error) from doubling.
        gain_std: Its standard deviation, or ``None`` when unknown.
    """

    n_now: float
    n_target: float
    now: float
    predicted: float
    predicted_std: float | None
    gain: float
    gain_std: float | None


def _fit_grid_many(n: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares of ``y = a n^-b + c`` over a grid of ``b``, for each row of ``ys``.

    For a fixed ``b`` the model is linear in ``a`` and ``c``; the grid makes the fit free
    of starting-point trouble, and fitting all the rows at once (the bootstrap's
    resamples) is one pass of array arithmetic. Constraints: ``a >= 0`` and
    ``0 <= c <= min y``.

    Args:
        n: Training-set sizes, shape ``(sizes,)``.
        ys: Scores, shape ``(rows, sizes)``.

    Returns:
        ``(a, b, c)``, each of shape ``(rows,)``.
    """
    with np.errstate(all="ignore"):
        x = np.power(n[None, :], -_B_GRID[:, None])  # (grid, sizes)
        hi = ys.min(axis=1)[:, None]  # (rows, 1)
        xm = x.mean(axis=1)  # (grid,)
        ym = ys.mean(axis=1)[:, None]  # (rows, 1)
        dx = x - xm[:, None]
        var = (dx**2).sum(axis=1)  # (grid,)
        cov = (ys - ym) @ dx.T  # (rows, grid)
        a = np.where(var > 0, cov / np.where(var > 0, var, 1.0), 0.0)
        c = ym - a * xm[None, :]
        xx = (x * x).sum(axis=1)  # (grid,)
        low = c < 0
        a = np.where(low, (ys @ x.T) / xx, a)
        c = np.where(low, 0.0, c)
        high = c > hi
        a = np.where(high, ((ys - hi) @ x.T) / xx, a)
        c = np.where(high, hi, c)
        neg = a < 0
        a = np.where(neg, 0.0, a)
        c = np.where(neg, np.minimum(np.maximum(ym, 0.0), hi), c)
        fitted = a[:, :, None] * x[None, :, :] + c[:, :, None]  # (rows, grid, sizes)
        sse = ((fitted - ys[:, None, :]) ** 2).sum(axis=2)
    sse = np.where(np.isfinite(sse), sse, np.inf)
    i = np.argmin(sse, axis=1)
    rows = np.arange(ys.shape[0])
    return a[rows, i], _B_GRID[i], c[rows, i]


def _fit_grid(n: np.ndarray, y: np.ndarray) -> PowerLaw:
    """The grid fit of one curve (see :func:`_fit_grid_many`)."""
    a, b, c = _fit_grid_many(n, y[None, :])
    return PowerLaw(float(a[0]), float(b[0]), float(c[0]), "grid")


def fit_power_law(
    n: np.ndarray, y: np.ndarray
) -> tuple[PowerLaw, np.ndarray | None] | None:
    """Fit ``y = a n^-b + c``: scipy's ``curve_fit`` (from the grid fit), else a log-log line.

    Args:
        n: Training-set sizes (positive).
        y: Mean validation score at each size.

    Returns:
        The law and the covariance of ``(a, b, c)`` (``None`` when unknown), or ``None``
        with fewer than 3 sizes or non-finite scores.
    """
    if n.size < 3 or not np.isfinite(y).all() or not np.isfinite(n).all() or (n <= 0).any():
        return None
    start = _fit_grid(n, y)
    try:
        from scipy.optimize import curve_fit
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        pos = y > 0
        if pos.sum() < 2:
            return None
        slope, intercept = np.polyfit(np.log(n[pos]), np.log(y[pos]), 1)
        return PowerLaw(float(np.exp(intercept)), float(-slope), 0.0, "log-log"), None

    def f(x: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
        return np.asarray(a * np.power(x, -b) + c)

    hi = max(float(y.min()), 1e-12)
    p0 = [max(start.a, 1e-9), min(max(start.b, 1e-6), 3.0 - 1e-6), min(start.c, hi * (1 - 1e-9))]
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            popt, pcov = curve_fit(f, n, y, p0=p0, bounds=([0.0, 0.0, 0.0], [np.inf, 3.0, hi]),
                                   maxfev=20000)
    except (RuntimeError, ValueError, FloatingPointError, np.linalg.LinAlgError):
        return start, None
    a, b, c = (float(v) for v in popt)
    if not all(math.isfinite(v) for v in (a, b, c)):
        return start, None
    cov = np.asarray(pcov, dtype=float)
    return PowerLaw(a, b, c, "curve_fit"), cov if np.isfinite(cov).all() else None


def _delta_method(
    law: PowerLaw, cov: np.ndarray, n_now: float, n_2: float
) -> tuple[float | None, float | None]:
    """Standard deviations of ``f(n_2)`` and ``f(n_now) - f(n_2)`` from the fit's covariance."""

    def grad(n: float) -> np.ndarray:
        p = n ** (-law.b)
        return np.asarray([p, -law.a * math.log(n) * p, 1.0])

    g2 = grad(n_2)
    gg = grad(n_now) - g2
    var_p = float(g2 @ cov @ g2)
    var_g = float(gg @ cov @ gg)
    if not (var_p >= 0 and var_g >= 0 and math.isfinite(var_p) and math.isfinite(var_g)):
        return None, None
    return math.sqrt(var_p), math.sqrt(var_g)


def _bootstrap(
    sizes: Sequence[SizeScores], k: int, seed: int, n_now: float, n_2: float
) -> tuple[float | None, float | None]:
    """Standard deviations of the prediction and the gain, resampling whole folds."""
    if k < 2 or any(len(s.val) < 2 for s in sizes):
        return None, None
    rng = np.random.default_rng(seed)
    n = np.asarray([s.n for s in sizes], dtype=float)
    folds = min(len(s.val) for s in sizes)
    vals = np.asarray([s.val[:folds] for s in sizes], dtype=float)  # (sizes, folds)
    # resample whole folds: a fold keeps its validation data across sizes
    picks = rng.integers(0, folds, (BOOTSTRAP, folds))
    with np.errstate(all="ignore"):
        ys = vals[:, picks].mean(axis=2).T  # (resamples, sizes)
    ys = ys[np.isfinite(ys).all(axis=1)]
    if len(ys) < BOOTSTRAP // 2:
        return None, None
    a, b, c = _fit_grid_many(n, ys)
    with np.errstate(all="ignore"):
        preds = a * n_2 ** (-b) + c
        gains = a * n_now ** (-b) + c - preds
        sd_p, sd_g = float(np.std(preds, ddof=1)), float(np.std(gains, ddof=1))
    if not (math.isfinite(sd_p) and math.isfinite(sd_g)):
        return None, None
    return sd_p, sd_g


def extrapolate(
    sizes: Sequence[SizeScores], k: int, seed: int
) -> tuple[PowerLaw, Extrapolation] | None:
    """Fit the power law to the mean validation scores and evaluate it at twice the data.

    The uncertainty comes from a bootstrap over whole folds (a fold keeps its validation
    data across sizes), else from the fit's covariance (delta method).

    Args:
        sizes: Scores per training-set size.
        k: Folds.
        seed: Seed of the bootstrap.

    Returns:
        The law and the extrapolation, or ``None`` when no law can be fitted.
    """
    with np.errstate(all="ignore"):
        n = np.asarray([s.n for s in sizes], dtype=float)
        y = np.asarray([s.val_mean for s in sizes], dtype=float)
    fitted = fit_power_law(n, y)
    if fitted is None:
        return None
    law, cov = fitted
    n_now = float(n.max())
    n_2 = 2.0 * n_now
    now, pred = law(n_now), law(n_2)
    if not (math.isfinite(now) and math.isfinite(pred)):
        return None
    pred_sd, gain_sd = _bootstrap(sizes, k, seed, n_now, n_2)
    if pred_sd is None and cov is not None and law.method == "curve_fit":
        pred_sd, gain_sd = _delta_method(law, cov, n_now, n_2)
    return law, Extrapolation(n_now, n_2, now, pred, pred_sd, now - pred, gain_sd)


def doubling_trend(sizes: Sequence[SizeScores]) -> tuple[float, float | None] | None:
    """Change of the validation score per doubling of the data, over the upper sizes.

    A least-squares slope of the validation score against ``log2 n`` within each fold
    (the folds share their validation data across sizes), pooled over folds, over the
    sizes of at least a quarter of the largest (at least the last three).

    Args:
        sizes: Scores per training-set size, smallest first.

    Returns:
        ``(slope, standard error)`` (the error is ``None`` with too few points), or
        ``None`` with fewer than two sizes.
    """
    if len(sizes) < 2:
        return None
    top = sizes[-1].n
    upper = [s for s in sizes if s.n >= top / 4 - 1e-9]
    if len(upper) < 3:
        upper = list(sizes[-3:])
    # Folds share their validation data across sizes: compare within folds (a fold
    # that is harder than the others shifts its whole curve, not its slope).
    xs_parts, ys_parts = [], []
    n_folds = min(len(s.val) for s in upper)
    for j in range(n_folds):
        xj = np.asarray([math.log2(s.n_train[j]) for s in upper], dtype=float)
        yj = np.asarray([s.val[j] for s in upper], dtype=float)
        xs_parts.append(xj - xj.mean())
        ys_parts.append(yj - yj.mean())
    xm, ym = np.concatenate(xs_parts), np.concatenate(ys_parts)
    with np.errstate(all="ignore"):  # scores near the float limit: no answer, no warning
        sxx = float((xm**2).sum())
        if not sxx > 0:
            return None
        slope = float((xm * ym).sum() / sxx)
        if not math.isfinite(slope):
            return None
        dof = ym.size - n_folds - 1
        if dof < 1:
            return slope, None
        resid = ym - slope * xm
        se = math.sqrt(float((resid**2).sum()) / dof / sxx)
    return slope, se if math.isfinite(se) else None
