"""The Keras MNIST tutorial network, diagnosed by FitDoctor.

Dense(512, relu) → Dense(10, softmax), RMSprop, categorical cross-entropy, batch size
128, 10 epochs, inputs scaled to [0, 1] (Chollet, Deep Learning with Python, ch. 2).

Uses MNIST when Keras has it cached (``~/.keras/datasets/mnist.npz``); this machine is
offline, so otherwise it falls back to scikit-learn's bundled digits and says so. To use
MNIST on a machine with network access, run ``keras.datasets.mnist.load_data()`` once.

Run: ``python examples/mnist_mlp.py``
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras

from fitdoctor import FitDoctor
from fitdoctor.demo import load_data


def main() -> None:
    data = load_data()  # MNIST if cached, else load_digits (prints which below)
    print(data.note)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(data.x_train.shape[1],)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    doctor = FitDoctor(path="mnist_mlp-run.json")
    model.fit(
        data.x_train,
        data.y_train,
        epochs=10,
        batch_size=128,
        validation_split=0.2,
        callbacks=[doctor],
        verbose=0,
    )
    _, test_acc = model.evaluate(data.x_test, data.y_test, verbose=0)
    print(f"test accuracy {test_acc:.4f} (evaluated once, after training)")


if __name__ == "__main__":
    main()
