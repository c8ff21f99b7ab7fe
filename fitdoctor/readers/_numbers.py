"""Numbers and epochs as readers find them: cells parsed to floats, epoch columns checked.

Every reader parses a metric's cells with :func:`numbers` (text, numpy scalars, ``None``
gaps, pandas' empty cells as :data:`MISSING`; a metric of vectors or text raises
:class:`Vector` and is left out) and an epoch column with :func:`whole_numbers` and
:func:`one_based`; :func:`val_positions` places a validation curve logged less often
than the training one. :mod:`fitdoctor.readers._base` builds the runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeGuard

from fitdoctor.errors import InputError

#: Sentinel for a missing value whose meaning (gap or NaN) is decided later (pandas inputs).
MISSING: Any = object()

_NONE_TYPE = type(None)
_FLOAT_ONLY = frozenset({float})
_PLAIN_NUMBERS = frozenset({float, int, _NONE_TYPE})


class Vector(Exception):
    """A metric holds vectors (one per epoch) or text, not numbers: it is left out."""


# -------------------------------------------------------------------- number parsing


def numbers(
    vals: Sequence[Any],
    display: str,
    key: str,
    *,
    epoch_of: Callable[[int], int] | None = None,
    tabular: bool = False,
) -> list[Any]:
    """Convert one metric's values to ``float | None`` (``MISSING`` kept for tables).

    Plain ``float``/``int`` lists (the common case) take a fast path. Otherwise each value
    is checked: numpy scalars convert, ``bool`` and text are errors naming the epoch, and
    a metric whose every value is a vector raises :class:`Vector`. With ``tabular`` a
    column of nothing but text is a :class:`Vector` too (left out), and ``MISSING``
    passes through.

    Args:
        vals: The values.
        display: The source, for errors.
        key: The metric's logged name, for errors.
        epoch_of: Row index → epoch number, for errors. Defaults to `None` (value index).
        tabular: Values come from a table (see above). Defaults to `False`.

    Returns:
        The values as floats, ``None`` for gaps (``MISSING`` kept).

    Raises:
        InputError: Text or a boolean among numbers.
        Vector: The metric holds vectors or only text.
    """
    kinds = set(map(type, vals))
    if kinds <= _FLOAT_ONLY:
        return list(vals)
    if kinds <= _PLAIN_NUMBERS:
        return [v if v is None else to_float(v) for v in vals]
    out: list[Any] = []
    bad: tuple[int, Any] | None = None
    n_vectors = n_numbers = 0
    for i, v in enumerate(vals):
        if v is None or v is MISSING:
            out.append(v)
            continue
        if isinstance(v, (float, int)) and not isinstance(v, bool):
            out.append(to_float(v))
            n_numbers += 1
            continue
        if isinstance(v, (list, tuple)) or getattr(v, "ndim", 0) >= 1:
            if getattr(v, "size", 0) == 1 and hasattr(v, "item"):
                v = v.item()  # a 1-element array is a number
            else:
                n_vectors += 1
                out.append(None)
                continue
        if is_number_like(v):
            try:
                out.append(float(v))
            except (TypeError, ValueError, OverflowError):
                pass
            else:
                n_numbers += 1
                continue
        if bad is None:
            bad = (i, v)
        out.append(None)
    if bad is not None and not (tabular and n_numbers == 0 and n_vectors == 0):
        i, v = bad
        where = f"epoch {epoch_of(i)}" if epoch_of is not None else f"value {i + 1}"
        raise InputError(
            f"{display}: metric {key!r}, {where}: expected a number, got {describe(v)}"
        )
    if n_vectors and n_numbers:
        raise InputError(f"{display}: metric {key!r} mixes numbers and lists")
    if n_vectors or (bad is not None and n_numbers == 0):
        raise Vector
    return out


def to_float(v: float | int) -> float:
    """``float(v)``, with integers beyond the float range read as ``±inf`` (not an error)."""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def is_number_like(v: Any) -> bool:
    """Tell numpy / tensor scalars: they have ``__float__``, are not text, bool or complex."""
    if isinstance(v, (str, bytes, bool, complex)) or not hasattr(v, "__float__"):
        return False
    dtype = getattr(v, "dtype", None)
    return getattr(dtype, "kind", "f") in "fiu"


def describe(v: Any) -> str:
    """A value, described for an error message (``"text 'abc'"``, ``"an object"``)."""
    if v is MISSING:
        return "an empty cell"
    if is_boolean(v):
        return f"boolean {bool(v)!r}"
    if isinstance(v, str):
        text = v if len(v) <= 30 else v[:27] + "..."
        return f"text {text!r}"
    if isinstance(v, Mapping):
        return "an object"
    if isinstance(v, (int, float)):
        return f"a number ({v!r})"
    if v is None:
        return "null"
    return f"a {type(v).__name__}"


def is_boolean(v: Any) -> bool:
    """A ``bool`` or a numpy boolean scalar."""
    return isinstance(v, bool) or getattr(getattr(v, "dtype", None), "kind", "") == "b"


def is_number(v: Any) -> TypeGuard[int | float]:
    """A JSON number (``bool`` excluded)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# --------------------------------------------------------------------------- epochs


