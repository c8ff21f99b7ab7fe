"""Curves printed one per line: ``print(f"Val Loss List: {val_losses}")`` saved as text.

::

    Best Accuracy: 0.5000
    Val Loss List: [2.0139, 1.3750, 1.2611]
    Val Acc List: [0.4101, 0.5, 0.4927]

Every non-blank line is ``name: value`` (or ``name = value``): a list of numbers as Python
prints it (read by :func:`~fitdoctor.readers.pyrepr.python_literal`: ``nan``,
``np.float64(0.5)``), or one number (``81%`` is 0.81). At least one list has
:data:`MIN_VALUES` numbers. The lines make one object, read as ``json.dump(history.history,
f)`` is (:func:`~fitdoctor.readers.json_files.read_value`: lists are curves, numbers are
facts); a name printed again starts another run (one key per run, ``run 1``, ``run 2``).
"""

from __future__ import annotations

import re
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Source
from fitdoctor.readers.pyrepr import python_literal
from fitdoctor.run import Run

__all__ = ["MIN_VALUES", "read", "sniff"]

#: Numbers the longest printed list needs for the text to be curves.
MIN_VALUES = 2
_SNIFF_BYTES = 1 << 20
_LINE = re.compile(r"\s*([A-Za-z][\w ./()-]{0,80}?)\s*[:=]\s*(\S.*)")
_SCALAR = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?|[-+]?(?:nan|inf)", re.I)


def _value(text: str) -> list[Any] | float | None:
    if _SCALAR.fullmatch(text):
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    if not text.startswith("["):
        return None
    value = python_literal(text)
    if not isinstance(value, list):
        return None
    if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
               for v in value):
        return None
    return value


def _blocks(text: str) -> list[dict[str, Any]] | None:
    blocks: list[dict[str, Any]] = [{}]
    longest = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _LINE.match(line)
        value = _value(m.group(2).rstrip()) if m else None
        if m is None or value is None:
            return None
        name = m.group(1)
        if name in blocks[-1]:
            blocks.append({})
        blocks[-1][name] = value
        if isinstance(value, list):
            longest = max(longest, len(value))
    return blocks if longest >= MIN_VALUES else None


def sniff(source: Source) -> bool:
    """Text whose every line is ``name: [numbers]`` or ``name: number``, with a curve."""
    text = source.text
    if len(text) > _SNIFF_BYTES:
        return False
    return _blocks(text) is not None


def read(source: Source) -> list[Run]:
    """Read the printed curves as a history (several runs if names repeat).

    Args:
        source: The file.

    Returns:
        The runs.

    Raises:
        InputError: Not such lines, or no usable history in them.
    """
    from fitdoctor.readers.json_files import read_value

    blocks = _blocks(source.text)
    if blocks is None:
        raise InputError(
            f"{source.display}: expected one 'name: [values]' line per curve"
        )
    value: dict[str, Any] = (
        blocks[0] if len(blocks) == 1
        else {f"run {i}": block for i, block in enumerate(blocks, 1)}
    )
    runs = read_value(value, source)
    for run in runs:
        run.meta.setdefault("notes", []).append(
            "read from printed 'name: [values]' lines (one curve per line)"
        )
    return runs
