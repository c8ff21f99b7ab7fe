"""``fitdoctor compare``: the epoch each run keeps, the noise, the yardstick, the verdict.

Real pairs, recorded once (no training in the default run):

* ``before.json`` / ``after.json``: two bare Keras histories of the same Dense model on a
  load_digits subset, without and with L2 + dropout, 360 validation samples
  (record_compare.py);
* ``small_overfit`` / ``small_regularized``: an overfitting MLP on 15 breast-cancer
  validation samples and its regularized, early-stopped twin, as run files and as bare
  histories; ``imbalanced`` / ``imbalanced_weighted``: 3% positives without and with the
  balanced ``class_weight`` (record_twins.py).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import fitdoctor
from fitdoctor.cli.compare import compare_command
from fitdoctor.compare import (
    Comparison,
    FindingChange,
    Kept,
    Measure,
    Side,
    Yardstick,
    compare,
    default_monitor,
    kept_epoch,
    monitor_mode,
)
from fitdoctor.errors import ConfigError, InputError
from fitdoctor.report import Finding, Report, Severity
from fitdoctor.reporters.compare_render import FORMATS, render_compare
from fitdoctor.rules import Settings
from fitdoctor.run import DataInfo, FitInfo, PerClass, Run

DATA = Path(__file__).parent / "data" / "compare"
GOLDEN = Path(__file__).parent / "golden" / "compare"
UPDATE = os.environ.get("FITDOCTOR_UPDATE_GOLDEN") == "1"
BEFORE = DATA / "before.json"
AFTER = DATA / "after.json"
SMALL_B = DATA / "small_overfit.json"
SMALL_A = DATA / "small_regularized.json"
SMALL_HB = DATA / "small_overfit.history.json"
SMALL_HA = DATA / "small_regularized.history.json"
IMB_B = DATA / "imbalanced.json"
IMB_A = DATA / "imbalanced_weighted.json"

#: Measurement only: a rule that cannot fire on these runs keeps findings out of verdicts.
QUIET = Settings(select=["FD701"])


def _cli(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from fitdoctor.cli import app

    result = CliRunner().invoke(app, ["compare", *args])
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ the digits pair
def test_digits_pair_judged_at_the_kept_epochs() -> None:
    cmp = compare(BEFORE, AFTER)
    assert cmp.monitor == "val_accuracy" and cmp.mode == "max"
    assert cmp.yardstick.task == "classification"
    # FD101 is the fix that matters; an info (FD702's sampling note) may come and go
    assert [c.code for c in cmp.fixed if c.severity is not Severity.INFO] == ["FD101"]
    assert not cmp.gained and not cmp.regression
    # bare histories do not say what was kept: fitdoctor's best epoch (lowest val_loss)
    assert cmp.before.kept == Kept(12, "best") and cmp.after.kept.why == "best"
    assert cmp.after.kept.epoch == cmp.after.best_epoch
    # 360 validation samples, read off the accuracy's steps: a binomial interval
    assert (cmp.before.n_val, cmp.before.n_val_source) == (360, "inferred")
    assert cmp.noise == "95% binomial interval (n=360)"
    assert 0.03 < cmp.threshold < 0.05
    assert cmp.change == "no detectable change"
    assert cmp.verdict.startswith("AFTER fixes FD101 overfitting: val_accuracy 0.911 → 0.936, "
                                  "no detectable change (±0.039); gap 0.26 → 0.19")
    # val_loss carries AFTER's L2 penalty: the note says why it is not the yardstick
    assert cmp.after.val_loss > cmp.before.val_loss  # type: ignore[operator]
    assert any("regularization penalties" in n for n in cmp.notes)


def test_val_loss_note_blames_weight_penalties_only_where_a_run_may_have_them() -> None:
    """AFTER's val_loss is higher while its accuracy is not worse: with both models known
    and neither penalized, the note does not blame L2 (misc7: lr 0.05 vs 0.001, no
    regularizer anywhere, was told Keras adds penalties); with one L2 layer it does."""
    from fitdoctor.run import Layer, ModelInfo, Regularizer

    def model(reg: Regularizer | None) -> ModelInfo:
        return ModelInfo(layers=[
            Layer("hidden", "Dense", units=64, activation="relu", kernel_regularizer=reg),
            Layer("out", "Dense", units=10, activation="softmax"),
        ])

    before, after = fitdoctor.load(BEFORE), fitdoctor.load(AFTER)
    before.model, after.model = model(None), model(None)
    note = next(n for n in compare(before, after).notes if n.startswith("val_loss rose"))
    assert "neither run has weight penalties" in note and "L2" not in note
    after.model = model(Regularizer("L2", l2=1e-4))
    note = next(n for n in compare(before, after).notes if n.startswith("val_loss rose"))
    assert "Keras adds regularization penalties (L2, ...)" in note
    # review7: an Embedding or LSTM can carry a penalty the run file does not record
    # (embeddings_regularizer, recurrent_regularizer): "neither has one" is not known
    before.model = after.model = ModelInfo(layers=[
        Layer("emb", "Embedding"), Layer("rnn", "LSTM", units=8),
        Layer("out", "Dense", units=10, activation="softmax"),
    ])
    note = next(n for n in compare(before, after).notes if n.startswith("val_loss rose"))
    assert "neither run has weight penalties" not in note


def test_digits_pair_swapped_is_a_regression(capsys: pytest.CaptureFixture[str]) -> None:
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
    assert cmp.yardstick.chosen_by == "monitor"
    assert cmp.mode == "min" and cmp.worse_beyond_noise and cmp.regression
    assert cmp.verdict.startswith(
        "AFTER fixes FD101 overfitting but is worse on val_loss beyond noise: "
    )
    assert cmp.regression_reasons == [
        "val_loss 0.271 → 0.393 at the kept epochs, worse by more than the noise "
        f"(±{cmp.threshold:.2g})"
    ]
    assert any("judge on --monitor val_accuracy" in n for n in cmp.notes)


# ------------------------------------------------------------------ built runs
def _run(
    val_acc: list[float],
    *,
    name: str,
    val_loss: list[float] | None = None,
    n_val: int | None = None,
    fit: FitInfo | None = None,
    **data: Any,
) -> Run:
    n = len(val_acc)
    epochs = list(range(1, n + 1))
    info = DataInfo(n_val=n_val, **data) if n_val is not None or data else None
    metrics: dict[str, list[float | None]] = {
        "loss": [1.0 / e for e in epochs],
        "val_loss": list(val_loss) if val_loss is not None else [1.2 / e + 0.1 for e in epochs],
        "accuracy": [min(1.0, 0.5 + 0.05 * e) for e in epochs],
        "val_accuracy": list(val_acc),
    }
    return Run(
        epochs=epochs,
        metrics=metrics,
        name=name,
        data=info,
        fit=fit,
    )


def _wiggly(level: float, n: int = 20, amp: float = 0.01) -> list[float]:
    return [level - 0.3 / e + (amp if e % 2 else -amp) for e in range(1, n + 1)]


def test_binomial_noise_from_the_validation_size() -> None:
    # the same accuracies measured on 100 and on 10,000 validation samples
    base, worse = _wiggly(0.90, amp=0.0), _wiggly(0.86, amp=0.0)
    small = compare(_run(base, name="b", n_val=100), _run(worse, name="a", n_val=100), QUIET)
    assert small.noise == "95% binomial interval (n=100)"
    assert small.change == "no detectable change" and not small.regression
    assert small.verdict.startswith(
        "AFTER neither fixes nor adds a problem: val_accuracy 0.885 → 0.845, no detectable change")
    assert small.verdict.count("no detectable change") == 1  # said once
    large = compare(_run(base, name="b", n_val=10_000), _run(worse, name="a", n_val=10_000),
                    QUIET)
    assert large.threshold < 0.02 and large.worse_beyond_noise and large.regression
    assert large.verdict.startswith("AFTER regresses: is worse on val_accuracy beyond noise")
    better = compare(_run(worse, name="b", n_val=10_000), _run(base, name="a", n_val=10_000),
                     QUIET)
    assert better.better_beyond_noise and not better.regression
    assert better.verdict.startswith("AFTER improves val_accuracy beyond noise")


def test_one_sample_is_never_beyond_noise() -> None:
    """1.0 → 0.933 on 15 samples is one sample: the Wilson interval is not zero at 1."""
    b = _run([0.8, 0.9333333, 1.0, 1.0], name="b", n_val=15)
    a = _run([0.8, 0.8666667, 0.9333333, 0.9333333], name="a", n_val=15)
    cmp = compare(b, a, QUIET)
    assert cmp.before.measure.half_width is not None and cmp.before.measure.half_width > 0.05
    assert cmp.threshold > 1 / 15 and not cmp.regression


def test_judged_at_the_kept_epoch_not_the_maximum() -> None:
    """A run file without restoring EarlyStopping keeps its last epoch, not its luckiest."""
    lucky = [1.0] + [0.9] * 29  # 100% at epoch 1, then 90%
    b = _run(lucky, name="b", n_val=500, fit=FitInfo(epochs=30, restore_best_weights=None))
    a = _run([0.5] + [0.9] * 29, name="a", n_val=500, fit=FitInfo(epochs=30))
    assert kept_epoch(b) == Kept(30, "last")
    cmp = compare(b, a, QUIET)
    assert cmp.before.value == pytest.approx(0.9) and cmp.before.measure.epoch == 30
    assert cmp.change == "no detectable change" and not cmp.regression
    # restore_best_weights: the best val_loss epoch; meta.restored_epoch wins when present
    restoring = _run(lucky, name="r", fit=FitInfo(epochs=30, restore_best_weights=True))
    assert kept_epoch(restoring) == Kept(30, "restored")  # val_loss falls to the end
    restoring.meta["restored_epoch"] = 7
    assert kept_epoch(restoring) == Kept(7, "restored")
    # a bare history: fitdoctor's best epoch
    assert kept_epoch(_run(lucky, name="h")).why == "best"


def test_a_console_log_keeps_the_epoch_early_stopping_printed(tmp_path: Path) -> None:
    """``Restoring model weights from the end of the best epoch: N.``: the run kept N.

    EarlyStopping may monitor val_accuracy, so N need not be the lowest val_loss.
    """
    val = [(1.0, 0.5), (0.7, 0.6), (0.72, 0.8), (0.8, 0.7), (0.9, 0.7)]
    lines = [
        line
        for e, (vl, va) in enumerate(val, start=1)
        for line in (f"Epoch {e}/40", f"4/4 - 0s - 5ms/step - accuracy: 0.9000 - loss: "
                                      f"{1 / e:.4f} - val_accuracy: {va:.4f} - val_loss: {vl:.4f}")
    ]
    lines += ["Epoch 5: early stopping",
              "Restoring model weights from the end of the best epoch: 3."]
    path = tmp_path / "train.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = fitdoctor.load(path)
    assert kept_epoch(run) == Kept(3, "restored")


def test_a_history_wrapped_with_its_params_is_judged_as_the_bare_history(
    tmp_path: Path,
) -> None:
    """``h.params`` says how many epochs were asked, not what EarlyStopping kept.

    The same history, bare and wrapped (``{"history": h.history, "params": h.params}``),
    was judged at fitdoctor's best epoch and at its last: the same run compared with
    itself read "val_accuracy 0.7 → 0.67; gap 0.15 → 0.41".
    """
    history = {
        "loss": [1.0, 0.8, 0.6, 0.5, 0.45, 0.42, 0.4, 0.39],
        "val_loss": [1.1, 0.9, 0.7, 0.65, 0.66, 0.7, 0.75, 0.8],
        "accuracy": [0.5, 0.6, 0.7, 0.75, 0.8, 0.82, 0.84, 0.85],
        "val_accuracy": [0.5, 0.58, 0.66, 0.7, 0.7, 0.69, 0.68, 0.67],
    }
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(history), encoding="utf-8")
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"history": history, "params": {"epochs": 8, "steps": 10},
                                   "epoch": list(range(8))}), encoding="utf-8")
    assert fitdoctor.load(wrapped).fit is not None
    assert kept_epoch(fitdoctor.load(bare)) == Kept(4, "best")
    assert kept_epoch(fitdoctor.load(wrapped)) == Kept(4, "best")
    cmp = compare(fitdoctor.load(bare), fitdoctor.load(wrapped), QUIET)
    assert cmp.change == "no detectable change" and cmp.before.value == cmp.after.value


def test_gaps_take_the_closest_earlier_logged_epoch() -> None:
    acc: list[float | None] = [0.5, None, 0.7, None, 0.8, None]
    run = Run(epochs=list(range(1, 7)),
              metrics={"val_accuracy": acc, "val_loss": [1.0, None, 0.8, None, 0.7, None]},
              fit=FitInfo(epochs=6))
    b = compare(run, run, QUIET)
    assert b.before.kept == Kept(6, "last") and b.before.measure.epoch == 5
    assert b.before.value == 0.8


def test_different_validation_sets_compare_findings_only() -> None:
    b = _run(_wiggly(0.95, amp=0.0), name="b", n_val=1000)
    a = _run(_wiggly(0.70, amp=0.0), name="a", n_val=400)
    cmp = compare(b, a, QUIET)
    assert not cmp.comparable and cmp.change == "not comparable"
    assert not cmp.worse_beyond_noise and not cmp.regression
    assert cmp.not_comparable == "1000 and 400 validation samples"
    assert any("the numbers are not comparable, only the findings are" in n for n in cmp.notes)
    assert "not comparable: the validation sets differ" in cmp.verdict
    fb = _run(_wiggly(0.95), name="b", n_val=100, val_fingerprint="aa")
    fa = _run(_wiggly(0.70), name="a", n_val=100, val_fingerprint="bb")
    assert compare(fb, fa, QUIET).not_comparable == (
        "different validation data (fingerprints differ)"
    )
    # sizes read off the accuracy's steps are denominators: 15 and 5 may be the same set
    from fitdoctor.compare import _validation_differs

    run = _run([0.4, 0.6, 0.8], name="r")
    side = compare(run, run, QUIET).before

    def inferred(n: int) -> Side:
        return Side(**{**side.__dict__, "n_val": n, "n_val_source": "inferred"})

    assert _validation_differs(run, run, inferred(15), inferred(5)) == ""
    assert _validation_differs(run, run, inferred(15), inferred(45)) == ""
    assert _validation_differs(run, run, inferred(15), inferred(7)) == (
        "15 and 7 validation samples (read off the accuracy's steps)"
    )


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


def test_regression_is_judged_on_mae() -> None:
    epochs = list(range(1, 13))

    def reg(level: float, name: str) -> Run:
        return Run(epochs=epochs, name=name, metrics={
            "loss": [2.0 / e for e in epochs],
            "val_loss": [2.2 / e + level for e in epochs],
            "val_mae": [1.5 / e + level + (0.01 if e % 2 else -0.01) for e in epochs],
        })

    cmp = compare(reg(0.5, "b"), reg(0.9, "a"), QUIET)
    assert cmp.yardstick.key == "val_mae" and cmp.yardstick.task == "regression"
    assert "a regression: the mean absolute error" in cmp.yardstick.reason
    assert cmp.noise == "spread of the curves' tails"
    assert cmp.worse_beyond_noise
    assert compare(reg(0.5, "b"), reg(0.505, "a"), QUIET).change == "no detectable change"


def test_imbalanced_never_judged_on_accuracy() -> None:
    """Class counts 970:30: a drop of plain accuracy is not the yardstick."""
    counts: dict[str, Any] = {"train_class_counts": [970, 30], "task": "binary"}
    b = _run(_wiggly(0.97, amp=0.0), name="b", n_val=1000, **counts)
    a = _run(_wiggly(0.80, amp=0.0), name="a", n_val=1000, **counts)
    cmp = compare(b, a, QUIET)
    assert cmp.yardstick.task == "imbalanced" and cmp.yardstick.key == "val_loss"
    assert "class '1' has 32.3 times fewer samples" in cmp.yardstick.reason
    assert not cmp.regression
    # with per-class metrics: the minority's PR-AUC
    for run, pr in ((b, 0.40), (a, 0.45)):
        run.per_class = [
            PerClass(epoch=e, labels=["0", "1"], precision=[0.98, 0.5], recall=[0.99, 0.3],
                     f1=[0.985, 0.37], support=[970, 30], pr_auc=[0.99, pr])
            for e in run.epochs
        ]
    cmp = compare(b, a, QUIET)
    assert cmp.yardstick.name == "PR-AUC of class '1'" and cmp.yardstick.per_class
    assert cmp.before.measure.n == 30 and cmp.noise == "95% binomial interval (n=30)"
    assert cmp.change == "no detectable change"
    assert cmp.minority is not None and cmp.minority.label == "1"


def test_missing_monitor_and_bad_mode() -> None:
    a = _run(_wiggly(0.9), name="a")
    with pytest.raises(InputError, match="no 'val_auc' curve"):
        compare(a, a, monitor="val_auc")
    with pytest.raises(ConfigError, match="mode must be"):
        compare(a, a, mode="up")
    with pytest.raises(ConfigError, match="--mode applies to --monitor"):
        compare(a, a, mode="min")
    assert compare(a, a, monitor="val_accuracy", mode="min").mode == "min"


def _finding(code: str, severity: Severity, diagnosis: str = "unstable") -> Finding:
    return Finding(code, f"rule-{code}", diagnosis, severity, f"{code} says <b>&", epoch=3)


def _side(name: str, findings: list[Finding], value: float) -> Side:
    report = Report(source=name, findings=findings, n_epochs=10)
    return Side(name, 10, Kept(10, "last"), 5, Measure(value, 10, 100, "recorded", 0.05),
                0.5, 0.1, 100, "recorded", report)


def _cmp(before: list[Finding], after: list[Finding], b: float = 0.9, a: float = 0.9) -> Comparison:
    from fitdoctor.compare import _changes

    sb, sa = _side("b", before, b), _side("a", after, a)
    return Comparison(sb, sa, Yardstick("val_accuracy", "max", "test"), 0.07, "test",
                      list(range(1, 11)), changes=_changes(sb.report, sa.report))


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
    assert _cmp([info], []).verdict.startswith("AFTER neither fixes nor adds a problem")


# ------------------------------------------------------------------ renderers
def test_github_format_annotates_the_verdict_and_what_after_gained() -> None:
    """CI: ``compare -f github`` is workflow commands: the verdict an ``::error`` when AFTER
    regresses (each gained finding its own annotation, as analyze writes it), else a
    ``::notice``; the last line is the verdict, plain."""
    worse = compare(AFTER, BEFORE)  # AFTER gains FD101
    lines = render_compare(worse, "github").splitlines()
    assert lines[0].startswith(
        "::error title=fitdoctor compare after.json → before.json::AFTER regresses")
    assert "%0Aregression: yes: gains FD101 overfitting (warning)" in lines[0]
    assert [ln.split("::")[1].split(" title=")[0] for ln in lines[1:-1]] == ["warning"]
    assert lines[1].startswith("::warning title=FD101 validation-loss-rising (overfitting)::")
    assert lines[-1] == f"fitdoctor compare: {worse.verdict}"
    better = render_compare(compare(BEFORE, AFTER), "github").splitlines()
    assert better[0].startswith(
        "::notice title=fitdoctor compare before.json → after.json::AFTER fixes")
    assert len(better) == 2
    code, out, err = _cli(str(AFTER), str(BEFORE), "-f", "github", "--fail-on-regression")
    # the CLI read AFTER from a file: the verdict and the findings are attached to it
    worse.before.report.path, worse.after.report.path = str(AFTER), str(BEFORE)
    attached = render_compare(worse, "github").splitlines()
    assert [ln.startswith(f"::{kind} file={BEFORE},title=")
            for ln, kind in zip(attached, ["error", "warning"], strict=False)] == [True, True]
    assert (code, err) == (1, "") and out.splitlines() == attached
    # --fail-on sets the bar: what fails is the error, and each gained finding at or
    # above the bar is annotated (FD702 gained as info counts at --fail-on info)
    code, out, _ = _cli(str(AFTER), str(BEFORE), "-f", "github", "--fail-on", "info")
    kinds = [ln.split("::")[1].split(" ")[0] for ln in out.splitlines()[:-1]]
    assert code == 1 and kinds == ["error", "warning", "notice"]
    assert "title=FD702" in out.splitlines()[2]
    code, out, _ = _cli(str(AFTER), str(BEFORE), "-f", "github", "--fail-on", "error")
    kinds = [ln.split("::")[1].split(" ")[0] for ln in out.splitlines()[:-1]]
    assert code == 0 and kinds == ["notice", "warning"]  # the gained warning, under the bar
    assert "::AFTER adds FD101 overfitting, under the error bar: " in out.splitlines()[0]
    # every format judges at the bar: the verdict and the regression line say what fails
    code, out, _ = _cli(str(AFTER), str(BEFORE), "-f", "text", "--fail-on", "info")
    assert code == 1 and "AFTER regresses: adds FD101 overfitting, FD702 validation-setup" in out
    assert "gains FD702 validation-setup (info)" in out
    code, out, _ = _cli(str(AFTER), str(BEFORE), "-f", "json", "--fail-on", "error")
    assert code == 0 and json.loads(out)["regression"] is False


def test_every_format_leads_with_the_verdict() -> None:
    cmp = compare(BEFORE, AFTER)
    for fmt in FORMATS:
        out = render_compare(cmp, fmt, width=100)
        assert out.endswith("\n")
        if fmt == "json":
            data = json.loads(out)
            assert data["schema"] == "fitdoctor.compare/2"
            assert data["verdict"] == cmp.verdict
            assert data["regression"] is False
            assert data["yardstick"]["name"] == "val_accuracy"
            assert data["change"] == "no detectable change"
            assert "FD101" in [f["code"] for f in data["findings"]["fixed"]]
            assert data["before"]["kept_epoch"] == 12
            assert data["before"]["kept_because"] == "best"
        else:
            first = out.splitlines()[0]
            assert "AFTER fixes FD101 overfitting" in first, (fmt, first)
            assert "yardstick: val" in out and "binomial interval" in out
            assert "\x1b[" not in out


def test_text_and_rich_fit_width_and_rich_colours() -> None:
    for cmp in (compare(AFTER, BEFORE), compare(IMB_B, IMB_A)):
        for width in (60, 100):
            for fmt in ("text", "rich"):
                out = render_compare(cmp, fmt, width=width)
                too_long = [line for line in out.splitlines() if len(line) > width]
                assert not too_long, (fmt, width, too_long)
    coloured = render_compare(compare(AFTER, BEFORE), "rich", color=True)
    assert "\x1b[" in coloured


def test_hostile_names_are_escaped() -> None:
    evil = "<script>x</script>|*\x1b[2J"
    b = _run(_wiggly(0.9), name=evil)
    a = _run(_wiggly(0.9), name=evil)
    for run in (b, a):
        run.per_class = [PerClass(epoch=20, labels=[evil, "ok"], precision=[0.5, 0.5],
                                  recall=[0.5, 0.5], f1=[0.5, 0.5], support=[5, 5])]
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
    assert data["before"]["val_loss"] is None and data["before"]["gap"] is None


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


def test_standard_input_is_refused_for_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    """``-`` said "-: no such file": compare reads files; ``analyze -`` reads stdin."""
    for before, after in ((Path("-"), AFTER), (BEFORE, Path("-"))):
        assert compare_command(before, after, "text") == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("fitdoctor: error: -: compare reads two files, not standard input")
        assert "no such file" not in line


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "cmp.md"
    assert compare_command(BEFORE, AFTER, "markdown", output=out) == 0
    assert out.read_text(encoding="utf-8").startswith("### ✅ AFTER fixes FD101 overfitting")


def test_runs_passed_in_are_not_modified() -> None:
    a = _run(_wiggly(0.9), name="")
    b = _run(_wiggly(0.9), name="")
    cmp = compare(a, b)
    assert a.name == "" and b.name == ""
    assert (cmp.before.name, cmp.after.name) == ("BEFORE", "AFTER")


# ------------------------------------------------------------------ CLI
def test_cli_compare_exit_codes(tmp_path: Path) -> None:
    code, out, _ = _cli(str(BEFORE), str(AFTER), "--fail-on-regression")
    assert code == 0, out
    assert out.startswith("verdict: AFTER fixes FD101 overfitting")  # text when piped
    code, out, _ = _cli(str(AFTER), str(BEFORE), "--fail-on-regression", "-f", "json")
    assert code == 1, out
    assert json.loads(out)["regression"] is True
    assert _cli(str(AFTER), str(BEFORE))[0] == 0
    code, out, _ = _cli(str(BEFORE), str(AFTER), "--monitor", "val_loss", "--fail-on-regression")
    assert code == 1, out
    target = tmp_path / "cmp.md"
    code, out, _ = _cli(str(BEFORE), str(AFTER), "-f", "markdown", "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("### ✅ AFTER fixes FD101")
    code, _, err = _cli(str(BEFORE), str(AFTER), "--monitor", "val_nope")
    assert code == 2
    assert err.startswith("fitdoctor: error: ") and err.count("\n") == 1


def test_cli_compare_fail_on_as_analyze_reads_it(tmp_path: Path) -> None:
    """``compare --fail-on SEVERITY``: a finding AFTER gains at or above it, or a worse yardstick.

    The swapped digits pair gains FD101 (warning) and FD702 (info); the small pair's
    FD702 grows from info to warning on the validation set both runs share, which
    judges the data, not the change; the digits pair judged on val_loss is worse beyond
    noise (L2 adds to it) with no finding gained.
    """
    swapped = compare(AFTER, BEFORE)
    assert [c.code for c in swapped.gained_at(Severity.INFO)] == ["FD101", "FD702"]
    assert [c.code for c in swapped.gained_at(Severity.WARNING)] == ["FD101"]
    assert swapped.gained_at(Severity.ERROR) == [] and not swapped.worse_beyond_noise
    assert swapped.gained_at(Severity.WARNING) == swapped.gained  # --fail-on-regression
    a, b = str(AFTER), str(BEFORE)
    assert [_cli(a, b, "--fail-on", s)[0] for s in ("info", "warning", "error")] == [1, 1, 0]
    assert _cli(b, a, "--fail-on", "info")[0] == 0  # AFTER fixes FD101 and gains nothing
    small = (str(SMALL_B), str(SMALL_A))
    assert _cli(*small, "--fail-on", "info")[0] == 0  # FD702 info → warning: the shared data
    worse = (str(BEFORE), str(AFTER), "--monitor", "val_loss")
    assert _cli(*worse, "--fail-on", "error")[0] == 1  # worse beyond noise fails at any bar
    assert _cli(a, b, "--fail-on", "warning", "--exit-zero")[0] == 0
    assert _cli(a, b, "--fail-on", "error", "--fail-on-regression")[0] == 1  # the lower bar
    code, _, err = _cli(a, b, "--fail-on", "warnings")
    assert code == 2 and "'warnings' is not one of 'error', 'warning', 'info'" in err
    # the configuration's fail-on gates compare as it gates analyze; the flag replaces it
    config = tmp_path / "fitdoctor.toml"
    config.write_text('fail-on = "warning"\n', encoding="utf-8")
    assert _cli(a, b, "--config", str(config))[0] == 1
    assert _cli(a, b, "--config", str(config), "--fail-on", "error")[0] == 0
    assert _cli(a, b, "--config", str(config), "--exit-zero")[0] == 0
    config.write_text('select = ["FD1", "FD7"]\n', encoding="utf-8")
    assert _cli(a, b, "--config", str(config))[0] == 0  # no fail-on set: no gate, as before


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


# ------------------------------------------------------------------ 15 validation samples
def test_small_validation_fix_is_not_a_regression() -> None:
    """Overfitting run vs its regularized, early-stopped twin, both on 15 validation samples."""
    cmp = compare(SMALL_B, SMALL_A)
    assert cmp.yardstick.key == "val_accuracy" and cmp.yardstick.task == "classification"
    assert "balanced classes" in cmp.yardstick.reason
    # each run at the epoch it keeps: the last (no EarlyStopping), the restored best
    assert cmp.before.kept == Kept(200, "last")
    assert cmp.after.kept.why == "restored" and cmp.after.kept.epoch == cmp.after.best_epoch
    assert cmp.after.kept.epoch is not None and cmp.after.kept.epoch < cmp.after.n_epochs
    assert (cmp.before.n_val, cmp.before.n_val_source) == (15, "recorded")
    assert cmp.noise == "95% binomial interval (n=15)" and cmp.threshold > 1 / 15
    assert cmp.change == "no detectable change"
    assert [c.code for c in cmp.fixed if c.severity is not Severity.INFO] == ["FD101"]
    assert not cmp.regression, cmp.regression_reasons
    assert cmp.verdict.startswith("AFTER fixes FD101 overfitting: val_accuracy 0.933 → 1, "
                                  "no detectable change (±0.18)")
    # FD702 (15 samples cannot tell the best epoch from the last) judges the shared data
    assert [c.code for c in cmp.setup_escalated] == ["FD702"]
    assert any("judges the validation data both runs share" in n for n in cmp.notes)
    assert _cli(str(SMALL_B), str(SMALL_A), "--fail-on-regression")[0] == 0
    code, out, _ = _cli(str(SMALL_A), str(SMALL_B), "--fail-on-regression")
    assert code == 1, out
    assert "regression: yes: gains FD101 overfitting (warning)" in out


def test_small_validation_bare_histories() -> None:
    """The same pair as bare Keras histories: n is bounded by the accuracy's steps."""
    cmp = compare(SMALL_HB, SMALL_HA)
    assert (cmp.before.n_val, cmp.before.n_val_source) == (15, "step")
    assert cmp.noise == "95% binomial interval (n≥15, from the accuracy's smallest step)"
    assert cmp.before.kept.why == "best" and cmp.change == "no detectable change"
    assert not cmp.regression
    assert _cli(str(SMALL_HB), str(SMALL_HA), "--fail-on-regression")[0] == 0
    assert _cli(str(SMALL_HA), str(SMALL_HB), "--fail-on-regression")[0] == 1


