"""Introspection of models, compile and fit calls and data (fitdoctor.keras_facts)."""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, make_multilabel_classification
from sklearn.metrics import f1_score

from fitdoctor import keras_facts as kf
from fitdoctor.run import CompileInfo, DataInfo, ModelInfo


# ------------------------------------------------------------------ labels and task
@pytest.mark.parametrize(
    ("y", "expected"),
    [
        (np.array([0, 1, 1, 0]), "binary"),
        (np.array([[0.0], [1.0], [1.0]]), "binary"),
        (np.array([0, 3, 9, 2]), "sparse"),
        (np.eye(3)[[0, 2, 1, 1]], "one-hot"),
        (np.array([[1, 0, 1], [0, 0, 1]]), "multi-hot"),
        (np.array([0.5, 1.7, 3.2]), None),  # continuous: regression targets
        (np.array([-1, 0, 1]), None),
        (None, None),
    ],
)
def test_label_encoding(y: Any, expected: str | None) -> None:
    assert kf.label_encoding(y) == expected


@pytest.mark.parametrize(
    ("loss", "act", "units", "enc", "k", "task"),
    [
        ("binary_crossentropy", "sigmoid", 1, "binary", 2, "binary"),
        ("binary_crossentropy", "sigmoid", 1, None, None, "binary"),
        ("binary_crossentropy", "sigmoid", 5, "multi-hot", 5, "multilabel"),
        ("binary_crossentropy", "sigmoid", 5, None, None, "multilabel"),
        # one-hot rows under a binary loss: the labels say multi-class
        ("binary_crossentropy", "sigmoid", 10, "one-hot", 10, "multiclass"),
        ("categorical_crossentropy", "softmax", 10, "one-hot", 10, "multiclass"),
        ("sparse_categorical_crossentropy", "linear", 10, "sparse", 10, "multiclass"),
        ("sparse_categorical_crossentropy", "softmax", 2, "binary", 2, "binary"),
        # ten classes squeezed into one unit: still multi-class (a setup bug for the rules)
        ("binary_crossentropy", "sigmoid", 1, "sparse", 10, "multiclass"),
        ("mean_squared_error", "linear", 1, None, None, "regression"),
        ("mean_squared_error", "linear", 1, "sparse", 30, "regression"),  # integer targets
        (None, "softmax", 3, None, None, "multiclass"),
        (None, "linear", 1, None, None, None),
    ],
)
def test_infer_task(loss: str | None, act: str, units: int, enc: str | None, k: int | None,
                    task: str | None) -> None:
    assert kf.infer_task(loss, act, units, enc, k) == task


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("mse", "mean_squared_error"), ("MAE", "mean_absolute_error"),
     ("CategoricalCrossentropy", "categorical_crossentropy"), ("Huber", "huber"),
     ("BinaryFocalCrossentropy", "binary_focal_crossentropy"), ("logcosh", "log_cosh")],
)
def test_canonical_loss(name: str, canonical: str) -> None:
    assert kf.canonical_loss(name) == canonical


def test_infer_batch_size_only_when_unique() -> None:
    assert kf.infer_batch_size(1437, 12) is None  # 120..130 all give 12 steps
    assert kf.infer_batch_size(1000, 1000) == 1
    assert kf.infer_batch_size(100, 2) is None  # 50..99
    assert kf.infer_batch_size(10, 10) == 1
    assert kf.infer_batch_size(7, 4) == 2  # ceil(7/2) = 4, ceil(7/3) = 3
    assert kf.infer_batch_size(None, 5) is None and kf.infer_batch_size(10, None) is None
    for n, steps in [(1437, 12), (500, 7), (60000, 469)]:
        b = kf.infer_batch_size(n, steps)
        assert b is None or math.ceil(n / b) == steps


