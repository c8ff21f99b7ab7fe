"""What a Keras model, its compile and fit calls and its data say about a training run.

Pure functions: they take keras objects and numpy-convertible arrays and return the
fact dataclasses of :mod:`fitdoctor.run` (``ModelInfo``, ``CompileInfo``, ``FitInfo``,
``DataInfo``, ``Baselines``, ``PerClass``). They never train, never write and never
mutate the model. Keras is imported lazily (most functions only duck-type keras
objects), so importing this module is cheap; per-class metrics are numpy alone
(:mod:`fitdoctor.classmetrics`).

:func:`fit_call_args` is the one piece of inspection that is not pure: Keras passes a
callback neither the training arrays nor the batch size nor the validation arrays, so
the callback reads them from the ``fit`` call that runs it (its frame's arguments).
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from fitdoctor import classmetrics
from fitdoctor.run import Baselines, CompileInfo, DataInfo, FitInfo, Layer, ModelInfo, PerClass
from fitdoctor.run import Regularizer as RegularizerInfo

if TYPE_CHECKING:
    import keras

#: Losses that make a task binary (one unit) or multi-label (several units).
BINARY_LOSSES = frozenset(
    {"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"}
)
#: Losses that make a task multi-class (one-hot or sparse labels).
CATEGORICAL_LOSSES = frozenset(
    {
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_hinge",
        "kl_divergence",
    }
)
#: Losses of a regression.
REGRESSION_LOSSES = frozenset(
    {
        "mean_squared_error",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error",
        "huber",
        "log_cosh",
        "poisson",
        "cosine_similarity",
    }
)
_LOSS_ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "logcosh": "log_cosh",
    "huber_loss": "huber",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
    "bce": "binary_crossentropy",
    "cce": "categorical_crossentropy",
}
#: Losses that take probabilities and so know ``from_logits``.
PROBABILITY_LOSSES = frozenset(
    {
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "categorical_focal_crossentropy",
    }
)
_ACTIVATION_LAYERS = {
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "PReLU": "prelu",
    "ELU": "elu",
    "Softmax": "softmax",
}
_EPS = 1e-7  # keras.config.epsilon(): probabilities are clipped to [eps, 1 - eps]


# --------------------------------------------------------------------------- helpers
def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or
                                   (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def canonical_loss(name: str) -> str:
    """Canonical snake-case name of a loss (``"mse"`` → ``"mean_squared_error"``)."""
    low = name.strip()
    low = _snake(low) if any(c.isupper() for c in low) else low.lower()
    return _LOSS_ALIASES.get(low, low)


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


def _int_or_none(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _shape(shape: Any) -> list[int | None] | None:
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


# --------------------------------------------------------------------------- model
def _regularizer(reg: Any) -> RegularizerInfo | None:
    if reg is None:
        return None
    kind = type(reg).__name__
    config: dict[str, Any] = {}
    try:
        config = dict(reg.get_config())
    except Exception:  # custom regularizers may not implement get_config
        config = {}
    l1 = config.get("l1", getattr(reg, "l1", 0.0))
    l2 = config.get("l2", getattr(reg, "l2", 0.0))
    try:
        return RegularizerInfo(kind=kind, l1=clean_float(l1 or 0.0), l2=clean_float(l2 or 0.0))
    except (TypeError, ValueError):
        return RegularizerInfo(kind=kind)


def _activation_name(layer: Any) -> str | None:
    cls = type(layer).__name__
    if cls in _ACTIVATION_LAYERS:
        return _ACTIVATION_LAYERS[cls]
    act = getattr(layer, "activation", None)
    if act is None:
        return "linear" if hasattr(layer, "activation") else None
    if isinstance(act, str):
        return act
    name = getattr(act, "__name__", None)
    if name is None:
        name = _snake(type(act).__name__)
    return str(name)


def _count(weights: Iterable[Any]) -> int:
    total = 0
    for w in weights:
        total += int(np.prod([int(d) for d in w.shape])) if w.shape else 1
    return total


def _layer_output_shape(layer: Any) -> list[int | None] | None:
    try:
        return _shape(layer.output.shape)
    except Exception:  # subclassed models have no symbolic outputs
        return None


def _flatten(model: Any, prefix: str, out: list[Layer]) -> None:
    for layer in getattr(model, "layers", []):
        cls = type(layer).__name__
        if cls == "InputLayer":
            continue
        path = f"{prefix}{layer.name}"
        if getattr(layer, "layers", None) is not None and hasattr(layer, "get_layer"):
            _flatten(layer, path + "/", out)  # nested Sequential / Functional / subclass
            continue
        units = getattr(layer, "units", None)
        if units is None:
            units = getattr(layer, "filters", None)
        dropout: float | None = None
        if "Dropout" in cls and hasattr(layer, "rate"):
            dropout = float(layer.rate)
        elif isinstance(getattr(layer, "dropout", None), (int, float)) and not isinstance(
            layer.dropout, bool
        ):
            dropout = float(layer.dropout)
        try:
            params = int(layer.count_params())
        except Exception:  # an unbuilt layer has no parameters yet
            params = _count(getattr(layer, "weights", []))
        out.append(
            Layer(
                name=str(layer.name),
                class_name=cls,
                path=path,
                units=_int_or_none(units),
                activation=_activation_name(layer),
                kernel_regularizer=_regularizer(getattr(layer, "kernel_regularizer", None)),
                bias_regularizer=_regularizer(getattr(layer, "bias_regularizer", None)),
                activity_regularizer=_regularizer(getattr(layer, "activity_regularizer", None)),
                dropout=dropout,
                params=params,
                trainable_params=_count(getattr(layer, "trainable_weights", [])),
                output_shape=_layer_output_shape(layer),
            )
        )


def model_info(model: keras.Model) -> ModelInfo:
    """The architecture of ``model``: flattened layers (nested models expanded), counts, shapes.

    Args:
        model: A built Keras model (Sequential, Functional or subclassed).

    Returns:
        The model facts.
    """
    layers: list[Layer] = []
    _flatten(model, "", layers)
    try:
        params = int(model.count_params())
    except Exception:  # unbuilt model
        params = sum(layer.params for layer in layers)
    input_shape: list[int | None] | None
    try:
        input_shape = _shape(model.input_shape)
    except Exception:  # subclassed models have no input_shape
        input_shape = None
    output_units: int | None = None
    try:
        out_shape = _shape(model.output_shape)
        if out_shape:
            output_units = out_shape[-1]
    except Exception:  # subclassed models have no output_shape
        output_units = None
    output_activation: str | None = None
    for layer in reversed(layers):
        if layer.activation is not None:
            output_activation = layer.activation
            break
    if output_units is None:
        for layer in reversed(layers):
            if layer.units is not None:
                output_units = layer.units
                break
    return ModelInfo(
        name=str(getattr(model, "name", "")),
        class_name=type(model).__name__,
        layers=layers,
        params=params,
        trainable_params=_count(getattr(model, "trainable_weights", [])),
        input_shape=input_shape,
        output_activation=output_activation,
        output_units=output_units,
    )


# --------------------------------------------------------------------------- compile
def _first(value: Any) -> Any:
    if isinstance(value, Mapping):
        return next(iter(value.values()), None)
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def _loss_name_and_logits(loss: Any) -> tuple[str | None, bool | None]:
    loss = _first(loss)
    if loss is None:
        return None, None
    if isinstance(loss, str):
        name = canonical_loss(loss)
        return name, (False if name in PROBABILITY_LOSSES else None)
    from_logits: bool | None = None
    kwargs = getattr(loss, "_fn_kwargs", None)
    if isinstance(kwargs, Mapping) and "from_logits" in kwargs:
        from_logits = bool(kwargs["from_logits"])
    elif hasattr(loss, "from_logits"):
        from_logits = bool(loss.from_logits)
    else:
        try:
            config = loss.get_config()
            if "from_logits" in config:
                from_logits = bool(config["from_logits"])
        except Exception:  # custom losses may not implement get_config
            pass
    fn = getattr(loss, "fn", None)
    if fn is not None and hasattr(fn, "__name__"):
        name = canonical_loss(fn.__name__)
    elif hasattr(loss, "__name__"):  # a plain function
        name = canonical_loss(loss.__name__)
    else:
        name = canonical_loss(type(loss).__name__)
    if from_logits is None and name in PROBABILITY_LOSSES:
        from_logits = False
    return name, from_logits


def _metric_names(metrics: Any) -> list[str]:
    names: list[str] = []
    if metrics is None:
        return names
    if isinstance(metrics, Mapping) and "class_name" not in metrics:
        for value in metrics.values():
            names.extend(_metric_names(value))
        return names
    if isinstance(metrics, (list, tuple)):
        for value in metrics:
            names.extend(_metric_names(value))
        return names
    if isinstance(metrics, str):
        return [metrics]
    if isinstance(metrics, Mapping):  # a serialized metric
        config = metrics.get("config")
        if isinstance(config, Mapping) and isinstance(config.get("name"), str):
            return [str(config["name"])]
        return [_snake(str(metrics.get("class_name", "metric")))]
    name = getattr(metrics, "name", None) or getattr(metrics, "__name__", None)
    return [str(name)] if name else [_snake(type(metrics).__name__)]


def learning_rate(optimizer: Any) -> float | None:
    """The learning rate in force now (a schedule is evaluated at the current step).

    Args:
        optimizer: A Keras optimizer.

    Returns:
        The rate, or ``None`` when the optimizer has none.
    """
    import keras

    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        return None
    value = keras.ops.convert_to_numpy(optimizer.learning_rate)
    return clean_float(np.asarray(value).reshape(-1)[0])


def is_scheduled(optimizer: Any) -> bool:
    """True when the optimizer's learning rate is a schedule or a callable (changes per step)."""
    lr = getattr(optimizer, "_learning_rate", None)
    return lr is not None and callable(lr) and not hasattr(lr, "assign")


