"""``fitdoctor compare BEFORE AFTER``: did the change help? The exit code gates CI.

The comparison is :func:`fitdoctor.compare.compare`, its rendering
:mod:`fitdoctor.reporters.compare_render`; this module reads the options, prints and
picks the exit code: 0, or 1 when a gate is asked for (``--fail-on SEVERITY``, the
configuration's ``fail-on``, ``--fail-on-regression``, which is ``--fail-on warning``)
and AFTER gains a finding at or above it or is worse on the yardstick beyond noise
(``--exit-zero`` turns 1 into 0); 2 when an input or the configuration cannot be used
(one line on stderr).
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fitdoctor.cli import common
from fitdoctor.cli.common import (
    FAIL_ON,
    config_option,
    exit_zero_option,
    format_option,
    ignore_option,
    output_option,
    rules_option,
    run_number_option,
    width_option,
)
from fitdoctor.cli.core import Argument, Command
from fitdoctor.errors import ConfigError, InputError
from fitdoctor.report import Severity

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
    fail_on: Severity | None = None,
    exit_zero: bool = False,
) -> int:
    """``fitdoctor compare BEFORE AFTER``: print the comparison; the exit code for CI.

    Args:
        before: BEFORE's run file.
        after: AFTER's run file.
        fmt: ``auto``, ``rich``, ``text``, ``markdown``, ``json`` or ``github``
            (workflow annotations). Defaults to `"auto"` (rich on a terminal, text when
            piped or under CI).
        fail_on_regression: Exit 1 when AFTER regresses (``fail_on`` warning).
            Defaults to `False`.
        monitor: Validation curve to judge on. Defaults to `None` (the task's yardstick).
        mode: ``min``/``max`` for ``monitor``. Defaults to `None` (from its name).
        settings: Rules to analyze with. Defaults to `None` (all rules).
        output: Write the comparison to this file instead of stdout. Defaults to `None`.
        width: Output width for rich/text. Defaults to `None` (terminal width or 100).
        before_run: Which run of BEFORE's file, from 1, when it holds several (an
            appended CSVLogger, a console log of several ``fit`` calls). Defaults to
            `None` (the file must hold one).
        after_run: The same for AFTER. Defaults to `None`.
        fail_on: Exit 1 when AFTER gains a finding at or above this severity or is
            worse on the yardstick beyond noise (:meth:`Comparison.fails`); with
            ``fail_on_regression`` too, the lower of the two bars. Defaults to `None`
            (the settings' ``fail_on`` when a configuration file or ``--fail-on`` set
            it, else no gate).
        exit_zero: Exit 0 even when the gate fails (2 still means unusable). Defaults
            to `False`.

    Returns:
        0, or 1 when the gate fails, or 2 when an input or the configuration cannot be
        used (one line on stderr).
    """
    bar = gate(fail_on, fail_on_regression, settings)

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
        for side in (before, after):
            if os.fspath(side) == "-":
                raise InputError(
                    "-: compare reads two files, not standard input (that is "
                    "`fitdoctor analyze -`): save the run first, e.g. python train.py > "
                    "train.log 2>&1"
                )
        names = settings.metric_map if settings is not None else {}
        cmp = compare(_pick(before, before_run, "--before-run", names),
                      _pick(after, after_run, "--after-run", names), settings,
                      monitor=monitor, mode=mode)
        if bar is not None:
            cmp.bar = bar  # the gate's bar: what the verdict and "regression" judge at
        # the files as given, for --format github's file= (a report's source is a run name)
        cmp.before.report.path, cmp.after.report.path = os.fspath(before), os.fspath(after)
        if cmp.before.name == cmp.after.name and os.fspath(before) != os.fspath(after):
            # two runs of one name (FitDoctor("run.json") in both): named by their files
            cmp.before.name, cmp.after.name = os.fspath(before), os.fspath(after)
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
        if bar is None or exit_zero:
            return 0
        return 1 if cmp.regression else 0

    return common.guarded(body)


def gate(
    fail_on: Severity | None, fail_on_regression: bool, settings: "Settings | None"
) -> Severity | None:
    """The severity compare gates at, or ``None`` for no gate (exit 0 whatever changed).

    ``--fail-on`` as ``analyze`` reads it: the flag, else the configuration's
    ``fail-on``; but only when one of them was given: ``compare`` exited 0 unless asked
    before it had a ``--fail-on``, so its implicit bar is no gate rather than
    ``analyze``'s ``error``. ``--fail-on-regression`` is ``--fail-on warning``; with
    both, the lower bar (each asks for its failures).

    Args:
        fail_on: ``--fail-on``, if given.
        fail_on_regression: ``--fail-on-regression``.
        settings: The settings (their ``fail_on`` counts when ``fail_on_set``).

    Returns:
        The lowest severity of a gained finding that fails, or ``None``.
    """
    bars: list[Severity] = []
    if fail_on is not None:
        bars.append(fail_on)
    elif settings is not None and settings.fail_on_set:
        bars.append(settings.fail_on)
    if fail_on_regression:
        bars.append(Severity.WARNING)
    return min(bars, key=lambda s: s.rank) if bars else None


def _pick(path: str | Path, k: int | None, option: str, names: dict[str, str]) -> Any:
    """``path`` itself, or its ``k``-th run (from 1) when ``k`` is given.

    The run is read with the configuration's metric names, ``names``.
    """
    if k is None:
        return path
    from fitdoctor.readers import pick_run

    return pick_run(path, k, option, metric_map=names or None)


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
    "--fail-on",
    "fail_on",
    type=click.Choice(FAIL_ON),
    show_default="no gate, or the config's fail-on",
    help="Exit 1 when AFTER gains a finding at or above this severity (new, or grown "
    "more severe) or is worse than BEFORE on the yardstick by more than its noise "
    "(each run at the epoch it keeps; at any severity).",
)
@click.option(
    "--fail-on-regression",
    "fail_on_regression",
    is_flag=True,
    help="The same as --fail-on warning: exit 1 when AFTER gains a warning or an error, "
    "or is worse on the yardstick beyond noise.",
)
@exit_zero_option
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
@click.option(
    "--select",
    "select",
    multiple=True,
    metavar="CODES",
    help="Rules to analyze both runs with: codes, code prefixes (FD1) or names, "
    "comma-separated. Replaces the configured selection. Repeatable.",
)
@ignore_option
@config_option
@rules_option
@output_option("Write the comparison to this file instead of stdout.")
@width_option("Line width.")
def compare(
    before: Path,
    after: Path,
    output_format: str,
    fail_on: str | None,
    fail_on_regression: bool,
    exit_zero: bool,
    monitor: str | None,
    mode: str | None,
    before_run: int | None,
    after_run: int | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config: Path | None,
    rule_dirs: tuple[Path, ...],
    output: Path | None,
    width: int | None,
) -> None:
    """Compare two runs: the yardstick at the epoch each keeps, findings fixed/new/stayed.

    Exit codes: 0; 1 with --fail-on SEVERITY (or the config's fail-on, or
    --fail-on-regression: --fail-on warning) when AFTER gains a finding at or above it
    or is worse on the yardstick beyond noise (--exit-zero turns 1 into 0); 2 when an
    input or the configuration cannot be used.
    """
    with common.unusable_exits():
        settings = common.build_settings(config=config, select=select, ignore=ignore,
                                         fail_on=fail_on, rule_dirs=rule_dirs)
        common.rules_in_force(settings)  # a selection that leaves no rule: exit 2
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
        fail_on=Severity(fail_on) if fail_on is not None else None,
        exit_zero=exit_zero,
    )
    common.exit_with(code)
