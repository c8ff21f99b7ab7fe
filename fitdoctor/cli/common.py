"""What every ``fitdoctor`` command shares: exit codes, errors, options, settings, output.

This is the one place where an exception becomes a message and an exit code:

- :func:`fail` prints ``fitdoctor: error: <what>`` (one line) on stderr and exits 2;
- :func:`error_line` turns an exception into that one line, naming the input;
- :func:`unusable_exits` wraps a command's work: an input, configuration or missing
  optional dependency that cannot be used (:class:`~fitdoctor.errors.FitDoctorError`,
  ``OSError``) ends the command with :func:`fail`, never with a traceback.

The options several commands share (``--config``, ``--rules``, ``--task``,
``--classes``) are click decorators here, so that each is declared once.
"""

import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from fitdoctor import __version__
from fitdoctor.errors import ConfigError, FitDoctorError
from fitdoctor.report import Severity
from fitdoctor.rules import Settings, find_config, read_config
from fitdoctor.run import FRAMEWORKS
from fitdoctor.sanitize import safe_line, safe_text

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.rules import Rule
    from fitdoctor.run import Run

#: Exit code for findings at or above ``--fail-on``.
EXIT_FINDINGS = 1
#: Exit code for an input or configuration that cannot be used (and for usage errors).
EXIT_UNUSABLE = 2

#: Errors that mean "this input, configuration or installation cannot be used": exit 2.
UNUSABLE = (FitDoctorError, OSError)

#: Context settings of the command line (see :mod:`fitdoctor.cli`).
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


# ------------------------------------------------------------------ errors
def print_error(message: str) -> None:
    """Print ``fitdoctor: error: <message>`` on stderr, on one line.

    Args:
        message: What could not be used, and why.
    """
    one_line = " ".join(safe_line(message).split())
    sys.stderr.write(f"fitdoctor: error: {one_line}\n")
    sys.stderr.flush()


def fail(message: str) -> NoReturn:
    """Print ``fitdoctor: error: <message>`` (one line) on stderr and exit 2.

    Args:
        message: What could not be used, and why.

    Raises:
        click.exceptions.Exit: Always, with code 2.
    """
    print_error(message)
    exit_with(EXIT_UNUSABLE)


def exit_with(code: int) -> NoReturn:
    """End the command with exit code ``code`` (click turns it into ``sys.exit``).

    Args:
        code: 0, 1 or 2.

    Raises:
        click.exceptions.Exit: Always, with ``code``.
    """
    raise click.exceptions.Exit(code)


def error_line(exc: BaseException, path: Path | None = None, *, writing: bool = False) -> str:
    """One line describing ``exc``, naming ``path`` when the message does not already.

    Args:
        exc: The error.
        path: The file it concerns. Defaults to `None`.
        writing: ``path`` is an output, not an input: a missing file or a folder is
            reported as the system says, not as an unreadable history. Defaults to `False`.

    Returns:
        The line (without the ``fitdoctor: error:`` prefix).
    """
    if isinstance(exc, OSError) and (
        writing or not isinstance(exc, FileNotFoundError | IsADirectoryError)
    ):
        text = exc.strerror or str(exc)
        where = exc.filename if exc.filename is not None else path
        return f"{where}: {text}" if where is not None else text
    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename or path}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{exc.filename or path}: is a directory, not a history file"
    text = " ".join(str(exc).split()) or type(exc).__name__
    if path is not None and str(path) not in text and path.name not in text:
        text = f"{path}: {text}"
    return text


