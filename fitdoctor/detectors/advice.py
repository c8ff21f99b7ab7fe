"""Concrete numbers for recommendations, from what the run knows about the model.

These helpers turn "raise regularization" into "L2 0 → 1e-4 on the 512-unit Dense
`dense`" when the run recorded its model, and into ``None`` (the rule's fallback text)
when it did not. They measure nothing about the curves.
"""

from __future__ import annotations

import math
from typing import Any

from fitdoctor.run import Layer, Run
from fitdoctor.vocabulary import (
    INPUT_ENCODING_LAYERS,
    INPUT_SCALING_LAYERS,
    LEARNING_RATE_KEYS,
    SHAPE_ONLY_LAYERS,
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


def plain_sgd_rate(run: Run) -> dict[str, Any]:
    """The learning rate of a plain-SGD run, for rate-dependent advice.

    Plain SGD: the recorded optimizer is SGD without momentum (its steps are the rate
    times the gradient, so a large rate is a large, noisy step; an adaptive optimizer
    scales its steps itself). Returns ``sgd_lr`` (the rate in force at the last epoch,
    else the compiled one), ``sgd_lr_now`` and ``sgd_lr_proposed`` (a tenth) as text;
    all ``None`` for another optimizer, SGD with momentum, or a run that does not say.
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
    return {"sgd_lr": lr, **{f"sgd_{k}": v for k, v in learning_rate_change(run, 0.1).items()}}


def regularization_advice(run: Run) -> dict[str, Any]:
    """Evidence for overfitting remedies, concrete where the model is known.

    Returns keys (``None`` when the model is unknown): ``layer`` (name of the widest
    hidden layer), ``units_now``/``units_proposed``, ``l2_now``/``l2_proposed``,
    ``dropout_now``/``dropout_proposed``, ``n_train``/``n_train_proposed``.
    """
    out: dict[str, Any] = dict.fromkeys(
        ("layer", "units_now", "units_proposed", "l2_now", "l2_proposed",
         "dropout_now", "dropout_proposed", "n_train", "n_train_proposed"),
    )
    hidden = hidden_layers(run)
    if hidden:
        widest = max(hidden, key=lambda layer: layer.units or 0)
        out["layer"] = widest.name
        units = int(widest.units or 0)
        out["units_now"] = units
        out["units_proposed"] = max(1, units // 2)
        l2 = widest.kernel_regularizer.l2 if widest.kernel_regularizer else 0.0
        out["l2_now"] = fmt_rate(l2)
        out["l2_proposed"] = fmt_rate(1e-4 if l2 == 0 else l2 * 10)
        drop = _dropout_after(run, widest)
        out["dropout_now"] = f"{drop:g}"
        out["dropout_proposed"] = f"{min(0.5, round(drop + 0.2, 1)):g}" if drop < 0.5 else None
    if run.data is not None and run.data.n_train:
        out["n_train"] = f"{run.data.n_train:,}"
        out["n_train_proposed"] = f"{2 * run.data.n_train:,}"
    return out


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


def first_input_layer(run: Run) -> Layer | None:
    """The model's first layer that acts on the input values (after Input, Flatten, Reshape).

    ``None`` when the run has no model facts or no such layer.
    """
    if run.model is None:
        return None
    return next((layer for layer in run.model.layers
                 if layer.class_name not in SHAPE_ONLY_LAYERS), None)


def inputs_off_unit_scale(
    run: Run, *, max_input_std: float, min_input_std: float, max_input_mean: float,
    max_input_spread: float,
) -> dict[str, Any]:
    """Are the training inputs far from unit scale? The one test FD616 and the advice share.

    The inputs are far from unit scale when the run file's input facts
    (:attr:`~fitdoctor.run.DataInfo.input_std` and its siblings) show a median feature
    standard deviation above ``max_input_std`` or below ``min_input_std``, a median
    absolute feature mean above ``max_input_mean``, or a largest feature standard
    deviation above ``max_input_spread`` times the median one, and the model does not
    scale them itself: its first layer (:func:`first_input_layer`) is no
    ``Normalization``, ``Rescaling``, ``BatchNormalization`` or ``LayerNormalization``,
    nor an ``Embedding``-like layer that reads ids, not magnitudes.

    Args:
        run: The run.
        max_input_std: Median feature standard deviation above which inputs are far.
        min_input_std: ... below which they are.
        max_input_mean: Median absolute feature mean above which they are.
        max_input_spread: Largest over median feature standard deviation above which they are.

    Returns:
        ``inputs_far`` (``True``/``False``; ``None`` when the run says neither the inputs'
        scale nor a first layer that scales or encodes them), ``inputs_judged``
        (``inputs_far`` is known), ``far_by`` (the first test that holds: ``"std"``,
        ``"small_std"``, ``"mean"`` or ``"spread"``), the four facts (``input_std``,
        ``input_mean``, ``input_max``, ``input_scale_spread``, as recorded),
        ``first_layer`` (its class) and ``pixels`` (the largest value is 255).
    """
    data = run.data
    facts = {key: getattr(data, key, None) if data is not None else None
             for key in ("input_std", "input_mean", "input_max", "input_scale_spread")}
    first = first_input_layer(run)
    out: dict[str, Any] = {"inputs_far": None, "inputs_judged": False, "far_by": None,
                           **facts, "first_layer": first.class_name if first else None,
                           "pixels": facts["input_max"] == 255}
    if first is not None and first.class_name in INPUT_SCALING_LAYERS | INPUT_ENCODING_LAYERS:
        return {**out, "inputs_far": False, "inputs_judged": True}
    std, mean, spread = facts["input_std"], facts["input_mean"], facts["input_scale_spread"]
    if std is None:
        return out
    tests = (("std", std > max_input_std), ("small_std", std < min_input_std),
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
    (left out then) also told to scale.
    """
    found = {f"_{key}": value for key, value in inputs_off_unit_scale(run, **thresholds).items()}
    regression = run.data is not None and run.data.task == "regression"
    found["_targets_too"] = bool(found["_inputs_judged"]) and regression
    return found
