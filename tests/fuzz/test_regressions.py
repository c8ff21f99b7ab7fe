"""One regression test per defect the fuzzing campaign (bench/fuzz_campaign.py) found.

Each test builds its own input (nothing is copied from the corpora), including the
defects that lived in the rule engine (rules.py, engine.py, detectors, templates, the
verdict: the campaign's part B).
"""

from __future__ import annotations

import json
import math
import os
import stat
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import fitdoctor
from fitdoctor import storage
from fitdoctor.plot import MAX_PANELS, panels, shown_panels
from fitdoctor.run import DataInfo, Run
from fitdoctor.sanitize import UNSAFE
from fuzz import oracle
from fuzz.strategies import Raw, Scenario, builtin_rule_tables, dump_json, to_toml


def cli(argv: list[str], files: dict[str, bytes] | None = None, *,
        env: dict[str, str | None] | None = None, stdin: bytes = b"") -> oracle.Outcome:
    """Run ``fitdoctor ARGV`` in-process in a fresh folder holding ``files``."""
    sc = Scenario(argv, files=dict(files or {}), stdin=stdin, env=dict(env or {}))  # type: ignore[arg-type]
    return oracle.run(sc, timeout=60)


def js(value: Any) -> bytes:
    return dump_json(value).encode()


def healthy(n: int = 12) -> dict[str, list[float]]:
    return {"loss": [1 / (e + 1) for e in range(n)], "val_loss": [1.1 / (e + 1) for e in range(n)]}


def contract(out: oracle.Outcome, *codes: int) -> None:
    """No traceback; the exit code one of ``codes``; stderr empty unless exit 2 (one line)."""
    assert out.exception is None, f"{type(out.exception).__name__}: {out.exception} at {out.where}"
    assert out.code in codes, (out.code, out.stdout[-500:], out.stderr)
    if out.code == 2:
        lines = out.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("fitdoctor: error: "), lines
        assert "internal error" not in lines[0], lines[0]
    else:
        assert out.stderr == "", out.stderr
    assert UNSAFE.search(out.stdout.replace("\n", "")) is None
    assert UNSAFE.search(out.stderr.replace("\n", "")) is None


# ====================================================== numbers beyond the float range
BIG = Raw("1" + "0" * 400)
HUGE = Raw("9" * 5000)  # over Python's 4,300-digit limit for int(text)


@pytest.mark.parametrize("token", [BIG, HUGE, Raw("-" + "9" * 400)], ids=["400", "5000", "-400"])
@pytest.mark.parametrize("form", ["history", "records", "run1"])
def test_an_integer_beyond_the_float_range_reads_as_infinite(token: Raw, form: str) -> None:
    """Decision (campaign item 2): read as ±inf, as JSON's 1e400 is; never OverflowError."""
    loss: list[Any] = [1.0, 0.8, 0.6, token, 0.5]
    if form == "history":
        doc: Any = {"loss": loss}
    elif form == "records":
        doc = [{"epoch": i, "loss": v} for i, v in enumerate(loss)]
    else:
        doc = Run([1, 2, 3, 4, 5], {"loss": [0.0] * 5}).to_dict()
        doc["metrics"]["loss"] = loss
    out = cli(["analyze", "h.json", "-f", "json"], {"h.json": js(doc)})
    contract(out, 0, 1)
    report = json.loads(out.stdout)
    assert report["n_epochs"] == 5


def test_an_overflowing_value_in_a_csv_run_log_and_in_memory() -> None:
    big = "1" + "0" * 400
    csv = f"epoch,loss\n0,1.0\n1,{big}\n2,0.5\n".encode()
    log = (js({"schema": "fitdoctor.run/2", "source": "fitdoctor", "name": "r"}) + b"\n"
           + b"".join(js({"kind": "epoch", "epoch": e, "seconds": None,
                          "metrics": {"loss": Raw(big) if e == 2 else 1.0 / e}}) + b"\n"
                      for e in (1, 2, 3)))
    for name, data in (("h.csv", csv), ("run.json", log)):
        contract(cli(["analyze", name, "-f", "text"], {name: data}), 0, 1)
    run = fitdoctor.load_runs  # noqa: F841 - the in-memory reader below
    report = fitdoctor.analyze({"loss": [1.0, 10**400, 0.5]})
    assert report.n_epochs == 3


