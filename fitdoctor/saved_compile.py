"""Compile facts from the configuration a saved model holds, read without Keras.

Keras rebuilds a model's compile settings when it loads the file, but not always: a
Keras 2 loss object (``BinaryCrossentropy(reduction="auto")``) or a custom loss that is
not registered stops it. The settings are still in the file, as JSON: Keras 3 writes
them to ``config.json`` (``compile_config``), Keras 2 and 3 to the HDF5 attribute
``training_config``. :func:`read_saved_compile_config` reads that JSON and
:func:`compile_from_saved_config` turns it into :class:`~fitdoctor.run.CompileInfo`
(the loss and its ``from_logits``, the optimizer and its learning rate, the metrics).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fitdoctor import arraylike, vocabulary
from fitdoctor.run import CompileInfo

__all__ = ["compile_from_saved_config", "read_saved_compile_config"]


def read_saved_compile_config(path: Path, kind: str) -> dict[str, Any] | None:
    """The compile settings saved in a model file, as JSON, or ``None`` when there are none.

    Args:
        path: The file (or ``.keras`` folder).
        kind: What :func:`fitdoctor.model_file.sniff` found: ``"keras"``, ``"keras-dir"``
            or ``"h5"``.

    Returns:
        ``config.json``'s ``compile_config`` (Keras 3), or the HDF5 ``training_config``
        (Keras 2 and 3) with its ``optimizer_config`` also under ``optimizer``; ``None``
        when the model was saved before ``compile`` or the configuration is unreadable.
    """
    try:
        if kind == "h5":
            import h5py

            with h5py.File(path, "r") as fh:
                raw = fh.attrs.get("training_config")
            if raw is None:
                return None
            config = json.loads(raw.decode() if isinstance(raw, bytes) else str(raw))
            if isinstance(config, dict) and "optimizer" not in config:
                config["optimizer"] = config.get("optimizer_config")
        else:
            if kind == "keras":
                with zipfile.ZipFile(path) as archive:
                    text = archive.read("config.json").decode("utf-8")
            else:
                text = (path / "config.json").read_text(encoding="utf-8")
            config = json.loads(text).get("compile_config")
    except Exception:  # an unreadable configuration is simply not a fact
        return None
    return config if isinstance(config, dict) and config else None


def _class_name(value: Any) -> str | None:
    """A serialized object's class name without its package (``"Custom>SGD"`` → ``"SGD"``)."""
    if not isinstance(value, Mapping):
        return None
    name = value.get("class_name")
    return name.rsplit(">", 1)[-1] if isinstance(name, str) else None


def _first(value: Any) -> Any:
    if isinstance(value, Mapping) and "class_name" not in value:
        return next(iter(value.values()), None)
    if isinstance(value, (list, tuple)):
        return _first(value[0]) if value else None
    return value


def _saved_metric_names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [name for item in value for name in _saved_metric_names(item)]
    if isinstance(value, Mapping):
        if "class_name" not in value:  # one list per output
            return [name for item in value.values() for name in _saved_metric_names(item)]
        config = value.get("config")
        if isinstance(config, Mapping) and isinstance(config.get("name"), str):
            return [str(config["name"])]
        if isinstance(config, str):
            return [config]
        name = _class_name(value)
        return [name] if name else []
    return []


def compile_from_saved_config(config: Mapping[str, Any]) -> CompileInfo:
    """Compile facts from the configuration a model file saved, without Keras.

    Reads the shapes Keras 3 (``config.json``'s ``compile_config``) and Keras 2
    (the HDF5 ``training_config``) write: a loss as a name or a serialized object
    (``{"class_name": "BinaryCrossentropy", "config": {"from_logits": true, ...}}``),
    the optimizer as a serialized object, metrics as names or serialized objects.

    Args:
        config: The saved compile configuration.

    Returns:
        The compile facts (fields the configuration lacks stay empty).
    """
    loss = _first(config.get("loss"))
    name: str | None = None
    from_logits: bool | None = None
    if isinstance(loss, str):
        name = vocabulary.canonical_loss(loss)
    elif isinstance(loss, Mapping):
        inner = loss.get("config")
        candidates: list[Any] = []
        if isinstance(inner, str):  # a function: {"class_name": "function", "config": "mse"}
            candidates.append(inner)
        elif isinstance(inner, Mapping):
            candidates.append(inner.get("fn"))
            if isinstance(inner.get("from_logits"), bool):
                from_logits = bool(inner["from_logits"])
        class_name = _class_name(loss)
        if class_name not in (None, "function", "LossFunctionWrapper"):
            candidates.append(class_name)
        if isinstance(inner, Mapping):
            candidates.append(inner.get("name"))
        name = next((vocabulary.canonical_loss(c) for c in candidates
                     if isinstance(c, str) and c), None)
    if name in vocabulary.PROBABILITY_LOSSES and from_logits is None:
        from_logits = False
    optimizer = config.get("optimizer")
    opt_name: str | None = None
    opt_config: dict[str, Any] = {}
    rate: float | None = None
    if isinstance(optimizer, str):
        opt_name = optimizer
    elif isinstance(optimizer, Mapping):
        opt_name = _class_name(optimizer)
        inner = optimizer.get("config")
        if isinstance(inner, Mapping):
            opt_config = arraylike.json_safe(dict(inner)) or {}
            raw_rate = inner.get("learning_rate", inner.get("lr"))
            if isinstance(raw_rate, (int, float)) and not isinstance(raw_rate, bool):
                rate = arraylike.clean_float(raw_rate)
                opt_config["learning_rate"] = rate
    return CompileInfo(
        loss=name,
        from_logits=from_logits,
        optimizer=opt_name,
        learning_rate=rate,
        optimizer_config=opt_config,
        metrics=_saved_metric_names(config.get("metrics"))
        + _saved_metric_names(config.get("weighted_metrics")),
    )
