"""Validation-setup detectors: is the validation data able to judge the run, and honest?

* ``validation-sampling-error``: the sampling error of the validation accuracy
  (a 95% Wilson interval for ``n_val`` samples) against the differences the run is
  judged on -- the best epoch against the last, and the change over the last epochs.
* ``test-equals-validation``: the test arrays given to
  :func:`fitdoctor.validation.evaluate` have the fingerprint of the validation arrays.
* ``validation-below-training``: the validation loss well below the training
  loss at the end of training, explained by the model's dropout, input noise and
  augmentation when it has them (not by weight penalties: Keras adds them to both
  losses).
* validation that cannot be trusted: ``validation-at-chance`` (the validation accuracy
  learns nothing while the training accuracy climbs), ``validation-constant`` (it never
  moves), ``validation-missing-classes`` (classes of the training data absent from the
  validation data, as a class-sorted ``validation_split`` leaves them; a run file
  knows), ``validation-loss-off-scale`` (a validation loss far above where training
  started while the accuracies agree: validation inputs preprocessed differently),
  ``validation-inputs-off-scale`` (the validation inputs' spread or mean many training
  standard deviations away from the training inputs'; a run file knows).

Severities and wording live in ``rules/validation_setup.toml``; these functions measure.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor import curves
from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.detectors.baselines import accuracy_reference, reaches_reference
from fitdoctor.errors import MissingInput
from fitdoctor.run import Run
from fitdoctor.vocabulary import DROPOUT_LAYERS, TRAINING_NOISE_LAYERS

_NO_N_VAL = (
    "the number of validation samples is unknown (a bare history)",
    "record the run with FitDoctor(), which records data.n_val",
)


def wilson_half_width(p: float, n: int, z: float) -> float:
    """Half-width of the Wilson score interval of a proportion ``p`` measured on ``n`` samples.

    Close to the textbook ``z * sqrt(p (1 - p) / n)`` for ``p`` away from 0 and 1, and
    not zero at ``p = 1`` (an accuracy of 100% on 60 samples is not certain).

    Args:
        p: The proportion (e.g. an accuracy).
        n: Samples it was measured on.
        z: Normal quantile (1.96 for 95%): the calling rule's parameter.

    Returns:
        The half-width, in the units of ``p``.
    """
    p = min(1.0, max(0.0, p))
    return z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))


def wilson_low(p: float, n: int, z: float) -> float:
    """Lower end of the Wilson score interval of a proportion ``p`` measured on ``n`` samples.

    Args:
        p: The proportion (e.g. an accuracy).
        n: Samples it was measured on.
        z: Normal quantile (2 for about 95%).

    Returns:
        The interval's lower end (``p`` itself when ``z`` is 0).
    """
    p = min(1.0, max(0.0, p))
    center = (p + z * z / (2 * n)) / (1 + z * z / n)
    return center - wilson_half_width(p, n, z)


def _finite_tail(values: np.ndarray) -> np.ndarray:
    return np.asarray(values[np.isfinite(values)], dtype=float)


def validation_size(
    run: Run, key: str | None, *, max_n: int, max_false: float
) -> tuple[int, str] | None:
    """Validation samples: recorded in the run file, else read off an accuracy's steps.

    An accuracy on ``n`` samples moves in steps of ``1/n``; a bare history's validation
    accuracy ``key`` then tells ``n`` when its values allow
    (:func:`fitdoctor.curves.infer_denominator`). ``fitdoctor compare`` uses it too.

    Args:
        run: The run.
        key: A validation accuracy-like curve to read the steps of, or ``None``.
        max_n: Largest ``n`` tried.
        max_false: Largest accepted chance that the values fit ``1/n`` steps by luck.

    Returns:
        ``(n, "recorded")``, ``(n, "inferred")``, or ``None`` when neither says.
    """
    data = run.data
    if data is not None and data.n_val:
        return int(data.n_val), "recorded"
    if key is None or not run.has(key):
        return None
    values = np.asarray(run.series(key), dtype=float)
    n = curves.infer_denominator(values, max_n=max_n, max_false=max_false)
    return (n, "inferred") if n is not None else None


def _n_val(ctx: Context, key: str, max_n: int, max_false: float) -> tuple[int, str] | None:
    """:func:`validation_size` of the context's run."""
    return validation_size(ctx.run, key, max_n=max_n, max_false=max_false)


