"""The ``fitdoctor`` command line: exit codes, formats, options, unusable inputs."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import fitdoctor
from fitdoctor import cli
from fitdoctor.cli import common as cli_common
from fitdoctor.rules import load_rules

runner = CliRunner()

ANSI = re.compile(r"\x1b\[")
BOX = re.compile(r"[\u2500-\u257f]")
# COLUMNS: click wraps help at the terminal's width (at most 80), the reports default to it.
ENV = {"NO_COLOR": "1", "CI": None, "GITHUB_ACTIONS": None, "FORCE_COLOR": None,
       "GITHUB_STEP_SUMMARY": None, "COLUMNS": "100"}


# ---------------------------------------------------------------- histories
def overfit_history(n: int = 30) -> dict[str, list[float]]:
    """Training loss falls throughout; validation loss turns up after epoch 10 and keeps rising."""
    loss = [1.0 * 0.85**i for i in range(n)]
    val = [0.9 * 0.85**i for i in range(10)]
    val += [val[-1] * (1 + 0.06 * (i - 9)) for i in range(10, n)]
    acc = [min(0.99, 0.5 + 0.02 * i) for i in range(n)]
    val_acc = [min(0.9, 0.5 + 0.02 * i) for i in range(n)]
    return {"loss": loss, "accuracy": acc, "val_loss": val, "val_accuracy": val_acc}


def diverged_history() -> dict[str, list[float]]:
    """Falls, then blows up to inf/NaN (json.dump writes Infinity/NaN)."""
    loss = [1.0, 0.8, 0.7, 4.0, math.inf, math.nan, math.nan, math.nan]
    val = [1.1, 0.9, 0.8, 5.0, math.inf, math.nan, math.nan, math.nan]
    return {"loss": loss, "val_loss": val}


def write(path: Path, history: Any) -> Path:
    path.write_text(json.dumps(history), encoding="utf-8")
    return path


@pytest.fixture
def overfit(tmp_path: Path) -> Path:
    return write(tmp_path / "overfit.json", overfit_history())


@pytest.fixture
def diverged(tmp_path: Path) -> Path:
    return write(tmp_path / "diverged.json", diverged_history())


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray fitdoctor.toml / pyproject.toml from the checkout is discovered."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def invoke(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Any:
    return runner.invoke(cli.app, [str(a) for a in args], env={**ENV, **(env or {})})


def findings(result: Any) -> list[dict[str, Any]]:
    data = json.loads(result.stdout)
    assert data["schema"] == "fitdoctor.report/1"
    return list(data["findings"])


def codes(result: Any) -> set[str]:
    return {f["code"] for f in findings(result)}


def assert_unusable(result: Any, *needles: str) -> None:
    """Exit 2, exactly one line on stderr, naming the problem; no traceback anywhere."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fitdoctor: error: "), lines[0]
    for needle in needles:
        assert needle.lower() in lines[0].lower(), lines[0]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""


# ---------------------------------------------------------------- exit codes
def test_error_finding_exits_1(diverged: Path) -> None:
    result = invoke("analyze", diverged, "--format", "json")
    assert result.exit_code == 1, result.output
    errors = [f for f in findings(result) if f["severity"] == "error"]
    assert "FD401" in {f["code"] for f in errors}


def test_warning_only_exits_0_by_default(overfit: Path) -> None:
    result = invoke("analyze", overfit, "--format", "json", "--select", "FD101")
    assert result.exit_code == 0, result.output
    assert codes(result) == {"FD101"}
    assert findings(result)[0]["severity"] == "warning"


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on(overfit: Path, fail_on: str, expected: int) -> None:
    result = invoke("analyze", overfit, "-f", "json", "--select", "FD101", "--fail-on", fail_on)
    assert result.exit_code == expected, result.output


def test_no_findings_exits_0_even_with_fail_on_info(overfit: Path) -> None:
    result = invoke("analyze", overfit, "-f", "json", "--select", "FD401", "--fail-on", "info")
    assert result.exit_code == 0, result.output
    assert codes(result) == set()


def test_exit_zero(diverged: Path, overfit: Path) -> None:
    assert invoke("analyze", diverged, "--exit-zero").exit_code == 0
    result = invoke("analyze", overfit, "--fail-on", "info", "--exit-zero")
    assert result.exit_code == 0, result.output


def test_exit_zero_does_not_hide_unusable_input(tmp_path: Path) -> None:
    result = invoke("analyze", tmp_path / "missing.json", "--exit-zero")
    assert_unusable(result, "missing.json")


