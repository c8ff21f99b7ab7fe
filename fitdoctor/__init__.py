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
    "load",
]


def load(source: Any) -> Run:
    """Turn a path, keras ``History``, ``dict`` or pandas ``DataFrame`` into a :class:`Run`.

    Args:
        source: A file path (run JSON, Keras History JSON or CSV) or an in-process object.

    Returns:
        The run.

    Raises:
        InputError: The source cannot be used.
    """
    from fitdoctor import io

    return io.from_any(source)


def analyze(
    source: Any,
    settings: Settings | None = None,
    *,
    task: str | None = None,
    n_classes: int | None = None,
    class_counts: list[int] | None = None,
) -> Report:
    """Diagnose a training run.

    Args:
        source: A :class:`Run`, a path (a run, history, CSV, or a cross-validation or
            learning-curve file), keras ``History``, ``dict`` or ``DataFrame``, or a
            cross-validation or learning-curve result
            (:class:`fitdoctor.cv.CVResult`, :class:`fitdoctor.cv.LearningCurveResult`).
        settings: Rule selection and configuration. Defaults to `None` (all rules).
        task: Task type a bare history lacks (``binary``, ``multiclass``, ...). Defaults to `None`.
        n_classes: Number of classes a bare history lacks. Defaults to `None`.
        class_counts: Training samples per class, in class-id order, for the
            class-imbalance rules on a bare history. Defaults to `None`.
            (``task``, ``n_classes`` and ``class_counts`` describe one run: they cannot
            be given with a cross-validation or learning-curve result.)

    Returns:
        The report.
    """
    from fitdoctor import engine, io

    document = isinstance(source, (str, os.PathLike)) and io.is_document_file(source)
    if document or type(source).__module__.startswith("fitdoctor.cv."):
        if task is not None or n_classes is not None or class_counts is not None:
            raise InputError(
                "task, n_classes and class_counts describe a single run: a cross-validation "
                "or learning curve takes its facts from the runs it holds"
            )
        from fitdoctor import cv

        if document:
            return cv.analyze_file(source, settings)[0]
        return cv.analyze_result(source, settings)[0]
    run = source if isinstance(source, Run) else load(source)
    run.with_facts(task=task, n_classes=n_classes)
    if class_counts is not None:
        from fitdoctor.detectors.imbalance import with_class_counts

        with_class_counts(run, class_counts)
    return engine.analyze(run, settings)


def __getattr__(name: str) -> Any:
    if name == "FitDoctor":
        from fitdoctor.callback import FitDoctor

        return FitDoctor
    raise AttributeError(f"module 'fitdoctor' has no attribute {name!r}")
