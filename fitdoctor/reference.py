"""A quick reference model: what the data allows with little effort.

A network that plateaus at 77% accuracy may be underfitting, or 77% may be all the data
allows. A bare curve cannot tell; the data can. :func:`fit_reference` fits simple
scikit-learn models on (a sample of) the training data within a few seconds and scores
them on the validation data: logistic regression for classification, ridge regression
for regression, and, for tabular data (few features, and few classes times features),
gradient boosting too. The best
validation score is recorded in the run (``Run.baselines.reference_*``) so the
underfitting rule can say "a logistic regression reaches 0.97 here; your network
plateaued at 0.77" (the idea of Deepchecks' simple-model comparison).

scikit-learn is imported only when a reference is fitted (the analysis path never fits
one); this module never imports keras.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from fitdoctor.run import Run

#: Metric names a reference can carry: accuracy (classification, higher is better) or
#: the mean squared error on the validation data (regression, lower is better).
METRICS = ("accuracy", "mse")


@dataclass(frozen=True)
class Reference:
    """A reference model's validation score.

    Args:
        value: The score on the validation data.
        metric: ``"accuracy"`` or ``"mse"``.
        model: What was fitted, e.g. ``"logistic regression"``.
        n_train: Training samples it was fitted on (a sample when the data is large).
        n_val: Validation samples it was scored on.
        seconds: Time spent fitting and scoring.
    """

    value: float
    metric: str
    model: str
    n_train: int
    n_val: int
    seconds: float


def fit_reference(
    x_train: Any,
    y_train: Any,
    x_val: Any,
    y_val: Any,
    *,
    task: str | None,
    max_samples: int = 5000,
    max_val_samples: int = 10000,
    max_features: int = 4096,
    tabular_features: int = 200,
    boosting_max_classes: int = 10,
    boosting_max_cells: int = 500,
    min_per_class: int = 10,
    time_budget: float = 5.0,
    seed: int = 0,
) -> Reference | None:
    """Fit quick reference models on the training data and score them on validation.

    Args:
        x_train: Training inputs, any shape ``(n, ...)``; flattened to ``(n, features)``.
        y_train: Training targets: class ids, one-hot rows, 0/1 labels or real values.
        x_val: Validation inputs.
        y_val: Validation targets.
        task: ``"binary"``, ``"multiclass"`` or ``"regression"`` (others: ``None`` returned).
        max_samples: Fit on at most this many training samples (a random sample).
            Defaults to `5000`.
        max_val_samples: Score on at most this many validation samples. Defaults to `10000`.
        max_features: Skip inputs with more features than this (large images: a linear
            model on raw pixels says little and takes long). Defaults to `4096`.
        tabular_features: Data with at most this many features that were 2-D to begin
            with is tabular: gradient boosting is tried too. Defaults to `200`.
        min_per_class: No reference for a classification with fewer training samples
            (after sampling) than this many per class. Defaults to `10`.
        boosting_max_classes: Gradient boosting grows one tree per class per round
            (30 s for 100 classes on 5,000 samples, where logistic regression takes
            0.2 s): it is tried only with at most this many classes. Defaults to `10`.
        boosting_max_cells: ... and only when the features times the trees a round
            grows (the classes of a multiclass task, else one) are at most this many:
            its cost grows with both (on 5,000 samples, one core: 13 s CPU for 10
            classes × 200 features, 5.5 s for 10 × 100, 2.6 s for 10 × 50, 1.8 s for
            2 × 200; bench/bench_overhead.py --features). Defaults to `500`.
        time_budget: Seconds; gradient boosting is skipped when the linear model already
            used half of it. Defaults to `5.0`.
        seed: Random seed for the samples and the models. Defaults to `0`.

    Returns:
        The best reference, or ``None`` when the task or the data does not allow one.
    """
    if task not in ("binary", "multiclass", "regression"):
        return None
    start = time.perf_counter()
    data = _prepare(x_train, y_train, x_val, y_val, task, max_features)
    if data is None:
        return None
    xt, yt, xv, yv, tabular = data
    rng = np.random.default_rng(seed)
    if xt.shape[0] > max_samples:
        pick = rng.choice(xt.shape[0], max_samples, replace=False)
        xt, yt = xt[pick], yt[pick]
    if xv.shape[0] > max_val_samples:
        pick = rng.choice(xv.shape[0], max_val_samples, replace=False)
        xv, yv = xv[pick], yv[pick]
    if task != "regression" and np.unique(yt).size < 2:
        return None
    if task != "regression" and xt.shape[0] < min_per_class * np.unique(yt).size:
        return None  # too few samples a class for a fair bar (1,000 classes on 5,000)
    tabular = tabular and xt.shape[1] <= tabular_features
    n_classes = np.unique(yt).size if task != "regression" else 1
    if n_classes > boosting_max_classes:
        tabular = False  # no gradient boosting: its cost grows with the classes
    trees = n_classes if n_classes > 2 else 1
    if trees * xt.shape[1] > boosting_max_cells:
        tabular = False  # ... and with the features: over a few seconds
    candidates: list[tuple[float, str]] = []
    for name, make in _models(task, tabular, seed):
        if candidates and time.perf_counter() - start > time_budget / 2:
            break
        if candidates and task != "regression" and candidates[-1][0] >= 0.99:
            break  # the linear model is (nearly) perfect: nothing left to compare with
        score = _fit_score(make(), xt, yt, xv, yv, task)
        if score is not None:
            candidates.append((score, name))
    if not candidates:
        return None
    if task == "regression":
        value, model = min(candidates)
    else:
        value, model = max(candidates)
    return Reference(
        value=float(value),
        metric="mse" if task == "regression" else "accuracy",
        model=model,
        n_train=int(xt.shape[0]),
        n_val=int(xv.shape[0]),
        seconds=round(time.perf_counter() - start, 3),
    )


def _prepare(
    x_train: Any, y_train: Any, x_val: Any, y_val: Any, task: str, max_features: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool] | None:
    """Flattened float inputs, 1-D targets and whether the inputs were tabular."""
    try:
        xt = np.asarray(x_train, dtype=np.float64)
        xv = np.asarray(x_val, dtype=np.float64)
    except (TypeError, ValueError):
        return None  # text, ragged sequences, dicts of inputs: no quick reference
    if xt.ndim < 1 or xv.ndim < 1 or xt.shape[0] < 2 or xv.shape[0] < 1:
        return None
    tabular = xt.ndim == 2
    xt = xt.reshape(xt.shape[0], -1)
    xv = xv.reshape(xv.shape[0], -1)
    if xt.shape[1] != xv.shape[1] or xt.shape[1] > max_features:
        return None
    if not (np.isfinite(xt).all() and np.isfinite(xv).all()):
        return None
    yt = _targets(y_train, task)
    yv = _targets(y_val, task)
    if yt is None or yv is None or yt.shape[0] != xt.shape[0] or yv.shape[0] != xv.shape[0]:
        return None
    return xt, yt, xv, yv, tabular


def _targets(y: Any, task: str) -> np.ndarray | None:
    """1-D class ids (classification) or real values (regression); ``None`` if not usable."""
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if task == "regression":
        return arr if arr.ndim == 1 and np.isfinite(arr).all() else None
    if arr.ndim == 2:
        return np.asarray(arr.argmax(axis=1))  # one-hot rows
    if arr.ndim != 1 or not np.isfinite(arr).all():
        return None
    if task == "binary":
        return np.asarray(arr >= 0.5, dtype=np.int64)
    return np.asarray(np.rint(arr), dtype=np.int64)


def _models(task: str, tabular: bool, seed: int) -> list[tuple[str, Any]]:
    """``(name, factory)`` pairs, the cheap linear model first."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if task == "regression":
        models: list[tuple[str, Any]] = [
            ("ridge regression",
             lambda: make_pipeline(StandardScaler(), RidgeCV(alphas=(0.1, 1.0, 10.0, 100.0)))),
        ]
        if tabular:
            models.append(("gradient boosting",
                           lambda: HistGradientBoostingRegressor(max_iter=100, early_stopping=True,
                                                                       random_state=seed)))
        return models
    models = [
        ("logistic regression",
         lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))),
    ]
    if tabular:
        models.append(("gradient boosting",
                       lambda: HistGradientBoostingClassifier(max_iter=100, early_stopping=True,
                                                                        random_state=seed)))
    return models


