"""Model-setup detectors: the model, the loss, the labels and the fit call, not the curves.

These judge what a run recorded with ``FitDoctor()`` knows about its setup
(:attr:`Run.model`, :attr:`Run.compile`, :attr:`Run.data`, :attr:`Run.fit`). A bare
history has none of it: every detector here then raises
:class:`~fitdoctor.errors.MissingInput` and the rule is reported as skipped.

Two kinds of findings come from here: bugs (a hidden layer without a non-linearity,
an output activation, loss and label encoding that do not fit together) and the
tutorial's first-model advice (one hidden layer, equal widths, dropout up to 0.5,
batch sizes that are powers of two, an adaptive optimizer). Severities live in
``rules/model_setup.toml``; these functions only measure.

Names recorded by Keras come in several spellings (``"mse"``,
``"mean_squared_error"``, ``"MeanSquaredError"``; ``"LeakyReLU"``, ``"leaky_relu"``);
they are normalised (:mod:`fitdoctor.vocabulary`, where the loss, activation, layer and
metric vocabularies live) before they are compared.
"""

from __future__ import annotations

from fitdoctor.detectors.advice import inputs_off_unit_scale
from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.errors import MissingInput
from fitdoctor.run import CompileInfo, DataInfo, FitInfo, Layer, ModelInfo
from fitdoctor.vocabulary import (
    ACCURACY_METRICS,
    ACTIVATION_LAYERS,
    DENSE_LAYERS,
    DROPOUT_LAYERS,
    LINEAR_PASS_THROUGH,
    LOSS_CLASSES,
    MERGE_LAYERS,
    PROBABILITY_ACTIVATIONS,
    PROBABILITY_LOSSES,
    REGRESSION_LOSSES,
    SOFTMAX_LOSSES,
    WEIGHT_LAYERS,
    canonical_activation,
    canonical_loss,
    canonical_metric,
    snake_case,
)

#: Optimizers without a per-parameter adaptive step size.
NON_ADAPTIVE_OPTIMIZERS = frozenset({"sgd"})

_NO_MODEL = ("no model facts (a bare history)", "record the run with FitDoctor()")
_NO_COMPILE = ("no compile facts (loss, optimizer, metrics)", "record the run with FitDoctor()")


# ------------------------------------------------------------------ normalisation
def norm_loss(loss: str | None) -> str | None:
    """Canonical loss name (``"mse"`` → ``"mean_squared_error"``), or ``None``."""
    return canonical_loss(loss) if loss else None


def norm_activation(activation: str | None) -> str | None:
    """Canonical activation name (:func:`~fitdoctor.vocabulary.canonical_activation`)."""
    return None if activation is None else canonical_activation(activation)


# ------------------------------------------------------------------ facts
def _require_facts(ctx: Context) -> None:
    """MissingInput with the bare-history reason when the run has no setup facts at all."""
    run = ctx.run
    if run.model is None and run.compile is None and run.fit is None and run.data is None:
        raise MissingInput(*_NO_MODEL, needs="run-file")


def require_model(ctx: Context) -> ModelInfo:
    """The run's model facts; MissingInput when the run has none."""
    model = ctx.run.model
    if model is None or not model.layers:
        raise MissingInput(*_NO_MODEL, needs="run-file")
    return model


def require_compile(ctx: Context) -> CompileInfo:
    """The run's compile facts; MissingInput when the run has none."""
    _require_facts(ctx)
    info = ctx.run.compile
    if info is None:
        raise MissingInput(*_NO_COMPILE, needs="run-file")
    return info


def require_loss(ctx: Context) -> str:
    """The canonical loss name; MissingInput when it is unknown."""
    loss = norm_loss(require_compile(ctx).loss)
    if loss is None:
        raise MissingInput("the loss is unknown (a custom loss object?)",
                           "record the run with FitDoctor() and a named Keras loss",
                           needs="run-file")
    return loss


