"""Compare two runs: did the change help?

:func:`compare` aligns a BEFORE and an AFTER run on their epoch numbers, analyzes both
with the same rules, and measures what changed: best validation loss and metric (each
with its epoch), the generalization gap (``val_loss - loss``) at fitdoctor's best epoch,
the findings that appeared, disappeared or stayed (by code), per-class recall at the
last recorded epoch, and one verdict line such as::

    AFTER fixes FD101 overfitting: best val_accuracy 0.936 → 0.939, gap 0.26 → 0.19

This module measures and judges only; :mod:`fitdoctor.reporters.compare_render` shows
a :class:`Comparison` as rich/text/markdown/json.

The monitored metric
--------------------
AFTER *regresses* when it gains a warning or an error, or when its best value of the
monitored metric is worse than BEFORE's by more than ``noise_factor`` times the
epoch-to-epoch noise of the two validation curves (:func:`fitdoctor.curves.noise`,
the larger of the two). The default monitor is the validation accuracy (or AUC, or
MAE for regression) when both runs log it, else ``val_loss``: Keras adds
regularization penalties (L2 and friends) to ``val_loss``, so the runs compare is
made for, "the same model with more regularization", report a higher ``val_loss`` for
the same predictions. Pass ``monitor="val_loss"`` to judge on the loss anyway.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from fitdoctor import curves
from fitdoctor.errors import ConfigError, InputError
from fitdoctor.report import Finding, Report, Severity, strict_json
from fitdoctor.run import Run

if TYPE_CHECKING:
    from fitdoctor.rules import Settings

__all__ = [
    "COMPARE_SCHEMA",
    "ClassChange",
    "Comparison",
    "FindingChange",
    "Side",
    "compare",
    "default_monitor",
    "monitor_mode",
]

COMPARE_SCHEMA = "fitdoctor.compare/1"

#: Default: AFTER is worse "beyond noise" when it is worse by more than this many noises.
NOISE_FACTOR = 2.0

_MAX_HINTS = ("acc", "auc", "precision", "recall", "f1", "iou", "r2")
_MIN_HINTS = ("loss", "error", "mae", "mse", "rmse", "mape", "msle", "crossentropy", "hinge")


def monitor_mode(monitor: str) -> str:
    """``"min"`` or ``"max"``: which way ``monitor`` improves (the Keras convention).

    The ``val_`` prefix is stripped; loss- and error-like names are minimised,
    accuracy-like names (accuracy, AUC, precision, recall, F1) are maximised.

    Args:
        monitor: The metric name.

    Returns:
        The direction.

    Raises:
        ConfigError: The name says neither; pass ``mode`` explicitly.
    """
    base = monitor.removeprefix("val_").lower()
    if any(h in base for h in _MIN_HINTS):
        return "min"
    if any(h in base for h in _MAX_HINTS):
        return "max"
    raise ConfigError(
        f"cannot tell whether a higher or lower {monitor!r} is better; pass mode='min' or 'max'"
    )


def default_monitor(before: Run, after: Run) -> str:
    """The validation metric to judge on when none is given (see the module docs).

    Returns:
        An accuracy-like validation metric, else ``val_auc``/``val_mae``-like, when
        both runs log it; else ``val_loss``.
    """
    shared = [k for k in before.metrics if k.startswith("val_") and before.has(k) and after.has(k)]
    for test in (
        lambda b: b in ("accuracy", "acc") or b.endswith("_accuracy"),
        lambda b: b == "auc" or b.endswith("_auc"),
        lambda b: b in ("mae", "mean_absolute_error"),
    ):
        for key in shared:
            if test(key.removeprefix("val_")):
                return key
    return "val_loss"


# ------------------------------------------------------------------ data
@dataclass
class Side:
    """The numbers of one run in a comparison.

    Args:
        name: Display name.
        n_epochs: Epochs in the run.
        best_epoch: fitdoctor's best epoch (judged on ``val_loss``), or ``None``.
        best_val_loss: Lowest finite ``val_loss``, or ``None``.
        best_val_loss_epoch: Its epoch.
        best_monitor: Best finite value of the monitored metric, or ``None``.
        best_monitor_epoch: Its epoch.
        last_val_loss: ``val_loss`` at the last epoch that logged it.
        gap: ``val_loss - loss`` at ``best_epoch``, or ``None``.
        noise: Epoch-to-epoch noise of the monitored curve.
        report: The run's analysis.
    """

    name: str
    n_epochs: int
    best_epoch: int | None
    best_val_loss: float | None
    best_val_loss_epoch: int | None
    best_monitor: float | None
    best_monitor_epoch: int | None
    last_val_loss: float | None
    gap: float | None
    noise: float
    report: Report

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers (the report is not included; see :meth:`Comparison.to_dict`)."""
        return {
            "name": self.name,
            "n_epochs": self.n_epochs,
            "best_epoch": self.best_epoch,
            "best_val_loss": self.best_val_loss,
            "best_val_loss_epoch": self.best_val_loss_epoch,
            "best_monitor": self.best_monitor,
            "best_monitor_epoch": self.best_monitor_epoch,
            "last_val_loss": self.last_val_loss,
            "gap": self.gap,
            "noise": self.noise,
            "verdict": self.report.verdict,
        }