@contextmanager
def unusable_exits(
    prefix: str = "", path: Path | None = None, *, writing: bool = False
) -> Iterator[None]:
    """Turn an unusable input, configuration or installation into exit 2.

    Args:
        prefix: Put before the error line, e.g. ``"cannot write the report: "``.
            Defaults to `""`.
        path: The file concerned, named when the message does not. Defaults to `None`.
        writing: ``path`` is an output (see :func:`error_line`). Defaults to `False`.

    Yields:
        Nothing; the block runs inside.

    Raises:
        click.exceptions.Exit: With code 2, after one error line, on a
            :class:`~fitdoctor.errors.FitDoctorError` or ``OSError``.
    """
    try:
        yield
    except UNUSABLE as exc:
        fail(prefix + error_line(exc, path, writing=writing))


def guarded(body: Callable[[], int]) -> int:
    """Run a command's work and return its exit code; unusable input is one line and 2.

    For commands that are also called as functions (and return their exit code rather
    than raising ``click.exceptions.Exit``).

    Args:
        body: The work; returns the exit code.

    Returns:
        ``body()``'s code, or 2 after one error line on a
        :class:`~fitdoctor.errors.FitDoctorError` or ``OSError``.
    """
    try:
        return body()
    except UNUSABLE as exc:
        print_error(error_line(exc))
        return EXIT_UNUSABLE


# ------------------------------------------------------------------ warnings
@contextmanager
def captured_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record the warnings raised in the block instead of printing them.

    Yields:
        The list the warnings are appended to (each distinct warning once).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        yield caught


def warning_notes(caught: Sequence[warnings.WarningMessage], during: str) -> list[str]:
    """The report notes for numeric warnings (overflow, invalid value) raised ``during``.

    numpy warns when a computation overflows or meets NaN: on a run with values near
    the float limits some measures become inf or NaN, which the reader of the report
    should know. Other library warnings are not about the run and are dropped.

    Args:
        caught: What :func:`captured_warnings` recorded.
        during: What was running, e.g. ``"analysis"``.

    Returns:
        At most one note.
    """
    seen: list[str] = []
    for w in caught:
        if not issubclass(w.category, RuntimeWarning):
            continue
        text = " ".join(str(w.message).split())
        if text and text not in seen:
            seen.append(text)
    if not seen:
        return []
    shown = "; ".join(seen[:3]) + ("; ..." if len(seen) > 3 else "")
    return [
        f"numeric warnings during the {during} ({shown}): values this large or small make "
        "some measures inf or NaN"
    ]


# ------------------------------------------------------------------ settings
_CODE_LIKE = re.compile(r"[A-Za-z]+\d+")


def split_codes(values: Iterable[str] | None) -> list[str]:
    """Flatten repeated, comma-separated rule selectors; codes are upper-cased.

    Args:
        values: Option values such as ``["FD1,fd302", "overfitting-gap"]``.

    Returns:
        The selectors, e.g. ``["FD1", "FD302", "overfitting-gap"]``.
    """
    out: list[str] = []
    for value in values or []:
        for token in value.split(","):
            token = token.strip()
            if not token:
                continue
            out.append(token.upper() if _CODE_LIKE.fullmatch(token) or token == "all" else token)
    return out


#: Severities ``--fail-on`` accepts.
FAIL_ON = ("error", "warning", "info")


def build_settings(
    *,
    config: Path | None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    fail_on: str | None = None,
    rule_dirs: Iterable[Path] | None = None,
) -> Settings:
    """Settings from the configuration file, overridden by command-line flags.

    The file is ``config`` when given, else the nearest ``fitdoctor.toml`` or
    ``pyproject.toml`` with ``[tool.fitdoctor]`` from the working directory up.
    ``--select`` replaces the configured selection, ``--ignore`` adds to the configured
    ignores, ``--fail-on`` replaces ``fail-on`` and ``--rules`` adds rule packs.

    Args:
        config: An explicit configuration file, or ``None`` to discover one.
        select: ``--select`` values (comma-separated, repeatable).
        ignore: ``--ignore`` values (comma-separated, repeatable).
        fail_on: ``--fail-on``: one of :data:`FAIL_ON`.
        rule_dirs: ``--rules`` folders.

    Returns:
        The settings.

    Raises:
        ConfigError: The configuration file cannot be used.
    """
    path = config if config is not None else find_config(Path.cwd())
    if path is not None:
        _regular_or_missing(path, "config file")
    settings = read_config(path) if path is not None else Settings()
    selected = split_codes(select)
    if selected:
        settings.select = selected
    settings.ignore = [*settings.ignore, *split_codes(ignore)]
    if fail_on is not None:
        settings.fail_on = Severity(fail_on)
        settings.fail_on_set = True
    settings.rule_dirs = [*settings.rule_dirs, *(rule_dirs or [])]
    for folder in settings.rule_dirs:
        if folder.is_dir():
            for rule_file in sorted(folder.glob("*.toml")):
                _regular_or_missing(rule_file, "rule file")
    return settings


