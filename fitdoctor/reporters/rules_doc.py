"""Documentation views of rules: ``fitdoctor rules`` and ``fitdoctor explain``.

``rules``: a plain-text table (:func:`rules_table`, readable in a log: no colour, no box
drawing), a markdown table (:func:`rules_markdown`, the README's rules table) or JSON
(:func:`rules_json`). ``explain``: one rule's documentation with its parameters in force
as text (:func:`explain_text`) or JSON (:func:`explain_json`). Functions of rules only:
the CLI finds the rules, calls these and prints.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fitdoctor.rules import Rule

__all__ = ["explain_json", "explain_text", "rule_dict", "rules_json", "rules_markdown",
           "rules_table"]


def rule_dict(rule: Rule, default_severity: str | None, *, full: bool = False) -> dict[str, Any]:
    """A rule as JSON-ready data.

    Args:
        rule: The rule, configuration applied.
        default_severity: Its declared severity.
        full: Include message, parameters, recommendations and docs. Defaults to `False`
            (the summary fields only).

    Returns:
        The dict.
    """
    out: dict[str, Any] = {
        "code": rule.code,
        "name": rule.name,
        "diagnosis": rule.diagnosis,
        "severity": rule.severity.value,
        "default_severity": default_severity or rule.severity.value,
        "detector": rule.detector.name,
        "input": rule.detector.input,
        "folds": rule.folds,
        "summary": rule.summary,
        "origin": rule.origin,
    }
    if not full:
        return out
    out["message"] = rule.message
    out["params"] = [
        {
            "name": p.name,
            "value": rule.values.get(p.name, p.default),
            "default": p.default,
            "type": p.type.__name__,
            "doc": p.doc,
            "shared": p.shared,
            "min": p.min,
            "max": p.max,
        }
        for p in rule.params.values()
    ]
    out["parts"] = {
        name: [{"text": a.text, "when": a.when.text if a.when else None} for a in alts]
        for name, alts in rule.parts.items()
    }
    out["supersedes"] = list(rule.supersedes)
    out["leads"] = rule.leads
    out["error_rate"] = rule.error_rate
    out["verdict"] = rule.verdict or None
    out["recommendations"] = [
        {"action": r.action, "text": r.text, "fallback": r.fallback,
         "when": r.when.text if r.when else None,
         "frameworks": {fw: {"text": w.text, "fallback": w.fallback}
                        for fw, w in r.frameworks.items()}}
        for r in rule.recommendations
    ]
    out["escalate"] = [
        {"when": e.when.text, "severity": e.severity.value} for e in rule.escalate
    ]
    out["docs"] = dict(rule.docs)
    return out


def rules_table(rules: Sequence[Rule], *, width: int = 100) -> str:
    """Plain-text table of rules (no colour, no box drawing): readable in a log.

    Args:
        rules: The rules.
        width: Line width; summaries are wrapped to fit. Defaults to `100`.

    Returns:
        The table.
    """
    header = ("CODE", "NAME", "DIAGNOSIS", "SEVERITY", "SUMMARY")
    rows = [(r.code, r.name, r.diagnosis, r.severity.value, r.summary) for r in rules]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    indent = sum(widths) + 2 * 4
    summary_width = max(20, width - indent)
    lines = []
    for row in [header, *rows]:
        left = "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True))
        wrapped = textwrap.wrap(row[4], summary_width) or [""]
        lines.append(f"{left}  {wrapped[0]}".rstrip())
        lines.extend(" " * indent + more for more in wrapped[1:])
    lines.append("")
    lines.append(f"{len(rules)} rules. Details: fitdoctor explain CODE")
    return "\n".join(lines)


def rules_markdown(rules: Sequence[Rule]) -> str:
    """Markdown table of rules (for a README or a step summary).

    Args:
        rules: The rules.

    Returns:
        The table.
    """
    lines = [
        "| code | name | diagnosis | severity | summary |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rules:
        summary = r.summary.replace("|", "\\|")
        lines.append(
            f"| {r.code} | `{r.name}` | {r.diagnosis} | {r.severity.value} | {summary} |"
        )
    return "\n".join(lines)


_SECTIONS = (
    ("what", "What it does"),
    ("why", "Why it matters"),
    ("try", "What to try"),
    ("example", "Example"),
    ("bad", "Example of a run that fires"),
    ("good", "Example of a run that stays silent"),
)


def _paragraphs(text: str, width: int, indent: str = "  ") -> list[str]:
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = para.splitlines()
        if any(line.startswith(("    ", "\t", "- ", "* ", "$ ", ">>> ")) for line in lines):
            out.extend(indent + line.rstrip() for line in lines)  # preformatted: keep it
        else:
            out.extend(
                textwrap.wrap(" ".join(para.split()), width, initial_indent=indent,
                              subsequent_indent=indent)
            )
        out.append("")
    return out


def _doc_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(f"- {v}" for v in value)
    return str(value)


def explain_text(
    rule: Rule, default_severity: str | None, *, width: int = 100, deselected_by: str | None = None,
    severity_fixed: bool = False,
) -> str:
    """The documentation of a rule, with its parameters in force, as plain text.

    Args:
        rule: The rule, configuration applied.
        default_severity: Its declared severity.
        width: Line width. Defaults to `100`.
        deselected_by: Where the configuration's select/ignore leaves this rule out (a
            file name, or the options), said under the severity line. Defaults to `None`
            (the rule runs).
        severity_fixed: The configuration sets the rule's severity, which is then every
            finding's: the escalations its documentation describes do not apply.
            Defaults to `False`.

    Returns:
        The text.
    """
    sev = rule.severity.value
    if default_severity and default_severity != sev:
        sev = f"{sev} (configured; default {default_severity})"
    elif severity_fixed:
        sev = f"{sev} (configured)"
    lines = [
        f"{rule.code} {rule.name}",
        "",
        f"  diagnosis: {rule.diagnosis}   severity: {sev}   detector: {rule.detector.name}",
    ]
    if deselected_by:
        lines.append(f"  not run under this configuration: left out by the select/ignore of "
                     f"{deselected_by}")
    if severity_fixed:
        lines.append("  every finding takes the configured severity: the escalations described "
                     "below do not apply")
    if rule.summary:
        lines += ["", *textwrap.wrap(rule.summary, width)]
    lines.append("")
    for key, title in _SECTIONS:
        if rule.docs.get(key):
            lines += [title, *_paragraphs(_doc_text(rule.docs[key]), width - 2)]
    if rule.params:
        lines.append("Parameters (value in force, default, range)")
        name_w = max(len(p) for p in rule.params)
        for p in rule.params.values():
            value = rule.values.get(p.name, p.default)
            mark = "" if value == p.default else "   (configured)"
            shared = "   (shared by the rules of its file)" if p.shared else ""
            span = f"   range {p.range_text}" if p.range_text else ""
            lines.append(
                f"  {p.name.ljust(name_w)} = {value!r}   default {p.default!r}{span}{mark}{shared}"
            )
            if p.doc:
                lines += textwrap.wrap(
                    p.doc, width, initial_indent="      ", subsequent_indent="      "
                )
        lines.append("")
    lines += ["Message", f"  {rule.message}", ""]
    if rule.parts:
        lines.append("Message parts (the first wording that applies; empty when none does)")
        for name, alts in rule.parts.items():
            for alt in alts:
                cond = f" when {alt.when.text}" if alt.when else ""
                lines += textwrap.wrap(
                    f"{{{name}}}{cond}: {alt.text}", width,
                    initial_indent="  ", subsequent_indent="      ",
                )
        lines.append("")
    if rule.recommendations:
        lines.append("Recommendations (ranked)")
        for i, rec in enumerate(rule.recommendations, 1):
            cond = f" (when {rec.when.text})" if rec.when else ""
            lines += textwrap.wrap(
                f"{i}. [{rec.action}]{cond} {rec.text}", width,
                initial_indent="  ", subsequent_indent="     ",
            )
            for framework, wording in rec.frameworks.items():
                lines += textwrap.wrap(
                    f"in {framework}: {wording.text}", width,
                    initial_indent="     ", subsequent_indent="       ",
                )
        lines.append("")
    if rule.escalate:
        lines.append("Severity escalation")
        for esc in rule.escalate:
            lines.append(f"  {esc.severity.value} when {esc.when.text}")
        lines.append("")
    if rule.supersedes or rule.leads:
        lines.append("Precedence")
        if rule.supersedes:
            lines.append(
                f"  when it fires, leaves out {', '.join(rule.supersedes)} (made moot by it)")
        if rule.leads:
            lines.append(f"  listed first among the {rule.severity.value}s: the report's headline")
        lines.append("")
    lines += _judges_text(rule, width)
    if rule.docs.get("references"):
        lines += ["References", *_paragraphs(_doc_text(rule.docs["references"]), width - 2)]
    lines.append(f"Configure: [tool.fitdoctor.rule.{rule.code}] in pyproject.toml")
    return "\n".join(lines).rstrip() + "\n"


def _judges_text(rule: Rule, width: int) -> list[str]:
    """What the rule judges, when it is not simply each run (its input, its ``folds``)."""
    if rule.detector.input == "learning-curve":
        text = ("a learning curve (fitdoctor.validation.learning_curve, or a "
                "fitdoctor.learning-curve/1 file), never a single run")
    elif rule.folds == "pooled":
        text = ("a cross-validation as a whole (folds = \"pooled\"): its findings on single "
                "folds are expected, and neither counted nor listed")
    else:
        return []
    return ["Judges", *textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  "),
            ""]


def rules_json(rules: Sequence[Rule], default_severities: Mapping[str, str]) -> str:
    """The rules' summary fields as a JSON array (``fitdoctor rules --format json``).

    Args:
        rules: The rules, configuration applied.
        default_severities: Declared severity of each rule, by code.

    Returns:
        The JSON text, indented.
    """
    return json.dumps([rule_dict(r, default_severities.get(r.code)) for r in rules], indent=2)


def explain_json(rule: Rule, default_severity: str | None, *, selected: bool = True) -> str:
    """One rule in full as a JSON object (``fitdoctor explain RULE --format json``).

    Args:
        rule: The rule, configuration applied.
        default_severity: Its declared severity.
        selected: Whether the configuration's select/ignore runs the rule (``selected``
            in the JSON). Defaults to `True`.

    Returns:
        The JSON text, indented.
    """
    return json.dumps({**rule_dict(rule, default_severity, full=True), "selected": selected},
                      indent=2)