def require_data(ctx: Context) -> DataInfo:
    """The run's data facts; MissingInput when the run has none."""
    _require_facts(ctx)
    data = ctx.run.data
    if data is None:
        raise MissingInput("no data facts (labels, classes)",
                           "record the run with FitDoctor() so it can look at the labels",
                           needs="run-file")
    return data


def require_fit(ctx: Context) -> FitInfo:
    """The run's fit facts; MissingInput when the run has none."""
    _require_facts(ctx)
    info = ctx.run.fit
    if info is None:
        raise MissingInput("no fit facts (epochs, batch size)", "record the run with FitDoctor()",
                           needs="run-file")
    return info


def is_linear_weight_layer(layer: Layer) -> bool:
    """A Dense/Conv layer with no activation (or ``linear``)."""
    return layer.class_name in WEIGHT_LAYERS and norm_activation(layer.activation) in (
        None, "linear",
    )


def is_pass_through(layer: Layer) -> bool:
    """A layer that keeps its input's linearity (Dropout, BatchNorm, Flatten, linear Activation)."""
    if layer.class_name == "Activation":
        return norm_activation(layer.activation) in (None, "linear")
    return layer.class_name in LINEAR_PASS_THROUGH


def output_layer(model: ModelInfo) -> Layer | None:
    """The last layer with weights (Dense or convolution): the output layer."""
    for layer in reversed(model.layers):
        if layer.class_name in WEIGHT_LAYERS:
            return layer
    return None


def output_activation(model: ModelInfo) -> str | None:
    """The activation the model's output goes through last, normalised.

    Walks back from the last layer over linear pass-through layers; an ``Activation``
    or activation layer (``Softmax``, ``ReLU``...) after the output Dense wins over the
    Dense's own activation. Falls back to :attr:`ModelInfo.output_activation` when the
    layers end in something else.
    """
    for layer in reversed(model.layers):
        if layer.class_name == "Activation":
            return norm_activation(layer.activation) or "linear"
        if layer.class_name in ACTIVATION_LAYERS:
            return ACTIVATION_LAYERS[layer.class_name]
        if layer.class_name in WEIGHT_LAYERS:
            return norm_activation(layer.activation) or "linear"
        if layer.class_name in LINEAR_PASS_THROUGH:
            continue
        break
    return norm_activation(model.output_activation)


def output_units(model: ModelInfo) -> int | None:
    """Units of the output layer."""
    if model.output_units is not None:
        return model.output_units
    layer = output_layer(model)
    return layer.units if layer is not None else None


def require_output_units(model: ModelInfo) -> int:
    """Units of the output layer; MissingInput when unknown."""
    units = output_units(model)
    if units is None:
        raise MissingInput("the output layer's units are unknown",
                           "record the run with FitDoctor()", needs="run-file")
    return units


def hidden_dense(model: ModelInfo) -> list[Layer]:
    """Dense layers before the output layer."""
    out = output_layer(model)
    return [layer for layer in model.layers
            if layer.class_name in DENSE_LAYERS and layer is not out]


def is_regression(ctx: Context, loss: str | None) -> bool:
    """True when the loss or the data facts say the task is a regression."""
    data = ctx.run.data
    if data is not None and data.task is not None:
        return data.task == "regression"
    return loss in REGRESSION_LOSSES


def _names(layers: list[Layer]) -> str:
    return ", ".join(layer.name for layer in layers)


