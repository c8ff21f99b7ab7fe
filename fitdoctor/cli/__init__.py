"""The ``fitdoctor`` command line: analyze, rules, explain, demo, plot, compare, lint.

Built on click. One module per command (:data:`COMMANDS`);
:mod:`fitdoctor.cli.common` for what they share (options, settings, output, and the
one place where an exception becomes an error line and an exit code);
:mod:`fitdoctor.cli.core` for the click layer (the lazy group, documented arguments,
short usage errors).

Exit codes:

- ``0``: nothing at or above ``--fail-on`` (default ``error``, or the config's ``fail-on``);
- ``1``: at least one finding at or above it;
- ``2``: an input or the configuration could not be used. One line on stderr,
  ``fitdoctor: error: <what>``, never a traceback. Usage errors also exit 2: a bad
  option value in one line of the same form; an unknown option or command, or a
  missing argument, in two (the error, then the usage).

``--exit-zero`` turns 1 into 0; it never hides 2. With several paths, every usable
one is analyzed and reported, each unusable one gets its error line, and the exit code
is the worst of all (so one unusable path makes it 2).

Start-up matters (``fitdoctor analyze`` runs in CI and pre-commit hooks): the group
imports only the module of the command that runs (``fitdoctor -h`` imports them all,
for their summaries). The loaders, reporters and the engine are imported inside the
commands, keras and tensorflow never (except by ``lint`` and ``demo``, which need them).
"""

import click

from fitdoctor.cli.common import (
    CONTEXT_SETTINGS,
    EXIT_FINDINGS,
    EXIT_UNUSABLE,
    print_version,
)
from fitdoctor.cli.core import LazyGroup

__all__ = ["COMMANDS", "EXIT_FINDINGS", "EXIT_UNUSABLE", "app", "main"]

#: Command name: (module, attribute holding the click command), in the order
#: ``fitdoctor --help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("fitdoctor.cli.analyze", "analyze"),
    "rules": ("fitdoctor.cli.rules", "list_rules"),
    "explain": ("fitdoctor.cli.explain", "explain"),
    "demo": ("fitdoctor.cli.demo", "demo"),
    "plot": ("fitdoctor.cli.plot", "plot"),
    "compare": ("fitdoctor.cli.compare", "compare"),
    "lint": ("fitdoctor.cli.lint", "lint"),
}


@click.group("fitdoctor", cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--version",
    "-V",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=print_version,
    help="Print the version and exit.",
)
def app() -> None:
    """Diagnose Keras training runs like a linter: rule codes, evidence, next changes.

    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it;
    2 an input or the configuration could not be used.
    """


def main() -> None:
    """Entry point of the ``fitdoctor`` console script and ``python -m fitdoctor``."""
    app.main(prog_name="fitdoctor")