# ------------------------------------------------------------------ 3% positives
def test_class_weights_judged_on_the_minority_not_on_accuracy() -> None:
    """An imbalanced run vs the same run with the class_weight fitdoctor recommends."""
    cmp = compare(IMB_B, IMB_A)
    y = cmp.yardstick
    assert (y.task, y.key, y.label) == ("imbalanced", "pr_auc", "1")
    assert y.name == "PR-AUC of class '1'"
    assert "class '1' has 27 times fewer samples" in y.reason
    assert cmp.before.measure.n == 53 and cmp.noise == "95% binomial interval (n=53)"
    # plain accuracy fell: not the yardstick, not a regression
    acc_b = fitdoctor.load(IMB_B).metrics["val_accuracy"][-1]
    acc_a = fitdoctor.load(IMB_A).metrics["val_accuracy"][-1]
    assert acc_a is not None and acc_b is not None and acc_a < acc_b - 0.03
    assert not cmp.regression, cmp.regression_reasons
    assert cmp.change == "no detectable change"
    # the trade-off, at the kept epochs: minority recall up, precision down
    m = cmp.minority
    assert m is not None and m.label == "1"
    (rb, ra), (pb, pa) = m.pair("recall"), m.pair("precision")
    assert rb is not None and ra is not None and pb is not None and pa is not None
    assert ra > rb + 0.2 and pa < pb - 0.1
    assert "class '1': recall 0.15 → 0.42, precision 0.4 → 0.19, F1 0.22 → 0.26" in cmp.verdict
    # what each run applied, read from the run file
    assert cmp.before.class_weight is None and cmp.before.weights_known
    assert cmp.after.class_weight is not None and cmp.after.class_weight["1"] > 10
    assert any("Keras weights only the training loss" in n for n in cmp.notes)
    assert any("val_loss rose" in n and "miscalibration" in n for n in cmp.notes)
    # the weighted training loss is held to the weighted constant predictor: no FD404
    assert "FD404" not in [c.code for c in cmp.changes]
    code, out, _ = _cli(str(IMB_B), str(IMB_A), "--fail-on-regression", "-f", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["yardstick"]["name"] == "PR-AUC of class '1'"
    assert data["minority"]["label"] == "1"
    assert data["after"]["class_weight"]["1"] > 10
    # --monitor overrides the yardstick
    forced = compare(IMB_B, IMB_A, monitor="val_accuracy")
    assert forced.yardstick.chosen_by == "monitor" and forced.yardstick.task == "imbalanced"


def test_weighted_prior_loss() -> None:
    from fitdoctor.detectors.stability import weighted_prior_loss

    run = Run(epochs=[1], metrics={"loss": [0.5]}, data=DataInfo(train_class_counts=[900, 100]))
    prior = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))
    assert weighted_prior_loss(run, prior) == prior  # no class_weight recorded
    run.meta["class_weight"] = {"0": 1000 / 1800, "1": 1000 / 200}  # balanced
    assert weighted_prior_loss(run, prior) == pytest.approx(math.log(2))
    run.meta["class_weight"] = {"0": 1.0, "1": 1.0}
    assert weighted_prior_loss(run, prior) == pytest.approx(prior)


