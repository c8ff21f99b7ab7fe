r"""Render a :class:`~fitdoctor.compare.Comparison` as rich, text, markdown, JSON or github.

Every format leads with the same verdict line ("AFTER fixes FD101 overfitting:
val_accuracy 0.933 → 0.933, no detectable change (±0.25)"), then whether AFTER is a
regression and why, the yardstick and why it was chosen, a BEFORE/AFTER table (the
yardstick at the epoch each run keeps and its sampling error, the kept and best
epochs, ``val_loss`` and the generalization gap at the kept epoch, validation samples,
class weights, epochs), the findings that were fixed, are new or stayed, per-class
recall/precision/F1/PR-AUC at the kept epochs, and notes.

Strings from the runs (names, metric names, codes, messages, class labels) are
cleaned like the analysis reporters do: one line, control characters shown as
``\xNN``; markdown escapes them. JSON is ``"schema": "fitdoctor.compare/2"``,
strict (no NaN). ``github`` is GitHub Actions workflow commands for a CI log: the
verdict as one annotation (``::error`` when AFTER regresses, else ``::notice``), each
finding AFTER gained as its own, as ``fitdoctor analyze --format github`` writes them.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from fitdoctor.errors import ConfigError
from fitdoctor.reporters import _common as c

if TYPE_CHECKING:
    from fitdoctor.compare import Comparison, FindingChange, Side

__all__ = ["FORMATS", "render_compare", "rows"]

#: Formats of ``fitdoctor compare``.
FORMATS = ("rich", "text", "markdown", "json", "github")

_STATUS_LABEL = {"fixed": "fixed", "new": "new", "stayed": "stayed"}


def _rows(side: Side) -> str:
    every = side.report.run_summary.get("eval_steps")
    return f"{side.n_epochs} (evaluations of {every} steps)" if every else str(side.n_epochs)


def _num(x: float | None) -> str:
    return c.fmt_value(x)


def _delta(b: float | None, a: float | None) -> str:
    if b is None or a is None or not (math.isfinite(a) and math.isfinite(b)):
        return ""
    d = a - b
    return "0" if d == 0 else f"{d:+.4g}"


def _with_epoch(value: float | None, epoch: int | None) -> str:
    if value is None:
        return "n/a"
    return f"{_num(value)} (epoch {epoch})" if epoch is not None else _num(value)


def _kept(side: Side) -> str:
    kept = side.kept
    if kept.epoch is None:
        return "n/a"
    return f"{kept.epoch} ({_KEPT[kept.why]})"


_KEPT = {"restored": "restored best", "last": "last", "best": "fitdoctor's best"}


def _weights(side: Side) -> str:
    if side.class_weight:
        return "{" + ", ".join(f"{k}: {c.fmt_value(v)}" for k, v in side.class_weight.items()) + "}"
    return "none" if side.weights_known else "unknown"


def rows(cmp: Comparison) -> list[tuple[str, ...]]:
    """The BEFORE/AFTER table: ``(what, before, after, change)`` rows, cleaned strings."""
    b, a = cmp.before, cmp.after
    direction = "higher is better" if cmp.mode == "max" else "lower is better"
    out: list[tuple[str, ...]] = [
        (
            f"{c.clean(cmp.monitor)} ({direction})",
            _with_epoch(b.value, b.measure.epoch),
            _with_epoch(a.value, a.measure.epoch),
            _delta(b.value, a.value) if cmp.comparable else "not comparable",
        ),
    ]
    if b.measure.half_width is not None or a.measure.half_width is not None:
        out.append(
            (
                "sampling error (95%)",
                _pm(b.measure.half_width, b.measure.n, b.measure.n_source),
                _pm(a.measure.half_width, a.measure.n, a.measure.n_source),
                "",
            )
        )
    out.append(("kept epoch", _kept(b), _kept(a), ""))
    if any(s.best_epoch != s.kept.epoch for s in (b, a)):
        out.append(
            (
                "best epoch (fitdoctor)",
                str(b.best_epoch) if b.best_epoch is not None else "n/a",
                str(a.best_epoch) if a.best_epoch is not None else "n/a",
                "",
            )
        )
    if cmp.yardstick.key != "val_loss" or cmp.yardstick.per_class:
        out.append(("val_loss at kept epoch", _num(b.val_loss), _num(a.val_loss),
                    _delta(b.val_loss, a.val_loss)))
    out.append(("gap at kept epoch (val_loss - loss)", _num(b.gap), _num(a.gap),
                _delta(b.gap, a.gap)))
    out.append(("validation samples", _n_val(b), _n_val(a), ""))
    if b.weights_known or a.weights_known:
        out.append(("class_weight", c.clean(_weights(b)), c.clean(_weights(a)), ""))
    out.append(("epochs", _rows(b), _rows(a), ""))
    return out


def _pm(half: float | None, n: int | None, source: str | None) -> str:
    if half is None:
        return "n/a"
    if not n:
        return f"±{half:.2g}"
    return f"±{half:.2g} (n{'≥' if source == 'step' else '='}{n})"


def _n_val(side: Side) -> str:
    if side.n_val is None:
        return "unknown"
    if side.n_val_source == "other run":
        return f"{side.n_val} (the other run's)"
    if side.n_val_source == "step":
        return f"≥{side.n_val} (accuracy steps)"
    return f"{side.n_val} (inferred)" if side.n_val_source == "inferred" else str(side.n_val)


def _yardstick_line(cmp: Comparison) -> str:
    y = cmp.yardstick
    why = "chosen with --monitor" if y.chosen_by == "monitor" else y.reason
    return f"yardstick: {c.clean(y.name)}: {c.clean(why)}"


def _regression_line(cmp: Comparison) -> str:
    if cmp.regression:
        return "regression: yes: " + "; ".join(c.clean(r) for r in cmp.regression_reasons)
    if not cmp.comparable:
        return "regression: no (the validation sets differ: only the findings are judged)"
    if cmp.delta is None:
        return f"regression: no ({c.clean(cmp.monitor)} not measured in both runs)"
    return (
        f"regression: no ({c.clean(cmp.monitor)}: {c.clean(cmp.assessment)}, noise from the "
        f"{c.clean(cmp.noise)})"
    )


def _change_line(change: FindingChange) -> str:
    sev = change.severity.value
    if (
        change.status == "stayed"
        and change.before is not None
        and change.after is not None
        and change.before.severity is not change.after.severity
    ):
        sev = f"{change.before.severity.value} → {change.after.severity.value}"
    finding = change.after if change.after is not None else change.before
    message = c.clean(finding.message) if finding is not None else ""
    if change.unjudged:  # gone from AFTER because its rule could not run there
        message += f" (not judged on AFTER: {c.clean(change.unjudged)})"
    return (
        f"{c.clean(change.code)} {c.clean(change.name)} ({c.clean(change.diagnosis)}, {sev}): "
        f"{message}"
    )


_CLASS_COLUMNS = (("recall", "recall"), ("precision", "precision"), ("f1", "F1"),
                  ("pr_auc", "PR-AUC"))


def _class_columns(cmp: Comparison) -> list[tuple[str, str]]:
    """Per-class metrics that either run has for some class."""
    return [
        (key, title) for key, title in _CLASS_COLUMNS
        if any(v is not None for ch in cmp.per_class for v in ch.pair(key))
    ]


def _arrow(b: float | None, a: float | None) -> str:
    if b is None and a is None:
        return ""
    return f"{_num(b)} → {_num(a)}"


def class_rows(cmp: Comparison) -> list[tuple[str, ...]]:
    """The per-class table: class, then ``before → after`` per metric, cleaned strings."""
    columns = _class_columns(cmp)
    header = ("class", *(title for _, title in columns))
    body = []
    for ch in cmp.per_class:
        support = ch.after.support if ch.after is not None else None
        label = c.clean(ch.label) + (f" (n={support})" if support is not None else "")
        if cmp.minority is not None and ch.label == cmp.minority.label:
            label += " minority"
        body.append((label, *(_arrow(*ch.pair(key)) for key, _ in columns)))
    return [header, *body]


def _class_title(cmp: Comparison) -> str:
    eb = cmp.per_class[0].before.epoch if cmp.per_class[0].before else None
    ea = cmp.per_class[0].after.epoch if cmp.per_class[0].after else None
    return f"per class (validation, BEFORE epoch {eb} → AFTER epoch {ea}):"


# ------------------------------------------------------------------ text
def _table_text(
    header: tuple[str, ...],
    body: list[tuple[str, ...]],
    width: int,
    indent: str = "  ",
    *,
    pairs: bool = True,
) -> list[str]:
    """Columns when they fit, else one line per row.

    ``pairs``: rows are ``(what, before, after, change)``, shown as ``what: before →
    after (change)`` when narrow; otherwise as ``first: title value, title value``.
    """
    n = len(header)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(n)]
    if len(indent) + sum(widths) + 2 * (n - 1) <= width:
        return [
            (indent + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r))).rstrip()
            for r in [header, *body]
        ]
    import textwrap

    out: list[str] = []
    for row in body:
        if pairs:
            what, before, after, change = row
            line = f"{what}: {before} → {after}" + (f" ({change})" if change else "")
        else:
            line = f"{row[0]}: " + ", ".join(
                f"{title} {cell}" for title, cell in zip(header[1:], row[1:], strict=True) if cell
            )
        out += textwrap.wrap(
            line, width=width, initial_indent=indent, subsequent_indent=indent + "    ",
            break_long_words=False, break_on_hyphens=False,
        )
    return out


def render_text(cmp: Comparison, *, width: int = 100) -> str:
    """Plain text for logs: no ANSI, no box drawing.

    Args:
        cmp: The comparison.
        width: Wrap long lines at this width. Defaults to `100`.

    Returns:
        The text, ending with a newline.
    """
    import textwrap

    def wrap(text: str, first: str = "", rest: str = "    ") -> list[str]:
        return textwrap.wrap(
            text,
            width=max(width, len(first) + 20),
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [first.rstrip()]

    b, a = cmp.before, cmp.after
    out: list[str] = []
    out += wrap(c.clean(cmp.verdict), "verdict: ")
    out += wrap(_regression_line(cmp))
    out += wrap(_yardstick_line(cmp))
    out += wrap(f"{c.clean(b.name)} ({c.rows_phrase(b.report)}): "
                f"{c.clean(b.report.verdict)}", "before: ")
    out += wrap(f"{c.clean(a.name)} ({c.rows_phrase(a.report)}): "
                f"{c.clean(a.report.verdict)}", "after:  ")
    out.append("")
    out += _table_text(("", "BEFORE", "AFTER", "change"), rows(cmp), width)
    out.append("")
    if cmp.changes:
        out.append("findings:")
        for change in cmp.changes:
            out += wrap(_change_line(change), f"  {_STATUS_LABEL[change.status]:<7} ", " " * 10)
    else:
        out.append("findings: none in either run")
    if cmp.per_class:
        out.append("")
        out.append(_class_title(cmp))
        header, *body = class_rows(cmp)
        out += _table_text(header, body, width, pairs=False)
    if cmp.notes:
        out.append("")
        out.append("notes:")
        for note in cmp.notes:
            out += wrap(c.clean(note), "  - ", "    ")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ rich
def render_rich(cmp: Comparison, *, width: int = 100, color: bool = False) -> str:
    """The terminal form: coloured verdict, a table, findings by status.

    Args:
        cmp: The comparison.
        width: Output width. Defaults to `100`.
        color: ANSI colour. Defaults to `False`.

    Returns:
        The output, ending with a newline.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from fitdoctor.reporters.rich_terminal import make_console

    console = make_console(width, color)
    if cmp.regression:
        icon, style = "✖", "bold red"
    elif cmp.fixed_problems or cmp.better_beyond_noise:
        icon, style = "✔", "bold green"
    else:
        icon, style = "●", "bold"

    def say_lines(text: Text, hang: int) -> None:
        lines = text.wrap(console, max(20, width - hang))
        for i, line in enumerate(lines):
            line.rstrip()
            console.print(
                Text(" " * (hang if i else 0)) + line, no_wrap=True, overflow="ignore", crop=False
            )

    say_lines(Text.assemble((f"{icon} ", style), (c.clean(cmp.verdict), style)), 2)
    say_lines(Text(_regression_line(cmp), style="red" if cmp.regression else "dim"), 4)
    say_lines(Text(_yardstick_line(cmp), style="dim"), 4)
    b, a = cmp.before, cmp.after
    say_lines(
        Text(f"before: {c.clean(b.name)} ({c.rows_phrase(b.report)}) · "
             f"{c.clean(b.report.verdict)}", style="dim"), 8
    )
    say_lines(
        Text(f"after:  {c.clean(a.name)} ({c.rows_phrase(a.report)}) · "
             f"{c.clean(a.report.verdict)}", style="dim"), 8
    )
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("")
    table.add_column("BEFORE", justify="right")
    table.add_column("AFTER", justify="right")
    table.add_column("change", justify="right")
    for row in rows(cmp):
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
    styles = {"fixed": "green", "new": "red", "stayed": "yellow"}
    if cmp.changes:
        console.print(Text("findings", style="bold"))
        for change in cmp.changes:
            say_lines(
                Text.assemble(
                    (f"  {change.status:<7} ", styles[change.status]), _change_line(change)
                ),
                10,
            )
    else:
        console.print(Text("findings: none in either run", style="dim"))
    if cmp.per_class:
        console.print(Text(_class_title(cmp).rstrip(":"), style="bold"))
        header, *body = class_rows(cmp)
        ptable = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for i, name in enumerate(header):
            ptable.add_column(name, justify="left" if i == 0 else "right")
        for row in body:
            ptable.add_row(*(Text(cell) for cell in row))
        console.print(ptable)
    for note in cmp.notes:
        say_lines(Text(f"note: {c.clean(note)}", style="dim"), 6)
    out: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in out.splitlines()) + "\n"


