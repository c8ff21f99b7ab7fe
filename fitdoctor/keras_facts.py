"""What a Keras model, its compile and fit calls and its data say about a training run.

This module reads the model and its compile call (:func:`model_info`,
:func:`compile_info`); its siblings read the rest, and their public names are importable
from here too:

- :mod:`fitdoctor.fit_facts`: the ``fit`` call (``FitArgs``, :func:`fit_call_args`,
  :func:`fit_info`);
- :mod:`fitdoctor.data_facts`: the data (task, label encoding, class counts,
  fingerprint, baselines, per-class metrics);
- :mod:`fitdoctor.keras_runtime`: the chief worker, the distribution, versions;
- :mod:`fitdoctor.arraylike`: reading array-like data; :mod:`fitdoctor.vocabulary`: loss
  and activation names.

Pure functions: they take keras objects and return the fact dataclasses of
:mod:`fitdoctor.run`. They never train, never write and never mutate the model. Keras
is imported lazily (most functions only duck-type keras objects), so importing this
module is cheap.
"""


from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from fitdoctor.arraylike import (
    as_array,
    clean_float,
    int_or_none,
    json_safe,
    n_samples,
    shape_list,
    subsample,
    take,
    unpack_xy,
)
from fitdoctor.data_facts import (
    baselines,
    class_counts,
    class_ids,
    class_pr_auc,
    class_scores,
    data_info,
    fingerprint,
    infer_task,
    input_scale,
    input_shift,
    label_encoding,
    per_class,
    to_per_class,
)
from fitdoctor.fit_facts import (
    FitArgs,
    applied,
    callbacks_in_use,
    class_weight_dict,
    early_stopping_restores,
    fit_call_args,
    fit_info,
    infer_batch_size,
)
from fitdoctor.keras_runtime import Distribution, distribution, is_chief, versions
from fitdoctor.run import CompileInfo, Layer, ModelInfo
from fitdoctor.run import Regularizer as RegularizerInfo
from fitdoctor.vocabulary import (
    ACTIVATION_LAYERS,
    BINARY_LOSSES,
    CATEGORICAL_LOSSES,
    PROBABILITY_LOSSES,
    REGRESSION_LOSSES,
    canonical_loss,
    snake_case,
)

if TYPE_CHECKING:
    import keras

__all__ = [
    "BINARY_LOSSES",
    "CATEGORICAL_LOSSES",
    "PROBABILITY_LOSSES",
    "REGRESSION_LOSSES",
    "Distribution",
    "FitArgs",
    "applied",
    "as_array",
    "baselines",
    "callbacks_in_use",
    "canonical_loss",
    "class_counts",
    "class_ids",
    "class_pr_auc",
    "class_scores",
    "class_weight_dict",
    "clean_float",
    "compile_info",
    "data_info",
    "distribution",
    "early_stopping_restores",
    "fingerprint",
    "fit_call_args",
    "fit_info",
    "infer_batch_size",
    "infer_task",
    "input_scale",
    "input_shift",
    "is_chief",
    "is_scheduled",
    "json_safe",
    "label_encoding",
    "learning_rate",
    "model_info",
    "n_samples",
    "per_class",
    "subsample",
    "take",
    "to_per_class",
    "unpack_xy",
    "versions",
]


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
    if cls in ACTIVATION_LAYERS:
        return ACTIVATION_LAYERS[cls]
    act = getattr(layer, "activation", None)
    if act is None:
        return "linear" if hasattr(layer, "activation") else None
    if isinstance(act, str):
        return act
    name = getattr(act, "__name__", None)
    if name is None:
        name = snake_case(type(act).__name__)
    return str(name)


def _count(weights: Iterable[Any]) -> int:
    total = 0
    for w in weights:
        total += int(np.prod([int(d) for d in w.shape])) if w.shape else 1
    return total


def _layer_outputshape_list(layer: Any) -> list[int | None] | None:
    try:
        return shape_list(layer.output.shape)
    except Exception:  # subclassed models have no symbolic outputs
        return None


def _rate(obj: Any, attr: str) -> float | None:
    value = getattr(obj, attr, None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _own_dropouts(layer: Any) -> tuple[float | None, float | None]:
    """A layer's own ``dropout`` and ``recurrent_dropout`` (an LSTM's, a GRU's, ...).

    Read from the layer, else from what it wraps: ``Bidirectional``'s forward layer (its
    backward twin has the same rates), ``RNN(cell)``'s cell. ``(None, None)`` when none
    of them has either.
    """
    for obj in (layer, getattr(layer, "forward_layer", None), getattr(layer, "cell", None)):
        if obj is None:
            continue
        rates = _rate(obj, "dropout"), _rate(obj, "recurrent_dropout")
        if rates != (None, None):
            return rates
    return None, None


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
        recurrent_dropout: float | None = None
        if "Dropout" in cls and hasattr(layer, "rate"):
            dropout = float(layer.rate)
        else:
            dropout, recurrent_dropout = _own_dropouts(layer)
        try:
            params = int(layer.count_params())
        except Exception:  # an unbuilt layer has no parameters yet
            params = _count(getattr(layer, "weights", []))
        out.append(
            Layer(
                name=str(layer.name),
                class_name=cls,
                path=path,
                units=int_or_none(units),
                activation=_activation_name(layer),
                kernel_regularizer=_regularizer(getattr(layer, "kernel_regularizer", None)),
                bias_regularizer=_regularizer(getattr(layer, "bias_regularizer", None)),
                activity_regularizer=_regularizer(getattr(layer, "activity_regularizer", None)),
                dropout=dropout,
                recurrent_dropout=recurrent_dropout,
                params=params,
                trainable_params=_count(getattr(layer, "trainable_weights", [])),
                output_shape=_layer_outputshape_list(layer),
            )
        )


def _input_ops(model: Any) -> list[str] | None:
    """Class names of the operations that are not layers before the model's first layer.

    A Keras 3 functional model lists, in ``operations``, the operations written on its
    symbolic inputs (``inputs / 255.0`` is a ``TrueDivide``) beside its layers; they may
    scale the inputs, which the layers alone do not show. A ``Sequential`` model holds
    layers only (none). ``None`` for another model without ``operations`` (Keras 2, a
    subclassed model) or when they cannot be read.
    """
    try:
        from keras import Sequential
        from keras.layers import InputLayer
        from keras.layers import Layer as KerasLayer

        if isinstance(model, Sequential):
            return []
        operations = list(model.operations)
    except Exception:  # no operations (Keras 2, an unbuilt subclass) or no keras
        return None
    found: list[str] = []
    for op in operations:
        if isinstance(op, InputLayer):
            continue
        if isinstance(op, KerasLayer):
            break
        found.append(type(op).__name__)
    return found


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
        input_shape = shape_list(model.input_shape)
    except Exception:  # subclassed models have no input_shape
        input_shape = None
    output_units: int | None = None
    try:
        out_shape = shape_list(model.output_shape)
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
        input_ops=_input_ops(model),
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
        return [snake_case(str(metrics.get("class_name", "metric")))]
    name = getattr(metrics, "name", None) or getattr(metrics, "__name__", None)
    return [str(name)] if name else [snake_case(type(metrics).__name__)]


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