def compile_info(model: keras.Model) -> CompileInfo:
    """What ``model.compile`` was given: loss and ``from_logits``, optimizer, metrics.

    Args:
        model: A compiled Keras model.

    Returns:
        The compile facts (empty fields when the model was not compiled).
    """
    loss_name, from_logits = _loss_name_and_logits(getattr(model, "loss", None))
    metrics: list[str] = []
    try:
        config = model.get_compile_config() or {}
        metrics = _metric_names(config.get("metrics")) + _metric_names(
            config.get("weighted_metrics")
        )
    except Exception:  # not compiled, or compiled with unserializable objects
        metrics = []
    optimizer = getattr(model, "optimizer", None)
    opt_name: str | None = None
    opt_config: dict[str, Any] = {}
    initial_lr: float | None = None
    if optimizer is not None:
        opt_name = type(optimizer).__name__
        if opt_name == "LossScaleOptimizer" and hasattr(optimizer, "inner_optimizer"):
            optimizer = optimizer.inner_optimizer
            opt_name = type(optimizer).__name__
        try:
            raw = dict(optimizer.get_config())
        except Exception:  # custom optimizers may not serialize
            raw = {}
        opt_config = json_safe(raw) or {}
        lr_value = raw.get("learning_rate")
        schedule = getattr(optimizer, "_learning_rate", None)
        try:
            if is_scheduled(optimizer) and schedule is not None:
                import keras

                initial_lr = clean_float(keras.ops.convert_to_numpy(schedule(0)))
            elif isinstance(lr_value, (int, float, np.floating)):
                initial_lr = clean_float(lr_value)
            else:
                initial_lr = learning_rate(optimizer)
        except Exception:  # an exotic schedule: leave the rate unknown
            initial_lr = None
        if isinstance(opt_config.get("learning_rate"), float):
            opt_config["learning_rate"] = clean_float(opt_config["learning_rate"])
    return CompileInfo(
        loss=loss_name,
        from_logits=from_logits,
        optimizer=opt_name,
        learning_rate=initial_lr,
        optimizer_config=opt_config,
        metrics=metrics,
    )


