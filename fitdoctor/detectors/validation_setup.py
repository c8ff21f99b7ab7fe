"""Validation-setup detectors: is the validation data able to judge the run, and honest?

* ``validation-sampling-error`` (FD702): the sampling error of the validation accuracy
  (a 95% Wilson interval for ``n_val`` samples) against the differences the run is
  judged on -- the best epoch against the last, and the change over the last epochs.
* ``test-equals-validation`` (FD703): the test arrays given to
  :func:`fitdoctor.validation.evaluate` have the fingerprint of the validation arrays.
* ``validation-below-training`` (FD704): the validation loss well below the training
  loss at the end of training, explained by the model's dropout and weight penalties
  when it has them.

Severities and wording live in ``rules/validation_setup.toml``; these functions measure.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fitdoctor.detectors.advice import fmt_rate
from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.errors import MissingInput

_NO_N_VAL = (
    "the number of validation samples is unknown (a bare history)",
    "record the run with FitDoctor(), which records data.n_val",
)


def wilson_half_width(p: float, n: int, z: float = 1.96) -> float:
    """Half-width of the Wilson score interval of a proportion ``p`` measured on ``n`` samples.

    Close to the textbook ``z * sqrt(p (1 - p) / n)`` for ``p`` away from 0 and 1, and
    not zero at ``p = 1`` (an accuracy of 100% on 60 samples is not certain).

    Args:
        p: The proportion (e.g. an accuracy).
        n: Samples it was measured on.
        z: Normal quantile (1.96 for 95%). Defaults to `1.96`.

    Returns:
        The half-width, in the units of ``p``.
    """
    p = min(1.0, max(0.0, p))
    return z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))


def _finite_tail(values: np.ndarray) -> np.ndarray:
    return np.asarray(values[np.isfinite(values)], dtype=float)


@detector("validation-sampling-error")
def validation_sampling_error(
    ctx: Context, *, min_epochs: int, window: int, z: float, min_half_width: float,
    scarce_samples: int, k: int, scarce_k: int, scarce_repeats: int,
) -> Evidence | None:
    """The validation accuracy's sampling error is wider than the differences judged on."""
    ctx.require_epochs(min_epochs)
    data = ctx.run.data
    n_val = data.n_val if data is not None else None
    if not n_val:
        raise MissingInput(*_NO_N_VAL, needs="run-file")
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
    values = _finite_tail(ctx.array(key))
    if values.size < min_epochs:
        raise MissingInput(f"{key} has {values.size} finite values", "train longer")
    best_i = int(np.argmax(values))
    p = float(values[best_i])
    half = wilson_half_width(p, n_val, z)
    best_vs_last = p - float(values[-1])
    w = min(window, values.size)
    tail_change = abs(float(values[-1]) - float(values[-w]))
    judged, judged_text = max(
        (tail_change, f"change over the last {w} epochs"),
        (best_vs_last, "gap between the best and the last epoch"),
        key=lambda item: item[0],
    )
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
    values_out: dict[str, Any] = {
        "metric": key,
        "n_val": n_val,
        "accuracy": round(p, 4),
        "accuracy_pct": round(100 * p, 1),
        "half_width": round(half, 4),
        "half_width_pts": round(100 * half, 1),
        "judged": round(judged, 4),
        "judged_pts": round(100 * judged, 1),
        "_judged_what": judged_text,
        "best_vs_last_pts": round(100 * best_vs_last, 1),
        "tail_change_pts": round(100 * tail_change, 1),
        "n_total": n_total,
        "_cross_validated": cv_repeats is not None,
        "k": None if cv_repeats is not None else k_rec,
        "kfold_half_width_pts": None if kfold_half is None else round(100 * kfold_half, 1),
        "_scarce": scarce,
        "repeats": scarce_repeats if iterate else None,
        "models": scarce_repeats * k_rec if iterate else None,
        "_not_cv": "" if cv_repeats is None else None,
        "_cv_only": "" if cv_repeats is not None else None,
    }
    return Evidence(values_out)


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
        "_samples": f"{n_val:,} samples, " if n_val else "",
        "test_scores": ", ".join(shown) or None,
        "_scores": f" ({', '.join(shown)})" if shown else "",
    })


@detector("validation-below-training")
def validation_below_training(
    ctx: Context, *, min_epochs: int, window: int, min_ratio: float,
) -> Evidence | None:
    """The validation loss stays well below the training loss over the last epochs."""
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
    if ratio < min_ratio:
        return None
    cause, regularized = _explain(ctx)
    acc = ctx.accuracy_key()
    acc_text = ""
    if acc and ctx.run.has("val_" + acc):
        ta = _finite_tail(ctx.array(acc)[:n][-w:])
        va = _finite_tail(ctx.array("val_" + acc)[:n][-w:])
        if ta.size and va.size and float(np.median(va)) > float(np.median(ta)):
            acc_text = (
                f"; {acc} too: validation {float(np.median(va)):.3f} against training "
                f"{float(np.median(ta)):.3f}"
            )
    return Evidence(
        {
            "train_loss": round(t_med, 4),
            "val_loss": round(v_med, 4),
            "ratio": round(ratio, 2),
            "lower_pct": round(100 * (1 - v_med / t_med), 1),
            "window": w,
            "regularized": regularized,
            "cause": cause,
            "_cause": cause,
            "_accuracy_text": acc_text,
            "_reg_text": _reg_summary(ctx) if regularized else None,
        },
        epoch=ctx.epochs[n - w],
    )


def _dropouts(ctx: Context) -> list[str]:
    model = ctx.run.model
    if model is None:
        return []
    out = []
    for layer in model.layers:
        if layer.dropout:
            out.append(f"{layer.class_name}({layer.dropout:g})")
    return out


def _penalties(ctx: Context) -> list[str]:
    model = ctx.run.model
    if model is None:
        return []
    out = []
    for layer in model.layers:
        for reg in (layer.kernel_regularizer, layer.bias_regularizer, layer.activity_regularizer):
            if reg is None:
                continue
            factors = [f"L1 {fmt_rate(reg.l1)}" if reg.l1 else "", f"L2 {fmt_rate(reg.l2)}"
                       if reg.l2 else ""]
            text = " + ".join(f for f in factors if f) or reg.kind
            out.append(f"{text} on `{layer.name}`")
    return out


def _reg_summary(ctx: Context) -> str:
    return ", ".join(_dropouts(ctx) + _penalties(ctx))


def _explain(ctx: Context) -> tuple[str, bool | None]:
    """Why validation may beat training here: (wording, whether the model is regularized)."""
    if ctx.run.model is None:
        return (
            "check for dropout or weight penalties (they act on the training loss only) "
            "and for leakage between training and validation data",
            None,
        )
    drops, pens = _dropouts(ctx), _penalties(ctx)
    if drops or pens:
        parts = []
        if drops:
            parts.append(f"dropout ({', '.join(drops)}) is active only while training")
        if pens:
            parts.append(f"weight penalties ({', '.join(pens)}) are added to the training "
                         "loss only")
        return "expected from the model: " + " and ".join(parts), True
    return (
        "the model has no dropout or weight penalty to explain it: check the validation "
        "data for leakage (samples also in the training set) or for being easier than "
        "the training data",
        False,
    )