@detector("validation-sampling-error")
def validation_sampling_error(
    ctx: Context, *, min_epochs: int, window: int, z: float, min_half_width: float,
    scarce_samples: int, k: int, scarce_k: int, scarce_repeats: int,
    infer_max_n: int, infer_max_false: float, min_decision_gap: float, warn_half_width: float,
    loss_noise_factor: float, loss_min_rise: float,
) -> Evidence | None:
    """The validation accuracy's sampling error is wider than the differences judged on.

    ``coin_flip`` is true when the run's best epoch (lowest val_loss, else highest
    accuracy) is not its last, its accuracy is higher than the last epoch's by enough to
    act on (``min_decision_gap``) but by less than the interval, and the interval is wide
    (``warn_half_width``): keeping the best epoch for its accuracy is a coin flip. A best
    epoch whose accuracy is *lower* than the last's is no coin flip: the loss already
    chose it against the accuracy, and the accuracy's contrary preference is within its
    own noise. ``decides`` is true when the coin flip was acted on: the run kept (or
    saved) the best epoch's weights (:func:`keeps_best_epoch`). A run that kept its last
    epoch, or a bare history that does not say, took no decision on the gap. Nor did a
    run whose best epoch was chosen on the validation loss (:func:`_loss_decided`) when
    that loss rose from it to the last epoch by at least ``loss_min_rise`` of its low and
    by more than ``loss_noise_factor`` times its epoch-to-epoch noise: the accuracy cannot
    tell the two epochs apart, but the loss that chose did (``loss_decided``).
    """
    ctx.require_epochs(min_epochs)
    data = ctx.run.data
    key = ctx.accuracy_key("val_")
    if key is None:
        if data is not None and data.task == "regression":
            raise MissingInput(
                "a regression: the sampling error is judged on a classification accuracy",
                "use K-fold cross-validation to see how much the validation loss varies",
            )
        raise MissingInput(
            "no validation accuracy: the sampling error is judged on an accuracy",
            "compile with metrics=['accuracy']",
        )
    found = _n_val(ctx, key, infer_max_n, infer_max_false)
    if found is None:
        raise MissingInput(*_NO_N_VAL, needs="run-file")
    n_val, n_val_source = found
    acc = ctx.array(key)
    values = _finite_tail(acc)
    if values.size < min_epochs:
        raise MissingInput(f"{key} has {values.size} finite values", "train longer")
    best_i = int(np.argmax(values))
    p = float(values[best_i])
    # the epoch of the best accuracy: the report's "best epoch" is val_loss's, so the
    # message names this one rather than leaving "the best epoch" ambiguous
    accuracy_best_epoch = ctx.epochs[int(np.flatnonzero(np.isfinite(acc))[best_i])]
    half = wilson_half_width(p, n_val, z)
    best_vs_last = p - float(values[-1])
    w = min(window, values.size)
    tail_change = abs(float(values[-1]) - float(values[-w]))
    judged = max(tail_change, best_vs_last)
    if half < min_half_width or half <= judged:
        return None
    cv = ctx.run.meta.get("cv")
    cv_repeats = cv.get("repeats", 1) if isinstance(cv, dict) else None
    n_train = data.n_train if data is not None else None
    if cv_repeats is not None:
        n_total: int | None = n_val  # a cross-validation validates every sample already
    else:
        n_total = n_train + n_val if n_train else None
    scarce = n_total is not None and n_total < scarce_samples
    k_rec = scarce_k if scarce else k
    if isinstance(cv, dict) and isinstance(cv.get("k"), int):
        k_rec = cv["k"]  # iterate the cross-validation that was run
    kfold_half = wilson_half_width(p, n_total, z) if n_total else None
    iterate = scarce and (cv_repeats is None or cv_repeats == 1)
    if cv_repeats is not None and not iterate:
        return None  # a cross-validation already validates every sample: nothing to change
    best_epoch, gap = _best_epoch_gap(ctx, acc)
    coin_flip = gap is not None and min_decision_gap <= gap < half and half >= warn_half_width
    keeps_best = keeps_best_epoch(ctx.run)
    loss_rise = (_loss_decided(ctx, loss_noise_factor, loss_min_rise)
                 if coin_flip and keeps_best else None)
    values_out: dict[str, Any] = {
        "metric": key,
        "n_val": n_val,
        "n_val_inferred": n_val_source == "inferred",
        "accuracy": round(p, 4),
        "accuracy_pct": round(100 * p, 1),
        "half_width": round(half, 4),
        "half_width_pts": round(100 * half, 1),
        "judged": round(judged, 4),
        "judged_pts": round(100 * judged, 1),
        # a tie (an accuracy flat at its peak: both 0) reads as the change over the tail,
        # not as "the gap between its peak and the last epoch (0.0 points)"
        "judged_best_vs_last": best_vs_last > tail_change,
        "accuracy_best_epoch": accuracy_best_epoch,
        "window": w,
        "best_vs_last_pts": round(100 * best_vs_last, 1),
        "tail_change_pts": round(100 * tail_change, 1),
        "best_epoch": best_epoch,
        "best_epoch_gap_pts": None if gap is None else round(100 * gap, 1),
        "coin_flip": coin_flip,
        "keeps_best": keeps_best,
        "decides": coin_flip and keeps_best and loss_rise is None,
        "loss_decided": loss_rise is not None,
        **(loss_rise or {}),
        "n_total": n_total,
        "cross_validated": cv_repeats is not None,
        "k": None if cv_repeats is not None else k_rec,
        "kfold_half_width_pts": None if kfold_half is None else round(100 * kfold_half, 1),
        "scarce": scarce,
        "repeats": scarce_repeats if iterate else None,
        "models": scarce_repeats * k_rec if iterate else None,
    }
    return Evidence(values_out)


def restored_epoch(run: Run) -> int | None:
    """The epoch ``FitDoctor(restore_best_weights=True)`` restored, when the run says."""
    restored = run.meta.get("restored_epoch")
    if isinstance(restored, int) and not isinstance(restored, bool):
        return restored
    return None


