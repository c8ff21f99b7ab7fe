"""Run logs: the append-only run file the callback writes (``"schema": "fitdoctor.run/2"``).

A run log is JSON Lines: UTF-8, one JSON object per line, each line ending in a newline.
Non-finite numbers are the tokens ``NaN``, ``Infinity`` and ``-Infinity`` (as in
``fitdoctor.run/1``). Each epoch costs one appended line holding only that epoch's data,
so the cost of saving is the same at epoch 1,000 as at epoch 1. The lines are:

1. **header** (always the first line, written atomically when training starts)::

       {"schema": "fitdoctor.run/2", "source": "fitdoctor", "name": ..., "model": {...},
        "compile": {...}, "fit": {...}, "data": {...}, "baselines": {...},
        "labels": ["0", "1", ...], "meta": {...}, "facts": {...}}

   ``model`` ... ``baselines`` are the objects of ``fitdoctor.run/1`` (or ``null``);
   ``labels`` names the classes of the per-class metrics (``null`` without them);
   ``facts``, only when there are any, the run's facts (a KerasTuner trial's id and
   hyperparameters).
2. **epoch** lines, one per finished epoch, epochs strictly increasing::

       {"kind": "epoch", "epoch": 3, "seconds": 0.41, "metrics": {"loss": 0.31, ...},
        "per_class": {...}, "meta": {...}}

   ``metrics`` holds the values logged that epoch (a metric missing from a line was not
   logged that epoch: a gap). ``per_class``, when computed that epoch: ``precision``,
   ``recall``, ``f1``, ``pr_auc`` (``null`` for a class with no sample), ``support``,
   ``threshold``, ``threshold_f1``, ``threshold_precision``, ``threshold_recall`` (binary
   tasks; the last two may be absent in older files), ``top_confusions`` (the largest
   off-diagonal cells as ``[true, predicted, count]``) and, at the epochs whose
   confusion matrix is kept, ``confusion``: its non-zero cells as ``[true, predicted,
   count]`` (at most one per predicted sample, so its size is bounded by
   ``max_val_samples`` whatever the number of classes), with ``"best": true`` when the
   epoch was the best so far.
3. an **end** line when training ends: ``{"kind": "end", "status": "completed", "fit":
   {...}, "baselines": {...}, "pr_auc": [{"epoch": 12, "values": [...]}, ...],
   "confusion": {"epoch": 30, "cells": [...]}, "meta": {...}}`` (each only when there is
   something to record: ``fit``, the final fit facts; ``baselines``, replacing the
   header's when they changed during training (the callback fits its reference model on
   a background thread, so its score arrives after the header); ``pr_auc``, PR-AUC per
   class at the best and last epochs, which the callback computes only there and only
   when training ends (epoch lines written since this version carry an empty
   ``pr_auc``; older files carry it every epoch); ``confusion``, the last epoch's
   matrix). A file without an end line (a process killed) has neither.
4. **meta** lines ``{"kind": "meta", "meta": {...}}``, e.g. the test scores that
   :func:`fitdoctor.validation.evaluate` records after training.

Every line may carry ``meta``: the keys of ``run.meta`` whose values changed since the
previous line (each replaces the value read so far). The run's status is ``running``
until an end line says otherwise.

Reading (:func:`read`) is tolerant where a crash can leave a mark and strict elsewhere:
a last line that is cut off or not valid JSON (a writer killed in mid-line, or a file
read while it is written) is left out with a note; anything wrong before it is an
:class:`~fitdoctor.errors.InputError` naming the line and the field. The confusion
matrix is kept at the best epoch (the latest one marked ``best``) and at the last epoch
with per-class metrics; the others are dropped on reading, so memory stays bounded.

Writing (:class:`fitdoctor.runlog_writer.RunLogWriter`, in its own module: the analysis
never loads it): the header is written to a temporary file, fsynced and moved into
place; each later line is appended with one ``write`` call, so a process killed at any
moment leaves every finished line in the file (the operating system holds it), and is
fsynced by a background thread within half a second, so training never waits for the
disk (a power cut loses at most the last half second of lines). A failed append (a full
disk) makes the next one rewrite the whole file atomically from the run in memory.
Orphan temporary files of earlier crashed saves beside the file are removed when a new
file is started.
"""

from __future__ import annotations

import math
import os
import re
import stat
from typing import Any, TypeVar

