"""Learning curves through the engine: "would more data help?" answered by rules.

The learning-curve rules (``rules/cross_validation.toml``) measure a
:class:`~fitdoctor.cv.LearningCurveResult` with the detectors of
:mod:`fitdoctor.detectors.learning_curve` and judge it with their thresholds: more data
helps (high variance), won't help (high bias), or the curve cannot tell. Their findings
are the report's; :func:`answer` turns them into the verdict of
:attr:`LearningCurveResult.verdict <fitdoctor.cv.LearningCurveResult.verdict>`.

When the result carries the trained runs, the curve rules also run on the models trained
on the full training pool, averaged over folds (:func:`fitdoctor.cv.analyze_cv`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fitdoctor import engine
from fitdoctor.cv.folds import analyze_cv
from fitdoctor.cv.results import CVResult
from fitdoctor.report import Report, strict_json
from fitdoctor.rules import Settings
from fitdoctor.run import Run

if TYPE_CHECKING:
    from fitdoctor.cv.results import LearningCurveResult
    from fitdoctor.report import Finding, Skipped
    from fitdoctor.rules import Rule

__all__ = [
    "ANSWERS",
    "analyze_learning_curve",
    "answer",
    "full_size_mean",
    "full_size_runs",
    "judge",
    "table_notes",
]

#: The verdict each learning-curve detector answers (rules name their detector).
ANSWERS = {
    "learning-curve-helps": "helps",
    "learning-curve-flat": "won't help",
    "learning-curve-inconclusive": "unclear",
}


def judge(
    lc: LearningCurveResult, settings: Settings | None = None, *, rules: list[Rule] | None = None
) -> tuple[list[Finding], list[Skipped]]:
    """Run the learning-curve rules in force on ``lc``.

    Args:
        lc: The learning curve.
        settings: Rule selection and configuration. Defaults to `None` (all rules).
        rules: Pre-loaded rules. Defaults to `None`.

    Returns:
        The findings (most severe first) and the rules that could not run.
    """
    report = engine.analyze(Run(epochs=[], metrics={}), settings, rules=rules, learning_curve=lc)
    return report.findings, report.skipped


def _verdict(
    findings: list[Finding], skipped: list[Skipped], rules: list[Rule]
) -> tuple[str, str, str | None]:
    """``(verdict, reason, code)`` from the learning-curve rules' findings."""
    detector_of = {rule.code: rule.detector.name for rule in rules}
    for finding in findings:
        verdict = ANSWERS.get(detector_of.get(finding.code, ""))
        if verdict is not None:
            return verdict, finding.message, finding.code
    for s in skipped:
        if detector_of.get(s.code) in ANSWERS:
            return "unclear", s.reason, None
    return "unclear", "no learning-curve rule in force answered", None


def answer(
    lc: LearningCurveResult, settings: Settings | None = None
) -> tuple[str, str]:
    """Would more data help? The learning-curve rules' answer and its reason.

    Args:
        lc: The learning curve.
        settings: Rule selection and configuration. Defaults to `None` (all rules).

    Returns:
        ``(verdict, reason)``: one of :data:`~fitdoctor.cv.VERDICTS` and the message of
        the rule that answered (or why none could).
    """
    rules = (settings or Settings()).rules()
    findings, skipped = judge(lc, settings, rules=rules)
    verdict, reason, _ = _verdict(findings, skipped, rules)
    return verdict, reason


def full_size_runs(lc: LearningCurveResult) -> list[Run]:
    """The runs trained on the largest size (one per fold)."""
    top = lc.sizes[-1].fraction
    return [r for r in lc.runs if r.meta.get("fraction") == top]


def full_size_mean(lc: LearningCurveResult) -> Run | None:
    """The fold mean of the runs trained on the largest size, or ``None`` without runs."""
    full = full_size_runs(lc)
    if not full:
        return None
    return CVResult(full, k=max(lc.k, 2), n_samples=lc.n_samples).mean_run()


def analyze_learning_curve(
    lc: LearningCurveResult, settings: Settings | None = None, *, rules: list[Rule] | None = None
) -> Report:
    """Turn a learning curve into a report: the learning-curve rules, and the curve rules.

    The learning-curve rules judge the curve. The curve rules run on the models trained
    on the full training pool (the largest size), averaged over folds, when the result
    carries runs. Notes give the per-size table; ``run_summary["learning_curve"]`` holds
    it, the fit and the verdict for JSON readers.

    Args:
        lc: The learning curve.
        settings: Rule selection and configuration. Defaults to `None` (all rules).
        rules: Pre-loaded rules. Defaults to `None`.

    Returns:
        The report.
    """
    if rules is None:
        rules = (settings or Settings()).rules()
    full = full_size_runs(lc)
    if full:
        cv = CVResult(full, k=max(lc.k, 2), n_samples=lc.n_samples,
                      name=lc.name or "learning curve")
        report = analyze_cv(cv, settings, rules=rules)
        report.notes = [n for n in report.notes if not n.startswith("final fit")]
        report.notes[0] = (
            f"learning curve ({len(lc.sizes)} sizes × {lc.k} folds); the curve rules judged "
            "the models trained on the full training pool, averaged over folds."
        )
        report.run_summary.pop("cross_validation", None)
    else:
        report = Report(source=lc.name or "learning curve")
    findings, skipped = judge(lc, settings, rules=rules)
    by_code = {rule.code: rule for rule in rules}
    report.findings = sorted([*findings, *report.findings],
                             key=lambda f: engine.report_order(f, by_code))
    report.skipped = [*skipped, *report.skipped]
    report.notes[0:0] = table_notes(lc)
    verdict, reason, code = _verdict(findings, skipped, rules)
    law = lc.power_law
    ex = lc.extrapolation
    report.run_summary["learning_curve"] = strict_json({
        "verdict": verdict,
        "reason": reason,
        "answered_by": code,
        "score": lc.score,
        "sizes": lc.table(),
        "power_law": None if law is None else {"a": law.a, "b": law.b, "c": law.c,
                                               "method": law.method},
        "extrapolation": None if ex is None else dict(ex.__dict__),
    })
    return report


def table_notes(lc: LearningCurveResult) -> list[str]:
    """The per-size table as one sentence per size (for report notes)."""
    what = "error" if lc.score == "error" else "loss"
    out = []
    for row in lc.table():
        fitted = f" (fit {row['fitted']:.3f})" if row["fitted"] is not None else ""
        out.append(
            f"learning curve at {row['fraction']:.0%} of the data ({row['n_train']:,} "
            f"samples): training {what} {row['train']:.3f} ± {row['train_std']:.3f}, "
            f"validation {what} {row['val']:.3f} ± {row['val_std']:.3f}{fitted}"
        )
    ex = lc.extrapolation
    if ex is not None:
        sd = f" ± {ex.predicted_std:.3f}" if ex.predicted_std is not None else ""
        out.append(
            f"learning curve extrapolated to 2× the data ({ex.n_target:,.0f} samples): "
            f"validation {what} {ex.predicted:.3f}{sd}"
        )
    return out
