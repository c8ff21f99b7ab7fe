"""The summary of a sweep (:class:`fitdoctor.sweep.Sweep`) in the report formats.

- ``text``: a plain table for logs (no ANSI, no box drawing), then the findings across
  runs, which settings go with which diagnosis, and the best run.
- ``rich``: the same content for a terminal, coloured by severity.
- ``markdown``: the same as GitHub-flavoured markdown tables (for
  ``$GITHUB_STEP_SUMMARY``).
- ``json``: one line, the ``"fitdoctor.sweep/1"`` object (after the runs' report lines).

The table shows at most :data:`MAX_ROWS` runs (the best ones) and as many varying
hyperparameters as fit the width; what is left out is said, and is all in the JSON.
Strings from the runs are cleaned (no control characters) and, in markdown, escaped.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass

from fitdoctor.report import Severity, strict_json
from fitdoctor.reporters import _common as c
from fitdoctor.sweep import MIN_EPOCHS, Sweep, SweepRow, fmt

#: Most runs listed in the table of the human formats (the best ones).
MAX_ROWS = 50
#: Most run names listed for one finding or diagnosis.
MAX_NAMES = 6
#: Widest cells of the text table.
_RUN_W, _VERDICT_W, _HP_W = 28, 30, 12


@dataclass
class _Table:
    head: list[str]
    rows: list[list[str]]
    worst: list[Severity | None]
    healthy: list[bool]
    judged: list[bool]
    hidden_hp: list[str]
    hidden_rows: int


def _cut(text: str, width: int, ellipsis: str = "...") -> str:
    return text if len(text) <= width else text[: max(1, width - len(ellipsis))] + ellipsis


#: The label of one of several runs of a file (``run 2 of 12 in FILE``): kept whole by a cut.
_RUN_OF = re.compile(r"run \d+ of \d+ in ")


def _cut_middle(text: str, width: int, ellipsis: str = "...") -> str:
    """``text`` cut in the middle to ``width``: two fifths of the room for its start.

    A leading ``run 2 of 12 in FILE`` keeps ``run 2 of 12`` whole as its start, then the
    end of the file name (cut inside, it read ``run 2 of 1...``).
    """
    if len(text) <= width:
        return text
    marker = _RUN_OF.match(text)
    head_text = marker.group().removesuffix(" in ") if marker else ""
    if marker and width - len(head_text) - len(ellipsis) >= 8:
        keep = width - len(head_text) - len(ellipsis)
        return head_text + ellipsis + text[len(text) - keep:]
    room = max(2, width - len(ellipsis))
    head = max(1, (2 * room) // 5)
    return text[:head] + ellipsis + text[len(text) - (room - head):]


def _shared_start(texts: list[str]) -> int:
    """How many leading characters all ``texts`` share."""
    shortest = min(texts, key=len)
    for i, ch in enumerate(shortest):
        if any(t[i] != ch for t in texts):
            return i
    return len(shortest)


def _run_names(names: list[str], width: int, ellipsis: str = "...") -> list[str]:
    """The run column: names cut to ``width`` so that the part where they differ shows.

    Runs of one folder share a long start and often a long end (``owner__repo__results_
    kan-bspline_train_metrics.json``, ``..._kan-fourier_...``): a name that does not fit
    keeps what differs from the others whole, with as much of the shared start and end
    around it as the width allows; when that part alone does not fit, or nothing is
    shared, the name keeps both its ends (:func:`_cut_middle`).
    """
    if all(len(n) <= width for n in names):
        return names
    start = _shared_start(names) if len(names) > 1 else 0
    end = _shared_start([n[::-1] for n in names]) if len(names) > 1 else 0
    out: list[str] = []
    for name in names:
        lo = min(start, len(name))
        hi = max(lo, len(name) - end)
        core = name[lo:hi]
        room = width - len(core)
        if len(name) <= width or not core or room < 2 * (len(ellipsis) + 1):
            out.append(_cut_middle(name, width, ellipsis))
            continue
        before, after = name[:lo], name[hi:]
        left = room // 2 if len(after) > room - room // 2 else room - len(after)
        left = min(left, len(before))
        right = room - left
        head = before if len(before) <= left else before[: left - len(ellipsis)] + ellipsis
        keep = right - len(ellipsis)
        tail = after if len(after) <= right else ellipsis + after[len(after) - keep :]
        out.append(head + core + tail)
    return out


def _short(row: SweepRow) -> str:
    """The verdict for the table: its diagnoses, or ``healthy``."""
    if row.diagnoses:
        return ", ".join(c.clean(d) for d in row.diagnoses)
    if row.healthy:
        return "healthy"
    return f"not judged ({c.plural(row.epochs, 'epoch')})" if not row.judged else "not judged"


def _best_cell(sweep: Sweep, row: SweepRow) -> str:
    best = sweep.best_of(row)
    return "-" if best is None else f"{fmt(best[0])} @ {best[1]}"


def _table(sweep: Sweep, width: int | None, ellipsis: str = "...") -> _Table:
    shown = sweep.rows[:MAX_ROWS]
    head = ["#", "run", "verdict"]
    if sweep.monitor is not None:
        head.append(f"best {sweep.monitor} @ epoch")
    names = _run_names([c.clean(r.run) for r in shown], _RUN_W, ellipsis)
    cells = [
        [str(i), name, _cut(_short(r), _VERDICT_W, ellipsis)]
        + ([_best_cell(sweep, r)] if sweep.monitor is not None else [])
        for i, (r, name) in enumerate(zip(shown, names, strict=True), 1)
    ]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(head)]
    used = sum(widths) + 2 * len(widths)
    hidden: list[str] = []
    for name in sweep.varying:
        values = [_cut(c.clean(fmt(r.hyperparameters.get(name, "-"))), _HP_W, ellipsis)
                  for r in shown]
        label = _cut(c.clean(name), _HP_W, ellipsis)
        w = max(len(label), *(len(v) for v in values))
        if width is not None and (hidden or used + w + 2 > width):
            hidden.append(name)
            continue
        used += w + 2
        head.append(label)
        for row, v in zip(cells, values, strict=True):
            row.append(v)
    return _Table(head, cells, [r.worst for r in shown], [r.healthy for r in shown],
                  [r.judged for r in shown], hidden, len(sweep.rows) - len(shown))


def _names(names: list[str], total: int | None = None) -> str:
    total = len(names) if total is None else total
    shown = ", ".join(c.clean(n) for n in names[:MAX_NAMES])
    more = total - min(len(names), MAX_NAMES)
    return shown + (f", ... +{more}" if more > 0 else "")


def _title(sweep: Sweep) -> str:
    counts = ", ".join(f"{n} {d}" for d, n in sweep.counts())
    where = c.plural(sweep.sources, "source")
    text = f"{c.plural(len(sweep.rows), 'run')} from {where}: {counts}"
    if sweep.unusable:
        text += f" ({sweep.unusable} unusable, see the errors above)"
    return text


def _ranked_by(sweep: Sweep) -> str | None:
    if sweep.monitor is None:
        return None
    better = "lower" if sweep.mode == "min" else "higher"
    what = "the objective, " if sweep.objective else ""
    return f"ranked by best {sweep.monitor} ({what}{better} is better)"


def _finding_lines(sweep: Sweep) -> list[tuple[Severity, str, str]]:
    """``(severity, "FD101 validation-loss-rising (overfitting)", "3 of 8 runs: a, b")``."""
    total = len(sweep.rows)
    out = []
    for r in sweep.recurring:
        what = f"{c.clean(r.code)} {c.clean(r.name)} ({c.clean(r.diagnosis)}"
        what += ", info)" if r.severity is Severity.INFO else ")"
        n = len(r.runs)
        where = "every run" if n == total else _names(r.runs)
        out.append((r.severity, what, f"{n} of {total} runs: {where}"))
    return out


def _settings_lines(sweep: Sweep) -> list[tuple[str, str]]:
    """``("overfitting in 3 runs (a, b, c)", "units=512: all 3, none of the 5 others")``."""
    out = []
    for s in sweep.settings:
        head = f"{c.clean(s.diagnosis)} in {len(s.runs)} runs ({_names(s.runs)})"
        if not s.associations:
            out.append((head, "no hyperparameter value sets these runs apart"))
            continue
        parts = []
        for a in s.associations:
            theirs = "none" if a.others_count == 0 else f"{a.others_count}"
            hp = c.clean(a.hyperparameter)
            if a.with_total == len(s.runs):
                mine = f"{a.with_count} of {a.with_total}"
                if a.with_count == a.with_total:
                    mine = "both" if a.with_total == 2 else f"all {a.with_total}"
                mine += " of these runs"
            elif a.with_count == a.with_total:
                # only the runs that record it count: "both of these runs" read as 2 of 30
                mine = f"{a.with_count} of these {len(s.runs)} runs (all that record {hp})"
            else:
                mine = (f"{a.with_count} of the {a.with_total} of these {len(s.runs)} runs "
                        f"that record {hp}")
            parts.append(
                f"{c.clean(a.condition())} in {mine} and {theirs} of the "
                f"{a.others_total} others"
            )
        out.append((head, "; ".join(parts)))
    return out


def _best_sentences(sweep: Sweep) -> list[str]:
    if sweep.best is None:
        return []
    out = [_pick(sweep, "best run", sweep.best)]
    if sweep.best_healthy is not None:
        out.append(_pick(sweep, "best healthy run", sweep.best_healthy))
    elif not sweep.best.healthy and any(r.healthy for r in sweep.rows):
        # healthy runs without the yardstick (a history of accuracies alone ranked by
        # val_loss): none to pick, but "no run is healthy" would contradict the count
        out.append(f"no healthy run logs {sweep.monitor}")
    elif not sweep.best.healthy and any(r.judged for r in sweep.rows):
        out.append("no run is healthy")
    return out


def _pick(sweep: Sweep, label: str, row: SweepRow) -> str:
    best = sweep.best_of(row)
    where = ""
    if best is not None:
        where = f": {sweep.monitor} {fmt(best[0])} at epoch {best[1]}"
        if row.last_epoch is not None and row.judged:
            where += f" of {row.last_epoch}"
    if row.healthy:
        state = c.clean(row.verdict)
    elif not row.judged:
        state = f"not judged: {c.plural(row.epochs, 'epoch')} is too short to judge"
    elif not row.checked and not row.diagnoses:
        state = c.clean(row.verdict)
    else:
        state = f"not healthy: {c.clean(row.verdict)}"
    return f"{label}: {c.clean(row.run)}{where}; {state}"


def _unjudged_line(sweep: Sweep) -> str | None:
    short = [r for r in sweep.rows if not r.judged]
    if not short:
        return None
    text = (
        f"not judged: {c.plural(len(short), 'run')} with fewer than {MIN_EPOCHS} epochs "
        "(too short for the curve rules)"
    )
    if all(r.fmt == "keras-tuner" and r.epochs == 1 for r in short):
        text += (
            "; KerasTuner keeps only each trial's best epoch: save each trial's history into "
            "its trial folder to judge the curves (fitdoctor.tuner_trial.current_trial() "
            "finds it)"
        )
    return text


def _shared_line(sweep: Sweep) -> str | None:
    if not sweep.shared:
        return None
    items = [f"{c.clean(k)}={c.clean(fmt(v))}" for k, v in sweep.shared.items()]
    return "same in every run: " + ", ".join(items)


def _hidden_lines(table: _Table) -> list[str]:
    out = []
    if table.hidden_rows:
        out.append(
            f"... {c.plural(table.hidden_rows, 'more run')} (the whole table is in "
            "--format json)"
        )
    if table.hidden_hp:
        out.append(
            f"not shown for width: {', '.join(c.clean(n) for n in table.hidden_hp)} "
            "(--width, or --format json)"
        )
    return out


# ------------------------------------------------------------------------- text


def render_text(sweep: Sweep, *, width: int = 100) -> str:
    """The summary as plain text.

    Args:
        sweep: The summary.
        width: Line width. Defaults to `100`.

    Returns:
        The text, ending with a newline.
    """
    from fitdoctor.reporters.text import _wrap

    out: list[str] = []
    out += _wrap(_title(sweep), width, "sweep: ", "  ")
    ranked = _ranked_by(sweep)
    if ranked:
        out.append(ranked)
    table = _table(sweep, width)
    if table.rows:
        out.append("")
        widths = [max(len(h), *(len(r[i]) for r in table.rows)) for i, h in enumerate(table.head)]
        right = {0} | ({3} if sweep.monitor is not None else set())
        for cells in [table.head, *table.rows]:
            line = "  ".join(
                cell.rjust(w) if i in right else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
            )
            out.append(line.rstrip())
        out += _hidden_lines(table)
    for extra in (_shared_line(sweep), _unjudged_line(sweep)):
        if extra:
            out += _wrap(extra, width, "", "  ")
    findings = _finding_lines(sweep)
    if findings:
        out += ["", "findings across runs:"]
        for _, what, where in findings:
            out += _wrap(what, width, "  ")
            out += _wrap(where, width, "    ")
    settings = _settings_lines(sweep)
    if settings:
        out += ["", "which settings go with them:"]
        for head, body in settings:
            out += _wrap(head, width, "  ")
            out += _wrap(body, width, "    ")
    best = _best_sentences(sweep)
    if best:
        out.append("")
        for sentence in best:
            out += _wrap(sentence, width, "", "  ")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------- rich

_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def render_rich(sweep: Sweep, *, width: int = 100, color: bool = False) -> str:
    """The summary for a terminal.

    Args:
        sweep: The summary.
        width: Output width. Defaults to `100`.
        color: ANSI colour. Defaults to `False`.

    Returns:
        The output.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from fitdoctor.reporters.rich_terminal import _print_indented, make_console

    console = make_console(width, color)
    console.rule(Text("sweep", style="bold"), characters="━", align="left")
    _print_indented(console, Text(_title(sweep), style="bold"), 0, hang=2)
    ranked = _ranked_by(sweep)
    if ranked:
        console.print(Text(ranked, style="dim"))
    table = _table(sweep, width - 4, ellipsis="…")
    if table.rows:
        grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=False)
        for i, head in enumerate(table.head):
            numeric = i == 0 or (i == 3 and sweep.monitor is not None)
            grid.add_column(head, justify="right" if numeric else "left", no_wrap=True)
        for cells, worst, healthy in zip(table.rows, table.worst, table.healthy, strict=True):
            style = "green" if healthy else _STYLE[worst] if worst else ""
            row = [Text(cell) for cell in cells]
            row[2].stylize(style)
            grid.add_row(*row)
        console.print(grid)
        for hidden in _hidden_lines(table):
            console.print(Text(hidden, style="dim"))
    for extra in (_shared_line(sweep), _unjudged_line(sweep)):
        if extra:
            _print_indented(console, Text(extra, style="dim"), 0, hang=2)
    findings = _finding_lines(sweep)
    if findings:
        console.print()
        console.print(Text("findings across runs", style="bold"))
        for severity, what, where in findings:
            _print_indented(console, Text(what, style=_STYLE[severity]), 2, hang=2)
            _print_indented(console, Text(where), 4)
    settings = _settings_lines(sweep)
    if settings:
        console.print()
        console.print(Text("which settings go with them", style="bold"))
        for head, body in settings:
            _print_indented(console, Text(head, style="bold"), 2, hang=2)
            _print_indented(console, Text(body, style="cyan"), 4)
    best = _best_sentences(sweep)
    if best:
        console.print()
        for i, sentence in enumerate(best):
            style = "bold green" if sweep.best and sweep.best.healthy and not i else "bold"
            _print_indented(console, Text(sentence, style=style), 0, hang=2)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


