"""JSON as people write it: facts beside the curves, wrappers, nested runs, records, HF logs.

Each sample is built here, in the shape the named tool or habit writes it (the values
are made up; the wild corpus the shapes come from is not copied).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import fitdoctor
from fitdoctor import readers
from fitdoctor.errors import InputError


def write(tmp_path: Path, value: Any, name: str = "history.json") -> Path:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


def curve(n: int, start: float = 1.0, rate: float = 0.8) -> list[float]:
    return [start * rate**i for i in range(n)]


HISTORY = {
    "loss": curve(6), "accuracy": [0.5 + 0.05 * i for i in range(6)],
    "val_loss": curve(6, 1.1), "val_accuracy": [0.45 + 0.05 * i for i in range(6)],
}


def test_extra_keys_beside_the_curves_are_facts(tmp_path: Path) -> None:
    data = {
        **HISTORY,
        "test_accuracy": 0.91, "best_val_loss": 0.4, "epochs": 6, "training_time": 812.5,
        "timestamp": "2026-04-18T17:21:59", "config": {"lr": 0.001, "layers": [64, 32]},
        "class_names": ["cat", "dog"],
    }
    run = readers.load(write(tmp_path, data))
    assert set(run.metrics) == set(HISTORY)
    assert run.facts == {
        "test_accuracy": 0.91, "best_val_loss": 0.4, "epochs": 6, "training_time": 812.5,
        "timestamp": "2026-04-18T17:21:59", "config": {"lr": 0.001, "layers": [64, 32]},
        "class_names": ["cat", "dog"],
    }
    report = fitdoctor.analyze(run)
    assert report.run_summary["facts"]["config"] == "{2 keys}"  # shown once, compactly
    assert "test_accuracy" not in report.metrics  # never judged as a curve


def test_a_list_of_another_length_is_a_fact_with_a_note(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, {**HISTORY, "lr_milestones": [10, 20]}))
    assert run.facts["lr_milestones"] == [10, 20]
    assert any("'lr_milestones' kept as a fact" in n for n in run.meta["notes"])


def test_keras_history_attributes_wrapper(tmp_path: Path) -> None:
    # {"history": h.history, "params": h.params, "epoch": h.epoch}
    data = {"history": HISTORY, "params": {"verbose": 1, "epochs": 20, "steps": 12},
            "epoch": list(range(6))}
    run = readers.load(write(tmp_path, data))
    assert run.epochs == [1, 2, 3, 4, 5, 6]
    assert run.fit is not None and run.fit.epochs == 20 and run.fit.steps_per_epoch == 12
    assert run.status == "stopped-early"
    assert run.name == "history.json"


def test_a_wrapper_with_summary_keys(tmp_path: Path) -> None:
    data = {"epochs_requested": 5, "class_names": ["a", "b"], "dataset_summary": {"a": 10},
            "history": HISTORY}
    run = readers.load(write(tmp_path, data))
    assert set(run.metrics) == set(HISTORY)
    assert run.facts == {"epochs_requested": 5, "class_names": ["a", "b"],
                         "dataset_summary": {"a": 10}}


def test_phases_stored_under_keys_are_separate_runs(tmp_path: Path) -> None:
    data = {"frozen": HISTORY, "finetune": {k: v[:4] for k, v in HISTORY.items()},
            "seed": 3}
    path = write(tmp_path, data)
    runs = readers.load_runs(path)
    assert [r.name for r in runs] == [
        "run 1 of 2 in history.json (frozen)", "run 2 of 2 in history.json (finetune)",
    ]
    assert [r.n_epochs for r in runs] == [6, 4]
    assert all(r.facts == {"seed": 3} for r in runs)
    with pytest.raises(InputError, match=r"holds 2 runs where one is expected; .* "
                       r"read them all with fitdoctor.load_runs"):
        readers.load(path)
    with pytest.raises(InputError, match=r"use fitdoctor.analyze_all"):
        fitdoctor.analyze(path)
    assert len(fitdoctor.analyze_all(path)) == 2


def test_numbered_runs_and_deeper_nesting(tmp_path: Path) -> None:
    data = {"0": {"history": HISTORY}, "1": {"history": HISTORY}, "2": {"history": HISTORY}}
    runs = readers.load_runs(write(tmp_path, data))
    assert [r.name for r in runs] == [f"run {i} of 3 in history.json ({i - 1})" for i in (1, 2, 3)]


def test_a_config_object_full_of_numbers_is_not_a_run(tmp_path: Path) -> None:
    data = {**HISTORY, "config": {"layers": [{"units": 64}, {"units": 10}], "epochs": 6}}
    runs = readers.load_runs(write(tmp_path, data))
    assert len(runs) == 1 and runs[0].facts["config"]["epochs"] == 6


def test_a_prefixed_second_training_of_another_length_is_its_own_run(tmp_path: Path) -> None:
    data = {**HISTORY, **{f"fine_tune_{k}": v[:3] for k, v in HISTORY.items()},
            "test_accuracy": 0.9}
    runs = readers.load_runs(write(tmp_path, data))
    assert [r.n_epochs for r in runs] == [6, 3]
    assert runs[1].name.endswith("(fine_tune)")
    assert set(runs[1].metrics) == set(HISTORY)
    assert runs[1].metrics["val_loss"] == HISTORY["val_loss"][:3]


def test_phase_starts_mark_phases_of_one_run(tmp_path: Path) -> None:
    data = {"train_loss": curve(9), "val_loss": curve(9, 1.2), "phase_starts": [0, 3, 6],
            "phase_labels": ["head", "fine-tune 30", "fine-tune 60"], "backbone": "b0"}
    run = readers.load(write(tmp_path, data))
    assert [(p.epoch, p.label) for p in run.phases] == [
        (1, "head"), (4, "fine-tune 30"), (7, "fine-tune 60"),
    ]
    assert run.facts == {"backbone": "b0"}
    summary = fitdoctor.analyze(run).run_summary
    assert summary["phases"][1] == "fine-tune 30 (from epoch 4)"


def test_custom_names_are_read_and_recorded(tmp_path: Path) -> None:
    data = {"train_loss_history": curve(5), "dev_loss": curve(5, 1.2),
            "Training Accuracy": [0.5] * 5, "Validation Accuracy": [0.4] * 5}
    run = readers.load(write(tmp_path, data))
    assert set(run.metrics) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert run.metric_names == {
        "loss": "train_loss_history", "val_loss": "dev_loss", "accuracy": "Training Accuracy",
        "val_accuracy": "Validation Accuracy",
    }
    assert any("`dev_loss` as val_loss" in n for n in run.meta["notes"])
    report = fitdoctor.analyze(run)
    assert "FD701" not in {f.code for f in report.findings}
    assert report.run_summary["metric_names"]["val_loss"] == "dev_loss"


def test_metric_map_overrides_the_reading(tmp_path: Path) -> None:
    path = write(tmp_path, {"score": curve(5), "holdout": curve(5, 1.3)})
    with pytest.raises(InputError, match=r"no loss column .*--metric-map NAME=loss"):
        readers.load(path)
    run = readers.load(path, metric_map={"score": "loss", "holdout": "val_loss"})
    assert set(run.metrics) == {"loss", "val_loss"}
    assert run.metric_names == {"loss": "score", "val_loss": "holdout"}


def test_accuracy_in_percent_is_read_as_a_fraction(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, {"loss": curve(3), "acc": [46.0, 80.0, 93.5]}))
    assert run.metrics["acc"] == pytest.approx([0.46, 0.80, 0.935])
    assert any("in percent" in n for n in run.meta["notes"])


def test_per_epoch_records(tmp_path: Path) -> None:
    records = [
        {"epoch": e, "train_loss": 1 / e, "train_acc": 0.1 * e, "val_loss": 1.1 / e,
         "val_acc": 0.09 * e, "lr": 1e-3, "timestamp": f"t{e}"}
        for e in range(1, 6)
    ]
    run = readers.load(write(tmp_path, records))
    assert run.epochs == [1, 2, 3, 4, 5]
    assert set(run.metrics) == {"loss", "acc", "val_loss", "val_acc", "lr"}
    assert run.metrics["val_loss"][-1] == pytest.approx(1.1 / 5)


def test_json_lines(tmp_path: Path) -> None:
    text = "".join(json.dumps({"epoch": e, "loss": 1 / (e + 1), "val_loss": 1.2 / (e + 1)}) + "\n"
                   for e in range(4))
    run = readers.load(write(tmp_path, text, "metrics.jsonl"))
    assert run.epochs == [1, 2, 3, 4] and run.metrics["loss"][0] == 1.0


def test_a_list_of_histories_is_several_runs(tmp_path: Path) -> None:
    runs = readers.load_runs(write(tmp_path, [HISTORY, HISTORY]))
    assert len(runs) == 2 and runs[1].name == "run 2 of 2 in history.json (2)"


def test_a_list_of_record_lists_is_several_runs(tmp_path: Path) -> None:
    # json.dump([records of run 1, records of run 2]): several trainings kept in one file,
    # their loss under a longer name (`train_log_loss`), read as the loss with a note
    runs = [[{"epoch": e, "train_log_loss": 0.7 / e, "validation_log_loss": 0.8 / e + k}
             for e in range(1, 6 + k)] for k in range(2)]
    read = readers.load_runs(write(tmp_path, runs))
    assert [len(r.epochs) for r in read] == [5, 6]
    assert read[1].name == "run 2 of 2 in history.json"
    assert read[1].metrics["val_loss"][0] == pytest.approx(1.8)
    assert any("`train_log_loss` as loss" in n for n in read[0].meta["notes"])


def test_record_lists_whose_epochs_go_on_are_one_run(tmp_path: Path) -> None:
    # a loop that kept each epoch's batch records in an array of their own: one run of
    # 4 epochs (the steps averaged), not 4 runs of one epoch each
    parts = [[{"epoch": e, "step": s, "loss": 1.0 / e + 0.01 * s} for s in range(5)]
             for e in range(1, 5)]
    read = readers.load_runs(write(tmp_path, parts))
    assert len(read) == 1 and read[0].epochs == [1, 2, 3, 4]
    assert read[0].metrics["loss"][1] == pytest.approx(0.52)


def test_accuracies_alone_are_read_with_a_note(tmp_path: Path) -> None:
    # a loop that kept only its accuracies: read, the loss checks skip (not refused)
    path = write(tmp_path, {"train_acc": [0.45, 0.6, 0.7, 0.8], "val_acc": [0.5, 0.6, 0.65, 0.7]})
    run = readers.load(path)
    assert set(run.metrics) == {"acc", "val_acc"}
    assert any("no loss curve, only accuracies" in n for n in run.meta["notes"])
    report = fitdoctor.analyze(run)
    assert any("no training loss" in s.reason for s in report.skipped)


def _hf_log(evals: bool = True) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = []
    step = 0
    for epoch in range(3):
        for k in range(1, 6):
            step += 10
            log.append({"loss": 0.7 - 0.05 * (epoch * 5 + k), "grad_norm": 2.0 + k,
                        "learning_rate": 2e-5 * (1 - step / 150), "epoch": epoch + k / 5,
                        "step": step})
        if evals:
            log.append({"eval_loss": 0.6 - 0.05 * epoch, "eval_accuracy": 0.7 + 0.05 * epoch,
                        "eval_runtime": 9.3, "eval_samples_per_second": 10.7,
                        "eval_steps_per_second": 1.4, "epoch": float(epoch + 1), "step": step})
    log.append({"train_runtime": 596.2, "train_samples_per_second": 2.0,
                "train_steps_per_second": 0.25, "total_flos": 3.9e13, "train_loss": 0.47,
                "epoch": 3.0, "step": 150})
    if evals:  # trainer.evaluate() after training
        log.append({"eval_loss": 0.44, "eval_accuracy": 0.8, "eval_runtime": 9.7,
                    "epoch": 3.0, "step": 150})
    return log


def test_hugging_face_log_history(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, _hf_log()))
    assert run.epochs == [1, 2, 3]
    assert run.metrics["val_loss"] == pytest.approx([0.6, 0.55, 0.5])
    # training loss: the mean of the 5 records logged in each epoch
    assert run.metrics["loss"][0] == pytest.approx(0.7 - 0.05 * 3)
    assert run.metrics["learning_rate"][0] == pytest.approx(2e-5 * (1 - 50 / 150))  # the last
    assert "val_runtime" not in run.metrics and "eval_runtime" not in run.metrics
    assert run.facts["train_loss"] == 0.47  # the summary record is a fact, not a point
    assert run.facts["evaluations_after_training"][0]["eval_loss"] == 0.44


def test_hugging_face_trainer_state(tmp_path: Path) -> None:
    state = {"best_metric": 0.5, "epoch": 3.0, "global_step": 150, "num_train_epochs": 3,
             "log_history": _hf_log(), "is_world_process_zero": True}
    run = readers.load(write(tmp_path, state, "trainer_state.json"))
    assert run.epochs == [1, 2, 3] and run.fit is not None and run.fit.epochs == 3
    assert run.facts["global_step"] == 150


def test_trainer_state_facts_leave_the_bookkeeping_out(tmp_path: Path) -> None:
    # what Trainer writes beside log_history: process flags, callbacks' state and empty
    # fields say nothing about the training (a sweep read the flags as hyperparameters)
    state = {"best_metric": None, "best_model_checkpoint": None, "epoch": 3.0,
             "eval_steps": 500, "global_step": 150, "is_hyper_param_search": False,
             "is_local_process_zero": True, "is_world_process_zero": True,
             "log_history": _hf_log(), "logging_steps": 10, "max_steps": 150,
             "num_input_tokens_seen": 0, "num_train_epochs": 3, "save_steps": 500,
             "stateful_callbacks": {"TrainerControl": {"args": {"should_save": True}}},
             "total_flos": 3.9e13, "train_batch_size": 16, "trial_name": None,
             "trial_params": None}
    run = readers.load(write(tmp_path, state, "trainer_state.json"))
    assert list(run.facts)[:2] == ["train_batch_size", "num_train_epochs"]
    for key in ("is_local_process_zero", "is_world_process_zero", "is_hyper_param_search",
                "stateful_callbacks", "num_input_tokens_seen", "best_metric", "trial_params"):
        assert key not in run.facts
    assert run.facts["global_step"] == 150 and run.facts["train_loss"] == 0.47


def test_hugging_face_log_without_evaluation(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, _hf_log(evals=False)))
    assert run.epochs == [1, 2, 3] and set(run.metrics) == {"loss", "grad_norm", "learning_rate"}


def test_pandas_json_orient_index(tmp_path: Path) -> None:
    data = {str(i): {"loss": HISTORY["loss"][i], "val_loss": HISTORY["val_loss"][i]}
            for i in range(6)}
    run = readers.load(write(tmp_path, data))
    assert run.metrics["val_loss"] == pytest.approx(HISTORY["val_loss"])


def test_text_where_a_loss_belongs_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"metric 'loss', epoch 1: expected a number"):
        readers.load(write(tmp_path, {"loss": ["high", "low"], "val_loss": [1.0, 0.5]}))


def test_nan_values_in_facts_stay_json_safe(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, '{"loss": [1.0, 0.5], "best": NaN}'))
    assert run.facts == {"best": "nan"}
    json.dumps(run.to_dict(), allow_nan=False)  # facts never need NaN tokens
    assert math.isfinite(run.metrics["loss"][1] or 0)


def test_an_accuracy_a_hair_above_one_is_not_a_percentage(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, {"loss": curve(3), "accuracy": [0.9, 0.99, 1.0081]}))
    assert run.metrics["accuracy"] == [0.9, 0.99, 1.0081]


def test_pandas_to_dict_with_an_empty_metric(tmp_path: Path) -> None:
    # json.dump(pd.DataFrame(history.history).to_dict(), f): metric -> {row: value}, and an
    # empty object for a metric compiled but never logged; rows in numeric order
    loss = curve(12)
    data = {"loss": {str(i): loss[i] for i in reversed(range(12))}, "accuracy": {}}
    run = readers.load(write(tmp_path, data))
    assert run.metrics["loss"] == pytest.approx(loss)
    assert "accuracy" not in run.metrics
    assert any("'accuracy' left out: no value logged" in n for n in run.meta["notes"])


def test_pandas_columns_with_rows_left_out_are_gaps_not_nans(tmp_path: Path) -> None:
    data = {"loss": {str(i): v for i, v in enumerate(curve(6))}, "time": {"1": 5.0, "4": 6.0}}
    run = readers.load(write(tmp_path, data))
    assert run.metrics["time"] == [None, 5.0, None, None, 6.0, None]


def test_a_json_object_of_empty_objects_is_still_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        readers.load(write(tmp_path, {"loss": {}, "accuracy": {}}))


def test_records_with_values_grouped_by_split(tmp_path: Path) -> None:
    records = [
        {"epoch": e, "train": {"loss": 1 / e, "dice": 0.1 * e},
         "val": {"loss": 1.1 / e, "dice": 0.09 * e}, "config": {"name": "unet"}}
        for e in range(1, 6)
    ]
    run = readers.load(write(tmp_path, records))
    assert run.epochs == [1, 2, 3, 4, 5]
    assert set(run.metrics) == {"loss", "dice", "val_loss", "val_dice"}
    assert run.metric_names["val_dice"] == "val.dice"
    assert run.metrics["val_loss"][-1] == pytest.approx(1.1 / 5)


def test_records_wrapping_whole_names_read_as_those_names(tmp_path: Path) -> None:
    # a Keras callback dumping {"epoch": epoch, "logs": logs}: the object wraps whole names
    # (`val_loss`), it is no prefix; `metrics_val_loss` had read as a training curve (FD701)
    records = [{"epoch": e, "logs": {"loss": 1 / e, "val_loss": 1.1 / e, "acc": 0.5 + e / 20}}
               for e in range(1, 6)]
    run = readers.load(write(tmp_path, records))
    assert set(run.metrics) == {"loss", "val_loss", "acc"}
    assert run.metrics["val_loss"][-1] == pytest.approx(1.1 / 5)
    # an object of one metric's statistics keeps its name as the prefix
    records = [{"epoch": e, "loss": {"mean": 1 / e, "std": 0.1}, "val_loss": 1.1 / e}
               for e in range(1, 6)]
    run = readers.load(write(tmp_path, records, "stats.json"))
    assert run.metrics["loss"][-1] == pytest.approx(1 / 5)


def test_records_with_a_test_group_and_no_validation(tmp_path: Path) -> None:
    records = [{"epoch": e, "train": {"loss": 1 / e}, "test": {"loss": 1.2 / e}}
               for e in range(1, 4)]
    run = readers.load(write(tmp_path, records))
    assert run.metrics["val_loss"] == pytest.approx([1.2, 0.6, 0.4])
    assert any("unbiased" in n for n in run.meta["notes"])  # as a test_ prefix reads


def test_lists_named_only_by_their_split_are_the_losses(tmp_path: Path) -> None:
    data = {"epochs": [1, 2, 3, 4], "train": curve(4, 3.0), "val": curve(4, 3.5)}
    run = readers.load(write(tmp_path, data, "loss_history.json"))
    assert run.metrics["loss"] == pytest.approx(curve(4, 3.0))
    assert run.metrics["val_loss"] == pytest.approx(curve(4, 3.5))
    assert run.metric_names == {"loss": "train", "val_loss": "val"}
    assert any("--metric-map train=NAME" in n for n in run.meta["notes"])


def test_records_with_train_loss_and_an_evaluation_loss(tmp_path: Path) -> None:
    records = [{"epoch": e, "train_loss": 1 / e, "loss": 0.6 / e, "precision": 0.5 + e / 20,
                "tp": 10 * e} for e in range(1, 6)]
    run = readers.load(write(tmp_path, records))
    assert run.metrics["loss"] == pytest.approx([1 / e for e in range(1, 6)])
    assert run.metrics["val_loss"] == pytest.approx([0.6 / e for e in range(1, 6)])
    assert any("read as the evaluation's" in n for n in run.meta["notes"])
    report = fitdoctor.analyze(run)
    assert "FD701" not in {f.code for f in report.findings}


def test_a_validation_value_carried_between_evaluations_is_read_as_gaps(tmp_path: Path) -> None:
    # evaluated every 2 epochs, the last evaluation logged again in between
    val = [v for v in curve(6, 1.2) for _ in range(2)]
    run = readers.load(write(tmp_path, {"train_loss": curve(12), "val_loss": val}))
    assert run.metrics["val_loss"][:4] == pytest.approx([1.2, None, 0.96, None])
    assert run.fit is not None and run.fit.validation_freq == 2
    assert any("repeats each value 2 epochs running" in n for n in run.meta["notes"])


@pytest.mark.parametrize(
    "val",
    [
        [0.5268] * 12,  # stuck at the majority class: truly flat, kept
        [0.9, 0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.5, 0.5, 0.4, 0.4, 0.3],  # no strict period
        [0.9, 0.9, 0.8, 0.8],  # too few periods to tell
    ],
)
def test_repeats_without_a_strict_period_are_kept(tmp_path: Path, val: list[float]) -> None:
    run = readers.load(write(tmp_path, {"loss": curve(len(val)), "val_accuracy": val}))
    assert run.metrics["val_accuracy"] == pytest.approx(val)


def test_a_small_validation_sets_accuracy_repeating_by_chance_is_kept(tmp_path: Path) -> None:
    # 20 validation rows: the accuracy moves in steps of 0.05 and repeats by chance, while
    # the validation loss, evaluated with it, changes every epoch: evaluated every epoch
    val_acc = [0.75, 0.75, 0.85, 0.85, 0.9, 0.9]
    data = {"loss": curve(6), "val_loss": curve(6, 1.1, 0.9), "val_accuracy": val_acc}
    run = readers.load(write(tmp_path, data))
    assert run.metrics["val_accuracy"] == pytest.approx(val_acc)
    assert run.fit is None or run.fit.validation_freq is None
    assert not any("repeats each value" in n for n in run.meta.get("notes", []))


def test_carried_evaluations_repeat_every_validation_curve_together(tmp_path: Path) -> None:
    val = [v for v in curve(4, 1.2) for _ in range(2)]
    acc = [a for a in (0.6, 0.7, 0.75, 0.8) for _ in range(2)]
    run = readers.load(write(tmp_path, {"loss": curve(8), "val_loss": val, "val_acc": acc}))
    assert run.metrics["val_loss"][:4] == pytest.approx([1.2, None, 0.96, None])
    assert run.metrics["val_acc"][:4] == pytest.approx([0.6, None, 0.7, None])
    assert run.fit is not None and run.fit.validation_freq == 2


def test_accuracies_named_only_by_their_split_are_not_read_as_losses(tmp_path: Path) -> None:
    # {"train": [...], "val": [...]} of accuracies (an acc_history.json): rising from their
    # first epoch within [0, 1], as no training loss does; refused, as before, with the fix
    data = {"train": [0.55, 0.62, 0.70, 0.76, 0.80, 0.83],
            "val": [0.52, 0.6, 0.66, 0.7, 0.72, 0.73]}
    path = write(tmp_path, data, "acc_history.json")
    with pytest.raises(InputError, match="--metric-map train=loss"):
        readers.load(path)
    run = readers.load(path, metric_map={"train": "loss", "val": "val_loss"})
    assert run.metrics["loss"][0] == pytest.approx(0.55)


def test_a_name_kept_as_logged_is_not_read_as_the_training_loss() -> None:
    # `Validation Loss` keeps its name beside `val_loss`; its value at the last row is no
    # training value, so that row is not an evaluation after training to drop (the
    # property test's example: dropping it left no loss at all)
    run = fitdoctor.load({"Validation Loss": [0.0, None], "val_loss": [0.0]})
    assert "val_loss" in run.metrics
    assert not any("after training" in n for n in run.meta.get("notes", []))


def test_printed_python_history_is_read(tmp_path: Path) -> None:
    # f.write(str(history.history)): single quotes, nan, NumPy 2's printed scalars
    text = ("{'loss': [np.float64(0.71), 0.66, 0.63], 'accuracy': [0.57, 0.6, 0.64], "
            "'val_loss': [0.7, nan, 0.668], 'val_accuracy': [0.587, 0.587, 0.587]}")
    path = tmp_path / "training_history.txt"
    path.write_text(text)
    run = readers.load(path)
    assert run.metrics["loss"] == pytest.approx([0.71, 0.66, 0.63])
    assert math.isnan(run.metrics["val_loss"][1])
    assert any("Python's printed value" in n for n in run.meta["notes"])


@pytest.mark.parametrize("text", [
    "{'loss': [0.5, 0.4], 'x': __import__('os').getcwd()}",  # a call: never evaluated
    "{'loss': array([0.5, 0.4], dtype=float32)}",
    "{'loss': (0.5, 0.4)}",
    "{'loss': [0.5, 0.4]",
])
def test_printed_values_that_are_not_data_stay_invalid_json(tmp_path: Path, text: str) -> None:
    path = tmp_path / "h.txt"
    path.write_text(text)
    with pytest.raises(InputError, match="JSON"):
        readers.load(path)


@pytest.mark.parametrize(
    ("text", "claimed"),
    [
        ("[2031-02-03 10:00:00] Training started\n", False),
        ("[INFO] loading\n", False),
        ("[1, 2]\n[3, 4]\n", True),
        ("[\n  {\"loss\": 0.5}\n]\n", True),
        ("[{'loss': [0.5, nan]}]\n", True),
        ("[1, 2] trailing\n", False),
    ],
)
def test_the_json_sniff_leaves_bracketed_log_lines(text: str, claimed: bool) -> None:
    from fitdoctor.readers import json_files
    from fitdoctor.readers._base import Source

    assert json_files.sniff(Source("x", None, text.encode())) is claimed


def test_an_object_of_curves_grouped_by_split_is_one_run(tmp_path: Path) -> None:
    # {"train": {"loss": [...]}, "val": {"loss": [...]}}: one run's splits, not two runs
    # (each "run" had read as a training-only history, FD701 on a run with validation)
    data = {"train": {"loss": curve(5, 0.6), "accuracy": [60.0 + i for i in range(5)]},
            "val": {"loss": curve(5, 0.7), "accuracy": [58.0 + i for i in range(5)],
                    "labels": [[0, 1, 1]] * 5},
            "best_val_loss": 0.29, "config": "gru_bs32_lr0.001"}
    runs = readers.load_runs(write(tmp_path, data))
    assert len(runs) == 1
    run = runs[0]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(run.metrics)
    assert run.metrics["val_loss"] == pytest.approx(curve(5, 0.7))
    assert run.facts["best_val_loss"] == 0.29
    # beside curves of its own, one split object is that run's split too
    data = {"loss": curve(4), "validation": {"loss": curve(4, 1.2)}}
    run = readers.load(write(tmp_path, data, "one_split.json"))
    assert run.metrics["val_loss"] == pytest.approx(curve(4, 1.2))


def test_split_objects_that_name_their_split_again_stay_runs(tmp_path: Path) -> None:
    # a lone wrapper, and objects whose curves carry roles of their own, are not spread
    data = {"train": {"loss": curve(4), "val_loss": curve(4, 1.1)}}
    run = readers.load(write(tmp_path, data))
    assert run.metrics["val_loss"] == pytest.approx(curve(4, 1.1))
    data = {"train": {"loss": curve(4), "val_loss": curve(4, 1.1)},
            "test": {"loss": curve(3), "val_loss": curve(3, 1.1)}}
    assert len(readers.load_runs(write(tmp_path, data, "two.json"))) == 2


def test_a_split_objects_epochs_are_no_curve_and_place_its_values(tmp_path: Path) -> None:
    # each split logging its epoch list: the validation split's had read as a curve of
    # its own (a metric named 'val' holding 1..6); validated at some epochs only, its
    # values go to those epochs
    data = {"train": {"epoch": [1, 2, 3, 4, 5, 6], "loss": curve(6)},
            "val": {"epoch": [1, 2, 3, 4, 5, 6], "loss": curve(6, 1.2)}}
    run = readers.load(write(tmp_path, data))
    assert set(run.metrics) == {"loss", "val_loss"}
    data = {"train": {"epoch": [1, 2, 3, 4, 5, 6], "loss": curve(6)},
            "val": {"epoch": [1, 2], "loss": [1.2, 0.6]}}
    run = readers.load(write(tmp_path, data, "early.json"))
    assert run.metrics["val_loss"] == [1.2, 0.6, None, None, None, None]


def test_splits_holding_lists_of_records_are_one_run(tmp_path: Path) -> None:
    # {"train": [{"loss": ...}, ...], "val": [{"loss": ..., "r2": ...}, ...]}: each split's
    # records are its epochs (before: two training-only runs, FD701 on a validated run)
    data = {"train": [{"loss": 1.0 / e, "grad_norm": 5.0} for e in range(1, 6)],
            "val": [{"loss": 1.2 / e, "r2": 0.1 * e} for e in range(1, 6)]}
    runs = readers.load_runs(write(tmp_path, data))
    assert len(runs) == 1
    assert runs[0].metrics["val_loss"] == pytest.approx([1.2 / e for e in range(1, 6)])
    assert runs[0].metrics["loss"][0] == pytest.approx(1.0)


def test_a_json_string_holding_the_printed_history(tmp_path: Path) -> None:
    # json.dump(str(history.history), f): one JSON string, Python's printed dict inside
    printed = str({"loss": [0.55, 0.31, 0.17], "val_loss": [0.22, 0.08, float("nan")]})
    path = tmp_path / "model_history.json"
    path.write_text(json.dumps(printed), encoding="utf-8")
    run = readers.load(path)
    assert run.metrics["loss"] == [0.55, 0.31, 0.17]
    assert math.isnan(run.metrics["val_loss"][2])
    assert any("JSON string holding the history" in n for n in run.meta["notes"])


def test_rows_of_bare_numbers_are_named_by_position(tmp_path: Path) -> None:
    # [[step, train, val], ...] (a real loss_history.json was refused as "JSON array of
    # list"): which column is the loss is not guessed; --metric-map names them by position
    rows = [[15 * (i + 1), 2.0 / (i + 1), 2.1 / (i + 1)] for i in range(8)]
    path = write(tmp_path, rows)
    with pytest.raises(InputError, match=r"rows of numbers names no column: name the columns "
                                         r"with --metric-map 1=epoch,2=loss,3=accuracy"):
        readers.load(path)
    run = readers.load(path, metric_map={"1": "epoch", "2": "loss", "3": "val_loss"})
    assert run.n_epochs == 8
    assert run.metrics["val_loss"] == pytest.approx([2.1 / (i + 1) for i in range(8)])
    with pytest.raises(InputError, match="names column 4 where the file has columns 1 to 3"):
        readers.load(path, metric_map={"4": "loss"})
