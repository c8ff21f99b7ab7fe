"""Cross-validation and learning-curve results: aggregation, fold agreement, final fit,
"would more data help?" through the learning-curve rules.

No keras here: the runs are built by hand or read from files recorded by
examples/learning_curve_digits.py --out tests/data/runs/validation
(learning_curve_wide.json, learning_curve_tiny.json). Reading documents back is tested
in tests/test_cv_documents.py; real CV trainings in tests/test_validation.py.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

import fitdoctor
from fitdoctor import cv as fcv
from fitdoctor import engine
from fitdoctor.errors import InputError
from fitdoctor.report import FoldAgreement
from fitdoctor.rules import Settings, load_rules
from fitdoctor.run import DataInfo, Run

DATA = Path(__file__).parent / "data" / "runs" / "validation"


def fold_run(best: int, n_epochs: int = 12, *, fold: int = 0, repeat: int = 0,
             offset: float = 0.0, n_val: int = 287) -> Run:
    """A fold whose val_loss bottoms out at epoch ``best`` then rises (overfitting)."""
    epochs = list(range(1, n_epochs + 1))
    loss = [1.0 / e + offset for e in epochs]
    val = [0.3 + 0.05 * max(0, best - e) + 0.04 * max(0, e - best) + offset for e in epochs]
    acc = [1 - 0.5 / e for e in epochs]
    val_acc = [0.9 - 0.005 * abs(e - best) for e in epochs]
    return Run(
        epochs=epochs,
        metrics={"loss": loss, "val_loss": val, "accuracy": acc, "val_accuracy": val_acc},
        status="completed", source="fitdoctor", name=f"fold {fold + 1}",
        data=DataInfo(task="multiclass", n_train=1150, n_val=n_val, n_classes=10),
        meta={"fold": fold, "repeat": repeat},
    )


def still_falling_run(fold: int) -> Run:
    """A fold still improving when training ends (20 epochs): not converged."""
    epochs = list(range(1, 21))
    return Run(
        epochs=epochs,
        metrics={"loss": [1.5 * math.exp(-0.08 * e) + 0.01 * fold for e in epochs],
                 "val_loss": [1.6 * math.exp(-0.07 * e) + 0.1 + 0.01 * fold for e in epochs]},
        data=DataInfo(task="multiclass", n_train=800, n_val=200, n_classes=10),
        meta={"fold": fold, "repeat": 0},
    )


def make_cv(bests: list[int], *, k: int = 5, repeats: int = 1) -> fcv.CVResult:
    runs = [fold_run(b, fold=i % k, repeat=i // k, offset=0.01 * i) for i, b in enumerate(bests)]
    return fcv.CVResult(runs=runs, k=k, repeats=repeats, n_samples=1437, stratified=True,
                        seed=0, name="digits cv")


# ------------------------------------------------------------------- aggregation
def test_aggregate_mean_and_spread_per_epoch() -> None:
    a, b = fold_run(5, 6), fold_run(5, 4, offset=0.1)
    agg = fcv.aggregate([a, b])
    assert agg.epochs == [1, 2, 3, 4, 5, 6]
    assert agg.n_folds == [2, 2, 2, 2, 1, 1]
    assert agg.mean["loss"][0] == pytest.approx((1.0 + 1.1) / 2)
    assert agg.std["loss"][0] == pytest.approx(np.std([1.0, 1.1], ddof=1))
    assert agg.mean["loss"][5] == pytest.approx(1 / 6)
    assert agg.std["loss"][5] is None  # one fold: no spread


def test_aggregate_keeps_gaps_and_non_finite_values() -> None:
    a = Run(epochs=[1, 2, 3], metrics={"loss": [1.0, None, 0.5], "val_loss": [1.0, 2.0, 3.0]})
    b = Run(epochs=[1, 2, 3], metrics={"loss": [0.8, 0.6, math.inf]})
    agg = fcv.aggregate([a, b])
    assert agg.mean["loss"][1] == pytest.approx(0.6)  # the gap is left out, not a zero
    assert agg.std["loss"][1] is None
    assert agg.mean["loss"][2] == math.inf  # a fold that diverged shows in the mean
    assert agg.mean["val_loss"] == [1.0, 2.0, 3.0]  # a metric only one fold logged


def test_mean_run_covers_epochs_every_fold_reached() -> None:
    result = fcv.CVResult(runs=[fold_run(5, 8), fold_run(5, 6)], k=2, n_samples=100)
    mean = result.mean_run()
    assert mean.epochs == [1, 2, 3, 4, 5, 6]
    assert mean.source == "cross-validation"
    assert mean.data is not None and mean.data.n_val == 100  # every sample validated once
    assert mean.meta["cv"] == {"k": 2, "repeats": 1, "folds": 2}
    assert "every fold reached" in mean.meta["notes"][0]


TRAIN12 = [1.0, 0.6, 0.4, 0.3, 0.22, 0.17, 0.13, 0.1, 0.08, 0.06, 0.05, 0.04]
BASE12 = [1.0, 0.62, 0.45, 0.4, 0.39, 0.395, 0.4, 0.41, 0.42, 0.425, 0.43, 0.44]


def test_folds_at_different_levels_moving_alike_are_not_noise() -> None:
    """Folds whose levels differ (±0.15) but which all turn up the same way agree: the
    fold mean's rise is every fold's rise, so FD101 fires on the mean."""
    runs = [Run(epochs=list(range(1, 13)),
                metrics={"loss": TRAIN12, "val_loss": [v + shift for v in BASE12]})
            for shift in (-0.15, 0.0, 0.15)]
    cv = fcv.CVResult(runs, k=3, n_samples=300)
    assert fcv.fold_noise(cv)["val_loss"] == pytest.approx(0.0, abs=1e-9)
    report = fcv.analyze_cv(cv, Settings(select=["FD101"]))
    fd101 = [f for f in report.findings if f.code == "FD101"]
    # the +0.15 fold's rise is too small a share of its level for FD101 on its own
    assert fd101 and fd101[0].folds is not None and fd101[0].folds.fired >= 2


def test_folds_whose_steps_disagree_widen_the_noise_band_of_the_mean_curve() -> None:
    """A small rise of the fold mean that the folds' own steps disagree about (two folds
    jump ±0.03 an epoch, one rises smoothly) is not overfitting, though the smooth mean
    curve "rises"."""
    up = [v + (0.03 if i % 2 else -0.015) if i >= 5 else v for i, v in enumerate(BASE12)]
    down = [v + (-0.03 if i % 2 else 0.03) if i >= 5 else v for i, v in enumerate(BASE12)]
    runs = [Run(epochs=list(range(1, 13)), metrics={"loss": TRAIN12, "val_loss": val})
            for val in (up, down, BASE12)]
    cv = fcv.CVResult(runs, k=3, n_samples=300)
    assert fcv.fold_noise(cv)["val_loss"] > 0.02
    settings = Settings(select=["FD101"])
    alone = engine.analyze(cv.mean_run(), settings)
    assert [f.code for f in alone.findings] == ["FD101"]  # a smooth mean curve "rises"
    report = fcv.analyze_cv(cv, settings)
    assert not [f for f in report.findings if f.code == "FD101"]


# ------------------------------------------------------------------ fold agreement
def test_fold_agreement_is_a_field_of_the_finding() -> None:
    bests = [4, 5, 5, 6, 4, 5, 5, 6, 5, 4]
    report = fcv.analyze_cv(make_cv(bests, k=5, repeats=2), Settings(select=["FD1"]))
    fd101 = [f for f in report.findings if f.code == "FD101"]
    assert fd101, report.findings
    assert fd101[0].folds == FoldAgreement(fired=10, of=10)
    assert "folds" not in fd101[0].message and "folds_agree" not in fd101[0].evidence
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["findings"][0]["folds"] == {"fired": 10, "of": 10}
    notes = "\n".join(report.notes)
    assert "iterated 5-fold cross-validation (2 repetitions, 10 models)" in notes
    assert "val_accuracy" in notes and "±" in notes
    summary = report.run_summary["cross_validation"]
    assert summary["models"] == 10 and summary["best_epochs"] == bests


def test_single_run_findings_have_no_fold_field() -> None:
    report = engine.analyze(fold_run(3), Settings(select=["FD101"]))
    assert report.findings and report.findings[0].folds is None
    assert "folds" not in report.findings[0].to_dict()


def test_rules_that_fire_only_on_some_folds_are_listed() -> None:
    runs = [fold_run(11, 12, fold=i) for i in range(4)]
    runs.append(fold_run(3, 12, fold=4))  # one fold overfits from epoch 3
    report = fcv.analyze_cv(fcv.CVResult(runs=runs, k=5, n_samples=500),
                            Settings(select=["FD101"]))
    assert not [f for f in report.findings if f.code == "FD101"]
    only = report.run_summary["cross_validation"]["only_in_folds"]
    assert only == [{"code": "FD101", "name": "validation-loss-rising", "fired": 1, "of": 5}]
    assert any(n.startswith("FD101 validation-loss-rising fired in 1 of 5 folds but not on "
                            "the fold mean") for n in report.notes)


def test_pooled_rules_are_declared_in_toml_and_not_counted_per_fold() -> None:
    """FD702 judges the pooled validation set: a fold's small one is not news."""
    fd702 = next(r for r in load_rules() if r.name == "validation-set-too-small")
    assert fd702.folds == "pooled"
    # folds of 60 validation samples each, their accuracy moving less than the interval
    runs = [fold_run(10, 12, fold=i, n_val=60) for i in range(5)]
    cv = fcv.CVResult(runs=runs, k=5, n_samples=300)
    rules = Settings(select=[fd702.code]).rules()
    assert all(engine.analyze(r, rules=rules).findings for r in runs)  # fires on each fold
    report = fcv.analyze_cv(cv, rules=rules)
    assert report.run_summary["cross_validation"]["only_in_folds"] == []
    # on the fold mean (300 samples validated, scarce) it fires, for the whole CV
    assert [(f.code, f.folds) for f in report.findings] == [(fd702.code, None)]
    # the same rule declared "each" would be counted: the declaration decides, not a code
    each = [dataclasses.replace(r, folds="each") for r in rules]
    report = fcv.analyze_cv(cv, rules=each)
    on_mean = [f for f in report.findings if f.code == fd702.code]
    assert on_mean and on_mean[0].folds == FoldAgreement(5, 5)


