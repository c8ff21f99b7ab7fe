"""``fitdoctor analyze PATH...``: diagnose training histories and print a report.

A PATH is a history file in any format :mod:`fitdoctor.readers` reads (run file, Keras
History JSON, CSV, ``model.fit`` console output, ...), a TensorBoard log folder, another
folder (its history files are analyzed), or ``-`` for standard input
(``python train.py 2>&1 | fitdoctor analyze -``). Every run a source holds gets its own
report ("run 2 of 3 in FILE"); with ``--format json`` several reports are JSON Lines.
``--metric-map NAME=KERAS_NAME`` says how a logged metric name is meant (added to the
configuration's ``[tool.fitdoctor.metrics]``). ``mlflow:EXPERIMENT`` reads the runs of an
MLflow experiment from the tracking store in force (the ``mlflow`` extra), and
``--mlflow-log`` writes each one's verdict back to it (:mod:`fitdoctor.mlflow_log`).

Every usable source is analyzed and reported; an unusable one gets one error line on
stderr and makes the exit code 2 (the others are still reported). Exit code 1 when a
finding is at or above ``--fail-on`` (``--exit-zero`` turns it into 0; it never hides 2).

This is the command CI and pre-commit hooks run, so it starts fast: the loaders, the
engine and the reporters are imported when the command runs, not with this module.
"""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fitdoctor.cli import common
from fitdoctor.cli.common import (
    classes_option,
    config_option,
    exit_zero_option,
    fail_on_option,
    format_option,
    framework_option,
    ignore_option,
    output_option,
    rules_option,
    summary_option,
    task_option,
    width_option,
)
from fitdoctor.cli.core import Argument, Command
from fitdoctor.errors import InputError

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.run import Run

#: Report formats of ``fitdoctor analyze``.
FORMATS = ("auto", "rich", "text", "markdown", "json", "github", "html")