def restores_best(run: Run) -> bool | None:
    """Whether the run ended with its best epoch's weights restored, when the run says.

    True for ``EarlyStopping(restore_best_weights=True)`` among ``fit``'s callbacks, or a
    ``FitDoctor(restore_best_weights=True)`` that restored an epoch (``restored_epoch``).
    Otherwise EarlyStopping's ``restore_best_weights`` as recorded (``False``), or ``None``
    when the run file does not say (no EarlyStopping, or a bare history).
    """
    if restored_epoch(run) is not None:
        return True
    return None if run.fit is None else run.fit.restore_best_weights


def keeps_best_epoch(run: Run) -> bool:
    """Whether the run ended with, or saved, the weights of its best validation epoch.

    True when the run file says so: the best weights were restored
    (:func:`restores_best`), or a ``ModelCheckpoint(save_best_only=True)`` kept only the
    best one. False otherwise, and for a bare history, which does not say.
    """
    if restores_best(run) is True:
        return True
    return any(cb.get("save_best_only") is True
               for cb in recorded_callbacks(run, ("ModelCheckpoint",)) or ())


def recorded_callbacks(run: Run, classes: tuple[str, ...]) -> list[dict[str, Any]] | None:
    """The settings the run file records of ``fit``'s callbacks of these classes.

    ``run.meta["callbacks"]`` (one ``{"class": name, setting: value, ...}`` per callback,
    :func:`fitdoctor.fit_facts.callbacks_in_use`), those whose class is in ``classes``, in
    ``fit``'s order; ``None`` when the run file records no callbacks at all (a bare
    history, or one the callback could not read).
    """
    callbacks = run.meta.get("callbacks")
    if not isinstance(callbacks, list):
        return None
    return [cb for cb in callbacks if isinstance(cb, dict) and cb.get("class") in classes]


#: Callbacks that keep a best epoch (each monitors ``val_loss`` unless told).
_KEEPERS = ("EarlyStopping", "ModelCheckpoint")


def _loss_decided(ctx: Context, noise_factor: float,
                  min_rise: float) -> dict[str, Any] | None:
    """The validation loss's rise after the kept epoch, when the loss chose that epoch.

    The epoch was chosen on ``val_loss``: every EarlyStopping / ModelCheckpoint the run
    file records monitors it (Keras's default), or none is recorded (a restoring
    ``FitDoctor`` keeps the lowest validation loss). ``{"loss_rise_pct",
    "loss_rise_noise"}`` (the rise from the lowest ``val_loss`` to the last, in percent
    and in multiples of the curve's epoch-to-epoch noise) when that rise is at least
    ``min_rise`` of the low and exceeds ``noise_factor`` times the noise (a smooth curve
    has almost no epoch-to-epoch noise, so a tiny steady drift would pass that alone);
    else ``None``.
    """
    if not ctx.run.has("val_loss"):
        return None
    if any(cb.get("monitor", "val_loss") != "val_loss"
           for cb in recorded_callbacks(ctx.run, _KEEPERS) or ()):
        return None
    val = ctx.array("val_loss")
    best = curves.best_index(val)
    ok = np.flatnonzero(np.isfinite(val))
    if best is None or ok.size < 4 or best >= int(ok[-1]):
        return None
    low, last = float(val[best]), float(val[int(ok[-1])])
    noise = curves.noise(val)
    rise = last - low
    if low <= 0 or rise < min_rise * low or rise <= noise_factor * noise:
        return None
    return {"loss_rise_pct": round(100 * rise / low, 1),
            "loss_rise_noise": round(rise / noise, 1) if noise > 0 else None}


def _best_epoch_gap(ctx: Context, acc: np.ndarray) -> tuple[int | None, float | None]:
    """The run's best epoch (val_loss, else accuracy) and its accuracy minus the last's.

    ``(epoch, None)`` when the best epoch is the last one, or its accuracy is unknown.
    """
    if ctx.run.has("val_loss"):
        best = curves.best_index(ctx.array("val_loss"))
    else:
        best = curves.best_index(acc, mode="max")
    logged = np.flatnonzero(np.isfinite(acc))
    if best is None or logged.size == 0:
        return None, None
    last = int(logged[-1])
    if best >= last or not np.isfinite(acc[best]):
        return ctx.epochs[best], None
    return ctx.epochs[best], float(acc[best] - acc[last])


@detector("test-equals-validation")
def test_equals_validation(ctx: Context) -> Evidence | None:
    """The test data evaluated after training is the validation data of the run."""
    test_fp = ctx.run.meta.get("test_fingerprint")
    if not test_fp:
        raise MissingInput(
            "no test-set fingerprint in the run",
            "evaluate the final model with fitdoctor.validation.evaluate(model, x_test, "
            "y_test, run=doctor)", needs="run-file")
    data = ctx.run.data
    val_fp = data.val_fingerprint if data is not None else None
    if not val_fp:
        raise MissingInput(
            "no validation-data fingerprint in the run",
            "record the run with FitDoctor() with validation arrays", needs="run-file")
    if test_fp != val_fp:
        return None
    scores = ctx.run.meta.get("test_scores") or {}
    shown = [
        f"{k} {float(v):.4f}" for k, v in scores.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    ]
    n_val = data.n_val if data is not None else None
    return Evidence({
        "fingerprint": val_fp,
        "n_val": n_val,
        "test_scores": ", ".join(shown) or None,
    })