from fitdoctor.errors import InputError
from fitdoctor.readers._base import MAX_JSON_DEPTH, depth_over, json_loads, special_file
from fitdoctor.run import (
    STATUSES,
    Baselines,
    CompileInfo,
    DataInfo,
    FitInfo,
    ModelInfo,
    PerClass,
    Run,
    _build,
)

__all__ = ["MAX_BYTES", "RUNLOG_SCHEMA", "parse", "read", "sniff", "sniff_path"]

RUNLOG_SCHEMA = "fitdoctor.run/2"

#: Largest run log :func:`read` reads (256 MiB). A 1,000-class, 1,000-epoch run with
#: per-class metrics every epoch is about 60 MiB.
MAX_BYTES = 256 * 1024 * 1024

#: The first line of a run log, of this version or a later one (``fitdoctor.run/1`` is a
#: whole JSON document, read by :mod:`fitdoctor.io`).
_HEAD = re.compile(rb'^(?:\xef\xbb\xbf)?\s*\{\s*"schema"\s*:\s*"fitdoctor\.run/(?!1")\d+"')
_FACTS: dict[str, type[Any]] = {
    "model": ModelInfo,
    "compile": CompileInfo,
    "fit": FitInfo,
    "data": DataInfo,
    "baselines": Baselines,
}
_PER_CLASS_LISTS = ("precision", "recall", "f1")
_F = TypeVar("_F")


