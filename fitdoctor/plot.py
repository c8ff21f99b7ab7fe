"""Learning-curve plots with fitdoctor's findings marked on them.

One panel for the loss and one per metric (training vs validation), then per-class
recall and F1 curves when the run recorded them. Marked on the curves:

- the best epoch (dashed green line, star on the validation curve),
- the start of divergence (the epoch of an overfitting finding, ``FD1xx``: orange
  shading from there to the end, the code on the mark),
- NaN epochs (red crosses at the top of a panel where a logged value is NaN or
  infinite, and the epoch of a diverged/unstable finding, ``FD4xx``, with its code),
- learning-rate changes (dotted grey lines where ``learning_rate``/``lr`` changes),
- other findings that have an epoch (their code at the top of the loss panel).

matplotlib is imported only inside the plotting functions (the analysis path never
imports it), with the Agg canvas and without pyplot, so plotting needs no display and
leaves the user's pyplot state alone. The style is fixed (matplotlib's defaults, then
:data:`STYLE`: DejaVu Sans, which ships with matplotlib; fixed panel size) so the same
run gives the same pixels wherever it is drawn.

Example::

    import fitdoctor
    from fitdoctor.plot import plot_run

    run = fitdoctor.load("history.json")
    fig = plot_run(run, fitdoctor.analyze(run), "curves.png")
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from fitdoctor.errors import FitDoctorError, InputError, MissingDependency
from fitdoctor.report import Finding, Report
from fitdoctor.run import Run
from fitdoctor.sanitize import safe_line

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from fitdoctor.rules import Settings

__all__ = [
    "MAX_PANELS",
    "PANEL_HEIGHT",
    "PLOT_RANGE",
    "STYLE",
    "WIDTH",
    "Marks",
    "figure_png",
    "find_marks",
    "panels",
    "plot_files",
    "plot_folds",
    "plot_report",
    "plot_run",
    "shown_panels",
]

#: Figure width in inches (the PNG is ``WIDTH * dpi`` pixels wide).
WIDTH = 11.0
#: Height of one row of panels in inches.
PANEL_HEIGHT = 4.0
#: Height of the title band in inches.
TITLE_HEIGHT = 0.6
#: Panels per row.
COLUMNS = 2
#: Most curve panels one figure draws (a history may log a hundred metrics): the loss,
#: the metrics the findings use, then the others in order; the rest are listed under
#: the figure.
MAX_PANELS = 8
#: Values beyond ±PLOT_RANGE are off the scale of any plot (matplotlib's transforms
#: overflow near 1e308): they are drawn as gaps, marked like NaN and inf.
PLOT_RANGE = 1e100

#: rcParams applied on top of matplotlib's defaults for every fitdoctor figure.
STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "legend.fontsize": 8.0,
    "legend.framealpha": 0.85,
    "lines.linewidth": 1.6,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "fitdoctor",
    "path.simplify": False,
}

TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
BEST_COLOR = "#2ca02c"
DIVERGE_COLOR = "#e6550d"
NAN_COLOR = "#d62728"
LR_COLOR = "#7f7f7f"
OTHER_COLOR = "#6a51a3"
PHASE_COLOR = "#525252"

_LR_KEYS = ("learning_rate", "lr")


# ------------------------------------------------------------------ what to mark
@dataclass
class Marks:
    """What a plot marks, computed from the run and its report (no matplotlib).

    Args:
        best_epoch: The epoch to keep, or ``None``.
        best_monitor: The validation metric the best epoch was judged on.
        divergence: ``(epoch, codes)``: where overfitting findings (``FD1xx``) start.
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
    divergence: list[tuple[int, str]] = field(default_factory=list)
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
    marks.divergence = _group([f for f in findings if f.code.startswith("FD1")])
    marks.diverged = _group([f for f in findings if f.code.startswith("FD4")])
    marks.other = _group(
        [f for f in findings if not f.code.startswith(("FD1", "FD4", "FD0"))]
    )
    for key, values in run.metrics.items():
        bad = [
            e
            for e, v in zip(run.epochs, values, strict=True)
            if v is not None and not _on_scale(v)
        ]
        if bad:
            marks.nonfinite[key] = bad
    for key in _LR_KEYS:
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
    seen: set[str] = set(_LR_KEYS)

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


