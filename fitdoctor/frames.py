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
FINDING_COLUMNS = ("code", "name", "diagnosis", "severity", "epoch", "message")


def report_frame(report: Report) -> pd.DataFrame:
    """One row per finding of ``report``: code, name, diagnosis, severity, epoch, message.

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
            }
            for f in report.findings
        ],
        columns=list(FINDING_COLUMNS),
    )
