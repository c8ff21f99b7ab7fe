"""Logs that keep every k-th epoch (a loop printing every 10th): FD301 and FD201 agree.

FD301 reads its paces per epoch on such a log (rows k epochs apart); FD201's still-falling
guard is FD301's own test (:func:`fitdoctor.detectors.training._falls_on_its_own`), so it
must read the same per-epoch pace, or a loss creeping down under a flat, low accuracy
is neither unfinished (FD301: too slow per epoch) nor a plateau (FD201: "still falling,
FD301's") and the run reads healthy.
"""

from __future__ import annotations

import fitdoctor
from fitdoctor.run import Run


def _run(stride: int) -> Run:
    """A wild start, then a loss creeping down 8% a row while the accuracy holds at 0.34."""
    loss: list[float | None] = [20.0, 5.0, 1.2]
    while len(loss) < 24:
        loss.append(0.92 * float(loss[-1] or 0.0))
    acc: list[float | None] = [0.30 + 0.01 * min(k, 5) for k in range(24)]
    return Run(
        epochs=[stride * (k + 1) for k in range(24)],
        metrics={"loss": loss, "accuracy": acc,
                 "val_loss": [1.02 * float(v or 0.0) for v in loss],
                 "val_accuracy": [float(a or 0.0) - 0.01 for a in acc]},
    )


def _codes(run: Run) -> list[str]:
    """The curve rules that fire (FD702, the validation set's size, is not one)."""
    return [f.code for f in fitdoctor.analyze(run).findings if f.code in ("FD201", "FD301")]


def test_every_epoch_logged_the_fall_is_unfinished() -> None:
    # 8% an epoch is a steep pace: FD301, and FD201 leaves the run to it
    assert _codes(_run(1)) == ["FD301"]


def test_every_tenth_epoch_logged_the_creep_is_a_plateau_not_healthy() -> None:
    # 0.8% an epoch: not FD301's steep pace, so not FD201's still-falling guard either
    codes = _codes(_run(10))
    assert "FD301" not in codes
    assert "FD201" in codes
