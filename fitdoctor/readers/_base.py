"""What every reader shares: the source, number parsing, and turning columns into runs.

A reader turns its format into one :class:`Draft` per run (columns keyed by the names
the source logged, one value per row) and hands each to :func:`finish`, which reads the
names (:mod:`fitdoctor.readers.names`), resolves pandas' ambiguous empty cells, checks
that there is a loss curve and builds the :class:`~fitdoctor.run.Run`.
:func:`label_runs` names the runs of a file that holds several ("run 2 of 3 in FILE").
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.readers._numbers import MISSING, is_number_like
from fitdoctor.readers._rows import carried_evaluations, trailing_evaluation_rows
from fitdoctor.readers.framework import NOT_KERAS, from_names
from fitdoctor.readers.names import Reading, canonical_names, is_bare_split
from fitdoctor.run import FitInfo, Phase, Run
from fitdoctor.vocabulary import is_accuracy

#: Largest file a reader reads whole (64 MiB): a 10,000-epoch history with a dozen
#: metrics is about 2 MiB, so anything bigger is not a history. (TensorBoard event files
#: are streamed and skip large records instead.)
MAX_BYTES = 64 * 1024 * 1024

class Source:
    """One input: a file, a folder, or bytes from stdin, read lazily.

    Args:
        display: How errors name it (the path as given, or ``"<stdin>"``).
        path: The file or folder, or ``None`` for bytes given directly.
        data: The content, for bytes given directly. Defaults to `None`.
        metric_map: The user's name mapping (logged name → Keras name). Defaults to `None`.
    """

    def __init__(
        self,
        display: str,
        path: str | None,
        data: bytes | None = None,
        metric_map: Mapping[str, str] | None = None,
    ) -> None:
        self.display = display
        self.path = path
        self.name = os.path.basename(display.rstrip("/\\")) or display
        self.metric_map = dict(metric_map or {})
        self._data = data
        self._text: str | None = None

    @property
    def is_dir(self) -> bool:
        """True for a folder (TensorBoard logs)."""
        return self.path is not None and os.path.isdir(self.path)

    @property
    def data(self) -> bytes:
        """The whole content (at most :data:`MAX_BYTES`); InputError if unreadable."""
        if self._data is None:
            self._data = _read_bytes(self.display, self.path or self.display)
        return self._data

    @property
    def is_binary(self) -> bool:
        """True when the first 8 KiB hold a NUL byte (not text)."""
        return b"\x00" in self.data[:8192]

    @property
    def text(self) -> str:
        """The content decoded as UTF-8, BOM removed; InputError if it is not text."""
        if self._text is None:
            data = self.data
            if not data or data.isspace():
                raise InputError(f"{self.display}: empty file")
            if b"\x00" in data[:8192]:
                raise InputError(
                    f"{self.display}: binary data, not a history (expected JSON, CSV, a "
                    "Keras console log, or a TensorBoard event file named events.out.tfevents.*)"
                )
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{self.display}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                    f"{exc.start}); save it as UTF-8"
                ) from None
            self._text = text[1:] if text.startswith("\ufeff") else text
        return self._text


def special_file(display: str, path: str) -> InputError | None:
    """The error for a path that is neither a regular file nor a folder, else ``None``.

    A FIFO with no writer blocks whoever opens it, and a device can be endless, so
    neither is ever opened: they are refused by what they are. (A missing path is left
    to the reader, which says so.)

    Args:
        display: The path as given, for the message.
        path: The path.

    Returns:
        The error to raise, or ``None`` for a regular file, a folder or a missing path.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return InputError(
            f"{display}: a named pipe (FIFO), not a file: fitdoctor reads a pipe only as "
            "standard input (-)"
        )
    what = ("a character device" if stat.S_ISCHR(mode) else "a block device"
            if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "a special file")
    return InputError(f"{display}: {what}, not a history file")


def _read_bytes(display: str, path: str) -> bytes:
    refused = special_file(display, path)
    if refused is not None:
        raise refused
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_BYTES:
                raise InputError(
                    f"{display}: file is {mib(size)}, over the {mib(MAX_BYTES)} cap: "
                    "is it a training history?"
                )
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
        raise InputError(f"{display}: file is over the {mib(MAX_BYTES)} cap")
    return data


