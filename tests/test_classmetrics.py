"""Per-class metrics in numpy (fitdoctor.classmetrics) against scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
)

from fitdoctor import classmetrics as cm


def probabilities(n: int, k: int, seed: int, *, decimals: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Softmax of noisy logits that favour the true class, rounded so that scores tie."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.5
    logits = np.round(logits, decimals)
    p = np.exp(logits)
    return y, p / p.sum(axis=1, keepdims=True)


# n, k: the sort path (few classes) and the quadratic path (many classes), classes absent.
@pytest.mark.parametrize(("n", "k", "seed"), [(300, 2, 0), (500, 10, 1), (300, 60, 2),
                                              (150, 400, 3), (40, 7, 4)])
def test_every_metric_matches_scikit_learn(n: int, k: int, seed: int) -> None:
    y, p = probabilities(n, k, seed)
    scores = cm.score(y, p, k)
    labels = list(range(k))
    precision, recall, f1, support = precision_recall_fscore_support(
        y, p.argmax(1), labels=labels, zero_division=0)
    assert scores.precision == pytest.approx(precision.tolist(), abs=1e-12)
    assert scores.recall == pytest.approx(recall.tolist(), abs=1e-12)
    assert scores.f1 == pytest.approx(f1.tolist(), abs=1e-12)
    assert scores.support == support.tolist()
    assert (scores.matrix() == confusion_matrix(y, p.argmax(1), labels=labels)).all()
    expected = [average_precision_score(y == c, p[:, c]) if (y == c).any() else None
                for c in range(k)]
    assert [e is None for e in expected] == [a is None for a in scores.pr_auc]
    assert [a for a in scores.pr_auc if a is not None] == pytest.approx(
        [e for e in expected if e is not None], abs=1e-12)
    if k > 2:
        assert scores.threshold is None


def test_float32_scores_rank_as_scikit_learn_does() -> None:
    y, p = probabilities(300, 150, 5, decimals=2)
    p32 = p.astype(np.float32)
    got = cm.average_precision(p32, y)
    for c in np.unique(y)[:20]:
        assert got[c] == pytest.approx(average_precision_score(y == c, p32[:, c]), abs=1e-12)


def test_best_f1_threshold_matches_precision_recall_curve() -> None:
    rng = np.random.default_rng(6)
    for _ in range(60):
        n = int(rng.integers(3, 150))
        y = rng.integers(0, 2, n)
        prob = np.round(rng.random(n), 1)
        found = cm.best_f1_threshold(y, prob)
        if y.sum() in (0, n):
            assert found is None
            continue
        prec, rec, thr = precision_recall_curve(y, prob)
        denom = prec[:-1] + rec[:-1]
        f1 = np.divide(2 * prec[:-1] * rec[:-1], denom, out=np.zeros_like(denom),
                       where=denom > 0)
        best = int(np.argmax(f1))  # the lowest threshold among equal F1 values
        assert found is not None
        assert found == pytest.approx((thr[best], f1[best]), abs=1e-12)


def test_binary_one_unit_output_scores_both_classes() -> None:
    rng = np.random.default_rng(7)
    y = (rng.random(200) < 0.2).astype(int)
    p1 = np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1)
    prob = np.stack([1 - p1, p1], axis=1)
    scores = cm.score(y, prob, 2, y_hat=(p1 >= 0.5).astype(int))
    _, recall, _, _ = precision_recall_fscore_support(y, p1 >= 0.5, labels=[0, 1],
                                                      zero_division=0)
    assert scores.recall == pytest.approx(recall.tolist())
    assert scores.pr_auc[1] == pytest.approx(average_precision_score(y, p1))
    assert scores.pr_auc[0] == pytest.approx(average_precision_score(y == 0, 1 - p1))
    assert scores.threshold is not None and scores.threshold_f1 is not None


def test_top_confusions_are_the_largest_off_diagonal_cells() -> None:
    y = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    hat = np.array([0, 1, 1, 0, 0, 0, 1, 0, 2, 2, 1, 1])
    cells = cm.confusion_cells(y, hat, 4)
    matrix = confusion_matrix(y, hat, labels=[0, 1, 2, 3])
    assert (cm.dense_matrix(cells, 4) == matrix).all()
    assert cm.top_confusions(cells) == [[1, 0, 3], [0, 1, 2], [2, 1, 2], [2, 0, 1]]
    assert cm.top_confusions(cells, limit=1) == [[1, 0, 3]]
    assert cm.top_confusions(cm.confusion_cells(y, y, 4)) == []


def test_sparse_and_dense_confusion_round_trip() -> None:
    y, p = probabilities(100, 12, 8)
    matrix = confusion_matrix(y, p.argmax(1), labels=list(range(12)))
    cells = cm.sparse_confusion(matrix)
    assert len(cells) == int((matrix > 0).sum()) <= 100
    assert cm.dense_confusion(cells, 12) == matrix.tolist()
    with pytest.raises(ValueError, match="outside"):
        cm.dense_confusion([[12, 0, 1]], 12)
    with pytest.raises(ValueError, match="not"):
        cm.dense_confusion([[0, 1]], 12)


def test_labels_outside_the_classes_count_as_missed() -> None:
    y = np.array([0, 1, 1, 2])
    hat = np.array([0, 1, 5, 2])  # a prediction outside [0, 3)
    scores = cm.score(y, np.eye(6)[hat][:, :3], 3, y_hat=hat)
    assert scores.support == [1, 2, 1]
    assert scores.recall == [1.0, 0.5, 1.0]
    assert scores.precision == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(("n", "k", "seed"), [(300, 2, 0), (500, 10, 1), (150, 400, 3)])
def test_pr_auc_on_request_is_what_score_computes(n: int, k: int, seed: int) -> None:
    """Without PR-AUC the other metrics are unchanged; pr_auc_of adds it afterwards."""
    y, p = probabilities(n, k, seed)
    full = cm.score(y, p, k)
    lean = cm.score(y, p, k, pr_auc=False)
    assert lean.pr_auc == []
    assert (lean.precision, lean.recall, lean.f1, lean.support, lean.top_confusions) == (
        full.precision, full.recall, full.f1, full.support, full.top_confusions)
    assert (lean.cells == full.cells).all() and lean.threshold == full.threshold
    assert cm.pr_auc_of(y, p, k) == full.pr_auc
    assert cm.pr_auc_of(y, p[:, :1], k) == [None] * k  # fewer columns than classes
    y_out = y.copy()
    y_out[0] = k + 3  # an id outside the classes is left out, as score leaves it out
    assert cm.pr_auc_of(y_out, p, k) == cm.score(y_out, p, k).pr_auc


def test_no_correct_prediction_and_no_valid_sample_score_zero() -> None:
    """Empty diagonals and empty matrices (a first epoch at 1,000 classes) are zeros."""
    y = np.array([0, 1, 2, 0])
    wrong = np.eye(3)[[1, 2, 0, 2]]
    scores = cm.score(y, wrong, 3)
    assert scores.precision == scores.recall == scores.f1 == [0.0, 0.0, 0.0]
    assert scores.support == [2, 1, 1]
    nothing = cm.score(np.array([5, 7]), np.eye(3)[[0, 1]], 3, pr_auc=False)
    assert nothing.precision == [0.0, 0.0, 0.0] and nothing.support == [0, 0, 0]
    assert nothing.cells.shape == (0, 3) and nothing.top_confusions == []
