"""Read a saved Keras model into a :class:`~fitdoctor.run.Run` with no epochs.

:func:`read_model_file` loads a ``.keras`` file (or an unzipped ``.keras`` folder) or a
legacy HDF5 ``.h5`` file with Keras 3 and describes it as a run with
``source="model-file"`` (:func:`describe_model`): the model facts
(:func:`fitdoctor.keras_facts.model_info`), the compile facts when the file was saved
after ``compile`` (:func:`fitdoctor.keras_facts.compile_info`), and the task and the
number of classes that the loss and the output layer imply. What a file cannot hold
(the batch size, the labels; the loss of a model saved before ``compile``) may be
given as :class:`SetupFacts`. ``fitdoctor lint`` (:mod:`fitdoctor.model_lint`) runs the
model-setup rules on the run.

Files are recognised by content (a zip is a ``.keras`` file, an HDF5 signature a legacy
``.h5`` file), whatever their name. A TensorFlow SavedModel folder is refused with what
to do instead: Keras 3 loads one only as an inference layer, without its layers.

When Keras cannot rebuild the saved compile settings (a Keras 2 loss object, a custom
loss), the model is loaded without them and the compile facts are read from the
configuration saved in the file (:mod:`fitdoctor.saved_compile`).

Keras is imported when a file is loaded, never with this module. While it imports and
loads, what Keras and TensorFlow print (C++ logs, Python warnings, absl messages) is
captured; warnings that are not known to be harmless become notes of the report.
"""

from __future__ import annotations

import contextlib
import importlib
import io as _io
import logging
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fitdoctor import arraylike, vocabulary
from fitdoctor import keras_facts as kf
from fitdoctor.errors import InputError, MissingDependency
from fitdoctor.run import MODEL_FILE, TASKS, CompileInfo, FitInfo, Run
from fitdoctor.saved_compile import compile_from_saved_config, read_saved_compile_config

if TYPE_CHECKING:
    import keras

__all__ = ["SetupFacts", "describe_model", "import_modules", "read_model_file", "sniff"]

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"

#: Messages Keras prints while loading that say nothing about the model's setup.
_HARMLESS = re.compile(
    "|".join(
        (
            r"Skipping variable loading for optimizer",
            r"compiled metrics have yet to be built",
            r"No training configuration found in the save file",
            r"Error in loading the saved optimizer state",
            r"Do not pass an `input_shape`/`input_dim` argument to a layer",
            r"saving your model as an HDF5 file",
            r"compile\(\) was not called as part of model loading",
        )
    )
)
#: At most this many of Keras's load-time warnings become notes.
_MAX_NOTES = 3

_SAVE_HINT = "model.save('model.keras')"


# ------------------------------------------------------------------ facts from flags
@dataclass
class SetupFacts:
    """What a saved model cannot say, given on the command line.

    Args:
        loss: A Keras loss name (``"categorical_crossentropy"``, ``"mse"``,
            ``"SparseCategoricalCrossentropy"``), replacing the file's. Defaults to `None`.
        from_logits: The loss's ``from_logits``. Defaults to `None` (the file's, else
            the loss's default, ``False``).
        optimizer: A Keras optimizer name (``"sgd"``, ``"adam"``), with its default
            settings, replacing the file's. Defaults to `None`.
        batch_size: The batch size ``fit`` will use. Defaults to `None`.
        task: The task type (see :data:`fitdoctor.run.TASKS`). Defaults to `None`.
        n_classes: The number of classes. Defaults to `None`.
    """

    loss: str | None = None
    from_logits: bool | None = None
    optimizer: str | None = None
    batch_size: int | None = None
    task: str | None = None
    n_classes: int | None = None

    def check(self) -> None:
        """Raise :class:`InputError` naming a flag that cannot be used (imports Keras)."""
        if self.task is not None and self.task not in TASKS:
            raise InputError(f"--task {self.task!r}: expected one of {', '.join(TASKS)}")
        if self.batch_size is not None and self.batch_size < 1:
            raise InputError(f"--batch-size must be at least 1, got {self.batch_size}")
        if self.n_classes is not None and self.n_classes < 1:
            raise InputError(f"--classes must be at least 1, got {self.n_classes}")
        if self.loss is None and self.optimizer is None:
            return
        with _quiet([]):
            keras = _import_keras()
            if self.loss is not None:
                _check_loss(keras, self.loss, self.from_logits)
            if self.optimizer is not None:
                _optimizer(keras, self.optimizer)


