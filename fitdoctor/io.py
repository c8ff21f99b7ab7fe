"""Read every supported input into a :class:`~fitdoctor.run.Run`; write run files atomically.

Formats are recognised by their *content*, never by the file name alone:

* **fitdoctor run log** -- JSON Lines opening with ``{"schema": "fitdoctor.run/2"``, the
  append-only file the callback writes (read by :mod:`fitdoctor.runlog`).
* **fitdoctor run JSON** -- an object with ``"schema": "fitdoctor.run/1"`` (what
  :func:`save` writes). Another schema version is an error that names it.
* **Keras History JSON** -- ``json.dump(history.history, f)``: an object of metric name →
  list of numbers. ``NaN``/``Infinity`` (what ``json.dump`` writes for a diverged run)
  are values, ``null`` is a gap. With ``validation_freq > 1`` Keras logs the ``val_*``
  metrics only after the epochs ``e`` with ``e % validation_freq == 0`` (1-based), so
  those lists are shorter: they are aligned to their epochs, gaps in between. The
  frequency is inferred as the largest ``f`` with ``n_train // f == n_val``; when another
  ``f`` would fit too, or none does (``initial_epoch``, a list ``validation_freq``), the
  assumption is recorded in ``run.meta["notes"]``. ``val_*`` lists longer than the
  training lists are an error. A history with only ``val_*`` metrics loads (its rows are
  epochs 1..n); rules that need a training curve are then skipped. Metrics whose values
  are vectors (``F1Score(average=None)``) are left out, with a note.
* **pandas JSON** -- ``DataFrame(history.history).to_json()``: metric → {row → value}.
* **CSV** (the delimiter is sniffed from the header: ``,`` ``;`` tab ``|``):

  - ``keras.callbacks.CSVLogger``'s: an ``epoch`` column, 0-based as Keras counts
    (epochs become 1-based; an ``epoch`` column that starts above 0 is taken as 1-based
    already, with a note), ``NA`` or an empty cell for a metric not logged that epoch
    (``validation_freq``). Columns with no value at all are dropped (CSVLogger invents
    ``val_*`` columns for a run without validation). Several runs appended into one file
    (the ``epoch`` column going back) are an error.
  - ``DataFrame(history.history).to_csv()``'s: an unnamed first (index) column.
  - other loggers' files with no epoch column: rows are epochs 1..n.

  A column whose cells are all text is ignored (with a note); text among numbers is an
  error naming the metric and the epoch.
* **in-process** (:func:`from_any`): a :class:`Run`, a path, a ``dict`` (history or run
  dict), a keras ``History`` (duck-typed: ``.history``, ``.epoch``, ``.params``; keras is
  never imported), a pandas ``DataFrame`` (duck-typed; an ``epoch`` column is CSVLogger's,
  an index named ``epoch`` is :meth:`Run.to_frame`'s 1-based one).

pandas writes ``NaN`` as an empty CSV cell (and ``null`` in JSON), the same thing it
writes for a gap, so for pandas-made inputs a missing value is read as ``NaN`` in a
training metric (Keras logs those every epoch) and in a ``val_*`` metric whose training
counterpart is not finite that row (a diverged run), and as a gap otherwise.

Every unusable input raises :class:`~fitdoctor.errors.InputError` with one line that
names the input and the problem. Files larger than :data:`MAX_BYTES` are refused.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io as _io
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.run import FitInfo, Run

__all__ = ["MAX_BYTES", "dumps", "from_any", "load", "save"]

#: Largest file :func:`load` reads (64 MiB): a 10,000-epoch history with a dozen metrics
#: is about 2 MiB, so anything bigger is not a history.
MAX_BYTES = 64 * 1024 * 1024

_NONE_TYPE = type(None)
_FLOAT_ONLY = frozenset({float})
_PLAIN_NUMBERS = frozenset({float, int, _NONE_TYPE})
#: CSV cells that mean "not logged" (compared lower-cased, stripped).
_CSV_MISSING = frozenset({"", "na", "n/a", "<na>", "null", "none"})
_NON_SPACE = re.compile(r"\S")

# Sentinel for a missing value whose meaning (gap or NaN) is decided later (pandas inputs).
_MISSING: Any = object()


class _Vector(Exception):
    """A metric holds vectors (one per epoch), not numbers: it is left out."""


# ----------------------------------------------------------------------------- public


def load(path: str | os.PathLike[str]) -> Run:
    """Read a run file, Keras History JSON or CSV, recognised by its content.

    Args:
        path: The file.

    Returns:
        The run, with ``source`` (``"fitdoctor"``, ``"keras-history"`` or ``"csv"``) and
        ``name`` (the file name, unless a run file carries its own) set.

    Raises:
        InputError: The file is missing, unreadable, too large, not UTF-8 text, or not a
            usable history; the message is one line naming the file and the problem.
    """
    display = os.fspath(path)
    from fitdoctor import runlog  # the callback's append-only run log, fitdoctor.run/2

    if runlog.sniff_path(display):
        return runlog.read(display)
    name = os.path.basename(display) or display
    text = _read_text(display)
    first = _NON_SPACE.search(text)
    if first is not None and first.group() in "{[":
        return _from_json_value(_parse_json(text, display), display, name)
    # Not JSON-looking: a bare JSON scalar ("text", 42, true) is still JSON of the wrong
    # shape; anything else is treated as CSV.
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return _from_csv(text, display, name)
    return _from_json_value(value, display, name)


def from_any(obj: Any) -> Run:
    """Turn whatever the user has into a :class:`Run`.

    Args:
        obj: A :class:`Run` (returned as is), a path (``str`` or ``os.PathLike``), a
            history ``dict`` (or a run dict with ``"schema"``), a keras ``History`` or a
            pandas ``DataFrame``.

    Returns:
        The run.

    Raises:
        InputError: ``obj`` is none of these, or does not hold a usable history.
    """
    if isinstance(obj, Run):
        return obj
    if isinstance(obj, (str, os.PathLike)):
        return load(obj)
    if isinstance(obj, Mapping):
        if isinstance(obj.get("schema"), str):
            return _from_run_dict(dict(obj), "run dict", "")
        return _from_history(obj, "history dict", name="", source="keras-history")
    history = getattr(obj, "history", None)
    if isinstance(history, Mapping) and not _is_frame(obj):
        return _from_history_object(obj, history)
    if _is_frame(obj):
        return _from_frame(obj)
    raise InputError(
        f"cannot analyze a {type(obj).__name__}: pass a path, a keras History, "
        "a dict of metric lists, a pandas DataFrame or a fitdoctor Run"
    )


def dumps(run: Run) -> str:
    """The text :func:`save` writes: the run's JSON, indented, flat lists on one line.

    Args:
        run: The run.

    Returns:
        JSON text (``NaN``/``Infinity`` tokens for non-finite values) ending in a newline.

    Raises:
        TypeError: ``run.meta`` (or another free-form field) holds a value JSON cannot encode.
    """
    return _render(run.to_dict(), 0) + "\n"


#: Schemas of result files that hold several runs (cross-validation, learning curves).
DOCUMENT_SCHEMAS = ("fitdoctor.cv/", "fitdoctor.learning-curve/")


def is_document_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` holds a cross-validation or learning-curve result, not one run.

    Reads at most the first 4 KiB: fitdoctor writes ``"schema"`` as the first key. Any
    read error means ``False`` (the run loader then reports it).
    """
    try:
        with open(os.fspath(path), "rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="ignore")
    except OSError:
        return False
    start = head.lstrip()[:200]
    return start.startswith("{") and any(f'"{s}' in start for s in DOCUMENT_SCHEMAS)


def save(run: Run, path: str | os.PathLike[str]) -> None:
    """Write ``run`` to ``path`` atomically: readers see the old file or the new one.

    The JSON is written to a temporary file in the same folder, flushed and fsynced, then
    moved over ``path`` with :func:`os.replace`. On any failure the temporary file is
    removed and ``path`` is left as it was.

    Args:
        run: The run.
        path: Destination file.

    Raises:
        TypeError: The run holds a value JSON cannot encode (nothing is written).
        OSError: The folder is not writable or the disk is full (``path`` is untouched).
    """
    write_text_atomic(dumps(run), path)


def write_json_atomic(data: Any, path: str | os.PathLike[str]) -> None:
    """Write any JSON-ready value the way run files are written, atomically.

    Args:
        data: JSON-ready value (NaN and infinities become ``NaN``/``Infinity`` tokens).
        path: Destination file.
    """
    write_text_atomic(_render(data, 0) + "\n", path)


def write_text_atomic(text: str, path: str | os.PathLike[str]) -> None:
    """Write ``text`` to ``path`` atomically (temporary file, fsync, ``os.replace``).

    Args:
        text: The content.
        path: Destination file; on any failure it is left as it was.
    """
    data = text.encode("utf-8")
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise NotADirectoryError(errno.ENOENT, f"the folder {folder} does not exist", target)
    tmp = os.path.join(
        folder, f".{os.path.basename(target)}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)  # the umask applies, as for a plain open()
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


# ------------------------------------------------------------------------ reading files


def _read_text(display: str) -> str:
    try:
        with open(display, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_BYTES:
                raise InputError(f"{display}: file is {_mib(size)}, over the {_mib(MAX_BYTES)} cap")
            # Read what fstat promises (+1 to see growth); special files report 0.
            data = fh.read(size + 1 if size else MAX_BYTES + 1)
            if len(data) > size:  # growing or special file: read on, up to the cap
                data += fh.read(MAX_BYTES + 1 - len(data))
    except FileNotFoundError:
        raise InputError(f"{display}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{display}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{display}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{display}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{display}: file is over the {_mib(MAX_BYTES)} cap")
    if not data or data.isspace():
        raise InputError(f"{display}: empty file")
    if b"\x00" in data[:8192]:
        raise InputError(f"{display}: binary data, not a JSON or CSV history")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{display}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n} bytes"


def _parse_json(text: str, display: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        what = "truncated JSON" if at_end else "invalid JSON"
        raise InputError(
            f"{display}: {what} (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise InputError(f"{display}: JSON nested too deeply") from None


def _from_json_value(value: Any, display: str, name: str) -> Run:
    if not isinstance(value, dict):
        raise InputError(
            f"{display}: JSON {_json_kind(value)}, expected an object of metric lists "
            "(Keras History) or a fitdoctor run"
        )
    if "schema" in value and isinstance(value["schema"], str):
        return _from_run_dict(value, display, name)
    if value and all(isinstance(v, dict) for v in value.values()):
        return _from_pandas_json(value, display, name)
    if "metrics" in value and "epochs" in value and isinstance(value["metrics"], dict):
        raise InputError(f"{display}: looks like a fitdoctor run file without its 'schema' key")
    return _from_history(value, display, name=name, source="keras-history")


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _from_run_dict(data: dict[str, Any], display: str, name: str) -> Run:
    schema = data["schema"]
    if isinstance(schema, str) and schema.startswith("fitdoctor.report/"):
        raise InputError(f"{display}: this is a fitdoctor report ({schema}), not a run")
    try:
        run = Run.from_dict(data)
    except InputError as exc:
        raise InputError(f"{display}: {_one_line(str(exc))}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"{display}: malformed run file: {_one_line(str(exc))}") from None
    if run.source == "unknown":
        run.source = "fitdoctor"
    if not run.name:
        run.name = name
    return run


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ----------------------------------------------------------------------- histories


def _from_history(
    hist: Mapping[Any, Any],
    display: str,
    *,
    name: str,
    source: str,
    epoch_numbers: Sequence[Any] | None = None,
    fit: FitInfo | None = None,
    status: str = "unknown",
) -> Run:
    """Build a run from a Keras-History-like mapping (metric → list, val_* maybe shorter)."""
    if not hist:
        raise InputError(f"{display}: no metrics (empty object)")
    raw: dict[str, Sequence[Any]] = {}
    for key, vals in hist.items():
        label = str(key)
        if isinstance(vals, (list, tuple)):
            raw[label] = vals
        elif hasattr(vals, "tolist") and getattr(vals, "ndim", 0) == 1:  # numpy array
            raw[label] = vals.tolist()
        else:
            raise InputError(
                f"{display}: metric {label!r} is {_describe(vals)}, expected a list of "
                "numbers (one per epoch)"
            )
    notes: list[str] = []
    epoch_col = raw.pop("epoch", None) if "epoch" in raw and len(raw) > 1 else None
    train = [k for k in raw if not k.startswith("val_")]
    lengths = {k: len(raw[k]) for k in raw}
    ref = train or list(raw)
    n = max(lengths[k] for k in ref)
    for k in ref:
        if lengths[k] != n:
            longest = max(ref, key=lengths.__getitem__)
            raise InputError(
                f"{display}: metric {k!r} has {lengths[k]} values but {longest!r} has {n}"
            )
    if n == 0:
        raise InputError(f"{display}: no epochs (every metric list is empty)")
    if not train:
        notes.append("history has only validation metrics")
    if epoch_col is not None:
        if len(epoch_col) != n:
            raise InputError(f"{display}: 'epoch' has {len(epoch_col)} values for {n} epochs")
        epochs = _epochs(epoch_col, display, notes)
    elif epoch_numbers is not None:
        epochs = [int(e) + 1 for e in epoch_numbers]
    else:
        epochs = list(range(1, n + 1))

    metrics: dict[str, list[float | None]] = {}
    positions: dict[int, list[int]] = {}
    inferred_freq: int | None = None
    for key, vals in raw.items():
        m = len(vals)
        if m > n:
            raise InputError(
                f"{display}: {key!r} has {m} values but the training metrics have {n} epochs; "
                "val_* lists cannot be longer than the training lists"
            )
        if m == 0:
            notes.append(f"{key!r} left out: no value logged")
            continue
        try:
            values = _numbers(vals, display, key, epoch_of=epochs.__getitem__ if m == n else None)
        except _Vector:
            notes.append(f"{key!r} left out: it holds a vector per epoch, not a number")
            continue
        if m < n:
            if m not in positions:
                pos, freq, note = _val_positions(epochs, m)
                positions[m] = pos
                notes.append(note)
                inferred_freq = freq if inferred_freq is None else inferred_freq
            column: list[float | None] = [None] * n
            for p, v in zip(positions[m], values, strict=True):
                column[p] = v
            values = column
        metrics[key] = values
    if not metrics:
        raise InputError(f"{display}: no numeric metric (every metric is empty or holds vectors)")
    if inferred_freq is not None:
        fit = fit or FitInfo()
        if fit.validation_freq is None:
            fit.validation_freq = inferred_freq
    return _make_run(epochs, metrics, source, name, notes, fit=fit, status=status)


def _val_positions(epochs: list[int], m: int) -> tuple[list[int], int | None, str]:
    """Rows of ``m`` validation values in a history with these (1-based) epochs, 0 < m < n.

    Keras validates after 1-based epoch ``e`` when ``e % validation_freq == 0`` (the
    epoch counts from the start of training, ``initial_epoch`` included), so a run over
    epochs 1..n has ``n // f`` validation values. Of the frequencies that give ``m``
    values, the largest is taken: it puts the last validation closest to the end, where
    ``EarlyStopping`` on a ``val_`` metric stops a run.
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


def _from_history_object(obj: Any, history: Mapping[Any, Any]) -> Run:
    """A keras ``History`` (duck-typed): ``.history``, ``.epoch`` (0-based), ``.params``."""
    params = getattr(obj, "params", None)
    params = params if isinstance(params, Mapping) else {}
    epoch_list = getattr(obj, "epoch", None)
    lengths = [
        len(v)
        for k, v in history.items()
        if not str(k).startswith("val_") and hasattr(v, "__len__")
    ]
    n = max(lengths, default=0)
    numbers: list[int] | None = None
    if (
        isinstance(epoch_list, list)
        and len(epoch_list) == n > 0
        and all(isinstance(e, int) and not isinstance(e, bool) for e in epoch_list)
    ):
        numbers = epoch_list
    asked = params.get("epochs")
    steps = params.get("steps")
    fit = FitInfo(
        epochs=asked if isinstance(asked, int) else None,
        steps_per_epoch=steps if isinstance(steps, int) else None,
        initial_epoch=numbers[0] if numbers else 0,
    )
    status = "unknown"
    if fit.epochs is not None and n:
        last = numbers[-1] + 1 if numbers else n
        status = "completed" if last >= fit.epochs else "stopped-early"
    return _from_history(
        history,
        "History",
        name="",
        source="keras-history",
        epoch_numbers=numbers,
        fit=fit,
        status=status,
    )


# -------------------------------------------------------------------- number parsing


def _numbers(
    vals: Sequence[Any],
    display: str,
    key: str,
    *,
    epoch_of: Any = None,
    tabular: bool = False,
) -> list[Any]:
    """Convert one metric's values to ``float | None`` (``_MISSING`` kept for tables).

    Plain ``float``/``int`` lists (the common case) take a fast path. Otherwise each value
    is checked: numpy scalars convert, ``bool`` and text are errors naming the epoch, and
    a metric whose every value is a vector raises :class:`_Vector`. With ``tabular`` a
    column of nothing but text is a :class:`_Vector` too (left out), and ``_MISSING``
    passes through.
    """
    kinds = set(map(type, vals))
    if kinds <= _FLOAT_ONLY:
        return list(vals)
    if kinds <= _PLAIN_NUMBERS:
        return [v if v is None else float(v) for v in vals]
    out: list[Any] = []
    bad: tuple[int, Any] | None = None
    n_vectors = n_numbers = 0
    for i, v in enumerate(vals):
        if v is None or v is _MISSING:
            out.append(v)
            continue
        if isinstance(v, (float, int)) and not isinstance(v, bool):
            out.append(float(v))
            n_numbers += 1
            continue
        if isinstance(v, (list, tuple)) or getattr(v, "ndim", 0) >= 1:
            if getattr(v, "size", 0) == 1 and hasattr(v, "item"):
                v = v.item()  # a 1-element array is a number
            else:
                n_vectors += 1
                out.append(None)
                continue
        if _is_number_like(v):
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
            f"{display}: metric {key!r}, {where}: expected a number, got {_describe(v)}"
        )
    if n_vectors and n_numbers:
        raise InputError(f"{display}: metric {key!r} mixes numbers and lists")
    if n_vectors or (bad is not None and n_numbers == 0):
        raise _Vector
    return out


def _is_number_like(v: Any) -> bool:
    """Tell numpy / tensor scalars: they have ``__float__``, are not text, bool or complex."""
    if isinstance(v, (str, bytes, bool, complex)) or not hasattr(v, "__float__"):
        return False
    dtype = getattr(v, "dtype", None)
    return getattr(dtype, "kind", "f") in "fiu"


def _describe(v: Any) -> str:
    if v is _MISSING:
        return "an empty cell"
    if isinstance(v, bool):
        return f"boolean {v!r}"
    if isinstance(v, str):
        text = v if len(v) <= 30 else v[:27] + "..."
        return f"text {text!r}"
    if isinstance(v, (dict, Mapping)):
        return "an object"
    if isinstance(v, (int, float)):
        return f"a number ({v!r})"
    if v is None:
        return "null"
    return f"a {type(v).__name__}"


# ------------------------------------------------------------------- tabular inputs


def _from_csv(text: str, display: str, name: str) -> Run:
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t", "|"), key=first.count)
    rows = csv.reader(_io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    body: list[list[str]] = []
    try:
        for row in rows:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header = [c.strip() for c in row]
                continue
            if len(row) != len(header):
                raise InputError(
                    f"{display}: line {rows.line_num} has {len(row)} fields, "
                    f"the header has {len(header)}"
                )
            body.append(row)
    except csv.Error as exc:
        raise InputError(f"{display}: unreadable CSV (line {rows.line_num}: {exc})") from None
    if header is None:  # pragma: no cover - empty text is refused earlier
        raise InputError(f"{display}: empty file")
    if all(_is_float(c) for c in header):
        raise InputError(f"{display}: CSV has no header row (the first line is numbers)")
    if not body:
        raise InputError(f"{display}: CSV has a header but no rows")

    index_like = header[0] == "" or header[0].startswith("Unnamed: ")
    columns: dict[str, list[str]] = {}
    epoch_cells: list[str] | None = None
    cells_by_col = [list(c) for c in zip(*body, strict=True)]
    for i, col_name in enumerate(header):
        cells = cells_by_col[i]
        if i == 0 and index_like:
            continue
        if col_name.lower() == "epoch" and epoch_cells is None:
            epoch_cells = cells
            continue
        if col_name.startswith("Unnamed: "):
            continue  # an index pandas wrote, read back and wrote again
        if not col_name:
            if all(not c.strip() for c in cells):
                continue  # a trailing delimiter
            raise InputError(f"{display}: column {i + 1} has no name")
        if col_name in columns:
            raise InputError(f"{display}: duplicate column {col_name!r}")
        columns[col_name] = cells

    n = len(body)
    notes: list[str] = []
    epochs = _epochs(epoch_cells, display, notes) if epoch_cells is not None else None
    metrics: dict[str, list[Any]] = {}
    missing = _MISSING if index_like and epoch_cells is None else None
    for col_name, cells in columns.items():
        try:
            values = [float(c) for c in cells]
        except ValueError:
            parsed = [
                missing if c.strip().lower() in _CSV_MISSING else _csv_float(c) for c in cells
            ]
            try:
                values = _numbers(
                    parsed, display, col_name, epoch_of=_epoch_of(epochs), tabular=True
                )
            except _Vector:
                notes.append(f"column {col_name!r} left out: it holds text, not numbers")
                continue
        if all(v is None for v in values):
            notes.append(f"column {col_name!r} left out: no value logged")
            continue
        metrics[col_name] = values
    if not metrics:
        names = ", ".join(repr(c) for c in header if c) or "none"
        raise InputError(f"{display}: no numeric metric column in the CSV (columns: {names})")
    if missing is _MISSING:
        _resolve_missing(metrics)
    return _make_run(epochs or list(range(1, n + 1)), metrics, "csv", name, notes)


def _epoch_of(epochs: list[int] | None) -> Any:
    if epochs is None:
        return lambda i: i + 1
    return epochs.__getitem__


def _is_float(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv_float(cell: str) -> float | str:
    try:
        return float(cell)
    except ValueError:
        return cell.strip()


def _epochs(cells: Iterable[Any], display: str, notes: list[str]) -> list[int]:
    """Parse an ``epoch`` column into 1-based, strictly increasing epoch numbers.

    A column that starts at 0 counts as Keras does internally (CSVLogger): 1 is added.
    One that starts higher is taken as 1-based already (``Run.to_frame()`` exports, most
    hand-written logs), with a note: a CSVLogger file of a run resumed with
    ``initial_epoch`` into a fresh file is then off by one.
    """
    raw: list[int] = []
    for row, cell in enumerate(cells, start=1):
        value: Any = _csv_float(cell) if isinstance(cell, str) else cell
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value != int(value)
            or value < 0
        ):
            raise InputError(
                f"{display}: epoch column, row {row}: expected a whole number >= 0, "
                f"got {_describe(cell)}"
            )
        e = int(value)
        if raw and e <= raw[-1]:
            raise InputError(
                f"{display}: epoch column goes from {raw[-1]} back to {e} at row {row}: "
                "the file holds several runs (CSVLogger append=True?); split it"
            )
        raw.append(e)
    if raw and raw[0] == 0:
        return [e + 1 for e in raw]
    if raw:
        notes.append(f"epoch column starts at {raw[0]}: read as 1-based epoch numbers")
    return raw


def _resolve_missing(metrics: dict[str, list[Any]]) -> None:
    """Decide pandas' ambiguous missing values in place (see the module docstring)."""
    for key, values in metrics.items():
        if _MISSING not in values:
            continue
        if not key.startswith("val_"):
            metrics[key] = [math.nan if v is _MISSING else v for v in values]
            continue
    for key, values in metrics.items():
        if _MISSING not in values:
            continue
        base = key[4:] if key[4:] in metrics else "loss"
        partner = metrics.get(base)
        out: list[float | None] = []
        for i, v in enumerate(values):
            if v is _MISSING:
                p = partner[i] if partner is not None else None
                out.append(math.nan if p is not None and not math.isfinite(p) else None)
            else:
                out.append(v)
        metrics[key] = out


def _from_pandas_json(value: dict[str, Any], display: str, name: str) -> Run:
    """``DataFrame.to_json()`` (orient="columns"): metric → {row label → value}."""
    labels: dict[str, None] = {}
    for col in value.values():
        labels.update(dict.fromkeys(col))
    try:
        order = sorted(labels, key=float)
    except ValueError:
        bad = next(iter(value))
        raise InputError(
            f"{display}: metric {bad!r} is an object, expected a list of numbers (one per epoch)"
        ) from None
    columns = {k: [col.get(r, _MISSING) for r in order] for k, col in value.items()}
    columns = {k: [_MISSING if v is None else v for v in vals] for k, vals in columns.items()}
    return _from_columns(columns, display, name, "keras-history", epoch_column=True)


def _is_frame(obj: Any) -> bool:
    return (
        hasattr(obj, "columns")
        and hasattr(obj, "index")
        and callable(getattr(obj, "to_dict", None))
    )


def _from_frame(df: Any) -> Run:
    """A pandas ``DataFrame`` (duck-typed)."""
    try:
        raw = df.to_dict(orient="list")
    except Exception as exc:  # a foreign object: any failure is bad input
        raise InputError(f"DataFrame: cannot read its columns: {_one_line(str(exc))}") from None
    index = df.index
    columns: dict[str, list[Any]] = {}
    for key, vals in raw.items():
        # pandas stores NaN for both a gap and a diverged value: decide later.
        columns[str(key)] = [
            _MISSING if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in vals
        ]
    if getattr(index, "name", None) == "epoch":  # Run.to_frame(): 1-based epoch index
        epochs = [int(e) for e in index.tolist()]
        seconds = columns.pop("seconds", None)
        run = _from_columns(columns, "DataFrame", "", "dataframe", epochs=epochs)
        if seconds is not None:
            run.seconds = [None if v is _MISSING else float(v) for v in seconds]
        return run
    return _from_columns(columns, "DataFrame", "", "dataframe", epoch_column=True)


def _from_columns(
    columns: dict[str, list[Any]],
    display: str,
    name: str,
    source: str,
    *,
    epochs: list[int] | None = None,
    epoch_column: bool = False,
) -> Run:
    """Equal-length columns from pandas; missing values are ``_MISSING`` (ambiguous)."""
    if not columns:
        raise InputError(f"{display}: no columns")
    notes: list[str] = []
    if epoch_column and "epoch" in columns and len(columns) > 1:
        epochs = _epochs(columns.pop("epoch"), display, notes)
    n = len(next(iter(columns.values())))
    if n == 0:
        raise InputError(f"{display}: no rows")
    metrics: dict[str, list[Any]] = {}
    for key, vals in columns.items():
        if len(vals) != n:
            raise InputError(f"{display}: column {key!r} has {len(vals)} values for {n} rows")
        try:
            values = _numbers(vals, display, key, epoch_of=_epoch_of(epochs), tabular=True)
        except _Vector:
            notes.append(f"column {key!r} left out: it holds text or vectors, not numbers")
            continue
        if all(v is None or v is _MISSING for v in values):
            notes.append(f"column {key!r} left out: no value logged")
            continue
        metrics[key] = values
    if not metrics:
        raise InputError(f"{display}: no numeric metric column")
    _resolve_missing(metrics)
    return _make_run(epochs or list(range(1, n + 1)), metrics, source, name, notes)


# --------------------------------------------------------------------------- common


def _make_run(
    epochs: list[int],
    metrics: dict[str, list[float | None]],
    source: str,
    name: str,
    notes: list[str],
    *,
    fit: FitInfo | None = None,
    status: str = "unknown",
) -> Run:
    if not any("loss" in key.lower() for key in metrics):
        found = ", ".join(list(metrics)[:6]) + (", ..." if len(metrics) > 6 else "")
        raise InputError(
            f"{name or source}: no loss column (found: {found}); a Keras history always "
            "logs 'loss': is this a training history?"
        )
    meta: dict[str, Any] = {"notes": notes} if notes else {}
    return Run(
        epochs=epochs,
        metrics=metrics,
        source=source,
        name=name,
        fit=fit,
        status=status,
        meta=meta,
    )


def _render(value: Any, level: int) -> str:
    """Indented JSON where flat lists (and containers that fit in 88 columns) stay on one line.

    Built bottom-up so every value is encoded once: a 10,000-epoch run renders in
    about the time of a plain ``json.dumps``.
    """
    if not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, allow_nan=True)
    if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
        return json.dumps(value, allow_nan=True)
    if isinstance(value, dict):
        keys = [json.dumps(str(k)) + ": " for k in value]
        parts = [_render(v, level + 1) for v in value.values()]
        opening, closing = "{", "}"
    else:
        keys = [""] * len(value)
        parts = [_render(v, level + 1) for v in value]
        opening, closing = "[", "]"
    items = [k + p for k, p in zip(keys, parts, strict=True)]
    if not any("\n" in p for p in parts):
        inline = opening + ", ".join(items) + closing
        if len(inline) + 2 * level <= 88:
            return inline
    pad = "\n" + "  " * (level + 1)
    return opening + pad + ("," + pad).join(items) + "\n" + "  " * level + closing


def _fsync_dir(folder: str) -> None:
    """Make the rename durable (POSIX); harmless where directories cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