@pytest.mark.parametrize("fmt", ["text", "rich", "markdown", "github", "html", "json"])
def test_every_reporter_shows_fold_agreement(fmt: str) -> None:
    from fitdoctor.reporters import render

    report = fcv.analyze_cv(make_cv([5, 6, 5, 6, 5]), Settings(select=["FD1"]))
    assert any(f.folds is not None for f in report.findings)
    out = render(report, fmt, width=100)  # no run: the fold text, not the curves
    if fmt == "json":
        found = json.loads(out)["findings"]
        assert [f["folds"] for f in found if f["code"] == "FD101"] == [{"fired": 5, "of": 5}]
    else:
        assert "in 5 of 5 folds" in out


# --------------------------------------------------------------------- final fit
def test_final_fit_is_the_median_of_fold_bests_when_the_folds_found_it() -> None:
    result = make_cv([20, 22, 23, 25, 30], k=5)
    # 32 epochs so every fold's minimum lies inside the run
    result.runs = [fold_run(b, 32, fold=i) for i, b in enumerate([20, 22, 23, 25, 30])]
    assert result.best_epochs() == [20, 22, 23, 25, 30]
    assert result.final_epochs() == 23
    assert result.final_fit_advice() == (
        "retrain on all 1,437 samples (training + validation) for 23 epochs, "
        "then evaluate once on the test set"
    )
    report = fcv.analyze_cv(result)
    summary = report.run_summary["cross_validation"]
    assert summary["final_fit_ready"] and summary["final_epochs"] == 23
    assert ("final fit: retrain on all 1,437 samples (training + validation) for 23 epochs, "
            "then evaluate once on the test set (median of the folds' best epochs, which "
            "range 20-30).") in report.notes


