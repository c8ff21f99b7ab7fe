"""``fitdoctor explain RULE``: a rule's documentation with its thresholds in force.

Rendering lives in :mod:`fitdoctor.reporters.rules_doc`; this module reads the options,
finds the rule (by code, any case, or by name) and prints.
"""

import difflib
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fitdoctor.cli import common
from fitdoctor.cli.common import config_option, format_option, rules_option
from fitdoctor.cli.core import Argument, Command

if TYPE_CHECKING:
    from fitdoctor.rules import Rule

#: Formats of ``fitdoctor explain``.
FORMATS = ("text", "json")


@click.command("explain", cls=Command)
@click.argument("rule", cls=Argument, metavar="RULE", help="A rule code (FD101) or name.")
@format_option(FORMATS, "text", "Output format.")
@config_option
@rules_option
def explain(
    rule: str, output_format: str, config: Path | None, rule_dirs: tuple[Path, ...]
) -> None:
    """Explain a rule: what it detects, why it matters, what to try, its thresholds in force."""
    from fitdoctor.reporters import rules_doc

    rules = common.all_rules(config, rule_dirs)
    key = rule.strip()
    found = next(
        (r for r in rules if r.code.upper() == key.upper() or r.name == key.lower()), None
    )
    if found is None:
        common.fail(f"unknown rule {key!r}{_suggestion(key, rules)}; run 'fitdoctor rules' to "
                    "see all rules")
    default = common.default_severities(config, rule_dirs).get(found.code)
    with common.unusable_exits():
        settings = common.build_settings(config=config, rule_dirs=rule_dirs)
        selected = found.code in {r.code for r in settings.rules()}
    fixed = any("severity" in opts for key, opts in settings.rule_options.items()
                if key in (found.code, found.name))
    if output_format == "json":
        common.emit(rules_doc.explain_json(found, default, selected=selected))
    else:
        width = min(common.default_width(common.stdout_isatty()), 100)
        where = None
        if not selected:
            where = str(settings.config_path) if settings.config_path else "the configuration"
        common.emit(rules_doc.explain_text(found, default, width=width, deselected_by=where,
                                           severity_fixed=fixed))


def _suggestion(key: str, rules: list["Rule"]) -> str:
    """What an unknown rule may have meant: `` (did you mean FD101, FD102 or FD103?)``.

    The codes ``key`` begins (``FD10``), else the names closest to it (a typo of one),
    else nothing.
    """
    codes = [r.code for r in rules if r.code.upper().startswith(key.upper()) and key]
    close = codes[:_SUGGESTED] or difflib.get_close_matches(
        key.lower(), [r.name for r in rules], n=_SUGGESTED)
    if not close:
        return ""
    shown = ", ".join(close[:-1]) + (" or " if len(close) > 1 else "") + close[-1]
    return f" (did you mean {shown}?)"


#: Suggestions an unknown rule gets at most.
_SUGGESTED = 3