# ============================================================== nesting and size caps
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deep_nesting_is_one_line_everywhere(depth: int) -> None:
    deep = "[" * depth + "]" * depth
    history = ('{"loss": [1, 0.5], "config": ' + deep + "}").encode()
    records = ('{"epoch": 0, "loss": 1}\n{"epoch": 1, "loss": 0.5, "x": ' + deep + "}\n").encode()
    header = js({"schema": "fitdoctor.run/2", "source": "fitdoctor", "name": "r"})
    log = header + b"\n" + ('{"kind": "meta", "meta": {"a": ' + deep + "}}\n").encode() + \
        js({"kind": "epoch", "epoch": 1, "seconds": None, "metrics": {"loss": 1.0}}) + b"\n"
    cv = ('{"schema": "fitdoctor.cv/1", "name": "cv", "k": 2, "meta": ' + deep + "}").encode()
    for name, data in (("h.json", history), ("r.jsonl", records), ("run.json", log),
                       ("cv.json", cv)):
        out = cli(["analyze", name], {name: data})
        contract(out, 2)
        assert "nested deeper than" in out.stderr or "invalid JSON" in out.stderr, out.stderr


# ================================================================= typed run files
def rich_run() -> Run:
    return Run(epochs=[1, 2, 3], metrics={"loss": [1.0, 0.6, 0.5], "val_loss": [1.1, 0.7, 0.6]},
               data=DataInfo(task="binary", n_train=80, n_val=20, n_classes=2), name="r")


def run2(run: Run) -> bytes:
    from fitdoctor import runlog_writer

    return runlog_writer.dumps(run).encode()


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("meta",), [1, 2], "meta: expected an object, got a list"),
        (("name",), {}, "name: expected a string"),
        (("data", "n_train"), "many", "data.n_train: expected an integer or null, got text 'many'"),
        (("data", "n_classes"), 0, "data.n_classes: expected an integer >= 1 or null"),
        (("data", "task"), "vision", 'data.task: expected one of "binary"'),
        (("source",), 5, "source: expected a string"),
    ],
)
@pytest.mark.parametrize("version", ["run/1", "run/2"])
def test_a_run_file_field_of_the_wrong_type_is_named(
    version: str, where: tuple[str, ...], value: Any, message: str
) -> None:
    if version == "run/1":
        doc = rich_run().to_dict()
        node = doc
        for key in where[:-1]:
            node = node[key]
        node[where[-1]] = value
        data = js(doc)
    else:
        lines = [json.loads(line) for line in run2(rich_run()).decode().splitlines()]
        node = lines[0]
        for key in where[:-1]:
            node = node[key]
        node[where[-1]] = value
        data = b"".join(js(line) + b"\n" for line in lines)
    for fmt in ("github", "json", "text"):
        out = cli(["analyze", "run.json", "-f", fmt], {"run.json": data})
        contract(out, 2)
        assert message in out.stderr, out.stderr
        assert "FD000" not in out.stdout


# ======================================================================== sparklines
@pytest.mark.parametrize("fmt", ["text", "rich", "markdown", "html"])
@pytest.mark.parametrize("values", [
    [1e308, -1e308, 1e308, 0.5], [1.7976931348623157e308] * 4, [-1e308, 1e308],
    [5e-324, 1e300, 1e-300, 1.0], [math.nan] * 3, [1.0] * 6, [2.0],
])
def test_curves_at_the_float_limits_render(fmt: str, values: list[float]) -> None:
    h = {"loss": values, "val_loss": list(reversed(values))}
    argv = ["analyze", "h.json", "-f", fmt] + (["-o", "r.html"] if fmt == "html" else [])
    contract(cli(argv, {"h.json": js(h)}), 0, 1)


# ============================================================================== plots
@pytest.mark.slow
@pytest.mark.parametrize("values", [
    [1e308, -1e308, 1e308, 0.5], [1.0] * 5, [math.nan] * 4, [0.7], [5e-324, 1e-320, 1e-310],
    [math.inf, 1.0, -math.inf, 2.0], [1e300, 1e305, 1.7e308, 1.0],
], ids=["pm1e308", "constant", "nan", "one-epoch", "subnormal", "inf", "near-max"])
def test_plot_and_html_on_extreme_or_degenerate_curves(values: list[float]) -> None:
    h = {"loss": values, "val_loss": values[::-1], "lr": [1e308] * len(values)}
    out = cli(["plot", "h.json", "-o", "curves.png", "--dpi", "30"], {"h.json": js(h)})
    contract(out, 0)
    assert out.outputs["curves.png"].startswith(b"\x89PNG")
    contract(cli(["analyze", "h.json", "-f", "html", "-o", "report.html"],
                 {"h.json": js(h)}), 0, 1)


