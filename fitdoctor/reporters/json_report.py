"""JSON report: the ``"fitdoctor.report/1"`` contract (DESIGN.md, "Report contract").

One report renders as one JSON object (:meth:`fitdoctor.report.Report.to_dict`).
Several reports (``fitdoctor analyze a.json b.json``) render as a JSON array of those
objects, in the order given. The output is strict JSON: NaN and infinities, which
Python's ``json`` would write as the invalid tokens ``NaN``/``Infinity``, become
``null``, and numpy scalars or arrays that slipped into evidence become numbers and
lists.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.run import Run


def strict(value: Any) -> Any:
    """Return ``value`` with only strict-JSON values: non-finite floats become ``None``.

    Mappings get string keys; tuples become lists; objects with ``tolist()`` (numpy
    scalars and arrays) are converted first; anything else unknown becomes its ``str``.

    Args:
        value: A JSON-like value.

    Returns:
        A value ``json.dumps(..., allow_nan=False)`` accepts.
    """
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return strict(tolist())
    return str(value)


def render_report(report: Report) -> str:
    """One report as indented JSON (no trailing newline)."""
    return json.dumps(strict(report.to_dict()), indent=2, allow_nan=False)


def render_many(
    items: Sequence[tuple[Report, Run | None]], *, width: int = 100, color: bool = False
) -> str:
    """One report as a JSON object, several as a JSON array of objects.

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
    data = [strict(r.to_dict()) for r, _ in items]
    return json.dumps(data, indent=2, allow_nan=False) + "\n"