# ------------------------------------------------------------------ markdown
def render_markdown(cmp: Comparison) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

    Args:
        cmp: The comparison.

    Returns:
        The markdown, ending with a newline.
    """
    from fitdoctor.reporters.markdown import escape

    icon = "❌" if cmp.regression else (
        "✅" if cmp.fixed_problems or cmp.better_beyond_noise else "➖")
    b, a = cmp.before, cmp.after
    out = [f"### {icon} {escape(cmp.verdict)}", ""]
    out.append(escape(_regression_line(cmp)))
    out.append("")
    out.append(escape(_yardstick_line(cmp)))
    out.append("")
    out.append(
        f"BEFORE: `{escape(b.name)}` ({c.rows_phrase(b.report)}, "
        f"{escape(b.report.verdict)}) · AFTER: `{escape(a.name)}` "
        f"({c.rows_phrase(a.report)}, {escape(a.report.verdict)})"
    )
    out += ["", "| | BEFORE | AFTER | change |", "| --- | ---: | ---: | ---: |"]
    for what, vb, va, d in rows(cmp):
        out.append(f"| {escape(what)} | {escape(vb)} | {escape(va)} | {escape(d)} |")
    out.append("")
    if cmp.changes:
        out += ["| finding | status | severity | message |", "| --- | --- | --- | --- |"]
        for ch in cmp.changes:
            finding = ch.after if ch.after is not None else ch.before
            sev = ch.severity.value
            if ch.escalated and ch.before is not None:
                sev = f"{ch.before.severity.value} → {sev}"
            message = finding.message if finding else ""
            if ch.unjudged:
                message += f" (not judged on AFTER: {ch.unjudged})"
            out.append(
                f"| {escape(ch.code)} {escape(ch.name)} | {ch.status} | {sev} | "
                f"{escape(message)} |"
            )
    else:
        out.append("No findings in either run.")
    if cmp.per_class:
        header, *body = class_rows(cmp)
        out += ["", f"**{escape(_class_title(cmp).rstrip(':'))}**", ""]
        out.append("| " + " | ".join(escape(h) for h in header) + " |")
        out.append("| --- |" + " ---: |" * (len(header) - 1))
        for row in body:
            out.append("| " + " | ".join(escape(cell) for cell in row) + " |")
    if cmp.notes:
        out.append("")
        out += [f"> {escape(note)}" for note in cmp.notes]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ json
def render_json(cmp: Comparison) -> str:
    r"""The ``"fitdoctor.compare/2"`` JSON object (strict JSON), ending with a newline.

    ASCII only (other characters as ``\\uXXXX`` escapes), as the report's JSON: no
    control character or bidi override from a run reaches a terminal raw, and the text
    needs no sanitizing that could break its escapes.
    """
    from fitdoctor.report import strict_json

    data = strict_json(cmp.to_dict())
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def render_github(cmp: Comparison) -> str:
    """GitHub Actions workflow commands for a CI log.

    The verdict, the regression and yardstick lines as one annotation, ``::error`` when
    AFTER regresses at the comparison's bar (what ``--fail-on`` fails on), else
    ``::notice``, attached to AFTER's file when it was read from one; then each
    finding AFTER gained (new warnings and errors, findings grown
    more severe, and infos too at an ``info`` bar) as the annotation ``fitdoctor analyze
    --format github`` gives it, at most
    :data:`~fitdoctor.reporters.github.MAX_ANNOTATIONS` in all; then the verdict as a
    plain log line.

    Args:
        cmp: The comparison.

    Returns:
        The workflow commands and log line, ending with a newline.
    """
    from fitdoctor.reporters import github

    title = f"fitdoctor compare {c.clean(cmp.before.name)} → {c.clean(cmp.after.name)}"
    body = "\n".join((c.clean(cmp.verdict), _regression_line(cmp), _yardstick_line(cmp)))
    kind = "error" if cmp.regression else "notice"
    where = github.annotated_file(cmp.after.report)
    attached = f"file={github.escape_property(where)}," if where is not None else ""
    out = [f"::{kind} {attached}title={github.escape_property(title)}::"
           f"{github.escape_data(body)}"]
    gained = [ch.after for ch in cmp.shown_gained if ch.after is not None]
    out += [github.annotation(f, cmp.after.report)
            for f in gained[: github.MAX_ANNOTATIONS - 1]]
    more = len(gained) - (github.MAX_ANNOTATIONS - 1)
    if more > 0:
        out.append(f"fitdoctor: {c.plural(more, 'more gained finding')} not annotated "
                   f"(at most {github.MAX_ANNOTATIONS} annotations)")
    out.append(f"fitdoctor compare: {c.clean(cmp.verdict)}")
    return "\n".join(out) + "\n"


def render_compare(
    cmp: Comparison,
    fmt: str,
    *,
    width: int = 100,
    color: bool = False,
) -> str:
    """Render ``cmp`` in ``fmt``.

    Args:
        cmp: The comparison.
        fmt: One of :data:`FORMATS`.
        width: Width for rich/text. Defaults to `100`.
        color: ANSI colour for rich. Defaults to `False`.

    Returns:
        The output, ending with a newline.

    Raises:
        ConfigError: Unknown format.
    """
    if fmt == "text":
        return render_text(cmp, width=width)
    if fmt == "rich":
        return render_rich(cmp, width=width, color=color)
    if fmt == "markdown":
        return render_markdown(cmp)
    if fmt == "json":
        return render_json(cmp)
    if fmt == "github":
        return render_github(cmp)
    raise ConfigError(f"unknown compare format {fmt!r}; expected one of {', '.join(FORMATS)}")
