"""The ``fitdoctor`` command line: analyze, rules, explain, demo, plot, compare.

One module per command (:data:`COMMANDS`), and :mod:`fitdoctor.cli.common` for what
they share: options, settings, output, and the one place where an exception becomes an
error line and an exit code.

Exit codes:

- ``0``: nothing at or above ``--fail-on`` (default ``error``, or the config's ``fail-on``);
- ``1``: at least one finding at or above it;
- ``2``: an input or the configuration could not be used. One line on stderr,
  ``fitdoctor: error: <what>``, never a traceback. Typer's own usage errors (an unknown
  option, a bad choice) also exit 2.

``--exit-zero`` turns 1 into 0; it never hides 2. With several paths, every usable
one is analyzed and reported, each unusable one gets its error line, and the exit code
is the worst of all (so one unusable path makes it 2).

Start-up matters (``fitdoctor analyze`` runs in CI and pre-commit hooks). :func:`main`
imports only the module of the command that runs and builds a Typer app holding that
command alone (typer inspects the signature of every command an app holds when it
runs); ``fitdoctor --help``, ``--version`` and unknown names get the full app. The
loaders, reporters and the engine are imported inside the commands, keras and
tensorflow never.
"""

import importlib
import sys
from collections.abc import Iterable

import typer

from fitdoctor.cli.common import APP_SETTINGS, EXIT_FINDINGS, EXIT_UNUSABLE, root

__all__ = ["COMMANDS", "EXIT_FINDINGS", "EXIT_UNUSABLE", "app", "build_app", "main"]

#: Command name: (module, function), in the order ``fitdoctor --help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("fitdoctor.cli.analyze", "analyze"),
    "rules": ("fitdoctor.cli.rules", "list_rules"),
    "explain": ("fitdoctor.cli.explain", "explain"),
    "demo": ("fitdoctor.cli.demo", "demo"),
    "plot": ("fitdoctor.cli.plot", "plot"),
    "compare": ("fitdoctor.cli.compare", "compare"),
}


def build_app(names: Iterable[str] | None = None) -> typer.Typer:
    """A Typer app with the root options and the commands ``names`` (default: all).

    Args:
        names: Command names from :data:`COMMANDS`. Defaults to `None` (every command).

    Returns:
        The app; call it to run the command line.
    """
    app = typer.Typer(**APP_SETTINGS)
    app.callback()(root)
    for name in COMMANDS if names is None else names:
        module, function = COMMANDS[name]
        app.command(name)(getattr(importlib.import_module(module), function))
    return app


def main() -> None:
    """Entry point of the ``fitdoctor`` console script and ``python -m fitdoctor``."""
    args = sys.argv[1:]
    only = [args[0]] if args and args[0] in COMMANDS else None
    build_app(only)(prog_name="fitdoctor")


_full_app: typer.Typer | None = None


def __getattr__(name: str) -> typer.Typer:
    """``fitdoctor.cli.app``: the app with every command, built on first use."""
    global _full_app
    if name == "app":
        if _full_app is None:
            _full_app = build_app()
        return _full_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
