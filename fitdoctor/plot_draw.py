"""Drawing one learning-curve panel with matplotlib (imported inside the functions).

The fixed style (:data:`STYLE`), sizes and colours of fitdoctor's figures; a curve panel
(training vs validation, with the marks of :mod:`fitdoctor.plot_marks`) and a per-class
panel. The figures are put together by :mod:`fitdoctor.plot`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from fitdoctor.plot_marks import MAX_PANELS, PLOT_RANGE, Marks, Panel
from fitdoctor.plot_marks import on_scale as _on_scale
from fitdoctor.run import Run
from fitdoctor.sanitize import safe_line

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "COLUMNS", "MAX_CLASS_CURVES", "PANEL_HEIGHT", "STYLE", "TITLE_HEIGHT", "WIDTH",
    "draw_class_panel", "draw_curve_panel", "grid", "list_hidden", "mpl_text", "style_context",
]


#: Figure width in inches (the PNG is ``WIDTH * dpi`` pixels wide).
WIDTH = 11.0
#: Height of one row of panels in inches.
PANEL_HEIGHT = 4.0
#: Height of the title band in inches.
TITLE_HEIGHT = 0.6
#: Panels per row.
COLUMNS = 2
#: Most classes a per-class panel draws: with more, the lowest at their last epoch
#: (100 curves and their legend would bury the panel and its neighbours).
MAX_CLASS_CURVES = 10


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
OVERFIT_COLOR = "#e6550d"
NAN_COLOR = "#d62728"
LR_COLOR = "#7f7f7f"
OTHER_COLOR = "#6a51a3"
PHASE_COLOR = "#525252"

def list_hidden(fig: Figure, hidden: Sequence[str]) -> None:
    """Name the metrics a figure leaves out, under it."""
    if not hidden:
        return
    names = ", ".join(mpl_text(h, 24) for h in hidden[:12]) + (", ..." if len(hidden) > 12 else "")
    fig.supxlabel(
        f"{len(hidden)} more metrics not drawn (at most {MAX_PANELS} panels): {names}",
        fontsize=8,
        color=LR_COLOR,
    )


# ------------------------------------------------------------------ drawing
def grid(rows: int, dpi: int) -> tuple[Figure, Any]:
    """A figure of ``rows`` × :data:`COLUMNS` panels on the Agg canvas (no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(
        figsize=(WIDTH, TITLE_HEIGHT + rows * PANEL_HEIGHT), dpi=dpi, layout="constrained"
    )
    FigureCanvasAgg(fig)
    return fig, fig.subplots(rows, COLUMNS, squeeze=False)


@contextmanager
def style_context() -> Iterator[None]:
    """Apply matplotlib's defaults, then :data:`STYLE`, to the figures drawn inside."""
    import matplotlib as mpl

    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(cast(Any, STYLE))
        yield


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


def mpl_text(text: object, limit: int = 48) -> str:
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


def _high(ax: Axes, y: float) -> bool:
    """True when ``y`` lies in the top fifth of the panel: a label above it would leave it."""
    lo, hi = ax.get_ylim()
    if ax.get_yscale() == "log" and lo > 0 and y > 0:
        lo, hi, y = math.log10(lo), math.log10(hi), math.log10(y)
    return hi > lo and (y - lo) / (hi - lo) > 0.8


def _fmt_lr(x: float) -> str:
    return f"{x:.3g}"


def early_epochs(run: Run, marks: Marks) -> bool:
    """True when everything marked happens in the first quarter of a long run.

    The best epoch and the findings' epochs all within the first 25% of 30 or more
    epochs: on a linear axis they crowd into the left edge while the flat rest takes
    the width, so the epoch axis is drawn on a log scale (the first epochs get room).
    """
    if not run.epochs or run.epochs[-1] < 30:
        return False
    events = [e for e, _ in (*marks.overfitting, *marks.diverged, *marks.other)]
    if marks.best_epoch is not None:
        events.append(marks.best_epoch)
    return bool(events) and max(events) <= run.epochs[-1] / 4 and run.epochs[0] >= 1


def _near_right(ax: Axes, x: float) -> bool:
    """True when a label starting at ``x`` would run into the right frame."""
    lo, hi = ax.get_xlim()
    if ax.get_xscale() == "log" and lo > 0 and x > 0:
        lo, hi, x = math.log10(lo), math.log10(hi), math.log10(x)
    return hi > lo and (x - lo) / (hi - lo) > 0.8


def draw_curve_panel(
    ax: Axes, run: Run, panel: Panel, marks: Marks, *, first: bool
) -> None:
    """One curve panel: training and validation curves with the marks.

    Args:
        ax: The panel's axes.
        run: The run.
        panel: Which curves.
        marks: What to mark (:func:`fitdoctor.plot_marks.find_marks`).
        first: The first panel carries the marks' labels.
    """
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
        ax.plot(xs, ys, style, color=color, label=mpl_text(f"{label} ({key})"), markersize=2.5)
    unit = " (0-1)" if _is_fraction(panel.title) else ""
    if _use_log_scale(all_values):
        ax.set_yscale("log")
        ax.set_ylabel(mpl_text(f"{panel.title}{unit}, log scale"))
    else:
        ax.set_ylabel(mpl_text(f"{panel.title}{unit}"))
    ax.set_xlabel("epoch")
    ax.set_title(
        mpl_text(panel.title) + (" (train vs validation)" if panel.train and panel.val else ""))
    if early_epochs(run, marks):
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

        ax.set_xscale("log")
        ax.set_xlabel("epoch (log scale: everything marked happens early)")
        # floats: an epoch number past 2**63 is a Python int numpy cannot take the log of
        lo, hi = float(run.epochs[0]), float(run.epochs[-1])
        ax.set_xlim(max(0.8, lo - 0.2), hi * 1.05)
        ticks = [float(m * 10**p) for p in range(7) for m in (1, 2, 5)
                 if lo <= m * 10**p <= hi]
        ax.xaxis.set_major_locator(FixedLocator([*ticks, hi]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if run.epochs:
            ax.set_xlim(float(run.epochs[0]) - 0.5, float(run.epochs[-1]) + 0.5)
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
            right = _near_right(ax, epoch - 0.5)
            ax.text(
                epoch - 0.5,
                0.02 + 0.07 * (i % 3),
                f"lr {_fmt_lr(before)}→{_fmt_lr(after)} " if right else
                f" lr {_fmt_lr(before)}→{_fmt_lr(after)}",
                transform=top,
                color=LR_COLOR,
                fontsize=7,
                ha="right" if right else "left",
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
            right = _near_right(ax, epoch - 0.5)
            ax.text(
                epoch - 0.5, 0.97,
                f"{mpl_text(label, 24)} " if right else f" {mpl_text(label, 24)}",
                transform=top, color=PHASE_COLOR, fontsize=7, ha="right" if right else "left",
                va="top",
            )

    # where overfitting starts (FD1xx findings): shade to the end, code on the mark
    last = run.epochs[-1] if run.epochs else 0
    for epoch, codes in marks.overfitting:
        ax.axvspan(epoch, last + 0.5, color=OVERFIT_COLOR, alpha=0.07, linewidth=0)
        ax.axvline(epoch, color=OVERFIT_COLOR, linewidth=1.0, alpha=0.8)
        y = _value_at(run, panel.val, epoch)
        if y is not None:
            ax.plot(
                [epoch], [y], "o", color=OVERFIT_COLOR, markersize=7, markerfacecolor="none",
                markeredgewidth=1.8, label=f"overfitting from epoch {epoch}",
            )
        if first:
            right = _near_right(ax, epoch)
            high = y is not None and _high(ax, y)
            ax.annotate(
                f"{mpl_text(codes)} overfitting",
                xy=(epoch, y if y is not None else 0.5),
                xycoords="data" if y is not None else top,
                xytext=(-8 if right else 8, -26 if high else 22),
                textcoords="offset points",
                ha="right" if right else "left",
                color=OVERFIT_COLOR,
                fontsize=8,
                fontweight="bold",
                arrowprops={"arrowstyle": "->", "color": OVERFIT_COLOR, "linewidth": 1.0},
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
            right = _near_right(ax, marks.best_epoch)
            ax.text(
                marks.best_epoch,
                0.97,
                f"best {marks.best_epoch} " if right else f" best {marks.best_epoch}",
                transform=top,
                color=BEST_COLOR,
                fontsize=8,
                fontweight="bold",
                ha="right" if right else "left",
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
            right = _near_right(ax, epoch)
            ax.annotate(
                mpl_text(codes),
                xy=(epoch, 0.88),
                xycoords=top,
                xytext=(-6 if right else 6, -14 - 11 * (i % 3)),
                ha="right" if right else "left",
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
            right = _near_right(ax, epoch)
            ax.text(
                epoch,
                0.86 - 0.06 * (i % 4),
                f"{mpl_text(codes)} " if right else f" {mpl_text(codes)}",
                transform=top,
                color=OTHER_COLOR,
                fontsize=7.5,
                ha="right" if right else "left",
                va="top",
            )
    # below the axes: inside, it would hide the marks and their codes
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)


def _last_finite(ys: list[float]) -> float:
    """The last finite value of a class's curve (``inf`` when none: drawn last)."""
    return next((y for y in reversed(ys) if math.isfinite(y)), math.inf)


def draw_class_panel(ax: Axes, run: Run, panel: Panel, marks: Marks) -> None:
    """A per-class panel: one validation recall or F1 curve per class, the best epoch marked.

    With more than :data:`MAX_CLASS_CURVES` classes, only that many are drawn: the lowest
    at their last recorded value (the classes the model gets wrong), and the title says so.
    """
    from matplotlib.ticker import MaxNLocator

    series: dict[str, tuple[list[int], list[float]]] = {}
    for pc in sorted(run.per_class, key=lambda p: p.epoch):
        values = pc.recall if panel.kind == "recall" else pc.f1
        for label, v in zip(pc.labels, values, strict=False):
            xs, ys = series.setdefault(label, ([], []))
            xs.append(pc.epoch)
            ys.append(float(v) if v is not None and _on_scale(v) else math.nan)
    title = panel.title
    if len(series) > MAX_CLASS_CURVES:
        lowest = sorted(series, key=lambda label: _last_finite(series[label][1]))
        kept = set(lowest[:MAX_CLASS_CURVES])
        title = f"{title}: lowest {MAX_CLASS_CURVES} of {len(series)}"
        series = {label: xy for label, xy in series.items() if label in kept}
    import matplotlib as mpl

    cmap = mpl.colormaps["tab10" if len(series) <= 10 else "tab20"]
    for i, (label, (xs, ys)) in enumerate(series.items()):
        style = "-o" if len(xs) <= 30 else "-"
        ax.plot(
            xs, ys, style, color=cmap(i % cmap.N), label=mpl_text(label), markersize=2.5,
            linewidth=1.2,
        )
    if marks.best_epoch is not None:
        ax.axvline(marks.best_epoch, color=BEST_COLOR, linestyle="--", linewidth=1.2)
    name = "recall" if panel.kind == "recall" else "F1"
    ax.set_title(mpl_text(title))
    ax.set_ylabel(f"{name} (0-1)")
    ax.set_xlabel("epoch")
    ax.set_ylim(-0.03, 1.03)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if run.epochs:
        ax.set_xlim(run.epochs[0] - 0.5, run.epochs[-1] + 0.5)
    if series:
        ncol = 1 if len(series) <= 6 else 2
        ax.legend(loc="lower right", ncol=ncol, fontsize=7, title="class", title_fontsize=7)
