"""Splitting data for validation, without training: class labels, holdout, K-fold folds.

The splitters are scikit-learn's (``train_test_split``, ``KFold``, ``StratifiedKFold``,
``RepeatedKFold``, ``RepeatedStratifiedKFold``), imported when a split is made.
Stratification is automatic for class labels whose smallest class allows it.
:mod:`fitdoctor.validation` trains on these splits (and re-exports the public names).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fitdoctor import arraylike

__all__ = ["Fold", "class_labels", "folds", "holdout_split", "sample_count", "strata"]


# ======================================================================== labels
def class_labels(y: Any) -> np.ndarray | None:
    """Integer class ids for stratification, or ``None`` when ``y`` is not class labels.

    One-hot rows give their ``argmax``; integer, boolean and text labels their codes;
    whole-number floats with few distinct values (at most 100 and at most a fifth of
    the samples) count as classes. Continuous targets and multi-label matrices give
    ``None``.

    Args:
        y: The targets.

    Returns:
        One integer per sample, or ``None``.
    """
    arr = arraylike.as_array(y)
    if arr is None or arr.ndim == 0 or arr.shape[0] == 0:
        return None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 2:
        if arr.dtype.kind not in "biuf":
            return None
        binary = np.isin(arr, (0, 1)).all()
        if binary and np.allclose(arr.sum(axis=1), 1.0):
            return np.asarray(np.argmax(arr, axis=1), dtype=np.int64)
        return None
    if arr.ndim != 1:
        return None
    if arr.dtype.kind in "biu":
        return np.asarray(np.unique(arr, return_inverse=True)[1], dtype=np.int64)
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or not np.equal(np.round(arr), arr).all():
            return None
        uniques = np.unique(arr)
        if uniques.size > min(100, max(2, arr.size // 5)):
            return None
        return np.asarray(np.searchsorted(uniques, arr), dtype=np.int64)
    if arr.dtype.kind in "OUS":
        try:
            return np.asarray(np.unique(arr.astype(str), return_inverse=True)[1], dtype=np.int64)
        except (TypeError, ValueError):
            return None
    return None


def strata(y: Any, stratify: bool | None, min_count: int, what: str) -> np.ndarray | None:
    """Labels to stratify on: ``None`` when not stratifying (auto: classes that allow it)."""
    if stratify is False:
        return None
    ids = class_labels(y)
    if ids is None:
        if stratify:
            raise ValueError(
                f"stratify=True needs class labels; y does not look like classes ({what})"
            )
        return None
    smallest = int(np.bincount(ids).min())
    if smallest < min_count:
        if stratify:
            raise ValueError(
                f"cannot stratify {what}: the smallest class has {smallest} sample"
                f"{'s' if smallest != 1 else ''}, {min_count} are needed"
            )
        return None
    return ids


def sample_count(x: Any, y: Any) -> int:
    """Samples of ``x`` and ``y`` (arrays), checked to agree; ``ValueError`` otherwise."""
    n = arraylike.n_samples(x)
    ny = arraylike.n_samples(y)
    if n is None or ny is None:
        raise ValueError("x and y must be arrays (numpy, lists or tensors), not datasets")
    if n != ny:
        raise ValueError(f"x has {n} samples but y has {ny}")
    return n


# ======================================================================= holdout
def holdout_split(
    x: Any,
    y: Any,
    ratios: Sequence[float] = (0.6, 0.2, 0.2),
    *,
    stratify: bool | None = None,
    seed: int | None = 0,
) -> tuple[tuple[Any, Any], tuple[Any, Any], tuple[Any, Any]]:
    """Split into training, validation and test sets (by default 60/20/20).

    The test set is split off first, then the rest into training and validation, both
    with scikit-learn's ``train_test_split``. Tune on the validation set; evaluate on the
    test set once, at the end (:func:`evaluate`).

    Args:
        x: Inputs (an array, or a dict/list of arrays).
        y: Targets.
        ratios: Train, validation and test fractions; they must be positive and sum to 1.
            Defaults to `(0.6, 0.2, 0.2)`.
        stratify: Keep the class proportions in every part: ``True``, ``False``, or
            ``None`` to stratify whenever ``y`` holds class labels with at least 2
            samples per class. Defaults to `None`.
        seed: Random seed of the shuffle (``None``: a different split each call).
            Defaults to `0`.

    Returns:
        ``((x_train, y_train), (x_val, y_val), (x_test, y_test))``.

    Raises:
        ValueError: Bad ratios, mismatched lengths, or a part that would be empty.

    Example:
    ```python
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = holdout_split(x, y)
    ```
    """
    from sklearn.model_selection import train_test_split

    parts = [float(r) for r in ratios]
    if len(parts) != 3 or min(parts) <= 0 or not math.isclose(sum(parts), 1.0, abs_tol=1e-6):
        raise ValueError(
            f"ratios must be three positive fractions (train, validation, test) summing to 1, "
            f"got {tuple(ratios)}"
        )
    n = sample_count(x, y)
    index = np.arange(n)
    n_test = round(parts[2] * n)
    n_val = round(parts[1] * n)
    if min(n_test, n_val, n - n_test - n_val) < 1:
        raise ValueError(f"{n} samples are too few to split {tuple(ratios)}: a part would be empty")
    ids = strata(y, stratify, 2, "the holdout split")
    try:
        rest, test = train_test_split(index, test_size=n_test, random_state=seed, stratify=ids)
        train, val = train_test_split(
            rest, test_size=n_val, random_state=seed, stratify=None if ids is None else ids[rest]
        )
    except ValueError:
        if stratify:
            raise
        rest, test = train_test_split(index, test_size=n_test, random_state=seed)
        train, val = train_test_split(rest, test_size=n_val, random_state=seed)
    return (
        (arraylike.take(x, train), arraylike.take(y, train)),
        (arraylike.take(x, val), arraylike.take(y, val)),
        (arraylike.take(x, test), arraylike.take(y, test)),
    )


# ========================================================================= folds
@dataclass(frozen=True)
class Fold:
    """One train/validation split of a (possibly iterated) K-fold.

    Args:
        repeat: Repetition, 0-based.
        fold: Fold within the repetition, 0-based.
        train: Indices of the training samples.
        val: Indices of the validation samples.
    """

    repeat: int
    fold: int
    train: np.ndarray
    val: np.ndarray


def folds(
    y: Any,
    k: int = 5,
    *,
    repeats: int = 1,
    shuffle: bool = True,
    stratify: bool | None = None,
    seed: int | None = 0,
) -> list[Fold]:
    """The splits of K-fold (``repeats=1``) or iterated K-fold cross-validation.

    Each repetition validates every sample exactly once. With ``repeats > 1`` every
    repetition reshuffles (scikit-learn's ``RepeatedKFold``/``RepeatedStratifiedKFold``).

    Args:
        y: Targets (used for their count and, when stratifying, their classes).
        k: Folds per repetition (at least 2). Defaults to `5`.
        repeats: Repetitions. Defaults to `1`.
        shuffle: Shuffle before splitting (required when ``repeats > 1``). Defaults to `True`.
        stratify: Keep class proportions in every fold: ``True``, ``False`` or ``None``
            (whenever ``y`` holds class labels with at least ``k`` samples per class).
            Defaults to `None`.
        seed: Random seed of the shuffles. Defaults to `0`.

    Returns:
        ``repeats × k`` folds, repetition by repetition.
    """
    from sklearn.model_selection import (
        KFold,
        RepeatedKFold,
        RepeatedStratifiedKFold,
        StratifiedKFold,
    )

    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    if repeats > 1 and not shuffle:
        raise ValueError("iterated K-fold (repeats > 1) needs shuffle=True: without it "
                         "every repetition would be the same split")
    n = arraylike.n_samples(y)
    if n is None:
        raise ValueError("y must be an array")
    if n < k:
        raise ValueError(f"{n} samples cannot be split into {k} folds")
    ids = strata(y, stratify, k, f"into {k} folds")
    index = np.zeros(n)
    splitter: Any
    if repeats > 1:
        splitter = (RepeatedStratifiedKFold if ids is not None else RepeatedKFold)(
            n_splits=k, n_repeats=repeats, random_state=seed
        )
    elif ids is not None:
        splitter = StratifiedKFold(
            n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None
        )
    else:
        splitter = KFold(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None)
    out = []
    for i, (train, val) in enumerate(splitter.split(index, ids)):
        out.append(Fold(i // k, i % k, np.asarray(train), np.asarray(val)))
    return out
