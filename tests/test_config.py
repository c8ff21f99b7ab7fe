"""Configuration: discovery, select/ignore/fail-on, rule options, rule packs, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fitdoctor import cli
from fitdoctor.detectors import base
from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.errors import ConfigError
from fitdoctor.report import Severity
from fitdoctor.rules import Settings, find_config, load_rules, read_config

runner = CliRunner()
ENV = {"NO_COLOR": "1", "CI": None, "GITHUB_ACTIONS": None, "GITHUB_STEP_SUMMARY": None}


def overfit_history(n: int = 30) -> dict[str, list[float]]:
    loss = [1.0 * 0.85**i for i in range(n)]
    val = [0.9 * 0.85**i for i in range(10)]
    val += [val[-1] * (1 + 0.06 * (i - 9)) for i in range(10, n)]
    return {"loss": loss, "val_loss": val}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (the working directory) holding an overfitting history."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "overfit.json").write_text(json.dumps(overfit_history()), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def analyze(*args: str | Path) -> Any:
    return runner.invoke(cli.app, ["analyze", "overfit.json", "--format", "json",
                                   *map(str, args)], env=ENV)


def codes(result: Any) -> set[str]:
    assert result.exit_code in (0, 1), (result.stdout, result.stderr)
    return {f["code"] for f in json.loads(result.stdout)["findings"]}


def finding(result: Any, code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        f for f in json.loads(result.stdout)["findings"] if f["code"] == code
    )
    return found


def assert_config_error(result: Any, *needles: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fitdoctor: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert "Traceback" not in result.output


def pyproject(root: Path, body: str) -> Path:
    path = root / "pyproject.toml"
    path.write_text('[project]\nname = "demo"\n\n[tool.fitdoctor]\n' + body, encoding="utf-8")
    return path


# ---------------------------------------------------------------- discovery
def test_no_config_runs_every_rule(project: Path) -> None:
    assert find_config(project) is None
    assert "FD101" in codes(analyze())


def test_pyproject_tool_table(project: Path) -> None:
    pyproject(project, 'select = ["FD1"]\nignore = ["FD102"]\n')
    assert find_config(project) == project / "pyproject.toml"
    assert codes(analyze()) == {"FD101"}


def test_pyproject_without_tool_table_is_not_a_config(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_config(project) != project / "pyproject.toml"


def test_fitdoctor_toml_wins_over_pyproject(project: Path) -> None:
    pyproject(project, 'select = ["FD4"]\n')
    (project / "fitdoctor.toml").write_text('select = ["FD101"]\n', encoding="utf-8")
    assert find_config(project) == project / "fitdoctor.toml"
    assert codes(analyze()) == {"FD101"}


def test_config_found_from_a_subfolder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "fitdoctor.toml").write_text('select = ["FD101"]\n', encoding="utf-8")
    sub = project / "runs" / "today"
    sub.mkdir(parents=True)
    (sub / "overfit.json").write_text(json.dumps(overfit_history()), encoding="utf-8")
    monkeypatch.chdir(sub)
    assert codes(analyze()) == {"FD101"}


def test_explicit_config_wins_over_discovered(project: Path, tmp_path: Path) -> None:
    (project / "fitdoctor.toml").write_text('select = ["FD4"]\n', encoding="utf-8")
    other = tmp_path / "ci.toml"
    other.write_text('select = ["FD101"]\n', encoding="utf-8")
    assert codes(analyze()) == set()
    assert codes(analyze("--config", other)) == {"FD101"}


# ---------------------------------------------------------------- select, ignore, fail-on
def test_cli_select_replaces_config_select(project: Path) -> None:
    (project / "fitdoctor.toml").write_text('select = ["FD4"]\n', encoding="utf-8")
    assert codes(analyze("--select", "FD101")) == {"FD101"}


def test_cli_ignore_adds_to_config_ignore(project: Path) -> None:
    (project / "fitdoctor.toml").write_text('select = ["FD1"]\nignore = ["FD102", "FD103"]\n',
                                            encoding="utf-8")
    assert codes(analyze()) == {"FD101"}
    # ignoring the last selected rule leaves nothing to check: refused, never "healthy"
    assert_config_error(analyze("--ignore", "FD101"), "no rule left to run")


def test_config_fail_on_and_cli_override(project: Path) -> None:
    (project / "fitdoctor.toml").write_text('select = ["FD101"]\nfail-on = "warning"\n',
                                            encoding="utf-8")
    assert analyze().exit_code == 1
    assert analyze("--fail-on", "error").exit_code == 0
    assert analyze("--exit-zero").exit_code == 0


# ---------------------------------------------------------------- rule options
def test_rule_parameter_changes_the_verdict(project: Path) -> None:
    assert "FD101" in codes(analyze("--select", "FD101"))
    (project / "fitdoctor.toml").write_text("[rule.FD101]\nmin_rise = 50.0\n", encoding="utf-8")
    assert codes(analyze("--select", "FD101")) == set()


def test_rule_options_by_name(project: Path) -> None:
    name = next(r.name for r in load_rules() if r.code == "FD101")
    pyproject(project, f'[tool.fitdoctor.rule.{name}]\nseverity = "error"\n')
    result = analyze("--select", "FD101")
    assert result.exit_code == 1
    assert finding(result, "FD101")["severity"] == "error"


def test_severity_override(project: Path) -> None:
    (project / "fitdoctor.toml").write_text('[rule.FD101]\nseverity = "info"\n',
                                            encoding="utf-8")
    result = analyze("--select", "FD101", "--fail-on", "warning")
    assert result.exit_code == 0
    assert finding(result, "FD101")["severity"] == "info"


def test_explain_and_rules_show_configured_values(project: Path) -> None:
    (project / "fitdoctor.toml").write_text(
        '[rule.FD101]\nmin_rise = 0.25\nseverity = "error"\n', encoding="utf-8"
    )
    data = json.loads(runner.invoke(cli.app, ["explain", "FD101", "-f", "json"], env=ENV).stdout)
    min_rise = next(p for p in data["params"] if p["name"] == "min_rise")
    assert min_rise["value"] == 0.25
    assert min_rise["default"] == next(
        r for r in load_rules() if r.code == "FD101"
    ).params["min_rise"].default
    assert data["severity"] == "error" and data["default_severity"] == "warning"
    text = runner.invoke(cli.app, ["explain", "FD101"], env=ENV).stdout
    assert "min_rise" in text and "0.25" in text and "configured" in text
    table = runner.invoke(cli.app, ["rules"], env=ENV).stdout
    assert any(line.startswith("FD101") and " error " in line for line in table.splitlines())


def test_explain_says_when_the_configuration_leaves_the_rule_out(project: Path) -> None:
    """misc7: with ``ignore = ["FD702"]``, ``explain FD702`` read as if the rule ran."""
    pyproject(project, 'ignore = ["FD702"]\nselect = ["FD1", "FD7"]\n')
    config = project / "pyproject.toml"
    for code, runs in (("FD702", False), ("FD301", False), ("FD101", True)):
        text = runner.invoke(cli.app, ["explain", code], env=ENV).stdout
        assert ("not run under this configuration: left out by the select/ignore of "
                f"{config}" in text) is not runs, text
        data = json.loads(runner.invoke(cli.app, ["explain", code, "-f", "json"],
                                        env=ENV).stdout)
        assert data["selected"] is runs


def test_explain_says_a_configured_severity_turns_the_escalations_off(project: Path) -> None:
    """review7: with FD102's severity configured "info" (its default), explain still read
    as if its gap escalated to a warning at 0.2."""
    pyproject(project, '[tool.fitdoctor.rule.FD102]\nseverity = "info"\n')
    text = runner.invoke(cli.app, ["explain", "FD102"], env=ENV).stdout
    assert "severity: info (configured)" in text
    assert "the escalations described below do not apply" in text
    pyproject(project, "")
    text = runner.invoke(cli.app, ["explain", "FD102"], env=ENV).stdout
    assert "(configured)" not in text and "escalations described below" not in text


def test_settings_api() -> None:
    settings = Settings(select=["FD1"], ignore=["FD102", "FD103"],
                        rule_options={"FD101": {"min_rise": 0.3, "severity": "error"}})
    rules = settings.rules()
    assert [r.code for r in rules] == ["FD101"]
    assert rules[0].values["min_rise"] == 0.3
    assert rules[0].severity is Severity.ERROR


# ---------------------------------------------------------------- rule packs
def rule_pack(folder: Path, code: str = "CI101", name: str = "val-loss-rising-strict",
              detector_name: str = "val-loss-divergence", severity: str = "error",
              params: dict[str, Any] | None = None, extra: str = "") -> Path:
    """A one-rule pack reusing ``detector_name`` with other parameters."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = base.registry().get(detector_name)
    declared = dict(params or {})
    if spec is not None:
        users = [r for r in load_rules() if r.detector.name == detector_name]
        for pname in spec.params:
            if users:
                declared.setdefault(pname, users[0].values[pname])
    lines = [
        "[[rule]]", f'code = "{code}"', f'name = "{name}"', 'diagnosis = "overfitting"',
        f'severity = "{severity}"', f'detector = "{detector_name}"',
        'summary = "Validation loss rises at all"',
        'message = "val_loss rose {rise_pct}% from epoch {val_best_epoch}"', extra,
    ]
    for pname, value in declared.items():
        lines += [f"[rule.params.{pname}]", f"default = {json.dumps(value)}",
                  f'doc = "{pname} for CI"']
    lines += ["[[rule.recommendations]]", 'action = "early-stopping"',
              'text = "Stop at epoch {stop_epoch}"',
              "[rule.docs]", 'what = "A stricter FD101 for CI."']
    (folder / "pack.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_rule_pack_via_cli(project: Path, tmp_path: Path) -> None:
    pack = rule_pack(tmp_path / "pack", params={"min_rise": 0.02})
    result = analyze("--rules", pack, "--select", "CI101,FD101")
    assert codes(result) == {"CI101", "FD101"}
    assert result.exit_code == 1  # CI101 is an error
    ci = finding(result, "CI101")
    assert ci["message"].startswith("val_loss rose ")
    assert ci["recommendations"][0]["action"] == "early-stopping"
    explained = runner.invoke(cli.app, ["explain", "ci101", "--rules", str(pack)], env=ENV)
    assert explained.exit_code == 0 and "A stricter FD101 for CI." in explained.stdout
    listed = runner.invoke(cli.app, ["rules", "--rules", str(pack)], env=ENV)
    assert "CI101" in listed.stdout


def test_rule_pack_parameters_matter(project: Path, tmp_path: Path) -> None:
    pack = rule_pack(tmp_path / "pack", params={"min_rise": 100.0})
    assert codes(analyze("--rules", pack, "--select", "CI101")) == set()


def test_rule_pack_via_config_relative_to_the_config(project: Path) -> None:
    rule_pack(project / "ci" / "rules")
    pyproject(project, 'rules = ["ci/rules"]\nselect = ["CI101"]\n')
    assert codes(analyze()) == {"CI101"}


# ---------------------------------------------------------------- errors
CONFIG_ERRORS = {
    "unknown-key": ('selct = ["FD1"]\n', "selct"),
    "unknown-rule-options": ("[rule.FD999]\nmin_rise = 0.1\n", "FD999"),
    "unknown-rule-select": ('select = ["FD999"]\n', "FD999"),
    "unknown-rule-ignore": ('ignore = ["not-a-rule"]\n', "not-a-rule"),
    "unknown-parameter": ("[rule.FD101]\nmin_rize = 0.1\n", "min_rize"),
    "bad-parameter-type": ('[rule.FD101]\nmin_rise = "high"\n', "min_rise"),
    "bad-severity": ('[rule.FD101]\nseverity = "fatal"\n', "fatal"),
    "bad-fail-on": ('fail-on = "critical"\n', "critical"),
    "not-toml": ("select = [\n", "fitdoctor.toml"),
    "missing-pack": ('rules = ["no/such/dir"]\n', "no/such/dir"),
}


@pytest.mark.parametrize("case", sorted(CONFIG_ERRORS))
def test_config_errors_exit_2(project: Path, case: str) -> None:
    body, needle = CONFIG_ERRORS[case]
    (project / "fitdoctor.toml").write_text(body, encoding="utf-8")
    assert_config_error(analyze(), needle)
    assert_config_error(runner.invoke(cli.app, ["rules"], env=ENV), needle)
    with pytest.raises(ConfigError, match=needle.replace("/", ".")):
        read_config(project / "fitdoctor.toml").rules()


def test_missing_explicit_config(project: Path) -> None:
    assert_config_error(analyze("--config", "nope.toml"), "nope.toml")


PACK_ERRORS: dict[str, tuple[dict[str, Any], str]] = {
    "unknown-detector": (dict(detector_name="no-such-detector"), "no-such-detector"),
    "duplicate-code": (dict(code="FD101"), "FD101"),
    "duplicate-name": ({}, "duplicate"),  # name of FD101, filled in by the test
    "bad-severity": (dict(severity="critical"), "critical"),
    "unknown-parameter": (dict(params={"min_rize": 0.1}), "min_rize"),
    "unknown-key": (dict(extra='colour = "red"'), "colour"),
}


@pytest.mark.parametrize("case", sorted(PACK_ERRORS))
def test_rule_pack_errors_exit_2(project: Path, tmp_path: Path, case: str) -> None:
    kwargs, needle = PACK_ERRORS[case]
    if case == "duplicate-name":
        kwargs = {"name": next(r.name for r in load_rules() if r.code == "FD101")}
    pack = rule_pack(tmp_path / "pack", **kwargs)
    assert_config_error(analyze("--rules", pack), needle)
    with pytest.raises(ConfigError, match=needle):
        load_rules([pack])


def test_rule_pack_must_be_a_folder_of_toml(project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty_pack"
    empty.mkdir()
    assert_config_error(analyze("--rules", empty), "empty_pack")
    assert analyze("--rules", tmp_path / "absent").exit_code == 2


# ---------------------------------------------------------------- a crashing detector
@pytest.fixture
def crashing_detector() -> Iterator[str]:
    name = "test-crashing-detector"

    def crash(ctx: Context, *, factor: float) -> Evidence | None:
        """Divide by zero on purpose."""
        return Evidence({"ratio": factor / (len(ctx.epochs) - len(ctx.epochs))})

    detector(name)(crash)
    try:
        yield name
    finally:
        base._REGISTRY.pop(name, None)


def test_crashing_detector_becomes_fd000(
    project: Path, tmp_path: Path, crashing_detector: str
) -> None:
    pack = rule_pack(tmp_path / "pack", code="CI900", name="always-crashes",
                     detector_name=crashing_detector, params={"factor": 2.0})
    result = analyze("--rules", pack, "--select", "CI900,FD101")
    assert result.exit_code == 1, result.output  # FD000 is an error: CI notices a crash
    found = codes(result)
    assert found == {"FD000", "FD101"}  # the other rules still ran
    internal = finding(result, "FD000")
    assert "CI900" in internal["message"] and "ZeroDivisionError" in internal["message"]
    assert internal["severity"] == "error"
    assert "Traceback" not in result.output


def test_builtin_rules_parse_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsed built-in rule files are cached as JSON; a broken cache is ignored."""
    from fitdoctor import rules as rules_mod

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FITDOCTOR_NO_CACHE", raising=False)
    monkeypatch.setattr(rules_mod, "_FILE_CACHE", {})
    first = [(r.code, r.values) for r in rules_mod.load_rules()]
    cached = sorted((tmp_path / "fitdoctor").glob("rules-*.json"))
    assert len(cached) == len(list(rules_mod.BUILTIN_RULES_DIR.glob("*.toml")))
    for path in cached:
        path.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(rules_mod, "_FILE_CACHE", {})
    assert [(r.code, r.values) for r in rules_mod.load_rules()] == first


# ---------------------------------------------------------------- parameter ranges
def test_every_builtin_numeric_parameter_declares_its_range() -> None:
    """min and max next to each parameter in rules/*.toml; the default lies within."""
    for rule in load_rules():
        for p in rule.params.values():
            if p.type in (int, float):
                assert p.min is not None and p.max is not None, (rule.code, p.name)
                assert p.min <= p.default <= p.max, (rule.code, p.name)
            else:
                assert p.min is None and p.max is None, (rule.code, p.name)


@pytest.mark.parametrize(("option", "value", "needle"), [
    ("min_rise", "-1", "out of its range (0 to 100)"),
    ("min_rise", "1000", "out of its range (0 to 100)"),
    ("min_epochs", "-5", "out of its range (1 to 10000)"),
    ("min_epochs", "0", "out of its range (1 to 10000)"),
    ("min_rise", "nan", "must be a finite number"),
    ("min_rise", "-inf", "must be a finite number"),
    ("min_epochs", "1e3", "must be an integer, got 1000.0"),
    ("min_rise", '"x"', "must be a number, got 'x'"),
])
def test_a_configured_value_out_of_range_is_exit_2_naming_rule_key_and_range(
    project: Path, option: str, value: str, needle: str
) -> None:
    (project / "fitdoctor.toml").write_text(f"[rule.FD101]\n{option} = {value}\n",
                                            encoding="utf-8")
    assert_config_error(analyze(), "fitdoctor.toml", "rule FD101", option, needle)


@pytest.mark.parametrize(("text", "needles"), [
    ("[rule.FD101]\nmin_ris = 0.1\n",
     ("rule FD101 has no parameter 'min_ris'", "did you mean 'min_rise'?",
      "fitdoctor explain FD101")),
    ("[rule.FD101]\nseverit = \"info\"\n", ("'severit'", "did you mean 'severity'?")),
    ("[rule.FD101]\nseverity = \"fatal\"\n", ("rule FD101: unknown severity 'fatal'",)),
    ("[rule.FD999]\nseverity = \"info\"\n", ("unknown rule 'FD999' in configuration",)),
])
def test_a_wrong_rule_table_names_the_file_and_what_was_meant(
    project: Path, text: str, needles: tuple[str, ...]
) -> None:
    (project / "fitdoctor.toml").write_text(text, encoding="utf-8")
    assert_config_error(analyze(), "fitdoctor.toml: ", *needles)


def test_a_value_at_the_edge_of_its_range_is_accepted(project: Path) -> None:
    pyproject(project, "[tool.fitdoctor.rule.validation-loss-rising]\nmin_rise = 0\n"
                       "min_epochs = 10000\n")
    result = analyze()
    assert result.exit_code in (0, 1), result.output
    assert "FD000" not in codes(result)


def test_rule_pack_ranges_are_checked_and_inherited(project: Path, tmp_path: Path) -> None:
    # a pack parameter without a range gets the built-in rules' range for that detector
    pack = rule_pack(tmp_path / "pack", params={"min_rise": 0.02})
    (rule,) = [r for r in load_rules([pack]) if r.code == "CI101"]
    assert (rule.params["min_rise"].min, rule.params["min_rise"].max) == (0.0, 100.0)
    (project / "fitdoctor.toml").write_text("[rule.CI101]\nmin_rise = -0.5\n", encoding="utf-8")
    assert_config_error(analyze("--rules", pack), "rule CI101", "min_rise", "0 to 100")
    # a default outside the inherited range is refused when the pack loads
    bad = rule_pack(tmp_path / "bad", params={"min_rise": -0.02})
    assert_config_error(analyze("--rules", bad), "CI101", "min_rise", "out of its range")
    # a pack may declare its own range
    own = rule_pack(tmp_path / "own", params={"min_rise": 0.5})
    text = (own / "pack.toml").read_text(encoding="utf-8")
    (own / "pack.toml").write_text(
        text.replace('doc = "min_rise for CI"', 'doc = "min_rise for CI"\nmin = 0.4\nmax = 0.6'),
        encoding="utf-8")
    (r,) = [r for r in load_rules([own]) if r.code == "CI101"]
    assert (r.params["min_rise"].min, r.params["min_rise"].max) == (0.4, 0.6)
    for decl, needle in (("min = 0.6\nmax = 0.4", "above max"), ("min = 0.6", "out of its range"),
                         ('min = "a"', "must be a number"), ("max = nan", "finite")):
        (own / "pack.toml").write_text(
            text.replace('doc = "min_rise for CI"', f'doc = "min_rise for CI"\n{decl}'),
            encoding="utf-8")
        with pytest.raises(ConfigError, match=needle):
            load_rules([own])


def test_explain_and_rules_json_show_the_ranges(project: Path) -> None:
    explained = runner.invoke(cli.app, ["explain", "FD101"], env=ENV)
    assert explained.exit_code == 0, explained.output
    assert "min_rise" in explained.stdout and "range 0 to 100" in explained.stdout
    assert "range 1 to 10000" in explained.stdout
    as_json = runner.invoke(cli.app, ["explain", "FD101", "-f", "json"], env=ENV)
    assert as_json.exit_code == 0, as_json.output
    rise = next(p for p in json.loads(as_json.stdout)["params"] if p["name"] == "min_rise")
    assert (rise["min"], rise["max"]) == (0.0, 100.0)


# ---------------------------------------------------------------- nothing selected
@pytest.mark.parametrize("body", ["select = []\n", 'select = [""]\n', 'ignore = ["", "FD1"]\n'])
def test_an_empty_selection_is_a_config_error(project: Path, body: str) -> None:
    (project / "fitdoctor.toml").write_text(body, encoding="utf-8")
    result = analyze()
    assert_config_error(result, "fitdoctor.toml")
    assert "select = []" in result.stderr or "empty string" in result.stderr


def test_an_empty_selector_matches_no_rule() -> None:
    with pytest.raises(ConfigError, match="unknown rule ''"):
        Settings(select=[""]).rules()


@pytest.mark.parametrize(("name", "text", "needle"), [
    ("pyproject.toml", 'tool = "fitdoctor"\n', "tool must be a table"),
    ("pyproject.toml", "[tool]\nfitdoctor = 1\n", "[tool.fitdoctor] must be a table"),
    ("pyproject.toml", "[tool]\nfitdoctor = [1, 2]\n", "[tool.fitdoctor] must be a table"),
    ("fitdoctor.toml", "rule = [[1]]\n", "rule must be a table"),
])
def test_a_configuration_of_the_wrong_shape_is_one_line(
    project: Path, name: str, text: str, needle: str
) -> None:
    (project / name).write_text(text, encoding="utf-8")
    assert_config_error(analyze(), needle)


@pytest.mark.parametrize(("body", "needle"), [
    ("rule = 5\n", "rule must be an array of tables"),
    ("rule = [1]\n", "rule must be an array of tables"),
    ("[rule]\ncode = 1\n", "rule must be an array of tables"),
])
def test_a_rule_pack_of_the_wrong_shape_is_one_line(
    project: Path, tmp_path: Path, body: str, needle: str
) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "p.toml").write_text(body, encoding="utf-8")
    assert_config_error(analyze("--rules", pack), needle)
    text = (rule_pack(tmp_path / "recs").joinpath("pack.toml")).read_text(encoding="utf-8")
    (tmp_path / "recs" / "pack.toml").write_text(
        text.replace('[[rule.recommendations]]\naction = "early-stopping"\n'
                     'text = "Stop at epoch {stop_epoch}"\n', "") + "[rule.recommendations]\n"
        'action = "early-stopping"\ntext = "x"\n', encoding="utf-8")
    assert_config_error(analyze("--rules", tmp_path / "recs"), "recommendations must be an array")


def test_pyproject_table_pasted_into_fitdoctor_toml_says_where_it_belongs(project: Path) -> None:
    """The README's [tool.fitdoctor...] snippet copied into a fitdoctor.toml: say why."""
    (project / "fitdoctor.toml").write_text(
        '[tool.fitdoctor.rule.FD101]\nmin_rise = 0.15\n', encoding="utf-8")
    assert_config_error(analyze(), "unknown key 'tool'", "at its top level: [rule.FD101]",
                        "belongs in pyproject.toml")
    (project / "fitdoctor.toml").write_text('tool = 3\n', encoding="utf-8")
    result = analyze()
    assert_config_error(result, "unknown key 'tool'")
    assert "top level" not in result.stderr  # the hint only for a [tool.fitdoctor] table


def test_configured_severity_is_every_findings_whatever_the_rules_escalations() -> None:
    """FD102 escalates to a warning past a 20-point accuracy gap: configured ``error`` must
    not come out a warning, nor configured ``info`` (to quiet it) a warning either."""
    from fitdoctor import analyze as analyze_run
    from fitdoctor.run import Run

    n = 20
    run = Run(epochs=list(range(1, n + 1)), metrics={
        "loss": [0.85**i + 0.05 for i in range(n)],
        "val_loss": [0.9**i + 0.45 for i in range(n)],
        "accuracy": [min(0.99, 0.5 + 0.03 * i) for i in range(n)],
        "val_accuracy": [min(0.70, 0.45 + 0.02 * i) for i in range(n)],
    })

    def severity(options: dict[str, Any]) -> str:
        report = analyze_run(run, settings=Settings(select=["FD102"], rule_options=options))
        [found] = report.findings
        assert found.evidence["accuracy_gap"] >= 0.2  # the escalation's condition holds
        return found.severity.value

    assert severity({}) == "warning"  # escalated from its default, info
    assert severity({"FD102": {"severity": "error"}}) == "error"
    assert severity({"FD102": {"severity": "info"}}) == "info"
    assert severity({"generalization-gap": {"severity": "error"}}) == "error"


def test_the_readmes_configuration_example_runs_as_pasted(project: Path) -> None:
    """The README's pyproject.toml example, pasted into a fresh project, configures a run
    (newuser17: its rule-pack folder does not exist there, exit 2, and its select dropped
    FD2 and FD5-FD7 for anyone copying it)."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    block = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (project / "pyproject.toml").write_text(block, encoding="utf-8")
    result = analyze()
    assert "FD101" in codes(result)  # its own table configures the rule it names
    assert result.exit_code == 1  # fail-on = "warning"