def wide_history(n_metrics: int, n: int = 20) -> dict[str, list[float]]:
    h = {"loss": [1 / (e + 1) for e in range(n)], "val_loss": [1.1 / (e + 1) for e in range(n)]}
    for i in range(n_metrics):
        h[f"m{i:03d}"] = [float(i + e) for e in range(n)]
    return h


def test_plot_panels_are_capped_and_the_rest_listed() -> None:
    out = cli(["plot", "h.json", "-o", "curves.png", "--dpi", "30"],
              {"h.json": js(wide_history(100))})
    contract(out, 0)
    png = out.outputs["curves.png"]
    width, height = struct.unpack(">II", png[16:24])
    rows = math.ceil(MAX_PANELS / 2)
    assert height <= (0.6 + rows * 4.0) * 30 + 60, (width, height)  # not 51 rows of panels
    run = fitdoctor.load  # noqa: F841
    layout = panels(Run(list(range(1, 21)), wide_history(100)))
    shown, hidden = shown_panels(layout)
    assert len(shown) == MAX_PANELS and len(hidden) == 101 - MAX_PANELS
    assert shown[0].title == "loss"


def test_the_panels_the_findings_use_are_drawn_first() -> None:
    """A finding on metric m099 keeps its panel among the first MAX_PANELS."""
    from fitdoctor.report import Finding, Report, Severity

    layout = panels(Run(list(range(1, 21)), wide_history(100)))
    finding = Finding("FD999", "x", "unstable", Severity.WARNING, "m", 3,
                      evidence={"metric": "m099"})
    report = Report(source="s", findings=[finding])
    shown, hidden = shown_panels(layout, report)
    assert "m099" in [p.title for p in shown] and "m099" not in hidden


# ============================================================ special files, orphans
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("argv", [
    ["analyze", "pipe"], ["plot", "pipe", "-o", "x.png"], ["compare", "pipe", "h.json"],
    ["analyze", "h.json", "--config", "pipe"], ["analyze", "h.json", "--rules", "pack"],
    ["analyze", "."],
])
def test_a_fifo_is_refused_before_it_is_opened(argv: list[str], tmp_path: Path) -> None:
    """A FIFO with no writer would block forever: refused by what it is (or skipped)."""
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "pack").mkdir()
    os.mkfifo(tmp_path / "pack" / "rules.toml")
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "h.json").write_text(json.dumps(healthy()))
    sc = Scenario(argv)
    out = oracle.run(sc, timeout=20, folder=tmp_path)
    assert not isinstance(out.exception, oracle.Timeout), "blocked on the FIFO"
    if argv == ["analyze", "."]:  # the folder search skips it and reads h.json
        contract(out, 0, 1)
        assert "h.json" in out.stdout
    else:
        contract(out, 2)
        assert "pipe" in out.stderr and ("FIFO" in out.stderr or "regular file" in out.stderr)


def test_a_device_is_refused() -> None:
    if not os.path.exists("/dev/zero") or not stat.S_ISCHR(os.stat("/dev/zero").st_mode):
        pytest.skip("no /dev/zero")
    out = cli(["analyze", "/dev/zero"])
    contract(out, 2)
    assert "character device" in out.stderr


def test_a_save_removes_the_orphans_of_earlier_crashed_saves(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    dead = tmp_path / ".run.json.999999999.abcd1234.tmp"  # no such process
    alive = tmp_path / f".run.json.{os.getppid()}.abcd1234.tmp"  # a live process: saving
    other = tmp_path / ".other.json.999999999.abcd1234.tmp"  # another file's
    for p in (dead, alive, other):
        p.write_text("{")
    storage.save(rich_run(), target)
    assert not dead.exists() and alive.exists() and other.exists()
    assert fitdoctor.load(target).n_epochs == 3


# ========================================================================= sanitizer
def test_error_lines_escape_terminal_sequences_from_the_input() -> None:
    h = {"acc\x1b[2J\x1b[31mPWNED": [0.5, 0.6], "x\u202eevil": [1, 2]}
    out = cli(["analyze", "h.json"], {"h.json": js(h)})
    contract(out, 2)
    assert "no loss column" in out.stderr and "\\x1b[2J" in out.stderr and "\\u202e" in out.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "github", "rich", "json"])
