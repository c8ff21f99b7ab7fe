"""What every ``fitdoctor`` command shares: exit codes, errors, options, settings, output.

This is the one place where an exception becomes a message and an exit code:

- :func:`fail` prints ``fitdoctor: error: <what>`` (one line) on stderr and exits 2;
- :func:`error_line` turns an exception into that one line, naming the input;
- :func:`unusable_exits` wraps a command's work: an input, configuration or missing
  optional dependency that cannot be used (:class:`~fitdoctor.errors.FitDoctorError`,
  ``OSError``) ends the command with :func:`fail`, never with a traceback.

No ``from __future__ import annotations`` in the ``fitdoctor.cli`` modules: typer reads
the annotations of the commands, and string annotations would make it ``eval`` each one
at start-up.
"""

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from fitdoctor import __version__
from fitdoctor.errors import FitDoctorError
from fitdoctor.report import Severity
from fitdoctor.rules import Settings, find_config, read_config

if TYPE_CHECKING:
    from fitdoctor.rules import Rule

#: Exit code for findings at or above ``--fail-on``.
EXIT_FINDINGS = 1
#: Exit code for an input or configuration that cannot be used.
EXIT_UNUSABLE = 2

#: Errors that mean "this input, configuration or installation cannot be used": exit 2.
UNUSABLE = (FitDoctorError, OSError)

#: Settings of every ``typer.Typer`` the CLI builds (see :mod:`fitdoctor.cli`).
APP_SETTINGS: dict[str, Any] = {
    "name": "fitdoctor",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}


# ------------------------------------------------------------------ errors
def print_error(message: str) -> None:
    """Print ``fitdoctor: error: <message>`` on stderr, on one line.

    Args:
        message: What could not be used, and why.
    """
    one_line = " ".join(str(message).split())
    sys.stderr.write(f"fitdoctor: error: {one_line}\n")
    sys.stderr.flush()


def fail(message: str) -> NoReturn:
    """Print ``fitdoctor: error: <message>`` (one line) on stderr and exit 2.

    Args:
        message: What could not be used, and why.

    Raises:
        typer.Exit: Always, with code 2.
    """
    print_error(message)
    raise typer.Exit(EXIT_UNUSABLE)


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
        typer.Exit: With code 2, after one error line, on a
            :class:`~fitdoctor.errors.FitDoctorError` or ``OSError``.
    """
    try:
        yield
    except UNUSABLE as exc:
        fail(prefix + error_line(exc, path, writing=writing))


def guarded(body: Callable[[], int]) -> int:
    """Run a command's work and return its exit code; unusable input is one line and 2.

    For commands that are also called as functions (and return their exit code rather
    than raising ``typer.Exit``).

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


# ------------------------------------------------------------------ settings
_CODE_LIKE = re.compile(r"[A-Za-z]+\d+")


def split_codes(values: list[str] | None) -> list[str]:
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


class FailOn(str, Enum):
    """Severities ``--fail-on`` accepts."""

    error = "error"
    warning = "warning"
    info = "info"


def build_settings(
    *,
    config: Path | None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    fail_on: FailOn | None = None,
    rule_dirs: list[Path] | None = None,
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
        fail_on: ``--fail-on``.
        rule_dirs: ``--rules`` folders.

    Returns:
        The settings.

    Raises:
        ConfigError: The configuration file cannot be used.
    """
    path = config if config is not None else find_config(Path.cwd())
    settings = read_config(path) if path is not None else Settings()
    selected = split_codes(select)
    if selected:
        settings.select = selected
    settings.ignore = [*settings.ignore, *split_codes(ignore)]
    if fail_on is not None:
        settings.fail_on = Severity(fail_on.value)
    settings.rule_dirs = [*settings.rule_dirs, *(rule_dirs or [])]
    return settings


def all_rules(config: Path | None, rule_dirs: list[Path] | None) -> list["Rule"]:
    """Every loaded rule with the configured severities and parameters applied.

    The configuration must be valid as a whole (its select/ignore too), but the list
    holds every rule, selected or not.

    Raises:
        typer.Exit: With code 2 when the configuration or a rule pack cannot be used.
    """
    with unusable_exits():
        settings = build_settings(config=config, rule_dirs=rule_dirs)
        settings.rules()
        settings.select = None
        settings.ignore = []
        return settings.rules()


def default_severities(config: Path | None, rule_dirs: list[Path] | None) -> dict[str, str]:
    """Declared (unconfigured) severity of each rule, by code.

    Raises:
        typer.Exit: With code 2 when the configuration or a rule pack cannot be used.
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


def emit(text: str) -> None:
    """Write ``text`` to stdout, ending with a newline (unless it is empty)."""
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    sys.stdout.flush()


# ------------------------------------------------------------------ options
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Configuration file: a fitdoctor.toml, or a pyproject.toml with a tool.fitdoctor "
        "table. Default: the nearest one from the working directory up.",
        dir_okay=False,
    ),
]
RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        metavar="DIR",
        help="Extra rule pack: a folder of *.toml rule files. Repeatable.",
        file_okay=False,
    ),
]


class Task(str, Enum):
    """Task types ``--task`` accepts."""

    binary = "binary"
    multiclass = "multiclass"
    multilabel = "multilabel"
    regression = "regression"


TaskOpt = Annotated[
    Task | None,
    typer.Option("--task", help="Task type, for a history that does not record it."),
]
ClassesOpt = Annotated[
    int | None,
    typer.Option(
        "--classes",
        min=1,
        metavar="N",
        help="Number of classes, for a history that does not record it.",
    ),
]


# ------------------------------------------------------------------ root
def _version_callback(value: bool) -> None:
    if value:
        emit(f"fitdoctor {__version__}")
        raise typer.Exit()


def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Print the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Diagnose Keras training runs like a linter: rule codes, evidence, next changes.

    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it;
    2 an input or the configuration could not be used.
    """


__all__ = [
    "APP_SETTINGS",
    "EXIT_FINDINGS",
    "EXIT_UNUSABLE",
    "UNUSABLE",
    "ClassesOpt",
    "ConfigOpt",
    "FailOn",
    "RulesOpt",
    "Task",
    "TaskOpt",
    "all_rules",
    "build_settings",
    "default_severities",
    "default_width",
    "emit",
    "error_line",
    "fail",
    "guarded",
    "print_error",
    "root",
    "split_codes",
    "stdout_isatty",
    "unusable_exits",
]
