"""FD412 (validation-oscillation), FD707's chance test and FD103 on edge-case input.

Generated histories (NaN and infinite values, negative and zero losses, constant and
6-epoch curves, huge values, validation accuracies in k/n steps, empty or all-NaN) go
through ``fitdoctor.analyze``: no rule may crash into an internal finding (FD000), and
FD412's message must carry only finite numbers. Hand-made cases pin what the message
says when its level is floored and when validation ran every other epoch.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fitdoctor
from fitdoctor.detectors.validation_setup import missing_by_chance
from fitdoctor.report import INTERNAL_ERROR_CODE

# Values past the float range overflow in numpy on purpose here; through the CLI those
# warnings become a report note (tests/fuzz: test_numeric_warnings_become_a_note_not_stderr).
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

_SPECIAL = [0.0, -0.0, -1.0, 1e300, -1e300, 1e-300, math.nan, math.inf, -math.inf, 5.0]
_VALUES = st.one_of(
    st.sampled_from(_SPECIAL),
    st.floats(min_value=-5.0, max_value=5.0),
    st.floats(allow_nan=True, allow_infinity=True),
)


@st.composite
def histories(draw: st.DrawFn) -> dict[str, list[float]]:
    n = draw(st.integers(1, 14))
    h: dict[str, list[float]] = {"loss": draw(st.lists(_VALUES, min_size=n, max_size=n))}
    shape = draw(st.sampled_from(["any", "zeros", "constant", "every_second", "positive"]))
    if shape == "zeros":
        h["val_loss"] = [0.0] * n
    elif shape == "constant":
        h["val_loss"] = [draw(_VALUES)] * n
    elif shape == "every_second":  # validation_freq=2: Keras' shorter val_* lists
        h["val_loss"] = draw(st.lists(_VALUES, min_size=n // 2, max_size=n // 2))
    elif shape == "positive":
        h["val_loss"] = draw(st.lists(st.floats(1e-6, 3.0), min_size=n, max_size=n))
    else:
        h["val_loss"] = draw(st.lists(_VALUES, min_size=n, max_size=n))
    m = len(h["val_loss"])
    accuracy = draw(st.sampled_from(["none", "steps", "any", "nan", "empty"]))
    if accuracy == "steps":
        k = draw(st.integers(1, 60))
        h["val_accuracy"] = [draw(st.integers(0, k)) / k for _ in range(m)]
    elif accuracy == "any":
        h["val_accuracy"] = draw(st.lists(_VALUES, min_size=m, max_size=m))
    elif accuracy == "nan":
        h["val_accuracy"] = [math.nan] * m
    elif accuracy == "empty":
        h["val_accuracy"] = []
    return h


def _fd412(report: Any) -> Any:
    found = [f for f in report.findings if f.code == "FD412"]
    return found[0] if found else None


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(histories())
def test_no_internal_error_and_only_finite_numbers_in_fd412(h: dict[str, list[float]]) -> None:
    try:
        report = fitdoctor.analyze(h)
    except fitdoctor.InputError:
        return  # unreadable input is refused in one line: the CLI's contract, tested elsewhere
    internal = [f.message for f in report.findings if f.code == INTERNAL_ERROR_CODE]
    assert not internal, internal
    finding = _fd412(report)
    if finding is not None:
        assert not re.search(r"\b(nan|inf)\b", finding.message.lower()), finding.message
        for key in ("wiggle_pct", "level", "bar_pct", "noise_pct", "worst_jump"):
            assert math.isfinite(finding.evidence[key]), (key, finding.evidence)


SWINGS = [0.5, 0.9, 0.4, 1.1, 0.45, 1.0, 0.42, 1.05]
DESCENT = [1.0, 0.7, 0.55, 0.46, 0.4, 0.36, 0.33, 0.31]


@pytest.mark.parametrize(
    "val_loss",
    [
        pytest.param([0.0] * 8, id="zeros"),
        pytest.param([0.7] * 8, id="all_equal"),
        pytest.param([-0.1, -0.5, -0.2, -0.7, -0.3, -0.8, -0.2, -0.75], id="negative_cosine_loss"),
        pytest.param([2.0, 1.0, -1.0, -3.5, -1.0, -3.6, -1.1, -3.4], id="crossing_zero"),
        # a late level below zero once floored at a tenth of a 1e-300 start: 1e+303%
        pytest.param([1e-300, 0.33, 1e-308, 0.001, 5.0, -1e-301, -1e-141, 5e15, 5.0, -2e-311],
                     id="negative_late_level_over_a_tiny_start"),
        pytest.param([1.0, 0.9, 1.7e308, 0.8, 1.7e308, 0.8, 1.7e308, 0.8],
                     id="swings_past_the_float_range"),
    ],
)
def test_no_level_to_judge_by_stays_silent(val_loss: list[float]) -> None:
    """No level to measure swings against, or swings no float can hold.

    A late level at or below zero (a cosine-similarity loss, a loss crossing zero), or
    swings whose sum overflows: not a ratio to print (a blow-up is FD403's).
    """
    loss = (DESCENT + DESCENT)[: len(val_loss)]
    assert _fd412(fitdoctor.analyze({"loss": loss, "val_loss": val_loss})) is None


def test_the_same_swings_fire_on_positive_losses() -> None:
    """The counterpart of the silent cases above: the rule is not simply off."""
    assert _fd412(fitdoctor.analyze({"loss": DESCENT, "val_loss": SWINGS})) is not None


def test_validation_every_second_epoch_is_counted_per_validation() -> None:
    """validation_freq=2: the swings are between validations, two epochs apart."""
    loss = [1 / (1 + 0.2 * i) for i in range(16)]
    finding = _fd412(fitdoctor.analyze({"loss": loss, "val_loss": SWINGS}))
    assert finding is not None
    assert "per validation (one every 2 epochs)" in finding.message
    assert "up in 4 of 7 validations" in finding.message
    assert finding.evidence["from_epoch"] == 2 and finding.evidence["worst_epoch"] == 8


def test_a_floored_level_is_named_as_such() -> None:
    """A late level near zero is replaced by a tenth of the start: the message says so."""
    h = {"loss": [2.3, 0.5, 0.1, 0.05, 0.02, 0.01, 0.008, 0.005, 0.004, 0.003],
         "val_loss": [2.3, 0.4, 0.1, 0.02, 0.05, 0.004, 0.06, 0.003, 0.07, 0.002]}
    finding = _fd412(fitdoctor.analyze(h))
    assert finding is not None
    assert "26.7% of 0.23 (10.0% of where it started, 2.3: its late level 0.004" in (
        finding.message)
    unfloored = _fd412(fitdoctor.analyze({"loss": DESCENT, "val_loss": SWINGS}))
    assert unfloored is not None and "of its late level 0.725 per epoch" in unfloored.message


@pytest.mark.parametrize(
    ("share", "n_val", "n_classes", "n_missing", "expected"),
    [
        (0.2, 80, 10, 2, pytest.approx(45 * 0.8**80)),  # a class-sorted split: tiny
        (0.3, 12, 10, 3, 1.0),  # 12 shuffled rows of 10 digits: capped at 1
        (1.0, 5, 3, 3, 0.0),  # nothing left to draw from
        (0.5, 0, 10, 5, 1.0),  # no validation rows
        (0.99, 1000, 100000, 99000, 1.0),  # extreme classification: exp() would overflow
    ],
)
def test_missing_by_chance(
    share: float, n_val: int, n_classes: int, n_missing: int, expected: Any
) -> None:
    assert missing_by_chance(share, n_val, n_classes, n_missing) == expected


def test_fd103_subnormal_training_loss_under_noise_is_no_crash(tmp_path: Path) -> None:
    """FD103 reads the lowest recent training loss under GaussianNoise: a subnormal one.

    1/5e-324 of the prior's loss is infinite: the reading is a broken output (like an
    exact 0), not a fit to print as "1/inf of it". The recorded run fires as recorded.
    """
    case = Path(__file__).parent / "data" / "cases" / "memorised_under_noise.run.json"
    rows = [json.loads(line) for line in case.read_text().splitlines() if line.strip()]
    config = {"max_train_loss_share": 0.005}
    settings = fitdoctor.Settings(select=["FD103"], rule_options={"FD103": config})
    codes = [f.code for f in fitdoctor.analyze(case, settings).findings]
    assert "FD103" in codes
    epochs = [r for r in rows if r.get("kind") == "epoch"]
    epochs[-2]["metrics"]["loss"] = 5e-324
    spoiled = tmp_path / "subnormal.run.json"
    spoiled.write_text("\n".join(json.dumps(r) for r in rows))
    codes = [f.code for f in fitdoctor.analyze(spoiled, settings).findings]
    assert INTERNAL_ERROR_CODE not in codes and "FD103" not in codes
