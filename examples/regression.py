"""A regression run (MSE loss, MAE metric) on scikit-learn's diabetes data, diagnosed.

Inputs and targets are standardized: with the raw targets (25–346) the same network
spends its first hundreds of epochs just learning their scale, and fitdoctor reports it
as not converged. Early stopping keeps the best epoch.

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
    x_scaler = StandardScaler().fit(x_train)
    y_mean, y_std = float(y_train.mean()), float(y_train.std())
    x_train, x_test = x_scaler.transform(x_train), x_scaler.transform(x_test)
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
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=10, restore_best_weights=True
    )
    model.fit(x_train, (y_train - y_mean) / y_std, epochs=200, batch_size=32,
              validation_split=0.2, callbacks=[stop, doctor], verbose=0)
    _, mae = model.evaluate(x_test, (y_test - y_mean) / y_std, verbose=0)
    print(f"test MAE {mae * y_std:.1f} (targets range {y.min():.0f}–{y.max():.0f})")


if __name__ == "__main__":
    main()
