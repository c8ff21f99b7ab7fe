"""The curve rules on a corpus of real Keras histories labelled from held-out test curves.

``tests/data/histories`` holds 168 real trainings (frozen, see its README);
each is labelled from a TEST set the rules never see. These tests pin the detection
rates measured when the thresholds were set (bench/corpus_eval.py prints the full
table), so a change that raises false alarms on healthy runs or loses detections fails.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import fitdoctor
from fitdoctor import engine
from fitdoctor.report import Report
from fitdoctor.rules import Settings
from fitdoctor.run import FitInfo

HISTORIES = Path(__file__).parent / "data" / "histories"
LABELS: dict[str, dict[str, object]] = json.loads((HISTORIES / "labels.json").read_text())
EXPECTED = {
    "overfitting": "overfitting",
    "underfitting": "underfitting",
    "not-converged": "not-converged",
    "stalled": "not-converged",
    "diverged": "diverged",
    "unstable": "unstable",
}
#: Smallest share of runs per label where the expected diagnosis is reported (warning+).
#: Overfitting and underfitting are bounded by what validation curves can show: in
#: half the overfitting runs the validation loss kept falling while the test loss rose.
MIN_DETECTED = {
    "overfitting": 0.5,
    "underfitting": 0.3,
    "not-converged": 0.9,
    "stalled": 0.95,
    "diverged": 0.75,
    "unstable": 0.7,
}


def _load(name: str) -> fitdoctor.Run:
    """The history, with the one fact a run file adds that these labels depend on.

    EarlyStopping ends a run before the epochs asked for and, with
    restore_best_weights=True, restores the best weights; a run file records both
    (status "stopped-early", fit.restore_best_weights), a bare history cannot say so (and
    is not demoted on a guess), so the early-stopped runs are given them here.
    """
    run = fitdoctor.load(HISTORIES / f"{name}.json")
    info = LABELS[name]
    config = info["config"]
    assert isinstance(config, dict)
    if config.get("early_stopping") and int(info["epochs_run"]) < int(config["epochs"]):  # type: ignore[call-overload]
        run.status = "stopped-early"
        run.fit = FitInfo(restore_best_weights=bool(info.get("restored_best_weights")))
    return run


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    rules = Settings(select=["FD1", "FD2", "FD3", "FD4"]).rules()
    return {name: engine.analyze(_load(name), rules=rules) for name in LABELS}


def _diagnoses(report: Report) -> set[str]:
    return {f.diagnosis for f in report.findings if f.severity.rank >= 1}


def test_healthy_runs_get_no_warning(reports: dict[str, Report]) -> None:
    healthy = [n for n, info in LABELS.items() if info["label"] == "healthy"]
    alarms = {n: _diagnoses(reports[n]) for n in healthy if _diagnoses(reports[n])}
    assert len(healthy) >= 40
    assert len(alarms) / len(healthy) <= 0.05, alarms


@pytest.mark.parametrize("label", sorted(MIN_DETECTED))
def test_detection_rate(reports: dict[str, Report], label: str) -> None:
    names = [n for n, info in LABELS.items() if info["label"] == label]
    found = Counter(EXPECTED[label] in _diagnoses(reports[n]) for n in names)
    assert found[True] / len(names) >= MIN_DETECTED[label], (label, dict(found))


def test_healthy_early_stopped_runs_are_silent(reports: dict[str, Report]) -> None:
    names = [
        n for n, info in LABELS.items()
        if info["label"] == "healthy" and info["config"]["early_stopping"]  # type: ignore[index]
    ]
    assert len(names) >= 6
    for name in names:
        assert not _diagnoses(reports[name]), (name, reports[name].findings)


def test_overfitting_run_turns_near_the_validation_optimum(reports: dict[str, Report]) -> None:
    report = reports["clf200_big2_adam_s0"]
    hits = [f for f in report.findings if f.code == "FD101"]
    assert hits and hits[0].severity.value == "warning"
    assert report.best_epoch is not None
    assert abs(hits[0].epoch - report.best_epoch.epoch) <= 2  # type: ignore[operator]
    actions = [r.action for r in hits[0].recommendations]
    assert {"early-stopping", "raise-regularization", "more-data"} <= set(actions)
    assert f"Stop at epoch {report.best_epoch.epoch}" in hits[0].recommendations[0].text


def test_tutorial_network_stopped_while_improving_is_not_converged(
    reports: dict[str, Report],
) -> None:
    report = reports["digits_tutorial_s0"]
    assert {f.code for f in report.findings} >= {"FD301"}
    rec = next(f for f in report.findings if f.code == "FD301").recommendations[0]
    assert rec.action == "train-longer" and "more epochs" in rec.text


def test_diverging_runs_are_errors(reports: dict[str, Report]) -> None:
    for name in ("digits_raw_sgd_lr1_s0", "clf_sgd_lr20_s0", "bc_raw_sgd_lr5_s0"):
        diverged = [f for f in reports[name].findings if f.diagnosis == "diverged"]
        assert diverged and diverged[0].severity.value == "error", name
        assert diverged[0].recommendations[0].action == "lower-learning-rate"
