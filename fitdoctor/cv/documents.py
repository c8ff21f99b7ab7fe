"""Reading cross-validation and learning-curve documents, every field checked.

Reading (:func:`load_document`) is strict, like a run file's: a file over
:data:`MAX_DOCUMENT_BYTES`, JSON nested deeper than :data:`MAX_DEPTH`, more than
:data:`MAX_MODELS` models, an unknown key or a value of the wrong type is an
:class:`~fitdoctor.errors.InputError` of one line naming the file and the field
(``cv.json: runs[3].epochs: expected a list of integers``). A UTF-8 byte-order mark is
skipped; anything but a regular file is refused before it is opened. Conclusions stored
in a file (the aggregate, the final epochs, the fit, the verdict) are for other readers:
they are not read back but recomputed from the per-fold data.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Mapping
from typing import Any

from fitdoctor.cv.results import (
    CV_SCHEMA,
    LEARNING_CURVE_SCHEMA,
    CVResult,
    LearningCurveResult,
    SizeScores,
)
from fitdoctor.errors import InputError
from fitdoctor.readers._base import json_loads
from fitdoctor.run import Run

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_MODELS",
    "MAX_SAMPLES",
    "document_schema",
    "is_cv_document",
    "is_learning_curve_document",
    "load_cv",
    "load_document",
    "load_learning_curve",
    "parse_cv",
    "parse_document",
    "parse_learning_curve",
]

#: Largest document read (64 MiB, as for a single history): a 10×10 iterated K-fold of
#: 200-epoch runs with a dozen metrics and per-class metrics is about 15 MiB.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
#: Deepest JSON nesting read. fitdoctor writes 7 levels; free-form ``meta`` gets room.
MAX_DEPTH = 64
#: Most trained models (runs, or sizes × folds) one document may hold: 10×10 iterated
#: K-fold is 100; each model is analyzed, so this bounds the time a file can take
#: (bench/bench_cv_documents.py).
MAX_MODELS = 500
#: Most samples a document may say it cross-validated (beyond any real data set, and
#: small enough for every interval computed from it).
MAX_SAMPLES = 10**12


# ======================================================================= reading
def document_schema(data: Any) -> str | None:
    """The schema of a cross-validation or learning-curve document, else ``None``."""
    if isinstance(data, Mapping):
        schema = data.get("schema")
        if isinstance(schema, str) and (
            schema.startswith("fitdoctor.cv/") or schema.startswith("fitdoctor.learning-curve/")
        ):
            return schema
    return None


def is_cv_document(data: Any) -> bool:
    """True for a parsed JSON object with a ``fitdoctor.cv/*`` schema (any version)."""
    schema = document_schema(data)
    return schema is not None and schema.startswith("fitdoctor.cv/")


def is_learning_curve_document(data: Any) -> bool:
    """True for a parsed JSON object with a ``fitdoctor.learning-curve/*`` schema."""
    schema = document_schema(data)
    return schema is not None and schema.startswith("fitdoctor.learning-curve/")


def _read_json(display: str) -> Any:
    """The file's JSON, read within :data:`MAX_DOCUMENT_BYTES` and :data:`MAX_DEPTH`."""
    try:
        info = os.stat(display)
        if not stat.S_ISREG(info.st_mode):
            what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise InputError(f"{display}: {what}, not a cross-validation or learning-curve file")
        if info.st_size > MAX_DOCUMENT_BYTES:
            raise InputError(
                f"{display}: file of {info.st_size:,} bytes, over the {_cap()} cap for "
                "cross-validation and learning-curve files"
            )
        with open(display, "rb") as fh:
            raw = fh.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{display}: no such file") from None
    except PermissionError:
        raise InputError(f"{display}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{display}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{display}: file is over the {_cap()} cap")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{display}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    text = text.removeprefix("\ufeff")
    try:
        data = json_loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{display}: invalid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise InputError(f"{display}: JSON nested deeper than {MAX_DEPTH} levels") from None
    return data  # parse_document checks the depth


def _cap() -> str:
    n = MAX_DOCUMENT_BYTES
    return f"{n // 2**20} MiB" if n % 2**20 == 0 else f"{n:,}-byte"


def _depth_over(value: Any, limit: int) -> bool:
    """True when ``value`` nests containers deeper than ``limit`` (iterative, no recursion)."""
    level: list[Any] = [value]
    depth = 0
    while level:  # breadth first, one level at a time
        depth += 1
        below: list[Any] = []
        for node in level:
            children = node.values() if type(node) is dict else node
            below += [c for c in children if type(c) is dict or type(c) is list]
        if depth > limit:
            return True
        level = below
    return False


def parse_document(data: Any, where: str) -> CVResult | LearningCurveResult:
    """Build the result a parsed cross-validation or learning-curve document holds.

    Args:
        data: The parsed JSON.
        where: The document's name, for error messages.

    Returns:
        The result.

    Raises:
        InputError: Not such a document, or a field is wrong (named).
    """
    if isinstance(data, (dict, list)) and _depth_over(data, MAX_DEPTH):
        raise InputError(f"{where}: JSON nested deeper than {MAX_DEPTH} levels")
    if is_cv_document(data):
        return CVResult.from_dict(data, where)
    if is_learning_curve_document(data):
        return LearningCurveResult.from_dict(data, where)
    raise InputError(f"{where}: not a fitdoctor cross-validation or learning-curve file")


def load_document(path: str | os.PathLike[str]) -> CVResult | LearningCurveResult:
    """Read a cross-validation or learning-curve file, checking every field.

    Args:
        path: The file.

    Returns:
        The result, named after the file unless it carries a name.

    Raises:
        InputError: The file is not one of these documents, is too large or too deeply
            nested, or a field is wrong; one line naming the file and the field.
    """
    display = os.fspath(path)
    doc = parse_document(_read_json(display), display)
    doc.name = doc.name or os.path.basename(display)
    return doc


def load_cv(path: str | os.PathLike[str]) -> CVResult:
    """Read a cross-validation file (``"schema": "fitdoctor.cv/1"``).

    Args:
        path: The file.

    Returns:
        The result.
    """
    doc = load_document(path)
    if not isinstance(doc, CVResult):
        raise InputError(f"{os.fspath(path)}: a learning-curve file, not a cross-validation")
    return doc


def load_learning_curve(path: str | os.PathLike[str]) -> LearningCurveResult:
    """Read a learning-curve file (``"schema": "fitdoctor.learning-curve/1"``).

    Args:
        path: The file.

    Returns:
        The result.
    """
    doc = load_document(path)
    if not isinstance(doc, LearningCurveResult):
        raise InputError(f"{os.fspath(path)}: a cross-validation file, not a learning curve")
    return doc


def parse_cv(data: Any, where: str = "cross-validation") -> CVResult:
    """Build a :class:`CVResult` from its JSON form, checking every field.

    Args:
        data: The parsed JSON.
        where: Name for error messages. Defaults to `"cross-validation"`.

    Returns:
        The result (the aggregate is recomputed from the runs).

    Raises:
        InputError: A field is missing, unknown or of the wrong type (named).
    """
    _check_document(data, CV_SCHEMA, _CV_KEYS, where)
    runs = _runs(data.get("runs"), where, required=True)
    return CVResult(
        runs=runs,
        k=_int(data.get("k"), f"{where}: k", minimum=2),
        repeats=_int(data.get("repeats", 1), f"{where}: repeats", minimum=1),
        n_samples=_opt_int(data.get("n_samples"), f"{where}: n_samples", minimum=1,
                           maximum=MAX_SAMPLES),
        shuffle=_bool(data.get("shuffle", True), f"{where}: shuffle"),
        stratified=_bool(data.get("stratified", False), f"{where}: stratified"),
        seed=_opt_int(data.get("seed"), f"{where}: seed"),
        name=_opt_str(data.get("name"), f"{where}: name"),
        meta=_meta(data.get("meta"), f"{where}: meta"),
    )


def parse_learning_curve(data: Any, where: str = "learning curve") -> LearningCurveResult:
    """Build a :class:`LearningCurveResult` from its JSON form, checking every field.

    Args:
        data: The parsed JSON.
        where: Name for error messages. Defaults to `"learning curve"`.

    Returns:
        The result (fit, extrapolation and verdict are recomputed).

    Raises:
        InputError: A field is missing, unknown or of the wrong type (named).
    """
    _check_document(data, LEARNING_CURVE_SCHEMA, _LC_KEYS, where)
    raw_sizes = data.get("sizes")
    if not isinstance(raw_sizes, list) or not raw_sizes:
        raise InputError(f"{where}: sizes: expected a non-empty list, got {_show(raw_sizes)}")
    sizes = [_size(raw, f"{where}: sizes[{i}]") for i, raw in enumerate(raw_sizes)]
    if sum(len(s.val) for s in sizes) > MAX_MODELS:
        raise InputError(f"{where}: sizes: more than {MAX_MODELS:,} models")
    score = data.get("score", "error")
    if score not in ("error", "loss"):
        raise InputError(f"{where}: score: expected 'error' or 'loss', got {_show(score)}")
    return LearningCurveResult(
        sizes=sorted(sizes, key=lambda s: s.n),
        k=_int(data.get("k"), f"{where}: k", minimum=1),
        score=score,
        n_samples=_opt_int(data.get("n_samples"), f"{where}: n_samples", minimum=1,
                           maximum=MAX_SAMPLES),
        seed=_opt_int(data.get("seed"), f"{where}: seed", maximum=2**63 - 1) or 0,
        runs=_runs(data.get("runs"), where, required=False),
        name=_opt_str(data.get("name"), f"{where}: name"),
        meta=_meta(data.get("meta"), f"{where}: meta"),
    )


# ================================================================ field checks
#: Keys of each document. Conclusions (aggregate, final and best epochs, fit,
#: extrapolation, verdict, reason) are accepted and recomputed, never read.
_CV_KEYS = frozenset({
    "schema", "name", "k", "repeats", "n_samples", "shuffle", "stratified", "seed",
    "final_epochs", "best_epochs", "aggregate", "meta", "runs",
})
_LC_KEYS = frozenset({
    "schema", "name", "k", "score", "n_samples", "seed", "sizes", "power_law",
    "extrapolation", "verdict", "reason", "meta", "runs",
})
_SIZE_KEYS = frozenset({"fraction", "n_train", "train", "val"})


def _show(value: Any) -> str:
    """A value for an error message: its JSON kind, and a short repr."""
    kind = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null", int: "an integer", float: "a number"}.get(type(value), "a value")
    if isinstance(value, (dict, list)) or value is None:
        return kind
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{kind} {text}"


def _check_document(data: Any, expected: str, keys: frozenset[str], where: str) -> None:
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object, got {_show(data)}")
    schema = data.get("schema")
    if schema != expected:
        shown = repr(schema[:60]) if isinstance(schema, str) else _show(schema)
        raise InputError(f"{where}: unsupported schema {shown}; this fitdoctor reads {expected!r}")
    unknown = sorted(str(key) for key in data if key not in keys)
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0][:40]!r}")


def _int(value: Any, where: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (
        maximum is not None and value > maximum
    ):
        bound = f">= {minimum}" if maximum is None else f"from {minimum:,} to {maximum:,}"
        raise InputError(f"{where}: expected an integer {bound}, got {_show(value)}")
    return value


def _opt_int(
    value: Any, where: str, *, minimum: int = 0, maximum: int | None = None
) -> int | None:
    return None if value is None else _int(value, where, minimum=minimum, maximum=maximum)


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{where}: expected true or false, got {_show(value)}")
    return value


def _opt_str(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}: expected a string, got {_show(value)}")
    return value


def _meta(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected an object, got {_show(value)}")
    return dict(value)


def _float(value: Any, where: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if math.isfinite(number):
            return number
    raise InputError(f"{where}: expected a finite number, got {_show(value)}")


def _size(raw: Any, where: str) -> SizeScores:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected an object, got {_show(raw)}")
    unknown = sorted(str(key) for key in raw if key not in _SIZE_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0][:40]!r}")
    lists: dict[str, list[Any]] = {}
    for key in ("n_train", "train", "val"):
        value = raw.get(key)
        if not isinstance(value, list) or not value:
            raise InputError(
                f"{where}.{key}: expected a non-empty list (one value per fold), "
                f"got {_show(value)}"
            )
        lists[key] = value
    fraction = _float(raw.get("fraction"), f"{where}.fraction")
    if not 0 < fraction <= 1:
        raise InputError(f"{where}.fraction: expected a fraction in (0, 1], got {fraction!r}")
    if not len(lists["n_train"]) == len(lists["train"]) == len(lists["val"]):
        raise InputError(f"{where}: n_train, train and val need one value per fold each")
    return SizeScores(
        fraction=fraction,
        n_train=[_int(v, f"{where}.n_train[{i}]", minimum=1) for i, v in
                 enumerate(lists["n_train"])],
        train=[_float(v, f"{where}.train[{i}]") for i, v in enumerate(lists["train"])],
        val=[_float(v, f"{where}.val[{i}]") for i, v in enumerate(lists["val"])],
    )


def _runs(raw: Any, where: str, *, required: bool) -> list[Run]:
    if raw is None and not required:
        return []
    if not isinstance(raw, list) or (required and not raw):
        need = "a non-empty list of runs" if required else "a list of runs"
        raise InputError(f"{where}: runs: expected {need}, got {_show(raw)}")
    if len(raw) > MAX_MODELS:
        raise InputError(f"{where}: runs: {len(raw):,} runs, over the cap of {MAX_MODELS:,}")
    runs = []
    for i, item in enumerate(raw):
        at = f"{where}: runs[{i}]"
        try:
            run = Run.from_dict(item)
        except InputError as exc:
            raise InputError(f"{at}: {' '.join(str(exc).split())}") from None
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
            raise InputError(f"{at}: malformed run: {' '.join(str(exc).split())}") from None
        runs.append(run)
    return runs