# ------------------------------------------------------------------ bugs
@detector("linear-hidden-layer")
def linear_hidden_layer(ctx: Context) -> Evidence | None:
    """A Dense/Conv layer without activation feeds another one with no non-linearity between.

    Two affine maps in a row are one affine map: the extra layer adds parameters, not
    capacity. Dropout, BatchNormalization, Flatten, average pooling and a linear
    ``Activation`` do not break the chain; an ``Activation`` with a non-linear function,
    ``ReLU``/``LeakyReLU``/``PReLU``/``ELU``/``Softmax`` layers, max pooling and anything
    unknown do. A model with merge layers (Add, Concatenate, ...: a ResNet) is skipped: the
    recorded layer list interleaves its branches, so it is not the data flow.

    Evidence: ``layers`` (names of the linear hidden layers), ``first_layer``, ``units``
    and ``activation`` of the first one, ``next_layer`` (the weight layer it feeds),
    ``n_linear``, ``n_hidden`` (hidden weight layers), ``network_linear`` (1 when nothing
    before the output layer is non-linear: the whole network is one linear model).
    """
    model = require_model(ctx)
    out = output_layer(model)
    if out is None:
        raise MissingInput("the model has no Dense or convolution layer",
                           "record the run with FitDoctor()", needs="run-file")
    merges = [layer.name for layer in model.layers if layer.class_name in MERGE_LAYERS]
    if merges:
        # a residual block lists its shortcut convolution next to the main branch's:
        # read as a chain, two parallel layers would look like one feeding the other
        raise MissingInput(
            f"a branching model ({len(merges)} merge layers, e.g. `{merges[0]}`): its "
            "layer list is not the order the data flows in",
            "check the activations of its branches by hand",
        )
    linear: list[tuple[Layer, Layer]] = []
    pending: Layer | None = None
    for layer in model.layers:
        if layer.class_name in WEIGHT_LAYERS:
            if pending is not None:
                linear.append((pending, layer))
            pending = layer if is_linear_weight_layer(layer) else None
        elif not is_pass_through(layer):
            pending = None
    if not linear:
        return None
    stop = model.layers.index(out)
    before = model.layers[:stop]
    network_linear = all(
        is_pass_through(layer) or is_linear_weight_layer(layer) for layer in before
    )
    n_hidden = sum(1 for layer in before if layer.class_name in WEIGHT_LAYERS)
    first, nxt = linear[0]
    return Evidence({
        "layers": _names([pair[0] for pair in linear]),
        "first_layer": first.name,
        "units": first.units,
        "activation": norm_activation(first.activation) or "linear",
        "next_layer": nxt.name,
        "n_linear": len(linear),
        "n_hidden": n_hidden,
        "network_linear": int(network_linear),
    })


@detector("softmax-single-unit")
def softmax_single_unit(ctx: Context) -> Evidence | None:
    """Softmax over a one-unit output: the output is 1.0 for every input.

    Evidence: ``layer`` (output layer), ``units`` (1), ``loss`` (as compiled, or None),
    ``n_classes`` (when known).
    """
    model = require_model(ctx)
    units = require_output_units(model)
    if output_activation(model) != "softmax" or units != 1:
        return None
    layer = output_layer(model)
    return Evidence({
        "layer": layer.name if layer else "the output layer",
        "units": units,
        "loss": ctx.run.compile.loss if ctx.run.compile else None,
        "n_classes": ctx.n_classes,
    })


@detector("sigmoid-with-categorical-loss")
def sigmoid_with_categorical_loss(ctx: Context) -> Evidence | None:
    """A sigmoid output with a categorical (one-distribution) crossentropy.

    Sigmoid scores each unit independently; a categorical crossentropy expects one
    distribution over the classes that sums to 1 (softmax). With one unit the
    renormalised prediction is always 1 and the loss is always 0.

    Evidence: ``layer``, ``units``, ``loss`` (as compiled), ``softmax_layer`` (the layer
    to switch to softmax, None when it has one unit), ``task``.
    """
    model = require_model(ctx)
    loss = require_loss(ctx)
    if output_activation(model) != "sigmoid" or loss not in SOFTMAX_LOSSES:
        return None
    layer = output_layer(model)
    name = layer.name if layer else "the output layer"
    units = output_units(model)
    return Evidence({
        "layer": name,
        "units": units,
        "loss": require_compile(ctx).loss,
        "softmax_layer": name if units is None or units > 1 else None,
        "task": ctx.run.data.task if ctx.run.data else None,
    })


