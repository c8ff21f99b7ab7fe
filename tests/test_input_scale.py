"""The training inputs' scale: the fact the callback records and the one test on it.

:func:`fitdoctor.data_facts.input_scale` measures (on the strided sample ``input_shift``
reads, the rows read once for both); :func:`fitdoctor.detectors.advice.inputs_off_unit_scale`
judges, for FD616 and for the curve rules' input advice alike.
"""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.datasets import load_breast_cancer, load_digits, make_friedman1
from sklearn.preprocessing import StandardScaler

from fitdoctor import data_facts
from fitdoctor.detectors.advice import input_scale_advice, inputs_off_unit_scale
from fitdoctor.run import DataInfo, Layer, ModelInfo, Run

RULES = Path(__file__).parent.parent / "rules"
THRESHOLDS = ("max_input_std", "min_input_max", "max_input_mean", "max_input_spread")


def _defaults(path: Path, table: str) -> dict[str, Any]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if table == "shared":
        params = data["params"]
    else:
        params = next(r for r in data["rule"] if r["code"] == table)["params"]
    return {name: params[name]["default"] for name in THRESHOLDS}


DEFAULTS = _defaults(RULES / "model_setup.toml", "FD616")


def test_fd616_and_the_curve_rules_share_one_test() -> None:
    # the same thresholds in both files: FD616 and the advice never disagree
    assert _defaults(RULES / "curves.toml", "shared") == DEFAULTS


def test_real_data_scales() -> None:
    digits = load_digits().data
    raw = data_facts.input_scale(digits)
    assert raw is not None
    std, mean, top, spread = raw
    assert std == pytest.approx(4.33, abs=0.01) and top == 16.0
    assert mean == pytest.approx(5.56, abs=0.01) and spread == pytest.approx(1.51, abs=0.01)
    unit = data_facts.input_scale(digits / 16.0)
    assert unit is not None and unit[0] == pytest.approx(std / 16) and unit[2] == 1.0
    assert unit[3] == pytest.approx(spread)  # the spread has no unit
    scaled = data_facts.input_scale(StandardScaler().fit_transform(digits))
    assert scaled is not None and scaled[0] == pytest.approx(1.0) and scaled[1] < 1e-6
    assert scaled[3] == pytest.approx(1.0)
    cancer = data_facts.input_scale(load_breast_cancer().data)
    assert cancer is not None and cancer[3] > 1000 and cancer[2] > 2500
    friedman = data_facts.input_scale(make_friedman1(1000, random_state=0)[0])
    assert friedman is not None and friedman[0] == pytest.approx(0.29, abs=0.01)


def test_shapes_dtypes_and_containers() -> None:
    digits = load_digits().data
    flat = data_facts.input_scale(digits)
    assert data_facts.input_scale(digits.reshape(-1, 8, 8, 1)) == pytest.approx(flat)  # images
    assert data_facts.input_scale(digits.astype(np.int64)) == pytest.approx(flat)  # integers
    assert data_facts.input_scale(digits.astype(np.uint8)) == pytest.approx(flat)
    assert data_facts.input_scale({"pixels": digits, "other": np.zeros((len(digits), 2))}) \
        == pytest.approx(flat)  # several named inputs: the first
    assert data_facts.input_scale(digits.tolist()) == pytest.approx(flat)


class _Dataset:
    """A ``tf.data``-like input: no rows to read without consuming it."""

    element_spec = None

    def __iter__(self) -> Any:
        raise AssertionError("a dataset must not be iterated")


