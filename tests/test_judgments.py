"""How judgments are declared and combined: conditions, message parts, precedence, shared
parameters, the verdict line, and the curve measurements the judgments rest on."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fitdoctor
from fitdoctor import curves, engine
from fitdoctor.errors import ConfigError
from fitdoctor.report import Report, Severity, Skipped
from fitdoctor.rules import Settings, load_rules, parse_condition
from fitdoctor.run import DataInfo, Run

DATA = Path(__file__).parent / "data"


# ------------------------------------------------------------------ conditions
@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("early_stopped", {"early_stopped": 1}, True),
        ("early_stopped", {"early_stopped": 0}, False),
        ("early_stopped", {}, False),
        ("not cross_validated", {"cross_validated": False}, True),
        ("not cross_validated", {}, True),
        ("half_width >= 0.05", {"half_width": 0.05}, True),
        ("half_width >= 0.05", {"half_width": 0.049}, False),
        ("half_width >= 0.05", {}, False),
        ("accuracy_lead > 0", {"accuracy_lead": -0.1}, False),
        ("reference_kind == prior", {"reference_kind": "prior"}, True),
        ("reference_kind == prior", {"reference_kind": "chance"}, False),
        ("regularized == false", {"regularized": False}, True),
        ("regularized == false", {"regularized": None}, False),
        ("dead_by != loss", {"dead_by": "accuracy"}, True),
        ("ratio >= min_ratio", {"ratio": 2.0}, True),  # a parameter name as the operand
    ],
)
def test_conditions(text: str, values: dict[str, object], expected: bool) -> None:
    assert parse_condition(text, "test").holds(values, {"min_ratio": 1.5}) is expected


@pytest.mark.parametrize("text", ["a b", ">= 3", "x ~ 3", "x >=", "import os"])
def test_bad_conditions_name_themselves(text: str) -> None:
    with pytest.raises(ConfigError, match="condition"):
        parse_condition(text, "rules.toml: rule X1")


# --------------------------------------------------------------- rule packs
def _pack(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir(parents=True)
    (folder / "extra.toml").write_text(body, encoding="utf-8")
    return folder


_RULE = """
[[rule]]
code = "{code}"
name = "{name}"
diagnosis = "overfitting"
severity = "warning"
detector = "no-validation"
message = "{message}"
{extra}
[rule.params.validation_split]
default = 0.2
doc = "Share held out."
"""


def test_parts_pick_the_first_wording_that_applies(tmp_path: Path) -> None:
    body = _RULE.format(
        code="XX101", name="no-val-parts", message="missing{why}{count}", extra="""
