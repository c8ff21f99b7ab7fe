"""The corpus's labelling rules (tests/data/recorder/labels.py) on curves built here.

Each case is one pattern the rules once got wrong (issue 10), built as the smallest record
the rules read: the label must be what the run calls for, and the reason must print
numbers that mean something.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "data"))

from recorder import labels

LN3 = math.log(3)


def record(L: list[float], T: list[float], A: list[float], *, train_acc: list[float] | None = None,
           restored_epoch: int | None = None, final: tuple[float, float] | None = None,
           n_test: int = 540, achievable: float = 1.0) -> dict[str, Any]:
    """A three-class classification record with the fields the label rules read."""
    acc = train_acc if train_acc is not None else [min(1.0, a + 0.01) for a in A]
    if final is None:
        final = (T[-1], A[-1]) if restored_epoch is None else (T[restored_epoch - 1],
                                                                A[restored_epoch - 1])
    return {
        "run": {"metrics": {"loss": L, "val_loss": T, "accuracy": acc, "val_accuracy": A}},
        "test": {"loss": T, "metric": A, "metric_name": "accuracy", "final_loss": final[0],
                 "final_metric": final[1], "n": n_test},
        "facts": {"constant_loss": LN3, "constant_test_loss": LN3, "corruption": None,
                  "restored": restored_epoch is not None, "best_val_epoch": restored_epoch},
        "achievable": achievable,
    }


def decay(start: float, rate: float, n: int) -> list[float]:
    return [start * (1 - rate) ** i for i in range(n)]


def test_a_loss_near_zero_at_full_accuracy_is_not_still_falling() -> None:
    # 2% an epoch, but of 1e-5, at 100% test accuracy: nothing left to gain
    T = [0.3, 0.01, *decay(1e-3, 0.02, 58)]
    L = [0.4, 0.01, *decay(8e-4, 0.02, 58)]
    got = labels.label(record(L, T, [0.9] + [1.0] * 59))
    assert got["label"] == "healthy", got


def test_a_fast_fall_that_still_moves_the_metric_is_not_converged() -> None:
    # the same relative fall at a loss that matters, with the accuracy still climbing
    T = [1.0, *decay(0.5, 0.03, 39)]
    L = [1.0, *decay(0.45, 0.03, 39)]
    A = [0.5 + 0.012 * i for i in range(40)]
    got = labels.label(record(L, T, A))
    assert got["label"] == "not-converged", got
    assert "still falling" in got["label_reason"]


def test_a_steep_fall_with_errors_left_is_not_converged() -> None:
    # a short small-batch run: most of the fall in epoch 1-2, then still 12% an epoch at
    # the end (5% of the total, accuracy +0.5 points: within 2 SE of 540 test rows); the
    # same runs trained 2.5x longer halved their test loss (bench/label_twins.py)
    T = [1.0, *decay(0.3, 0.12, 9)]
    L = [1.05, *decay(0.32, 0.12, 9)]
    A = [0.6, 0.9, 0.93, 0.94, 0.95, 0.955, 0.96, 0.962, 0.964, 0.966]
    got = labels.label(record(L, T, A, achievable=0.97))
    assert got["label"] == "not-converged", got
    assert "still falling: 13." in got["label_reason"]


def test_a_steep_fall_at_full_accuracy_is_healthy() -> None:
    # the same fall with every test row right: only confidence is left to gain
    T = [1.0, *decay(0.3, 0.12, 9)]
    L = [1.05, *decay(0.32, 0.12, 9)]
    got = labels.label(record(L, T, [0.8] + [1.0] * 9, n_test=54))
    assert got["label"] == "healthy", got


def test_a_loss_above_the_constant_predictor_has_a_real_share() -> None:
    # a far too small learning rate: the loss started above ln 3 and has not reached it
    T = [1.6 - 0.004 * i for i in range(20)]
    L = [1.62 - 0.004 * i for i in range(20)]
    got = labels.label(record(L, T, [0.3 + 0.002 * i for i in range(20)], achievable=0.95))
    assert got["label"] == "not-converged", got
    share = int(re.search(r"(\d+)% of its total decrease", got["label_reason"]).group(1))  # type: ignore[union-attr]
    assert 10 < share <= 100, got["label_reason"]


def test_a_metric_that_collapses_vetoes_still_falling() -> None:
    # heavy L2: the loss creeps down onto the constant predictor's while accuracy collapses
    T = [10.0, 6.0, 3.0] + [LN3 + 0.05 * 0.7 ** i for i in range(27)]
    L = [10.5, 6.2, 3.1] + [LN3 + 0.06 * 0.7 ** i for i in range(27)]
    A = [0.3, 0.7, 0.8] + [0.8 - 0.018 * i for i in range(27)]
    got = labels.label(record(L, T, A, achievable=0.98))
    assert got["label"] == "underfitting", got


def test_blew_up_then_froze_is_diverged() -> None:
    # a first epoch thousands of times the constant loss, then saturated and frozen
    L = [3000.0, 900.0, 200.0, 40.0] + [0.0] * 16
    T = [2.7, 0.6, 1.2] + [1.19] * 17
    A = [0.83, 0.96, 0.93] + [0.93] * 17
    got = labels.label(record(L, T, A, n_test=54))
    assert got["label"] == "diverged", got
    assert "froze" in got["label_reason"]


def test_a_wild_first_epoch_that_recovers_is_not_diverged() -> None:
    L = [300.0, 0.9, *decay(0.5, 0.05, 28)]
    T = [200.0, 0.8, *decay(0.45, 0.05, 28)]
    A = [0.4, 0.7] + [min(0.97, 0.75 + 0.01 * i) for i in range(28)]
    got = labels.label(record(L, T, A, achievable=0.97))
    assert got["label"] != "diverged", got


def test_restored_before_the_test_optimum_stopped_too_early() -> None:
    T = [0.9, 0.7, 0.65, 0.6, 0.55, 0.52, 0.5, 0.5, 0.49]
    L = [1.0, 0.8, 0.7, 0.65, 0.6, 0.57, 0.55, 0.54, 0.53]
    A = [0.6, 0.65, 0.68, 0.7, 0.72, 0.74, 0.76, 0.77, 0.78]
    got = labels.label(record(L, T, A, restored_epoch=2, achievable=0.8))
    assert got["label"] == "not-converged", got
    assert "stopped too early" in got["label_reason"]


def test_restored_past_the_test_optimum_is_overfitting() -> None:
    T = [1.2, 0.4, 0.25, 0.2, 0.19] + [0.19 + 0.001 * i for i in range(55)]
    L = [1.8, 0.3, 0.1, 0.05, 0.03, *decay(0.02, 0.06, 55)]
    A = [0.8, 0.9, 0.93, 0.94, 0.945] + [0.94] * 55
    got = labels.label(record(L, T, A, restored_epoch=59, achievable=0.95))
    assert got["label"] == "overfitting", got
    assert "restored model (epoch 59/60)" in got["label_reason"]


def test_shares_are_never_absurd() -> None:
    # a loss that ends at the constant predictor's: its "total decrease" is ~0
    L = [1.4, 1.2, 1.1] + [LN3 + 1e-4 * 0.7 ** i for i in range(27)]
    T = [1.3, 1.15, 1.1] + [LN3 + 1e-3 + 1e-5 * 0.7 ** i for i in range(27)]
    got = labels.label(record(L, T, [0.33] * 30, achievable=0.9))
    for pct in re.findall(r"(\d+)%", got["label_reason"]):
        assert int(pct) <= 100, got["label_reason"]
    assert got["label"] != "not-converged", got


def test_a_training_loss_swinging_under_dropout_is_not_unstable() -> None:
    # the training loss swings 40% of its level (Dropout measures it with the noise on)
    # while the test loss rises from epoch 5: overfitting; without Dropout, unstable
    L = [0.8, 0.4, 0.2, 0.12, *[0.03 if i % 2 else 0.06 for i in range(36)]]
    T = [0.8, 0.5, 0.35, 0.3, 0.28, *[0.28 + 0.01 * i for i in range(35)]]
    A = [0.7, 0.8, 0.88, 0.9, 0.91, *[0.91] * 35]
    rec = record(L, T, A, achievable=0.92)
    assert labels.label(rec)["label"] == "unstable"
    rec["config"] = {"dropout": 0.5, "noise": 0.0}
    got = labels.label(rec)
    assert got["label"] == "overfitting", got
