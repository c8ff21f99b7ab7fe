"""Rule declarations (``rules/*.toml``) and configuration (``[tool.fitdoctor]``).

A rule is data: code, name, diagnosis, default severity, the detector it uses and that
detector's parameters (defaults and docs), a one-line message template, ranked
recommendations and documentation. Templates are filled with :func:`render`, a
restricted formatter: ``{name}`` and ``{name:.3f}`` only, no attribute or index access,
nothing evaluated.

Configuration comes from ``fitdoctor.toml`` (top-level keys) or the ``[tool.fitdoctor]``
table of ``pyproject.toml``, found in the working directory or its parents, or named
with ``--config``::

    [tool.fitdoctor]
    select = ["FD1", "FD3"]        # code prefixes or rule names; default: all
    ignore = ["FD702"]
    fail-on = "warning"            # error | warning | info
    rules = ["ci/rules"]           # extra rule packs (folders of *.toml)

    [tool.fitdoctor.rule.FD101]    # per rule, by code or name
    min_rise = 0.15
    severity = "error"
"""

from __future__ import annotations

import difflib
import json
import math
import os
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fitdoctor.detectors.base import DetectorSpec, registry
from fitdoctor.errors import ConfigError
from fitdoctor.report import ACTIONS, DIAGNOSES, Severity
from fitdoctor.rule_model import (
    WORDED_FRAMEWORKS,
    Escalation,
    Param,
    RecommendationTemplate,
    Rule,
    Wording,
)
from fitdoctor.run import FRAMEWORKS
from fitdoctor.templates import (
    Condition,
    PartAlternative,
    parse_condition,
    render,
    template_fields,
)

__all__ = [
    "Condition", "Escalation", "Param", "PartAlternative", "RecommendationTemplate", "Rule",
    "Settings", "find_config", "load_rules", "parse_condition", "read_config", "render",
    "settings_from_mapping", "template_fields",
]


def _toml_loads(text: str) -> dict[str, Any]:
    """Parse TOML; the parser is imported only when a file must really be parsed.

    Raises:
        ValueError: The text is not TOML (``TOMLDecodeError`` is a ``ValueError``).
    """
    import tomllib  # only when a file is parsed: the built-in rules come from a cache
    data: dict[str, Any] = tomllib.loads(text)
    return data

def _builtin_rules_dir() -> Path:
    """``fitdoctor/rules`` in an installed wheel, the top-level ``rules/`` in a checkout."""
    packaged = Path(__file__).parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "rules"


#: The rule files shipped with fitdoctor (the wheel carries them inside the package).
BUILTIN_RULES_DIR = _builtin_rules_dir()

_RULE_KEYS = {
    "code", "name", "diagnosis", "severity", "detector", "summary", "message",
    "params", "recommendations", "escalate", "docs", "parts", "supersedes", "verdict",
    "folds", "leads", "error_rate",
}
#: How a rule reads a cross-validation (its ``folds`` key); see :class:`Rule`.
FOLD_MODES = ("each", "pooled")
_DOC_KEYS = {"what", "why", "try", "example", "references", "bad", "good"}
_CONFIG_KEYS = {"select", "ignore", "fail-on", "rules", "rule", "metrics", "framework"}


