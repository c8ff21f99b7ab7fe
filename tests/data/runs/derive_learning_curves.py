#!/usr/bin/env python
"""Derive the inconclusive learning curve of tests/rule_cases/FD713.toml from a real one.

Usage:
    python tests/data/runs/derive_learning_curves.py

``validation/learning_curve_wide_upper.json`` is ``validation/learning_curve_wide.json``
(recorded by examples/learning_curve_digits.py: Dense 256 on 600 digits, 3 folds) without
its smallest size: the curve measured at 25%, 50% and 100% of the training folds. With the
10% size it says more data helps (FD711); from the three upper sizes alone the fitted gain
of doubling (0.003 ± 0.004) straddles what would matter, while the fall per doubling is
real: a curve that cannot tell (FD713). Only the sizes are kept (the runs of the dropped
size go too).
"""

from __future__ import annotations

from pathlib import Path

from fitdoctor.cv import LearningCurveResult, load_learning_curve

HERE = Path(__file__).parent / "validation"


def main() -> None:
    """Write learning_curve_wide_upper.json next to its source."""
    wide = load_learning_curve(HERE / "learning_curve_wide.json")
    smallest = wide.sizes[0].fraction
    upper = LearningCurveResult(
        sizes=wide.sizes[1:], k=wide.k, score=wide.score, n_samples=wide.n_samples,
        seed=wide.seed, runs=[r for r in wide.runs if r.meta.get("fraction") != smallest],
        name="learning curve", meta={"derived_from": "learning_curve_wide.json",
                                     "dropped_fraction": smallest},
    )
    upper.save(HERE / "learning_curve_wide_upper.json")
    print(f"{upper.verdict}: {upper.reason}")


if __name__ == "__main__":
    main()