@detector("validation-below-training")
def validation_below_training(
    ctx: Context, *, min_epochs: int, window: int, min_ratio: float, min_loss_gap: float,
    warn_ratio: float, min_val_samples: int, max_accuracy_lead: float, reference_z: float,
    lead_z: float, infer_max_n: int, infer_max_false: float,
) -> Evidence | None:
    """The validation loss stays well below the training loss over the last epochs.

    Well below: at least ``min_ratio`` times lower, and lower by at least ``min_loss_gap``
    of the loss scale (the median of the first three training losses), so two losses
    near zero (2.8e-4 against 3.8e-6) make no finding. ``unexplained`` (evidence): the
    ratio is at least ``warn_ratio``, the run recorded a model without dropout, input
    noise or augmentation to explain it (a bare history cannot say), and its validation set
    is not so small (fewer than ``min_val_samples`` recorded) that a lucky, easy draw
    explains it. ``lead_unexplained``: the validation accuracy leads the training
    accuracy by at least ``max_accuracy_lead``, more than dropout or augmentation usually
    explain, and beyond what the validation set's sampling explains: the training
    accuracy below the lower end of the validation accuracy's Wilson interval at
    ``lead_z`` on its ``n_val`` rows (recorded, or read off the accuracy's steps with
    ``infer_max_n``/``infer_max_false``; a size neither says cannot vouch for a lead, so
    ``lead_within_noise``), unless the model has such a regularizer: then the lead is the
    regularizer handicapping the training measurement. Where its validation accuracy
    reaches what the run's reference model scores on the same rows (within
    ``reference_z`` standard errors) the validation rows are no easier than a simple
    model finds them (``at_reference``, said in the message); short of it the
    regularizer may cost accuracy, which FD201 judges on the validation score.
    """
    ctx.require_epochs(min_epochs)
    train_all = ctx.array(ctx.loss_key)
    val_all = ctx.array(ctx.val_loss_key)
    n = ctx.run.n_epochs
    for key in (ctx.loss_key, ctx.val_loss_key):
        bad = np.flatnonzero(ctx.nonfinite(key))  # gaps (validation_freq) are not failures
        if bad.size:
            n = min(n, int(bad[0]))
    if n < min_epochs:
        return None
    w = min(window, n)
    train = train_all[:n][-w:]
    val = val_all[:n][-w:]
    ok = np.isfinite(train) & np.isfinite(val)
    if ok.sum() < min(2, w):
        return None
    train, val = train[ok], val[ok]
    if not (val < train).all():
        return None
    t_med, v_med = float(np.median(train)), float(np.median(val))
    if v_med <= 0:
        return None
    ratio = t_med / v_med
    early = _finite_tail(train_all)[:3]
    scale = abs(curves.median(early)) if early.size else 0.0  # robust to a wild first epoch
    if ratio < min_ratio or t_med - v_med < min_loss_gap * scale:
        return None
    # what acts only while training: dropout, input noise, augmentation. Weight
    # penalties do not: Keras adds them to the validation loss too (L2 0.5 on the
    # training rows as validation: loss 7.83, val_loss 7.77, 7.03 of each the penalty)
    drops, noises = _dropouts(ctx), _training_noises(ctx)
    regularized = None if ctx.run.model is None else bool(drops or noises)
    n_val = ctx.run.data.n_val if ctx.run.data is not None else None
    acc = ctx.accuracy_key()
    acc_values: dict[str, Any] = {"lead_unexplained": False, "at_reference": False,
                                  "lead_within_noise": False}
    if acc and ctx.run.has("val_" + acc):
        ta = _finite_tail(ctx.array(acc)[:n][-w:])
        va = _finite_tail(ctx.array("val_" + acc)[:n][-w:])
        if ta.size and va.size:
            t_acc, v_acc = float(np.median(ta)), float(np.median(va))
            acc_values.update({
                "accuracy_metric": acc,
                "train_accuracy": round(t_acc, 3),
                "val_accuracy": round(v_acc, 3),
                "accuracy_lead": round(v_acc - t_acc, 4),
                "accuracy_lead_pts": round(100 * (v_acc - t_acc), 1),
                "accuracy_behind_pts": round(100 * (t_acc - v_acc), 1),
            })
            if v_acc - t_acc >= max_accuracy_lead:
                # 8 validation rows all right against a training accuracy of 0.84 is one
                # row's luck, not an easier validation set: a lead must beat the sampling
                size = _n_val(ctx, "val_" + acc, infer_max_n, infer_max_false)
                low = wilson_low(v_acc, size[0], lead_z) if size is not None else None
                beyond = low is not None and t_acc < low
                acc_values["lead_within_noise"] = not beyond
                acc_values["lead_n_val"] = size[0] if size is not None else None
                acc_values["lead_val_low"] = round(low, 3) if low is not None else None
                # dropout 0.9 keeps a healthy network's training accuracy 20 points under
                # a validation accuracy at the reference's 100%: the regularizer's doing.
                # Short of the reference the regularizer may cost accuracy: underfitting,
                # FD201's to judge on the validation score, not a validation-setup fault
                reached = reaches_reference(ctx, v_acc, reference_z) if regularized else None
                # ... and with no reference to judge the validation score by (none
                # recorded, or one that learned nothing), FD201 cannot take it up: a lead
                # that size stays this rule's warning
                unjudged = bool(regularized) and accuracy_reference(ctx, reference_z) is None
                acc_values["lead_unexplained"] = beyond and (not regularized or unjudged)
                acc_values["lead_no_reference"] = beyond and unjudged
                acc_values["at_reference"] = reached is not None
                acc_values.update(reached or {})
    return Evidence(
        {
            "train_loss": round(t_med, 4),
            "val_loss": round(v_med, 4),
            "ratio": round(ratio, 2),
            "lower_pct": round(100 * (1 - v_med / t_med), 1),
            "window": w,
            "regularized": regularized,
            "unexplained": regularized is False and ratio >= warn_ratio
            and not (n_val is not None and n_val < min_val_samples),
            "n_val": n_val,
            "dropouts": ", ".join(drops) or None,
            "noises": ", ".join(noises) or None,
            "regularizers": ", ".join(drops + noises) or None,
            "join_after_dropout": bool(drops and noises),
            **acc_values,
        },
        epoch=ctx.epochs[n - w],
    )


