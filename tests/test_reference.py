"""The quick reference model (fitdoctor.reference): real fits on scikit-learn's bundled data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_digits, make_classification

from fitdoctor.reference import ReferenceJob, attach_reference, fit_reference
from fitdoctor.run import DataInfo, Run


def _split(x: np.ndarray, y: np.ndarray, frac: float = 0.25) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(x))
    cut = int(len(x) * (1 - frac))
    return x[idx[:cut]], y[idx[:cut]], x[idx[cut:]], y[idx[cut:]]


def test_digits_as_images_gets_a_strong_linear_reference() -> None:
    x, y = load_digits(return_X_y=True)
    images = (x / 16.0).reshape(-1, 8, 8, 1)  # what a Conv2D model is fed
    xt, yt, xv, yv = _split(images, y)
    onehot = np.eye(10)[yt]
    ref = fit_reference(xt, onehot, xv, yv, task="multiclass")
    assert ref is not None
    assert ref.metric == "accuracy"
    assert ref.model == "logistic regression"  # images are not tabular: no boosting tried
    assert 0.9 < ref.value <= 1.0
    assert ref.n_train == len(xt) and ref.n_val == len(xv)


def test_tabular_binary_tries_gradient_boosting_and_keeps_the_best() -> None:
    x, y = make_classification(
        n_samples=800, n_features=8, n_informative=4, n_redundant=0,
        n_clusters_per_class=3, random_state=0,
    )
    xt, yt, xv, yv = _split(x, y.astype(float).reshape(-1, 1))
    ref = fit_reference(xt, yt, xv, yv, task="binary")
    assert ref is not None
    assert ref.model in ("logistic regression", "gradient boosting")
    assert 0.6 < ref.value <= 1.0


def test_regression_reference_is_a_validation_mse() -> None:
    x, y = load_diabetes(return_X_y=True)
    xt, yt, xv, yv = _split(x, y)
    ref = fit_reference(xt, yt, xv, yv, task="regression")
    assert ref is not None
    assert ref.metric == "mse"
    assert 0 < ref.value < float(np.var(yv))  # beats predicting the mean


def test_samples_are_bounded() -> None:
    x, y = make_classification(n_samples=3000, n_features=20, random_state=1)
    xt, yt, xv, yv = _split(x, y)
    ref = fit_reference(xt, yt, xv, yv, task="binary", max_samples=500, max_val_samples=100)
    assert ref is not None
    assert ref.n_train == 500 and ref.n_val == 100


@pytest.mark.parametrize(
    ("task", "x_shape"),
    [("multilabel", (50, 4)), (None, (50, 4)), ("binary", (50, 5000))],
)
def test_no_reference_where_it_cannot_say_anything(
    task: str | None, x_shape: tuple[int, int]
) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=x_shape)
    y = rng.integers(0, 2, size=x_shape[0])
    assert fit_reference(x, y, x, y, task=task) is None


def test_unusable_inputs_give_none_not_an_error() -> None:
    y = np.array([0, 1, 0, 1])
    assert fit_reference(["a", "b", "c", "d"], y, ["a"], y[:1], task="binary") is None
    x = np.ones((4, 3))
    assert fit_reference(x, np.zeros(4), x, np.zeros(4), task="binary") is None  # one class
    bad = x.copy()
    bad[0, 0] = np.nan
    assert fit_reference(bad, y, x, y, task="binary") is None


def test_attach_reference_records_it_in_the_run_baselines() -> None:
    x, y = make_classification(n_samples=400, n_features=6, random_state=2)
    xt, yt, xv, yv = _split(x, y)
    run = Run(epochs=[1], metrics={"loss": [0.6]}, data=DataInfo(task="binary"))
    ref = attach_reference(run, xt, yt, xv, yv)
    assert ref is not None and run.baselines is not None
    assert run.baselines.reference_value == ref.value
    assert run.baselines.reference_metric == "accuracy"
    assert run.baselines.reference_model == ref.model
    bare = Run(epochs=[1], metrics={"loss": [0.6]})  # task unknown: nothing recorded
    assert attach_reference(bare, xt, yt, xv, yv) is None and bare.baselines is None


def test_a_reference_job_fits_on_its_own_thread_what_fit_reference_fits() -> None:
    x, y = make_classification(n_samples=400, n_features=6, random_state=2)
    xt, yt, xv, yv = _split(x, y)
    job = ReferenceJob("binary", xt, yt, xv, yv)
    ref = job.result(timeout=120)
    assert job.done() and ref is not None and job.cpu_seconds > 0
    alone = fit_reference(xt, yt, xv, yv, task="binary")
    assert alone is not None and (ref.value, ref.model) == (alone.value, alone.model)
    assert ReferenceJob("multilabel", xt, yt, xv, yv).result(timeout=120) is None
    # What fitting raises is raised where the result is collected, not on the thread.
    broken = ReferenceJob("binary", xt, yt, xv, yv, max_samples="many")
    with pytest.raises(TypeError):
        broken.result(timeout=120)


def test_gradient_boosting_is_bounded_by_classes_times_features(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Boosting's cost grows with classes × features (13 s CPU at 10 × 200): over 500, skipped.

    Noisy labels keep the linear model under 0.99, so boosting would be tried next.
    """
    from fitdoctor import reference

    tried: list[str] = []
    real = reference._fit_score

    def spy(model: object, *args: object) -> float | None:
        tried.append(type(model).__name__)
        return real(model, *args)

    monkeypatch.setattr(reference, "_fit_score", spy)

    def fitted(classes: int, features: int) -> list[str]:
        x, y = make_classification(n_samples=600, n_features=features, n_informative=8,
                                   n_classes=classes, flip_y=0.2, random_state=3)
        xt, yt, xv, yv = _split(x, y)
        tried.clear()
        ref = fit_reference(xt, yt, xv, yv, task="multiclass" if classes > 2 else "binary")
        assert ref is not None and ref.value < 0.99
        return list(tried)

    boosted = ["Pipeline", "HistGradientBoostingClassifier"]
    assert fitted(10, 50) == boosted  # 500 cells: a few seconds on 5,000 samples
    assert fitted(10, 60) == ["Pipeline"]  # 600: logistic regression only
    assert fitted(2, 200) == boosted  # binary: one tree a round, 200 cells
