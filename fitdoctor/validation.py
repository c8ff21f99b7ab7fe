"""Validation done right: holdout split, K-fold, iterated K-fold, learning curves, test evaluation.

Tuning against the test set makes it part of training. The remedy is a validation set
chosen by the amount of data:

* plenty of data: a simple holdout, about 6:2:2 train/validation/test
  (:func:`holdout_split`);
* a validation split too small to judge (rule FD702): K-fold cross-validation, where
  every sample is validated once (:func:`cross_validate`);
* scarce data and a precise estimate needed: iterated K-fold with shuffling, ``repeats``
  times K folds (``cross_validate(..., repeats=3)``).

After tuning, the validation data goes back into training for the final model
(:meth:`fitdoctor.cv.CVResult.final_fit_advice`), which is judged once on the test set
with :func:`evaluate`; it warns (rule FD703) when the "test" data is the data the run
was validated on. :func:`learning_curve` answers "would more data help?".

The splitters are scikit-learn's (``train_test_split``, ``KFold``, ``StratifiedKFold``,
``RepeatedKFold``, ``RepeatedStratifiedKFold``). Keras is imported inside the functions
that train, so importing this module is cheap.

Example:
```python
from fitdoctor.validation import cross_validate, holdout_split

(x_tv, y_tv), _, (x_test, y_test) = holdout_split(x, y, ratios=(0.6, 0.2, 0.2))
result = cross_validate(build_model, x_tv, y_tv, k=5, repeats=2,
                        fit_kwargs={"epochs": 30, "batch_size": 32})
result.save("cv.json")          # then: fitdoctor analyze cv.json
```
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fitdoctor import keras_facts as kf
from fitdoctor.cv import CVResult, LearningCurveResult, SizeScores
from fitdoctor.splits import Fold, class_labels, folds, holdout_split, sample_count, strata
from fitdoctor.vocabulary import is_accuracy

if TYPE_CHECKING:
    from fitdoctor.report import Finding
    from fitdoctor.rules import Settings
    from fitdoctor.run import Run

__all__ = [
    "Fold",
    "TestEvaluation",
    "class_labels",
    "cross_validate",
    "evaluate",
    "folds",
    "holdout_split",
    "learning_curve",
]

#: Keyword arguments of ``fit`` that cross-validation sets itself.
_RESERVED_FIT = ("x", "y", "validation_data", "validation_split")
#: The detector of the rule that says a test set was used for validation.
_TEST_DETECTOR = "test-equals-validation"


# ===================================================================== training
def _keras() -> Any:
    import keras

    return keras


@contextmanager
def _progress(enabled: bool, total: int, what: str) -> Iterator[Callable[[str], None]]:
    """A rich progress bar on stderr; a no-op when disabled or stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    show = enabled and console.is_terminal
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not show,
        transient=False,
    ) as bar:
        task = bar.add_task(what, total=total)

        def step(description: str) -> None:
            bar.update(task, advance=1, description=description)

        yield step


def _fit_kwargs(fit_kwargs: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[Any]]:
    kwargs = dict(fit_kwargs or {})
    for key in _RESERVED_FIT:
        if key in kwargs:
            raise ValueError(
                f"fit_kwargs must not set {key!r}: cross-validation chooses the data of each fold"
            )
    callbacks = list(kwargs.pop("callbacks", None) or [])
    kwargs.setdefault("verbose", 0)
    return kwargs, callbacks


def _train_one(
    build_model: Callable[[], Any],
    train: tuple[Any, Any],
    val: tuple[Any, Any],
    *,
    seed: int | None,
    fit_kwargs: dict[str, Any],
    callbacks: list[Any],
    doctor_kwargs: Mapping[str, Any] | None,
    settings: Settings | None,
    previous: Any,
) -> tuple[Any, Run]:
    """Train one fresh model with a FitDoctor recording it; return the model and its run."""
    keras = _keras()
    from fitdoctor.callback import FitDoctor

    keras.backend.clear_session()
    if seed is not None:
        keras.utils.set_random_seed(seed)
    model = build_model()
    if model is previous and previous is not None:
        raise ValueError("build_model() returned the same model twice: it must build and "
                         "compile a fresh model on every call")
    options: dict[str, Any] = {"per_class": False, "verbose": 0}
    options.update(doctor_kwargs or {})
    for key in ("path", "report", "validation_data"):
        options.pop(key, None)
    doctor = FitDoctor(None, report=None, validation_data=val, settings=settings, **options)
    model.fit(train[0], train[1], validation_data=val, callbacks=[*callbacks, doctor], **fit_kwargs)
    run = doctor.run
    if run is None:  # pragma: no cover - the callback always starts a run
        raise RuntimeError("FitDoctor recorded nothing: did fit run any epoch?")
    return model, run


