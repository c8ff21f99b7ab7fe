"""CSV as people write it: appended CSVLogger files, per-step rows, Lightning, Excel.

``tests/data/csvlogger`` holds real ``CSVLogger(append=True)`` files recorded by
``record_csvlogger.py`` (with the History of each fit in ``expected.json``); the other
samples are built here in the shape their tool writes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from fitdoctor import readers
from fitdoctor.errors import InputError

DATA = Path(__file__).parent / "data" / "csvlogger"
EXPECTED = json.loads((DATA / "expected.json").read_text())


def write(tmp_path: Path, text: str | bytes, name: str = "log.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def test_a_restarted_csvlogger_file_is_several_runs() -> None:
    runs = readers.load_runs(DATA / "appended_restarted.csv")
    assert [r.name for r in runs] == [
        f"run {i} of 3 in appended_restarted.csv" for i in (1, 2, 3)
    ]
    for run, history in zip(runs, EXPECTED["restarted"], strict=True):
        assert run.epochs == list(range(1, len(history["loss"]) + 1))
        for key, values in history.items():
            assert run.metrics[key] == pytest.approx(values, rel=1e-12)


def test_a_resumed_csvlogger_file_is_one_run() -> None:
    run = readers.load(DATA / "appended_resumed.csv")
    first, second = EXPECTED["resumed"]
    assert run.epochs == [1, 2, 3, 4, 5, 6]
    assert run.metrics["val_loss"] == pytest.approx(first["val_loss"] + second["val_loss"])


def test_a_repeated_header_starts_a_new_run(tmp_path: Path) -> None:
    text = "epoch,loss\n0,1.0\n1,0.9\nepoch,loss\n0,1.2\n1,1.1\n2,1.0\n"
    runs = readers.load_runs(write(tmp_path, text))
    assert [r.metrics["loss"] for r in runs] == [[1.0, 0.9], [1.2, 1.1, 1.0]]


def test_a_run_resumed_from_a_checkpoint_keeps_the_later_rows(tmp_path: Path) -> None:
    text = "epoch,loss\n0,1.0\n1,0.9\n2,0.8\n3,0.7\n2,0.75\n3,0.65\n4,0.6\n"
    run = readers.load(write(tmp_path, text))
    assert run.epochs == [1, 2, 3, 4, 5]
    assert run.metrics["loss"] == [1.0, 0.9, 0.75, 0.65, 0.6]
    assert any("logged twice" in n for n in run.meta["notes"])


def test_a_single_aborted_epoch_before_a_restart(tmp_path: Path) -> None:
    text = "epoch,loss,val_loss\n0,0.88,1.5\n0,0.87,1.4\n1,0.56,0.9\n2,0.46,0.74\n"
    runs = readers.load_runs(write(tmp_path, text))
    assert [r.n_epochs for r in runs] == [1, 3]


def test_per_step_rows_are_aggregated_per_epoch(tmp_path: Path) -> None:
    rows = ["epoch,step,loss,val_loss"]
    for epoch in range(3):
        for step in range(4):
            val = f"{1.0 - 0.1 * epoch}" if step == 3 else ""
            rows.append(f"{epoch},{step},{0.9 - 0.1 * epoch + 0.01 * step},{val}")
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n"))
    assert run.epochs == [1, 2, 3]
    assert run.metrics["loss"] == pytest.approx([0.915, 0.815, 0.715])  # the epoch's mean
    assert run.metrics["val_loss"] == pytest.approx([1.0, 0.9, 0.8])  # the epoch's last
    assert any("one row per step" in n for n in run.meta["notes"])


def test_per_step_rows_without_a_step_column(tmp_path: Path) -> None:
    text = "epoch,loss\n0,1.0\n0,0.8\n1,0.6\n1,0.4\n"
    run = readers.load(write(tmp_path, text))
    assert run.metrics["loss"] == pytest.approx([0.9, 0.5])


def test_per_step_restarts_are_new_runs(tmp_path: Path) -> None:
    text = "epoch,step,loss\n0,0,1.0\n0,1,0.9\n1,2,0.8\n0,0,1.1\n0,1,1.0\n"
    assert [r.n_epochs for r in readers.load_runs(write(tmp_path, text))] == [2, 1]


def _lightning_epochs(epochs: int, *, epoch_end: bool = False) -> list[str]:
    """Lightning's CSVLogger rows over 6 columns: per epoch 2 step rows (a training value
    in the 4th column), a validation row (5th and 6th), and with ``epoch_end`` an
    epoch-end row (the 3rd)."""
    rows = []
    step = 0
    for epoch in range(epochs):
        for _ in range(2):
            rows.append(f"{epoch},{step},,{0.8 - 0.1 * epoch},,")
            step += 1
        rows.append(f"{epoch},{step - 1},,,{0.6 + 0.1 * epoch},{0.7 - 0.1 * epoch}")
        if epoch_end:
            rows.append(f"{epoch},{step - 1},{0.75 - 0.1 * epoch},,,")
    return rows


def test_pytorch_lightning_metrics_csv(tmp_path: Path) -> None:
    # Lightning's CSVLogger: step rows, epoch-end rows and validation rows apart.
    rows = ["epoch,step,train_loss_epoch,train_loss_step,val_acc,val_loss",
            *_lightning_epochs(3, epoch_end=True)]
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n", "metrics.csv"))
    assert run.epochs == [1, 2, 3]
    assert run.metrics["loss"] == pytest.approx([0.75, 0.65, 0.55])
    assert run.metrics["val_loss"] == pytest.approx([0.7, 0.6, 0.5])
    assert "train_loss_step" not in run.metric_names.values()
    assert run.metric_names["loss"] == "train_loss_epoch"


def test_lightning_validation_step_rows_count_their_own_steps(tmp_path: Path) -> None:
    # self.log(..., on_step=True) in validation_step: rows with the validation loop's own
    # step count (0, 1, 2, ...) and no epoch, beside the training's global steps (11, 23,
    # ...): the count going back is no new run, and those rows hold only *_step twins
    rows = ["val_loss_step,step,val_loss_epoch,epoch,train_loss_epoch,train_loss_step"]
    vstep = 0
    for epoch in range(4):
        for _ in range(3):
            rows.append(f"{1.0 - 0.1 * epoch + 0.01 * vstep},{vstep},,,,")
            vstep += 1
        gstep = 12 * epoch + 11
        rows.append(f",{gstep},{0.9 - 0.1 * epoch},{epoch},,")
        rows.append(f",{gstep},,{epoch},{1.1 - 0.1 * epoch},")
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n", "metrics.csv"))
    assert run.epochs == [1, 2, 3, 4]
    assert run.metrics["val_loss"] == pytest.approx([0.9, 0.8, 0.7, 0.6])
    assert run.metrics["loss"] == pytest.approx([1.1, 1.0, 0.9, 0.8])
    assert not any("left out" in n or "goes back" in n for n in run.meta["notes"])


def test_lightning_validate_and_test_after_fit_are_not_an_epoch(tmp_path: Path) -> None:
    # trainer.fit for epochs 0-2, then trainer.validate() and trainer.test(): Lightning logs
    # them at epoch 3 (current_epoch after fit), with no training value
    rows = ["epoch,step,test_loss,train_loss,val_accuracy,val_loss", *_lightning_epochs(3)]
    step = 6  # the steps the 3 epochs trained
    rows.append(f"3,{step},,,0.99,0.01")
    rows.append(f"3,{step},0.03,,,")
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n", "metrics.csv"))
    assert run.epochs == [1, 2, 3]
    assert run.metrics["val_loss"] == pytest.approx([0.7, 0.6, 0.5])
    assert "test_loss" not in run.metrics
    note = next(n for n in run.meta["notes"] if "after training" in n)
    assert "no training value" in note and "val_loss 0.01" in note
    assert run.facts["test_loss"] == pytest.approx(0.03)
    # a last epoch that trained keeps its place, however its validation reads
    rows = [*rows[:-2], f"3,{step},,0.45,,", f"3,{step},,,0.99,0.01"]
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n", "metrics2.csv"))
    assert run.epochs == [1, 2, 3, 4]


def test_excel_style_bom_semicolons_decimal_commas(tmp_path: Path) -> None:
    text = "\ufeffEpoch;Train Loss;Validation Loss;Validation Accuracy\r\n"
    text += "1;0,912;1,01;0,41\r\n2;0,701;0,88;0,52\r\n3;0,55;0,8;0,58\r\n"
    run = readers.load(write(tmp_path, text.encode("utf-8")))
    assert run.epochs == [1, 2, 3]
    assert run.metrics["loss"] == pytest.approx([0.912, 0.701, 0.55])
    assert run.metrics["val_accuracy"] == pytest.approx([0.41, 0.52, 0.58])
    assert any("decimal commas" in n for n in run.meta["notes"])


def test_cr_only_line_endings(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "epoch,loss,val_loss\r0,1.0,1.1\r1,0.8,0.9\r"))
    assert run.metrics == {"loss": [1.0, 0.8], "val_loss": [1.1, 0.9]}


def test_custom_names_and_percent_accuracy(tmp_path: Path) -> None:
    text = "epoch,train_loss,train_acc,val_loss,val_acc,lr\n1,1.3,46.0,0.85,67.2,0.001\n"
    text += "2,0.62,79.9,0.35,88.9,0.001\n3,0.4,93.2,0.2,95.0,0.001\n"
    run = readers.load(write(tmp_path, text))
    assert set(run.metrics) == {"loss", "acc", "val_loss", "val_acc", "lr"}
    assert run.metrics["val_acc"] == pytest.approx([0.672, 0.889, 0.95])


def test_a_headerless_csv_says_how_to_name_its_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "1,0.69,0.55\n2,0.66,0.59\n3,0.65,0.60\n")
    with pytest.raises(InputError, match=r"add one \(e.g. epoch,loss,accuracy\) or name the "
                       r"columns with --metric-map 1=epoch,2=loss,3=accuracy"):
        readers.load(path)
    run = readers.load(path, metric_map={"1": "epoch", "2": "loss", "3": "accuracy"})
    assert run.epochs == [1, 2, 3] and run.metrics["accuracy"] == [0.55, 0.59, 0.60]
    # columns the file does not have (they count from 1): said, not the same advice again
    with pytest.raises(InputError, match=r"--metric-map names columns 0, 4, 10 where the "
                       r"file has columns 1 to 3: e.g. --metric-map 1=epoch"):
        readers.load(path, metric_map={"10": "val_loss", "4": "loss", "0": "epoch"})


def test_rows_of_the_wrong_length_say_what_is_expected(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"line 3 has 3 fields \('1,0.4,0.3'\), the header has 2 \('epoch,loss'\); every row",
    ):
        readers.load(write(tmp_path, "epoch,loss\n0,0.5\n1,0.4,0.3\n"))


def test_a_trailing_delimiter_on_data_rows_is_tolerated(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "epoch,loss\n0,0.5,\n1,0.4,\n"))
    assert run.metrics == {"loss": [0.5, 0.4]}


def test_a_val_column_all_na_in_one_run_is_left_out_there(tmp_path: Path) -> None:
    text = "epoch,loss,val_loss\n0,1.0,NA\n1,0.9,NA\n0,1.0,1.1\n1,0.8,1.0\n"
    first, second = readers.load_runs(write(tmp_path, text))
    assert "val_loss" not in first.metrics and "val_loss" in second.metrics


def test_nan_cells_in_an_appended_file(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "epoch,loss\n0,1.0\n1,nan\n"))
    assert math.isnan(run.metrics["loss"][1] or 0.0)


def test_two_named_validation_sets(tmp_path: Path) -> None:
    rows = ["epoch,train_loss,train_acc,clean_val_loss,clean_val_acc,noisy_val_loss,"
            "noisy_val_acc"]
    rows += [f"{e},{2 / e:.4f},{60 + e},{1 / e:.4f},{80 + e},{1.5 / e:.4f},{70 + e}"
             for e in range(1, 6)]
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n"))
    assert run.metrics["val_loss"] == pytest.approx([1 / e for e in range(1, 6)], abs=1e-4)
    assert run.metric_names["val_loss"] == "clean_val_loss"
    assert run.metrics["noisy_val_acc"][0] == pytest.approx(0.71)  # percent, kept by name
    assert any("2 validation sets" in n for n in run.meta["notes"])


def test_a_lightning_test_row_after_training_is_a_fact(tmp_path: Path) -> None:
    rows = ["train_loss,epoch,step,val_loss,test_loss"]
    for e in range(4):
        rows += [f"{1 / (e + 1):.4f},{e},{e},,", f",{e},{e},{1.1 / (e + 1):.4f},"]
    rows += [",4,4,,0.3"]
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n", "metrics.csv"))
    assert run.epochs == [1, 2, 3, 4]
    assert "test_loss" not in run.metrics
    assert run.facts["test_loss"] == pytest.approx(0.3)
    assert any("only test values" in n for n in run.meta["notes"])


def test_a_training_loss_logged_every_few_epochs_keeps_the_last_epochs(tmp_path: Path) -> None:
    # Lightning's training_step logs on_step only (its default) every 50 steps; an epoch is
    # 20 steps, so train_loss falls in every 2-3 epochs while val_loss ends every epoch:
    # the last two epochs hold no training value because of that cadence, not because
    # they were logged after training
    rows = ["epoch,step,train_loss,val_loss"]
    for epoch in range(7):
        for step in range(epoch * 20, epoch * 20 + 20):
            if (step + 1) % 50 == 0:
                rows.append(f"{epoch},{step},{1.0 / (1 + step / 50):.4f},")
        rows.append(f"{epoch},{epoch * 20 + 19},,{0.9 - 0.05 * epoch:.4f}")
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n", "metrics.csv"))
    assert run.epochs == [1, 2, 3, 4, 5, 6, 7]
    assert run.metrics["val_loss"][-1] == pytest.approx(0.6)
    assert not any("after training" in n for n in run.meta.get("notes", []))


def _space_table(header: str, rows: list[list[float]]) -> str:
    return "\n".join([header, *("  ".join(f"{v:9.6f}" for v in row) for row in rows)])


def test_whitespace_tables_after_a_preamble_are_runs(tmp_path: Path) -> None:
    # a preamble (settings, a start time), then a table; a second training appended
    preamble = "=" * 20 + "\nStarted Mon Jan  1 10:00:00 2031\nSETTINGS:\nlr =0.01\nSummary:\n"
    first = _space_table(
        "train loss   val_loss  train_acc  val_acc",
        [[1.0 / e, 1.1 / e, 0.5 + e / 20, 0.45 + e / 20] for e in range(1, 5)],
    )
    second = _space_table("loss val_loss", [[0.9 / e, 1.0 / e] for e in range(1, 4)])
    path = tmp_path / "train.log"
    path.write_text(f"{preamble}{first}\nRemarks: fine\n\n{preamble}{second}\n", encoding="utf-8")
    one, two = readers.load_runs(path)
    assert one.epochs == [1, 2, 3, 4]
    assert one.metrics["loss"] == pytest.approx([1.0, 0.5, 1 / 3, 0.25], abs=1e-5)
    assert one.metrics["val_acc"] == pytest.approx([0.5, 0.55, 0.6, 0.65], abs=1e-5)
    assert two.metrics["val_loss"] == pytest.approx([1.0, 0.5, 1 / 3], abs=1e-5)
    assert any("whitespace-separated table" in n for n in one.meta["notes"])


@pytest.mark.parametrize(
    "text",
    [
        "epoch\tloss\n1\t0.5\n2\t0.4\n",  # a TSV stays CSV's
        "loss val_loss\n0.5 0.6\n",  # one row is not a table
        "loss val_loss\n0.5 0.6 0.7\n0.4 0.5 0.6\n",  # rows wider than the header
    ],
)
def test_what_is_not_a_whitespace_table(text: str) -> None:
    from fitdoctor.readers import text_tables

    assert not text_tables.sniff(readers.Source("x", None, text.encode()))


def test_printed_curves_one_per_line_are_a_history(tmp_path: Path) -> None:
    text = (
        "Best Accuracy: 0.6000\n"
        "Val Loss List: [1.5, 1.2, np.float64(1.1), nan]\n"
        "Val Acc List: [0.4, 0.5, 0.6, 0.55]\n"
    )
    run = readers.load(write(tmp_path, text))
    assert run.metrics["val_loss"][:3] == pytest.approx([1.5, 1.2, 1.1])
    assert math.isnan(run.metrics["val_loss"][3])
    assert run.metrics["val_acc"] == pytest.approx([0.4, 0.5, 0.6, 0.55])
    assert any("name: [values]" in n for n in run.meta["notes"])


def test_printed_curves_printed_again_are_another_run(tmp_path: Path) -> None:
    block = "loss: [0.9, 0.5, 0.4]\nval_loss: [1.0, 0.7, 0.6]\n"
    assert len(readers.load_runs(write(tmp_path, block + "\n" + block))) == 2


@pytest.mark.parametrize(
    "text",
    [
        "loss: [0.9, 0.5]\nTraining done\n",  # a line of another shape
        "loss: [0.9]\n",  # no curve of two values
        "layers: ['dense', 'dropout']\nloss: [0.9, 0.5]\n",  # a list of text
    ],
)
def test_what_is_not_printed_curves(text: str) -> None:
    from fitdoctor.readers import named_lists

    assert not named_lists.sniff(readers.Source("x", None, text.encode()))


def test_rows_split_by_a_phase_column_are_one_row_per_epoch(tmp_path: Path) -> None:
    # a training loop writing one row per split and epoch (long format), two stages
    rows = ["stage,epoch,phase,loss,accuracy"]
    for stage, n in (("stage1", 3), ("stage2", 4)):
        for e in range(1, n + 1):
            rows.append(f"{stage},{e},train,{1.0 / e:.4f},{0.5 + e / 20:.3f}")
            rows.append(f"{stage},{e},val,{1.2 / e:.4f},{0.45 + e / 20:.3f}")
    # the stages are phases of one training: epochs counted on (3 + 4)
    runs = readers.load_runs(write(tmp_path, "\n".join(rows) + "\n"))
    assert [r.n_epochs for r in runs] == [7]
    run = runs[0]
    assert [(p.epoch, p.label) for p in run.phases] == [(1, "stage1"), (4, "stage2")]
    assert run.metrics["loss"][3:] == pytest.approx([1.0, 0.5, 0.3333, 0.25])
    assert run.metrics["val_loss"][3:] == pytest.approx([1.2, 0.6, 0.4, 0.3])
    assert run.metrics["val_accuracy"][3] == pytest.approx(0.5)
    assert any("'phase' column (train, val)" in n for n in run.meta["notes"])


@pytest.mark.parametrize(
    ("stages", "epochs", "runs"),
    [
        # a frozen head, then fine-tuning, the epoch count starting again: one run
        (["head", "head", "finetune", "finetune", "finetune"], [1, 2, 1, 2, 3], [5]),
        # numbered stages whose epochs count on: one run, the phases marked
        (["1", "1", "2", "2"], [1, 2, 3, 4], [4]),
        # a script run twice into one file repeats its stage names: two runs, as before
        (["a", "a", "b", "a", "a", "b"], [1, 2, 1, 1, 2, 1], [2, 1, 2, 1]),
    ],
)
def test_a_stage_column_names_phases_of_one_training(
    tmp_path: Path, stages: list[str], epochs: list[int], runs: list[int]
) -> None:
    rows = ["stage,epoch,train_loss,val_loss"]
    rows += [f"{s},{e},{1.0 / (k + 1):.4f},{1.1 / (k + 1):.4f}"
             for k, (s, e) in enumerate(zip(stages, epochs, strict=True))]
    read = readers.load_runs(write(tmp_path, "\n".join(rows) + "\n"))
    assert [r.n_epochs for r in read] == runs
    if len(read) == 1:
        assert "stage" not in read[0].metrics
        assert read[0].epochs == list(range(1, runs[0] + 1))
        assert len(read[0].phases) == len(set(stages))


def test_a_text_column_of_one_split_is_no_split_column(tmp_path: Path) -> None:
    text = "epoch,mode,loss\n0,train,1.0\n1,train,0.8\n2,train,0.7\n"
    run = readers.load(write(tmp_path, text))
    assert run.metrics["loss"] == [1.0, 0.8, 0.7]
    assert "val_loss" not in run.metrics


def test_lightning_csvlogger_file_is_lightnings_whatever_its_names(tmp_path: Path) -> None:
    # a module logging train_loss and val_loss once an epoch: no *_step/*_epoch twins to
    # prove Lightning, but the file is where its CSVLogger writes
    text = "epoch,step,train_loss,val_loss\n0,49,0.9,\n0,49,,0.95\n1,99,0.7,\n1,99,,0.8\n"
    folder = tmp_path / "lightning_logs" / "version_3"
    folder.mkdir(parents=True)
    run = readers.load(write(folder, text, "metrics.csv"))
    assert run.framework == "lightning"
    assert run.metrics["val_loss"] == [0.95, 0.8]
    # the same rows elsewhere prove nothing
    assert readers.load(write(tmp_path, text, "metrics.csv")).framework == ""

def test_rows_grouped_by_split_are_one_run(tmp_path: Path) -> None:
    # every train row, then every val row: one run (had read as two, one training-only,
    # one with a validation loss alone); a split logging an epoch again starts a new run
    rows = ["epoch,phase,loss"]
    for n in (3, 4):
        for phase, scale in (("train", 1.0), ("val", 1.2)):
            rows += [f"{e},{phase},{scale / e:.4f}" for e in range(1, n + 1)]
    runs = readers.load_runs(write(tmp_path, "\n".join(rows) + "\n"))
    assert [r.n_epochs for r in runs] == [3, 4]
    assert runs[1].metrics["loss"] == pytest.approx([1.0, 0.5, 0.3333, 0.25])
    assert runs[1].metrics["val_loss"] == pytest.approx([1.2, 0.6, 0.4, 0.3])


def test_a_row_with_a_blank_split_cell_is_left_out(tmp_path: Path) -> None:
    # one blank phase cell had made the column no split column: the train and val rows
    # were averaged together into 'loss'
    rows = ["epoch,phase,loss"]
    for e in range(1, 6):
        rows += [f"{e},train,{1.0 / e:.4f}", f"{e},{'' if e == 3 else 'val'},{1.2 / e:.4f}"]
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n"))
    assert run.metrics["loss"] == pytest.approx([1.0, 0.5, 0.3333, 0.25, 0.2])
    assert run.metrics["val_loss"][3] == pytest.approx(0.3)
    assert run.metrics["val_loss"][2] is None
    assert any("1 row with no split in the 'phase' column left out" in n
               for n in run.meta["notes"])


def test_a_split_column_beside_val_columns_is_not_spread(tmp_path: Path) -> None:
    # loss and val_loss columns beside the phase column: spreading named val_loss twice
    # (an error about a duplicate column the file does not have)
    rows = ["epoch,phase,loss,val_loss"]
    for e in range(1, 6):
        rows += [f"{e},train,{1.0 / e:.4f},", f"{e},val,,{1.2 / e:.4f}"]
    run = readers.load(write(tmp_path, "\n".join(rows) + "\n"))
    assert run.metrics["loss"] == pytest.approx([1.0, 0.5, 0.3333, 0.25, 0.2])
    assert run.metrics["val_loss"] == pytest.approx([1.2, 0.6, 0.4, 0.3, 0.24])


def test_rows_grouped_by_split_keep_epoch_order(tmp_path: Path) -> None:
    # every train row (epochs 1-4), then every val row from epoch 0 (a validation before
    # training): epoch 0 had come after epoch 4, a restart read as a run of its own
    rows = ["epoch,phase,loss"]
    rows += [f"{e},train,{1.0 / e:.4f}" for e in range(1, 5)]
    rows += [f"{e},val,{1.2 / (e + 1):.4f}" for e in range(0, 5)]
    runs = readers.load_runs(write(tmp_path, "\n".join(rows) + "\n"))
    assert len(runs) == 1
    assert runs[0].metrics["val_loss"] == pytest.approx([1.2, 0.6, 0.4, 0.3, 0.24])
    assert runs[0].metrics["loss"][1:] == pytest.approx([1.0, 0.5, 0.3333, 0.25])


def test_a_title_line_above_the_header_is_left_out(tmp_path: Path) -> None:
    # a CSVLogger file (semicolons) under a line naming it, CRLF, no final newline
    text = ("model_history_log\r\nepoch;accuracy;loss;val_accuracy;val_loss\r\n"
            "0;0.41;1.58;0.80;0.65\r\n1;0.87;0.40;0.91;0.30\r\n2;0.93;0.22;0.93;0.23")
    run = readers.load(write(tmp_path, text))
    assert run.metrics["val_loss"] == [0.65, 0.30, 0.23]
    assert any("title above the header" in n for n in run.meta["notes"])
    # a one-column file keeps its first line as its header
    run = readers.load(write(tmp_path, "loss\n0.5\n0.4\n0.3\n", "one.csv"))
    assert run.metrics["loss"] == [0.5, 0.4, 0.3]


def test_start_and_summary_lines_without_an_epoch_are_left_out(tmp_path: Path) -> None:
    # a training script's event log: a line when the run starts and one when it ends,
    # their epoch empty, with numbers of their own (the batch size, the best loss)
    text = ("run_id,event,epoch,train_loss,val_loss,best_val_loss,batch_size\n"
            "7,start,,,,,32\n7,epoch,1,0.62,0.88,0.88,32\n7,epoch,2,0.40,0.70,0.70,32\n"
            "7,epoch,3,0.30,0.75,0.70,32\n7,summary,,,,0.70,32\n")
    run = readers.load(write(tmp_path, text))
    assert run.epochs == [1, 2, 3] and run.metrics["val_loss"] == [0.88, 0.70, 0.75]
    assert any("number no epoch" in n for n in run.meta["notes"])


def test_an_error_below_a_title_line_names_the_files_own_line(tmp_path: Path) -> None:
    # the title line left out must not shift the line numbers errors give
    text = "model_history_log\nepoch;loss;val_loss\n0;1.0;1.1\n1;0.8;0.9\n2;0.6;0.8;9;9\n"
    with pytest.raises(InputError, match=r"line 5 has 5 fields"):
        readers.load(write(tmp_path, text))


def test_runs_each_with_a_start_line_keep_their_breaks(tmp_path: Path) -> None:
    # every appended run opens with a line numbering no epoch: each break moves to the
    # run's first epoch row, so the runs stay apart
    text = "".join(
        f"event,epoch,loss,val_loss\nstart,,,\n"
        f"epoch,0,{k + 1},{k + 2}\nepoch,1,{k + 0.5},{k + 1.5}\n"
        for k in range(3)
    )
    runs = readers.load_runs(write(tmp_path, text))
    assert [r.metrics["loss"] for r in runs] == [[1, 0.5], [2, 1.5], [3, 2.5]]


def test_rows_without_an_epoch_are_left_out_in_linear_time() -> None:
    # 40,000 runs each opened by a start line: counting the blank rows above each break
    # one by one took minutes (a 2 MB file of 20,000 such runs read in 58 s, now 2 s)
    import time

    from fitdoctor.readers.tables import _rows_with_an_epoch

    n = 40_000
    rows = [row for k in range(n) for row in ([""], [str(k)])]
    breaks = {2 * k for k in range(n)}
    t = time.perf_counter()
    kept, moved = _rows_with_an_epoch(rows, breaks, 0, [])
    assert time.perf_counter() - t < 5
    assert len(kept) == n and moved == set(range(n))


def test_an_excel_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    # Excel's "sep=," first line (a CSV saved for Excel): the delimiter, then the header
    text = "sep=,\nepoch,training_loss,validation_loss\n1,0.0204,0.0201\n2,0.0168,0.0175\n"
    run = readers.load(write(tmp_path, text))
    assert run.metrics == {"loss": [0.0204, 0.0168], "val_loss": [0.0201, 0.0175]}


def test_a_merge_conflict_in_a_log_is_named(tmp_path: Path) -> None:
    # a training log committed mid-merge: say what the line is, not only its field count
    text = ("epoch,loss,val_loss\n<<<<<<< HEAD\n0,0.43,0.06\n1,0.12,0.02\n=======\n"
            "0,0.44,0.07\n>>>>>>> abc123\n")
    with pytest.raises(InputError, match="line 2 is a git merge-conflict marker"):
        readers.load(write(tmp_path, text))
