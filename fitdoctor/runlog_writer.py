"""Writing run logs: the records of each line and the append-only writer the callback uses.

The format is described in :mod:`fitdoctor.runlog` (which reads it). This module turns a
:class:`~fitdoctor.run.Run` into the header, epoch and per-class records
(:func:`header_record`, :func:`epoch_record`, :func:`per_class_record`, :func:`dumps`)
and appends them to a file (:class:`RunLogWriter`): the header written atomically, each
later line with one ``write`` call, fsynced by a background thread. The analysis never
imports it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import numpy as np

from fitdoctor.run import PerClass, Run
from fitdoctor.runlog import _FACTS, RUNLOG_SCHEMA
from fitdoctor.storage import fsync_dir, remove_orphans

__all__ = ["RunLogWriter", "dumps", "epoch_record", "header_record", "per_class_record"]


# ------------------------------------------------------------------------------ encoding
def _line(record: Mapping[str, Any]) -> bytes:
    return (json.dumps(record, allow_nan=True, separators=(",", ":")) + "\n").encode("utf-8")


def header_record(run: Run) -> dict[str, Any]:
    """The header line of ``run``: its facts, the per-class labels and its meta."""
    out: dict[str, Any] = {"schema": RUNLOG_SCHEMA, "source": run.source,
                           "framework": run.framework, "name": run.name}
    for key in _FACTS:
        value = getattr(run, key)
        out[key] = None if value is None else asdict(value)
    labels: list[str] | None = None
    if run.per_class:
        labels = list(run.per_class[0].labels)
    elif run.data is not None and run.data.class_names:
        labels = list(run.data.class_names)
    out["labels"] = labels
    out["meta"] = run.meta
    if run.facts:
        out["facts"] = run.facts
    return out


def per_class_record(
    pc: PerClass, cells: Any = None, *, best: bool = False
) -> dict[str, Any]:
    """The ``per_class`` object of an epoch line.

    Args:
        pc: The epoch's per-class metrics.
        cells: The confusion matrix to keep for this epoch, as its non-zero cells (an
            ``m × 3`` array or list of ``[true, predicted, count]``), or ``None``.
            Defaults to `None`.
        best: Mark the epoch as the best so far. Defaults to `False`.

    Returns:
        The JSON-ready object.
    """
    out: dict[str, Any] = {
        "precision": pc.precision,
        "recall": pc.recall,
        "f1": pc.f1,
        "pr_auc": pc.pr_auc,
        "support": pc.support,
        "threshold": pc.threshold,
        "threshold_f1": pc.threshold_f1,
        "top_confusions": pc.top_confusions,
    }
    if pc.threshold_precision is not None or pc.threshold_recall is not None:
        out["threshold_precision"] = pc.threshold_precision
        out["threshold_recall"] = pc.threshold_recall
    if cells is not None:
        out["confusion"] = np.asarray(cells, dtype=np.int64).reshape(-1, 3).tolist()
        if best:
            out["best"] = True
    return out


def epoch_record(
    run: Run,
    index: int,
    *,
    per_class: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The line of row ``index`` of ``run`` (gaps are left out of ``metrics``)."""
    metrics = {k: v[index] for k, v in run.metrics.items() if v[index] is not None}
    out: dict[str, Any] = {
        "kind": "epoch",
        "epoch": run.epochs[index],
        "seconds": run.seconds[index] if run.seconds is not None else None,
        "metrics": metrics,
    }
    if per_class is not None:
        out["per_class"] = per_class
    if meta:
        out["meta"] = meta
    return out


def dumps(
    run: Run,
    *,
    confusions: Mapping[int, Any] | None = None,
    best_epoch: int | None = None,
    end: bool | None = None,
) -> str:
    """The whole run as a run log: header, one line per epoch and, when finished, an end line.

    Args:
        run: The run.
        confusions: Confusion matrices to keep, by epoch, as non-zero cells (``m × 3``).
            Defaults to `None` (those the run's per-class records hold).
        best_epoch: The epoch to mark as best. Defaults to `None` (none marked; the
            reader then keeps only the last epoch's matrix).
        end: Write an end line with the run's status. Defaults to `None` (when the status
            is not ``running``).

    Returns:
        The text, ending in a newline.
    """
    from fitdoctor import classmetrics

    by_epoch = {pc.epoch: pc for pc in run.per_class}
    if confusions is None:
        confusions = {
            pc.epoch: classmetrics.sparse_confusion(np.asarray(pc.confusion))
            for pc in run.per_class
            if pc.confusion
        }
    parts = [_line(header_record(run))]
    for i, epoch in enumerate(run.epochs):
        pc = by_epoch.get(epoch)
        record = None
        if pc is not None:
            record = per_class_record(pc, confusions.get(epoch), best=epoch == best_epoch)
        parts.append(_line(epoch_record(run, i, per_class=record)))
    if end or (end is None and run.status != "running"):
        parts.append(_line({"kind": "end", "status": run.status}))
    return b"".join(parts).decode("utf-8")