# ------------------------------------------------------------------ golden outputs
def _check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"missing golden file {path}; run with FITDOCTOR_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("pair", ["small", "imbalanced"])
def test_golden(pair: str, fmt: str) -> None:
    before, after = {"small": (SMALL_B, SMALL_A), "imbalanced": (IMB_B, IMB_A)}[pair]
    _check_golden(f"{pair}.{fmt}.txt", render_compare(compare(before, after), fmt, width=100))


def test_twin_data_is_what_the_recorder_says() -> None:
    """record_twins.py's data (no training): 15 validation samples; 3% positives."""
    sys.path.insert(0, str(DATA))
    try:
        import record_twins
    finally:
        sys.path.remove(str(DATA))
    _, y_train, _, y_val = record_twins.breast_cancer_small()
    assert len(y_train) == 120 and len(y_val) == 15
    _, y_train, _, y_val = record_twins.imbalanced_data()
    assert len(y_val) == 1500 and 0.02 < float(y_train.mean()) < 0.05
    run = fitdoctor.load(IMB_B)
    assert run.data is not None and run.data.n_val == 1500
    assert run.data.train_class_counts == [int((y_train == 0).sum()), int((y_train == 1).sum())]


def test_readme_shows_the_real_output() -> None:
    """The README's compare example is this pair's text output (up to the findings)."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    out = render_compare(compare(SMALL_B, SMALL_A), "text", width=92)
    head = out.split("\nfindings:")[0].rstrip()
    assert f"```text\n{head}\n```" in readme
    imb = render_compare(compare(IMB_B, IMB_A), "text", width=92).splitlines()[:2]
    assert "\n".join("  " + line for line in imb) in readme


def test_a_constant_accuracy_takes_its_twins_validation_size() -> None:
    """An accuracy that never moved says nothing of n: the other run's steps do."""
    stuck = _run([0.35] * 6, name="stuck")
    moving = _run([0.5, 0.5125, 0.525, 0.55, 0.5375, 0.5625], name="moving")  # steps of 1/80
    cmp = compare(moving, stuck, QUIET)
    assert (cmp.before.n_val_source, cmp.after.n_val_source) == ("inferred", "other run")
    assert cmp.after.n_val == cmp.before.n_val == 80
    assert cmp.noise == "95% binomial interval (n=80)"
    assert cmp.worse_beyond_noise  # 0.5625 → 0.35 on 80 samples is no luck
    # neither moved: the steps between the two runs' values bound n
    both = compare(_run([0.4625] * 6, name="a"), _run([0.35] * 6, name="b"), QUIET)
    assert both.before.n_val == 8 and both.change == "no detectable change"