def cross_validate(
    build_model: Callable[[], Any],
    x: Any,
    y: Any,
    k: int = 5,
    *,
    repeats: int = 1,
    shuffle: bool = True,
    stratify: bool | None = None,
    fit_kwargs: Mapping[str, Any] | None = None,
    seed: int | None = 0,
    progress: bool = True,
    settings: Settings | None = None,
    doctor_kwargs: Mapping[str, Any] | None = None,
) -> CVResult:
    """K-fold (or iterated K-fold) cross-validation, every model recorded by ``FitDoctor``.

    Trains ``k`` (or ``repeats × k``) fresh models from ``build_model()``, each on all
    folds but one and validated on that one, with a :class:`~fitdoctor.FitDoctor`
    recording the run (nothing is written or printed per fold). Before each model the
    Keras session is cleared and, with a ``seed``, Keras, numpy and Python are seeded
    with ``seed + model number``, so the same call trains the same models.

    Args:
        build_model: Returns a freshly built and compiled Keras model on every call.
        x: Inputs (an array, or a dict/list of arrays).
        y: Targets.
        k: Folds per repetition (at least 2). Defaults to `5`.
        repeats: Repetitions with reshuffled folds (iterated K-fold, for scarce data).
            Defaults to `1`.
        shuffle: Shuffle before splitting (required when ``repeats > 1``). Defaults to `True`.
        stratify: Keep the class proportions in every fold: ``True``, ``False`` or
            ``None`` (for class labels with at least ``k`` samples per class).
            Defaults to `None`.
        fit_kwargs: Keyword arguments for ``model.fit`` (``epochs``, ``batch_size``,
            ``callbacks``...); not ``validation_data``/``validation_split``. ``verbose``
            defaults to 0. Defaults to `None`.
        seed: Seed of the splits and the models (``None``: not seeded). Defaults to `0`.
        progress: Show a progress bar over the trainings (only when stderr is a
            terminal). Defaults to `True`.
        settings: Rule settings for each fold's own analysis. Defaults to `None`.
        doctor_kwargs: Extra ``FitDoctor`` options (e.g. ``{"per_class": True}``; per-class
            metrics are off by default here for speed). Defaults to `None`.

    Returns:
        The result: ``result.runs`` (one run per model, ``meta`` with ``repeat`` and
        ``fold``), ``result.aggregate``, ``result.final_epochs()``; ``result.save(path)``
        writes it, ``fitdoctor analyze path`` diagnoses it.

    Example:
    ```python
    result = cross_validate(build_model, x, y, k=5, repeats=2, fit_kwargs={"epochs": 20})
    print(result.final_fit_advice())
    ```
    """
    n = sample_count(x, y)
    splits = folds(y, k, repeats=repeats, shuffle=shuffle, stratify=stratify, seed=seed)
    stratified = strata(y, stratify, k, f"into {k} folds") is not None
    kwargs, callbacks = _fit_kwargs(fit_kwargs)
    runs: list[Run] = []
    val_indices: list[np.ndarray] = []
    previous: Any = None
    total = len(splits)
    label = f"{'iterated ' if repeats > 1 else ''}{k}-fold"
    with _progress(progress, total, label) as step:
        for i, fold in enumerate(splits):
            model, run = _train_one(
                build_model,
                (kf.take(x, fold.train), kf.take(y, fold.train)),
                (kf.take(x, fold.val), kf.take(y, fold.val)),
                seed=None if seed is None else seed + i,
                fit_kwargs=kwargs,
                callbacks=callbacks,
                doctor_kwargs=doctor_kwargs,
                settings=settings,
                previous=previous,
            )
            previous = model
            where = f"repeat {fold.repeat + 1}, " if repeats > 1 else ""
            run.name = f"{where}fold {fold.fold + 1}/{k}"
            run.meta.update(repeat=fold.repeat, fold=fold.fold, k=k, repeats=repeats)
            runs.append(run)
            val_indices.append(fold.val)
            step(f"{label}: {i + 1}/{total} models trained")
    result = CVResult(
        runs=runs, k=k, repeats=repeats, n_samples=n, shuffle=shuffle, stratified=stratified,
        seed=seed, name=f"{label} cross-validation", val_indices=val_indices,
    )
    return result


# =============================================================== learning curve
def _score(results: Mapping[str, Any], score: str) -> tuple[float, str]:
    """The error (1 - accuracy) or loss from ``model.evaluate(return_dict=True)``."""
    if score in ("auto", "error"):
        for key, value in results.items():
            if is_accuracy(key):
                return 1.0 - float(value), "error"
        if score == "error":
            raise ValueError("score='error' needs an accuracy metric: compile with "
                             "metrics=['accuracy']")
    return float(results["loss"]), "loss"