def test_fingerprint_is_stable_dtype_blind_and_sensitive() -> None:
    x = np.arange(12000, dtype=np.float32).reshape(1000, 12)
    y = np.arange(1000) % 3
    fp = kf.fingerprint(x, y)
    assert fp is not None and fp.startswith("blake2b:") and len(fp) == len("blake2b:") + 16
    assert kf.fingerprint(x.astype(np.float64), y.astype(np.float32)) == fp
    assert kf.fingerprint(x.copy(), y.copy()) == fp
    x2 = x.copy()
    x2[0, 0] = -1.0  # the strided sample includes the first value
    assert kf.fingerprint(x2, y) != fp
    assert kf.fingerprint(x[:-1], y[:-1]) != fp
    assert kf.fingerprint(None) is None


def test_subsample_is_even_and_bounded() -> None:
    idx = kf.subsample(10, 100)
    assert idx.tolist() == list(range(10))
    idx = kf.subsample(1000, 100)
    assert len(idx) == 100 and idx[0] == 0 and idx[-1] == 999
    assert np.all(np.diff(idx) > 0)


# ------------------------------------------------------------------ data facts, baselines
def test_data_info_and_baselines_multiclass_sparse() -> None:
    _, y = load_digits(return_X_y=True)
    yt, yv = y[:1400], y[1400:]
    model = ModelInfo(input_shape=[None, 8, 8], output_activation="softmax", output_units=10)
    comp = CompileInfo(loss="sparse_categorical_crossentropy")
    data = kf.data_info(model, comp, y_train=yt, y_val=yv)
    assert (data.task, data.label_encoding, data.n_classes) == ("multiclass", "sparse", 10)
    assert (data.n_train, data.n_val, data.n_features) == (1400, len(yv), 64)
    assert data.train_class_counts == np.bincount(yt, minlength=10).tolist()
    assert data.val_class_counts == np.bincount(yv, minlength=10).tolist()
    assert data.val_fingerprint is None  # no x_val given
    base = kf.baselines(data, comp.loss, y_train=yt, y_val=yv)
    assert base is not None
    counts = np.bincount(yt, minlength=10)
    assert base.majority_class == str(int(counts.argmax()))
    assert base.majority_accuracy == pytest.approx(np.mean(yv == counts.argmax()))
    assert base.prior_loss == pytest.approx(-np.mean(np.log(counts[yv] / counts.sum())))
    assert base.prior_loss == pytest.approx(math.log(10), abs=0.01)  # digits are balanced


def test_input_shift_tells_validation_inputs_left_unscaled() -> None:
    x = load_digits().data
    idx = np.random.default_rng(0).permutation(len(x))
    train, val = x[idx[:1400]] / 16.0, x[idx[1400:]]
    alike = kf.input_shift(train, val / 16.0)
    raw = kf.input_shift(train, val)
    assert alike is not None and raw is not None
    assert abs(alike[0] - 1.0) < 0.1 and alike[1] < 0.2  # a random split of the same data
    assert raw[0] == pytest.approx(16.0, rel=0.05) and raw[1] > 10.0
    images = kf.input_shift(train.reshape(-1, 8, 8), val.reshape(-1, 8, 8) / 16.0)
    assert images == pytest.approx(alike)  # inputs of any shape, compared per feature
    assert kf.input_shift(train, val[:, :10]) is None  # different features
    assert kf.input_shift(np.zeros((50, 3)), val[:, :3]) is None  # no training spread
    data = kf.data_info(None, None, x_train=train, x_val=val)
    assert data.val_spread_ratio == pytest.approx(raw[0], rel=1e-3)
    assert kf.data_info(None, None, x_val=val).val_spread_ratio is None


class _DeviceTensor:
    """A tensor-like input (shape, slicing, ``__array__``) that records what it converts."""

    converted: ClassVar[list[int]] = []

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self.shape = values.shape

    def __getitem__(self, index: Any) -> _DeviceTensor:
        return _DeviceTensor(self.values[index])

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        _DeviceTensor.converted.append(len(self.values))
        return np.asarray(self.values, dtype=dtype)


