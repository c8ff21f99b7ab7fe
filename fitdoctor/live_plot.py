"""The learning curves in a notebook, redrawn in place as epochs arrive (``FitDoctor(live=True)``).

One IPython display (``display(..., display_id=True)``) holds the plot of
:func:`fitdoctor.plot.plot_run`: the curves so far with the best epoch and the findings
that fired marked; each redraw replaces it (``DisplayHandle.update``), as livelossplot
users expect, without a widget. The displayed object carries the figure as PNG and a
one-line summary as plain text (what a console without images shows).

Drawing a figure costs a few tenths of a second of CPU, more than a small model's
epoch: the display is redrawn after the first epoch, whenever a finding fires, when
training ends, and otherwise once at least :data:`DRAW_INTERVAL_FACTOR` times the last
drawing's own time has passed since it, so routine redraws take at most about 1/20 of
the training's time however short its epochs are. While training, the figure has the
curve panels only (the callback leaves the per-class panels out: they double the cost of
a drawing); the last drawing, when training ends, is the report's whole figure.

IPython and matplotlib are imported only here, only when a notebook shows the curves.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from typing import Any

from fitdoctor.report import Report
from fitdoctor.run import Run

__all__ = ["DRAW_INTERVAL_FACTOR", "LiveCurves", "LivePlot", "in_notebook"]

#: Wait at least this many times the last drawing's time before the next routine redraw.
DRAW_INTERVAL_FACTOR = 20.0
#: Resolution of the live figure (dots per inch).
DPI = 80


def in_notebook() -> bool:
    """True inside a Jupyter kernel (Jupyter, JupyterLab, VS Code, Colab), not a terminal.

    Returns:
        Whether IPython is imported and its shell runs in a kernel.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    get = getattr(ipython, "get_ipython", None)
    shell = get() if callable(get) else None
    return shell is not None and getattr(shell, "kernel", None) is not None


class LiveCurves:
    """What the display shows: the figure as PNG, a summary line as plain text.

    Args:
        png: The figure.
        text: The summary.
    """

    def __init__(self, png: bytes, text: str) -> None:
        self.png = png
        self.text = text

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return self.text


class LivePlot:
    """One notebook display of a training's curves, updated in place.

    Raises (from :meth:`open`): ``ImportError`` when IPython or matplotlib is missing,
    ``RuntimeError`` outside an IPython shell.
    """

    def __init__(self) -> None:
        self._handle: Any = None
        self._drawn_at = 0.0
        self._cost = 0.0
        #: Times the display was drawn (the first display and every update).
        self.draws = 0

    def open(self) -> None:
        """Check that a display can be shown (IPython shell and matplotlib present)."""
        from importlib.util import find_spec

        from IPython import get_ipython

        if find_spec("matplotlib") is None:
            raise ImportError("matplotlib is not installed", name="matplotlib")
        if get_ipython() is None:
            raise RuntimeError("no IPython shell to display the curves in")

    def due(self, *, force: bool = False) -> bool:
        """Whether to redraw now (always when forced, and for the first drawing)."""
        if force or self._handle is None:
            return True
        return time.perf_counter() - self._drawn_at >= DRAW_INTERVAL_FACTOR * self._cost

    def draw(self, run: Run, report: Report, label: str) -> None:
        """Draw the curves of ``run`` with the findings of ``report`` marked.

        Args:
            run: The run so far.
            report: The findings to mark (those that fired) and the best epoch.
            label: What is shown: ``"mlp, epoch 7/30"``; the figure's title is
                ``"<label>: <verdict>"``.
        """
        from IPython.display import display

        from fitdoctor.plot import figure_png

        start = time.perf_counter()
        if not run.epochs or not run.metrics:
            return
        text = f"fitdoctor: {label}: {report.verdict}"
        marked = [f"{f.code} (epoch {f.epoch})" if f.epoch else f.code for f in report.findings]
        if marked:
            text += f"; marked: {', '.join(marked)}"
        shown = LiveCurves(figure_png(replace(run, name=label), report, dpi=DPI), text)
        if self._handle is None:
            self._handle = display(shown, display_id=True)  # type: ignore[no-untyped-call]
        else:
            self._handle.update(shown)
        self.draws += 1
        self._drawn_at = time.perf_counter()
        self._cost = self._drawn_at - start
