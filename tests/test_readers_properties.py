"""Property-based tests: for any input, every reader gives runs or one InputError line.

Never another exception, never a traceback, never an empty list of runs. The budget is
small (a few seconds per reader); ``--hypothesis-seed`` reproduces a failure.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitdoctor import readers
from fitdoctor.errors import InputError
from fitdoctor.readers import Source, names, tfrecord
from fitdoctor.run import Run
from fitdoctor.vocabulary import is_accuracy

BUDGET = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def check(data: bytes | None = None, obj: Any = None) -> None:
    try:
        if data is not None:
            runs = readers.read_source(Source("<input>", None, data))
        else:
            runs = readers.runs_from_any(obj)
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message, message
        return
    assert runs and all(isinstance(r, Run) for r in runs)
    for run in runs:
        assert len(run.epochs) == run.n_epochs > 0
        assert all(b > a for a, b in zip(run.epochs, run.epochs[1:], strict=False))
        # a loss, or accuracies alone (read with a note: the loss checks skip)
        assert any("loss" in k or is_accuracy(k.removeprefix("val_")) for k in run.metrics)
        json.dumps(run.facts, allow_nan=False)


NAMES = st.sampled_from([
    "loss", "val_loss", "accuracy", "val_acc", "train_loss", "dev_loss", "test_loss",
    "Validation Loss", "epoch", "step", "lr", "out1_loss", "val_out1_loss", "fine_tune_loss",
    "phase_starts", "phase_labels", "eval_loss", "history", "params", "log_history", "x",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 50), st.floats(allow_nan=True),
    st.text(max_size=8),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=8),
        st.dictionaries(st.one_of(NAMES, st.text(max_size=6)), inner, max_size=6),
    ),
    max_leaves=40,
)


@BUDGET
@given(JSON)
def test_json_files(value: Any) -> None:
    check(json.dumps(value, allow_nan=True).encode())


@BUDGET
@given(st.dictionaries(NAMES, st.lists(st.one_of(st.floats(), st.none(), st.integers()),
                                        max_size=7), min_size=1, max_size=6))
def test_history_dicts_in_memory(value: dict[str, Any]) -> None:
    check(obj=value)


@BUDGET
@given(JSON)
def test_printed_python_values(value: Any) -> None:
    # str(history.history) saved to a file: whatever it holds, a report or one line
    check(repr(value).encode())


@BUDGET
@given(st.dictionaries(NAMES, st.lists(st.one_of(st.floats(), st.none(), st.integers()),
                                        max_size=7), max_size=6))
def test_printed_python_dicts_read_as_their_values(value: dict[str, Any]) -> None:
    from fitdoctor.readers.pyrepr import python_literal

    got = python_literal(repr(value))
    assert got is not None
    assert json.dumps(got, sort_keys=True) == json.dumps(value, sort_keys=True)


CELLS = st.one_of(
    st.floats(allow_nan=True).map(repr), st.integers(-3, 30).map(str),
    st.sampled_from(["", "NA", "nan", "inf", "0,5", "abc", "epoch", "loss", "val_loss"]),
)


@BUDGET
@given(
    st.sampled_from([",", ";", "\t"]),
    st.lists(NAMES, min_size=1, max_size=5),
    st.lists(st.lists(CELLS, min_size=1, max_size=6), max_size=10),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_csv_files(sep: str, header: list[str], rows: list[list[str]], newline: str) -> None:
    text = newline.join(sep.join(row) for row in [header, *rows]) + newline
    check(text.encode())


FRAGMENTS = st.sampled_from([
    "Epoch 1/3", "Epoch 2/3", "Epoch 3/3", "Epoch 1/1", "Epoch 2: early stopping",
    "12/12 ━━━━ 0s 9ms/step - accuracy: 0.4983 - loss: 1.9581 - val_loss: 1.8967",
    "12/12 [======] - ETA: 0s - loss: 2.3205", "3/12 [==>...] - ETA: 1s - loss: 2.5",
    "12/12 - 0s - loss: nan - val_loss: inf - 43ms/epoch - 4ms/step",
    "Epoch [2/5] Train Loss: 0.41, Val Loss: 0.52, Val Acc: 81%", "\x1b[1m", "\r", "\b\b",
    "UserWarning: something", "Restoring model weights from the end of the best epoch: 1.",
])


@BUDGET
@given(st.lists(FRAGMENTS, min_size=1, max_size=25), st.sampled_from(["\n", "\r", ""]))
def test_console_logs(parts: list[str], joiner: str) -> None:
    check(joiner.join(parts).encode())


def _record(payload: bytes) -> bytes:
    header = struct.pack("<Q", len(payload))
    return (header + struct.pack("<I", tfrecord.masked_crc32c(header)) + payload
            + struct.pack("<I", tfrecord.masked_crc32c(payload)))


@BUDGET
@given(st.lists(st.binary(max_size=60), min_size=1, max_size=8), st.binary(max_size=10))
def test_event_files(payloads: list[bytes], tail: bytes) -> None:
    check(b"".join(_record(p) for p in payloads) + tail)


@BUDGET
@given(st.binary(max_size=200))
def test_any_bytes(data: bytes) -> None:
    check(data)


@BUDGET
@given(st.lists(st.text(max_size=20), max_size=8),
       st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3))
def test_names_never_fail(logged: list[str], overrides: dict[str, str]) -> None:
    readings, notes = names.canonical_names(logged, overrides)
    assert set(readings) == set(logged)
    assert all(isinstance(n, str) for n in notes)
    targets = [r.canonical for r in readings.values() if r.canonical]
    assert len(targets) == len(set(targets))  # no two columns read as one


def test_a_float_epoch_value_is_not_a_crash() -> None:
    check(json.dumps([{"epoch": 0.5, "loss": 1.0}, {"epoch": math.pi, "loss": 0.5}]).encode())
