"""Learning-curve plots: what is marked, image size, stability against reference images.

Reference images live in tests/golden/plots/; rewrite them on purpose with

    FITDOCTOR_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_plot.py
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import fitdoctor
from fitdoctor import engine
from fitdoctor.cli.plot import plot_command
from fitdoctor.plot import (
    PANEL_HEIGHT,
    TITLE_HEIGHT,
    WIDTH,
    figure_png,
    find_marks,
    panels,
    plot_report,
    plot_run,
)
from fitdoctor.report import Finding, Report, Severity
from fitdoctor.run import PerClass, Run

pytest.importorskip("matplotlib")

HERE = Path(__file__).parent
DATA = HERE / "data"
GOLDEN = HERE / "golden" / "plots"
UPDATE = os.environ.get("FITDOCTOR_UPDATE_GOLDEN") == "1"
BEFORE = DATA / "compare" / "before.json"  # a real overfitting training (record_compare.py)
AFTER = DATA / "compare" / "after.json"

#: Mean absolute pixel difference (RGB in 0..1) tolerated against a reference image:
#: absorbs anti-aliasing and font-hinting differences between FreeType builds; a
#: different curve or a missing mark moves it far more (see test_tolerance_catches_changes).
#: A changed label moves it less: the texts of the marks are asserted directly.
TOLERANCE = 0.004


# ------------------------------------------------------------------ runs
def marked_run() -> Run:
    """30 epochs with everything a plot marks: lr steps, a NaN, per-class curves."""
    n = 30
    epochs = list(range(1, n + 1))
    loss: list[float | None] = [round(1.2 * math.exp(-0.12 * e) + 0.05, 4) for e in epochs]
    val: list[float | None] = [
        round(1.25 * math.exp(-0.15 * e) + 0.25 + 0.004 * max(0, e - 12) ** 1.5, 4)
        for e in epochs
    ]
    loss[25] = math.nan  # epoch 26
    acc: list[float | None] = [round(min(0.99, 0.5 + 0.02 * e), 4) for e in epochs]
    val_acc: list[float | None] = [round(min(0.9, 0.45 + 0.025 * e), 4) for e in epochs]
    val_acc[9] = None  # not logged at epoch 10: a gap, not a NaN
    lr: list[float | None] = [1e-3 if e <= 10 else 1e-4 if e <= 20 else 1e-5 for e in epochs]
    per_class = [
        PerClass(
            epoch=e,
            labels=["cat", "dog", "$bird$"],
            precision=[0.5 + 0.01 * e, 0.6, 0.4 + 0.015 * e],
            recall=[0.5 + 0.015 * e, 0.55 + 0.01 * e, 0.1 + 0.02 * e],
            f1=[0.5 + 0.012 * e, 0.57 + 0.008 * e, 0.15 + 0.018 * e],
            support=[40, 40, 20],
        )
        for e in range(2, n + 1, 2)
    ]
    return Run(
        epochs=epochs,
        metrics={
            "loss": loss,
            "accuracy": acc,
            "val_loss": val,
            "val_accuracy": val_acc,
            "learning_rate": lr,
        },
        name="marked-run",
        source="fitdoctor",
        per_class=per_class,
    )


def fixed_report(run: Run, findings: list[Finding]) -> Report:
    """A report with fixed findings: reference images must not move when rules are tuned."""
    return Report(
        source=run.name,
        findings=findings,
        best_epoch=engine.best_epoch(run),
        n_epochs=run.n_epochs,
        metrics=list(run.metrics),
    )


def _finding(code: str, diagnosis: str, epoch: int, severity: Severity) -> Finding:
    return Finding(code, f"rule-{code}", diagnosis, severity, f"{code} message", epoch=epoch)


def marked_report(run: Run) -> Report:
    return fixed_report(
        run,
        [
            _finding("FD401", "diverged", 26, Severity.ERROR),
            _finding("FD101", "overfitting", 18, Severity.WARNING),
            _finding("FD301", "not-converged", 20, Severity.WARNING),
            _finding("FD601", "model-setup", 1, Severity.INFO),
        ],
    )


def overfit_report(run: Run) -> Report:
    return fixed_report(run, [_finding("FD101", "overfitting", 14, Severity.WARNING)])


def _png_pixels(path: Path) -> np.ndarray:
    import matplotlib.image as mpimg

    img = np.asarray(mpimg.imread(path), dtype=float)
    return img[..., :3]


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape, f"image size {a.shape} != reference {b.shape}"
    return float(np.abs(a - b).mean())


def _expected_size(n_panels: int, dpi: int) -> tuple[int, int]:
    rows = math.ceil(n_panels / 2)
    return round((TITLE_HEIGHT + rows * PANEL_HEIGHT) * dpi), round(WIDTH * dpi)


def _check_reference(name: str, path: Path) -> None:
    """Compare with the reference image drawn by the same matplotlib minor version.

    Another matplotlib may lay text out differently: the comparison is then skipped
    (sizes and marks are still checked by the callers).
    """
    import matplotlib as mpl

    reference = GOLDEN / name
    stamp = GOLDEN / "matplotlib-version.txt"
    version = ".".join(mpl.__version__.split(".")[:2])
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        reference.write_bytes(path.read_bytes())
        stamp.write_text(version + "\n")
    assert reference.exists(), f"missing {reference}; run with FITDOCTOR_UPDATE_GOLDEN=1"
    drawn_with = stamp.read_text().strip()
    if drawn_with != version:
        pytest.skip(f"reference images drawn with matplotlib {drawn_with}, this is {version}")
    diff = _diff(_png_pixels(path), _png_pixels(reference))
    assert diff <= TOLERANCE, f"{name}: mean pixel difference {diff:.4f} > {TOLERANCE}"


# ------------------------------------------------------------------ marks
def test_marks_of_a_real_overfitting_run() -> None:
    run = fitdoctor.load(BEFORE)
    report = fitdoctor.analyze(run)
    marks = find_marks(run, report)
    assert marks.best_epoch == report.best_epoch.epoch == 12  # type: ignore[union-attr]
    assert marks.best_monitor == "val_loss"
    # the overfitting finding marks where val_loss turns up, after the best epoch
    assert [codes for _, codes in marks.overfitting] == ["FD101"]
    (epoch, _), = marks.overfitting
    assert 12 <= epoch < 20
    assert marks.nonfinite == {} and marks.lr_changes == [] and marks.diverged == []


def test_marks_nan_lr_changes_and_findings() -> None:
    run = marked_run()
    marks = find_marks(run, marked_report(run))
    assert marks.nonfinite == {"loss": [26]}  # the val_accuracy gap is not a NaN
    assert marks.nan_epochs == [26]
    assert marks.lr_changes == [(11, 1e-3, 1e-4), (21, 1e-4, 1e-5)]
    assert marks.overfitting == [(18, "FD101")]
    assert marks.diverged == [(26, "FD401")]
    assert marks.other == [(1, "FD601"), (20, "FD301")]


def test_marks_without_report_use_the_best_epoch() -> None:
    run = marked_run()
    marks = find_marks(run)
    assert marks.best_epoch == engine.best_epoch(run).epoch  # type: ignore[union-attr]
    assert marks.overfitting == [] and marks.other == []


def test_panels_order() -> None:
    run = marked_run()
    assert [(p.title, p.kind, p.train, p.val) for p in panels(run)] == [
        ("loss", "curve", "loss", "val_loss"),
        ("accuracy", "curve", "accuracy", "val_accuracy"),
        ("per-class recall (validation)", "recall", None, None),
        ("per-class F1 (validation)", "f1", None, None),
    ]
    only_val = Run(epochs=[1, 2, 3], metrics={"val_auc": [0.5, 0.6, 0.7], "lr": [1.0] * 3})
    assert [(p.train, p.val) for p in panels(only_val)] == [(None, "val_auc")]


# ------------------------------------------------------------------ images
def test_real_overfitting_run_png(tmp_path: Path) -> None:
    run = fitdoctor.load(BEFORE)
    out = tmp_path / "curves.png"
    fig = plot_run(run, overfit_report(run), out)
    assert out.stat().st_size > 10_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = _png_pixels(out)
    assert pixels.shape[:2] == _expected_size(2, 100)
    assert len(fig.axes) == 2
    # the divergence annotation and the best-epoch label are on the loss panel
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("FD101" in t for t in texts), texts
    assert any("best 12" in t for t in texts), texts
    _check_reference("overfitting.png", out)


def test_marked_run_png(tmp_path: Path) -> None:
    run = marked_run()
    out = tmp_path / "marked.png"
    fig = plot_run(run, marked_report(run), out, dpi=80)
    assert _png_pixels(out).shape[:2] == _expected_size(4, 80)
    loss_ax = fig.axes[0]
    texts = " ".join(t.get_text() for t in loss_ax.texts)
    for expected in ("FD101", "FD401", "FD301", "FD601", "lr 0.001→0.0001", "lr 0.0001→1e-05"):
        assert expected in texts, (expected, texts)
    legend = [t.get_text() for t in loss_ax.get_legend().get_texts()]
    assert "NaN/inf" in legend and "learning-rate change" in legend
    # the "$bird$" class is text, not TeX math
    class_legend = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    assert r"\$bird\$" in class_legend
    _check_reference("marked.png", out)


def test_tolerance_catches_changes(tmp_path: Path) -> None:
    """The reference comparison can fail: another run, or a lost mark, exceeds it."""
    run = fitdoctor.load(BEFORE)
    a, b, c = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "c.png"
    plot_run(run, overfit_report(run), a)
    plot_run(run, fixed_report(run, []), b)  # same curves, no FD101 mark
    after = fitdoctor.load(AFTER)
    after.name = run.name
    plot_run(after, overfit_report(after), c)
    assert _diff(_png_pixels(a), _png_pixels(a)) == 0.0
    assert _diff(_png_pixels(a), _png_pixels(b)) > TOLERANCE
    assert _diff(_png_pixels(a), _png_pixels(c)) > TOLERANCE


def test_same_input_same_bytes_and_user_style_ignored(tmp_path: Path) -> None:
    import matplotlib as mpl

    run = fitdoctor.load(BEFORE)
    report = overfit_report(run)
    first = figure_png(run, report)
    before_rc = dict(mpl.rcParams)
    with mpl.rc_context({"font.size": 20, "lines.linewidth": 5, "axes.facecolor": "black"}):
        second = figure_png(run, report)
    assert first == second
    assert dict(mpl.rcParams) == before_rc


def test_exploding_loss_uses_log_scale_and_hostile_names() -> None:
    n = 20
    run = Run(
        epochs=list(range(1, n + 1)),
        metrics={
            "loss": [0.5 * 2.0**e for e in range(n)],
            "val_loss": [math.inf if e == 15 else 0.6 * 2.0**e for e in range(n)],
            "$x^2$ <b>": [0.1] * n,
            "_hidden": [0.2] * n,
            "x" * 100: [0.3] * n,
        },
        name="$bad$ name_{x}",
    )
    fig = plot_run(run, None)
    assert fig.axes[0].get_yscale() == "log"
    assert [a.get_title() for a in fig.axes if a.get_visible()] == [
        "loss (train vs validation)",
        r"\$x^2\$ <b>",
        " _hidden",
        "x" * 47 + "…",
    ]
    import io

    fig.savefig(io.BytesIO(), format="png")  # draws: mathtext would raise on "$x^2$ <b>"


def test_report_plot_helper_and_errors() -> None:
    run = marked_run()
    fig = plot_report(marked_report(run), run)
    assert fig.get_suptitle().startswith("marked-run: ")
    with pytest.raises(fitdoctor.FitDoctorError):
        plot_run(Run(epochs=[], metrics={}), None)


def test_report_plot_uses_the_run_it_holds() -> None:
    run = marked_run()
    report = marked_report(run)
    with pytest.raises(ValueError, match="does not hold its run"):
        report.plot()
    report.run = run
    assert report.plot().get_suptitle() == plot_report(report).get_suptitle()
    assert plot_report(report).get_suptitle().startswith("marked-run: ")


# ------------------------------------------------------------------ command
def test_plot_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "curves.png"
    assert plot_command(BEFORE, out) == 0
    assert out.stat().st_size > 10_000
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    assert plot_command(tmp_path / "missing.json", out) == 2
    err = capsys.readouterr().err
    assert err.startswith("fitdoctor: error:") and err.count("\n") == 1


def test_plot_command_refuses_a_suffix_it_would_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o curves.svg`` wrote PNG bytes under an .svg name: now one line and exit 2."""
    for name in ("curves.svg", "curves.pdf", "curves.jpg"):
        assert plot_command(BEFORE, tmp_path / name) == 2
        err = capsys.readouterr().err
        assert err.startswith("fitdoctor: error:") and err.count("\n") == 1
        assert "PNG" in err and "curves.png" in err
        assert not (tmp_path / name).exists()
    for name in ("curves.PNG", "curves"):  # any case of .png, or no suffix: a PNG
        assert plot_command(BEFORE, tmp_path / name) == 0
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    run = marked_run()
    with pytest.raises(fitdoctor.InputError, match="PNG"):
        plot_run(run, None, tmp_path / "api.svg")