# --------------------------------------------------------------------- markdown


def render_markdown(sweep: Sweep) -> str:
    """The summary as GitHub-flavoured markdown.

    Args:
        sweep: The summary.

    Returns:
        The markdown, ending with a newline.
    """
    from fitdoctor.reporters.markdown import escape

    out = [f"## fitdoctor sweep: {escape(_title(sweep))}", ""]
    ranked = _ranked_by(sweep)
    if ranked:
        out += [escape(ranked.capitalize()) + ".", ""]
    table = _table(sweep, None, ellipsis="…")
    if table.rows:
        out.append("| " + " | ".join(escape(h) for h in table.head) + " |")
        aligns = ["---:" if i == 0 or (i == 3 and sweep.monitor) else "---"
                  for i in range(len(table.head))]
        out.append("| " + " | ".join(aligns) + " |")
        for cells, healthy, judged in zip(table.rows, table.healthy, table.judged, strict=True):
            icon = "✅ " if healthy else "⚠️ " if judged else "➖ "
            row = [escape(x) for x in cells]
            row[2] = icon + row[2]
            out.append("| " + " | ".join(row) + " |")
        out.append("")
        out += [escape(line) for line in _hidden_lines(table)]
        if table.hidden_rows:
            out.append("")
    for line in (_shared_line(sweep), _unjudged_line(sweep)):
        if line:
            out += [escape(line), ""]
    findings = _finding_lines(sweep)
    if findings:
        out += ["**Findings across runs:**", ""]
        out += [f"- {escape(what)}: {escape(where)}" for _, what, where in findings]
        out.append("")
    settings = _settings_lines(sweep)
    if settings:
        out += ["**Which settings go with them:**", ""]
        out += [f"- {escape(head)}: {escape(body)}" for head, body in settings]
        out.append("")
    for sentence in _best_sentences(sweep):
        out += [f"**{escape(sentence)}**", ""]
    return "\n".join(out)


# ------------------------------------------------------------------------- json


def render_json(sweep: Sweep) -> str:
    """The summary as one line of strict JSON (``"fitdoctor.sweep/1"``), with a newline."""
    return json.dumps(strict_json(sweep.to_dict()), allow_nan=False) + "\n"


def render(sweep: Sweep, fmt_name: str, *, width: int = 100, color: bool = False) -> str:
    """The summary in a report format.

    Args:
        sweep: The summary.
        fmt_name: ``"text"``, ``"rich"``, ``"markdown"`` or ``"json"``.
        width: Line width (text, rich). Defaults to `100`.
        color: ANSI colour (rich). Defaults to `False`.

    Returns:
        The output.

    Raises:
        ValueError: Another format (the summary has none there).
    """
    if fmt_name == "text":
        return render_text(sweep, width=width)
    if fmt_name == "rich":
        return render_rich(sweep, width=width, color=color)
    if fmt_name == "markdown":
        return render_markdown(sweep)
    if fmt_name == "json":
        return render_json(sweep)
    raise ValueError(f"no sweep summary in format {fmt_name!r}")


#: Formats that have a sweep summary.
FORMATS = ("text", "rich", "markdown", "json")
