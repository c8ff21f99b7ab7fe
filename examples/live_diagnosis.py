"""Live diagnosis: findings printed as they fire, and training stopped once overfitting is certain.

A network far too large (2×512 units, no regularization) for 400 samples of a
20-feature problem whose labels are 15% wrong (scikit-learn's ``make_classification``):
it memorizes the wrong labels within a few epochs. Trained for up to 60 epochs with
``FitDoctor(live=True, stop_on=["diverged", "overfitting"],
restore_best_weights=True)``: each finding is printed the epoch it fires,
training stops once the overfitting has lasted past the patience the report recommends,
and the best epoch's weights are restored. In a Jupyter notebook the same call also
shows the learning curves, redrawn in place with the findings marked.

For comparison the same network is then trained for all 60 epochs without stopping;
both are scored on 1,000 held-out test samples neither saw.

Run: ``python examples/live_diagnosis.py``
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
from sklearn.datasets import make_classification

from fitdoctor import FitDoctor

EPOCHS = 60


def build() -> keras.Model:
    model = keras.Sequential([
        keras.Input(shape=(20,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    x, y = make_classification(n_samples=1400, n_features=20, n_informative=6, flip_y=0.15,
                               random_state=0)
    x = x.astype("float32")
    x_small, y_small, x_test, y_test = x[:400], y[:400], x[400:], y[400:]

    print(f"== live: up to {EPOCHS} epochs, stop_on=['diverged', 'overfitting'] ==")
    keras.utils.set_random_seed(0)
    doctor = FitDoctor(path="live-run.json", live=True, stop_on=["diverged", "overfitting"],
                       restore_best_weights=True, report="text")
    model = build()
    model.fit(x_small, y_small, epochs=EPOCHS, batch_size=32, validation_split=0.25,
              callbacks=[doctor], verbose=0)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    run = doctor.run
    assert run is not None
    kept = run.meta.get("restored_epoch", run.n_epochs)
    print(f"test with the weights kept (epoch {kept} of {run.n_epochs}): loss {loss:.4f}, "
          f"accuracy {acc:.4f}")

    print(f"\n== the same network for all {EPOCHS} epochs ==")
    keras.utils.set_random_seed(0)
    model = build()
    model.fit(x_small, y_small, epochs=EPOCHS, batch_size=32, validation_split=0.25, verbose=0)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"test after epoch {EPOCHS}: loss {loss:.4f}, accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
