"""A model with setup bugs that fitdoctor catches before they cost a training.

Integer labels with ``categorical_crossentropy`` crash Keras in its first step with a
cryptic rank error; a hidden Dense layer without an activation silently turns the
network into logistic regression. ``FitDoctor`` records the model when training starts,
so ``fitdoctor analyze`` on the run file names both problems and the fix.

Run: ``python examples/setup_bug.py``
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
from sklearn.datasets import load_digits

import fitdoctor
from fitdoctor import FitDoctor
from fitdoctor.reporters import render


def main() -> None:
    digits = load_digits()
    x = digits.data.astype("float32") / 16.0
    y = digits.target  # integer labels
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(64,)),
            keras.layers.Dense(64),  # no activation: a linear hidden layer
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    # categorical_crossentropy expects one-hot labels; y holds integers
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    doctor = FitDoctor(path="setup_bug-run.json")
    try:
        model.fit(x, y, epochs=5, validation_split=0.2, callbacks=[doctor], verbose=0)
    except Exception as exc:  # Keras fails in the first step
        print(f"Keras stopped the training: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    report = fitdoctor.analyze("setup_bug-run.json")
    print(render(report, "text"))


if __name__ == "__main__":
    main()
