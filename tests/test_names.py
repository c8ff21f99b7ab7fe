"""The metric-name mapping: the names people log, read as Keras's."""

from __future__ import annotations

import pytest

from fitdoctor.readers.names import canonical_names, parse_metric_map, read_name


@pytest.mark.parametrize(
    ("logged", "keras"),
    [
        ("loss", "loss"),
        ("val_accuracy", "val_accuracy"),
        ("acc", "acc"),  # Keras 2's spelling stays: the rules read both
        ("val_acc", "val_acc"),
        ("lr", "lr"),
        ("learning_rate", "learning_rate"),
        ("train_loss", "loss"),
        ("training_loss", "loss"),
        ("dev_loss", "val_loss"),
        ("valid_loss", "val_loss"),
        ("va_loss", "val_loss"),  # tr/va/te: a loop's short split names
        ("tr_acc", "acc"),
        ("te_acc", "test_acc"),
        ("validation_loss", "val_loss"),
        ("eval_loss", "val_loss"),
        ("val_losses", "val_loss"),
        ("train_loss_history", "loss"),
        ("val_acc_history", "val_acc"),
        ("Validation Loss", "val_loss"),
        ("Training Accuracy", "accuracy"),
        ("Train Loss", "loss"),
        ("valLoss", "val_loss"),
        ("trainAcc", "acc"),
        ("loss_val", "val_loss"),
        ("acc_train", "acc"),
        ("Loss/train", "loss"),
        ("Loss/val", "val_loss"),
        ("epoch_loss", "loss"),
        ("epoch_accuracy", "accuracy"),
        ("train_loss_epoch", "loss"),
        ("test_accuracy", "test_accuracy"),
        ("Loss", "loss"),
        ("accuracies", "accuracy"),
        ("mean_squared_error", "mean_squared_error"),
        ("get_categorical_accuracy_keras", "get_categorical_accuracy_keras"),
        ("val_top_5_accuracy", "val_top_5_accuracy"),
        ("epoch_times", "epoch_times"),
        ("out1_loss", "out1_loss"),
        ("val_out1_loss", "val_out1_loss"),
    ],
)
def test_read_name(logged: str, keras: str) -> None:
    assert read_name(logged).canonical == keras


@pytest.mark.parametrize(
    ("logged", "ambiguous"),
    [("dev_loss", True), ("eval_accuracy", True), ("testing_loss", True), ("val_loss", False),
     ("validation_loss", False), ("Loss/val", False), ("train_loss", False)],
)
def test_dev_eval_and_test_readings_are_the_ones_to_state(logged: str, ambiguous: bool) -> None:
    assert read_name(logged).ambiguous is ambiguous


def test_ambiguous_readings_get_one_note_with_the_override() -> None:
    readings, notes = canonical_names(["train_loss", "dev_loss", "dev_acc"])
    assert {r.original: r.canonical for r in readings.values()} == {
        "train_loss": "loss", "dev_loss": "val_loss", "dev_acc": "val_acc",
    }
    assert len(notes) == 1
    assert "`dev_loss` as val_loss" in notes[0] and "--metric-map dev_loss=NAME" in notes[0]


def test_a_test_curve_without_validation_is_read_as_validation_with_a_warning() -> None:
    readings, notes = canonical_names(["loss", "test_loss", "test_accuracy"])
    assert readings["test_loss"].canonical == "val_loss"
    assert readings["test_accuracy"].canonical == "val_accuracy"
    assert len(notes) == 1 and "no longer an unbiased estimate" in notes[0]


def test_a_test_curve_beside_a_validation_curve_stays_a_test_curve() -> None:
    readings, notes = canonical_names(["loss", "val_loss", "test_loss"])
    assert readings["test_loss"].canonical == "test_loss"
    assert not any("unbiased" in n for n in notes)