@detector("loss-label-encoding-mismatch")
def loss_label_encoding_mismatch(ctx: Context) -> Evidence | None:
    """The categorical loss does not match how the labels are encoded.

    ``categorical_crossentropy`` wants one-hot labels; integer class ids need
    ``sparse_categorical_crossentropy``, and the reverse.

    Evidence: ``loss`` (as compiled), ``label_encoding``, ``expected_encoding``,
    ``suggested_loss``, ``n_classes``, ``convert`` (how to re-encode the labels instead).
    """
    loss = require_loss(ctx)
    if loss not in SOFTMAX_LOSSES:
        return None
    data = require_data(ctx)
    if data.task in ("regression", "multilabel"):
        return None
    encoding = data.label_encoding
    if encoding is None:
        raise MissingInput("the label encoding is unknown",
                           "record the run with FitDoctor() so it can look at the labels",
                           needs="run-file")
    units = output_units(ctx.run.model) if ctx.run.model is not None else None
    integer_labels = encoding == "sparse" or (encoding == "binary" and (units or 0) > 1)
    n_classes = ctx.n_classes or units
    if loss in ("categorical_crossentropy", "categorical_focal_crossentropy") and integer_labels:
        expected, suggested = "one-hot", "sparse_categorical_crossentropy"
        convert = f"keras.utils.to_categorical(y, {n_classes})" if n_classes else None
    elif loss == "sparse_categorical_crossentropy" and encoding == "one-hot":
        expected, suggested = "integer (sparse)", "categorical_crossentropy"
        convert = "y.argmax(axis=-1)"
    else:
        return None
    return Evidence({
        "loss": require_compile(ctx).loss,
        "label_encoding": "integer (sparse)" if integer_labels else encoding,
        "expected_encoding": expected,
        "suggested_loss": suggested,
        "n_classes": n_classes,
        "convert": convert,
    })


@detector("single-unit-multiclass-output")
def single_unit_multiclass_output(ctx: Context) -> Evidence | None:
    """One output unit for more than two classes.

    Evidence: ``layer``, ``n_classes``, ``activation`` (of the output), ``loss``.
    """
    model = require_model(ctx)
    data = ctx.run.data
    if data is not None and data.task in ("regression", "multilabel"):
        return None
    n_classes = ctx.n_classes
    if n_classes is None:
        raise MissingInput("the number of classes is unknown",
                           "record the run with FitDoctor() or pass --classes N", needs="run-file")
    units = require_output_units(model)
    if units != 1 or n_classes <= 2:
        return None
    layer = output_layer(model)
    return Evidence({
        "layer": layer.name if layer else "the output layer",
        "n_classes": n_classes,
        "activation": output_activation(model) or "linear",
        "loss": ctx.run.compile.loss if ctx.run.compile else None,
    })


@detector("probability-loss-on-unbounded-output")
def probability_loss_on_unbounded_output(ctx: Context) -> Evidence | None:
    """A crossentropy loss on an output that is not a probability, without ``from_logits``.

    The loss then clips the raw outputs to (0, 1): outside that range the gradient is
    zero and the model stops learning.

    Evidence: ``layer``, ``units``, ``activation`` (of the output), ``loss``,
    ``from_logits`` (``"False"`` or ``"unset"``), ``loss_class`` (Keras class for
    ``from_logits=True``, None unless the output is linear), ``probability_activation``
    (``softmax`` or ``sigmoid``, whichever fits the loss and units).
    """
    model = require_model(ctx)
    info = require_compile(ctx)
    loss = require_loss(ctx)
    if loss not in PROBABILITY_LOSSES or info.from_logits is True:
        return None
    activation = output_activation(model)
    if activation is None:
        raise MissingInput("the output activation is unknown", "record the run with FitDoctor()",
                           needs="run-file")
    if activation in PROBABILITY_ACTIVATIONS:
        return None
    units = output_units(model)
    layer = output_layer(model)
    categorical = loss in SOFTMAX_LOSSES and (units is None or units > 1)
    return Evidence({
        "layer": layer.name if layer else "the output layer",
        "units": units,
        "activation": activation,
        "loss": info.loss,
        "from_logits": "unset" if info.from_logits is None else str(info.from_logits),
        "loss_class": LOSS_CLASSES.get(loss) if activation == "linear" else None,
        "probability_activation": "softmax" if categorical else "sigmoid",
    })


