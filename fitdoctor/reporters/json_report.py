"""JSON report: the ``"fitdoctor.report/1"`` contract.

One report renders as one JSON object (:meth:`fitdoctor.report.Report.to_dict`),
indented. Several reports (``fitdoctor analyze a.json b.json``, a CSVLogger file
appended by three ``fit`` calls, a TensorBoard folder of runs) render as JSON Lines: one
report object per line, in the order given, so a consumer can read them one by one.
The output is strict JSON: NaN and infinities, which Python's ``json`` would write as
the invalid tokens ``NaN``/``Infinity``, become ``null``, and numpy scalars or arrays
that slipped into evidence become numbers and lists.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fitdoctor.report import strict_json

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.run import Run


def render_report(report: Report) -> str:
    """One report as indented JSON (no trailing newline)."""
    return json.dumps(strict_json(report.to_dict()), indent=2, allow_nan=False)


def render_many(
    items: Sequence[tuple[Report, Run | None]], *, width: int = 100, color: bool = False
) -> str:
    """One report as an indented JSON object, several as JSON Lines (one object a line).

    Args:
        items: ``(report, run)`` pairs; the run is not used.
        width: Ignored. Defaults to `100`.
        color: Ignored. Defaults to `False`.

    Returns:
        The JSON text, ending with a newline.
    """
    del width, color
    if len(items) == 1:
        return render_report(items[0][0]) + "\n"
    return "".join(
        json.dumps(strict_json(r.to_dict()), allow_nan=False) + "\n" for r, _ in items
    )