def test_reports_escape_bidi_overrides_and_line_separators(fmt: str) -> None:
    h = {"loss": [1.0, 0.9, 1.2, 0.8, 1.3, 0.7], "val_loss": [1.0] * 6,
         "evil\u202eexe": [1.0] * 6, "a\u2028b": [0.5] * 6, "c\u2029d\x9b31m": [0.1] * 6}
    run = Run(list(range(1, 7)), h, name="run\u202e\u2066name\x1b[31m")
    data = js(run.to_dict())
    out = cli(["analyze", "run.json", "-f", fmt], {"run.json": data})
    contract(out, 0, 1)
    if fmt != "json":
        assert "\\u202e" in out.stdout


def test_compare_escapes_names_from_its_inputs() -> None:
    before = {"loss": [1.0, 0.5, 0.4], "val_\x1b[31mloss": [1.0, 0.6, 0.5]}
    after = {"loss": [1.0, 0.5, 0.3], "val_\u202eloss": [1.0, 0.6, 0.4]}
    for fmt in ("text", "markdown", "rich", "json"):
        out = cli(["compare", "a.json", "b.json", "-f", fmt, "--monitor", "val_\x1b[2Jx"],
                  {"a.json": js(before), "b.json": js(after)})
        contract(out, 0, 1, 2)


def pack_rule(**changes: Any) -> dict[str, Any]:
    table = next(t for t in builtin_rule_tables() if t["code"] == "FD701")
    rule = json.loads(json.dumps(table))
    rule.update({"code": "FD901", "name": "pack-no-validation"}, **changes)
    return rule


@pytest.mark.parametrize("argv", [["rules"], ["rules", "--format", "markdown"],
                                  ["explain", "FD901"], ["explain", "FD901", "--format", "json"]])
def test_rules_and_explain_escape_rule_pack_text(argv: list[str]) -> None:
    rule = pack_rule(summary="sum\x1b[2J\u202emary", message="msg \x1b[31m{metrics}\u2028x")
    rule["docs"]["what"] = "what\x1b]0;title\x07 \u2029 it does"
    out = cli([*argv, "--rules", "pack"], {"pack/p.toml": to_toml({"rule": [rule]}).encode()})
    contract(out, 0)
    assert "FD901" in out.stdout


def test_a_plot_title_with_control_characters_draws_no_missing_glyph() -> None:
    run = Run([1, 2, 3], {"loss": [1.0, 0.5, 0.4]}, name="r\x1b[31m\x07\u202e")
    out = cli(["plot", "run.json", "-o", "curves.png", "--dpi", "30"],
              {"run.json": js(run.to_dict())})
    contract(out, 0)


# ===================================================================== valid files
@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_a_csv_is_read_whatever_its_line_endings(newline: str, sep: str) -> None:
    rows = [["epoch", "loss", "val_loss"]] + [[str(e), str(1 / (e + 1)), str(1.1 / (e + 1))]
                                             for e in range(8)]
    text = newline.join(sep.join(r) for r in rows)
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode()):
        out = cli(["analyze", "h.csv", "-f", "json"], {"h.csv": data})
        contract(out, 0, 1)
        assert json.loads(out.stdout)["n_epochs"] == 8


def cv_document() -> bytes:
    from fitdoctor.cv import CVResult

    folds = [Run([1, 2, 3, 4], {"loss": [1.0, 0.7, 0.5, 0.4], "val_loss": [1.1, 0.8, 0.6, 0.5]},
                 meta={"fold": i}) for i in range(2)]
    return js(CVResult(folds, k=2, n_samples=100, name="cv").to_dict())


def test_a_cross_validation_file_with_a_byte_order_mark_is_read() -> None:
    files = {"cv.json": b"\xef\xbb\xbf" + cv_document()}
    contract(cli(["analyze", "cv.json", "-f", "text"], files), 0, 1)
    contract(cli(["plot", "cv.json", "-o", "x.png", "--dpi", "30"], files), 0)