def _check_loss(keras: Any, name: str, from_logits: bool | None) -> str:
    canonical = vocabulary.canonical_loss(name)
    for candidate in (name, canonical):
        try:
            keras.losses.get(candidate)
        except (ValueError, TypeError):
            continue
        break
    else:
        raise InputError(
            f"--loss {name!r}: not a Keras loss (e.g. categorical_crossentropy, "
            "sparse_categorical_crossentropy, binary_crossentropy, mse)"
        )
    if from_logits is not None and canonical not in vocabulary.PROBABILITY_LOSSES:
        raise InputError(
            f"--from-logits applies to a crossentropy loss, not to {canonical}"
        )
    return canonical


def _optimizer(keras: Any, name: str) -> CompileInfo:
    try:
        optimizer = keras.optimizers.get(name)
    except (ValueError, TypeError):
        raise InputError(
            f"--optimizer {name!r}: not a Keras optimizer (e.g. sgd, rmsprop, adam)"
        ) from None
    config = arraylike.json_safe(dict(optimizer.get_config())) or {}
    rate = config.get("learning_rate")
    if isinstance(rate, float):
        config["learning_rate"] = rate = arraylike.clean_float(rate)
    return CompileInfo(
        optimizer=type(optimizer).__name__,
        optimizer_config=config,
        learning_rate=rate if isinstance(rate, float) else None,
    )


def _with_flags(
    keras: Any, info: CompileInfo | None, facts: SetupFacts, notes: list[str]
) -> CompileInfo | None:
    """The file's compile facts with ``--loss``, ``--from-logits`` and ``--optimizer`` applied."""
    if facts.loss is None and facts.optimizer is None and facts.from_logits is None:
        return info
    out = CompileInfo() if info is None else CompileInfo(**vars(info))
    if facts.loss is not None:
        loss = _check_loss(keras, facts.loss, facts.from_logits)
        if out.loss is not None and out.loss != loss:
            notes.append(f"--loss {loss} replaces the file's loss, {out.loss}.")
        out.loss = loss
        out.from_logits = False if loss in vocabulary.PROBABILITY_LOSSES else None
    if facts.from_logits is not None:
        if out.loss is None:
            raise InputError(
                "--from-logits needs a loss: the file has no compile settings; pass --loss NAME"
            )
        if out.loss not in vocabulary.PROBABILITY_LOSSES:
            raise InputError(f"--from-logits applies to a crossentropy loss, not to {out.loss}")
        out.from_logits = facts.from_logits
    if facts.optimizer is not None:
        chosen = _optimizer(keras, facts.optimizer)
        if out.optimizer is not None and out.optimizer != chosen.optimizer:
            notes.append(
                f"--optimizer {chosen.optimizer} replaces the file's optimizer, {out.optimizer}."
            )
        out.optimizer = chosen.optimizer
        out.optimizer_config = chosen.optimizer_config
        out.learning_rate = chosen.learning_rate
    return out


# ------------------------------------------------------------------ reading a file
def sniff(path: Path) -> str:
    """What ``path`` holds: ``"keras"`` (a zip), ``"keras-dir"`` or ``"h5"`` (HDF5).

    Args:
        path: The file or folder.

    Returns:
        The kind.

    Raises:
        InputError: A SavedModel folder, another folder, or a file that is not a saved
            Keras model; the message says what to do instead.
        OSError: The file cannot be opened (missing, unreadable).
    """
    if path.is_dir():
        if (path / "config.json").is_file():
            return "keras-dir"
        if (path / "saved_model.pb").is_file() or (path / "saved_model.pbtxt").is_file():
            raise InputError(_saved_model_message(path))
        raise InputError(
            f"{path}: is a directory, not a saved model (expected a .keras or .h5 file)"
        )
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head.startswith(_ZIP_MAGIC):
        return "keras"
    if head.startswith(_HDF5_MAGIC):
        return "h5"
    if not head:
        raise InputError(f"{path}: is empty, not a saved Keras model")
    text = head.lstrip()
    if text[:1] in (b"{", b"[") or path.suffix.lower() in (".json", ".csv", ".log", ".txt"):
        raise InputError(
            f"{path}: is not a saved Keras model (a .keras or .h5 file); "
            "for a training history, use fitdoctor analyze"
        )
    raise InputError(
        f"{path}: is not a saved Keras model: expected a .keras file (a zip) or a "
        "legacy .h5 file (HDF5)"
    )


def _saved_model_message(path: Path) -> str:
    how = (
        f"load the model in the code that built it and save it with {_SAVE_HINT}, "
        "then lint that file"
    )
    if (path / "keras_metadata.pb").is_file():  # written by Keras 2 (tf.keras)
        how += (
            " (this one was written by Keras 2: "
            f"tf_keras.models.load_model('{path}').save('model.h5') converts it)"
        )
    return (
        f"{path}: is a TensorFlow SavedModel folder, which Keras 3 loads only as an "
        f"inference layer without its layers or compile settings: {how}"
    )


