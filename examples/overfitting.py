"""An overfitting run, and the same model with fitdoctor's advice applied.

A wide two-layer network trained for 80 epochs on 300 digits overfits: the
validation loss turns up while the training loss keeps falling. FitDoctor reports
where it starts and what to change. The second training applies the report's own
recommendations (the L2 factor and dropout it proposes, and early stopping with its
patience), read from the findings' evidence, not hard-coded.

Run: ``python examples/overfitting.py``
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from fitdoctor import FitDoctor


def build(l2: float = 0.0, dropout: float = 0.0) -> keras.Model:
    reg = keras.regularizers.L2(l2) if l2 else None
    layers: list[keras.layers.Layer] = [keras.Input(shape=(64,))]
    for _ in range(2):
        layers.append(keras.layers.Dense(512, activation="relu", kernel_regularizer=reg))
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(10, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    digits = load_digits()
    x = digits.data.astype("float32") / 16.0
    x_small, x_rest, y_small, y_rest = train_test_split(
        x, digits.target, train_size=300, random_state=0, stratify=digits.target
    )
    x_test, y_test = x_rest[:600], y_rest[:600]

    keras.utils.set_random_seed(0)
    print("== before: 2×512 units, no regularization, 80 epochs on 300 samples ==")
    before = FitDoctor(path="overfitting-before.json", report="text")
    model = build()
    model.fit(x_small, y_small, epochs=80, batch_size=32, validation_split=0.3,
              callbacks=[before], verbose=0)
    print(f"test accuracy before: {model.evaluate(x_test, y_test, verbose=0)[1]:.4f}")

    assert before.report is not None
    overfit = [f for f in before.report.findings if f.diagnosis == "overfitting"]
    if not overfit:
        print("no overfitting found this time; nothing to fix")
        return
    ev = overfit[0].evidence
    l2 = float(ev.get("l2_proposed") or 1e-4)
    dropout = float(ev.get("dropout_proposed") or 0.3)
    patience = before.report.best_epoch.patience if before.report.best_epoch else 5
    print(f"\n== after: L2 {l2:g}, dropout {dropout:g}, EarlyStopping(patience={patience}) ==")
    keras.utils.set_random_seed(0)
    after = FitDoctor(path="overfitting-after.json", report="text")
    model = build(l2, dropout)
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience or 5, restore_best_weights=True
    )
    model.fit(x_small, y_small, epochs=80, batch_size=32, validation_split=0.3,
              callbacks=[stop, after], verbose=0)
    print(f"test accuracy after: {model.evaluate(x_test, y_test, verbose=0)[1]:.4f}")


if __name__ == "__main__":
    main()
