"""pandas views of analysis results (pandas is imported when a function runs).

:func:`report_frame` is what :meth:`fitdoctor.report.Report.to_frame` returns; the
report itself stays plain data and never imports pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from fitdoctor.report import Report

__all__ = ["FINDING_COLUMNS", "report_frame"]

#: Columns of :func:`report_frame`, in order.
FINDING_COLUMNS = ("code", "name", "diagnosis", "severity", "epoch", "message", "next_action",
                   "next", "recommendations")


def report_frame(report: Report) -> pd.DataFrame:
    """One row per finding of ``report``: code, name, diagnosis, severity, epoch, message.

    And what to do about it: ``next_action`` and ``next``, the first recommendation's
    action and text (``None`` when the finding has none), and ``recommendations``, the
    list of all its recommendation texts, best first.

    Args:
        report: The report.

    Returns:
        The frame, most severe finding first (the report's order); no rows and the same
        columns when there is no finding.
    """
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "code": f.code,
                "name": f.name,
                "diagnosis": f.diagnosis,
                "severity": f.severity.value,
                "epoch": f.epoch,
                "message": f.message,
                "next_action": f.recommendations[0].action if f.recommendations else None,
                "next": f.recommendations[0].text if f.recommendations else None,
                "recommendations": [r.text for r in f.recommendations],
            }
            for f in report.findings
        ],
        columns=list(FINDING_COLUMNS),
    )
