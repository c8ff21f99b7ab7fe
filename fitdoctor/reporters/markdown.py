"""Markdown report, for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

Per report: a heading with the verdict, the run facts, a findings table (severity,
code, name, epoch, message), then per finding its evidence and ranked
recommendations, the best epoch with the ``EarlyStopping`` call, the loss sparkline
(when the run is given), and the skipped rules in a ``<details>`` block.

Every string that comes from the run or a rule pack is escaped: HTML (``<``, ``>``,
``&``) becomes entities, markdown punctuation (``|``, ``*``, ``_``, backticks,
brackets, ``$`` math, ...) is backslash-escaped, and line breaks become spaces, so a
message can neither break the table nor inject HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fitdoctor.report import Report, Severity
from fitdoctor.reporters import _common as c

if TYPE_CHECKING:
    from fitdoctor.run import Run

_ICON = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}
# Only characters that act mid-line; strings from the run never start a line.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")


def escape(text: object) -> str:
    """Escape a string from the run for markdown, on one line.

    Args:
        text: The value (``str()`` is applied).

    Returns:
        Markdown that renders as the literal text.
    """
    s = c.clean(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")
    return _MD_SPECIAL.sub(r"\\\1", s)


#: A code span in rule-authored text: `dense`, `{layer}` filled from the run.
_CODE_SPAN = re.compile(r"`([^`]+)`")


def prose(text: object, *, table: bool = False) -> str:
    """Escape rule-authored text (a message, a recommendation), keeping its code spans.

    Rules mark code with backticks (``Raise dropout after `dense` ...``): those spans stay
    code spans, their content literal (CommonMark shows a code span's content as is, so
    it needs no escaping; in a table cell ``|`` is escaped there too, as GFM requires).
    Everything outside is escaped by :func:`escape`.

    Args:
        text: The text (``str()`` is applied).
        table: The text goes into a table cell. Defaults to `False`.

    Returns:
        Markdown on one line.
    """
    s = c.clean(text)
    out: list[str] = []
    pos = 0
    for match in _CODE_SPAN.finditer(s):
        out.append(escape(s[pos:match.start()]))
        code = match.group(1).replace("|", "\\|") if table else match.group(1)
        out.append(f"`{code}`")
        pos = match.end()
    out.append(escape(s[pos:]))
    return "".join(out)


def _icon(report: Report) -> str:
    worst = report.worst()
    if worst is None or all(f.severity is Severity.INFO for f in report.findings):
        return "✅"
    return _ICON[worst]


def _sparkline_block(report: Report, run: Run) -> list[str]:
    names = [k for k in ("loss", "val_loss") if run.has(k)]
    if not names:
        return []
    label_w = max(len(n) for n in names) + 2
    lines = c.sparklines(run, levels=len(c.UNICODE_LEVELS), max_columns=60, best=report.best_epoch)
    if lines is None:
        return []
    out = [f"Loss curves ({escape(c.spark_caption(lines))}, × = NaN/inf):", "", "```text"]
    for spark in lines.curves:
        chars = "".join(
            " " if cell is None else "×" if cell < 0 else c.UNICODE_LEVELS[cell]
            for cell in spark.cells
        )
        out.append(f"{c.clean(spark.name).ljust(label_w)}{chars}  {c.spark_tail(spark, '→')}")
    if report.best_epoch is not None and lines.best_column is not None:
        out.append(c.caret_line(lines, label_w, report.best_epoch, 1000))
    out.append("```")
    return out


def _num(value: object, digits: int = 4) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "–"


def _validation_tables(report: Report) -> list[str]:
    """Tables for cross-validation and learning-curve results (from ``run_summary``)."""
    out: list[str] = []
    cv = report.run_summary.get("cross_validation")
    if isinstance(cv, dict):
        folds = f"{cv.get('k')}-fold" + (
            f" × {cv.get('repeats')}" if (cv.get("repeats") or 1) > 1 else ""
        )
        out += [f"**Cross-validation:** {escape(folds)}, {escape(cv.get('models'))} models", ""]
        scores = cv.get("scores") or {}
        if scores:
            out += ["| metric | mean | std | folds |", "| --- | ---: | ---: | ---: |"]
            for key, s in scores.items():
                out.append(
                    f"| {escape(key)} | {_num(s.get('mean'))} | {_num(s.get('std'))} "
                    f"| {escape(s.get('folds'))} |"
                )
            out.append("")
        if cv.get("final_fit"):
            out += [f"**Final fit:** {escape(cv['final_fit'])}", ""]
    lc = report.run_summary.get("learning_curve")
    if isinstance(lc, dict):
        # the answering rule's finding carries the reason; without one, say why
        why = f" ({escape(lc['answered_by'])})" if lc.get("answered_by") else (
            f": {escape(lc.get('reason'))}"
        )
        out += [f"**Would more data help?** {escape(lc.get('verdict'))}{why}", ""]
        sizes = lc.get("sizes") or []
        if sizes:
            score = escape(lc.get("score") or "score")
            out += [
                f"| training samples | training {score} | validation {score} | fitted |",
                "| ---: | ---: | ---: | ---: |",
            ]
            for s in sizes:
                out.append(
                    f"| {escape(s.get('n_train'))} | {_num(s.get('train'))} ± "
                    f"{_num(s.get('train_std'))} | {_num(s.get('val'))} ± {_num(s.get('val_std'))} "
                    f"| {_num(s.get('fitted'))} |"
                )
            out.append("")
    return out


def render_report(report: Report, *, run: Run | None = None, level: int = 2) -> str:
    """Render one report as GitHub-flavoured markdown.

    Args:
        report: The report.
        run: The analyzed run, for the loss sparkline. Defaults to `None` (no sparkline).
        level: Heading level of the report's title. Defaults to `2`.

    Returns:
        The markdown, ending with a newline.
    """
    h = "#" * level
    out: list[str] = [
        f"{h} {_icon(report)} {escape(report.source)}: {escape(report.verdict)}",
        "",
        " · ".join(escape(fact) for fact in c.header_facts(report)),
        "",
    ]
    if report.findings:
        out += ["| severity | code | name | epoch | message |", "| --- | --- | --- | ---: | --- |"]
        for f in report.findings:
            epoch = "" if f.epoch is None else str(f.epoch)
            out.append(
                f"| {_ICON[f.severity]} {f.severity.value} | {escape(f.code)} | {escape(f.name)} "
                f"| {epoch} | {prose(f.message, table=True)} |"
            )
        out.append("")
        shared = report.shared_evidence()
        for f in report.findings:
            out.append(f"{h}# {escape(f.code)} {escape(f.name)}")
            out.append("")
            where = f" · epoch {f.epoch}" if f.epoch is not None else ""
            if (folds := c.folds_text(f)) is not None:
                where += f" · {folds}"
            out.append(f"*{escape(f.diagnosis)}* · {f.severity.value}{where}: {prose(f.message)}")
            out.append("")
            items = c.evidence_items(f, shared)
            if items or c.takes_shared(f, shared):
                evidence = ", ".join(f"{escape(k)}: {escape(v)}" for k, v in items)
                if c.takes_shared(f, shared):
                    evidence += "; and the shared evidence below" if items else \
                        "the shared evidence below"
                out += [f"**Evidence:** {evidence}", ""]
            if f.recommendations:
                out += ["**Next changes, best first:**", ""]
                out += [
                    f"{i}. {prose(r.text)} — *{escape(r.action)}*"
                    for i, r in enumerate(f.recommendations, 1)
                ]
                out.append("")
        if shared.values:
            heading = c.shared_heading(shared)
            listed = ", ".join(f"{escape(k)}: {escape(v)}" for k, v in c.shared_items(shared))
            out += [f"**{escape(heading[0].upper() + heading[1:])}:** {listed}", ""]
    else:
        out += ["No findings.", ""]

    out += _validation_tables(report)

    if report.best_epoch is not None:
        summary, past = c.best_epoch_sentences(report.best_epoch)
        line = f"**Best epoch:** {escape(summary.removeprefix('best epoch '))}"
        if past and c.keras_code(report):
            out += [line + f"; {escape(past)}:", "", "```python"]
            out += [c.early_stopping_call(report.best_epoch), "```", ""]
        elif past:
            out += [line + f"; {escape(past)}.", ""]
        else:
            out += [line, ""]

    if run is not None:
        block = _sparkline_block(report, run)
        if block:
            out += [*block, ""]

    if report.skipped:
        out += [
            "<details>",
            f"<summary>Skipped rules ({len(report.skipped)})</summary>",
            "",
        ]
        for s in report.skipped:
            line = f"- **{escape(s.code)}** {escape(s.name)}: {escape(s.reason)}"
            if s.hint:
                line += f" — to enable: {prose(s.hint)}"
            out.append(line)
        out += ["", "</details>", ""]

    moot = c.superseded_line(report)
    if moot:
        out += [escape(moot[0].upper() + moot[1:]) + ".", ""]

    if report.notes:
        out += ["**Notes:**", ""]
        out += [f"- {escape(n)}" for n in report.notes]
        out.append("")
    return "\n".join(out)


def render_many(
    items: Sequence[tuple[Report, Run | None]], *, width: int = 100, color: bool = False
) -> str:
    """Render reports as one markdown document; several get a title and a totals line.

    Args:
        items: ``(report, run)`` pairs; ``run`` may be ``None``.
        width: Ignored (markdown is not wrapped). Defaults to `100`.
        color: Ignored. Defaults to `False`.

    Returns:
        The markdown.
    """
    del width, color
    if len(items) == 1:
        report, run = items[0]
        return render_report(report, run=run)
    reports = [r for r, _ in items]
    parts = [f"## fitdoctor: {escape(c.totals(reports))}", ""]
    parts += [render_report(r, run=run, level=3) for r, run in items]
    return "\n".join(parts)