def test_final_fit_waits_when_the_report_says_train_longer() -> None:
    """Issue: the final fit said "20 epochs" while FD301 said "train about N more"."""
    cv = fcv.CVResult([still_falling_run(i) for i in range(5)], k=5, n_samples=1000)
    report = fcv.analyze_cv(cv)
    longer = [f for f in report.findings
              if "train-longer" in [r.action for r in f.recommendations]]
    assert longer, report.findings
    summary = report.run_summary["cross_validation"]
    assert not summary["final_fit_ready"]
    assert summary["final_fit_waits_for"] == [f.code for f in longer]
    advice = cv.final_fit_advice()
    assert advice == summary["final_fit"]
    assert advice is not None and advice.startswith(f"not yet: {longer[0].code} recommends")
    assert "for 20 epochs" not in advice and "lower bound" in advice
    # ignoring the rule that asks for more epochs is the user's call: the fit follows it
    ignore = Settings(ignore=[f.code for f in longer])
    assert cv.final_fit_advice(ignore) == (
        "retrain on all 1,000 samples (training + validation) for 20 epochs, "
        "then evaluate once on the test set"
    )


# ------------------------------------------------------------- fitdoctor.analyze
def test_analyze_accepts_results_and_files(tmp_path: Path) -> None:
    result = make_cv([5, 6, 5, 6, 5])
    settings = Settings(select=["FD1"])
    direct = fitdoctor.analyze(result, settings)
    assert direct.to_dict() == fcv.analyze_cv(result, settings).to_dict()
    path = tmp_path / "cv.json"
    result.save(path)
    assert fitdoctor.analyze(path, settings).to_dict()["findings"] == \
        direct.to_dict()["findings"]
    lc = fcv.load_learning_curve(DATA / "learning_curve_tiny.json")
    assert fitdoctor.analyze(lc).run_summary["learning_curve"]["verdict"] == "won't help"
    with pytest.raises(InputError, match="describe a single run"):
        fitdoctor.analyze(result, task="multiclass")


