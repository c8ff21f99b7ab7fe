"""Per-class validation metrics from one prediction pass, in numpy alone.

Everything is derived from one confusion matrix per epoch, held as its non-zero cells
(``np.unique`` of ``true * k + predicted``: at most one cell per sample, so a 1,000-class
epoch never touches a million-cell matrix): precision, recall and F1 per class with
scikit-learn's ``zero_division=0`` (a ratio with a zero denominator is 0), and the
largest off-diagonal cells. PR-AUC per class is scikit-learn's
``average_precision_score`` one-vs-rest on the predicted class probabilities; the
F1-maximising decision threshold of a binary task is ``precision_recall_curve``'s. The
test suite checks each against scikit-learn.

Costs are bounded by the number of predicted samples ``n`` (``FitDoctor(max_val_samples)``)
and the number of classes ``k``: the confusion cells and P/R/F1 are ``O(n log n + k)``,
PR-AUC ``O(min(k n log n, n²))``; a dense ``k × k`` matrix is built only on request. No
scikit-learn, no keras: the module is cheap to import.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Scores",
    "average_precision",
    "best_f1_threshold",
    "confusion_cells",
    "confusion_matrix",
    "dense_confusion",
    "dense_matrix",
    "pr_auc_of",
    "precision_recall_at",
    "prf_from_confusion",
    "score",
    "sparse_confusion",
    "top_confusions",
]

#: Off-diagonal cells kept as ``top_confusions``.
TOP_CONFUSIONS = 10
#: Columns compared at once by the quadratic PR-AUC path (bounds its memory to ~16 MB).
_CHUNK = 1024


@dataclass
class Scores:
    """Per-class metrics of one epoch.

    Args:
        cells: The confusion matrix's non-zero cells, an ``m × 3`` int64 array of
            ``[true, predicted, count]`` rows in row-major order (see :meth:`matrix`).
        precision: Precision per class (0 where nothing was predicted as the class).
        recall: Recall per class (0 where the class has no sample).
        f1: F1 per class (0 where precision and recall are both 0).
        support: Samples per class.
        pr_auc: Average precision (PR-AUC) per class, one-vs-rest; ``None`` for a class
            with no sample.
        threshold: For a binary task, the decision threshold on class 1 that maximises F1.
        threshold_f1: F1 of class 1 at that threshold.
        threshold_precision: Precision of class 1 at that threshold.
        threshold_recall: Recall of class 1 at that threshold.
        top_confusions: The largest off-diagonal cells as ``[true, predicted, count]``,
            largest first.
    """

    cells: np.ndarray
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]
    pr_auc: list[float | None]
    threshold: float | None
    threshold_f1: float | None
    top_confusions: list[list[int]]
    threshold_precision: float | None = None
    threshold_recall: float | None = None

    def matrix(self) -> np.ndarray:
        """The dense ``k × k`` confusion matrix (rows true class, columns predicted)."""
        return dense_matrix(self.cells, len(self.support))


def confusion_cells(y_true: np.ndarray, y_hat: np.ndarray, k: int) -> np.ndarray:
    """The non-zero cells of the confusion matrix as an ``m × 3`` array, row-major.

    Args:
        y_true: True class id per sample.
        y_hat: Predicted class id per sample.
        k: Number of classes; pairs outside ``[0, k)`` are dropped.

    Returns:
        ``[true, predicted, count]`` rows, int64.
    """
    t = np.asarray(y_true, dtype=np.int64).reshape(-1)
    p = np.asarray(y_hat, dtype=np.int64).reshape(-1)
    ok = (t >= 0) & (t < k) & (p >= 0) & (p < k)
    codes, counts = np.unique(t[ok] * k + p[ok], return_counts=True)
    return np.stack([codes // k, codes % k, counts], axis=1).astype(np.int64).reshape(-1, 3)


def dense_matrix(cells: np.ndarray, k: int) -> np.ndarray:
    """The ``k × k`` int64 matrix of an ``m × 3`` cell array."""
    out = np.zeros((k, k), dtype=np.int64)
    c = np.asarray(cells, dtype=np.int64).reshape(-1, 3)
    out[c[:, 0], c[:, 1]] = c[:, 2]
    return out


def confusion_matrix(y_true: np.ndarray, y_hat: np.ndarray, k: int) -> np.ndarray:
    """Counts of (true, predicted) pairs, ``k × k`` int64; labels outside ``[0, k)`` are dropped.

    Args:
        y_true: True class id per sample.
        y_hat: Predicted class id per sample.
        k: Number of classes.

    Returns:
        The confusion matrix.
    """
    t = np.asarray(y_true, dtype=np.int64).reshape(-1)
    p = np.asarray(y_hat, dtype=np.int64).reshape(-1)
    ok = (t >= 0) & (t < k) & (p >= 0) & (p < k)
    if not ok.all():
        t, p = t[ok], p[ok]
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def prf_from_confusion(
    cm: np.ndarray, support: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 and support per class from a confusion matrix.

    F1 is ``2 tp / (predicted + support)``, which equals ``2 p r / (p + r)``; every ratio
    with a zero denominator is 0 (scikit-learn's ``zero_division=0``).

    Args:
        cm: Confusion matrix, rows true class, columns predicted.
        support: Samples per class, when some were predicted outside ``[0, k)`` (they
            count as missed, as scikit-learn counts them). Defaults to `None` (row sums).

    Returns:
        ``(precision, recall, f1, support)`` as float64, float64, float64 and int64 arrays.
    """
    tp = np.diag(cm).astype(np.float64)
    if support is None:
        support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    precision = _ratio(tp, predicted.astype(np.float64))
    recall = _ratio(tp, support.astype(np.float64))
    f1 = _ratio(2.0 * tp, (predicted + support).astype(np.float64))
    return precision, recall, f1, support


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out