[[rule.parts.why]]
when = "n_train"
text = ": {n_train} training samples and none held out"
[[rule.parts.why]]
text = ": nothing held out"
[[rule.parts.count]]
when = "not n_train"
text = " (size unknown)"
""")
    settings = Settings(select=["XX101"], rule_dirs=[_pack(tmp_path, body)])
    report = fitdoctor.analyze({"loss": [1.0, 0.5]}, settings)
    assert report.findings[0].message == "missing: nothing held out (size unknown)"


def test_precedence_must_name_known_rules_and_have_no_cycle(tmp_path: Path) -> None:
    unknown = _RULE.format(code="XX102", name="a", message="m", extra='supersedes = ["XX999"]')
    with pytest.raises(ConfigError, match="supersedes unknown rule 'XX999'"):
        load_rules([_pack(tmp_path, unknown)])
    cycle = (
        _RULE.format(code="XX103", name="b", message="m", extra='supersedes = ["XX104"]')
        + _RULE.format(code="XX104", name="c", message="m", extra='supersedes = ["XX103"]')
    )
    with pytest.raises(ConfigError, match="cycle"):
        load_rules([_pack(tmp_path / "two", cycle)])


def test_shared_parameters_are_declared_once_and_configured_per_rule() -> None:
    rules = {r.code: r for r in Settings(rule_options={"FD101": {"blowup_factor": 30.0}}).rules()}
    for code in ("FD101", "FD102", "FD201", "FD301", "FD302", "FD402", "FD403", "FD411"):
        assert rules[code].params["blowup_factor"].shared, code
    assert rules["FD101"].values["blowup_factor"] == 30.0
    assert rules["FD102"].values["blowup_factor"] == 50.0


def test_no_deciding_constant_left_in_detectors() -> None:
    """Thresholds are rule parameters: the old module constant is gone."""
    from fitdoctor.detectors import training

    assert not hasattr(training, "SPIKE_FACTOR")


# ------------------------------------------------------------------ precedence
def test_broken_validation_is_the_headline_and_leaves_out_what_it_invalidates() -> None:
    report = fitdoctor.analyze(DATA / "cases" / "sorted_validation_split.run.json")
    assert report.findings[0].code == "FD707"
    assert report.findings[0].severity is Severity.ERROR
    assert report.verdict.startswith("validation cannot be trusted")
    moot = {s.code: s.by for s in report.superseded}
    assert moot.get("FD501") == ["FD707"]  # the split emptied training of classes 8 and 9
    assert not {f.code for f in report.findings} & {"FD101", "FD102", "FD501", "FD504"}
    assert report.to_dict()["superseded"]


def test_no_validation_leads_over_what_the_training_curve_says() -> None:
    """A training-only history still falling: FD701 is the headline, FD301 still listed."""
    loss = [0.658, 0.52, 0.45, 0.39, 0.333]
    report = fitdoctor.analyze({"loss": loss, "accuracy": [0.77, 0.81, 0.84, 0.86, 0.88]})
    codes = [f.code for f in report.findings if f.severity is Severity.WARNING]
    assert codes == ["FD701", "FD301"]
    assert report.verdict.startswith("validation-setup, not-converged")


def test_a_record_too_short_to_judge_is_not_called_healthy() -> None:
    """One record numbered epoch 10: nothing fires, and the verdict does not say healthy."""
    report = fitdoctor.analyze({"epoch": [10], "loss": [0.0114], "val_loss": [0.1267]})
    assert not [f for f in report.findings if f.severity is not Severity.INFO]
    assert report.verdict.startswith("too short to judge: 1 epoch recorded; ")
    skipped = {s.code: s for s in report.skipped}
    assert "only 1 of them were recorded" in skipped["FD303"].reason


def test_too_short_leads_over_no_validation() -> None:
    """A one-epoch training-only run: too short to judge is the headline, then FD701."""
    report = fitdoctor.analyze({"loss": [0.067]})
    codes = [f.code for f in report.findings if f.severity is Severity.WARNING]
    assert codes == ["FD303", "FD701"]
    assert report.verdict.startswith("too short to judge, validation-setup")


def test_leads_must_be_a_boolean(tmp_path: Path) -> None:
    bad = _RULE.format(code="XX105", name="a", message="m", extra='leads = "yes"')
    with pytest.raises(ConfigError, match="leads must be true or false"):
        load_rules([_pack(tmp_path, bad)])


def test_overfitting_supersedes_the_swings_of_its_own_rise() -> None:
    loss = [0.3, 0.16, 0.13, 0.12, 0.10, 0.086, 0.072, 0.067, 0.086, 0.071, 0.098, 0.065,
            0.046, 0.030, 0.020, 0.016]
    val = [3.6, 0.79, 0.28, 0.19, 0.19, 0.176, 0.25, 0.26, 0.33, 0.34, 0.40, 0.35, 0.88,
           0.64, 0.43, 0.45]
    report = fitdoctor.analyze({"loss": loss, "val_loss": val})
    assert [f.code for f in report.findings if f.severity is not Severity.INFO] == ["FD101"]


def test_a_memorised_training_set_is_overfitting_even_when_validation_cannot_show_it() -> None:
    """FD103 is the headline when the validation set is all right and its loss falls; a
    validation loss that shows the rise is FD101's finding, which supersedes FD103."""
    report = fitdoctor.analyze(DATA / "cases" / "memorised_wine.run.json")
    assert report.findings[0].code == "FD103"
    assert report.verdict.startswith("overfitting")
    assert "FD101" not in {f.code for f in report.findings}
    shown = fitdoctor.analyze(DATA / "cases" / "memorised_cancer.run.json")
    assert shown.findings[0].code == "FD101"
    assert {s.code: s.by for s in shown.superseded}.get("FD103") == ["FD101"]
    bare = fitdoctor.analyze(DATA / "cases" / "memorised_wine.json")
    assert "FD103" in {s.code for s in bare.skipped}


@pytest.mark.parametrize(
    ("ratio", "shift", "fires"),
    [
        (16.0, 16.7, True),  # raw pixels against /16
        (0.0625, 1.0, True),  # the other way round: validation scaled, training raw
        (1.0, 2.5, True),  # same spread, means apart: one set shifted (centred twice)
        (2.9, 1.9, False),  # within both bounds
        (0.35, 0.3, False),
        (0.0, 0.1, False),  # most features constant in a small validation set (sparse)
        (1.0, math.nan, None),  # not a measurement (a hand-edited file): skipped
        (math.inf, 0.0, None),
        (-1.0, 0.0, None),
    ],
)
def test_validation_inputs_off_scale_either_way(
    ratio: float, shift: float, fires: bool | None
) -> None:
    run = fitdoctor.load(DATA / "cases" / "val_inputs_off_scale.run.json")
    assert run.data is not None
    run.data.val_spread_ratio, run.data.val_mean_shift = ratio, shift
    report = fitdoctor.analyze(run, Settings(select=["FD709"]))
    assert ("FD709" in {s.code for s in report.skipped}) is (fires is None), report.skipped
    assert ("FD709" in {f.code for f in report.findings}) is bool(fires), report.findings


def test_a_validation_loss_below_training_warns_only_when_nothing_explains_it() -> None:
    """FD704: dropout or penalties explain a low validation loss (info); a recorded model
    without them does not (a warning); a bare history cannot say (info)."""
    settings = Settings(select=["FD704"])
    runs = DATA / "runs" / "validation"
    dropout = fitdoctor.load(runs / "fd704_dropout.json")  # Dropout(0.7), ratio ~2.5
    for key in ("accuracy", "val_accuracy"):  # its 18-point accuracy lead warns on its own
        dropout.metrics.pop(key)
    plain = fitdoctor.load(runs / "fd704_fixed.json")      # no dropout, no penalty
    plain.metrics["val_loss"] = [None if v is None else 0.25 * v for v in plain.metrics["loss"]]
    bare = fitdoctor.load({"loss": plain.metrics["loss"], "val_loss": plain.metrics["val_loss"]})
    severities = []
    for run in (dropout, plain, bare):
        hits = [f for f in fitdoctor.analyze(run, settings).findings if f.code == "FD704"]
        assert hits, run.name
        severities.append(hits[0].severity)
    assert severities == [Severity.INFO, Severity.WARNING, Severity.INFO]


