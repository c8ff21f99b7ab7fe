"""The ``fitdoctor`` command line: ``analyze``, ``rules``, ``explain``, ``plot``, ``compare``.

Exit codes (DESIGN.md):

- ``0``: nothing at or above ``--fail-on`` (default ``error``, or the config's ``fail-on``);
- ``1``: at least one finding at or above it;
- ``2``: an input or the configuration could not be used. One line on stderr,
  ``fitdoctor: error: <what>``, never a traceback. Typer's own usage errors (an unknown
  option, a bad choice) also exit 2.

``--exit-zero`` turns 1 into 0; it never hides 2. With several paths, every usable
one is analyzed and reported, each unusable one gets its error line, and the exit code
is the worst of all (so one unusable path makes it 2).

Start-up matters (``fitdoctor analyze`` runs in CI and pre-commit hooks): this module
imports only typer and fitdoctor's light core at import time; the loaders, reporters
and the engine are imported inside the commands, and keras/tensorflow never.
"""


import json
import os
import re
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from fitdoctor import __version__
from fitdoctor.errors import ConfigError, InputError
from fitdoctor.report import Severity
from fitdoctor.rules import Settings, find_config, read_config

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.rules import Rule
    from fitdoctor.run import Run

#: Exit code for findings at or above ``--fail-on``.
EXIT_FINDINGS = 1
#: Exit code for an input or configuration that cannot be used.
EXIT_UNUSABLE = 2

_APP_SETTINGS: dict[str, Any] = {
    "name": "fitdoctor",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}

app = typer.Typer(**_APP_SETTINGS)


class OutputFormat(str, Enum):
    """Report formats of ``fitdoctor analyze``."""

    auto = "auto"
    rich = "rich"
    text = "text"
    markdown = "markdown"
    json = "json"
    github = "github"
    html = "html"


class FailOn(str, Enum):
    """Severities ``--fail-on`` accepts."""

    error = "error"
    warning = "warning"
    info = "info"


class Task(str, Enum):
    """Task types ``--task`` accepts."""

    binary = "binary"
    multiclass = "multiclass"
    multilabel = "multilabel"
    regression = "regression"


class RulesFormat(str, Enum):
    """Formats of ``fitdoctor rules``."""

    table = "table"
    json = "json"
    markdown = "markdown"


class ExplainFormat(str, Enum):
    """Formats of ``fitdoctor explain``."""

    text = "text"
    json = "json"


# ------------------------------------------------------------------ helpers
def fail(message: str) -> NoReturn:
    """Print ``fitdoctor: error: <message>`` (one line) on stderr and exit 2.

    Args:
        message: What could not be used, and why.

    Raises:
        typer.Exit: Always, with code 2.
    """
    one_line = " ".join(str(message).split())
    sys.stderr.write(f"fitdoctor: error: {one_line}\n")
    sys.stderr.flush()
    raise typer.Exit(EXIT_UNUSABLE)


def _error_line(exc: BaseException, path: Path | None = None) -> str:
    """One line describing ``exc``, naming ``path`` when the message does not already."""
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError | IsADirectoryError):
        text = exc.strerror or str(exc)
        where = exc.filename if exc.filename is not None else path
        return f"{where}: {text}" if where is not None else text
    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename or path}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{exc.filename or path}: is a directory, not a history file"
    text = " ".join(str(exc).split()) or type(exc).__name__
    if path is not None and str(path) not in text and path.name not in text:
        text = f"{path}: {text}"
    return text


_CODE_LIKE = re.compile(r"[A-Za-z]+\d+")


def split_codes(values: list[str] | None) -> list[str]:
    """Flatten repeated, comma-separated rule selectors; codes are upper-cased.

    Args:
        values: Option values such as ``["FD1,fd302", "overfitting-gap"]``.

    Returns:
        The selectors, e.g. ``["FD1", "FD302", "overfitting-gap"]``.
    """
    out: list[str] = []
    for value in values or []:
        for token in value.split(","):
            token = token.strip()
            if not token:
                continue
            out.append(token.upper() if _CODE_LIKE.fullmatch(token) or token == "all" else token)
    return out