# ---------------------------------------------------------------------- loading
def _req(table: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in table:
        raise ConfigError(f"{where}: missing key {key!r}")
    value = table[key]
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: {key!r} must be a {kind.__name__}")
    return value


def _parse_rule(
    raw: Mapping[str, Any],
    origin: str,
    detectors: Mapping[str, DetectorSpec],
    shared: Mapping[str, Mapping[str, Any]] | None = None,
) -> Rule:
    where = f"{origin}: rule {raw.get('code', '?')}"
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
    code = _req(raw, "code", str, where)
    if not (code.startswith("FD") or code[:1].isalpha()) or not code[-3:].isdigit():
        raise ConfigError(f"{where}: code must look like FD123")
    name = _req(raw, "name", str, where)
    if name != name.lower() or " " in name or "_" in name:
        raise ConfigError(f"{where}: name {name!r} must be kebab-case")
    diagnosis = _req(raw, "diagnosis", str, where)
    if diagnosis not in DIAGNOSES:
        raise ConfigError(f"{where}: unknown diagnosis {diagnosis!r}")
    try:
        severity = Severity.parse(_req(raw, "severity", str, where))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    det_name = _req(raw, "detector", str, where)
    if det_name not in detectors:
        raise ConfigError(f"{where}: unknown detector {det_name!r}")
    det = detectors[det_name]
    params: dict[str, Param] = {}
    own = raw.get("params", {})
    if not isinstance(own, dict):
        raise ConfigError(f"{where}: params must be a table")
    for pname, pdecl in own.items():
        if pname not in det.params:
            raise ConfigError(f"{where}: detector {det_name!r} has no parameter {pname!r}")
        params[pname] = _parse_param(pname, pdecl, det.params[pname], f"{where}: parameter")
    for pname, pdecl in (shared or {}).items():
        if pname in det.params and pname not in params:
            param = _parse_param(pname, pdecl, det.params[pname], f"{origin}: shared parameter")
            params[pname] = replace(param, shared=True)
    missing = sorted(set(det.params) - set(params))
    if missing:
        raise ConfigError(f"{where}: parameter {missing[0]!r} of {det_name!r} is not declared")
    message = _req(raw, "message", str, where)
    template_fields(message)
    parts = _parse_parts(raw.get("parts", {}), where)
    recs = []
    for i, rec in enumerate(_tables(raw, "recommendations", where)):
        rwhere = f"{where}: recommendation {i + 1}"
        action = _req(rec, "action", str, rwhere)
        if action not in ACTIONS:
            raise ConfigError(f"{rwhere}: unknown action {action!r}")
        extra = sorted(set(rec) - {"action", "text", "fallback", "when", *WORDED_FRAMEWORKS})
        if extra:
            raise ConfigError(f"{rwhere}: unknown key {extra[0]!r}")
        # Keras's wording is the recommendation's own text and fallback
        keras = _parse_wording({k: rec[k] for k in ("text", "fallback") if k in rec}, rwhere)
        when = parse_condition(rec["when"], rwhere) if "when" in rec else None
        wordings = {
            fw: _parse_wording(rec[fw], f"{rwhere}: {fw}") for fw in WORDED_FRAMEWORKS if fw in rec
        }
        recs.append(RecommendationTemplate(action, keras.text, keras.fallback, when, wordings))
    escalate = [_parse_escalation(esc, params, where) for esc in _tables(raw, "escalate", where)]
    supersedes = raw.get("supersedes", [])
    if not isinstance(supersedes, list) or not all(isinstance(c, str) for c in supersedes):
        raise ConfigError(f"{where}: supersedes must be a list of rule codes")
    verdict = raw.get("verdict", "")
    if not isinstance(verdict, str):
        raise ConfigError(f"{where}: verdict must be a string")
    docs = raw.get("docs", {})
    if not isinstance(docs, dict) or sorted(set(docs) - _DOC_KEYS):
        raise ConfigError(f"{where}: docs may only have {', '.join(sorted(_DOC_KEYS))}")
    leads = raw.get("leads", False)
    if not isinstance(leads, bool):
        raise ConfigError(f"{where}: leads must be true or false")
    error_rate = raw.get("error_rate", False)
    if not isinstance(error_rate, bool):
        raise ConfigError(f"{where}: error_rate must be true or false")
    folds = raw.get("folds", "each")
    if folds not in FOLD_MODES:
        raise ConfigError(f"{where}: folds must be one of {', '.join(FOLD_MODES)}, got {folds!r}")
    return Rule(
        code=code,
        name=name,
        diagnosis=diagnosis,
        severity=severity,
        detector=det,
        summary=str(raw.get("summary", "")),
        message=message,
        params=params,
        values={p.name: p.default for p in params.values()},
        recommendations=recs,
        escalate=escalate,
        docs=docs,
        origin=origin,
        parts=parts,
        supersedes=list(supersedes),
        verdict=verdict,
        folds=folds,
        leads=leads,
        error_rate=error_rate,
    )


def _parse_wording(raw: Any, where: str) -> Wording:
    """A recommendation's wording: a table of ``text`` and an optional ``fallback``.

    Keras's is the recommendation's own two keys; another framework's is its table
    (``[rule.recommendations.lightning]``).
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table with text (and fallback)")
    extra = sorted(set(raw) - {"text", "fallback"})
    if extra:
        raise ConfigError(f"{where}: unknown key {extra[0]!r}")
    text = _req(raw, "text", str, where)
    template_fields(text)
    fallback = raw.get("fallback")
    if fallback is not None:
        if not isinstance(fallback, str):
            raise ConfigError(f"{where}: 'fallback' must be a str")
        template_fields(fallback)
    return Wording(text, fallback)


def _tables(raw: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """``raw[key]``, an array of tables (``[[rule.KEY]]``), or none; ConfigError otherwise."""
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{where}: {key} must be an array of tables ([[rule.{key}]])")
    return value


def _parse_param(name: str, decl: Any, ptype: type, where: str) -> Param:
    if not isinstance(decl, dict) or "default" not in decl:
        raise ConfigError(f"{where} {name!r} needs a default")
    extra = sorted(set(decl) - {"default", "doc", "min", "max"})
    if extra:
        raise ConfigError(f"{where} {name!r}: unknown key {extra[0]!r}")
    default = _coerce(decl["default"], ptype, f"{where} {name!r}")
    bounds: dict[str, float | None] = {"min": None, "max": None}
    for key in bounds:
        if key not in decl:
            continue
        if ptype not in (int, float):
            raise ConfigError(f"{where} {name!r}: {key} is only for numbers")
        bounds[key] = _coerce(decl[key], ptype, f"{where} {name!r}: {key}")
    low, high = bounds["min"], bounds["max"]
    if low is not None and high is not None and low > high:
        raise ConfigError(f"{where} {name!r}: min {low!r} is above max {high!r}")
    param = Param(name, default, ptype, str(decl.get("doc", "")), min=low, max=high)
    param.check(default, f"{where} {name!r}: default")
    return param


def _parse_parts(raw: Any, where: str) -> dict[str, list[PartAlternative]]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: parts must be a table of lists")
    parts: dict[str, list[PartAlternative]] = {}
    for pname, alternatives in raw.items():
        pwhere = f"{where}: part {pname!r}"
        if not str(pname).isidentifier():
            raise ConfigError(f"{pwhere}: a part name must be a plain name")
        if isinstance(alternatives, dict):
            alternatives = [alternatives]
        if not isinstance(alternatives, list) or not alternatives:
            raise ConfigError(f"{pwhere}: must be a list of {{text, when}} tables")
        parsed = []
        for alt in alternatives:
            if not isinstance(alt, dict):
                raise ConfigError(f"{pwhere}: must be a list of {{text, when}} tables")
            extra = sorted(set(alt) - {"text", "when"})
            if extra:
                raise ConfigError(f"{pwhere}: unknown key {extra[0]!r}")
            text = _req(alt, "text", str, pwhere)
            template_fields(text)
            when = parse_condition(alt["when"], pwhere) if "when" in alt else None
            parsed.append(PartAlternative(text, when))
        parts[str(pname)] = parsed
    return parts


def _parse_escalation(esc: Any, params: Mapping[str, Param], where: str) -> Escalation:
    if not isinstance(esc, dict):
        raise ConfigError(f"{where}: escalate entries must be tables")
    extra = sorted(set(esc) - {"key", "at_least", "when", "severity"})
    if extra:
        raise ConfigError(f"{where}: escalate: unknown key {extra[0]!r}")
    try:
        severity = Severity.parse(str(esc.get("severity", "")))
    except ValueError as exc:
        raise ConfigError(f"{where}: escalate: {exc}") from None
    if "when" in esc:
        when = parse_condition(esc["when"], f"{where}: escalate")
    else:
        at_least = esc.get("at_least")
        if isinstance(at_least, bool) or not isinstance(at_least, (int, float, str)):
            raise ConfigError(
                f"{where}: escalate needs when, or key and at_least (number or parameter name)"
            )
        key = str(_req(esc, "key", str, where))
        threshold: float | str = at_least if isinstance(at_least, str) else float(at_least)
        when = Condition(key, ">=", threshold, f"{key} >= {at_least}")
    named = when.operand
    if isinstance(named, str) and when.op not in ("==", "!=") and named not in params:
        raise ConfigError(f"{where}: escalate refers to unknown parameter {named!r}")
    return Escalation(when, severity)


#: How a configuration error names a parameter's type ("must be an integer, got 2.5").
_KIND_NAMES: dict[type, str] = {int: "an integer", float: "a number", str: "a string"}


def _coerce(value: Any, ptype: type, where: str) -> Any:
    """``value`` as a parameter of type ``ptype``: floats finite, never a bool for a number."""
    if ptype is float and isinstance(value, int) and not isinstance(value, bool):
        try:
            value = float(value)
        except OverflowError:
            raise ConfigError(f"{where} must be a finite number, got {value!r}") from None
    if ptype is bool and not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if not isinstance(value, ptype) or (ptype is int and isinstance(value, bool)):
        kind = _KIND_NAMES.get(ptype, f"a {ptype.__name__}")
        raise ConfigError(f"{where} must be {kind}, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where} must be a finite number, got {value!r}")
    return value


#: Parsed rule files by (path, modification time, size): analyzing many runs in one
#: process parses each file once. Callers get copies (configuration mutates rules).
_FILE_CACHE: dict[tuple[str, int, int], list[Rule]] = {}


def _disk_cache(path: Path, stat: os.stat_result) -> Path | None:
    """Where the parsed form of a built-in rule file is cached, or ``None`` (not cached).

    Parsing TOML is most of the cost of loading the rules at start-up (``tomllib`` is
    pure Python); the built-in files are parsed once and kept as JSON in the user's cache
    folder (``$XDG_CACHE_HOME/fitdoctor``, else ``~/.cache/fitdoctor``), keyed by the
    file's path, size and modification time. ``FITDOCTOR_NO_CACHE=1`` turns this off.
    """
    if os.environ.get("FITDOCTOR_NO_CACHE") or path.parent != BUILTIN_RULES_DIR:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    tag = f"{zlib.crc32(str(path.resolve()).encode()):08x}-{stat.st_size}-{stat.st_mtime_ns}"
    return Path(base) / "fitdoctor" / f"rules-{path.stem}-{tag}.json"


def _read_toml(path: Path, stat: os.stat_result) -> dict[str, Any]:
    cache = _disk_cache(path, stat)
    if cache is not None:
        try:
            data = json.loads(cache.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                return data
        except (OSError, ValueError):
            pass
    data = _toml_loads(path.read_text(encoding="utf-8-sig"))
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, cache)
        except (OSError, TypeError, ValueError):
            pass  # a cache that cannot be written is only slower
    return data


def _load_file(path: Path, detectors: Mapping[str, DetectorSpec]) -> list[Rule]:
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        cached = _FILE_CACHE.get(key)
        if cached is None:
            data = _read_toml(path, stat)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if cached is None:
        extra = sorted(set(data) - {"rule", "params"})
        if extra:
            raise ConfigError(f"{path}: unknown top-level key {extra[0]!r}")
        shared = data.get("params", {})
        if not isinstance(shared, dict):
            raise ConfigError(f"{path}: params must be a table")
        tables = data.get("rule", [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise ConfigError(f"{path}: rule must be an array of tables ([[rule]])")
        cached = [_parse_rule(raw, str(path.name), detectors, shared) for raw in tables]
        _FILE_CACHE[key] = cached
    return [replace(rule, values=dict(rule.values)) for rule in cached]


def load_rules(extra_dirs: Iterable[Path] = ()) -> list[Rule]:
    """Load the built-in rules and any extra rule packs.

    Args:
        extra_dirs: Folders of ``*.toml`` rule files to add. Defaults to none.

    Returns:
        Rules sorted by code.

    Raises:
        ConfigError: A file cannot be read, a rule is malformed, or a code or name repeats.
    """
    detectors = registry()
    dirs = [BUILTIN_RULES_DIR, *extra_dirs]
    rules: list[Rule] = []
    ranges: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for d in dirs:
        if not d.is_dir():
            raise ConfigError(f"rule pack {str(d)!r} is not a folder")
        files = sorted(d.glob("*.toml"))
        if not files and d != BUILTIN_RULES_DIR:
            raise ConfigError(f"rule pack {str(d)!r} has no *.toml files")
        for path in files:
            loaded = _load_file(path, detectors)
            if d == BUILTIN_RULES_DIR:
                _collect_ranges(loaded, ranges)
            else:
                loaded = [_inherit_ranges(rule, ranges) for rule in loaded]
            rules.extend(loaded)
    seen: dict[str, str] = {}
    for r in rules:
        for key in (r.code, r.name):
            if key in seen:
                raise ConfigError(f"duplicate rule {key!r} ({seen[key]} and {r.origin})")
            seen[key] = r.origin
    _check_precedence(rules)
    return sorted(rules, key=lambda r: r.code)


def _collect_ranges(
    rules: Iterable[Rule], ranges: dict[tuple[str, str], tuple[float | None, float | None]]
) -> None:
    """Record the widest range the built-in rules declare for each detector parameter."""
    for rule in rules:
        for param in rule.params.values():
            key = (rule.detector.name, param.name)
            low, high = ranges.get(key, (param.min, param.max))
            ranges[key] = (
                None if low is None or param.min is None else min(low, param.min),
                None if high is None or param.max is None else max(high, param.max),
            )


def _inherit_ranges(
    rule: Rule, ranges: Mapping[tuple[str, str], tuple[float | None, float | None]]
) -> Rule:
    """A rule pack's rule, its undeclared ranges taken from the built-in rules.

    A pack reuses the built-in detectors; a parameter it declares without ``min`` or
    ``max`` gets the range the built-in rules declare for the same detector parameter
    (the widest, when several do), and its default must lie within it.
    """
    params = dict(rule.params)
    for name, param in rule.params.items():
        if param.min is not None or param.max is not None:
            continue
        low, high = ranges.get((rule.detector.name, name), (None, None))
        if low is None and high is None:
            continue
        params[name] = replace(param, min=low, max=high)
        params[name].check(param.default, f"{rule.origin}: rule {rule.code}: default")
    return replace(rule, params=params)


def _check_precedence(rules: list[Rule]) -> None:
    """Every ``supersedes`` names a known rule (by code), and precedence has no cycle."""
    codes = {r.code: r for r in rules}
    names = {r.name: r.code for r in rules}
    for r in rules:
        resolved = []
        for key in r.supersedes:
            code = key if key in codes else names.get(key)
            if code is None:
                raise ConfigError(f"{r.origin}: rule {r.code} supersedes unknown rule {key!r}")
            if code == r.code:
                raise ConfigError(f"{r.origin}: rule {r.code} supersedes itself")
            resolved.append(code)
        r.supersedes = resolved
    state: dict[str, int] = {}

    def visit(code: str, path: list[str]) -> None:
        if state.get(code) == 2:
            return
        if state.get(code) == 1:
            cycle = " → ".join([*path[path.index(code):], code])
            raise ConfigError(f"rule precedence has a cycle: {cycle}")
        state[code] = 1
        for nxt in codes[code].supersedes:
            visit(nxt, [*path, code])
        state[code] = 2

    for code in codes:
        visit(code, [])


# ------------------------------------------------------------------ settings
@dataclass
class Settings:
    """What to run and how to judge it.

    Args:
        select: Code prefixes or rule names to run. Defaults to `None` (all rules).
        ignore: Code prefixes or rule names to skip. Defaults to none.
        fail_on: Lowest severity that makes the CLI exit 1. Defaults to `error`.
        fail_on_set: The configuration file (or ``--fail-on``) set ``fail_on``:
            ``fitdoctor compare``, which exits 0 unless asked, gates only then.
            Defaults to `False`.
        rule_options: Per rule (code or name): parameter values and ``severity``
            (the severity of each of its findings: the rule's declared escalations
            then do not apply).
        rule_dirs: Extra rule packs. Defaults to none.
        config_path: The configuration file these came from, if any.
        metric_map: Logged metric name → the Keras name to read it as
            (``[tool.fitdoctor.metrics]``, ``--metric-map``); ``""`` leaves it out.
        framework: The framework of the runs whose source does not say
            (``[tool.fitdoctor] framework``): the advice's code is written in it;
            ``""`` when not configured.
        framework_override: The framework of every run, whatever its source says
            (``--framework``); ``""`` when not given.
    """

    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    fail_on: Severity = Severity.ERROR
    fail_on_set: bool = False
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    rule_dirs: list[Path] = field(default_factory=list)
    config_path: Path | None = None
    metric_map: dict[str, str] = field(default_factory=dict)
    framework: str = ""
    framework_override: str = ""

    def rules(self) -> list[Rule]:
        """The rules in force: loaded, configured and filtered by select/ignore."""
        rules = load_rules(self.rule_dirs)
        origin = f"{self.config_path}: " if self.config_path is not None else ""
        known = {r.code for r in rules} | {r.name for r in rules}
        for sel in [*(self.select or []), *self.ignore]:
            if sel != "ALL" and not any(_matches(r, sel) for r in rules):
                raise ConfigError(f"unknown rule {sel!r} in select/ignore")
        by_key = {r.code: r for r in rules} | {r.name: r for r in rules}
        for key, options in self.rule_options.items():
            if key not in known:
                raise ConfigError(f"{origin}unknown rule {key!r} in configuration")
            rule = by_key[key]
            for opt, value in options.items():
                if opt == "severity":
                    try:
                        rule.severity = Severity.parse(str(value))
                    except ValueError as exc:
                        raise ConfigError(f"{origin}rule {key}: {exc}") from None
                    # the configured severity is every finding's: the rule's own
                    # escalations refine its default, and would override the user's
                    # choice (FD102 configured "error" came out a warning, "info" too)
                    rule.escalate = []
                elif opt in rule.params:
                    param = rule.params[opt]
                    where = f"{origin}rule {key}:"
                    coerced = _coerce(value, param.type, f"{where} {opt}")
                    param.check(coerced, where)
                    rule.values[opt] = coerced
                else:
                    close = difflib.get_close_matches(opt, [*rule.params, "severity"], n=1)
                    hint = f"did you mean {close[0]!r}? " if close else ""
                    raise ConfigError(
                        f"{origin}rule {key} has no parameter {opt!r} ({hint}"
                        f"`fitdoctor explain {rule.code}` lists them)"
                    )
        chosen = [
            r for r in rules
            if (self.select is None or any(_matches(r, s) for s in self.select))
            and not any(_matches(r, s) for s in self.ignore)
        ]
        return chosen


def _matches(rule: Rule, selector: str) -> bool:
    """``selector`` names ``rule``: ``ALL``, its name, or a prefix of its code (never ``""``)."""
    return selector == "ALL" or rule.name == selector or (
        bool(selector) and rule.code.startswith(selector)
    )


def find_config(start: Path) -> Path | None:
    """The nearest ``fitdoctor.toml``, or ``pyproject.toml`` with ``[tool.fitdoctor]``.

    Raises:
        ConfigError: A ``pyproject.toml`` on the way cannot be parsed.
    """
    for folder in [start, *start.parents]:
        own = folder / "fitdoctor.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8-sig")
                if "fitdoctor" not in text:  # cannot hold [tool.fitdoctor]: no need to parse
                    continue
                data = _toml_loads(text)
            except (OSError, ValueError) as exc:
                # a broken pyproject.toml may hold the configuration: never guess around it
                raise ConfigError(f"config file {str(pyproject)!r}: {exc}") from None
            if "fitdoctor" in _tool_table(data, pyproject):
                return pyproject
    return None


def read_config(path: Path) -> Settings:
    """Read settings from a ``fitdoctor.toml`` or ``pyproject.toml``.

    Args:
        path: The file.

    Returns:
        The settings it declares.

    Raises:
        ConfigError: Unreadable file, unknown key or bad value.
    """
    try:
        data = _toml_loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} not found") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"config file {str(path)!r}: {exc}") from None
    if path.name == "pyproject.toml":
        data = _tool_table(data, path).get("fitdoctor", {})
        if not isinstance(data, dict):
            raise ConfigError(f"config file {str(path)!r}: [tool.fitdoctor] must be a table")
    return settings_from_mapping(data, base=path.parent, origin=str(path))


def _tool_table(data: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    """The ``[tool]`` table of a parsed ``pyproject.toml`` (empty when it has none)."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"config file {str(path)!r}: tool must be a table ([tool.fitdoctor])")
    return tool


def settings_from_mapping(data: Mapping[str, Any], *, base: Path, origin: str) -> Settings:
    """Build :class:`Settings` from a parsed configuration table."""
    unknown = sorted(set(data) - _CONFIG_KEYS)
    if unknown:
        hint = ""
        tool = data.get("tool")
        if unknown[0] == "tool" and isinstance(tool, dict) and "fitdoctor" in tool:
            # pyproject.toml's [tool.fitdoctor] pasted into a fitdoctor.toml
            hint = (" (a fitdoctor.toml holds the keys at its top level: [rule.FD101], not "
                    "[tool.fitdoctor.rule.FD101]; [tool.fitdoctor] belongs in pyproject.toml)")
        raise ConfigError(f"{origin}: unknown key {unknown[0]!r}{hint}")
    settings = Settings(config_path=Path(origin))
    if "select" in data:
        settings.select = _str_list(data["select"], f"{origin}: select")
        if not settings.select:
            raise ConfigError(
                f"{origin}: select = [] selects no rule; leave select out to run every "
                'rule, or name the rules to run (select = ["FD1", "FD4"])'
            )
    if "ignore" in data:
        settings.ignore = _str_list(data["ignore"], f"{origin}: ignore")
    if "fail-on" in data:
        try:
            settings.fail_on = Severity.parse(str(data["fail-on"]))
            settings.fail_on_set = True
        except ValueError as exc:
            raise ConfigError(f"{origin}: fail-on: {exc}") from None
    if "rules" in data:
        settings.rule_dirs = [base / p for p in _str_list(data["rules"], f"{origin}: rules")]
    rule_table = data.get("rule", {})
    if not isinstance(rule_table, dict):
        raise ConfigError(f"{origin}: rule must be a table")
    for key, options in rule_table.items():
        if not isinstance(options, dict):
            raise ConfigError(f"{origin}: rule.{key} must be a table")
        settings.rule_options[str(key)] = dict(options)
    metrics = data.get("metrics", {})
    if not isinstance(metrics, dict) or not all(
        isinstance(v, str) for v in metrics.values()
    ):
        raise ConfigError(
            f"{origin}: metrics must be a table of logged name = \"keras_name\" "
            '(e.g. dev_loss = "val_loss")'
        )
    settings.metric_map = {str(k): v for k, v in metrics.items()}
    if "framework" in data:
        framework = data["framework"]
        if framework not in FRAMEWORKS:
            raise ConfigError(
                f"{origin}: framework = {framework!r}; expected one of {', '.join(FRAMEWORKS)}"
            )
        settings.framework = framework
    return settings


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    if any(not v.strip() for v in value):
        raise ConfigError(f"{where} holds an empty string")
    return list(value)
