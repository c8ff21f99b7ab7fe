"""Concrete numbers for recommendations, from what the run knows about the model.

These helpers turn "raise regularization" into "L2 0 → 1e-4 on the 512-unit Dense
`dense`" when the run recorded its model, and into ``None`` (the rule's fallback text)
when it did not. They measure nothing about the curves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fitdoctor.run import Layer, Run
from fitdoctor.vocabulary import (
    ACTIVATION_LAYERS,
    INPUT_ENCODING_LAYERS,
    INPUT_SCALING_LAYERS,
    LEARNING_RATE_KEYS,
    LINEAR_PASS_THROUGH,
    PLAIN_LAYERS,
    SHAPE_ONLY_LAYERS,
    TRAINING_NOISE_LAYERS,
    canonical_loss,
    snake_case,
)

#: Layers counted as "dense-like" for capacity and regularization advice.
_DENSE = {"Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D"}


def hidden_layers(run: Run) -> list[Layer]:
    """Dense-like layers of the model except the output layer."""
    if run.model is None:
        return []
    dense = [layer for layer in run.model.layers if layer.class_name in _DENSE and layer.units]
    return dense[:-1]


#: Layers that hold no weights of their own, or only an affine rescaling (normalization,
#: dropout, reshaping, an activation): a model of these and one Dense layer is a linear
#: model of its inputs (a logistic, softmax or linear regression) with no hidden layer.
_NO_HIDDEN = LINEAR_PASS_THROUGH | frozenset(ACTIVATION_LAYERS) | {"Activation"}


def no_hidden_layer(run: Run) -> Layer | None:
    """The output layer of a recorded model that has no hidden layer, else ``None``.

    The model maps its inputs straight to the output: its one Dense layer with weights
    is the output layer, and every other layer is one of :data:`_NO_HIDDEN`.
    ``None`` for a bare history, a model with a hidden layer of any kind (Dense,
    convolution, recurrent, embedding, a custom layer), or one whose output is not Dense.
    """
    if run.model is None or not run.model.layers:
        return None
    rest = [layer for layer in run.model.layers if layer.class_name not in _NO_HIDDEN]
    if len(rest) != 1 or rest[0].class_name not in ("Dense", "EinsumDense") or not rest[0].units:
        return None
    return rest[0]


#: Recurrent layers: hidden layers whose ``units`` are their width.
_RECURRENT = {"GRU", "LSTM", "SimpleRNN"}


def narrowest_hidden(run: Run) -> int | None:
    """Units of the model's narrowest hidden layer (Dense-like or recurrent), if known."""
    if run.model is None:
        return None
    widths = [int(layer.units) for layer in hidden_layers(run) if layer.units]
    widths += [int(layer.units) for layer in run.model.layers
               if layer.class_name in _RECURRENT and layer.units]
    return min(widths) if widths else None