def average_precision(scores: np.ndarray, y_true: np.ndarray) -> list[float | None]:
    """PR-AUC per class, one-vs-rest: scikit-learn's ``average_precision_score``.

    For class ``c`` and each of its samples ``i``, the precision at ``i``'s score is
    ``#{positives j: s_jc >= s_ic} / #{all j: s_jc >= s_ic}``; the average precision is
    the mean of these over the class's samples (ties are counted as scikit-learn counts
    them: every sample at a threshold is in or out together).

    Args:
        scores: ``n × k`` class scores (probabilities), higher = more likely.
        y_true: True class id per sample, in ``[0, k)``.

    Returns:
        One value per class, ``None`` for a class with no sample.
    """
    s = np.asarray(scores)
    if s.dtype not in (np.float32, np.float64):
        s = s.astype(np.float64)
    n, k = s.shape
    y = np.asarray(y_true, dtype=np.int64).reshape(-1)
    out: list[float | None] = [None] * k
    if n == 0:
        return out
    precision_at = np.empty(n, dtype=np.float64)
    if k * max(1.0, np.log2(n)) <= n:  # few classes: one sort per class
        for c in np.unique(y):
            col = s[:, c]
            order = np.sort(col)
            pos = np.flatnonzero(y == c)
            pos_scores = np.sort(col[pos])
            at = col[pos]
            n_all = n - np.searchsorted(order, at, side="left")
            n_pos = len(pos) - np.searchsorted(pos_scores, at, side="left")
            precision_at[pos] = n_pos / n_all
    else:  # many classes: compare each sample's own-class score with that column
        by_class = np.ascontiguousarray(s.T)  # k × n: row c holds every sample's score of c
        own = s[np.arange(n), y]
        n_pos = _count_at_or_above_in_class(y, own, k)
        for start in range(0, n, _CHUNK):
            idx = np.arange(start, min(n, start + _CHUNK))
            rows = by_class[y[idx]]  # chunk × n: row j scores every sample on y[idx[j]]
            n_all = np.count_nonzero(rows >= own[idx][:, None], axis=1)
            precision_at[idx] = n_pos[idx] / n_all
    sums = np.bincount(y, weights=precision_at, minlength=k)
    counts = np.bincount(y, minlength=k)
    for c in np.flatnonzero(counts):
        out[int(c)] = float(sums[c] / counts[c])
    return out