def build_settings(
    *,
    config: Path | None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    fail_on: FailOn | None = None,
    rule_dirs: list[Path] | None = None,
) -> Settings:
    """Settings from the configuration file, overridden by command-line flags.

    The file is ``config`` when given, else the nearest ``fitdoctor.toml`` or
    ``pyproject.toml`` with ``[tool.fitdoctor]`` from the working directory up.
    ``--select`` replaces the configured selection, ``--ignore`` adds to the configured
    ignores, ``--fail-on`` replaces ``fail-on`` and ``--rules`` adds rule packs.

    Args:
        config: An explicit configuration file, or ``None`` to discover one.
        select: ``--select`` values (comma-separated, repeatable).
        ignore: ``--ignore`` values (comma-separated, repeatable).
        fail_on: ``--fail-on``.
        rule_dirs: ``--rules`` folders.

    Returns:
        The settings.

    Raises:
        ConfigError: The configuration file cannot be used.
    """
    path = config if config is not None else find_config(Path.cwd())
    settings = read_config(path) if path is not None else Settings()
    selected = split_codes(select)
    if selected:
        settings.select = selected
    settings.ignore = [*settings.ignore, *split_codes(ignore)]
    if fail_on is not None:
        settings.fail_on = Severity(fail_on.value)
    settings.rule_dirs = [*settings.rule_dirs, *(rule_dirs or [])]
    return settings


def _stdout_isatty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _default_width(to_terminal: bool) -> int:
    if to_terminal:
        import shutil

        return max(40, shutil.get_terminal_size((100, 24)).columns)
    columns = os.environ.get("COLUMNS", "")
    return max(40, int(columns)) if columns.isdigit() else 100