def _fit_score(
    model: Any, xt: np.ndarray, yt: np.ndarray, xv: np.ndarray, yv: np.ndarray, task: str
) -> float | None:
    """The model's validation accuracy (classification) or MSE (regression)."""
    import warnings

    from threadpoolctl import threadpool_limits

    try:
        # one thread: a quick reference must not fight the training for the cores (and
        # OpenMP threads spinning on a busy machine make gradient boosting 10× slower)
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore")  # convergence warnings: a reference, not a result
            model.fit(xt, yt)
            pred = np.asarray(model.predict(xv))
    except (ValueError, MemoryError, np.linalg.LinAlgError):
        return None
    if task == "regression":
        return float(np.mean((pred.astype(np.float64) - yv) ** 2))
    return float(np.mean(pred == yv))


def attach_reference(
    run: Run, x_train: Any, y_train: Any, x_val: Any, y_val: Any, **options: Any
) -> Reference | None:
    """Fit a reference for ``run`` (its task from ``run.data``) and record it in its baselines.

    Args:
        run: The run being recorded.
        x_train: Training inputs.
        y_train: Training targets.
        x_val: Validation inputs.
        y_val: Validation targets.
        **options: Passed to :func:`fit_reference` (``max_samples``, ``time_budget``, ...).

    Returns:
        The reference, or ``None`` (nothing recorded) when none could be fitted.
    """
    task = run.data.task if run.data is not None else None
    ref = fit_reference(x_train, y_train, x_val, y_val, task=task, **options)
    if ref is not None:
        record_reference(run, ref)
    return ref


