"""A regression run (MSE loss, MAE metric) on scikit-learn's diabetes data, diagnosed.

Run: ``python examples/regression.py``
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from fitdoctor import FitDoctor


def main() -> None:
    x, y = load_diabetes(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0)
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(x.shape[1],)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    doctor = FitDoctor(path="regression-run.json")
    model.fit(x_train, y_train, epochs=60, batch_size=32, validation_split=0.2,
              callbacks=[doctor], verbose=0)
    _, mae = model.evaluate(x_test, y_test, verbose=0)
    print(f"test MAE {mae:.1f} (target range {y.min():.0f}–{y.max():.0f})")


if __name__ == "__main__":
    main()
