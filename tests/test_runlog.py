"""Run logs (fitdoctor.run/2): writer, reader, crash tolerance, loading through io.load."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import fitdoctor
from fitdoctor import io, runlog, runlog_writer
from fitdoctor.errors import InputError
from fitdoctor.run import DataInfo, FitInfo, ModelInfo, PerClass, Run


def per_class(epoch: int, k: int = 3, confusion: bool = False) -> PerClass:
    recall = [round(0.1 * epoch + 0.01 * c, 3) for c in range(k)]
    return PerClass(
        epoch=epoch,
        labels=[f"c{c}" for c in range(k)],
        precision=[0.5] * k,
        recall=recall,
        f1=[0.4] * k,
        support=[10] * k,
        confusion=[[10 if i == j else 0 for j in range(k)] for i in range(k)] if confusion
        else [],
        pr_auc=[0.7] * (k - 1) + [None],
        top_confusions=[[0, 1, 2]],
    )


def sample_run(epochs: int = 4) -> Run:
    run = Run(
        epochs=list(range(1, epochs + 1)),
        metrics={
            "loss": [1.0 / e for e in range(1, epochs + 1)],
            "val_loss": [None if e % 2 else 1.5 / e for e in range(1, epochs + 1)],
            "learning_rate": [1e-3] * epochs,
        },
        seconds=[0.5] * epochs,
        status="completed",
        source="fitdoctor",
        name="sample",
        model=ModelInfo(name="m", class_name="Sequential", params=10),
        fit=FitInfo(epochs=epochs, batch_size=32, validation="split", strategy=None),
        data=DataInfo(task="multiclass", n_classes=3, class_names=["c0", "c1", "c2"]),
        per_class=[per_class(e, confusion=e in (2, epochs)) for e in range(1, epochs + 1)],
        meta={"notes": ["a note"], "versions": {"keras": "3"}},
    )
    run.metrics["loss"][1] = math.nan
    return run


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_dumps_and_read_round_trip(tmp_path: Path) -> None:
    run = sample_run()
    path = write(tmp_path / "r.json", runlog_writer.dumps(run, best_epoch=2))
    back = io.load(path)
    assert back.to_dict()["metrics"]["loss"][1] != back.to_dict()["metrics"]["loss"][1]  # NaN
    expected = run.to_dict()
    got = back.to_dict()
    expected["metrics"]["loss"][1] = got["metrics"]["loss"][1] = None
    assert got == expected
    assert back.source == "fitdoctor" and back.status == "completed"


def test_every_line_is_json_and_the_first_is_the_header(tmp_path: Path) -> None:
    text = runlog_writer.dumps(sample_run(), best_epoch=2)
    lines = text.splitlines()
    assert text.endswith("\n") and len(lines) == 1 + 4 + 1
    assert lines[0].startswith('{"schema":"fitdoctor.run/2"')
    assert runlog.sniff(lines[0].encode())
    assert runlog.sniff(b"\xef\xbb\xbf  " + lines[0].encode())
    assert not runlog.sniff(b'{\n  "schema": "fitdoctor.run/1"')
    kinds = [json.loads(line).get("kind") for line in lines]
    assert kinds == [None, "epoch", "epoch", "epoch", "epoch", "end"]


def test_only_best_and_last_confusion_matrices_are_kept(tmp_path: Path) -> None:
    run = sample_run(6)
    confusions = {e: [[0, 0, e], [1, 1, 1], [2, 0, 1]] for e in range(1, 7)}
    path = write(tmp_path / "r.json", runlog_writer.dumps(run, confusions=confusions, best_epoch=3))
    back = io.load(path)
    kept = [pc.epoch for pc in back.per_class if pc.confusion]
    assert kept == [3, 6]
    assert back.per_class[2].confusion == [[3, 0, 0], [0, 1, 0], [1, 0, 0]]


def test_writer_appends_one_line_per_epoch_and_reads_while_running(tmp_path: Path) -> None:
    path = tmp_path / "live.json"
    run = Run(epochs=[], metrics={}, seconds=[], status="running", source="fitdoctor")
    writer = runlog_writer.RunLogWriter(path)
    writer.start(run)
    sizes = []
    for epoch in range(1, 201):
        run.epochs.append(epoch)
        run.seconds.append(0.25)  # type: ignore[union-attr]
        for key in ("loss", "val_loss"):
            run.metrics.setdefault(key, []).append(0.5 + epoch % 2 / 4)
        before = writer.size
        writer.append(runlog_writer.epoch_record(run, epoch - 1), run)
        sizes.append(writer.size - before)
        if epoch == 100:
            middle = io.load(path)
            assert middle.status == "running" and middle.epochs == list(range(1, 101))
    writer.close()
    # Flat cost: the 200th epoch appends as many bytes as the 1st, but for its digits.
    assert max(sizes) - min(sizes) <= 2 + 2 * 2
    assert path.stat().st_size == writer.size
    assert io.load(path).n_epochs == 200


def test_meta_changes_are_appended_and_merged(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    run = Run(epochs=[1], metrics={"loss": [0.5]}, seconds=[0.1], status="running",
              meta={"notes": ["first"]})
    writer = runlog_writer.RunLogWriter(path)
    writer.start(run)
    run.meta["notes"].append("second")
    writer.append({"kind": "meta"}, run)
    writer.append({"kind": "meta"}, run)  # nothing changed: no line
    run.meta["test_scores"] = {"accuracy": 0.9}
    run.status = "completed"
    writer.append({"kind": "end", "status": "completed"}, run)
    writer.close()
    lines = path.read_text().splitlines()
    assert len(lines) == 1 + 1 + 1 + 1
    run.meta["test_scores"] = {"accuracy": 0.95}  # after training: reopened, one more line
    writer.append({"kind": "meta"}, run)
    writer.close()
    assert len(path.read_text().splitlines()) == 5
    run.meta["test_scores"] = {"accuracy": 0.9}
    path.write_text(path.read_text() + "\n")  # changed behind the writer's back: rewritten
    writer.append({"kind": "meta"}, run)
    writer.close()
    assert len(path.read_text().splitlines()) == 3  # header (every fact), epoch 1, end
    back = io.load(path)
    assert back.meta["notes"] == ["first", "second"]
    assert back.meta["test_scores"] == {"accuracy": 0.9}
    assert back.status == "completed"


def test_failed_append_makes_the_next_one_rewrite_the_file(tmp_path: Path) -> None:
    path = tmp_path / "disk.json"
    run = Run(epochs=[], metrics={}, seconds=[], status="running")
    writer = runlog_writer.RunLogWriter(path)
    writer.start(run)
    for epoch in (1, 2):
        run.epochs.append(epoch)
        run.metrics.setdefault("loss", []).append(float(epoch))
        run.seconds.append(0.1)  # type: ignore[union-attr]
        if epoch == 2:
            assert writer._fd is not None
            os.close(writer._fd)  # the disk is gone: the write fails
            with pytest.raises(OSError):
                writer.append(runlog_writer.epoch_record(run, 1), run)
            writer._fd = None
        else:
            writer.append(runlog_writer.epoch_record(run, 0), run)
    run.epochs.append(3)
    run.metrics["loss"].append(3.0)
    run.seconds.append(0.1)  # type: ignore[union-attr]
    writer.append(runlog_writer.epoch_record(run, 2), run)  # rewrites epochs 1-3 at once
    writer.close()
    assert io.load(path).metrics["loss"] == [1.0, 2.0, 3.0]


def test_orphan_temporary_files_are_removed_when_a_file_starts(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    orphan = tmp_path / f".run.json.{dead}.0a1b2c3d.tmp"
    live = tmp_path / f".run.json.{os.getppid()}.0a1b2c3d.tmp"  # a running process's save
    other = tmp_path / f".other.json.{dead}.0a1b2c3d.tmp"
    for p in (orphan, live, other):
        p.write_text("{")
    runlog_writer.RunLogWriter(path).start(Run(epochs=[], metrics={}))
    assert not orphan.exists()
    assert live.exists() and other.exists()
    assert io.load(path).n_epochs == 0


# ----------------------------------------------------------------- tolerant, then strict
def header() -> str:
    return runlog_writer.dumps(Run(epochs=[], metrics={}, status="running", source="fitdoctor"))


def epoch_line(number: int, **fields: Any) -> str:
    record = {"kind": "epoch", "epoch": number, "seconds": 0.1, "metrics": {"loss": 0.5}}
    record.update(fields)
    return json.dumps(record) + "\n"


@pytest.mark.parametrize("tail", ['{"kind": "epoch", "epo', '{"kind": "ep\n', "garbage"])
def test_a_torn_last_line_is_left_out_with_a_note(tmp_path: Path, tail: str) -> None:
    path = write(tmp_path / "torn.json", header() + epoch_line(1) + epoch_line(2) + tail)
    run = io.load(path)
    assert run.epochs == [1, 2] and run.status == "running"
    assert any("line 4 (the last) is cut off" in n for n in run.meta["notes"])


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["garbage\n", "{}"], "line 2: not valid JSON"),
        ([epoch_line(1, epoch=0)], "line 2: epoch: expected a whole number >= 1"),
        ([epoch_line(2), epoch_line(1)], "line 3: epoch 1 after epoch 2"),
        ([epoch_line(1, metrics={"loss": "0.5"})], "line 2: metrics.loss: expected a number"),
        ([epoch_line(1, metrics=[1])], "line 2: metrics: expected an object"),
        ([epoch_line(1, extra=1)], "line 2: unknown key 'extra'"),
        ([json.dumps({"kind": "resume"}) + "\n"], "line 2: unknown record kind 'resume'"),
        ([json.dumps({"kind": "end", "status": "done"}) + "\n"], "line 2: status: expected"),
        ([epoch_line(1, per_class={"support": [1, 2], "precision": [1.0], "recall": [1, 1],
                                   "f1": [1, 1]})], "per_class.precision: expected a list of 2"),
        ([epoch_line(1, per_class={"support": [1, 2], "precision": [1, 1], "recall": [1, 1],
                                   "f1": [1, 1], "confusion": [[0, 5, 1]]})],
         "per_class.confusion: expected [true, predicted, count] cells of a 2-class"),
        ([json.dumps({"kind": "meta", "meta": [1]}) + "\n"], "line 2: meta: expected an object"),
    ],
)
def test_damage_before_the_last_line_is_an_error_naming_it(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    text = header() + "".join(lines)
    if not text.endswith("\n"):
        text += "\n"
    path = write(tmp_path / "bad.json", text + epoch_line(99))
    with pytest.raises(InputError) as info:
        io.load(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_header_facts_are_validated_field_by_field(tmp_path: Path) -> None:
    head = json.loads(header())
    head["fit"] = {"epochs": 3, "colour": "red"}
    path = write(tmp_path / "h.json", json.dumps(head) + "\n")
    with pytest.raises(InputError, match=r"line 1: header.fit: unknown key 'colour'"):
        io.load(path)
    head["fit"] = None
    head["labels"] = [1, 2]
    write(path, json.dumps(head) + "\n")
    with pytest.raises(InputError, match=r"header\.labels: expected a list of strings"):
        io.load(path)


def test_another_version_is_refused_by_name(tmp_path: Path) -> None:
    path = write(tmp_path / "bare.json", '{"schema":"fitdoctor.run/2"}\n')
    assert io.load(path).n_epochs == 0  # a header alone is a run that has not started
    path = write(tmp_path / "v9.json", '{"schema": "fitdoctor.run/9"}\n{"kind": "epoch"}\n')
    with pytest.raises(InputError, match=r"fitdoctor\.run/9"):
        io.load(path)


def test_a_fifo_is_not_opened_by_the_sniff(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert runlog.sniff_path(fifo) is False  # returns at once instead of blocking


def test_analyze_reports_on_a_run_log(tmp_path: Path) -> None:
    run = sample_run(8)
    path = write(tmp_path / "r.json", runlog_writer.dumps(run))
    report = fitdoctor.analyze(path)
    assert report.best_epoch is not None and report.best_epoch.epoch == 8


# ----------------------------------------------------------------- killed at any moment
WRITER = """
import sys
from fitdoctor import runlog_writer
from fitdoctor.run import PerClass, Run

