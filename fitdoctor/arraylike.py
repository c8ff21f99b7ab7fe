"""Array-like data as fitdoctor reads it, keras-free: numpy arrays, tensors, dicts of arrays.

The callback, the model-file reader and the validation helpers read training and
validation data through these: how many samples, which rows, the data as a numpy
array when it can be read without consuming it (never a dataset or a generator), and
settings made JSON-safe.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def clean_float(value: Any) -> float:
    """A float32 setting (a learning rate) as the decimal typed: 1e-3, not 0.0010000000474974513."""
    f = float(value)
    if not math.isfinite(f) or f == 0.0:
        return f
    return float(str(np.float32(f)))


def json_safe(value: Any) -> Any:
    """Keep only JSON-safe values (nested dicts and lists allowed); drop the rest."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            safe = json_safe(v)
            if safe is not None or v is None:
                out[str(k)] = safe
        return out
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return None


def int_or_none(value: Any) -> int | None:
    """``value`` as an int, or ``None`` (``None``, a bool, or not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def shape_list(shape: Any) -> list[int | None] | None:
    """A Keras shape as a list (the first of several inputs/outputs), or ``None``."""
    if shape is None:
        return None
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        shape = shape[0]  # several inputs/outputs: the first
    try:
        return [None if d is None else int(d) for d in shape]
    except TypeError:
        return None


def as_array(data: Any) -> np.ndarray | None:
    """``data`` as a numpy array when it is array-like (numpy, tensor, list), else ``None``.

    Datasets, generators and ``PyDataset`` objects give ``None``: their samples cannot be
    read without consuming them. For a dict or list of arrays (several inputs) the first
    array is returned.
    """
    if data is None:
        return None
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, Mapping):
        first = next(iter(data.values()), None)
        return as_array(first)
    if isinstance(data, (list, tuple)):
        if data and not isinstance(data[0], (int, float, np.number, list, tuple)):
            return as_array(data[0])
        try:
            return np.asarray(data)
        except (TypeError, ValueError):
            return None
    if hasattr(data, "__array__") or type(data).__module__.startswith(
        ("tensorflow", "jax", "torch", "pandas")
    ):
        if hasattr(data, "element_spec") or not hasattr(data, "shape"):
            return None  # tf.data.Dataset and other iterables
        try:
            return np.asarray(data)
        except Exception:  # a tensor we cannot read is simply not a fact
            return None
    return None


def unpack_xy(data: Any) -> tuple[Any, Any]:
    """``(x, y)`` of a ``validation_data`` value (a tuple of 2 or 3), else ``(None, None)``."""
    if isinstance(data, (tuple, list)) and len(data) in (2, 3):
        return data[0], data[1]
    return None, None


def n_samples(data: Any) -> int | None:
    """Number of samples of an array-like (first array of a dict/list), else ``None``."""
    if data is None:
        return None
    if isinstance(data, Mapping):
        return n_samples(next(iter(data.values()), None))
    if isinstance(data, (list, tuple)) and data and hasattr(data[0], "shape") and len(
        getattr(data[0], "shape", ())
    ) > 0 and not isinstance(data, np.ndarray):
        return n_samples(data[0])
    shape = getattr(data, "shape", None)
    if shape is not None and len(shape) > 0 and not hasattr(data, "element_spec"):
        return int_or_none(shape[0])
    if isinstance(data, (list, tuple)):
        return len(data)
    return None


def strided_rows(data: Any, limit: int) -> np.ndarray | None:
    """At most ``limit`` rows of ``data``, evenly strided, as :func:`as_array` reads them.

    The rows are taken before the conversion where the container allows it (a pandas
    frame, a tensor, a list), so a large frame or a tensor on a device is never copied
    whole; a numpy array is sliced as a view. The first array of a dict or list of
    arrays (several inputs), as :func:`as_array`.
    """
    if isinstance(data, Mapping):
        return strided_rows(next(iter(data.values()), None), limit)
    if isinstance(data, (list, tuple)) and data and not isinstance(
        data[0], (int, float, np.number, list, tuple)
    ):
        return strided_rows(data[0], limit)
    n = n_samples(data)
    step = max(1, n // limit) if n else 1
    if step > 1 and not isinstance(data, np.ndarray):
        # a container that does not slice is converted whole, as before
        with contextlib.suppress(Exception):
            data = data.iloc[::step] if hasattr(data, "iloc") else data[::step]
    arr = as_array(data)
    if arr is None or arr.ndim < 1:
        return arr
    return arr[:: max(1, arr.shape[0] // limit)][:limit]


def subsample(n: int, limit: int) -> np.ndarray:
    """Indices of at most ``limit`` of ``n`` samples, evenly spread (deterministic)."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).astype(np.int64))


def take(data: Any, index: np.ndarray) -> Any:
    """Rows ``index`` of an array, or of each array of a dict/list of arrays."""
    if isinstance(data, Mapping):
        return {k: take(v, index) for k, v in data.items()}
    if isinstance(data, (list, tuple)) and not isinstance(data, np.ndarray):
        return [take(v, index) for v in data]
    return np.asarray(data)[index]