def test_mae_sampling_error_with_a_recorded_size() -> None:
    epochs = list(range(1, 11))

    def reg(level: float, name: str) -> Run:
        return Run(epochs=epochs, name=name, data=DataInfo(task="regression", n_val=100),
                   metrics={"loss": [1.0 / e for e in epochs],
                            "val_loss": [1.0 / e + level for e in epochs],
                            "val_mae": [0.5 / e + level for e in epochs]})

    cmp = compare(reg(0.50, "b"), reg(0.55, "a"), QUIET)
    assert cmp.noise == "95% interval of a mean of absolute errors (n=100)"
    assert cmp.before.measure.half_width == pytest.approx(1.96 * 0.7555 * 0.55 / 10, rel=1e-3)
    assert cmp.change == "no detectable change"  # 10% on 100 samples


def test_runs_without_the_yardstick_compare_findings_only() -> None:
    epochs = [1, 2, 3, 4, 5]
    run = Run(epochs=epochs, metrics={"loss": [1.0, 0.8, 0.6, 0.5, 0.45],
                                      "accuracy": [0.5, 0.6, 0.7, 0.75, 0.8]})
    cmp = compare(run, run)
    assert cmp.change == "unknown" and not cmp.regression
    assert cmp.verdict == "val_loss is not measured in both runs: only the findings are compared"
    assert not any("could not be measured" in n for n in cmp.notes)