def test_input_shift_reads_a_sample_of_rows_never_the_whole_input() -> None:
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    train, val = rng.normal(size=(9000, 4)), 5.0 * rng.normal(size=(3000, 4))
    expected = kf.input_shift(train, val)
    assert expected is not None and expected[0] == pytest.approx(5.0, rel=0.1)
    _DeviceTensor.converted.clear()
    assert kf.input_shift(_DeviceTensor(train), _DeviceTensor(val)) == pytest.approx(expected)
    assert _DeviceTensor.converted and max(_DeviceTensor.converted) <= 2 * 2000
    frames = kf.input_shift(pd.DataFrame(train), pd.DataFrame(val))
    assert frames == pytest.approx(expected)  # a frame's rows taken with .iloc, alike
    many = {"a": _DeviceTensor(train), "b": np.zeros((9000, 2))}
    assert kf.input_shift(many, {"a": _DeviceTensor(val), "b": np.zeros((3000, 2))}) == \
        pytest.approx(expected)  # several inputs: the first one
    # ... the same named input from both, whatever the order of each dict
    reordered = {"b": np.zeros((3000, 4)), "a": _DeviceTensor(val)}
    assert kf.input_shift(many, reordered) == pytest.approx(expected)


def test_input_shift_stays_quiet_on_inputs_without_numbers() -> None:
    nan = np.full((20, 3), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may reach the user's training log
        assert kf.input_shift(nan, nan) is None
        some = np.random.default_rng(1).normal(size=(20, 3))
        some[:, 0] = np.nan  # one all-NaN feature: the others are compared
        assert kf.input_shift(some, some[:10]) is not None
        assert kf.input_shift(np.array(["a", "b", "c"]), np.array(["a", "b"])) is None
        assert kf.input_shift(np.array([[1, 2], [3]], dtype=object), nan) is None
        assert kf.input_shift((x for x in nan), nan) is None  # a generator is not consumed


def test_data_info_one_hot_more_classes_than_output_units() -> None:
    y = np.eye(4)[[0, 1, 2, 3, 3]]
    model = ModelInfo(output_activation="sigmoid", output_units=1)
    data = kf.data_info(model, CompileInfo(loss="binary_crossentropy"), y_train=y)
    assert (data.task, data.label_encoding, data.n_classes) == ("multiclass", "one-hot", 4)
    assert data.train_class_counts == [1, 1, 1, 2]


def test_baselines_regression_match_the_loss() -> None:
    yt = np.array([1.0, 2.0, 3.0, 6.0])
    yv = np.array([0.0, 4.0])
    data = DataInfo(task="regression")
    mse = kf.baselines(data, "mean_squared_error", y_train=yt, y_val=yv)
    mae = kf.baselines(data, "mean_absolute_error", y_train=yt, y_val=yv)
    huber = kf.baselines(data, "huber", y_train=yt, y_val=yv)
    other = kf.baselines(data, "poisson", y_train=yt, y_val=yv)
    assert mse is not None and mae is not None and huber is not None and other is not None
    assert mse.prior_loss == pytest.approx((3.0**2 + 1.0**2) / 2)  # mean 3
    assert mae.prior_loss == pytest.approx(2.0)
    assert huber.prior_loss == pytest.approx((2.5 + 0.5) / 2)
    assert other.prior_loss is None and mse.majority_accuracy is None


def test_baselines_multilabel_per_label_majority() -> None:
    _, y = make_multilabel_classification(n_samples=200, n_classes=4, random_state=0)
    data = kf.data_info(ModelInfo(output_activation="sigmoid", output_units=4),
                        CompileInfo(loss="binary_crossentropy"), y_train=y)
    assert (data.task, data.label_encoding, data.n_classes) == ("multilabel", "multi-hot", 4)
    assert data.train_class_counts == y.sum(axis=0).tolist()
    base = kf.baselines(data, "binary_crossentropy", y_train=y)
    assert base is not None
    majority = (y.mean(axis=0) >= 0.5).astype(float)
    assert base.majority_accuracy == pytest.approx(np.mean(y == majority))
    assert base.prior_loss is not None and 0 < base.prior_loss < math.log(2) + 1e-9


def test_baselines_without_labels_is_none() -> None:
    assert kf.baselines(DataInfo(task="binary", n_classes=2), "binary_crossentropy") is None


# ------------------------------------------------------------------ per class
def test_per_class_binary_threshold_maximises_f1() -> None:
    _, y = load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(0)
    # A deliberately miscalibrated score: everything squeezed below 0.5.
    score = 0.45 * (y * 0.6 + rng.uniform(0, 0.4, len(y)))
    pc = kf.per_class(3, y, score[:, None], n_classes=2)
    assert pc.epoch == 3 and pc.labels == ["0", "1"]
    assert pc.recall[1] == 0.0 and pc.precision[1] == 0.0  # zero_division=0, no crash
    assert pc.support == np.bincount(y).tolist()
    assert pc.confusion == [[int((y == 0).sum()), 0], [int((y == 1).sum()), 0]]
    assert pc.threshold is not None and pc.threshold < 0.5
    assert pc.threshold_f1 == pytest.approx(f1_score(y, score >= pc.threshold))
    grid = max(f1_score(y, score >= t) for t in np.linspace(0, 0.45, 60))
    assert pc.threshold_f1 >= grid - 1e-9


def test_per_class_logits_and_softmax() -> None:
    y = np.array([0, 1, 2, 2, 1])
    logits = np.array([[5, 0, 0], [0, 3, 0], [0, 0, 1], [2, 0, 1], [0, 1, 0]], dtype=float)
    pc = kf.per_class(1, y, logits, n_classes=3, from_logits=True)
    assert pc.confusion == [[1, 0, 0], [0, 2, 0], [1, 0, 1]]
    assert pc.precision == pytest.approx([0.5, 1.0, 1.0])
    assert pc.recall == pytest.approx([1.0, 1.0, 0.5])
    assert pc.threshold is None
    # One logit unit: sigmoid(0.2) > 0.5, sigmoid(-0.1) < 0.5.
    pc = kf.per_class(1, np.array([1, 0]), np.array([[0.2], [-0.1]]), n_classes=2,
                      from_logits=True)
    assert pc.confusion == [[1, 0], [0, 1]]


def test_per_class_keeps_classes_absent_from_the_sample() -> None:
    pc = kf.per_class(1, np.array([0, 0, 1]), np.eye(4)[[0, 1, 1]], n_classes=4)
    assert pc.support == [2, 1, 0, 0] and len(pc.confusion) == 4


# ------------------------------------------------------------------ runtime
def test_is_chief_reads_the_strategy() -> None:
    def model(should: Any) -> Any:
        return SimpleNamespace(
            distribute_strategy=SimpleNamespace(extended=SimpleNamespace(should_checkpoint=should))
        )

    assert kf.is_chief(model(False)) is False
    assert kf.is_chief(model(True)) is True


def test_json_safe_drops_objects() -> None:
    safe = kf.json_safe({"a": np.float32(0.5), "b": object(), "c": None, "d": [1, np.int64(2)],
                         "e": {"f": (1, 2)}})
    assert safe == {"a": 0.5, "c": None, "d": [1, 2], "e": {"f": [1, 2]}}


def test_clean_float_undoes_float32_noise() -> None:
    assert kf.clean_float(np.float32(1e-3)) == 0.001
    assert kf.clean_float(0.0010000000474974513) == 0.001
    assert kf.clean_float(0.0) == 0.0 and math.isnan(kf.clean_float(float("nan")))


# ------------------------------------------------------------------ keras objects
@pytest.mark.keras
def test_operations_on_the_inputs_before_the_first_layer_are_recorded() -> None:
    """``inputs / 255.0`` in a functional model is an operation, not a layer: recorded as
    ``input_ops`` (it may scale the inputs), so FD616 and the input advice do not judge
    what the layers alone do not show; after the first layer, operations do not count."""
    keras = pytest.importorskip("keras")
    from fitdoctor.detectors.advice import inputs_off_unit_scale
    from fitdoctor.run import DataInfo, Run

    inputs = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(4, 3, activation="relu")(inputs / 255.0)
    h = keras.layers.Flatten()(h) * 2.0
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(h))
    info = kf.model_info(model)
    assert info.input_ops == ["TrueDivide"]
    assert info.layers[0].class_name == "Conv2D"
    raw_pixels = DataInfo(input_std=70.0, input_mean=90.0, input_max=255.0,
                          input_scale_spread=1.4)
    run = Run(epochs=[1], metrics={"loss": [1.0]}, model=info, data=raw_pixels)
    found = inputs_off_unit_scale(run, max_input_std=3.0, min_input_max=0.01,
                                  max_input_mean=10.0, max_input_spread=100.0)
    assert found["first_opaque"] is True and found["first_layer"] == "TrueDivide"
    sequential = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2)])
    assert kf.model_info(sequential).input_ops == []


