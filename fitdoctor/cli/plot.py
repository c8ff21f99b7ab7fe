"""``fitdoctor plot RUN... [-o curves.png]``: draw learning curves with the findings marked.

The drawing is :func:`fitdoctor.plot.plot_files`; this module reads the options, prints
the path written and turns an unusable input, configuration or a missing matplotlib into
one error line and exit 2.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fitdoctor.cli import common
from fitdoctor.cli.common import (
    classes_option,
    config_option,
    rules_option,
    run_number_option,
    task_option,
)
from fitdoctor.cli.core import Argument, Command

if TYPE_CHECKING:
    from fitdoctor.rules import Settings


def plot_command(
    path: str | Path | Sequence[str | Path],
    output: str | Path | None = None,
    *,
    settings: "Settings | None" = None,
    dpi: int = 100,
    task: str | None = None,
    n_classes: int | None = None,
    run_number: int | None = None,
) -> int:
    """``fitdoctor plot RUN...``: analyze a run, save its curves and print the path written.

    Args:
        path: The run file (any format :func:`fitdoctor.load` reads), or several
            (one per fold), or one cross-validation file.
        output: The PNG to write. Defaults to `None` (``<first run>.png`` next to it).
        settings: Rule selection. Defaults to `None` (all rules).
        dpi: Resolution. Defaults to `100`.
        task: Task type a bare history lacks. Defaults to `None`.
        n_classes: Number of classes a bare history lacks. Defaults to `None`.
        run_number: Which run of the one file, from 1, when it holds several (an
            appended CSVLogger, a console log of several ``fit`` calls). Defaults to
            `None` (the file must hold one).

    Returns:
        The exit code: 0 written, 2 input, configuration or matplotlib unusable (one
        line on stderr).
    """

    def body() -> int:
        from fitdoctor.plot import plot_files

        out = plot_files(
            path, output, settings=settings, dpi=dpi, task=task, n_classes=n_classes,
            run_number=run_number,
        )
        common.emit(f"wrote {out}")
        return 0

    return common.guarded(body)


@click.command("plot", cls=Command)
@click.argument(
    "paths",
    cls=Argument,
    nargs=-1,
    required=True,
    metavar="RUN...",
    type=click.Path(path_type=Path, readable=False),
    help="History file: fitdoctor run JSON, Keras History JSON or CSV. Several files, "
    "or one cross-validation file: the folds, as mean and range.",
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    show_default="the first RUN with a .png suffix (-runN.png with --run N)",
    help="PNG to write.",
)
@run_number_option(
    "--run", "run_number",
    "Plot the N-th run of RUN's file (from 1), when it holds several: an appended "
    "CSVLogger, a console log of several fit calls.",
)
@click.option(
    "--dpi",
    "dpi",
    type=click.IntRange(30, 600),
    default=100,
    show_default=True,
    metavar="N",
    help="Resolution; the image is 11 in wide.",
)
@config_option
@rules_option
@task_option
@classes_option
def plot(
    paths: tuple[Path, ...],
    output: Path | None,
    run_number: int | None,
    dpi: int,
    config: Path | None,
    rule_dirs: tuple[Path, ...],
    task: str | None,
    classes: int | None,
) -> None:
    """Draw learning curves with the best epoch and the findings marked (needs matplotlib)."""
    with common.unusable_exits():
        settings = common.build_settings(config=config, rule_dirs=rule_dirs)
    code = plot_command(
        paths,
        output,
        settings=settings,
        dpi=dpi,
        task=task,
        n_classes=classes,
        run_number=run_number,
    )
    common.exit_with(code)
