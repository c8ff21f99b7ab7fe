"""The numbers a comparison judges: each run at the epoch it keeps, and their noise.

**The epoch a run keeps.** A run is what its weights are at the end: the epoch
``EarlyStopping(restore_best_weights=True)`` (or ``FitDoctor(restore_best_weights=True)``)
restored (the epoch ``EarlyStopping`` printed that it restored, in a console log), or
the last epoch when the run file says nothing was restored (no early stopping, or
``restore_best_weights`` off). A bare history does not say (nor does one wrapped with
``h.params``, a console log without a printed restore, a trainer_state): it is judged at
fitdoctor's best epoch (:func:`fitdoctor.engine.best_epoch`, lowest ``val_loss``), the
epoch fitdoctor recommends keeping. Never the maximum of a metric over all epochs: on 15
validation samples the best of 200 accuracies is luck.

**Noise.** A rate of samples (an accuracy, a class's recall) measured on ``n``
validation samples has a sampling error: the half-width of the 95% Wilson interval
(:func:`fitdoctor.detectors.validation_setup.wilson_half_width`). ``n`` is the run's
validation size (recorded by the callback, or read off the steps of a bare history's
accuracy, :func:`~fitdoctor.detectors.validation_setup.validation_size`, or at least
bounded by its smallest step, :func:`n_validation`), or the class's validation samples
for a per-class metric. A class's PR-AUC is treated the same way on
its samples (the binomial approximation of Boyd et al., "Area under the
Precision-Recall Curve: Point Estimates and Confidence Intervals", 2013). The two runs'
half-widths add in quadrature, and a difference of a single sample is never more than
noise. Any other metric (a loss, an F1, an MAE) has the spread of its curve's tail
(:func:`fitdoctor.curves.scatter`) instead, times ``noise_factor``, with a floor of 1%
of its value; a validation MAE with a recorded ``n`` has the sampling error of a mean
of ``n`` absolute errors (normal errors: ``1.96 * 0.756 * MAE / sqrt(n)``). A
difference inside the noise is "no detectable change".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from fitdoctor import curves
from fitdoctor.compare.yardstick import Yardstick, class_value
from fitdoctor.detectors.validation_setup import (
    restored_epoch,
    validation_size,
    wilson_half_width,
)
from fitdoctor.run import PerClass, Run

__all__ = [
    "UNSAYING_SOURCES", "Kept", "Measure", "difference_noise", "kept_epoch", "measure",
    "n_validation", "shared_size",
]

#: Sources whose fit facts (``h.params``' epochs, a console log's ``Epoch 3/30``, a
#: trainer_state's ``num_train_epochs``) never say whether EarlyStopping restored the best
#: weights: without a printed restore they are judged as a bare history is, at
#: fitdoctor's best epoch, never at their last on a guess.
UNSAYING_SOURCES = frozenset({
    "keras-history", "json-records", "csv", "console", "dataframe", "tensorboard",
    "keras-tuner", "mlflow",
})
#: 95% two-sided normal quantile.
Z = 1.96
#: Epochs of a curve's tail whose spread is its noise (at least 4 logged values).
TAIL = 10
#: Floor of the noise of a metric that is not a rate: this share of its value.
MIN_RELATIVE_STEP = 0.01
#: Floor of the noise of a rate whose sample count is unknown (half a point).
MIN_RATE_STEP = 0.005


@dataclass(frozen=True)
class Kept:
    """The epoch a run keeps, and why.

    Args:
        epoch: The epoch (1-based), or ``None`` for a run without epochs.
        why: ``"restored"`` (best weights restored), ``"last"`` (nothing restored) or
            ``"best"`` (a bare history: fitdoctor's best epoch).
    """

    epoch: int | None
    why: str

    @property
    def text(self) -> str:
        """``"epoch 37 (best weights restored)"``-like description."""
        what = {
            "restored": "best weights restored",
            "last": "last epoch, nothing restored",
            "best": "fitdoctor's best epoch",
        }[self.why]
        return f"epoch {self.epoch} ({what})" if self.epoch is not None else "no epoch"


def kept_epoch(run: Run) -> Kept:
    """The epoch whose weights the run ends with (see the module docs)."""
    from fitdoctor.engine import best_epoch

    if not run.epochs:
        return Kept(None, "last")
    restored = restored_epoch(run)
    if restored is not None and restored in run.epochs:
        return Kept(restored, "restored")
    fit = run.fit
    printed = run.facts.get("restored_best_epoch")
    if (
        fit is not None and fit.restore_best_weights is True
        and isinstance(printed, int) and not isinstance(printed, bool) and printed in run.epochs
    ):
        # the epoch EarlyStopping said it restored (a console log): its monitor may not
        # be val_loss, so it beats fitdoctor's best epoch
        return Kept(printed, "restored")
    says = fit is not None and (
        fit.restore_best_weights is not None or run.source not in UNSAYING_SOURCES
    )
    if says and fit is not None and fit.restore_best_weights is not True:
        # a run file: no EarlyStopping that restores (restore_best_weights off or none)
        return Kept(run.epochs[-1], "last")
    best = best_epoch(run)
    if best is None:
        return Kept(run.epochs[-1], "last")
    restores = fit is not None and fit.restore_best_weights is True
    return Kept(best.epoch, "restored" if restores else "best")


def _logged_at_or_before(run: Run, key: str, epoch: int) -> tuple[float, int] | None:
    """``key`` at ``epoch``, else at the closest earlier epoch that logged it."""
    values = run.metrics.get(key, [])
    for i in range(len(run.epochs) - 1, -1, -1):
        e = run.epochs[i]
        if e > epoch:
            continue
        v = values[i] if i < len(values) else None
        if v is not None and math.isfinite(v):
            return float(v), e
    return None


def _record_at_or_before(run: Run, label: str, key: str, epoch: int) -> tuple[float, int] | None:
    records = sorted((r for r in run.per_class if r.epoch <= epoch), key=lambda r: r.epoch)
    for record in reversed(records):
        v = class_value(record, label, key)
        if v is not None:
            return v, record.epoch
    return None


def record_at(run: Run, epoch: int | None) -> PerClass | None:
    """The per-class record at ``epoch``, else the closest earlier one."""
    if epoch is None:
        return None
    records = [r for r in run.per_class if r.epoch <= epoch]
    return max(records, key=lambda r: r.epoch) if records else None


def n_validation(run: Run, *, max_n: int, max_false: float) -> tuple[int, str] | None:
    """The run's validation size: recorded, read off its validation accuracy's steps, or bounded.

    When the accuracy's values are too few to tell ``n``
    (:func:`~fitdoctor.detectors.validation_setup.validation_size` says ``None``), its
    smallest step between two distinct values is still ``m/n`` for some ``m >= 1``:
    ``n >= 1/step``. That lower bound (source ``"step"``) gives a wider, safe interval:
    an accuracy that only ever took the values 13/15, 14/15 and 1 is not judged as if
    measured on thousands of samples.
    """
    key = _accuracy_key(run)
    found = validation_size(run, key, max_n=max_n, max_false=max_false)
    if found is not None or key is None:
        return found
    bound = _step_bound(run.series(key), max_n)
    return (bound, "step") if bound is not None else None


def _step_bound(values: list[float], max_n: int) -> int | None:
    """``floor(1 / smallest step)`` between distinct rates in [0, 1], or ``None``."""
    x = np.asarray(values, dtype=float)
    x = np.unique(x[np.isfinite(x) & (x >= 0) & (x <= 1)])
    if x.size < 2:
        return None
    steps = np.diff(x)
    steps = steps[steps > 1e-6]  # float32 copies of one value are one value
    if steps.size == 0:
        return None
    n = math.floor(1.0 / float(steps.min()) + 0.01)
    return n if 2 <= n <= max_n else None


@dataclass(frozen=True)
class Measure:
    """The yardstick of one run at the epoch it keeps.

    Args:
        value: The value, or ``None`` when the run does not have it there.
        epoch: The epoch it was measured at (the kept one, or the closest earlier one
            that logged it).
        n: Samples behind it for a rate (the validation set, or the class's samples).
        n_source: ``"recorded"``, ``"inferred"``, ``"step"`` (a lower bound), ``"other
            run"`` (the other run's size: one validation set) or ``None``.
        half_width: Its 95% sampling half-width (a rate with known ``n``), else ``None``.
        spread: Spread of the curve's tail (epoch-to-epoch noise), ``0.0`` when unknown.
    """

    value: float | None
    epoch: int | None
    n: int | None = None
    n_source: str | None = None
    half_width: float | None = None
    spread: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "value": self.value, "epoch": self.epoch, "n": self.n, "n_source": self.n_source,
            "half_width": self.half_width, "spread": self.spread,
        }


def _tail_spread(values: list[float]) -> float:
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)][-TAIL:]
    return float(curves.scatter(x)) if x.size >= 4 else 0.0


def measure(
    run: Run, yardstick: Yardstick, kept: Kept, n_val: tuple[int, str] | None
) -> Measure:
    """The yardstick's value at the kept epoch, with its noise.

    Args:
        run: The run.
        yardstick: What is measured.
        kept: The run's kept epoch.
        n_val: The run's validation size and its source, if known.

    Returns:
        The measure.
    """
    if kept.epoch is None:
        return Measure(None, None)
    if yardstick.label is not None:
        found = _record_at_or_before(run, yardstick.label, yardstick.key, kept.epoch)
        series = [
            v for v in (class_value(r, yardstick.label, yardstick.key)
                        for r in sorted(run.per_class, key=lambda r: r.epoch))
            if v is not None
        ]
        record = record_at(run, kept.epoch)
        n: int | None = None
        if record is not None:
            labels = [str(x) for x in record.labels]
            i = labels.index(yardstick.label) if yardstick.label in labels else -1
            n = int(record.support[i]) if 0 <= i < len(record.support) else None
        source = "recorded" if n else None
    else:
        found = _logged_at_or_before(run, yardstick.key, kept.epoch)
        series = run.series(yardstick.key)
        n, source = n_val if n_val is not None else (None, None)
    if found is None:
        return Measure(None, None, n, source, None, _tail_spread(series))
    value, epoch = found
    if yardstick.proportion and n:
        return Measure(value, epoch, n, source, wilson_half_width(value, n, Z),
                       _tail_spread(series))
    if yardstick.key in MAE_KEYS and n and source == "recorded" and value >= 0:
        # the mean of n absolute errors: sd(|e|) / mean(|e|) = sqrt(pi/2 - 1) for
        # normal errors, so its half-width is z * 0.756 * MAE / sqrt(n)
        half = Z * math.sqrt(math.pi / 2 - 1) * value / math.sqrt(n)
        return Measure(value, epoch, n, source, half, _tail_spread(series))
    return Measure(value, epoch, None, None, None, _tail_spread(series))


#: Validation MAE curves: their sampling error is known from ``n`` (normal errors).
MAE_KEYS = ("val_mae", "val_mean_absolute_error")


def shared_size(
    b: tuple[int, str] | None, a: tuple[int, str] | None, before: Run, after: Run, max_n: int
) -> tuple[tuple[int, str] | None, tuple[int, str] | None]:
    """Fill a run's unknown validation size from the other run's, or from both runs' steps.

    A comparison presumes one validation set (:func:`fitdoctor.compare` says when it
    knows otherwise): a run whose accuracy never moved tells nothing of ``n``, its twin
    may. With neither known, the smallest step between the values of both accuracy
    curves bounds ``n`` from below.
    """
    if b is not None and a is not None:
        return b, a
    if b is not None:
        return b, (b[0], "other run")
    if a is not None:
        return (a[0], "other run"), a
    values = [v for run in (before, after) for v in run.series(_accuracy_key(run) or "")]
    bound = _step_bound(values, max_n)
    if bound is None:
        return None, None
    return (bound, "step"), (bound, "step")


def _accuracy_key(run: Run) -> str | None:
    return next(
        (k for k in run.metrics
         if k.startswith("val_") and ("acc" in k.removeprefix("val_")) and run.has(k)),
        None,
    )


def difference_noise(
    before: Measure, after: Measure, yardstick: Yardstick, noise_factor: float
) -> tuple[float, str]:
    """How large a difference must be to be more than noise, and how that was measured.

    Args:
        before: BEFORE's measure.
        after: AFTER's measure.
        yardstick: What was measured.
        noise_factor: Multiple of the tails' spread that counts as noise.

    Returns:
        ``(threshold, how)``; ``how`` names the interval in words.
    """
    spread = noise_factor * math.hypot(before.spread, after.spread)
    if before.half_width is not None and after.half_width is not None:
        assert before.n and after.n
        binomial = math.hypot(before.half_width, after.half_width)
        n_text = (f"n={before.n}" if before.n == after.n else f"n={before.n} and {after.n}")
        if "step" in (before.n_source, after.n_source):
            n_text = n_text.replace("n=", "n≥", 1) + ", from the accuracy's smallest step"
        if yardstick.key in MAE_KEYS:
            return max(binomial, spread), f"95% interval of a mean of absolute errors ({n_text})"
        return max(binomial, 1.0 / min(before.n, after.n), spread), (
            f"95% binomial interval ({n_text})"
        )
    values = [abs(v) for v in (before.value, after.value) if v is not None]
    if yardstick.proportion:
        floor = MIN_RATE_STEP
        how = "spread of the curves' tails (validation size unknown)"
    else:
        floor = MIN_RELATIVE_STEP * max(values, default=0.0)
        how = "spread of the curves' tails"
    return max(spread, floor), how