k = 1000
run = Run(epochs=[], metrics={}, seconds=[], status="running", source="fitdoctor")
writer = runlog_writer.RunLogWriter(sys.argv[1])
writer.start(run)
print("started", flush=True)
epoch = 0
while True:
    epoch += 1
    run.epochs.append(epoch)
    run.seconds.append(0.01)
    run.metrics.setdefault("loss", []).append(1.0 / epoch)
    pc = PerClass(epoch=epoch, labels=[str(c) for c in range(k)], precision=[0.123456] * k,
                  recall=[0.5] * k, f1=[1 / 3] * k, support=[2] * k, pr_auc=[0.25] * k)
    cells = [[c, c, 2] for c in range(k)]
    writer.append(runlog_writer.epoch_record(run, epoch - 1,
                  per_class=runlog_writer.per_class_record(pc, cells, best=True)), run)
    print(epoch, flush=True)
"""


def test_sigkill_at_any_moment_of_appending_leaves_every_finished_epoch(tmp_path: Path) -> None:
    """Kill a writer appending 1,000-class lines (~40 KB each) at 6 moments."""
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(WRITER))
    for attempt in range(6):
        path = tmp_path / f"killed{attempt}.json"
        proc = subprocess.Popen([sys.executable, str(script), str(path)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"
        finished = 0
        for _ in range(1 + 3 * attempt):  # let it write a varying number of lines
            line = proc.stdout.readline()
            finished = int(line)
        time.sleep(attempt / 1000)  # and kill it a few milliseconds into the next ones
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        run = io.load(path)
        assert run.n_epochs >= finished
        assert run.epochs == list(range(1, run.n_epochs + 1))
        assert len(run.per_class) == run.n_epochs
        assert run.per_class[-1].confusion[5][5] == 2  # the best kept is the last whole line
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _pc_body(pr_auc: list[float | None] | None = None) -> dict[str, Any]:
    return {"support": [3, 1], "precision": [1, 0.5], "recall": [1, 1], "f1": [1, 0.6],
            "pr_auc": pr_auc or [], "threshold": None, "threshold_f1": None,
            "top_confusions": []}


def test_the_end_line_completes_pr_auc_and_replaces_the_baselines(tmp_path: Path) -> None:
    """PR-AUC of the best and last epochs and a late reference model, from the end line."""
    head = json.loads(header())
    head["baselines"] = {"majority_accuracy": 0.75}
    end = {"kind": "end", "status": "completed",
           "baselines": {"majority_accuracy": 0.75, "reference_value": 0.9,
                         "reference_metric": "accuracy", "reference_model": "logistic regression"},
           "pr_auc": [{"epoch": 1, "values": [1.0, 0.5]}, {"epoch": 3, "values": [0.9, None]}]}
    text = (json.dumps(head) + "\n" + "".join(epoch_line(e, per_class=_pc_body())
                                              for e in (1, 2, 3)) + json.dumps(end) + "\n")
    run = io.load(write(tmp_path / "r.json", text))
    assert [pc.pr_auc for pc in run.per_class] == [[1.0, 0.5], [], [0.9, None]]
    assert run.baselines is not None and run.baselines.reference_value == 0.9
    assert run.baselines.majority_accuracy == 0.75
    # Without an end line (a killed process): the header's baselines, PR-AUC where written.
    killed = io.load(write(tmp_path / "k.json", text.rsplit("\n", 2)[0] + "\n"))
    assert killed.baselines is not None and killed.baselines.reference_value is None
    assert [pc.pr_auc for pc in killed.per_class] == [[], [], []]


@pytest.mark.parametrize(
    ("end", "message"),
    [
        ({"pr_auc": [{"epoch": 2, "values": [1, 1]}]}, "pr_auc: no per-class metrics at epoch 2"),
        ({"pr_auc": [{"epoch": 1, "values": [1]}]}, "pr_auc.values: expected a list of 2"),
        ({"pr_auc": [{"epoch": 1, "values": [1, "x"]}]}, "pr_auc"),
        ({"pr_auc": {"epoch": 1}}, "pr_auc"),
        ({"baselines": {"majority_accuracy": 0.5, "colour": 1}}, "unknown key 'colour'"),
    ],
)
def test_a_bad_end_line_is_an_error_naming_the_field(
    tmp_path: Path, end: dict[str, Any], message: str
) -> None:
    record = {"kind": "end", "status": "completed", **end}
    text = header() + epoch_line(1, per_class=_pc_body()) + json.dumps(record) + "\n"
    with pytest.raises(InputError) as info:
        io.load(write(tmp_path / "bad.json", text))
    assert "line 3: " in str(info.value) and message in str(info.value)
