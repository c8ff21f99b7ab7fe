"""``fitdoctor rules``: list every rule (code, name, diagnosis, severity in force, summary).

Rendering lives in :mod:`fitdoctor.reporters.rules_doc`; this module reads the options,
loads the rules and prints.
"""

from enum import Enum
from typing import Annotated

import typer

from fitdoctor.cli import common
from fitdoctor.cli.common import ConfigOpt, RulesOpt


class RulesFormat(str, Enum):
    """Formats of ``fitdoctor rules``."""

    table = "table"
    json = "json"
    markdown = "markdown"


def list_rules(
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RulesFormat.table,
    config: ConfigOpt = None,
    rule_dirs: RulesOpt = None,
) -> None:
    """List every rule: code, name, diagnosis, severity in force and summary."""
    from fitdoctor.reporters import rules_doc

    rules = common.all_rules(config, rule_dirs)
    if output_format is RulesFormat.json:
        defaults = common.default_severities(config, rule_dirs)
        common.emit(rules_doc.rules_json(rules, defaults))
    elif output_format is RulesFormat.markdown:
        common.emit(rules_doc.rules_markdown(rules))
    else:
        width = common.default_width(common.stdout_isatty())
        common.emit(rules_doc.rules_table(rules, width=width))