@pytest.mark.parametrize("name", ["fitdoctor.toml", "pyproject.toml"])
def test_a_configuration_with_a_byte_order_mark_is_read(name: str) -> None:
    table = 'select = ["FD7"]\n'
    text = table if name == "fitdoctor.toml" else "[tool.fitdoctor]\n" + table
    files = {name: b"\xef\xbb\xbf" + text.encode(), "h.json": js({"loss": [1.0, 0.5]})}
    out = cli(["analyze", "h.json", "-f", "json"], files)
    contract(out, 0, 1)
    codes = {f["code"] for f in json.loads(out.stdout)["findings"]}
    assert codes <= {c for c in codes if c.startswith("FD7")} and "FD701" in codes


def test_json_lines_of_one_epoch_are_read() -> None:
    out = cli(["analyze", "r.jsonl", "-f", "json"],
              {"r.jsonl": b'{"epoch": 0, "loss": 0.7, "lr": 0.001}\n'})
    contract(out, 0, 1)
    assert json.loads(out.stdout)["n_epochs"] == 1


def test_a_column_without_a_name_is_left_out_with_a_note() -> None:
    out = cli(["analyze", "h.csv", "-f", "json"],
              {"h.csv": b"epoch,loss,,acc\n0,1.0,7,0.5\n1,0.5,8,0.6\n2,0.4,9,0.7\n"})
    contract(out, 0, 1)
    assert "column 3 without a name: left out" in json.loads(out.stdout)["notes"]


# ====================================================================== quiet stderr
def test_numeric_warnings_become_a_note_not_stderr() -> None:
    h = {"loss": [1e308, -1e308, 1e308, 1.7e308, 1e308, 0.5],
         "val_loss": [1e308, 1.0, 2.0, 3.0, 1e308, 1.0]}
    out = cli(["analyze", "h.json", "-f", "json"], {"h.json": js(h)})
    contract(out, 0, 1)
    notes = json.loads(out.stdout)["notes"]
    assert any(n.startswith("numeric warnings during the analysis") for n in notes), notes


def test_an_unexpected_exception_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    from fitdoctor import engine

    def boom(*_a: Any, **_k: Any) -> Any:
        raise ZeroDivisionError("boom\x1b[2J")

    monkeypatch.setattr(engine, "analyze", boom)
    files = {"h.json": js(healthy())}
    out = cli(["analyze", "h.json"], files, env={"FITDOCTOR_TRACEBACK": None})
    assert out.exception is None and out.code == 2
    assert out.stderr.count("\n") == 1 and "internal error" in out.stderr
    assert "ZeroDivisionError: boom\\x1b[2J" in out.stderr
    out = cli(["analyze", "h.json"], files, env={"FITDOCTOR_TRACEBACK": "1"})
    assert isinstance(out.exception, ZeroDivisionError)