def learning_curve(
    build_model: Callable[[], Any],
    x: Any,
    y: Any,
    sizes: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 1.0),
    k: int = 3,
    *,
    fit_kwargs: Mapping[str, Any] | None = None,
    seed: int = 0,
    stratify: bool | None = None,
    score: str = "auto",
    scale_epochs: bool = False,
    progress: bool = True,
    doctor_kwargs: Mapping[str, Any] | None = None,
) -> LearningCurveResult:
    """Train on growing fractions of the training data and measure what more data buys.

    The data is split into ``k`` folds (stratified for class labels); for each fold,
    models are trained on the given fractions of the other folds (a seeded, stratified
    subset) and scored, after training, on their own training subset and on the
    held-out fold with ``model.evaluate`` (no dropout, no penalties). Scores are errors:
    ``1 - accuracy`` for models compiled with an accuracy metric, else the loss.

    The result fits ``val = a * n**-b + c`` to the validation scores and extrapolates it
    to twice the data with an uncertainty (bootstrap over folds); the learning-curve rules
    (``rules/cross_validation.toml``) answer
    :attr:`~fitdoctor.cv.LearningCurveResult.verdict`: ``"helps"`` (high variance: a
    train/validation gap, validation improving with size), ``"won't help"`` (high bias:
    train and validation converged, validation flat with size: more capacity or better
    features instead) or ``"unclear"``, with the reason. ``fitdoctor.analyze(result)``
    gives the full report.

    Args:
        build_model: Returns a freshly built and compiled Keras model on every call.
        x: Inputs (an array, or a dict/list of arrays).
        y: Targets.
        sizes: Fractions of the training pool, each in (0, 1]. Defaults to
            `(0.1, 0.25, 0.5, 0.75, 1.0)`.
        k: Folds (at least 2). Defaults to `3`.
        fit_kwargs: Keyword arguments for ``model.fit`` (``epochs``, ``batch_size``, ...).
            Defaults to `None`.
        seed: Seed of the splits, subsets, models and bootstrap. Defaults to `0`.
        stratify: As in :func:`cross_validate`. Defaults to `None`.
        score: ``"auto"``, ``"error"`` or ``"loss"``. Defaults to `"auto"`.
        scale_epochs: Give every size about the gradient steps of the largest: ``epochs``
            of ``fit_kwargs`` times ``ceil(largest size / this size)``, validating every
            that many epochs, so small subsets are not judged undertrained. Defaults to
            `False` (the same epochs for every size).
        progress: Show a progress bar (only on a terminal). Defaults to `True`.
        doctor_kwargs: Extra ``FitDoctor`` options. Defaults to `None`.

    Returns:
        The learning curve; ``result.verdict``, ``result.reason``,
        ``result.extrapolation``, ``result.summary()``, ``result.save(path)``.
    """
    from sklearn.model_selection import train_test_split

    if score not in ("auto", "error", "loss"):
        raise ValueError(f"score must be 'auto', 'error' or 'loss', got {score!r}")
    fractions = sorted({float(s) for s in sizes})
    if not fractions or fractions[0] <= 0 or fractions[-1] > 1:
        raise ValueError(f"sizes must be fractions in (0, 1], got {tuple(sizes)}")
    n = sample_count(x, y)
    splits = folds(y, k, stratify=stratify, seed=seed)
    ids = class_labels(y) if stratify is not False else None
    kwargs, callbacks = _fit_kwargs(fit_kwargs)
    scores: dict[float, SizeScores] = {
        f: SizeScores(fraction=f, n_train=[], train=[], val=[]) for f in fractions
    }
    runs: list[Run] = []
    kind = "error" if score == "error" else "loss"
    previous: Any = None
    total = len(splits) * len(fractions)
    i = 0
    with _progress(progress, total, "learning curve") as step:
        for fold in splits:
            pool = fold.train
            xv, yv = kf.take(x, fold.val), kf.take(y, fold.val)
            for frac in fractions:
                size = max(2, round(frac * pool.size))
                if size >= pool.size:
                    subset = pool
                else:
                    strata = ids[pool] if ids is not None else None
                    try:
                        subset, _ = train_test_split(
                            pool, train_size=size, random_state=seed + fold.fold, stratify=strata
                        )
                    except ValueError:  # too few samples per class to stratify this size
                        subset, _ = train_test_split(
                            pool, train_size=size, random_state=seed + fold.fold
                        )
                xt, yt = kf.take(x, subset), kf.take(y, subset)
                size_kwargs = dict(kwargs)
                factor = math.ceil(pool.size / subset.size)
                if scale_epochs and factor > 1:
                    size_kwargs["epochs"] = int(kwargs.get("epochs", 1)) * factor
                    # validate as often as the largest size does (per pass over the pool)
                    size_kwargs.setdefault("validation_freq", factor)
                model, run = _train_one(
                    build_model, (xt, yt), (xv, yv), seed=seed + i, fit_kwargs=size_kwargs,
                    callbacks=callbacks, doctor_kwargs=doctor_kwargs, settings=None,
                    previous=previous,
                )
                previous = model
                batch = kwargs.get("batch_size")
                train_eval = model.evaluate(xt, yt, verbose=0, return_dict=True, batch_size=batch)
                val_eval = model.evaluate(xv, yv, verbose=0, return_dict=True, batch_size=batch)
                t_score, kind = _score(train_eval, score)
                v_score, _ = _score(val_eval, score)
                entry = scores[frac]
                entry.n_train.append(int(subset.size))
                entry.train.append(t_score)
                entry.val.append(v_score)
                run.name = f"{frac:g} of the data, fold {fold.fold + 1}/{k}"
                run.meta.update(fraction=frac, fold=fold.fold, n_train=int(subset.size),
                                train_score=t_score, val_score=v_score)
                runs.append(run)
                i += 1
                step(f"learning curve: {i}/{total} models trained")
    return LearningCurveResult(
        sizes=[scores[f] for f in fractions], k=k, score=kind, n_samples=n, seed=seed,
        runs=runs, name="learning curve", meta={"scale_epochs": scale_epochs},
    )


