"""fitdoctor: a linter and advisor for neural-network training.

Analyze a history you already have::

    import fitdoctor
    report = fitdoctor.analyze(history)        # keras History, dict, DataFrame or path
    print(report.verdict)

or watch a training::

    from fitdoctor import FitDoctor
    model.fit(x, y, validation_split=0.2, callbacks=[FitDoctor()])

``import fitdoctor`` never imports keras: :class:`FitDoctor` is loaded on first use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fitdoctor.errors import ConfigError, FitDoctorError, InputError
from fitdoctor.report import Finding, Recommendation, Report, Severity
from fitdoctor.rules import Settings
from fitdoctor.run import Run

if TYPE_CHECKING:
    from fitdoctor.callback import FitDoctor

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Finding",
    "FitDoctor",
    "FitDoctorError",
    "InputError",
    "Recommendation",
    "Report",
    "Run",
    "Settings",
    "Severity",
    "__version__",
    "analyze",
    "analyze_all",
    "load",
    "load_runs",
]


def load(source: Any, *, metric_map: Mapping[str, str] | None = None) -> Run:
    """Turn a path, keras ``History``, ``dict`` or pandas ``DataFrame`` into a :class:`Run`.

    Args:
        source: A file path (run JSON, Keras History JSON, CSV, console log, TensorBoard
            folder...) or an in-process object.
        metric_map: Logged metric name → Keras name (``{"dev_loss": "val_loss"}``), read
            before the automatic mapping. Defaults to `None`.

    Returns:
        The run.

    Raises:
        InputError: The source cannot be used, or holds several runs (then use
            :func:`load_runs`).
    """
    from fitdoctor import readers

    return readers.from_any(source, metric_map=metric_map)


def load_runs(source: Any, *, metric_map: Mapping[str, str] | None = None) -> list[Run]:
    """Every run a source holds.

    A CSVLogger file appended by several ``fit`` calls, a console log, a TensorBoard
    folder of runs, a JSON file of several histories: one run each.

    Args:
        source: A path or an in-process object (see :func:`load`).
        metric_map: Logged metric name → Keras name. Defaults to `None`.

    Returns:
        The runs, in source order, named "run 2 of 3 in FILE" when there are several.

    Raises:
        InputError: The source cannot be used.
    """
    from fitdoctor import readers

    return readers.runs_from_any(source, metric_map=metric_map)


def analyze(
    source: Any,
    settings: Settings | None = None,
    *,
    task: str | None = None,
    n_classes: int | None = None,
    class_counts: list[int] | None = None,
    metric_map: Mapping[str, str] | None = None,
) -> Report:
    """Diagnose a training run.

    Args:
        source: A :class:`Run`, a path (a run, history, CSV, console log, TensorBoard
            folder, or a cross-validation or learning-curve file), keras ``History``,
            ``dict`` or ``DataFrame``, or a cross-validation or learning-curve result
            (:class:`fitdoctor.cv.CVResult`, :class:`fitdoctor.cv.LearningCurveResult`).
        settings: Rule selection and configuration. Defaults to `None` (all rules).
        task: Task type a bare history lacks (``binary``, ``multiclass``, ...). Defaults to `None`.
        n_classes: Number of classes a bare history lacks. Defaults to `None`.
        class_counts: Training samples per class, in class-id order, for the
            class-imbalance rules on a bare history. Defaults to `None`.
            (``task``, ``n_classes`` and ``class_counts`` describe one run: they cannot
            be given with a cross-validation or learning-curve result.)
        metric_map: Logged metric name → Keras name; adds to the settings'
            ``[tool.fitdoctor.metrics]``. Defaults to `None`.

    Returns:
        The report.

    Raises:
        InputError: The source cannot be used, or holds several runs (then use
            :func:`analyze_all`).
    """
    reports = analyze_all(
        source, settings, task=task, n_classes=n_classes, class_counts=class_counts,
        metric_map=metric_map,
    )
    if len(reports) > 1:
        raise InputError(
            f"{_display(source)} holds {len(reports)} runs; use fitdoctor.analyze_all() "
            "for one report per run"
        )
    return reports[0]


def analyze_all(
    source: Any,
    settings: Settings | None = None,
    *,
    task: str | None = None,
    n_classes: int | None = None,
    class_counts: list[int] | None = None,
    metric_map: Mapping[str, str] | None = None,
) -> list[Report]:
    """Diagnose every run a source holds: one report per run, in source order.

    Args:
        source: As for :func:`analyze` (a cross-validation or learning-curve result
            gives its one report).
        settings: Rule selection and configuration. Defaults to `None` (all rules).
        task: Task type a bare history lacks. Defaults to `None`.
        n_classes: Number of classes a bare history lacks. Defaults to `None`.
        class_counts: Training samples per class, in class-id order. Defaults to `None`.
        metric_map: Logged metric name → Keras name. Defaults to `None`.

    Returns:
        The reports.
    """
    from fitdoctor import engine, readers

    document = isinstance(source, (str, os.PathLike)) and readers.is_document_file(source)
    if document or type(source).__module__.startswith("fitdoctor.cv."):
        if task is not None or n_classes is not None or class_counts is not None:
            raise InputError(
                "task, n_classes and class_counts describe a single run: a cross-validation "
                "or learning curve takes its facts from the runs it holds"
            )
        from fitdoctor import cv

        if document:
            return [cv.analyze_file(source, settings)[0]]
        return [cv.analyze_result(source, settings)[0]]
    names = {**(settings.metric_map if settings else {}), **(metric_map or {})}
    runs = [source] if isinstance(source, Run) else load_runs(source, metric_map=names)
    rules = (settings or Settings()).rules()
    reports = []
    for run in runs:
        run.with_facts(task=task, n_classes=n_classes)
        if class_counts is not None:
            from fitdoctor.detectors.imbalance import with_class_counts

            with_class_counts(run, class_counts)
        reports.append(engine.analyze(run, settings, rules=rules))
    return reports


def _display(source: Any) -> str:
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else type(source).__name__


def __getattr__(name: str) -> Any:
    if name == "FitDoctor":
        from fitdoctor.callback import FitDoctor

        return FitDoctor
    raise AttributeError(f"module 'fitdoctor' has no attribute {name!r}")
