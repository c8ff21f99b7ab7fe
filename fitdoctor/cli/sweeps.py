"""``fitdoctor analyze`` over a sweep: many runs, one summary.

**When the summary applies.** The arguments make a sweep when they name more than one
source (several files, a shell glob, a quoted glob such as ``'runs/**/*.csv'``), or any
folder (a folder of histories, a TensorBoard parent folder of runs, a KerasTuner
project). Then every run is judged and the output is the sweep summary
(:mod:`fitdoctor.sweep`): the runs ranked with their verdicts, best validation value and
varying hyperparameters, the findings across runs, which settings go with which
diagnosis, and the best run. ``--each`` puts every run's own report before it.
A single file that holds several runs (a CSVLogger appended by several ``fit`` calls, a
log of several ``fit`` calls) is not a sweep: each run gets its report, as before.
A sweep that turns out to hold one run prints that run's report.

Formats: ``rich``, ``text`` and ``markdown`` print the summary (after the runs' reports
with ``--each``); ``json`` prints JSON Lines, one ``fitdoctor.report/1`` object per run
streamed as each source is judged (in the order given), then one
``fitdoctor.sweep/1`` object; ``github`` and ``html`` keep their multi-report output
(annotations, one page), which the caller renders.

Sources are judged in a process pool (:mod:`fitdoctor.batch`) when there are many of
them; ``--jobs`` sets the number of processes.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from fitdoctor.cli import common

if TYPE_CHECKING:
    from fitdoctor.batch import RunResult, SourceResult
    from fitdoctor.readers import Source
    from fitdoctor.rules import Settings
    from fitdoctor.sweep import SweepRow

#: Formats that print a sweep summary.
SUMMARY_FORMATS = ("rich", "text", "markdown", "json")

_GLOB_CHARS = frozenset("*?[")


def expand(paths: Sequence[Path]) -> tuple[list[Path], bool]:
    """The paths with quoted globs expanded (sorted), and whether any was a glob.

    A path that exists is itself, even if its name holds ``*`` or ``?``. A glob that
    matches nothing stays as given, so that reading it fails with "no such file".

    Args:
        paths: The ``PATH...`` arguments.

    Returns:
        ``(paths, globbed)``.
    """
    out: list[Path] = []
    globbed = False
    for path in paths:
        text = str(path)
        if text != "-" and _GLOB_CHARS & set(text) and not os.path.exists(text):
            matches = sorted(glob.glob(text, recursive=True))
            if matches:
                globbed = True
                out.extend(Path(m) for m in matches)
                continue
        out.append(path)
    return out, globbed


def is_sweep(arguments: Sequence[Path], globbed: bool) -> bool:
    """Whether the arguments make a sweep (see the module docstring).

    Args:
        arguments: The paths, globs expanded.
        globbed: A quoted glob was expanded.

    Returns:
        True for a sweep: several arguments, a glob, or a folder.
    """
    return len(arguments) > 1 or globbed or any(
        str(p) != "-" and os.path.isdir(p) for p in arguments
    )


def run(
    arguments: Sequence[Path],
    settings: Settings,
    metric_map: dict[str, str],
    *,
    fmt: str,
    each: bool,
    jobs: int,
    output: Path | None,
    step_summary: bool,
    exit_zero: bool,
    width: int,
    color: bool,
    task: str | None = None,
    classes: int | None = None,
    class_counts: Sequence[int] | None = None,
) -> NoReturn:
    """Judge a sweep, print what ``fmt`` and ``each`` ask for, and exit.

    Args:
        arguments: The paths (globs expanded); each unusable one gets its error line.
        settings: Rule selection and configuration.
        metric_map: Logged metric name → Keras name.
        fmt: The report format (one of :data:`SUMMARY_FORMATS`).
        each: Print every run's report before the summary.
        jobs: Worker processes (0: automatic).
        output: Write everything to this file (atomically) instead of stdout.
        step_summary: Also append the markdown to ``$GITHUB_STEP_SUMMARY``.
        exit_zero: Exit 0 even with findings.
        width: Line width.
        color: ANSI colour (rich).
        task: Task type for histories that lack it. Defaults to `None`.
        classes: Number of classes for histories that lack it. Defaults to `None`.
        class_counts: Training samples per class. Defaults to `None`.

    Raises:
        click.exceptions.Exit: Always: 2 if a source was unusable, 1 for findings at or
            above ``fail_on``, else 0.
    """
    from dataclasses import replace

    from fitdoctor import batch, readers, sweep
    from fitdoctor.errors import InputError
    from fitdoctor.reporters import sweep_render

    unusable = 0
    sources: list[Source] = []
    for path in arguments:
        try:
            sources.extend(readers.sources(path, metric_map=metric_map))
        except InputError as exc:
            unusable += 1
            common.print_error(common.error_line(exc, path))
    options = batch.Options(
        settings, task=task, classes=classes,
        class_counts=tuple(class_counts) if class_counts is not None else None,
        width=width, color=color,
    )

    markdown_too = step_summary and os.environ.get("GITHUB_STEP_SUMMARY")
    formats: list[str] = []
    if each or fmt == "json":
        formats.append(fmt)
    if markdown_too and each and fmt != "markdown":
        formats.append("markdown")
    options = replace(options, formats=tuple(formats))

    sink = _Sink(output)
    rows: list[SweepRow] = []
    markdown_parts: list[str] = []
    fails = False
    held: tuple[SourceResult, int] | None = None  # the first run, until a second comes
    first_source: Source | None = None
    for result in batch.analyze_sources(sources, options, jobs=jobs):
        if result.error is not None:
            unusable += 1
            common.print_error(result.error)
            continue
        for k, run_result in enumerate(result.runs):
            rows.append(run_result.row)
            fails = fails or run_result.fails
            if len(rows) == 1:
                held, first_source = (result, k), sources[result.index]
                continue
            if held is not None:
                _emit_run(sink, held[0].runs[held[1]], fmt, options.width, markdown_parts, True)
                held = None
            _emit_run(sink, run_result, fmt, options.width, markdown_parts, False)
    sys.stderr.flush()

    if len(rows) == 1 and first_source is not None:
        # One run in all: its report, as for a single file.
        single = replace(options, formats=(fmt, "markdown") if markdown_too else (fmt,))
        (again,) = batch.analyze_sources([first_source], single, jobs=1)
        one = again.runs[0] if again.runs else None
        if one is not None:
            text = one.outputs[fmt]
            if fmt == "json":  # one report alone is the indented object
                import json

                text = json.dumps(json.loads(text), indent=2) + "\n"
            sink.write(text)
            markdown_parts.append(one.outputs.get("markdown", ""))
    elif rows:
        summary = sweep.summarize(rows, sources=len(sources), unusable=unusable)
        if each and fmt in ("text", "rich"):
            sink.write(_separator(fmt, options.width))
        sink.write(sweep_render.render(summary, fmt, width=options.width, color=options.color))
        if markdown_too:
            markdown_parts.insert(0, sweep_render.render_markdown(summary) + "\n")
    sink.close()
    if markdown_too and markdown_parts:
        common.append_step_summary("\n".join(p for p in markdown_parts if p))

    if unusable:
        common.exit_with(common.EXIT_UNUSABLE)
    if fails and not exit_zero:
        common.exit_with(common.EXIT_FINDINGS)
    common.exit_with(0)


def _emit_run(
    sink: _Sink, result: RunResult, fmt: str, width: int, markdown: list[str], first: bool
) -> None:
    text = result.outputs.get(fmt)
    if text is not None:
        if not first and fmt in ("text", "rich"):
            sink.write(_separator(fmt, width))
        sink.write(text)
    if "markdown" in result.outputs and fmt != "markdown":
        markdown.append(result.outputs["markdown"])
    elif fmt == "markdown" and text is not None:
        markdown.append(text)


def _separator(fmt: str, width: int) -> str:
    char = "━" if fmt == "rich" else "="
    return f"\n{char * min(width, 100)}\n\n"


class _Sink:
    """Standard output (streamed), or a file written atomically at the end."""

    def __init__(self, output: Path | None) -> None:
        self.output = output
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        if self.output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            self.parts.append(text)

    def close(self) -> None:
        if self.output is None:
            return
        from fitdoctor import storage

        text = "".join(self.parts)
        with common.unusable_exits("cannot write the report: ", self.output, writing=True):
            storage.write_text_atomic(text if text.endswith("\n") else text + "\n",
                                      self.output)
