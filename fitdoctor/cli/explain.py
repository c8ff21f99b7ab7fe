"""``fitdoctor explain RULE``: a rule's documentation with its thresholds in force.

Rendering lives in :mod:`fitdoctor.reporters.rules_doc`; this module reads the options,
finds the rule (by code, any case, or by name) and prints.
"""

from enum import Enum
from typing import Annotated

import typer

from fitdoctor.cli import common
from fitdoctor.cli.common import ConfigOpt, RulesOpt


class ExplainFormat(str, Enum):
    """Formats of ``fitdoctor explain``."""

    text = "text"
    json = "json"


def explain(
    rule: Annotated[
        str,
        typer.Argument(help="A rule code (FD101) or name.", show_default=False, metavar="RULE"),
    ],
    output_format: Annotated[
        ExplainFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ExplainFormat.text,
    config: ConfigOpt = None,
    rule_dirs: RulesOpt = None,
) -> None:
    """Explain a rule: what it detects, why it matters, what to try, its thresholds in force."""
    from fitdoctor.reporters import rules_doc

    rules = common.all_rules(config, rule_dirs)
    key = rule.strip()
    found = next(
        (r for r in rules if r.code.upper() == key.upper() or r.name == key.lower()), None
    )
    if found is None:
        common.fail(f"unknown rule {key!r}; run 'fitdoctor rules' to see all rules")
    default = common.default_severities(config, rule_dirs).get(found.code)
    if output_format is ExplainFormat.json:
        common.emit(rules_doc.explain_json(found, default))
    else:
        width = min(common.default_width(common.stdout_isatty()), 100)
        common.emit(rules_doc.explain_text(found, default, width=width))