def test_swings_supersede_the_trend_read_from_them() -> None:
    """A validation loss that swings from epoch to epoch is unstable first: FD301's "still
    falling" is read from a curve with no steady trend (its last swing down), so it is
    left out."""
    loss = [1.25, 0.9, 0.6, 0.55, 0.45, 0.46, 0.36, 0.35, 0.41, 0.37, 0.27, 0.3, 0.32, 0.33,
            0.3, 0.34, 0.28, 0.3, 0.27, 0.24]
    val = [1.1, 0.85, 0.7, 0.55, 0.47, 0.4, 0.33, 0.6, 0.36, 0.45, 0.3, 0.45, 0.28, 0.42,
           0.5, 0.33, 0.4, 0.27, 0.2, 0.22]
    acc = [0.7, 0.75, 0.8, 0.83, 0.82, 0.9, 0.92, 0.84, 0.92, 0.88, 0.94, 0.89, 0.94, 0.9,
           0.86, 0.92, 0.9, 0.94, 0.95, 0.95]
    history = {"loss": loss, "val_loss": val, "val_accuracy": acc}
    assert fitdoctor.analyze(history, Settings(select=["FD301"])).findings  # on its own
    report = fitdoctor.analyze(history)
    assert report.findings[0].code == "FD412"
    assert {s.code: s.by for s in report.superseded}.get("FD301") == ["FD412"]


def test_spikes_supersede_the_trend_read_past_them() -> None:
    """A training loss that jumps 6x and back, three times: lower the learning rate first.
    FD301 (still falling: train longer, or raise the learning rate when progress is slow)
    is left out, as under FD411: no advice to raise the rate of a run whose loss spikes."""
    epochs = np.arange(1, 31)
    loss = [round(0.05 + 0.6 / e, 4) for e in epochs]
    for i in (11, 19, 25):
        loss[i] = round(6 * loss[i], 4)
    val = [round(0.1 + 0.5 * float(np.exp(-e / 12)), 4) for e in epochs]
    history = {"loss": loss, "val_loss": val}
    assert fitdoctor.analyze(history, Settings(select=["FD301"])).findings  # on its own
    report = fitdoctor.analyze(history)
    assert report.findings[0].code == "FD413"
    assert {s.code: s.by for s in report.superseded}.get("FD301") == ["FD413"]


def test_a_loss_far_above_the_prior_is_diverged_not_swinging() -> None:
    """FD404 supersedes FD411-FD413: a binary classifier whose training loss swings at
    15-60 against ln 2 (RMSprop at 5) is broken weights moving about, one finding with
    one advice, not a model bouncing around a solution. As a bare history (no prior loss:
    FD404 holds the loss to what its own predictions would lose at honest confidence);
    with the run file's prior loss the first epoch (5600x ln 2) is a blow-up the network
    never beat the constant predictor after (FD403), and nothing after it is judged."""
    loss = [3900.0, 810.0, 560.0, 530.0, 420.0, 330.0, 300.0, 240.0, 200.0, 150.0, 70.0,
            105.0, 80.0, 72.0, 31.0, 52.0, 40.0, 14.0, 11.0, 16.0]
    val = [1300.0, 500.0, 380.0, 470.0, 300.0, 330.0, 160.0, 270.0, 290.0, 95.0, 150.0,
           60.0, 95.0, 20.0, 35.0, 80.0, 18.0, 25.0, 40.0, 9.0]
    acc = [0.55, 0.6, 0.62, 0.6, 0.63, 0.61, 0.64, 0.62, 0.63, 0.66, 0.62, 0.65, 0.63, 0.67,
           0.64, 0.62, 0.66, 0.65, 0.63, 0.67]
    run = Run.from_dict({
        "schema": "fitdoctor.run/1", "epochs": list(range(1, len(loss) + 1)),
        "metrics": {"loss": loss, "val_loss": val, "accuracy": acc,
                    "val_accuracy": [a - 0.02 for a in acc]},
        "compile": {"loss": "binary_crossentropy"},
        "data": {"task": "binary", "n_classes": 2, "n_val": 280},
        "baselines": {"prior_loss": 0.6931},
    })
    bare = {key: list(value) for key, value in run.metrics.items()}
    alone = {code for code in ("FD411", "FD412", "FD413")
             if fitdoctor.analyze(bare, Settings(select=[code])).findings}
    assert alone  # the swings are there, measured on their own
    report = fitdoctor.analyze(bare)
    assert report.findings[0].code == "FD404"
    moot = {s.code: s.by for s in report.superseded}
    assert all(moot.get(code) == ["FD404"] for code in alone), moot
    assert not {f.code for f in report.findings} & {"FD411", "FD412", "FD413"}
    full = fitdoctor.analyze(run)
    assert full.findings[0].code == "FD403"
    assert "never did better than that constant prediction" in full.findings[0].message
    assert not {f.code for f in full.findings} & {"FD411", "FD412", "FD413"}


