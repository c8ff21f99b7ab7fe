"""Reading cross-validation and learning-curve documents: every field checked, bounded.

The contract: a report, or one :class:`InputError` line naming the file and the field
(CLI exit 2) -- never a traceback, whatever the file holds. The documents are built here
from hand-made runs, then broken one field at a time.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import fitdoctor
from fitdoctor import cv as fcv
from fitdoctor.cli import app
from fitdoctor.cv import documents
from fitdoctor.errors import InputError
from fitdoctor.run import DataInfo, Run

RUNNER = CliRunner()


def fold(i: int) -> Run:
    epochs = [1, 2, 3, 4]
    return Run(
        epochs=epochs,
        metrics={"loss": [1.0 / e + 0.01 * i for e in epochs],
                 "val_loss": [1.1 / e + 0.02 * i for e in epochs],
                 "val_accuracy": [0.5 + 0.1 * e for e in epochs]},
        data=DataInfo(task="multiclass", n_train=80, n_val=20, n_classes=3),
        meta={"fold": i, "repeat": 0},
    )


def cv_doc() -> dict[str, Any]:
    result = fcv.CVResult([fold(0), fold(1)], k=2, n_samples=100, name="cv")
    return json.loads(json.dumps(result.to_dict()))


def lc_doc() -> dict[str, Any]:
    sizes = [fcv.SizeScores(f, [round(100 * f)] * 2, [0.0, 0.01], [0.3 / f, 0.31 / f])
             for f in (0.25, 0.5, 1.0)]
    lc = fcv.LearningCurveResult(sizes=sizes, k=2, n_samples=200, runs=[fold(0)])
    return json.loads(json.dumps(lc.to_dict()))


def write(tmp_path: Path, data: Any, name: str = "doc.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def set_at(data: Any, where: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    return data


# --------------------------------------------------------------- wrong fields
CV_BREAKS = [
    (("k",), "5", "k: expected an integer >= 2, got a string '5'"),
    (("k",), 1, "k: expected an integer >= 2, got an integer 1"),
    (("repeats",), 0, "repeats: expected an integer >= 1"),
    (("n_samples",), -3, "n_samples: expected an integer from 1 to 1,000,000,000,000"),
    (("shuffle",), "yes", "shuffle: expected true or false, got a string 'yes'"),
    (("stratified",), 1, "stratified: expected true or false, got an integer 1"),
    (("seed",), 1.5, "seed: expected an integer >= 0, got a number 1.5"),
    (("name",), {}, "name: expected a string, got an object"),
    (("meta",), [1, 2], "meta: expected an object, got a list"),
    (("runs",), {}, "runs: expected a non-empty list of runs, got an object"),
    (("runs",), [], "runs: expected a non-empty list of runs, got a list"),
    (("runs", 1), "x", "runs[1]: a run must be a JSON object"),
    (("runs", 0, "epochs"), ["a"], "runs[0]: run.epochs[0]: expected an integer >= 1"),
    (("runs", 0, "metrics", "loss", 0), "x",
     "runs[0]: run.metrics.loss[0]: expected a number or null"),
    (("runs", 0, "surprise"), 1, "runs[0]: run: unknown key 'surprise'"),
    (("surprise",), 1, "unknown key 'surprise'"),
    (("schema",), "fitdoctor.cv/2", "unsupported schema 'fitdoctor.cv/2'"),
]

LC_BREAKS = [
    (("sizes",), [], "sizes: expected a non-empty list, got a list"),
    (("sizes", 0), 3, "sizes[0]: expected an object, got an integer 3"),
    (("sizes", 0, "fraction"), 2, "sizes[0].fraction: expected a fraction in (0, 1], got 2.0"),
    (("sizes", 0, "fraction"), "half", "sizes[0].fraction: expected a finite number"),
    (("sizes", 1, "val", 1), "x", "sizes[1].val[1]: expected a finite number, got a string"),
    (("sizes", 1, "train", 0), 10**400, "sizes[1].train[0]: expected a finite number"),
    (("sizes", 0, "n_train"), [0, 1], "sizes[0].n_train[0]: expected an integer >= 1"),
    (("sizes", 0, "val"), [0.1], "sizes[0]: n_train, train and val need one value per fold"),
    (("sizes", 0, "val"), None, "sizes[0].val: expected a non-empty list"),
    (("sizes", 0, "extra"), 1, "sizes[0]: unknown key 'extra'"),
    (("score",), "accuracy", "score: expected 'error' or 'loss', got a string 'accuracy'"),
    (("k",), "3", "k: expected an integer >= 1"),
    (("seed",), -1, "seed: expected an integer from 0 to"),
    (("runs",), "none", "runs: expected a list of runs, got a string"),
    (("runs", 0, "epochs"), {}, "runs[0]: run.epochs: expected a list of integers"),
]


@pytest.mark.parametrize(("where", "value", "message"), CV_BREAKS,
                         ids=[f"cv-{'.'.join(map(str, w))}-{i}" for i, (w, _, _) in
                              enumerate(CV_BREAKS)])
def test_wrong_cv_fields_are_named(tmp_path: Path, where: tuple[Any, ...], value: Any,
                                   message: str) -> None:
    path = write(tmp_path, set_at(cv_doc(), where, value))
    with pytest.raises(InputError) as caught:
        fcv.load_document(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text
    assert "\n" not in text


@pytest.mark.parametrize(("where", "value", "message"), LC_BREAKS,
                         ids=[f"lc-{'.'.join(map(str, w))}-{i}" for i, (w, _, _) in
                              enumerate(LC_BREAKS)])
def test_wrong_learning_curve_fields_are_named(tmp_path: Path, where: tuple[Any, ...],
                                               value: Any, message: str) -> None:
    path = write(tmp_path, set_at(lc_doc(), where, value))
    with pytest.raises(InputError) as caught:
        fcv.load_document(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text
    assert "\n" not in text


def test_the_cli_refuses_a_wrong_field_with_one_line_and_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, set_at(cv_doc(), ("k",), "five"), "cv.json")
    result = RUNNER.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().count("\n") == 0
    assert "k: expected an integer >= 2" in result.stderr
    assert "Traceback" not in result.output


def test_stored_conclusions_are_recomputed_not_read(tmp_path: Path) -> None:
    data = cv_doc()
    data.update(final_epochs="many", best_epochs={}, aggregate=None)
    path = write(tmp_path, data)
    back = fcv.load_cv(path)
    assert back.final_epochs() == fcv.CVResult.from_dict(cv_doc()).final_epochs()
    lc = lc_doc()
    lc.update(verdict=7, reason=[], power_law="x", extrapolation=None)
    assert fcv.load_learning_curve(write(tmp_path, lc, "lc.json")).verdict in fcv.VERDICTS


# --------------------------------------------------------------------- bounds
def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "cv.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(cv_doc()).encode())
    assert fcv.is_document_file(path)
    assert fcv.load_cv(path).k == 2
    result = RUNNER.invoke(app, ["analyze", str(path), "--format", "json", "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["run"]["cross_validation"]["models"] == 2


def test_deep_nesting_is_refused_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "cv.json"
    deep = "[" * 100_000 + "]" * 100_000
    text = json.dumps(cv_doc()).replace('"meta": {}', f'"meta": {{"x": {deep}}}', 1)
    assert deep in text
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=f"nested deeper than {documents.MAX_DEPTH} levels"):
        fcv.load_document(path)
    result = RUNNER.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2 and "nested deeper" in result.stderr
    # just under the cap reads (runs are 2 levels down: the meta of a run is level 4)
    ok = set_at(cv_doc(), ("meta",), {"x": json.loads("[" * 60 + "]" * 60)})
    assert fcv.load_cv(write(tmp_path, ok, "ok.json")).meta["x"] == json.loads(
        "[" * 60 + "]" * 60)
    with pytest.raises(InputError, match="nested deeper"):
        fcv.parse_document(set_at(cv_doc(), ("meta",), {"x": json.loads("[" * 70 + "]" * 70)}),
                           "in memory")


def test_size_and_model_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, cv_doc())
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 1024)
    with pytest.raises(InputError, match=r"over the 1,024-byte cap"):
        fcv.load_document(path)
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 64 * 2**20)
    monkeypatch.setattr(documents, "MAX_MODELS", 1)
    with pytest.raises(InputError, match=r"runs: 2 runs, over the cap of 1"):
        fcv.load_document(path)
    with pytest.raises(InputError, match=r"sizes: more than 1 models"):
        fcv.load_document(write(tmp_path, lc_doc(), "lc.json"))


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a directory"):
        fcv.load_document(tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.json"
        os.mkfifo(fifo)
        with pytest.raises(InputError, match="not a regular file"):
            fcv.load_document(fifo)  # refused before opening: a FIFO would block
    with pytest.raises(InputError, match="no such file"):
        fcv.load_document(tmp_path / "missing.json")


def test_not_utf8_and_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"schema": "fitdoctor.cv/1", "name": "\xff"}')
    with pytest.raises(InputError, match="not UTF-8 text"):
        fcv.load_document(bad)
    bad.write_text('{"schema": "fitdoctor.cv/1", ', encoding="utf-8")
    with pytest.raises(InputError, match="invalid JSON"):
        fcv.load_document(bad)


# ------------------------------------------------------------ the whole contract
_VALUES: list[Any] = [None, True, -1, 0, 10**400, 1e308, 1.5, "x", [], {}, [[1]], {"a": {}}]


def _paths(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    paths: list[tuple[Any, ...]] = [(k,) for k in doc]
    if "sizes" in doc:
        paths += [("sizes", 0, k) for k in doc["sizes"][0]] + [("sizes", 0, "val", 0)]
    # a run's own fields are the run reader's (fitdoctor.run.Run.from_dict); the ones
    # the cross-validation reads itself are broken here
    paths += [("runs", 0), ("runs", 0, "epochs"), ("runs", 0, "metrics", "loss", 0)]
    return paths


# values near the float limit (1e308) make some curve detectors' numpy arithmetic overflow:
# a warning, not a failure of the reading contract tested here
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("kind", ["cv", "lc"])
def test_any_broken_field_gives_a_report_or_one_input_error(kind: str) -> None:
    """Every field of the document, every odd value: a report, or one line."""
    doc = cv_doc() if kind == "cv" else lc_doc()
    outcomes = {"report": 0, "refused": 0}
    for where in _paths(doc):
        for value in _VALUES:
            broken = set_at(doc, where, value)
            try:
                result = fcv.parse_document(broken, "doc.json")
                report = fitdoctor.analyze(result)
            except InputError as exc:
                assert "\n" not in str(exc) and str(exc).startswith("doc.json: "), exc
                outcomes["refused"] += 1
                continue
            json.dumps(report.to_dict(), allow_nan=False)  # strict JSON out
            assert not [f for f in report.findings if f.code == "FD000"], (where, value)
            outcomes["report"] += 1
    assert outcomes["report"] and outcomes["refused"]


def test_github_annotations_name_the_document(tmp_path: Path) -> None:
    """``analyze curves/doc.json -f github``: a learning curve's findings are attached to
    the document read, by the path given (its report's source is the result's name)."""
    write(tmp_path, lc_doc())
    result = RUNNER.invoke(app, ["analyze", str(tmp_path / "doc.json"), "-f", "github"])
    annotations = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
    assert annotations, result.stdout
    assert all(f" file={tmp_path / 'doc.json'},title=FD" in ln for ln in annotations)
