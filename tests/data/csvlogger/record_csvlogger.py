#!/usr/bin/env python
"""Record ``keras.callbacks.CSVLogger`` files the way users get them, for the CSV reader tests.

Usage:
    python tests/data/csvlogger/record_csvlogger.py

Trains tiny Dense models on scikit-learn's bundled ``load_digits`` (no download) and
writes next to this script:

  appended_restarted.csv  CSVLogger(append=True) over three fit calls of fresh models
                          (4, 2 and 3 epochs): the epoch column goes back to 0 twice
  appended_resumed.csv    CSVLogger(append=True) over fit(epochs=3) then
                          fit(epochs=6, initial_epoch=3) of the same model: one run
  expected.json           each fit's History
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
from sklearn.datasets import load_digits

OUT = Path(__file__).parent


def _model() -> keras.Model:
    model = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    keras.utils.set_random_seed(0)
    expected: dict[str, list[dict[str, list[float]]]] = {"restarted": [], "resumed": []}
    restarted = OUT / "appended_restarted.csv"
    restarted.unlink(missing_ok=True)
    for epochs in (4, 2, 3):
        log = keras.callbacks.CSVLogger(str(restarted), append=True)
        h = _model().fit(x, y, epochs=epochs, batch_size=256, validation_split=0.2,
                         verbose=0, callbacks=[log])
        expected["restarted"].append(h.history)
    resumed = OUT / "appended_resumed.csv"
    resumed.unlink(missing_ok=True)
    model = _model()
    for epochs, initial in ((3, 0), (6, 3)):
        log = keras.callbacks.CSVLogger(str(resumed), append=True)
        h = model.fit(x, y, epochs=epochs, initial_epoch=initial, batch_size=256,
                      validation_split=0.2, verbose=0, callbacks=[log])
        expected["resumed"].append(h.history)
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