def test_unreachable_or_unusable_inputs_give_none() -> None:
    nan = np.full((20, 3), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may reach the user's training log
        assert data_facts.input_scale(nan) is None  # no number at all
        assert data_facts.input_scale(np.ones((30, 4))) is None  # no feature varies
        assert data_facts.input_scale(np.array([[1.0, 2.0]])) is None  # one row
        assert data_facts.input_scale(np.array(["a", "b", "c"])) is None
        assert data_facts.input_scale(x for x in nan) is None  # a generator, not consumed
        assert data_facts.input_scale(_Dataset()) is None
        assert data_facts.input_scale(None) is None
        some = np.random.default_rng(1).normal(size=(20, 3))
        some[:, 0] = np.nan  # one all-NaN feature: the others are measured
        some[3, 1] = np.inf
        found = data_facts.input_scale(some)
        assert found is not None and all(np.isfinite(found))
    info = data_facts.data_info(None, None, x_train=_Dataset(), x_val=nan)
    assert (info.input_std, info.input_max, info.val_spread_ratio) == (None, None, None)


class _Counted:
    """A tensor-like input (shape, slicing, ``__array__``) that counts its conversions."""

    def __init__(self, values: np.ndarray, log: list[int]) -> None:
        self.values, self.shape, self.log = values, values.shape, log

    def __getitem__(self, index: Any) -> _Counted:
        return _Counted(self.values[index], self.log)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        self.log.append(len(self.values))
        return np.asarray(self.values, dtype=dtype)


def test_data_info_reads_the_training_rows_once() -> None:
    rng = np.random.default_rng(0)
    train, val = 3.0 * rng.normal(size=(9000, 5)) + 1.0, rng.normal(size=(3000, 5))
    log: list[int] = []
    info = data_facts.data_info(None, None, x_train=_Counted(train, log), x_val=val)
    assert len(log) == 1 and log[0] < len(train)  # one strided sample, for both facts
    shift = data_facts.input_shift(train, val)
    scale = data_facts.input_scale(train)
    assert shift is not None and scale is not None
    assert info.val_spread_ratio == pytest.approx(shift[0], rel=1e-3)
    assert info.input_std == pytest.approx(scale[0], rel=1e-3)
    assert info.input_mean == pytest.approx(1.0, abs=0.2)
    assert info.input_scale_spread == pytest.approx(scale[3], rel=1e-3)
    alone = data_facts.data_info(None, None, x_train=train)  # no validation inputs
    assert alone.input_std == info.input_std and alone.val_spread_ratio is None


_ARRAYS = hnp.arrays(
    dtype=st.sampled_from([np.float64, np.float32, np.int64, np.uint8, np.int8]),
    shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=7),
    elements={"allow_nan": True, "allow_infinity": True},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ARRAYS)
def test_any_array_gives_finite_facts_or_none(arr: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = data_facts.input_scale(arr)
    if found is None:
        return
    std, mean, top, spread = found
    assert std > 0 and mean >= 0 and top >= 0 and spread >= 1.0
    assert np.isfinite(std) and np.isfinite(mean)  # float overflow aside, the facts stand
    info = data_facts.data_info(None, None, x_train=arr)  # what the run file keeps: JSON
    for value in (info.input_std, info.input_mean, info.input_max, info.input_scale_spread):
        assert value is None or np.isfinite(value)


#: Values whose squares stay normal floats: a standard deviation squares the deviations,
#: and below about 1e-154 they underflow to subnormals or 0 (a fact of float64, not of
#: the inputs' scale).
_SQUARABLE = st.floats(-100, 100).filter(lambda v: v == 0 or abs(v) > 1e-100)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, (12, 3), elements=_SQUARABLE), st.floats(0.01, 1000))
def test_scaling_the_inputs_scales_the_facts(arr: np.ndarray, factor: float) -> None:
    before = data_facts.input_scale(arr)
    after = data_facts.input_scale(arr * factor)
    if before is None or after is None:
        return
    assert after[0] == pytest.approx(before[0] * factor, rel=1e-6)
    assert after[2] == pytest.approx(before[2] * factor, rel=1e-6)
    assert after[3] == pytest.approx(before[3], rel=1e-6)


def _run(first: str | None = "Dense", **facts: float) -> Run:
    layers = [Layer("input", "InputLayer"), Layer("flatten", "Flatten")]
    if first is not None:
        layers.append(Layer(first.lower(), first))
    layers.append(Layer("out", "Dense", units=10, activation="softmax"))
    return Run(epochs=[1], metrics={"loss": [1.0]}, model=ModelInfo(layers=layers),
               data=DataInfo(**facts))  # type: ignore[arg-type]


_RAW = dict(input_std=4.29, input_mean=5.53, input_max=16.0, input_scale_spread=1.52)


def test_far_from_unit_scale_and_what_decides() -> None:
    raw = inputs_off_unit_scale(_run(**_RAW), **DEFAULTS)
    assert raw["inputs_far"] is True and raw["far_by"] == "std"
    assert raw["first_layer"] == "Dense" and raw["pixels"] is False
    unit = inputs_off_unit_scale(
        _run(input_std=0.27, input_mean=0.35, input_max=1.0, input_scale_spread=1.5),
        **DEFAULTS)
    assert (unit["inputs_far"], unit["inputs_judged"]) == (False, True)
    mixed = dict(_RAW, input_std=0.07, input_mean=0.2, input_scale_spread=8329.0)
    assert inputs_off_unit_scale(_run(**mixed), **DEFAULTS)["far_by"] == "spread"
    years = dict(_RAW, input_std=2.0, input_mean=2015.0)
    assert inputs_off_unit_scale(_run(**years), **DEFAULTS)["far_by"] == "mean"
    tiny = dict(_RAW, input_std=1e-4, input_mean=0.0, input_max=5e-4)
    assert inputs_off_unit_scale(_run(**tiny), **DEFAULTS)["far_by"] == "tiny_values"
    # sparse inputs: a tiny median std (most entries 0), values that are not tiny
    tfidf = dict(_RAW, input_std=0.0077, input_mean=0.002, input_max=0.63,
                 input_scale_spread=40.0)
    assert inputs_off_unit_scale(_run(**tfidf), **DEFAULTS)["inputs_far"] is False
    pixels = dict(_RAW, input_std=68.0, input_max=255.0)
    assert inputs_off_unit_scale(_run(**pixels), **DEFAULTS)["pixels"] is True


