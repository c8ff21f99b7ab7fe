"""What the ``model.fit`` call that runs the callback was given.

Keras passes a callback neither the training arrays nor the batch size nor the
validation arrays, so :func:`fit_call_args` reads them from the ``fit`` call's frame (the
one piece of inspection that is not pure); :func:`fit_info` turns them into the run's
:class:`~fitdoctor.run.FitInfo`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fitdoctor.arraylike import as_array, clean_float, int_or_none
from fitdoctor.run import FitInfo


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
                    batch_size=int_or_none(local.get("batch_size")),
                    epochs=int_or_none(local.get("epochs")),
                    validation_split=float(split) if split else None,
                    validation_data=val,
                    validation_freq=int_or_none(local.get("validation_freq")),
                    initial_epoch=int_or_none(local.get("initial_epoch")),
                    steps_per_epoch=int_or_none(local.get("steps_per_epoch")),
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
        k, w = int_or_none(key), _float_or_none(weight)
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
                entry[attr] = int_or_none(value) if float(value).is_integer() and \
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
    steps = int_or_none(params.get("steps"))
    epochs = int_or_none(params.get("epochs"))
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

