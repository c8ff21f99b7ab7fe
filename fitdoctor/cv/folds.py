"""Fold analysis: the rules on a cross-validation's fold mean, and how many folds agree.

:func:`analyze_cv` runs the rules on the fold-mean run, with the folds' spread as the
noise band of its curves (:func:`fold_noise`), and on every fold. Each finding of the
fold mean carries :class:`~fitdoctor.report.FoldAgreement` (``folds``: in how many folds
the same rule fired), except for rules declared ``folds = "pooled"`` in their TOML,
which judge the cross-validation as a whole. Rules that fire on some folds but not on
the mean are listed (``run_summary["cross_validation"]["only_in_folds"]`` and a note).
The final fit (:mod:`fitdoctor.cv.advice`) follows the report's findings.
"""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING, Any

from fitdoctor import engine
from fitdoctor.cv.advice import final_fit
from fitdoctor.report import FoldAgreement, strict_json
from fitdoctor.rules import Settings

if TYPE_CHECKING:
    from fitdoctor.cv.results import Aggregate, CVResult
    from fitdoctor.report import Report
    from fitdoctor.rules import Rule

__all__ = ["analyze_cv", "fold_noise"]


def fold_noise(cv: CVResult, *, aggregate: Aggregate | None = None) -> dict[str, float]:
    """Noise band per metric of the fold-mean curve: how much the folds' steps disagree.

    The fold-mean curve is smooth by construction; what its changes must be judged
    against is how differently the folds move from one epoch to the next. Per metric:
    at each epoch, the standard error of the mean of the folds' own epoch-to-epoch
    changes (their standard deviation over √folds: the mean curve's step is their
    mean), and the median of that over the epochs. The spread of the
    folds' *levels* is not used: folds that start at different losses and all fall the
    same way are in agreement, not noisy.

    Args:
        cv: The cross-validation.
        aggregate: ``cv.aggregate``, when already computed (its metric names are used).
            Defaults to `None`.
    """
    out: dict[str, float] = {}
    agg = aggregate if aggregate is not None else cv.aggregate
    for key in agg.std:
        curves = [run.metrics.get(key) or [] for run in cv.runs]
        spreads: list[float] = []
        for i in range(1, max((len(c) for c in curves), default=0)):
            steps = []
            for c in curves:
                if len(c) > i:
                    a, b = c[i - 1], c[i]
                    if a is not None and b is not None and math.isfinite(a) and math.isfinite(b):
                        steps.append(b - a)
            if len(steps) >= 2:
                spreads.append(statistics.stdev(steps) / math.sqrt(len(steps)))
        if spreads:
            out[key] = float(statistics.median(spreads))
    return out


def analyze_cv(
    cv: CVResult, settings: Settings | None = None, *, rules: list[Rule] | None = None
) -> Report:
    """Diagnose a cross-validation: the rules on the fold mean, with fold agreement.

    Every rule runs on the fold-mean run and on each fold. A finding of the fold mean
    carries ``folds`` (fired in how many of the folds), unless its rule judges the
    cross-validation as a whole (``folds = "pooled"``). Rules that fire in some folds
    but not on the mean are listed; the notes give the fold spread of the validation
    metrics at the folds' best epochs and the final fit, which follows the findings.
    ``run_summary["cross_validation"]`` holds the same numbers for JSON readers.

    Args:
        cv: The cross-validation result.
        settings: Rule selection and configuration. Defaults to `None` (all rules).
        rules: Pre-loaded rules (as the CLI has them). Defaults to `None`.

    Returns:
        The report of the fold mean.
    """
    if rules is None:
        rules = (settings or Settings()).rules()
    agg = cv.aggregate
    best = cv.best_epochs()
    mean = cv.mean_run(aggregate=agg)
    report = engine.analyze(mean, settings, rules=rules, noise=fold_noise(cv, aggregate=agg))
    n = len(cv.runs)
    fold_findings = [engine.analyze(run, settings, rules=rules).findings for run in cv.runs]
    fired = [{f.code for f in findings} for findings in fold_findings]
    pooled = {rule.code for rule in rules if rule.folds == "pooled"}
    counted = {rule.code for rule in rules} - pooled  # an internal error is no rule's
    for finding in report.findings:
        if finding.code in counted:
            finding.folds = FoldAgreement(sum(finding.code in codes for codes in fired), n)
    only = _only_in_folds(report, fold_findings, pooled)
    fit = final_fit(cv, report, best_epochs=best)
    scores = {key: s for key in _val_keys(cv)
              if (s := cv.score(key, best_epochs=best)) is not None}
    notes = [_headline(cv), *_spread_notes(scores, n)]
    for item in only:
        notes.append(
            f"{item['code']} {item['name']} fired in {item['fired']} of {n} folds but not on "
            "the fold mean: a fold's finding, not the model's"
        )
    if fit.note is not None:
        notes.append(fit.note)
    report.notes = notes + [note for note in report.notes if note not in notes]
    report.source = cv.name or report.source
    report.run_summary["cross_validation"] = strict_json({
        "k": cv.k,
        "repeats": cv.repeats,
        "models": n,
        "n_samples": cv.n_samples,
        "stratified": cv.stratified,
        "best_epochs": best,
        "final_epochs": fit.epochs,
        "final_fit": fit.text,
        "final_fit_ready": fit.ready,
        "final_fit_waits_for": list(fit.waits_for),
        "only_in_folds": only,
        "scores": {key: {"mean": s[0], "std": s[1], "folds": s[2]} for key, s in scores.items()},
    })
    return report


def _only_in_folds(
    report: Report, fold_findings: list[list[Any]], pooled: set[str]
) -> list[dict[str, Any]]:
    """Rules that fired on some folds but not on the fold mean, by code."""
    on_mean = {f.code for f in report.findings}
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for findings in fold_findings:
        for code in {f.code for f in findings} - on_mean - pooled:
            counts[code] = counts.get(code, 0) + 1
        for f in findings:
            names.setdefault(f.code, f.name)
    n = len(fold_findings)
    return [
        {"code": code, "name": names[code], "fired": counts[code], "of": n}
        for code in sorted(counts)
    ]


def _val_keys(cv: CVResult) -> list[str]:
    keys: list[str] = []
    for run in cv.runs:
        keys += [k for k in run.metrics if k.startswith("val_") and k not in keys]
    return keys


def _headline(cv: CVResult) -> str:
    scheme = (
        f"iterated {cv.k}-fold cross-validation ({cv.repeats} repetitions, {len(cv.runs)} models)"
        if cv.repeats > 1
        else f"{cv.k}-fold cross-validation ({len(cv.runs)} models)"
    )
    extras = []
    if cv.stratified:
        extras.append("stratified")
    if cv.shuffle:
        extras.append("shuffled")
    if cv.n_samples:
        extras.append(f"{cv.n_samples:,} samples")
    tail = f", {', '.join(extras)}" if extras else ""
    return f"{scheme}{tail}; the curves are the fold mean."


def _spread_notes(scores: dict[str, tuple[float, float, int]], n: int) -> list[str]:
    parts = [f"{key} {s[0]:.4f} ± {s[1]:.4f}" for key, s in scores.items()]
    if not parts:
        return []
    return [f"fold spread at each fold's best epoch (mean ± std over {n} models): "
            + ", ".join(parts)]