# ------------------------------------------------------------------------------ sniffing
def sniff(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) starts a run log.

    Args:
        head: At least the first 64 bytes of the file.

    Returns:
        Whether the first line opens with ``{"schema": "fitdoctor.run/N"``, N >= 2 (a
        version this fitdoctor does not read is then refused by :func:`read`, by name).
    """
    return _HEAD.match(head) is not None


def sniff_path(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a regular file that starts a run log; ``False`` on any error."""
    target = os.fspath(path)
    try:
        if not stat.S_ISREG(os.stat(target).st_mode):
            return False  # never open a FIFO or a device here: it could block
        with open(target, "rb") as fh:
            return sniff(fh.read(256))
    except (OSError, ValueError):
        return False


# ------------------------------------------------------------------------------ reading
def read(path: str | os.PathLike[str], *, display: str | None = None) -> Run:
    """Read a run log into a :class:`~fitdoctor.run.Run`.

    Args:
        path: The file.
        display: How to name the file in errors. Defaults to `None` (the path).

    Returns:
        The run (``source`` ``"fitdoctor"`` unless the header says otherwise; ``name``
        the file name unless the header carries one).

    Raises:
        InputError: The file cannot be read, is too large, or a line before the last one
            is not a valid record; the message names the line and the field.
    """
    where = display or os.fspath(path)
    refused = special_file(where, os.fspath(path))
    if refused is not None:
        raise refused
    try:
        with open(os.fspath(path), "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_BYTES:
                raise InputError(
                    f"{where}: run log is {size / 2**20:.0f} MiB, over the "
                    f"{MAX_BYTES // 2**20} MiB cap"
                )
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{where}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{where}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{where}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{where}: run log is over the {MAX_BYTES // 2**20} MiB cap")
    return parse(data, where)


def parse(data: bytes, where: str) -> Run:
    """Read a run log's bytes (from a file or stdin) into a :class:`~fitdoctor.run.Run`.

    Args:
        data: The whole log.
        where: How to name the source in errors and as the run's default name.

    Returns:
        The run.

    Raises:
        InputError: A line before the last one is not a valid record.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    reader = _Reader(where, os.path.basename(where) or where)
    lines = data.split(b"\n")
    if lines and lines[-1].strip() == b"":
        lines.pop()  # the file ends with a newline: nothing after it
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        last = number == len(lines)
        try:
            record = json_loads(raw.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except RecursionError:
            raise InputError(f"{where}: line {number}: {_TOO_DEEP}") from None
        except ValueError as exc:
            if last and number > 1:
                reader.notes.append(
                    f"line {number} (the last) is cut off or not JSON: left out (a writer "
                    "killed mid-line, or the file was read while it was written)"
                )
                break
            reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
            raise InputError(f"{where}: line {number}: {reason}") from None
        if depth_over(record):
            raise InputError(f"{where}: line {number}: {_TOO_DEEP}")
        reader.add(number, record)
    return reader.finish()


class _Reader:
    """Builds a run from a run log's records, one line at a time."""

    def __init__(self, display: str, name: str) -> None:
        self.display = display
        self.name = name
        self.header: dict[str, Any] | None = None
        self.epochs: list[int] = []
        self.seconds: list[float | None] = []
        self.metrics: dict[str, list[float | None]] = {}
        self.per_class: list[PerClass] = []
        self.labels: list[str] | None = None
        self.status = "running"
        self.fit: FitInfo | None = None
        self.meta: dict[str, Any] = {}
        self.facts: dict[str, Any] = {}
        self.notes: list[str] = []
        self.best: tuple[int, list[list[int]]] | None = None
        #: The baselines of the end line (a reference model fitted during training).
        self.baselines: Baselines | None = None
        self.last: tuple[int, list[list[int]]] | None = None

    def fail(self, line: int, problem: str) -> InputError:
        return InputError(f"{self.display}: line {line}: {problem}")

    def add(self, line: int, record: dict[str, Any]) -> None:
        if self.header is None:
            self._header(line, record)
            return
        kind = record.get("kind")
        if kind == "epoch":
            self._epoch(line, record)
        elif kind == "end":
            self._end(line, record)
        elif kind == "meta":
            pass
        else:
            raise self.fail(line, f"unknown record kind {kind!r} (expected epoch, end or meta)")
        self._meta(line, record)

    def _header(self, line: int, record: dict[str, Any]) -> None:
        schema = record.get("schema")
        if schema != RUNLOG_SCHEMA:
            raise self.fail(line, f"unsupported run schema {schema!r}; this fitdoctor reads "
                                  f"'fitdoctor.run/1' files and {RUNLOG_SCHEMA!r} run logs")
        known = {"schema", "source", "framework", "name", "labels", "meta", "facts", *_FACTS}
        unknown = sorted(set(record) - known)
        if unknown:
            raise self.fail(line, f"header: unknown key {unknown[0]!r}")
        for key in ("source", "framework", "name"):
            if not isinstance(record.get(key, ""), str):
                raise self.fail(line, f"header.{key}: expected a string")
        labels = record.get("labels")
        if labels is not None and (
            not isinstance(labels, list) or not all(isinstance(x, str) for x in labels)
        ):
            raise self.fail(line, "header.labels: expected a list of strings or null")
        self.labels = labels
        self._schema(line, record, "header")
        facts: dict[str, Any] = {}
        for key, cls in _FACTS.items():
            value = record.get(key)
            try:
                facts[key] = None if value is None else _build(cls, value, key)
            except InputError as exc:
                raise self.fail(line, str(exc)) from None
            except (TypeError, ValueError) as exc:
                raise self.fail(line, f"{key}: {' '.join(str(exc).split())}") from None
        self.fit = facts["fit"]
        self.header = {**record, **facts}
        meta = record.get("meta", {})
        if not isinstance(meta, dict):
            raise self.fail(line, "header.meta: expected an object")
        self.meta = dict(meta)
        facts = record.get("facts", {})
        if not isinstance(facts, dict):
            raise self.fail(line, "header.facts: expected an object")
        self.facts = dict(facts)

    def _epoch(self, line: int, record: dict[str, Any]) -> None:
        unknown = sorted(set(record) - {"kind", "epoch", "seconds", "metrics", "per_class",
                                        "meta"})
        if unknown:
            raise self.fail(line, f"unknown key {unknown[0]!r}")
        epoch = record.get("epoch")
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 1:
            raise self.fail(line, f"epoch: expected a whole number >= 1, got {epoch!r}")
        if self.epochs and epoch <= self.epochs[-1]:
            raise self.fail(line, f"epoch {epoch} after epoch {self.epochs[-1]}: epochs must "
                                  "increase")
        seconds = _number(record.get("seconds"))
        if seconds is _BAD:
            raise self.fail(line, "seconds: expected a number or null")
        metrics = record.get("metrics", {})
        if not isinstance(metrics, dict):
            raise self.fail(line, "metrics: expected an object of numbers")
        n = len(self.epochs)
        for key, value in metrics.items():
            number = _number(value)
            if number is _BAD:
                raise self.fail(line, f"metrics.{key}: expected a number or null, got "
                                      f"{_kind(value)}")
            column = self.metrics.get(key)
            if column is None:
                column = self.metrics[key] = [None] * n
            column.append(number)
        for column in self.metrics.values():
            if len(column) == n:
                column.append(None)
        self.epochs.append(epoch)
        self.seconds.append(seconds)
        pc = record.get("per_class")
        if pc is not None:
            self._per_class(line, epoch, pc)

    def _per_class(self, line: int, epoch: int, body: Any) -> None:
        where = "per_class"
        if not isinstance(body, dict):
            raise self.fail(line, f"{where}: expected an object")
        unknown = sorted(set(body) - {*_PER_CLASS_LISTS, "pr_auc", "support", "threshold",
                                      "threshold_f1", "threshold_precision", "threshold_recall",
                                      "top_confusions", "confusion", "best"})
        if unknown:
            raise self.fail(line, f"{where}: unknown key {unknown[0]!r}")
        support = body.get("support")
        if not isinstance(support, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in support
        ):
            raise self.fail(line, f"{where}.support: expected a list of counts")
        k = len(support)
        labels = self.labels if self.labels is not None and len(self.labels) == k else [
            str(i) for i in range(k)]
        lists: dict[str, list[float]] = {}
        for key in _PER_CLASS_LISTS:
            values = body.get(key)
            if not isinstance(values, list) or len(values) != k:
                raise self.fail(line, f"{where}.{key}: expected a list of {k} numbers")
            numbers = [_number(v) for v in values]
            if any(v is _BAD or v is None for v in numbers):
                raise self.fail(line, f"{where}.{key}: expected a list of {k} numbers")
            lists[key] = numbers  # type: ignore[assignment]
        pr_auc = body.get("pr_auc", [])
        if not isinstance(pr_auc, list) or (pr_auc and len(pr_auc) != k):
            raise self.fail(line, f"{where}.pr_auc: expected a list of {k} numbers or nulls")
        pr_values = [_number(v) for v in pr_auc]
        if any(v is _BAD for v in pr_values):
            raise self.fail(line, f"{where}.pr_auc: expected a list of {k} numbers or nulls")
        threshold, threshold_f1 = _number(body.get("threshold")), _number(
            body.get("threshold_f1"))
        if threshold is _BAD or threshold_f1 is _BAD:
            raise self.fail(line, f"{where}.threshold: expected a number or null")
        t_precision, t_recall = _number(body.get("threshold_precision")), _number(
            body.get("threshold_recall"))
        if t_precision is _BAD or t_recall is _BAD:
            raise self.fail(line, f"{where}.threshold_precision: expected a number or null")
        top = body.get("top_confusions", [])
        if not isinstance(top, list) or not all(_is_cell(c, k) for c in top):
            raise self.fail(line, f"{where}.top_confusions: expected [true, predicted, count] "
                                  f"cells of a {k}-class matrix")
        self.per_class.append(
            PerClass(
                epoch=epoch,
                labels=list(labels),
                precision=lists["precision"],
                recall=lists["recall"],
                f1=lists["f1"],
                support=list(support),
                threshold=threshold,
                threshold_f1=threshold_f1,
                threshold_precision=t_precision,
                threshold_recall=t_recall,
                pr_auc=pr_values,
                top_confusions=[list(c) for c in top],
            )
        )
        cells = body.get("confusion")
        if cells is not None:
            cells = self._cells(line, f"{where}.confusion", cells, k)
            if body.get("best") is True:
                self.best = (epoch, cells)
            self.last = (epoch, cells)

    def _cells(self, line: int, where: str, cells: Any, k: int) -> list[list[int]]:
        if not isinstance(cells, list) or not all(_is_cell(c, k) for c in cells):
            raise self.fail(line, f"{where}: expected [true, predicted, count] cells of a "
                                  f"{k}-class matrix")
        return cells

    def _end(self, line: int, record: dict[str, Any]) -> None:
        unknown = sorted(set(record) - {"kind", "status", "fit", "baselines", "pr_auc",
                                        "confusion", "meta"})
        if unknown:
            raise self.fail(line, f"unknown key {unknown[0]!r}")
        self._schema(line, record, "end", where="")
        status = record.get("status")
        if status not in STATUSES:
            raise self.fail(line, f"status: expected one of {', '.join(STATUSES)}, got "
                                  f"{status!r}")
        self.status = str(status)
        if record.get("fit") is not None:
            self.fit = self._fact(line, record, "fit", FitInfo)
        if record.get("baselines") is not None:
            self.baselines = self._fact(line, record, "baselines", Baselines)
        self._end_pr_auc(line, record.get("pr_auc"))
        confusion = record.get("confusion")
        if confusion is not None:
            if not isinstance(confusion, dict) or not isinstance(confusion.get("epoch"), int):
                raise self.fail(line, "confusion: expected {\"epoch\": N, \"cells\": [...]}")
            epoch = confusion["epoch"]
            pc = next((p for p in reversed(self.per_class) if p.epoch == epoch), None)
            if pc is None:
                raise self.fail(line, f"confusion: no per-class metrics at epoch {epoch}")
            cells = self._cells(line, "confusion.cells", confusion.get("cells"),
                                len(pc.support))
            self.last = (epoch, cells)

    def _fact(self, line: int, record: dict[str, Any], key: str, cls: type[_F]) -> _F:
        """The end line's ``key`` object (``fit``, ``baselines``) as a ``cls``."""
        try:
            value: _F = _build(cls, record[key], key)
        except InputError as exc:
            raise self.fail(line, str(exc)) from None
        except (TypeError, ValueError) as exc:
            raise self.fail(line, f"{key}: {' '.join(str(exc).split())}") from None
        return value

    def _end_pr_auc(self, line: int, entries: Any) -> None:
        """The end line's PR-AUC per class at the best and last epochs, into their records."""
        if entries is None:
            return
        if not isinstance(entries, list):
            raise self.fail(line, 'pr_auc: expected a list of {"epoch": N, "values": [...]}')
        for entry in entries:
            epoch = entry.get("epoch") if isinstance(entry, dict) else None
            pc = next((p for p in reversed(self.per_class) if p.epoch == epoch), None) \
                if isinstance(epoch, int) else None
            if pc is None:
                raise self.fail(line, f"pr_auc: no per-class metrics at epoch {epoch!r}")
            values = entry.get("values")
            k = len(pc.support)
            numbers = [_number(v) for v in values] if isinstance(values, list) else []
            if len(numbers) != k or any(v is _BAD for v in numbers):
                raise self.fail(line, f"pr_auc.values: expected a list of {k} numbers or "
                                      "nulls")
            pc.pr_auc = numbers

    def _schema(
        self, line: int, record: dict[str, Any], definition: str, where: str | None = None
    ) -> None:
        """Check a line against its definition in run-2.schema.json (fields named)."""
        from fitdoctor.schemacheck import check

        try:
            check(record, "run-2.schema.json", f"/$defs/{definition}",
                  where=definition if where is None else where, required=False)
        except InputError as exc:
            raise self.fail(line, str(exc)) from None

    def _meta(self, line: int, record: dict[str, Any]) -> None:
        meta = record.get("meta")
        if meta is None:
            return
        if not isinstance(meta, dict):
            raise self.fail(line, "meta: expected an object")
        self.meta.update(meta)

    def finish(self) -> Run:
        if self.header is None:
            raise InputError(f"{self.display}: empty run log")
        from fitdoctor import classmetrics

        header = self.header
        keep: dict[int, list[list[int]]] = {}
        if self.best is not None:
            keep[self.best[0]] = self.best[1]
        if self.last is not None and self.per_class and self.last[0] == self.per_class[-1].epoch:
            keep[self.last[0]] = self.last[1]
        for pc in self.per_class:
            cells = keep.get(pc.epoch)
            if cells is not None:
                pc.confusion = classmetrics.dense_confusion(cells, len(pc.support))
        meta = self.meta
        if self.notes:
            notes = meta.get("notes")
            meta["notes"] = [*(notes if isinstance(notes, list) else []), *self.notes]
        seconds: list[float | None] | None = self.seconds
        source = str(header.get("source") or "fitdoctor")
        # the callback's log is Keras's; a log written before the field says so by its source
        framework = header.get("framework")
        if framework is None:
            framework = "keras" if source == "fitdoctor" else ""
        try:
            return Run(
                epochs=self.epochs,
                metrics=self.metrics,
                seconds=seconds,
                status=self.status,
                source=source,
                framework=framework,
                name=str(header.get("name") or self.name),
                model=header["model"],
                compile=header["compile"],
                fit=self.fit,
                data=header["data"],
                per_class=self.per_class,
                baselines=self.baselines if self.baselines is not None else
                header["baselines"],
                meta=meta,
                facts=self.facts,
            )
        except InputError as exc:
            raise InputError(f"{self.display}: {exc}") from None


_BAD: Any = object()
_TOO_DEEP = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"


def _number(value: Any) -> float | None:
    """``float`` of a JSON number, ``None`` for null, :data:`_BAD` for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _BAD  # type: ignore[no-any-return]
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _is_cell(cell: Any, k: int) -> bool:
    return (
        isinstance(cell, list)
        and len(cell) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in cell)
        and 0 <= cell[0] < k
        and 0 <= cell[1] < k
        and cell[2] >= 0
    )


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