# ------------------------------------------------------------------------------ JSON

#: Deepest nesting of JSON a reader accepts: histories nest 4 levels, run files 6, the
#: callback's free-form ``meta`` gets room.
MAX_JSON_DEPTH = 64

#: Integers with this many digits or more are read as floats (``inf`` past 1.8e308).
_LONG_INT = 300


def _int_or_float(text: str) -> int | float:
    """A JSON integer: an ``int``, or a ``float`` (``±inf`` when out of range) when huge.

    A 400-digit integer in a history is a value beyond the float range, as ``1e400``
    is (which JSON readers already read as ``inf``); reading both the same way keeps
    every later ``float()`` from overflowing, and Python's 4,300-digit limit on
    ``int(text)`` from refusing the file.
    """
    digits = len(text) - (text[0] in "+-")
    return int(text) if digits < _LONG_INT else float(text)


def json_loads(text: str) -> Any:
    """Parse JSON the way every reader does: huge integers as floats, ``NaN`` tokens allowed.

    Args:
        text: The JSON text.

    Returns:
        The value.

    Raises:
        json.JSONDecodeError: Not JSON.
        RecursionError: Nested deeper than Python's parser goes (about 1,000 levels);
            see :func:`depth_over`.
    """
    return json.loads(text, parse_int=_int_or_float)


