r"""GitHub Actions workflow commands: one annotation per finding.

Each finding becomes ``::error``, ``::warning`` or ``::notice`` (for info) with
``title=FDnnn name (diagnosis)`` and, when the report was read from a file that
exists (:attr:`Report.path`, which the CLI sets to the path as given, else the
report's source), ``file=`` set to it, so the annotation is attached to the run file
in the pull request. The source alone is a display name (a run file's run name, a
history's base name), so it is used only when no path was set. The message is the
finding's message followed by its ranked recommendations, on separate lines.

GitHub shows at most 10 annotations of a kind per step, so at most
:data:`MAX_ANNOTATIONS` are written in all, most severe first; a plain log line then
says how many more findings there are (all of them are in the markdown summary,
``--summary``). A last plain line per report gives its verdict.

Escaping follows the Actions toolkit (``@actions/core`` ``command.ts``): in the
message ``%`` → ``%25``, CR → ``%0D``, LF → ``%0A``; in properties also ``:`` → ``%3A``
and ``,`` → ``%2C``. Other control characters are shown as ``\xNN``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fitdoctor.report import Finding, Report, Severity
from fitdoctor.reporters import _common as c

if TYPE_CHECKING:
    from fitdoctor.run import Run

#: Most annotations written per output (GitHub shows 10 per kind per step).
MAX_ANNOTATIONS = 10

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: object) -> str:
    """Escape a workflow command's message."""
    s = c.clean(text, keep_newlines=True)
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: object) -> str:
    """Escape a workflow command property value (``title=``, ``file=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotated_file(report: Report) -> str | None:
    """The file an annotation of ``report`` is attached to, if it exists.

    Args:
        report: The report.

    Returns:
        ``report.path`` when set (the path the command line gave), else the report's
        source; ``None`` when that is not an existing file (an object, standard input,
        a folder, a run name).
    """
    where = report.path if report.path is not None else report.source
    return where if where and os.path.isfile(where) else None


def _named(report: Report) -> str:
    """The report's source, by the path given when the source is only its base name.

    ``analyze runs/`` reads ``a/history.json`` and ``b/history.json``, both sourced
    ``history.json``: their verdict lines are told apart by the path. A run name
    (``run 2 of 3 in training.log``, a run file's own name) says more and is kept.
    """
    if report.path is not None and report.source == os.path.basename(report.path):
        return report.path
    return report.source


def annotation(finding: Finding, report: Report) -> str:
    """The workflow command for one finding.

    Args:
        finding: The finding.
        report: The report it belongs to (for the ``file=`` property).

    Returns:
        One line, ``::error title=...::message``.
    """
    props: list[str] = []
    message = finding.message
    if (where := annotated_file(report)) is not None:
        props.append(f"file={escape_property(where)}")
    else:
        message = f"{report.source}: {message}"
    folds = c.folds_text(finding)
    title = f"{finding.code} {finding.name} ({finding.diagnosis}{', ' + folds if folds else ''})"
    props.append(f"title={escape_property(title)}")
    lines = [message]
    lines += [f"{i}. {r.text} [{r.action}]" for i, r in enumerate(finding.recommendations, 1)]
    body = "\n".join(c.clean(line, keep_newlines=True) for line in lines)
    return f"::{_COMMAND[finding.severity]} {','.join(props)}::{escape_data(body)}"


def render_many(
    items: Sequence[tuple[Report, Run | None]], *, width: int = 100, color: bool = False
) -> str:
    """Annotations for all findings of all reports, capped, then one verdict line each.

    Args:
        items: ``(report, run)`` pairs; the run is not used.
        width: Ignored. Defaults to `100`.
        color: Ignored. Defaults to `False`.

    Returns:
        The workflow commands and log lines, ending with a newline.
    """
    del width, color
    pairs = [(f, r) for r, _ in items for f in r.findings]
    pairs.sort(key=lambda p: -p[0].severity.rank)  # stable: report and code order kept
    out = [annotation(f, r) for f, r in pairs[:MAX_ANNOTATIONS]]
    more = len(pairs) - MAX_ANNOTATIONS
    if more > 0:
        out.append(
            f"fitdoctor: {c.plural(more, 'more finding')} not annotated "
            f"(at most {MAX_ANNOTATIONS} annotations); all are in the job summary (--summary)."
        )
    for r, _ in items:
        out.append(f"fitdoctor: {c.clean(_named(r))}: {c.clean(r.verdict)}")
    return "\n".join(out) + "\n"
