"""Live diagnosis without keras: a growing run judged epoch by epoch (``fitdoctor.live``)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from fitdoctor import live
from fitdoctor.live import LiveDiagnosis
from fitdoctor.rules import Settings
from fitdoctor.run import Run


def grow(loss: list[float], val: list[float] | None = None) -> list[Run]:
    """The run after each of its epochs, as the callback holds it while training."""
    n = len(loss)
    full = Run(epochs=list(range(1, n + 1)),
               metrics={"loss": list(loss), **({"val_loss": list(val)} if val else {})},
               status="running")
    return [replace(full, epochs=full.epochs[:k],
                    metrics={key: v[:k] for key, v in full.metrics.items()})
            for k in range(1, n + 1)]


def fired_at(diag: LiveDiagnosis, runs: list[Run]) -> dict[str, int]:
    out: dict[str, int] = {}
    for run in runs:
        for fired in diag.update(run).fired:
            out[fired.finding.code] = fired.epoch
    return out


def min_epochs(code: str) -> int:
    (rule,) = [r for r in Settings().rules() if r.code == code]
    value = rule.values["min_epochs"]
    assert isinstance(value, int)
    return value


# A training loss falling steadily and a validation loss that turns up at epoch 6 and
# keeps climbing: overfitting, held from the epoch the rule first sees it on.
TRAIN = [1.0 * 0.8 ** i for i in range(24)]
RISING = [1.0, 0.8, 0.65, 0.55, 0.5, 0.49, 0.52, 0.56, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
          0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.35]


def first_held(code: str, runs: list[Run]) -> int:
    """The first epoch the rule holds on the run so far (what confirm=1 would print)."""
    diag = LiveDiagnosis(confirm=1)
    return fired_at(diag, runs)[code]


def test_a_finding_fires_once_it_held_for_its_rules_min_epochs() -> None:
    runs = grow(TRAIN, RISING)
    held = first_held("FD101", runs)
    diag = LiveDiagnosis()
    fired = fired_at(diag, runs)
    assert fired["FD101"] == held + min_epochs("FD101") - 1
    (first,) = [f for f in diag.fired.values() if f.finding.code == "FD101"]
    assert first.held == min_epochs("FD101") and first.printed
    # it fires once: later epochs never fire it again
    assert [f.finding.code for f in diag.fired.values()].count("FD101") == 1


def test_a_rise_that_falls_back_is_never_printed() -> None:
    # the validation loss turns up for a few epochs, then falls below its old minimum
    val = [1.0, 0.8, 0.65, 0.55, 0.5, 0.49, 0.55, 0.6, 0.64, 0.66, 0.6, 0.5, 0.45, 0.42,
           0.4, 0.39, 0.38, 0.37]
    runs = grow(TRAIN[: len(val)], val)
    assert "FD101" in fired_at(LiveDiagnosis(confirm=1), runs)  # it held for a while...
    diag = LiveDiagnosis()
    assert "FD101" not in fired_at(diag, runs)  # ...but never long enough to fire


def test_nan_fires_the_epoch_it_appears() -> None:
    loss = [1.0, 0.8, 0.7, 0.65, math.nan, math.nan]
    diag = LiveDiagnosis()
    assert fired_at(diag, grow(loss))["FD401"] == 5


def test_stop_on_diverged_stops_the_epoch_it_fires() -> None:
    loss = [1.0, 0.8, 0.7, 0.65, math.nan, math.nan]
    diag = LiveDiagnosis(stop_on=["diverged"])
    stops = [(run.epochs[-1], diag.update(run).stop) for run in grow(loss)]
    (stop,) = [(e, s) for e, s in stops if s is not None]
    assert stop[0] == 5 and stop[1].finding.code == "FD401"
    assert diag.stopped is stop[1]
    assert stop[1].to_dict()["diagnosis"] == "diverged"


def test_stop_on_overfitting_waits_for_the_patience_past_the_best_epoch() -> None:
    runs = grow(TRAIN, RISING)
    fired = fired_at(LiveDiagnosis(), runs)["FD101"]
    best = RISING.index(min(RISING)) + 1
    for patience in (2, fired - best + 3):
        diag = LiveDiagnosis(stop_on=["overfitting"], patience=patience)
        stop = next(s for run in runs if (s := diag.update(run).stop) is not None)
        assert stop.best_epoch == best and stop.patience == patience
        assert stop.epoch == max(fired, best + patience)


def test_a_still_improving_validation_loss_is_never_stopped() -> None:
    # a wide, steady train/validation gap (FD102 holds) while val_loss keeps improving
    loss = [0.5 * 0.7 ** i for i in range(20)]
    val = [2.0 - 0.01 * i for i in range(20)]
    acc = [0.8 + 0.01 * i for i in range(20)]
    runs = grow(loss, val)
    runs = [replace(r, metrics={**r.metrics, "accuracy": acc[: r.n_epochs],
                                "val_accuracy": [a - 0.3 for a in acc[: r.n_epochs]]})
            for r in runs]
    diag = LiveDiagnosis(stop_on=["overfitting"], patience=1)
    assert all(diag.update(run).stop is None for run in runs)
    assert any(f.finding.code == "FD102" for f in diag.fired.values())


def test_still_falling_is_left_to_the_final_report() -> None:
    codes = {r.code for r in live.live_rules(Settings().rules())}
    assert "FD301" not in codes and {"FD101", "FD401", "FD201"} <= codes
    assert not any(r.diagnosis == "model-setup" for r in live.live_rules(Settings().rules()))


@pytest.mark.parametrize(("stop_on", "match"), [
    (["overfiting"], "'overfiting' is not a diagnosis judged during training"),
    (["class-imbalance"], "judged in the final report only"),
])
def test_stop_on_names_are_checked(stop_on: list[str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        LiveDiagnosis(stop_on=stop_on)


def test_stop_on_accepts_rule_codes_and_a_single_name() -> None:
    assert live.check_stop_on("diverged") == {"diverged"}
    assert live.check_stop_on(["FD101", "unstable"]) == {"FD101", "unstable"}


def test_the_fired_line_is_one_line_with_its_epoch_and_first_fix() -> None:
    diag = LiveDiagnosis()
    fired = [f for run in grow(TRAIN, RISING) for f in diag.update(run).fired]
    line = live.fired_line(fired[0], total=24)
    assert "\n" not in line
    assert line.startswith(f"fitdoctor: epoch {fired[0].epoch}/24: warning FD101 "
                           "validation-loss-rising (overfitting): val_loss rose ")
    assert " Try: Stop at epoch 6: EarlyStopping(" in line