@pytest.mark.keras
def test_model_and_compile_info_from_keras_objects() -> None:
    keras = pytest.importorskip("keras")
    inner = keras.Sequential([keras.layers.Dense(8), keras.layers.ReLU(),
                              keras.layers.Dropout(0.6)], name="block")
    inputs = keras.Input((5,))
    h = inner(inputs)
    h = keras.layers.Dense(6, activation="tanh",
                           activity_regularizer=keras.regularizers.L1(0.01))(h)
    outputs = keras.layers.Dense(3)(h)
    outputs = keras.layers.Activation("softmax")(outputs)
    model = keras.Model(inputs, outputs, name="m")
    info = kf.model_info(model)
    assert [layer.class_name for layer in info.layers] == [
        "Dense", "ReLU", "Dropout", "Dense", "Dense", "Activation"]
    assert [layer.activation for layer in info.layers] == [
        "linear", "relu", None, "tanh", "linear", "softmax"]
    assert [layer.path for layer in info.layers[:3]] == [f"block/{la.name}" for la in inner.layers]
    assert info.layers[2].dropout == 0.6
    reg = info.layers[3].activity_regularizer
    assert reg is not None and (reg.kind, reg.l1, reg.l2) == ("L1", 0.01, 0.0)
    assert (info.output_activation, info.output_units) == ("softmax", 3)
    assert info.params == model.count_params() == (5 * 8 + 8) + (8 * 6 + 6) + (6 * 3 + 3)
    assert sum(layer.params for layer in info.layers) == info.params
    assert info.input_ops == []  # the inputs go straight into a layer

    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.CategoricalAccuracy(name="acc"), "auc"])
    comp = kf.compile_info(model)
    assert (comp.loss, comp.from_logits) == ("categorical_crossentropy", True)
    assert (comp.optimizer, comp.learning_rate) == ("SGD", 0.1)
    assert comp.optimizer_config["momentum"] == pytest.approx(0.9)
    assert comp.metrics == ["acc", "auc"]
    assert kf.learning_rate(model.optimizer) == 0.1
    assert kf.is_scheduled(model.optimizer) is False

    def my_loss(y_true: Any, y_pred: Any) -> Any:
        return keras.ops.mean((y_true - y_pred) ** 2)

    model.compile("adam", loss=my_loss)
    comp = kf.compile_info(model)
    assert (comp.loss, comp.from_logits, comp.optimizer) == ("my_loss", None, "Adam")
    assert comp.learning_rate == 0.001 and comp.metrics == []


@pytest.mark.keras
def test_recurrent_dropouts_read_through_bidirectional_and_rnn_cells() -> None:
    """A recurrent layer's ``dropout`` and ``recurrent_dropout`` are recorded, also when the
    layer is wrapped in Bidirectional or built as ``RNN(cell)``; other layers have none."""
    keras = pytest.importorskip("keras")
    model = keras.Sequential([
        keras.Input((5, 3)),
        keras.layers.Bidirectional(keras.layers.GRU(
            2, dropout=0.2, recurrent_dropout=0.25, return_sequences=True), name="bi"),
        keras.layers.RNN(keras.layers.LSTMCell(2, recurrent_dropout=0.1),
                         return_sequences=True, name="cell"),
        keras.layers.SimpleRNN(2, name="plain"),
        keras.layers.Dropout(0.4, name="drop"),
        keras.layers.Dense(1, name="out"),
    ])
    rates = [(la.name, la.dropout, la.recurrent_dropout) for la in kf.model_info(model).layers]
    assert rates == [("bi", 0.2, 0.25), ("cell", 0.0, 0.1), ("plain", 0.0, 0.0),
                     ("drop", 0.4, None), ("out", None, None)]
