"""Run every rule in force over a run and collect the report.

Measuring (detectors) is apart from judging (rules) and from showing (reporters):
the engine calls each rule's detector, turns its evidence into a finding with the
rule's severity, message and recommendations, records rules that could not run, and
turns a detector that raises into an internal finding instead of a crash.

**Multi-output models.** A run that logs a total ``loss`` and two or more per-output
losses (``out1_loss``, ``out2_loss``, Keras's names for a model with outputs ``out1``
and ``out2``) is judged on the total, and then each output is judged by the curve
rules (diagnoses :data:`CURVE_DIAGNOSES`) on a view of the run in which that output's
curves carry the plain names (``out1_loss`` → ``loss``, ``val_out1_loss`` →
``val_loss``, ``out1_accuracy`` → ``accuracy``): the detectors need not know about
outputs. Those findings carry ``output="out1"``, their messages start with
``output out1:`` and name the output's own curves.
"""

from __future__ import annotations

import math
import re
import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from fitdoctor import curves, error_view
from fitdoctor.detectors.base import Context, Evidence
from fitdoctor.errors import MissingInput
from fitdoctor.report import (
    INTERNAL_ERROR_CODE,
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
from fitdoctor.run import EVAL_STEPS, NOT_KERAS, Run
from fitdoctor.templates import render, render_parts
from fitdoctor.vocabulary import FOREIGN_FRAMEWORKS, LEARNING_RATE_KEYS, is_score_monitor

if TYPE_CHECKING:
    from fitdoctor.cv.results import LearningCurveResult

#: Diagnoses of the rules that judge each output of a multi-output model.
CURVE_DIAGNOSES = frozenset(
    {"overfitting", "underfitting", "not-converged", "diverged", "unstable"}
)
#: Most outputs judged one by one (a model with more is judged on its total loss).
MAX_OUTPUTS = 8


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
    # --framework; else the run's own; else the configuration's ([tool.fitdoctor] framework)
    framework = run.framework
    if settings is not None:
        framework = settings.framework_override or framework or settings.framework
    context_values: dict[str, Any] = {
        "framework": framework,
        # the validation loss as the run logged it, for code that names it (Lightning's monitor)
        "val_loss_name": run.metric_names.get("val_loss", "val_loss"),
        # a Trainer that evaluated every N steps: its rows are evaluations (its code keeps them)
        "eval_steps": run.meta.get(EVAL_STEPS),
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
    # accuracies and no loss: the rules that can judge the error rate in its place judge
    # it there alone (error_view), the others the run as it is
    view = error_view.error_view(run) if learning_curve is None else None
    judged = [r for r in rules if r.error_rate] if view is not None else []
    for rule in rules:
        if judged and rule.error_rate:
            continue
        try:
            evidence = rule.detector.fn(ctx, **rule.values)
        except MissingInput as missing:
            hint = missing.hint
            if framework in FOREIGN_FRAMEWORKS:
                hint = foreign_hint(hint, framework)
            skipped.append(Skipped(rule.code, rule.name, missing.reason, hint, missing.needs))
            continue
        except Exception as exc:  # a detector crash must not abort the analysis
            findings.append(_internal(rule, exc))
            continue
        if evidence is None:
            continue
        findings.append(_finding(rule, evidence, context_values))
        fired[rule.code] = rule
    notes = [str(note) for note in run.meta.get("notes", []) if isinstance(note, str)]
    if view is not None and judged:
        sub = analyze(view, settings, rules=judged, noise=noise)
        codes = {r.code for r in judged}
        skipped += [error_view.rename_skipped(s, view) for s in sub.skipped]
        findings.extend(error_view.rename_finding(f, view) for f in sub.findings)
        fired.update({r.code: r for r in judged if any(f.code == r.code for f in sub.findings)})
        # named by the rules that judged it (one that skipped on the view did not)
        if judging := sorted(codes - {s.code for s in sub.skipped}):
            notes.append(error_view.note(view, judging))
    curve_rules = [r for r in rules if r.diagnosis in CURVE_DIAGNOSES]
    by_code = {r.code: r for r in rules}
    for output in outputs(run) if curve_rules else []:
        view = output_view(run, output)
        sub = analyze(view, settings, rules=curve_rules, noise=noise)
        findings.extend(_tag(f, output, view) for f in sub.findings)
        fired.update({f.code: by_code[f.code] for f in sub.findings if f.code in by_code})
    # a finding that makes another moot leaves it out, on the run and on every output
    findings, superseded = _apply_precedence(findings, fired)
    findings.sort(key=lambda f: report_order(f, fired))
    _recommend_once(findings)
    # the training curve the rules judged (Context.loss_key, computed once per analysis)
    if learning_curve is None and run.has("loss") and ctx.loss_key != "loss":
        notes.append(_mirror_note(run, ctx.loss_key))
    if not framework and (worded := _worded_actions(findings, fired)):
        notes.append(_framework_note(run, worded))
    return Report(
        source=run.name or run.source,
        findings=findings,
        best_epoch=best,
        skipped=skipped,
        n_epochs=run.n_epochs,
        metrics=list(run.metrics),
        notes=notes,
        run_summary=summarize(run, framework),
        run=run,
        n_rules=len(rules),
        superseded=superseded,
    )


def report_order(finding: Finding, rules: Mapping[str, Rule]) -> tuple[int, bool, str, str]:
    """``finding``'s place in a report: by severity, then a leading rule's first, then code.

    Args:
        finding: A finding.
        rules: The rules that fired, by code (a rule that ``leads`` comes first among
            findings of its severity).

    Returns:
        The sort key.
    """
    rule = rules.get(finding.code)
    return (-finding.severity.rank, not (rule is not None and rule.leads), finding.code,
            finding.output or "")


def _worded_actions(findings: list[Finding], fired: Mapping[str, Rule]) -> list[str]:
    """The actions advised whose code is worded per framework (Keras's code by default)."""
    worded = {
        (code, tmpl.action) for code, rule in fired.items()
        for tmpl in rule.recommendations if tmpl.frameworks
    }
    actions = [rec.action for f in findings for rec in f.recommendations
               if (f.code, rec.action) in worded]
    return list(dict.fromkeys(actions))


def _framework_note(run: Run, actions: list[str]) -> str:
    """The report's note that the advice's code is Keras's, for a run of unknown framework.

    It names the actions whose code that is, and the logged names that show the run is
    not Keras's when some do (``train_loss``: Keras never logs a ``train_`` prefix).
    """
    foreign = run.meta.get(NOT_KERAS)
    shown = ", ".join(actions[:4]) + (", ..." if len(actions) > 4 else "")
    how = ("--framework transformers|lightning|pytorch (or [tool.fitdoctor] framework) "
           "gives it in yours")
    if isinstance(foreign, list) and foreign:
        names = ", ".join(f"`{name}`" for name in foreign[:3])
        return (f"{names} {'is not a name' if len(foreign) == 1 else 'are not names'} Keras "
                f"logs, so this run was not trained by Keras's fit, and the file does not say "
                f"what trained it: the code in the advice ({shown}) is Keras's; {how}")
    return (f"the file does not say which framework trained this run: the code in the advice "
            f"({shown}) is Keras's; {how}")


def _mirror_note(run: Run, key: str) -> str:
    """The report's note that the rules judged ``key``, not the logged training loss.

    Its reason: the run's ``class_weight`` when it records one (Keras weights ``loss`` by
    it, but neither the compiled metrics nor the validation loss), else a term in the
    training loss only (a penalty added by a custom ``train_step``).
    """
    last = {k: next((v for v in reversed(run.series(k)) if math.isfinite(v)), math.nan)
            for k in ("loss", key, "val_loss")}
    weights = run.meta.get("class_weight")
    why = ("fit's class_weight weights the training loss, not the metric nor the validation "
           "loss" if isinstance(weights, Mapping) and weights else
           "the logged training loss holds a term the validation loss lacks")
    return (f"val_loss is logged identical to val_{key}, but the training 'loss' is not "
            f"{key!r} (last epoch: loss {last['loss']:.4g}, {key} {last[key]:.4g}, val_loss "
            f"{last['val_loss']:.4g}): {why}, so the training curve judged is {key!r}")


_OTHER_WAY = re.compile(r"[,;]?\s+or\s+((?:pass|give)\b.*)$")


#: How a run of each framework logs an accuracy, for hints that say Keras's way.
_LOG_ACCURACY = {
    "transformers": "return an accuracy from the Trainer's compute_metrics "
                    "(it is logged as eval_accuracy)",
    "lightning": "log an accuracy each epoch: self.log(\"train_acc\", ...) in training_step "
                 "and self.log(\"val_acc\", ...) in validation_step",
    "pytorch": "log an accuracy each epoch beside the losses (train_acc, val_acc)",
}


def foreign_hint(hint: str, framework: str) -> str:
    """A skipped rule's hint for a run Keras's callback cannot record (a Trainer's).

    "record the run with FitDoctor()" is no advice there: the hint keeps the other way
    it names (``pass --classes N``), else says the facts come from the Keras callback.
    Keras's way to log an accuracy (``model.compile(metrics=...)``) is said the
    framework's way.
    """
    if "compile" in hint and "accuracy" in hint:
        return _LOG_ACCURACY.get(framework, hint)
    if not hint.startswith("record the run with FitDoctor"):
        return hint
    other = _OTHER_WAY.search(hint)
    if other:
        return f"{other.group(1)} (a run Keras's FitDoctor() callback records holds it too)"
    return "only a run Keras's FitDoctor() callback records holds it"


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
            superseded.append(Superseded(finding.code, finding.name, winners, finding.output))
        else:
            out.append(finding)
    return out, superseded


def _recommend_once(findings: list[Finding]) -> None:
    """Give each action once per diagnosis: the report states each fact once.

    Several rules of one diagnosis often recommend the same action (FD501, FD502, FD503
    and FD505 all suggest the ``class_weight``). The finding that ranks the action
    highest in its own list keeps it (a rule's first recommendation is its main
    advice); among equals the first in report order. The others drop it. Findings on
    different outputs of a multi-output model keep their own.
    """
    owner: dict[tuple[str, str | None, str], tuple[int, int]] = {}
    for i, finding in enumerate(findings):
        for rank, rec in enumerate(finding.recommendations):
            key = (finding.diagnosis, finding.output, rec.action)
            if key not in owner or rank < owner[key][0]:
                owner[key] = (rank, i)
    for i, finding in enumerate(findings):
        finding.recommendations = [
            rec for rec in finding.recommendations
            if owner[(finding.diagnosis, finding.output, rec.action)][1] == i
        ]


def outputs(run: Run) -> list[str]:
    """The outputs of a multi-output model: ``X`` for every ``X_loss`` beside ``loss``.

    Args:
        run: The run.

    Returns:
        The output names (two or more, at most :data:`MAX_OUTPUTS`), or none.
    """
    if not run.has("loss"):
        return []
    found = [
        key[: -len("_loss")]
        for key in run.metrics
        if key.endswith("_loss") and key != "loss"
        and not key.startswith(("val_", "test_")) and run.has(key)
    ]
    return found if 2 <= len(found) <= MAX_OUTPUTS else []


def output_view(run: Run, output: str) -> Run:
    """The run as the curve rules should see one output: its curves under plain names.

    Args:
        run: The multi-output run.
        output: The output name (``"out1"``).

    Returns:
        A run of ``loss``, ``val_loss`` and the output's other metrics, plus the
        learning rate; the metric-name map says where each came from.
    """
    metrics: dict[str, list[float | None]] = {}
    names: dict[str, str] = {}
    own, val = f"{output}_", f"val_{output}_"
    for key, values in run.metrics.items():
        if key.startswith(own):
            plain = key[len(own):]
        elif key.startswith(val):
            plain = "val_" + key[len(val):]
        elif key in LEARNING_RATE_KEYS:
            plain = key
        else:
            continue
        metrics[plain] = values
        names[plain] = key
    return run.with_curves(metrics, names)


def _tag(finding: Finding, output: str, view: Run) -> Finding:
    """A finding on an output's view, renamed back to the output's own curves."""
    names = view.metric_names

    def rename(text: str) -> str:
        return _METRIC_TOKEN.sub(lambda m: names.get(m.group(), m.group()), text)

    finding.output = output
    finding.message = f"output {output}: {rename(finding.message)}"
    finding.evidence = {
        k: names.get(v, v) if isinstance(v, str) else v for k, v in finding.evidence.items()
    }
    for rec in finding.recommendations:
        rec.text = rename(rec.text)
    return finding


_METRIC_TOKEN = re.compile(r"(?<![\w.])val_[A-Za-z0-9_]+(?![\w])")


def _finding(rule: Rule, evidence: Evidence, context_values: dict[str, Any]) -> Finding:
    values = {**rule.values, **context_values, **evidence.values}
    values.update(render_parts(rule.parts, values, rule.values))
    message = render(rule.message, values) or rule.summary or rule.name
    recs: list[Recommendation] = []
    framework = str(values.get("framework") or "")
    for tmpl in rule.recommendations:
        if tmpl.when is not None and not tmpl.when.holds(values, rule.values):
            continue
        wording = tmpl.wording(framework)
        text = render(wording.text, values)
        if text is None and wording.fallback is not None:
            text = render(wording.fallback, values)
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
        code=INTERNAL_ERROR_CODE,
        name="internal-error",
        diagnosis="internal-error",
        severity=Severity.ERROR,
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
            if is_score_monitor(key) and run.has(key):
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


def summarize(run: Run, framework: str | None = None) -> dict[str, Any]:
    """Short facts about the run, for reporters.

    Args:
        run: The run.
        framework: The framework its advice is written in, when not the run's own (the
            configuration's for a run that does not say). Defaults to `None` (the run's).
    """
    out: dict[str, Any] = {"source": run.source, "status": run.status, "epochs": run.n_epochs}
    if framework or run.framework:
        out["framework"] = framework or run.framework
    if run.meta.get(EVAL_STEPS):
        out["eval_steps"] = run.meta[EVAL_STEPS]  # its rows are evaluations, not epochs
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
    if run.phases:
        out["phases"] = [
            f"{p.label} (from epoch {p.epoch})" if p.label else f"from epoch {p.epoch}"
            for p in run.phases
        ]
    if run.facts:
        out["facts"] = {str(k): _compact(v) for k, v in run.facts.items()}
    if run.metric_names:
        out["metric_names"] = dict(run.metric_names)
    return {k: v for k, v in strict_json(out).items() if v is not None}


def _compact(value: Any) -> Any:
    """A fact, short enough for a report's header: long text cut, containers counted."""
    if isinstance(value, str):
        return value if len(value) <= 40 else value[:37] + "..."
    if isinstance(value, list):
        if len(value) <= 4 and all(isinstance(v, (int, float, str, bool)) for v in value):
            return [_compact(v) for v in value]
        return f"[{len(value)} items]"
    if isinstance(value, dict):
        return f"{{{len(value)} keys}}"
    return value