def _count_at_or_above_in_class(y: np.ndarray, own: np.ndarray, k: int) -> np.ndarray:
    """For each sample, how many samples of its class score at least as high (itself too)."""
    order = np.lexsort((own, y))  # by class, then score ascending
    ys, os_ = y[order], own[order]
    n = len(y)
    new = np.ones(n, dtype=bool)
    new[1:] = (ys[1:] != ys[:-1]) | (os_[1:] != os_[:-1])
    left = np.maximum.accumulate(np.where(new, np.arange(n), 0))  # first of each tie run
    group_end = np.cumsum(np.bincount(y, minlength=k))
    out = np.empty(n, dtype=np.int64)
    out[order] = group_end[ys] - left
    return out


def best_f1_threshold(y_true: np.ndarray, prob1: np.ndarray) -> tuple[float, float] | None:
    """The decision threshold on class 1's probability that maximises F1, and that F1.

    Candidate thresholds are the distinct scores (a sample is positive when its score is
    at or above the threshold), as in scikit-learn's ``precision_recall_curve``; among
    equal F1 values the lowest threshold wins.

    Args:
        y_true: 0/1 labels.
        prob1: Probability (or any score) of class 1.

    Returns:
        ``(threshold, f1)``, or ``None`` when the labels are all of one class.
    """
    y = np.asarray(y_true).reshape(-1) == 1
    p = np.asarray(prob1, dtype=np.float64).reshape(-1)
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == len(y):
        return None
    order = np.argsort(-p, kind="mergesort")
    ps, ys = p[order], y[order]
    tps = np.cumsum(ys)
    last = np.r_[np.flatnonzero(np.diff(ps)), len(ps) - 1]  # last index of each distinct score
    tp = tps[last].astype(np.float64)
    predicted = (last + 1).astype(np.float64)
    f1 = 2.0 * tp / (predicted + n_pos)
    # Distinct thresholds are in descending order here: the lowest threshold among ties
    # is the last maximum.
    best = len(f1) - 1 - int(np.argmax(f1[::-1]))
    return float(ps[last[best]]), float(f1[best])


def precision_recall_at(
    y_true: np.ndarray, prob1: np.ndarray, threshold: float
) -> tuple[float, float]:
    """Precision and recall of class 1 when predicting it at ``prob1 >= threshold``.

    Args:
        y_true: 0/1 labels.
        prob1: Probability (or any score) of class 1.
        threshold: The decision threshold.

    Returns:
        ``(precision, recall)``, 0 where undefined (scikit-learn's ``zero_division=0``).
    """
    y = np.asarray(y_true).reshape(-1) == 1
    hit = np.asarray(prob1, dtype=np.float64).reshape(-1) >= threshold
    tp = float(np.sum(hit & y))
    predicted, positives = float(np.sum(hit)), float(np.sum(y))
    return (tp / predicted if predicted else 0.0, tp / positives if positives else 0.0)


def top_confusions(cells: np.ndarray, limit: int = TOP_CONFUSIONS) -> list[list[int]]:
    """The ``limit`` largest off-diagonal cells as ``[true, predicted, count]``, largest first.

    Ties are broken by ``(true, predicted)`` order; empty cells are never listed.

    Args:
        cells: The confusion matrix's non-zero cells (``m × 3``, see :func:`confusion_cells`).
        limit: Cells to keep. Defaults to `10`.

    Returns:
        The cells.
    """
    c = np.asarray(cells, dtype=np.int64).reshape(-1, 3)
    off = c[(c[:, 0] != c[:, 1]) & (c[:, 2] > 0)]
    order = np.lexsort((off[:, 1], off[:, 0], -off[:, 2]))[:limit]
    return [[int(v) for v in row] for row in off[order]]


def sparse_confusion(cm: np.ndarray) -> list[list[int]]:
    """The non-zero cells of a confusion matrix as ``[true, predicted, count]``, row-major.

    At most ``min(k², n)`` cells for ``n`` predicted samples: the form run logs store.
    """
    rows, cols = np.nonzero(cm)
    return [[int(r), int(c), int(cm[r, c])] for r, c in zip(rows, cols, strict=True)]


def dense_confusion(cells: list[list[int]], k: int) -> list[list[int]]:
    """The ``k × k`` matrix (lists of ints) of :func:`sparse_confusion`'s cells.

    Raises:
        ValueError: A cell is not three integers with indices in ``[0, k)`` and a count >= 0.
    """
    out = [[0] * k for _ in range(k)]
    for cell in cells:
        if (
            not isinstance(cell, list)
            or len(cell) != 3
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in cell)
        ):
            raise ValueError(f"confusion cell {cell!r} is not [true, predicted, count]")
        r, c, v = cell
        if not (0 <= r < k and 0 <= c < k) or v < 0:
            raise ValueError(f"confusion cell {cell!r} is outside a {k}-class matrix")
        out[r][c] = v
    return out


