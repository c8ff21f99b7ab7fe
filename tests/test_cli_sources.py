"""``fitdoctor analyze`` on what people keep: stdin, folders, logs, several runs, names."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fitdoctor import cli

DATA = Path(__file__).parent / "data"
ENV = {"NO_COLOR": "1", "CI": None, "GITHUB_ACTIONS": None, "FORCE_COLOR": None,
       "GITHUB_STEP_SUMMARY": None, "COLUMNS": "100"}
runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def invoke(*args: str | Path, stdin: bytes | None = None) -> Any:
    return runner.invoke(cli.app, [str(a) for a in args], env=ENV, input=stdin)


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_console_output_from_stdin() -> None:
    log = (DATA / "console" / "keras3_verbose2_pipe.log").read_bytes()
    result = invoke("analyze", "-", "-f", "json", "--exit-zero", stdin=log)
    assert result.exit_code == 0, result.output
    reports = json_lines(result.stdout)
    assert [r["source"] for r in reports] == [
        f"run {i} of 3 in <stdin>" for i in (1, 2, 3)
    ]
    assert reports[0]["n_epochs"] == 6 and reports[0]["run"]["source"] == "console"


def test_stdin_through_a_real_pipe() -> None:
    log = DATA / "console" / "keras2_verbose1_pty.log"
    proc = subprocess.run(
        [sys.executable, "-m", "fitdoctor", "analyze", "-", "-f", "text", "--exit-zero"],
        input=log.read_bytes(), capture_output=True, check=False,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert b"run 3 of 3 in <stdin>" in proc.stdout


def test_one_report_per_run_of_an_appended_csvlogger_file() -> None:
    path = DATA / "csvlogger" / "appended_restarted.csv"
    text = invoke("analyze", path, "-f", "text", "--exit-zero")
    assert text.exit_code == 0, text.output
    assert "run 1 of 3 in appended_restarted.csv" in text.stdout
    assert "run 3 of 3 in appended_restarted.csv" in text.stdout
    as_json = json_lines(invoke("analyze", path, "-f", "json", "--exit-zero").stdout)
    assert [r["n_epochs"] for r in as_json] == [4, 2, 3]


def test_a_tensorboard_folder(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    shutil.copytree(DATA / "tensorboard" / "logs", logs)
    *reports, summary = json_lines(invoke("analyze", logs, "-f", "json", "--exit-zero").stdout)
    assert [r["source"] for r in reports] == [
        "run 1 of 2 in logs (adam)", "run 2 of 2 in logs (sgd_vfreq2)",
    ]
    # a folder is a sweep: the report lines are followed by the summary
    assert summary["schema"] == "fitdoctor.sweep/1" and summary["runs"] == 2


def test_a_folder_of_histories(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({"loss": [1.0, 0.8, 0.7, 0.65]}))
    (folder / "b.csv").write_text("epoch,loss,val_loss\n0,1.0,1.1\n1,0.8,0.9\n2,0.7,0.85\n")
    (folder / "broken.json").write_text("{")
    result = invoke("analyze", folder, "-f", "json", "--exit-zero")
    assert result.exit_code == 2  # one unusable file makes it 2; the others are reported
    *reports, summary = json_lines(result.stdout)
    assert [r["source"] for r in reports] == ["a.json", "b.csv"]
    assert summary["sources"] == 3 and summary["unusable"] == 1
    assert result.stderr.count("\n") == 1 and "broken.json: truncated JSON" in result.stderr


def test_metric_map_option_and_config(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"score": [1.0, 0.8, 0.7, 0.6], "holdout": [1.1, 0.9, 0.8, 0.7]}))
    refused = invoke("analyze", path)
    assert refused.exit_code == 2 and "--metric-map NAME=loss" in refused.stderr
    result = invoke("analyze", path, "-f", "json", "--exit-zero",
                    "--metric-map", "score=loss,holdout=val_loss")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["run"]["metric_names"] == {"loss": "score", "val_loss": "holdout"}
    config = tmp_path / "fitdoctor.toml"
    config.write_text('[metrics]\nscore = "loss"\nholdout = "val_loss"\n')
    from_config = invoke("analyze", path, "-f", "json", "--exit-zero", "--config", config)
    assert json.loads(from_config.stdout)["metrics"] == ["loss", "val_loss"]


def test_a_bad_metric_map_is_exit_2() -> None:
    result = invoke("analyze", "-", "--metric-map", "dev_loss", stdin=b"{}")
    assert result.exit_code == 2
    assert "'dev_loss' is not NAME=KERAS_NAME" in result.stderr


def test_custom_names_are_stated_in_the_text_report(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    n = 12
    path.write_text(json.dumps({
        "train_loss": [0.9**i for i in range(n)],
        "dev_loss": [0.9**min(i, 4) * (1 + 0.1 * max(0, i - 4)) for i in range(n)],
    }))
    text = invoke("analyze", path, "-f", "text", "--exit-zero").stdout
    assert "read `dev_loss` as val_loss" in text
    assert "FD701" not in text and "FD101" in text


def test_compare_picks_runs_of_a_file_that_holds_several() -> None:
    """An appended CSVLogger holds one run per ``fit`` call: ``compare`` refuses the file
    as one run, and compares two of its runs with --before-run/--after-run."""
    appended = DATA / "csvlogger" / "appended_restarted.csv"  # 3 runs
    refused = invoke("compare", appended, appended)
    assert refused.exit_code == 2 and "holds 3 runs" in refused.output
    result = invoke("compare", appended, appended, "--before-run", "1", "--after-run", "3",
                    "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["before"]["name"] == "run 1 of 3 in appended_restarted.csv"
    assert data["after"]["name"] == "run 3 of 3 in appended_restarted.csv"
    out_of_range = invoke("compare", appended, appended, "--before-run", "4",
                          "--after-run", "1")
    assert out_of_range.exit_code == 2
    assert "--before-run 4, but the file holds 3 runs (1 to 3)" in out_of_range.output
    assert "Traceback" not in out_of_range.output