def _regression_run(loss: list[float], val: list[float], prior: float,
                    reference: float, compiled: str = "mse") -> Run:
    return Run.from_dict({
        "schema": "fitdoctor.run/1", "epochs": list(range(1, len(loss) + 1)),
        "metrics": {"loss": loss, "val_loss": val}, "compile": {"loss": compiled},
        "data": {"task": "regression", "n_val": 140},
        "baselines": {"prior_loss": prior, "reference_value": reference,
                      "reference_metric": "mse", "reference_model": "ridge regression"},
    })


def test_validation_swings_supersede_the_plateau_read_through_them() -> None:
    """FD412 supersedes FD201: a regression whose training and validation losses swing
    (momentum SGD at 0.05 with batches of 8) has no plateau to compare with a reference's
    error; the lowest validation loss is one point of a swing, and the first fix is the
    rate, not a wider network."""
    loss = [0.54, 0.28, 0.26, 0.22, 0.19, 0.13, 0.2, 0.13, 0.13, 0.15, 0.24, 0.16, 0.125,
            0.09, 0.09, 0.1, 0.11, 0.13, 0.13, 0.16, 0.15, 0.17, 0.11, 0.16, 0.17]
    val = [0.3, 0.32, 0.29, 0.21, 0.16, 0.24, 0.23, 0.16, 0.29, 0.48, 0.3, 0.18, 0.27, 0.19,
           0.26, 0.29, 0.25, 0.18, 0.3, 0.26, 0.2, 0.24, 0.28, 0.19, 0.25]
    run = _regression_run(loss, val, prior=1.0, reference=0.095)
    assert fitdoctor.analyze(run, Settings(select=["FD201"])).findings  # on its own
    report = fitdoctor.analyze(run)
    assert report.findings[0].code == "FD412"
    assert {s.code: s.by for s in report.superseded}.get("FD201") == ["FD412"]


def test_underfitting_against_a_reference_is_judged_on_the_target_scale() -> None:
    """FD201 with an MSE reference: a shortfall that is a sliver of the target's variance
    is no underfitting; a network that fits its own training data worse than the
    reference validates underfits, whatever its gap to validation."""
    settings = Settings(select=["FD201"])
    epochs = np.arange(40)
    near = _regression_run(list(0.0155 + 0.7 * np.exp(-epochs / 2)),
                           list(0.0129 + 0.5 * np.exp(-epochs / 2)), prior=0.91,
                           reference=0.0118)
    assert not fitdoctor.analyze(near, settings).findings  # 0.0011 of a variance of 0.91
    far = _regression_run(list(0.195 + 1.3 * np.exp(-epochs / 3)),
                          list(0.265 + 1.0 * np.exp(-epochs / 3)), prior=1.13,
                          reference=0.0906)
    hits = fitdoctor.analyze(far, settings).findings
    assert [f.code for f in hits] == ["FD201"]
    assert "(65.8% lower error)" in hits[0].message  # of the network's error: below 100%


def test_an_mae_regression_still_creeping_is_judged_by_its_pace_to_the_reference() -> None:
    """FD201's catch-up on a network trained on the mean absolute error: its MSE is at
    least its MAE squared, so it cannot reach the reference's MSE before its MAE reaches
    the root of it. A validation MAE creeping 0.003 an epoch at 0.68, 0.37 above the
    root of gradient boosting's 0.095, needs ~124 more epochs (3x the run): more epochs
    are not the fix, and FD201 keeps the run from FD301. The same creep 0.08 above the
    root of a reference at 0.36 closes in ~27 epochs: left to FD301 ("train longer")."""
    settings = Settings(select=["FD201"])
    epochs = np.arange(40)
    loss = list(0.70 + 0.2 * np.exp(-epochs) - 0.0001 * epochs)  # flat from epoch 3
    val = list(0.80 - 0.003 * epochs)  # a steady creep: its tail holds 30% of the fall
    far = _regression_run(loss, val, prior=1.0, reference=0.095, compiled="mae")
    hits = fitdoctor.analyze(far, settings).findings
    assert [f.code for f in hits] == ["FD201"]
    assert "more epochs are not the fix" in hits[0].message
    assert hits[0].evidence["catch_up_epochs"] > 2 * 40
    near = _regression_run(loss, val, prior=1.0, reference=0.36, compiled="mae")
    assert not fitdoctor.analyze(near, settings).findings  # 27 epochs away: FD301's
    report = fitdoctor.analyze(near)
    assert report.findings and report.findings[0].code == "FD301"


# ------------------------------------------------------------------ the verdict
def test_a_bare_history_is_healthy_only_as_far_as_it_was_checked() -> None:
    report = fitdoctor.analyze(DATA / "cases" / "healthy_digits.json")
    assert not report.findings
    verdict = report.verdict
    assert verdict.startswith("healthy as far as checked: ")
    n_run_file = sum(1 for s in report.skipped if s.needs == "run-file")
    assert n_run_file >= 15 and f"{n_run_file} need a run file" in verdict
    run_rules = [r for r in Settings().rules() if r.detector.input == "run"]
    assert report.n_rules == len(run_rules)