def whole_numbers(cells: Sequence[Any], display: str, what: str = "epoch") -> list[int]:
    """Parse a column of epoch (or step) numbers: whole numbers >= 0.

    Args:
        cells: Numbers, or text holding numbers.
        display: The source, for errors.
        what: The column, for errors. Defaults to ``"epoch"``.

    Returns:
        The numbers.

    Raises:
        InputError: A cell that is not a whole number >= 0, naming its row.
    """
    out: list[int] = []
    for row, cell in enumerate(cells, start=1):
        value: Any = cell
        if isinstance(cell, str):
            try:
                value = float(cell)
            except ValueError:
                value = cell
        if (
            not is_number(value)
            or not math.isfinite(value)
            or value != int(value)
            or value < 0
        ):
            raise InputError(
                f"{display}: {what} column, row {row}: expected a whole number >= 0, "
                f"got {describe(cell)}"
            )
        out.append(int(value))
    return out


def one_based(raw: list[int], notes: list[str], *, zero_based: bool | None = None) -> list[int]:
    """Epoch numbers made 1-based, as Keras prints them ("Epoch 1/10").

    A sequence that starts at 0 counts as Keras does internally (CSVLogger, History):
    1 is added. One that starts higher is taken as 1-based already (``Run.to_frame()``
    exports, most hand-written logs), with a note: a CSVLogger file of a run resumed
    with ``initial_epoch`` into a fresh file is then off by one.

    Args:
        raw: Epoch numbers as logged, increasing.
        notes: Where the note goes.
        zero_based: Decided already (a later run of a file follows the first). Defaults
            to `None` (decide from ``raw``).

    Returns:
        The 1-based numbers.
    """
    if not raw:
        return raw
    if zero_based is None:
        zero_based = raw[0] == 0
        if not zero_based:
            notes.append(f"epoch column starts at {raw[0]}: read as 1-based epoch numbers")
    return [e + 1 for e in raw] if zero_based else list(raw)


def val_positions(epochs: list[int], m: int) -> tuple[list[int], int | None, str]:
    """Rows of ``m`` validation values in a history with these (1-based) epochs, 0 < m < n.

    Keras validates after 1-based epoch ``e`` when ``e % validation_freq == 0`` (the
    epoch counts from the start of training, ``initial_epoch`` included), so a run over
    epochs 1..n has ``n // f`` validation values. Of the frequencies that give ``m``
    values, the largest is taken: it puts the last validation closest to the end, where
    ``EarlyStopping`` on a ``val_`` metric stops a run.

    Args:
        epochs: The run's epoch numbers.
        m: How many validation values there are.

    Returns:
        ``(rows, validation_freq or None, note)``.
    """
    n = len(epochs)
    first, last = epochs[0], epochs[-1]
    fits: list[int] = []
    if last - first + 1 == n:  # contiguous: count multiples of f in [first, last]
        fits = [
            f for f in range(n // (m + 1) + 1, last // m + 1) if last // f - (first - 1) // f == m
        ]
    if fits:
        f = fits[-1]
        pos = [i for i, e in enumerate(epochs) if e % f == 0]
        note = (
            f"val_* lists have {_values(m)} for {n} epochs: assumed validation_freq={f} "
            f"(validation after epochs {_epoch_list(epochs, pos)})"
        )
        if len(fits) > 1:
            others = ", ".join(str(x) for x in fits[:-1][-3:])
            note += f"; validation_freq {others} would also fit"
        return pos, f, note
    pos = [round((k + 1) * n / m) - 1 for k in range(m)]
    note = (
        f"val_* lists have {_values(m)} for {n} epochs, which no single validation_freq "
        f"explains: spread them evenly (epochs {_epoch_list(epochs, pos)})"
    )
    return pos, None, note


def _values(m: int) -> str:
    return f"{m} value" if m == 1 else f"{m} values"


def _epoch_list(epochs: list[int], rows: list[int]) -> str:
    shown = ", ".join(str(epochs[p]) for p in rows[:4])
    return shown + (f", ... {epochs[rows[-1]]}" if len(rows) > 4 else "")
