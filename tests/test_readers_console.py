"""Console logs: what ``model.fit`` prints, recorded from real trainings.

``tests/data/console/record_console.py`` recorded Keras 3 and Keras 2 (``tf_keras``)
output with ``verbose=1`` and ``verbose=2``, through a pipe and through a
pseudo-terminal (carriage-return progress bars, ANSI colours), four ``fit`` calls per
log (one continued with ``initial_epoch``, one stopped by ``EarlyStopping``), a warning
and a print in the middle of an epoch, and ``model.evaluate`` after training. Each
log's ``*.expected.json`` holds the History of every fit: the truth compared here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fitdoctor import readers
from fitdoctor.errors import InputError

DATA = Path(__file__).parent / "data" / "console"
LOGS = sorted(p.name for p in DATA.glob("*.log"))


def expected_runs(log: str) -> list[dict[str, list[float]]]:
    fits = json.loads((DATA / log.replace(".log", ".expected.json")).read_text())
    first, resumed, third, stopped = (f["history"] for f in fits)
    return [{k: first[k] + resumed[k] for k in first}, third, stopped]


def test_every_flavour_was_recorded() -> None:
    assert LOGS == [
        "keras2_verbose1_pipe.log", "keras2_verbose1_pty.log", "keras2_verbose2_pipe.log",
        "keras3_verbose1_pipe.log", "keras3_verbose1_pty.log", "keras3_verbose2_pipe.log",
    ]
    pty = (DATA / "keras3_verbose1_pty.log").read_bytes()
    assert b"\r" in pty and b"\x1b[" in pty


@pytest.mark.parametrize("log", LOGS)
def test_console_log_matches_the_history(log: str) -> None:
    runs = readers.load_runs(DATA / log)
    assert [r.source for r in runs] == ["console"] * 3
    assert [r.name for r in runs] == [f"run {i} of 3 in {log}" for i in (1, 2, 3)]
    for run, history in zip(runs, expected_runs(log), strict=True):
        assert run.epochs == list(range(1, len(history["loss"]) + 1))
        assert set(run.metrics) == set(history)
        for key, values in history.items():
            # printed with 4 decimals
            assert run.metrics[key] == pytest.approx(values, abs=6e-5), (log, key)


@pytest.mark.parametrize("log", LOGS)
def test_fit_calls_phases_status_and_early_stopping(log: str) -> None:
    continued, fresh, stopped = readers.load_runs(DATA / log)
    assert [(p.epoch, p.label) for p in continued.phases] == [(1, "fit 1"), (5, "fit 2")]
    assert continued.status == "completed" and continued.fit is not None
    assert continued.fit.epochs == 6
    assert fresh.phases == [] and fresh.status == "completed"
    assert stopped.status == "stopped-early" and stopped.n_epochs == 2
    assert stopped.facts == {"restored_best_epoch": 1}
    assert stopped.seconds is not None and all(s is not None and s >= 0 for s in stopped.seconds)


def test_a_log_cut_mid_epoch_keeps_the_finished_epochs(tmp_path: Path) -> None:
    text = (DATA / "keras3_verbose1_pty.log").read_text(encoding="utf-8")
    cut = text[: text.index("Epoch 3/4")] + "Epoch 3/4\r\n\x1b[1m 1/12\x1b[0m \x1b[32m━"
    path = tmp_path / "train.log"
    path.write_text(cut, encoding="utf-8")
    run = readers.load(path)
    assert run.epochs == [1, 2] and run.status == "unknown"
    assert any("epoch 3/4 has no final metrics line" in n for n in run.meta["notes"])


def test_nan_loss_in_a_console_log(tmp_path: Path) -> None:
    text = ("Epoch 1/3\n4/4 - 0s - 5ms/step - loss: 2.3000 - val_loss: 2.2000\n"
            "Epoch 2/3\n4/4 - 0s - 5ms/step - loss: nan - val_loss: nan\n"
            "Epoch 3/3\n4/4 - 0s - 5ms/step - loss: nan - val_loss: nan\n")
    path = tmp_path / "train.log"
    path.write_text(text, encoding="utf-8")
    run = readers.load(path)
    assert run.metrics["loss"][0] == 2.3 and str(run.metrics["loss"][1]) == "nan"


def test_other_loggers_epoch_lines(tmp_path: Path) -> None:
    text = "\n".join(
        f"Epoch [{e}/4] Train Loss: {1 / e:.4f}, Val Loss: {1.2 / e:.4f}, Val Acc: {50 + 5 * e}%"
        for e in range(1, 5)
    )
    path = tmp_path / "train.log"
    path.write_text("starting\n" + text + "\ndone\n", encoding="utf-8")
    run = readers.load(path)
    assert run.epochs == [1, 2, 3, 4]
    assert run.metrics["val_loss"] == pytest.approx([1.2, 0.6, 0.4, 0.3], abs=1e-4)
    assert run.metrics["val_acc"] == pytest.approx([0.55, 0.6, 0.65, 0.7])


def test_epoch_lines_without_metrics_are_refused_with_the_expected_shape(tmp_path: Path) -> None:
    path = tmp_path / "train.log"
    path.write_text("Epoch 1/10\nEpoch 2/10\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no epoch has a final metrics line"):
        readers.load(path)


def _epoch_lines(val_losses: list[float], total: int) -> list[str]:
    return [
        line
        for e, v in enumerate(val_losses, start=1)
        for line in (f"Epoch {e}/{total}", f"4/4 - 0s - 5ms/step - loss: {1 / e:.4f} - "
                                            f"val_loss: {v:.4f}")
    ]


def test_a_printed_restore_says_the_run_kept_that_epoch(tmp_path: Path) -> None:
    # Keras 3 restores at the end of training, stopped early or not; Keras 2 on stopping
    completed = [*_epoch_lines([1.0, 0.8, 0.7, 0.75, 0.9], 5),
                 "Restoring model weights from the end of the best epoch: 3."]
    stopped = [*_epoch_lines([1.0, 0.6, 0.7, 0.8], 50), "Epoch 4: early stopping",
               "Restoring model weights from the end of the best epoch: 2."]
    plain = _epoch_lines([1.0, 0.9, 0.8], 3)
    path = tmp_path / "train.log"
    path.write_text("\n".join(completed + stopped + plain) + "\n", encoding="utf-8")
    first, second, third = readers.load_runs(path)
    assert first.status == "completed" and first.facts == {"restored_best_epoch": 3}
    assert first.fit is not None and first.fit.restore_best_weights is True
    assert second.status == "stopped-early" and second.facts == {"restored_best_epoch": 2}
    assert second.fit is not None and second.fit.restore_best_weights is True
    # nothing printed after the third run: unknown, never a later or earlier run's restore
    assert third.facts == {} and third.fit is not None and third.fit.restore_best_weights is None


def test_a_restore_printed_for_a_later_run_is_not_an_earlier_ones(tmp_path: Path) -> None:
    stopped = [*_epoch_lines([1.0, 0.6, 0.7, 0.8], 50), "Epoch 4: early stopping"]
    restoring = [*_epoch_lines([1.0, 0.8, 0.9], 3),
                 "Restoring model weights from the end of the best epoch: 2."]
    path = tmp_path / "train.log"
    path.write_text("\n".join(stopped + restoring) + "\n", encoding="utf-8")
    first, second = readers.load_runs(path)
    assert first.status == "stopped-early" and first.facts == {}
    assert first.fit is not None and first.fit.restore_best_weights is None
    assert second.facts == {"restored_best_epoch": 2}


def test_a_logger_printing_the_epoch_on_every_step_line(tmp_path: Path) -> None:
    lines = ["Training", "Epochs: 2", ""]
    for e, (first, last) in enumerate([(2.2, 1.3), (0.9, 0.8)], start=1):
        for step in (100, 200, 300):
            loss = first + (last - first) * step / 300
            lines.append(f"  Epoch {e}/2 | Step {step}/300 | Loss: {loss:.4f} | Accuracy: "
                         f"{20 * e + step / 30:.1f}%")
        lines += ["", f"  Epoch {e} Complete - Avg Loss: {last:.4f}, Accuracy: {20 * e + 10}%"]
    path = tmp_path / "train.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = readers.load_runs(path)
    assert len(runs) == 1
    assert runs[0].epochs == [1, 2]
    assert runs[0].metrics["loss"] == pytest.approx([1.3, 0.8])


def test_split_and_metric_joined_by_a_dash_keep_the_split(tmp_path: Path) -> None:
    # "Train - Loss" names the training loss: the part after " - " alone is only the
    # name when what precedes it is no split ("Epoch 1 Complete - Avg Loss")
    lines = []
    for e, (loss, val) in enumerate([(0.9, 0.95), (0.7, 0.8), (0.6, 0.75), (0.5, 0.74)], 1):
        lines += [f"Epoch {e}/4", f"Train - Loss: {loss}, Val - Loss: {val}"]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = readers.load(path)
    assert run.metrics["loss"] == pytest.approx([0.9, 0.7, 0.6, 0.5])
    assert run.metrics["val_loss"] == pytest.approx([0.95, 0.8, 0.75, 0.74])


def _logging_line(second: int, message: str) -> str:
    stamp = f"2031-02-03 10:{second // 60:02d}:{second % 60:02d},{second * 7 % 1000:03d}"
    return f"{stamp} - INFO - {message}"


def test_python_logging_epochs_without_a_count_spread_over_lines(tmp_path: Path) -> None:
    # logging output: the timestamp's milliseconds have a comma (not a CSV), the epoch
    # line has no count, and the validation value is on a later line of its own
    lines = [_logging_line(0, "Training started")]
    for e in range(1, 5):
        lines += [
            _logging_line(10 * e, ""),
            f"Epoch {e}: Training Loss = {0.8 / e:.4f}",
            _logging_line(10 * e + 5, f"Validation Accuracy: {60 + 5 * e:.2f}%"),
            "",
        ]
    lines.append(_logging_line(99, "Model saved to model.pt"))
    # a second training appended, its epoch lines carrying the logging prefix
    lines += [_logging_line(100 + e, f"Epoch {e}: Training Loss = {0.5 / e:.4f}") for e in (1, 2)]
    path = tmp_path / "training.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first, second = readers.load_runs(path)
    assert first.epochs == [1, 2, 3, 4]
    assert first.metrics["loss"] == pytest.approx([0.8, 0.4, 0.2667, 0.2], abs=1e-4)
    assert first.metrics["val_accuracy"] == pytest.approx([0.65, 0.7, 0.75, 0.8])
    assert first.fit is not None and first.fit.epochs is None
    assert second.metrics["loss"] == pytest.approx([0.5, 0.25])


def test_countless_epoch_lines_without_pairs_are_not_epochs(tmp_path: Path) -> None:
    # 'Epoch 2: early stopping' has no value: it is not an epoch of a countless log
    text = "Epoch 1: loss = 0.9\nEpoch 2: loss = 0.7\nEpoch 2: early stopping\n"
    path = tmp_path / "train.log"
    path.write_text(text, encoding="utf-8")
    run = readers.load(path)
    assert run.epochs == [1, 2]
    assert run.status == "stopped-early"


def test_keras_output_below_bracketed_log_lines(tmp_path: Path) -> None:
    # '[timestamp] message' lines first: a log, not JSON
    fit = "\n".join(
        f"Epoch {e}/3\n5/5 [==============================] - 1s 9ms/step - loss: {1 / e:.4f}"
        f" - val_loss: {1.1 / e:.4f}"
        for e in range(1, 4)
    )
    text = f"[2031-02-03 10:00:00] Loading data...\n[2031-02-03 10:00:05] Training...\n{fit}\n"
    path = tmp_path / "training_log.txt"
    path.write_text(text, encoding="utf-8")
    run = readers.load(path)
    assert run.metrics["val_loss"] == pytest.approx([1.1, 0.55, 0.3667], abs=1e-4)


def test_logging_lines_with_a_model_tag_before_the_epoch(tmp_path: Path) -> None:
    # Python logging, the model named in a bracketed tag before "Epoch k/N", two models
    # trained one after the other, and lines of other output between (a download)
    lines = ["2026-02-15 00:11:28,182 - INFO - Loaded labeled datasets successfully:",
             "2026-02-15 00:11:28,182 - INFO - Train: 6552 images"]
    for model, n in (("baseline_cnn", 4), ("resnet18", 3)):
        for e in range(1, n + 1):
            lines.append(
                f"2026-02-15 00:1{e}:14,542 - INFO - [{model} | Epoch {e}/{n}] Train Loss: "
                f"{2.0 / e:.4f} | Train Acc: {10 * e:.2f}% | Val Loss: {2.2 / e:.4f} | "
                f"Val Acc: {9 * e:.2f}% | Time: 140.8s")
        lines.append('Downloading: "https://download.pytorch.org/models/resnet18.pth"')
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = readers.load_runs(path)
    assert [r.n_epochs for r in runs] == [4, 3]
    assert runs[0].metrics["val_loss"] == pytest.approx([2.2 / e for e in range(1, 5)], abs=1e-4)


def test_logging_basic_config_default_prefix(tmp_path: Path) -> None:
    # logging.basicConfig(level=logging.INFO) writes LEVEL:logger:message (review15: such
    # a log was refused, "no 'Epoch N/M' line")
    lines = ["INFO:root:Loading data"]
    lines += [f"INFO:root:Epoch {e}: train_loss={1.0 / e:.3f} val_loss={1.1 / e:.3f}"
              for e in range(1, 6)]
    lines.append("INFO:__main__:done")
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = readers.load(path)
    assert run.n_epochs == 5
    assert run.metrics["val_loss"] == pytest.approx([1.1 / e for e in range(1, 6)], abs=1e-3)


def test_a_loop_printing_every_kth_epoch_and_a_summary_after_it(tmp_path: Path) -> None:
    # `Epoch [50/500]`, `[100/500]`...: one fit printing every 50th epoch (no phases); the
    # metrics printed after the last epoch (a test score) are facts, not a one-value curve
    lines = [f"Epoch [{e}/500], Loss: {0.5 - e / 5000:.4f}, Accuracy: {80 + e / 50:.2f}%"
             for e in range(50, 501, 50)]
    lines += ["Performance Metrics:", "            Sensitivity: 0.91", "",
              "Test Set Accuracy: 92.44%"]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = readers.load(path)
    assert run.epochs == list(range(50, 501, 50)) and run.phases == []
    assert set(run.metrics) == {"loss", "accuracy"}
    assert run.facts["Test Set Accuracy"] == pytest.approx(0.9244)
    assert run.facts["Sensitivity"] == pytest.approx(0.91)
    assert any("after its last epoch" in n for n in run.meta["notes"])


def test_pairs_on_the_lines_after_each_epoch_stay_values(tmp_path: Path) -> None:
    # `Epoch k/N` alone, its pairs on the lines after it, the last epoch's too
    lines = []
    for e in range(1, 5):
        lines += [f"Epoch {e}/4", f"Train Loss: {1 / e:.3f}", f"Val Loss: {1.2 / e:.3f}"]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = readers.load(path)
    assert run.metrics["val_loss"] == pytest.approx([1.2 / e for e in range(1, 5)], abs=1e-3)
    assert not run.facts


def test_validation_on_its_own_line_at_the_last_epoch_stays_a_value(tmp_path: Path) -> None:
    # validation_freq=N: the validation printed on a line of its own after the last epoch
    # only is that epoch's value, not a summary fact
    lines = [f"Epoch {e}/3 - Train Loss: {1 / e:.3f}" for e in range(1, 4)]
    lines.append("Val Loss: 0.41")
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = readers.load(path)
    assert run.metrics["val_loss"] == [None, None, 0.41]
    assert not run.facts


def test_a_new_fit_after_an_early_stop_under_the_same_total_is_a_phase(tmp_path: Path) -> None:
    # fit(epochs=20) stopped at epoch 8, then fit(initial_epoch=10, epochs=20): an uneven
    # jump is a new fit (a phase), not a loop printing every k-th epoch
    numbers = [*range(1, 9), *range(11, 15)]
    lines = [f"Epoch [{e}/20], Loss: {1 / e:.4f}, Val Loss: {1.1 / e:.4f}" for e in numbers]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = readers.load(path)
    assert [(p.epoch, p.label) for p in run.phases] == [(1, "fit 1"), (11, "fit 2")]


def test_key_value_logging_with_step_lines_and_an_epoch_end_line(tmp_path: Path) -> None:
    # logging.info(f"epoch={e} step={s} train_loss=... val_loss=...") every 200 steps and
    # f"epoch_end={e} train_loss=... val_loss=..." once an epoch, remarks between (a real
    # train_log.txt was refused: "line 3 has 1 fields ... the header has 2")
    lines = ["2026-03-03 02:10:46,423 | Starting training"]
    ends = [(0.2149, 0.1544), (0.1194, 0.1253), (0.0814, 0.1692)]
    for e, (train, val) in enumerate(ends, start=1):
        for step in (200, 400, 600):
            lines.append("2026-03-03 02:13:09,433 | ")
            lines.append(f"epoch={e} step={step} train_loss={train + 0.1 - step / 6000:.4f} "
                         f"val_loss={val + 0.05:.4f}")
            lines.append("2026-03-03 02:13:10,127 | saved best_model.pt")
        lines.append(f"epoch_end={e} train_loss={train} val_loss={val}")
        lines.append(f"2026-03-03 02:28:22,026 | saved checkpoint_epoch_{e}.pt")
    lines.append("done. best_val_loss=0.1131")
    path = tmp_path / "train_log.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = readers.load_runs(path)
    assert len(runs) == 1
    run = runs[0]
    assert run.epochs == [1, 2, 3]
    assert run.metrics["loss"] == pytest.approx([t for t, _ in ends])
    assert run.metrics["val_loss"] == pytest.approx([v for _, v in ends])
    assert "best_val_loss" not in " ".join(run.facts)  # a remark after a sentence


def test_key_value_logging_one_line_an_epoch(tmp_path: Path) -> None:
    lines = [f"epoch={e} loss={1.0 / e:.4f} acc={0.5 + e / 20:.3f} val_loss={1.2 / e:.4f}"
             for e in range(1, 7)]
    path = tmp_path / "log.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = readers.load(path)
    assert run.epochs == [1, 2, 3, 4, 5, 6]
    assert run.metrics["val_loss"] == pytest.approx([1.2 / e for e in range(1, 7)], abs=1e-4)
    assert run.metrics["acc"][-1] == pytest.approx(0.8)