def test_analyze_file_renders_cv_in_every_format(tmp_path: Path) -> None:
    from fitdoctor.reporters import FORMATS, render

    path = tmp_path / "cv.json"
    make_cv([5, 6, 5, 6, 5]).save(path)
    report, run = fcv.analyze_file(path, Settings(select=["FD1"]))
    assert run is not None and run.source == "cross-validation"
    for fmt in FORMATS:
        assert render(report, fmt, run=run)
    assert "final fit" in render(report, "text", run=run)


# ---------------------------------------------------------------- learning curves
def synthetic_lc(train: list[float], val: list[float], *, noise: float = 0.005,
                 k: int = 3) -> fcv.LearningCurveResult:
    rng = np.random.default_rng(1)
    fracs = [0.1, 0.25, 0.5, 0.75, 1.0]
    sizes = []
    for f, t, v in zip(fracs, train, val, strict=True):
        n = round(1200 * f)
        sizes.append(fcv.SizeScores(
            fraction=f, n_train=[n] * k,
            train=[max(0.0, t + float(e)) for e in rng.normal(0, noise, k)],
            val=[max(0.0, v + float(e)) for e in rng.normal(0, noise, k)],
        ))
    return fcv.LearningCurveResult(sizes=sizes, k=k, score="error", n_samples=1800, seed=0)


def codes(report: fitdoctor.Report) -> list[str]:
    return [f.code for f in report.findings]


def test_power_law_recovered_and_extrapolated() -> None:
    ns = [120, 300, 600, 900, 1200]
    val = [2.0 * n ** -0.5 + 0.02 for n in ns]
    lc = synthetic_lc([0.0] * 5, val, noise=0.0005)
    law = lc.power_law
    assert law is not None and law.method == "curve_fit"
    assert law.b == pytest.approx(0.5, abs=0.1)
    ex = lc.extrapolation
    assert ex is not None and ex.n_target == 2400
    assert ex.predicted == pytest.approx(2.0 * 2400 ** -0.5 + 0.02, abs=0.004)
    assert ex.gain_std is not None and ex.gain_std < ex.gain


def test_high_variance_fires_more_data_helps() -> None:
    ns = [120, 300, 600, 900, 1200]
    lc = synthetic_lc([0.0] * 5, [2.0 * n ** -0.5 + 0.02 for n in ns], noise=0.002)
    report = fcv.analyze_learning_curve(lc)
    assert codes(report) == ["FD711"]
    finding = report.findings[0]
    assert finding.diagnosis == "overfitting" and finding.severity.value == "warning"
    assert finding.message.startswith("high variance")
    assert finding.recommendations[0].action == "more-data"
    assert finding.evidence["n_target"] == 2400 and finding.evidence["gain"] > 0
    assert lc.verdict == "helps" and lc.reason == finding.message
    assert report.run_summary["learning_curve"]["answered_by"] == "FD711"


