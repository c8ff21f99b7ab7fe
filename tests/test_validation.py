"""fitdoctor.validation: splits, K-fold and iterated K-fold, learning curves, test evaluation.

The fold bookkeeping is checked without keras; everything marked ``keras`` trains real
(tiny) models on scikit-learn's bundled data. The FD702-FD704 trainings are the ones
tests/data/runs/make_validation_runs.py records for the rule cases, run live.
"""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_iris, load_wine

import fitdoctor
from fitdoctor import cv as fcv
from fitdoctor.rules import Settings
from fitdoctor.validation import class_labels, folds, holdout_split

RUNS = Path(__file__).parent / "data" / "runs"


def _recorder() -> Any:
    spec = importlib.util.spec_from_file_location("make_validation_runs",
                                                  RUNS / "make_validation_runs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------- no training
def test_folds_validate_every_sample_once_per_repetition() -> None:
    _, y = load_wine(return_X_y=True)
    splits = folds(y, 5, repeats=2, seed=3)
    assert len(splits) == 10
    assert [(f.repeat, f.fold) for f in splits[:6]] == [
        (0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (1, 0)]
    for r in range(2):
        vals = np.concatenate([f.val for f in splits if f.repeat == r])
        assert sorted(vals.tolist()) == list(range(len(y)))  # each sample exactly once
    for f in splits:
        assert not set(f.train.tolist()) & set(f.val.tolist())
        assert f.train.size + f.val.size == len(y)
    # repetitions reshuffle
    assert not np.array_equal(splits[0].val, splits[5].val)


def test_folds_keep_class_proportions() -> None:
    _, y = load_wine(return_X_y=True)
    expected = np.bincount(y) / len(y)
    for f in folds(y, 5, seed=0):
        got = np.bincount(y[f.val], minlength=3)
        # stratified: every class within rounding of its share of the fold
        assert np.all(np.abs(got - expected * f.val.size) < 1.5), got
    # unstratified folds of sorted labels would not be
    worst = max(np.abs(np.bincount(y[f.val], minlength=3) - expected * f.val.size).max()
                for f in folds(y, 5, shuffle=False, stratify=False))
    assert worst > 5


def test_folds_are_deterministic_with_a_seed() -> None:
    _, y = load_iris(return_X_y=True)
    a = folds(y, 3, repeats=2, seed=7)
    b = folds(y, 3, repeats=2, seed=7)
    c = folds(y, 3, repeats=2, seed=8)
    assert all(np.array_equal(p.val, q.val) for p, q in zip(a, b, strict=True))
    assert not all(np.array_equal(p.val, q.val) for p, q in zip(a, c, strict=True))


def test_folds_refuse_bad_settings() -> None:
    y = np.arange(10) % 2
    with pytest.raises(ValueError, match="needs shuffle=True"):
        folds(y, 2, repeats=2, shuffle=False)
    with pytest.raises(ValueError, match="k must be at least 2"):
        folds(y, 1)
    with pytest.raises(ValueError, match="cannot stratify"):
        folds(y, 6, stratify=True)
    with pytest.raises(ValueError, match="needs class labels"):
        folds(np.linspace(0, 1, 10), 2, stratify=True)


def test_holdout_split_60_20_20_stratified_and_disjoint() -> None:
    x, y = load_wine(return_X_y=True)
    ids = np.arange(len(y), dtype=float)[:, None]
    xi = np.hstack([x, ids])
    (xt, yt), (xv, yv), (xs, ys) = holdout_split(xi, y, seed=0)
    assert (len(yt), len(yv), len(ys)) == (106, 36, 36)
    seen = np.concatenate([xt[:, -1], xv[:, -1], xs[:, -1]])
    assert sorted(seen.astype(int).tolist()) == list(range(len(y)))
    share = np.bincount(y) / len(y)
    for part in (yt, yv, ys):
        assert np.all(np.abs(np.bincount(part, minlength=3) - share * len(part)) < 1.5)
    again = holdout_split(xi, y, seed=0)
    assert np.array_equal(again[2][0], xs)
    with pytest.raises(ValueError, match="summing to 1"):
        holdout_split(x, y, ratios=(0.7, 0.2, 0.2))


def test_class_labels() -> None:
    assert class_labels(np.eye(3)[[0, 2, 1, 2]]).tolist() == [0, 2, 1, 2]
    assert class_labels(np.array([3.0, 5.0, 3.0, 5.0, 5.0] * 4)).tolist()[:3] == [0, 1, 0]
    assert class_labels(np.linspace(0, 1, 50)) is None  # regression target
    assert class_labels(np.array([[1, 1, 0], [0, 1, 1]])) is None  # multi-label


# ------------------------------------------------------------------- real training
def iris() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_iris(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x.astype("float32"), y


def small_model() -> Any:
    import keras

    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.mark.keras
def test_cross_validate_k5_repeats2_saves_10_runs_and_aggregate(tmp_path: Path) -> None:
    from fitdoctor.validation import cross_validate

    x, y = iris()
    result = cross_validate(small_model, x, y, k=5, repeats=2,
                            fit_kwargs={"epochs": 6, "batch_size": 16}, progress=False)
    assert len(result.runs) == 10
    assert [(r.meta["repeat"], r.meta["fold"]) for r in result.runs][:6] == [
        (0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (1, 0)]
    assert result.stratified and result.n_samples == 150
    for r in range(2):
        vals = np.concatenate(result.val_indices[5 * r: 5 * r + 5])
        assert sorted(vals.tolist()) == list(range(150))
        assert sum(run.data.n_val for run in result.runs[5 * r: 5 * r + 5]) == 150  # type: ignore[union-attr]
    for run in result.runs:
        assert run.n_epochs == 6 and run.has("val_loss") and run.status == "completed"
    path = tmp_path / "cv.json"
    result.save(path)
    data = json.loads(path.read_text())
    assert data["schema"] == "fitdoctor.cv/1" and len(data["runs"]) == 10
    assert data["aggregate"]["n_folds"] == [10] * 6
    assert len(data["aggregate"]["std"]["val_loss"]) == 6
    report, run = fcv.analyze_file(path)
    summary = report.run_summary["cross_validation"]
    final = summary["final_epochs"]
    assert final == result.final_epochs() and 1 <= final <= 6
    # the final fit follows the report: no epoch count while a finding says train longer
    longer = [f.code for f in report.findings
              if "train-longer" in [r.action for r in f.recommendations]]
    assert summary["final_fit_waits_for"] == longer
    expected = (f"not yet: {longer[0]}" if longer else
                f"retrain on all 150 samples (training + validation) for {final} epoch")
    assert any(expected in n for n in report.notes), report.notes
    assert result.final_fit_advice() == summary["final_fit"]
    assert all(f.folds is not None and f.folds.of == 10 for f in report.findings
               if f.code != "FD702")
    assert run is not None and run.n_epochs == 6


@pytest.mark.keras
@pytest.mark.slow
def test_cross_validation_still_improving_defers_the_final_fit() -> None:
    """Folds stopped while still improving: the report says train longer, and so does the
    final fit (it once said "retrain for 8 epochs" next to "train about N more")."""
    import keras

    from fitdoctor.validation import cross_validate

    def slow_model() -> Any:
        model = keras.Sequential([
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ])
        model.compile(keras.optimizers.Adam(0.003), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    x, y = iris()
    result = cross_validate(slow_model, x, y, k=3, seed=1,
                            fit_kwargs={"epochs": 8, "batch_size": 16}, progress=False)
    report = fitdoctor.analyze(result)
    longer = [f for f in report.findings
              if "train-longer" in [r.action for r in f.recommendations]]
    assert longer, [f.code for f in report.findings]
    assert longer[0].folds is not None and longer[0].folds.fired >= 2
    advice = result.final_fit_advice()
    assert advice is not None and advice.startswith(f"not yet: {longer[0].code} recommends")
    assert result.best_epochs() == [8, 8, 8]  # every fold was best at its last epoch


@pytest.mark.keras
def test_cross_validate_is_deterministic_with_a_seed() -> None:
    from fitdoctor.validation import cross_validate

    x, y = iris()
    kw: dict[str, Any] = {"fit_kwargs": {"epochs": 2, "batch_size": 32}, "progress": False}
    a = cross_validate(small_model, x, y, k=2, seed=5, **kw)
    b = cross_validate(small_model, x, y, k=2, seed=5, **kw)
    for ra, rb in zip(a.runs, b.runs, strict=True):
        np.testing.assert_allclose(ra.series("val_loss"), rb.series("val_loss"), rtol=1e-5)
    assert [r.data.val_fingerprint for r in a.runs] == [r.data.val_fingerprint for r in b.runs]  # type: ignore[union-attr]


@pytest.mark.keras
def test_cross_validate_refuses_validation_in_fit_kwargs() -> None:
    from fitdoctor.validation import cross_validate

    x, y = iris()
    with pytest.raises(ValueError, match="validation_split"):
        cross_validate(small_model, x, y, fit_kwargs={"validation_split": 0.2})


def _fires(run: Any, code: str) -> list[Any]:
    report = fitdoctor.analyze(run, Settings(select=[code]))
    assert not [f for f in report.findings if f.code == "FD000"], report.findings
    return [f for f in report.findings if f.code == code]


@pytest.mark.keras
def test_fd702_fires_on_60_validation_samples_not_on_5000() -> None:
    rec = _recorder()
    small = rec.fd702_small().run
    large = rec.fd702_large().run
    assert small.data.n_val == 60 and large.data.n_val == 5000
    hits = _fires(small, "FD702")
    assert hits, small.metrics["val_accuracy"]
    ev = hits[0].evidence
    assert ev["half_width_pts"] > ev["judged_pts"]
    assert ev["n_total"] == 1060 and ev["k"] == 5
    assert ev["kfold_half_width_pts"] < ev["half_width_pts"]
    assert "k-fold" in [r.action for r in hits[0].recommendations]
    assert not _fires(large, "FD702")


@pytest.mark.keras
def test_fd703_test_set_used_for_validation_and_fixed_twin() -> None:
    rec = _recorder()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bad = rec.fd703(True)
    assert bad.run.meta["test_fingerprint"] == bad.run.data.val_fingerprint
    hits = _fires(bad.run, "FD703")
    assert hits and "no longer an honest estimate" in hits[0].message
    assert not [w for w in caught if "FD703" in str(w.message)]  # recorder passes warn=False
    good = rec.fd703(False)
    assert good.run.meta["test_fingerprint"] != good.run.data.val_fingerprint
    assert not _fires(good.run, "FD703")


@pytest.mark.keras
def test_evaluate_warns_and_returns_the_finding() -> None:
    import keras

    from fitdoctor import FitDoctor
    from fitdoctor.validation import evaluate

    x, y = iris()
    (xt, yt), (xv, yv), (xs, ys) = holdout_split(x, y, seed=0)
    keras.utils.set_random_seed(0)
    model = small_model()
    doctor = FitDoctor(None, report=None, verbose=0, per_class=False)
    model.fit(xt, yt, validation_data=(xv, yv), epochs=2, verbose=0, callbacks=[doctor])
    honest = evaluate(model, xs, ys, run=doctor)
    assert honest.honest and "accuracy" in honest.scores
    with pytest.warns(UserWarning, match="FD703.*no longer an honest estimate"):
        tuned = evaluate(model, xv, yv, run=doctor)
    assert not tuned.honest and tuned.finding is not None and tuned.finding.code == "FD703"
    assert doctor.run is not None and doctor.run.meta["test_scores"] == tuned.scores


@pytest.mark.keras
def test_fd704_dropout_fires_and_fixed_twin_is_silent() -> None:
    rec = _recorder()
    hits = _fires(rec.fd704(0.7).run, "FD704")
    assert hits and "dropout" in hits[0].message, hits
    assert not _fires(rec.fd704(0.0).run, "FD704")


@pytest.mark.keras
def test_learning_curve_small_real_run(tmp_path: Path) -> None:
    from fitdoctor.validation import learning_curve

    x, y = iris()
    lc = learning_curve(small_model, x, y, sizes=(0.2, 0.5, 1.0), k=2,
                        fit_kwargs={"epochs": 2, "batch_size": 32}, progress=False)
    assert [s.fraction for s in lc.sizes] == [0.2, 0.5, 1.0]
    assert [len(s.val) for s in lc.sizes] == [2, 2, 2]
    assert lc.sizes[0].n < lc.sizes[1].n < lc.sizes[2].n == 75
    assert lc.score == "error" and len(lc.runs) == 6
    assert all(0.0 <= v <= 1.0 for s in lc.sizes for v in s.train + s.val)
    assert lc.verdict in fcv.VERDICTS and lc.reason
    path = tmp_path / "lc.json"
    lc.save(path)
    back = fcv.load_learning_curve(path)
    assert back.verdict == lc.verdict and back.table() == lc.table()