# ============================================================= test evaluation
@dataclass
class TestEvaluation:
    """The one evaluation on the test set, and whether it is honest.

    Args:
        scores: ``model.evaluate`` results by metric name.
        fingerprint: Fingerprint of the test arrays (as the callback computes it for
            validation data).
        finding: The FD703 finding when the test data is the run's validation data
            (the score is then no honest estimate), else ``None``.
    """

    __test__ = False  # not a pytest test class

    scores: dict[str, float]
    fingerprint: str | None
    finding: Finding | None = None

    @property
    def honest(self) -> bool:
        """False when the test data was used for validation."""
        return self.finding is None


def evaluate(
    model: Any,
    x_test: Any,
    y_test: Any,
    *,
    run: Any = None,
    batch_size: int | None = None,
    settings: Settings | None = None,
    warn: bool = True,
) -> TestEvaluation:
    """Evaluate the final model on the test set, checking it is not the validation set.

    The test arrays are fingerprinted like the callback fingerprints the validation
    data; the fingerprint and the scores are stored in ``run.meta["test_fingerprint"]``
    and ``run.meta["test_scores"]`` (and appended to the run file when ``run`` is a
    ``FitDoctor`` with a path), so ``fitdoctor analyze`` sees them later. When the
    fingerprints match, rule FD703 fires: the test score is no longer an honest
    estimate, because the model was tuned on that data.

    Args:
        model: The trained Keras model.
        x_test: Test inputs.
        y_test: Test targets.
        run: The run that trained ``model``: a ``FitDoctor`` callback (its ``run`` and
            ``path`` are used) or a :class:`~fitdoctor.Run`. Defaults to `None` (no
            comparison is possible).
        batch_size: Batch size for ``model.evaluate``. Defaults to `None` (Keras' 32).
        settings: Rule settings (FD703 can be ignored or re-severitied there).
            Defaults to `None`.
        warn: Emit a ``UserWarning`` with the finding's message when it fires.
            Defaults to `True`.

    Returns:
        The scores, the fingerprint and the finding, if any.

    Example:
    ```python
    doctor = FitDoctor("run.json")
    model.fit(x_train, y_train, validation_data=(x_val, y_val), callbacks=[doctor])
    result = evaluate(model, x_test, y_test, run=doctor)
    result.scores["accuracy"], result.honest
    ```
    """
    from fitdoctor import engine
    from fitdoctor.rules import Settings as _Settings
    from fitdoctor.run import Run as _Run

    scores = {
        str(k): float(v)
        for k, v in model.evaluate(
            x_test, y_test, verbose=0, return_dict=True, batch_size=batch_size
        ).items()
    }
    fp = kf.fingerprint(x_test, y_test)
    target: Run | None = run if isinstance(run, _Run) else getattr(run, "run", None)
    if target is None:
        return TestEvaluation(scores, fp)
    target.meta["test_fingerprint"] = fp
    target.meta["test_scores"] = scores
    record = getattr(run, "record_meta", None)
    if record is not None and not isinstance(run, _Run):
        record(test_fingerprint=fp, test_scores=scores)  # appended to its run file
    every = dataclasses.replace(settings or _Settings(), select=None).rules()  # ignore holds
    rules = [r for r in every if r.detector.name == _TEST_DETECTOR]
    report = engine.analyze(target, rules=rules)
    codes = {r.code for r in rules}
    finding = next((f for f in report.findings if f.code in codes), None)
    if finding is not None and warn:
        warnings.warn(f"fitdoctor {finding.code}: {finding.message}", UserWarning, stacklevel=2)
    return TestEvaluation(scores, fp, finding)
