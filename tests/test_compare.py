"""``fitdoctor compare``: aligning two runs, the verdict, the regression gate, the renderers.

The before/after pair in tests/data/compare/ is two REAL trainings of the same Dense
model on a load_digits subset, without and with L2 + dropout (record_compare.py).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fitdoctor
from fitdoctor.cli.compare import compare_command
from fitdoctor.compare import (
    Comparison,
    FindingChange,
    Side,
    compare,
    default_monitor,
    monitor_mode,
)
from fitdoctor.errors import ConfigError, InputError
from fitdoctor.report import Finding, Report, Severity
from fitdoctor.reporters.compare_render import FORMATS, render_compare
from fitdoctor.rules import Settings
from fitdoctor.run import PerClass, Run

DATA = Path(__file__).parent / "data" / "compare"
BEFORE = DATA / "before.json"
AFTER = DATA / "after.json"


# ------------------------------------------------------------------ the real pair
def test_real_pair_reports_overfitting_fixed() -> None:
    cmp = compare(BEFORE, AFTER)
    assert cmp.monitor == "val_accuracy" and cmp.mode == "max"
    # FD101 is the fix that matters; an info (FD702's sampling note) may come and go
    assert [c.code for c in cmp.fixed if c.severity is not Severity.INFO] == ["FD101"]
    assert not cmp.gained and not cmp.regression
    assert cmp.verdict.startswith("AFTER fixes FD101 overfitting: ")
    assert "best val_accuracy 0.936 → 0.939" in cmp.verdict
    assert "gap 0.26 → 0.19" in cmp.verdict
    # the numbers behind it
    assert cmp.before.best_epoch == 12 and cmp.after.best_epoch is not None
    assert cmp.before.gap is not None and cmp.after.gap is not None
    assert cmp.after.gap < cmp.before.gap - 0.05
    assert cmp.common_epochs == list(range(1, 61))
    # val_loss carries AFTER's L2 penalty: the note says why it is not the monitor
    assert cmp.after.best_val_loss > cmp.before.best_val_loss  # type: ignore[operator]
    assert any("regularization penalties" in n for n in cmp.notes)


def test_real_pair_swapped_is_a_regression(capsys: pytest.CaptureFixture[str]) -> None:
    cmp = compare(AFTER, BEFORE)
    assert cmp.regression
    assert [c.code for c in cmp.new if c.severity is not Severity.INFO] == ["FD101"]
    assert cmp.regression_reasons == ["gains FD101 overfitting (warning)"]
    assert cmp.verdict.startswith("AFTER regresses: adds FD101 overfitting: ")
    assert compare_command(AFTER, BEFORE, "text", fail_on_regression=True) == 1
    assert compare_command(AFTER, BEFORE, "text", fail_on_regression=False) == 0
    assert compare_command(BEFORE, AFTER, "text", fail_on_regression=True) == 0
    out = capsys.readouterr().out
    assert out.count("verdict: ") == 3


def test_monitor_val_loss_sees_the_penalty_as_a_regression() -> None:
    cmp = compare(BEFORE, AFTER, monitor="val_loss")
    assert cmp.mode == "min" and cmp.worse_beyond_noise and cmp.regression
    assert cmp.verdict.startswith(
        "AFTER fixes FD101 overfitting but is worse on val_loss beyond noise: "
    )
    assert cmp.regression_reasons == [
        f"best val_loss 0.271 → 0.393, worse by more than the noise ({cmp.threshold:.3g})"
    ]
    assert any("judge on --monitor val_accuracy" in n for n in cmp.notes)


# ------------------------------------------------------------------ synthetic runs
def _run(val_acc: list[float], *, name: str, val_loss: list[float] | None = None) -> Run:
    n = len(val_acc)
    epochs = list(range(1, n + 1))
    return Run(
        epochs=epochs,
        metrics={
            "loss": [1.0 / e for e in epochs],
            "val_loss": val_loss if val_loss is not None else [1.2 / e + 0.1 for e in epochs],
            "accuracy": [min(1.0, 0.5 + 0.05 * e) for e in epochs],
            "val_accuracy": val_acc,
        },
        name=name,
    )


def _wiggly(level: float, n: int = 20, amp: float = 0.01) -> list[float]:
    return [level - 0.3 / e + (amp if e % 2 else -amp) for e in range(1, n + 1)]


def test_worse_within_noise_is_not_a_regression_beyond_it_is() -> None:
    base = _run(_wiggly(0.90), name="base")
    slightly = _run(_wiggly(0.895), name="slightly")
    clearly = _run(_wiggly(0.80), name="clearly")
    # measurement only: a rule that cannot fire here keeps findings out of the verdict
    quiet = Settings(select=["FD701"])
    within = compare(base, slightly, quiet)
    assert within.threshold > 0.005  # noise of a ±0.01 zig-zag, times 2
    assert not within.worse_beyond_noise and not within.regression
    assert within.verdict.startswith("no significant change: best val_accuracy")
    beyond = compare(base, clearly, quiet)
    assert beyond.worse_beyond_noise and beyond.regression
    assert beyond.verdict.startswith("AFTER regresses: is worse on val_accuracy beyond noise")
    better = compare(clearly, base, quiet)
    assert better.better_beyond_noise and not better.regression
    assert better.verdict.startswith("AFTER improves val_accuracy beyond noise")


def test_alignment_of_runs_of_different_lengths() -> None:
    short = _run(_wiggly(0.90, n=12), name="short")
    long = _run(_wiggly(0.90, n=20), name="long")
    cmp = compare(short, long)
    assert cmp.common_epochs == list(range(1, 13))
    assert cmp.before.n_epochs == 12 and cmp.after.n_epochs == 20
    assert any("12 and 20 epochs" in n for n in cmp.notes)


def test_default_monitor_and_mode() -> None:
    a = Run(epochs=[1, 2], metrics={"val_loss": [1.0, 0.9], "val_mae": [3.0, 2.0]})
    b = Run(epochs=[1, 2], metrics={"val_loss": [1.0, 0.8], "val_mae": [3.0, 2.5]})
    assert default_monitor(a, b) == "val_mae"
    c = Run(epochs=[1, 2], metrics={"val_loss": [1.0, 0.8]})
    assert default_monitor(a, c) == "val_loss"
    assert monitor_mode("val_loss") == "min"
    assert monitor_mode("val_mae") == "min"
    assert monitor_mode("val_sparse_categorical_accuracy") == "max"
    assert monitor_mode("val_auc") == "max"
    with pytest.raises(ConfigError, match="higher or lower"):
        monitor_mode("val_score")


def test_missing_monitor_and_bad_mode() -> None:
    a = _run(_wiggly(0.9), name="a")
    with pytest.raises(InputError, match="no 'val_auc' curve"):
        compare(a, a, monitor="val_auc")
    with pytest.raises(ConfigError, match="mode must be"):
        compare(a, a, mode="up")


def _finding(code: str, severity: Severity, diagnosis: str = "unstable") -> Finding:
    return Finding(code, f"rule-{code}", diagnosis, severity, f"{code} says <b>&", epoch=3)


def _side(name: str, findings: list[Finding], best: float) -> Side:
    report = Report(source=name, findings=findings, n_epochs=10)
    return Side(name, 10, 5, 0.5, 5, best, 5, 0.6, 0.1, 0.01, report)


def _cmp(before: list[Finding], after: list[Finding], b: float = 0.9, a: float = 0.9) -> Comparison:
    from fitdoctor.compare import _changes

    sb, sa = _side("b", before, b), _side("a", after, a)
    return Comparison(sb, sa, "val_accuracy", "max", 0.02, list(range(1, 11)),
                      changes=_changes(sb.report, sa.report))


def test_gained_findings_and_escalation() -> None:
    info = _finding("FD412", Severity.INFO)
    warn = _finding("FD412", Severity.WARNING)
    # a new info finding is not a regression; a new warning is
    assert not _cmp([], [info]).regression
    assert _cmp([], [warn]).regression_reasons == ["gains FD412 unstable (warning)"]
    # the same code going info → warning counts as gaining a warning
    escalated = _cmp([info], [warn])
    assert [c.status for c in escalated.changes] == ["stayed"]
    assert escalated.changes[0].escalated
    assert escalated.regression_reasons == ["FD412 unstable became warning"]
    # fixed one, gained another
    both = _cmp([_finding("FD101", Severity.WARNING, "overfitting")], [warn])
    assert both.verdict.startswith("AFTER fixes FD101 overfitting but adds FD412 unstable")
    # fixing only an info finding is not "fixes"
    assert _cmp([info], []).verdict.startswith("no significant change")


def test_per_class_recall_changes() -> None:
    def with_pc(run: Run, recall: list[float], labels: list[str]) -> Run:
        run.per_class = [
            PerClass(epoch=run.epochs[-1], labels=labels, precision=recall, recall=recall,
                     f1=recall, support=[10] * len(labels))
        ]
        return run

    b = with_pc(_run(_wiggly(0.9), name="b"), [0.9, 0.2], ["cat", "dog"])
    a = with_pc(_run(_wiggly(0.9), name="a"), [0.85, 0.6, 0.5], ["cat", "dog", "eel"])
    cmp = compare(b, a)
    got = [(c.label, c.before, c.after) for c in cmp.per_class]
    assert got == [("cat", 0.9, 0.85), ("dog", 0.2, 0.6), ("eel", None, 0.5)]
    assert cmp.per_class[1].delta == pytest.approx(0.4)
    assert cmp.per_class[2].delta is None
    text = render_compare(cmp, "text")
    assert "per-class recall" in text and "+0.4" in text


# ------------------------------------------------------------------ renderers
def test_every_format_leads_with_the_verdict() -> None:
    cmp = compare(BEFORE, AFTER)
    for fmt in FORMATS:
        out = render_compare(cmp, fmt, width=100)
        assert out.endswith("\n")
        if fmt == "json":
            data = json.loads(out)
            assert data["schema"] == "fitdoctor.compare/1"
            assert data["verdict"] == cmp.verdict
            assert data["regression"] is False
            assert "FD101" in [f["code"] for f in data["findings"]["fixed"]]
            assert data["before"]["best_epoch"] == 12
        else:
            first = out.splitlines()[0]
            assert "AFTER fixes FD101 overfitting" in first, (fmt, first)
            assert "\x1b[" not in out


def test_text_and_rich_fit_width_and_rich_colours() -> None:
    cmp = compare(AFTER, BEFORE)
    for width in (60, 100):
        for fmt in ("text", "rich"):
            out = render_compare(cmp, fmt, width=width)
            too_long = [line for line in out.splitlines() if len(line) > width]
            assert not too_long, (fmt, width, too_long)
    coloured = render_compare(cmp, "rich", color=True)
    assert "\x1b[" in coloured


def test_hostile_names_are_escaped() -> None:
    evil = "<script>x</script>|*\x1b[2J"
    b = _run(_wiggly(0.9), name=evil)
    a = _run(_wiggly(0.9), name=evil)
    cmp = compare(b, a)
    cmp.changes.append(
        FindingChange("FD999", evil, "unstable", "new", after=_finding("FD999", Severity.INFO))
    )
    md = render_compare(cmp, "markdown")
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\|" in md
    for fmt in ("text", "rich", "markdown"):
        assert "\x1b" not in render_compare(cmp, fmt)
    json.loads(render_compare(cmp, "json"))


def test_json_is_strict_with_missing_numbers() -> None:
    b = _run(_wiggly(0.9), name="b", val_loss=[math.nan] * 20)
    cmp = compare(b, b)
    data = json.loads(render_compare(cmp, "json"))
    assert data["before"]["best_val_loss"] is None and data["before"]["gap"] is None


def test_unknown_format_and_unusable_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError):
        render_compare(compare(BEFORE, AFTER), "html")
    assert compare_command(BEFORE, AFTER, "yaml") == 2
    assert compare_command(BEFORE, tmp_path / "missing.json", "text") == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert compare_command(bad, AFTER, "json") == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("fitdoctor: error: ") for line in err)


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "cmp.md"
    assert compare_command(BEFORE, AFTER, "markdown", output=out) == 0
    assert out.read_text(encoding="utf-8").startswith("### ✅ AFTER fixes FD101 overfitting")


# ------------------------------------------------------------------ real trainings
@pytest.mark.keras
@pytest.mark.slow
def test_recording_script_reproduces_the_pair(tmp_path: Path) -> None:
    """Retrain both models (about 20 s on an idle core) and compare the fresh pair."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run(
        [sys.executable, str(DATA / "record_compare.py"), "--out", str(tmp_path)],
        check=True,
        env=env,
        capture_output=True,
        timeout=600,
    )
    cmp = compare(tmp_path / "before.json", tmp_path / "after.json")
    assert "FD101" in [c.code for c in cmp.fixed]
    assert not cmp.regression, cmp.regression_reasons
    assert cmp.after.gap is not None and cmp.before.gap is not None
    assert cmp.after.gap < cmp.before.gap
    swapped = compare(tmp_path / "after.json", tmp_path / "before.json")
    assert swapped.regression
    assert fitdoctor.load(tmp_path / "before.json").n_epochs == 60