def test_high_bias_fires_more_data_wont_help_with_capacity_remedies() -> None:
    lc = synthetic_lc([0.55, 0.56, 0.56, 0.56, 0.56], [0.60, 0.58, 0.575, 0.575, 0.574],
                      noise=0.003)
    report = fcv.analyze_learning_curve(lc)
    assert codes(report) == ["FD712"]
    finding = report.findings[0]
    assert finding.severity.value == "warning"  # converged at a poor level
    assert "high bias" in finding.message
    assert [r.action for r in finding.recommendations] == [
        "more-units", "more-features", "lower-regularization"]
    assert lc.verdict == "won't help"


def test_flat_at_a_good_level_is_info_without_capacity_remedies() -> None:
    lc = synthetic_lc([0.015, 0.02, 0.02, 0.02, 0.02], [0.03, 0.026, 0.025, 0.025, 0.025],
                      noise=0.0003)
    report = fcv.analyze_learning_curve(lc)
    assert codes(report) == ["FD712"], report.findings
    assert report.findings[0].severity.value == "info"
    assert report.findings[0].recommendations == []


def test_gap_that_data_does_not_close_is_inconclusive_and_says_regularize() -> None:
    # train error 0, validation error flat at 0.3 give or take noise: variance that more
    # data does not visibly cure is neither "helps" nor "won't help"
    lc = synthetic_lc([0.0] * 5, [0.3] * 5, noise=0.03)
    report = fcv.analyze_learning_curve(lc)
    assert codes(report) == ["FD713"]
    assert "raise-regularization" in [r.action for r in report.findings[0].recommendations]
    assert lc.verdict == "unclear" and lc.reason.startswith("the learning curve cannot tell")


def test_undertrained_subsets_are_pointed_at_scale_epochs() -> None:
    # training and validation agree, yet both fall with data: small subsets got fewer steps
    lc = synthetic_lc([0.40, 0.30, 0.24, 0.22, 0.21], [0.42, 0.31, 0.25, 0.23, 0.215],
                      noise=0.002)
    report = fcv.analyze_learning_curve(lc)
    assert codes(report) == ["FD713"], report.findings
    recs = report.findings[0].recommendations
    assert "scale_epochs=True" in recs[0].text
    lc.meta["scale_epochs"] = True  # already given as many steps: no such advice
    report = fcv.analyze_learning_curve(lc)
    assert "scale_epochs=True" not in " ".join(r.text for r in report.findings[0].recommendations)


def test_too_few_sizes_skip_the_learning_curve_rules() -> None:
    lc = fcv.LearningCurveResult(
        sizes=[fcv.SizeScores(0.5, [10], [0.1], [0.3]), fcv.SizeScores(1.0, [20], [0.1], [0.2])],
        k=1,
    )
    report = fcv.analyze_learning_curve(lc)
    assert not report.findings
    assert {s.code for s in report.skipped} == {"FD711", "FD712", "FD713"}
    assert "at least 3" in report.skipped[0].reason
    assert lc.verdict == "unclear" and "at least 3" in lc.reason


def test_learning_curve_rules_are_rules_like_any_other() -> None:
    ns = [120, 300, 600, 900, 1200]
    lc = synthetic_lc([0.0] * 5, [2.0 * n ** -0.5 + 0.02 for n in ns], noise=0.002)
    # configured severity and thresholds
    strict = Settings(rule_options={"FD711": {"severity": "error"}})
    assert fcv.analyze_learning_curve(lc, strict).findings[0].severity.value == "error"
    demanding = Settings(rule_options={code: {"min_relative_gain": 0.5}
                                       for code in ("FD711", "FD712", "FD713")})
    assert codes(fcv.analyze_learning_curve(lc, demanding)) == ["FD713"]
    # ignored
    quiet = fcv.analyze_learning_curve(lc, Settings(ignore=["FD71"]))
    assert not quiet.findings
    assert quiet.run_summary["learning_curve"]["verdict"] == "unclear"
    # never run on a single run, never listed as skipped there
    report = engine.analyze(fold_run(5))
    assert not {f.code for f in report.findings} & {"FD711", "FD712", "FD713"}
    assert not {s.code for s in report.skipped} & {"FD711", "FD712", "FD713"}


def test_explain_documents_the_learning_curve_rules() -> None:
    from click.testing import CliRunner

    from fitdoctor.cli import app

    result = CliRunner().invoke(app, ["explain", "FD711"])
    assert result.exit_code == 0, result.output
    assert "validation-error-falls-with-more-data" in result.output
    assert "min_relative_gain" in result.output
    listing = CliRunner().invoke(app, ["rules", "--format", "json"])
    names = {r["code"]: r["name"] for r in json.loads(listing.output)}
    assert names["FD712"] == "validation-error-flat-with-more-data"
    assert names["FD713"] == "learning-curve-inconclusive"


