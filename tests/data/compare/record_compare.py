#!/usr/bin/env python
"""Record the before/after pair used by tests/test_compare.py (real Keras trainings).

Usage:
    python tests/data/compare/record_compare.py [--out DIR]

The same Dense model is trained twice on a small stratified subset of scikit-learn's
bundled ``load_digits`` (no download), once as is and once with the regularization
fitdoctor recommends for overfitting (L2 on the kernels plus dropout):

    before.json   Dense(256, relu) → Dense(256, relu) → Dense(10, softmax), no regularization
    after.json    the same, with L2(5e-4) on every kernel and Dropout(0.5) after each hidden layer

Adam(3e-3), batch 32, 60 epochs, 200 training and 360 validation samples: BEFORE
memorizes the training set (training loss → 0) and its val_loss turns up after about
epoch 12 (FD101); AFTER's val_loss does not turn up. Keras adds the L2 penalty to
``val_loss``, so AFTER's val_loss is higher for the same predictions: compare runs that
change regularization on validation accuracy (the default monitor of ``fitdoctor compare``).

Each file is exactly ``json.dump(history.history, f)``: what a user already has.
Each training takes 10-20 s on one CPU core (TensorFlow's per-epoch overhead dominates).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

HERE = Path(__file__).resolve().parent

#: Shared by both trainings: only the regularization differs.
SEED = 0
N_TRAIN = 200
N_VAL = 360
EPOCHS = 60
BATCH = 32
LEARNING_RATE = 3e-3
UNITS = (256, 256)
L2 = 5e-4
DROPOUT = 0.5


def load_data() -> tuple[object, object, object, object]:
    """A fixed stratified train/validation subset of load_digits, scaled to [0, 1]."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    x_train, x_rest, y_train, y_rest = train_test_split(
        x, y, train_size=N_TRAIN, stratify=y, random_state=SEED
    )
    x_val, _, y_val, _ = train_test_split(
        x_rest, y_rest, train_size=N_VAL, stratify=y_rest, random_state=SEED
    )
    return x_train, y_train, x_val, y_val


def train(regularized: bool) -> dict[str, list[float]]:
    """Train the model once and return ``history.history``."""
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(SEED)
    x_train, y_train, x_val, y_val = load_data()
    reg = keras.regularizers.L2(L2) if regularized else None
    layers: list[object] = [keras.Input((64,))]
    for units in UNITS:
        layers.append(keras.layers.Dense(units, activation="relu", kernel_regularizer=reg))
        if regularized:
            layers.append(keras.layers.Dropout(DROPOUT))
    layers.append(keras.layers.Dense(10, activation="softmax", kernel_regularizer=reg))
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=EPOCHS,
        batch_size=BATCH,
        verbose=0,
    )
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, regularized in (("before", False), ("after", True)):
        t0 = time.perf_counter()
        hist = train(regularized)
        with open(args.out / f"{name}.json", "w") as fh:
            json.dump(hist, fh)
        best = min(range(len(hist["val_loss"])), key=hist["val_loss"].__getitem__)
        print(
            f"{name}: {time.perf_counter() - t0:.1f}s, best val_loss "
            f"{hist['val_loss'][best]:.3f} at epoch {best + 1}, last {hist['val_loss'][-1]:.3f}, "
            f"last loss {hist['loss'][-1]:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
