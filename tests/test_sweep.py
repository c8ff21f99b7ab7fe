"""The sweep summary: rows, ranking, hyperparameters, findings across runs, which settings."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from fitdoctor import engine
from fitdoctor.report import Severity
from fitdoctor.reporters import sweep_render
from fitdoctor.run import Run
from fitdoctor.sweep import (
    RunFinding,
    SweepRow,
    hyperparameters,
    monitor_mode,
    row_of,
    summarize,
)

OVERFIT = RunFinding("FD101", "validation-loss-rising", "overfitting", Severity.WARNING)
GAP = RunFinding("FD102", "generalization-gap", "overfitting", Severity.INFO)
SLOW = RunFinding("FD301", "loss-still-falling", "not-converged", Severity.WARNING)


def row(i: int, hp: dict[str, Any], findings: list[RunFinding] = (),  # type: ignore[assignment]
        val_loss: float | None = None, epochs: int = 20) -> SweepRow:
    return SweepRow(
        index=i, run=f"trial_{i}", source="tuning/p", verdict="x",
        findings=list(findings), hyperparameters=hp, declared=True,
        bests={} if val_loss is None else {"val_loss": (val_loss, 5)},
        last_epoch=epochs, epochs=epochs,
    )


def test_the_runs_with_a_diagnosis_and_the_value_they_share() -> None:
    rows = [
        row(0, {"units": 512, "lr": 0.01}, [OVERFIT], 0.30),
        row(1, {"units": 16, "lr": 0.01}, [], 0.25),
        row(2, {"units": 512, "lr": 0.001}, [OVERFIT], 0.35),
        row(3, {"units": 16, "lr": 0.001}, [SLOW], 0.40),
        row(4, {"units": 512, "lr": 0.003}, [OVERFIT, GAP], 0.32),
        row(5, {"units": 16, "lr": 0.003}, [], 0.28),
    ]
    sweep = summarize(rows, sources=1)
    assert [r.run for r in sweep.rows] == ["trial_1", "trial_5", "trial_0", "trial_4",
                                           "trial_2", "trial_3"]
    assert sweep.varying == ["units", "lr"] and sweep.shared == {}
    (overfitting,) = sweep.settings  # not-converged is in one run only: not compared
    assert overfitting.diagnosis == "overfitting"
    assert overfitting.runs == ["trial_0", "trial_4", "trial_2"]
    first = overfitting.associations[0]
    assert first.condition() == "units=512" and first.separates
    assert (first.with_count, first.with_total, first.others_count, first.others_total) == (
        3, 3, 0, 3)
    assert all(a.hyperparameter != "lr" for a in overfitting.associations)
    assert [(r.code, len(r.runs)) for r in sweep.recurring] == [
        ("FD101", 3), ("FD301", 1), ("FD102", 1)]
    assert sweep.best is rows[1] and sweep.best.healthy and sweep.best_healthy is None


def test_a_threshold_when_no_single_value_is_shared() -> None:
    rates = [0.02, 0.05, 0.1, 0.0001, 0.0003, 0.001]
    rows = [row(i, {"lr": lr, "units": 64}, [SLOW] if lr <= 0.001 else [], 0.3)
            for i, lr in enumerate(rates)]
    sweep = summarize(rows, sources=6)
    assert sweep.shared == {"units": 64} and sweep.varying == ["lr"]
    (slow,) = sweep.settings
    (assoc,) = slow.associations
    assert assoc.condition() == "lr<=0.001" and assoc.separates


def test_no_association_is_claimed_from_noise() -> None:
    rows = [row(i, {"seed": i % 2, "units": 8 * (i + 1)}, [OVERFIT] if i in (0, 3) else [])
            for i in range(6)]
    (overfitting,) = summarize(rows, sources=6).settings
    # seed 0 and 1 both split 1:2; units 8 and 32 are neither the largest nor the smallest
    assert all(a.strength >= 0.5 for a in overfitting.associations)
    assert not any(a.separates for a in overfitting.associations)


def test_the_best_healthy_run_when_the_best_is_not() -> None:
    rows = [row(0, {}, [OVERFIT], 0.2), row(1, {}, [], 0.3), row(2, {}, [], 0.25, epochs=1)]
    sweep = summarize(rows, sources=3)
    assert sweep.best is rows[0] and sweep.best_healthy is rows[1]
    assert not rows[2].judged and not rows[2].healthy
    assert dict(sweep.counts()) == {"healthy": 1, "overfitting": 1, "not judged": 1}


def test_runs_named_alike_are_named_by_their_path() -> None:
    rows = [SweepRow(i, "history.json", f"runs/{name}/history.json", "x")
            for i, name in enumerate(("adam", "sgd"))]
    summarize(rows, sources=2)
    assert [r.run for r in rows] == ["adam/history.json", "sgd/history.json"]


def test_declared_hyperparameters_and_facts_read_as_settings() -> None:
    facts = {"trial_id": "03", "units": 512, "lr": 0.01, "score": 0.3}
    assert hyperparameters(facts, {"hyperparameters": ["units", "lr"]}) == (
        {"units": 512, "lr": 0.01}, True)
    found, declared = hyperparameters({
        "backbone": "EfficientNet-B0", "img_size": 96, "test_acc": 77.6, "timestamp": "2026",
        "training_time": 12.5, "classes": ["a", "b"], "config": {"batch_size": 32, "lr": 1e-3},
        "run_id": "abc", "epochs_requested": 30,
    })
    assert not declared
    assert found == {"backbone": "EfficientNet-B0", "img_size": 96, "batch_size": 32,
                     "lr": 1e-3, "epochs_requested": 30}


def test_counters_beside_the_curves_are_not_settings() -> None:
    # a trainer_state.json's epoch and global_step say how far training got
    facts = {"train_batch_size": 16, "num_train_epochs": 6, "epoch": 6.0, "global_step": 1500,
             "Global_Step": 3, "num_input_tokens_seen": 0}
    assert hyperparameters(facts) == ({"train_batch_size": 16, "num_train_epochs": 6}, False)


def test_monitor_modes() -> None:
    assert monitor_mode("val_loss") == "min" and monitor_mode("val_out1_loss") == "min"
    assert monitor_mode("val_accuracy") == "max" and monitor_mode("val_auc") == "max"
    assert monitor_mode("loss") is None and monitor_mode("val_mae") is None


def _run(name: str, val: list[float], facts: dict[str, Any]) -> Run:
    n = len(val)
    return Run(epochs=list(range(1, n + 1)),
               metrics={"loss": [1.0 / (i + 1) for i in range(n)], "val_loss": list(val),
                        "val_accuracy": [0.5 + 0.01 * i for i in range(n)]},
               name=name, source="keras-history", facts=facts)


def test_a_row_from_a_report_and_the_objective_first() -> None:
    run = _run("a.json", [0.9, 0.5, math.nan, 0.6, 0.7], {"units": 8, "test_loss": 0.4})
    run.meta["objective"] = {"name": "val_accuracy", "direction": "max"}
    r = row_of(engine.analyze(run), run, index=0, source="a.json")
    assert r.bests == {"val_loss": (0.5, 2), "val_accuracy": (0.54, 5)}
    assert r.hyperparameters == {"units": 8} and not r.declared
    other = _run("b.json", [0.8, 0.7, 0.6, 0.5, 0.45], {"units": 16})
    other.meta["objective"] = {"name": "val_accuracy", "direction": "max"}
    r2 = row_of(engine.analyze(other), other, index=1, source="b.json")
    sweep = summarize([r, r2], sources=2)
    assert (sweep.monitor, sweep.mode, sweep.objective) == ("val_accuracy", "max", True)


@pytest.mark.parametrize("fmt", sweep_render.FORMATS)
def test_every_format_says_the_same(fmt: str) -> None:
    rows = [
        row(0, {"units": 512, "note": "a|b*"}, [OVERFIT], 0.30),
        row(1, {"units": 16, "note": "c"}, [], 0.25),
        row(2, {"units": 512, "note": "d"}, [OVERFIT], 0.35),
    ]
    out = sweep_render.render(summarize(rows, sources=1), fmt, width=100)
    if fmt == "json":
        data = json.loads(out)
        assert data["schema"] == "fitdoctor.sweep/1" and data["runs"] == 3
        assert data["best"]["run"] == "trial_1" and data["best"]["healthy"]
        (s,) = data["settings"]
        assert s["associations"][0] == {
            "hyperparameter": "units", "op": "=", "value": 512, "with": 2, "with_total": 2,
            "others": 0, "others_total": 1, "separates": True}
        return
    out = out.replace("\\", "")  # markdown escapes
    assert "trial_0" in out and "units" in out and "FD101" in out
    assert "overfitting in 2 runs" in out
    assert "in both of these runs and none of the 1 others" in out
    assert "best run: trial_1" in out
    if fmt == "markdown":
        assert "a|b*" in out
    if fmt == "text":
        assert "\x1b" not in out


def test_a_setting_only_some_runs_record_says_how_many_it_counts() -> None:
    """Five overfitting runs, two recording ``img_size``: not "both of these runs"."""
    rows = [row(i, {"img_size": 96} if i < 2 else {}, [OVERFIT], 0.3 + i / 100)
            for i in range(5)]
    rows += [row(5, {"img_size": 64}, [], 0.2), row(6, {"img_size": 64}, [], 0.25)]
    out = " ".join(sweep_render.render(summarize(rows, sources=1), "text", width=100).split())
    assert "overfitting in 5 runs" in out
    assert ("img_size=96 in 2 of these 5 runs (all that record img_size) and none of the 2 "
            "others") in out
    assert "both of these runs" not in out


def test_run_column_shows_where_long_names_differ() -> None:
    """Runs of one folder share a long start and end: the cut keeps what differs."""
    from fitdoctor.reporters.sweep_render import _run_names

    names = [f"owner__kan__results_metrics_train_kan-{k}_train_metrics.json"
             for k in ("bspline", "chebyshev", "fourier")]
    shown = _run_names(names, 28, "...")
    assert all(len(s) <= 28 for s in shown), shown
    for kind, s in zip(("bspline", "chebyshev", "fourier"), shown, strict=True):
        assert kind in s, shown
    assert len(set(shown)) == 3
    # short names are left alone; one long name alone keeps both its ends
    assert _run_names(["a", "b"], 28) == ["a", "b"]
    (alone,) = _run_names(["run 2 of 12 in Wardat-ISU__DeepLocalize__results.csv"], 28)
    assert alone.startswith("run 2 of") and alone.endswith("results.csv") and len(alone) == 28
    # the run's number and the file's count stay whole (cut inside, it read "run 2 of 1...")
    (twelfth,) = _run_names(["run 2 of 12 in Wardat-ISU__single_hidden_layer.csv"], 28)
    assert twelfth == "run 2 of 12...dden_layer.csv"


def test_each_run_counts_once_under_its_headline() -> None:
    # a run overfitting and still falling is one run: the headline's counts add up to
    # the runs (they read "3 runs: 2 overfitting, 1 not-converged, 1 healthy" before)
    rows = [row(0, {}, [OVERFIT, SLOW], 0.2), row(1, {}, [SLOW], 0.3), row(2, {}, [], 0.25)]
    sweep = summarize(rows, sources=1)
    assert dict(sweep.counts()) == {"healthy": 1, "overfitting": 1, "not-converged": 1}
    assert sum(n for _, n in sweep.counts()) == len(rows)


def test_a_run_too_short_to_judge_counts_as_its_verdict_says() -> None:
    # a two-epoch run's FD303 is filed under not-converged, but its verdict reads "too
    # short to judge": the sweep counted it "not-converged" above "not judged: 1 run"
    short = Run(epochs=[1, 2], metrics={"loss": [1.0, 0.8], "val_loss": [1.1, 0.9]},
                name="short")
    long = Run(epochs=list(range(1, 11)),
               metrics={"loss": [1 / e for e in range(1, 11)],
                        "val_loss": [1.1 / e for e in range(1, 11)]}, name="long")
    rows = [row_of(engine.analyze(r), r, index=i, source=f"{r.name}.json")
            for i, r in enumerate([short, long])]
    counts = dict(summarize(rows, sources=2).counts())
    assert counts.get("too short to judge") == 1
    assert sum(counts.values()) == 2


def test_a_run_no_rule_could_check_is_not_counted_healthy() -> None:
    # --select FD601 on histories: each report reads "not judged: no check could run",
    # and the sweep counted both runs "healthy"
    from fitdoctor.rules import Settings

    runs = [Run(epochs=list(range(1, 11)),
                metrics={"loss": [1 / e for e in range(1, 11)],
                         "val_loss": [1.1 / e for e in range(1, 11)]}, name=f"r{i}")
            for i in range(2)]
    rows = [row_of(engine.analyze(r, Settings(select=[code])), r, index=i, source=f"{i}.json")
            for i, (r, code) in enumerate(zip(runs, ["FD601", "FD711"], strict=True))]
    assert all(r.verdict.startswith("not judged") for r in rows)
    assert not any(r.healthy for r in rows)
    sweep = summarize(rows, sources=2)
    assert dict(sweep.counts()) == {"not judged": 2}
    assert [sweep_render._short(r) for r in rows] == ["not judged", "not judged"]