def test_runs_passed_in_are_not_modified() -> None:
    a = _run(_wiggly(0.9), name="")
    b = _run(_wiggly(0.9), name="")
    cmp = compare(a, b)
    assert a.name == "" and b.name == ""
    assert (cmp.before.name, cmp.after.name) == ("BEFORE", "AFTER")


# ------------------------------------------------------------------ CLI
def test_cli_compare_exit_codes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fitdoctor.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["compare", str(BEFORE), str(AFTER), "--fail-on-regression"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("verdict: AFTER fixes FD101 overfitting")  # text when piped
    swapped = runner.invoke(
        app, ["compare", str(AFTER), str(BEFORE), "--fail-on-regression", "-f", "json"]
    )
    assert swapped.exit_code == 1, swapped.output
    assert json.loads(swapped.stdout)["regression"] is True
    assert runner.invoke(app, ["compare", str(AFTER), str(BEFORE)]).exit_code == 0
    gate = runner.invoke(
        app, ["compare", str(BEFORE), str(AFTER), "--monitor", "val_loss", "--fail-on-regression"]
    )
    assert gate.exit_code == 1, gate.output
    out = tmp_path / "cmp.md"
    written = runner.invoke(
        app, ["compare", str(BEFORE), str(AFTER), "-f", "markdown", "-o", str(out)]
    )
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("### ✅ AFTER fixes FD101")
    bad = runner.invoke(app, ["compare", str(BEFORE), str(AFTER), "--monitor", "val_nope"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("fitdoctor: error: ") and bad.stderr.count("\n") == 1


def test_one_sample_worse_is_not_a_regression(tmp_path: Path) -> None:
    """A flat accuracy curve has no noise: the floor keeps rounding from failing CI."""
    before = json.loads(AFTER.read_text())
    n = len(before["val_accuracy"])
    before["val_accuracy"] = [min(0.9, 0.5 + 0.05 * i) for i in range(n)]  # flat at the end
    after = json.loads(json.dumps(before))
    after["val_accuracy"] = [v - 0.0025 for v in after["val_accuracy"]]
    cmp = compare(fitdoctor.load(before), fitdoctor.load(after))
    assert cmp.monitor == "val_accuracy"
    assert cmp.threshold >= 0.005
    assert not cmp.regression, cmp.regression_reasons