def test_plot_command_refuses_standard_input_for_what_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``plot -`` said "-: no such file": plot reads files; ``analyze -`` reads stdin."""
    assert plot_command("-", tmp_path / "curves.png") == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("fitdoctor: error: -: plot reads files, not standard input")


def test_plot_command_default_output(tmp_path: Path) -> None:
    src = tmp_path / "history.json"
    src.write_bytes(BEFORE.read_bytes())
    assert plot_command(src) == 0
    assert (tmp_path / "history.png").stat().st_size > 10_000


def test_analysis_path_does_not_import_matplotlib() -> None:
    code = (
        "import sys, fitdoctor, fitdoctor.plot, fitdoctor.compare;"
        f"fitdoctor.analyze({str(BEFORE)!r});"
        "from fitdoctor.reporters import render;"
        "import fitdoctor.reporters.html;"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ folds
def _folds() -> list[Run]:
    """Three folds: the real overfitting curves, shifted, one fold stopped early."""
    base = fitdoctor.load(BEFORE)
    folds = []
    for i, (scale, n) in enumerate(((1.0, 60), (1.1, 60), (0.9, 45))):
        metrics = {
            k: [None if v is None else v * (scale if "loss" in k else 1.0) for v in vals[:n]]
            for k, vals in base.metrics.items()
        }
        folds.append(Run(epochs=base.epochs[:n], metrics=metrics, name=f"fold{i}"))
    return folds


def test_plot_folds_draws_mean_and_band(tmp_path: Path) -> None:
    from matplotlib.collections import PolyCollection

    from fitdoctor.plot import plot_folds

    out = tmp_path / "folds.png"
    fig = plot_folds(_folds(), out)
    assert _png_pixels(out).shape[:2] == _expected_size(2, 100)
    ax = fig.axes[0]
    assert ax.get_title() == "loss: 3 folds, mean and range"
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2  # train and validation
    mean_val = next(ln for ln in ax.lines if ln.get_label() == "validation mean (val_loss)")
    xs = list(mean_val.get_xdata())
    assert xs == list(range(1, 61))  # aligned by epoch number
    ys = list(mean_val.get_ydata())
    base = fitdoctor.load(BEFORE).series("val_loss")
    assert ys[0] == pytest.approx(base[0] * (1.0 + 1.1 + 0.9) / 3)
    # the short fold ends at 45: no mean past it (it would jump), the band goes on
    assert all(math.isnan(y) for y in ys[45:])
    band = bands[1].get_paths()[0].vertices
    assert band[:, 0].max() == 60
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "best epoch 12" in labels
    with pytest.raises(fitdoctor.FitDoctorError):
        plot_folds([])


def test_plot_command_with_several_runs_plots_folds(tmp_path: Path) -> None:
    paths = []
    for i, run in enumerate(_folds()):
        p = tmp_path / f"fold{i}.json"
        p.write_text(json.dumps({k: v for k, v in run.metrics.items()}))
        paths.append(p)
    out = tmp_path / "cv.png"
    assert plot_command(paths, out) == 0
    assert _png_pixels(out).shape[:2] == _expected_size(2, 100)


def test_plot_command_with_a_cross_validation_file(tmp_path: Path) -> None:
    from fitdoctor.cv import CVResult

    folds = _folds()
    for i, run in enumerate(folds):
        run.meta = {"repeat": 0, "fold": i}
    path = tmp_path / "cv.json"
    CVResult(folds, k=3).save(path)
    out = tmp_path / "cv.png"
    assert plot_command(path, out) == 0
    assert _png_pixels(out).shape[:2] == _expected_size(2, 100)


def test_cli_plot_and_analyze_html(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fitdoctor.cli import app

    runner = CliRunner()
    png = tmp_path / "curves.png"
    result = runner.invoke(app, ["plot", str(BEFORE), "-o", str(png), "--dpi", "50"])
    assert result.exit_code == 0, result.output
    assert _png_pixels(png).shape[:2] == _expected_size(2, 50)
    missing = runner.invoke(app, ["plot", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and missing.stderr.startswith("fitdoctor: error: ")
    page = tmp_path / "report.html"
    result = runner.invoke(
        app, ["analyze", str(BEFORE), "--format", "html", "-o", str(page), "--exit-zero"]
    )
    assert result.exit_code == 0, result.output
    doc = page.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>") and doc.count("data:image/png;base64,") == 1


def test_early_events_get_room_and_labels_stay_inside() -> None:
    """Issue 11: a long run whose story is in its first epochs gets a log epoch axis; the
    overfitting mark is called overfitting; labels near the right frame turn leftwards."""
    from fitdoctor.plot_draw import early_epochs

    run = fitdoctor.load(BEFORE)  # best epoch 12 of 60, overfitting from 14
    report = fitdoctor.analyze(run)
    marks = find_marks(run, report)
    assert early_epochs(run, marks)
    fig = plot_run(run, report)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and "log scale" in ax.get_xlabel()
    labels = [t.get_text() for a in fig.axes if (leg := a.get_legend()) for t in leg.get_texts()]
    assert any(t.startswith("overfitting from epoch") for t in labels)
    assert not any("divergence" in t for t in labels)
    # a run whose best epoch is its last keeps a linear axis, and the "best 30" label at
    # the right edge is drawn leftwards, inside the frame
    n = 30
    late = Run(epochs=list(range(1, n + 1)),
               metrics={"loss": [1.0 / (e + 1) for e in range(n)],
                        "val_loss": [1.2 / (e + 1) + 0.05 for e in range(n)]})
    late_report = fitdoctor.analyze(late)
    assert late_report.best_epoch is not None and late_report.best_epoch.epoch == n
    assert not early_epochs(late, find_marks(late, late_report))
    fig = plot_run(late, late_report)
    fig.canvas.draw()
    ax = fig.axes[0]
    frame = ax.get_window_extent()
    texts = {t.get_text().strip(): t.get_window_extent() for t in ax.texts}
    assert f"best {n}" in texts
    for name, box in texts.items():
        assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, name


def test_a_metric_name_the_font_lacks_draws_without_a_warning(tmp_path: Path) -> None:
    import warnings

    from fitdoctor.plot import figure_png

    run = fitdoctor.load({"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.7, 0.5],
                          "\U0002a7e7_acc": [0.2, 0.5, 0.7]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = figure_png(run, dpi=40)
        plot_run(run, None, tmp_path / "cjk.png", dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "cjk.png").stat().st_size > 0


def test_cli_plot_run_picks_one_run_of_a_file_that_holds_several(tmp_path: Path) -> None:
    """``plot --run N`` draws the N-th run of an appended CSVLogger (as ``compare
    --before-run N`` picks it), named ``-runN.png`` by default; an N beyond the file's
    runs, or --run with several files, is one error line and exit 2."""
    from click.testing import CliRunner

    from fitdoctor.cli import app

    first = "".join(f"{e},{1 / (e + 1):.4f},{1.1 / (e + 1):.4f}\n" for e in range(8))
    second = "".join(f"{e},{0.5 + 0.1 * e:.4f},{0.6 + 0.2 * e:.4f}\n" for e in range(5))
    log = tmp_path / "training.log"
    log.write_text("epoch,loss,val_loss\n" + first + second, encoding="utf-8")
    runs = fitdoctor.load_runs(log)
    assert len(runs) == 2

    runner = CliRunner()
    result = runner.invoke(app, ["plot", str(log), "--run", "2", "--dpi", "50"])
    assert result.exit_code == 0, result.output
    png = tmp_path / "training-run2.png"
    assert result.output.strip() == f"wrote {png}"
    for k, run in enumerate(runs, start=1):
        own = tmp_path / f"own{k}.png"
        plot_run(run, engine.analyze(run), own, dpi=50)
        assert (own.read_bytes() == png.read_bytes()) == (k == 2)

    beyond = runner.invoke(app, ["plot", str(log), "--run", "3"])
    assert beyond.exit_code == 2
    assert beyond.stderr == (
        f"fitdoctor: error: {log}: --run 3, but the file holds 2 runs (1 to 2)\n"
    )
    several = runner.invoke(app, ["plot", str(log), str(log), "--run", "1"])
    assert several.exit_code == 2 and several.stderr.count("\n") == 1
    assert "--run 1 picks one run of one file" in several.stderr
    refused = runner.invoke(app, ["plot", str(log)])
    assert refused.exit_code == 2 and "`fitdoctor plot` with --run N" in refused.stderr


def test_many_classes_draw_the_lowest_ten_per_class_curves(tmp_path: Path) -> None:
    """misc7: a 100-class run drew 100 per-class curves with a 100-entry legend that
    buried the loss and accuracy panels; a per-class panel draws the 10 lowest classes
    at their last epoch, and its title says so."""
    from fitdoctor.plot_draw import MAX_CLASS_CURVES

    k, n = 30, 8
    labels = [f"c{i}" for i in range(k)]
    # class i ends at recall (i + 1) / (k + 1); c5 has no value at the last epoch
    per_class = [
        PerClass(epoch=e, labels=labels,
                 precision=[0.5] * k,
                 recall=[(i + 1) / (k + 1) * e / n if (i, e) != (5, n) else math.nan
                         for i in range(k)],
                 f1=[(k - i) / (k + 1) * e / n for i in range(k)],
                 support=[10] * k)
        for e in range(1, n + 1)
    ]
    run = Run(epochs=list(range(1, n + 1)),
              metrics={"loss": [1 / e for e in range(1, n + 1)],
                       "val_loss": [1.1 / e for e in range(1, n + 1)]},
              per_class=per_class, name="many")
    fig = plot_run(run, engine.analyze(run), tmp_path / "many.png")
    by_title = {ax.get_title(): ax for ax in fig.axes}
    recall = by_title[f"per-class recall (validation): lowest {MAX_CLASS_CURVES} of {k}"]
    f1 = by_title[f"per-class F1 (validation): lowest {MAX_CLASS_CURVES} of {k}"]
    drawn = [line.get_label() for line in recall.lines if not line.get_label().startswith("_")]
    # c5 ends with no value: judged at its last known one, (5 + 1) / 31 * 7 / 8
    assert drawn == ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"]
    assert len(recall.get_legend().get_texts()) == MAX_CLASS_CURVES
    assert [line.get_label() for line in f1.lines if not line.get_label().startswith("_")] \
        == [f"c{i}" for i in range(k - MAX_CLASS_CURVES, k)]


def test_a_trainer_evaluated_every_n_steps_is_drawn_per_evaluation() -> None:
    # its rows are evaluations: an axis named "epoch" would read 10 evaluations as 10 epochs
    curves = {"loss": [0.9, 0.7, 0.55, 0.45, 0.4], "val_loss": [0.8, 0.65, 0.55, 0.5, 0.48]}
    stepped = Run(epochs=[1, 2, 3, 4, 5], metrics=curves, meta={"eval_steps": 100})
    labels = {ax.get_xlabel() for ax in plot_run(stepped).axes if ax.get_visible()}
    assert labels == {"evaluation (every 100 steps)"}
    plain = Run(epochs=[1, 2, 3, 4, 5], metrics=dict(curves))
    assert {ax.get_xlabel() for ax in plot_run(plain).axes if ax.get_visible()} == {"epoch"}
