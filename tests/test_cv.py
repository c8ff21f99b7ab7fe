"""Cross-validation and learning-curve results: aggregation, files, analysis, verdicts.

No keras here: the runs are built by hand or read from files recorded by
examples/learning_curve_digits.py --out tests/data/runs/validation
(learning_curve_wide.json, learning_curve_tiny.json).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from fitdoctor import cv as fcv
from fitdoctor.errors import InputError
from fitdoctor.rules import Settings
from fitdoctor.run import DataInfo, Run

DATA = Path(__file__).parent / "data" / "runs" / "validation"


def fold_run(best: int, n_epochs: int = 12, *, fold: int = 0, repeat: int = 0,
             offset: float = 0.0) -> Run:
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
        data=DataInfo(task="multiclass", n_train=1150, n_val=287, n_classes=10),
        meta={"fold": fold, "repeat": repeat},
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


def test_mean_run_covers_epochs_every_fold_reached() -> None:
    result = fcv.CVResult(runs=[fold_run(5, 8), fold_run(5, 6)], k=2, n_samples=100)
    mean = result.mean_run()
    assert mean.epochs == [1, 2, 3, 4, 5, 6]
    assert mean.source == "cross-validation"
    assert mean.data is not None and mean.data.n_val == 100  # every sample validated once
    assert mean.meta["cv"] == {"k": 2, "repeats": 1, "folds": 2}
    assert "every fold reached" in mean.meta["notes"][0]


def test_final_epochs_is_median_of_fold_bests() -> None:
    result = make_cv([20, 22, 23, 25, 30], k=5)
    # 30 epochs so every fold's minimum lies inside the run
    result.runs = [fold_run(b, 32, fold=i) for i, b in enumerate([20, 22, 23, 25, 30])]
    assert result.best_epochs() == [20, 22, 23, 25, 30]
    assert result.final_epochs() == 23
    advice = result.final_fit_advice()
    assert advice == ("retrain on all 1,437 samples (training + validation) for 23 epochs, "
                      "then evaluate once on the test set")


# ------------------------------------------------------------------------- files
def test_save_load_round_trip(tmp_path: Path) -> None:
    result = make_cv([5, 6, 7, 6, 5, 8, 6, 7, 5, 6], k=5, repeats=2)
    path = tmp_path / "cv.json"
    result.save(path)
    data = json.loads(path.read_text())
    assert data["schema"] == "fitdoctor.cv/1"
    assert len(data["runs"]) == 10
    assert data["aggregate"]["n_folds"][0] == 10
    assert data["final_epochs"] == 6
    assert fcv.is_cv_document(data) and not fcv.is_learning_curve_document(data)
    assert fcv.is_document_file(path)
    back = fcv.load_cv(path)
    assert back.k == 5 and back.repeats == 2 and back.n_samples == 1437
    assert [r.to_dict() for r in back.runs] == [r.to_dict() for r in result.runs]
    assert back.aggregate.to_dict() == result.aggregate.to_dict()
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic writer left nothing behind


def test_load_rejects_other_documents(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"schema": "fitdoctor.run/1"}))
    with pytest.raises(InputError, match="not a fitdoctor cross-validation"):
        fcv.load_cv(path)
    assert not fcv.is_document_file(path)
    bad = tmp_path / "cv.json"
    bad.write_text(json.dumps({"schema": "fitdoctor.cv/2", "runs": []}))
    with pytest.raises(InputError, match=r"unsupported schema 'fitdoctor\.cv/2'"):
        fcv.load_cv(bad)
    empty = tmp_path / "cv1.json"
    empty.write_text(json.dumps({"schema": "fitdoctor.cv/1", "k": 5, "runs": []}))
    with pytest.raises(InputError, match="non-empty list"):
        fcv.load_cv(empty)


# ---------------------------------------------------------------------- analysis
def test_analyze_cv_counts_agreeing_folds_and_advises_final_fit() -> None:
    bests = [4, 5, 5, 6, 4, 5, 5, 6, 5, 4]
    result = make_cv(bests, k=5, repeats=2)
    report = fcv.analyze_cv(result, Settings(select=["FD1"]))
    fd101 = [f for f in report.findings if f.code == "FD101"]
    assert fd101, report.findings
    assert fd101[0].evidence["folds_agree"] == "10/10"
    assert fd101[0].message.endswith("(10/10 folds agree)")
    notes = "\n".join(report.notes)
    assert "iterated 5-fold cross-validation (2 repetitions, 10 models)" in notes
    assert "retrain on all 1,437 samples (training + validation) for 5 epochs" in notes
    assert "val_accuracy" in notes and "±" in notes
    summary = report.run_summary["cross_validation"]
    assert summary["final_epochs"] == 5 and summary["models"] == 10
    assert summary["best_epochs"] == bests


def test_analyze_cv_reports_findings_of_single_folds() -> None:
    runs = [fold_run(11, 12, fold=i) for i in range(4)]
    runs.append(fold_run(3, 12, fold=4))  # one fold overfits from epoch 3
    result = fcv.CVResult(runs=runs, k=5, n_samples=500)
    report = fcv.analyze_cv(result, Settings(select=["FD101"]))
    assert not [f for f in report.findings if f.code == "FD101"]
    assert any(n.startswith("FD101 fired in 1/5 folds but not on the fold mean")
               for n in report.notes)


def test_analyze_file_renders_cv_in_every_format(tmp_path: Path) -> None:
    from fitdoctor.reporters import FORMATS, render

    path = tmp_path / "cv.json"
    make_cv([5, 6, 5, 6, 5]).save(path)
    report, run = fcv.analyze_file(path, Settings(select=["FD1"]))
    assert run is not None and run.source == "cross-validation"
    for fmt in FORMATS:
        text = render(report, fmt, run=run)
        assert text
    assert "final fit" in render(report, "text", run=run)
    assert "folds agree" in render(report, "markdown", run=run)


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


def test_verdict_helps_for_high_variance() -> None:
    ns = [120, 300, 600, 900, 1200]
    lc = synthetic_lc([0.0] * 5, [2.0 * n ** -0.5 + 0.02 for n in ns], noise=0.002)
    assert lc.verdict == "helps", lc.reason
    assert lc.reason.startswith("high variance")


def test_verdict_wont_help_for_high_bias() -> None:
    lc = synthetic_lc([0.55, 0.56, 0.56, 0.56, 0.56], [0.60, 0.58, 0.575, 0.575, 0.574],
                      noise=0.003)
    assert lc.verdict == "won't help", lc.reason
    assert "high bias" in lc.reason and "capacity or better features" in lc.reason


def test_verdict_unclear_for_a_gap_that_data_does_not_close() -> None:
    # train error 0, validation error flat at 0.3 give or take noise: variance that more
    # data does not visibly cure is neither "helps" nor "won't help"
    lc = synthetic_lc([0.0] * 5, [0.3] * 5, noise=0.03)
    assert lc.verdict == "unclear", lc.reason
    assert "gap" in lc.reason


def test_verdict_needs_three_sizes() -> None:
    lc = fcv.LearningCurveResult(
        sizes=[fcv.SizeScores(0.5, [10], [0.1], [0.3]), fcv.SizeScores(1.0, [20], [0.1], [0.2])],
        k=1,
    )
    assert lc.verdict == "unclear" and "at least 3" in lc.reason


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
    report, _ = fcv.analyze_file(path)
    assert report.notes[0].startswith(f"would more data help? {lc.verdict}")
    assert report.notes[1].startswith("learning curve at 10% of the data (120 samples)")
    assert report.run_summary["learning_curve"]["verdict"] == lc.verdict


@pytest.mark.parametrize(
    ("name", "verdict"),
    [("learning_curve_wide.json", "helps"), ("learning_curve_tiny.json", "won't help")],
)
def test_recorded_digits_learning_curves(name: str, verdict: str) -> None:
    """Real curves: examples/learning_curve_digits.py --out tests/data/runs/validation."""
    lc = fcv.load_learning_curve(DATA / name)
    assert lc.verdict == verdict, lc.reason
    ex = lc.extrapolation
    assert ex is not None and ex.gain_std is not None
    report, run = fcv.analyze_file(DATA / name)
    assert run is not None
    assert report.run_summary["learning_curve"]["verdict"] == verdict


def test_fold_spread_is_the_noise_band_of_the_mean_curve() -> None:
    """A rise of the fold mean that the folds disagree about by more is not overfitting."""
    from fitdoctor import engine

    train = [1.0, 0.6, 0.4, 0.3, 0.22, 0.17, 0.13, 0.1, 0.08, 0.06, 0.05, 0.04]
    base = [1.0, 0.62, 0.45, 0.4, 0.39, 0.395, 0.4, 0.41, 0.42, 0.425, 0.43, 0.44]
    runs = []
    for shift in (-0.15, 0.0, 0.15):  # folds disagree by ±0.15, the mean rises by ~0.05
        val = [v + shift for v in base]
        runs.append(Run(epochs=list(range(1, 13)), metrics={"loss": train, "val_loss": val}))
    cv = fcv.CVResult(runs, k=3, n_samples=300)
    assert fcv.fold_noise(cv)["val_loss"] == pytest.approx(0.15)
    settings = Settings(select=["FD101"])
    alone = engine.analyze(cv.mean_run(), settings)
    assert [f.code for f in alone.findings] == ["FD101"]  # a smooth mean curve "rises"
    report = fcv.analyze_cv(cv, settings)
    assert not [f for f in report.findings if f.code == "FD101"]


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
    lc = Path(__file__).parent / "data/runs/validation/learning_curve_wide.json"
    out = CliRunner().invoke(app, ["analyze", str(lc), "--format", "markdown"]).stdout
    assert "**Would more data help?** helps" in out
    assert "| training samples | training error | validation error | fitted |" in out
