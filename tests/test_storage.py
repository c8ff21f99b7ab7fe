"""The atomic writer (fitdoctor.storage): run files and other results, old or new, never half."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from fitdoctor import readers
from fitdoctor import storage as io_storage
from fitdoctor.run import Run


def test_save_writes_pretty_compact_json_with_nan(tmp_path: Path) -> None:
    run = Run(epochs=[1, 2, 3], metrics={"loss": [1.0, math.nan, math.inf]}, name="r")
    path = tmp_path / "run.json"
    io_storage.save(run, path)
    text = path.read_text()
    assert '"loss": [1.0, NaN, Infinity]' in text  # flat lists on one line
    assert text.count("\n") < 30
    assert json.loads(text)["schema"] == "fitdoctor.run/1"
    assert list(tmp_path.iterdir()) == [path]


def test_save_respects_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    io_storage.save(Run(epochs=[1], metrics={"loss": [1.0]}), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failing_save_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "run.json"
    old = Run(epochs=[1], metrics={"loss": [1.0]})
    io_storage.save(old, path)
    before = path.read_bytes()

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="No space left"):
        io_storage.save(Run(epochs=[1, 2], metrics={"loss": [1.0, 0.5]}), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]


def test_an_unencodable_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    run = Run(epochs=[1], metrics={"loss": [1.0]}, meta={"model": object()})
    with pytest.raises(TypeError):
        io_storage.save(run, path)
    assert list(tmp_path.iterdir()) == []


def test_save_replaces_an_existing_file_for_a_concurrent_reader(tmp_path: Path) -> None:
    # A reader that opened the old file keeps reading the old content in full.
    path = tmp_path / "run.json"
    io_storage.save(Run(epochs=[1], metrics={"loss": [1.0]}), path)
    with open(path, "rb") as reader:
        io_storage.save(Run(epochs=[1, 2], metrics={"loss": [1.0, 0.5]}), path)
        assert json.loads(reader.read())["epochs"] == [1]
    assert readers.load(path).epochs == [1, 2]


