"""A real imbalanced run and its class-weighted twin: advice a user can follow twice.

The runs are recorded by tests/data/runs/weighted/record_twins.py (a Dense network on
~3% positives, 30 epochs; the twin trained with the class_weight fitdoctor recommended
for the first). Issue 11: the second report must not recommend the weights again but
the next step, and state what the weights traded, in numbers; each reporter prints each
fact once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import fitdoctor
from fitdoctor.report import Report
from fitdoctor.reporters import FORMATS, render
from fitdoctor.run import Run

HERE = Path(__file__).parent / "data" / "runs" / "weighted"


@pytest.fixture(scope="module")
def plain() -> tuple[Report, Run]:
    run = fitdoctor.load(HERE / "plain.json")
    return fitdoctor.analyze(run), run


@pytest.fixture(scope="module")
def weighted() -> tuple[Report, Run]:
    run = fitdoctor.load(HERE / "weighted.json")
    return fitdoctor.analyze(run), run


def _recs(report: Report, action: str) -> list[str]:
    return [r.text for f in report.findings for r in f.recommendations if r.action == action]


def test_run_files_record_what_fit_applied(
    plain: tuple[Report, Run], weighted: tuple[Report, Run]
) -> None:
    assert plain[1].meta["class_weight"] is None
    assert plain[1].meta["sample_weight"] is False
    assert weighted[1].meta["class_weight"] == {"0": 0.517, "1": 15.0}
    assert weighted[1].meta["callbacks"] == []  # FitDoctor itself is not listed


def test_plain_run_recommends_balanced_weights_once_with_the_trade_off(
    plain: tuple[Report, Run],
) -> None:
    report, _ = plain
    weights = _recs(report, "class-weights")
    assert len(weights) == 1, weights
    text = weights[0]
    assert "class_weight={0: 0.517, 1: 15.0}" in text
    # the trade-off, with the run's own numbers: precision 0.88 and recall 0.28 at 0.5
    assert "trades precision for recall" in text
    assert re.search(r"precision 0\.\d\d and recall 0\.\d\d on validation now", text)
    assert "PR-AUC (0." in text
    # the tuned threshold states what it trades too
    threshold = _recs(report, "tune-threshold")
    assert len(threshold) == 1
    assert re.search(r"precision 0\.\d\d → 0\.\d\d, recall 0\.\d\d → 0\.\d\d", threshold[0])


def test_weighted_twin_recommends_the_next_step_not_the_weights_again(
    weighted: tuple[Report, Run],
) -> None:
    report, run = weighted
    codes = {f.code for f in report.findings}
    texts = [r.text for f in report.findings for r in f.recommendations]
    assert not any("Weight the loss by class" in t or "Weight class" in t for t in texts)
    assert "FD502" not in codes  # accuracy below the baseline is what weighting trades
    assert "FD404" not in codes  # the weighted loss is judged against the weighted prior
    (step,) = _recs(report, "class-weights")
    assert step.startswith("class_weight={0: 0.517, 1: 15.0} is in force")
    pc = run.per_class[-1]
    assert f"recall {pc.recall[1]:.2f} but precision {pc.precision[1]:.2f}" in step
    assert ("50% of the way back to unweighted: "
            "model.fit(..., class_weight={0: 0.758, 1: 8.0})") in step
    fd505 = next(f for f in report.findings if f.code == "FD505")
    assert fd505.evidence["direction"] == "higher"  # weights pushed the boundary too far
    (threshold,) = _recs(report, "tune-threshold")
    assert f"precision {pc.precision[1]:.2f} → {pc.threshold_precision:.2f}" in threshold


def test_weighted_twin_fd503_stays_silent_and_plain_fires(
    plain: tuple[Report, Run], weighted: tuple[Report, Run]
) -> None:
    assert "FD503" in {f.code for f in plain[0].findings}
    assert "FD503" not in {f.code for f in weighted[0].findings}


@pytest.mark.parametrize("fmt", [*FORMATS, "html"])
@pytest.mark.parametrize("case", ["plain", "weighted"])
def test_each_reporter_states_each_fact_once(
    fmt: str, case: str, request: pytest.FixtureRequest
) -> None:
    report, run = request.getfixturevalue(case)
    out = render(report, fmt, width=100, color=False, run=run)
    if fmt == "html":
        out = out.replace("&#x27;", "'").replace("&quot;", '"')
    if fmt == "markdown":
        out = re.sub(r"\\([\\`*_\[\]|~$])", r"\1", out)
    if fmt == "json":
        data = json.loads(out)
        assert data["shared_evidence"]["evidence"]["class_counts"] == [2175, 75]
        assert all("class_counts" not in f["evidence"] for f in data["findings"])
        out = json.dumps(data, ensure_ascii=False)
    # one class_weight line, one metrics line, the class counts once
    assert out.count("model.fit(..., class_weight=") == 1, fmt
    assert out.count("oversample class '1'") <= 1, fmt
    if fmt != "github":  # annotations carry messages and the first recommendation only
        assert out.count('keras.metrics.AUC(curve=\\"PR\\"' if fmt == "json"
                         else 'keras.metrics.AUC(curve="PR"') == 2, fmt  # advice + evidence