# ------------------------------------------------------- one problem, another rule
def test_the_same_diagnosis_read_by_another_rule_is_neither_fix_nor_regression() -> None:
    # the real recordings of a network giving every row the majority class (unscaled
    # breast-cancer features): BEFORE's plateau reads FD201, AFTER's (after a wild first
    # epoch) FD202. Both are underfitting: "fixes FD201 but adds FD202" (a regression, at
    # the default bar) told the CI the change made it worse
    cases = Path(__file__).parent / "data" / "cases"
    cmp = compare(cases / "one_class_sigmoid_unscaled.json",
                  cases / "one_class_after_wild_start.json")
    assert [c.code for c in cmp.fixed] == ["FD201"] and [c.code for c in cmp.new] == ["FD202"]
    assert not cmp.gained and not cmp.regression and not cmp.fixed_problems
    assert [c.code for c in cmp.still_shown] == ["FD201"]
    assert cmp.verdict.startswith(
        "AFTER neither fixes nor adds a problem; still underfitting (FD202)")
    # the other way round, the same: a problem of the same kind is no new problem
    back = compare(cases / "one_class_after_wild_start.json",
                   cases / "one_class_sigmoid_unscaled.json")
    assert not back.regression and "still underfitting (FD201)" in back.verdict


def test_a_rule_that_could_not_run_on_after_fixed_nothing() -> None:
    # AFTER is one epoch long: FD101 could not judge it (review15), so BEFORE's FD101 is
    # no fix ("AFTER fixes FD101 overfitting but adds FD303" credited a fix never judged)
    epochs = list(range(1, 9))
    before = Run(epochs=epochs, metrics={
        "loss": [0.9, 0.5, 0.3, 0.2, 0.12, 0.08, 0.05, 0.03],
        "val_loss": [0.95, 0.6, 0.45, 0.44, 0.47, 0.52, 0.58, 0.66]}, name="before")
    after = Run(epochs=[1], metrics={"loss": [0.9], "val_loss": [0.95]}, name="after")
    cmp = compare(before, after)
    assert "FD101" in [c.code for c in cmp.fixed]
    assert "FD101" not in [c.code for c in cmp.fixed_problems]
    assert "fixes FD101" not in cmp.verdict and "FD303" in cmp.verdict
    # the finding's line says so too: gone from AFTER because it was never judged there
    gone = next(c for c in cmp.fixed if c.code == "FD101")
    assert "1 epoch" in gone.unjudged and gone.to_dict()["not_judged_on_after"]