def read_model_file(
    path: str | os.PathLike[str],
    facts: SetupFacts | None = None,
    *,
    unsafe: bool = False,
) -> Run:
    """Load a saved Keras model and describe it as a run with no epochs.

    Args:
        path: A ``.keras`` file or folder, or a legacy ``.h5`` file.
        facts: What the command line adds (loss, optimizer, batch size, task, classes).
            Defaults to `None`.
        unsafe: Let Keras load Python code stored in the file (``Lambda`` layers:
            ``safe_mode=False``). Only for files you trust. Defaults to `False`.

    Returns:
        The run: ``source="model-file"``, ``name`` the file name, the model, compile,
        data (and, with a batch size, fit) facts, and in ``meta["notes"]`` what the
        report should say about how the file was read.

    Raises:
        InputError: The file is not a saved Keras model or Keras cannot load it; one
            line naming the file, the problem and what would make it readable.
        MissingDependency: Keras (or a backend) is not installed.
        OSError: The file cannot be opened.
    """
    target = Path(path)
    facts = facts or SetupFacts()
    kind = sniff(target)
    notes: list[str] = []
    with _quiet(notes):
        keras = _import_keras()
        model, compile_error = _load(keras, target, kind, safe_mode=not unsafe)
        info: CompileInfo | None = None
        if getattr(model, "compiled", False):
            info = kf.compile_info(model)
        else:
            saved = read_saved_compile_config(target, kind)
            if saved:
                info = compile_from_saved_config(saved)
                why = f" ({_root_cause(compile_error)})" if compile_error is not None else ""
                notes.append(
                    "Keras could not rebuild the compile settings saved in the file"
                    f"{why}: the loss, optimizer and metrics were read from its saved "
                    "configuration."
                )
        info = _with_flags(keras, info, facts, notes)
        run = describe_model(model, name=target.name or str(target), compile_info=info,
                             facts=facts, notes=notes)
    return run


def describe_model(
    model: keras.Model,
    *,
    name: str,
    compile_info: CompileInfo | None,
    facts: SetupFacts | None = None,
    notes: Sequence[str] = (),
) -> Run:
    """A run with no epochs that holds what ``model`` says about its setup.

    Args:
        model: A built Keras model.
        name: The run's display name (the file name).
        compile_info: The compile facts, or ``None`` when the model was not compiled.
        facts: Facts from the command line (task, classes, batch size). Defaults to `None`.
        notes: Notes for the report. Defaults to `()`.

    Returns:
        The run (``source="model-file"``).
    """
    facts = facts or SetupFacts()
    all_notes = list(notes)
    outputs = getattr(model, "outputs", None)
    if isinstance(outputs, (list, tuple)) and len(outputs) > 1:
        all_notes.append(f"the model has {len(outputs)} outputs: the facts describe the first")
    model_info = kf.model_info(model)
    run = Run(
        epochs=[],
        metrics={},
        source=MODEL_FILE,
        name=name,
        model=model_info,
        compile=compile_info,
        data=kf.data_info(model_info, compile_info),
        fit=FitInfo(batch_size=facts.batch_size) if facts.batch_size is not None else None,
    )
    run.with_facts(task=facts.task, n_classes=facts.n_classes)
    run.meta["versions"] = kf.versions()
    if all_notes:
        run.meta["notes"] = all_notes
    return run


def _load(keras: Any, path: Path, kind: str, *, safe_mode: bool) -> tuple[Any, Exception | None]:
    """The model (compiled when Keras can), and the error that kept it from compiling."""
    with _keras_named(path, kind) as target:
        try:
            return keras.saving.load_model(target, compile=True, safe_mode=safe_mode), None
        except Exception as first:  # Keras raises anything; try without the compile settings
            try:
                model = keras.saving.load_model(target, compile=False, safe_mode=safe_mode)
            except Exception as exc:
                raise InputError(_load_error(path, kind, exc)) from None
            return model, first


@contextlib.contextmanager
def _keras_named(path: Path, kind: str) -> Iterator[Path]:
    """``path``, or a link to it whose name ends as Keras expects (it goes by the suffix)."""
    suffix = path.suffix.lower()
    if kind == "keras-dir" or (kind == "keras" and suffix == ".keras") or (
        kind == "h5" and suffix in (".h5", ".hdf5")
    ):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="fitdoctor-lint-") as tmp:
        link = Path(tmp) / ("model.keras" if kind == "keras" else "model.h5")
        try:
            link.symlink_to(path.resolve())
        except OSError:  # no symlinks here (some Windows setups): copy instead
            import shutil

            shutil.copyfile(path, link)
        yield link


# ------------------------------------------------------------------ errors
def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    line = line.split(" Full object config:")[0]
    return line if len(line) <= 200 else line[:197] + "..."