@detector("logits-loss-on-probabilities")
def logits_loss_on_probabilities(ctx: Context) -> Evidence | None:
    """``from_logits=True`` on an output that already went through softmax or sigmoid.

    The loss applies softmax/sigmoid a second time: predicted probabilities are squashed
    toward uniform (softmax of values in [0, 1]) and the loss cannot approach 0.

    Evidence: ``layer``, ``activation``, ``loss``, ``units``.
    """
    model = require_model(ctx)
    info = require_compile(ctx)
    loss = require_loss(ctx)
    if loss not in PROBABILITY_LOSSES or info.from_logits is not True:
        return None
    activation = output_activation(model)
    if activation not in PROBABILITY_ACTIVATIONS:
        return None
    layer = output_layer(model)
    return Evidence({
        "layer": layer.name if layer else "the output layer",
        "activation": activation,
        "loss": info.loss,
        "units": output_units(model),
    })


@detector("accuracy-only-regression-metric")
def accuracy_only_regression_metric(ctx: Context) -> Evidence | None:
    """A regression whose only metric is accuracy (exact matches of real numbers).

    The metrics are the compiled ones, or the run's logged train metrics when compile
    recorded none.

    Evidence: ``loss`` (as compiled), ``metrics`` (comma-separated), ``task``.
    """
    info = require_compile(ctx)
    loss = norm_loss(info.loss)
    if not is_regression(ctx, loss):
        return None
    metrics = [m for m in info.metrics if canonical_metric(m) != "loss"]
    if not metrics:
        metrics = [k for k in ctx.run.train_keys if k != "loss"]
    if not metrics or not all(canonical_metric(m) in ACCURACY_METRICS for m in metrics):
        return None
    return Evidence({
        "loss": info.loss or "unknown",
        "metrics": ", ".join(metrics),
        "metrics_list": repr(metrics),
        "task": "regression",
    })


# ------------------------------------------------------------------ first-model hints
@detector("several-hidden-layers")
def several_hidden_layers(ctx: Context, *, max_hidden_layers: int) -> Evidence | None:
    """More hidden Dense layers than ``max_hidden_layers``.

    Evidence: ``n_hidden``, ``layers`` (names), ``widths`` (units, comma-separated),
    ``widest_units``.
    """
    model = require_model(ctx)
    hidden = hidden_dense(model)
    if len(hidden) <= max_hidden_layers:
        return None
    units = [layer.units or 0 for layer in hidden]
    return Evidence({
        "n_hidden": len(hidden),
        "layers": _names(hidden),
        "widths": ", ".join(str(u) for u in units),
        "widest_units": max(units),
    })


@detector("unequal-hidden-widths")
def unequal_hidden_widths(ctx: Context) -> Evidence | None:
    """Hidden Dense layers of different widths.

    Evidence: ``n_hidden``, ``layers``, ``widths`` (units, comma-separated),
    ``widest_units``, ``narrowest_units``.
    """
    model = require_model(ctx)
    hidden = [layer for layer in hidden_dense(model) if layer.units]
    units = [int(layer.units or 0) for layer in hidden]
    if len(set(units)) <= 1:
        return None
    return Evidence({
        "n_hidden": len(hidden),
        "layers": _names(hidden),
        "widths": ", ".join(str(u) for u in units),
        "widest_units": max(units),
        "narrowest_units": min(units),
    })


