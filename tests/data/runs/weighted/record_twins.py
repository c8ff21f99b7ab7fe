#!/usr/bin/env python
"""Record a real imbalanced training and its class-weighted twin (tiny, CPU, ~20 s).

Usage:
    python tests/data/runs/weighted/record_twins.py [--out DIR]

Both runs train the same small Dense network (same seed, same data, same epochs) on
scikit-learn's ``make_classification`` with about 3% positives, validated on a
stratified split, with :class:`fitdoctor.FitDoctor` recording per-class metrics.

* ``plain.json``    — no weights: the minority's recall stays low; fitdoctor should
  recommend ``class_weight`` (with the trade-off it makes).
* ``weighted.json`` — the same training with the ``class_weight`` fitdoctor recommended
  for ``plain.json`` (scikit-learn's balanced weights): the run file records it, and the
  report must not recommend it again but the next step, with the precision/recall trade.

The files are fitdoctor run logs (``fitdoctor.run/2``). tests/test_weighted_twins.py
reads them; it does not train.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

OUT = Path(__file__).parent
EPOCHS = 30
SEED = 7


def data() -> tuple[object, object, object, object]:
    """About 3% positives, 20 features (5 informative), a stratified 25% validation split."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x, y = make_classification(
        n_samples=3000, n_features=20, n_informative=5, n_redundant=2, weights=[0.97],
        flip_y=0.01, class_sep=0.8, random_state=SEED,
    )
    x_tr, x_val, y_tr, y_val = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=SEED)
    scaler = StandardScaler().fit(x_tr)
    return (scaler.transform(x_tr).astype("float32"), y_tr.astype("float32"),
            scaler.transform(x_val).astype("float32"), y_val.astype("float32"))


def train(path: Path, class_weight: dict[int, float] | None) -> None:
    """One training, recorded to ``path``."""
    import keras

    from fitdoctor import FitDoctor

    x_tr, y_tr, x_val, y_val = data()
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([
        keras.Input((20,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  metrics=["accuracy"])
    path.unlink(missing_ok=True)
    model.fit(x_tr, y_tr, validation_data=(x_val, y_val), epochs=EPOCHS, batch_size=64,
              class_weight=class_weight, verbose=0,
              callbacks=[FitDoctor(path=path, report=None, reference=False)])


def main() -> None:
    """Record both runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    import fitdoctor

    plain = args.out / "plain.json"
    train(plain, None)
    # The weights fitdoctor recommended for the plain run, as a user would paste them.
    report = fitdoctor.analyze(fitdoctor.load(plain))
    weights = next(f.evidence["class_weights"] for f in report.findings
                   if "class_weights" in f.evidence)
    train(args.out / "weighted.json",
          {i: float(f"{w:.3g}") for i, w in enumerate(weights)})
    for name in ("plain.json", "weighted.json"):
        print(name, (args.out / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
