r"""Plain-text report for logs: no ANSI, no box drawing, wrapped to the width.

The same content as the terminal report: verdict first, findings by severity with
their evidence and ranked recommendations, the best epoch (with the ``EarlyStopping``
call when training ran past it), an ASCII loss sparkline, skipped rules and notes.
Strings that come from the run are put on one line with control characters shown as
``\xNN``, and no line starts with them, so a metric name or message cannot forge a
line (e.g. a GitHub ``::error::`` command) in a CI log.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fitdoctor.report import Report, Severity
from fitdoctor.reporters import _common as c

if TYPE_CHECKING:
    from fitdoctor.run import Run

_HEADINGS = {Severity.ERROR: "ERRORS", Severity.WARNING: "WARNINGS", Severity.INFO: "INFO"}
_MARK = {None: " ", -1: "x"}


def _wrap(text: str, width: int, first: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=max(width, len(first) + 20),
        initial_indent=first,
        subsequent_indent=rest if rest is not None else " " * len(first),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _sparkline_lines(report: Report, run: Run, width: int) -> list[str]:
    names = [k for k in ("loss", "val_loss") if run.has(k)]
    if not names:
        return []
    label_w = max(len(n) for n in names) + 2
    indent = 2 + label_w
    # Leave room for the "first -> last (min x)" tail, about 32 characters.
    max_cols = max(10, width - indent - 34)
    lines = c.sparklines(
        run, levels=len(c.ASCII_LEVELS), max_columns=max_cols, best=report.best_epoch
    )
    if lines is None:
        return []
    caption = f"loss curves ({c.spark_caption(lines)}; x = NaN/inf, blank = not logged):"
    out = _wrap(caption, width, "", "  ")
    for spark in lines.curves:
        chars = "".join(
            _MARK[cell] if cell is None or cell < 0 else c.ASCII_LEVELS[cell]
            for cell in spark.cells
        )
        tail = c.spark_tail(spark, room=width - indent - len(chars) - 2)
        out.append(f"  {spark.name.ljust(label_w)}{chars}  {tail}".rstrip())
    if report.best_epoch is not None and lines.best_column is not None:
        out.append(c.caret_line(lines, indent, report.best_epoch, width))
    return out


def render_report(report: Report, *, width: int = 100, run: Run | None = None) -> str:
    """Render one report as plain text.

    Args:
        report: The report.
        width: Wrap lines at this many characters. Defaults to `100`.
        run: The analyzed run, for the loss sparkline. Defaults to `None` (no sparkline).

    Returns:
        The text, ending with a newline.
    """
    out: list[str] = []
    out.extend(_wrap(c.clean(report.verdict), width, "verdict: "))
    out.extend(_wrap(c.clean(report.source), width, "source: "))
    facts = "; ".join(c.header_facts(report))
    out.extend(_wrap(facts, width, "run: "))

    shared = report.shared_evidence()
    for severity, findings in c.by_severity(report.findings):
        out.append("")
        out.append(f"{_HEADINGS[severity]} ({len(findings)})")
        for f in findings:
            head = f"{c.clean(f.code)} {c.clean(f.name)} ({c.clean(f.diagnosis)})"
            if f.epoch is not None:
                head += f" at epoch {f.epoch}"
            if (folds := c.folds_text(f)) is not None:
                head += f", {folds}"
            out.extend(_wrap(head, width, "  "))
            out.extend(_wrap(c.clean(f.message), width, "    "))
            evidence = ", ".join(f"{k}: {v}" for k, v in c.evidence_items(f, shared))
            if c.takes_shared(f, shared):
                evidence += "; and the shared evidence below" if evidence else \
                    "the shared evidence below"
            if evidence:
                out.extend(_wrap(evidence, width, "    evidence: ", " " * 6))
            if f.recommendations:
                out.append("    next:")
                for i, rec in enumerate(f.recommendations, 1):
                    text = f"{c.clean(rec.text)} [{c.clean(rec.action)}]"
                    out.extend(_wrap(text, width, f"      {i}. "))

    if shared.values:
        out.append("")
        out.append(f"{c.shared_heading(shared)}:")
        items = ", ".join(f"{k}: {v}" for k, v in c.shared_items(shared))
        out.extend(_wrap(items, width, "  ", "    "))

    if report.best_epoch is not None:
        summary, past = c.best_epoch_sentences(report.best_epoch)
        out.append("")
        if past and c.keras_code(report):
            out.extend(_wrap(f"{summary}; {past}. To stop there:", width, "", "  "))
            out.extend(c.early_stopping_lines(report.best_epoch, width, 2))
        elif past:
            out.extend(_wrap(f"{summary}; {past}.", width, "", "  "))
        else:
            out.extend(_wrap(summary, width, "", "  "))

    if run is not None:
        spark = _sparkline_lines(report, run, width)
        if spark:
            out.append("")
            out.extend(spark)

    if report.skipped:
        out.append("")
        out.append(f"skipped ({c.plural(len(report.skipped), 'rule')} could not run):")
        for group in c.group_skipped(report.skipped):
            what, hint = c.skipped_line(group)
            out.extend(_wrap(what, width, "  ", "    "))
            if hint:
                out.extend(_wrap(hint, width, "    to enable: ", "      "))

    moot = c.superseded_line(report)
    if moot:
        out.append("")
        out.extend(_wrap(moot, width, "", "  "))

    if report.notes:
        out.append("")
        out.append("notes:")
        for note in report.notes:
            out.extend(_wrap(c.clean(note), width, "  - ", "    "))
    return "\n".join(out) + "\n"


def render_many(
    items: Sequence[tuple[Report, Run | None]], *, width: int = 100, color: bool = False
) -> str:
    """Render several reports, separated by a rule of ``=``, then a totals line.

    Args:
        items: ``(report, run)`` pairs; ``run`` may be ``None``.
        width: Wrap width. Defaults to `100`.
        color: Ignored (plain text has no colour). Defaults to `False`.

    Returns:
        The text.
    """
    del color
    parts = [render_report(r, width=width, run=run) for r, run in items]
    if len(parts) <= 1:
        return "".join(parts)
    sep = "=" * min(width, 100)
    reports = [r for r, _ in items]
    return f"\n{sep}\n\n".join(parts) + f"\n{sep}\n{c.totals(reports)}\n"