def test_status_of_the_run_leads_the_verdict() -> None:
    run = fitdoctor.load(DATA / "cases" / "healthy_digits.json")
    run.status = "interrupted"
    assert fitdoctor.analyze(run).verdict.startswith(f"interrupted at {run.n_epochs} epochs: ")
    run.status = "running"
    assert fitdoctor.analyze(run).verdict.startswith(f"still running ({run.n_epochs} epochs)")


def test_a_rule_that_does_not_apply_leaves_no_gap_in_the_verdict() -> None:
    # FD411/FD413 do not judge the training loss of a model with Dropout: nothing the
    # user could add is missing, so the run is checked as far as it can be
    report = Report(source="x", n_rules=12)
    report.skipped = [Skipped("FD411", "a", "dropout", "", needs="not-applicable"),
                      Skipped("FD413", "b", "dropout", "", needs="not-applicable")]
    assert report.verdict == (
        "healthy: no problems found (10 checks; 2 do not apply to this model)"
    )
    report.skipped.append(Skipped("FD601", "c", "no model facts", "", needs="run-file"))
    assert report.verdict == (
        "healthy as far as checked: 9 checks found no problem; 1 needs a run file "
        "(FitDoctor()), 2 do not apply to this model"
    )
    report.run_summary["source"] = "fitdoctor"  # a run file lacking a fact is no bare history
    assert report.verdict.endswith("; 1 needs facts this run did not record, 2 do not apply "
                                   "to this model")


def test_verdict_without_skipped_rules_says_how_many_checks_ran() -> None:
    report = Report(source="x", n_rules=12)
    assert report.verdict == "healthy: no problems found (12 checks)"
    assert Report(source="x", n_rules=1).verdict == "healthy: no problems found (1 check)"
    report.skipped = [Skipped("FD601", "a", "no model facts", "", needs="run-file")]
    assert report.verdict == (
        "healthy as far as checked: 11 checks found no problem; 1 needs a run file (FitDoctor())"
    )


def test_a_run_with_no_epoch_and_no_rule_for_it_is_not_judged() -> None:
    # fuzz seed 48: a run file with no epoch, analyzed with --select of a learning-curve
    # rule (which reads no run), read "healthy: no problems found" and exited 0
    run = Run(epochs=[], metrics={"loss": [], "accuracy": []})
    report = engine.analyze(run, Settings(select=["FD711"]))
    assert report.verdict == "not judged: no epoch recorded, and no selected rule reads this input"


def test_a_run_with_epochs_and_no_rule_for_it_is_not_judged() -> None:
    # the same selection on a run with epochs read "healthy: no problems found" (exit 0)
    # though no rule ran; a report built by hand (rules unknown) keeps its verdict
    run = Run(epochs=[1, 2, 3], metrics={"loss": [1.0, 0.8, 0.7], "val_loss": [1.1, 0.9, 0.8]})
    report = engine.analyze(run, Settings(select=["FD711"]))
    assert report.n_rules == 0 and not report.findings
    assert report.verdict == "not judged: no selected rule reads this input"
    assert Report(source="x", n_epochs=3).verdict == "healthy: no problems found"


def test_too_short_has_its_own_verdict() -> None:
    report = fitdoctor.analyze(DATA / "cases" / "too_short.json")
    assert report.verdict == "too short to judge (1 warning)"


# ------------------------------------------------------- measurements behind them
def test_validation_size_is_read_off_the_accuracy_steps() -> None:
    rng = np.random.default_rng(3)
    for n in (37, 288, 1407):
        acc = (rng.integers(int(0.6 * n), n, 15) / n).astype(np.float32).astype(float)
        assert curves.infer_denominator(acc, max_n=20000) == n
        # four printed decimals blur 1/n above ~1,000 samples: no answer rather than a guess
        rounded = curves.infer_denominator(np.round(acc, 4), max_n=20000)
        assert rounded in (n, None)
    assert curves.infer_denominator(rng.random(20), max_n=20000) is None
    assert curves.infer_denominator(np.array([0.5, 0.5, 1.0]), max_n=20000) is None


def test_scatter_is_robust_to_spikes_along_a_rise() -> None:
    rise = np.linspace(0.2, 0.5, 20)
    spiky = rise.copy()
    spiky[[6, 15]] += 0.4
    assert curves.scatter(rise) == pytest.approx(0.0, abs=1e-12)
    assert curves.scatter(spiky) < 0.01  # occasional spikes do not make it noise
    zigzag = rise + 0.05 * (-1.0) ** np.arange(20)
    assert curves.scatter(zigzag) > 0.03  # a zig-zag is noise
    slope, _ = curves.theil_sen(spiky)  # type: ignore[misc]
    assert slope == pytest.approx(0.3 / 19, rel=0.05)


