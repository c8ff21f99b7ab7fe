"""Cross-validation and learning-curve results: data, files and analysis (no keras).

:func:`fitdoctor.validation.cross_validate` and :func:`fitdoctor.validation.learning_curve`
train the models; this module holds what they return and everything that can be done
with it afterwards without a backend:

* :class:`CVResult` -- one :class:`~fitdoctor.run.Run` per trained model (``meta`` carries
  ``repeat`` and ``fold``), the per-epoch mean and spread across folds
  (:func:`aggregate`), the fold-mean run (:meth:`CVResult.mean_run`) and the epoch count
  for the final fit (:meth:`CVResult.final_epochs`, the median of the folds' best epochs).
  Saved as JSON with ``"schema": "fitdoctor.cv/1"``.
* :class:`LearningCurveResult` -- train and validation scores per training-set size (one
  value per fold), a power law ``val = a * n**-b + c`` fitted to the validation scores,
  its extrapolation to twice the data with an uncertainty (bootstrap over folds) and the
  answer to "would more data help?" (:attr:`LearningCurveResult.verdict`: ``"helps"``,
  ``"won't help"`` or ``"unclear"``, with :attr:`~LearningCurveResult.reason`). Saved as
  JSON with ``"schema": "fitdoctor.learning-curve/1"``.

:func:`analyze_cv` runs the curve rules on the fold-mean run, counts how many folds
agree with each finding, and adds the final-fit advice; :func:`analyze_learning_curve`
turns a learning curve into a report. :func:`analyze_file` does either for a file, which
is what ``fitdoctor analyze cv.json`` calls.

Conclusions stored in a file (the aggregate, the fit, the verdict) are for other readers:
on loading, fitdoctor recomputes them from the per-fold data.
"""

from __future__ import annotations

import json
import math
import os
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from fitdoctor.errors import InputError
from fitdoctor.readers import is_document_file
from fitdoctor.run import DataInfo, Run
from fitdoctor.storage import write_json_atomic

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.rules import Rule, Settings

__all__ = [
    "CV_SCHEMA",
    "LEARNING_CURVE_SCHEMA",
    "VERDICTS",
    "Aggregate",
    "CVResult",
    "Extrapolation",
    "LearningCurveResult",
    "PowerLaw",
    "SizeScores",
    "aggregate",
    "analyze_cv",
    "analyze_file",
    "analyze_learning_curve",
    "document_schema",
    "is_cv_document",
    "is_document_file",
    "is_learning_curve_document",
    "load_cv",
    "load_document",
    "load_learning_curve",
]

CV_SCHEMA = "fitdoctor.cv/1"
LEARNING_CURVE_SCHEMA = "fitdoctor.learning-curve/1"

#: Answers to "would more data help?".
VERDICTS = ("helps", "won't help", "unclear")

#: Bootstrap resamples for the extrapolation's uncertainty.
BOOTSTRAP = 200


# ============================================================== cross-validation
@dataclass
class Aggregate:
    """Per-epoch mean and spread of every metric across folds.

    Args:
        epochs: Epoch numbers reached by at least one fold.
        n_folds: Folds that logged each epoch (fewer at the end when folds stopped early).
        mean: Metric → per-epoch mean over the folds that logged it (``None``: none did).
        std: Metric → per-epoch sample standard deviation (``None`` with fewer than 2).
    """

    epochs: list[int]
    n_folds: list[int]
    mean: dict[str, list[float | None]]
    std: dict[str, list[float | None]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"epochs": self.epochs, "n_folds": self.n_folds, "mean": self.mean, "std": self.std}


def aggregate(runs: Sequence[Run]) -> Aggregate:
    """Mean and spread of every metric, epoch by epoch, across ``runs``.

    Args:
        runs: One run per fold.

    Returns:
        The aggregate over every epoch any run reached.
    """
    epochs = sorted({e for run in runs for e in run.epochs})
    keys: list[str] = []
    for run in runs:
        keys += [k for k in run.metrics if k not in keys]
    rows = {run_i: {e: i for i, e in enumerate(run.epochs)} for run_i, run in enumerate(runs)}
    n_folds = [sum(1 for r in rows.values() if e in r) for e in epochs]
    mean: dict[str, list[float | None]] = {}
    std: dict[str, list[float | None]] = {}
    for key in keys:
        m_col: list[float | None] = []
        s_col: list[float | None] = []
        for e in epochs:
            vals = []
            for run_i, run in enumerate(runs):
                i = rows[run_i].get(e)
                if i is None:
                    continue
                v = run.metrics.get(key, [None] * run.n_epochs)[i]
                if v is not None:
                    vals.append(float(v))
            if not vals:
                m_col.append(None)
                s_col.append(None)
                continue
            arr = np.asarray(vals)
            m_col.append(float(arr.mean()))
            s_col.append(float(arr.std(ddof=1)) if arr.size > 1 else None)
        mean[key] = m_col
        std[key] = s_col
    return Aggregate(epochs, n_folds, mean, std)


