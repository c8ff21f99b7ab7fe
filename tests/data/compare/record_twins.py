#!/usr/bin/env python
"""Record the twin runs of tests/test_compare.py: a change and what ``compare`` should say.

Usage:
    python tests/data/compare/record_twins.py [--out DIR]

Real Keras trainings recorded by ``FitDoctor`` on scikit-learn's bundled or generated
data (no download). Two pairs, each a run and its fixed twin:

* ``small_overfit.json`` / ``small_regularized.json`` (and the bare Keras histories
  ``small_overfit.history.json`` / ``small_regularized.history.json``, what a user who
  never used the callback has): ``load_breast_cancer``, 120 training and **15**
  validation samples. The first is a wide MLP trained 200 epochs without regularization
  (it memorizes the training set; its validation loss turns up); the second is the same
  model with L2, dropout and ``EarlyStopping(patience=15, restore_best_weights=True)``.
  On 15 samples the validation accuracy moves in steps of 1/15: a difference of one
  sample is not a regression.
* ``imbalanced.json`` / ``imbalanced_weighted.json``: ``make_classification`` with 3%
  positives, 3,000 training and 1,500 validation samples; the same model trained without
  and with the balanced ``class_weight`` fitdoctor recommends. The weights trade
  precision for minority recall; plain accuracy drops.

The runs record ``meta["class_weight"]`` (class → weight, or ``None``) and
``meta["sample_weight"]`` as a FitDoctor that reads them from ``fit`` does; this script
fills them in only where the callback did not (older versions).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 0


def _threads() -> None:
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # already initialized: keep going
        pass


def breast_cancer_small() -> tuple[Any, Any, Any, Any]:
    """Standardized breast-cancer features: 120 training, 15 validation samples (stratified)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_rest, y_train, y_rest = train_test_split(
        x, y, train_size=120, stratify=y, random_state=SEED
    )
    x_val, _, y_val, _ = train_test_split(
        x_rest, y_rest, train_size=15, stratify=y_rest, random_state=SEED
    )
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-9
    scale = lambda a: ((a - mean) / std).astype("float32")  # noqa: E731
    return scale(x_train), y_train.astype("float32"), scale(x_val), y_val.astype("float32")


def imbalanced_data() -> tuple[Any, Any, Any, Any]:
    """3% positives: 3,000 training and 1,500 validation samples (stratified)."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    x, y = make_classification(
        n_samples=4500, n_features=20, n_informative=6, n_redundant=4, weights=[0.97],
        flip_y=0.01, class_sep=0.8, random_state=SEED,
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=1500, stratify=y, random_state=SEED
    )
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-9
    scale = lambda a: ((a - mean) / std).astype("float32")  # noqa: E731
    return scale(x_train), y_train.astype("float32"), scale(x_val), y_val.astype("float32")


def _mlp(n_features: int, units: tuple[int, ...], *, l2: float = 0.0,
         dropout: float = 0.0, lr: float = 1e-3) -> Any:
    import keras

    reg = keras.regularizers.L2(l2) if l2 else None
    layers: list[Any] = [keras.Input((n_features,))]
    for u in units:
        layers.append(keras.layers.Dense(u, activation="relu", kernel_regularizer=reg))
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=reg))
    model = keras.Sequential(layers)
    model.compile(keras.optimizers.Adam(lr), "binary_crossentropy", metrics=["accuracy"])
    return model


def _fit(model: Any, data: tuple[Any, Any, Any, Any], *, name: str, epochs: int,
         batch_size: int, callbacks: list[Any] | None = None,
         class_weight: dict[int, float] | None = None) -> tuple[Any, dict[str, list[float]]]:
    """Fit with a FitDoctor that writes and prints nothing; the run and the History."""
    from fitdoctor import FitDoctor

    x_train, y_train, x_val, y_val = data
    doctor = FitDoctor(None, report=None, verbose=0, reference=False)
    history = model.fit(
        x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
        batch_size=batch_size, verbose=0, class_weight=class_weight,
        callbacks=[*(callbacks or []), doctor],
    )
    run = doctor.run
    assert run is not None
    run.name = name
    for key in ("started", "finished", "versions", "fact_sources"):
        run.meta.pop(key, None)
    run.seconds = None
    run.meta.setdefault(
        "class_weight", {str(k): v for k, v in class_weight.items()} if class_weight else None
    )
    run.meta.setdefault("sample_weight", False)
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    return run, hist


def small_pair() -> list[tuple[str, Any, dict[str, list[float]]]]:
    """The overfitting run and its regularized, early-stopped twin on 15 validation samples."""
    import keras

    out = []
    for name, regularized in (("small_overfit", False), ("small_regularized", True)):
        keras.backend.clear_session()
        keras.utils.set_random_seed(SEED)
        data = breast_cancer_small()
        if regularized:
            model = _mlp(30, (128, 128), l2=1e-3, dropout=0.3)
            stop = [keras.callbacks.EarlyStopping(patience=15, restore_best_weights=True)]
        else:
            model = _mlp(30, (128, 128))
            stop = []
        run, hist = _fit(model, data, name=name, epochs=200, batch_size=16, callbacks=stop)
        out.append((name, run, hist))
    return out


def imbalanced_pair() -> list[tuple[str, Any, dict[str, list[float]]]]:
    """The 3%-positives run and its class-weighted twin."""
    import keras

    out = []
    for name, weighted in (("imbalanced", False), ("imbalanced_weighted", True)):
        keras.backend.clear_session()
        keras.utils.set_random_seed(SEED)
        data = imbalanced_data()
        y_train = np.asarray(data[1]).astype(int)
        counts = np.bincount(y_train, minlength=2)
        weights = {c: float(len(y_train) / (2 * counts[c])) for c in range(2)}
        run, hist = _fit(_mlp(20, (32,), lr=3e-3), data, name=name, epochs=60,
                         batch_size=64, class_weight=weights if weighted else None)
        out.append((name, run, hist))
    return out


def main(argv: list[str] | None = None) -> int:
    """Record every pair into ``--out``."""
    from fitdoctor import storage

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--only", choices=("small", "imbalanced"), default=None)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    _threads()
    pairs = []
    if args.only in (None, "small"):
        pairs += small_pair()
    if args.only in (None, "imbalanced"):
        pairs += imbalanced_pair()
    for name, run, hist in pairs:
        storage.save(run, args.out / f"{name}.json")
        if name.startswith("small_"):
            with open(args.out / f"{name}.history.json", "w") as fh:
                json.dump(hist, fh)
        print(f"{name}: {run.n_epochs} epochs, status {run.status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