def test_a_folder_of_runs_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """``compare runs/ runs/`` (a sweep's folder): exit 2, one line saying to pass one file."""
    import shutil

    shutil.copy(BEFORE, tmp_path / "before.json")
    shutil.copy(AFTER, tmp_path / "after.json")
    code, out, err = _cli(str(tmp_path), str(AFTER))
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "a folder of 2 history files" in err and "Traceback" not in err


def _codes(out: str) -> set[str]:
    """Every finding code of a ``compare -f json`` output, whatever its status."""
    groups = json.loads(out)["findings"].values()
    return {f["code"] for group in groups for f in group}


def test_select_and_ignore_as_analyze_takes_them() -> None:
    """``--select``/``--ignore`` choose the rules both runs are analyzed with, as for
    ``analyze`` (the README's Configuration lists them for every command): the gained
    FD101 that fails ``--fail-on warning`` is left out with ``--ignore FD101``, and a
    selection that leaves no rule is exit 2, one line."""
    code, out, _ = _cli(str(AFTER), str(BEFORE), "-f", "json", "--fail-on", "warning")
    assert code == 1 and "FD101" in _codes(out)
    for option in (["--ignore", "FD101"], ["--select", "FD6,FD7"]):
        code, out, err = _cli(str(AFTER), str(BEFORE), "-f", "json", "--fail-on", "warning",
                              *option)
        assert (code, err) == (0, ""), option
        assert "FD101" not in _codes(out)
    code, out, err = _cli(str(AFTER), str(BEFORE), "--select", "FD5", "--ignore", "FD5")
    assert code == 2 and out == "" and err.startswith("fitdoctor: error: no rule left to run")
    assert len(err.splitlines()) == 1


