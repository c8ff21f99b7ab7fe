"""Cross-validation and learning-curve results: data, files and analysis (no keras).

:func:`fitdoctor.validation.cross_validate` and :func:`fitdoctor.validation.learning_curve`
train the models; this package holds what they return and everything that can be done
with it afterwards without a backend, one job per module:

* :mod:`~fitdoctor.cv.results` -- :class:`CVResult` and :class:`LearningCurveResult`
  and their JSON documents (``fitdoctor.cv/1``, ``fitdoctor.learning-curve/1``);
* :mod:`~fitdoctor.cv.documents` -- reading the documents back with every field
  checked, within size and depth caps;
* :mod:`~fitdoctor.cv.power_law` -- what a learning curve measures: the power law
  through the validation scores and its extrapolation to twice the data;
* :mod:`~fitdoctor.cv.folds` -- :func:`analyze_cv`: the rules on the fold mean, with in
  how many folds each finding's rule fired too;
* :mod:`~fitdoctor.cv.learning` -- :func:`analyze_learning_curve`: "would more data
  help?" answered by the learning-curve rules (``rules/cross_validation.toml``);
* :mod:`~fitdoctor.cv.advice` -- the final fit on all the data, agreeing with the
  report's findings.

:func:`analyze_result` analyzes either kind of result, :func:`analyze_file` either kind
of file (what ``fitdoctor analyze cv.json`` calls); ``fitdoctor.analyze`` accepts both.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from fitdoctor.cv.advice import FinalFit, final_fit
from fitdoctor.cv.documents import (
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    MAX_MODELS,
    MAX_SAMPLES,
    document_schema,
    is_cv_document,
    is_learning_curve_document,
    load_cv,
    load_document,
    load_learning_curve,
    parse_document,
)
from fitdoctor.cv.folds import analyze_cv, fold_noise
from fitdoctor.cv.learning import analyze_learning_curve
from fitdoctor.cv.power_law import Extrapolation, PowerLaw
from fitdoctor.cv.results import (
    CV_SCHEMA,
    LEARNING_CURVE_SCHEMA,
    VERDICTS,
    Aggregate,
    CVResult,
    LearningCurveResult,
    SizeScores,
    aggregate,
)
from fitdoctor.readers import is_document_file

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.rules import Rule, Settings
    from fitdoctor.run import Run

__all__ = [
    "CV_SCHEMA",
    "LEARNING_CURVE_SCHEMA",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_MODELS",
    "MAX_SAMPLES",
    "VERDICTS",
    "Aggregate",
    "CVResult",
    "Extrapolation",
    "FinalFit",
    "LearningCurveResult",
    "PowerLaw",
    "SizeScores",
    "aggregate",
    "analyze_cv",
    "analyze_file",
    "analyze_learning_curve",
    "analyze_result",
    "document_schema",
    "final_fit",
    "fold_noise",
    "is_cv_document",
    "is_document_file",
    "is_learning_curve_document",
    "load_cv",
    "load_document",
    "load_learning_curve",
    "parse_document",
]


def analyze_result(
    result: CVResult | LearningCurveResult,
    settings: Settings | None = None,
    *,
    rules: list[Rule] | None = None,
) -> tuple[Report, Run | None]:
    """Analyze a cross-validation or learning-curve result.

    Args:
        result: The result.
        settings: Rule selection and configuration. Defaults to `None` (all rules).
        rules: Pre-loaded rules. Defaults to `None`.

    Returns:
        The report and the run it describes (the fold mean; for a learning curve, the
        fold mean at the largest size, or ``None`` when it has no runs), for the
        reporters' loss sparkline.
    """
    if isinstance(result, CVResult):
        report = analyze_cv(result, settings, rules=rules)
    else:
        report = analyze_learning_curve(result, settings, rules=rules)
    return report, report.run


def analyze_file(
    path: str | os.PathLike[str],
    settings: Settings | None = None,
    *,
    rules: list[Rule] | None = None,
) -> tuple[Report, Run | None]:
    """Analyze a cross-validation or learning-curve file (what ``fitdoctor analyze`` calls).

    Args:
        path: The file.
        settings: Rule selection and configuration. Defaults to `None`.
        rules: Pre-loaded rules. Defaults to `None`.

    Returns:
        As :func:`analyze_result`.

    Raises:
        InputError: The file cannot be used (one line naming it and the problem).
    """
    return analyze_result(load_document(path), settings, rules=rules)
