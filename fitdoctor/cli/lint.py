"""``fitdoctor lint MODEL...``: check a saved Keras model's setup without training.

Loads each ``.keras`` or legacy ``.h5`` file with Keras (so this command imports Keras
and TensorFlow and takes seconds to start; ``analyze`` never does), describes it as a
run with no epochs (:mod:`fitdoctor.model_file`) and runs the model-setup rules
(FD6xx): output activation against the loss, linear hidden layers, ``from_logits``
mismatches, the first-model hints. Rules that need what a file cannot hold (the
labels, the batch size; the loss of a model saved before ``compile``) are listed as
skipped with the flag or the step that would enable them.

Exit codes as ``analyze``: 1 when a finding is at or above ``--fail-on``, 2 when a file
cannot be used (one line on stderr; the other files are still reported).
"""

from pathlib import Path
from typing import TYPE_CHECKING

import click

from fitdoctor.cli import common
from fitdoctor.cli.common import (
    TASKS,
    config_option,
    exit_zero_option,
    fail_on_option,
    format_option,
    ignore_option,
    output_option,
    rules_option,
    summary_option,
    width_option,
)
from fitdoctor.cli.core import Argument, Command
from fitdoctor.errors import MissingDependency

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.run import Run

#: Report formats of ``fitdoctor lint`` (those of ``analyze``).
FORMATS = ("auto", "rich", "text", "markdown", "json", "github", "html")


@click.command("lint", cls=Command)
@click.argument(
    "paths",
    cls=Argument,
    nargs=-1,
    required=True,
    metavar="MODEL...",
    type=click.Path(path_type=Path, readable=False),
    help="Saved Keras models: .keras files (or folders) and legacy .h5 files.",
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
    help="Rules to run: codes, code prefixes (FD6) or names, comma-separated. Only "
    "model-setup rules run on a model. Replaces the configured selection. Repeatable.",
)
@ignore_option
@config_option
@rules_option
@click.option(
    "--loss",
    "loss",
    metavar="NAME",
    help="The loss the model is (or will be) compiled with, e.g. "
    "sparse_categorical_crossentropy; replaces the file's.",
)
@click.option(
    "--from-logits/--no-from-logits",
    "from_logits",
    default=None,
    help="The crossentropy loss's from_logits. Default: the file's, else False.",
)
@click.option(
    "--optimizer",
    "optimizer",
    metavar="NAME",
    help="The optimizer (with its Keras defaults), e.g. sgd or adam; replaces the file's.",
)
@click.option(
    "--batch-size",
    "batch_size",
    type=click.IntRange(min=1),
    metavar="N",
    help="The batch size fit will use (a model file does not hold it).",
)
@click.option(
    "--task",
    "task",
    type=click.Choice(TASKS),
    help="Task type, when the loss and the output layer do not say it.",
)
@click.option(
    "--classes",
    "classes",
    type=click.IntRange(min=1),
    metavar="N",
    help="Number of classes, when the output layer does not say it (one output unit).",
)
@click.option(
    "--import",
    "imports",
    multiple=True,
    metavar="MODULE",
    help="Import this module first: one that defines the model's custom layers or "
    "losses (registered with keras.saving.register_keras_serializable). Repeatable.",
)
@click.option(
    "--unsafe",
    "unsafe",
    is_flag=True,
    help="Let Keras load Python code stored in the file (Lambda layers; "
    "safe_mode=False). Only for files you trust.",
)
@output_option("Write the report to this file (atomically) instead of stdout.")
@summary_option
@width_option("Line width of the report.")
def lint(
    paths: tuple[Path, ...],
    output_format: str,
    fail_on: str | None,
    exit_zero: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config: Path | None,
    rule_dirs: tuple[Path, ...],
    loss: str | None,
    from_logits: bool | None,
    optimizer: str | None,
    batch_size: int | None,
    task: str | None,
    classes: int | None,
    imports: tuple[str, ...],
    unsafe: bool,
    output: Path | None,
    summary: bool,
    width: int | None,
) -> None:
    """Check a saved Keras model's setup (FD6xx rules) without training.

    Output activation against the loss, linear hidden layers, from_logits mismatches and
    the first-model hints, from the model and the compile settings saved in the file.
    This command imports Keras and TensorFlow: it takes seconds to start.
    """
    with common.unusable_exits():
        settings = common.build_settings(
            config=config, select=select, ignore=ignore, fail_on=fail_on, rule_dirs=rule_dirs
        )
        rules = common.rules_in_force(settings)

    from fitdoctor import model_file, model_lint

    facts = model_file.SetupFacts(
        loss=loss,
        from_logits=from_logits,
        optimizer=optimizer,
        batch_size=batch_size,
        task=task,
        n_classes=classes,
    )
    with common.unusable_exits():
        facts.check()
        model_file.import_modules(imports)

    results: list[tuple[Report, Run | None]] = []
    unusable = 0
    for path in paths:
        try:
            run = model_file.read_model_file(path, facts, unsafe=unsafe)
        except MissingDependency as exc:  # no keras: the same for every file, say it once
            common.fail(str(exc))
        except common.UNUSABLE as exc:
            unusable += 1
            common.print_error(common.error_line(exc, path))
            continue
        results.append((model_lint.lint(run, settings, rules=rules), run))

    common.write_reports(
        results, output_format, output=output, width=width, summary=summary
    )
    if unusable:
        common.exit_with(common.EXIT_UNUSABLE)
    if not exit_zero and any(report.fails(settings.fail_on) for report, _ in results):
        common.exit_with(common.EXIT_FINDINGS)

