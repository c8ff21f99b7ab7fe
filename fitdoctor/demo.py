"""``fitdoctor demo``: the classic Keras MNIST tutorial network, trained with ``FitDoctor()``.

The network is the one of Chollet's *Deep Learning with Python*, chapter 2: a
512-unit ReLU ``Dense`` layer and a 10-way softmax, RMSprop, categorical
cross-entropy, batch size 128, 10 epochs, inputs scaled to [0, 1]. It trains on MNIST
when Keras has already downloaded it to this machine (``~/.keras/datasets/mnist.npz``),
and otherwise on scikit-learn's bundled ``load_digits`` (8×8 digits, 1,797 samples),
which needs no network. Whichever it uses, it says so. 20% of the training data is
held out for validation, so the curves can be judged; the test set is evaluated once,
at the end.

Importing this module does not import keras; :func:`run_demo` does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from fitdoctor.callback import FitDoctor


@dataclass
class DemoData:
    """The arrays of the demo and where they came from.

    Args:
        name: ``"MNIST"`` or ``"load_digits"``.
        note: One line for the user saying which data set is used and why.
        x_train: Training inputs, flattened and scaled to [0, 1].
        y_train: Training labels, one-hot.
        x_test: Test inputs.
        y_test: Test labels, one-hot.
    """

    name: str
    note: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def _mnist_cache() -> Path:
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return home / "datasets" / "mnist.npz"


def _one_hot(y: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((y.size, k), dtype="float32")
    out[np.arange(y.size), y.astype(int)] = 1.0
    return out


def load_data(prefer_mnist: bool = True) -> DemoData:
    """MNIST if it is cached on this machine, else scikit-learn's digits.

    Args:
        prefer_mnist: Use MNIST when its file is cached. Defaults to `True`.

    Returns:
        The data, flattened, scaled to [0, 1] and one-hot encoded.
    """
    cache = _mnist_cache()
    if prefer_mnist and cache.is_file():
        with np.load(cache) as f:
            x_train, y_train = f["x_train"], f["y_train"]
            x_test, y_test = f["x_test"], f["y_test"]
        return DemoData(
            "MNIST",
            f"MNIST found in {cache}: 60,000 training and 10,000 test images",
            x_train.reshape((-1, 28 * 28)).astype("float32") / 255,
            _one_hot(y_train, 10),
            x_test.reshape((-1, 28 * 28)).astype("float32") / 255,
            _one_hot(y_test, 10),
        )
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.data.astype("float32") / 16.0
    x_train, x_test, y_train, y_test = train_test_split(
        x, digits.target, test_size=0.2, random_state=0, stratify=digits.target
    )
    return DemoData(
        "load_digits",
        f"MNIST is not cached here ({cache} not found) and this machine may be offline: "
        f"using scikit-learn's bundled digits instead ({len(x_train):,} training, "
        f"{len(x_test):,} test images of 8×8 pixels)",
        x_train,
        _one_hot(y_train, 10),
        x_test,
        _one_hot(y_test, 10),
    )


def build_model(n_features: int) -> Any:
    """The tutorial network: Dense(512, relu) → Dense(10, softmax), RMSprop."""
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(n_features,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def run_demo(
    *,
    epochs: int = 10,
    path: str | None = "fitdoctor-demo-run.json",
    report: str | None = "auto",
    seed: int = 0,
    prefer_mnist: bool = True,
    echo: Any = print,
) -> FitDoctor:
    """Train the tutorial network with ``FitDoctor()`` and print its report.

    Args:
        epochs: Epochs to train. Defaults to `10`, as in the tutorial.
        path: Where the run file is written. Defaults to `"fitdoctor-demo-run.json"`.
        report: Report format passed to ``FitDoctor``. Defaults to `"auto"`.
        seed: Random seed. Defaults to `0`.
        prefer_mnist: Use MNIST when cached. Defaults to `True`.
        echo: Function that prints a line. Defaults to `print`.

    Returns:
        The callback, holding ``.run`` and ``.report``.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from fitdoctor.callback import FitDoctor

    data = load_data(prefer_mnist)
    echo(f"fitdoctor demo: {data.note}.")
    echo(
        "Training the Keras tutorial network: Dense(512, relu) → Dense(10, softmax), "
        f"RMSprop, categorical_crossentropy, batch 128, {epochs} epochs, validation_split=0.2."
    )
    keras.utils.set_random_seed(seed)
    model = build_model(data.x_train.shape[1])
    doctor = FitDoctor(path=path, report=report, verbose=0)
    model.fit(
        data.x_train,
        data.y_train,
        epochs=epochs,
        batch_size=128,
        validation_split=0.2,
        callbacks=[doctor],
        verbose=0,
    )
    test_loss, test_acc = model.evaluate(data.x_test, data.y_test, verbose=0)
    echo(
        f"Test set, evaluated once after training: accuracy {test_acc:.4f}, "
        f"loss {test_loss:.4f} ({len(data.x_test):,} samples)."
    )
    if path:
        echo(f"Run saved to {path}; analyze it again with: fitdoctor analyze {path}")
    return doctor