@dataclass
class FindingChange:
    """One rule code and how it changed between the runs.

    Args:
        code: Rule code.
        name: Rule name.
        diagnosis: Diagnosis.
        status: ``"fixed"`` (BEFORE only), ``"new"`` (AFTER only) or ``"stayed"``.
        before: BEFORE's finding, if any.
        after: AFTER's finding, if any.
    """

    code: str
    name: str
    diagnosis: str
    status: str
    before: Finding | None = None
    after: Finding | None = None

    @property
    def escalated(self) -> bool:
        """True when the code stayed and AFTER's severity is higher."""
        return (
            self.before is not None
            and self.after is not None
            and self.after.severity.rank > self.before.severity.rank
        )

    @property
    def severity(self) -> Severity:
        """AFTER's severity when present, else BEFORE's."""
        finding = self.after if self.after is not None else self.before
        assert finding is not None
        return finding.severity

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "name": self.name,
            "diagnosis": self.diagnosis,
            "status": self.status,
            "before_severity": self.before.severity.value if self.before else None,
            "after_severity": self.after.severity.value if self.after else None,
            "before_message": self.before.message if self.before else None,
            "after_message": self.after.message if self.after else None,
        }


@dataclass
class ClassChange:
    """Validation recall of one class, BEFORE and AFTER (last recorded epoch of each).

    Args:
        label: Class label.
        before: BEFORE's recall, or ``None`` when the class is absent there.
        after: AFTER's recall, or ``None``.
    """

    label: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        """``after - before``, when both are known."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class Comparison:
    """What changed from BEFORE to AFTER.

    Args:
        before: BEFORE's numbers.
        after: AFTER's numbers.
        monitor: The validation metric the regression check judges on.
        mode: ``"min"`` or ``"max"``: which way ``monitor`` improves.
        threshold: How much worse than BEFORE counts as "beyond noise".
        common_epochs: Epochs both runs have (aligned by epoch number).
        changes: Findings by code: fixed, new and stayed, in that order.
        per_class: Recall changes per class, when both runs recorded per-class metrics.
        notes: Remarks on how to read the numbers.
    """

    before: Side
    after: Side
    monitor: str
    mode: str
    threshold: float
    common_epochs: list[int]
    changes: list[FindingChange] = field(default_factory=list)
    per_class: list[ClassChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    # -------------------------------------------------------------- judging
    @property
    def monitor_delta(self) -> float | None:
        """``after - before`` of the monitor's best values, or ``None``."""
        if self.before.best_monitor is None or self.after.best_monitor is None:
            return None
        return self.after.best_monitor - self.before.best_monitor

    def _worse_by(self) -> float | None:
        delta = self.monitor_delta
        if delta is None:
            return None
        return delta if self.mode == "min" else -delta

    @property
    def worse_beyond_noise(self) -> bool:
        """AFTER's best monitor value is worse than BEFORE's by more than the threshold."""
        worse = self._worse_by()
        return worse is not None and worse > self.threshold

    @property
    def better_beyond_noise(self) -> bool:
        """AFTER's best monitor value is better than BEFORE's by more than the threshold."""
        worse = self._worse_by()
        return worse is not None and -worse > self.threshold

    @property
    def fixed(self) -> list[FindingChange]:
        """Codes BEFORE had and AFTER does not."""
        return [c for c in self.changes if c.status == "fixed"]

    @property
    def new(self) -> list[FindingChange]:
        """Codes AFTER has and BEFORE did not."""
        return [c for c in self.changes if c.status == "new"]

    @property
    def stayed(self) -> list[FindingChange]:
        """Codes both runs have."""
        return [c for c in self.changes if c.status == "stayed"]

    @property
    def gained(self) -> list[FindingChange]:
        """New warnings/errors in AFTER, and codes that stayed but became more severe."""
        return [
            c
            for c in self.changes
            if (c.status == "new" and c.severity.rank >= Severity.WARNING.rank) or c.escalated
        ]

    @property
    def regression_reasons(self) -> list[str]:
        """Why AFTER is a regression (empty when it is not)."""
        reasons = [
            f"gains {c.code} {c.diagnosis} ({c.severity.value})"
            if c.status == "new"
            else f"{c.code} {c.diagnosis} became {c.severity.value}"
            for c in self.gained
        ]
        if self.worse_beyond_noise:
            assert self.before.best_monitor is not None and self.after.best_monitor is not None
            reasons.append(
                f"best {self.monitor} {num(self.before.best_monitor)} → "
                f"{num(self.after.best_monitor)}, worse by more than the noise "
                f"({num(self.threshold)})"
            )
        return reasons

    @property
    def regression(self) -> bool:
        """True when AFTER gains a warning/error or is worse on the monitor beyond noise."""
        return bool(self.regression_reasons)

    @property
    def numbers(self) -> str:
        """The headline numbers: best monitor, best val_loss, gap."""
        b, a = self.before, self.after
        parts = []
        if b.best_monitor is not None and a.best_monitor is not None:
            parts.append(f"best {self.monitor} {num(b.best_monitor)} → {num(a.best_monitor)}")
        if (
            self.monitor != "val_loss"
            and b.best_val_loss is not None
            and a.best_val_loss is not None
        ):
            parts.append(f"best val_loss {num(b.best_val_loss)} → {num(a.best_val_loss)}")
        if b.gap is not None and a.gap is not None:
            parts.append(f"gap {num(b.gap, 2)} → {num(a.gap, 2)}")
        return ", ".join(parts)

    @property
    def verdict(self) -> str:
        """One line: did AFTER help, with the numbers."""
        fixed = [c for c in self.fixed if c.before and c.before.severity.rank >= 1]
        fixed_text = ", ".join(f"{c.code} {c.diagnosis}" for c in fixed)
        gained_text = ", ".join(f"{c.code} {c.diagnosis}" for c in self.gained)
        numbers = self.numbers
        tail = f": {numbers}" if numbers else ""
        if self.regression:
            problems = []
            if self.gained:
                problems.append(f"adds {gained_text}")
            if self.worse_beyond_noise:
                problems.append(f"is worse on {self.monitor} beyond noise")
            joined = " and ".join(problems)
            if fixed:
                return f"AFTER fixes {fixed_text} but {joined}{tail}"
            return f"AFTER regresses: {joined}{tail}"
        if fixed:
            return f"AFTER fixes {fixed_text}{tail}"
        if self.better_beyond_noise:
            return f"AFTER improves {self.monitor} beyond noise{tail}"
        return f"no significant change{tail}"

    # -------------------------------------------------------------- output
    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``"schema": "fitdoctor.compare/1"``)."""
        return {
            "schema": COMPARE_SCHEMA,
            "verdict": self.verdict,
            "regression": self.regression,
            "regression_reasons": self.regression_reasons,
            "monitor": self.monitor,
            "mode": self.mode,
            "threshold": strict_json(self.threshold),
            "monitor_delta": strict_json(self.monitor_delta),
            "common_epochs": [self.common_epochs[0], self.common_epochs[-1]]
            if self.common_epochs
            else None,
            "before": strict_json(self.before.to_dict()),
            "after": strict_json(self.after.to_dict()),
            "findings": {
                status: [c.to_dict() for c in self.changes if c.status == status]
                for status in ("fixed", "new", "stayed")
            },
            "per_class": [
                strict_json(
                    {"label": c.label, "before": c.before, "after": c.after, "delta": c.delta}
                )
                for c in self.per_class
            ],
            "notes": self.notes,
        }


def num(x: float, digits: int = 3) -> str:
    """A number for a verdict line: ``digits`` significant digits (``0.412``, ``0.07``)."""
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}" if abs(x) >= 1e-4 or x == 0 else f"{x:.2e}"


# ------------------------------------------------------------------ measuring
def _best(run: Run, key: str, mode: str) -> tuple[float | None, int | None]:
    if not run.has(key):
        return None, None
    values = np.asarray(run.series(key), dtype=float)
    index = curves.best_index(values, mode=mode)
    if index is None:
        return None, None
    return float(values[index]), run.epochs[index]


def _at(run: Run, key: str, epoch: int | None) -> float | None:
    if epoch is None or epoch not in run.epochs or key not in run.metrics:
        return None
    v = run.metrics[key][run.epochs.index(epoch)]
    return float(v) if v is not None and math.isfinite(v) else None


def _last(run: Run, key: str) -> float | None:
    for v in reversed(run.metrics.get(key, [])):
        if v is not None:
            return float(v)
    return None


#: Without a validation size, differences below half a point of an accuracy-like metric,
#: or 1% of a loss-like one, are not told apart from rounding and sampling.
MIN_ACCURACY_STEP = 0.005
MIN_RELATIVE_STEP = 0.01


def _resolution(run: Run, monitor: str, best: float | None) -> float:
    """The smallest difference of ``monitor`` that means something on this run.

    For an accuracy-like metric with a known validation size it is the binomial standard
    error ``sqrt(p(1-p)/n_val)``; otherwise half a point of accuracy, or 1% of a loss.
    A curve flat at its end has no epoch-to-epoch noise, so this floor keeps a one-sample
    difference from counting as a regression.
    """
    if best is None or not math.isfinite(best):
        return 0.0
    base = monitor.removeprefix("val_")
    if "acc" in base or base in ("auc", "precision", "recall") or base.endswith("_auc"):
        n_val = run.data.n_val if run.data is not None else None
        if n_val:
            p = min(max(best, 0.0), 1.0)
            return max(math.sqrt(p * (1 - p) / n_val), 1.0 / n_val)
        return MIN_ACCURACY_STEP
    return MIN_RELATIVE_STEP * abs(best)


def _side(run: Run, report: Report, monitor: str, mode: str, what: str) -> Side:
    best_val_loss, best_val_loss_epoch = _best(run, "val_loss", "min")
    best_monitor, best_monitor_epoch = _best(run, monitor, mode)
    best_epoch = report.best_epoch.epoch if report.best_epoch is not None else None
    val, train = _at(run, "val_loss", best_epoch), _at(run, "loss", best_epoch)
    gap = val - train if val is not None and train is not None else None
    noise = curves.noise(np.asarray(run.series(monitor), dtype=float))
    return Side(
        name=run.name or what,
        n_epochs=run.n_epochs,
        best_epoch=best_epoch,
        best_val_loss=best_val_loss,
        best_val_loss_epoch=best_val_loss_epoch,
        best_monitor=best_monitor,
        best_monitor_epoch=best_monitor_epoch,
        last_val_loss=_last(run, "val_loss"),
        gap=gap,
        noise=float(noise) if math.isfinite(noise) else 0.0,
        report=report,
    )


def _changes(before: Report, after: Report) -> list[FindingChange]:
    b = {f.code: f for f in before.findings}
    a = {f.code: f for f in after.findings}
    out: list[FindingChange] = []
    for code, f in b.items():
        if code not in a:
            out.append(FindingChange(code, f.name, f.diagnosis, "fixed", before=f))
    for code, f in a.items():
        if code not in b:
            out.append(FindingChange(code, f.name, f.diagnosis, "new", after=f))
    for code, f in b.items():
        if code in a:
            out.append(FindingChange(code, f.name, f.diagnosis, "stayed", before=f, after=a[code]))
    return out


def _per_class(before: Run, after: Run) -> list[ClassChange]:
    if not before.per_class or not after.per_class:
        return []
    pb = max(before.per_class, key=lambda p: p.epoch)
    pa = max(after.per_class, key=lambda p: p.epoch)
    rb = dict(zip(pb.labels, pb.recall, strict=False))
    ra = dict(zip(pa.labels, pa.recall, strict=False))
    labels = list(pb.labels) + [label for label in pa.labels if label not in rb]
    return [ClassChange(label, rb.get(label), ra.get(label)) for label in labels]


def _load(source: Any) -> Run:
    from fitdoctor.readers import from_any

    run = from_any(source)
    if run is not source and not run.name and isinstance(source, (str, os.PathLike)):
        run.name = os.path.basename(os.fspath(source))  # a fresh run: naming it is safe
    return run


def compare(
    before: Any,
    after: Any,
    settings: Settings | None = None,
    *,
    monitor: str | None = None,
    mode: str | None = None,
    noise_factor: float = NOISE_FACTOR,
) -> Comparison:
    """Compare a BEFORE and an AFTER run.

    Args:
        before: The run before the change: a :class:`Run` or anything
            :func:`fitdoctor.load` reads (path, history dict, ``History``, DataFrame).
        after: The run after the change.
        settings: Rules to analyze both with. Defaults to `None` (all rules).
        monitor: Validation metric the regression check judges on. Defaults to `None`
            (:func:`default_monitor`).
        mode: ``"min"`` or ``"max"`` for ``monitor``. Defaults to `None` (from its name).
        noise_factor: AFTER is worse "beyond noise" when worse by more than this many
            times the larger noise of the two monitored curves. Defaults to `2.0`.

    Returns:
        The comparison.

    Raises:
        InputError: A run cannot be read, or lacks the monitored metric.
        ConfigError: ``mode`` is invalid or cannot be inferred.

    Example:
        >>> cmp = compare("before.json", "after.json")  # doctest: +SKIP
        >>> print(cmp.verdict)  # doctest: +SKIP
        AFTER fixes FD101 overfitting: best val_accuracy 0.936 → 0.939, ...
    """
    from fitdoctor import engine

    run_b = _load(before)
    run_a = _load(after)
    if monitor is None:
        monitor = default_monitor(run_b, run_a)
    for run, what in ((run_b, "BEFORE"), (run_a, "AFTER")):
        if not run.has(monitor):
            raise InputError(
                f"{what} ({run.name or 'unnamed run'}) has no {monitor!r} curve; it logs: "
                f"{', '.join(run.metrics) or 'nothing'}"
            )
    if mode is None:
        mode = monitor_mode(monitor)
    elif mode not in ("min", "max"):
        raise ConfigError(f"mode must be 'min' or 'max', got {mode!r}")
    rules = (settings or _default_settings()).rules()
    report_b = engine.analyze(run_b, settings, rules=rules)
    report_a = engine.analyze(run_a, settings, rules=rules)
    side_b = _side(run_b, report_b, monitor, mode, "BEFORE")
    side_a = _side(run_a, report_a, monitor, mode, "AFTER")
    threshold = max(
        noise_factor * max(side_b.noise, side_a.noise),
        _resolution(run_b, monitor, side_b.best_monitor),
        _resolution(run_a, monitor, side_a.best_monitor),
    )
    common = sorted(set(run_b.epochs) & set(run_a.epochs))
    cmp = Comparison(
        before=side_b,
        after=side_a,
        monitor=monitor,
        mode=mode,
        threshold=threshold,
        common_epochs=common,
        changes=_changes(report_b, report_a),
        per_class=_per_class(run_b, run_a),
    )
    cmp.notes = _notes(cmp, run_b, run_a)
    return cmp


def _default_settings() -> Settings:
    from fitdoctor.rules import Settings

    return Settings()


def _notes(cmp: Comparison, before: Run, after: Run) -> list[str]:
    notes: list[str] = []
    b, a = cmp.before, cmp.after
    if (
        cmp.monitor != "val_loss"
        and b.best_val_loss is not None
        and a.best_val_loss is not None
        and a.best_val_loss > b.best_val_loss
        and not cmp.worse_beyond_noise
    ):
        notes.append(
            f"best val_loss rose ({num(b.best_val_loss)} → {num(a.best_val_loss)}) while "
            f"{cmp.monitor} did not get worse beyond noise: Keras adds regularization "
            f"penalties (L2, ...) to val_loss, so val_loss is not comparable between runs "
            f"with different regularization; the regression check uses {cmp.monitor}."
        )
    alt = default_monitor(before, after)
    if cmp.monitor == "val_loss" and cmp.worse_beyond_noise and alt != "val_loss":
        mode = monitor_mode(alt)
        alt_b, _ = _best(before, alt, mode)
        alt_a, _ = _best(after, alt, mode)
        if alt_b is not None and alt_a is not None and (
            alt_a >= alt_b if mode == "max" else alt_a <= alt_b
        ):
            notes.append(
                f"val_loss got worse but {alt} did not ({num(alt_b)} → {num(alt_a)}): if AFTER "
                "adds regularization, Keras counts its penalty in val_loss; judge on "
                f"--monitor {alt} instead."
            )
    if before.n_epochs != after.n_epochs:
        notes.append(
            f"the runs have {before.n_epochs} and {after.n_epochs} epochs; best values are "
            f"taken over each whole run, {len(cmp.common_epochs)} epochs are common to both."
        )
    if cmp.threshold == 0:
        notes.append(
            f"the {cmp.monitor} curves are too short to measure their noise: any worsening "
            "counts as beyond noise."
        )
    return notes
