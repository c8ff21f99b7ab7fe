"""The click layer of the command line: a lazy group, documented arguments, short errors.

- :class:`LazyGroup` imports a command's module only when that command is looked up
  (click's documented way to load subcommands lazily: ``list_commands`` and
  ``get_command``), so ``fitdoctor analyze`` imports neither ``plot`` nor ``demo``;
  ``fitdoctor -h`` imports them all, for their one-line summaries. With no arguments
  it prints its help on stderr and exits 2, on every click version.
- :class:`Command` and :class:`Argument`: click arguments take no help text before
  click 8.5; these add an "Arguments" section to ``-h``, the same on every version.
- An exception no command expected (a bug) is one line, ``fitdoctor: error: internal
  error, a bug in fitdoctor (...)``, and exit 2, like ruff's internal errors;
  ``FITDOCTOR_TRACEBACK=1`` re-raises it. Library warnings are never printed.
- Usage errors exit 2 (click's code) in at most two lines. A bad option value
  (``--format yaml``, ``--config DIR``, ``--width 5``, an option without its value)
  is one line, ``fitdoctor: error: <what>``, like every other unusable input; a
  missing argument, an unknown option or command, or an extra argument adds a second
  line, the usage.

Everything here is public click API (``Group``/``Command`` subclasses overriding
``get_command``, ``list_commands``, ``parse_args``, ``make_context``, ``invoke`` and
``format_options``; ``UsageError.show``).
"""

import importlib
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any

import click

from fitdoctor.cli.common import EXIT_UNUSABLE, print_error
from fitdoctor.sanitize import safe_line

__all__ = ["Argument", "Command", "LazyGroup", "ShortUsageError", "internal_error"]

#: Longest exception text an internal-error line shows.
_MAX_DETAIL = 300


def internal_error(exc: BaseException) -> None:
    """Print the one line of an unexpected exception (a bug in fitdoctor) on stderr.

    Args:
        exc: The exception.
    """
    detail = " ".join(safe_line(exc).split())
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 3] + "..."
    print_error(
        f"internal error, a bug in fitdoctor ({type(exc).__name__}: {detail}); please "
        "report it with the input (FITDOCTOR_TRACEBACK=1 shows the traceback)"
    )


class ShortUsageError(click.UsageError):
    """A usage error shown as ``fitdoctor: error: <what>``, then the usage when it helps.

    Args:
        message: What is wrong (click's message).
        ctx: The context of the command it concerns. Defaults to `None`.
        usage: Add the usage line (a missing argument, an unknown option or command).
            Defaults to `False`.
    """

    def __init__(
        self, message: str, ctx: click.Context | None = None, *, usage: bool = False
    ) -> None:
        super().__init__(message, ctx)
        self.usage = usage

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the error line (and the usage line) on stderr."""
        text = " ".join(safe_line(self.format_message()).split())
        lines = [f"fitdoctor: error: {text[:1].lower()}{text[1:]}"]
        if self.usage and self.ctx is not None:
            usage = " ".join(self.ctx.get_usage().split())
            helps = self.ctx.help_option_names
            hint = f"  Try '{self.ctx.command_path} {helps[0]}' for help." if helps else ""
            lines.append(usage + hint)
        for line in lines:
            click.echo(line, file=file, err=True)


@contextmanager
def short_usage_errors() -> Iterator[None]:
    """Re-raise click's usage errors as :class:`ShortUsageError`.

    Yields:
        Nothing; the block runs inside.

    Raises:
        ShortUsageError: For any ``click.UsageError`` raised in the block.
    """
    try:
        yield
    except ShortUsageError:
        raise
    except click.UsageError as exc:
        bad_value = isinstance(exc, click.BadOptionUsage) or (
            isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter)
        )
        raise ShortUsageError(exc.format_message(), exc.ctx, usage=not bad_value) from exc


class Argument(click.Argument):
    """A positional argument with a help text (shown by :class:`Command`'s ``-h``).

    Args:
        param_decls: The argument's name, as for ``click.Argument``.
        help: One or two sentences for the "Arguments" section. Defaults to `""`.
        **attrs: Passed to ``click.Argument``.
    """

    def __init__(self, param_decls: Sequence[str], help: str = "", **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.doc = help


class Command(click.Command):
    """A command whose help lists its :class:`Argument` s before its options."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the "Arguments" section (when documented), then click's "Options"."""
        rows = [
            (param.human_readable_name, param.doc)
            for param in self.get_params(ctx)
            if isinstance(param, Argument) and param.doc
        ]
        if rows:
            with formatter.section("Arguments"):
                formatter.write_dl(rows)
        super().format_options(ctx, formatter)


class LazyGroup(click.Group):
    """A group whose commands are imported from their modules when looked up.

    Args:
        *args: Passed to ``click.Group``.
        lazy: Command name: (module, attribute holding the ``click.Command``), in the
            order ``-h`` lists them. Defaults to `None` (none).
        **kwargs: Passed to ``click.Group``.
    """

    def __init__(
        self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str]] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The lazy commands in their declared order, then any added the usual way."""
        return [*self.lazy, *(n for n in super().list_commands(ctx) if n not in self.lazy)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the command's module and return its command; `None` for unknown names."""
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, attribute = self.lazy[cmd_name]
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module}.{attribute} is not a click command")
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """With no arguments, print the help on stderr and exit 2 (as click 8.2+ does)."""
        if not args and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), err=True, color=ctx.color)
            ctx.exit(EXIT_UNUSABLE)
        return super().parse_args(ctx, args)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse the group's own options; usage errors become :class:`ShortUsageError`."""
        with short_usage_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        """Find and run the command; usage errors become :class:`ShortUsageError`.

        Library warnings (numpy, matplotlib) are captured, not printed: a command that
        exits 0 or 1 leaves stderr empty (``analyze`` turns those that matter into notes
        of its reports). An exception no command expected -- a bug -- is one error line
        and exit 2 (:func:`internal_error`), never a traceback; set
        ``FITDOCTOR_TRACEBACK=1`` to see the traceback instead.
        """
        with short_usage_errors(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return super().invoke(ctx)
            except (click.exceptions.Exit, click.ClickException, click.Abort):
                raise
            except Exception as exc:
                if os.environ.get("FITDOCTOR_TRACEBACK"):
                    raise
                internal_error(exc)
                ctx.exit(EXIT_UNUSABLE)