# --------------------------------------------------------------------------- fit
@dataclass
class FitArgs:
    """The arguments of the running ``fit`` call that matter to fitdoctor.

    ``x``/``y`` are the training data *after* Keras took the validation split off;
    ``validation_data`` is the split or the data given. Any may be ``None``.
    """

    x: Any = None
    y: Any = None
    batch_size: int | None = None
    epochs: int | None = None
    validation_split: float | None = None
    validation_data: Any = None
    validation_freq: int | None = None
    initial_epoch: int | None = None
    steps_per_epoch: int | None = None
    class_weight: Any = None
    sample_weight: Any = None
    restore_best_weights: bool | None = None
    callbacks: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


def fit_call_args(model: Any, *, max_depth: int = 40) -> FitArgs | None:
    """Read the arguments of the ``model.fit`` call that is running now, from its frame.

    Keras hands callbacks only ``params`` (epochs, steps, verbose); this walks up the
    call stack to the ``fit`` method whose ``self`` is ``model`` and reads its local
    variables (the same names in the TensorFlow, JAX and PyTorch trainers). Call it
    from a callback hook (``on_train_begin``).

    Args:
        model: The model being trained.
        max_depth: Frames to walk up at most. Defaults to `40`.

    Returns:
        The arguments, or ``None`` when no such frame is on the stack.
    """
    frame = sys._getframe(1)
    depth = 0
    while frame is not None and depth < max_depth:
        if frame.f_code.co_name == "fit":
            local = frame.f_locals
            if local.get("self") is model:
                val = local.get("validation_data")
                split = local.get("validation_split")
                return FitArgs(
                    x=local.get("x"),
                    y=local.get("y"),
                    batch_size=_int_or_none(local.get("batch_size")),
                    epochs=_int_or_none(local.get("epochs")),
                    validation_split=float(split) if split else None,
                    validation_data=val,
                    validation_freq=_int_or_none(local.get("validation_freq")),
                    initial_epoch=_int_or_none(local.get("initial_epoch")),
                    steps_per_epoch=_int_or_none(local.get("steps_per_epoch")),
                    class_weight=local.get("class_weight"),
                    sample_weight=local.get("sample_weight"),
                    restore_best_weights=early_stopping_restores(local.get("callbacks")),
                    callbacks=local.get("callbacks"),
                )
        frame = frame.f_back  # type: ignore[assignment]
        depth += 1
    return None


def early_stopping_restores(callbacks: Any) -> bool | None:
    """``restore_best_weights`` of the EarlyStopping among ``fit``'s callbacks.

    ``callbacks`` is the ``fit`` frame's local: the user's list, or the ``CallbackList``
    Keras wraps it in. ``None`` without an EarlyStopping (or anything readable); ``True``
    when one restores: Keras sets the best weights back at the end of training then,
    whether or not it stopped early.
    """
    items = getattr(callbacks, "callbacks", callbacks)
    if not isinstance(items, (list, tuple)):
        return None
    found: bool | None = None
    for cb in items:
        if any(cls.__name__ == "EarlyStopping" for cls in type(cb).__mro__):
            restores = getattr(cb, "restore_best_weights", False)
            found = bool(found) or (restores is True)
    return found


