"""Terminal report rendered with rich: verdict first, colour by severity, loss sparkline.

The console is created per call and records into a string, so the output depends only
on the arguments (``width``, ``color``), never on the environment. Strings from the
run are rendered as :class:`rich.text.Text`, never as markup, so a message holding
``[bold]`` or an escape sequence prints as written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from fitdoctor.report import Report, Severity
from fitdoctor.reporters import _common as c

if TYPE_CHECKING:
    from fitdoctor.run import Run

_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
_ICON = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "●"}
_HEADINGS = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}
_CURVE_STYLE = ("cyan", "magenta")


def make_console(width: int, color: bool) -> Console:
    """A console that records into a string with fixed width and colour.

    Args:
        width: Output width in characters.
        color: Emit ANSI colour codes.

    Returns:
        The console; read its output with ``console.file.getvalue()``.
    """
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        force_jupyter=False,
        force_interactive=False,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
    )


def _print_indented(console: Console, text: Text, indent: int, hang: int = 0) -> None:
    """Print ``text`` wrapped to the console width, indented, with no trailing blanks.

    Args:
        console: Where to print.
        text: The text.
        indent: Spaces before every line.
        hang: Extra spaces before the second and later lines. Defaults to `0`.
    """
    for i, line in enumerate(text.wrap(console, max(20, console.width - indent - hang))):
        line.rstrip()
        pad = indent + (hang if i else 0)
        console.print(Text(" " * pad) + line, no_wrap=True, overflow="ignore", crop=False)


def _verdict(report: Report) -> Text:
    worst = report.worst()
    has_problem = any(f.severity is not Severity.INFO for f in report.findings)
    if worst is None or not has_problem:
        icon, style = "✔", "bold green"
    else:
        icon, style = _ICON[worst], f"bold {_STYLE[worst]}"
    return Text.assemble((f"{icon} ", style), (c.clean(report.verdict), style))


def _header(report: Report) -> Text:
    text = Text(style="dim")
    text.append(c.clean(report.source))
    for fact in c.header_facts(report):
        text.append(f" · {fact}")
    return text


def _print_findings(console: Console, report: Report) -> None:
    shared = report.shared_evidence()
    for severity, findings in c.by_severity(report.findings):
        style = _STYLE[severity]
        console.print()
        console.rule(
            Text(f"{_HEADINGS[severity]} ({len(findings)})", style=f"bold {style}"),
            style=style,
            align="left",
        )
        for f in findings:
            head = Text.assemble(
                (f"{_ICON[severity]} ", style),
                (c.clean(f.code), f"bold {style}"),
                " ",
                (c.clean(f.name), "bold"),
                ("  ", ""),
                (c.clean(f.diagnosis), "dim"),
            )
            if f.epoch is not None:
                head.append(f" · epoch {f.epoch}", style="dim")
            if (folds := c.folds_text(f)) is not None:
                head.append(f" · {folds}", style="dim")
            _print_indented(console, head, 0, hang=2)
            body = Text(c.clean(f.message))
            _print_indented(console, body, 2)
            items = c.evidence_items(f, shared)
            if items or c.takes_shared(f, shared):
                evidence = Text()
                for i, (k, v) in enumerate(items):
                    if i:
                        evidence.append(" · ", style="dim")
                    evidence.append(f"{k}: ", style="dim")
                    evidence.append(v, style="cyan")
                if c.takes_shared(f, shared):
                    evidence.append(" · " if items else "", style="dim")
                    evidence.append("shared evidence below", style="dim")
                _print_indented(console, evidence, 2)
            for i, rec in enumerate(f.recommendations, 1):
                line = Text.assemble(
                    (f"{i}. ", "bold"), c.clean(rec.text), "  ", (c.clean(rec.action), "dim")
                )
                _print_indented(console, line, 4, hang=len(f"{i}. "))


def _print_shared(console: Console, report: Report) -> None:
    shared = report.shared_evidence()
    if not shared.values:
        return
    console.print()
    _print_indented(console, Text(f"{c.shared_heading(shared)}:", style="bold"), 0)
    evidence = Text()
    for i, (k, v) in enumerate(c.shared_items(shared)):
        if i:
            evidence.append(" · ", style="dim")
        evidence.append(f"{k}: ", style="dim")
        evidence.append(v, style="cyan")
    _print_indented(console, evidence, 2)


def _print_best(console: Console, report: Report) -> None:
    if report.best_epoch is None:
        return
    summary, past = c.best_epoch_sentences(report.best_epoch)
    console.print()
    line = Text.assemble(("★ ", "green"), (summary, "bold"))
    keras = c.keras_code(report)
    if past:
        line.append(f" — {past}. To stop there:" if keras else f" — {past}.")
    _print_indented(console, line, 0, hang=2)
    if past and keras:
        for call in c.early_stopping_lines(report.best_epoch, console.width, 2):
            console.print(Text(call, style="green"), no_wrap=True, overflow="ignore", crop=False)


def _print_sparkline(console: Console, report: Report, run: Run, width: int) -> None:
    names = [k for k in ("loss", "val_loss") if run.has(k)]
    if not names:
        return
    label_w = max(len(n) for n in names) + 2
    indent = 2 + label_w
    lines = c.sparklines(
        run,
        levels=len(c.UNICODE_LEVELS),
        max_columns=max(10, width - indent - 34),
        best=report.best_epoch,
    )
    if lines is None:
        return
    console.print()
    caption = Text.assemble(
        ("loss curves", "bold"), (f" ({c.spark_caption(lines)}, × = NaN/inf)", "dim")
    )
    _print_indented(console, caption, 0, hang=2)
    for spark, style in zip(lines.curves, _CURVE_STYLE, strict=False):
        text = Text("  " + c.clean(spark.name).ljust(label_w))
        for cell in spark.cells:
            if cell is None:
                text.append(" ")
            elif cell < 0:
                text.append("×", style="bold red")
            else:
                text.append(c.UNICODE_LEVELS[cell], style=style)
        tail = c.spark_tail(spark, arrow="→", room=width - indent - len(spark.cells) - 2)
        if tail:
            text.append("  " + tail, style="dim")
        console.print(text, no_wrap=True, overflow="crop")
    if report.best_epoch is not None and lines.best_column is not None:
        caret = c.caret_line(lines, indent, report.best_epoch, width)
        console.print(Text(caret, style="bold green"), no_wrap=True, overflow="crop")


def _print_skipped_and_notes(console: Console, report: Report) -> None:
    if report.skipped:
        console.print()
        n = c.plural(len(report.skipped), "rule")
        console.print(Text(f"skipped ({n} could not run)", style="dim bold"))
        for group in c.group_skipped(report.skipped):
            what, hint = c.skipped_line(group)
            line = Text(what, style="dim")
            if hint:
                line.append(f" — {hint}", style="dim italic")
            _print_indented(console, line, 2, hang=2)
    moot = c.superseded_line(report)
    if moot:
        console.print()
        _print_indented(console, Text(moot, style="dim"), 0, hang=2)
    if report.notes:
        console.print()
        console.print(Text("notes", style="bold"))
        for note in report.notes:
            _print_indented(console, Text(f"• {c.clean(note)}"), 2, hang=2)


def print_report(console: Console, report: Report, run: Run | None = None) -> None:
    """Print one report on ``console``.

    Args:
        console: Where to print.
        report: The report.
        run: The analyzed run, for the loss sparkline. Defaults to `None` (no sparkline).
    """
    _print_indented(console, _verdict(report), 0, hang=2)
    _print_indented(console, _header(report), 2)
    _print_findings(console, report)
    _print_shared(console, report)
    _print_best(console, report)
    if run is not None:
        _print_sparkline(console, report, run, console.width)
    _print_skipped_and_notes(console, report)


def render_many(
    items: Sequence[tuple[Report, Run | None]], *, width: int = 100, color: bool = False
) -> str:
    """Render reports for a terminal, separated by a heavy rule, then a totals line.

    Args:
        items: ``(report, run)`` pairs; ``run`` may be ``None``.
        width: Output width. Defaults to `100`.
        color: Emit ANSI colour codes. Defaults to `False`.

    Returns:
        The output.
    """
    console = make_console(width, color)
    for i, (report, run) in enumerate(items):
        if i:
            console.print()
            console.rule(characters="━")
            console.print()
        print_report(console, report, run)
    if len(items) > 1:
        console.print()
        console.print(Text(c.totals([r for r, _ in items]), style="bold"))
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()
