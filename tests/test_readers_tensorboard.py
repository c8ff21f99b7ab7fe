"""TensorBoard logs, read without tensorflow: recorded ones, and one written live.

``tests/data/tensorboard/record_tensorboard.py`` recorded two runs of
``keras.callbacks.TensorBoard`` under one parent folder and a ``SummaryWriter``-style
file of ``simple_value`` scalars; ``expected.json`` holds what was logged.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from fitdoctor import readers
from fitdoctor.errors import InputError
from fitdoctor.readers import tfrecord

DATA = Path(__file__).parent / "data" / "tensorboard"
EXPECTED = json.loads((DATA / "expected.json").read_text())


def test_a_parent_folder_of_keras_runs_is_one_run_per_folder() -> None:
    adam, sgd = readers.load_runs(DATA / "logs")
    assert adam.name == "run 1 of 2 in logs (adam)" and adam.source == "tensorboard"
    assert sgd.name == "run 2 of 2 in logs (sgd_vfreq2)"
    for run, key in ((adam, "adam"), (sgd, "sgd_vfreq2")):
        history = EXPECTED[key]
        assert run.epochs == list(range(1, len(history["loss"]) + 1))
        assert run.metrics["loss"] == pytest.approx(history["loss"], rel=1e-6)
        assert run.metrics["accuracy"] == pytest.approx(history["accuracy"], rel=1e-6)
        assert "learning_rate" in run.metrics
    assert adam.metrics["val_loss"] == pytest.approx(EXPECTED["adam"]["val_loss"], rel=1e-6)
    # validation_freq=2: validation after epochs 2 and 4, gaps in between
    assert sgd.metrics["val_loss"][0] is None and sgd.metrics["val_loss"][2] is None
    assert [v for v in sgd.metrics["val_loss"] if v is not None] == pytest.approx(
        EXPECTED["sgd_vfreq2"]["val_loss"], rel=1e-6
    )
    assert adam.meta == {}  # Keras's per-iteration tags are left out without a word


def test_one_run_folder_and_one_event_file() -> None:
    run = readers.load(DATA / "logs" / "adam")
    assert run.name == "adam" and set(run.metrics) == {
        "loss", "accuracy", "learning_rate", "val_loss", "val_accuracy",
    }
    event = next((DATA / "logs" / "adam" / "validation").glob("events.out.tfevents.*"))
    alone = readers.load(event)
    assert set(alone.metrics) == {"val_loss", "val_accuracy"}


def test_simple_value_scalars_and_their_names() -> None:
    run = readers.load(DATA / "pytorch")
    expected = EXPECTED["pytorch"]
    assert run.epochs == [1, 2, 3, 4, 5, 6]
    assert run.metrics["loss"] == pytest.approx(expected["Loss/train"], rel=1e-6)
    assert run.metrics["val_loss"] == pytest.approx(expected["Loss/val"], rel=1e-6)
    assert run.metric_names["val_accuracy"] == "Accuracy/val"


def test_a_truncated_event_file_keeps_what_came_before(tmp_path: Path) -> None:
    shutil.copytree(DATA / "logs" / "adam", tmp_path / "adam")
    train = next((tmp_path / "adam" / "train").glob("events.*"))
    data = train.read_bytes()
    train.write_bytes(data[: len(data) - 30])  # a file still being written
    run = readers.load(tmp_path / "adam")
    assert 1 <= len([v for v in run.metrics["loss"] if v is not None]) <= 5


def test_garbage_named_like_an_event_file(tmp_path: Path) -> None:
    (tmp_path / "events.out.tfevents.123.host").write_bytes(os.urandom(64))
    with pytest.raises(InputError, match="no scalar summary"):
        readers.load(tmp_path)


def test_folder_discovery_treats_a_log_folder_as_one_source() -> None:
    sources = readers.history_sources(DATA)
    names = [Path(s).relative_to(DATA).as_posix() for s in sources]
    assert names == ["expected.json", "logs/adam", "logs/sgd_vfreq2", "pytorch"]


def test_crc32c_known_answer() -> None:
    # RFC 3720 test vector: 32 bytes of zeros.
    assert tfrecord.crc32c(bytes(32)) == 0x8A9136AA
    assert tfrecord.crc32c(b"123456789") == 0xE3069283


@pytest.mark.keras
@pytest.mark.slow
def test_a_live_keras_tensorboard_log_matches_the_history(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard")
    keras = pytest.importorskip("keras")
    np = pytest.importorskip("numpy")
    keras.utils.set_random_seed(1)
    x = np.random.default_rng(1).normal(size=(96, 5)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x, y, epochs=3, validation_split=0.25, verbose=0, batch_size=32,
        callbacks=[keras.callbacks.TensorBoard(str(tmp_path / "logs"))],
    )
    run = readers.load(tmp_path / "logs")
    for key, values in history.history.items():
        assert run.metrics[key] == pytest.approx(values, rel=1e-6), key
