"""``fitdoctor rules``: list every rule (code, name, diagnosis, severity in force, summary).

Rendering lives in :mod:`fitdoctor.reporters.rules_doc`; this module reads the options,
loads the rules and prints.
"""

from pathlib import Path

import click

from fitdoctor.cli import common
from fitdoctor.cli.common import config_option, format_option, rules_option
from fitdoctor.cli.core import Command

#: Formats of ``fitdoctor rules``.
FORMATS = ("table", "json", "markdown")


@click.command("rules", cls=Command)
@format_option(FORMATS, "table", "Output format.")
@config_option
@rules_option
def list_rules(output_format: str, config: Path | None, rule_dirs: tuple[Path, ...]) -> None:
    """List every rule: code, name, diagnosis, severity in force and summary."""
    from fitdoctor.reporters import rules_doc

    rules = common.all_rules(config, rule_dirs)
    if output_format == "json":
        defaults = common.default_severities(config, rule_dirs)
        common.emit(rules_doc.rules_json(rules, defaults))
    elif output_format == "markdown":
        common.emit(rules_doc.rules_markdown(rules))
    else:
        width = common.default_width(common.stdout_isatty())
        common.emit(rules_doc.rules_table(rules, width=width))