def test_bad_fail_on_is_a_usage_error(overfit: Path) -> None:
    result = invoke("analyze", overfit, "--fail-on", "fatal")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_bad_format_is_a_usage_error(overfit: Path) -> None:
    assert invoke("analyze", overfit, "--format", "yaml").exit_code == 2


def test_no_path_is_a_usage_error() -> None:
    assert invoke("analyze").exit_code == 2


# ---------------------------------------------------------------- selection
def test_select_comma_separated_and_repeatable(diverged: Path) -> None:
    result = invoke("analyze", diverged, "-f", "json", "--select", "FD401,fd101",
                    "--select", "FD701")
    found = codes(result)
    assert "FD401" in found
    assert found <= {"FD401", "FD101", "FD701"}


def test_select_prefix_and_name(diverged: Path) -> None:
    by_prefix = codes(invoke("analyze", diverged, "-f", "json", "--select", "FD4"))
    assert "FD401" in by_prefix and all(c.startswith("FD4") for c in by_prefix)
    name = next(r.name for r in load_rules() if r.code == "FD401")
    assert codes(invoke("analyze", diverged, "-f", "json", "--select", name)) == {"FD401"}


def test_ignore(diverged: Path) -> None:
    full = codes(invoke("analyze", diverged, "-f", "json"))
    assert "FD401" in full
    result = invoke("analyze", diverged, "-f", "json", "--ignore", "FD401,FD402",
                    "--ignore", "FD1")
    left = codes(result)
    assert "FD401" not in left and "FD402" not in left
    assert not any(c.startswith("FD1") for c in left)
    assert left == {c for c in full if c not in ("FD401", "FD402") and not c.startswith("FD1")}


def test_select_then_ignore_everything_is_refused(diverged: Path) -> None:
    """Nothing left to check is a configuration error, never a clean report (issue 13)."""
    result = invoke("analyze", diverged, "-f", "json", "--select", "FD401", "--ignore", "FD4")
    assert_unusable(result, "no rule left to run")


def test_unknown_rule_in_select_is_exit_2(overfit: Path) -> None:
    assert_unusable(invoke("analyze", overfit, "--select", "FD999"), "FD999")
    assert_unusable(invoke("analyze", overfit, "--ignore", "no-such-rule"), "no-such-rule")


# ---------------------------------------------------------------- formats
@pytest.mark.parametrize("fmt", ["rich", "text", "markdown", "json", "github"])
def test_every_format(diverged: Path, fmt: str) -> None:
    result = invoke("analyze", diverged, "--format", fmt)
    assert result.exit_code == 1, result.output
    assert "FD401" in result.stdout
    assert result.stderr == ""
    assert not ANSI.search(result.stdout)  # NO_COLOR and not a terminal
    if fmt == "json":
        assert json.loads(result.stdout)["best_epoch"] is not None
    if fmt == "text":
        assert not BOX.search(result.stdout)
    if fmt == "github":
        assert re.search(r"^::error\b.*FD401", result.stdout, re.MULTILINE), result.stdout
    if fmt == "markdown":
        assert re.search(r"^#", result.stdout, re.MULTILINE), result.stdout


def test_auto_is_text_when_not_a_terminal(diverged: Path) -> None:
    auto = invoke("analyze", diverged)
    text = invoke("analyze", diverged, "--format", "text")
    assert auto.stdout == text.stdout
    assert not BOX.search(auto.stdout) and not ANSI.search(auto.stdout)


def test_auto_is_rich_on_a_terminal_and_text_in_ci(
    diverged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_common, "stdout_isatty", lambda: True)
    rich = invoke("analyze", diverged, "--format", "rich", "--width", "100")
    auto = invoke("analyze", diverged, "--width", "100")
    assert auto.stdout == rich.stdout
    in_ci = invoke("analyze", diverged, "--width", "100", env={"CI": "true"})
    text = invoke("analyze", diverged, "--format", "text", "--width", "100")
    assert in_ci.stdout == text.stdout


def test_colour_on_a_terminal_unless_no_color(
    diverged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_common, "stdout_isatty", lambda: True)
    coloured = invoke("analyze", diverged, "--format", "rich", env={"NO_COLOR": None})
    assert ANSI.search(coloured.stdout), coloured.stdout
    plain = invoke("analyze", diverged, "--format", "rich", env={"NO_COLOR": "1"})
    assert not ANSI.search(plain.stdout)


@pytest.mark.parametrize("fmt", ["rich", "text"])
def test_width(overfit: Path, fmt: str) -> None:
    result = invoke("analyze", overfit, "--format", fmt, "--width", "60")
    assert result.stdout.strip()
    # Only a single unbreakable token (a code snippet) may overflow.
    too_long = [line for line in result.stdout.splitlines()
                if len(line) > 60 and len(line.split()) > 1]
    assert too_long == [], result.stdout
    assert invoke("analyze", overfit, "--width", "5").exit_code == 2


