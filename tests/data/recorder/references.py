"""Scikit-learn reference models: what a quick, simple model reaches on the same rows.

The procedure (the callback is meant to compute the validation side the same way, so that
its number can be compared with the one stored here):

1. Inputs are flattened to ``(n, features)`` as float64. At most ``MAX_ROWS`` training rows
   are used: a uniform random sample without replacement (``numpy.random.default_rng(0)``)
   when there are more.
2. Models, fitted on the training rows Keras trains on (validation rows excluded):
   - classification: ``logistic`` = StandardScaler + LogisticRegression(C=1, max_iter=1000);
     for tabular inputs (2-D, not images or sequences) also ``gradient_boosting`` =
     HistGradientBoostingClassifier(max_iter=100, random_state=0);
   - regression: ``ridge`` = StandardScaler + Ridge(alpha=1); for tabular inputs also
     ``gradient_boosting`` = HistGradientBoostingRegressor(max_iter=100, random_state=0).
3. Scores on the validation rows exactly as Keras validates on them (so a corrupted
   validation set gives the reference a corrupted score too) and on the test rows:
   classification ``accuracy`` and ``log_loss`` (probabilities clipped to [1e-7, 1 - 1e-7],
   like Keras' crossentropy); regression ``mse`` (the loss), ``mae`` (the metric), ``r2``.

``constant_losses`` gives the loss of the best constant predictor (class frequencies or
the mean of the training targets) on the training rows and on the test rows.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

MAX_ROWS = 2000
_CACHE: dict[Any, dict[str, Any]] = {}


def constant_losses(task: str, y_train: np.ndarray, y_test: np.ndarray,
                    n_classes: int) -> dict[str, float]:
    """Loss of predicting the training prior (or mean) on the training and test rows."""
    if task == "regression":
        mean = float(np.mean(y_train))
        return {"constant_loss": float(np.mean((y_train - mean) ** 2)),
                "constant_test_loss": float(np.mean((y_test - mean) ** 2))}
    p = np.bincount(y_train, minlength=n_classes) / len(y_train)
    q = np.clip(p, 1e-7, 1 - 1e-7)
    train = float(-np.sum(p[p > 0] * np.log(p[p > 0])))
    test = float(-np.mean(np.log(q[y_test])))
    return {"constant_loss": train, "constant_test_loss": test}


def _scores(model: Any, x: np.ndarray, y: np.ndarray, task: str,
            n_classes: int) -> dict[str, float]:
    from sklearn import metrics

    if task == "regression":
        pred = model.predict(x)
        return {"mse": float(metrics.mean_squared_error(y, pred)),
                "mae": float(metrics.mean_absolute_error(y, pred)),
                "r2": float(metrics.r2_score(y, pred))}
    proba = np.zeros((len(x), n_classes))
    proba[:, model.classes_] = model.predict_proba(x)
    proba = np.clip(proba, 1e-7, 1 - 1e-7)
    proba /= proba.sum(axis=1, keepdims=True)
    return {"accuracy": float(np.mean(np.argmax(proba, axis=1) == y)),
            "log_loss": float(-np.mean(np.log(proba[np.arange(len(y)), y])))}


def reference_scores(x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray,
                     y_val: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, *,
                     task: str, n_classes: int, tabular: bool) -> dict[str, Any]:
    """Fit the reference models and score them on the validation and test rows."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def flat(x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype="float64").reshape(len(x), -1)

    xt, yt = flat(x_train), np.asarray(y_train)
    if len(xt) > MAX_ROWS:
        pick = np.sort(np.random.default_rng(0).choice(len(xt), MAX_ROWS, replace=False))
        xt, yt = xt[pick], yt[pick]
    classify = task != "regression"
    if classify:
        yt = yt.astype("int64")
        models: dict[str, Any] = {
            "logistic": make_pipeline(StandardScaler(), LogisticRegression(C=1.0,
                                                                           max_iter=1000))}
        if tabular:
            models["gradient_boosting"] = HistGradientBoostingClassifier(max_iter=100,
                                                                         random_state=0)
    else:
        yt = yt.astype("float64")
        models = {"ridge": make_pipeline(StandardScaler(), Ridge(alpha=1.0))}
        if tabular:
            models["gradient_boosting"] = HistGradientBoostingRegressor(max_iter=100,
                                                                        random_state=0)
    out: dict[str, Any] = {"n_fit_rows": len(xt)}
    for name, model in models.items():
        start = time.process_time()
        model.fit(xt, yt)
        fit_seconds = time.process_time() - start
        out[name] = {
            "val": _scores(model, flat(x_val), np.asarray(y_val), task, n_classes),
            "test": _scores(model, flat(x_test), np.asarray(y_test), task, n_classes),
            "fit_cpu_seconds": round(fit_seconds, 3),
        }
    return out


def cached(key: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``reference_scores`` once per key in this process (same rows, same scores)."""
    if key not in _CACHE:
        _CACHE[key] = reference_scores(*args, **kwargs)
    return _CACHE[key]