@detector("high-dropout-rate")
def high_dropout_rate(ctx: Context, *, max_rate: float) -> Evidence | None:
    """A dropout layer that drops more than ``max_rate`` of its inputs.

    Evidence: ``layer`` (the highest-rate one), ``rate``, ``layers`` (all above),
    ``n_layers``.
    """
    model = require_model(ctx)
    high = [
        layer for layer in model.layers
        if layer.class_name in DROPOUT_LAYERS and layer.dropout is not None
        and layer.dropout > max_rate
    ]
    if not high:
        return None
    worst = max(high, key=lambda layer: layer.dropout or 0.0)
    return Evidence({
        "layer": worst.name,
        "rate": float(worst.dropout or 0.0),
        "layers": _names(high),
        "n_layers": len(high),
    })


@detector("batch-size-not-power-of-two")
def batch_size_not_power_of_two(ctx: Context) -> Evidence | None:
    """A batch size that is not a power of two.

    Evidence: ``batch_size``, ``lower`` and ``upper`` (the nearest powers of two).
    """
    info = require_fit(ctx)
    size = info.batch_size
    if size is None:
        raise MissingInput("the batch size is unknown",
                           "record the run with FitDoctor() and pass batch_size to fit",
                           needs="run-file")
    if size < 1 or size & (size - 1) == 0:
        return None
    lower = 1 << (size.bit_length() - 1)
    return Evidence({"batch_size": size, "lower": lower, "upper": lower * 2})


@detector("non-adaptive-optimizer")
def non_adaptive_optimizer(ctx: Context) -> Evidence | None:
    """Plain SGD: no momentum, no per-parameter step size.

    Evidence: ``optimizer`` (as recorded), ``momentum``, ``learning_rate``.
    """
    info = require_compile(ctx)
    if info.optimizer is None:
        raise MissingInput("the optimizer is unknown", "record the run with FitDoctor()",
                           needs="run-file")
    if snake_case(info.optimizer.strip().rsplit(".", 1)[-1]) not in NON_ADAPTIVE_OPTIMIZERS:
        return None
    momentum = info.optimizer_config.get("momentum", 0.0)
    if isinstance(momentum, (int, float)) and not isinstance(momentum, bool) and momentum > 0:
        return None
    lr = info.learning_rate
    if lr is None:
        raw = info.optimizer_config.get("learning_rate")
        lr = float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else None
    return Evidence({
        "optimizer": info.optimizer,
        "momentum": float(momentum) if isinstance(momentum, (int, float)) else 0.0,
        "learning_rate": f"{lr:g}" if lr is not None else None,
    })


@detector("inputs-not-standardized")
def inputs_not_standardized(
    ctx: Context, *, max_input_std: float, min_input_max: float, max_input_mean: float,
    max_input_spread: float,
) -> Evidence | None:
    """Training inputs far from unit scale, and no first layer that scales them.

    The test is :func:`~fitdoctor.detectors.advice.inputs_off_unit_scale` (shared with
    the curve rules' input advice). Evidence: the four input facts, ``far_by`` (which test held),
    ``first_layer`` (the model's first layer acting on the inputs), ``pixels``.
    """
    require_data(ctx)
    found = inputs_off_unit_scale(
        ctx.run, max_input_std=max_input_std, min_input_max=min_input_max,
        max_input_mean=max_input_mean, max_input_spread=max_input_spread)
    if found["first_opaque"]:
        return None  # a Lambda or custom first layer may scale them: not told to
    if not found["inputs_judged"]:
        raise MissingInput(
            "the training inputs' scale is not recorded (a model file, inputs given as a "
            "dataset or a generator, or a run file of an older version)",
            "record the run with FitDoctor() on arrays or tensors", needs="run-file")
    if not found["inputs_far"]:
        return None
    return Evidence({k: v for k, v in found.items()
                     if k not in ("inputs_far", "inputs_judged", "first_opaque")})
