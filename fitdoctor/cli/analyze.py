"""``fitdoctor analyze PATH...``: diagnose training histories and print a report.

Every usable PATH is analyzed and reported; an unusable one gets one error line on
stderr and makes the exit code 2 (the others are still reported). Exit code 1 when a
finding is at or above ``--fail-on`` (``--exit-zero`` turns it into 0; it never hides 2).

This is the command CI and pre-commit hooks run, so it starts fast: the loaders, the
engine and the reporters are imported when the command runs, not with this module.
"""

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fitdoctor.cli import common
from fitdoctor.cli.common import ClassesOpt, ConfigOpt, FailOn, RulesOpt, TaskOpt
from fitdoctor.errors import InputError

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.run import Run


class OutputFormat(str, Enum):
    """Report formats of ``fitdoctor analyze``."""

    auto = "auto"
    rich = "rich"
    text = "text"
    markdown = "markdown"
    json = "json"
    github = "github"
    html = "html"


def analyze(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="History files: fitdoctor run JSON, Keras History JSON or CSV.",
            show_default=False,
            metavar="PATH",
        ),
    ],
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="Report format. auto: rich on a terminal, text when piped or when CI is set.",
        ),
    ] = OutputFormat.auto,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding is at or above this severity.",
            show_default="error, or the config's fail-on",
        ),
    ] = None,
    exit_zero: Annotated[
        bool,
        typer.Option("--exit-zero", help="Exit 0 even with findings (2 still means unusable)."),
    ] = False,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            metavar="CODES",
            help="Rules to run: codes, code prefixes (FD1) or names, comma-separated. "
            "Replaces the configured selection. Repeatable.",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            metavar="CODES",
            help="Rules to skip: codes, prefixes or names, comma-separated. Adds to the "
            "configured ignores. Repeatable.",
        ),
    ] = None,
    config: ConfigOpt = None,
    rule_dirs: RulesOpt = None,
    task: TaskOpt = None,
    classes: ClassesOpt = None,
    class_counts: Annotated[
        str | None,
        typer.Option(
            "--class-counts",
            metavar="COUNTS",
            help="Training samples per class in class-id order, e.g. 950,50, for the "
            "class-imbalance rules on a history that does not record them.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to this file (atomically) instead of stdout.",
            dir_okay=False,
        ),
    ] = None,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Also append the markdown report to $GITHUB_STEP_SUMMARY when it is set.",
        ),
    ] = False,
    width: Annotated[
        int | None,
        typer.Option(
            "--width",
            min=40,
            metavar="N",
            help="Line width of the report.",
            show_default="the terminal's, else 100",
        ),
    ] = None,
) -> None:
    """Diagnose training histories and print a report.

    Every usable PATH is analyzed and reported; an unusable one gets one error line on
    stderr and makes the exit code 2 (the others are still reported).
    """
    with common.unusable_exits():
        settings = common.build_settings(
            config=config, select=select, ignore=ignore, fail_on=fail_on, rule_dirs=rule_dirs
        )
        rules = settings.rules()

    from fitdoctor import engine, io, reporters

    counts: list[int] | None = None
    if class_counts is not None:
        from fitdoctor.detectors.imbalance import parse_class_counts, with_class_counts

        with common.unusable_exits():
            counts = parse_class_counts(class_counts)

    results: list[tuple[Report, Run | None]] = []
    unusable = 0
    for path in paths:
        if io.is_document_file(path):  # cross-validation or learning-curve results
            from fitdoctor import cv

            try:
                results.append(cv.analyze_file(path, settings, rules=rules))
            except (InputError, OSError) as exc:
                unusable += 1
                common.print_error(common.error_line(exc, path))
            continue
        try:
            run = io.load(path)
            run.with_facts(
                task=task.value if task is not None else None,
                n_classes=classes,
            )
            if counts is not None:
                with_class_counts(run, counts)
        except (InputError, OSError) as exc:
            unusable += 1
            common.print_error(common.error_line(exc, path))
            continue
        results.append((engine.analyze(run, settings, rules=rules), run))
    sys.stderr.flush()

    to_terminal = output is None and common.stdout_isatty()
    fmt = output_format.value
    if fmt == "auto":
        fmt = reporters.choose_auto(to_terminal, os.environ)
    line_width = width if width is not None else common.default_width(to_terminal)
    color = output is None and fmt == "rich" and reporters.wants_color(to_terminal, os.environ)

    if results:
        text = _render(results, fmt, line_width, color)
        if output is not None:
            with common.unusable_exits("cannot write the report: ", output, writing=True):
                io.write_text_atomic(text if text.endswith("\n") else text + "\n", output)
        else:
            common.emit(text)
        if summary:
            _append_summary(_render(results, "markdown", line_width, False))

    if unusable:
        raise typer.Exit(common.EXIT_UNUSABLE)
    if not exit_zero and any(report.fails(settings.fail_on) for report, _ in results):
        raise typer.Exit(common.EXIT_FINDINGS)


def _render(
    results: list[tuple["Report", "Run | None"]], fmt: str, width: int, color: bool
) -> str:
    from fitdoctor import reporters

    if len(results) == 1:
        report, run = results[0]
        return reporters.render(report, fmt, width=width, color=color, run=run)
    return reporters.render_many(results, fmt, width=width, color=color)


def _append_summary(text: str) -> None:
    """Append ``text`` to ``$GITHUB_STEP_SUMMARY`` when it is set."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    where = Path(target)
    with (
        common.unusable_exits("cannot write the step summary: ", where, writing=True),
        open(target, "a", encoding="utf-8") as fh,
    ):
        fh.write(text if text.endswith("\n") else text + "\n")