@click.command("analyze", cls=Command)
@click.argument(
    "paths",
    cls=Argument,
    nargs=-1,
    required=True,
    metavar="PATH...",
    # Not click's readability check: an unreadable file is one error line and the
    # other paths are still analyzed.
    type=click.Path(path_type=Path, readable=False),
    help="History files (run JSON, Keras History JSON, CSV, model.fit console output), "
    "TensorBoard log folders, folders of histories, - for standard input, or "
    "mlflow:EXPERIMENT for the runs of an MLflow experiment (MLFLOW_TRACKING_URI).",
)
@format_option(
    FORMATS,
    "auto",
    "Report format. auto: rich on a terminal, text when piped or when CI is set.",
)
@fail_on_option
@exit_zero_option
@click.option(
    "--select",
    "select",
    multiple=True,
    metavar="CODES",
    help="Rules to run: codes, code prefixes (FD1) or names, comma-separated. "
    "Replaces the configured selection. Repeatable.",
)
@ignore_option
@config_option
@rules_option
@task_option
@classes_option
@framework_option
@click.option(
    "--class-counts",
    "class_counts",
    metavar="COUNTS",
    help="Training samples per class in class-id order, e.g. 950,50, for the "
    "class-imbalance rules on a history that does not record them.",
)
@click.option(
    "--metric-map",
    "metric_map",
    multiple=True,
    metavar="NAME=KERAS_NAME",
    help="Read a logged metric under a Keras name, e.g. dev_loss=val_loss (NAME= leaves it "
    "out). Comma-separated, repeatable; adds to the config's [tool.fitdoctor.metrics].",
)
@output_option("Write the report to this file (atomically) instead of stdout.")
@summary_option
@click.option(
    "--each",
    "each",
    is_flag=True,
    help="In a sweep (several files, a folder, a glob, a KerasTuner project), print every "
    "run's report before the summary.",
)
@click.option(
    "--jobs",
    "-j",
    "jobs",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    show_default="all cores for a large sweep",
    help="Processes that judge the files of a sweep (1: this one only).",
)
@click.option(
    "--mlflow-log",
    "mlflow_log",
    is_flag=True,
    help="Write each mlflow:EXPERIMENT run's verdict and findings back to it: tags "
    "fitdoctor.verdict, fitdoctor.findings, fitdoctor.finding.<CODE>, and the artifact "
    "fitdoctor/report.html.",
)
@width_option("Line width of the report.")
def analyze(
    paths: tuple[Path, ...],
    output_format: str,
    fail_on: str | None,
    exit_zero: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config: Path | None,
    rule_dirs: tuple[Path, ...],
    task: str | None,
    classes: int | None,
    framework: str | None,
    class_counts: str | None,
    metric_map: tuple[str, ...],
    output: Path | None,
    summary: bool,
    each: bool,
    jobs: int,
    mlflow_log: bool,
    width: int | None,
) -> None:
    """Diagnose training histories and print a report.

    Every run in every usable PATH is analyzed and reported; an unusable one gets one
    error line on stderr and makes the exit code 2 (the others are still reported).
    """
    with common.unusable_exits():
        settings = common.build_settings(
            config=config, select=select, ignore=ignore, fail_on=fail_on, rule_dirs=rule_dirs
        )
        rules = common.rules_in_force(settings)
    settings.framework_override = framework or ""
    if mlflow_log:
        _check_mlflow_sources(paths)
    from fitdoctor.readers.names import parse_metric_map

    try:
        names = {**settings.metric_map, **parse_metric_map(metric_map)}
    except ValueError as exc:
        common.fail(str(exc))

    from fitdoctor import engine, readers, reporters

    counts: list[int] | None = None
    if class_counts is not None:
        from fitdoctor.detectors.imbalance import parse_class_counts, with_class_counts

        with common.unusable_exits():
            counts = parse_class_counts(class_counts)

    to_terminal = output is None and common.stdout_isatty()
    fmt = output_format
    if fmt == "auto":
        fmt = reporters.choose_auto(to_terminal, os.environ)
    line_width = width if width is not None else common.default_width(to_terminal)
    color = output is None and fmt == "rich" and reporters.wants_color(to_terminal, os.environ)

    from fitdoctor.cli import sweeps  # several files, a folder, a glob: one summary

    arguments, globbed = sweeps.expand(paths)
    if fmt in sweeps.SUMMARY_FORMATS and sweeps.is_sweep(arguments, globbed):
        sweeps.run(
            arguments, settings, names, fmt=fmt, each=each, jobs=jobs, output=output,
            step_summary=summary, exit_zero=exit_zero, width=line_width, color=color,
            task=task, classes=classes, class_counts=counts,
        )

    results: list[tuple[Report, Run | None]] = []
    unusable = 0
    for path in arguments:
        try:
            sources = readers.sources(path, metric_map=names)
        except InputError as exc:
            unusable += 1
            common.print_error(common.error_line(exc, path))
            continue
        for source in sources:
            where = Path(source.display) if source.path is not None else None
            if where is not None and readers.is_document_file(where):
                from fitdoctor import cv  # cross-validation or learning-curve results

                try:
                    with common.captured_warnings() as caught:
                        report, cv_run = cv.analyze_file(where, settings, rules=rules)
                    report.notes.extend(common.warning_notes(caught, "analysis"))
                    report.path = source.display
                    results.append((report, cv_run))
                except (InputError, OSError) as exc:
                    unusable += 1
                    common.print_error(common.error_line(exc, where))
                continue
            try:
                runs = readers.read_source(source)
                for run in runs:
                    run.with_facts(task=task, n_classes=classes)
                    if counts is not None:
                        with_class_counts(run, counts)
            except common.UNUSABLE as exc:  # MissingDependency: a store without its client
                unusable += 1
                common.print_error(common.error_line(exc, where))
                continue
            for run in runs:
                with common.captured_warnings() as caught:
                    report = engine.analyze(run, settings, rules=rules)
                report.notes.extend(common.warning_notes(caught, "analysis"))
                report.path = source.display if source.path is not None else None
                results.append((report, run))
    sys.stderr.flush()

    common.write_reports(results, fmt, output=output, width=line_width, summary=summary)

    if mlflow_log:
        _log_to_mlflow(results)

    if unusable:
        common.exit_with(common.EXIT_UNUSABLE)
    if not exit_zero and any(report.fails(settings.fail_on) for report, _ in results):
        common.exit_with(common.EXIT_FINDINGS)


def _check_mlflow_sources(paths: tuple[Path, ...]) -> None:
    """``--mlflow-log`` needs an ``mlflow:EXPERIMENT`` source to write to."""
    from fitdoctor.readers import store_of

    if not any(store_of(p) == "mlflow" for p in paths):
        common.fail(
            "--mlflow-log writes verdicts back to MLflow runs: give an mlflow:EXPERIMENT source"
        )


def _log_to_mlflow(results: list[tuple["Report", "Run | None"]]) -> None:
    """Write the verdicts of the runs read from MLflow back to them; one line on stderr."""
    from fitdoctor import mlflow_log

    with common.unusable_exits():
        written = mlflow_log.log_reports(results)
    if written:
        runs = f"{len(written)} MLflow run{'s' if len(written) != 1 else ''}"
        sys.stderr.write(
            f"fitdoctor: wrote the verdicts to {runs}: tags fitdoctor.*, artifacts "
            f"{mlflow_log.ARTIFACT_DIR}/report.html and report.json\n"
        )
        sys.stderr.flush()
