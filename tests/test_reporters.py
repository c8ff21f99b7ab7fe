"""Reporters: golden output for every format, plus the properties each format promises.

Golden files live in tests/golden/<case>.<format>.txt. To rewrite them on purpose (after
a deliberate change of layout), run::

    FITDOCTOR_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_reporters.py

and review the diff before committing.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fitdoctor.report import (
    REPORT_SCHEMA,
    BestEpoch,
    Finding,
    Recommendation,
    Report,
    Severity,
    Skipped,
)
from fitdoctor.reporters import FORMATS, choose_auto, render, render_many, wants_color
from fitdoctor.reporters import github as gh
from fitdoctor.reporters import markdown as md
from fitdoctor.run import Run

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("FITDOCTOR_UPDATE_GOLDEN") == "1"
ESC = "\x1b"


# ----------------------------------------------------------------- fixtures
def healthy() -> tuple[Report, Run]:
    n = 20
    loss: list[float | None] = [round(1.2 * math.exp(-0.25 * e) + 0.08, 4) for e in range(n)]
    val = [round(1.25 * math.exp(-0.22 * e) + 0.12 + 0.004 * math.sin(3 * e), 4) for e in range(n)]
    acc: list[float | None] = [round(0.5 + 0.45 * (1 - math.exp(-0.3 * e)), 4) for e in range(n)]
    run = Run(
        epochs=list(range(1, n + 1)),
        metrics={"loss": loss, "val_loss": list(val), "accuracy": acc, "val_accuracy": acc},
        source="keras-history",
        name="runs/healthy.json",
    )
    best = min(range(n), key=lambda i: val[i])
    report = Report(
        source="runs/healthy.json",
        best_epoch=BestEpoch(
            epoch=best + 1, monitor="val_loss", value=val[best], last_epoch=n, patience=3
        ),
        skipped=[
            Skipped(
                "FD501",
                "minority-class-ignored",
                "no per-class validation metrics",
                "record the run with FitDoctor(validation_data=...)",
            )
        ],
        n_epochs=n,
        metrics=list(run.metrics),
        run_summary={"source": "keras-history", "status": "unknown", "epochs": n},
    )
    return report, run


def problems() -> tuple[Report, Run]:
    n = 40
    loss: list[float | None] = [round(2.3 * math.exp(-0.15 * e) + 0.02, 4) for e in range(n)]
    val: list[float | None] = [
        round(2.3 * math.exp(-0.2 * e) + 0.4 + (0.03 * (e - 8) if e > 8 else 0.0), 4)
        for e in range(n)
    ]
    loss[37] = math.nan
    loss[38] = math.inf
    loss[39] = math.nan
    val[37] = val[38] = val[39] = math.nan
    run = Run(
        epochs=list(range(1, n + 1)),
        metrics={"loss": loss, "val_loss": val},
        source="fitdoctor",
        name="runs/overfit.json",
    )
    findings = [
        Finding(
            code="FD401",
            name="loss-became-nonfinite",
            diagnosis="diverged",
            severity=Severity.ERROR,
            message="Training loss became NaN at epoch 38 (learning rate 0.1).",
            epoch=38,
            evidence={"first_nonfinite_epoch": 38, "learning_rate": 0.1, "rise": math.nan},
            recommendations=[
                Recommendation("lower-learning-rate", "Lower the learning rate 10x: 0.1 -> 0.01."),
                Recommendation("clip-gradients", "Clip gradients: optimizer(clipnorm=1.0)."),
            ],
        ),
        Finding(
            code="FD101",
            name="val-loss-rising",
            diagnosis="overfitting",
            severity=Severity.WARNING,
            message=(
                "Validation loss rose 0.842 (from 0.4521 to 1.294) over 28 epochs after its "
                "minimum at epoch 10, while training loss kept falling."
            ),
            epoch=10,
            evidence={
                "start_epoch": 10,
                "rise": 0.84213,
                "duration": 28,
                "train_slope": -0.0012345,
                "gap_by_epoch": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
                "smoothed": True,
            },
            recommendations=[
                Recommendation("early-stopping", "Stop at epoch 10: EarlyStopping(patience=3)."),
                Recommendation("raise-regularization", "L2 0 -> 1e-4 on the 512-unit Dense."),
                Recommendation("add-dropout", "Add Dropout(0.3) after the 512-unit Dense."),
                Recommendation("more-data", "More training data (4,000 samples now)."),
            ],
        ),
        Finding(
            code="FD702",
            name="validation-split-small",
            diagnosis="validation-setup",
            severity=Severity.INFO,
            message="The validation set holds 90 samples: a 1-sample change moves accuracy 1.1%.",
            evidence={"n_val": 90},
        ),
    ]
    report = Report(
        source="runs/overfit.json",
        findings=findings,
        best_epoch=BestEpoch(epoch=10, monitor="val_loss", value=0.4521, last_epoch=40, patience=3),
        skipped=[
            Skipped("FD501", "minority-class-ignored", "no per-class validation metrics", ""),
            Skipped(
                "FD601",
                "output-activation-mismatch",
                "no model facts",
                "record the run with the FitDoctor callback",
            ),
        ],
        n_epochs=n,
        metrics=["loss", "val_loss"],
        notes=["Validation was logged every epoch."],
        run_summary={
            "source": "fitdoctor",
            "status": "completed",
            "epochs": n,
            "model": "Dense(512, relu) → Dense(10, softmax)",
            "params": 407050,
            "loss": "categorical_crossentropy",
            "optimizer": "SGD",
            "learning_rate": 0.1,
            "n_train": 4000,
            "n_val": 90,
        },
    )
    return report, run


HOSTILE_MESSAGE = (
    "loss | val_loss <script>alert(1)</script> 100% *bold* _x_ `code` [link](http://x) $x$ "
    "@someone\nsecond line\r\n::error::forged \x1b[31mred\x1b[0m [bold]markup[/bold], a: b"
)


def hostile() -> tuple[Report, Run]:
    n = 150
    # Exploding loss (log scale), validation every 2 epochs (gaps), one NaN.
    loss: list[float | None] = [round(0.5 * 1.08**e, 4) for e in range(n)]
    val: list[float | None] = [
        round(0.6 * 1.08**e, 4) if e % 2 == 1 else None for e in range(n)
    ]
    val[101] = math.nan
    run = Run(
        epochs=list(range(1, n + 1)),
        metrics={"loss": loss, "val_loss": val, "weird|metric<b>": [1.0] * n},
        name="runs/a|b <script>.json",
    )
    findings = [
        Finding(
            code="FD9|9",
            name="name,with:colon%",
            diagnosis="unstable",
            severity=Severity.WARNING,
            message=HOSTILE_MESSAGE,
            epoch=3,
            evidence={"key|pipe": "<b>v</b>\nx", "pct": "50%", "big": 1.5e12, "tiny": 1.2e-7},
            recommendations=[Recommendation("lower-learning-rate", "Lower | the <i>rate</i>\n%")],
        ),
    ]
    report = Report(
        source="runs/a|b <script>.json",
        findings=findings,
        best_epoch=BestEpoch(epoch=2, monitor="val_loss", value=0.648, last_epoch=n, patience=2),
        skipped=[Skipped("FD8*8", "sk|ip", "no <data>", "add `x` | y\nz")],
        n_epochs=n,
        metrics=list(run.metrics),
        notes=["note with | pipe and <tag> and\nnewline"],
    )
    return report, run


def imbalanced() -> tuple[Report, Run]:
    """A real imbalanced run judged by the class-imbalance rules: shared evidence, once."""
    import fitdoctor
    from fitdoctor.rules import Settings

    run = fitdoctor.load(Path(__file__).parent / "data" / "runs" / "weighted" / "plain.json")
    return fitdoctor.analyze(run, Settings(select=["FD5"])), run


CASES = {"healthy": healthy, "problems": problems, "hostile": hostile, "imbalanced": imbalanced}


def _check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"missing golden file {path}; run with FITDOCTOR_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file"


# ------------------------------------------------------------------ golden
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, fmt: str) -> None:
    report, run = CASES[case]()
    _check_golden(f"{case}.{fmt}.txt", render(report, fmt, width=100, color=False, run=run))


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_many(fmt: str) -> None:
    items = [CASES[c]() for c in sorted(CASES)]
    _check_golden(f"many.{fmt}.txt", render_many(items, fmt, width=100, color=False))


def test_golden_files_all_used() -> None:
    expected = {f"{c}.{f}.txt" for c in [*CASES, "many"] for f in FORMATS}
    # Stale files of these cases are caught; other tests' golden files are left alone.
    present = {p.name for c in [*CASES, "many"] for p in GOLDEN.glob(f"{c}.*.txt")}
    assert present == expected


# ------------------------------------------------------------ format rules
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("width", [60, 100])
def test_text_is_plain(case: str, width: int) -> None:
    report, run = CASES[case]()
    out = render(report, "text", width=width, run=run)
    assert ESC not in out
    assert not [ch for ch in out if 0x2500 <= ord(ch) <= 0x257F], "box drawing in text output"
    # Our own decoration is ASCII: only data from the run (the model summary) may not be.
    for line in out.splitlines():
        assert not line.startswith("::"), line
        assert len(line) <= width, line
    if report.best_epoch is not None and report.best_epoch.ran_past:
        # The EarlyStopping call stays valid Python when it is broken over lines.
        start = out.index("  EarlyStopping(")
        end = out.index(")", out.index("restore_best_weights", start)) + 1
        compile(out[start:end].strip(), "<call>", "eval")


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("width", [50, 60, 100])
def test_rich_fits_width(case: str, width: int) -> None:
    report, run = CASES[case]()
    out = render(report, "rich", width=width, run=run)
    too_long = [line for line in out.splitlines() if len(line) > width]
    assert too_long == []
    assert not [line for line in out.splitlines() if line != line.rstrip()], "trailing blanks"


def test_text_shows_content() -> None:
    report, run = problems()
    out = render(report, "text", run=run)
    assert out.startswith("verdict: diverged, overfitting (1 error, 1 warning, 1 info)\n")
    order = [out.index(h) for h in ("ERRORS (1)", "WARNINGS (1)", "INFO (1)")]
    assert order == sorted(order)
    assert "rise: 0.8421" in out
    assert "rise: nan" in out
    assert "      1. Stop at epoch 10" in out
    assert '\n  EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)\n' in out
    assert "training ran 30 epochs past it. To stop there:" in out
    assert "FD601 output-activation-mismatch: no model facts" in out
    assert "Validation was logged every epoch." in out
    spark = [line for line in out.splitlines() if line.startswith("  loss ")]
    assert len(spark) == 1 and spark[0].count("x") == 3  # epochs 38-40 are NaN/inf


def test_skipped_rules_sharing_a_reason_share_a_line() -> None:
    report, _ = healthy()
    report.skipped = [
        Skipped("FD601", "a", "no model facts", "record with FitDoctor()"),
        Skipped("FD602", "b", "no model facts", "record with FitDoctor()"),
        Skipped("FD101", "c", "too short", ""),
        Skipped("FD603", "d", "no model facts", "record with FitDoctor()"),
    ]
    text = render(report, "text")
    assert "skipped (4 rules could not run):" in text
    assert "  FD601, FD602, FD603: no model facts\n    to enable: record with FitDoctor()\n" in text
    assert "  FD101 c: too short\n" in text
    assert text.count("record with FitDoctor()") == 1
    assert "FD601, FD602, FD603: no model facts — record with FitDoctor()" in render(report, "rich")
    # The markdown summary keeps one line per rule, inside <details>.
    assert render(report, "markdown").count("record with FitDoctor()") == 3


def test_text_without_run_has_no_sparkline() -> None:
    report, _ = problems()
    assert "loss curves" not in render(report, "text")


def test_rich_no_color_has_no_ansi_and_color_has() -> None:
    report, run = problems()
    plain = render(report, "rich", run=run)
    colored = render(report, "rich", run=run, color=True)
    assert ESC not in plain
    assert ESC in colored
    assert plain.splitlines()[0] == "✖ diverged, overfitting (1 error, 1 warning, 1 info)"


def test_rich_hostile_strings_are_not_markup_or_ansi() -> None:
    report, run = hostile()
    out = render(report, "rich", run=run)
    assert ESC not in out
    assert "[bold]markup[/bold]" in out
    assert "\\x1b[31mred" in out
    out_c = render(report, "rich", run=run, color=True)
    assert "\x1b[31mred" not in out_c


def test_rich_sparkline_marks_best_epoch() -> None:
    report, run = problems()
    lines = render(report, "rich", run=run).splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("  loss "))
    loss, val, caret = lines[i], lines[i + 1], lines[i + 2]
    assert loss.count("×") == 3 and val.count("×") == 3
    # One column per epoch: column of epoch 10 is the 10th cell after the label.
    start = len("  val_loss  ")
    assert caret.index("^") == start + 9
    assert "best epoch 10" in caret
    # Same scale: the lowest train loss is the lowest block, val stays above it.
    assert "▁" in loss and set(val[start : start + 37]) <= set("▁▂▃▄▅▆▇█")


def test_sparkline_buckets_long_runs_and_keeps_gaps() -> None:
    report, run = hostile()
    out = render(report, "text", run=run, width=100)
    lines = out.splitlines()
    caption = next(line for line in lines if line.startswith("loss curves"))
    assert "3 epochs per column" in caption and "log scale" in caption
    val = next(line for line in lines if line.startswith("  val_loss "))
    assert "x" in val  # the NaN at epoch 102
    assert max(len(line) for line in lines if line.startswith("  ")) <= 100


def test_sparkline_shows_validation_gaps_and_short_runs() -> None:
    # validation_freq=2: val_loss logged on even epochs only → blanks, not NaN marks.
    n = 12
    run = Run(
        epochs=list(range(1, n + 1)),
        metrics={
            "loss": [1.0 / (e + 1) for e in range(n)],
            "val_loss": [1.2 / (e + 1) if e % 2 else None for e in range(n)],
        },
    )
    report = Report(source="gaps.json", n_epochs=n, metrics=list(run.metrics),
                    best_epoch=BestEpoch(12, "val_loss", 0.1, 12))
    text = render(report, "text", run=run)
    val = next(line for line in text.splitlines() if line.startswith("  val_loss "))
    cells = val[len("  val_loss  "):len("  val_loss  ") + n]
    assert cells[0::2] == " " * 6 and " " not in cells[1::2] and "x" not in cells
    rich_val = next(
        line for line in render(report, "rich", run=run).splitlines()
        if line.startswith("  val_loss ")
    )
    assert rich_val[len("  val_loss  "):][0::2][:6] == " " * 6

    one = Run(epochs=[1], metrics={"loss": [0.7]})
    for fmt in ("rich", "text", "markdown"):
        out = render(Report(source="one.json", n_epochs=1, metrics=["loss"]), fmt, run=one)
        assert "0.7" in out


def test_json_contract() -> None:
    for case in CASES:
        report, run = CASES[case]()
        out = render(report, "json", run=run)
        data = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
        assert data["schema"] == REPORT_SCHEMA
        for key in ("source", "verdict", "summary", "n_epochs", "metrics", "best_epoch",
                    "findings", "shared_evidence", "skipped", "notes", "run"):
            assert key in data, key
        shared = data["shared_evidence"] or {"findings": [], "evidence": {}}
        for f in data["findings"]:
            core = {"code", "name", "diagnosis", "severity", "message", "epoch", "evidence",
                    "recommendations"}
            assert set(f) == (core | {"shared"} if f["code"] in shared["findings"] else core)
            assert f["severity"] in ("error", "warning", "info")
            # shared keys live once, at the top; a finding names the ones it takes
            assert not set(f["evidence"]) & set(shared["evidence"])
            assert set(f.get("shared", [])) <= set(shared["evidence"])
    data = json.loads(render(problems()[0], "json"))
    assert data["findings"][0]["evidence"]["rise"] is None  # NaN evidence → null
    assert data["findings"][1]["recommendations"][0] == {
        "action": "early-stopping", "text": "Stop at epoch 10: EarlyStopping(patience=3).",
    }


def test_json_numpy_and_nonfinite_values() -> None:
    np = pytest.importorskip("numpy")
    report, _ = healthy()
    report.findings.append(
        Finding("FD1", "x", "unstable", Severity.INFO, "m",
                evidence={"a": np.float32(1.5), "b": np.array([1.0, np.inf]), "c": np.int64(3),
                          "d": float("-inf")})
    )
    report.best_epoch = BestEpoch(1, "val_loss", float("nan"), 20)
    data = json.loads(render(report, "json"))
    assert data["findings"][0]["evidence"] == {"a": 1.5, "b": [1.0, None], "c": 3, "d": None}
    assert data["best_epoch"]["value"] is None


def test_json_many_is_json_lines_and_one_is_an_object() -> None:
    items = [healthy(), problems()]
    lines = render_many(items, "json").splitlines()
    many = [json.loads(line) for line in lines]
    assert [r["source"] for r in many] == ["runs/healthy.json", "runs/overfit.json"]
    one = json.loads(render_many(items[:1], "json"))
    assert isinstance(one, dict) and one == json.loads(render(items[0][0], "json"))
    assert json.loads(render_many([], "json")) == []


def test_markdown_escapes_run_strings() -> None:
    report, run = hostile()
    out = render(report, "markdown", run=run)
    assert "<script>" not in out and "<b>" not in out and "<i>" not in out
    assert "&lt;script&gt;" in out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    # header + 1 finding; every row has exactly the 6 unescaped pipes of 5 columns
    for row in table:
        unescaped = row.replace("\\|", "")
        assert unescaped.count("|") == 6, row
    assert "loss \\| val\\_loss" in out
    assert "\\*bold\\*" in out and "\\$x\\$" in out
    assert "`code`" in out  # a code span in a message stays one (issue 11), content literal
    assert ESC not in out
    assert "<details>" in out and "<summary>Skipped rules (1)</summary>" in out
    assert "&#64;someone" in out


def test_markdown_escape_function() -> None:
    assert md.escape("a|b") == "a\\|b"
    assert md.escape("<x>&") == "&lt;x&gt;&amp;"
    assert md.escape("line1\nline2") == "line1 line2"
    assert md.escape("val_loss") == "val\\_loss"


def test_github_escaping() -> None:
    assert gh.escape_data("100%\r\nx\ny") == "100%25%0Ax%0Ay"
    assert gh.escape_property("a: b, c%\n") == "a%3A b%2C c%25%0A"
    report, _ = hostile()
    out = render(report, "github")
    lines = out.splitlines()
    assert lines[0].startswith("::warning title=FD9|9 name%2Cwith%3Acolon%25 (unstable)::")
    assert "%0Asecond line%0A%3A" not in lines[0]  # ':' is not escaped in the message…
    assert "%0Asecond line%0A::error::forged" in lines[0]  # …and the newline is
    assert ESC not in out
    # Only the annotation line is a workflow command; the forged one stays inside it.
    assert sum(1 for line in lines if line.startswith("::")) == 1


def test_github_commands_and_file_property(tmp_path: Path) -> None:
    report, _ = problems()
    out = render(report, "github").splitlines()
    assert [line.split(" ", 1)[0] for line in out[:3]] == ["::error", "::warning", "::notice"]
    assert "file=" not in out[0]  # the source is not an existing file here
    assert out[0].startswith("::error title=FD401 loss-became-nonfinite (diverged)::")
    assert out[-1] == (
        "fitdoctor: runs/overfit.json: diverged, overfitting (1 error, 1 warning, 1 info)"
    )

    path = tmp_path / "run,1.json"
    path.write_text("{}")
    report.source = str(path)
    first = render(report, "github").splitlines()[0]
    assert f"file={str(path).replace(',', '%2C')},title=" in first


def test_github_file_property_is_the_path_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Report.path`` (the path the CLI read) names the file, not the source's display
    name, even when a file of that name exists in the working directory."""
    report, _ = problems()
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "overfit.json").write_text("{}")
    (tmp_path / "overfit.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    report.source, report.path = "overfit.json", "runs/overfit.json"
    first = render(report, "github").splitlines()[0]
    assert first.startswith("::error file=runs/overfit.json,title=FD401 ")
    assert "::overfit.json: " not in first  # the file says where: no prefix
    report.path = "runs/gone.json"  # a path that is no file: no file=, the source named
    first = render(report, "github").splitlines()[0]
    assert first.startswith("::error title=FD401 ") and "::overfit.json: " in first


def test_github_caps_annotations_at_ten() -> None:
    report, _ = problems()
    report.findings = [
        Finding(f"FD{i:03d}", f"rule-{i}", "unstable",
                Severity.INFO if i % 2 else Severity.WARNING, f"message {i}")
        for i in range(14)
    ]
    out = render(report, "github").splitlines()
    annotations = [line for line in out if line.startswith("::")]
    assert len(annotations) == gh.MAX_ANNOTATIONS
    # Most severe first: all 7 warnings are annotated before any notice.
    assert all(a.startswith("::warning") for a in annotations[:7])
    assert out[10] == (
        "fitdoctor: 4 more findings not annotated (at most 10 annotations); "
        "all are in the job summary (--summary)."
    )
    exact = render_many([(report, None)], "github").splitlines()
    assert exact == out
    report.findings = report.findings[:10]
    assert not any("more finding" in line for line in render(report, "github").splitlines())


def test_github_cap_spans_reports() -> None:
    a, _ = problems()
    b, _ = problems()
    b.source = "runs/other.json"
    c, _ = problems()
    c.source = "runs/third.json"
    d, _ = problems()
    d.source = "runs/fourth.json"
    out = render_many([(a, None), (b, None), (c, None), (d, None)], "github").splitlines()
    annotations = [line for line in out if line.startswith("::")]
    assert len(annotations) == 10
    assert [x.split(" ", 1)[0] for x in annotations[:4]] == ["::error"] * 4
    assert "fitdoctor: 2 more findings not annotated" in "\n".join(out)


def test_unknown_format() -> None:
    from fitdoctor.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown output format 'yaml'"):
        render(healthy()[0], "yaml")


@pytest.mark.parametrize(
    ("isatty", "env", "expected"),
    [
        (True, {}, "rich"),
        (True, {"NO_COLOR": "1"}, "rich"),
        (True, {"CI": "true"}, "text"),
        (True, {"CI": "false"}, "rich"),
        (True, {"CI": "1", "GITHUB_ACTIONS": "true"}, "text"),
        (True, {"TERM": "dumb"}, "text"),
        (False, {}, "text"),
        (False, {"FORCE_COLOR": "1"}, "text"),
    ],
)
def test_choose_auto(isatty: bool, env: dict[str, str], expected: str) -> None:
    assert choose_auto(isatty, env) == expected


def test_wants_color() -> None:
    assert wants_color(True, {})
    assert not wants_color(True, {"NO_COLOR": "1"})
    assert not wants_color(False, {})
    assert wants_color(False, {"FORCE_COLOR": "1"})
    assert not wants_color(True, {"TERM": "dumb"})


def test_rendering_ignores_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    report, run = problems()
    before = {f: render(report, f, run=run) for f in FORMATS}
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    after = {f: render(report, f, run=run) for f in FORMATS}
    assert before == after


def test_json_and_text_do_not_import_rich() -> None:
    code = (
        "import sys\n"
        "from fitdoctor.report import Report\n"
        "from fitdoctor.reporters import render\n"
        "render(Report(source='x'), 'json'); render(Report(source='x'), 'text')\n"
        "render(Report(source='x'), 'github'); render(Report(source='x'), 'markdown')\n"
        "bad = [m for m in ('rich', 'pandas', 'keras', 'tensorflow') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_stopped_early_run_gets_no_early_stopping_advice() -> None:
    from fitdoctor import engine
    from fitdoctor.run import Run

    val = [1.0, 0.6, 0.5, 0.45, 0.46, 0.47, 0.48, 0.49]
    run = Run(
        epochs=list(range(1, 9)),
        metrics={"loss": [1.0, 0.6, 0.45, 0.35, 0.3, 0.26, 0.23, 0.2], "val_loss": val},
        status="stopped-early",
    )
    report = engine.analyze(run)
    assert report.best_epoch is not None and not report.best_epoch.ran_past
    text = render(report, "text", run=run)
    assert "early stopping ended training 4 epochs later" in text
    assert "EarlyStopping(" not in text.split("best epoch")[1].split("\n\n")[0]


# ----------------------------------------------------------------- views on Report
def test_report_str_is_the_text_report() -> None:
    report, run = problems()
    report.run = run
    assert str(report) == render(report, "text", run=run)
    report.run = None
    assert str(report) == render(report, "text")
    assert render(report, "text", run=run) != render(report, "text")  # the run is used


def test_report_to_frame_has_one_row_per_finding() -> None:
    pytest.importorskip("pandas")
    report, _ = problems()
    frame = report.to_frame()
    assert list(frame.columns) == ["code", "name", "diagnosis", "severity", "epoch", "message",
                                   "next_action", "next", "recommendations"]
    assert list(frame["code"]) == [f.code for f in report.findings]
    assert list(frame["next_action"])[:2] == ["lower-learning-rate", "early-stopping"]
    assert frame["next_action"].isna()[2] and frame["next"].isna()[2]
    assert frame["next"][1] == "Stop at epoch 10: EarlyStopping(patience=3)."
    assert len(frame["recommendations"][1]) == 4 and frame["recommendations"][2] == []
    assert list(frame["severity"]) == [f.severity.value for f in report.findings]
    empty = Report(source="x").to_frame()
    assert len(empty) == 0 and list(empty.columns) == list(frame.columns)


def test_report_repr_html_is_the_fragment() -> None:
    from fitdoctor.reporters.html import render_fragment

    report, run = problems()
    report.run = run
    html = report._repr_html_()
    assert html == render_fragment(report, run)
    assert html.startswith('<div class="fitdoctor">')


def test_markdown_keeps_rule_code_spans() -> None:
    """`dense` stays a code span, not \\`dense\\` (issue 11); outside it, text is escaped."""
    report, run = healthy()
    report.findings.append(Finding(
        "FD101", "val-loss-rising", "overfitting", Severity.WARNING,
        "the gap grows after `dense_1|a*b` at epoch 3 *really*",
        recommendations=[Recommendation("add-dropout", "Raise dropout after `dense_1` to 0.3")]))
    out = render(report, "markdown", run=run)
    assert "| the gap grows after `dense_1\\|a*b` at epoch 3 \\*really\\* |" in out
    assert ": the gap grows after `dense_1|a*b` at epoch 3 \\*really\\*" in out
    assert "1. Raise dropout after `dense_1` to 0.3" in out
    assert "\\`dense" not in out


def test_sparkline_keeps_the_validation_rise_when_training_loss_reaches_1e6() -> None:
    """On one log scale 1 → 1e-6 would squeeze val_loss 0.3 → 0.88 into a solid bar (issue 11)."""
    from fitdoctor.reporters import _common as c

    n = 40
    loss: list[float | None] = [10 ** (-6 * e / (n - 1)) for e in range(n)]
    val: list[float | None] = [0.5 - 0.02 * min(e, 10) + 0.02 * max(0, e - 10) for e in range(n)]
    run = Run(epochs=list(range(1, n + 1)), metrics={"loss": loss, "val_loss": val})
    lines = c.sparklines(run, levels=8, max_columns=40)
    assert lines is not None and lines.own_scale
    cells = [cell for cell in lines.curves[1].cells if cell is not None]
    assert min(cells) == 0 and max(cells) == 7  # the validation curve uses the full height
    assert cells.index(0) < cells.index(7)  # ... and rises
    assert "each curve on its own scale" in c.spark_caption(lines)
    # curves that both span the decades keep the shared log scale
    run.metrics["val_loss"] = [2 * 10 ** (-6 * e / (n - 1)) for e in range(n)]
    shared = c.sparklines(run, levels=8, max_columns=40)
    assert shared is not None and shared.log_scale and not shared.own_scale


def test_a_loss_that_barely_moves_draws_flat() -> None:
    """A 0.05% change over 1,000 epochs is not drawn as a fall from top to bottom.

    The report beside it says the loss did not move (FD302); the sparkline must not
    contradict it. A 10% fall still spans the whole height.
    """
    from fitdoctor.reporters._common import sparklines

    n = 1000
    flat = Run(epochs=list(range(1, n + 1)),
               metrics={"loss": [5.794 - 0.003 * i / (n - 1) for i in range(n)]})
    lines = sparklines(flat, levels=10, max_columns=60)
    assert lines is not None
    cells = [c for c in lines.curves[0].cells if c is not None]
    assert max(cells) - min(cells) <= 1, cells
    falling = Run(epochs=list(range(1, 21)), metrics={"loss": [1.0 - 0.005 * i for i in range(20)]})
    lines = sparklines(falling, levels=10, max_columns=60)
    assert lines is not None
    cells = [c for c in lines.curves[0].cells if c is not None]
    assert (max(cells), min(cells)) == (9, 0)
