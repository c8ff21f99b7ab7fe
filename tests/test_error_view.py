"""Histories of accuracies alone: the error rate, 1 − accuracy, judged in the loss's place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import fitdoctor
from fitdoctor import error_view
from fitdoctor.run import Run

CASES = Path(__file__).parent / "data" / "cases"


def _run(**metrics: list[float | None]) -> Run:
    n = len(next(iter(metrics.values())))
    return Run(epochs=list(range(1, n + 1)), metrics=dict(metrics))


def _recorded(name: str) -> Run:
    return fitdoctor.load(CASES / f"{name}.json")


def test_view_holds_the_error_rates_and_the_accuracies() -> None:
    run = _run(accuracy=[0.5, 0.75, None], val_accuracy=[0.4, 0.8, 0.9],
               learning_rate=[0.1, 0.1, 0.01])
    view = error_view.error_view(run)
    assert view is not None
    assert view.metrics["loss"] == [0.5, 0.25, None]
    assert view.metrics["val_loss"] == pytest.approx([0.6, 0.2, 0.1])
    assert {"accuracy", "val_accuracy", "learning_rate"} <= set(view.metrics)
    assert view.meta[error_view.ERROR_VIEW] == {"loss": "accuracy", "val_loss": "val_accuracy"}


def test_no_view_when_any_loss_is_logged_or_no_accuracy_is_a_fraction() -> None:
    assert error_view.error_view(_run(loss=[1.0, 0.5], accuracy=[0.5, 0.7])) is None
    assert error_view.error_view(_run(val_loss=[1.0, 0.5], val_acc=[0.5, 0.7])) is None
    assert error_view.error_view(_run(ce_loss=[1.0, 0.5], acc=[0.5, 0.7])) is None
    # per cents the reader could not read as such: not an error rate
    assert error_view.error_view(_run(acc=[50.0, 70.0], val_acc=[45.0, 60.0])) is None
    assert error_view.error_view(_run(mae=[3.0, 2.0])) is None


def test_validation_accuracy_alone_gives_a_validation_error() -> None:
    view = error_view.error_view(_run(val_acc=[0.5, 0.7]))
    assert view is not None and set(view.meta[error_view.ERROR_VIEW]) == {"val_loss"}
    assert "loss" not in view.metrics


def test_the_named_pair_is_preferred() -> None:
    run = _run(top_k_accuracy=[0.8, 0.9], accuracy=[0.5, 0.6],
               val_top_k_accuracy=[0.7, 0.8], val_accuracy=[0.4, 0.5])
    view = error_view.error_view(run)
    assert view is not None
    assert view.meta[error_view.ERROR_VIEW] == {"loss": "accuracy", "val_loss": "val_accuracy"}


def test_real_overfit_kept_as_accuracies_reads_overfitting_in_error_terms() -> None:
    report = fitdoctor.analyze(_recorded("accuracy_only_overfits"))
    first = report.findings[0]
    assert (first.code, first.diagnosis) == ("FD101", "overfitting")
    assert first.message.startswith("val_error rose")
    assert "training error fell" in first.message and "loss" not in first.message
    assert first.evidence.get("metric", "val_error") == "val_error"
    stop = next(r for r in first.recommendations if r.action == "early-stopping")
    assert 'monitor="val_accuracy"' in stop.text  # a metric Keras logs (mode max)
    assert all(s.code != "FD101" for s in report.skipped)
    note = next(n for n in report.notes if "judged the error rate" in n)
    assert all(code in note for code in ("FD101", "FD301", "FD412", "FD705", "FD706")), note


def test_one_row_of_21_is_not_a_rise() -> None:
    report = fitdoctor.analyze(_recorded("accuracy_only_small_validation"))
    assert not [f for f in report.findings if f.severity.rank >= 1]


def test_rules_that_cannot_judge_an_error_rate_still_skip() -> None:
    report = fitdoctor.analyze(_recorded("accuracy_only_swings"))
    assert [f.code for f in report.findings if f.severity.rank >= 1] == ["FD412"]
    assert any(s.code == "FD201" and "no training loss" in s.reason for s in report.skipped)


def test_a_json_of_accuracies_on_the_command_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fitdoctor import cli

    path = tmp_path / "h.json"
    path.write_text(json.dumps(json.loads((CASES / "accuracy_only_overfits.json").read_text())))
    result = CliRunner().invoke(cli.app, ["analyze", str(path), "-f", "json", "--fail-on",
                                          "warning"], env={"NO_COLOR": "1", "CI": None})
    assert result.exit_code == 1, result.output  # the warning fails the build, as any
    data = json.loads(result.output)
    assert data["findings"][0]["code"] == "FD101"


def test_a_training_accuracy_alone_is_named_as_an_error_not_a_loss() -> None:
    still = _recorded("accuracy_only_still_rising")
    run = _run(accuracy=still.metrics["accuracy"])
    fd301 = next(f for f in fitdoctor.analyze(run).findings if f.code == "FD301")
    assert fd301.message.startswith("error was still falling"), fd301.message
    assert "loss" not in fd301.message
    assert fd301.evidence["monitor"] == "error"


def test_the_loss_said_in_prose_is_the_error() -> None:
    view = error_view.error_view(_run(accuracy=[0.5, 0.6], val_accuracy=[0.4, 0.5]))
    assert view is not None
    text = "On 597 validation rows the loss moves about 4.9% by chance alone"
    assert error_view.rename(text, view, advice=True) == (
        "On 597 validation rows the error moves about 4.9% by chance alone")
    assert error_view.rename("the trend of loss fell", view) == "the trend of error fell"
    # code keeps its argument names
    assert error_view.rename('model.compile(loss="mse")', view, advice=True) == (
        'model.compile(loss="mse")')


@pytest.mark.parametrize(("framework", "wanted", "unwanted"), [
    ("keras", 'EarlyStopping(monitor="val_accuracy", mode="max"', "val_error"),
    ("lightning", 'EarlyStopping(monitor="val_accuracy", mode="max"', "val_error"),
    ("lightning", 'ModelCheckpoint(monitor="val_accuracy", mode="max"', "val_error"),
    ("transformers", 'metric_for_best_model="eval_accuracy"', "eval_loss"),
])
def test_advice_monitors_the_logged_accuracy_at_its_maximum(
        framework: str, wanted: str, unwanted: str) -> None:
    from fitdoctor.rules import Settings

    report = fitdoctor.analyze(_recorded("accuracy_only_overfits"),
                               Settings(framework_override=framework))
    stop = next(r for r in report.findings[0].recommendations if r.action == "early-stopping")
    assert wanted in stop.text and unwanted not in stop.text, stop.text


def test_a_nan_accuracy_is_a_missing_reading_not_a_blow_up() -> None:
    overfit = _recorded("accuracy_only_overfits")
    val = list(overfit.metrics["val_accuracy"])
    val[3] = float("nan")  # an epoch not validated, as a loop writes it
    report = fitdoctor.analyze(_run(accuracy=overfit.metrics["accuracy"], val_accuracy=val))
    assert [f.code for f in report.findings if f.severity.rank >= 1] == ["FD101"]
    view = error_view.error_view(_run(accuracy=[0.5, float("nan")], val_accuracy=[0.4, 0.5]))
    assert view is not None and view.metrics["loss"] == [0.5, None]


def test_the_view_keeps_what_the_run_file_says_of_its_evaluations(tmp_path: Path) -> None:
    still = _recorded("accuracy_only_still_rising").metrics["val_accuracy"]
    logs = [{"epoch": round(0.25 * (i + 1), 2), "step": 50 * (i + 1), "eval_accuracy": v}
            for i, v in enumerate(still)]
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps({"log_history": logs, "global_step": 50 * len(still)}))
    report = fitdoctor.analyze(fitdoctor.load(path))
    fd301 = next(f for f in report.findings if f.code == "FD301")
    more = fd301.recommendations[0].text
    assert "evaluations longer" in more and "eval_steps=50" in more, more


def test_why_a_rule_could_not_judge_the_error_rate_names_the_error() -> None:
    val = [0.45, 0.48, None, 0.54, 0.57]
    report = fitdoctor.analyze(_run(accuracy=[0.5, 0.55, 0.6, 0.65, 0.7], val_accuracy=val))
    fd101 = next(s for s in report.skipped if s.code == "FD101")
    assert fd101.reason.startswith("the validation error is missing at 1 of 5 epochs"), fd101
    alone = fitdoctor.analyze(_run(val_accuracy=[0.45, 0.48, 0.5, 0.54, 0.57, 0.6]))
    fd101 = next(s for s in alone.skipped if s.code == "FD101")
    assert fd101.reason == "no training error in the run", fd101
    # the rules that do not judge an error rate keep saying what the run lacks
    fd201 = next(s for s in alone.skipped if s.code == "FD201")
    assert fd201.reason == "no training loss ('loss') in the run"


def test_the_note_names_only_the_rules_that_judged_the_error_rate() -> None:
    report = fitdoctor.analyze(_recorded("accuracy_only_still_rising").with_curves(
        {"accuracy": _recorded("accuracy_only_still_rising").metrics["accuracy"]}, {}))
    assert {"FD101", "FD412"} <= {s.code for s in report.skipped}
    assert any(n.startswith("no loss curve: FD301 judged the error rate") for n in report.notes)
    # two epochs: only FD705 (validation at chance) judges a run that short
    short = fitdoctor.analyze(_run(accuracy=[0.5, 0.6], val_accuracy=[0.4, 0.5]))
    assert any(n.startswith("no loss curve: FD705 judged") for n in short.notes), short.notes
    one = fitdoctor.analyze(_run(accuracy=[0.5], val_accuracy=[0.4]))
    assert not any("judged the error rate" in n for n in one.notes), one.notes


def test_explain_json_says_which_rules_judge_the_error_rate() -> None:
    from fitdoctor.reporters import rules_doc
    from fitdoctor.rules import Settings

    rules = {r.code: r for r in Settings().rules()}
    assert rules_doc.rule_dict(rules["FD101"], None, full=True)["error_rate"] is True
    assert rules_doc.rule_dict(rules["FD201"], None, full=True)["error_rate"] is False


def test_a_test_accuracy_is_not_the_training_accuracy() -> None:
    view = error_view.error_view(_run(val_accuracy=[0.5, 0.6, 0.7], test_accuracy=[0.4, 0.5, 0.6]))
    assert view is not None
    assert view.meta[error_view.ERROR_VIEW] == {"val_loss": "val_accuracy"}
    assert "loss" not in view.metrics
