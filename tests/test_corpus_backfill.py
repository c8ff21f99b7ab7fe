"""The corpus' backfilled data facts are the ones the callback would have recorded.

``record_corpus.py --backfill-facts`` (``tests/data/recorder/backfill.py``) writes the
validation inputs' statistics against the training inputs' into run files recorded before
the callback recorded them, from the arrays the recorder gives ``fit``, without training.
These tests check that it rebuilds the arrays the callback saw (Keras' own split, the
record's validation fingerprint), computes the facts with the callback's function and
rounding, and that every stored record carries exactly those facts.
"""

from __future__ import annotations

import copy
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from corpus import HALVES, load_corpus

from fitdoctor.data_facts import fingerprint, input_shift

sys.path.insert(0, str(Path(__file__).parent / "data"))

from recorder import backfill, configs, datasets, training


def _config(name: str) -> dict[str, Any]:
    return next(dict(c) for c in configs.CONFIGS if c["name"] == name)


def _rounded(shift: tuple[float, float] | None) -> dict[str, float | None]:
    if shift is None:
        return dict.fromkeys(backfill.BACKFILLED)
    return {"val_spread_ratio": float(f"{shift[0]:.4g}"),
            "val_mean_shift": float(f"{shift[1]:.4g}")}


def test_split_rows_are_keras_last_rows() -> None:
    cfg = _config("digits_tutorial_1ep")["cfg"]
    data = datasets.load("digits")
    seen = backfill.callback_inputs(data, cfg)
    n = len(data.x_pool)
    split_at = math.floor(n * (1.0 - cfg["val_frac"]))
    assert seen["mode"] == "validation_split"
    np.testing.assert_array_equal(seen["x_train"], data.x_pool[:split_at])
    np.testing.assert_array_equal(seen["x_val"], data.x_pool[split_at:])
    assert seen["x_train"].dtype == np.float32
    facts = backfill.input_facts(seen["x_train"], seen["x_val"])
    assert {k: facts[k] for k in backfill.BACKFILLED} == _rounded(
        input_shift(data.x_pool[:split_at], data.x_pool[split_at:]))
    # a random split of the same, scaled data: about 1x spread, a small shift
    assert 0.8 < facts["val_spread_ratio"] < 1.25 and facts["val_mean_shift"] < 0.3  # type: ignore[operator]


def test_split_casts_like_keras() -> None:
    wide = np.linspace(0.0, 1.0, 12, dtype=np.float64).reshape(6, 2)
    assert backfill._keras_slice_cast(wide).dtype == np.float32
    ints = np.arange(6)
    assert backfill._keras_slice_cast(ints) is ints


def test_unscaled_validation_data_is_the_raw_rows() -> None:
    cfg = _config("digits_unscaled_val")["cfg"]
    data = datasets.load("digits")
    seen = backfill.callback_inputs(data, cfg)
    arrays = training.validation_arrays(data, cfg)
    assert seen["mode"] == "validation_data"
    np.testing.assert_array_equal(seen["x_train"], arrays["fit_x"])
    np.testing.assert_array_equal(seen["x_val"], data.x_pool_unscaled[-len(seen["x_val"]):])
    facts = backfill.input_facts(seen["x_train"], seen["x_val"])
    assert {k: facts[k] for k in backfill.BACKFILLED} == _rounded(
        input_shift(arrays["fit_x"], seen["x_val"]))
    assert facts["val_spread_ratio"] > 10  # type: ignore[operator]  # raw 0..16 against /16


def test_backfill_checks_the_recorded_fingerprint() -> None:
    run = next(r for r in load_corpus("dev") if r.config["val"] == "tiny")
    record = copy.deepcopy(run.record)
    expected = {k: record["run"]["data"].pop(k) for k in backfill.BACKFILLED}
    assert backfill.backfill_record(record) == expected
    assert {k: record["run"]["data"][k] for k in backfill.BACKFILLED} == expected
    record["run"]["data"]["val_fingerprint"] = fingerprint(np.zeros(3))
    with pytest.raises(backfill.BackfillMismatch, match="fingerprint"):
        backfill.backfill_record(record)
    record = copy.deepcopy(run.record)
    record["run"]["data"]["n_val"] += 1
    with pytest.raises(backfill.BackfillMismatch, match="n_val"):
        backfill.backfill_record(record)


@pytest.mark.slow
def test_every_record_carries_the_rebuilt_facts() -> None:
    cache: dict[tuple[str, str], dict[str, Any]] = {}
    modes = set()
    for run in load_corpus(HALVES):
        record = copy.deepcopy(run.record)
        stored = {k: record["run"]["data"][k] for k in backfill.BACKFILLED}
        assert all(v is not None for v in stored.values()), run.name
        assert backfill.backfill_record(record, cache) == stored, run.name
        modes.add(run.config["val"])
    assert {"split", "sorted", "tiny", "unscaled", "unscaled_y", "shuffled"} <= modes


def test_reading_a_record_fills_in_the_inputs_scale() -> None:
    """``corpus.upgrade`` gives a record made before the callback recorded the training
    inputs' scale the numbers the callback would have recorded (dev half only)."""
    from corpus import upgrade

    runs = [r for r in load_corpus("dev") if r.data in ("digits_raw", "digits", "bc_raw")]
    assert {r.data for r in runs} == {"digits_raw", "digits", "bc_raw"}
    for run in runs:
        assert "input_std" not in run.record["run"]["data"]  # stored without them
        data = upgrade(run.record)["data"]
        seen = backfill.callback_inputs(datasets.load(run.data), run.config)
        facts = backfill.input_facts(seen["x_train"], seen["x_val"])
        assert {k: data[k] for k in backfill.SCALE_FACTS} == \
            {k: facts[k] for k in backfill.SCALE_FACTS}, run.name
    raw = next(r for r in runs if r.data == "digits_raw").run().data
    assert raw is not None and raw.input_max == 16.0 and raw.input_std > 4  # type: ignore[operator]
    # a record whose rows cannot be rebuilt as the callback saw them gets nothing
    record = copy.deepcopy(runs[0].record)
    record["run"]["data"]["val_fingerprint"] = fingerprint(np.zeros(3))
    assert "input_std" not in upgrade(record)["data"]
    # a record that has them keeps its own
    record = copy.deepcopy(runs[0].record)
    record["run"]["data"]["input_std"] = 123.0
    assert upgrade(record)["data"]["input_std"] == 123.0