# ---------------------------------------------------------------- output, summary
def test_output_file(diverged: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "report.json"
    out.parent.mkdir()
    result = invoke("analyze", diverged, "--format", "json", "--output", out)
    assert result.exit_code == 1
    assert result.stdout == ""
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == json.loads(invoke("analyze", diverged, "--format", "json").stdout)
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.json"]  # no temp left


def test_output_auto_is_text(diverged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                             ) -> None:
    monkeypatch.setattr(cli_common, "stdout_isatty", lambda: True)
    out = tmp_path / "report.txt"
    invoke("analyze", diverged, "--output", out, "--width", "100")
    assert out.read_text(encoding="utf-8") == invoke(
        "analyze", diverged, "--format", "text", "--width", "100").stdout


def test_output_overwrites(diverged: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("old report\n", encoding="utf-8")
    invoke("analyze", diverged, "--format", "markdown", "-o", out)
    text = out.read_text(encoding="utf-8")
    assert "old report" not in text and "FD401" in text


def test_output_into_missing_folder_is_exit_2(diverged: Path, tmp_path: Path) -> None:
    result = invoke("analyze", diverged, "--output", tmp_path / "nope" / "r.json")
    assert_unusable(result, "r.json")


def test_summary_appends_markdown(diverged: Path, tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    result = invoke("analyze", diverged, "--format", "github", "--summary", env=env)
    assert result.exit_code == 1
    assert result.stdout.startswith("::") or "::error" in result.stdout  # annotations on stdout
    markdown = invoke("analyze", diverged, "--format", "markdown").stdout
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n")
    assert markdown.strip() in text
    invoke("analyze", diverged, "--format", "json", "--summary", env=env)
    assert summary.read_text(encoding="utf-8").count("FD401") == 2 * text.count("FD401")


def test_github_annotations_are_attached_to_the_file_given(tmp_path: Path) -> None:
    """CI: ``FitDoctor("run.json")`` then ``analyze ci/run.json -f github``: every annotation
    names the file as given. A run file's source is its run name and a history's its base
    name: by those the annotations were attached to no file, or to a same-named file in
    the working directory."""
    import shutil

    folder = Path("ci")  # the working directory is tmp_path / "cwd"
    folder.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "compare" / "before.json", folder / "run.json")
    write(folder / "overfit.json", overfit_history())
    write(Path("overfit.json"), overfit_history())  # the same base name, elsewhere
    result = invoke("analyze", folder / "run.json", folder / "overfit.json", "-f", "github")
    annotations = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
    attached = [ln.split("::")[1].split(",title=")[0].split(" ", 1)[1] for ln in annotations]
    assert annotations and set(attached) == {"file=ci/run.json", "file=ci/overfit.json"}
    # two histories of one base name: their verdict lines are told apart by the path
    result = invoke("analyze", folder / "overfit.json", "overfit.json", "-f", "github")
    verdicts = [ln.split(": ")[1] for ln in result.stdout.splitlines() if ln.startswith("fitd")]
    assert verdicts == ["ci/overfit.json", "overfit.json"]
    compared = runner.invoke(cli.app, ["compare", "overfit.json", "ci/run.json", "-f", "github"],
                             env=ENV)
    first = compared.stdout.splitlines()[0]
    assert " file=ci/run.json,title=fitdoctor compare " in first, first


def test_summary_without_variable_does_nothing(diverged: Path, tmp_path: Path) -> None:
    result = invoke("analyze", diverged, "--format", "json", "--summary")
    assert result.exit_code == 1
    assert "FD401" in codes(result)
    assert list(tmp_path.glob("*.md")) == []


def test_no_summary_flag_leaves_summary_alone(diverged: Path, tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    invoke("analyze", diverged, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert not summary.exists()


# ---------------------------------------------------------------- several paths, facts
def test_several_paths(diverged: Path, overfit: Path) -> None:
    result = invoke("analyze", overfit, diverged, "--format", "text")
    assert result.exit_code == 1, result.output
    assert "overfit.json" in result.stdout and "diverged.json" in result.stdout
    assert "FD401" in result.stdout and "FD101" in result.stdout
    as_json = invoke("analyze", overfit, diverged, "--format", "json")
    assert "FD401" in as_json.stdout and "FD101" in as_json.stdout
    *lines, summary = as_json.stdout.splitlines()  # several files: JSON Lines, then a summary
    assert [json.loads(line)["source"] for line in lines] == ["overfit.json", "diverged.json"]
    assert json.loads(summary)["schema"] == "fitdoctor.sweep/1"


def test_several_paths_worst_exit_code_wins(overfit: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    result = invoke("analyze", overfit, missing, "--format", "json", "--select", "FD101")
    assert result.exit_code == 2
    assert codes(result) == {"FD101"}  # the usable path is still reported
    assert result.stderr.count("\n") == 1 and "missing.json" in result.stderr


def test_task_and_classes(overfit: Path) -> None:
    result = invoke("analyze", overfit, "-f", "json", "--task", "multiclass", "--classes", "10")
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert data["run"]["task"] == "multiclass"
    assert invoke("analyze", overfit, "--task", "ranking").exit_code == 2
    assert invoke("analyze", overfit, "--classes", "0").exit_code == 2


def test_class_counts(overfit: Path) -> None:
    result = invoke("analyze", overfit, "-f", "json", "--class-counts", "950,50",
                    "--select", "FD5")
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert data["run"]["task"] == "binary"
    assert "FD501" in {f["code"] for f in data["findings"]}
    skipped = {s["code"] for s in data["skipped"]}
    assert "FD501" not in skipped
    without = json.loads(invoke("analyze", overfit, "-f", "json", "--select", "FD5").stdout)
    assert "FD501" in {s["code"] for s in without["skipped"]}


def test_bad_class_counts_is_exit_2(overfit: Path) -> None:
    assert_unusable(invoke("analyze", overfit, "--class-counts", "950,x"), "--class-counts")
    assert_unusable(invoke("analyze", overfit, "--class-counts", "950"), "--class-counts")
    mismatch = invoke("analyze", overfit, "--classes", "3", "--class-counts", "950,50")
    assert_unusable(mismatch, "overfit.json", "3 classes")


# ---------------------------------------------------------------- unusable inputs
def _unusable_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, a word the error line must contain)."""
    cases: dict[str, tuple[Path, str]] = {}

    def add(name: str, content: str | bytes, needle: str = "") -> None:
        path = tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        cases[name] = (path, needle)

    folder = tmp / "a_directory.json"
    folder.mkdir()
    cases["directory"] = (folder, "a_directory.json")
    cases["missing"] = (tmp / "does_not_exist.json", "does_not_exist.json")
    add("empty.json", "", "empty")
    add("garbage.json", bytes(range(256)) * 8)
    add("garbage.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64))
    add("invalid.json", '{"loss": [1.0, 0.5,,]}', "json")
    add("truncated.json", json.dumps(overfit_history())[:150], "json")
    add("wrong_shape_list.json", '["high", "low"]')  # (an array of numbers is a loss)
    add("wrong_shape_scalar.json", "42")
    add("wrong_shape_nested.json", json.dumps({"loss": {"a": 1}, "val_loss": {"b": 2}}))
    add("strings.json", json.dumps({"loss": ["high", "low"], "val_loss": [1.0, 0.5]}))
    add("val_longer.json", json.dumps({"loss": [1.0, 0.5], "val_loss": [1.0, 0.6, 0.4, 0.3]}))
    add("no_numeric.csv", "epoch,note,phase\n0,start,warmup\n1,middle,main\n")
    add("schema_v9.json", json.dumps({"schema": "fitdoctor.run/9", "epochs": [1],
                                      "metrics": {"loss": [1.0]}}), "schema")
    return cases


UNUSABLE = [
    "directory", "missing", "empty.json", "garbage.json", "garbage.bin", "invalid.json",
    "truncated.json", "wrong_shape_list.json", "wrong_shape_scalar.json",
    "wrong_shape_nested.json", "strings.json", "val_longer.json", "no_numeric.csv",
    "schema_v9.json",
]


@pytest.mark.parametrize("name", UNUSABLE)
def test_unusable_input_is_one_line_and_exit_2(name: str, tmp_path: Path) -> None:
    path, needle = _unusable_inputs(tmp_path)[name]
    for fmt in ("text", "json"):
        result = invoke("analyze", path, "--format", fmt)
        assert_unusable(result, path.name, needle)


def test_file_over_size_cap_is_exit_2(tmp_path: Path) -> None:
    from fitdoctor import io

    cap = int(io.MAX_BYTES)
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(cap + 1)
    assert_unusable(invoke("analyze", path), "huge.json")


def test_unusable_input_via_python_api_raises_input_error(tmp_path: Path) -> None:
    path, _ = _unusable_inputs(tmp_path)["invalid.json"]
    with pytest.raises(fitdoctor.InputError):
        fitdoctor.analyze(path)


# ---------------------------------------------------------------- valid but unusual
def test_nan_and_infinity_are_a_diagnosis(diverged: Path) -> None:
    assert "NaN" in diverged.read_text() and "Infinity" in diverged.read_text()
    result = invoke("analyze", diverged, "-f", "json")
    assert result.exit_code == 1
    fd401 = next(f for f in findings(result) if f["code"] == "FD401")
    assert fd401["epoch"] == 5


def test_one_epoch_history_is_too_short(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", {"loss": [0.7], "val_loss": [0.72]})
    result = invoke("analyze", path, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n_epochs"] == 1
    assert [f["code"] for f in data["findings"]] == ["FD303"]
    assert data["verdict"].startswith("too short to judge")
    assert "too short" in invoke("analyze", path, "-f", "text").stdout


def test_shorter_validation_lists_are_aligned(tmp_path: Path) -> None:
    """Keras History with validation_freq=2: val_* lists hold every second epoch."""
    hist = overfit_history(30)
    hist["val_loss"] = hist["val_loss"][1::2]
    hist["val_accuracy"] = hist["val_accuracy"][1::2]
    path = write(tmp_path / "vfreq2.json", hist)
    result = invoke("analyze", path, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert data["n_epochs"] == 30
    assert data["best_epoch"]["epoch"] % 2 == 0  # validation ran on even epochs only


def test_long_history(tmp_path: Path) -> None:
    n = 5000
    hist = {"loss": [1.0 / (1 + 0.01 * i) for i in range(n)],
            "val_loss": [1.05 / (1 + 0.01 * i) for i in range(n)]}
    path = write(tmp_path / "long.json", hist)
    result = invoke("analyze", path, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["n_epochs"] == n


def test_csv_logger_file(tmp_path: Path) -> None:
    path = tmp_path / "training.log"
    rows = ["epoch,loss,val_loss"] + [
        f"{i},{loss},{val if i % 2 else 'NA'}"
        for i, (loss, val) in enumerate(zip(overfit_history()["loss"],
                                            overfit_history()["val_loss"], strict=True))
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("analyze", path, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["n_epochs"] == 30


DATA = Path(__file__).parent / "data"


def _is_history(path: Path) -> bool:
    """Inputs and histories, and run files (not other fitdoctor documents, e.g. learning curves)."""
    if path.name == "labels.json":
        return False
    if path.suffix != ".json" or "runs" not in path.parts:
        return True
    text = path.read_text(encoding="utf-8")
    try:
        schema = json.loads(text).get("schema")
    except json.JSONDecodeError:  # a run log (JSON Lines): its header line names the schema
        schema = json.loads(text.splitlines()[0]).get("schema")
    return schema in ("fitdoctor.run/1", "fitdoctor.run/2")


RECORDED = sorted(
    p for p in [*DATA.glob("inputs/*.json"), *DATA.glob("inputs/*.csv"),
                *DATA.glob("runs/**/*.json"), *DATA.glob("histories/*_s0.json")]
    if _is_history(p)
)


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: str(p.relative_to(DATA)))
def test_recorded_files_give_a_report(path: Path) -> None:
    """Every real file in the test data (run JSON, History JSON, CSV) is analyzed, not rejected."""
    result = invoke("analyze", path, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert data["n_epochs"] >= 1
    assert all(f["code"] != "FD000" for f in data["findings"]), data["findings"]
    assert result.exit_code == (1 if any(f["severity"] == "error" for f in data["findings"])
                                else 0)


def test_recorded_files_together(tmp_path: Path) -> None:
    paths = RECORDED[:12]
    assert paths, "no recorded test data"
    result = invoke("analyze", *paths, "--format", "json", "--exit-zero")
    assert result.exit_code == 0, result.stderr
    *reports, summary = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == len(paths) == summary["runs"]
    text = invoke("analyze", *paths, "--format", "text", "--exit-zero", "--each").stdout
    for path in paths:
        assert path.name in text or path.stem in text


# ---------------------------------------------------------------- rules, explain, version
def test_rules_table() -> None:
    result = invoke("rules")
    assert result.exit_code == 0, result.output
    for rule in load_rules():
        assert re.search(rf"^{rule.code}\s+{re.escape(rule.name)}\s+{rule.diagnosis}\s+"
                         rf"{rule.severity.value}\b", result.stdout, re.MULTILINE), rule.code
    assert not BOX.search(result.stdout) and not ANSI.search(result.stdout)


def test_rules_json_and_markdown() -> None:
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [r["code"] for r in data] == [r.code for r in load_rules()]
    assert {"code", "name", "diagnosis", "severity", "summary"} <= set(data[0])
    md = invoke("rules", "--format", "markdown").stdout
    assert md.startswith("| code | name |")
    assert md.count("\n| FD") == len(data)


def test_explain_json() -> None:
    result = invoke("explain", "FD101", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rule = next(r for r in load_rules() if r.code == "FD101")
    assert data["code"] == "FD101" and data["name"] == rule.name
    assert {p["name"] for p in data["params"]} == set(rule.params)
    for p in data["params"]:
        assert p["value"] == p["default"] == rule.params[p["name"]].default
        assert p["doc"]
    assert data["docs"]["what"] and data["docs"]["why"]
    assert [r["action"] for r in data["recommendations"]] == [
        r.action for r in rule.recommendations
    ]
    assert data["severity"] == data["default_severity"] == rule.severity.value


def test_explain_fd101_says_how_a_short_run_is_judged() -> None:
    # the end-climb path decides on its own parameters: what the rule does names them
    data = json.loads(invoke("explain", "FD101", "--format", "json").stdout)
    for name in ("band_epochs", "climb_epochs", "climb_swing", "min_after", "min_rise"):
        assert f"`{name}`" in data["docs"]["what"], name


def test_explain_text_by_code_or_name() -> None:
    rule = next(r for r in load_rules() if r.code == "FD101")
    by_code = invoke("explain", "fd101")
    by_name = invoke("explain", rule.name)
    assert by_code.exit_code == 0 and by_code.stdout == by_name.stdout
    text = by_code.stdout
    assert text.startswith(f"FD101 {rule.name}")
    for header in ("What it does", "Why it matters", "Parameters", "Recommendations"):
        assert header in text
    for name, param in rule.params.items():
        assert re.search(rf"{name}\s+= {param.default!r}\s+default {param.default!r}", text)


@pytest.mark.parametrize("code", [r.code for r in load_rules()])
def test_every_rule_explains(code: str) -> None:
    result = invoke("explain", code)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(code)
    # every parameter that decides is shown, with its documentation
    rule = next(r for r in load_rules() if r.code == code)
    for name, param in rule.params.items():
        assert param.doc.strip(), (code, name)
        assert re.search(rf"\b{name}\s+= ", result.stdout), (code, name)


def test_explain_unknown_rule() -> None:
    result = invoke("explain", "FD999")
    assert_unusable(result, "FD999", "fitdoctor rules")
    assert "did you mean" not in result.stderr


@pytest.mark.parametrize(
    ("key", "meant"),
    [("FD10", "(did you mean FD101, FD102 or FD103?)"),
     ("fd61", "(did you mean FD611, FD612 or FD613?)"),
     ("validation-loss-rsing", "(did you mean validation-loss-rising, ")],
)
def test_explain_an_unknown_rule_suggests_what_was_meant(key: str, meant: str) -> None:
    result = invoke("explain", key)
    assert_unusable(result, key, "fitdoctor rules")
    assert meant in result.stderr


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"fitdoctor {fitdoctor.__version__}\n"


def test_help_lists_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("analyze", "rules", "explain"):
        assert command in result.stdout


def test_no_arguments_prints_help_on_stderr_and_exits_2() -> None:
    result = invoke()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: fitdoctor [OPTIONS] COMMAND")
    for command in cli.COMMANDS:
        assert re.search(rf"^  {command}\s+\S", result.stderr, re.MULTILINE), command


def test_command_help_documents_its_arguments() -> None:
    result = invoke("analyze", "-h")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: fitdoctor analyze [OPTIONS] PATH...\n")
    arguments = result.stdout.index("Arguments:\n  PATH...  History files")
    assert arguments < result.stdout.index("Options:\n")
    assert "[default: auto]" in result.stdout and "x>=40" in result.stdout
    compare = invoke("compare", "--help").stdout
    assert re.search(r"^  BEFORE\s+The run before the change\.$", compare, re.MULTILINE)
    assert re.search(r"^  AFTER\s+The run after the change\.$", compare, re.MULTILINE)
    assert "Arguments:" not in invoke("rules", "-h").stdout  # no arguments, no section


def _bad_values(tmp: Path, history: Path) -> dict[str, tuple[list[str | Path], str]]:
    """name → (arguments, the option the error line must name)."""
    folder = tmp / "a_folder"
    folder.mkdir()
    return {
        "config_dir": (["analyze", history, "--config", folder], "--config"),
        "output_dir": (["analyze", history, "-o", folder], "--output"),
        "rules_file": (["analyze", history, "--rules", history], "--rules"),
        "format": (["analyze", history, "--format", "yaml"], "--format"),
        "fail_on": (["analyze", history, "--fail-on", "fatal"], "--fail-on"),
        "width": (["analyze", history, "--width", "5"], "--width"),
        "width_word": (["analyze", history, "--width", "wide"], "--width"),
        "classes": (["analyze", history, "--classes", "0"], "--classes"),
        "no_value": (["analyze", history, "--format"], "--format"),
        "explain_config_dir": (["explain", "FD101", "--config", folder], "--config"),
        "rules_format": (["rules", "-f", "yaml"], "--format"),
        "compare_mode": (["compare", history, history, "--mode", "up"], "--mode"),
        "plot_dpi": (["plot", history, "--dpi", "5"], "--dpi"),
        "demo_epochs": (["demo", "--epochs", "0"], "--epochs"),
    }


@pytest.mark.parametrize(
    "name",
    ["config_dir", "output_dir", "rules_file", "format", "fail_on", "width", "width_word",
     "classes", "no_value", "explain_config_dir", "rules_format", "compare_mode", "plot_dpi",
     "demo_epochs"],
)
def test_bad_option_value_is_one_error_line(name: str, overfit: Path, tmp_path: Path) -> None:
    args, option = _bad_values(tmp_path, overfit)[name]
    assert_unusable(invoke(*args), option)


@pytest.mark.parametrize(
    ("args", "needle", "usage"),
    [
        (["analyze", "PATH", "--frob"], "--frob", "Usage: fitdoctor analyze [OPTIONS] PATH..."),
        (["analyze"], "PATH", "Usage: fitdoctor analyze [OPTIONS] PATH..."),
        (["compare", "before.json"], "AFTER", "Usage: fitdoctor compare [OPTIONS] BEFORE AFTER"),
        (["rules", "extra"], "extra", "Usage: fitdoctor rules [OPTIONS]"),
        (["frobnicate"], "frobnicate", "Usage: fitdoctor [OPTIONS] COMMAND"),
        (["--frob"], "--frob", "Usage: fitdoctor [OPTIONS] COMMAND"),
    ],
)
def test_usage_error_is_the_error_then_the_usage(
    overfit: Path, args: list[str], needle: str, usage: str
) -> None:
    result = invoke(*[overfit if a == "PATH" else a for a in args])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    first, second = result.stderr.splitlines()
    assert first.startswith("fitdoctor: error: ") and needle in first, first
    assert second.startswith(usage) and "-h' for help" in second, second


def test_only_the_invoked_command_is_imported(overfit: Path, tmp_path: Path) -> None:
    """``fitdoctor analyze`` imports its own module, not those of the other commands."""
    code = (
        "import sys\n"
        f"sys.argv = ['fitdoctor', 'analyze', {str(overfit)!r}, '-f', 'json']\n"
        "from fitdoctor.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('fitdoctor.cli.')),"
        " file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stderr.strip().splitlines()[-1]
    assert loaded == str(["fitdoctor.cli.analyze", "fitdoctor.cli.common",
                          "fitdoctor.cli.core", "fitdoctor.cli.sweeps"]), loaded  # analyze's own


@pytest.mark.keras
def test_demo_trains_and_its_run_file_is_analyzable(tmp_path: Path) -> None:
    run_file = tmp_path / "demo.json"
    result = invoke("demo", "--epochs", "2", "--output", run_file, "--format", "text",
                    env={"TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.exit_code == 0, result.output
    assert "verdict:" in result.stdout
    report = invoke("analyze", run_file, "--format", "json")
    assert report.exit_code in (0, 1), report.output
    data = json.loads(report.stdout)
    assert data["n_epochs"] == 2
    assert "Dense(512" in data["run"]["model"]


# ---------------------------------------------------------------- real processes
def _python_m(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    return subprocess.run(
        [sys.executable, "-m", "fitdoctor", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False,
    )


def test_python_m_fitdoctor(diverged: Path, tmp_path: Path) -> None:
    proc = _python_m("analyze", diverged, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "FD401" in {f["code"] for f in json.loads(proc.stdout)["findings"]}
    assert proc.stderr == ""


def test_python_m_unusable_input_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"loss": [1.0, 0.5', encoding="utf-8")
    proc = _python_m("analyze", bad, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("fitdoctor: error: ")
    assert "bad.json" in proc.stderr and "Traceback" not in proc.stderr


def test_output_file_is_readable_by_others(diverged: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    old = os.umask(0o022)
    try:
        result = invoke("analyze", diverged, "--format", "html", "--output", target)
    finally:
        os.umask(old)
    assert result.exit_code == 1, result.output
    assert target.stat().st_mode & 0o777 == 0o644


def test_history_without_a_loss_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "foo.json"
    path.write_text('{"foo": [1, 2, 3]}', encoding="utf-8")
    assert_unusable(invoke("analyze", path), "no loss column")


def test_broken_pyproject_found_by_discovery_is_exit_2(
    diverged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fitdoctor]\nignore = ["FD401"\n')
    monkeypatch.chdir(tmp_path)
    assert_unusable(invoke("analyze", diverged), "pyproject.toml")


def test_readme_rules_table_matches_the_rules() -> None:
    """The README's rules table is `fitdoctor rules --format markdown`, kept in sync."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = invoke("rules", "--format", "markdown").stdout.strip().splitlines()
    assert [line for line in table if line not in readme] == []


def test_readme_analyze_commands_on_a_history_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every `fitdoctor analyze history.json ...` line the README shows runs on a history.

    A README command a newcomer copies must not be refused (the README once combined
    `--classes 10` with two class counts, which is exit 2).
    """
    import shlex

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    lines = [line.split("#", 1)[0].strip() for line in readme.splitlines()
             if line.startswith("fitdoctor analyze history.json")]
    assert len(lines) >= 2, lines
    write(tmp_path / "history.json", overfit_history())
    monkeypatch.chdir(tmp_path)
    for line in lines:
        args = shlex.split(line)[1:]
        result = invoke(*args, "--format", "json")
        assert result.exit_code in (0, 1), (line, result.stderr)
        findings(result)  # a report/1 document


def test_compare_and_plot_on_a_file_of_several_runs_say_what_the_cli_can_do(
    overfit: Path, tmp_path: Path
) -> None:
    """A CSVLogger appended by two fits is two runs: compare/plot point to `analyze`."""
    rows = "".join(f"{e},{1 / (e + 1):.4f},{1.1 / (e + 1):.4f}\n" for e in range(6))
    appended = tmp_path / "training.log"
    appended.write_text("epoch,loss,val_loss\n" + rows + rows, encoding="utf-8")
    assert_unusable(invoke("compare", overfit, appended), "holds 2 runs", "fitdoctor analyze")
    assert_unusable(invoke("plot", appended, "-o", tmp_path / "p.png"), "holds 2 runs",
                    "fitdoctor analyze")


def test_readme_demo_report_shows_the_evidence_the_rules_give() -> None:
    """The README's pasted demo report is not stale: its findings' evidence keys are current.

    The demo trains (too slow here), so the recorded digits tutorial history (the demo's
    network, 10 epochs) stands in: every evidence key it gives must be in the README's
    block (a key added to a detector shows up there once the demo is pasted again), and
    the README's keys beyond it are those only a run file has.
    """
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- demo-report -->", 1)[1].split("<!-- /demo-report -->", 1)[0]
    shown: dict[str, set[str]] = {}
    for part in re.split(r"\n  (?=FD\d{3} )", block)[1:]:
        if "evidence: " not in part:
            continue  # a skipped rule
        code = part[:5]
        evidence = " ".join(part.split("evidence: ", 1)[1].split("next:", 1)[0].split())
        shown[code] = set(re.findall(r"(?:^|, )([a-z_]+):", evidence))
    history = Path(__file__).parent / "data" / "histories" / "digits_tutorial_s0.json"
    given = {f["code"]: set(f["evidence"]) for f in findings(invoke("analyze", history,
                                                                       "-f", "json"))}
    assert set(shown) == set(given) == {"FD301", "FD702"}
    run_file_only = {"n_total", "kfold_half_width_pts"}
    for code, keys in given.items():
        assert keys <= shown[code], (code, keys - shown[code])
        assert shown[code] - keys <= run_file_only, (code, shown[code] - keys)


@pytest.mark.parametrize(("key", "value"), [("input_std", -5.0), ("input_mean", -1.0),
                                            ("input_max", -255.0),
                                            ("input_scale_spread", 0.5)])
def test_impossible_input_scale_facts_are_refused(tmp_path: Path, key: str,
                                                   value: float) -> None:
    """A standard deviation, an absolute mean or value below 0, or a largest-over-median
    spread below 1, cannot be measured: a one-line error, not a FD616 message quoting it."""
    source = Path(__file__).parent / "data" / "cases" / "raw_digits_tanh.run.json"
    lines = source.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["data"][key] = value
    path = tmp_path / "bad.run.json"
    path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    assert_unusable(invoke("analyze", path), f"data.{key}")