def test_wiggle_counts_only_movement_beyond_falls_then_rises() -> None:
    """FD412's measure: zero along any descent, rise or single turn; a zig-zag's swing."""
    fall = np.linspace(1.0, 0.2, 15)
    turn = np.concatenate([fall, np.linspace(0.25, 0.6, 10)])
    assert curves.wiggle(fall) == 0.0
    assert curves.wiggle(turn) == pytest.approx(0.0, abs=1e-12)
    assert curves.wiggle(fall[::-1]) == 0.0
    zigzag = 0.5 + 0.05 * (-1.0) ** np.arange(21)  # up and down 0.1 every epoch
    # 20 steps of 0.1, less the 0.1 down to the minimum and the 0.1 back up at the end
    assert curves.wiggle(zigzag) == pytest.approx(1.8 / 20)
    assert curves.wiggle(np.array([1.0, math.nan, 0.5])) == 0.0  # two finite points
    assert curves.wiggle(fall + zigzag[:15] - 0.5) > 0.03  # its rises on a descent still count


@pytest.mark.parametrize(
    "metrics",
    [
        {"loss": [1.0]},
        {"loss": [0.5, 0.5, 0.5, 0.5], "val_loss": [0.6, 0.6, 0.6, 0.6]},
        {"loss": [1e308, -1e308, 1e308, 1.0, 0.5], "val_loss": [1e308, 1.0, 0.5, 0.4, 0.3]},
        {"loss": [math.nan, 1.0, 0.5, math.inf], "val_loss": [1.0, math.nan, 0.3, 0.2],
         "accuracy": [0.1, math.nan, 0.5, 0.6], "val_accuracy": [0.0, 0.0, math.nan, 1.0]},
        {"loss": [0.0, 0.0, 0.0, 0.0, 0.0], "val_loss": [0.0, 0.0, 0.0, 0.0, 0.0],
         "accuracy": [1.0] * 5, "val_accuracy": [1.0] * 5, "learning_rate": [math.nan] * 5},
        {"loss": [5.0, -1.0, 2.0, -3.0, 4.0, 1e-300], "val_loss": [1e-300] * 6},
    ],
)
def test_detectors_survive_hostile_curves(metrics: dict[str, list[float]]) -> None:
    n = len(next(iter(metrics.values())))
    run = Run(epochs=list(range(1, n + 1)), metrics=dict(metrics))  # type: ignore[arg-type]
    report = engine.analyze(run)
    assert not [f for f in report.findings if f.code == "FD000"], report.findings


def test_no_validation_sample_right_at_a_single_epoch_is_worded_for_one() -> None:
    """FD705's exactly-0 clause names the epochs it read: one epoch is "at epoch 3", not
    "at 1 epochs (3 to 3)". A run file's 50 validation rows make one epoch enough: a model
    right on 80% of its training rows gets none of 50 such rows right with chance 0.2^50."""
    run = fitdoctor.load({
        "loss": [1.5, 1.0, 0.7, 0.55, 0.45, 0.4],
        "accuracy": [0.45, 0.7, 0.8, 0.85, 0.88, 0.9],
        "val_loss": [1.6, 1.2, 1.0, 0.8, 0.7, 0.65],
        "val_accuracy": [0.3, 0.5, 0.0, 0.6, 0.7, 0.72],
    })
    run.data = DataInfo(n_val=50)
    found = [f for f in fitdoctor.analyze(run).findings if f.code == "FD705"]
    assert found, "FD705 did not fire"
    assert "not one validation sample right, at epoch 3 while" in found[0].message


def test_fd702_names_the_epoch_of_the_accuracy_peak_it_compares() -> None:
    """FD702's "best" is the accuracy's peak, not the report's best (val_loss) epoch.

    A validation loss still falling at the last epoch makes the report's best epoch the
    last one; the accuracy peaked earlier. The message names that peak's epoch, so it
    does not read as "the gap between the best and the last epoch" of a run whose best
    epoch is its last.
    """
    n = 20
    val_loss = [1.0 - 0.03 * i for i in range(n)]  # best epoch: the last
    val_acc = [0.60 + i / 64 for i in range(14)] + [0.8125] + [0.796875] * 5
    run = Run(epochs=list(range(1, n + 1)), metrics={
        "loss": [1.0 - 0.03 * i for i in range(n)], "val_loss": val_loss,
        "val_accuracy": val_acc, "accuracy": [0.6 + 0.015 * i for i in range(n)]})
    report = fitdoctor.analyze(run, settings=Settings(select=["FD702"]))
    assert report.best_epoch is not None and report.best_epoch.epoch == n
    (finding,) = report.findings
    assert finding.evidence["accuracy_best_epoch"] == 15
    assert "gap between its peak at epoch 15 and the last epoch" in finding.message


def test_fd702_on_an_accuracy_flat_at_its_peak_names_the_tail_not_a_zero_gap() -> None:
    """Peak and last epoch equal (a gap of 0.0 points): the message names the tail's change."""
    n = 20
    val_acc = [0.6 + i / 64 for i in range(13)] + [0.7875] * 7  # at its peak from epoch 13 on
    run = Run(epochs=list(range(1, n + 1)), metrics={
        "loss": [1.0 - 0.05 * i for i in range(n)], "val_loss": [0.9 - 0.01 * i for i in range(n)],
        "val_accuracy": val_acc, "accuracy": [0.5 + 0.03 * i for i in range(n)]})
    report = fitdoctor.analyze(run, settings=Settings(select=["FD702"]))
    (finding,) = report.findings
    assert "change over the last 5 epochs (0.0 points)" in finding.message
    assert "peak" not in finding.message