def training_regularizers(ctx: Context) -> list[str] | None:
    """Dropout and input noise / augmentation of the recorded model.

    They act while training only, so the training curves measure a handicapped network
    (weight penalties are not among them: Keras adds them to the validation loss too).
    ``None`` when the run recorded no model (a bare history cannot say); an empty list
    for a model without any.
    """
    if ctx.run.model is None:
        return None
    return _dropouts(ctx) + _training_noises(ctx)


def _dropouts(ctx: Context) -> list[str]:
    model = ctx.run.model
    if model is None:
        return []
    out = []
    for layer in model.layers:
        if layer.dropout:
            out.append(f"{layer.class_name}({layer.dropout:g})")
        if layer.recurrent_dropout:
            out.append(f"{layer.class_name}(recurrent_dropout={layer.recurrent_dropout:g})")
    return out


def _training_noises(ctx: Context) -> list[str]:
    """Input noise and augmentation layers (GaussianNoise, RandomTranslation, ...).

    Like dropout they act only while training, so Keras measures the training loss on
    harder inputs than the validation loss.
    """
    model = ctx.run.model
    if model is None:
        return []
    return [layer.class_name for layer in model.layers
            if layer.dropout is None and layer.class_name in TRAINING_NOISE_LAYERS
            and layer.class_name not in DROPOUT_LAYERS]


# ------------------------------------------------------- validation that cannot be trusted
def _accuracies(ctx: Context) -> tuple[str, np.ndarray, str, np.ndarray]:
    """Training and validation accuracy keys and finite values; MissingInput without both."""
    train_key = ctx.accuracy_key()
    val_key = ctx.accuracy_key("val_")
    if train_key is None or val_key is None:
        raise MissingInput(
            "no training and validation accuracy to compare",
            "compile with metrics=['accuracy'] and validate during fit",
        )
    return (
        train_key, _finite_tail(ctx.array(train_key)), val_key, _finite_tail(ctx.array(val_key))
    )


def _chance(ctx: Context) -> tuple[float, str, int | None] | None:
    """The accuracy of learning nothing, when the run knows it: majority share, else 1/k.

    ``(accuracy, what, k)``: ``what`` is ``"majority"`` (the recorded majority class's
    share; ``k`` is ``None``) or ``"classes"`` (1/k for ``k`` classes); the rule words it.
    """
    base = ctx.run.baselines
    if base is not None and base.majority_accuracy:
        return float(base.majority_accuracy), "majority", None
    k = ctx.n_classes
    if k and k >= 2:
        return 1.0 / k, "classes", k
    return None