def test_a_reader_that_goes_away_keeps_the_exit_code(tmp_path: Path) -> None:
    """``fitdoctor analyze run.json | head -1``: no BrokenPipeError traceback."""
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"loss": [1.0, 0.8, 0.7, 4.0, math.inf, math.nan]}))
    proc = subprocess.Popen([sys.executable, "-m", "fitdoctor", "analyze", str(path), "-f",
                             "text", "--width", "40"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before a byte is read
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1, err  # the diverged run's error finding
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err


def test_a_config_folder_is_one_line() -> None:
    out = cli(["analyze", "h.json", "--config", "d"], {"h.json": js(healthy()), "d/x": b""})
    contract(out, 2)


# =========================================================== rule engine: part B
def analyze_json(h: dict[str, list[float]], *argv: str) -> tuple[oracle.Outcome, Any]:
    out = cli(["analyze", "h.json", "-f", "json", *argv], {"h.json": js(h)})
    return out, json.loads(out.stdout) if out.stdout.strip() else None


def test_part_b_an_oscillating_loss_ending_in_nan_crashes_no_rule() -> None:
    """Fixed since (FD411/FD412 on a NaN tail): the strict xfail passed on the merged tree."""
    h = {"loss": [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, math.nan],
         "val_loss": [1.0, 2.1, 0.9, 2.2, 1.0, 2.0, 1.1, 2.0, math.nan]}
    out, report = analyze_json(h)
    contract(out, 0, 1)
    assert "FD000" not in {f["code"] for f in report["findings"]}


def test_part_b_a_nan_learning_rate_crashes_no_rule_and_keeps_fd401() -> None:
    h = {"loss": [1.0, 0.8, 0.7, 4.0, math.inf, math.nan], "val_loss": [1.1, 0.9, 0.8, 5.0,
                                                                         math.inf, math.nan],
         "lr": [math.nan] * 6}
    _, report = analyze_json(h)
    codes = {f["code"] for f in report["findings"]}
    assert "FD000" not in codes and "FD401" in codes


def test_part_b_a_run_of_no_epochs_is_not_healthy() -> None:
    head = js({"schema": "fitdoctor.run/2", "source": "fitdoctor", "name": "r"}) + b"\n"
    out = cli(["analyze", "run.json", "-f", "json", "--fail-on", "info"], {"run.json": head})
    assert out.code != 0 and not json.loads(out.stdout)["verdict"].startswith("healthy")


def test_part_b_a_selection_none_of_which_could_run_is_not_judged_not_healthy() -> None:
    # fuzz campaign seed 29: --select FD603 on a run of no epochs said "healthy as far as
    # checked: 0 checks found no problem"
    head = js({"schema": "fitdoctor.run/2", "source": "fitdoctor", "name": "r"}) + b"\n" \
        + js({"kind": "end", "status": "completed"}) + b"\n"
    out = cli(["analyze", "run.json", "-f", "json", "--select", "FD603"], {"run.json": head})
    verdict = json.loads(out.stdout)["verdict"]
    assert verdict == "not judged: no check could run; 1 needs facts this run did not record"
    out = cli(["analyze", "run.json", "-f", "json", "--select", "FD101"], {"run.json": head})
    assert json.loads(out.stdout)["verdict"].startswith("not judged: no check could run; ")


def test_part_b_a_selection_that_does_not_apply_to_the_model_is_not_judged() -> None:
    # review7: --select FD411 on a model with Dropout said "healthy: no problems found
    # (0 checks; 1 does not apply to this model)"
    from fitdoctor.run import Layer, ModelInfo

    loss = [1.0, 0.8, 0.7, 0.65, 0.6, 0.58, 0.57, 0.56]
    run = fitdoctor.load({"loss": loss, "val_loss": [v + 0.05 for v in loss]})
    run.model = ModelInfo(layers=[Layer(name="d", class_name="Dense"),
                                  Layer(name="drop", class_name="Dropout", dropout=0.5)])
    report = fitdoctor.analyze(run, fitdoctor.Settings(select=["FD411"]))
    assert report.verdict == "not judged: no check could run; 1 does not apply to this model"
    assert fitdoctor.analyze(run).verdict.startswith("healthy")  # all rules: some ran


@pytest.mark.parametrize("value", ["-1", "nan", "inf"])
def test_part_b_a_parameter_out_of_its_range_is_refused(value: str) -> None:
    files = {"fitdoctor.toml": f"[rule.FD101]\nmin_rise = {value}\n".encode(),
             "h.json": js(healthy())}
    out = cli(["analyze", "h.json"], files)
    contract(out, 2)
    assert "FD101" in out.stderr and "min_rise" in out.stderr


def test_part_b_an_empty_selection_is_not_silent() -> None:
    out = cli(["analyze", "h.json"], {"fitdoctor.toml": b"select = []\n",
                                      "h.json": js(healthy())})
    assert out.code == 2 or out.stderr.strip()


def test_part_b_template_field_widths_are_capped() -> None:
    rule = pack_rule(message="{metrics:>100000}")
    files = {"pack/p.toml": to_toml({"rule": [rule]}).encode(),
             "h.json": js({"loss": [1.0, 0.5, 0.4]})}
    out = cli(["analyze", "h.json", "-f", "json", "--rules", "pack"], files)
    contract(out, 0, 1)
    message = next(f["message"] for f in json.loads(out.stdout)["findings"]
                   if f["code"] == "FD901")
    assert len(message) < 2_000


@pytest.mark.parametrize("files", [
    pytest.param({"pyproject.toml": b'tool = "fitdoctor"\n'}, id="tool-string"),
    pytest.param({"pyproject.toml": b"[tool]\nfitdoctor = 1\n"}, id="tool-number"),
    pytest.param({"pack/p.toml": b"rule = 5\n"}, id="pack-number"),
    pytest.param({"pack/p.toml": b"rule = [1]\n"}, id="pack-rule-number"),
    pytest.param({"pack/p.toml": to_toml({"rule": [pack_rule(params=[1])]}).encode()},
                 id="params-array"),
    pytest.param({"pack/p.toml": to_toml({"rule": [pack_rule(escalate=[1])]}).encode()},
                 id="escalate-number"),
])
def test_part_b_a_configuration_of_the_wrong_shape_is_one_config_error(
    files: dict[str, bytes]
) -> None:
    argv = ["analyze", "h.json"] + (["--rules", "pack"] if "pack/p.toml" in files else [])
    out = cli(argv, {**files, "h.json": js(healthy())}, env={"FITDOCTOR_TRACEBACK": None})
    contract(out, 2)


def test_part_b_a_run_of_no_epochs_is_an_error_finding_in_process() -> None:
    """Decision: a 0-epoch run is FD303 at severity error ("too short to judge"), not exit 2."""
    report = fitdoctor.analyze(Run([], {}, status="running"))
    (finding,) = [f for f in report.findings if f.code == "FD303"]
    assert finding.severity.value == "error" and finding.evidence["epochs"] == 0
    assert report.fails(fitdoctor.Severity.ERROR) and not report.verdict.startswith("healthy")


def test_part_b_a_crash_that_still_happens_fails_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """FD000 is an error: under the default --fail-on, a crashed rule exits 1."""
    from fitdoctor.detectors import training

    def boom(*_a: Any, **_k: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(training.too_short, "__code__", boom.__code__)
    out = cli(["analyze", "h.json", "-f", "json", "--select", "FD303"], {"h.json": js(healthy())})
    contract(out, 1)
    (finding,) = json.loads(out.stdout)["findings"]
    assert finding["code"] == "FD000" and finding["severity"] == "error"


@pytest.mark.parametrize("counts", [[10**400, 1], [math.inf, 3], [-1, 5]],
                         ids=["huge", "inf", "negative"])
def test_part_b_class_counts_that_are_no_sample_counts_crash_no_rule(counts: list[Any]) -> None:
    run = Run([1, 2, 3], {"loss": [1.0, 0.6, 0.5], "val_loss": [1.0, 0.7, 0.6]},
              data=DataInfo(train_class_counts=counts))
    report = fitdoctor.analyze(run)
    assert "FD000" not in {f.code for f in report.findings}
    assert "FD501" in {s.code for s in report.skipped}


def test_part_b_class_counts_beyond_any_data_set_on_the_command_line_are_exit_2() -> None:
    out = cli(["analyze", "h.json", "--class-counts", "1" + "0" * 400 + ",3"],
              {"h.json": js(healthy())})
    contract(out, 2)
    assert "class count is at most" in out.stderr


@pytest.mark.parametrize("lr", [math.nan, math.inf, -1.0, 0.0])
def test_part_b_a_learning_rate_no_change_can_start_from_gives_the_fallback_advice(
    lr: float,
) -> None:
    h = {"loss": [1.0, 0.8, 0.7, 40.0, math.nan], "lr": [lr] * 5}
    report = fitdoctor.analyze(h)
    (finding,) = [f for f in report.findings if f.code == "FD401"]
    first = finding.recommendations[0]
    assert first.action == "lower-learning-rate"
    assert first.text.startswith("Lower the learning rate to 0.1× its value"), first.text


def test_part_b_template_widths_and_precisions_are_capped_nested_fields_too() -> None:
    from fitdoctor.templates import MAX_PRECISION, MAX_WIDTH, render

    values = {"x": 3.14159, "n": 10**9, "p": 999_999_999}
    assert render("{x:>1500000000}", values) == " " * (MAX_WIDTH - 7) + "3.14159"
    assert len(render("{x:.999999999f}", values) or "") == 2 + MAX_PRECISION
    assert len(render("{x:*^{n}.{p}f}", values) or "") == MAX_WIDTH
    assert render("{x:.3f} {x:>8.2f}", values) == "3.142     3.14"  # ordinary specs unchanged


def test_part_b_a_parameter_at_the_edge_of_its_range_crashes_no_rule() -> None:
    """FD404 at min_epochs = 1 on a 1-epoch run (its late window was 2 epochs)."""
    from fitdoctor.run import Baselines

    run = Run([1], {"loss": [5.0]}, baselines=Baselines(prior_loss=0.69))
    files = {"run.json": js(run.to_dict()),
             "fitdoctor.toml": b"[rule.FD404]\nmin_epochs = 1\n"}
    out = cli(["analyze", "run.json", "-f", "json"], files)
    contract(out, 1)
    codes = {f["code"] for f in json.loads(out.stdout)["findings"]}
    assert "FD404" in codes and "FD000" not in codes


# ============================================== found by a blind campaign (2026-11-29)
def test_a_huge_integer_in_a_keras_tuner_trial_is_read_as_inf() -> None:
    big = "1" + "0" * 400
    trial = ('{"trial_id": "0", "score": ' + big + ', "metrics": {"metrics": {"val_loss": '
             '{"direction": "min", "observations": [{"value": [' + big + '], "step": 0}]}}}}'
             ).encode()
    files = {"t/oracle.json": b"{}", "t/trial_0/trial.json": trial}
    for argv in (["analyze", "t", "-f", "json"], ["plot", "t", "-o", "p.png"],
                 ["compare", "t", "t"]):
        contract(cli(argv, files), 0, 1)


def test_a_tensorboard_event_file_named_without_a_folder_is_read() -> None:
    from fuzz.strategies import (  # the builders of the generators
        _f32,
        _field,
        scalar_event,
        tf_record,
    )

    header = _field(1, 1, struct.pack("<d", 1.7e9)) + _field(3, 2, b"brain.Event:2")
    events = b"".join([tf_record(header)] + [
        tf_record(scalar_event("epoch_loss", i, _f32(1.0 / (i + 1)))) for i in range(5)])
    out = cli(["analyze", "events.out.tfevents.1.host", "-f", "json"],
              {"events.out.tfevents.1.host": events})
    contract(out, 0, 1)
    assert json.loads(out.stdout)["n_epochs"] == 5


def test_an_epoch_number_past_2_to_the_64_is_drawn() -> None:
    text = b"epoch,loss,val_loss\n0,0.4,0.6\n100000000000000000000,0.2,0.8\n"
    for argv in (["analyze", "e.csv", "-f", "html"], ["plot", "e.csv", "-o", "p.png"]):
        contract(cli(argv, {"e.csv": text}), 0, 1)


def test_a_nan_or_infinite_epoch_in_a_trainer_state_is_numbered_in_order() -> None:
    text = (b'{"log_history": [{"epoch": NaN, "step": 10, "loss": 0.5}, '
            b'{"epoch": Infinity, "step": 20, "loss": 0.4}, '
            b'{"epoch": 3, "step": 30, "loss": 0.3}]}')
    out = cli(["analyze", "trainer_state.json", "-f", "json"], {"trainer_state.json": text})
    contract(out, 0, 1)
    assert json.loads(out.stdout)["n_epochs"] == 3


def test_an_empty_running_run_with_no_rule_it_can_feed_is_not_judged_whatever_its_status() -> None:
    """Seed 41: an empty run file still running, with only FD101 selected, is "still
    running (0 epochs), so far: not judged: no check could run" and exits 0, as the same
    run completed does ("not judged: ..."): the oracle took the status prefix for a
    verdict that judged an empty run. Without the selection FD303 fails it (exit 1)."""
    run = {"schema": "fitdoctor.run/1", "epochs": [], "metrics": {"loss": []},
           "seconds": [], "status": "running", "source": "fitdoctor", "name": "empty"}
    files = {"run.json": js(run)}
    argv = ["analyze", "run.json", "-f", "json", "--select", "validation-loss-rising"]
    out = cli(argv, files)
    contract(out, 0)
    verdict = json.loads(out.stdout)["verdict"]
    assert verdict.startswith("still running (0 epochs), so far: not judged: no check could run")
    assert oracle.violations(Scenario(argv, files=files), out) == []  # type: ignore[arg-type]
    out = cli(["analyze", "run.json", "-f", "json"], files)
    contract(out, 1)
    assert "too short to judge (1 error)" in json.loads(out.stdout)["verdict"]
