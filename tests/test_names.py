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
    readings, notes = canonical_names(["train_loss", "loss"])
    assert readings["loss"].canonical == "loss"
    assert readings["train_loss"].canonical == "train_loss"
    assert "`loss` and `train_loss` would both read as loss" in notes[0]


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