def rules_in_force(settings: Settings) -> list["Rule"]:
    """The rules ``settings`` puts in force; at least one, or a configuration error.

    A selection that leaves nothing to run (``--select FD5 --ignore FD5``) would
    report every run as healthy without checking anything: it is refused instead.

    Raises:
        ConfigError: The configuration cannot be used, or it leaves no rule to run.
    """
    rules = settings.rules()
    if not rules:
        chosen = ", ".join(settings.select) if settings.select is not None else "all"
        raise ConfigError(
            f"no rule left to run (select: {chosen}; ignore: {', '.join(settings.ignore)}): "
            "select or ignore fewer rules"
        )
    return rules


def _regular_or_missing(path: Path, what: str) -> None:
    """Refuse a FIFO or a device given as a configuration or rule file (never opened).

    Raises:
        ConfigError: ``path`` exists and is neither a regular file nor a folder.
    """
    import stat

    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return
    if stat.S_ISDIR(mode):
        raise ConfigError(f"{what} {str(path)!r} is a folder, not a TOML file")
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{what} {str(path)!r} is not a regular file (a pipe or a device)")


def all_rules(config: Path | None, rule_dirs: Sequence[Path] | None) -> list["Rule"]:
    """Every loaded rule with the configured severities and parameters applied.

    The configuration must be valid as a whole (its select/ignore too), but the list
    holds every rule, selected or not.

    Raises:
        click.exceptions.Exit: With code 2 when the configuration or a rule pack cannot be used.
    """
    with unusable_exits():
        settings = build_settings(config=config, rule_dirs=rule_dirs)
        settings.rules()
        settings.select = None
        settings.ignore = []
        return settings.rules()


def default_severities(
    config: Path | None, rule_dirs: Sequence[Path] | None
) -> dict[str, str]:
    """Declared (unconfigured) severity of each rule, by code.

    Raises:
        click.exceptions.Exit: With code 2 when the configuration or a rule pack cannot be used.
    """
    from fitdoctor.rules import load_rules

    with unusable_exits():
        settings = build_settings(config=config, rule_dirs=rule_dirs)
        return {r.code: r.severity.value for r in load_rules(settings.rule_dirs)}


# ------------------------------------------------------------------ output
def stdout_isatty() -> bool:
    """Whether stdout is a terminal (``False`` when it cannot tell)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def default_width(to_terminal: bool) -> int:
    """The terminal's width on a terminal, else ``$COLUMNS``, else 100 (at least 40)."""
    if to_terminal:
        import shutil

        return max(40, shutil.get_terminal_size((100, 24)).columns)
    columns = os.environ.get("COLUMNS", "")
    return max(40, int(columns)) if columns.isdigit() else 100


def emit(text: str, *, ansi: bool = False) -> None:
    """Write ``text`` to stdout, ending with a newline (unless it is empty).

    The text goes through :func:`fitdoctor.sanitize.safe_text` first, so no control
    character, bidi override or line separator from an input reaches the terminal.

    Args:
        text: The output.
        ansi: The text holds fitdoctor's own ANSI colours (rich with colour): its
            strings were sanitized when it was rendered, and its escapes are kept.
            Defaults to `False`.
    """
    if not ansi:
        text = safe_text(text)
    try:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_closed()