def score(
    y_true: np.ndarray,
    probabilities: np.ndarray,
    n_classes: int,
    *,
    y_hat: np.ndarray | None = None,
    pr_auc: bool = True,
) -> Scores:
    """Every per-class metric of one epoch from the true ids and the class probabilities.

    Args:
        y_true: True class id per sample.
        probabilities: ``n × k`` class probabilities (``k >= 2``); for a one-unit binary
            output pass ``[1 - p, p]``.
        n_classes: Number of classes ``k``.
        y_hat: Predicted class per sample. Defaults to `None` (``argmax`` of the
            probabilities).
        pr_auc: Compute PR-AUC per class (one sort per class, or a quadratic pass for
            many classes: most of this function's cost); ``False`` leaves
            ``Scores.pr_auc`` empty, for :func:`pr_auc_of` to fill where it is needed.
            Defaults to `True`.

    Returns:
        The metrics.
    """
    y = np.asarray(y_true, dtype=np.int64).reshape(-1)
    prob = np.asarray(probabilities)
    if prob.dtype not in (np.float32, np.float64):
        prob = prob.astype(np.float64)
    k = n_classes
    if y_hat is None:
        y_hat = prob.argmax(axis=1)
    hat = np.asarray(y_hat, dtype=np.int64).reshape(-1)
    valid = (y >= 0) & (y < k)
    cells = confusion_cells(y, hat, k)
    # Everything else from the one confusion matrix (its cells): true positives on its
    # diagonal, predictions per column; support counts every valid sample, including
    # those predicted outside [0, k) (missed, as scikit-learn counts them).
    support = np.bincount(y[valid], minlength=k)
    # (astype: bincount of no cells is int64, weights or not)
    predicted = np.bincount(cells[:, 1], weights=cells[:, 2], minlength=k).astype(np.float64)
    diagonal = cells[cells[:, 0] == cells[:, 1]]
    tp = np.bincount(diagonal[:, 0], weights=diagonal[:, 2], minlength=k).astype(np.float64)
    precision = _ratio(tp, predicted)
    recall = _ratio(tp, support.astype(np.float64))
    f1 = _ratio(2.0 * tp, predicted + support)
    ap: list[float | None] = []
    if pr_auc:
        ap = pr_auc_of(y, prob, k)
    threshold = threshold_f1 = t_precision = t_recall = None
    if k == 2 and prob.shape[1] == 2:
        found = best_f1_threshold(y, prob[:, 1])
        if found is not None:
            threshold, threshold_f1 = found
            t_precision, t_recall = precision_recall_at(y, prob[:, 1], threshold)
    return Scores(
        cells=cells,
        precision=precision.tolist(),
        recall=recall.tolist(),
        f1=f1.tolist(),
        support=support.tolist(),
        pr_auc=ap,
        threshold=threshold,
        threshold_f1=threshold_f1,
        top_confusions=top_confusions(cells),
        threshold_precision=t_precision,
        threshold_recall=t_recall,
    )


def pr_auc_of(y_true: np.ndarray, probabilities: np.ndarray, n_classes: int) -> list[float | None]:
    """PR-AUC per class (:func:`average_precision`) of the samples with a valid class id.

    Args:
        y_true: True class id per sample.
        probabilities: ``n × k'`` class probabilities.
        n_classes: Number of classes ``k``.

    Returns:
        One value per class (``None`` for a class with no sample), or ``[None] * k`` when
        the probabilities have fewer than ``k`` columns.
    """
    y = np.asarray(y_true, dtype=np.int64).reshape(-1)
    prob = np.asarray(probabilities)
    if prob.dtype not in (np.float32, np.float64):
        prob = prob.astype(np.float64)
    k = n_classes
    if prob.ndim != 2 or prob.shape[1] < k:
        return [None] * k
    valid = (y >= 0) & (y < k)
    if valid.all():
        return average_precision(prob[:, :k], y)
    return average_precision(prob[valid][:, :k], y[valid])
