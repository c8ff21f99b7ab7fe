"""``fitdoctor compare BEFORE AFTER``: did the change help? The exit code gates CI.

The comparison is :func:`fitdoctor.compare.compare`, its rendering
:mod:`fitdoctor.reporters.compare_render`; this module reads the options, prints and
picks the exit code: 0, or 1 with ``--fail-on-regression`` when AFTER regresses; 2 when
an input or the configuration cannot be used (one line on stderr).
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fitdoctor.cli import common
from fitdoctor.cli.common import (
    config_option,
    format_option,
    output_option,
    rules_option,
    run_number_option,
    width_option,
)
from fitdoctor.cli.core import Argument, Command
from fitdoctor.errors import ConfigError

if TYPE_CHECKING:
    from fitdoctor.rules import Settings

#: Formats of ``fitdoctor compare``.
FORMATS = ("auto", "rich", "text", "markdown", "json", "github")


def compare_command(
    before: str | Path,
    after: str | Path,
    fmt: str = "auto",
    fail_on_regression: bool = False,
    *,
    monitor: str | None = None,
    mode: str | None = None,
    settings: "Settings | None" = None,
    output: str | Path | None = None,
    width: int | None = None,
    before_run: int | None = None,
    after_run: int | None = None,
) -> int:
    """``fitdoctor compare BEFORE AFTER``: print the comparison; the exit code for CI.

    Args:
        before: BEFORE's run file.
        after: AFTER's run file.
        fmt: ``auto``, ``rich``, ``text``, ``markdown``, ``json`` or ``github``
            (workflow annotations). Defaults to `"auto"` (rich on a terminal, text when
            piped or under CI).
        fail_on_regression: Exit 1 when AFTER regresses. Defaults to `False`.
        monitor: Validation curve to judge on. Defaults to `None` (the task's yardstick).
        mode: ``min``/``max`` for ``monitor``. Defaults to `None` (from its name).
        settings: Rules to analyze with. Defaults to `None` (all rules).
        output: Write the comparison to this file instead of stdout. Defaults to `None`.
        width: Output width for rich/text. Defaults to `None` (terminal width or 100).
        before_run: Which run of BEFORE's file, from 1, when it holds several (an
            appended CSVLogger, a console log of several ``fit`` calls). Defaults to
            `None` (the file must hold one).
        after_run: The same for AFTER. Defaults to `None`.

    Returns:
        0, or 1 with ``fail_on_regression`` when AFTER regresses, or 2 when an input or
        the configuration cannot be used (one line on stderr).
    """

    def body() -> int:
        from fitdoctor.compare import compare
        from fitdoctor.reporters import choose_auto, wants_color
        from fitdoctor.reporters.compare_render import FORMATS, render_compare

        to_terminal = output is None and common.stdout_isatty()
        chosen = choose_auto(to_terminal, os.environ) if fmt == "auto" else fmt
        if chosen not in FORMATS:
            raise ConfigError(
                f"unknown compare format {chosen!r}; expected one of auto, {', '.join(FORMATS)}"
            )
        cmp = compare(_pick(before, before_run, "--before-run"),
                      _pick(after, after_run, "--after-run"), settings,
                      monitor=monitor, mode=mode)
        color = chosen == "rich" and wants_color(to_terminal, os.environ)
        text = render_compare(
            cmp,
            chosen,
            width=width if width is not None else _width(to_terminal),
            color=color,
        )
        if output is not None:
            from fitdoctor.sanitize import safe_text
            from fitdoctor.storage import write_text_atomic

            try:
                write_text_atomic(safe_text(text), output)
            except OSError as exc:
                where = Path(output)
                common.print_error(
                    f"cannot write the comparison: {common.error_line(exc, where, writing=True)}"
                )
                return common.EXIT_UNUSABLE
        else:
            common.emit(text, ansi=color)
        return 1 if fail_on_regression and cmp.regression else 0

    return common.guarded(body)


def _pick(path: str | Path, k: int | None, option: str) -> Any:
    """``path`` itself, or its ``k``-th run (from 1) when ``k`` is given."""
    if k is None:
        return path
    from fitdoctor.readers import pick_run

    return pick_run(path, k, option)


def _width(to_terminal: bool) -> int:
    """The terminal's width clamped to 60-120 on a terminal, else ``$COLUMNS`` or 100."""
    if to_terminal:
        import shutil

        return max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
    env = os.environ.get("COLUMNS", "")
    return int(env) if env.isdigit() and int(env) >= 40 else 100


@click.command("compare", cls=Command)
@click.argument(
    "before",
    cls=Argument,
    metavar="BEFORE",
    type=click.Path(path_type=Path, readable=False),
    help="The run before the change.",
)
@click.argument(
    "after",
    cls=Argument,
    metavar="AFTER",
    type=click.Path(path_type=Path, readable=False),
    help="The run after the change.",
)
@format_option(
    FORMATS,
    "auto",
    "Output format. auto: rich on a terminal, text when piped or when CI is set.",
)
@click.option(
    "--fail-on-regression",
    "fail_on_regression",
    is_flag=True,
    help="Exit 1 when AFTER gains a warning or an error, or is worse than BEFORE on "
    "the yardstick by more than its noise (each run at the epoch it keeps).",
)
@click.option(
    "--monitor",
    "monitor",
    metavar="METRIC",
    show_default="by task: minority PR-AUC (imbalanced), MAE (regression), accuracy",
    help="Validation curve to judge on instead of the task's yardstick, e.g. val_loss.",
)
@click.option(
    "--mode",
    "mode",
    type=click.Choice(("min", "max")),
    show_default="from the metric's name",
    help="Whether a lower or higher METRIC is better (with --monitor).",
)
@run_number_option(
    "--before-run", "before_run",
    "Compare the N-th run of BEFORE's file (from 1), when it holds several: an "
    "appended CSVLogger, a console log of several fit calls.",
)
@run_number_option(
    "--after-run", "after_run", "The same for AFTER (the same file may be given twice)."
)
@config_option
@rules_option
@output_option("Write the comparison to this file instead of stdout.")
@width_option("Line width.")
def compare(
    before: Path,
    after: Path,
    output_format: str,
    fail_on_regression: bool,
    monitor: str | None,
    mode: str | None,
    before_run: int | None,
    after_run: int | None,
    config: Path | None,
    rule_dirs: tuple[Path, ...],
    output: Path | None,
    width: int | None,
) -> None:
    """Compare two runs: the yardstick at the epoch each keeps, findings fixed/new/stayed.

    Exit codes: 0, or 1 with --fail-on-regression when AFTER regresses; 2 when an input
    or the configuration cannot be used.
    """
    with common.unusable_exits():
        settings = common.build_settings(config=config, rule_dirs=rule_dirs)
    code = compare_command(
        before,
        after,
        output_format,
        fail_on_regression,
        monitor=monitor,
        mode=mode,
        settings=settings,
        output=output,
        width=width,
        before_run=before_run,
        after_run=after_run,
    )
    common.exit_with(code)