def _list_hidden(fig: Figure, hidden: Sequence[str]) -> None:
    """Name the metrics a figure leaves out, under it."""
    if not hidden:
        return
    names = ", ".join(_t(h, 24) for h in hidden[:12]) + (", ..." if len(hidden) > 12 else "")
    fig.supxlabel(
        f"{len(hidden)} more metrics not drawn (at most {MAX_PANELS} panels): {names}",
        fontsize=8,
        color=LR_COLOR,
    )


# ------------------------------------------------------------------ drawing
def _grid(rows: int, dpi: int) -> tuple[Figure, Any]:
    """A figure of ``rows`` × :data:`COLUMNS` panels on the Agg canvas (no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(
        figsize=(WIDTH, TITLE_HEIGHT + rows * PANEL_HEIGHT), dpi=dpi, layout="constrained"
    )
    FigureCanvasAgg(fig)
    return fig, fig.subplots(rows, COLUMNS, squeeze=False)


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib as mpl

    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(cast(Any, STYLE))
        yield


def _on_scale(v: float) -> bool:
    """A value a plot can draw: finite and within ±:data:`PLOT_RANGE`."""
    return math.isfinite(v) and abs(v) <= PLOT_RANGE


def _finite_or_nan(values: Sequence[float | None]) -> list[float]:
    return [float(v) if v is not None and _on_scale(v) else math.nan for v in values]


def _series(run: Run, key: str) -> tuple[list[int], list[float]]:
    """Epochs where ``key`` was logged and its values (non-finite → NaN: a gap)."""
    pairs = [(e, v) for e, v in zip(run.epochs, run.metrics[key], strict=True) if v is not None]
    return [e for e, _ in pairs], _finite_or_nan([v for _, v in pairs])


def _use_log_scale(values: Sequence[float]) -> bool:
    """Log scale when a curve explodes: its peak is 1000x its median (all positive)."""
    fin = sorted(v for v in values if math.isfinite(v))
    if not fin or fin[0] <= 0:
        return False
    median = fin[len(fin) // 2]
    return fin[-1] >= 1000 * median


def _is_fraction(name: str) -> bool:
    """Accuracy-like metrics are fractions: their axis says so."""
    base = name.removeprefix("val_").lower()
    fraction = any(h in base for h in ("acc", "auc", "precision", "recall", "f1"))
    return fraction and "loss" not in base


def _t(text: object, limit: int = 48) -> str:
    """A string from the run as matplotlib text: short, and ``$`` must not start TeX math.

    Control characters and the like are escaped (:mod:`fitdoctor.sanitize`): no font
    has a glyph for them.
    """
    s = " ".join(safe_line(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = s.replace("$", r"\$")
    return " " + s if s.startswith("_") else s  # a leading "_" hides a legend entry


def _value_at(run: Run, key: str | None, epoch: int) -> float | None:
    if key is None or epoch not in run.epochs:
        return None
    v = run.metrics[key][run.epochs.index(epoch)]
    return float(v) if v is not None and _on_scale(v) else None


def _fmt_lr(x: float) -> str:
    return f"{x:.3g}"


def _draw_curve_panel(
    ax: Axes, run: Run, panel: Panel, marks: Marks, *, first: bool
) -> None:
    from matplotlib.ticker import MaxNLocator

    all_values: list[float] = []
    for key, label, color in (
        (panel.train, "train", TRAIN_COLOR),
        (panel.val, "validation", VAL_COLOR),
    ):
        if key is None:
            continue
        xs, ys = _series(run, key)
        all_values.extend(ys)
        style = "-o" if len(xs) <= 30 else "-"
        ax.plot(xs, ys, style, color=color, label=_t(f"{label} ({key})"), markersize=2.5)
    unit = " (0-1)" if _is_fraction(panel.title) else ""
    if _use_log_scale(all_values):
        ax.set_yscale("log")
        ax.set_ylabel(_t(f"{panel.title}{unit}, log scale"))
    else:
        ax.set_ylabel(_t(f"{panel.title}{unit}"))
    ax.set_xlabel("epoch")
    ax.set_title(_t(panel.title) + (" (train vs validation)" if panel.train and panel.val else ""))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if run.epochs:
        ax.set_xlim(run.epochs[0] - 0.5, run.epochs[-1] + 0.5)
    top = ax.get_xaxis_transform()  # x in data, y in axes fraction

    # learning-rate changes: on every curve panel, labelled on the first
    for i, (epoch, before, after) in enumerate(marks.lr_changes):
        ax.axvline(
            epoch - 0.5,
            color=LR_COLOR,
            linestyle=":",
            linewidth=1.2,
            label="learning-rate change" if i == 0 else None,
        )
        if first:
            ax.text(
                epoch - 0.5,
                0.02 + 0.07 * (i % 3),
                f" lr {_fmt_lr(before)}→{_fmt_lr(after)}",
                transform=top,
                color=LR_COLOR,
                fontsize=7,
                ha="left",
                va="bottom",
            )

    # phase boundaries (Run.phases): a dash-dot line before the phase's first epoch
    for i, (epoch, label) in enumerate(marks.phases):
        ax.axvline(
            epoch - 0.5,
            color=PHASE_COLOR,
            linestyle="-.",
            linewidth=1.0,
            label="phase start" if i == 0 else None,
        )
        if first and label:
            ax.text(
                epoch - 0.5, 0.97, f" {_t(label, 24)}", transform=top, color=PHASE_COLOR,
                fontsize=7, ha="left", va="top",
            )

    # divergence start (overfitting findings): shade to the end, code on the mark
    last = run.epochs[-1] if run.epochs else 0
    for epoch, codes in marks.divergence:
        ax.axvspan(epoch, last + 0.5, color=DIVERGE_COLOR, alpha=0.07, linewidth=0)
        ax.axvline(epoch, color=DIVERGE_COLOR, linewidth=1.0, alpha=0.8)
        y = _value_at(run, panel.val, epoch)
        if y is not None:
            ax.plot(
                [epoch], [y], "o", color=DIVERGE_COLOR, markersize=7, markerfacecolor="none",
                markeredgewidth=1.8, label=f"divergence from epoch {epoch}",
            )
        if first:
            ax.annotate(
                f"{_t(codes)} overfitting",
                xy=(epoch, y if y is not None else 0.5),
                xycoords="data" if y is not None else top,
                xytext=(8, 22),
                textcoords="offset points",
                color=DIVERGE_COLOR,
                fontsize=8,
                fontweight="bold",
                arrowprops={"arrowstyle": "->", "color": DIVERGE_COLOR, "linewidth": 1.0},
            )

    # best epoch
    if marks.best_epoch is not None:
        ax.axvline(
            marks.best_epoch,
            color=BEST_COLOR,
            linestyle="--",
            linewidth=1.2,
            label=f"best epoch {marks.best_epoch}",
        )
        y = _value_at(run, panel.val, marks.best_epoch)
        if y is not None:
            ax.plot([marks.best_epoch], [y], "*", color=BEST_COLOR, markersize=12, zorder=5)
        if first:
            ax.text(
                marks.best_epoch,
                0.97,
                f" best {marks.best_epoch}",
                transform=top,
                color=BEST_COLOR,
                fontsize=8,
                fontweight="bold",
                ha="left",
                va="top",
            )

    # NaN / inf values of this panel's curves, and diverged findings
    bad = sorted(
        {e for key in (panel.train, panel.val) if key for e in marks.nonfinite.get(key, [])}
    )
    if bad:
        ax.plot(
            bad,
            [0.96] * len(bad),
            "x",
            transform=top,
            color=NAN_COLOR,
            markersize=7,
            markeredgewidth=1.8,
            clip_on=False,
            label="NaN/inf" if all(
                not math.isfinite(v) for key in (panel.train, panel.val) if key
                for v in run.metrics[key] if v is not None and not _on_scale(v)
            ) else f"NaN/inf/beyond ±{PLOT_RANGE:.0e}",
        )
    for i, (epoch, codes) in enumerate(marks.diverged):
        ax.axvline(epoch, color=NAN_COLOR, linewidth=1.2, alpha=0.8)
        if first:
            ax.annotate(
                _t(codes),
                xy=(epoch, 0.88),
                xycoords=top,
                xytext=(6, -14 - 11 * (i % 3)),
                textcoords="offset points",
                color=NAN_COLOR,
                fontsize=8,
                fontweight="bold",
                arrowprops={"arrowstyle": "->", "color": NAN_COLOR, "linewidth": 1.0},
            )

    # other findings with an epoch: code at the top of the first panel
    if first:
        for i, (epoch, codes) in enumerate(marks.other):
            ax.plot([epoch], [0.9], "v", transform=top, color=OTHER_COLOR, markersize=6)
            ax.text(
                epoch,
                0.86 - 0.06 * (i % 4),
                f" {_t(codes)}",
                transform=top,
                color=OTHER_COLOR,
                fontsize=7.5,
                ha="left",
                va="top",
            )
    # below the axes: inside, it would hide the marks and their codes
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)


def _draw_class_panel(ax: Axes, run: Run, panel: Panel, marks: Marks) -> None:
    from matplotlib.ticker import MaxNLocator

    series: dict[str, tuple[list[int], list[float]]] = {}
    for pc in sorted(run.per_class, key=lambda p: p.epoch):
        values = pc.recall if panel.kind == "recall" else pc.f1
        for label, v in zip(pc.labels, values, strict=False):
            xs, ys = series.setdefault(label, ([], []))
            xs.append(pc.epoch)
            ys.append(float(v) if v is not None and _on_scale(v) else math.nan)
    import matplotlib as mpl

    cmap = mpl.colormaps["tab10" if len(series) <= 10 else "tab20"]
    for i, (label, (xs, ys)) in enumerate(series.items()):
        style = "-o" if len(xs) <= 30 else "-"
        ax.plot(
            xs, ys, style, color=cmap(i % cmap.N), label=_t(label), markersize=2.5, linewidth=1.2
        )
    if marks.best_epoch is not None:
        ax.axvline(marks.best_epoch, color=BEST_COLOR, linestyle="--", linewidth=1.2)
    name = "recall" if panel.kind == "recall" else "F1"
    ax.set_title(_t(panel.title))
    ax.set_ylabel(f"{name} (0-1)")
    ax.set_xlabel("epoch")
    ax.set_ylim(-0.03, 1.03)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if run.epochs:
        ax.set_xlim(run.epochs[0] - 0.5, run.epochs[-1] + 0.5)
    if series:
        ncol = 1 if len(series) <= 6 else 2
        ax.legend(loc="lower right", ncol=ncol, fontsize=7, title="class", title_fontsize=7)


def _title(run: Run, report: Report | None) -> str:
    name = run.name or run.source or "run"
    if report is None:
        return _t(f"{name}: learning curves", 110)
    return _t(f"{name}: {report.verdict}", 110)


def plot_run(
    run: Run,
    report: Report | None = None,
    path: str | Path | None = None,
    *,
    dpi: int = 100,
) -> Figure:
    """Draw the learning curves of ``run`` with the findings of ``report`` marked.

    Args:
        run: The run to draw.
        report: Its analysis (best epoch, findings). Defaults to `None` (the best
            epoch is computed from the run; no findings are marked).
        path: Where to save the figure as PNG. Defaults to `None` (not saved).
        dpi: Resolution of the saved PNG; the image is ``WIDTH * dpi`` pixels wide.
            Defaults to `100`.

    Returns:
        The matplotlib figure (not attached to pyplot; display it in a notebook or
        save it with ``fig.savefig``).

    Raises:
        FitDoctorError: The run has nothing to draw.

    Example:
        >>> fig = plot_run(run, report, "curves.png")  # doctest: +SKIP
    """
    layout, hidden = shown_panels(panels(run), report)
    if not layout or run.n_epochs == 0:
        raise FitDoctorError("the run has no curves to plot")
    marks = find_marks(run, report)
    rows = math.ceil(len(layout) / COLUMNS)
    with _style():
        fig, axes = _grid(rows, dpi)
        for i, panel in enumerate(layout):
            ax = axes[i // COLUMNS][i % COLUMNS]
            if panel.kind == "curve":
                _draw_curve_panel(ax, run, panel, marks, first=i == 0)
            else:
                _draw_class_panel(ax, run, panel, marks)
        for j in range(len(layout), rows * COLUMNS):
            axes[j // COLUMNS][j % COLUMNS].set_visible(False)
        fig.suptitle(_title(run, report), fontsize=11, fontweight="bold")
        _list_hidden(fig, hidden)
        if path is not None:
            fig.savefig(Path(path), format="png", dpi=dpi, metadata={"Software": None})
    return fig


def _fold_stats(
    runs: Sequence[Run], key: str
) -> tuple[list[int], list[float], list[float], list[float]]:
    """Per epoch (aligned by number): mean, min, max over the folds that logged ``key``."""
    by_epoch: dict[int, list[float]] = {}
    for run in runs:
        if key not in run.metrics:
            continue
        for e, v in zip(run.epochs, run.metrics[key], strict=True):
            if v is not None and _on_scale(v):
                by_epoch.setdefault(e, []).append(float(v))
    epochs = sorted(by_epoch)
    vals = [by_epoch[e] for e in epochs]
    full = max((len(v) for v in vals), default=0)
    return (
        epochs,
        # the mean only where every fold logged a value: it must not jump when one stops
        [sum(v) / len(v) if len(v) == full else math.nan for v in vals],
        [min(v) for v in vals],
        [max(v) for v in vals],
    )


def plot_folds(
    runs: Sequence[Run], path: str | Path | None = None, *, dpi: int = 100
) -> Figure:
    """Cross-validation curves: the mean over folds with the fold range as a band.

    Folds are aligned by epoch number; a fold that stopped early simply contributes
    to fewer epochs (the band is drawn where at least one fold logged a value, and the
    panel says how many folds there are). The best epoch of the mean validation loss
    is marked.

    Args:
        runs: One run per fold (e.g. one Keras history per fold).
        path: Where to save the figure as PNG. Defaults to `None` (not saved).
        dpi: Resolution. Defaults to `100`.

    Returns:
        The matplotlib figure.

    Raises:
        FitDoctorError: No runs, or nothing to draw.
    """
    from matplotlib.ticker import MaxNLocator

    if not runs:
        raise FitDoctorError("no runs to plot")
    layout: list[Panel] = []
    for run in runs:
        for panel in panels(run):
            if panel.kind == "curve" and panel not in layout:
                layout.append(panel)
    if not layout:
        raise FitDoctorError("the runs have no curves to plot")
    layout, hidden = shown_panels(layout)
    rows = math.ceil(len(layout) / COLUMNS)
    best: int | None = None
    epochs, mean, _, _ = _fold_stats(runs, "val_loss")
    finite = [i for i, m in enumerate(mean) if math.isfinite(m)]
    if finite:
        best = epochs[min(finite, key=mean.__getitem__)]
    with _style():
        fig, axes = _grid(rows, dpi)
        for i, panel in enumerate(layout):
            ax = axes[i // COLUMNS][i % COLUMNS]
            for key, label, color in (
                (panel.train, "train", TRAIN_COLOR),
                (panel.val, "validation", VAL_COLOR),
            ):
                if key is None:
                    continue
                xs, mu, lo, hi = _fold_stats(runs, key)
                if not xs:
                    continue
                ax.fill_between(
                    xs, lo, hi, color=color, alpha=0.2, linewidth=0,
                    label=_t(f"{label} fold range"),
                )
                ax.plot(xs, mu, "-", color=color, label=_t(f"{label} mean ({key})"))
            if best is not None:
                ax.axvline(
                    best, color=BEST_COLOR, linestyle="--", linewidth=1.2,
                    label=f"best epoch {best}",
                )
            ax.set_title(_t(f"{panel.title}: {len(runs)} folds, mean and range"))
            ax.set_xlim(left=0.5)
            ax.set_ylabel(_t(panel.title))
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
        for j in range(len(layout), rows * COLUMNS):
            axes[j // COLUMNS][j % COLUMNS].set_visible(False)
        fig.suptitle(
            f"cross-validation: {len(runs)} folds (mean where every fold ran; best epoch by "
            "mean val_loss)",
            fontsize=11,
            fontweight="bold",
        )
        _list_hidden(fig, hidden)
        if path is not None:
            fig.savefig(Path(path), format="png", dpi=dpi, metadata={"Software": None})
    return fig


def plot_report(
    report: Report, run: Run | None = None, path: str | Path | None = None, *, dpi: int = 100
) -> Figure:
    """Draw the run ``report`` analyzed with its findings marked (``Report.plot()``).

    Args:
        report: The report.
        run: The run it analyzed. Defaults to `None` (the run the report holds, as
            the engine's reports do).
        path: Where to save the figure as PNG. Defaults to `None` (not saved).
        dpi: Resolution. Defaults to `100`.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: No ``run`` given and the report does not hold its run (built by hand).
    """
    if run is None:
        run = report.run
    if run is None:
        raise ValueError(
            "this report does not hold its run: use fitdoctor.plot.plot_run(run, report)"
        )
    return plot_run(run, report, path, dpi=dpi)


def figure_png(run: Run, report: Report | None = None, *, dpi: int = 100) -> bytes:
    """The plot of ``run`` as PNG bytes (for embedding, e.g. in the HTML report).

    Args:
        run: The run.
        report: Its analysis. Defaults to `None`.
        dpi: Resolution. Defaults to `100`.

    Returns:
        The PNG file's bytes.
    """
    buf = io.BytesIO()
    fig = plot_run(run, report, dpi=dpi)
    with _style():
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def plot_files(
    paths: str | Path | Sequence[str | Path],
    output: str | Path | None = None,
    *,
    settings: Settings | None = None,
    dpi: int = 100,
    task: str | None = None,
    n_classes: int | None = None,
) -> Path:
    """Analyze run files and save their curves as PNG (``fitdoctor plot RUN...``).

    One run: its curves with the findings marked (:func:`plot_run`). Several runs, or a
    cross-validation file (``"schema": "fitdoctor.cv/1"``): the folds, mean and range
    (:func:`plot_folds`).

    Args:
        paths: The run file (any format :func:`fitdoctor.readers.from_any` reads), or several
            (one per fold).
        output: The PNG to write. Defaults to `None` (``<first run>.png`` next to it).
        settings: Rule selection. Defaults to `None` (all rules).
        dpi: Resolution. Defaults to `100`.
        task: Task type a bare history lacks. Defaults to `None`.
        n_classes: Number of classes a bare history lacks. Defaults to `None`.

    Returns:
        The path of the PNG written.

    Raises:
        InputError: No run given, or a file cannot be used.
        MissingDependency: matplotlib is not installed.
        FitDoctorError: Nothing to draw (e.g. a learning-curve file).
        OSError: A file cannot be read or the PNG cannot be written.
    """
    from fitdoctor import engine
    from fitdoctor.readers import from_any

    sources = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not sources:
        raise InputError("no run to plot")
    out = Path(output) if output is not None else sources[0].with_suffix(".png")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependency(
            "plotting needs matplotlib: pip install 'fitdoctor[plot]'"
        ) from None
    from fitdoctor import cv

    if len(sources) == 1 and cv.is_document_file(sources[0]):
        doc = cv.load_document(sources[0])
        if not isinstance(doc, cv.CVResult):
            raise FitDoctorError(
                f"{sources[0]}: a learning-curve file has no per-epoch curves to plot"
            )
        plot_folds(doc.runs, out, dpi=dpi)
        return out
    runs = [from_any(src).with_facts(task=task, n_classes=n_classes) for src in sources]
    if len(runs) == 1:
        plot_run(runs[0], engine.analyze(runs[0], settings), out, dpi=dpi)
    else:
        plot_folds(runs, out, dpi=dpi)
    return out