def test_learning_curve_round_trip(tmp_path: Path) -> None:
    ns = [120, 300, 600, 900, 1200]
    lc = synthetic_lc([0.0] * 5, [2.0 * n ** -0.5 + 0.02 for n in ns])
    path = tmp_path / "lc.json"
    lc.save(path)
    data = json.loads(path.read_text())
    assert data["schema"] == "fitdoctor.learning-curve/1"
    assert data["verdict"] == lc.verdict
    back = fcv.load_learning_curve(path)
    assert back.verdict == lc.verdict and back.reason == lc.reason
    assert math.isclose(back.extrapolation.predicted, lc.extrapolation.predicted)  # type: ignore[union-attr]
    report, run = fcv.analyze_file(path)
    assert run is None  # no runs in the file: the learning-curve rules alone
    assert report.notes[0].startswith("learning curve at 10% of the data (120 samples)")
    assert report.run_summary["learning_curve"]["verdict"] == lc.verdict


@pytest.mark.parametrize(
    ("name", "verdict", "code"),
    [("learning_curve_wide.json", "helps", "FD711"),
     ("learning_curve_tiny.json", "won't help", "FD712"),
     ("learning_curve_wide_upper.json", "unclear", "FD713")],
)
def test_recorded_digits_learning_curves(name: str, verdict: str, code: str) -> None:
    """Real curves: examples/learning_curve_digits.py --out tests/data/runs/validation."""
    lc = fcv.load_learning_curve(DATA / name)
    assert lc.verdict == verdict, lc.reason
    ex = lc.extrapolation
    assert ex is not None and ex.gain_std is not None
    report, run = fcv.analyze_file(DATA / name)
    assert run is not None
    assert code in codes(report)
    assert report.run_summary["learning_curve"]["verdict"] == verdict


def test_cv_and_learning_curve_files_render_tables_in_markdown(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fitdoctor.cli import app

    train = [1.0, 0.6, 0.4, 0.3, 0.25, 0.22, 0.2, 0.19]
    runs = [
        Run(
            epochs=list(range(1, 9)),
            metrics={"loss": train, "val_loss": [v + 0.05 * i for v in train],
                     "val_accuracy": [0.5 + 0.05 * e + 0.01 * i for e in range(8)]},
        )
        for i in range(3)
    ]
    path = tmp_path / "cv.json"
    fcv.CVResult(runs, k=3, n_samples=300).save(path)
    out = CliRunner().invoke(app, ["analyze", str(path), "--format", "markdown"]).stdout
    assert "**Cross-validation:** 3-fold, 3 models" in out
    assert "| metric | mean | std | folds |" in out and "| val\\_accuracy |" in out
    assert "**Final fit:**" in out
    lc = DATA / "learning_curve_wide.json"
    out = CliRunner().invoke(app, ["analyze", str(lc), "--format", "markdown"]).stdout
    assert "**Would more data help?** helps (FD711)" in out
    assert "| training samples | training error | validation error | fitted |" in out


def test_the_folds_key_of_a_rule_is_checked(tmp_path: Path) -> None:
    from fitdoctor.errors import ConfigError

    params = "\n".join(f"[rule.params.{p}]\ndefault = {v}" for p, v in
                       (("min_relative_gain", 0.1), ("z", 2.0), ("z_trend", 1.64),
                        ("variance_gap", 0.3)))
    rule = ('[[rule]]\ncode = "FD911"\nname = "pack-rule"\ndiagnosis = "overfitting"\n'
            'severity = "info"\ndetector = "learning-curve-helps"\nmessage = "m"\n'
            'folds = "{folds}"\n' + params + "\n")
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "r.toml").write_text(rule.format(folds="pooled"), encoding="utf-8")
    assert next(r for r in load_rules([pack]) if r.code == "FD911").folds == "pooled"
    (pack / "r.toml").write_text(rule.format(folds="sometimes"), encoding="utf-8")
    with pytest.raises(ConfigError, match="folds must be one of each, pooled, got 'sometimes'"):
        load_rules([pack])
