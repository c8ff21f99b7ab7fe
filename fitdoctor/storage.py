"""Write run files and other results atomically: readers see the old file or the new one.

:func:`save` writes a :class:`~fitdoctor.run.Run` as ``"schema": "fitdoctor.run/1"``
JSON (:func:`dumps`); :func:`write_json_atomic` and :func:`write_text_atomic` write any
JSON value or text the same way: a temporary file in the same folder, flushed and
fsynced, then moved over the target with :func:`os.replace` (and the folder fsynced, so
the rename survives a power cut). On any failure the temporary file is removed and the
target is left as it was. Reading lives in :mod:`fitdoctor.readers`.

A process killed between writing its temporary file and the rename leaves an orphan
``.NAME.PID.HEX.tmp`` beside the target; the next save of the same file in any process
removes those of processes that no longer run (:func:`remove_orphans`, once per target
and process).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fitdoctor.run import Run

__all__ = ["dumps", "fsync_dir", "remove_orphans", "save", "write_json_atomic",
           "write_text_atomic"]

#: The temporary file of a save: ``.NAME.PID.HEX.tmp`` beside NAME.
_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]+\.tmp$")
#: Targets whose orphans this process has removed already.
_CLEANED: set[str] = set()


def dumps(run: Run) -> str:
    """The text :func:`save` writes: the run's JSON, indented, flat lists on one line.

    Args:
        run: The run.

    Returns:
        JSON text (``NaN``/``Infinity`` tokens for non-finite values) ending in a newline.

    Raises:
        TypeError: ``run.meta`` (or another free-form field) holds a value JSON cannot encode.
    """
    return render_json(run.to_dict()) + "\n"


def save(run: Run, path: str | os.PathLike[str]) -> None:
    """Write ``run`` to ``path`` atomically: readers see the old file or the new one.

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
    write_text_atomic(render_json(data) + "\n", path)


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
    fsync_dir(folder)
    key = os.path.abspath(target)
    if key not in _CLEANED:
        _CLEANED.add(key)
        remove_orphans(target, keep=os.path.basename(tmp))


def remove_orphans(path: str | os.PathLike[str], *, keep: str = "") -> list[str]:
    """Remove temporary files that crashed saves of ``path`` left beside it.

    A save writes ``.NAME.PID.HEX.tmp`` in the folder and renames it over ``NAME``; a
    process killed in between leaves it behind. Those of processes that no longer run
    are removed (a live process may be saving right now). This process's own are
    removed too: in a container the training is often process 1 every time, so an
    orphan of an earlier, crashed run can carry this very process id.

    Args:
        path: The saved file.
        keep: A temporary file's name to leave alone. Defaults to `""`.

    Returns:
        The names removed.
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    name = os.path.basename(target)
    removed: list[str] = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    for entry in entries:
        match = _TMP.match(entry)
        if match is None or match.group("name") != name or entry == keep:
            continue
        pid = int(match.group("pid"))
        if pid != os.getpid() and _alive(pid):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, entry))
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def render_json(value: Any, level: int = 0) -> str:
    """Indented JSON where flat lists (and containers that fit in 88 columns) stay on one line.

    Built bottom-up so every value is encoded once: a 10,000-epoch run renders in
    about the time of a plain ``json.dumps``.

    Args:
        value: A JSON-ready value.
        level: Indentation level of ``value``. Defaults to `0`.

    Returns:
        The JSON text, without a trailing newline.
    """
    if not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, allow_nan=True)
    if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
        return json.dumps(value, allow_nan=True)
    if isinstance(value, dict):
        keys = [json.dumps(str(k)) + ": " for k in value]
        parts = [render_json(v, level + 1) for v in value.values()]
        opening, closing = "{", "}"
    else:
        keys = [""] * len(value)
        parts = [render_json(v, level + 1) for v in value]
        opening, closing = "[", "]"
    items = [k + p for k, p in zip(keys, parts, strict=True)]
    if not any("\n" in p for p in parts):
        inline = opening + ", ".join(items) + closing
        if len(inline) + 2 * level <= 88:
            return inline
    pad = "\n" + "  " * (level + 1)
    return opening + pad + ("," + pad).join(items) + "\n" + "  " * level + closing


def fsync_dir(folder: str) -> None:
    """Make a rename in ``folder`` durable (POSIX); harmless where directories cannot be opened."""
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