#: Callback attributes worth recording, by Keras class (the rest are left out).
_CALLBACK_FIELDS: dict[str, tuple[str, ...]] = {
    "EarlyStopping": ("monitor", "patience", "min_delta", "mode", "restore_best_weights",
                      "start_from_epoch"),
    "ReduceLROnPlateau": ("monitor", "factor", "patience", "min_delta", "min_lr", "mode"),
    "LearningRateScheduler": (),
    "ModelCheckpoint": ("monitor", "save_best_only", "mode"),
}


def class_weight_dict(value: Any) -> dict[str, float] | None:
    """``fit``'s ``class_weight`` as JSON: class id (as text) → weight, or ``None``.

    Args:
        value: The ``class_weight`` argument (a mapping of class id to weight, or ``None``).

    Returns:
        ``{"0": 0.526, "1": 10.0}`` (ids sorted), or ``None`` when no usable mapping.
    """
    if not isinstance(value, Mapping) or not value:
        return None
    out: dict[int, float] = {}
    for key, weight in value.items():
        k, w = _int_or_none(key), _float_or_none(weight)
        if k is None or w is None:
            return None
        out[k] = w
    return {str(k): out[k] for k in sorted(out)}


def _float_or_none(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return clean_float(out) if math.isfinite(out) else None


def callbacks_in_use(callbacks: Any) -> list[dict[str, Any]]:
    """The Keras callbacks among ``fit``'s that shape training, with their settings.

    EarlyStopping (monitor, patience, restore_best_weights, ...), ReduceLROnPlateau
    (monitor, factor, patience, ...), LearningRateScheduler and ModelCheckpoint; other
    callbacks (History, ProgbarLogger, FitDoctor, the user's own) are left out.

    Args:
        callbacks: The ``fit`` frame's ``callbacks`` local: the user's list, or the
            ``CallbackList`` Keras wraps it in.

    Returns:
        One ``{"class": name, setting: value, ...}`` per callback, in ``fit``'s order.
    """
    items = getattr(callbacks, "callbacks", callbacks)
    if not isinstance(items, (list, tuple)):
        return []
    out: list[dict[str, Any]] = []
    for cb in items:
        name = next((cls.__name__ for cls in type(cb).__mro__
                     if cls.__name__ in _CALLBACK_FIELDS), None)
        if name is None:
            continue
        entry: dict[str, Any] = {"class": name}
        for attr in _CALLBACK_FIELDS[name]:
            value = getattr(cb, attr, None)
            if attr == "mode" and value is None:
                continue
            if isinstance(value, (bool, str)) or value is None:
                entry[attr] = value
            elif isinstance(value, (int, float, np.integer, np.floating)):
                entry[attr] = _int_or_none(value) if float(value).is_integer() and \
                    attr in ("patience", "start_from_epoch") else _float_or_none(value)
        out.append(entry)
    return out


def applied(args: FitArgs) -> dict[str, Any]:
    """What the ``fit`` call applied, as ``Run.meta`` entries.

    ``class_weight`` (``{"0": w0, "1": w1}`` or ``None``), ``sample_weight`` (``True``
    when ``fit`` was given per-sample weights) and ``callbacks``
    (:func:`callbacks_in_use`). Keras hands callbacks none of these: they are read from
    the ``fit`` frame (:func:`fit_call_args`); when it cannot be read, the keys are not
    written and readers treat them as unknown.

    Args:
        args: The ``fit`` call's arguments.

    Returns:
        The meta entries.
    """
    return {
        "class_weight": class_weight_dict(args.class_weight),
        "sample_weight": args.sample_weight is not None,
        "callbacks": callbacks_in_use(args.callbacks),
    }


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
        return _int_or_none(shape[0])
    if isinstance(data, (list, tuple)):
        return len(data)
    return None


def infer_batch_size(n_train: int | None, steps: int | None) -> int | None:
    """The batch size implied by ``n_train`` samples in ``steps`` steps, when only one fits.

    ``ceil(n / b) == steps`` usually holds for a range of ``b`` (1437 samples in 12 steps:
    any batch size from 120 to 130); the batch size is returned only when it is unique.
    """
    if not n_train or not steps or steps <= 0:
        return None
    candidates = [b for b in range(max(1, n_train // steps), n_train + 1)
                  if math.ceil(n_train / b) == steps]
    return candidates[0] if len(candidates) == 1 else None


def fit_info(params: Mapping[str, Any], args: FitArgs | None, *, n_train: int | None) -> FitInfo:
    """What ``model.fit`` was given.

    Args:
        params: The callback's ``params`` (``epochs``, ``steps``, ``verbose``).
        args: The ``fit`` call's arguments, if they could be read.
        n_train: Training samples, if known (to infer a batch size Keras does not expose).

    Returns:
        The fit facts.
    """
    steps = _int_or_none(params.get("steps"))
    epochs = _int_or_none(params.get("epochs"))
    if args is None:
        return FitInfo(epochs=epochs, steps_per_epoch=steps,
                       batch_size=infer_batch_size(n_train, steps))
    batch = args.batch_size
    if batch is None and as_array(args.x) is not None and args.steps_per_epoch is None:
        batch = 32  # Keras's default batch size for arrays
    if batch is None:
        batch = infer_batch_size(n_train, steps)
    if args.validation_split:
        validation = "split"
    elif args.validation_data is not None:
        validation = "data"
    else:
        validation = "none"
    return FitInfo(
        epochs=epochs if epochs is not None else args.epochs,
        batch_size=batch,
        steps_per_epoch=steps,
        validation=validation,
        validation_split=args.validation_split,
        validation_freq=args.validation_freq if validation != "none" else None,
        initial_epoch=args.initial_epoch or 0,
        restore_best_weights=args.restore_best_weights,
    )


# --------------------------------------------------------------------------- data
def _is_integral(y: np.ndarray) -> bool:
    if y.size == 0:
        return False
    if np.issubdtype(y.dtype, np.integer) or y.dtype == np.bool_:
        return True
    if not np.issubdtype(y.dtype, np.floating):
        return False
    sample = y.reshape(-1)[:: max(1, y.size // 20000)]
    return bool(np.all(np.isfinite(sample)) and np.all(sample == np.round(sample)))


def label_encoding(y: Any) -> str | None:
    """How labels are encoded: ``"one-hot"``, ``"multi-hot"``, ``"sparse"`` or ``"binary"``.

    ``None`` for continuous targets (regression) or when ``y`` is not an array.
    """
    arr = as_array(y)
    if arr is None or arr.size == 0:
        return None
    if arr.ndim >= 2 and arr.shape[-1] > 1:
        if not _is_integral(arr):
            return None
        rows = arr.reshape(-1, arr.shape[-1])
        if rows.min() < 0 or rows.max() > 1:
            return None
        return "one-hot" if bool(np.all(rows.sum(axis=1) == 1)) else "multi-hot"
    flat = arr.reshape(-1)
    if not _is_integral(flat):
        return None
    if flat.min() < 0:
        return None
    return "binary" if flat.max() <= 1 else "sparse"


def class_ids(y: Any, encoding: str | None) -> np.ndarray | None:
    """Integer class id per sample (``argmax`` of one-hot rows), or ``None``."""
    arr = as_array(y)
    if arr is None or encoding not in ("one-hot", "sparse", "binary"):
        return None
    if encoding == "one-hot":
        return np.asarray(arr.reshape(-1, arr.shape[-1]).argmax(axis=1), dtype=np.int64)
    return np.asarray(arr.reshape(-1), dtype=np.int64)


def infer_task(
    loss: str | None,
    output_activation: str | None,
    output_units: int | None,
    encoding: str | None,
    n_label_classes: int | None,
) -> str | None:
    """The task type from the loss, the output layer and the labels.

    The labels decide when they are known (one-hot rows are multi-class even under a
    binary loss); then the loss; then the output activation.

    Args:
        loss: Canonical loss name.
        output_activation: Output layer activation.
        output_units: Output units.
        encoding: Label encoding from :func:`label_encoding` (``None`` = continuous or unknown).
        n_label_classes: Classes seen in the labels.

    Returns:
        ``"binary"``, ``"multiclass"``, ``"multilabel"``, ``"regression"`` or ``None``.
    """
    units = output_units or 1
    if encoding == "multi-hot":
        return "multilabel"
    if encoding in ("one-hot", "sparse", "binary") and loss not in REGRESSION_LOSSES:
        classes = max(n_label_classes or 0, units if units > 1 else 2)
        return "binary" if classes <= 2 else "multiclass"
    if loss in REGRESSION_LOSSES:
        return "regression"
    if loss in BINARY_LOSSES:
        return "multilabel" if units > 1 else "binary"
    if loss in CATEGORICAL_LOSSES:
        return "binary" if units == 2 else "multiclass"
    if output_activation == "softmax":
        return "binary" if units == 2 else "multiclass"
    if output_activation == "sigmoid":
        return "multilabel" if units > 1 else "binary"
    if encoding is None and n_label_classes is None and output_activation in ("linear", None):
        return None
    return None


def class_counts(y: Any, encoding: str | None, n_classes: int) -> list[int] | None:
    """Samples per class (positives per label for multi-hot labels)."""
    arr = as_array(y)
    if arr is None:
        return None
    if encoding == "multi-hot":
        return [int(v) for v in arr.reshape(-1, arr.shape[-1]).sum(axis=0)]
    ids = class_ids(arr, encoding)
    if ids is None:
        return None
    return [int(v) for v in np.bincount(ids, minlength=n_classes)]


def fingerprint(*arrays: Any, sample: int = 4096) -> str | None:
    """A cheap hash of arrays: their shapes and a strided sample of their values.

    Two runs validated on the same arrays get the same fingerprint (numbers hash alike
    whatever their dtype: float32 labels match float64 ones); computing it reads at most
    ``sample`` values per array.

    Args:
        *arrays: The arrays (``None`` and non-arrays are skipped).
        sample: Values read per array. Defaults to `4096`.

    Returns:
        ``"blake2b:<16 hex digits>"``, or ``None`` when no array could be read.
    """
    digest = hashlib.blake2b(digest_size=8)
    seen = False
    for data in arrays:
        arr = as_array(data)
        if arr is None:
            continue
        seen = True
        digest.update(repr(tuple(int(d) for d in arr.shape)).encode())
        flat = arr.reshape(-1)
        step = max(1, flat.size // sample)
        values = flat[::step][:sample]
        if values.dtype.kind in "biuf":  # the same numbers hash alike in any dtype
            values = values.astype(np.float64)
        else:
            digest.update(values.dtype.str.encode())
        digest.update(np.ascontiguousarray(values).tobytes())
    return f"blake2b:{digest.hexdigest()}" if seen else None


def data_info(
    model: ModelInfo | None,
    compile: CompileInfo | None,
    *,
    y_train: Any = None,
    y_val: Any = None,
    x_val: Any = None,
    n_train: int | None = None,
    n_val: int | None = None,
) -> DataInfo:
    """Facts about the data: task type, label encoding, counts, class counts, fingerprint.

    Args:
        model: Model facts (for the input shape and the output layer).
        compile: Compile facts (for the loss).
        y_train: Training labels, if reachable.
        y_val: Validation labels, if reachable.
        x_val: Validation inputs, if reachable (for the fingerprint).
        n_train: Training samples, if known otherwise than from ``y_train``.
        n_val: Validation samples, if known otherwise than from ``y_val``.

    Returns:
        The data facts.
    """
    enc_train = label_encoding(y_train)
    enc_val = label_encoding(y_val)
    encoding = enc_train or enc_val
    if enc_train == "binary" and enc_val == "sparse":  # val saw a class train did not
        encoding = "sparse"
    ids = [c for c in (class_ids(y_train, encoding), class_ids(y_val, encoding)) if c is not None]
    n_label_classes = max((int(c.max()) + 1 for c in ids if c.size), default=None)
    if encoding in ("one-hot", "multi-hot"):
        arr = as_array(y_train) if as_array(y_train) is not None else as_array(y_val)
        n_label_classes = int(arr.shape[-1]) if arr is not None else n_label_classes
    loss = compile.loss if compile else None
    out_act = model.output_activation if model else None
    out_units = model.output_units if model else None
    task = infer_task(loss, out_act, out_units, encoding, n_label_classes)
    if task == "regression" and loss in REGRESSION_LOSSES:
        encoding = None  # integer-valued regression targets are not labels
    n_classes: int | None = None
    if task == "binary":
        n_classes = 2
    elif task in ("multiclass", "multilabel"):
        wide = out_units if out_units and out_units > 1 else 0
        n_classes = max(n_label_classes or 0, wide) or None
    n_features: int | None = None
    if model is not None and model.input_shape:
        dims = [d for d in model.input_shape[1:]]
        if dims and all(d is not None for d in dims):
            n_features = int(np.prod([int(d) for d in dims if d is not None]))
    train_counts = val_counts = None
    if n_classes and task != "regression":
        train_counts = class_counts(y_train, encoding, n_classes)
        val_counts = class_counts(y_val, encoding, n_classes)
    return DataInfo(
        task=task,
        label_encoding=encoding if task != "regression" else None,
        n_train=n_train if n_train is not None else n_samples(y_train),
        n_val=n_val if n_val is not None else n_samples(y_val),
        n_features=n_features,
        n_classes=n_classes,
        class_names=[str(i) for i in range(n_classes)] if n_classes else None,
        train_class_counts=train_counts,
        val_class_counts=val_counts,
        val_fingerprint=fingerprint(x_val, y_val) if as_array(x_val) is not None else None,
    )


# --------------------------------------------------------------------------- baselines
def baselines(data: DataInfo, loss: str | None, *, y_train: Any = None,
              y_val: Any = None) -> Baselines | None:
    """What a model that learned nothing would score on the validation labels.

    Classification: the accuracy of always predicting the training majority class, and
    the cross-entropy of always predicting the training class prior. Regression: the
    loss (MSE, MAE, Huber, log-cosh) of always predicting the training mean. Without
    validation labels the training labels stand in; without training labels the
    validation labels give the prior.

    Args:
        data: Data facts (task, encoding, classes).
        loss: Canonical loss name.
        y_train: Training labels, if reachable.
        y_val: Validation labels, if reachable.

    Returns:
        The baselines, or ``None`` when no labels are reachable.
    """
    train = as_array(y_train)
    val = as_array(y_val)
    ref = train if train is not None else val
    target = val if val is not None else train
    if ref is None or target is None or data.task is None:
        return None
    if data.task == "regression":
        mean = float(np.mean(ref.astype(float)))
        err = target.astype(float) - mean
        prior: float | None = None
        if loss == "mean_squared_error":
            prior = float(np.mean(err**2))
        elif loss == "mean_absolute_error":
            prior = float(np.mean(np.abs(err)))
        elif loss == "huber":
            a = np.abs(err)
            prior = float(np.mean(np.where(a <= 1.0, 0.5 * a**2, a - 0.5)))
        elif loss == "log_cosh":
            prior = float(np.mean(err + np.log1p(np.exp(-2.0 * err)) - math.log(2.0)))
        return Baselines(majority_accuracy=None, prior_loss=prior, majority_class=None)
    k = data.n_classes or 0
    if data.task == "multilabel":
        ref2 = ref.reshape(-1, ref.shape[-1]).astype(float)
        tgt2 = target.reshape(-1, target.shape[-1]).astype(float)
        p = np.clip(ref2.mean(axis=0), _EPS, 1 - _EPS)
        majority = (p >= 0.5).astype(float)
        acc = float(np.mean(tgt2 == majority))
        bce = -(tgt2 * np.log(p) + (1 - tgt2) * np.log(1 - p))
        prior_loss = float(bce.mean()) if loss in BINARY_LOSSES or loss is None else None
        return Baselines(majority_accuracy=acc, prior_loss=prior_loss, majority_class=None)
    ref_ids = class_ids(ref, data.label_encoding)
    tgt_ids = class_ids(target, data.label_encoding)
    if ref_ids is None or tgt_ids is None or k < 2:
        return None
    counts = np.bincount(ref_ids, minlength=k).astype(float)
    prior_p = np.clip(counts / counts.sum(), _EPS, 1 - _EPS)
    majority_id = int(np.argmax(counts))
    acc = float(np.mean(tgt_ids == majority_id))
    ce: float | None = None
    if loss is None or "crossentropy" in loss:
        ce = float(-np.mean(np.log(prior_p[np.clip(tgt_ids, 0, k - 1)])))
    names = data.class_names or [str(i) for i in range(k)]
    return Baselines(majority_accuracy=acc, prior_loss=ce, majority_class=names[majority_id])


# --------------------------------------------------------------------------- per class
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


def class_scores(
    y_true: np.ndarray,
    y_pred_raw: Any,
    *,
    n_classes: int,
    from_logits: bool | None = None,
) -> classmetrics.Scores:
    """Per-class metrics of one prediction pass (see :mod:`fitdoctor.classmetrics`).

    One output unit: the probability of class 1 (``sigmoid`` applied when the loss is
    ``from_logits``), thresholded at 0.5; the F1-maximising threshold is also found.
    Several units: ``argmax`` (``softmax`` applied for PR-AUC when ``from_logits``).

    Args:
        y_true: Class id per sample.
        y_pred_raw: Model outputs for the same samples (any array-like: numpy, or a
            tensor already converted with ``keras.ops.convert_to_numpy``).
        n_classes: Number of classes.
        from_logits: Whether the outputs are logits. Defaults to `None` (probabilities).

    Returns:
        The metrics, with the confusion matrix as its non-zero cells.
    """
    raw = np.asarray(y_pred_raw)
    if raw.dtype not in (np.float32, np.float64):
        raw = raw.astype(np.float64)
    pred = raw.reshape(raw.shape[0], -1)
    if pred.shape[1] == 1:
        score = pred[:, 0].astype(np.float64)
        if from_logits:
            with np.errstate(over="ignore"):
                score = 1.0 / (1.0 + np.exp(-score))
        y_hat = (score >= 0.5).astype(np.int64)
        prob = np.stack([1.0 - score, score], axis=1)
    else:
        y_hat = pred.argmax(axis=1)
        prob = _softmax(pred) if from_logits else pred
    return classmetrics.score(y_true, prob, n_classes, y_hat=y_hat)


def per_class(
    epoch: int,
    y_true: np.ndarray,
    y_pred_raw: Any,
    *,
    n_classes: int,
    from_logits: bool | None = None,
    class_names: Sequence[str] | None = None,
) -> PerClass:
    """Per-class precision, recall, F1, support, PR-AUC and confusion from one prediction pass.

    Args:
        epoch: The epoch (1-based).
        y_true: Class id per sample.
        y_pred_raw: ``model.predict`` output for the same samples.
        n_classes: Number of classes.
        from_logits: Whether the outputs are logits. Defaults to `None` (probabilities).
        class_names: Class labels. Defaults to `None` (``"0"``, ``"1"``, ...).

    Returns:
        The per-class metrics, confusion matrix included.
    """
    scores = class_scores(y_true, y_pred_raw, n_classes=n_classes, from_logits=from_logits)
    pc = to_per_class(epoch, scores, class_names)
    pc.confusion = scores.matrix().tolist()
    return pc


def to_per_class(
    epoch: int, scores: classmetrics.Scores, class_names: Sequence[str] | None = None
) -> PerClass:
    """A :class:`PerClass` of ``scores`` without its confusion matrix (filled in by callers).

    Args:
        epoch: The epoch (1-based).
        scores: The metrics.
        class_names: Class labels. Defaults to `None` (``"0"``, ``"1"``, ...).

    Returns:
        The per-class record, ``confusion`` empty.
    """
    k = len(scores.support)
    names = list(class_names) if class_names and len(class_names) == k else [
        str(i) for i in range(k)]
    return PerClass(
        epoch=epoch,
        labels=names,
        precision=scores.precision,
        recall=scores.recall,
        f1=scores.f1,
        support=scores.support,
        threshold=scores.threshold,
        threshold_f1=scores.threshold_f1,
        threshold_precision=scores.threshold_precision,
        threshold_recall=scores.threshold_recall,
        pr_auc=scores.pr_auc,
        top_confusions=scores.top_confusions,
    )


def _softmax(z: np.ndarray) -> np.ndarray:
    finite = np.where(np.isfinite(z), z, 0.0)
    e = np.exp(finite - finite.max(axis=1, keepdims=True))
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


# --------------------------------------------------------------------------- runtime
def is_chief(model: Any) -> bool:
    """True unless this process is a non-chief worker of a multi-worker training.

    TensorFlow: the model's ``distribute_strategy`` says ``extended.should_checkpoint``
    (``False`` on non-chief workers of ``MultiWorkerMirroredStrategy``). JAX with a
    ``keras.distribution``: process 0 is the chief. PyTorch with an initialized
    ``torch.distributed`` process group: rank 0 is the chief.
    """
    strategy = getattr(model, "distribute_strategy", None)
    extended = getattr(strategy, "extended", None)
    should = getattr(extended, "should_checkpoint", None)
    if isinstance(should, bool):
        return should
    try:
        import keras

        if keras.backend.backend() == "jax" and keras.distribution.distribution() is not None:
            import jax

            return bool(jax.process_index() == 0)
        if keras.backend.backend() == "torch" and "torch" in sys.modules:
            import torch

            if torch.distributed.is_available() and torch.distributed.is_initialized():
                return bool(torch.distributed.get_rank() == 0)
    except Exception:  # no distribution API: single process
        return True
    return True


@dataclass
class Distribution:
    """How a model trains across devices and processes.

    Args:
        strategy: The ``tf.distribute`` strategy or ``keras.distribution`` class name,
            ``"torch.distributed"``, or ``None`` on a single device.
        workers: Processes training together.
        replicas: Model replicas kept in sync, across all workers.
        multi_worker: Several processes run collective operations together (a prediction
            pass through the strategy must then run on every worker at once).
    """

    strategy: str | None = None
    workers: int = 1
    replicas: int = 1
    multi_worker: bool = False


def distribution(model: Any) -> Distribution:
    """The distribution ``model`` trains under, on any backend.

    TensorFlow: the model's ``distribute_strategy`` (the default strategy means a single
    device), its ``num_replicas_in_sync`` and, for a multi-worker strategy, the workers
    and chief of its cluster spec. JAX: the global ``keras.distribution`` and
    ``jax.process_count()``. PyTorch: ``torch.distributed``'s world size when a process
    group is initialized.
    """
    strategy = getattr(model, "distribute_strategy", None)
    if strategy is not None:
        name = type(strategy).__name__
        replicas = _int_or_none(getattr(strategy, "num_replicas_in_sync", 1)) or 1
        workers = 1
        resolver = getattr(strategy, "cluster_resolver", None)
        if resolver is not None:
            try:
                spec = resolver.cluster_spec().as_dict()
                workers = max(1, sum(len(spec.get(job, [])) for job in ("chief", "worker")))
            except Exception:  # a resolver without a cluster: one worker
                workers = 1
        if name.startswith("_Default") or name == "DefaultDistributionStrategy":
            return Distribution()
        # tf.distribute.MultiWorkerMirroredStrategy instances are of this class.
        name = {"CollectiveAllReduceStrategy": "MultiWorkerMirroredStrategy"}.get(name, name)
        return Distribution(name, workers, replicas, multi_worker=workers > 1)
    try:
        import keras

        backend = keras.backend.backend()
        if backend == "jax":
            dist = keras.distribution.distribution()
            if dist is not None:
                import jax

                mesh = getattr(dist, "device_mesh", None)
                devices = getattr(mesh, "devices", None)
                size = int(getattr(devices, "size", 0) or 0) or len(jax.devices())
                workers = int(jax.process_count())
                return Distribution(type(dist).__name__, workers, size,
                                    multi_worker=workers > 1)
        elif backend == "torch":
            import torch

            if torch.distributed.is_available() and torch.distributed.is_initialized():
                size = int(torch.distributed.get_world_size())
                return Distribution("torch.distributed", size, size, multi_worker=size > 1)
    except Exception:  # no distribution API: a single process
        return Distribution()
    return Distribution()


def versions() -> dict[str, str]:
    """Versions of the libraries that trained the run (for ``run.meta``)."""
    import keras

    from fitdoctor import __version__

    out = {"fitdoctor": __version__, "keras": str(keras.__version__),
           "backend": str(keras.backend.backend()), "numpy": np.__version__,
           "python": sys.version.split()[0]}
    backend_mod = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(out["backend"])
    if backend_mod and backend_mod in sys.modules:
        out[backend_mod] = str(getattr(sys.modules[backend_mod], "__version__", "?"))
    return out