def test_fd101_start_climb_needs_the_first_epoch_a_resumed_history_is_not_judged(
        tmp_path: Path) -> None:
    """A CSV log of a run resumed at epoch 40: its first reading is a point on a plateau,
    not where the weights began, so a later reading above it is no climb back."""
    loss = [0.046, 0.052, 0.049, 0.055, 0.047, 0.056, 0.050, 0.048, 0.054, 0.0559, 0.047,
            0.049, 0.045, 0.046, 0.044, 0.047, 0.043, 0.045, 0.042, 0.044]
    val = [0.30 - 0.004 * i + 0.0006 * max(0, i - 8) ** 2 for i in range(len(loss))]
    rows = "\n".join(f"{40 + i},{a},{b}" for i, (a, b) in enumerate(zip(loss, val, strict=True)))
    path = tmp_path / "resumed.csv"
    path.write_text("epoch,loss,val_loss\n" + rows + "\n")
    fresh = fitdoctor.analyze({"loss": loss, "val_loss": val}, Settings(select=["FD101"]))
    resumed = fitdoctor.analyze(str(path), Settings(select=["FD101"]))
    assert [f.code for f in resumed.findings] == ["FD101"]
    assert resumed.findings[0].evidence["start_climbed"] is False
    assert "first epoch" not in resumed.findings[0].message
    # the same curves numbered from 1 are judged (the climb's own noise test decides)
    assert [f.code for f in fresh.findings] == ["FD101"]


# ------------------------------------------------------- the training curve judged
def test_a_logged_loss_holding_a_term_val_loss_lacks_is_judged_on_its_mirror() -> None:
    """val_loss identical to val_mse while the training loss is not mse: the rules judge
    mse, and the report says so with the numbers (a real training, record_cases.py)."""
    run = fitdoctor.load(DATA / "cases" / "penalty_only_in_training.json")
    from fitdoctor.detectors.base import Context, mirrored_loss_key

    assert mirrored_loss_key(run) == "mse"
    assert Context(run).loss_key == "mse"
    report = engine.analyze(run)
    note = next(n for n in report.notes if "identical to val_mse" in n)
    assert "loss 0.6485" in note and "mse 0.3485" in note
    assert "FD704" not in {f.code for f in report.findings}


@pytest.mark.parametrize(
    ("metrics", "expected"),
    [
        # the training loss is the mse: nothing to change
        ({"loss": [1.0, 0.5, 0.4], "mse": [1.0, 0.5, 0.4],
          "val_loss": [1.1, 0.6, 0.5], "val_mse": [1.1, 0.6, 0.5]}, None),
        # val_loss mirrors no validation metric (a penalty in both, or another metric)
        ({"loss": [1.3, 0.8, 0.7], "mse": [1.0, 0.5, 0.4],
          "val_loss": [1.4, 0.9, 0.8], "val_mse": [1.1, 0.6, 0.5]}, None),
        # identical on one epoch only is no evidence
        ({"loss": [1.3, 0.8], "mse": [1.0, 0.5],
          "val_loss": [1.1, float("nan")], "val_mse": [1.1, 0.6]}, None),
        # mirrored on every finite epoch, a gap (NaN) aside
        ({"loss": [1.3, 0.8, 0.7], "mse": [1.0, 0.5, 0.4],
          "val_loss": [1.1, float("nan"), 0.5], "val_mse": [1.1, 0.6, 0.5]}, "mse"),
        # no training counterpart of the mirrored metric
        ({"loss": [1.3, 0.8, 0.7], "val_loss": [1.1, 0.6, 0.5],
          "val_mse": [1.1, 0.6, 0.5]}, None),
    ],
)
def test_mirrored_loss_key(metrics: dict[str, list[float]], expected: str | None) -> None:
    from fitdoctor.detectors.base import mirrored_loss_key
    from fitdoctor.readers import from_any

    assert mirrored_loss_key(from_any(metrics)) == expected


def test_fd404_judges_a_mirrored_unweighted_metric_against_the_unweighted_prior(
    tmp_path: Path,
) -> None:
    """class_weight weights ``loss`` but not a ``binary_crossentropy`` metric nor the
    validation loss (Keras 3.15, measured: loss 1.20, binary_crossentropy 0.73, val_loss =
    val_binary_crossentropy 0.77), so the rules judge the metric (mirrored_loss_key). It
    is unweighted: the bar is the unweighted prior's loss, not the weighted one's (ln 2
    here, which hid a training crossentropy of 0.6, four times the prior's 0.146)."""
    import json

    lines = (DATA / "runs" / "weighted" / "weighted.json").read_text().splitlines()
    out = []
    for line in lines:
        record = json.loads(line)
        if record.get("kind") == "epoch":
            record["metrics"].update(loss=1.2, binary_crossentropy=0.6, val_loss=0.62,
                                     val_binary_crossentropy=0.62)
        out.append(json.dumps(record))
    path = tmp_path / "weighted_mirrored.json"
    path.write_text("\n".join(out) + "\n")
    report = engine.analyze(fitdoctor.load(path))
    fd404 = [f for f in report.findings if f.code == "FD404"]
    assert fd404, [f.code for f in report.findings]
    assert "0.6" in fd404[0].message and "0.146" in fd404[0].message
    note = next(n for n in report.notes if "identical to val_binary_crossentropy" in n)
    assert "class_weight weights the training loss" in note and "holds a term" not in note


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, math.nan]), min_size=0, max_size=40)
       | st.lists(st.floats(-1e6, 1e6), min_size=0, max_size=40))