def record_reference(run: Run, ref: Reference) -> None:
    """Put ``ref`` into ``run.baselines`` (``reference_value``, ``_metric`` and ``_model``)."""
    from fitdoctor.run import Baselines

    base = run.baselines if run.baselines is not None else Baselines()
    base.reference_value = ref.value
    base.reference_metric = ref.metric
    base.reference_model = ref.model
    run.baselines = base


class ReferenceJob:
    """:func:`fit_reference` on a background thread, so training does not wait for it.

    The callback starts one when training starts and collects it at the first epoch end
    after it finished (or when training ends): fitting takes from a tenth of a second to
    a few seconds, which the training thread would otherwise spend before its first
    epoch. scikit-learn and numpy release the GIL for most of that work, and the fit is
    limited to one thread (see :func:`_fit_score`). Nothing is shared with the caller
    but the input arrays, which are only read.

    Args:
        task: The run's task (``run.data.task``).
        x_train: Training inputs.
        y_train: Training targets.
        x_val: Validation inputs.
        y_val: Validation targets.
        **options: Passed to :func:`fit_reference`.
    """

    def __init__(self, task: str | None, x_train: Any, y_train: Any, x_val: Any, y_val: Any,
                 **options: Any) -> None:
        import threading

        self._reference: Reference | None = None
        self._error: Exception | None = None
        #: CPU seconds the fitting thread used (set when it finishes).
        self.cpu_seconds = 0.0
        #: Wall seconds the fitting took (set when it finishes).
        self.wall_seconds = 0.0
        self._thread = threading.Thread(
            target=self._work, args=(task, x_train, y_train, x_val, y_val), kwargs=options,
            name="fitdoctor-reference", daemon=True)
        self._thread.start()

    def _work(self, task: str | None, x_train: Any, y_train: Any, x_val: Any, y_val: Any,
              **options: Any) -> None:
        start, wall = time.thread_time(), time.perf_counter()
        try:
            self._reference = fit_reference(x_train, y_train, x_val, y_val, task=task,
                                            **options)
        except Exception as exc:  # reported by result(), in the caller's thread
            self._error = exc
        finally:
            self.cpu_seconds = time.thread_time() - start
            self.wall_seconds = time.perf_counter() - wall

    def done(self) -> bool:
        """Whether the fitting finished (successfully or not)."""
        return not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the fitting at most ``timeout`` seconds; whether it finished.

        Args:
            timeout: Seconds to wait. Defaults to `None` (as long as it takes).

        Returns:
            ``True`` when it finished (:meth:`result` then returns at once).
        """
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def result(self, timeout: float | None = None) -> Reference | None:
        """Wait for the fitting (at most ``timeout`` seconds) and return its reference.

        Args:
            timeout: Seconds to wait. Defaults to `None` (as long as it takes).

        Returns:
            The reference, or ``None`` when the data allows none.

        Raises:
            TimeoutError: The fitting did not finish within ``timeout``.
            Exception: What the fitting raised.
        """
        if not self.wait(timeout):
            raise TimeoutError(f"the reference model was still fitting after {timeout} s")
        if self._error is not None:
            raise self._error
        return self._reference