def fmt_rate(value: float) -> str:
    """A learning rate or factor in short form: ``0.001`` → ``1e-3``, ``0.0`` → ``0``."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.0e}"
    mantissa, exp = text.split("e")
    exp_i = int(exp)
    if -3 <= exp_i <= 2 and mantissa == "1":
        return f"{value:g}"
    return f"{mantissa}e{exp_i}"


def current_learning_rate(run: Run, row: int | None = None) -> float | None:
    """The learning rate in force at the last epoch, else the compiled one.

    With ``row``, the rate logged at that metric row (the last one logged up to it).
    ``None`` when the run does not say it, or says a value no change can start from
    (0, negative, NaN or infinite: no change can be proposed from it).
    """
    for key in LEARNING_RATE_KEYS:
        logged = run.metrics.get(key, [])
        values = [v for v in (logged if row is None else logged[: row + 1]) if v is not None]
        if values:
            return _usable_rate(values[-1])
    if run.compile is not None and run.compile.learning_rate:
        return _usable_rate(run.compile.learning_rate)
    return None


def _usable_rate(value: object) -> float | None:
    try:
        rate = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return rate if math.isfinite(rate) and rate > 0 else None


def peak_learning_rate_row(run: Run) -> int | None:
    """The metric row at which the logged learning rate was highest (the first such).

    A loss that never moved under a schedule that decayed its rate did not move at the
    rate's peak either: a raise starts from there, not from the decayed last value.
    ``None`` when no rate is logged or none is usable.
    """
    for key in LEARNING_RATE_KEYS:
        logged = run.metrics.get(key, [])
        usable = [(rate, i) for i, v in enumerate(logged)
                  if (rate := _usable_rate(v)) is not None]
        if usable:
            return max(usable, key=lambda pair: pair[0])[1]  # max keeps the first of ties
    return None


def learning_rate_change(run: Run, factor: float, row: int | None = None) -> dict[str, Any]:
    """Evidence for a learning-rate recommendation: ``lr_now`` and ``lr_proposed``.

    ``lr_now`` is the rate at the last epoch, or at metric row ``row``
    (:func:`current_learning_rate`). Both are ``None`` when the run does not say the
    learning rate (the rule's recommendation then falls back to a relative change).
    """
    lr = current_learning_rate(run, row)
    if lr is None:
        return {"lr_now": None, "lr_proposed": None}
    return {"lr_now": fmt_rate(lr), "lr_proposed": fmt_rate(lr * factor)}


#: Optimizers that take plain gradient steps (no per-parameter step size), by snake-case name.
_PLAIN_STEPS = frozenset({"sgd"})


def plain_sgd_rate(run: Run, factor: float) -> dict[str, Any]:
    """The learning rate of a plain-SGD run, for rate-dependent advice.

    Plain SGD: the recorded optimizer is SGD without momentum (its steps are the rate
    times the gradient, so a large rate is a large, noisy step; an adaptive optimizer
    scales its steps itself). Returns ``sgd_lr`` (the rate in force at the last epoch,
    else the compiled one), ``sgd_lr_now`` and ``sgd_lr_proposed`` (``factor`` of it)
    as text; all ``None`` for another optimizer, SGD with momentum, or a run that does
    not say.
    """
    out: dict[str, Any] = {"sgd_lr": None, "sgd_lr_now": None, "sgd_lr_proposed": None}
    info = run.compile
    if info is None or not info.optimizer:
        return out
    if snake_case(info.optimizer.strip().rsplit(".", 1)[-1]) not in _PLAIN_STEPS:
        return out
    # Keras's SGD config always holds its momentum: a config without one does not say
    momentum = info.optimizer_config.get("momentum")
    if not isinstance(momentum, (int, float)) or isinstance(momentum, bool) or momentum != 0:
        return out
    lr = current_learning_rate(run)
    if lr is None:
        return out
    change = learning_rate_change(run, factor)
    return {"sgd_lr": lr, **{f"sgd_{k}": v for k, v in change.items()}}


@dataclass(frozen=True)
class RegularizationSteps:
    """How far overfitting advice moves each knob (the rules' declared parameters).

    Args:
        shrink_factor: The proposed width of the widest hidden layer, as a share of its
            width now (at least one unit).
        l2_first: The L2 factor proposed for a layer without one.
        l2_step: The factor an L2 already in force is multiplied by.
        dropout_step: What the proposed dropout rate adds to the one in force ...
        dropout_max: ... never above this (a rate at or above it gets no proposal).
        data_factor: The proposed training rows, as a multiple of the rows now.
    """

    shrink_factor: float
    l2_first: float
    l2_step: float
    dropout_step: float
    dropout_max: float
    data_factor: float


def widest_hidden(run: Run) -> Layer | None:
    """The model's widest hidden Dense-like layer (the first of the widest), if known."""
    hidden = hidden_layers(run)
    return max(hidden, key=lambda layer: layer.units or 0) if hidden else None


def layer_l2(layer: Layer) -> float:
    """The L2 factor of ``layer``'s kernel regularizer (0 without one)."""
    return layer.kernel_regularizer.l2 if layer.kernel_regularizer else 0.0


def regularization_advice(run: Run, steps: RegularizationSteps) -> dict[str, Any]:
    """Evidence for overfitting remedies, concrete where the model is known.

    Returns keys (``None`` when the model is unknown): ``layer`` (name of the widest
    hidden layer), ``units_now``/``units_proposed``, ``l2_now``/``l2_proposed``,
    ``dropout_now``/``dropout_proposed``, ``n_train``/``n_train_proposed``; each
    proposal is ``steps`` away from the value now. ``_l2_first`` (template only) is
    ``steps.l2_first`` written short, for advice that cannot name a layer. A model with
    no hidden layer (:func:`no_hidden_layer`) adds ``no_hidden_layer``, ``output_layer``
    and ``output_l2_now``/``output_l2_proposed``: its output layer's weights are the only
    ones to regularize.
    """
    out: dict[str, Any] = dict.fromkeys(
        ("layer", "units_now", "units_proposed", "l2_now", "l2_proposed",
         "dropout_now", "dropout_proposed", "n_train", "n_train_proposed"),
    )
    out["_l2_first"] = fmt_rate(steps.l2_first)
    widest = widest_hidden(run)
    if widest is not None:
        out["layer"] = widest.name
        units = int(widest.units or 0)
        out["units_now"] = units
        out["units_proposed"] = max(1, math.floor(units * steps.shrink_factor))
        l2 = layer_l2(widest)
        out["l2_now"] = fmt_rate(l2)
        out["l2_proposed"] = _l2_proposed(l2, steps)
        drop = _dropout_after(run, widest)
        out["dropout_now"] = f"{drop:g}"
        cap = steps.dropout_max
        out["dropout_proposed"] = (f"{min(cap, round(drop + steps.dropout_step, 1)):g}"
                                   if drop < cap else None)
    output = no_hidden_layer(run) if widest is None else None
    if output is not None:
        # a linear model of its inputs: the output layer's weights are all it has
        l2 = layer_l2(output)
        out.update(no_hidden_layer=True, output_layer=output.name,
                   output_l2_now=fmt_rate(l2),
                   output_l2_proposed=_l2_proposed(l2, steps))
    if run.data is not None and run.data.n_train:
        out["n_train"] = f"{run.data.n_train:,}"
        out["n_train_proposed"] = f"{more_rows(run.data.n_train, steps.data_factor):,}"
    return out


def _l2_proposed(l2: float, steps: RegularizationSteps) -> str:
    """The L2 factor proposed for a layer whose factor is ``l2`` (0: none yet), as text."""
    return fmt_rate(steps.l2_first if l2 == 0 else l2 * steps.l2_step)


def more_rows(n_train: int, factor: float) -> int:
    """The training rows proposed: ``factor`` times ``n_train``, rounded."""
    return round(n_train * factor)


def _dropout_after(run: Run, layer: Layer) -> float:
    """Dropout rate of the first Dropout layer right after ``layer`` (0 if none)."""
    assert run.model is not None
    layers = run.model.layers
    try:
        i = next(k for k, candidate in enumerate(layers) if candidate is layer)
    except StopIteration:
        return 0.0
    for follower in layers[i + 1:]:
        if follower.dropout is not None:
            return float(follower.dropout)
        if follower.class_name in _DENSE:
            break
    return 0.0


#: Regression losses whose constant predictor's loss gives the targets' spread: a squared
#: error's is their variance, an absolute error's their mean absolute deviation.
_SPREAD_OF_PRIOR = {"mean_squared_error": 2.0, "mean_absolute_error": 1.0}


def target_spread(run: Run, max_spread: float) -> dict[str, Any]:
    """Targets on a scale a network's output does not start near, for advice.

    A regression trained on a squared or absolute error whose run file records the loss
    of predicting the training mean (``baselines.prior_loss``: the targets' variance, or
    their mean absolute deviation) tells how far the targets spread around their mean.
    ``{"targets_spread": True, "target_spread", "prior_loss"}`` when that spread is at
    least ``max_spread`` (a network's output starts near 0 and its last layer moves by
    small steps: it spends epochs just reaching the targets' scale), else
    ``{"targets_spread": False}`` (a classifier, another loss, or a run that does not
    record the prior).
    """
    out: dict[str, Any] = {"targets_spread": False}
    info, base, data = run.compile, run.baselines, run.data
    if info is None or not info.loss or base is None or data is None:
        return out
    if data.task != "regression":
        return out
    power = _SPREAD_OF_PRIOR.get(canonical_loss(info.loss))
    prior = base.prior_loss
    if power is None or not isinstance(prior, (int, float)) or not math.isfinite(prior):
        return out
    if prior <= 0:
        return out
    spread = float(prior) ** (1.0 / power)
    if spread < max_spread:
        return out
    return {"targets_spread": True, "target_spread": float(f"{spread:.3g}"),
            "prior_loss": float(f"{float(prior):.4g}")}


#: Layers passed over to find the first one that acts on the input values: reshaping,
#: masking, and the noise and augmentation that only perturb them while training (the
#: Keras image tutorials put RandomFlip and RandomRotation before their Rescaling).
_BEFORE_SCALING = SHAPE_ONLY_LAYERS | TRAINING_NOISE_LAYERS | {"Masking"}


def first_input_layer(run: Run) -> Layer | None:
    """The model's first layer that acts on the input values.

    Layers that reshape, mask, or only add noise or augmentation while training
    (:data:`_BEFORE_SCALING`) are passed over. ``None`` when the run has no model facts
    or no such layer.
    """
    if run.model is None:
        return None
    return next((layer for layer in run.model.layers
                 if layer.class_name not in _BEFORE_SCALING), None)


def inputs_off_unit_scale(
    run: Run, *, max_input_std: float, min_input_max: float, max_input_mean: float,
    max_input_spread: float,
) -> dict[str, Any]:
    """Are the training inputs far from unit scale? The one test FD616 and the advice share.

    The inputs are far from unit scale when the run file's input facts
    (:attr:`~fitdoctor.run.DataInfo.input_std` and its siblings) show a median feature
    standard deviation above ``max_input_std``, a largest absolute value below
    ``min_input_max`` (every value tiny; a sparse input's median standard deviation is
    tiny too, but its values are not), a median absolute feature mean above
    ``max_input_mean``, or a largest feature standard deviation above
    ``max_input_spread`` times the median one, and the model does not
    scale them itself: its first layer (:func:`first_input_layer`) is no
    ``Normalization``, ``Rescaling``, ``BatchNormalization`` or ``LayerNormalization``,
    nor an ``Embedding``-like layer that reads ids, not magnitudes. A first layer whose
    recorded facts do not show what it computes (a ``Lambda``, a ``TFOpLambda``, a
    custom layer: not one of :data:`~fitdoctor.vocabulary.PLAIN_LAYERS`), or operations
    written on the inputs before it (``ModelInfo.input_ops``), may scale them,
    and a frozen first layer (weights, none trainable: a pretrained backbone) expects the
    preprocessing it was trained with: the inputs are not judged (``first_opaque``).

    Args:
        run: The run.
        max_input_std: Median feature standard deviation above which inputs are far.
        min_input_max: Largest absolute value below which they are (tiny units).
        max_input_mean: Median absolute feature mean above which they are.
        max_input_spread: Largest over median feature standard deviation above which they are.

    Returns:
        ``inputs_far`` (``True``/``False``; ``None`` when the run says neither the inputs'
        scale nor a first layer that scales or encodes them), ``inputs_judged``
        (``inputs_far`` is known), ``first_opaque`` (the first layer may scale them,
        unknown), ``far_by`` (the first test that holds: ``"std"``,
        ``"tiny_values"``, ``"mean"`` or ``"spread"``), the four facts (``input_std``,
        ``input_mean``, ``input_max``, ``input_scale_spread``, as recorded),
        ``first_layer`` (its class) and ``pixels`` (the largest value is 255).
    """
    data = run.data
    facts = {key: getattr(data, key, None) if data is not None else None
             for key in ("input_std", "input_mean", "input_max", "input_scale_spread")}
    first = first_input_layer(run)
    out: dict[str, Any] = {"inputs_far": None, "inputs_judged": False, "first_opaque": False,
                           "far_by": None,
                           **facts, "first_layer": first.class_name if first else None,
                           "pixels": facts["input_max"] == 255}
    if first is not None and first.class_name in INPUT_SCALING_LAYERS | INPUT_ENCODING_LAYERS:
        return {**out, "inputs_far": False, "inputs_judged": True}
    if first is not None and first.class_name not in PLAIN_LAYERS:
        # a Lambda (x / 255), a TFOpLambda or a custom layer may scale them: unknown
        return {**out, "first_opaque": True}
    if run.model is not None and run.model.input_ops:
        # operations written on the inputs before the first layer (a functional model's
        # inputs / 255.0) may scale them: unknown, as a Lambda
        return {**out, "first_opaque": True, "first_layer": run.model.input_ops[0]}
    if first is not None and first.params and first.trainable_params == 0:
        # a frozen first layer (a pretrained backbone, base_model.trainable = False)
        # expects the preprocessing it was trained with (VGG16's preprocess_input leaves
        # a standard deviation near 60), not unit scale: not judged either
        return {**out, "first_opaque": True}
    std, mean, top, spread = (facts["input_std"], facts["input_mean"], facts["input_max"],
                              facts["input_scale_spread"])
    if std is None:
        return out
    tests = (("std", std > max_input_std),
             ("tiny_values", top is not None and top < min_input_max),
             ("mean", mean is not None and mean > max_input_mean),
             ("spread", spread is not None and spread > max_input_spread))
    far_by = next((name for name, holds in tests if holds), None)
    return {**out, "inputs_far": far_by is not None, "inputs_judged": True, "far_by": far_by}


def input_scale_advice(run: Run, **thresholds: float) -> dict[str, Any]:
    """:func:`inputs_off_unit_scale` for a curve rule's advice: every key prefixed with ``_``.

    The keys fill the rule's templates and choose its ``normalize-inputs``
    recommendation (``when = "_inputs_far"``: say it first, with the numbers; ``when =
    "not _inputs_judged"``: the generic text of a run that does not say), and stay out of
    the finding's evidence, which is about the curves. ``_targets_too``: the inputs are
    judged and the run file says the task is a regression, whose targets the generic text
    (left out then) also told to scale. ``_inputs_large``: far from unit scale by being
    large or spread over different units, not tiny (``when`` of the blow-up rules, FD401,
    FD403 and FD404: inputs in tiny units make small steps, not exploding ones).
    """
    found = {f"_{key}": value for key, value in inputs_off_unit_scale(run, **thresholds).items()}
    regression = run.data is not None and run.data.task == "regression"
    found["_targets_too"] = bool(found["_inputs_judged"]) and regression
    # inputs too large or spread over different units (not in tiny units): the advice of
    # the rules of a blow-up, which tiny inputs do not cause
    found["_inputs_large"] = bool(found["_inputs_far"]) and found["_far_by"] != "tiny_values"
    return found
