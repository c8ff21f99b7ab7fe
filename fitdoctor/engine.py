"""Run every rule in force over a run and collect the report.

Measuring (detectors) is apart from judging (rules) and from showing (reporters):
the engine calls each rule's detector, turns its evidence into a finding with the
rule's severity, message and recommendations, records rules that could not run, and
turns a detector that raises into an internal finding instead of a crash.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

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
    Superseded,
    strict_json,
)
from fitdoctor.rules import Rule, Settings
from fitdoctor.run import Run
from fitdoctor.templates import render, render_parts


def analyze(
    run: Run,
    settings: Settings | None = None,
    *,
    rules: list[Rule] | None = None,
    noise: Mapping[str, float] | None = None,
) -> Report:
    """Analyze ``run`` with the rules in force.

    Args:
        run: The run.
        settings: Selection and configuration. Defaults to `None` (all built-in rules).
        rules: Pre-loaded rules (skips loading; for analyzing many runs). Defaults to `None`.
        noise: Known noise per metric (a cross-validation's fold spread), used as the noise
            band instead of what the curve itself shows. Defaults to `None`.

    Returns:
        The report.
    """
    if rules is None:
        rules = (settings or Settings()).rules()
    ctx = Context(run, noise)
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
    fired: dict[str, Rule] = {}
    for rule in rules:
        try:
            evidence = rule.detector.fn(ctx, **rule.values)
        except MissingInput as missing:
            skipped.append(
                Skipped(rule.code, rule.name, missing.reason, missing.hint, missing.needs)
            )
            continue
        except Exception as exc:  # a detector crash must not abort the analysis
            findings.append(_internal(rule, exc))
            continue
        if evidence is None:
            continue
        findings.append(_finding(rule, evidence, context_values))
        fired[rule.code] = rule
    findings, superseded = _apply_precedence(findings, fired)
    findings.sort(key=lambda f: (-f.severity.rank, f.code))
    notes = [str(note) for note in run.meta.get("notes", []) if isinstance(note, str)]
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
        n_rules=len(rules),
        superseded=superseded,
    )


def _apply_precedence(
    findings: list[Finding], fired: Mapping[str, Rule]
) -> tuple[list[Finding], list[Superseded]]:
    """Leave out the findings a kept finding supersedes (``supersedes`` in the rules).

    Precedence is acyclic (checked when rules load), so a finding is kept exactly when
    no kept finding supersedes it; a superseded finding supersedes nothing.
    """
    by: dict[str, list[str]] = {}
    for code, rule in fired.items():
        for target in rule.supersedes:
            if target in fired:
                by.setdefault(target, []).append(code)
    kept: dict[str, bool] = {}

    def keep(code: str) -> bool:
        if code not in kept:
            kept[code] = True  # provisional; precedence is acyclic, so never read back
            kept[code] = not any(keep(other) for other in by.get(code, []))
        return kept[code]

    out: list[Finding] = []
    superseded: list[Superseded] = []
    for finding in findings:
        if finding.code in fired and not keep(finding.code):
            winners = sorted(c for c in by[finding.code] if keep(c))
            superseded.append(Superseded(finding.code, finding.name, winners))
        else:
            out.append(finding)
    return out, superseded


def _finding(rule: Rule, evidence: Evidence, context_values: dict[str, Any]) -> Finding:
    values = {**rule.values, **context_values, **evidence.values}
    values.update(render_parts(rule.parts, values, rule.values))
    message = render(rule.message, values) or rule.summary or rule.name
    recs: list[Recommendation] = []
    for tmpl in rule.recommendations:
        if tmpl.when is not None and not tmpl.when.holds(values, rule.values):
            continue
        text = render(tmpl.text, values)
        if text is None and tmpl.fallback is not None:
            text = render(tmpl.fallback, values)
        if text is not None:
            recs.append(Recommendation(tmpl.action, text))
    severity = rule.severity
    for esc in rule.escalate:  # in declaration order; each match sets the severity
        if esc.when.holds(values, rule.values):
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
        verdict=rule.verdict,
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
    if run.epochs:
        out["last_epoch"] = run.epochs[-1]
    if run.fit is not None and run.fit.epochs:
        out["epochs_planned"] = run.fit.epochs
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
