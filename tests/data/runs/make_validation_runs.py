#!/usr/bin/env python
"""Record the validation-setup run files used by tests/rule_cases/FD70[2-4].toml.

Usage:
    python tests/data/runs/make_validation_runs.py [--out DIR]

Every file is a real (tiny) Keras training recorded by ``FitDoctor`` on scikit-learn's
bundled data, each fault with its fixed twin:

* ``fd702_val60.json`` / ``fd702_val5000.json``: the same kind of model validated on 60
  digits (too few to judge) and on 5,000 synthetic samples (enough);
* ``fd703_test_is_val.json`` / ``fd703_fixed.json``: a model validated on what is later
  passed to ``fitdoctor.validation.evaluate`` as the test set, and one validated on its
  own validation split and evaluated on a separate test split;
* ``fd704_dropout.json`` / ``fd704_fixed.json``: heavy dropout (the training loss is
  measured with it, the validation loss without) and the same model without dropout.

tests/test_validation.py repeats these trainings live (marked ``keras``); the builders
live here so both use the same setups.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

OUT = Path(__file__).parent / "validation"


def digits() -> tuple[np.ndarray, np.ndarray]:
    """Digits in [0, 1], shuffled once (seed 0)."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    return (x[order] / 16.0).astype("float32"), y[order]


def mlp(n_features: int, n_classes: int, *, units: int = 32, dropout: float = 0.0,
        lr: float = 3e-3) -> Any:
    """Dense(units, relu) [→ Dropout] → Dense(n_classes, softmax), Adam, accuracy."""
    import keras

    layers: list[Any] = [keras.Input((n_features,)), keras.layers.Dense(units, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(keras.optimizers.Adam(lr), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def record(model: Any, train: tuple[Any, Any], val: tuple[Any, Any], *, epochs: int,
           name: str, batch_size: int = 32) -> Any:
    """Fit ``model`` with a FitDoctor that writes nothing and prints nothing; return it."""
    from fitdoctor import FitDoctor

    doctor = FitDoctor(None, report=None, verbose=0, per_class=False)
    model.fit(train[0], train[1], validation_data=val, epochs=epochs, batch_size=batch_size,
              verbose=0, callbacks=[doctor])
    assert doctor.run is not None
    doctor.run.name = name
    return doctor


def fd702_small() -> Any:
    """Digits: 1,000 training samples, validated on 60."""
    import keras

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = digits()
    return record(mlp(64, 10), (x[60:1060], y[60:1060]), (x[:60], y[:60]), epochs=12,
                  name="fd702_val60")


def fd702_large() -> Any:
    """make_classification: 5,000 training samples, validated on 5,000."""
    import keras
    from sklearn.datasets import make_classification

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = make_classification(n_samples=10_000, n_features=20, n_informative=10,
                               n_classes=3, random_state=0)
    x = x.astype("float32")
    return record(mlp(20, 3), (x[:5000], y[:5000]), (x[5000:], y[5000:]), epochs=6,
                  name="fd702_val5000", batch_size=128)


def fd703(test_is_val: bool) -> Any:
    """Holdout 60/20/20 of digits; the fault validates on the test part."""
    import keras

    from fitdoctor.validation import evaluate, holdout_split

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = digits()
    train, val, test = holdout_split(x, y, seed=0)
    model = mlp(64, 10)
    doctor = record(model, train, test if test_is_val else val, epochs=6,
                    name="fd703_test_is_val" if test_is_val else "fd703_fixed")
    evaluate(model, test[0], test[1], run=doctor, warn=False)
    return doctor


def fd704(dropout: float) -> Any:
    """Digits, a wide layer with heavy dropout (or none)."""
    import keras

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = digits()
    return record(mlp(64, 10, units=64, dropout=dropout), (x[360:], y[360:]),
                  (x[:360], y[:360]), epochs=10,
                  name="fd704_dropout" if dropout else "fd704_fixed")


def main() -> None:
    """Record every file."""
    from fitdoctor import storage

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    doctors = [fd702_small(), fd702_large(), fd703(True), fd703(False), fd704(0.7), fd704(0.0)]
    for doctor in doctors:
        run = doctor.run
        for key in ("started", "finished", "versions"):
            run.meta.pop(key, None)
        run.seconds = None
        storage.save(run, args.out / f"{run.name}.json")
        print(f"wrote {args.out / (run.name + '.json')}")


if __name__ == "__main__":
    main()