def test_an_unfinished_run_is_said_in_the_verdict(tmp_path: Path) -> None:
    """A killed training's run file (the header and 7 of 40 epochs) is judged as far as
    it got; the verdict, the one line a CI log and its annotation show, says so."""
    full = Path(__file__).parent / "data" / "cases" / "linear_on_circles.run.json"
    cut = tmp_path / "killed.run.json"
    cut.write_text("".join(full.read_text(encoding="utf-8").splitlines(True)[:8]),
                   encoding="utf-8")
    assert compare(full, cut).verdict.endswith("; AFTER still running (epoch 7 of 40)")
    assert compare(cut, full).verdict.endswith("; BEFORE still running (epoch 7 of 40)")
    assert "still running" not in compare(full, full).verdict


def test_a_warning_that_became_an_info_was_fixed() -> None:
    """FD101 is an info once EarlyStopping restored the best weights (its own first
    advice): that change fixed the overfitting. A real pair (breast cancer, 150 rows,
    2x512 units; AFTER with Dropout(0.5) and EarlyStopping(restore_best_weights=True))
    read "AFTER neither fixes nor adds a problem", val_loss at the kept epoch 0.497 →
    0.109. Still a warning elsewhere in the diagnosis, or an error eased to a warning,
    is no fix."""
    over = "overfitting"
    eased = _cmp([_finding("FD101", Severity.WARNING, over)],
                 [_finding("FD101", Severity.INFO, over)])
    assert eased.verdict.startswith("AFTER fixes FD101 overfitting")
    assert not eased.regression
    still = _cmp([_finding("FD101", Severity.WARNING, over)],
                 [_finding("FD101", Severity.INFO, over),
                  _finding("FD103", Severity.WARNING, over)])
    assert [c.code for c in still.fixed_problems] == []
    softer = _cmp([_finding("FD404", Severity.ERROR, "diverged")],
                  [_finding("FD404", Severity.WARNING, "diverged")])
    assert softer.fixed_problems == [] and softer.verdict.startswith("AFTER neither fixes")