def test_the_name_already_spelled_the_keras_way_wins_a_collision() -> None:
    readings, notes = canonical_names(["train_loss", "loss", "val_loss"])
    assert readings["loss"].canonical == "loss"
    assert readings["train_loss"].canonical == "train_loss"
    assert "`loss` and `train_loss` would both read as loss" in notes[0]


def test_a_bare_twin_of_a_train_name_without_validation_is_the_evaluation() -> None:
    # a loop logging train_loss and model.evaluate-like names: {"train_loss", "loss", ...}
    readings, notes = canonical_names(["train_loss", "loss", "precision", "recall"])
    assert readings["train_loss"].canonical == "loss"
    assert readings["loss"].canonical == "val_loss"
    assert readings["precision"].canonical == "precision"  # no train_ twin: kept
    assert len(notes) == 1 and "--metric-map loss=loss" in notes[0]


def test_the_bare_twin_override_reads_it_as_training_again() -> None:
    readings, _ = canonical_names(["train_loss", "loss"], {"loss": "loss"})
    assert readings["loss"].canonical == "loss"
    assert readings["train_loss"].canonical == "train_loss"


def test_curves_named_only_train_and_val_are_the_losses() -> None:
    readings, notes = canonical_names(["train", "val"])
    assert readings["train"].canonical == "loss"
    assert readings["val"].canonical == "val_loss"
    assert len(notes) == 1 and "--metric-map train=NAME" in notes[0]
    readings, _ = canonical_names(["Training", "Validation", "train_acc", "val_acc"])
    assert readings["Training"].canonical == "loss"
    assert readings["Validation"].canonical == "val_loss"
    assert readings["train_acc"].canonical == "acc"


@pytest.mark.parametrize(
    "names",
    [
        ["train", "val", "train_loss"],  # a loss is named: bare curves stay as they are
        ["train", "training", "val"],  # two bare training curves: which one?
    ],
)
def test_bare_split_curves_are_not_guessed_when_ambiguous(names: list[str]) -> None:
    readings, _ = canonical_names(names)
    assert readings["val"].canonical == "val"
    assert all(readings[n].canonical != "loss" for n in names if n in ("train", "training"))


def test_named_validation_sets_the_first_is_judged() -> None:
    names = ["train_loss", "real_val_loss", "real_val_acc", "font_val_loss", "font_val_acc"]
    readings, notes = canonical_names(names)
    assert readings["real_val_loss"].canonical == "val_loss"
    assert readings["real_val_acc"].canonical == "val_acc"
    assert readings["font_val_loss"].canonical == "font_val_loss"
    assert readings["font_val_loss"].role == "val"
    assert len(notes) == 1 and "2 validation sets" in notes[0]
    assert "--metric-map font_val_loss=val_loss" in notes[0]


@pytest.mark.parametrize(
    "names",
    [
        ["loss", "val_loss", "other_val_loss"],  # a validation curve already: kept
        ["train_loss", "best_val_loss"],  # a running best, not a set
        ["reg_loss", "reg_val_loss", "cls_loss", "cls_val_loss"],  # prefixed runs
    ],
)
def test_not_named_validation_sets(names: list[str]) -> None:
    readings, _ = canonical_names(names)
    assert all(readings[n].canonical == n for n in names if "_val_" in n)


def test_lightning_step_twin_is_dropped() -> None:
    readings, _ = canonical_names(["train_loss_step", "train_loss_epoch", "val_loss"])
    assert readings["train_loss_step"].canonical == ""
    assert readings["train_loss_epoch"].canonical == "loss"


def test_user_mapping_comes_first_and_can_leave_a_column_out() -> None:
    readings, notes = canonical_names(
        ["score", "dev_loss", "grad_norm"],
        {"score": "loss", "DEV_LOSS": "val_loss", "grad_norm": ""},
    )
    assert readings["score"].canonical == "loss"
    assert readings["dev_loss"].canonical == "val_loss"  # matched case-insensitively
    assert readings["grad_norm"].canonical == ""
    assert notes == []  # the user said so: nothing to state


