"""Learning-curve plots with fitdoctor's findings marked on them.

One panel for the loss and one per metric (training vs validation), then per-class
recall and F1 curves when the run recorded them. Marked on the curves:

- the best epoch (dashed green line, star on the validation curve),
- where overfitting starts (the epoch of an overfitting finding, ``FD1xx``: orange
  shading from there to the end, the code on the mark),
- NaN epochs (red crosses at the top of a panel where a logged value is NaN or
  infinite, and the epoch of a diverged/unstable finding, ``FD4xx``, with its code),
- learning-rate changes (dotted grey lines where ``learning_rate``/``lr`` changes),
- other findings that have an epoch (their code at the top of the loss panel).

Labels near the right edge are drawn leftwards and labels of high points below them,
so none runs into the frame; when everything marked happens in the first quarter of a
long run, the epoch axis is logarithmic so those epochs get room.

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
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fitdoctor.errors import FitDoctorError, InputError, MissingDependency
from fitdoctor.plot_draw import (
    BEST_COLOR,
    COLUMNS,
    PANEL_HEIGHT,
    STYLE,
    TITLE_HEIGHT,
    TRAIN_COLOR,
    VAL_COLOR,
    WIDTH,
    draw_class_panel,
    draw_curve_panel,
    grid,
    list_hidden,
    mpl_text,
    style_context,
)
from fitdoctor.plot_marks import (
    MAX_PANELS,
    PLOT_RANGE,
    Marks,
    Panel,
    find_marks,
    on_scale,
    panels,
    shown_panels,
)
from fitdoctor.report import Report
from fitdoctor.run import EVAL_STEPS, Run

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from fitdoctor.rules import Settings

__all__ = [
    "MAX_PANELS",
    "PANEL_HEIGHT",
    "PLOT_RANGE",
    "STYLE",
    "TITLE_HEIGHT",
    "WIDTH",
    "Marks",
    "figure_png",
    "find_marks",
    "panels",
    "plot_files",
    "plot_folds",
    "plot_report",
    "plot_run",
    "png_path",
    "shown_panels",
]


def _title(run: Run, report: Report | None) -> str:
    name = run.name or run.source or "run"
    if report is None:
        return mpl_text(f"{name}: learning curves", 110)
    return mpl_text(f"{name}: {report.verdict}", 110)


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
    with style_context():
        fig, axes = grid(rows, dpi)
        for i, panel in enumerate(layout):
            ax = axes[i // COLUMNS][i % COLUMNS]
            if panel.kind == "curve":
                draw_curve_panel(ax, run, panel, marks, first=i == 0)
            else:
                draw_class_panel(ax, run, panel, marks)
        for j in range(len(layout), rows * COLUMNS):
            axes[j // COLUMNS][j % COLUMNS].set_visible(False)
        _label_evaluations(run, axes)
        fig.suptitle(_title(run, report), fontsize=11, fontweight="bold")
        list_hidden(fig, hidden)
        if path is not None:
            _save_png(fig, Path(path), dpi)
    return fig


def _label_evaluations(run: Run, axes: Any) -> None:
    """Name the x axis of a Trainer run evaluated every N steps: its rows are evaluations."""
    every = run.meta.get(EVAL_STEPS)
    if not every:
        return
    for row in axes:
        for ax in row:
            label = ax.get_xlabel()
            if label.startswith("epoch"):
                ax.set_xlabel(f"evaluation (every {every} steps)" + label[len("epoch"):])


def _fold_stats(
    runs: Sequence[Run], key: str
) -> tuple[list[int], list[float], list[float], list[float]]:
    """Per epoch (aligned by number): mean, min, max over the folds that logged ``key``."""
    by_epoch: dict[int, list[float]] = {}
    for run in runs:
        if key not in run.metrics:
            continue
        for e, v in zip(run.epochs, run.metrics[key], strict=True):
            if v is not None and on_scale(v):
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
    with style_context():
        fig, axes = grid(rows, dpi)
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
                    label=mpl_text(f"{label} fold range"),
                )
                ax.plot(xs, mu, "-", color=color, label=mpl_text(f"{label} mean ({key})"))
            if best is not None:
                ax.axvline(
                    best, color=BEST_COLOR, linestyle="--", linewidth=1.2,
                    label=f"best epoch {best}",
                )
            ax.set_title(mpl_text(f"{panel.title}: {len(runs)} folds, mean and range"))
            ax.set_xlim(left=0.5)
            ax.set_ylabel(mpl_text(panel.title))
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
        list_hidden(fig, hidden)
        if path is not None:
            _save_png(fig, Path(path), dpi)
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
    with style_context():
        _save_png(fig, buf, dpi)
    return buf.getvalue()


def png_path(path: str | Path) -> Path:
    """``path`` as the PNG file to write: a ``.png`` name, or a name without a suffix.

    Raises:
        InputError: Another suffix (``curves.svg``, ``curves.pdf``): the bytes written
            would be a PNG all the same.
    """
    out = Path(path)
    if out.suffix and out.suffix.lower() != ".png":
        raise InputError(
            f"{out}: fitdoctor writes the figure as PNG, not {out.suffix}: name the file "
            f"{out.with_suffix('.png').name} (in Python, the figure plot_run returns saves "
            f"in any format: fig.savefig({out.name!r}))"
        )
    return out


def _save_png(fig: Figure, target: Path | io.BytesIO, dpi: int) -> None:
    """Write ``fig`` as a PNG without a software tag (equal figures give equal bytes).

    Raises:
        InputError: ``target`` is a file name with a suffix other than ``.png``.
    """
    if isinstance(target, Path):
        png_path(target)
    with warnings.catch_warnings():
        # a metric or run name in a script the font lacks draws as boxes: not worth a
        # warning in the user's terminal for every figure
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        fig.savefig(target, format="png", dpi=dpi, metadata={"Software": None})


def plot_files(
    paths: str | Path | Sequence[str | Path],
    output: str | Path | None = None,
    *,
    settings: Settings | None = None,
    dpi: int = 100,
    task: str | None = None,
    n_classes: int | None = None,
    run_number: int | None = None,
) -> Path:
    """Analyze run files and save their curves as PNG (``fitdoctor plot RUN...``).

    One run: its curves with the findings marked (:func:`plot_run`). Several runs, or a
    cross-validation file (``"schema": "fitdoctor.cv/1"``): the folds, mean and range
    (:func:`plot_folds`). With ``run_number``, the one file's ``run_number``-th run
    (an appended CSVLogger, a console log of several ``fit`` calls).

    Args:
        paths: The run file (any format :func:`fitdoctor.readers.from_any` reads), or several
            (one per fold).
        output: The PNG to write. Defaults to `None` (``<first run>.png`` next to it).
        settings: Rule selection. Defaults to `None` (all rules).
        dpi: Resolution. Defaults to `100`.
        task: Task type a bare history lacks. Defaults to `None`.
        n_classes: Number of classes a bare history lacks. Defaults to `None`.
        run_number: Which run of the one file given, from 1, when it holds several
            (``--run N``, as ``compare --before-run N``). Defaults to `None` (the file
            must hold one run; the PNG's default name then says which, ``-run2``).

    Returns:
        The path of the PNG written.

    Raises:
        InputError: No run given, a file cannot be used, or ``run_number`` is given
            with several files or is beyond the runs the file holds.
        MissingDependency: matplotlib is not installed.
        FitDoctorError: Nothing to draw (e.g. a learning-curve file).
        OSError: A file cannot be read or the PNG cannot be written.
    """
    from fitdoctor import engine
    from fitdoctor.readers import from_any

    sources = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not sources:
        raise InputError("no run to plot")
    if any(str(src) == "-" for src in sources):
        raise InputError(
            "-: plot reads files, not standard input (that is `fitdoctor analyze -`): "
            "save the run first, e.g. python train.py > train.log 2>&1"
        )
    if run_number is not None and len(sources) > 1:
        raise InputError(
            f"--run {run_number} picks one run of one file, but {len(sources)} files were "
            "given: plot them one at a time"
        )
    if output is not None:
        out = png_path(output)
    elif run_number is not None:
        out = sources[0].with_name(f"{sources[0].stem}-run{run_number}.png")
    else:
        out = sources[0].with_suffix(".png")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependency(
            "plotting needs matplotlib: pip install 'fitdoctor[plot]'"
        ) from None
    from fitdoctor import cv

    if run_number is not None:
        from fitdoctor.readers import pick_run

        run = pick_run(sources[0], run_number, "--run").with_facts(task=task, n_classes=n_classes)
        plot_run(run, engine.analyze(run, settings), out, dpi=dpi)
        return out
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