def _stdout_closed() -> None:
    """The reader of stdout went away (``fitdoctor analyze run.json | head``).

    The rest of the output goes nowhere and the command ends with the exit code its
    findings call for (the analysis was complete; only its display was cut short).
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no file descriptor (tests)
        pass


def write_reports(
    results: "Sequence[tuple[Report, Run | None]]",
    output_format: str,
    *,
    output: Path | None,
    width: int | None,
    summary: bool,
) -> None:
    """Render reports and write them to ``output`` (atomically) or stdout.

    ``auto`` is rich on a terminal, text when piped or under CI; with several reports
    each format shows them all, then the totals. With ``summary``, the markdown form is
    also appended to ``$GITHUB_STEP_SUMMARY`` when that is set.

    Args:
        results: ``(report, run)`` pairs (``run`` for the sparklines, may be ``None``).
        output_format: A format of :data:`fitdoctor.reporters.FORMATS`, ``html`` or ``auto``.
        output: The file to write, or ``None`` for stdout.
        width: Line width, or ``None`` for the terminal's (else ``$COLUMNS``, else 100).
        summary: Also append the markdown report to ``$GITHUB_STEP_SUMMARY``.

    Raises:
        click.exceptions.Exit: With code 2 when the report or the summary cannot be written.
    """
    from fitdoctor import reporters, storage

    if not results:
        return
    to_terminal = output is None and stdout_isatty()
    fmt = output_format
    if fmt == "auto":
        fmt = reporters.choose_auto(to_terminal, os.environ)
    line_width = width if width is not None else default_width(to_terminal)
    color = output is None and fmt == "rich" and reporters.wants_color(to_terminal, os.environ)

    def render(fmt: str, color: bool) -> str:
        if len(results) == 1:
            report, run = results[0]
            return reporters.render(report, fmt, width=line_width, color=color, run=run)
        return reporters.render_many(list(results), fmt, width=line_width, color=color)

    text = render(fmt, color)
    if output is not None:
        with unusable_exits("cannot write the report: ", output, writing=True):
            storage.write_text_atomic(text if text.endswith("\n") else text + "\n", output)
    else:
        emit(text, ansi=color)
    if summary and os.environ.get("GITHUB_STEP_SUMMARY"):
        append_step_summary(render("markdown", False))


def append_step_summary(text: str) -> None:
    """Append ``text`` to ``$GITHUB_STEP_SUMMARY`` when it is set.

    Raises:
        click.exceptions.Exit: With code 2 when the file cannot be written.
    """
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    with (
        unusable_exits("cannot write the step summary: ", Path(target), writing=True),
        open(target, "a", encoding="utf-8") as fh,
    ):
        fh.write(text if text.endswith("\n") else text + "\n")


# ------------------------------------------------------------------ options
F = TypeVar("F", bound=Callable[..., Any])

#: ``--config FILE``, passed as ``config``.
config_option = click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Configuration file: a fitdoctor.toml, or a pyproject.toml with a tool.fitdoctor "
    "table. Default: the nearest one from the working directory up.",
)
#: ``--rules DIR`` (repeatable), passed as ``rule_dirs``.
rules_option = click.option(
    "--rules",
    "rule_dirs",
    type=click.Path(file_okay=False, path_type=Path),
    multiple=True,
    metavar="DIR",
    help="Extra rule pack: a folder of *.toml rule files. Repeatable.",
)

#: Task types ``--task`` accepts.
TASKS = ("binary", "multiclass", "multilabel", "regression")

#: ``--task``, passed as ``task``.
task_option = click.option(
    "--task",
    "task",
    type=click.Choice(TASKS),
    help="Task type, for a history that does not record it.",
)
#: ``--framework``, passed as ``framework``.
framework_option = click.option(
    "--framework",
    "framework",
    type=click.Choice(FRAMEWORKS),
    help="Write the advice's code for this framework, whatever the files say (a file that "
    "cannot say: [tool.fitdoctor] framework in the configuration).",
)
#: ``--classes N``, passed as ``classes``.
classes_option = click.option(
    "--classes",
    "classes",
    type=click.IntRange(min=1),
    metavar="N",
    help="Number of classes, for a history that does not record it.",
)


def format_option(choices: Sequence[str], default: str, help: str) -> Callable[[F], F]:
    """``--format``/``-f`` with ``choices``, passed as ``output_format``.

    Args:
        choices: The formats.
        default: The default format, shown in ``-h``.
        help: The help text.

    Returns:
        The option decorator.
    """
    return click.option(
        "--format",
        "-f",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=help,
    )


#: ``--fail-on`` (one of :data:`FAIL_ON`), passed as ``fail_on``.
fail_on_option = click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(FAIL_ON),
    show_default="error, or the config's fail-on",
    help="Exit 1 when a finding is at or above this severity.",
)
#: ``--exit-zero``, passed as ``exit_zero``.
exit_zero_option = click.option(
    "--exit-zero",
    "exit_zero",
    is_flag=True,
    help="Exit 0 even with findings (2 still means unusable).",
)
#: ``--ignore CODES`` (repeatable), passed as ``ignore``.
ignore_option = click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="CODES",
    help="Rules to skip: codes, prefixes or names, comma-separated. Adds to the "
    "configured ignores. Repeatable.",
)
#: ``--summary``, passed as ``summary``.
summary_option = click.option(
    "--summary",
    "summary",
    is_flag=True,
    help="Also append the markdown report to $GITHUB_STEP_SUMMARY when it is set.",
)


def width_option(help: str) -> Callable[[F], F]:
    """``--width N`` (at least 40; default the terminal's, else 100), passed as ``width``.

    Args:
        help: The help text.

    Returns:
        The option decorator.
    """
    return click.option(
        "--width",
        "width",
        type=click.IntRange(min=40),
        metavar="N",
        show_default="the terminal's, else 100",
        help=help,
    )


def run_number_option(flag: str, dest: str, help: str) -> Callable[[F], F]:
    """A run number ``N`` (from 1) picking one run of a file that holds several.

    Args:
        flag: The option (``--run``, ``--before-run``).
        dest: The parameter it is passed as.
        help: The help text.

    Returns:
        The option decorator.
    """
    return click.option(flag, dest, type=click.IntRange(min=1), metavar="N", help=help)


def output_option(help: str) -> Callable[[F], F]:
    """``--output``/``-o FILE`` (no default: stdout), passed as ``output``.

    Args:
        help: The help text.

    Returns:
        The option decorator.
    """
    return click.option(
        "--output",
        "-o",
        "output",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help=help,
    )


def print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: print ``fitdoctor <version>`` and exit 0."""
    if value and not ctx.resilient_parsing:
        emit(f"fitdoctor {__version__}")
        ctx.exit()


__all__ = [
    "CONTEXT_SETTINGS",
    "EXIT_FINDINGS",
    "EXIT_UNUSABLE",
    "FAIL_ON",
    "TASKS",
    "UNUSABLE",
    "all_rules",
    "append_step_summary",
    "build_settings",
    "captured_warnings",
    "classes_option",
    "config_option",
    "default_severities",
    "default_width",
    "emit",
    "error_line",
    "exit_with",
    "exit_zero_option",
    "fail",
    "fail_on_option",
    "format_option",
    "framework_option",
    "guarded",
    "ignore_option",
    "output_option",
    "print_error",
    "print_version",
    "rules_option",
    "split_codes",
    "stdout_isatty",
    "summary_option",
    "task_option",
    "unusable_exits",
    "warning_notes",
    "write_reports",
]
