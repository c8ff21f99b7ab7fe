"""What a learning-curve plot marks, and which panels it draws (no matplotlib here).

:func:`find_marks` reads a run and its report into :class:`Marks`: the best epoch,
where overfitting findings start, NaN epochs, learning-rate changes, phases and the
other findings with an epoch. :func:`panels` lists the curve panels a run can fill and
:func:`shown_panels` the ones a figure draws (at most :data:`MAX_PANELS`). The
drawing is :mod:`fitdoctor.plot_draw`; the figures, :mod:`fitdoctor.plot`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from fitdoctor.report import Finding, Report
from fitdoctor.run import Run
from fitdoctor.vocabulary import LEARNING_RATE_KEYS

__all__ = ["MAX_PANELS", "PLOT_RANGE", "Marks", "Panel", "find_marks", "on_scale", "panels",
           "shown_panels"]

#: Most curve panels one figure draws (a history may log a hundred metrics): the loss,
#: the metrics the findings use, then the others in order; the rest are listed under
#: the figure.
MAX_PANELS = 8
#: Values beyond ±PLOT_RANGE are off the scale of any plot (matplotlib's transforms
#: overflow near 1e308): they are drawn as gaps, marked like NaN and inf.
PLOT_RANGE = 1e100



def on_scale(v: float) -> bool:
    """A value a plot can draw: finite and within ±:data:`PLOT_RANGE`."""
    return math.isfinite(v) and abs(v) <= PLOT_RANGE


# ------------------------------------------------------------------ what to mark
@dataclass
class Marks:
    """What a plot marks, computed from the run and its report (no matplotlib).

    Args:
        best_epoch: The epoch to keep, or ``None``.
        best_monitor: The validation metric the best epoch was judged on.
        overfitting: ``(epoch, codes)``: where overfitting findings (``FD1xx``) start.
        diverged: ``(epoch, codes)``: where diverged/unstable findings (``FD4xx``) start.
        nonfinite: Metric → epochs where a logged value is NaN, infinite or off the
            scale (beyond ±:data:`PLOT_RANGE`).
        lr_changes: ``(epoch, before, after)``: the learning rate differs from the
            previous logged epoch's.
        other: ``(epoch, codes)``: other findings that have an epoch.
        phases: ``(epoch, label)``: where each phase of the training after the first
            starts (``Run.phases``: a frozen head, then fine-tuning; ``fit`` calls).
    """

    best_epoch: int | None = None
    best_monitor: str | None = None
    overfitting: list[tuple[int, str]] = field(default_factory=list)
    diverged: list[tuple[int, str]] = field(default_factory=list)
    nonfinite: dict[str, list[int]] = field(default_factory=dict)
    lr_changes: list[tuple[int, float, float]] = field(default_factory=list)
    other: list[tuple[int, str]] = field(default_factory=list)
    phases: list[tuple[int, str]] = field(default_factory=list)

    @property
    def nan_epochs(self) -> list[int]:
        """Epochs where some logged value is non-finite, sorted."""
        return sorted({e for epochs in self.nonfinite.values() for e in epochs})


def _group(findings: Sequence[Finding]) -> list[tuple[int, str]]:
    by_epoch: dict[int, list[str]] = {}
    for f in findings:
        if f.epoch is not None and f.code not in by_epoch.setdefault(f.epoch, []):
            by_epoch[f.epoch].append(f.code)
    return [(e, ", ".join(codes)) for e, codes in sorted(by_epoch.items())]


def find_marks(run: Run, report: Report | None = None) -> Marks:
    """Work out what to mark on the plot of ``run``.

    Args:
        run: The run.
        report: Its analysis. Defaults to `None` (the best epoch is computed from the
            run; no findings are marked).

    Returns:
        The marks.
    """
    marks = Marks()
    if report is not None and report.best_epoch is not None:
        marks.best_epoch = report.best_epoch.epoch
        marks.best_monitor = report.best_epoch.monitor
    elif report is None:
        from fitdoctor.engine import best_epoch

        best = best_epoch(run)
        if best is not None:
            marks.best_epoch, marks.best_monitor = best.epoch, best.monitor
    findings = report.findings if report is not None else []
    marks.overfitting = _group([f for f in findings if f.code.startswith("FD1")])
    marks.diverged = _group([f for f in findings if f.code.startswith("FD4")])
    marks.other = _group(
        [f for f in findings if not f.code.startswith(("FD1", "FD4", "FD0"))]
    )
    for key, values in run.metrics.items():
        bad = [
            e
            for e, v in zip(run.epochs, values, strict=True)
            if v is not None and not on_scale(v)
        ]
        if bad:
            marks.nonfinite[key] = bad
    for key in LEARNING_RATE_KEYS:
        if run.has(key):
            previous: float | None = None
            for e, v in zip(run.epochs, run.metrics[key], strict=True):
                if v is None or not math.isfinite(v):
                    continue
                if previous is not None and not math.isclose(v, previous, rel_tol=1e-9):
                    marks.lr_changes.append((e, previous, float(v)))
                previous = float(v)
            break
    marks.phases = [(p.epoch, p.label) for p in run.phases[1:]]
    return marks


# ------------------------------------------------------------------ panels
@dataclass(frozen=True)
class Panel:
    """One axes of the figure.

    Args:
        title: Panel title.
        kind: ``"curve"`` (train vs validation) or ``"recall"``/``"f1"`` (per class).
        train: Training metric key, or ``None``.
        val: Validation metric key, or ``None``.
    """

    title: str
    kind: str
    train: str | None = None
    val: str | None = None


def panels(run: Run) -> list[Panel]:
    """The panels a plot of ``run`` has, in order.

    Loss first, then each training metric with its ``val_`` twin, then validation
    metrics without a training twin, then per-class recall and F1 when recorded.
    The learning rate is not a panel: its changes are marked on every curve panel.
    """
    out: list[Panel] = []
    seen: set[str] = set(LEARNING_RATE_KEYS)

    def add(title: str, train: str | None, val: str | None) -> None:
        t = train if train is not None and run.has(train) else None
        v = val if val is not None and run.has(val) else None
        seen.update(k for k in (train, val) if k is not None)
        if t is not None or v is not None:
            out.append(Panel(title, "curve", t, v))

    add("loss", "loss", "val_loss")
    for key in run.metrics:
        if key in seen or key.startswith("val_"):
            continue
        add(key, key, f"val_{key}")
    for key in run.metrics:
        if key not in seen:
            add(key, None, key)
    if run.per_class:
        out.append(Panel("per-class recall (validation)", "recall"))
        out.append(Panel("per-class F1 (validation)", "f1"))
    return out


def _finding_metrics(report: Report | None) -> set[str]:
    """Metric names the findings of ``report`` name in their evidence (or outputs)."""
    names: set[str] = set()
    for f in report.findings if report is not None else []:
        names.update(v for v in f.evidence.values() if isinstance(v, str))
        if f.output:
            names.update((f"{f.output}_loss", f"val_{f.output}_loss"))
    return names


def shown_panels(
    layout: Sequence[Panel], report: Report | None = None, limit: int = MAX_PANELS
) -> tuple[list[Panel], list[str]]:
    """The curve panels to draw (at most ``limit``) and the titles of those left out.

    The loss panel comes first, then the panels of metrics the findings name, then
    the others in order; per-class panels are always drawn.

    Args:
        layout: All panels (:func:`panels`).
        report: The analysis whose findings pick the panels. Defaults to `None`.
        limit: Most curve panels. Defaults to :data:`MAX_PANELS`.

    Returns:
        ``(panels to draw, in their original order; titles of the others)``.
    """
    curves = [p for p in layout if p.kind == "curve"]
    if len(curves) <= limit:
        return list(layout), []
    wanted = _finding_metrics(report)
    ranked = sorted(
        range(len(curves)),
        key=lambda i: (curves[i].title != "loss",
                       not ({curves[i].train, curves[i].val} & wanted), i),
    )
    keep = set(ranked[:limit])
    shown = [p for i, p in enumerate(curves) if i in keep]
    hidden = [p.title for i, p in enumerate(curves) if i not in keep]
    return shown + [p for p in layout if p.kind != "curve"], hidden
