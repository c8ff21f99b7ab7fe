"""Rows a logger wrote that are not epochs' own values, found once the names are read.

* **Carried evaluations.** A loop that evaluates every k epochs and logs the last
  evaluation every epoch writes ``val_loss`` as ``[0.72, 0.72, 0.37, 0.37, ...]``: each
  value repeated, exactly, k epochs running. Read as one evaluation every k epochs (the
  repeats become gaps, as Keras's ``validation_freq`` leaves them), so no rule takes k
  equal values for a plateau. Only a strict period counts: the value changes at every
  k-th epoch and at no other, for at least :data:`MIN_PERIODS` periods; a curve that
  truly stays flat (``val_accuracy`` stuck at the majority class) does not change at
  every k-th epoch and is kept as logged.
* **Trailing evaluation rows.** PyTorch Lightning's ``trainer.test()`` or
  ``trainer.validate()`` after ``fit`` logs one epoch past the last: a row with no
  training value, only ``test_*`` or ``val_*`` ones, after epochs that each hold one. It
  is no epoch of the training: left out, its test values kept as facts and every value
  named in a note.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["MIN_PERIODS", "carried_evaluations", "trailing_evaluation_rows"]

#: Periods a repeat pattern must show before it is read as carried evaluations.
MIN_PERIODS = 3
_MAX_PERIOD = 10


def carried_evaluations(
    metrics: dict[str, list[Any]], metric_names: dict[str, str], notes: list[str]
) -> int | None:
    """Make the carried-over repeats of every ``val_*`` curve gaps, in place.

    Args:
        metrics: Keras name → one value per row (``None`` for a gap).
        metric_names: Keras name → logged name (for the note).
        notes: The run's notes; one is added per curve changed.

    Returns:
        The evaluation period found (the first), or None.
    """
    found: int | None = None
    held = [key for key in metrics if key.startswith("val_")]
    for key in held:
        values = metrics[key]
        period = _period(values)
        if period is None:
            continue
        first = values.index(next(v for v in values if v is not None))
        if not all(_carried(metrics[other], first, period) for other in held if other != key):
            continue  # another evaluation value changed between evaluations
        metrics[key] = [
            v if (i - first) % period == 0 else None if i > first else v
            for i, v in enumerate(values)
        ]
        found = found or period
        notes.append(
            f"`{metric_names.get(key, key)}` repeats each value {period} epochs running "
            f"(evaluated every {period} epochs, the last evaluation logged in between): "
            "read at the epochs it was evaluated"
        )
    return found


def _period(values: list[Any]) -> int | None:
    logged = [i for i, v in enumerate(values) if v is not None]
    if not logged or logged != list(range(logged[0], logged[-1] + 1)):
        return None  # gaps already: the logger says when it evaluated
    run = [values[i] for i in logged]
    if not all(isinstance(v, float) and math.isfinite(v) for v in run):
        return None
    for period in range(2, _MAX_PERIOD + 1):
        if len(run) < MIN_PERIODS * period:
            break
        if all((run[i] == run[i - 1]) == (i % period != 0) for i in range(1, len(run))):
            return period
    return None


def _carried(values: list[Any], first: int, period: int) -> bool:
    """No value of ``values`` changes between evaluations at ``first`` + k·``period``.

    Gaps count as no change (a curve logged only at evaluations is consistent).
    """
    for i in range(first + 1, len(values)):
        if (i - first) % period == 0:
            continue
        a, b = values[i - 1], values[i]
        if a is None or b is None or a == b:
            continue
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            continue
        return False
    return True


def _every_row(values: list[Any]) -> bool:
    """``values`` has a value at every row from its first one on (and has one)."""
    logged = [i for i, v in enumerate(values) if v is not None]
    return bool(logged) and len(logged) == len(values) - logged[0]


def trailing_evaluation_rows(
    metrics: dict[str, list[Any]],
    metric_names: dict[str, str],
    epochs: list[int],
    facts: dict[str, Any],
    notes: list[str],
) -> None:
    """Drop final rows that hold no training value, only held-out ones, in place.

    Such rows were logged after training: PyTorch Lightning's ``trainer.test()`` or
    ``trainer.validate()`` after ``fit`` logs at the epoch after the last one trained.
    Only when a training value was logged at every epoch before them: a training loss
    logged every few epochs (Lightning's ``log_every_n_steps`` over short epochs) leaves
    final epochs without one that were trained all the same.
    Their ``test_*`` values are kept as facts; their ``val_*`` values (an evaluation of
    the finished model, perhaps on other rows) are named in the note. A row trained when
    it holds the training loss (``loss``); a run without one is left as it is (a name
    kept as logged, such as ``Validation Loss`` beside ``val_loss``, may be anything).

    Args:
        metrics: Keras name → one value per row.
        metric_names: Keras name → logged name.
        epochs: The rows' epoch numbers (shortened with the metrics).
        facts: The run's facts; each dropped test value is kept under its logged name.
        notes: The run's notes.
    """
    held = [k for k in metrics if k.startswith(("test_", "val_"))]
    trained = ["loss"] if "loss" in metrics else []
    if not held or not trained:
        return
    dropped = 0
    while len(epochs) - dropped > 1:
        row = len(epochs) - 1 - dropped
        if any(metrics[k][row] is not None for k in trained):
            break
        if all(metrics[k][row] is None for k in held):
            break
        dropped += 1
    keep = len(epochs) - dropped
    if not dropped or not any(_every_row(metrics[k][:keep]) for k in trained):
        return  # no training value logged every epoch: its gaps are its cadence
    after: list[str] = []
    only_tests = True
    any_test = False
    for key in held:
        tail = [v for v in metrics[key][keep:] if v is not None]
        if tail:
            name = metric_names.get(key, key)
            after.append(f"{name} {tail[-1]:.4g}")
            if key.startswith("test_"):
                any_test = True
                facts.setdefault(name, tail[-1] if math.isfinite(tail[-1]) else str(tail[-1]))
            else:
                only_tests = False
    for key in list(metrics):
        metrics[key] = metrics[key][:keep]
        if all(v is None for v in metrics[key]):
            del metrics[key]
            metric_names.pop(key, None)
    del epochs[keep:]
    rows = "row holds" if dropped == 1 else f"{dropped} rows hold"
    if only_tests:
        notes.append(
            f"the last {rows} only test values (a test after training, logged one epoch "
            "on): kept as facts, not as an epoch"
        )
    else:
        notes.append(
            f"the last {rows} no training value, only values logged after training "
            f"(trainer.validate or trainer.test after fit: {', '.join(after)}): left out of "
            f"the curves{', its test values kept as facts' if any_test else ''}"
        )