def depth_over(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``value`` nests lists and objects deeper than ``limit`` (no recursion)."""
    level: list[Any] = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:  # breadth first, one level at a time
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            below += [c for c in children if isinstance(c, (dict, list))]
        level = below
    return False


def too_deep(display: str) -> InputError:
    """The error for JSON nested deeper than :data:`MAX_JSON_DEPTH`."""
    return InputError(
        f"{display}: JSON nested deeper than {MAX_JSON_DEPTH} levels: not a training history"
    )


def mib(n: int) -> str:
    """``n`` bytes for a message: ``"64 MiB"`` or ``"1024 bytes"``."""
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n} bytes"


def one_line(text: str) -> str:
    """``text`` with every run of whitespace made one space."""
    return " ".join(text.split())


# ----------------------------------------------------------------------- the draft


@dataclass
class Draft:
    """A run being read.

    Args:
        columns: Logged name → one value per row (``float``, ``None`` for a gap, or
            :data:`MISSING` for pandas' ambiguous empty cell).
        epochs: 1-based epoch number of each row. Defaults to `None` (1..n).
        notes: What the reader had to assume, for the report.
        facts: Values beside the curves (JSON-safe).
        phases: Phase starts, if the source says.
        fit: Fit facts, if the source says.
        status: Run status, if the source says.
        seconds: Wall time per row, if the source says.
        label: The run's name inside its file (a JSON key, a folder), if any.
        readings: Names already read (a reader that needed the roles early).
        ambiguous_gaps: Some cells may be :data:`MISSING` (pandas-made tables).
        framework: The framework the source proves (``Run.framework``), when the
            reader knows it; ``None``: read from the names (:mod:`.framework`).
        keras_layout: The source is laid out as Keras writes it (progress bars, a
            CSVLogger file), so Keras's own names prove Keras.
        meta: ``Run.meta`` entries the reader knows (:data:`~fitdoctor.run.EVAL_STEPS`).
    """

    columns: dict[str, list[Any]]
    epochs: list[int] | None = None
    notes: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)
    fit: FitInfo | None = None
    status: str = "unknown"
    seconds: list[float | None] | None = None
    label: str = ""
    readings: dict[str, Reading] | None = None
    ambiguous_gaps: bool = False
    framework: str | None = None
    keras_layout: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


def rises_like_a_score(values: Sequence[Any]) -> bool:
    """Values within [0, 1] that never fall below the first and end above it.

    What an accuracy does, and no training loss: a curve whose name is a guess (a bare
    ``train``, an unnamed JSON array) with this shape is not read as the loss.

    Args:
        values: The curve (``None`` gaps and non-finite values are skipped).

    Returns:
        Whether it has that shape (at least two finite values).
    """
    finite = [float(v) for v in values
              if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]
    if len(finite) < 2 or not all(0.0 <= v <= 1.0 for v in finite):
        return False
    return min(finite) >= finite[0] and finite[-1] > finite[0]


def _refuse_bare_split_score(
    metrics: Mapping[str, list[Any]],
    metric_names: Mapping[str, str],
    readings: Mapping[str, Reading],
    source: Source,
) -> None:
    """Refuse a curve named only ``train`` read as the loss when it is a score.

    The name reader takes ``train`` and ``val`` for the losses when no curve is named
    one (:mod:`.names`); values within [0, 1] that never fall below the first epoch's and
    end above it are what an accuracy does, and no training loss: the file is refused as
    before that reading, with the override that reads it as the loss.

    Raises:
        InputError: The bare training curve reads as an accuracy.
    """
    logged = metric_names.get("loss")
    reading = readings.get(logged) if logged is not None else None
    if logged is None or reading is None or reading.user or not is_bare_split(logged):
        return
    if not rises_like_a_score(metrics["loss"]):
        return
    raise InputError(
        f"{source.display}: no loss column: `{logged}` is named by its split alone, and its "
        "values rise from the first epoch within [0, 1], as an accuracy does: if it is the "
        f"loss, say so with --metric-map {logged}=loss"
    )


def finish(draft: Draft, source: Source, fmt: str) -> Run:
    """Build the run of a draft: read its names, resolve empty cells, check for a loss.

    Args:
        draft: The draft (equal-length columns).
        source: Its source (for the name, the user's metric map and errors).
        fmt: The run's ``source`` field: ``"keras-history"``, ``"csv"``, ``"console"``...

    Returns:
        The run, named after the file (:func:`label_runs` renames runs of a file that
        holds several).

    Raises:
        InputError: No metric is left, or none is a loss.
    """
    notes = list(draft.notes)
    readings = draft.readings
    if readings is None:
        readings, name_notes = canonical_names(draft.columns, source.metric_map)
        notes.extend(name_notes)
    metrics: dict[str, list[Any]] = {}
    metric_names: dict[str, str] = {}
    for logged, values in draft.columns.items():
        reading = readings.get(logged)
        canonical = reading.canonical if reading is not None else logged
        if not canonical:
            continue
        metrics[canonical] = values
        if canonical != logged:
            metric_names[canonical] = logged
    if not metrics:
        raise InputError(f"{source.display}: no numeric metric")
    if draft.ambiguous_gaps and any(MISSING in values for values in metrics.values()):
        _resolve_missing(metrics)
    _percent_accuracies(metrics, metric_names, notes)
    _refuse_bare_split_score(metrics, metric_names, readings, source)
    if not any("loss" in key for key in metrics):
        if not any(_is_accuracy(k) for k in metrics):
            shown = list(metric_names.get(k, k) for k in metrics)
            found = ", ".join(shown[:6]) + (", ..." if len(shown) > 6 else "")
            raise InputError(
                f"{source.display}: no loss column (found: {found}); a Keras history always "
                "logs 'loss': if one of these is the loss, say so with --metric-map NAME=loss"
            )
        notes.append(
            "no loss curve, only accuracies: log the loss per epoch, or name it with "
            "--metric-map NAME=loss"
        )
    n = len(next(iter(metrics.values())))
    epochs = list(draft.epochs) if draft.epochs is not None else list(range(1, n + 1))
    facts = dict(draft.facts)
    seconds = draft.seconds
    trailing_evaluation_rows(metrics, metric_names, epochs, facts, notes)
    if seconds is not None and len(seconds) > len(epochs):
        seconds = seconds[: len(epochs)]
    fit = draft.fit
    period = carried_evaluations(metrics, metric_names, notes)
    if period is not None and (fit is None or fit.validation_freq is None):
        fit = replace(fit, validation_freq=period) if fit is not None else FitInfo(
            validation_freq=period)
    meta: dict[str, Any] = {"notes": notes} if notes else {}
    meta.update(draft.meta)
    framework = draft.framework
    if framework is None:
        framework, foreign = from_names(
            {k: r for k, r in readings.items() if k in draft.columns},
            keras_layout=draft.keras_layout,
        )
        if foreign:
            meta[NOT_KERAS] = foreign
    return Run(
        epochs=epochs,
        metrics=metrics,
        seconds=seconds,
        source=fmt,
        framework=framework,
        name=source.name,
        fit=fit,
        status=draft.status,
        meta=meta,
        metric_names=metric_names,
        facts=facts,
        phases=draft.phases,
    )


def _is_accuracy(key: str) -> bool:
    base = key[4:] if key.startswith("val_") else key
    return is_accuracy(base)


def in_per_cent(finite: Sequence[float]) -> bool:
    """Finite values that are per cents: some above 1.5 (no fraction is), none outside 0-100.

    A fraction never goes above 1 by more than rounding, and a whole run below 1.5% is
    not a real one: :func:`_percent_accuracies` and the tables' per-cent columns
    (:mod:`fitdoctor.readers.tables`) read values so by this one test.
    """
    return bool(finite) and 1.5 < max(finite) <= 100.0 and min(finite) >= 0.0


def _percent_accuracies(
    metrics: dict[str, list[Any]], metric_names: dict[str, str], notes: list[str]
) -> None:
    """Accuracies logged in percent (``46.03``) are read as fractions, with a note.

    A maximum above 1.5 (and at most 100) is a percentage: a fraction never goes above
    1 by more than rounding, and a whole run below 1.5% accuracy is not a real one. An
    accuracy above 100 is neither: left out, with a note.
    """
    for key, values in list(metrics.items()):
        if not _is_accuracy(key):
            continue
        finite = [v for v in values if isinstance(v, float) and math.isfinite(v)]
        if finite and max(finite) > 100.0:
            # neither a fraction nor a per cent (a count of right rows?): read as an
            # accuracy it would mislead every rule that reads one
            del metrics[key]
            notes.append(
                f"`{metric_names.pop(key, key)}` left out: an accuracy reaching "
                f"{max(finite):g} is neither a fraction nor a per cent"
            )
            continue
        if in_per_cent(finite):
            metrics[key] = [v / 100 if isinstance(v, float) else v for v in values]
            notes.append(
                f"`{metric_names.get(key, key)}` is in percent (up to {max(finite):g}): "
                "read as a fraction"
            )


def _resolve_missing(metrics: dict[str, list[Any]]) -> None:
    """Decide pandas' ambiguous missing values in place.

    pandas writes ``NaN`` as an empty CSV cell (and ``null`` in JSON), the same thing it
    writes for a gap, so a missing value is read as ``NaN`` in a training metric (Keras
    logs those every epoch) and in a ``val_*`` metric whose training counterpart is not
    finite that row (a diverged run), and as a gap otherwise.
    """
    for key, values in metrics.items():
        if MISSING in values and not key.startswith("val_"):
            metrics[key] = [math.nan if v is MISSING else v for v in values]
    for key, values in metrics.items():
        if MISSING not in values:
            continue
        base = key[4:] if key[4:] in metrics else "loss"
        partner = metrics.get(base)
        out: list[float | None] = []
        for i, v in enumerate(values):
            if v is MISSING:
                p = partner[i] if partner is not None else None
                out.append(math.nan if p is not None and not math.isfinite(p) else None)
            else:
                out.append(v)
        metrics[key] = out


def label_runs(runs: list[Run], labels: Sequence[str] = ()) -> list[Run]:
    """Name the runs of one source "run 2 of 3 in FILE (label)" when there are several.

    Args:
        runs: The runs, in file order, each named after the source.
        labels: Each run's name inside the source (a JSON key, a folder), or ``""``.

    Returns:
        The same runs, renamed in place when there are several (a single run keeps the
        file name, with its label in parentheses when it has one).
    """
    total = len(runs)
    for i, run in enumerate(runs):
        label = labels[i] if i < len(labels) else ""
        suffix = f" ({label})" if label else ""
        if total > 1:
            run.name = f"run {i + 1} of {total} in {run.name}{suffix}"
        elif label:
            run.name = f"{run.name}{suffix}"
    return runs


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-safe data for ``Run.facts`` (non-finite floats become text)."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth > 20:
        return "..."
    if isinstance(value, Mapping):
        return {str(k): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, depth + 1) for v in value]
    if is_number_like(value):
        return json_safe(float(value), depth)
    return str(value)