def test_trend_z_is_mann_kendall_pair_by_pair(values: list[float]) -> None:
    """Mann-Kendall's z: the order of every pair of finite points, ties counting neither."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    s = sum(int(np.sign(x[j] - x[i])) for i in range(n) for j in range(i + 1, n))
    expected = 0.0 if n < 3 or s == 0 else (
        (s - math.copysign(1.0, s)) / math.sqrt(n * (n - 1) * (2 * n + 5) / 18.0))
    assert curves.trend_z(np.asarray(values, dtype=float)) == pytest.approx(expected, abs=1e-9)


def test_fd101_skips_a_short_run_validated_every_other_epoch() -> None:
    """Under band_epochs FD101 reads every epoch's validation loss (how the run ends): a
    5-epoch run validated every other epoch is skipped, not counted as checked (review16)."""
    report = fitdoctor.analyze({"loss": [0.9, 0.6, 0.45, 0.36, 0.3],
                                "val_loss": [0.8, None, 0.5, None, 0.62]})
    skipped = [s for s in report.skipped if s.code == "FD101"]
    assert skipped and "missing at 2 of 5 epochs" in skipped[0].reason, report.skipped
    assert "validation_freq=1" in skipped[0].hint
    # every epoch validated: judged (and here it fires: two epochs up, +24%)
    full = fitdoctor.analyze({"loss": [0.9, 0.6, 0.45, 0.36, 0.3],
                              "val_loss": [0.8, 0.55, 0.5, 0.56, 0.62]})
    assert not [s for s in full.skipped if s.code == "FD101"]
    assert [f for f in full.findings if f.code == "FD101"]


def test_long_segments_cost_linear_memory() -> None:
    """A 200,000-step history was killed for memory (every pair of a 40,000-step tail):
    Theil–Sen reads at most THEIL_SEN_POINTS points' pairs and trend_z TREND_Z_POINTS
    points, and both keep their answer."""
    import tracemalloc

    rng = np.random.default_rng(0)
    steps = np.arange(50_000)
    line = 0.5 - 1e-5 * steps + rng.normal(0, 1e-3, steps.size)
    tracemalloc.start()
    fit = curves.theil_sen(line)
    z = curves.trend_z(line)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert fit is not None and fit[0] == pytest.approx(-1e-5, rel=0.01)
    assert z < -100  # a steady fall, surely
    assert peak < 200e6, peak


def test_trend_z_reads_order_only() -> None:
    rising = np.array([1.0, 1.1, 5.0, 1.2, 1.3, 9.0, 1.4, 1.5])
    assert curves.trend_z(rising) > 1.5
    assert curves.trend_z(rising[::-1]) == -curves.trend_z(rising)
    assert curves.trend_z(np.array([2.0, 2.0, 2.0, 2.0])) == 0.0
    assert curves.trend_z(np.array([1.0, np.nan])) == 0.0
    # a spike's height does not matter, only where it stands
    taller = rising.copy()
    taller[5] = 900.0
    assert curves.trend_z(taller) == curves.trend_z(rising)


def test_the_verdicts_too_short_limit_is_fd303s_default() -> None:
    # the verdict's "too short to judge" and FD303 read the same limit: a pack that moves
    # FD303's default must move vocabulary.CURVE_MIN_EPOCHS with it
    from fitdoctor.vocabulary import CURVE_MIN_EPOCHS

    rules = {r.code: r for r in Settings().rules()}
    assert rules["FD303"].params["min_epochs"].default == CURVE_MIN_EPOCHS


def test_fd412_evidence_gives_the_end_wiggle_only_where_it_was_measured() -> None:
    # an 8-epoch run's last half is too short to measure again: its evidence said the
    # end swung exactly as much as the whole stretch (the whole's figure, copied)
    swings = [0.5, 0.9, 0.4, 1.1, 0.45, 1.0, 0.42, 1.05]
    short = Run(epochs=list(range(1, 9)), metrics={
        "loss": [1.0, 0.7, 0.55, 0.46, 0.4, 0.36, 0.33, 0.31], "val_loss": swings})
    fd412 = next(f for f in engine.analyze(short).findings if f.code == "FD412")
    assert fd412.evidence.get("end_wiggle_pct") is None
    long = Run(epochs=list(range(1, 33)), metrics={
        "loss": [1 / e**0.3 for e in range(1, 33)], "val_loss": swings * 4})
    fd412 = next(f for f in engine.analyze(long).findings if f.code == "FD412")
    assert fd412.evidence["end_wiggle_pct"] is not None
    assert fd412.evidence["end_wiggle_pct"] != fd412.evidence["wiggle_pct"]
