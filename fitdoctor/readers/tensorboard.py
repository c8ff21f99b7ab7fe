"""TensorBoard log folders, as ``keras.callbacks.TensorBoard`` (and PyTorch) write them.

``keras.callbacks.TensorBoard(log_dir)`` writes ``log_dir/train/events.out.tfevents.*``
and ``log_dir/validation/events.out.tfevents.*``, with one scalar per epoch under the
tags ``epoch_loss``, ``epoch_accuracy``, ``epoch_learning_rate`` (step = the 0-based
epoch). That folder is **one run**: ``train/``'s ``epoch_loss`` is ``loss``,
``validation/``'s is ``val_loss``. A parent folder holding several such folders
(``logs/fit/20240101-120000``, ``logs/fit/20240102-...``) is **several runs**, one per
folder, labelled by their path under the parent. A folder whose event files sit
directly in it (PyTorch's ``SummaryWriter``: tags like ``Loss/train``, ``Loss/val``) is
one run too; its tags are read by :mod:`fitdoctor.readers.names`. One event file given
alone is the run of its folder (``validation/`` files are read as validation).

When a run has ``epoch_*`` tags, per-batch and per-iteration tags (``batch_loss``,
``evaluation_loss_vs_iterations``) are left out. Steps numbered 0..n-1 (or 1..n) are
the epochs; other steps (a global step) become rows 1..n, with a note. Several event
files in one folder (a resumed training) are merged; for a step logged twice the later
value wins. Event files are decoded by :mod:`fitdoctor.readers.tfrecord`, without
tensorflow.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Draft, Source, finish, label_runs
from fitdoctor.readers.tfrecord import read_scalars, valid_header
from fitdoctor.run import Run

__all__ = ["event_files", "is_logdir", "read", "sniff"]

_EVENTS = "events.out.tfevents"
_ROLE_FOLDERS = {
    "train": "",
    "training": "",
    "validation": "val_",
    "val": "val_",
    "valid": "val_",
    "eval": "val_",
    "evaluation": "val_",
    "test": "test_",
}
_MAX_DEPTH = 6


def _has_events(folder: str) -> bool:
    try:
        return any(name.startswith(_EVENTS) for name in os.listdir(folder))
    except OSError:
        return False


def is_logdir(folder: str) -> bool:
    """A run's folder: event files in it, or in its ``train/``/``validation/`` folders."""
    if _has_events(folder):
        return True
    return any(
        _has_events(os.path.join(folder, sub)) for sub in _ROLE_FOLDERS
        if os.path.isdir(os.path.join(folder, sub))
    )


def event_files(root: str) -> list[str]:
    """Every event file under ``root`` (at most a few folders deep), sorted."""
    out: list[str] = []
    base_depth = root.rstrip(os.sep).count(os.sep)
    for here, dirs, files in os.walk(root):
        if here.count(os.sep) - base_depth >= _MAX_DEPTH:
            dirs[:] = []
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out.extend(os.path.join(here, f) for f in files if f.startswith(_EVENTS))
    return sorted(out)


def sniff(source: Source) -> bool:
    """A folder with event files below it, or a file that starts with a TFRecord."""
    if source.path is not None and os.path.isdir(source.path):
        return bool(event_files(source.path))
    return valid_header(source.data[:12])


