"""Model-setup rules (FD6xx) on REAL compiled Keras models.

Every rule must fire on a real model that has the fault and stay silent on its fixed
twin. The facts come from ``fitdoctor.keras_facts`` (what ``FitDoctor()`` records):
the models are built and compiled, never trained, except in the end-to-end test that
runs one short ``fit`` with the callback. Data: scikit-learn's bundled sets.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fitdoctor.engine import analyze
from fitdoctor.report import Report, Severity
from fitdoctor.rules import Settings
from fitdoctor.run import Run

pytestmark = pytest.mark.keras

keras = pytest.importorskip("keras")
kf = pytest.importorskip("fitdoctor.keras_facts")
L = keras.layers


# ------------------------------------------------------------------ data
def _data() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits

    digits = load_digits()
    x_digits = (digits.data / 16.0).astype("float32")
    y_digits = digits.target.astype("int64")
    cancer = load_breast_cancer()
    x_cancer = cancer.data.astype("float32")
    x_cancer = (x_cancer - x_cancer.mean(axis=0)) / x_cancer.std(axis=0)
    diabetes = load_diabetes()
    return {
        "sparse": (x_digits, y_digits),
        "raw": (digits.data.astype("float32"), y_digits),  # pixels 0..16, unscaled
        "one-hot": (x_digits, np.eye(10, dtype="float32")[y_digits]),
        "binary": (x_cancer, cancer.target.astype("int64")),
        "regression": (diabetes.data.astype("float32"), diabetes.target.astype("float32")),
    }


DATA = _data()


@dataclass
class Setup:
    """A model to build (fresh layers every call), the labels it trains on, the batch size."""

    layers: Callable[[], list[Any]]
    loss: Any = "sparse_categorical_crossentropy"  # a name, or a factory of a loss
    labels: str = "sparse"
    optimizer: Callable[[], Any] | str = "rmsprop"
    metrics: tuple[str, ...] = ("accuracy",)
    batch_size: int = 128

    def model(self) -> Any:
        x, _ = DATA[self.labels]
        model = keras.Sequential([keras.Input((x.shape[1],)), *self.layers()])
        optimizer = self.optimizer() if callable(self.optimizer) else self.optimizer
        loss = self.loss() if callable(self.loss) else self.loss
        model.compile(optimizer=optimizer, loss=loss, metrics=list(self.metrics))
        return model


def describe(model: Any, labels: str, batch_size: int = 128) -> Run:
    """The run FitDoctor() would record for ``model`` on ``labels`` data (3 healthy epochs)."""
    x, y = DATA[labels]
    split = int(0.8 * len(y))
    model_info = kf.model_info(model)
    compile_info = kf.compile_info(model)
    data = kf.data_info(model_info, compile_info, y_train=y[:split], y_val=y[split:],
                        x_val=x[split:], x_train=x[:split])
    fit = kf.fit_info(
        {"epochs": 3, "steps": math.ceil(split / batch_size)},
        kf.FitArgs(x=x[:split], y=y[:split], batch_size=batch_size, epochs=3,
                   validation_split=0.2),
        n_train=split,
    )
    return Run(
        epochs=[1, 2, 3],
        metrics={"loss": [1.0, 0.6, 0.45], "val_loss": [1.0, 0.65, 0.55]},
        status="completed", source="fitdoctor", name=model.name,
        model=model_info, compile=compile_info, fit=fit, data=data,
    )


def findings(setup: Setup, code: str) -> Report:
    run = describe(setup.model(), setup.labels, setup.batch_size)
    report = analyze(run, Settings(select=[code]))
    assert not [f for f in report.findings if f.code == "FD000"], report.findings
    assert not report.skipped, report.skipped
    return report


def _codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


# ------------------------------------------------------------------ the cases
def relu64() -> Any:
    return L.Dense(64, activation="relu")


def softmax10() -> Any:
    return L.Dense(10, activation="softmax")


CASES: dict[str, tuple[Setup, Setup]] = {
    "FD601_dense_without_activation": (
        Setup(lambda: [L.Dense(64), softmax10()]),
        Setup(lambda: [relu64(), softmax10()]),
    ),
    "FD601_batchnorm_dropout_then_dense": (
        Setup(lambda: [L.Dense(64), L.BatchNormalization(), L.Dropout(0.3), softmax10()]),
        Setup(lambda: [L.Dense(64), L.BatchNormalization(), L.Activation("relu"), softmax10()]),
    ),
    "FD601_leaky_relu_layer": (
        Setup(lambda: [L.Dense(64), L.Dense(64, activation="relu"), softmax10()]),
        Setup(lambda: [L.Dense(64), L.LeakyReLU(), L.Dense(64, activation="relu"),
                       softmax10()]),
    ),
    "FD602_softmax_on_one_unit": (
        Setup(lambda: [L.Dense(16, activation="relu"), L.Dense(1, activation="softmax")],
              loss="binary_crossentropy", labels="binary"),
        Setup(lambda: [L.Dense(16, activation="relu"), L.Dense(1, activation="sigmoid")],
              loss="binary_crossentropy", labels="binary"),
    ),
    "FD603_sigmoid_with_categorical_crossentropy": (
        Setup(lambda: [relu64(), L.Dense(10, activation="sigmoid")],
              loss="categorical_crossentropy", labels="one-hot"),
        Setup(lambda: [relu64(), softmax10()],
              loss="categorical_crossentropy", labels="one-hot"),
    ),
    "FD604_categorical_loss_integer_labels": (
        Setup(lambda: [relu64(), softmax10()], loss="categorical_crossentropy"),
        Setup(lambda: [relu64(), softmax10()], loss="sparse_categorical_crossentropy"),
    ),
    "FD604_sparse_loss_one_hot_labels": (
        Setup(lambda: [relu64(), softmax10()], loss="sparse_categorical_crossentropy",
              labels="one-hot"),
        Setup(lambda: [relu64(), softmax10()], loss="categorical_crossentropy",
              labels="one-hot"),
    ),
    "FD605_one_unit_for_ten_classes": (
        Setup(lambda: [relu64(), L.Dense(1, activation="sigmoid")],
              loss="binary_crossentropy"),
        Setup(lambda: [relu64(), softmax10()]),
    ),
    "FD606_linear_output_without_from_logits": (
        Setup(lambda: [relu64(), L.Dense(10)]),
        Setup(lambda: [relu64(), L.Dense(10)],
              loss=lambda: keras.losses.SparseCategoricalCrossentropy(from_logits=True)),
    ),
    "FD606_softmax_activation_layer_counts": (
        Setup(lambda: [relu64(), L.Dense(10), L.Dropout(0.1)],
              loss=lambda: keras.losses.sparse_categorical_crossentropy),
        Setup(lambda: [relu64(), L.Dense(10), L.Activation("softmax")],
              loss=lambda: keras.losses.sparse_categorical_crossentropy),
    ),
    "FD607_from_logits_on_softmax": (
        Setup(lambda: [relu64(), softmax10()],
              loss=lambda: keras.losses.SparseCategoricalCrossentropy(from_logits=True)),
        Setup(lambda: [relu64(), softmax10()],
              loss=lambda: keras.losses.SparseCategoricalCrossentropy()),
    ),
    "FD608_regression_with_accuracy_only": (
        Setup(lambda: [relu64(), L.Dense(1)], loss="mse", labels="regression"),
        Setup(lambda: [relu64(), L.Dense(1)], loss="mse", labels="regression",
              metrics=("mae",)),
    ),
    "FD611_three_hidden_layers": (
        Setup(lambda: [relu64(), relu64(), relu64(), softmax10()]),
        Setup(lambda: [relu64(), softmax10()]),
    ),
    "FD612_funnel": (
        Setup(lambda: [L.Dense(128, activation="relu"), L.Dense(32, activation="relu"),
                       softmax10()]),
        Setup(lambda: [relu64(), relu64(), softmax10()]),
    ),
    "FD613_dropout_0_8": (
        Setup(lambda: [relu64(), L.Dropout(0.8), softmax10()]),
        Setup(lambda: [relu64(), L.Dropout(0.5), softmax10()]),
    ),
    "FD614_batch_100": (
        Setup(lambda: [relu64(), softmax10()], batch_size=100),
        Setup(lambda: [relu64(), softmax10()], batch_size=128),
    ),
    "FD615_plain_sgd": (
        Setup(lambda: [relu64(), softmax10()],
              optimizer=lambda: keras.optimizers.SGD(learning_rate=0.01)),
        Setup(lambda: [relu64(), softmax10()],
              optimizer=lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)),
    ),
    "FD616_raw_digits": (
        Setup(lambda: [relu64(), softmax10()], labels="raw"),
        Setup(lambda: [L.Rescaling(1 / 16), relu64(), softmax10()], labels="raw"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_rule_fires_on_fault_and_is_silent_on_fixed_twin(case: str) -> None:
    code = case.split("_", 1)[0]
    fault, fixed = CASES[case]
    bad = findings(fault, code)
    assert code in _codes(bad), f"{code} silent on the faulty model; skipped: {bad.skipped}"
    good = findings(fixed, code)
    assert code not in _codes(good), [f.message for f in good.findings]


def test_every_model_setup_rule_has_a_real_case() -> None:
    from fitdoctor.rules import load_rules

    covered = {case.split("_", 1)[0] for case in CASES}
    declared = {r.code for r in load_rules() if r.diagnosis == "model-setup"}
    assert declared <= covered, sorted(declared - covered)


def test_fd601_error_when_the_whole_network_is_linear_warning_otherwise() -> None:
    linear = findings(Setup(lambda: [L.Dense(64), softmax10()]), "FD601").findings[0]
    assert linear.severity is Severity.ERROR
    assert linear.evidence["first_layer"] == linear.evidence["layers"]
    assert linear.evidence["units"] == 64
    partly = findings(
        Setup(lambda: [relu64(), L.Dense(32), softmax10()]), "FD601"
    ).findings[0]
    assert partly.severity is Severity.WARNING
    assert partly.evidence["units"] == 32
    assert "activation='relu' on" in partly.recommendations[0].text


def test_fd601_names_layers_of_a_nested_model() -> None:
    inner = keras.Sequential([keras.Input((64,)), L.Dense(32)], name="encoder")
    inputs = keras.Input((64,))
    outputs = L.Dense(10, activation="softmax", name="head")(inner(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    report = analyze(describe(model, "sparse"), Settings(select=["FD601"]))
    (hit,) = report.findings
    assert hit.evidence["next_layer"] == "head"
    assert hit.evidence["units"] == 32


def test_fd604_recommends_the_sparse_loss_by_name() -> None:
    report = findings(Setup(lambda: [relu64(), softmax10()], loss="categorical_crossentropy"),
                      "FD604")
    texts = [r.text for r in report.findings[0].recommendations]
    assert ("Change loss='categorical_crossentropy' to "
            "loss='sparse_categorical_crossentropy'") in texts
    assert any("to_categorical(y, 10)" in t for t in texts)


def test_tutorial_network_is_clean() -> None:
    tutorial = Setup(lambda: [L.Dense(512, activation="relu"), softmax10()],
                     loss="categorical_crossentropy", labels="one-hot")
    run = describe(tutorial.model(), tutorial.labels, 128)
    report = analyze(run, Settings(select=["FD6"]))
    assert report.findings == [], [f.message for f in report.findings]
    assert report.skipped == []


def test_callback_records_what_the_rules_need(tmp_path: Path) -> None:
    from fitdoctor.callback import FitDoctor

    x, y = DATA["sparse"]
    x, y = x[:200], y[:200]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), L.Dense(32), L.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    doctor = FitDoctor(tmp_path / "run.json", report=None, per_class=False, verbose=0,
                       settings=Settings(select=["FD6"]))
    model.fit(x, y, epochs=2, batch_size=50, validation_split=0.2, verbose=0,
              callbacks=[doctor])
    assert doctor.report is not None
    codes = set(_codes(doctor.report))
    assert {"FD601", "FD614", "FD615"} <= codes, [f.message for f in doctor.report.findings]
    assert not codes & {"FD602", "FD603", "FD604", "FD605", "FD606", "FD607", "FD608"}


def test_fd604_keras_crash_leaves_a_run_file_that_names_the_fix(tmp_path: Path) -> None:
    """Keras 3 refuses mismatched label shapes in the first step with a shape error;
    the run file FitDoctor() wrote at train begin already says which loss to use."""
    import fitdoctor
    from fitdoctor.callback import FitDoctor

    x, y = DATA["sparse"]
    model = keras.Sequential([keras.Input((64,)), relu64(), softmax10()])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    path = tmp_path / "run.json"
    with pytest.raises(ValueError, match=r"shape|rank"):
        model.fit(x[:64], y[:64], epochs=1, verbose=0,
                  callbacks=[FitDoctor(path, report=None, per_class=False, verbose=0)])
    report = fitdoctor.analyze(path, Settings(select=["FD6"]))
    assert _codes(report) == ["FD604"], [f.message for f in report.findings]
    assert "sparse_categorical_crossentropy" in report.findings[0].recommendations[0].text


def test_fd601_skips_a_residual_network_whose_layer_list_interleaves_branches() -> None:
    """A ResNet block: conv (no activation) → BN, shortcut conv → BN, Add, ReLU.

    Flattened, the shortcut convolution sits right after the main branch's linear
    convolution, which a chain reading took for one linear layer feeding another (a false
    FD601 on ResNet50). The rule is skipped, naming the merge layer.
    """
    inputs = keras.Input((8, 8, 1))
    x = L.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    main = L.Conv2D(8, 3, padding="same")(x)
    main = L.BatchNormalization()(main)
    shortcut = L.Conv2D(8, 1, padding="same")(x)
    shortcut = L.BatchNormalization()(shortcut)
    x = L.Activation("relu")(L.Add(name="block_add")([main, shortcut]))
    outputs = L.Dense(10, activation="softmax")(L.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    report = analyze(describe(model, "sparse"), Settings(select=["FD601"]))
    assert report.findings == [], [f.message for f in report.findings]
    (skipped,) = report.skipped
    assert skipped.code == "FD601" and "block_add" in skipped.reason