def _root_cause(exc: BaseException) -> str:
    """The most specific line of an error chain (Keras wraps the cause in long messages)."""
    chain = list(_chain(exc))
    for error in chain:
        text = str(error)
        if "Exception encountered:" in text:
            cause = " ".join(text.split("Exception encountered:", 1)[1].split())
            return cause if len(cause) <= 200 else cause[:197] + "..."
    last = chain[-1]
    return f"{type(last).__name__}: {_first_line(last)}"


_CUSTOM = re.compile(
    r"Could not locate (class|function) '([^']+)'|Unknown (\w+): '([^']+)'"
)


def _load_error(path: Path, kind: str, exc: BaseException) -> str:
    """One line: why Keras could not load ``path``, and what would make it loadable."""
    messages = [str(e) for e in _chain(exc)]
    for text in messages:
        match = _CUSTOM.search(text)
        if match:
            what = match.group(1) or match.group(3)
            name = match.group(2) or match.group(4)
            return (
                f"{path}: the model uses the custom {what} {name!r}, which Keras cannot find: "
                "pass --import MODULE to import the module that defines it (decorated with "
                "@keras.saving.register_keras_serializable())"
            )
        if "Lambda" in text and "safe_mode" in text:
            return (
                f"{path}: the model has a Lambda layer holding Python code, which Keras loads "
                "only in unsafe mode: pass --unsafe if you trust the file"
            )
        if "No model config found" in text:
            return (
                f"{path}: holds weights only (saved with save_weights), not the model: save "
                f"the model with {_SAVE_HINT} and lint that file"
            )
        if "no item named 'config.json'" in text:
            return f"{path}: is a zip file without config.json, not a saved Keras model"
    if kind == "keras" and any("File not found" in t or "zip" in t.lower() for t in messages):
        return f"{path}: is a damaged .keras file (not a complete zip archive)"
    if kind == "h5" and isinstance(exc, OSError):
        return f"{path}: is a damaged HDF5 file ({_first_line(exc)})"
    return f"{path}: Keras cannot load this model: {type(exc).__name__}: {_first_line(exc)}"


# ------------------------------------------------------------------ keras, quietly
def _import_keras() -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        import keras
    except Exception as exc:  # ImportError, or a backend that fails to initialise
        raise MissingDependency(
            "fitdoctor lint loads the model with Keras: pip install 'fitdoctor[keras]' "
            f"({type(exc).__name__}: {_first_line(exc)})"
        ) from None
    return keras


def import_modules(names: Sequence[str]) -> None:
    """Import the modules that define (and register) a model's custom objects.

    The working directory is searched first, as ``python -m`` would.

    Args:
        names: Module names, e.g. ``["mypackage.layers"]``.

    Raises:
        InputError: A module cannot be imported.
    """
    if not names:
        return
    cwd = os.getcwd()
    added = cwd not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        with _quiet([]):
            for name in names:
                try:
                    importlib.import_module(name)
                except Exception as exc:  # the user's module may raise anything
                    raise InputError(
                        f"--import {name}: {type(exc).__name__}: {_first_line(exc)}"
                    ) from None
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(cwd)


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.into.append(record.getMessage())


@contextlib.contextmanager
def _quiet(notes: list[str]) -> Iterator[None]:
    """Capture what Keras and TensorFlow print; add the warnings that matter to ``notes``.

    Output written to file descriptor 2 (TensorFlow's C++ logs) and to ``sys.stderr``
    is dropped; Python warnings and log records at WARNING or above are kept unless
    they are known to be harmless (:data:`_HARMLESS`), at most :data:`_MAX_NOTES` of them.
    """
    messages: list[str] = []
    handler = _Collect(messages)
    root = logging.getLogger()
    with tempfile.TemporaryFile() as sink:
        saved_fd: int | None = None
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        try:
            saved_fd = os.dup(2)
            os.dup2(sink.fileno(), 2)
        except OSError:  # no file descriptor 2 (an embedded interpreter): Python-level only
            saved_fd = None
        root.addHandler(handler)
        try:
            with (
                warnings.catch_warnings(record=True) as caught,
                contextlib.redirect_stderr(_io.StringIO()),
            ):
                warnings.simplefilter("always")
                yield
                messages.extend(str(w.message) for w in caught)
        finally:
            root.removeHandler(handler)
            if saved_fd is not None:
                os.dup2(saved_fd, 2)
                os.close(saved_fd)
    kept: list[str] = []
    for message in messages:
        line = " ".join(message.split())
        if line and not _HARMLESS.search(line) and line not in kept:
            kept.append(line if len(line) <= 200 else line[:197] + "...")
    notes.extend(f"Keras, loading the file: {line}" for line in kept[:_MAX_NOTES])
