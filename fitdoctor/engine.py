"""Run every rule in force over a run and collect the report.

Measuring (detectors) is apart from judging (rules) and from showing (reporters):
the engine calls each rule's detector, turns its evidence into a finding with the
rule's severity, message and recommendations, records rules that could not run, and
turns a detector that raises into an internal finding instead of a crash.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from fitdoctor import curves
from fitdoctor.detectors.base import Context, Evidence
from fitdoctor.errors import MissingInput
from fitdoctor.report import (
    BestEpoch,
    Finding,
    Recommendation,
    Report,
    Severity,
    Skipped,
    strict_json,
)
from fitdoctor.rules import Rule, Settings, render
from fitdoctor.run import Run

if TYPE_CHECKING:
    from fitdoctor.cv.results import LearningCurveResult

#: Fewer epochs than this and the curve rules have nothing to judge.
MIN_EPOCHS_TO_JUDGE = 3


def analyze(
    run: Run,
    settings: Settings | None = None,
    *,
    rules: list[Rule] | None = None,
    noise: Mapping[str, float] | None = None,
    learning_curve: LearningCurveResult | None = None,
) -> Report:
    """Analyze ``run`` with the rules in force.

    Only the rules whose detector measures the input run: a run's rules, or with
    ``learning_curve`` the learning-curve rules alone.

    Args:
        run: The run.
        settings: Selection and configuration. Defaults to `None` (all built-in rules).
        rules: Pre-loaded rules (skips loading; for analyzing many runs). Defaults to `None`.
        noise: Known noise per metric (a cross-validation's fold spread), used as the noise
            band instead of what the curve itself shows. Defaults to `None`.
        learning_curve: Judge this learning curve instead (``run`` is then the fold mean
            of its largest size, or an empty run: it only fills the report's facts).
            Defaults to `None`.

    Returns:
        The report.
    """
    if rules is None:
        rules = (settings or Settings()).rules()
    ctx = Context(run, noise, learning_curve=learning_curve)
    rules = [rule for rule in rules if rule.detector.input == ctx.input]
    best = best_epoch(run)
    context_values: dict[str, Any] = {
        "n_epochs": run.n_epochs,
        "last_epoch": run.epochs[-1] if run.epochs else None,
        "best_epoch": best.epoch if best else None,
        "best_value": best.value if best else None,
        "best_monitor": best.monitor if best else None,
        "patience": best.patience if best else None,
    }
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    for rule in rules:
        try:
            evidence = rule.detector.fn(ctx, **rule.values)
        except MissingInput as missing:
            skipped.append(Skipped(rule.code, rule.name, missing.reason, missing.hint))
            continue
        except Exception as exc:  # a detector crash must not abort the analysis
            findings.append(_internal(rule, exc))
            continue
        if evidence is None:
            continue
        findings.append(_finding(rule, evidence, context_values))
    findings.sort(key=lambda f: (-f.severity.rank, f.code))
    notes = [str(note) for note in run.meta.get("notes", []) if isinstance(note, str)]
    if run.n_epochs < MIN_EPOCHS_TO_JUDGE:
        notes.append(
            f"The run has {run.n_epochs} epoch{'s' if run.n_epochs != 1 else ''}: too short to "
            f"judge its curves (at least {MIN_EPOCHS_TO_JUDGE} are needed)."
        )
    return Report(
        source=run.name or run.source,
        findings=findings,
        best_epoch=best,
        skipped=skipped,
        n_epochs=run.n_epochs,
        metrics=list(run.metrics),
        notes=notes,
        run_summary=summarize(run),
        run=run,
    )


def _finding(rule: Rule, evidence: Evidence, context_values: dict[str, Any]) -> Finding:
    values = {**rule.values, **context_values, **evidence.values}
    message = render(rule.message, values) or rule.summary or rule.name
    recs: list[Recommendation] = []
    for tmpl in rule.recommendations:
        text = render(tmpl.text, values)
        if text is None and tmpl.fallback is not None:
            text = render(tmpl.fallback, values)
        if text is not None:
            recs.append(Recommendation(tmpl.action, text))
    severity = rule.severity
    for esc in rule.escalate:  # in declaration order; each match sets the severity
        threshold = rule.values[esc.at_least] if isinstance(esc.at_least, str) else esc.at_least
        measured = evidence.values.get(esc.key)
        if isinstance(measured, (int, float)) and measured >= threshold:
            severity = esc.severity
    return Finding(
        code=rule.code,
        name=rule.name,
        diagnosis=rule.diagnosis,
        severity=severity,
        message=message,
        epoch=evidence.epoch,
        evidence=strict_json(
            {k: v for k, v in evidence.values.items() if v is not None and not k.startswith("_")}
        ),
        recommendations=recs,
    )


def _internal(rule: Rule, exc: Exception) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return Finding(
        code="FD000",
        name="internal-error",
        diagnosis="internal-error",
        severity=Severity.WARNING,
        message=f"rule {rule.code} ({rule.name}) crashed: {type(exc).__name__}: {exc}{where}",
        evidence={"rule": rule.code, "error": f"{type(exc).__name__}: {exc}"},
        recommendations=[
            Recommendation(
                "report-bug",
                f"Report this to fitdoctor with the run file; meanwhile --ignore {rule.code}",
            )
        ],
    )


def best_epoch(run: Run) -> BestEpoch | None:
    """The epoch to keep, judged on validation data only.

    The monitor is ``val_loss`` (minimised) when logged, else an accuracy-like
    validation metric (maximised). The suggested ``EarlyStopping`` patience is the
    longest wait for a new best seen before the best epoch, plus one, between 2 and 10:
    with it, early stopping would still have reached the best epoch.
    """
    monitor, mode = None, "min"
    if run.has("val_loss"):
        monitor = "val_loss"
    else:
        for key in run.metrics:
            if key.startswith("val_") and ("acc" in key or key.endswith("auc")) and run.has(key):
                monitor, mode = key, "max"
                break
    if monitor is None:
        return None
    values = np.asarray(run.series(monitor), dtype=float)
    index = curves.best_index(values, mode=mode)
    if index is None:
        return None
    wait = curves.longest_wait(values[: index + 1], mode=mode)
    return BestEpoch(
        epoch=run.epochs[index],
        monitor=monitor,
        value=float(values[index]),
        last_epoch=run.epochs[-1],
        patience=int(min(10, max(2, wait + 1))),
        stopped_early=run.status == "stopped-early",
    )


def summarize(run: Run) -> dict[str, Any]:
    """Short facts about the run, for reporters."""
    out: dict[str, Any] = {"source": run.source, "status": run.status, "epochs": run.n_epochs}
    if run.model is not None:
        dense = [
            f"{layer.class_name}({layer.units}, {layer.activation})"
            for layer in run.model.layers
            if layer.units is not None
        ]
        out["model"] = " → ".join(dense) if dense else run.model.class_name
        out["params"] = run.model.params
    if run.compile is not None:
        out["loss"] = run.compile.loss
        out["optimizer"] = run.compile.optimizer
        out["learning_rate"] = run.compile.learning_rate
    if run.data is not None:
        out["task"] = run.data.task
        out["n_train"] = run.data.n_train
        out["n_val"] = run.data.n_val
    return {k: v for k, v in strict_json(out).items() if v is not None}
