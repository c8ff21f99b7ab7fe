"""Reporters: one module per output format, all rendering to a string.

Formats (:data:`FORMATS`):

- ``rich``: the terminal report (colour when asked), loss sparkline with the best epoch.
- ``text``: the same content as plain text for logs: no ANSI, no box drawing.
- ``markdown``: for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.
- ``json``: the ``"fitdoctor.report/1"`` contract; one report is an object, several
  reports are JSON Lines (one such object per line).
- ``github``: GitHub Actions workflow commands (annotations), capped at 10.
- ``html``: one self-contained HTML page (plots embedded, no scripts, no network);
  rendered by name but not in :data:`FORMATS` (its golden files would embed a PNG
  that depends on the matplotlib version; tests/test_html.py covers it).

Example::

    from fitdoctor.reporters import render
    print(render(report, "text", run=run), end="")

Each format module is imported only when used, so ``--format json`` never imports rich.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from fitdoctor.errors import ConfigError
from fitdoctor.sanitize import safe_text

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.run import Run

__all__ = ["FORMATS", "choose_auto", "render", "render_many", "wants_color"]

#: Output formats, in the order the CLI lists them.
FORMATS = ("rich", "text", "markdown", "json", "github")

_MODULES = {
    "rich": "fitdoctor.reporters.rich_terminal",
    "text": "fitdoctor.reporters.text",
    "markdown": "fitdoctor.reporters.markdown",
    "json": "fitdoctor.reporters.json_report",
    "github": "fitdoctor.reporters.github",
    "html": "fitdoctor.reporters.html",
}


class _Renderer(Protocol):
    def __call__(
        self, items: Sequence[tuple[Report, Run | None]], *, width: int = ..., color: bool = ...
    ) -> str: ...


def _renderer(fmt: str) -> _Renderer:
    try:
        module = importlib.import_module(_MODULES[fmt])
    except KeyError:
        raise ConfigError(
            f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}"
        ) from None
    fn: _Renderer = module.render_many
    return fn


def render(
    report: Report,
    fmt: str,
    *,
    width: int = 100,
    color: bool = False,
    run: Run | None = None,
) -> str:
    """Render one report.

    Args:
        report: The report.
        fmt: One of :data:`FORMATS`.
        width: Output width for ``rich`` and ``text``. Defaults to `100`.
        color: ANSI colour for ``rich``. Defaults to `False`.
        run: The analyzed run; ``rich``, ``text`` and ``markdown`` draw its loss
            sparkline. Defaults to `None` (no sparkline).

    Returns:
        The whole output, ending with a newline.

    Raises:
        ConfigError: ``fmt`` is not a known format.
    """
    return _finish(_renderer(fmt)([(report, run)], width=width, color=color), fmt, color)


def render_many(
    reports: Sequence[tuple[Report, Run | None]],
    fmt: str,
    *,
    width: int = 100,
    color: bool = False,
) -> str:
    """Render the reports of several runs as one output.

    ``rich``/``text``: the reports one after the other, separated by a rule, then a
    totals line. ``markdown``: a title with the totals, then one section per report.
    ``json``: JSON Lines, one report object per line (one report alone is the indented
    object, as :func:`render` writes it). ``github``: the annotations of all reports, capped at
    10 in all, most severe first.

    Args:
        reports: ``(report, run)`` pairs, ``run`` may be ``None``.
        fmt: One of :data:`FORMATS`.
        width: Output width for ``rich`` and ``text``. Defaults to `100`.
        color: ANSI colour for ``rich``. Defaults to `False`.

    Returns:
        The whole output.

    Raises:
        ConfigError: ``fmt`` is not a known format.
    """
    renderer = _renderer(fmt)
    if not reports:
        return "[]\n" if fmt == "json" else ""
    return _finish(renderer(list(reports), width=width, color=color), fmt, color)


def _finish(text: str, fmt: str, color: bool) -> str:
    """The rendered text with anything unsafe for a terminal escapes (:mod:`fitdoctor.sanitize`).

    Every reporter cleans the strings it takes from the run; this pass makes sure of
    the whole output. Not for HTML (escaped as HTML) nor rich with colour (its own
    ANSI escapes; its strings are cleaned as it renders them).
    """
    if fmt == "html" or (fmt == "rich" and color):
        return text
    return safe_text(text)


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in ("", "0", "false", "no")


def choose_auto(isatty: bool, env: Mapping[str, str]) -> str:
    """The format ``--format auto`` means: ``rich`` on a terminal, else ``text``.

    ``text`` is chosen when stdout is not a TTY, when ``CI`` is set (to anything but
    ``""``, ``0``, ``false``, ``no``) or when ``TERM=dumb``. ``NO_COLOR`` does not change
    the format, only the colour (:func:`wants_color`). ``github`` is never chosen
    automatically: ask for it with ``--format github``.

    Args:
        isatty: Whether stdout is a terminal.
        env: The environment (``os.environ``).

    Returns:
        ``"rich"`` or ``"text"``.
    """
    if not isatty or _truthy(env.get("CI")) or env.get("TERM") == "dumb":
        return "text"
    return "rich"


def wants_color(isatty: bool, env: Mapping[str, str]) -> bool:
    """Whether the ``rich`` report should be coloured.

    ``NO_COLOR`` (non-empty) turns colour off, ``FORCE_COLOR`` (non-empty) turns it on;
    otherwise colour goes to terminals that are not ``TERM=dumb``.

    Args:
        isatty: Whether stdout is a terminal.
        env: The environment (``os.environ``).

    Returns:
        True to colour.
    """
    if env.get("NO_COLOR", "") != "":
        return False
    if env.get("FORCE_COLOR", "") != "":
        return True
    return isatty and env.get("TERM") != "dumb"
