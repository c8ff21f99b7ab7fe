"""What the training and validation data say: task, label encoding, counts, baselines.

Pure functions of numpy-convertible arrays and the model/compile facts: the task type
(labels first, then the loss, then the output layer), class counts, a fingerprint of the
validation set, what a model that learned nothing would score, and per-class metrics of
one prediction pass (numpy alone, :mod:`fitdoctor.classmetrics`).
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fitdoctor import classmetrics
from fitdoctor.arraylike import as_array, n_samples, strided_rows
from fitdoctor.run import Baselines, CompileInfo, DataInfo, ModelInfo, PerClass
from fitdoctor.vocabulary import BINARY_LOSSES, CATEGORICAL_LOSSES, REGRESSION_LOSSES

_EPS = 1e-7  # keras.config.epsilon(): probabilities are clipped to [eps, 1 - eps]
#: Rows and features of the inputs :func:`input_shift` and :func:`input_scale` read.
_SAMPLE, _MAX_FEATURES = 2000, 2048


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


def _feature_rows(data: Any, sample: int, max_features: int) -> np.ndarray | None:
    """A strided sample of ``data`` as float64 ``(rows, features)``, or ``None``.

    At most ``sample`` rows, evenly spaced, read before any conversion
    (:func:`~fitdoctor.arraylike.strided_rows`), flattened to features, of which at most
    ``max_features`` are kept, evenly spaced (an image's pixels). ``None`` for data that
    cannot be read without consuming it (a dataset, a generator), non-numeric data or
    fewer than two rows.
    """
    rows = strided_rows(data, sample)  # sliced before any conversion
    if rows is None or rows.ndim < 1 or rows.shape[0] < 2 or rows.dtype.kind not in "biuf":
        return None
    flat = rows.reshape(rows.shape[0], -1)  # a view where the rows allow it
    # a stride that spans every feature (rounded up: 3,072 CIFAR pixels read every
    # second one, not the first 2,048, the image's top two thirds)
    flat = flat[:, :: max(1, -(-flat.shape[1] // max_features))]
    out: np.ndarray = np.asarray(flat, dtype=np.float64)
    return out


def _moments(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-feature standard deviation, mean and largest absolute value, NaN ignored.

    Silently: a feature that is all NaN has no mean and no spread (NaN), and numpy's
    "mean of empty slice" warning must not reach the user's training log.
    """
    with np.errstate(invalid="ignore", over="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return (np.nanstd(rows, axis=0), np.nanmean(rows, axis=0),
                np.nanmax(np.abs(rows), axis=0))


def _varying(sd: np.ndarray, mean: np.ndarray, top: np.ndarray) -> np.ndarray:
    """The features that vary: a finite spread above the float noise of their values.

    The noise is measured against the feature's largest absolute value, so that scaling
    the inputs scales the spread and the bar alike (a bar with an absolute part counted a
    feature as varying at one scale and constant at half of it).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        live: np.ndarray = np.isfinite(sd) & np.isfinite(mean) & (sd > 1e-12 * top)
    return live


def _shift_of(train: np.ndarray, val: np.ndarray) -> tuple[float, float] | None:
    """:func:`input_shift` of two samples already read by :func:`_feature_rows`."""
    if train.shape[1] != val.shape[1]:
        return None
    sd_train, mean_train, top_train = _moments(train)
    sd_val, mean_val, _ = _moments(val)
    with np.errstate(invalid="ignore", over="ignore"):
        shift = np.abs(mean_val - mean_train)
    live = _varying(sd_train, mean_train, top_train) & np.isfinite(sd_val) & np.isfinite(shift)
    if not live.any():
        return None
    ratio = float(np.median(sd_val[live] / sd_train[live]))
    moved = float(np.median(shift[live] / sd_train[live]))
    return ratio, moved


def _scale_of(train: np.ndarray) -> tuple[float, float, float, float] | None:
    """:func:`input_scale` of a sample already read by :func:`_feature_rows`."""
    sd, mean, top = _moments(train)
    live = _varying(sd, mean, top)
    if not live.any():
        return None
    finite = train[np.isfinite(train)]
    sd_live = sd[live]
    median_sd = float(np.median(sd_live))
    with np.errstate(over="ignore"):
        spread = float(sd_live.max() / median_sd)
    return median_sd, float(np.median(np.abs(mean[live]))), float(np.abs(finite).max()), spread


def _first_common(x_train: Any, x_val: Any) -> tuple[Any, Any] | None:
    """Of two dicts of named inputs, the first input both hold; other data as given."""
    if isinstance(x_train, Mapping) and isinstance(x_val, Mapping):
        # several named inputs: the same one from both, whatever order each dict has
        common = [key for key in x_train if key in x_val]
        if not common:
            return None
        return x_train[common[0]], x_val[common[0]]
    return x_train, x_val


def input_shift(
    x_train: Any, x_val: Any, *, sample: int = _SAMPLE, max_features: int = _MAX_FEATURES
) -> tuple[float, float] | None:
    """How the validation inputs sit against the training inputs, feature by feature.

    Each feature (inputs flattened to ``(n, features)``) with a spread in the training
    data gives two numbers: the validation spread over the training spread (standard
    deviations), and the distance between the two means in training standard
    deviations. Their medians over the features are returned: close to ``(1, 0)`` when
    both sets come from the same data and the same preprocessing; validation inputs left
    unscaled while the training inputs were scaled (raw pixels against ``/255``, or
    against a fitted StandardScaler) sit many times off, whatever the model does.

    Args:
        x_train: Training inputs (the rows :func:`fitdoctor.arraylike.as_array` reads;
            of a dict of named inputs, the first one ``x_val`` holds too).
        x_val: Validation inputs.
        sample: Rows read from each, evenly spaced. Defaults to `2000`.
        max_features: Features compared at most, evenly spaced (an image's pixels).
            Defaults to `2048`.

    Returns:
        ``(spread_ratio, mean_shift)``, or ``None`` when either set cannot be read, they
        differ in features, or no feature varies in the training data.
    """
    pair = _first_common(x_train, x_val)
    if pair is None:
        return None
    train = _feature_rows(pair[0], sample, max_features)
    val = _feature_rows(pair[1], sample, max_features)
    if train is None or val is None:
        return None
    return _shift_of(train, val)


def input_scale(
    x_train: Any, *, sample: int = _SAMPLE, max_features: int = _MAX_FEATURES
) -> tuple[float, float, float, float] | None:
    """The training inputs' scale: how far from zero mean and unit variance they sit.

    Read on the strided sample :func:`input_shift` reads (inputs flattened to
    ``(n, features)``; of a dict of named inputs, the first), over the features that vary
    in it (a constant border pixel is left out, NaN ignored):

    - the median over the features of their standard deviation (about 1 after a
      StandardScaler, 0.3 for pixels in [0, 1], 4.3 for scikit-learn's raw digits 0..16,
      about 80 for raw 0..255 pixels);
    - the median over the features of their mean's absolute value, in the inputs' units;
    - the largest absolute finite value (16 for raw digits, 255 for raw pixels);
    - the spread of the feature scales: the largest standard deviation over the median
      one (1 after a StandardScaler, 1.5 for pixels, about 7,800 for breast cancer's
      raw features, whose areas reach 2,500 beside smoothness values of 0.1).

    Args:
        x_train: Training inputs (the rows :func:`fitdoctor.arraylike.as_array` reads).
        sample: Rows read, evenly spaced. Defaults to `2000`.
        max_features: Features read at most, evenly spaced. Defaults to `2048`.

    Returns:
        ``(median_std, median_abs_mean, max_abs, scale_spread)``, or ``None`` when the
        inputs cannot be read without consuming them (a ``tf.data`` dataset, a
        generator), are not numeric, or no feature varies.
    """
    if isinstance(x_train, Mapping):
        x_train = next(iter(x_train.values()), None)
    train = _feature_rows(x_train, sample, max_features)
    return _scale_of(train) if train is not None else None


def data_info(
    model: ModelInfo | None,
    compile: CompileInfo | None,
    *,
    y_train: Any = None,
    y_val: Any = None,
    x_val: Any = None,
    x_train: Any = None,
    n_train: int | None = None,
    n_val: int | None = None,
) -> DataInfo:
    """Facts about the data: task, label encoding, counts, fingerprint, input statistics.

    Args:
        model: Model facts (for the input shape and the output layer).
        compile: Compile facts (for the loss).
        y_train: Training labels, if reachable.
        y_val: Validation labels, if reachable.
        x_val: Validation inputs, if reachable (for the fingerprint).
        x_train: Training inputs, if reachable (their scale, :func:`input_scale`; against
            ``x_val``, :func:`input_shift`). Read once for both.
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
    shift, scale = _input_facts(x_train, x_val)
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
        val_spread_ratio=float(f"{shift[0]:.4g}") if shift is not None else None,
        val_mean_shift=float(f"{shift[1]:.4g}") if shift is not None else None,
        input_std=_4g(scale[0]) if scale is not None else None,
        input_mean=_4g(scale[1]) if scale is not None else None,
        input_max=_4g(scale[2]) if scale is not None else None,
        input_scale_spread=_4g(scale[3]) if scale is not None else None,
    )


def _4g(value: float) -> float | None:
    """A fact rounded to 4 significant digits as the run file keeps it; ``None`` if not finite."""
    rounded = float(f"{value:.4g}") if math.isfinite(value) else math.inf
    return rounded if math.isfinite(rounded) else None  # 1.7976e308 rounds up past the range


def _input_facts(
    x_train: Any, x_val: Any
) -> tuple[tuple[float, float] | None, tuple[float, float, float, float] | None]:
    """:func:`input_shift` and :func:`input_scale` of the inputs, the training rows read once."""
    if x_train is None:
        return None, None
    pair = _first_common(x_train, x_val) if x_val is not None else None
    first = pair[0] if pair is not None else (
        next(iter(x_train.values()), None) if isinstance(x_train, Mapping) else x_train)
    train = _feature_rows(first, _SAMPLE, _MAX_FEATURES)
    if train is None:
        return None, None
    scale = _scale_of(train)
    if pair is None:
        return None, scale
    val = _feature_rows(pair[1], _SAMPLE, _MAX_FEATURES)
    return (_shift_of(train, val) if val is not None else None), scale


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


def class_scores(
    y_true: np.ndarray,
    y_pred_raw: Any,
    *,
    n_classes: int,
    from_logits: bool | None = None,
    pr_auc: bool = True,
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
        pr_auc: Compute PR-AUC per class; ``False`` leaves it empty (see
            :func:`class_pr_auc`). Defaults to `True`.

    Returns:
        The metrics, with the confusion matrix as its non-zero cells.
    """
    y_hat, prob = _decisions(y_pred_raw, from_logits)
    return classmetrics.score(y_true, prob, n_classes, y_hat=y_hat, pr_auc=pr_auc)


def class_pr_auc(
    y_true: np.ndarray, y_pred_raw: Any, *, n_classes: int, from_logits: bool | None = None
) -> list[float | None]:
    """PR-AUC per class of one prediction pass: what :func:`class_scores` computes.

    Args:
        y_true: Class id per sample.
        y_pred_raw: Model outputs for the same samples.
        n_classes: Number of classes.
        from_logits: Whether the outputs are logits. Defaults to `None` (probabilities).

    Returns:
        One value per class, ``None`` for a class with no sample.
    """
    _, prob = _decisions(y_pred_raw, from_logits, decide=False)
    return classmetrics.pr_auc_of(y_true, prob, n_classes)


def _decisions(
    y_pred_raw: Any, from_logits: bool | None, *, decide: bool = True
) -> tuple[np.ndarray | None, np.ndarray]:
    """The predicted class per sample (when ``decide``) and the class probabilities."""
    raw = np.asarray(y_pred_raw)
    if raw.dtype not in (np.float32, np.float64):
        raw = raw.astype(np.float64)
    pred = raw.reshape(raw.shape[0], -1)
    if pred.shape[1] == 1:
        score = pred[:, 0].astype(np.float64)
        if from_logits:
            with np.errstate(over="ignore"):
                score = 1.0 / (1.0 + np.exp(-score))
        y_hat = (score >= 0.5).astype(np.int64) if decide else None
        return y_hat, np.stack([1.0 - score, score], axis=1)
    y_hat = pred.argmax(axis=1) if decide else None
    return y_hat, (_softmax(pred) if from_logits else pred)


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