def test_parse_metric_map() -> None:
    assert parse_metric_map(["dev_loss=val_loss,dev_acc = val_accuracy", "x="]) == {
        "dev_loss": "val_loss", "dev_acc": "val_accuracy", "x": "",
    }
    with pytest.raises(ValueError, match="is not NAME=KERAS_NAME"):
        parse_metric_map(["dev_loss"])
    with pytest.raises(ValueError, match="no logged name"):
        parse_metric_map(["=loss"])


def test_a_mapped_name_the_run_does_not_log_is_noted() -> None:
    """A typo in --metric-map (or a config mapping another run's name) no longer passes in
    silence: the note names it and what the run logs. Matched names, ignoring case, and
    a headerless CSV's column numbers get no note."""
    _, notes = canonical_names(["loss", "dev_loss"], {"dev_los": "val_loss"})
    assert notes[-1].startswith("the metric map (--metric-map or [tool.fitdoctor.metrics]) "
                                "names `dev_los`, which this run does not log (it logs "
                                "`loss`, `dev_loss`)")
    for overrides in ({"dev_loss": "val_loss"}, {"DEV_LOSS": "val_loss"}, {"1": "epoch"}):
        _, notes = canonical_names(["loss", "dev_loss"], overrides)
        assert not any("metric map" in n for n in notes), overrides
    many = [f"m{i}" for i in range(15)]
    _, notes = canonical_names(many, {"x": "loss"})
    assert "`m11` and 3 more)" in notes[-1]


@pytest.mark.parametrize(
    ("names", "read"),
    [
        (["train_log_loss", "validation_log_loss"],
         {"train_log_loss": "loss", "validation_log_loss": "val_loss"}),
        (["avg_loss", "acc"], {"avg_loss": "loss", "acc": "acc"}),
        (["ce_loss", "val_ce_loss", "kl", "val_kl"],
         {"ce_loss": "loss", "val_ce_loss": "val_loss", "kl": "kl", "val_kl": "val_kl"}),
        # several losses: which is "the" loss (a total weighted by a schedule?) is a guess
        (["loss_total", "loss_sup", "loss_unsup"],
         {"loss_total": "loss_total", "loss_sup": "loss_sup", "loss_unsup": "loss_unsup"}),
        (["train/box_loss", "train/cls_loss", "val/box_loss"],
         {"train/box_loss": "box_loss", "train/cls_loss": "cls_loss",
          "val/box_loss": "val_box_loss"}),
        (["loss", "val_log_loss"], {"loss": "loss", "val_log_loss": "val_log_loss"}),
        # the validation word inside the name (its role word neither first nor last):
        # avg_val_loss is the twin, not a second training loss
        (["avg_loss", "avg_val_loss"], {"avg_loss": "loss", "avg_val_loss": "val_loss"}),
        (["avg_train_loss", "avg_val_loss"],
         {"avg_train_loss": "loss", "avg_val_loss": "val_loss"}),
        (["total_loss", "total_val_loss", "total_test_loss"],
         {"total_loss": "loss", "total_val_loss": "val_loss",
          "total_test_loss": "total_test_loss"}),
    ],
)
def test_the_one_curve_named_a_loss_is_the_loss(names: list[str], read: dict[str, str]) -> None:
    readings, notes = canonical_names(names)
    assert {n: r.canonical for n, r in readings.items()} == read
    assert any("as loss" in n for n in notes) == ("loss" in read.values()
                                                   and "loss" not in names)


def test_a_per_cent_sign_names_no_metric() -> None:
    # the unit, not the metric: the reader divides the per-cent values of an accuracy
    assert read_name("val_acc(%)").canonical == "val_acc"
    assert read_name("Val Acc [%]").canonical == "val_acc"
    assert read_name("acc%").canonical == "acc"


def test_a_loss_scale_is_no_loss() -> None:
    # mixed precision's loss scale beside no plain loss: not read as the loss
    readings, notes = canonical_names(["loss_scale", "val_acc"])
    assert readings["loss_scale"].canonical == "loss_scale" and not notes
