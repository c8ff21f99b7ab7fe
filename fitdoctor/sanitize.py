r"""Make text safe for a terminal, a CI log or a Markdown page: the one sanitizer.

Everything fitdoctor prints can carry strings from its input -- metric names, run names,
file names, rule-pack text, messages built from them -- and a history is often a
file someone else wrote. Printed raw, such a string could clear the screen or recolour
the log (ANSI escape sequences), reorder what the reader sees (bidi overrides such as
U+202E), forge a line (newlines, carriage returns, U+2028/U+2029, which some viewers
treat as line breaks), or make printing fail (a lone surrogate cannot be encoded). This
module turns each such character into a visible escape:

=====================================================  ============================
characters                                             shown as
=====================================================  ============================
C0 controls (but tab and newline), DEL, C1 controls    ``\x1b``, ``\x7f``, ``\x9b``
bidi marks, embeddings, overrides and isolates         ``\u202e``
(U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)
line and paragraph separators U+2028, U+2029           ``\u2028``
lone surrogates (U+D800-U+DFFF)                        ``\ud800``
=====================================================  ============================

:func:`safe_line` is for one-line strings (a name, a message, an error line): newlines,
carriage returns and tabs also become spaces, so the string cannot start a line of its
own. :func:`safe_text` is for a whole rendered output: it keeps newlines and tabs (the
renderer put them there) and escapes the rest, so it never adds a line break.
Both are idempotent and leave every other character as it is (accents, CJK, emoji).

Standard library only: the reporters, the command line and the plots use it.
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "is_safe", "safe_line", "safe_text"]

#: Every character that must not reach a terminal raw (tab and newline included:
#: :func:`safe_text` keeps those two).
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff]"
)
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_but_layout(match: re.Match[str]) -> str:
    char = match.group()
    return char if char in "\n\t" else _escape(match)


def safe_line(text: object) -> str:
    r"""``str(text)`` on one line, every unsafe character escaped.

    Newlines, carriage returns and tabs become single spaces; other controls, bidi
    controls, line separators and lone surrogates become ``\xNN`` / ``\uNNNN``.

    Args:
        text: Anything (``str()`` is applied).

    Returns:
        The printable line.
    """
    return UNSAFE.sub(_escape, _LINE_BREAKS.sub(" ", str(text)))


def safe_text(text: str) -> str:
    r"""A rendered, multi-line output with every unsafe character escaped.

    Newlines and tabs are kept; everything else :data:`UNSAFE` matches (carriage
    returns included) is escaped, so no line break is added.

    Args:
        text: The output.

    Returns:
        The printable text.
    """
    return UNSAFE.sub(_escape_but_layout, text)


def is_safe(text: str, *, multiline: bool = True) -> bool:
    """Whether ``text`` is printable as it is (:func:`safe_text` would not change it).

    Args:
        text: The text.
        multiline: Newlines and tabs are allowed. Defaults to `True`.

    Returns:
        True when nothing would be escaped.
    """
    return (safe_text(text) if multiline else safe_line(text)) == text