@dataclass
class CVResult:
    """The models trained by a (possibly iterated) K-fold cross-validation.

    Args:
        runs: One run per trained model, in training order; ``run.meta`` has ``repeat``
            and ``fold`` (0-based).
        k: Folds per repetition.
        repeats: Repetitions (P of "P×K models"). Defaults to `1`.
        n_samples: Samples cross-validated (train + validation). Defaults to `None`.
        shuffle: The folds were shuffled. Defaults to `True`.
        stratified: The folds were stratified by class. Defaults to `False`.
        seed: Seed of the splits and the models. Defaults to `None`.
        name: Display name. Defaults to `""`.
        meta: Free-form JSON-safe extras. Defaults to `{}`.
        val_indices: Per model, the indices of its validation samples (in memory only,
            not saved). Defaults to `[]`.
    """

    runs: list[Run]
    k: int
    repeats: int = 1
    n_samples: int | None = None
    shuffle: bool = True
    stratified: bool = False
    seed: int | None = None
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    val_indices: list[np.ndarray] = field(default_factory=list, repr=False, compare=False)

    # ---------------------------------------------------------------- analysis
    @property
    def aggregate(self) -> Aggregate:
        """Per-epoch mean and spread across all folds."""
        return aggregate(self.runs)

    def mean_run(self) -> Run:
        """The fold-mean run: per-epoch mean of every metric over the epochs all folds reached.

        Facts (model, compile, fit, data) are the first fold's; ``data.n_val`` becomes the
        number of samples validated per repetition (every sample once) when known, so
        rules about the validation set judge the cross-validation, not one fold.
        """
        if not self.runs:
            raise InputError("a cross-validation result without runs")
        agg = self.aggregate
        common = [i for i, n in enumerate(agg.n_folds) if n == len(self.runs)]
        first = self.runs[0]
        data = None
        if first.data is not None:
            data = DataInfo(**{**first.data.__dict__})
            if self.n_samples is not None:
                data.n_val = self.n_samples
                data.n_train = self.n_samples - self.n_samples // max(self.k, 1)
            data.val_fingerprint = None
            data.val_class_counts = None
        run = Run(
            epochs=[agg.epochs[i] for i in common],
            metrics={k: [v[i] for i in common] for k, v in agg.mean.items()},
            status="completed",
            source="cross-validation",
            name=self.name or "cross-validation",
            model=first.model,
            compile=first.compile,
            fit=first.fit,
            data=data,
            baselines=first.baselines,
            meta={"cv": {"k": self.k, "repeats": self.repeats, "folds": len(self.runs)}},
        )
        if len(common) < len(agg.epochs):
            run.meta["notes"] = [
                f"the fold mean covers epochs 1-{run.epochs[-1] if run.epochs else 0}, which "
                f"every fold reached (the longest fold ran {agg.epochs[-1]})"
            ]
        return run

    def best_epochs(self) -> list[int | None]:
        """Each fold's best epoch, judged on its validation data (``None``: no validation)."""
        from fitdoctor.engine import best_epoch

        out: list[int | None] = []
        for run in self.runs:
            best = best_epoch(run)
            out.append(best.epoch if best is not None else None)
        return out

    def final_epochs(self) -> int | None:
        """Epochs for the final fit on all the data: the median of the folds' best epochs."""
        best = [b for b in self.best_epochs() if b is not None]
        if not best:
            return None
        return max(1, round(statistics.median(best)))

    def final_fit_advice(self) -> str | None:
        """The final-fit procedure in one sentence, with the sample and epoch counts."""
        epochs = self.final_epochs()
        if epochs is None:
            return None
        n = f"all {self.n_samples:,} samples" if self.n_samples else "all the data"
        return (
            f"retrain on {n} (training + validation) for {epochs} epoch"
            f"{'s' if epochs != 1 else ''}, then evaluate once on the test set"
        )

    def score(self, key: str, epoch: int | None = None) -> tuple[float, float, int] | None:
        """Mean, standard deviation and fold count of ``key`` at each fold's ``epoch``.

        Args:
            key: Metric name, e.g. ``"val_accuracy"``.
            epoch: Epoch (1-based). Defaults to `None` (each fold's best epoch).

        Returns:
            ``(mean, std, folds)``, or ``None`` when no fold logged ``key`` there.
        """
        vals: list[float] = []
        for run, best in zip(self.runs, self.best_epochs(), strict=True):
            e = epoch if epoch is not None else best
            if e is None or e not in run.epochs or key not in run.metrics:
                continue
            v = run.metrics[key][run.epochs.index(e)]
            if v is not None and math.isfinite(v):
                vals.append(float(v))
        if not vals:
            return None
        arr = np.asarray(vals)
        return float(arr.mean()), float(arr.std(ddof=1)) if arr.size > 1 else 0.0, arr.size

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (``"schema": "fitdoctor.cv/1"``)."""
        return {
            "schema": CV_SCHEMA,
            "name": self.name,
            "k": self.k,
            "repeats": self.repeats,
            "n_samples": self.n_samples,
            "shuffle": self.shuffle,
            "stratified": self.stratified,
            "seed": self.seed,
            "final_epochs": self.final_epochs(),
            "best_epochs": self.best_epochs(),
            "aggregate": self.aggregate.to_dict(),
            "meta": self.meta,
            "runs": [run.to_dict() for run in self.runs],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "cross-validation") -> CVResult:
        """Build a result from :meth:`to_dict`'s form; raise InputError if it does not fit.

        Args:
            data: The mapping.
            where: Name for error messages. Defaults to `"cross-validation"`.

        Returns:
            The result (the aggregate is recomputed from the runs).
        """
        _check_schema(data, CV_SCHEMA, where)
        raw_runs = data.get("runs")
        if not isinstance(raw_runs, list) or not raw_runs:
            raise InputError(f"{where}: 'runs' must be a non-empty list of runs")
        runs = []
        for i, raw in enumerate(raw_runs):
            try:
                runs.append(Run.from_dict(raw))
            except InputError as exc:
                raise InputError(f"{where}: runs[{i}]: {exc}") from None
        return cls(
            runs=runs,
            k=_int(data.get("k"), f"{where}: k", minimum=2),
            repeats=_int(data.get("repeats", 1), f"{where}: repeats", minimum=1),
            n_samples=_opt_int(data.get("n_samples"), f"{where}: n_samples"),
            shuffle=bool(data.get("shuffle", True)),
            stratified=bool(data.get("stratified", False)),
            seed=_opt_int(data.get("seed"), f"{where}: seed"),
            name=str(data.get("name") or ""),
            meta=dict(data.get("meta") or {}),
        )

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the result to ``path`` atomically (every fold's run plus the aggregate).

        Args:
            path: Destination file (JSON).
        """
        write_json_atomic(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CVResult:
        """Read a file written by :meth:`save`.

        Args:
            path: The file.

        Returns:
            The result.
        """
        return load_cv(path)


# ================================================================ learning curves
@dataclass
class SizeScores:
    """Scores of the models trained on one training-set size, one value per fold.

    Args:
        fraction: Fraction of the training pool used.
        n_train: Training samples per fold.
        train: Score on the training subset after training, per fold.
        val: Score on the fold's validation data, per fold.
    """

    fraction: float
    n_train: list[int]
    train: list[float]
    val: list[float]

    @property
    def n(self) -> float:
        """Mean training-set size over the folds."""
        return float(np.mean(self.n_train))

    @property
    def train_mean(self) -> float:
        """Mean training score."""
        return float(np.mean(self.train))

    @property
    def val_mean(self) -> float:
        """Mean validation score."""
        return float(np.mean(self.val))

    @property
    def val_std(self) -> float:
        """Sample standard deviation of the validation score across folds (0 with one fold)."""
        return float(np.std(self.val, ddof=1)) if len(self.val) > 1 else 0.0

    @property
    def train_std(self) -> float:
        """Sample standard deviation of the training score across folds."""
        return float(np.std(self.train, ddof=1)) if len(self.train) > 1 else 0.0


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


_B_GRID = np.linspace(0.0, 3.0, 301)


def _fit_grid(n: np.ndarray, y: np.ndarray) -> PowerLaw:
    """Least squares of ``y = a n^-b + c`` over a grid of ``b`` (``a >= 0``, ``0 <= c <= min y``).

    For a fixed ``b`` the model is linear in ``a`` and ``c``; the grid makes the fit fast
    (for the bootstrap) and free of starting-point trouble.
    """
    x = np.power(n[None, :], -_B_GRID[:, None])  # (grid, sizes)
    hi = float(y.min())
    xm, ym = x.mean(axis=1), float(y.mean())
    var = ((x - xm[:, None]) ** 2).sum(axis=1)
    cov = ((x - xm[:, None]) * (y - ym)[None, :]).sum(axis=1)
    a = np.where(var > 0, cov / np.where(var > 0, var, 1.0), 0.0)
    c = ym - a * xm
    xx = (x * x).sum(axis=1)
    low = c < 0
    a = np.where(low, (x @ y) / xx, a)
    c = np.where(low, 0.0, c)
    high = c > hi
    a = np.where(high, (x @ (y - hi)) / xx, a)
    c = np.where(high, hi, c)
    neg = a < 0
    a = np.where(neg, 0.0, a)
    c = np.where(neg, min(max(ym, 0.0), hi), c)
    sse = ((a[:, None] * x + c[:, None] - y[None, :]) ** 2).sum(axis=1)
    i = int(np.argmin(sse))
    return PowerLaw(float(a[i]), float(_B_GRID[i]), float(c[i]), "grid")


def _fit_power_law(
    n: np.ndarray, y: np.ndarray, *, fast: bool = False
) -> tuple[PowerLaw, np.ndarray | None] | None:
    """Fit ``y = a n^-b + c``: scipy's ``curve_fit`` (from the grid fit), else a log-log line.

    With ``fast`` only the grid fit runs (the bootstrap's refits).
    """
    if n.size < 3 or not np.isfinite(y).all():
        return None
    start = _fit_grid(n, y)
    if fast:
        return start, None
    try:
        from scipy.optimize import curve_fit
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        pos = y > 0
        if pos.sum() < 2:
            return None
        slope, intercept = np.polyfit(np.log(n[pos]), np.log(y[pos]), 1)
        return PowerLaw(float(np.exp(intercept)), float(-slope), 0.0, "log-log"), None
    import warnings

    def f(x: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
        return np.asarray(a * np.power(x, -b) + c)

    hi = max(float(y.min()), 1e-12)
    p0 = [max(start.a, 1e-9), min(max(start.b, 1e-6), 3.0 - 1e-6), min(start.c, hi * (1 - 1e-9))]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            popt, pcov = curve_fit(f, n, y, p0=p0, bounds=([0.0, 0.0, 0.0], [np.inf, 3.0, hi]),
                                   maxfev=20000)
    except (RuntimeError, ValueError):
        return start, None
    a, b, c = (float(v) for v in popt)
    cov = np.asarray(pcov, dtype=float)
    return PowerLaw(a, b, c, "curve_fit"), cov if np.isfinite(cov).all() else None


@dataclass
class LearningCurveResult:
    """Train and validation scores on growing training sets, and what they say about more data.

    Scores are errors (lower is better): ``1 - accuracy`` for classifiers compiled with
    an accuracy metric, else the loss. Each size is trained once per fold (``k`` folds);
    the validation data of a fold is the same for every size.

    Args:
        sizes: Scores per training-set size, smallest first.
        k: Folds.
        score: What the scores are: ``"error"`` (1 - accuracy) or ``"loss"``.
        n_samples: Samples the curve was measured on (all folds). Defaults to `None`.
        seed: Seed of the splits, subsets, models and bootstrap. Defaults to `0`.
        runs: The trained models' runs (``meta``: ``fraction``, ``fold``). Defaults to `[]`.
        name: Display name. Defaults to `""`.
        meta: Free-form JSON-safe extras. Defaults to `{}`.
    """

    sizes: list[SizeScores]
    k: int
    score: str = "error"
    n_samples: int | None = None
    seed: int = 0
    runs: list[Run] = field(default_factory=list)
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    # -------------------------------------------------------------- thresholds
    #: A doubling must cut the validation error by at least this fraction to "help".
    min_relative_gain = 0.05
    #: Standard deviations the gain must clear to count as real.
    z = 2.0
    #: One-sided standard errors the per-doubling decline must clear to count as real.
    z_trend = 1.64
    #: Validation-minus-training score, relative to the validation score, above which
    #: the model has high variance.
    variance_gap = 0.3

    # ---------------------------------------------------------------- analysis
    @cached_property
    def power_law(self) -> PowerLaw | None:
        """The power law fitted to the mean validation scores (``None``: too few sizes)."""
        fitted = self._fit()
        return fitted[0] if fitted is not None else None

    def _fit(self) -> tuple[PowerLaw, np.ndarray | None] | None:
        n = np.asarray([s.n for s in self.sizes], dtype=float)
        y = np.asarray([s.val_mean for s in self.sizes], dtype=float)
        return _fit_power_law(n, y)

    @cached_property
    def extrapolation(self) -> Extrapolation | None:
        """The fitted validation score at twice the largest size, with its uncertainty."""
        fitted = self._fit()
        if fitted is None:
            return None
        law, cov = fitted
        n_now = max(s.n for s in self.sizes)
        n_2 = 2.0 * n_now
        now, pred = law(n_now), law(n_2)
        pred_sd, gain_sd = self._bootstrap(n_now, n_2)
        if pred_sd is None and cov is not None and law.method == "curve_fit":
            pred_sd, gain_sd = _delta_method(law, cov, n_now, n_2)
        return Extrapolation(n_now, n_2, now, pred, pred_sd, now - pred, gain_sd)

    def _bootstrap(self, n_now: float, n_2: float) -> tuple[float | None, float | None]:
        """Standard deviations of the prediction and the gain, resampling whole folds."""
        if self.k < 2 or any(len(s.val) < 2 for s in self.sizes):
            return None, None
        rng = np.random.default_rng(self.seed)
        n = np.asarray([s.n for s in self.sizes], dtype=float)
        k = min(len(s.val) for s in self.sizes)
        vals = np.asarray([s.val[:k] for s in self.sizes], dtype=float)  # (sizes, folds)
        preds, gains = [], []
        for _ in range(BOOTSTRAP):
            # resample whole folds: a fold keeps its validation data across sizes
            y = vals[:, rng.integers(0, k, k)].mean(axis=1)
            fitted = _fit_power_law(n, y, fast=True)
            if fitted is None:
                continue
            law = fitted[0]
            preds.append(law(n_2))
            gains.append(law(n_now) - law(n_2))
        if len(preds) < BOOTSTRAP // 2:
            return None, None
        return float(np.std(preds, ddof=1)), float(np.std(gains, ddof=1))

    @cached_property
    def _judgement(self) -> tuple[str, str]:
        return self._judge()

    @property
    def verdict(self) -> str:
        """Would more data help? ``"helps"``, ``"won't help"`` or ``"unclear"``."""
        return self._judgement[0]

    @property
    def reason(self) -> str:
        """Why: the numbers behind :attr:`verdict`, in one or two sentences."""
        return self._judgement[1]

    def doubling_trend(self) -> tuple[float, float | None] | None:
        """Change of the validation score per doubling of the data, over the upper sizes.

        A least-squares slope of the validation score against ``log2 n`` within each
        fold (the folds share their validation data across sizes), pooled over folds,
        over the sizes of at least a quarter of the largest (at least the last three).

        Returns:
            ``(slope, standard error)`` (the error is ``None`` with too few points), or
            ``None`` with fewer than two sizes.
        """
        if len(self.sizes) < 2:
            return None
        top = self.sizes[-1].n
        upper = [s for s in self.sizes if s.n >= top / 4 - 1e-9]
        if len(upper) < 3:
            upper = self.sizes[-3:]
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
        sxx = float((xm**2).sum())
        if sxx <= 0:
            return None
        slope = float((xm * ym).sum() / sxx)
        dof = ym.size - n_folds - 1
        if dof < 1:
            return slope, None
        resid = ym - slope * xm
        return slope, float(math.sqrt(float((resid**2).sum()) / dof / sxx))

    def _judge(self) -> tuple[str, str]:
        sizes = self.sizes
        if len(sizes) < 3:
            return "unclear", (
                f"{len(sizes)} training-set sizes: at least 3 are needed to fit a curve"
            )
        ex = self.extrapolation
        trend = self.doubling_trend()
        if ex is None or trend is None:
            return "unclear", "the power law could not be fitted to the validation scores"
        last, first = sizes[-1], sizes[0]
        what = "validation error" if self.score == "error" else "validation loss"
        gap = last.val_mean - last.train_mean
        rel_gap = gap / max(abs(last.val_mean), 1e-12)
        gap_first = first.val_mean - first.train_mean
        needed = self.min_relative_gain * max(abs(last.val_mean), 1e-12)
        slope, slope_se = trend
        sd = ex.gain_std
        band = f" ± {sd:.3f}" if sd is not None else ""
        gain_text = (
            f"doubling the data to {ex.n_target:,.0f} samples is predicted to take the {what} "
            f"from {ex.now:.3f} to {ex.predicted:.3f} (gain {ex.gain:.3f}{band})"
        )
        levels = (
            f"at {last.n:,.0f} samples training {last.train_mean:.3f}, validation "
            f"{last.val_mean:.3f}"
        )
        se_text = f" ± {slope_se:.3f}" if slope_se is not None else ""
        trend_text = (
            f"over the upper sizes the {what} changed {slope:+.3f}{se_text} per doubling"
        )
        declining = slope_se is not None and -slope > self.z_trend * slope_se
        gain_real = sd is not None and ex.gain > self.z * sd
        if ex.gain >= needed and gain_real and declining and rel_gap >= self.variance_gap:
            closing = " and closing" if gap < gap_first else ""
            return "helps", (
                f"high variance: {levels} (gap {gap:.3f}{closing}); {trend_text}; {gain_text}"
            )
        flat = slope_se is not None and -slope + self.z_trend * slope_se < needed
        if flat and ex.gain < needed and rel_gap < self.variance_gap:
            level = "a poor level" if self.score == "error" and last.train_mean > 0.05 else \
                "one level"
            return "won't help", (
                f"high bias: training and validation converged at {level} ({levels}); "
                f"{trend_text}; {gain_text}: more capacity or better features instead"
            )
        doubts = []
        if not declining:
            doubts.append(f"the {what} does not clearly fall with more data")
        if not gain_real:
            doubts.append("the predicted gain is within its uncertainty")
        if ex.gain < needed:
            doubts.append(f"the predicted gain is under {self.min_relative_gain:.0%} of the {what}")
        if rel_gap >= self.variance_gap and not (ex.gain >= needed and declining):
            doubts.append(f"the train/validation gap ({gap:.3f}) is large yet data barely helps")
        if rel_gap < self.variance_gap and (ex.gain >= needed or declining):
            doubts.append(
                f"the {what} still falls with data although training and validation agree "
                f"(gap {gap:.3f}): the smaller subsets may be undertrained "
                "(learning_curve(..., scale_epochs=True) gives them as many steps)"
            )
        return "unclear", (
            f"{'; '.join(doubts) or 'mixed signals'} ({levels}; {trend_text}; {gain_text})"
        )

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (``"schema": "fitdoctor.learning-curve/1"``)."""
        law = self.power_law
        ex = self.extrapolation
        return {
            "schema": LEARNING_CURVE_SCHEMA,
            "name": self.name,
            "k": self.k,
            "score": self.score,
            "n_samples": self.n_samples,
            "seed": self.seed,
            "sizes": [
                {"fraction": s.fraction, "n_train": s.n_train, "train": s.train, "val": s.val}
                for s in self.sizes
            ],
            "power_law": None if law is None else
            {"a": law.a, "b": law.b, "c": law.c, "method": law.method},
            "extrapolation": None if ex is None else ex.__dict__.copy(),
            "verdict": self.verdict,
            "reason": self.reason,
            "meta": self.meta,
            "runs": [run.to_dict() for run in self.runs],
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], where: str = "learning curve"
    ) -> LearningCurveResult:
        """Build a result from :meth:`to_dict`'s form; raise InputError if it does not fit.

        Args:
            data: The mapping.
            where: Name for error messages. Defaults to `"learning curve"`.

        Returns:
            The result (fit, extrapolation and verdict are recomputed).
        """
        _check_schema(data, LEARNING_CURVE_SCHEMA, where)
        raw_sizes = data.get("sizes")
        if not isinstance(raw_sizes, list) or not raw_sizes:
            raise InputError(f"{where}: 'sizes' must be a non-empty list")
        sizes = []
        for i, raw in enumerate(raw_sizes):
            at = f"{where}: sizes[{i}]"
            if not isinstance(raw, dict):
                raise InputError(f"{at}: expected an object")
            try:
                size = SizeScores(
                    fraction=float(raw["fraction"]),
                    n_train=[_int(v, f"{at}.n_train", minimum=1) for v in raw["n_train"]],
                    train=[_float(v, f"{at}.train") for v in raw["train"]],
                    val=[_float(v, f"{at}.val") for v in raw["val"]],
                )
            except (KeyError, TypeError) as exc:
                raise InputError(f"{at}: missing or malformed {exc}") from None
            if not (len(size.n_train) == len(size.train) == len(size.val) >= 1):
                raise InputError(f"{at}: n_train, train and val need one value per fold")
            sizes.append(size)
        runs = []
        for i, raw in enumerate(data.get("runs") or []):
            try:
                runs.append(Run.from_dict(raw))
            except InputError as exc:
                raise InputError(f"{where}: runs[{i}]: {exc}") from None
        score = str(data.get("score", "error"))
        if score not in ("error", "loss"):
            raise InputError(f"{where}: score must be 'error' or 'loss', got {score!r}")
        return cls(
            sizes=sorted(sizes, key=lambda s: s.n),
            k=_int(data.get("k"), f"{where}: k", minimum=1),
            score=score,
            n_samples=_opt_int(data.get("n_samples"), f"{where}: n_samples"),
            seed=_opt_int(data.get("seed"), f"{where}: seed") or 0,
            runs=runs,
            name=str(data.get("name") or ""),
            meta=dict(data.get("meta") or {}),
        )

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the result to ``path`` atomically.

        Args:
            path: Destination file (JSON).
        """
        write_json_atomic(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LearningCurveResult:
        """Read a file written by :meth:`save`.

        Args:
            path: The file.

        Returns:
            The result.
        """
        return load_learning_curve(path)

    def table(self) -> list[dict[str, Any]]:
        """One row per size: fraction, samples, train and validation mean ± std, fitted value."""
        law = self.power_law
        return [
            {
                "fraction": s.fraction,
                "n_train": round(s.n),
                "train": s.train_mean,
                "train_std": s.train_std,
                "val": s.val_mean,
                "val_std": s.val_std,
                "fitted": law(s.n) if law is not None else None,
            }
            for s in self.sizes
        ]

    def summary(self) -> str:
        """The verdict, its reason and the per-size table as plain text."""
        lines = [f"would more data help? {self.verdict}: {self.reason}"]
        lines += self.table_lines()
        return "\n".join(lines)

    def table_notes(self) -> list[str]:
        """The per-size table as one sentence per size (for report notes)."""
        what = "error" if self.score == "error" else "loss"
        out = []
        for row in self.table():
            fitted = f" (fit {row['fitted']:.3f})" if row["fitted"] is not None else ""
            out.append(
                f"learning curve at {row['fraction']:.0%} of the data ({row['n_train']:,} "
                f"samples): training {what} {row['train']:.3f} ± {row['train_std']:.3f}, "
                f"validation {what} {row['val']:.3f} ± {row['val_std']:.3f}{fitted}"
            )
        ex = self.extrapolation
        if ex is not None:
            sd = f" ± {ex.predicted_std:.3f}" if ex.predicted_std is not None else ""
            out.append(
                f"learning curve extrapolated to 2× the data ({ex.n_target:,.0f} samples): "
                f"validation {what} {ex.predicted:.3f}{sd}"
            )
        return out

    def table_lines(self) -> list[str]:
        """The per-size table as aligned plain-text lines."""
        what = "error" if self.score == "error" else "loss"
        out = [
            f"{'fraction':>8} {'samples':>8} {'train ' + what:>16} {'val ' + what:>16} {'fit':>7}"
        ]
        for row in self.table():
            fitted = f"{row['fitted']:.3f}" if row["fitted"] is not None else "-"
            out.append(
                f"{row['fraction']:>8.2f} {row['n_train']:>8,} "
                f"{row['train']:>8.3f} ± {row['train_std']:.3f} "
                f"{row['val']:>8.3f} ± {row['val_std']:.3f} {fitted:>7}"
            )
        ex = self.extrapolation
        if ex is not None:
            sd = f" ± {ex.predicted_std:.3f}" if ex.predicted_std is not None else ""
            out.append(
                f"{'2×':>8} {ex.n_target:>8,.0f} {'':>16} {'':>16} {ex.predicted:>7.3f}{sd}"
            )
        return out


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
    if var_p < 0 or var_g < 0:
        return None, None
    return math.sqrt(var_p), math.sqrt(var_g)


# ====================================================================== analysis
def fold_noise(cv: CVResult) -> dict[str, float]:
    """Noise band per metric of the fold-mean curve: the median spread across folds.

    The fold-mean curve is smooth by construction; how much the folds disagree is what
    its changes must be judged against: the spread is the noise band.
    """
    out: dict[str, float] = {}
    for key, column in cv.aggregate.std.items():
        known = [v for v in column if v is not None and math.isfinite(v)]
        if known:
            out[key] = float(statistics.median(known))
    return out


def analyze_cv(
    cv: CVResult, settings: Settings | None = None, *, rules: list[Rule] | None = None
) -> Report:
    """Diagnose a cross-validation: the curve rules on the fold mean, with fold agreement.

    Every rule runs on the fold-mean run and on each fold. A finding of the fold mean
    carries ``folds_agree`` (``"4/5"``: folds where the same rule fires) in its evidence
    and message. Rules that fire in some folds but not on the mean are listed in the
    notes, with the fold spread of the validation metrics at the folds' best epochs and
    the final-fit procedure (the median of the folds' best epochs, on all the samples).
    ``run_summary["cross_validation"]`` holds the same numbers for JSON readers.

    Args:
        cv: The cross-validation result.
        settings: Rule selection and configuration. Defaults to `None` (all rules).
        rules: Pre-loaded rules (as the CLI has them). Defaults to `None`.

    Returns:
        The report of the fold mean.
    """
    from fitdoctor import engine
    from fitdoctor.rules import Settings as _Settings

    if rules is None:
        rules = (settings or _Settings()).rules()
    mean = cv.mean_run()
    report = engine.analyze(mean, settings, rules=rules, noise=fold_noise(cv))
    fold_codes: list[set[str]] = []
    for run in cv.runs:
        fold_report = engine.analyze(run, settings, rules=rules)
        fold_codes.append({f.code for f in fold_report.findings})
    n = len(cv.runs)
    for finding in report.findings:
        agree = sum(1 for codes in fold_codes if finding.code in codes)
        finding.evidence["folds_agree"] = f"{agree}/{n}"
        finding.message += f" ({agree}/{n} folds agree)"
    on_mean = {f.code for f in report.findings}
    only_folds: dict[str, int] = {}
    for codes in fold_codes:
        # a fold's validation set is small by construction: the cross-validation is the
        # remedy FD702 recommends, so its fold findings are not news
        for code in codes - on_mean - _FOLD_EXPECTED:
            only_folds[code] = only_folds.get(code, 0) + 1
    notes = [_cv_headline(cv)]
    notes += _spread_notes(cv)
    for code in sorted(only_folds):
        notes.append(
            f"{code} fired in {only_folds[code]}/{n} folds but not on the fold mean: "
            "a fold's finding, not the model's"
        )
    advice = cv.final_fit_advice()
    best = cv.best_epochs()
    known = [b for b in best if b is not None]
    if advice is not None:
        spread = f"{min(known)}-{max(known)}" if known else "?"
        notes.append(
            f"final fit: {advice} (median of the folds' best epochs, which range {spread})."
        )
    report.notes = notes + [note for note in report.notes if note not in notes]
    report.source = cv.name or report.source
    report.run_summary["cross_validation"] = {
        "k": cv.k,
        "repeats": cv.repeats,
        "models": n,
        "n_samples": cv.n_samples,
        "stratified": cv.stratified,
        "best_epochs": best,
        "final_epochs": cv.final_epochs(),
        "final_fit": advice,
        "scores": {
            key: {"mean": s[0], "std": s[1], "folds": s[2]}
            for key in _val_keys(cv)
            if (s := cv.score(key)) is not None
        },
    }
    return report


#: Rules expected to fire on single folds of a cross-validation (not reported per fold).
_FOLD_EXPECTED = frozenset({"FD702"})


def _val_keys(cv: CVResult) -> list[str]:
    keys: list[str] = []
    for run in cv.runs:
        keys += [k for k in run.metrics if k.startswith("val_") and k not in keys]
    return keys


def _cv_headline(cv: CVResult) -> str:
    scheme = (
        f"iterated {cv.k}-fold cross-validation ({cv.repeats} repetitions, {len(cv.runs)} models)"
        if cv.repeats > 1
        else f"{cv.k}-fold cross-validation ({len(cv.runs)} models)"
    )
    extras = []
    if cv.stratified:
        extras.append("stratified")
    if cv.shuffle:
        extras.append("shuffled")
    if cv.n_samples:
        extras.append(f"{cv.n_samples:,} samples")
    tail = f", {', '.join(extras)}" if extras else ""
    return f"{scheme}{tail}; the curves are the fold mean."


def _spread_notes(cv: CVResult) -> list[str]:
    parts = []
    for key in _val_keys(cv):
        s = cv.score(key)
        if s is not None:
            parts.append(f"{key} {s[0]:.4f} ± {s[1]:.4f}")
    if not parts:
        return []
    return [f"fold spread at each fold's best epoch (mean ± std over {len(cv.runs)} models): "
            + ", ".join(parts)]


def analyze_learning_curve(
    lc: LearningCurveResult, settings: Settings | None = None, *, rules: list[Rule] | None = None
) -> Report:
    """Turn a learning curve into a report: the verdict, its reason and the per-size table.

    The curve rules run on the runs trained on the full training pool (the largest
    size), averaged over folds, when the result carries runs; the verdict and the table
    are notes, and ``run_summary["learning_curve"]`` holds them for JSON readers.

    Args:
        lc: The learning curve.
        settings: Rule selection and configuration. Defaults to `None` (all rules).
        rules: Pre-loaded rules. Defaults to `None`.

    Returns:
        The report.
    """
    from fitdoctor.report import Report as _Report

    full = _full_size_runs(lc)
    if full:
        cv = CVResult(full, k=max(lc.k, 2), n_samples=lc.n_samples,
                      name=lc.name or "learning curve")
        report = analyze_cv(cv, settings, rules=rules)
        report.notes = [n for n in report.notes if not n.startswith("final fit")]
        report.notes[0] = (
            f"learning curve ({len(lc.sizes)} sizes × {lc.k} folds); findings are for the "
            "models trained on the full training pool, averaged over folds."
        )
        report.run_summary.pop("cross_validation", None)
    else:
        report = _Report(source=lc.name or "learning curve")
    ex = lc.extrapolation
    report.notes.insert(0, f"would more data help? {lc.verdict}: {lc.reason}")
    report.notes[1:1] = lc.table_notes()
    law = lc.power_law
    report.run_summary["learning_curve"] = {
        "verdict": lc.verdict,
        "reason": lc.reason,
        "score": lc.score,
        "sizes": lc.table(),
        "power_law": None if law is None else {"a": law.a, "b": law.b, "c": law.c,
                                               "method": law.method},
        "extrapolation": None if ex is None else dict(ex.__dict__),
    }
    return report


def _full_size_runs(lc: LearningCurveResult) -> list[Run]:
    """The runs trained on the largest size (one per fold)."""
    top = lc.sizes[-1].fraction
    return [r for r in lc.runs if r.meta.get("fraction") == top]


# ========================================================================= files
def document_schema(data: Any) -> str | None:
    """The schema of a cross-validation or learning-curve document, else ``None``."""
    if isinstance(data, Mapping):
        schema = data.get("schema")
        if isinstance(schema, str) and (
            schema.startswith("fitdoctor.cv/") or schema.startswith("fitdoctor.learning-curve/")
        ):
            return schema
    return None


def is_cv_document(data: Any) -> bool:
    """True for a parsed JSON object with a ``fitdoctor.cv/*`` schema (any version)."""
    schema = document_schema(data)
    return schema is not None and schema.startswith("fitdoctor.cv/")


def is_learning_curve_document(data: Any) -> bool:
    """True for a parsed JSON object with a ``fitdoctor.learning-curve/*`` schema."""
    schema = document_schema(data)
    return schema is not None and schema.startswith("fitdoctor.learning-curve/")


def _read_json(path: str | os.PathLike[str]) -> Any:
    display = os.fspath(path)
    try:
        with open(display, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise InputError(f"{display}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{display}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{display}: invalid JSON (line {exc.lineno}: {exc.msg})") from None


def load_document(path: str | os.PathLike[str]) -> CVResult | LearningCurveResult:
    """Read a cross-validation or learning-curve file.

    Args:
        path: The file.

    Returns:
        The result.

    Raises:
        InputError: The file is not one of these documents, or is malformed.
    """
    display = os.fspath(path)
    data = _read_json(path)
    name = os.path.basename(display)
    if is_cv_document(data):
        cv = CVResult.from_dict(data, display)
        cv.name = cv.name or name
        return cv
    if is_learning_curve_document(data):
        lc = LearningCurveResult.from_dict(data, display)
        lc.name = lc.name or name
        return lc
    raise InputError(f"{display}: not a fitdoctor cross-validation or learning-curve file")


def load_cv(path: str | os.PathLike[str]) -> CVResult:
    """Read a cross-validation file (``"schema": "fitdoctor.cv/1"``).

    Args:
        path: The file.

    Returns:
        The result.
    """
    doc = load_document(path)
    if not isinstance(doc, CVResult):
        raise InputError(f"{os.fspath(path)}: a learning-curve file, not a cross-validation")
    return doc


def load_learning_curve(path: str | os.PathLike[str]) -> LearningCurveResult:
    """Read a learning-curve file (``"schema": "fitdoctor.learning-curve/1"``).

    Args:
        path: The file.

    Returns:
        The result.
    """
    doc = load_document(path)
    if not isinstance(doc, LearningCurveResult):
        raise InputError(f"{os.fspath(path)}: a cross-validation file, not a learning curve")
    return doc


def analyze_file(
    path: str | os.PathLike[str],
    settings: Settings | None = None,
    *,
    rules: list[Rule] | None = None,
) -> tuple[Report, Run | None]:
    """Analyze a cross-validation or learning-curve file (what ``fitdoctor analyze`` calls).

    Args:
        path: The file.
        settings: Rule selection and configuration. Defaults to `None`.
        rules: Pre-loaded rules. Defaults to `None`.

    Returns:
        The report and the run it describes (the fold mean; for a learning curve, the
        fold mean at the largest size, or ``None`` when the file has no runs), for the
        reporters' loss sparkline.
    """
    doc = load_document(path)
    if isinstance(doc, CVResult):
        return analyze_cv(doc, settings, rules=rules), doc.mean_run()
    full = _full_size_runs(doc)
    run = CVResult(full, k=max(doc.k, 2), n_samples=doc.n_samples).mean_run() if full else None
    return analyze_learning_curve(doc, settings, rules=rules), run


# ====================================================================== helpers
def _check_schema(data: Any, expected: str, where: str) -> None:
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: expected a JSON object")
    schema = data.get("schema")
    if schema != expected:
        raise InputError(
            f"{where}: unsupported schema {schema!r}; this fitdoctor reads {expected!r}"
        )


def _int(value: Any, where: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{where}: expected an integer >= {minimum}, got {value!r}")
    return value


def _opt_int(value: Any, where: str) -> int | None:
    return None if value is None else _int(value, where)


def _float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{where}: expected a finite number, got {value!r}")
    return float(value)