# ------------------------------------------------------------------------------ writing
class _Syncer:
    """A background thread that fsyncs a file descriptor after appends (at most every 0.5 s).

    The writer only sets a flag: waking a thread on every append costs the training
    thread more than the append itself (a futex wake-up, and the GIL handed back and
    forth), so the thread polls the flag instead. :meth:`close` does the last fsync.
    """

    #: Seconds between checks for unsynced lines.
    INTERVAL = 0.5

    def __init__(self, fd: int) -> None:
        import threading

        self._fd = fd
        self.dirty = False
        self.error: OSError | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="fitdoctor-fsync", daemon=True)
        self._thread.start()

    def request(self) -> None:
        self.dirty = True

    def _sync(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        try:
            os.fsync(self._fd)
        except OSError as exc:
            self.error = exc

    def _loop(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            self._sync()

    def close(self) -> None:
        """Stop the thread, then fsync what is left."""
        self._stop.set()
        self._thread.join()
        self._sync()


class RunLogWriter:
    """Writes a run log: :meth:`start` once, then one :meth:`append` per line.

    Every method raises ``OSError`` (or ``TypeError`` for a value JSON cannot encode)
    on failure and leaves the file readable: after a failed append, the next call
    rewrites the whole file atomically from the run it is given.

    Args:
        path: The file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._fd: int | None = None
        self._syncer: _Syncer | None = None
        self._meta_written: dict[str, str] = {}
        self._broken = False
        #: Bytes written to the file since :meth:`start` (its size).
        self.size = 0

    # -- whole file
    def start(self, run: Run, **dump_options: Any) -> None:
        """Write ``run`` as a new file (atomically: temporary file, fsync, rename).

        Args:
            run: The run (usually no epoch yet: the header).
            **dump_options: Passed to :func:`dumps` (``confusions``, ``best_epoch``, ``end``).
        """
        self.close()
        data = dumps(run, **dump_options).encode("utf-8")
        folder = os.path.dirname(os.path.abspath(self.path))
        remove_orphans(self.path)
        tmp = os.path.join(
            folder, f".{os.path.basename(self.path)}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        )
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(tmp, flags, 0o666)
        try:
            _write_all(fd, data)
            os.fsync(fd)
            os.close(fd)
            fd = -1
            os.replace(tmp, self.path)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_dir(folder)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
        self._syncer = _Syncer(self._fd)
        self._meta_written = {k: _json(v) for k, v in run.meta.items()}
        self._broken = False
        self.size = len(data)

    def meta_changes(self, run: Run) -> dict[str, Any]:
        """The keys of ``run.meta`` whose values changed since the last line written."""
        changed: dict[str, Any] = {}
        for key, value in run.meta.items():
            text = _json(value)
            if self._meta_written.get(key) != text:
                changed[key] = value
                self._meta_written[key] = text
        return changed

    def append(self, record: dict[str, Any], run: Run, **dump_options: Any) -> None:
        """Append one line; after an earlier failure, rewrite the whole file from ``run``.

        Args:
            record: The line (``meta`` changes are added here).
            run: The run the line belongs to (already holding the line's data).
            **dump_options: Passed to :func:`dumps` when the file must be rewritten.
        """
        if self._fd is None and not self._broken:
            self._reopen()
        if self._broken or self._fd is None:
            self.start(run, **dump_options)
            return
        changed = self.meta_changes(run)
        if changed:
            record = {**record, "meta": {**record.get("meta", {}), **changed}}
        elif record.get("kind") == "meta" and not record.get("meta"):
            return  # nothing new to record
        data = _line(record)
        try:
            _write_all(self._fd, data)
        except BaseException:
            self._broken = True
            self.close()
            raise
        self.size += len(data)
        if self._syncer is not None:
            self._syncer.request()

    def _reopen(self) -> None:
        """Reopen a file closed by :meth:`close` for appending, if nobody changed it since."""
        if not self.size:
            return
        try:
            if os.path.getsize(self.path) != self.size:
                return  # changed behind our back: the next append rewrites it whole
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0))
        except OSError:
            return
        self._syncer = _Syncer(self._fd)

    def close(self) -> None:
        """Wait for the pending fsync and close the file (a later append reopens it)."""
        if self._syncer is not None:
            self._syncer.close()
            self._syncer = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def _json(value: Any) -> str:
    return json.dumps(value, allow_nan=True, sort_keys=True, default=repr)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