def read(source: Source) -> list[Run]:
    """Read every run in a TensorBoard log folder (or one event file).

    Args:
        source: The folder or file.

    Returns:
        The runs, sorted by folder.

    Raises:
        InputError: No scalar in any event file.
    """
    if source.path is None:  # bytes (stdin): one event file
        draft = _draft([("", "")], source)
        if draft is None:
            raise InputError(f"{source.display}: TensorBoard event data with no scalar summary")
        return [finish(draft, source, "tensorboard")]
    path = source.path
    if os.path.isdir(path):
        files = event_files(path)
        root = path
    else:
        files = [path]
        root = os.path.dirname(path) or "."
    runs: dict[str, list[tuple[str, str]]] = {}
    for file in files:
        folder = os.path.dirname(file) or "."  # a bare file name lies in the working folder
        role = _ROLE_FOLDERS.get(os.path.basename(folder).lower())
        run_dir = os.path.dirname(folder) if role is not None else folder
        if os.path.isfile(path) and role is not None:
            run_dir = folder
        runs.setdefault(run_dir, []).append((role or "", file))
    drafts: list[Draft] = []
    labels: list[str] = []
    for run_dir in sorted(runs):
        draft = _draft(runs[run_dir], source)
        if draft is None:
            continue
        rel = os.path.relpath(run_dir, root)
        labels.append("" if rel == "." else rel.replace(os.sep, "/"))
        drafts.append(draft)
    if not drafts:
        raise InputError(
            f"{source.display}: TensorBoard event files with no scalar summary; expected "
            "keras.callbacks.TensorBoard logs (epoch_loss, epoch_accuracy, ...)"
        )
    results = [finish(d, source, "tensorboard") for d in drafts]
    return label_runs(results, labels)


def _draft(files: Iterable[tuple[str, str]], source: Source) -> Draft | None:
    values: dict[str, dict[int, tuple[float, float]]] = {}  # name -> step -> (wall, value)
    for prefix, file in files:
        try:
            with open(file, "rb") if file else io.BytesIO(source.data) as fh:
                for scalar in read_scalars(fh):
                    name = prefix + scalar.tag
                    seen = values.setdefault(name, {}).get(scalar.step)
                    if seen is None or scalar.wall_time >= seen[0]:
                        values[name][scalar.step] = (scalar.wall_time, scalar.value)
        except OSError as exc:
            raise InputError(f"{file}: cannot read: {exc.strerror or exc}") from None
    if not values:
        return None
    epoch_tags = {n for n in values if n.split("epoch_", 1)[0] in ("", "val_", "test_")
                  and "epoch_" in n}
    notes: list[str] = []
    if epoch_tags:
        left = sorted(n for n in values if n not in epoch_tags and not _keras_step_tag(n))
        if left:
            notes.append(
                f"per-batch or per-iteration tags left out: {', '.join(left[:4])}"
                + (", ..." if len(left) > 4 else "")
            )
        values = {_strip_epoch(n): values[n] for n in sorted(epoch_tags, key=_tag_order)}
    steps = sorted({s for per in values.values() for s in per})
    if steps == list(range(steps[0], steps[0] + len(steps))) and steps[0] in (0, 1):
        epochs = [s + 1 if steps[0] == 0 else s for s in steps]
    else:
        epochs = list(range(1, len(steps) + 1))
        notes.append(
            f"TensorBoard steps {steps[0]}..{steps[-1]} are not epoch numbers: read as "
            f"rows 1..{len(steps)}"
        )
    index = {s: i for i, s in enumerate(steps)}
    columns: dict[str, list[Any]] = {}
    for name, per in values.items():
        column: list[Any] = [None] * len(steps)
        for step, (_, value) in per.items():
            column[index[step]] = value
        columns[name] = column
    # keras.callbacks.TensorBoard's tag: `epoch_loss` (in train/, or beside epoch_val_loss)
    keras = "epoch_loss" in epoch_tags
    return Draft(columns=columns, epochs=epochs, notes=notes, framework="keras" if keras else None)


def _keras_step_tag(name: str) -> bool:
    """Keras's own per-batch / per-iteration tags, left out without a note."""
    tag = name.split("_", 1)[1] if name.startswith(("val_", "test_")) else name
    return tag.startswith(("batch_", "evaluation_")) or tag.endswith("_vs_iterations")


def _strip_epoch(name: str) -> str:
    prefix, _, rest = name.partition("epoch_")
    return prefix + rest


def _tag_order(name: str) -> tuple[int, str]:
    return (1 if name.startswith(("val_", "test_")) else 0, name)
