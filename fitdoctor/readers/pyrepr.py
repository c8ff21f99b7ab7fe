"""Python's printed values read as data: ``print(history.history)`` saved to a file.

``str(history.history)`` writes ``{'loss': [0.69, 0.52], 'val_loss': [0.71, nan]}``: single
quotes, ``nan``/``inf``, ``None``/``True``/``False``, and under NumPy 2 scalars printed as
``np.float64(0.69)``. That is not JSON. :func:`python_literal` turns such text into the same
value by its tokens alone (nothing is evaluated): strings, numbers, brackets, braces, colons
and commas, those names, and the NumPy scalar wrappers. Anything else (a call, an array
with a ``dtype``, a tuple) makes it give up, and the caller reports the text as invalid JSON.
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
from typing import Any

from fitdoctor.readers._base import json_loads

__all__ = ["python_literal"]

#: Python's names for constants → JSON's (``json_loads`` accepts ``NaN`` and ``Infinity``).
_CONSTANTS = {"nan": "NaN", "inf": "Infinity", "None": "null", "True": "true", "False": "false"}
#: NumPy scalar wrappers printed around a number (``np.float64(0.5)``): left out.
_WRAPPERS = frozenset({"np", "numpy", "float16", "float32", "float64", "int32", "int64"})
_PUNCTUATION = frozenset({"{", "}", "[", "]", ":", ","})


def python_literal(text: str) -> Any | None:
    """The value of a printed Python dict or list of numbers and strings, or ``None``.

    Args:
        text: The file's text.

    Returns:
        The value (as :func:`~fitdoctor.readers._base.json_loads` would give for the
        same data written as JSON), or ``None`` when the text is not such a value.
    """
    parts: list[str] = []
    minus = False  # a "-" read: it prefixes the next number or constant
    wrapped = 0  # open NumPy wrappers: their closing parenthesis is left out too
    pending = False  # a wrapper's name was read; its "(" comes next
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, s = tok.type, tok.string
            if kind in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                        tokenize.ENDMARKER, tokenize.COMMENT):
                continue
            if kind == tokenize.STRING:
                value = ast.literal_eval(s)  # a string literal alone: nothing runs
                if not isinstance(value, str) or minus:
                    return None
                parts.append(json.dumps(value))
            elif kind == tokenize.NUMBER:
                if not s.replace(".", "").replace("e", "").replace("E", "").replace(
                        "-", "").replace("+", "").isdigit():
                    return None  # 0x1f, 1_000, 3j: not a number JSON writes
                parts.append("-" + s if minus else s)
                minus = False
            elif kind == tokenize.NAME and s in _CONSTANTS:
                if minus and s != "inf":
                    return None
                parts.append("-" + _CONSTANTS[s] if minus else _CONSTANTS[s])
                minus = False
            elif kind == tokenize.OP and s == "-" and not minus:
                minus = True
            elif kind == tokenize.NAME and s in _WRAPPERS:
                pending = True
            elif kind == tokenize.OP and s == "." and pending:
                continue
            elif kind == tokenize.OP and s == "(" and pending:
                pending = False
                wrapped += 1
            elif kind == tokenize.OP and s == ")" and wrapped:
                wrapped -= 1
            elif kind == tokenize.OP and s in _PUNCTUATION and not pending and not minus:
                parts.append(s)
            else:
                return None
    except (tokenize.TokenError, SyntaxError, ValueError, IndentationError):
        return None
    if not parts or parts[0] not in ("{", "[") or wrapped or pending or minus:
        return None
    try:
        return json_loads(" ".join(parts))
    except (json.JSONDecodeError, RecursionError):
        return None