@detector("validation-at-chance")
def validation_at_chance(
    ctx: Context,
    *,
    min_epochs: int,
    min_train_accuracy: float,
    min_gap: float,
    max_val_gain: float,
    max_ratio: float,
    max_ratio_never_fell: float,
    chance_margin: float,
    max_none_right_chance: float,
    max_credited_accuracy: float,
    infer_max_n: int,
    infer_max_false: float,
) -> Evidence | None:
    """Validation accuracy that learns nothing while the training accuracy climbs.

    Late levels are medians over the second half of the run, the first level the median
    of (up to) the first three epochs (a chance-level accuracy wanders a few points).
    Fires when the training accuracy reaches ``min_train_accuracy`` and ``min_gap``
    above the validation accuracy, the validation accuracy gained at most
    ``max_val_gain`` over its first level, and it sits at chance (within
    ``chance_margin`` of the majority share or 1/k, when the run knows them), or,
    without a known chance level, stayed below ``max_ratio`` times the training
    accuracy from its first epochs on (``max_ratio_never_fell`` when the validation
    loss never fell below its first epoch: nothing learned shows on validation).

    Also fires, whatever the validation accuracy does later, when it was exactly 0 (not
    one validation sample right) at epochs where the training accuracy had reached
    ``min_train_accuracy``, and the chance of that for validation data of the training
    data's kind is below ``max_none_right_chance`` (:func:`none_right_chance`): the
    class-sorted split whose validation classes the model learns last.
    """
    ctx.require_epochs(min_epochs)
    train_key, train, val_key, val = _accuracies(ctx)
    if train.size < min_epochs or val.size < min_epochs:
        return None
    found = _n_val(ctx, val_key, infer_max_n, infer_max_false)
    none_right = none_right_chance(ctx, train_key, val_key, min_train_accuracy,
                                   max_credited_accuracy, found[0] if found else None)
    if none_right is not None and none_right[0] < max_none_right_chance:
        chance_p, zero_epochs, floor = none_right
        return Evidence({
            "train_metric": train_key,
            "val_metric": val_key,
            "none_right": True,
            "none_right_chance": float(f"{chance_p:.2g}"),
            "none_right_epochs": len(zero_epochs),
            "none_right_first": zero_epochs[0],
            "none_right_last": zero_epochs[-1],
            "none_right_train_accuracy": round(floor, 4),
            "val_accuracy": round(float(val[-1]), 4),
            "val_best": round(float(val.max()), 4),
            "at_chance": False,
        }, epoch=zero_epochs[0])
    t_late = curves.median(train[train.size // 2 :])
    v_late = curves.median(val[val.size // 2 :])
    v_first = curves.median(val[: min(3, val.size // 2 or 1)])
    if t_late < min_train_accuracy or t_late - v_late < min_gap or v_late - v_first > max_val_gain:
        return None  # training learns nothing either (a constant model at the majority share)
    chance = _chance(ctx)
    ratio = v_late / t_late if t_late > 0 else 1.0
    if chance is not None:
        at_chance = v_late <= chance[0] + chance_margin
        if not at_chance:
            return None  # above chance: it learned something (then lost it: overfitting)
    else:
        # without a chance level: far below training from the first epoch on (a validation
        # accuracy that started well and fell is overfitting, not broken validation)
        at_chance = False
        limit = max_ratio_never_fell if _val_loss_never_fell(ctx) else max_ratio
        if max(v_late, v_first) > limit * t_late:
            return None
    return Evidence({
        "train_metric": train_key,
        "val_metric": val_key,
        "train_accuracy": round(t_late, 4),
        "val_accuracy": round(v_late, 4),
        "val_first": round(v_first, 4),
        "val_best": round(float(val.max()), 4),
        "ratio": round(ratio, 3),
        "chance": None if chance is None else round(chance[0], 4),
        "chance_of": None if chance is None else chance[1],
        "chance_classes": None if chance is None else chance[2],
        "at_chance": at_chance,
        "none_right": False,
    }, epoch=ctx.epochs[0])


def none_right_chance(
    ctx: Context, train_key: str, val_key: str, min_train_accuracy: float,
    max_credited_accuracy: float, n_val: int | None,
) -> tuple[float, list[int], float] | None:
    """How likely validation data like the training data is to get no sample right.

    At an epoch whose validation accuracy is exactly 0 while the training accuracy ``p``
    is at least ``min_train_accuracy``, a model right on a share ``p`` of samples of that
    kind gets none of ``n_val`` validation samples right with probability
    ``(1 - p)^n_val``. ``p`` is credited at most ``max_credited_accuracy`` (a training
    accuracy of 1 is a memorised training set, not a model right on every new sample).
    The chance is the smallest over such epochs, not their product: the epochs judge the
    same rows, so a few hard rows missed again and again are one event. Without a
    validation size (not recorded, not readable off the accuracy's steps) ``n_val`` is
    taken as 1, which no epoch can make unlikely enough.

    Returns:
        ``(chance, epochs, lowest p among them)``, or ``None`` when no such epoch.
    """
    train = ctx.array(train_key)
    val = ctx.array(val_key)
    n = n_val or 1
    epochs: list[int] = []
    floor = 1.0
    top = 0.0
    for i in range(min(train.size, val.size)):
        p, v = float(train[i]), float(val[i])
        if not (math.isfinite(p) and math.isfinite(v)) or v != 0.0 or p < min_train_accuracy:
            continue
        epochs.append(ctx.epochs[i])
        floor = min(floor, p)
        top = max(top, min(p, max_credited_accuracy))
    if not epochs:
        return None
    return math.exp(n * math.log1p(-top)), epochs, floor


def _val_loss_never_fell(ctx: Context) -> bool:
    """The validation loss's lowest value is its first, and it ends above it."""
    if not ctx.run.has(ctx.val_loss_key):
        return False
    val = _finite_tail(ctx.array(ctx.val_loss_key))
    return val.size >= 3 and int(np.argmin(val)) == 0 and float(val[-1]) > float(val[0])


@detector("validation-constant")
def validation_constant(
    ctx: Context, *, min_epochs: int, max_val_change: float, min_train_change: float,
    min_accuracy_gap: float, min_train_accuracy_move: float,
) -> Evidence | None:
    """A validation accuracy (else loss) identical at every epoch while training moves.

    An accuracy that holds still is suspicious only below the training accuracy by
    ``min_accuracy_gap`` or more, while the training accuracy itself still moves by
    ``min_train_accuracy_move`` over the same epochs: a model right on 49 of 50
    validation samples at every epoch, or a memorized one whose predictions no longer
    change anywhere, is not a broken validation set.
    """
    ctx.require_epochs(min_epochs)
    key = ctx.accuracy_key("val_") or ctx.val_loss_key
    val = _finite_tail(ctx.array(key))
    if val.size < min_epochs:
        return None
    level = abs(curves.median(val))
    spread = float(val.max() - val.min())
    if spread > max_val_change * (level if level > 0 else 1.0):
        return None
    train = _finite_tail(ctx.array(ctx.loss_key))
    if train.size < 2 or train[0] == 0:
        return None
    moved = float(train.max() - train.min()) / abs(float(train[0]))
    if moved < min_train_change:
        return None  # nothing moves at all: the model does not learn (flat-loss)
    train_acc_key = ctx.accuracy_key()
    if key != "val_loss" and train_acc_key is not None:
        train_acc = _finite_tail(ctx.array(train_acc_key))
        late = curves.median(train_acc[train_acc.size // 2 :]) if train_acc.size else None
        if late is None or late - float(val[0]) < min_accuracy_gap:
            return None
        logged = np.flatnonzero(np.isfinite(ctx.array(key)))
        during = ctx.array(train_acc_key)[int(logged[0]) :]
        during = during[np.isfinite(during)]
        if during.size < 2 or float(during.max() - during.min()) < min_train_accuracy_move:
            return None  # the training predictions hold still too: memorized, not broken
    return Evidence({
        "metric": key,
        "value": float(f"{float(val[0]):.4g}"),
        "epochs": int(val.size),
        "train_change_pct": round(100 * moved, 1),
        "is_accuracy": key != "val_loss",
    }, epoch=ctx.epochs[0])


def missing_by_chance(share: float, n_val: int, n_classes: int, n_missing: int) -> float:
    """How likely a random validation set of ``n_val`` rows misses that many classes.

    The chance that ``n_val`` rows drawn at random from the training distribution all
    avoid a given set of classes holding ``share`` of it is ``(1 - share) ** n_val``;
    any of the ``C(n_classes, n_missing)`` sets of that many classes could have been the
    missing one, so the chance is at most that many times larger (a union bound,
    capped at 1). Near 0 for a class-sorted split (a whole class is far too large to
    miss by luck); near 1 for 12 rows of 10 classes missing two.
    """
    if n_val <= 0 or share <= 0:
        return 1.0
    if share >= 1:
        return 0.0  # every training row is in the missing classes: no random draw avoids them
    log_p = n_val * math.log1p(-share)
    log_sets = math.lgamma(n_classes + 1) - math.lgamma(n_missing + 1) - math.lgamma(
        n_classes - n_missing + 1)
    log_chance = log_p + log_sets  # capped in the log domain: exp() of many classes overflows
    return 1.0 if log_chance >= 0 else math.exp(log_chance)


@detector("validation-missing-classes")
def validation_missing_classes(
    ctx: Context, *, min_missing_share: float, max_chance: float
) -> Evidence | None:
    """Classes of the training data absent from the validation data (a run file knows).

    Silent when a random validation set of its size would miss that much of the
    training data with a chance above ``max_chance``
    (:func:`missing_by_chance`): a small, shuffled validation set missing classes by
    luck is too small (FD702), not sorted, and shuffling would not help.
    """
    data = ctx.run.data
    train = data.train_class_counts if data is not None else None
    val = data.val_class_counts if data is not None else None
    if not train or not val or len(train) != len(val):
        raise MissingInput(
            "no class counts of the training and validation data",
            "record the run with FitDoctor() and labels it can read", needs="run-file",
        )
    total = sum(train)
    if total <= 0 or sum(val) <= 0:
        return None
    names = data.class_names if data is not None and data.class_names else None
    label = [names[i] if names and i < len(names) else str(i) for i in range(len(train))]
    missing = [i for i, (t, v) in enumerate(zip(train, val, strict=True)) if t > 0 and v == 0]
    share = sum(train[i] for i in missing) / total
    if not missing or share < min_missing_share:
        return None
    n_classes = sum(1 for t in train if t > 0)
    chance = missing_by_chance(share, int(sum(val)), n_classes, len(missing))
    if chance > max_chance:
        return None
    present = [i for i, v in enumerate(val) if v > 0]
    unseen = [i for i, (t, v) in enumerate(zip(train, val, strict=True)) if v > 0 and t == 0]
    fit = ctx.run.fit
    split = fit.validation_split if fit is not None and fit.validation == "split" else None
    return Evidence({
        "val_classes": ", ".join(f"'{label[i]}' ({val[i]:,})" for i in present[:6])
        + (", ..." if len(present) > 6 else ""),
        "n_val_classes": len(present),
        "single_class": len(present) == 1,
        "missing": ", ".join(f"'{label[i]}'" for i in missing[:6])
        + (", ..." if len(missing) > 6 else ""),
        "n_missing": len(missing),
        "missing_share_pct": round(100 * share, 1),
        "chance": float(f"{chance:.2g}"),
        "unseen": ", ".join(f"'{label[i]}'" for i in unseen[:6])
        + (", ..." if len(unseen) > 6 else "") or None,
        "validation_split": split,
        "split_pct": round(100 * split) if split else None,
    }, epoch=None)


@detector("validation-loss-off-scale")
def validation_loss_off_scale(
    ctx: Context, *, min_epochs: int, min_factor: float, max_accuracy_gap: float,
    min_factor_loss_only: float, max_train_rise: float,
) -> Evidence | None:
    """A validation loss far above where training started while the model is fine.

    The loss scale is where training started: the first epoch's training loss, near the
    loss of knowing nothing (a later epoch's is not: a model that learns a separable task
    within its first epoch logs 1e-8 from its second on, and a validation loss of 1e-5
    at 100% accuracy would read as 300 times "the start"). A training loss that itself
    ended ``max_train_rise`` times above that scale (training blew up) says nothing about
    the validation data, and the rule stays silent. A validation loss that sits at
    ``min_factor`` times that over the second half, while the validation accuracy stays
    within ``max_accuracy_gap`` of the training accuracy, is not a model that got worse:
    the predictions are right but wildly over-confident on the validation inputs, as
    with validation inputs scaled unlike the training inputs. Without accuracies (a
    regression), a validation loss at ``min_factor_loss_only`` times the scale that
    never came near the training loss says the same of the validation targets (left
    unscaled while the training targets were standardised).
    """
    ctx.require_epochs(min_epochs)
    train = _finite_tail(ctx.array(ctx.loss_key))
    val = _finite_tail(ctx.array(ctx.val_loss_key))
    if train.size < min_epochs or val.size < min_epochs:
        return None
    scale = abs(float(train[0]))
    val_late = curves.median(val[val.size // 2 :])
    train_late = curves.median(train[train.size // 2 :])
    if train_late > max_train_rise * scale:
        return None  # training itself blew up: the validation loss follows the weights
    values: dict[str, Any] = {
        "val_loss": float(f"{val_late:.4g}"),
        "scale": float(f"{scale:.4g}"),
        "factor": float(f"{val_late / scale:.3g}") if scale > 0 else None,
        "train_loss": float(f"{train_late:.4g}"),
    }
    train_key, val_key = ctx.accuracy_key(), ctx.accuracy_key("val_")
    if train_key is None or val_key is None:
        if scale <= 0 or val_late < min_factor_loss_only * scale or val.min() < scale:
            return None
        return Evidence({**values, "with_accuracy": False}, epoch=ctx.epochs[0])
    train_acc = _finite_tail(ctx.array(train_key))
    val_acc = _finite_tail(ctx.array(val_key))
    if scale <= 0 or val_late < min_factor * scale or not train_acc.size or not val_acc.size:
        return None
    t_acc = curves.median(train_acc[train_acc.size // 2 :])
    v_acc = curves.median(val_acc[val_acc.size // 2 :])
    if t_acc - v_acc > max_accuracy_gap:
        return None  # the accuracy disagrees too: overfitting or at chance, not the scale
    return Evidence({
        **values,
        "with_accuracy": True,
        "train_metric": train_key,
        "val_metric": val_key,
        "train_accuracy": round(t_acc, 4),
        "val_accuracy": round(v_acc, 4),
    }, epoch=ctx.epochs[0])


@detector("validation-inputs-off-scale")
def validation_inputs_off_scale(
    ctx: Context, *, max_spread_ratio: float, max_mean_shift: float
) -> Evidence | None:
    """Validation inputs on another scale than the training inputs (a run file knows).

    The run file records, over the input features, the median ratio of the validation
    inputs' standard deviation to the training inputs' and the median distance between
    their means in training standard deviations
    (:func:`fitdoctor.data_facts.input_shift`). Inputs preprocessed alike give about 1
    and 0; validation inputs left unscaled give a spread many times the training one.
    """
    data = ctx.run.data
    ratio = data.val_spread_ratio if data is not None else None
    shift = data.val_mean_shift if data is not None else None
    if ratio is None or shift is None or not (
        math.isfinite(ratio) and math.isfinite(shift) and ratio >= 0 and shift >= 0
    ):  # the callback writes finite numbers >= 0 or null: anything else says nothing
        raise MissingInput(
            "no statistics of the training and validation inputs"
            + ("" if ratio is None or shift is None else
               f" (data.val_spread_ratio {ratio}, data.val_mean_shift {shift} are not "
               "measurements)"),
            "record the run with FitDoctor() and inputs it can read (arrays, not a dataset)",
            needs="run-file",
        )
    wide = ratio >= max_spread_ratio or (ratio > 0 and ratio <= 1.0 / max_spread_ratio)
    if not wide and shift < max_mean_shift:
        return None
    return Evidence({
        "spread_ratio": float(f"{ratio:.3g}"),
        "mean_shift": float(f"{shift:.3g}"),
        "wider": ratio >= 1.0,
        "max_spread_ratio": max_spread_ratio,
        "max_mean_shift": max_mean_shift,
    }, epoch=None)