def test_configured_metric_names_are_read_as_analyze_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``[tool.fitdoctor.metrics]`` names the curves for compare too: a CSV logging
    ``holdout_acc``/``holdout_loss`` mapped to ``val_accuracy``/``val_loss`` was read by
    analyze with the mapping and by compare without it (judged on another yardstick,
    with findings analyze does not give)."""
    source = json.loads(AFTER.read_text(encoding="utf-8"))  # a history: loss, val_*, ...
    rows = ["epoch,loss,holdout_loss,holdout_acc"] + [
        f"{i},{lo},{vl},{va}" for i, (lo, vl, va) in enumerate(
            zip(source["loss"], source["val_loss"], source["val_accuracy"], strict=True))
    ]
    (tmp_path / "run.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.fitdoctor.metrics]\nholdout_loss = "val_loss"\nholdout_acc = "val_accuracy"\n',
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli("run.csv", "run.csv", "-f", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["yardstick"]["key"] == "val_accuracy"
    code, out, err = _cli("run.csv", "run.csv", "--before-run", "1", "-f", "json")
    assert (code, err) == (0, "") and json.loads(out)["yardstick"]["key"] == "val_accuracy"


def test_two_runs_of_one_name_are_named_by_their_files(tmp_path: Path) -> None:
    """``FitDoctor("run.json")`` in the baseline's training and in the new one: both runs
    are named by the header alike, so the output names them by the files given."""
    import shutil

    full = Path(__file__).parent / "data" / "cases" / "linear_on_circles.run.json"
    (tmp_path / "main").mkdir()
    shutil.copy(full, tmp_path / "main" / "run.json")
    shutil.copy(full, tmp_path / "run.json")
    base, new = str(tmp_path / "main" / "run.json"), str(tmp_path / "run.json")
    code, out, _ = _cli(base, new, "-f", "github")
    assert code == 0 and f"title=fitdoctor compare {base} → {new}::" in out.splitlines()[0]
    code, out, _ = _cli(new, new, "-f", "json")  # one file twice: its run name stays
    assert json.loads(out)["before"]["name"] == "linear_on_circles.run"