@pytest.mark.parametrize("first", ["Normalization", "Rescaling", "BatchNormalization",
                                   "LayerNormalization", "Embedding", "TextVectorization"])
def test_a_model_that_scales_or_encodes_its_inputs_is_never_far(first: str) -> None:
    found = inputs_off_unit_scale(_run(first, **_RAW), **DEFAULTS)
    assert (found["inputs_far"], found["inputs_judged"]) == (False, True)
    assert found["first_layer"] == first
    # ... even without the fact (a dataset the callback could not read)
    assert inputs_off_unit_scale(_run(first), **DEFAULTS)["inputs_judged"] is True


def test_a_scaling_layer_deeper_in_the_model_does_not_count() -> None:
    run = _run(**_RAW)
    assert run.model is not None
    run.model.layers.insert(3, Layer("bn", "BatchNormalization"))  # after the first Dense
    assert inputs_off_unit_scale(run, **DEFAULTS)["inputs_far"] is True


def test_a_bare_history_is_not_judged() -> None:
    bare = Run(epochs=[1], metrics={"loss": [1.0]})
    found = inputs_off_unit_scale(bare, **DEFAULTS)
    assert (found["inputs_far"], found["inputs_judged"]) == (None, False)
    old = _run()  # a run file of an older version: a model, no input facts
    assert inputs_off_unit_scale(old, **DEFAULTS)["inputs_judged"] is False


def test_the_features_read_span_all_of_them() -> None:
    """3,000 features, the last 952 in other units: the strided features reach them (a
    floor stride of 1 read the first 2,048 alone, the top two thirds of a CIFAR image)."""
    x = np.random.default_rng(0).normal(size=(500, 3000))
    x[:, 2048:] *= 1000.0
    found = data_facts.input_scale(x)
    assert found is not None and found[3] > 100  # the spread is seen
    assert data_facts._feature_rows(x, 2000, 2048).shape == (500, 1500)  # every second one
    assert data_facts._feature_rows(x[:, :2048], 2000, 2048).shape == (500, 2048)


def test_a_frozen_first_layer_is_not_judged() -> None:
    """A pretrained backbone frozen under the model (VGG16 with base_model.trainable =
    False) expects its own preprocess_input (a standard deviation near 60), not unit
    scale: neither FD616 nor the advice tells to standardize; the same layer trainable is
    judged."""
    frozen = _run(**dict(_RAW, input_std=60.0))
    assert frozen.model is not None
    frozen.model.layers[2] = Layer("block1_conv1", "Conv2D", units=64, params=1792,
                                   trainable_params=0)
    found = inputs_off_unit_scale(frozen, **DEFAULTS)
    assert found["first_opaque"] is True and found["inputs_far"] is None
    frozen.model.layers[2] = Layer("block1_conv1", "Conv2D", units=64, params=1792,
                                   trainable_params=1792)
    assert inputs_off_unit_scale(frozen, **DEFAULTS)["inputs_far"] is True


def test_tiny_inputs_are_no_cause_of_a_blow_up() -> None:
    """Inputs in tiny units are far from unit scale (FD616, FD302's flat loss), but the
    blow-up rules' advice ('the first steps explode') holds only for large inputs."""
    tiny = input_scale_advice(_run(**dict(_RAW, input_std=1e-4, input_mean=0.0,
                                            input_max=5e-4)), **DEFAULTS)
    assert tiny["_inputs_far"] is True and tiny["_inputs_large"] is False
    raw = input_scale_advice(_run(**_RAW), **DEFAULTS)
    assert raw["_inputs_far"] is True and raw["_inputs_large"] is True


def test_a_feature_varying_at_float_scale_counts_alike_at_any_scale() -> None:
    """Hypothesis's case: a feature that varies by 4.5e-12 in one row. The float-noise bar
    is relative to the feature's values, so halving every input halves the median std
    exactly (an absolute part of the bar counted the feature at one scale, not the other)."""
    arr = np.zeros((12, 3))
    arr[0, 0], arr[0, 1] = 1.0, 4.47350487e-12
    before, after = data_facts.input_scale(arr), data_facts.input_scale(arr * 0.5)
    assert before is not None and after is not None
    assert after[0] == pytest.approx(before[0] * 0.5, rel=1e-9)
