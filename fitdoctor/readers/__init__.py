"""Read training histories in the formats people keep them: every run a source holds.

A source is a file, a folder, bytes from stdin, or an object in memory. Files and folders
are recognised by their *content*, never by their name alone. Each format is one module
with a cheap ``sniff(source) -> bool`` and a ``read(source) -> list[Run]``; the registry
(:data:`FORMATS`) tries them in this order and the first whose sniff says yes reads:

====  ============  ==================  ===================================================
 #    format        sources it sniffs   sniff
====  ============  ==================  ===================================================
 0    run log       file, text          the first line opens with
                                        ``{"schema": "fitdoctor.run/2"`` (the callback's
                                        append-only file, :mod:`fitdoctor.runlog`; a file
                                        is sniffed by its first 256 bytes before anything
                                        else is read, and may be up to
                                        :data:`fitdoctor.runlog.MAX_BYTES`)
 1    keras-tuner   folder              a KerasTuner project (``oracle.json`` beside
                                        ``trial_*/trial.json``) or a folder of projects:
                                        one run per trial, hyperparameters as facts
 2    tensorboard   folder, binary      a folder with ``events.out.tfevents.*`` files in it
                                        (or in ``train/``, ``validation/``, or run
                                        subfolders); a file whose first record has a
                                        valid TFRecord length checksum
 3    json          text                first non-space character ``{`` or ``[`` (or the
                                        whole text is one JSON value), unless the first
                                        line is a log line (``[12:00:01] Loading``)
 4    console       text                a ``model.fit`` line: ``Epoch 3/10``, or
                                        ``N/N ... - loss: 0.21``, or another logger's
                                        ``Epoch 3: Training Loss = 0.41`` or
                                        ``Epoch:3/10 | Train Loss:0.41``
 5    named-lists   text                every line ``name: [numbers]`` or ``name: number``
                                        (:mod:`fitdoctor.readers.named_lists`)
 6    text-table    text                a line of names above rows of numbers separated
                                        by spaces (a ``-----`` rule between them), after
                                        any preamble
                                        (:mod:`fitdoctor.readers.text_tables`)
 7    csv           text                anything else (the fallback: refused with what a
                                        readable CSV looks like)
====  ============  ==================  ===================================================

Text is UTF-8 (a byte-order mark is dropped); a file with a NUL byte in its first
8 KiB is binary. Readers are imported only when their sniff runs, and the JSON sniff
runs first, so reading a Keras History JSON imports neither the console nor the
TensorBoard reader. Files larger than :data:`MAX_BYTES` are refused (TensorBoard event
files are streamed instead).

A reader returns **every run** in its source. :func:`load` (one run) refuses a source
with several, pointing to :func:`load_runs`; runs of one source are named
"run 2 of 3 in FILE" (with the key or folder they came from in parentheses).
Metric names are mapped to Keras's by :mod:`fitdoctor.readers.names`; the user's
mapping (``metric_map``, ``--metric-map``, ``[tool.fitdoctor.metrics]``) comes first.

**Tracking stores** are named by a scheme instead of a path (:data:`STORES`):
``mlflow:EXPERIMENT`` is read by :mod:`fitdoctor.readers.mlflow_store` (one run per
MLflow run of the experiment), which is imported only for such a source. A path that
starts with ``mlflow:`` is always the store (write ``./mlflow:x`` for such a file).

Every unusable source raises :class:`~fitdoctor.errors.InputError` with one line that
names the source, the problem, and what would make it readable. Adding a format is
adding a module with ``sniff`` and ``read`` and one :class:`Format` line here.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from fitdoctor.errors import InputError
from fitdoctor.readers._base import MAX_BYTES, Source, mib
from fitdoctor.run import Run

__all__ = [
    "DOCUMENT_SCHEMAS",
    "FORMATS",
    "MAX_BYTES",
    "STORES",
    "Format",
    "Source",
    "from_any",
    "history_sources",
    "is_document_file",
    "load",
    "load_runs",
    "pick_run",
    "read_source",
    "runs_from_any",
    "sources",
    "store_of",
]


@dataclass(frozen=True)
class Format:
    """One input format in the registry.

    Args:
        name: Short name (``"json"``).
        module: The module with its ``sniff`` and ``read``.
        kinds: Sources it can read: ``"text"``, ``"binary"``, ``"folder"``.
        example: How such a source is usually made, for messages and docs.
    """

    name: str
    module: str
    kinds: frozenset[str]
    example: str


#: The formats, in the order their sniffs are tried.
FORMATS: tuple[Format, ...] = (
    Format(
        "keras-tuner",
        "fitdoctor.readers.keras_tuner",
        frozenset({"folder"}),
        "keras_tuner.RandomSearch(..., directory=DIR, project_name=NAME)",
    ),
    Format(
        "tensorboard",
        "fitdoctor.readers.tensorboard",
        frozenset({"folder", "binary"}),
        "keras.callbacks.TensorBoard(log_dir)",
    ),
    Format(
        "json",
        "fitdoctor.readers.json_files",
        frozenset({"text"}),
        "json.dump(history.history, f)",
    ),
    Format(
        "console",
        "fitdoctor.readers.console",
        frozenset({"text"}),
        "python train.py > train.log (what model.fit prints)",
    ),
    Format(
        "named-lists",
        "fitdoctor.readers.named_lists",
        frozenset({"text"}),
        'print(f"Val Loss List: {val_losses}") > history.txt',
    ),
    Format(
        "text-table",
        "fitdoctor.readers.text_tables",
        frozenset({"text"}),
        "print(pd.DataFrame(history.history).to_string(index=False)) > train.log",
    ),
    Format(
        "csv",
        "fitdoctor.readers.csv_files",
        frozenset({"text"}),
        "keras.callbacks.CSVLogger('training.log')",
    ),
)

#: Tracking stores named by a scheme (``mlflow:EXPERIMENT``) → the module that reads them
#: (its ``read(source)`` returns every run the name selects).
STORES: dict[str, str] = {"mlflow": "fitdoctor.readers.mlflow_store"}


def store_of(arg: str | os.PathLike[str]) -> str | None:
    """The tracking store an argument names: ``"mlflow"`` for ``mlflow:EXPERIMENT``.

    Args:
        arg: A command-line argument or path.

    Returns:
        The store's scheme, or ``None`` for a path.
    """
    scheme, sep, _ = os.fspath(arg).partition(":")
    return scheme if sep and scheme in STORES else None


#: Schemas of result files that hold several runs (cross-validation, learning curves).
DOCUMENT_SCHEMAS = ("fitdoctor.cv/", "fitdoctor.learning-curve/")


def _kind(source: Source) -> str:
    if source.path is not None and source._data is None and os.path.isdir(source.path):
        return "folder"
    return "binary" if source.is_binary else "text"


def read_source(source: Source) -> list[Run]:
    """Every run in ``source``, read by the first format whose sniff claims it.

    Args:
        source: The source.

    Returns:
        The runs (at least one).

    Raises:
        InputError: Unreadable, or no format can use it.
        MissingDependency: A tracking store whose client is not installed (MLflow).
    """
    store = store_of(source.display) if source._data is None else None
    if store is not None:
        reader: Any = importlib.import_module(STORES[store])
        store_runs: list[Run] = reader.read(source)
        return store_runs
    from fitdoctor import runlog

    if source.path is not None and source._data is None and runlog.sniff_path(source.path):
        return [runlog.read(source.path, display=source.display)]
    kind = _kind(source)
    if kind == "text" and runlog.sniff(source.data[:256]):
        return [runlog.parse(source.data, source.display)]
    if kind == "text" and (not source.data or source.data.isspace()):
        raise InputError(f"{source.display}: empty file")
    for fmt in FORMATS:
        if kind not in fmt.kinds:
            continue
        module: Any = importlib.import_module(fmt.module)
        if module.sniff(source):
            runs: list[Run] = module.read(source)
            return runs
    if kind == "folder":
        found = [p for p in history_sources(source.display) if p != source.display]
        if found:  # a sweep's folder, given where one run is read (compare, plot, load)
            shown = ", ".join(found[:2]) + (", ..." if len(found) > 2 else "")
            raise InputError(
                f"{source.display}: a folder of {len(found)} history files ({shown}), not "
                "one run: pass one of them (`fitdoctor analyze FOLDER` reads each)"
            )
        names = ", ".join(f"*{suffix}" for suffix in HISTORY_SUFFIXES)
        raise InputError(
            f"{source.display}: a folder without history files ({names}) or TensorBoard "
            "event files (events.out.tfevents.*); pass a history file, or a folder that "
            "holds them"
        )
    if kind == "binary":
        raise InputError(
            f"{source.display}: binary data, not a history (expected JSON, CSV, a Keras "
            "console log, or a TensorBoard event file events.out.tfevents.*)"
        )
    raise InputError(f"{source.display}: not a training history")  # pragma: no cover


def load_runs(
    path: str | os.PathLike[str], *, metric_map: Mapping[str, str] | None = None
) -> list[Run]:
    """Every run in a file or TensorBoard log folder, recognised by its content.

    Args:
        path: The file or folder (``"-"`` is not stdin here: see :func:`read_source`),
            or a tracking store's name: ``"mlflow:EXPERIMENT"`` (:data:`STORES`).
        metric_map: Logged metric name → Keras name, before the automatic mapping.
            Defaults to `None`.

    Returns:
        The runs, in source order, with ``source`` (``"fitdoctor"``, ``"keras-history"``,
        ``"csv"``, ``"console"``, ``"tensorboard"``, ...) and ``name`` set.

    Raises:
        InputError: The source is missing, unreadable, too large, or not a usable
            history; the message is one line naming it, the problem and the fix.
    """
    display = os.fspath(path)
    return read_source(Source(display, display, metric_map=metric_map))


def load(path: str | os.PathLike[str], *, metric_map: Mapping[str, str] | None = None) -> Run:
    """The one run in a file (see :func:`load_runs` for a source with several).

    Args:
        path: The file or folder.
        metric_map: Logged metric name → Keras name. Defaults to `None`.

    Returns:
        The run.

    Raises:
        InputError: Unusable, or the source holds several runs (the message names
            :func:`load_runs` / ``fitdoctor.analyze_all``).
    """
    runs = load_runs(path, metric_map=metric_map)
    return _single(runs, os.fspath(path))


def _single(runs: list[Run], display: str) -> Run:
    if len(runs) == 1:
        return runs[0]
    raise InputError(
        f"{display}: holds {len(runs)} runs where one is expected; `fitdoctor analyze` "
        "reports each of them, `fitdoctor compare` picks one with --before-run/--after-run "
        "N and `fitdoctor plot` with --run N; in Python, read them all with "
        "fitdoctor.load_runs() or analyze them with fitdoctor.analyze_all()"
    )


def pick_run(
    path: str | os.PathLike[str],
    k: int,
    option: str,
    *,
    metric_map: Mapping[str, str] | None = None,
) -> Run:
    """The ``k``-th run (from 1) of a file that may hold several, as an option picks it.

    The command-line options that pick one run of a file (``compare --before-run N``,
    ``plot --run N``) share this, and its error.

    Args:
        path: The file (an appended CSVLogger, a console log of several ``fit`` calls).
        k: Which run, from 1.
        option: The option that gave ``k``, named in the error, e.g. ``"--run"``.
        metric_map: Logged metric name → Keras name. Defaults to `None`.

    Returns:
        The run.

    Raises:
        InputError: The file is unusable, or holds fewer than ``k`` runs (one line:
            ``training.log: --run 4, but the file holds 3 runs (1 to 3)``).
    """
    runs = load_runs(path, metric_map=metric_map)
    if not 1 <= k <= len(runs):
        raise InputError(
            f"{os.fspath(path)}: {option} {k}, but the file holds {len(runs)} run"
            f"{'s' if len(runs) != 1 else ''} (1 to {len(runs)})"
        )
    return runs[k - 1]


def runs_from_any(obj: Any, *, metric_map: Mapping[str, str] | None = None) -> list[Run]:
    """Every run in whatever the user has.

    Args:
        obj: A :class:`Run`, a path (``str`` or ``os.PathLike``), a history ``dict``
            (or a run dict with ``"schema"``), a keras ``History``, a pandas
            ``DataFrame``, or a list of those.
        metric_map: Logged metric name → Keras name. Defaults to `None`.

    Returns:
        The runs.

    Raises:
        InputError: ``obj`` is none of these, or holds no usable history.
    """
    if isinstance(obj, Run):
        return [obj]
    if isinstance(obj, (str, os.PathLike)):
        return load_runs(obj, metric_map=metric_map)
    from fitdoctor.readers import objects

    return objects.runs_from_object(obj, metric_map=metric_map)


def from_any(obj: Any, *, metric_map: Mapping[str, str] | None = None) -> Run:
    """Turn whatever the user has into one :class:`Run`.

    Args:
        obj: See :func:`runs_from_any`.
        metric_map: Logged metric name → Keras name. Defaults to `None`.

    Returns:
        The run.

    Raises:
        InputError: Unusable, or several runs (use :func:`runs_from_any`).
    """
    if isinstance(obj, Run):
        return obj
    display = os.fspath(obj) if isinstance(obj, (str, os.PathLike)) else type(obj).__name__
    return _single(runs_from_any(obj, metric_map=metric_map), display)


def is_document_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` holds a cross-validation or learning-curve result, not one run.

    Reads at most the first 4 KiB: fitdoctor writes ``"schema"`` as the first key. A
    UTF-8 byte-order mark is skipped. Anything but a regular file (a FIFO would block) and
    any read error mean ``False`` (the run loader then reports it).

    Args:
        path: The file.

    Returns:
        Whether it is such a document.
    """
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(os.fspath(path), "rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="ignore")
    except OSError:
        return False
    start = head.removeprefix("\ufeff").lstrip()[:200]
    return start.startswith("{") and any(f'"{s}' in start for s in DOCUMENT_SCHEMAS)


#: File name endings of the histories a folder is searched for.
HISTORY_SUFFIXES = (".json", ".jsonl", ".csv", ".tsv", ".log", ".txt")
_EVENTS = re.compile(r"events\.out\.tfevents\.")


def sources(
    arg: str | os.PathLike[str],
    *,
    metric_map: Mapping[str, str] | None = None,
    stdin: BinaryIO | None = None,
) -> list[Source]:
    """The sources a command-line argument names.

    ``-`` is standard input (``python train.py | fitdoctor analyze -``);
    ``mlflow:EXPERIMENT`` names an MLflow experiment (:data:`STORES`); a folder of
    TensorBoard runs (and nothing else) is one source whose reader names each run; any
    other folder is searched for history files (:func:`history_sources`); anything else
    is itself.

    Args:
        arg: The argument.
        metric_map: Logged metric name → Keras name. Defaults to `None`.
        stdin: Where ``-`` reads from. Defaults to `None` (``sys.stdin``'s bytes).

    Returns:
        The sources (a folder with nothing readable in it is itself one, which its
        reader refuses with a message).

    Raises:
        InputError: Standard input is over :data:`MAX_BYTES` or cannot be read.
    """
    display = os.fspath(arg)
    if store_of(display) is not None:
        return [Source(display, None, metric_map=metric_map)]
    if display == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            data = stream.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InputError(f"<stdin>: cannot read: {exc.strerror or exc}") from None
        if len(data) > MAX_BYTES:
            raise InputError(f"<stdin>: over the {mib(MAX_BYTES)} cap: is it a training history?")
        return [Source("<stdin>", None, data, metric_map)]
    if os.path.isdir(display):
        from fitdoctor.readers.keras_tuner import is_project
        from fitdoctor.readers.tensorboard import is_logdir

        found = history_sources(display)
        if found and not all(is_logdir(p) or is_project(p) for p in found):
            return [Source(p, p, metric_map=metric_map) for p in found]
    # a file, a TensorBoard folder (or a parent of several: its reader names their runs)
    return [Source(display, display, metric_map=metric_map)]


def history_sources(folder: str | os.PathLike[str]) -> list[str]:
    """The sources in a folder: TensorBoard log folders, and history files by name.

    A folder that holds TensorBoard event files (directly, or in ``train/`` and
    ``validation/``) is one source and is not searched further, and so is a KerasTuner
    project (``oracle.json`` beside ``trial_*/``); elsewhere files ending in
    :data:`HISTORY_SUFFIXES` are sources. Hidden files and folders are skipped.

    Args:
        folder: The folder.

    Returns:
        The sources' paths, sorted.
    """
    root = os.fspath(folder)
    from fitdoctor.readers.keras_tuner import is_project
    from fitdoctor.readers.tensorboard import is_logdir

    if is_logdir(root) or is_project(root):
        return [root]
    out: list[str] = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        keep = []
        for d in dirs:
            sub = os.path.join(here, d)
            if is_logdir(sub) or is_project(sub):
                out.append(sub)
            else:
                keep.append(d)
        dirs[:] = keep
        out.extend(
            os.path.join(here, f)
            for f in sorted(files)
            if not f.startswith(".") and f.lower().endswith(HISTORY_SUFFIXES)
            and os.path.isfile(os.path.join(here, f))  # not a FIFO or a device
        )
    return sorted(out)
