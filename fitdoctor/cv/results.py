"""Cross-validation and learning-curve results: the data and their JSON form.

* :class:`CVResult` -- one :class:`~fitdoctor.run.Run` per trained model (``meta``
  carries ``repeat`` and ``fold``), the per-epoch mean and spread across folds
  (:func:`aggregate`), the fold-mean run (:meth:`CVResult.mean_run`) and the folds' best
  epochs. Saved as JSON with ``"schema": "fitdoctor.cv/1"``.
* :class:`LearningCurveResult` -- train and validation scores per training-set size (one
  value per fold), with what they measure (:mod:`fitdoctor.cv.power_law`) and the answer
  of the learning-curve rules to "would more data help?" (:attr:`~LearningCurveResult.verdict`).
  Saved as JSON with ``"schema": "fitdoctor.learning-curve/1"``.

Reading them back, with every field checked, is :mod:`fitdoctor.cv.documents`.
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from fitdoctor.cv.power_law import Extrapolation, PowerLaw, doubling_trend, extrapolate
from fitdoctor.errors import InputError
from fitdoctor.run import DataInfo, Run
from fitdoctor.storage import write_json_atomic

if TYPE_CHECKING:
    from fitdoctor.rules import Settings

__all__ = [
    "CV_SCHEMA",
    "LEARNING_CURVE_SCHEMA",
    "VERDICTS",
    "Aggregate",
    "CVResult",
    "LearningCurveResult",
    "SizeScores",
    "aggregate",
]

CV_SCHEMA = "fitdoctor.cv/1"
LEARNING_CURVE_SCHEMA = "fitdoctor.learning-curve/1"

#: Answers to "would more data help?".
VERDICTS = ("helps", "won't help", "unclear")


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

    Non-finite values (a fold that diverged) make that epoch's mean non-finite, as they
    should; gaps (not logged) are left out.

    Args:
        runs: One run per fold.

    Returns:
        The aggregate over every epoch any run reached.
    """
    epochs = sorted({e for run in runs for e in run.epochs})
    col = {e: i for i, e in enumerate(epochs)}
    keys: list[str] = list(dict.fromkeys(k for run in runs for k in run.metrics))
    cols = [np.asarray([col[e] for e in run.epochs], dtype=np.intp) for run in runs]
    n_folds = [0] * len(epochs)
    for run in runs:
        for e in set(run.epochs):
            n_folds[col[e]] += 1
    mean: dict[str, list[float | None]] = {}
    std: dict[str, list[float | None]] = {}
    for key in keys:
        grid = np.full((len(runs), len(epochs)), np.nan)
        seen = np.zeros_like(grid, dtype=bool)
        for r, run in enumerate(runs):
            values = run.metrics.get(key, [])[: cols[r].size]
            where = cols[r][: len(values)]
            grid[r, where] = [math.nan if v is None else v for v in values]
            seen[r, where] = [v is not None for v in values]
        count = seen.sum(axis=0)
        with np.errstate(all="ignore"):
            total = np.where(seen, grid, 0.0).sum(axis=0)
            m = total / np.maximum(count, 1)
            dev = np.where(seen, grid - m[None, :], 0.0)
            s = np.sqrt((dev**2).sum(axis=0) / np.maximum(count - 1, 1))
        mean[key] = [float(m[i]) if count[i] else None for i in range(len(epochs))]
        std[key] = [float(s[i]) if count[i] > 1 else None for i in range(len(epochs))]
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

    @property
    def aggregate(self) -> Aggregate:
        """Per-epoch mean and spread across all folds."""
        return aggregate(self.runs)

    def mean_run(self, *, aggregate: Aggregate | None = None) -> Run:
        """The fold-mean run: per-epoch mean of every metric over the epochs all folds reached.

        Facts (model, compile, fit, data) are the first fold's; ``data.n_val`` becomes the
        number of samples validated per repetition (every sample once) when known, so
        rules about the validation set judge the cross-validation, not one fold.

        Args:
            aggregate: :attr:`aggregate`, when already computed. Defaults to `None`.
        """
        if not self.runs:
            raise InputError("a cross-validation result without runs")
        agg = aggregate if aggregate is not None else self.aggregate
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
            framework=first.framework,
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

    def final_epochs(self, *, best_epochs: Sequence[int | None] | None = None) -> int | None:
        """The median of the folds' best epochs (``None``: no fold has validation data).

        It is the epoch count of the final fit on all the data only when the folds found
        their best epoch: :meth:`final_fit_advice` says whether they did.

        Args:
            best_epochs: :meth:`best_epochs`, when already computed. Defaults to `None`.
        """
        known = self.best_epochs() if best_epochs is None else best_epochs
        best = [b for b in known if b is not None]
        if not best:
            return None
        return max(1, round(statistics.median(best)))

    def final_fit_advice(self, settings: Settings | None = None) -> str | None:
        """The final-fit procedure in one sentence, agreeing with the report's findings.

        The same sentence :func:`fitdoctor.cv.analyze_cv` puts in the report: retrain on
        all the samples for the median of the folds' best epochs, or, when a finding of
        the report recommends training longer, cross-validate longer first.

        Args:
            settings: Rule selection and configuration of the analysis. Defaults to
                `None` (all rules).

        Returns:
            The sentence, or ``None`` when no fold has validation data.
        """
        from fitdoctor.cv.folds import analyze_cv

        summary = analyze_cv(self, settings).run_summary["cross_validation"]
        text = summary.get("final_fit")
        return text if isinstance(text, str) else None

    def score(
        self, key: str, epoch: int | None = None, *,
        best_epochs: Sequence[int | None] | None = None,
    ) -> tuple[float, float, int] | None:
        """Mean, standard deviation and fold count of ``key`` at each fold's ``epoch``.

        Args:
            key: Metric name, e.g. ``"val_accuracy"``.
            epoch: Epoch (1-based). Defaults to `None` (each fold's best epoch).
            best_epochs: :meth:`best_epochs`, when already computed. Defaults to `None`.

        Returns:
            ``(mean, std, folds)``, or ``None`` when no fold logged ``key`` there.
        """
        vals: list[float] = []
        bests = self.best_epochs() if best_epochs is None else best_epochs
        for run, best in zip(self.runs, bests, strict=True):
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

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (``"schema": "fitdoctor.cv/1"``)."""
        best = self.best_epochs()
        return {
            "schema": CV_SCHEMA,
            "name": self.name,
            "k": self.k,
            "repeats": self.repeats,
            "n_samples": self.n_samples,
            "shuffle": self.shuffle,
            "stratified": self.stratified,
            "seed": self.seed,
            "final_epochs": self.final_epochs(best_epochs=best),
            "best_epochs": best,
            "aggregate": self.aggregate.to_dict(),
            "meta": self.meta,
            "runs": [run.to_dict() for run in self.runs],
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "cross-validation") -> CVResult:
        """Build a result from :meth:`to_dict`'s form, checking every field.

        See :func:`fitdoctor.cv.documents.parse_cv`.
        """
        from fitdoctor.cv.documents import parse_cv

        return parse_cv(data, where)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the result to ``path`` atomically (every fold's run plus the aggregate).

        Args:
            path: Destination file (JSON).
        """
        write_json_atomic(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CVResult:
        """Read a file written by :meth:`save` (see :func:`load_cv`).

        Args:
            path: The file.

        Returns:
            The result.
        """
        from fitdoctor.cv.documents import load_cv

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
        return _mean(self.n_train)

    @property
    def train_mean(self) -> float:
        """Mean training score."""
        return _mean(self.train)

    @property
    def val_mean(self) -> float:
        """Mean validation score."""
        return _mean(self.val)

    @property
    def val_std(self) -> float:
        """Sample standard deviation of the validation score across folds (0 with one fold)."""
        return _std(self.val)

    @property
    def train_std(self) -> float:
        """Sample standard deviation of the training score across folds."""
        return _std(self.train)


def _mean(values: Sequence[float]) -> float:
    with np.errstate(all="ignore"):  # values near the float limit overflow to inf, quietly
        return float(np.mean(np.asarray(values, dtype=float)))


def _std(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    with np.errstate(all="ignore"):
        return float(np.std(np.asarray(values, dtype=float), ddof=1))


@dataclass
class LearningCurveResult:
    """Train and validation scores on growing training sets, and what they say about more data.

    Scores are errors (lower is better): ``1 - accuracy`` for classifiers compiled with
    an accuracy metric, else the loss. Each size is trained once per fold (``k`` folds);
    the validation data of a fold is the same for every size.

    What the curve measures (:attr:`power_law`, :attr:`extrapolation`,
    :meth:`doubling_trend`) is computed here; whether more data would help is judged by
    the learning-curve rules (``rules/cross_validation.toml``): :attr:`verdict` and
    :attr:`reason` are their answer with the default settings.

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

    # ------------------------------------------------------------- measurements
    @cached_property
    def _fitted(self) -> tuple[PowerLaw, Extrapolation] | None:
        return extrapolate(self.sizes, self.k, self.seed)

    @property
    def power_law(self) -> PowerLaw | None:
        """The power law fitted to the mean validation scores (``None``: too few sizes)."""
        return self._fitted[0] if self._fitted is not None else None

    @property
    def extrapolation(self) -> Extrapolation | None:
        """The fitted validation score at twice the largest size, with its uncertainty."""
        return self._fitted[1] if self._fitted is not None else None

    def doubling_trend(self) -> tuple[float, float | None] | None:
        """Change of the validation score per doubling of the data, over the upper sizes.

        See :func:`fitdoctor.cv.power_law.doubling_trend`.
        """
        return doubling_trend(self.sizes)

    # ------------------------------------------------------------------ judgment
    @cached_property
    def _answer(self) -> tuple[str, str]:
        from fitdoctor.cv.learning import answer

        return answer(self)

    @property
    def verdict(self) -> str:
        """Would more data help? ``"helps"``, ``"won't help"`` or ``"unclear"``.

        The answer of the learning-curve rules with the default settings; a report
        (:func:`fitdoctor.cv.analyze_learning_curve`) gives it with yours.
        """
        return self._answer[0]

    @property
    def reason(self) -> str:
        """Why: the message of the rule that answered, or why none could."""
        return self._answer[1]

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

    def summary(self) -> str:
        """The verdict, its reason and the per-size table as plain text."""
        return "\n".join([f"would more data help? {self.verdict}: {self.reason}",
                          *self.table_lines()])

    # --------------------------------------------------------------------- files
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
    def from_dict(cls, data: Any, where: str = "learning curve") -> LearningCurveResult:
        """Build a result from :meth:`to_dict`'s form, checking every field.

        See :func:`fitdoctor.cv.documents.parse_learning_curve`.
        """
        from fitdoctor.cv.documents import parse_learning_curve

        return parse_learning_curve(data, where)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the result to ``path`` atomically.

        Args:
            path: Destination file (JSON).
        """
        write_json_atomic(self.to_dict(), path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LearningCurveResult:
        """Read a file written by :meth:`save` (see :func:`load_learning_curve`).

        Args:
            path: The file.

        Returns:
            The result.
        """
        from fitdoctor.cv.documents import load_learning_curve

        return load_learning_curve(path)
