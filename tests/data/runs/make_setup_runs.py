#!/usr/bin/env python
"""Write the model-setup run files used by tests/rule_cases/FD6*.toml.

Usage:
    python tests/data/runs/make_setup_runs.py [--out DIR]

Each file is a fitdoctor run (schema fitdoctor.run/1) with short, healthy curves and
model / compile / fit / data facts spelled the way ``fitdoctor.keras_facts`` records
them from a real Keras model (Dense without activation → ``"linear"``, Dropout rate in
``dropout``, activation layers by their function name, canonical loss names). Every
fault comes with a fixed twin that differs only in the fault. ``tutorial.json`` is the
classic MNIST-tutorial setup (Dense 512 relu → Dense 10 softmax, RMSprop,
categorical_crossentropy on one-hot labels, batch 128) on digits-sized data: every
model-setup rule must stay silent on it.

The real-Keras counterpart of these files is tests/test_model_setup_real.py.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fitdoctor.run import CompileInfo, DataInfo, FitInfo, Layer, ModelInfo, Run

OUT = Path(__file__).parent / "setup"

N_FEATURES = 64
N_TRAIN, N_VAL = 1437, 360
N_EPOCHS = 6


# ------------------------------------------------------------------ building blocks
def dense(name: str, units: int, activation: str = "linear", fan_in: int = N_FEATURES) -> Layer:
    """A Dense layer as keras_facts records it (activation ``linear`` when None)."""
    params = fan_in * units + units
    return Layer(name=name, class_name="Dense", path=name, units=units, activation=activation,
                 params=params, trainable_params=params, output_shape=[None, units])


def dropout(name: str, rate: float, width: int) -> Layer:
    """A Dropout layer (no activation attribute → ``None``)."""
    return Layer(name=name, class_name="Dropout", path=name, dropout=rate,
                 output_shape=[None, width])


def layer(name: str, class_name: str, width: int, activation: str | None = None) -> Layer:
    """A parameter-free layer: Activation, LeakyReLU, BatchNormalization, ..."""
    params = 4 * width if class_name == "BatchNormalization" else 0
    return Layer(name=name, class_name=class_name, path=name, activation=activation,
                 params=params, trainable_params=params // 2, output_shape=[None, width])


def mlp(*spec: tuple[str, int, str], extra: dict[int, list[Layer]] | None = None) -> ModelInfo:
    """A Sequential MLP from (name, units, activation) triples; ``extra[i]`` goes after layer i."""
    layers: list[Layer] = []
    fan_in = N_FEATURES
    for i, (name, units, act) in enumerate(spec):
        layers.append(dense(name, units, act, fan_in))
        layers.extend((extra or {}).get(i, []))
        fan_in = units
    out = layers[-1]
    last_act = next(lay.activation for lay in reversed(layers) if lay.activation is not None)
    total = sum(lay.params for lay in layers)
    return ModelInfo(name="sequential", class_name="Sequential", layers=layers, params=total,
                     trainable_params=total, input_shape=[None, N_FEATURES],
                     output_activation=last_act, output_units=out.output_shape[-1]
                     if out.output_shape else None)


def classification_data(n_classes: int, encoding: str) -> DataInfo:
    """Digits-like data facts."""
    per = N_TRAIN // n_classes
    return DataInfo(
        task="binary" if n_classes == 2 else "multiclass",
        label_encoding=encoding,
        n_train=N_TRAIN, n_val=N_VAL, n_features=N_FEATURES, n_classes=n_classes,
        class_names=[str(i) for i in range(n_classes)],
        train_class_counts=[per] * n_classes,
        val_class_counts=[N_VAL // n_classes] * n_classes,
    )


def regression_data() -> DataInfo:
    """Diabetes-like data facts."""
    return DataInfo(task="regression", n_train=353, n_val=89, n_features=10)


RMSPROP = {"name": "rmsprop", "learning_rate": 0.001, "rho": 0.9, "momentum": 0.0,
           "epsilon": 1e-07, "centered": False}


def rmsprop(loss: str, metrics: list[str] | None = None,
            from_logits: bool | None = False) -> CompileInfo:
    """Compile facts with RMSprop at 1e-3."""
    return CompileInfo(loss=loss, from_logits=from_logits, optimizer="RMSprop",
                       learning_rate=0.001, optimizer_config=dict(RMSPROP),
                       metrics=["accuracy"] if metrics is None else metrics)


def sgd(loss: str, momentum: float, lr: float = 0.01) -> CompileInfo:
    """Compile facts with SGD."""
    return CompileInfo(loss=loss, from_logits=False, optimizer="SGD", learning_rate=lr,
                       optimizer_config={"name": "sgd", "learning_rate": lr,
                                         "momentum": momentum, "nesterov": False},
                       metrics=["accuracy"])


def fit(batch_size: int = 128) -> FitInfo:
    """Fit facts: validation_split=0.2."""
    steps = -(-N_TRAIN // batch_size)
    return FitInfo(epochs=N_EPOCHS, batch_size=batch_size, steps_per_epoch=steps,
                   validation="split", validation_split=0.2, validation_freq=1)


def run(name: str, model: ModelInfo, compile: CompileInfo, data: DataInfo,
        fit_info: FitInfo | None = None) -> Run:
    """A completed run with short, healthy (converged) curves suited to the task."""
    metrics: dict[str, list[float | None]]
    if data.task == "regression":
        metrics = {
            "loss": [5200.0, 3400.0, 3050.0, 2960.0, 2930.0, 2920.0],
            "mae": [61.0, 48.0, 45.5, 44.7, 44.4, 44.3],
            "val_loss": [5100.0, 3500.0, 3200.0, 3130.0, 3110.0, 3112.0],
            "val_mae": [60.2, 49.1, 46.8, 46.1, 45.9, 45.9],
        }
        if compile.metrics and all("acc" in m for m in compile.metrics):
            metrics = {"loss": metrics["loss"], "accuracy": [0.0] * N_EPOCHS,
                       "val_loss": metrics["val_loss"], "val_accuracy": [0.0] * N_EPOCHS}
    else:
        metrics = {
            "loss": [1.20, 0.52, 0.36, 0.31, 0.295, 0.29],
            "accuracy": [0.71, 0.87, 0.91, 0.925, 0.93, 0.93],
            "val_loss": [1.05, 0.55, 0.43, 0.405, 0.40, 0.402],
            "val_accuracy": [0.75, 0.86, 0.89, 0.90, 0.905, 0.90],
        }
    metrics["learning_rate"] = [compile.learning_rate] * N_EPOCHS
    seconds: list[float | None] = [0.4, *([0.2] * (N_EPOCHS - 1))]
    return Run(epochs=list(range(1, N_EPOCHS + 1)), metrics=metrics,
               seconds=seconds,
               status="completed", source="fitdoctor", name=name, model=model,
               compile=compile, fit=fit_info or fit(), data=data,
               meta={"generator": "tests/data/runs/make_setup_runs.py"})


# ------------------------------------------------------------------ the runs
MULTI = classification_data(10, "sparse")
ONE_HOT = classification_data(10, "one-hot")
BINARY = classification_data(2, "binary")
SOFTMAX_HEAD = ("dense_1", 10, "softmax")


def _runs() -> dict[str, Callable[[], Run]]:
    hidden = ("dense", 64, "relu")
    return {
        # the tutorial: silent for every FD6 rule
        "tutorial": lambda: run(
            "tutorial", mlp(("dense", 512, "relu"), SOFTMAX_HEAD),
            rmsprop("categorical_crossentropy"), ONE_HOT),
        # FD601 linear hidden layer
        "fd601_linear_hidden": lambda: run(
            "fd601_linear_hidden", mlp(("dense", 64, "linear"), SOFTMAX_HEAD),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        "fd601_fixed_relu": lambda: run(
            "fd601_fixed_relu", mlp(hidden, SOFTMAX_HEAD),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        "fd601_linear_bn_dropout": lambda: run(
            "fd601_linear_bn_dropout",
            mlp(("dense", 64, "linear"), SOFTMAX_HEAD, extra={0: [
                layer("batch_normalization", "BatchNormalization", 64),
                dropout("dropout", 0.3, 64)]}),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        "fd601_fixed_activation_layer": lambda: run(
            "fd601_fixed_activation_layer",
            mlp(("dense", 64, "linear"), SOFTMAX_HEAD, extra={0: [
                layer("batch_normalization", "BatchNormalization", 64),
                layer("activation", "Activation", 64, "relu")]}),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        "fd601_fixed_leaky_relu": lambda: run(
            "fd601_fixed_leaky_relu",
            mlp(("dense", 64, "linear"), SOFTMAX_HEAD, extra={0: [
                layer("leaky_re_lu", "LeakyReLU", 64, "leaky_relu")]}),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        "fd601_second_hidden_linear": lambda: run(
            "fd601_second_hidden_linear",
            mlp(hidden, ("dense_1", 64, "linear"), ("dense_2", 10, "softmax")),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        # FD602 softmax on one unit
        "fd602_softmax_one_unit": lambda: run(
            "fd602_softmax_one_unit", mlp(hidden, ("dense_1", 1, "softmax")),
            rmsprop("binary_crossentropy"), BINARY),
        "fd602_fixed_sigmoid": lambda: run(
            "fd602_fixed_sigmoid", mlp(hidden, ("dense_1", 1, "sigmoid")),
            rmsprop("binary_crossentropy"), BINARY),
        # FD603 sigmoid with categorical crossentropy
        "fd603_sigmoid_cce": lambda: run(
            "fd603_sigmoid_cce", mlp(hidden, ("dense_1", 10, "sigmoid")),
            rmsprop("categorical_crossentropy"), ONE_HOT),
        "fd603_fixed_softmax": lambda: run(
            "fd603_fixed_softmax", mlp(hidden, SOFTMAX_HEAD),
            rmsprop("categorical_crossentropy"), ONE_HOT),
        # FD604 loss / label encoding
        "fd604_cce_integer_labels": lambda: run(
            "fd604_cce_integer_labels", mlp(hidden, SOFTMAX_HEAD),
            rmsprop("categorical_crossentropy"), MULTI),
        "fd604_fixed_sparse_loss": lambda: run(
            "fd604_fixed_sparse_loss", mlp(hidden, SOFTMAX_HEAD),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        "fd604_sparse_loss_one_hot": lambda: run(
            "fd604_sparse_loss_one_hot", mlp(hidden, SOFTMAX_HEAD),
            rmsprop("sparse_categorical_crossentropy"), ONE_HOT),
        # FD605 one output unit for several classes
        "fd605_one_unit_ten_classes": lambda: run(
            "fd605_one_unit_ten_classes", mlp(hidden, ("dense_1", 1, "sigmoid")),
            rmsprop("binary_crossentropy"), MULTI),
        "fd605_fixed_ten_units": lambda: run(
            "fd605_fixed_ten_units", mlp(hidden, SOFTMAX_HEAD),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        # FD606 probability loss on a linear output
        "fd606_linear_output": lambda: run(
            "fd606_linear_output", mlp(hidden, ("dense_1", 10, "linear")),
            rmsprop("sparse_categorical_crossentropy", from_logits=False), MULTI),
        "fd606_fixed_from_logits": lambda: run(
            "fd606_fixed_from_logits", mlp(hidden, ("dense_1", 10, "linear")),
            rmsprop("sparse_categorical_crossentropy", from_logits=True), MULTI),
        # FD607 from_logits=True on probabilities
        "fd607_logits_on_softmax": lambda: run(
            "fd607_logits_on_softmax", mlp(hidden, SOFTMAX_HEAD),
            rmsprop("sparse_categorical_crossentropy", from_logits=True), MULTI),
        # FD608 accuracy as the only metric of a regression
        "fd608_regression_accuracy": lambda: run(
            "fd608_regression_accuracy", mlp(hidden, ("dense_1", 1, "linear")),
            rmsprop("mean_squared_error", metrics=["accuracy"], from_logits=None),
            regression_data()),
        "fd608_fixed_mae": lambda: run(
            "fd608_fixed_mae", mlp(hidden, ("dense_1", 1, "linear")),
            rmsprop("mean_squared_error", metrics=["mae"], from_logits=None), regression_data()),
        # FD611 / FD612 hidden layers
        "fd611_three_hidden": lambda: run(
            "fd611_three_hidden",
            mlp(("dense", 64, "relu"), ("dense_1", 64, "relu"), ("dense_2", 64, "relu"),
                ("dense_3", 10, "softmax")),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        "fd612_funnel": lambda: run(
            "fd612_funnel", mlp(("dense", 128, "relu"), ("dense_1", 32, "relu"),
                                ("dense_2", 10, "softmax")),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        "fd612_fixed_equal": lambda: run(
            "fd612_fixed_equal", mlp(("dense", 128, "relu"), ("dense_1", 128, "relu"),
                                     ("dense_2", 10, "softmax")),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        # FD613 dropout
        "fd613_dropout_08": lambda: run(
            "fd613_dropout_08",
            mlp(hidden, SOFTMAX_HEAD, extra={0: [dropout("dropout", 0.8, 64)]}),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        "fd613_fixed_dropout_05": lambda: run(
            "fd613_fixed_dropout_05",
            mlp(hidden, SOFTMAX_HEAD, extra={0: [dropout("dropout", 0.5, 64)]}),
            rmsprop("sparse_categorical_crossentropy"), MULTI),
        # FD614 batch size
        "fd614_batch_100": lambda: run(
            "fd614_batch_100", mlp(hidden, SOFTMAX_HEAD),
            rmsprop("sparse_categorical_crossentropy"), MULTI, fit(100)),
        # FD615 optimizer
        "fd615_plain_sgd": lambda: run(
            "fd615_plain_sgd", mlp(hidden, SOFTMAX_HEAD),
            sgd("sparse_categorical_crossentropy", 0.0), MULTI),
        "fd615_fixed_sgd_momentum": lambda: run(
            "fd615_fixed_sgd_momentum", mlp(hidden, SOFTMAX_HEAD),
            sgd("sparse_categorical_crossentropy", 0.9), MULTI),
    }


def main(argv: list[str] | None = None) -> None:
    """Write every run file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in _runs().items():
        body: dict[str, Any] = make().to_dict()
        path = args.out / f"{name}.json"
        path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(_runs())} runs to {args.out}")


if __name__ == "__main__":
    main()