def _append_summary(text: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        fail(f"cannot write the step summary: {_error_line(exc, Path(target))}")


def _emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    sys.stdout.flush()


# ------------------------------------------------------------------ commands
def _version_callback(value: bool) -> None:
    if value:
        _emit(f"fitdoctor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Print the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Diagnose Keras training runs like a linter: rule codes, evidence, next changes.

    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it;
    2 an input or the configuration could not be used.
    """


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Configuration file: a fitdoctor.toml, or a pyproject.toml with a tool.fitdoctor "
        "table. Default: the nearest one from the working directory up.",
        dir_okay=False,
    ),
]
RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        metavar="DIR",
        help="Extra rule pack: a folder of *.toml rule files. Repeatable.",
        file_okay=False,
    ),
]


@app.command()
def analyze(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="History files: fitdoctor run JSON, Keras History JSON or CSV.",
            show_default=False,
            metavar="PATH",
        ),
    ],
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="Report format. auto: rich on a terminal, text when piped or when CI is set.",
        ),
    ] = OutputFormat.auto,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding is at or above this severity.",
            show_default="error, or the config's fail-on",
        ),
    ] = None,
    exit_zero: Annotated[
        bool,
        typer.Option("--exit-zero", help="Exit 0 even with findings (2 still means unusable)."),
    ] = False,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            metavar="CODES",
            help="Rules to run: codes, code prefixes (FD1) or names, comma-separated. "
            "Replaces the configured selection. Repeatable.",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            metavar="CODES",
            help="Rules to skip: codes, prefixes or names, comma-separated. Adds to the "
            "configured ignores. Repeatable.",
        ),
    ] = None,
    config: ConfigOpt = None,
    rule_dirs: RulesOpt = None,
    task: Annotated[
        Task | None,
        typer.Option("--task", help="Task type, for a history that does not record it."),
    ] = None,
    classes: Annotated[
        int | None,
        typer.Option(
            "--classes",
            min=1,
            metavar="N",
            help="Number of classes, for a history that does not record it.",
        ),
    ] = None,
    class_counts: Annotated[
        str | None,
        typer.Option(
            "--class-counts",
            metavar="COUNTS",
            help="Training samples per class in class-id order, e.g. 950,50, for the "
            "class-imbalance rules on a history that does not record them.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to this file (atomically) instead of stdout.",
            dir_okay=False,
        ),
    ] = None,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Also append the markdown report to $GITHUB_STEP_SUMMARY when it is set.",
        ),
    ] = False,
    width: Annotated[
        int | None,
        typer.Option(
            "--width",
            min=40,
            metavar="N",
            help="Line width of the report.",
            show_default="the terminal's, else 100",
        ),
    ] = None,
) -> None:
    """Diagnose training histories and print a report.

    Every usable PATH is analyzed and reported; an unusable one gets one error line on
    stderr and makes the exit code 2 (the others are still reported).
    """
    try:
        settings = build_settings(
            config=config, select=select, ignore=ignore, fail_on=fail_on, rule_dirs=rule_dirs
        )
        rules = settings.rules()
    except (ConfigError, OSError) as exc:
        fail(_error_line(exc))

    from fitdoctor import engine, io, reporters

    counts: list[int] | None = None
    if class_counts is not None:
        from fitdoctor.detectors.imbalance import parse_class_counts, with_class_counts

        try:
            counts = parse_class_counts(class_counts)
        except InputError as exc:
            fail(_error_line(exc))

    results: list[tuple[Report, Run | None]] = []
    unusable = 0
    for path in paths:
        if io.is_document_file(path):  # cross-validation or learning-curve results
            from fitdoctor import cv

            try:
                results.append(cv.analyze_file(path, settings, rules=rules))
            except (InputError, OSError) as exc:
                unusable += 1
                sys.stderr.write(f"fitdoctor: error: {_error_line(exc, path)}\n")
            continue
        try:
            run = io.load(path)
            run.with_facts(
                task=task.value if task is not None else None,
                n_classes=classes,
            )
            if counts is not None:
                with_class_counts(run, counts)
        except (InputError, OSError) as exc:
            unusable += 1
            sys.stderr.write(f"fitdoctor: error: {_error_line(exc, path)}\n")
            continue
        results.append((engine.analyze(run, settings, rules=rules), run))
    sys.stderr.flush()

    to_terminal = output is None and _stdout_isatty()
    fmt = output_format.value
    if fmt == "auto":
        fmt = reporters.choose_auto(to_terminal, os.environ)
    line_width = width if width is not None else _default_width(to_terminal)
    color = output is None and fmt == "rich" and reporters.wants_color(to_terminal, os.environ)

    if results:
        text = _render(reporters, results, fmt, line_width, color)
        if output is not None:
            try:
                io.write_text_atomic(text if text.endswith("\n") else text + "\n", output)
            except OSError as exc:
                fail(f"cannot write the report: {_error_line(exc, output)}")
        else:
            _emit(text)
        if summary:
            _append_summary(_render(reporters, results, "markdown", line_width, False))

    if unusable:
        raise typer.Exit(EXIT_UNUSABLE)
    if not exit_zero and any(report.fails(settings.fail_on) for report, _ in results):
        raise typer.Exit(EXIT_FINDINGS)


def _render(
    reporters: Any,
    results: list[tuple["Report", "Run | None"]],
    fmt: str,
    width: int,
    color: bool,
) -> str:
    if len(results) == 1:
        report, run = results[0]
        return str(reporters.render(report, fmt, width=width, color=color, run=run))
    return str(reporters.render_many(results, fmt, width=width, color=color))


@app.command("rules")
def list_rules(
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RulesFormat.table,
    config: ConfigOpt = None,
    rule_dirs: RulesOpt = None,
) -> None:
    """List every rule: code, name, diagnosis, severity in force and summary."""
    rules = _all_rules(config, rule_dirs)
    if output_format is RulesFormat.json:
        defaults = _default_severities(rule_dirs, config)
        _emit(json.dumps([rule_dict(r, defaults.get(r.code)) for r in rules], indent=2))
    elif output_format is RulesFormat.markdown:
        _emit(rules_markdown(rules))
    else:
        _emit(rules_table(rules, width=_default_width(_stdout_isatty())))


@app.command()
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
    rules = _all_rules(config, rule_dirs)
    key = rule.strip()
    found = next(
        (r for r in rules if r.code.upper() == key.upper() or r.name == key.lower()), None
    )
    if found is None:
        fail(f"unknown rule {key!r}; run 'fitdoctor rules' to see all rules")
    default = _default_severities(rule_dirs, config).get(found.code)
    if output_format is ExplainFormat.json:
        _emit(json.dumps(rule_dict(found, default, full=True), indent=2))
    else:
        _emit(explain_text(found, default, width=min(_default_width(_stdout_isatty()), 100)))


class DemoFormat(str, Enum):
    """Report formats of ``fitdoctor demo`` (those the callback prints)."""

    auto = "auto"
    rich = "rich"
    text = "text"


@app.command()
def demo(
    epochs: Annotated[
        int, typer.Option("--epochs", min=1, metavar="N", help="Epochs to train.")
    ] = 10,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", dir_okay=False, help="Where the run file is saved."
        ),
    ] = Path("fitdoctor-demo-run.json"),
    output_format: Annotated[
        DemoFormat, typer.Option("--format", "-f", help="Report format.")
    ] = DemoFormat.auto,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
) -> None:
    """Train the Keras tutorial network (Dense 512 relu, softmax) with FitDoctor() and report.

    Uses MNIST when Keras has it cached on this machine, else scikit-learn's bundled
    digits (no download). Needs the keras extra: pip install 'fitdoctor[keras]'.
    """
    try:
        from fitdoctor.demo import run_demo

        run_demo(epochs=epochs, path=str(output), report=output_format.value, seed=seed,
                 echo=_emit)
    except ImportError as exc:
        fail(f"the demo needs keras and a backend: pip install 'fitdoctor[keras]' ({exc})")
    except (InputError, ConfigError, OSError) as exc:
        fail(_error_line(exc))


def _all_rules(config: Path | None, rule_dirs: list[Path] | None) -> list["Rule"]:
    """Every loaded rule with the configured severities and parameters applied."""
    try:
        settings = build_settings(config=config, rule_dirs=rule_dirs)
        settings.rules()  # the configuration must be valid as a whole (select/ignore too)
        settings.select = None
        settings.ignore = []
        return settings.rules()
    except (ConfigError, OSError) as exc:
        fail(_error_line(exc))


def _default_severities(rule_dirs: list[Path] | None, config: Path | None) -> dict[str, str]:
    """Declared (unconfigured) severity of each rule, by code."""
    from fitdoctor.rules import load_rules

    try:
        settings = build_settings(config=config, rule_dirs=rule_dirs)
        return {r.code: r.severity.value for r in load_rules(settings.rule_dirs)}
    except (ConfigError, OSError) as exc:
        fail(_error_line(exc))


# ------------------------------------------------------------------ rule views
def rule_dict(rule: "Rule", default_severity: str | None, *, full: bool = False) -> dict[str, Any]:
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
        }
        for p in rule.params.values()
    ]
    out["parts"] = {
        name: [{"text": a.text, "when": a.when.text if a.when else None} for a in alts]
        for name, alts in rule.parts.items()
    }
    out["supersedes"] = list(rule.supersedes)
    out["verdict"] = rule.verdict or None
    out["recommendations"] = [
        {"action": r.action, "text": r.text, "fallback": r.fallback,
         "when": r.when.text if r.when else None}
        for r in rule.recommendations
    ]
    out["escalate"] = [
        {"when": e.when.text, "severity": e.severity.value} for e in rule.escalate
    ]
    out["docs"] = dict(rule.docs)
    return out


def rules_table(rules: list["Rule"], *, width: int = 100) -> str:
    """Plain-text table of rules (no colour, no box drawing): readable in a log.

    Args:
        rules: The rules.
        width: Line width; summaries are wrapped to fit. Defaults to `100`.

    Returns:
        The table.
    """
    import textwrap

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


def rules_markdown(rules: list["Rule"]) -> str:
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
    import textwrap

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


def explain_text(rule: "Rule", default_severity: str | None, *, width: int = 100) -> str:
    """The documentation of a rule, with its parameters in force, as plain text.

    Args:
        rule: The rule, configuration applied.
        default_severity: Its declared severity.
        width: Line width. Defaults to `100`.

    Returns:
        The text.
    """
    import textwrap

    sev = rule.severity.value
    if default_severity and default_severity != sev:
        sev = f"{sev} (configured; default {default_severity})"
    lines = [
        f"{rule.code} {rule.name}",
        "",
        f"  diagnosis: {rule.diagnosis}   severity: {sev}   detector: {rule.detector.name}",
    ]
    if rule.summary:
        lines += ["", *textwrap.wrap(rule.summary, width)]
    lines.append("")
    for key, title in _SECTIONS:
        if rule.docs.get(key):
            lines += [title, *_paragraphs(_doc_text(rule.docs[key]), width - 2)]
    if rule.params:
        lines.append("Parameters (value in force, default)")
        name_w = max(len(p) for p in rule.params)
        for p in rule.params.values():
            value = rule.values.get(p.name, p.default)
            mark = "" if value == p.default else "   (configured)"
            shared = "   (shared by the rules of its file)" if p.shared else ""
            lines.append(
                f"  {p.name.ljust(name_w)} = {value!r}   default {p.default!r}{mark}{shared}"
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
        lines.append("")
    if rule.escalate:
        lines.append("Severity escalation")
        for esc in rule.escalate:
            lines.append(f"  {esc.severity.value} when {esc.when.text}")
        lines.append("")
    if rule.supersedes:
        lines += [
            "Precedence",
            f"  when it fires, leaves out {', '.join(rule.supersedes)} (made moot by it)",
            "",
        ]
    if rule.docs.get("references"):
        lines += ["References", *_paragraphs(_doc_text(rule.docs["references"]), width - 2)]
    lines.append(f"Configure: [tool.fitdoctor.rule.{rule.code}] in pyproject.toml")
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------ plot, compare (issue 6)
class CompareFormat(str, Enum):
    """Formats of ``fitdoctor compare``."""

    auto = "auto"
    rich = "rich"
    text = "text"
    markdown = "markdown"
    json = "json"


class MonitorMode(str, Enum):
    """Directions ``--mode`` accepts."""

    min = "min"
    max = "max"


@app.command("plot")
def plot_cmd(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="History file: fitdoctor run JSON, Keras History JSON or CSV. Several "
            "files, or one cross-validation file: the folds, as mean and range.",
            show_default=False,
            metavar="RUN",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="PNG to write.",
            show_default="the first RUN with a .png suffix",
            dir_okay=False,
        ),
    ] = None,
    dpi: Annotated[
        int, typer.Option("--dpi", min=30, max=600, help="Resolution; the image is 11 in wide.")
    ] = 100,
    config: ConfigOpt = None,
    rule_dirs: RulesOpt = None,
    task: Annotated[
        Task | None,
        typer.Option("--task", help="Task type, for a history that does not record it."),
    ] = None,
    classes: Annotated[
        int | None,
        typer.Option(
            "--classes",
            min=1,
            metavar="N",
            help="Number of classes, for a history that does not record it.",
        ),
    ] = None,
) -> None:
    """Draw learning curves with the best epoch and the findings marked (needs matplotlib)."""
    try:
        settings = build_settings(config=config, rule_dirs=rule_dirs)
    except (ConfigError, OSError) as exc:
        fail(_error_line(exc))
    from fitdoctor.plot import plot_command

    code = plot_command(
        paths,
        output,
        settings=settings,
        dpi=dpi,
        task=task.value if task is not None else None,
        n_classes=classes,
    )
    raise typer.Exit(code)


@app.command("compare")
def compare_cmd(
    before: Annotated[
        Path,
        typer.Argument(help="The run before the change.", show_default=False, metavar="BEFORE"),
    ],
    after: Annotated[
        Path,
        typer.Argument(help="The run after the change.", show_default=False, metavar="AFTER"),
    ],
    output_format: Annotated[
        CompareFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format. auto: rich on a terminal, text when piped or when CI is set.",
        ),
    ] = CompareFormat.auto,
    fail_on_regression: Annotated[
        bool,
        typer.Option(
            "--fail-on-regression",
            help="Exit 1 when AFTER gains a warning or an error, or is worse than BEFORE on "
            "the monitored metric by more than its noise.",
        ),
    ] = False,
    monitor: Annotated[
        str | None,
        typer.Option(
            "--monitor",
            metavar="METRIC",
            help="Validation metric of the regression check, e.g. val_loss.",
            show_default="val accuracy (or AUC, MAE) when both runs log it, else val_loss",
        ),
    ] = None,
    mode: Annotated[
        MonitorMode | None,
        typer.Option("--mode", help="Whether a lower or higher METRIC is better.",
                     show_default="from the metric's name"),
    ] = None,
    config: ConfigOpt = None,
    rule_dirs: RulesOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the comparison to this file instead of stdout.",
            dir_okay=False,
        ),
    ] = None,
    width: Annotated[
        int | None,
        typer.Option(
            "--width", min=40, metavar="N", help="Line width.",
            show_default="the terminal's, else 100",
        ),
    ] = None,
) -> None:
    """Compare two runs: best val metric and loss, gap, findings fixed/new/stayed.

    Exit codes: 0, or 1 with --fail-on-regression when AFTER regresses; 2 when an input
    or the configuration cannot be used.
    """
    try:
        settings = build_settings(config=config, rule_dirs=rule_dirs)
    except (ConfigError, OSError) as exc:
        fail(_error_line(exc))
    from fitdoctor.compare import compare_command

    code = compare_command(
        before,
        after,
        output_format.value,
        fail_on_regression,
        monitor=monitor,
        mode=mode.value if mode is not None else None,
        settings=settings,
        output=output,
        width=width,
    )
    raise typer.Exit(code)


def main() -> None:
    """Entry point of the ``fitdoctor`` console script and ``python -m fitdoctor``."""
    (_single_command_app(sys.argv[1:]) or app)(prog_name="fitdoctor")


def _single_command_app(args: list[str]) -> typer.Typer | None:
    """An app holding only the command that ``args`` name, or ``None``.

    Typer inspects the signature of every command when it builds the command group;
    building just the one that runs keeps ``fitdoctor analyze`` quick to start. The
    root options (``--version``, ``--help``) and unknown names go through the full app.
    """
    if not args or args[0].startswith("-"):
        return None
    for info in app.registered_commands:
        callback = info.callback
        name = info.name or (callback.__name__.replace("_", "-") if callback else None)
        if name == args[0]:
            lean = typer.Typer(**_APP_SETTINGS)
            lean.callback()(_root)
            lean.registered_commands.append(info)
            return lean
    return None
