"""Would more data help? A measured answer from learning curves on scikit-learn's digits.

Two models, each trained on growing fractions (10% … 100%) of the training folds and
scored on held-out folds (3-fold), with a power law ``val_error = a * n**-b + c`` fitted
to the validation error and extrapolated to twice the data:

* a wide network (Dense 256) on a small slice of the data: high variance, the gap
  between training and validation error closes as data grows → verdict "helps";
* a network far too small for the task: no hidden layer, on 4 features (the digits
  averaged down to 2×2 pixels, standardized): high bias, training and validation error converge at a
  poor level and stay flat → verdict "won't help" (more capacity or better features
  instead). It is trained with ``scale_epochs=True`` so that small subsets get as many
  gradient steps as the full one and are not mistaken for undertrained.

Runs offline in about a minute and a half of CPU time. Usage::

    python examples/learning_curve_digits.py [--out DIR]

With ``--out`` the two results are saved as learning-curve files
(``"schema": "fitdoctor.learning-curve/1"``) that ``fitdoctor analyze`` reads.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from sklearn.datasets import load_digits

from fitdoctor.cv import LearningCurveResult
from fitdoctor.validation import learning_curve

#: Samples of digits used for the high-variance curve (the small-data regime).
N_WIDE = 600


def wide() -> Any:
    """Dense 256 → softmax: far more capacity than a few hundred digits need."""
    import keras

    model = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def tiny() -> Any:
    """Softmax regression on 4 inputs: a model too small to tell ten digits apart."""
    import keras

    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(5e-2), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def pooled(x: np.ndarray) -> np.ndarray:
    """8×8 digits averaged over 4×4 blocks and standardized: 4 features per image."""
    p = x.reshape(-1, 2, 4, 2, 4).mean(axis=(2, 4)).reshape(-1, 4)
    return ((p - p.mean(axis=0)) / p.std(axis=0)).astype("float32")


def data() -> tuple[np.ndarray, np.ndarray]:
    """Digits scaled to [0, 1], shuffled once."""
    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    return (x[order] / 16.0).astype("float32"), y[order]


def run_wide(x: np.ndarray, y: np.ndarray, *, progress: bool = True) -> LearningCurveResult:
    """The high-variance setup: a wide network on the first ``N_WIDE`` digits."""
    return learning_curve(
        wide, x[:N_WIDE], y[:N_WIDE], sizes=(0.1, 0.25, 0.5, 1.0), k=3,
        fit_kwargs={"epochs": 20, "batch_size": 32}, seed=0, progress=progress,
    )


def run_tiny(x: np.ndarray, y: np.ndarray, *, progress: bool = True) -> LearningCurveResult:
    """The high-bias setup: softmax regression on 4 pooled features, all the digits."""
    return learning_curve(
        tiny, pooled(x), y, sizes=(0.1, 0.25, 0.5, 1.0), k=3,
        fit_kwargs={"epochs": 8, "batch_size": 32}, scale_epochs=True, seed=0,
        progress=progress,
    )


def show(title: str, result: LearningCurveResult) -> None:
    """Print the verdict, the extrapolated gain with its uncertainty, and the table."""
    ex = result.extrapolation
    print(f"\n== {title}")
    print(f"verdict: {result.verdict}")
    print(f"reason:  {result.reason}")
    if ex is not None:
        sd = f" ± {ex.gain_std:.3f}" if ex.gain_std is not None else ""
        print(f"2× data ({ex.n_target:,.0f} samples): validation error {ex.now:.3f} → "
              f"{ex.predicted:.3f}, gain {ex.gain:.3f}{sd}")
    print("\n".join(result.table_lines()))


def main() -> None:
    """Measure both curves, print them, optionally save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder to save the learning-curve files in")
    args = parser.parse_args()
    x, y = data()
    high_variance = run_wide(x, y)
    show(f"Dense 256 on {N_WIDE} digits (high variance)", high_variance)
    high_bias = run_tiny(x, y)
    show(f"no hidden layer, 4 features, {len(y):,} digits (high bias)", high_bias)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        high_variance.save(args.out / "learning_curve_wide.json")
        high_bias.save(args.out / "learning_curve_tiny.json")
        print(f"\nsaved to {args.out}/learning_curve_{{wide,tiny}}.json")


if __name__ == "__main__":
    main()
