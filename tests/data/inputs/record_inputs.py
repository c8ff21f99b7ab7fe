#!/usr/bin/env python
"""Record the real-format input files the loader tests read (tests/test_io.py).

Usage:
    python tests/data/inputs/record_inputs.py

Trains tiny Keras models on scikit-learn's bundled data (no downloads) and writes, next
to this script, the files users actually have after ``model.fit``:

  keras_history.json          json.dump(history.history, f)   (iris, validation_split)
  csvlogger.csv               keras.callbacks.CSVLogger        (same run)
  pandas.csv                  pd.DataFrame(history.history).to_csv(f)
  pandas.json                 pd.DataFrame(history.history).to_json(f)
  other_logger.csv            the same curves, ';'-separated, no epoch column
  keras_history_vfreq3.json   validation_freq=3, 10 epochs: val_* lists have 3 values
  csvlogger_vfreq3.csv        CSVLogger of that run: NA on the epochs without validation
  csvlogger_noval.csv         CSVLogger without validation (it writes all-NA val_* columns)
  keras_history_diverged.json diabetes, SGD with the learning rate x4 every epoch: the
                              loss is finite for 3 epochs, then NaN (a learning_rate key)
  pandas_diverged.csv         that history via pandas (NaN written as empty cells)
  csvlogger_diverged.csv      CSVLogger of that run ("nan" cells)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes, load_iris
from sklearn.preprocessing import StandardScaler

OUT = Path(__file__).parent


def _iris() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    return StandardScaler().fit_transform(x[order]).astype("float32"), y[order]


def _classifier() -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _dump(history: dict[str, list[float]], name: str) -> None:
    with open(OUT / name, "w") as f:
        json.dump(history, f)


def main() -> None:
    keras.utils.set_random_seed(0)
    x, y = _iris()

    # 1. plain run with validation_split
    log = keras.callbacks.CSVLogger(str(OUT / "csvlogger.csv"))
    h = _classifier().fit(
        x, y, epochs=8, batch_size=16, validation_split=0.2, callbacks=[log], verbose=0
    )
    _dump(h.history, "keras_history.json")
    frame = pd.DataFrame(h.history)
    frame.to_csv(OUT / "pandas.csv")
    frame.to_json(OUT / "pandas.json")
    frame.to_csv(OUT / "other_logger.csv", sep=";", index=False)

    # 2. validation_freq=3
    log = keras.callbacks.CSVLogger(str(OUT / "csvlogger_vfreq3.csv"))
    h = _classifier().fit(
        x[:120],
        y[:120],
        epochs=10,
        batch_size=16,
        validation_data=(x[120:], y[120:]),
        validation_freq=3,
        callbacks=[log],
        verbose=0,
    )
    _dump(h.history, "keras_history_vfreq3.json")

    # 3. no validation at all
    log = keras.callbacks.CSVLogger(str(OUT / "csvlogger_noval.csv"))
    _classifier().fit(x, y, epochs=4, batch_size=16, callbacks=[log], verbose=0)

    # 4. a diverging regression
    xd, yd = load_diabetes(return_X_y=True)
    xd = StandardScaler().fit_transform(xd).astype("float32")
    yd = ((yd - yd.mean()) / yd.std()).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((10,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.SGD(learning_rate=0.01), "mse")
    log = keras.callbacks.CSVLogger(str(OUT / "csvlogger_diverged.csv"))
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.01 * 4.0**epoch)
    h = model.fit(
        xd, yd, epochs=6, batch_size=32, validation_split=0.2, callbacks=[schedule, log], verbose=0
    )
    _dump(h.history, "keras_history_diverged.json")
    pd.DataFrame(h.history).to_csv(OUT / "pandas_diverged.csv")
    print(json.dumps(h.history)[:300])


if __name__ == "__main__":
    main()
