"""Readers: Keras History JSON and CSVLogger files, every unusable input, every unusual one.

Real-format files (recorded from tiny Keras trainings by
``tests/data/inputs/record_inputs.py``) live in ``tests/data/inputs``; edge cases that
are clearer inline are written to ``tmp_path``. The formats added later have their own
files (``test_readers_*.py``); the atomic writer is ``test_storage.py``.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fitdoctor import readers
from fitdoctor import storage as io_storage
from fitdoctor.errors import InputError
from fitdoctor.readers import _base
from fitdoctor.run import Run

INPUTS = Path(__file__).parent / "data" / "inputs"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def refused(source: Any, match: str) -> str:
    """Load ``source``; assert InputError with a one-line message matching ``match``."""
    with pytest.raises(InputError, match=match) as info:
        readers.from_any(source)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert len(message) < 300
    if isinstance(source, Path):
        assert message.startswith(str(source))  # names the input
    return message


def isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def history(path: Path) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = json.loads(path.read_text())
    return result


def loss_curves(run: Run) -> dict[str, list[float | None]]:
    return {k: v for k, v in run.metrics.items() if "loss" in k}


# ================================================================== unusable inputs


def test_missing_file(tmp_path: Path) -> None:
    refused(tmp_path / "nope.json", "no such file")


def test_directory(tmp_path: Path) -> None:
    """An empty folder names both things a folder is searched for (history files too)."""
    refused(tmp_path, re.escape("a folder without history files (*.json, *.jsonl, *.csv"))
    refused(tmp_path, "or TensorBoard event files")


def test_folder_of_history_files_where_one_run_is_read(tmp_path: Path) -> None:
    """A sweep's folder given where one run is read (compare, plot, load) says it holds
    history files and to pass one: it was refused as "a folder without history files"."""
    write(tmp_path, "a.json", '{"loss": [1.0, 0.5]}')
    write(tmp_path, "b.json", '{"loss": [1.0, 0.4]}')
    write(tmp_path, "c.csv", "epoch,loss\n0,1.0\n")
    with pytest.raises(InputError) as caught:
        readers.load_runs(tmp_path)
    message = str(caught.value)
    assert "a folder of 3 history files" in message and "a.json" in message
    assert "without history files" not in message and "pass one of them" in message


@pytest.mark.parametrize("content", ["", "   \n\n\t "])
def test_empty_file(tmp_path: Path, content: str) -> None:
    refused(write(tmp_path, "h.json", content), "empty file")


def test_binary_garbage(tmp_path: Path) -> None:
    blob = bytes(range(256)) * 8
    refused(write(tmp_path, "h.json", blob), "binary data")


def test_non_utf8_text(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "epoch,pérte\n0,0.5\n".encode("latin-1"))
    refused(path, r"not UTF-8 text \(byte 0xe9 at offset 7\)")


def test_invalid_json(tmp_path: Path) -> None:
    refused(write(tmp_path, "h.json", '{"loss": [0.5, 0.4,, 0.3]}'), r"invalid JSON \(line 1")


def test_truncated_json(tmp_path: Path) -> None:
    text = json.dumps(history(INPUTS / "keras_history.json"))
    refused(write(tmp_path, "h.json", text[: len(text) // 2]), "truncated JSON")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('["0.5", "0.4"]', "JSON array of str, expected an object of metric lists"),
        # numbers alone are a curve; beside text they are not: the message names both
        ('[0.5, "0.4"]', "JSON array of numbers and str, expected an object"),
        ('[0.5, [0.4]]', "JSON array of numbers and list, expected an object"),
        ('"loss"', "JSON string, expected an object"),
        ("42", "JSON number, expected an object"),
        ('{"loss": 0.5, "val_loss": 0.6}', "metric 'loss' is a number .0.5., expected a list"),
        ('{"loss": "0.5"}', "metric 'loss' is text '0.5', expected a list"),
        ('{"loss": {"a": 1}}', "metric 'loss' is an object, expected a list"),
        ("{}", "no metrics"),
        ('{"loss": [], "val_loss": []}', "no epochs"),
    ],
)
def test_json_of_the_wrong_shape(tmp_path: Path, text: str, match: str) -> None:
    refused(write(tmp_path, "h.json", text), match)


def test_strings_where_numbers_belong(tmp_path: Path) -> None:
    data = history(INPUTS / "keras_history.json")
    data["val_loss"][4] = "0.93"
    message = refused(write(tmp_path, "h.json", json.dumps(data)), "metric 'val_loss', epoch 5")
    assert "expected a number, got text '0.93'" in message


def test_strings_in_a_shorter_val_list_name_the_entry(tmp_path: Path) -> None:
    text = '{"loss": [1, 0.9, 0.8, 0.7], "val_loss": [1.0, "x"]}'
    refused(write(tmp_path, "h.json", text), "metric 'val_loss', value 2: expected a number")


def test_bool_values(tmp_path: Path) -> None:
    text = '{"loss": [1.0, 0.9, true], "val_loss": [1.1, 1.0, 0.9]}'
    refused(
        write(tmp_path, "h.json", text), "metric 'loss', epoch 3: expected a number, got boolean"
    )


def test_val_lists_longer_than_train_lists(tmp_path: Path) -> None:
    text = '{"loss": [1.0, 0.9], "val_loss": [1.1, 1.0, 0.9]}'
    refused(
        write(tmp_path, "h.json", text), "'val_loss' has 3 values but the training metrics have 2"
    )


@pytest.mark.parametrize(
    "text",
    [
        "run,optimizer\nbaseline,adam\nwide,sgd\n",
        "epoch,note\n0,warmup\n1,go\n",
        "hello world\nthis is not a history\n",
    ],
)
def test_csv_with_no_numeric_metric_column(tmp_path: Path, text: str) -> None:
    refused(write(tmp_path, "log.csv", text), "no numeric metric column")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("0,0.5,0.6\n1,0.4,0.5\n", "no header row"),
        ("epoch,loss,val_loss\n", "header but no rows"),
        ("epoch,loss\n0,0.5\n1,0.4,0.3\n", "line 3 has 3 fields .'1,0.4,0.3'., the header has 2"),
        (
            "epoch,loss\n0,0.5\n1,zero\n2,0.3\n",
            "metric 'loss', epoch 2: expected a number, got text",
        ),
        ("epoch,loss\n0,0.5\none,0.4\n", "epoch column, row 2: expected a whole number"),
        ("epoch,loss,loss\n0,0.5,0.5\n", "duplicate column 'loss'"),
    ],
)
def test_unusable_csv(tmp_path: Path, text: str, match: str) -> None:
    refused(write(tmp_path, "log.csv", text), match)


def test_unknown_schema_version(tmp_path: Path) -> None:
    data = Run(epochs=[1], metrics={"loss": [0.5]}).to_dict()
    data["schema"] = "fitdoctor.run/7"
    refused(
        write(tmp_path, "run.json", json.dumps(data)), "unsupported run schema 'fitdoctor.run/7'"
    )


def test_a_report_is_not_a_run(tmp_path: Path) -> None:
    text = '{"schema": "fitdoctor.report/1", "findings": []}'
    refused(write(tmp_path, "report.json", text), "fitdoctor report")


def test_a_run_file_without_schema(tmp_path: Path) -> None:
    data = Run(epochs=[1], metrics={"loss": [0.5]}).to_dict()
    del data["schema"]
    refused(write(tmp_path, "run.json", json.dumps(data)), "without its 'schema' key")


def test_malformed_run_file(tmp_path: Path) -> None:
    data = Run(epochs=[1, 2], metrics={"loss": [0.5, 0.4]}).to_dict()
    data["metrics"]["val_loss"] = [0.6]
    refused(write(tmp_path, "run.json", json.dumps(data)), "metric 'val_loss' has 1 values for 2")


def test_file_over_the_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "h.json", json.dumps({"loss": [0.5] * 1000}))
    monkeypatch.setattr(_base, "MAX_BYTES", 1024)
    refused(path, "over the 1024 bytes cap")


def test_the_size_cap_is_documented_and_generous() -> None:
    assert readers.MAX_BYTES == 64 * 2**20
    assert "MAX_BYTES" in (readers.__doc__ or "")


@pytest.mark.parametrize(("obj", "what"), [
    (42, "an int"), (b'{"loss": [1]}', "a bytes"), (object(), "an object"), (None, "None"),
    ([0.5, 0.4], "a list of numbers (one curve, without its metric name)"),
    ([], "an empty list"), ((), "an empty tuple"),
])
def test_from_any_refuses_other_objects(obj: Any, what: str) -> None:
    refused(obj, f"^cannot analyze {re.escape(what)}: pass a path")


def test_a_non_list_metric_in_a_dict() -> None:
    refused({"loss": 0.5}, "history dict: no per-epoch curve: metric 'loss' is a number")


def test_a_dataframe_with_text_among_numbers() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"loss": [0.5, "bad", 0.3]})
    refused(frame, "DataFrame: metric 'loss', epoch 2: expected a number, got text 'bad'")


# ======================================================== valid but unusual inputs


def test_nan_and_infinity_load_as_values() -> None:
    run = readers.load(INPUTS / "keras_history_diverged.json")
    assert run.metrics["loss"][:3] == pytest.approx([1.1116, 0.7345, 0.7281], abs=1e-4)
    assert all(isnan(v) for v in run.metrics["loss"][3:])
    assert all(isnan(v) for v in run.metrics["val_loss"][3:])
    assert "learning_rate" in run.metrics


def test_infinity_tokens(tmp_path: Path) -> None:
    text = '{"loss": [1.0, Infinity, -Infinity, NaN], "val_loss": [1.0, null, 2.0, 3.0]}'
    run = readers.load(write(tmp_path, "h.json", text))
    assert run.metrics["loss"][1:3] == [math.inf, -math.inf]
    assert isnan(run.metrics["loss"][3])
    assert run.metrics["val_loss"] == [1.0, None, 2.0, 3.0]  # null is a gap


@pytest.mark.parametrize(
    "name", ["keras_history_diverged.json", "csvlogger_diverged.csv", "pandas_diverged.csv"]
)
def test_a_diverged_run_reads_the_same_from_every_format(name: str) -> None:
    run = readers.load(INPUTS / name)
    loss, val_loss = run.metrics["loss"], run.metrics["val_loss"]
    assert [v is not None and math.isnan(v) for v in loss] == [False] * 3 + [True] * 3
    assert [v is not None and math.isnan(v) for v in val_loss] == [False] * 3 + [True] * 3
    assert run.metrics["learning_rate"][5] == pytest.approx(10.24)


def test_one_epoch_history(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "h.json", '{"loss": [0.7], "val_loss": [0.8]}'))
    assert run.epochs == [1]
    assert run.metrics == {"loss": [0.7], "val_loss": [0.8]}


def test_val_shorter_than_train_is_aligned_to_keras_validation_epochs() -> None:
    # A real run with validation_freq=3 over 10 epochs: Keras validated after 3, 6, 9.
    raw = history(INPUTS / "keras_history_vfreq3.json")
    assert len(raw["val_loss"]) == 3 and len(raw["loss"]) == 10
    run = readers.load(INPUTS / "keras_history_vfreq3.json")
    assert run.epochs == list(range(1, 11))
    logged = [e for e, v in zip(run.epochs, run.metrics["val_loss"], strict=True) if v is not None]
    assert logged == [3, 6, 9]
    assert run.metrics["val_loss"][2] == raw["val_loss"][0]
    assert run.fit is not None and run.fit.validation_freq == 3
    assert "validation_freq=3" in run.meta["notes"][0]
    # ... and the CSVLogger file of the same run agrees.
    csv_run = readers.load(INPUTS / "csvlogger_vfreq3.csv")
    assert csv_run.metrics["val_loss"] == run.metrics["val_loss"]
    assert csv_run.metrics["loss"] == run.metrics["loss"]


@pytest.mark.parametrize(
    ("n", "m", "epochs", "freq"),
    [
        (10, 5, [2, 4, 6, 8, 10], 2),
        (11, 2, [5, 10], 5),  # 4 would fit too: the largest is assumed, with a note
        (12, 2, [6, 12], 6),
        (10, 4, [2, 5, 8, 10], None),  # no frequency explains it: spread evenly
    ],
)
def test_val_alignment(n: int, m: int, epochs: list[int], freq: int | None) -> None:
    run = readers.from_any({"loss": [1.0] * n, "val_loss": [0.5] * m})
    logged = [e for e, v in zip(run.epochs, run.metrics["val_loss"], strict=True) if v is not None]
    assert logged == epochs
    assert (run.fit.validation_freq if run.fit else None) == freq
    assert run.meta["notes"]


def test_long_history(tmp_path: Path) -> None:
    # How fast is bench/bench_throughput.py's business; here: read right, every row.
    n = 10_000
    data = {
        "loss": [1.0 / (i + 1) for i in range(n)],
        "accuracy": [i / n for i in range(n)],
        "val_loss": [1.1 / (i + 1) for i in range(n)],
        "val_accuracy": [i / n for i in range(n)],
        "learning_rate": [1e-3] * n,
    }
    run = readers.load(write(tmp_path, "long.json", json.dumps(data)))
    assert run.n_epochs == n and run.epochs[-1] == n
    assert run.metrics["val_loss"][-1] == pytest.approx(1.1 / n)


def test_only_val_metrics(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "h.json", '{"val_loss": [0.9, 0.8, 0.85]}'))
    assert run.epochs == [1, 2, 3]
    assert run.train_keys == []
    assert run.meta["notes"] == ["history has only validation metrics"]


@pytest.mark.parametrize("key", ["lr", "learning_rate"])
def test_learning_rate_column(tmp_path: Path, key: str) -> None:
    csv_text = f"epoch,loss,{key}\n0,1.0,0.01\n1,0.8,0.005\n"
    run = readers.load(write(tmp_path, "log.csv", csv_text))
    assert run.metrics[key] == [0.01, 0.005]
    assert run.train_keys == ["loss"]


def test_vector_metric_is_left_out_with_a_note(tmp_path: Path) -> None:
    text = '{"loss": [1.0, 0.9], "f1_score": [[0.1, 0.2], [0.3, 0.4]]}'
    run = readers.load(write(tmp_path, "h.json", text))
    assert list(run.metrics) == ["loss"]
    assert "'f1_score' left out" in run.meta["notes"][0]


def test_empty_val_list_is_left_out(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "h.json", '{"loss": [1.0, 0.9], "val_loss": []}'))
    assert list(run.metrics) == ["loss"]


def test_an_epoch_key_in_a_history_dict_is_csvloggers() -> None:
    run = readers.from_any({"epoch": [0, 1, 2], "loss": [1.0, 0.9, 0.8]})
    assert run.epochs == [1, 2, 3] and list(run.metrics) == ["loss"]


# --------------------------------------------------------------------------- CSV


def test_csvlogger_epochs_become_one_based() -> None:
    run = readers.load(INPUTS / "csvlogger.csv")
    assert run.source == "csv" and run.name == "csvlogger.csv"
    assert run.epochs == list(range(1, 9))
    assert sorted(run.metrics) == ["accuracy", "loss", "val_accuracy", "val_loss"]


def test_csvlogger_without_validation_drops_its_all_na_columns() -> None:
    raw = (INPUTS / "csvlogger_noval.csv").read_text()
    assert "val_loss" in raw.splitlines()[0] and ",NA,NA" in raw
    run = readers.load(INPUTS / "csvlogger_noval.csv")
    assert sorted(run.metrics) == ["accuracy", "loss"]
    assert len(run.meta["notes"]) == 2


def test_csvlogger_of_a_resumed_run(tmp_path: Path) -> None:
    # CSVLogger(append=True) after fit(initial_epoch=3): the epoch column keeps counting.
    text = "epoch,loss\n0,1.0\n1,0.9\n2,0.8\n3,0.7\n4,0.6\n"
    assert readers.load(write(tmp_path, "log.csv", text)).epochs == [1, 2, 3, 4, 5]


def test_an_epoch_column_that_starts_above_zero_is_one_based(tmp_path: Path) -> None:
    text = "epoch,loss\n1,1.0\n2,0.9\n3,0.8\n"
    run = readers.load(write(tmp_path, "log.csv", text))
    assert run.epochs == [1, 2, 3]
    assert "read as 1-based" in run.meta["notes"][0]


def test_all_formats_of_one_run_agree() -> None:
    reference = readers.load(INPUTS / "keras_history.json")
    assert reference.source == "keras-history"
    for name in ["csvlogger.csv", "pandas.csv", "pandas.json", "other_logger.csv"]:
        run = readers.load(INPUTS / name)
        assert run.epochs == reference.epochs, name
        assert set(run.metrics) == set(reference.metrics), name
        for key, values in reference.metrics.items():
            # to_json keeps 10 significant digits by default; the CSVs are exact.
            rel = 1e-9 if name.endswith(".json") else 1e-15
            assert run.metrics[key] == pytest.approx(values, rel=rel), (name, key)


def test_pandas_csv_index_column_is_dropped() -> None:
    run = readers.load(INPUTS / "pandas.csv")
    assert "" not in run.metrics and "Unnamed: 0" not in run.metrics
    assert run.source == "csv"


def test_pandas_csv_read_and_saved_again(tmp_path: Path) -> None:
    # pd.read_csv(f).to_csv(g) turns the unnamed index into an "Unnamed: 0" column.
    text = ",Unnamed: 0,loss,val_loss\n0,0,1.0,1.1\n1,1,0.9,1.0\n"
    run = readers.load(write(tmp_path, "again.csv", text))
    assert list(run.metrics) == ["loss", "val_loss"] and run.epochs == [1, 2]


def test_pandas_empty_cells_are_gaps_or_nan_by_context(tmp_path: Path) -> None:
    # A val gap (validation_freq) next to a finite train loss stays a gap; a missing
    # training value is NaN (pandas writes NaN as an empty cell).
    text = ",loss,val_loss\n0,1.0,\n1,0.9,0.95\n2,,\n"
    run = readers.load(write(tmp_path, "p.csv", text))
    assert run.metrics["val_loss"][:2] == [None, 0.95]
    assert isnan(run.metrics["loss"][2])
    assert isnan(run.metrics["val_loss"][2])


def test_other_logger_without_epoch_column() -> None:
    run = readers.load(INPUTS / "other_logger.csv")  # ';'-separated, no epoch column
    assert run.epochs == list(range(1, 9))


def test_csv_dialect_details(tmp_path: Path) -> None:
    text = "\ufeffloss\tval_loss\ttimestamp\r\n1.0\tNA\t2026-01-01\r\n0.9\t0.95\t2026-01-02\r\n\r\n"
    run = readers.load(write(tmp_path, "log.tsv", text))
    assert run.metrics == {"loss": [1.0, 0.9], "val_loss": [None, 0.95]}
    assert "'timestamp' left out" in run.meta["notes"][0]


def test_csv_nan_text_is_a_value_and_na_a_gap(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "log.csv", "epoch,loss,val_loss\n0,nan,NA\n1,inf,\n"))
    assert isnan(run.metrics["loss"][0])
    assert run.metrics["loss"][1] == math.inf
    assert "val_loss" not in run.metrics  # no value logged at all


def test_a_single_metric_csv(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "loss.csv", "loss\n0.5\n0.4\n"))
    assert run.metrics == {"loss": [0.5, 0.4]}


# ----------------------------------------------------------- detection by content


def test_csv_named_json(tmp_path: Path) -> None:
    path = write(tmp_path, "history.json", (INPUTS / "csvlogger.csv").read_text())
    run = readers.load(path)
    assert run.source == "csv" and run.n_epochs == 8


def test_history_json_named_txt(tmp_path: Path) -> None:
    path = write(tmp_path, "history.txt", (INPUTS / "keras_history.json").read_text())
    run = readers.load(path)
    assert run.source == "keras-history" and run.name == "history.txt"


def test_run_json_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    io_storage.save(Run(epochs=[1, 2], metrics={"loss": [0.5, 0.4]}), path)
    run = readers.load(path)
    assert run.source == "fitdoctor" and run.name == "run.csv"


def test_json_with_leading_whitespace_and_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "h", '\ufeff\n\n  {"loss": [1.0, 0.5]}\n')
    assert readers.load(path).metrics == {"loss": [1.0, 0.5]}


# ------------------------------------------------------------------ in-process objects


def test_from_any_run_is_returned_as_is() -> None:
    run = Run(epochs=[1], metrics={"loss": [1.0]})
    assert readers.from_any(run) is run


def test_from_any_path_like_and_str() -> None:
    assert readers.from_any(INPUTS / "csvlogger.csv").n_epochs == 8
    assert readers.from_any(str(INPUTS / "csvlogger.csv")).n_epochs == 8


def test_from_any_dict_history_and_run_dict() -> None:
    data = history(INPUTS / "keras_history.json")
    run = readers.from_any(data)
    assert run.source == "keras-history" and run.n_epochs == 8
    back = readers.from_any(run.to_dict())
    assert back.metrics == run.metrics


class FakeHistory:
    """What keras.callbacks.History exposes after fit (duck-typed on purpose)."""

    def __init__(self, hist: dict[str, Any], epoch: list[int], params: dict[str, Any]) -> None:
        self.history = hist
        self.epoch = epoch
        self.params = params


def test_from_any_history_object() -> None:
    hist = history(INPUTS / "keras_history.json")
    params = {"verbose": 0, "epochs": 20, "steps": 8}
    run = readers.from_any(FakeHistory(hist, list(range(8)), params))
    assert run.epochs == list(range(1, 9))
    assert run.fit is not None and run.fit.epochs == 20 and run.fit.steps_per_epoch == 8
    assert run.status == "stopped-early"
    assert run.source == "keras-history"


def test_from_any_history_of_a_resumed_fit_uses_keras_epochs() -> None:
    # fit(initial_epoch=4, epochs=10, validation_freq=5): History.epoch is [4..9], and
    # Keras validated after (1-based) epochs 5 and 10.
    obj = FakeHistory(
        {"loss": [1.0, 0.9, 0.8, 0.7, 0.6, 0.5], "val_loss": [1.1, 0.65]},
        [4, 5, 6, 7, 8, 9],
        {"epochs": 10, "steps": 3},
    )
    run = readers.from_any(obj)
    assert run.epochs == [5, 6, 7, 8, 9, 10]
    assert run.metrics["val_loss"] == [1.1, None, None, None, None, 0.65]
    assert run.status == "completed"
    assert run.fit is not None and run.fit.initial_epoch == 4 and run.fit.validation_freq == 5


def test_from_any_history_with_numpy_values() -> None:
    np = pytest.importorskip("numpy")
    hist = {
        "loss": [np.float32(1.0), np.float64(0.5), np.array([[0.25]])],
        "per_class": [np.array([0.1, 0.2]), np.array([0.3, 0.4]), np.array([0.5, 0.6])],
        "val_loss": np.array([0.9, 0.8, 0.7]),
    }
    run = readers.from_any(FakeHistory(hist, [0, 1, 2], {}))
    assert run.metrics == {"loss": [1.0, 0.5, 0.25], "val_loss": [0.9, 0.8, 0.7]}
    assert "'per_class' left out" in run.meta["notes"][0]
    assert all(type(v) is float for v in run.metrics["loss"])
    with pytest.raises(InputError, match=r"got boolean|got a bool"):
        readers.from_any({"loss": [np.bool_(True)]})


def test_from_any_dataframe_of_a_history() -> None:
    pd = pytest.importorskip("pandas")
    hist = history(INPUTS / "keras_history.json")
    run = readers.from_any(pd.DataFrame(hist))
    assert run.epochs == list(range(1, 9)) and run.source == "dataframe"
    assert run.metrics["loss"] == pytest.approx(hist["loss"])


def test_from_any_dataframe_read_from_a_csvlogger_file() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(INPUTS / "csvlogger_vfreq3.csv")  # epoch column, NA -> NaN
    run = readers.from_any(frame)
    assert run.epochs == list(range(1, 11))
    csv_run = readers.load(INPUTS / "csvlogger_vfreq3.csv")
    assert run.metrics["val_loss"] == csv_run.metrics["val_loss"]


def test_from_any_dataframe_of_a_diverged_run_keeps_nan() -> None:
    pd = pytest.importorskip("pandas")
    run = readers.from_any(pd.read_csv(INPUTS / "pandas_diverged.csv", index_col=0))
    assert isnan(run.metrics["val_loss"][4])


def test_from_any_to_frame_round_trip() -> None:
    pytest.importorskip("pandas")
    run = Run(
        epochs=[3, 4, 5],
        metrics={"loss": [1.0, 0.9, 0.8], "val_loss": [None, 0.95, None]},
        seconds=[0.5, 0.4, 0.45],
    )
    back = readers.from_any(run.to_frame())
    assert back.epochs == [3, 4, 5]
    assert back.metrics == run.metrics
    assert back.seconds == run.seconds


@pytest.mark.keras
def test_from_any_real_keras_history() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    np = pytest.importorskip("numpy")
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(
        x, y, epochs=5, validation_split=0.25, validation_freq=2, verbose=0, batch_size=16
    )
    run = readers.from_any(h)
    assert run.epochs == [1, 2, 3, 4, 5]
    assert [v is not None for v in run.metrics["val_loss"]] == [False, True, False, True, False]
    assert run.metrics["loss"] == pytest.approx(h.history["loss"])
    assert run.status == "completed" and run.fit is not None and run.fit.epochs == 5


def test_load_path_does_not_import_pandas_or_keras() -> None:
    data = INPUTS.parent
    code = (
        "import sys, fitdoctor.readers as readers;"
        f"readers.load({str(INPUTS / 'csvlogger.csv')!r});"
        f"readers.load({str(INPUTS / 'pandas.json')!r});"
        f"readers.load_runs({str(data / 'console' / 'keras3_verbose1_pty.log')!r});"
        f"readers.load_runs({str(data / 'tensorboard' / 'logs')!r});"
        "bad = [m for m in ('pandas', 'keras', 'tensorflow', 'tensorboard', 'sklearn',"
        " 'google.protobuf') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


# ------------------------------------------------- shapes of real logs (wild7 sample)
# Each case is hand-made in the shape of a real file that was refused; the real files
# stay with their authors.


def test_a_json_array_of_numbers_is_the_training_loss(tmp_path: Path) -> None:
    # json.dump(history.history["loss"], f): the file names no metric; a null is a gap
    path = write(tmp_path, "losses.json", "[2.5, 1.25, null, 0.75, 0.5]")
    run = readers.load(path)
    assert run.metrics == {"loss": [2.5, 1.25, None, 0.75, 0.5]}
    assert any("names no metric: read as the training loss" in n for n in run.meta["notes"])
    # the user says what it is: their name, and no note that guesses
    named = readers.load_runs(path, metric_map={"loss": "val_loss"})[0]
    assert list(named.metrics) == ["val_loss"]
    assert not any("names no metric" in n for n in named.meta.get("notes", []))
    # rising within [0, 1] from the first epoch is an accuracy's shape, not a loss's
    scores = write(tmp_path, "acc.json", "[0.41, 0.62, 0.7, 0.74]")
    refused(scores, "names no metric, and its values rise within .0, 1., as an accuracy")
    assert readers.load(scores, metric_map={"loss": "loss"}).metrics["loss"][-1] == 0.74


def test_logging_lines_an_epoch_per_block_with_appended_runs(tmp_path: Path) -> None:
    # Python logging: 'Epoch k/N' alone, the epoch's pairs on the lines after it (a unit
    # word after a number), a preamble of 'Name: value' lines before the first epoch,
    # printed again by each appended run (numbering restarts), and a run that broke off
    # after its epoch line
    def block(values: list[tuple[float, float]]) -> list[str]:
        out = ["Training on device: cpu", "Training samples: 80", "Validation samples: 20"]
        for e, (loss, val) in enumerate(values, 1):
            out += [f"Epoch {e}/50", f"Train Loss: {loss:.4f}, Train MAE: {loss / 10:.2f} months",
                    f"Val Loss: {val:.4f}, Val MAE: {val / 10:.2f} months"]
            if e == 1:
                out.append("New best model saved!")
        return out

    first = [(900.0 / e, 950.0 / e) for e in range(1, 6)]
    second = [(800.0 / e, 990.0 - e) for e in range(1, 5)]
    lines = [*block(first), "Training completed!", *block([])[:3], "Epoch 1/50", *block(second)]
    stamped = [f"2031-02-03 10:00:{i % 60:02d},{i:03d} - INFO - {line}"
               for i, line in enumerate(lines)]
    path = write(tmp_path, "training.log", "\n".join(stamped) + "\n")
    runs = readers.load_runs(path)
    assert [r.n_epochs for r in runs] == [5, 4]
    for run, values in zip(runs, (first, second), strict=True):
        assert sorted(run.metrics) == ["loss", "mae", "val_loss", "val_mae"]
        assert run.metrics["val_loss"] == pytest.approx([v for _, v in values])
        assert run.metrics["val_mae"] == pytest.approx([v / 10 for _, v in values], abs=0.01)


def test_epoch_colon_and_key_colon_value_lines_are_a_console_log(tmp_path: Path) -> None:
    # 'Epoch:1/4 | Train Loss:0.5964 | ...' (no space after a colon), then a remark:
    # a console log, not a '|'-separated CSV; the remark's value is not the epoch's
    lines = [f"Epoch:{e}/4 | Train Loss:{1 / e:.4f} | Val Loss:{1.2 / e:.4f} | "
             f"Train Accuracy:{0.5 + e / 10:.5f} | Val Accuracy:{0.45 + e / 10:.4f}"
             for e in range(1, 5)]
    lines.append("Best model saved. Val Loss: 0.1234")
    run = readers.load(write(tmp_path, "training_log.txt", "\n".join(lines) + "\n"))
    assert run.source == "console" and run.status == "completed"
    assert sorted(run.metrics) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert run.metrics["val_loss"] == pytest.approx([1.2, 0.6, 0.4, 0.3])


def test_a_point_after_an_abbreviation_ends_no_sentence(tmp_path: Path) -> None:
    # 'Avg. Val. Loss', 'Mean Val. Acc': names with abbreviations, read as before the
    # remark rule; 'Training done. Best val acc: 0.98' is still a remark
    lines = []
    for e in range(1, 5):
        lines.append(f"Epoch {e}/4 - Avg. Train Loss: {1 / e:.4f} - Avg. Val. Loss: "
                     f"{1.2 / e:.4f} - Mean Val. Acc: {0.5 + e / 10:.2f}")
        lines.append("Training done. Best val acc: 0.98")
    run = readers.load(write(tmp_path, "training_log.txt", "\n".join(lines) + "\n"))
    # no curve named plain loss: 'Avg. Train Loss' is the loss, 'Avg. Val. Loss' its twin
    assert run.metrics["loss"] == pytest.approx([1.0, 0.5, 0.3333, 0.25], abs=1e-4)
    assert run.metrics["val_loss"] == pytest.approx([1.2, 0.6, 0.4, 0.3], abs=1e-4)
    assert run.metrics["mean_val_acc"] == pytest.approx([0.6, 0.7, 0.8, 0.9])
    assert not any("best" in name for name in run.metrics)


def test_fixed_width_table_with_a_rule_and_per_cent_columns(tmp_path: Path) -> None:
    # names of several words two or more spaces apart, a rule under them, columns in
    # per cent, and a rule and a summary after the rows
    rows = [(1, 1.0204, 75.0, 60.0), (2, 0.4649, 87.5, 70.0), (3, 0.3359, 90.0, 80.0)]
    lines = [" Epoch    Train Loss   Val Acc (%)  Test Acc (%)", "-" * 50]
    lines += [f"{e:>6}{loss:>14.4f}{val:>14.2f}{test:>14.2f}" for e, loss, val, test in rows]
    lines += ["-" * 50, "Final test accuracy: 80.00%"]
    run = readers.load(write(tmp_path, "training_log.txt", "\n".join(lines) + "\n"))
    assert run.epochs == [1, 2, 3]
    assert run.metrics["loss"] == pytest.approx([1.0204, 0.4649, 0.3359])
    assert run.metrics["val_acc"] == pytest.approx([0.75, 0.875, 0.9])
    assert run.metric_names["val_acc"] == "Val Acc"
    assert any("`Val Acc (%)` is in per cent" in n for n in run.meta["notes"])


def test_a_csv_with_per_cent_columns_reads_them_as_accuracies(tmp_path: Path) -> None:
    # `train_acc(%)` and `val_acc(%)` in a CSV: the accuracies under their bare names, as
    # fractions; a `(%)` column that holds fractions already is only renamed
    text = "epoch,train_loss,val_loss,train_acc(%),val_acc(%),Top5 [%]\n"
    text += "".join(f"{e},{1 / e:.4f},{1.1 / e:.4f},{50 + 10 * e:.1f},{48 + 9 * e:.1f},"
                    f"{0.8 + e / 100:.2f}\n" for e in range(1, 5))
    run = readers.load(write(tmp_path, "log.csv", text))
    assert run.metrics["acc"] == pytest.approx([0.6, 0.7, 0.8, 0.9])
    assert run.metrics["val_acc"] == pytest.approx([0.57, 0.66, 0.75, 0.84])
    assert run.metrics["top5"] == pytest.approx([0.81, 0.82, 0.83, 0.84])
    notes = run.meta["notes"]
    assert any("`val_acc(%)` is in per cent" in n for n in notes)
    assert not any("Top5" in n for n in notes)


def test_a_per_cent_column_above_100_is_not_converted(tmp_path: Path) -> None:
    # `Val Acc (%)` holding 170-180 is no per cent: divided once it would be an
    # accuracy of 1.7, which the per-cent reading of accuracies divides again (0.017)
    lines = ["Epoch  Train Loss  Val Loss  Val Acc (%)", "-----  ----------  --------  -----------"]
    lines += [f"{e}  {1 / e:.4f}  {0.8 / e:.4f}  {168 + 2 * e:.1f}" for e in range(1, 5)]
    run = readers.load(write(tmp_path, "training_log.txt", "\n".join(lines) + "\n"))
    assert run.metrics["loss"] == pytest.approx([1.0, 0.5, 0.3333, 0.25])
    assert "val_acc" not in run.metrics
    assert not any("per cent:" in n for n in run.meta["notes"])
    assert any("neither a fraction nor a per cent" in n for n in run.meta["notes"])


def test_a_headerless_csv_stays_refused(tmp_path: Path) -> None:
    # five unnamed columns: which is the loss, which accuracy, in which order (CSVLogger
    # sorts its names: accuracy before loss) is a guess, so the user names them
    text = "".join(f"{e},{2 / e:.4f},{20 * e:.2f},{2.1 / e:.4f},{19 * e:.2f}\n"
                   for e in range(1, 6))
    refused(write(tmp_path, "train_log.csv", text), "no header row .*--metric-map 1=epoch")


# ------------------------------------------------------------ command-line sources


def test_sources_of_stdin_a_folder_and_a_file(tmp_path: Path) -> None:
    import io as stdio

    (stdin,) = readers.sources("-", stdin=stdio.BytesIO(b'{"loss": [1.0, 0.5]}'))
    assert stdin.display == "<stdin>"
    assert readers.read_source(stdin)[0].metrics == {"loss": [1.0, 0.5]}
    write(tmp_path, "a.json", '{"loss": [1.0, 0.5]}')
    write(tmp_path, "b.csv", "epoch,loss\n0,1.0\n")
    write(tmp_path, "notes.md", "# not a history")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "train.log", "Epoch 1/1\n1/1 - 0s - loss: 0.5\n")
    found = [Path(s.display).relative_to(tmp_path).as_posix() for s in readers.sources(tmp_path)]
    assert found == ["a.json", "b.csv", "sub/train.log"]
    empty = tmp_path / "empty"
    empty.mkdir()
    (only,) = readers.sources(empty)
    with pytest.raises(InputError, match="a folder without history files"):
        readers.read_source(only)


def test_stdin_over_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import io as stdio

    monkeypatch.setattr(readers, "MAX_BYTES", 8)
    with pytest.raises(InputError, match="<stdin>: over the"):
        readers.sources("-", stdin=stdio.BytesIO(b"x" * 20))


def test_spacy_train_table(tmp_path: Path) -> None:
    # what `spacy train` prints: E (0-based epoch), # (step), a loss per component, the dev
    # scores; the row at step 0 is the evaluation before training
    lines = ["ℹ Pipeline: ['tok2vec', 'ner']", "ℹ Initial learn rate: 0.001",
             "E    #       LOSS TOK2VEC  LOSS NER  ENTS_F  ENTS_P  ENTS_R  SCORE ",
             "---  ------  ------------  --------  ------  ------  ------  ------",
             "  0       0          0.00     49.17    0.00    0.00    0.00    0.00",
             "  0     200         89.21   2270.54   36.97   46.80   30.56    0.37",
             "  1     400        123.35   1470.12   55.24   60.01   51.17    0.55",
             "  2     600        142.22   1142.57   62.31   65.80   59.17    0.62",
             "  3     800        159.10    934.03   66.04   68.40   63.84    0.66",
             "✔ Saved pipeline to output directory"]
    run = readers.load(write(tmp_path, "train.log", "\n".join(lines) + "\n"))
    assert run.epochs == [1, 2, 3, 4]
    assert run.metrics["loss"] == pytest.approx([2270.54, 1470.12, 1142.57, 934.03])
    assert run.metrics["loss_tok2vec"][0] == pytest.approx(89.21)
    assert run.metrics["val_score"] == pytest.approx([0.37, 0.55, 0.62, 0.66])
    assert any("spaCy's training table" in n for n in run.meta["notes"])


@pytest.mark.parametrize(
    "lines",
    [["#   loss   val_loss", "1   0.9   1.0", "2   0.7   0.8", "3   0.5   0.7"],  # `#`: epochs
     # a row index beside the epoch column: dropped
     ["#   epoch   loss   val_loss", "0   1   0.9   1.0", "1   2   0.7   0.8",
      "2   3   0.5   0.7"]],
)
def test_a_hash_column_in_a_whitespace_table(tmp_path: Path, lines: list[str]) -> None:
    run = readers.load(write(tmp_path, "log.txt", "\n".join(lines) + "\n"))
    assert run.epochs == [1, 2, 3]
    assert run.metrics == {"loss": [0.9, 0.7, 0.5], "val_loss": [1.0, 0.8, 0.7]}
