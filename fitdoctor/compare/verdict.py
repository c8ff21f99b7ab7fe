"""A comparison's data and its judgment: what changed, and is AFTER a regression?

AFTER *regresses* when it gains a warning or an error (a new finding, or one that became
more severe), or when its yardstick (:mod:`fitdoctor.compare.yardstick`), measured at
the epoch each run keeps, is worse than BEFORE's by more than the noise
(:mod:`fitdoctor.compare.stats`). A difference inside the noise is "no detectable
change", never a regression. When the validation sets differ (sizes, fingerprints or
class counts), the numbers are not comparable: only the findings are judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from fitdoctor.compare.stats import Kept, Measure
from fitdoctor.compare.yardstick import Yardstick
from fitdoctor.report import Finding, Report, Severity, strict_json

__all__ = [
    "COMPARE_SCHEMA",
    "ClassChange",
    "ClassNumbers",
    "Comparison",
    "FindingChange",
    "Side",
    "num",
]

COMPARE_SCHEMA = "fitdoctor.compare/2"


def num(x: float, digits: int = 3) -> str:
    """A number for a verdict line: ``digits`` significant digits (``0.412``, ``0.07``)."""
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}" if abs(x) >= 1e-4 or x == 0 else f"{x:.2e}"


@dataclass
class Side:
    """The numbers of one run in a comparison.

    Args:
        name: Display name.
        n_epochs: Epochs in the run.
        kept: The epoch the run keeps (its weights at the end), and why.
        best_epoch: fitdoctor's best epoch (lowest ``val_loss``), or ``None``.
        measure: The yardstick at the kept epoch, with its noise.
        val_loss: ``val_loss`` at the kept epoch, or ``None``.
        gap: ``val_loss - loss`` at the kept epoch, or ``None``.
        n_val: Validation samples, recorded or inferred, or ``None``.
        n_val_source: ``"recorded"``, ``"inferred"`` or ``None``.
        class_weight: The ``class_weight`` the run trained with (class → weight), ``None``
            when none was applied or it is unknown.
        weights_known: True when the run file says which weights were applied.
        report: The run's analysis.
    """

    name: str
    n_epochs: int
    kept: Kept
    best_epoch: int | None
    measure: Measure
    val_loss: float | None
    gap: float | None
    n_val: int | None
    n_val_source: str | None
    report: Report
    class_weight: dict[str, float] | None = None
    weights_known: bool = False

    @property
    def value(self) -> float | None:
        """The yardstick's value at the kept epoch."""
        return self.measure.value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers (the report is not included; see :meth:`Comparison.to_dict`)."""
        return {
            "name": self.name,
            "n_epochs": self.n_epochs,
            "kept_epoch": self.kept.epoch,
            "kept_because": self.kept.why,
            "best_epoch": self.best_epoch,
            "value": self.measure.value,
            "value_epoch": self.measure.epoch,
            "half_width": self.measure.half_width,
            "tail_spread": self.measure.spread,
            "samples": self.measure.n,
            "val_loss": self.val_loss,
            "gap": self.gap,
            "n_val": self.n_val,
            "n_val_source": self.n_val_source,
            "class_weight": self.class_weight,
            "verdict": self.report.verdict,
        }


@dataclass
class FindingChange:
    """One rule code and how it changed between the runs.

    Args:
        code: Rule code.
        name: Rule name.
        diagnosis: Diagnosis.
        status: ``"fixed"`` (BEFORE only), ``"new"`` (AFTER only) or ``"stayed"``.
        before: BEFORE's finding, if any.
        after: AFTER's finding, if any.
        unjudged: For a code BEFORE had, why its rule could not run on AFTER (a run too
            short to judge): absent there, not fixed. Defaults to ``""``.
    """

    code: str
    name: str
    diagnosis: str
    status: str
    before: Finding | None = None
    after: Finding | None = None
    unjudged: str = ""

    @property
    def escalated(self) -> bool:
        """True when the code stayed and AFTER's severity is higher."""
        return (
            self.before is not None
            and self.after is not None
            and self.after.severity.rank > self.before.severity.rank
        )

    @property
    def severity(self) -> Severity:
        """AFTER's severity when present, else BEFORE's."""
        finding = self.after if self.after is not None else self.before
        assert finding is not None
        return finding.severity

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "name": self.name,
            "diagnosis": self.diagnosis,
            "status": self.status,
            "before_severity": self.before.severity.value if self.before else None,
            "after_severity": self.after.severity.value if self.after else None,
            "before_message": self.before.message if self.before else None,
            "after_message": self.after.message if self.after else None,
            "not_judged_on_after": self.unjudged or None,
        }


@dataclass(frozen=True)
class ClassNumbers:
    """One class's validation metrics at the epoch a run keeps.

    Args:
        recall: Recall.
        precision: Precision.
        f1: F1.
        pr_auc: PR-AUC (average precision), when recorded.
        support: Validation samples of the class.
        epoch: The epoch of the per-class record (the kept one, or the closest earlier).
    """

    recall: float | None
    precision: float | None
    f1: float | None
    pr_auc: float | None
    support: int | None
    epoch: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"recall": self.recall, "precision": self.precision, "f1": self.f1,
                "pr_auc": self.pr_auc, "support": self.support, "epoch": self.epoch}


@dataclass
class ClassChange:
    """One class's validation metrics, BEFORE and AFTER, at the epochs the runs keep.

    Args:
        label: Class label.
        before: BEFORE's numbers, or ``None`` when the class is absent there.
        after: AFTER's numbers, or ``None``.
    """

    label: str
    before: ClassNumbers | None
    after: ClassNumbers | None

    def pair(self, key: str) -> tuple[float | None, float | None]:
        """``(before, after)`` of ``key`` (``recall``, ``precision``, ``f1``, ``pr_auc``)."""
        b = getattr(self.before, key) if self.before is not None else None
        a = getattr(self.after, key) if self.after is not None else None
        return b, a

    @property
    def delta(self) -> float | None:
        """Recall ``after - before``, when both are known."""
        b, a = self.pair("recall")
        return None if b is None or a is None else a - b

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "label": self.label,
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
            "recall_delta": self.delta,
        }


@dataclass
class Comparison:
    """What changed from BEFORE to AFTER.

    Args:
        before: BEFORE's numbers.
        after: AFTER's numbers.
        yardstick: What the runs are judged on, and why.
        threshold: How large a difference of the yardstick must be to be more than noise.
        noise: How the threshold was measured, in words.
        common_epochs: Epochs both runs have (aligned by epoch number).
        comparable: False when the validation sets differ: no numeric judgment then.
        not_comparable: Why the numbers are not comparable (empty when they are).
        changes: Findings by code: fixed, new and stayed, in that order.
        per_class: Per-class changes, when both runs recorded per-class metrics.
        minority: The minority class's change (imbalanced tasks), else ``None``.
        notes: Remarks on how to read the numbers.
        bar: The lowest severity of a gained finding that makes AFTER a regression
            (``compare --fail-on``'s; a warning by default, as ``--fail-on-regression``).
    """

    before: Side
    after: Side
    yardstick: Yardstick
    threshold: float
    noise: str
    common_epochs: list[int]
    comparable: bool = True
    not_comparable: str = ""
    changes: list[FindingChange] = field(default_factory=list)
    per_class: list[ClassChange] = field(default_factory=list)
    minority: ClassChange | None = None
    notes: list[str] = field(default_factory=list)
    bar: Severity = Severity.WARNING

    # -------------------------------------------------------------- judging
    @property
    def monitor(self) -> str:
        """The yardstick's display name."""
        return self.yardstick.name

    @property
    def mode(self) -> str:
        """``"min"`` or ``"max"``: which way the yardstick improves."""
        return self.yardstick.mode

    @property
    def delta(self) -> float | None:
        """``after - before`` of the yardstick at the kept epochs, or ``None``."""
        b, a = self.before.value, self.after.value
        if b is None or a is None or not (math.isfinite(a) and math.isfinite(b)):
            return None
        return a - b

    def _worse_by(self) -> float | None:
        delta = self.delta
        if delta is None or not self.comparable:
            return None
        return delta if self.mode == "min" else -delta

    @property
    def worse_beyond_noise(self) -> bool:
        """AFTER is worse on the yardstick by more than the noise (comparable runs only)."""
        worse = self._worse_by()
        return worse is not None and worse > self.threshold

    @property
    def better_beyond_noise(self) -> bool:
        """AFTER is better on the yardstick by more than the noise (comparable runs only)."""
        worse = self._worse_by()
        return worse is not None and -worse > self.threshold

    @property
    def change(self) -> str:
        """``better``, ``worse``, ``no detectable change``, ``not comparable`` or ``unknown``."""
        if not self.comparable:
            return "not comparable"
        if self.delta is None:
            return "unknown"
        if self.worse_beyond_noise:
            return "worse"
        if self.better_beyond_noise:
            return "better"
        return "no detectable change"

    @property
    def fixed(self) -> list[FindingChange]:
        """Codes BEFORE had and AFTER does not."""
        return [c for c in self.changes if c.status == "fixed"]

    @property
    def fixed_problems(self) -> list[FindingChange]:
        """Fixed warnings and errors whose diagnosis AFTER no longer shows as severe.

        A code BEFORE had and AFTER does not, while AFTER reads the same diagnosis at that
        severity through another rule (:attr:`still_shown`), fixed nothing; nor did one
        whose rule could not run on AFTER (a run too short to judge): it was never judged.
        A warning or an error that stayed only as an info, its diagnosis nowhere in AFTER
        above info, was fixed too: FD101 is an info once EarlyStopping restored the best
        weights, the first advice it gives (the mirror of a warning that became an error
        counting as gained).
        """
        unjudged = {s.code for s in self.after.report.skipped}
        after = self._diagnosis_ranks("after")
        return [c for c in self.changes
                if c.before is not None and c.before.severity.rank >= Severity.WARNING.rank
                and ((c.status == "fixed" and c.code not in unjudged
                      and after.get(c.diagnosis, -1) < c.before.severity.rank)
                     or (c.status == "stayed"
                         and after.get(c.diagnosis, -1) < Severity.WARNING.rank))]

    @property
    def still_shown(self) -> list[FindingChange]:
        """Fixed warnings and errors whose diagnosis another of AFTER's findings still shows."""
        after = self._diagnosis_ranks("after")
        return [c for c in self.fixed
                if c.before is not None and c.before.severity.rank >= Severity.WARNING.rank
                and after.get(c.diagnosis, -1) >= c.before.severity.rank]

    def _diagnosis_ranks(self, side: str) -> dict[str, int]:
        """Diagnosis -> its findings' highest severity (rank) in one run.

        Args:
            side: ``"before"`` or ``"after"``.
        """
        ranks: dict[str, int] = {}
        for c in self.changes:
            finding = c.before if side == "before" else c.after
            if finding is not None:
                ranks[c.diagnosis] = max(ranks.get(c.diagnosis, -1), finding.severity.rank)
        return ranks

    @property
    def new(self) -> list[FindingChange]:
        """Codes AFTER has and BEFORE did not."""
        return [c for c in self.changes if c.status == "new"]

    @property
    def stayed(self) -> list[FindingChange]:
        """Codes both runs have."""
        return [c for c in self.changes if c.status == "stayed"]

    @property
    def same_validation(self) -> bool:
        """Both runs were validated on the same number of samples, and nothing says otherwise."""
        return self.comparable and self.before.n_val is not None and (
            self.before.n_val == self.after.n_val
        )

    @property
    def setup_escalated(self) -> list[FindingChange]:
        """Validation-setup findings of both runs that became more severe on the same data.

        They judge the validation data the two runs share (FD702: too few samples to tell
        the best epoch from the last), not the change: not a regression.
        """
        return [
            c for c in self.changes
            if c.escalated and c.diagnosis == "validation-setup" and self.same_validation
        ]

    @property
    def gained(self) -> list[FindingChange]:
        """New warnings/errors in AFTER, and codes that stayed but became more severe."""
        return self.gained_at(Severity.WARNING)

    @property
    def shown_gained(self) -> list[FindingChange]:
        """The gained findings to show: warnings and errors, and infos too at an info bar."""
        return self.gained_at(min(self.bar, Severity.WARNING, key=lambda s: s.rank))

    def gained_at(self, severity: Severity) -> list[FindingChange]:
        """AFTER's findings at or above ``severity`` that BEFORE did not have so severe.

        A code new in AFTER, or one that stayed and became more severe (a warning that
        became an error counts at ``warning`` too: the change made it worse); a
        validation-setup finding grown more severe on the same validation data judges
        the data, not the change, and does not count (:attr:`setup_escalated`). Nor does a
        new code whose diagnosis BEFORE already had at that severity or above: the same
        problem read by another rule (underfitting told as a network giving every row one
        class instead of a plateau) is not a problem the change brought.

        Args:
            severity: The lowest severity that counts.

        Returns:
            The changes, in the comparison's order.
        """
        shared = self.setup_escalated
        had = self._diagnosis_ranks("before")
        return [
            c
            for c in self.changes
            if c.after is not None
            and c.severity.rank >= severity.rank
            and ((c.status == "new" and had.get(c.diagnosis, -1) < c.severity.rank)
                 or (c.escalated and c not in shared))
        ]

    def fails(self, severity: Severity) -> bool:
        """The CI gate of ``fitdoctor compare --fail-on SEVERITY``.

        True when AFTER gains a finding at or above ``severity`` (:meth:`gained_at`) or
        is worse on the yardstick beyond noise, whatever ``severity``: a worse model is
        the change's own failure, which no rule's severity grades. At :attr:`bar` this is
        :attr:`regression` (``--fail-on-regression``: at ``warning``).

        Args:
            severity: The lowest severity of a gained finding that fails.

        Returns:
            Whether to exit 1.
        """
        return bool(self.gained_at(severity)) or self.worse_beyond_noise

    @property
    def regression_reasons(self) -> list[str]:
        """Why AFTER is a regression at :attr:`bar` (empty when it is not)."""
        reasons = [
            f"gains {c.code} {c.diagnosis} ({c.severity.value})"
            if c.status == "new"
            else f"{c.code} {c.diagnosis} became {c.severity.value}"
            for c in self.gained_at(self.bar)
        ]
        if self.worse_beyond_noise:
            assert self.before.value is not None and self.after.value is not None
            reasons.append(
                f"{self.monitor} {num(self.before.value)} → {num(self.after.value)} at the "
                f"kept epochs, worse by more than the noise (±{num(self.threshold, 2)})"
            )
        return reasons

    @property
    def regression(self) -> bool:
        """Whether AFTER regresses: :meth:`fails` at :attr:`bar`.

        It gains a finding at the bar or above (a warning or an error by default), or is
        worse on the yardstick beyond noise.
        """
        return self.fails(self.bar)

    @property
    def assessment(self) -> str:
        """The yardstick's change in words, with the noise: ``no detectable change (±0.17)``."""
        change = self.change
        if change == "not comparable":
            return "not comparable: the validation sets differ"
        if change == "unknown":
            return "not measured in both runs"
        noise = f"±{num(self.threshold, 2)}"
        if change == "no detectable change":
            return f"no detectable change ({noise})"
        return f"{change} beyond noise ({noise})"

    @property
    def trade_off(self) -> str:
        """The minority class's recall and precision change: ``recall of class '1' 0.27 → ...``."""
        m = self.minority
        if m is None:
            return ""
        parts = []
        for key in ("recall", "precision", "f1"):
            b, a = m.pair(key)
            if b is not None and a is not None:
                parts.append(f"{'F1' if key == 'f1' else key} {num(b, 2)} → {num(a, 2)}")
        if not parts:
            return ""
        return f"class {m.label!r}: " + ", ".join(parts)

    @property
    def numbers(self) -> str:
        """The headline numbers: the yardstick, the minority trade-off, the gap."""
        b, a = self.before, self.after
        parts = []
        if b.value is not None and a.value is not None:
            parts.append(f"{self.monitor} {num(b.value)} → {num(a.value)}, {self.assessment}")
        trade = self.trade_off
        if trade and not (self.yardstick.per_class and self.yardstick.key == "recall"):
            parts.append(trade)
        if b.gap is not None and a.gap is not None and self.yardstick.task != "imbalanced":
            parts.append(f"gap {num(b.gap, 2)} → {num(a.gap, 2)}")
        return "; ".join(parts)

    @property
    def verdict(self) -> str:
        """One line: did AFTER help, with the numbers."""
        def names(changes: list[FindingChange]) -> str:
            return ", ".join(f"{c.code} {c.diagnosis}" for c in changes)

        fixed = self.fixed_problems
        numbers = self.numbers
        tail = f": {numbers}" if numbers else ""
        # a run that did not finish (a killed training's run file) is judged as far as
        # it got: the one line a CI log shows says so
        for side, what in ((self.before, "BEFORE"), (self.after, "AFTER")):
            if side.report.unfinished:
                tail += f"; {what} {side.report.unfinished}"
        moved = self.still_shown
        if moved:
            # the same diagnosis read by another rule: not a fix, not a regression
            diagnoses = list(dict.fromkeys(c.diagnosis for c in moved))
            shown = ", ".join(f"{d} (" + ", ".join(c.code for c in self.changes
                                                  if c.after is not None and c.diagnosis == d)
                              + ")" for d in diagnoses)
            tail = f"; still {shown}" + tail
        if self.regression:
            problems = []
            failing = self.gained_at(self.bar)
            if failing:
                problems.append(f"adds {names(failing)}")
            if self.worse_beyond_noise:
                problems.append(f"is worse on {self.monitor} beyond noise")
            joined = " and ".join(problems)
            if fixed:
                return f"AFTER fixes {names(fixed)} but {joined}{tail}"
            return f"AFTER regresses: {joined}{tail}"
        # warnings gained under an error bar: said, though they do not fail the gate
        below = f"adds {names(self.gained)}, under the {self.bar.value} bar" if self.gained else ""
        if fixed:
            return f"AFTER fixes {names(fixed)}" + (f"; {below}" if below else "") + tail
        if below:
            return f"AFTER {below}{tail}"
        if self.better_beyond_noise:
            return f"AFTER improves {self.monitor} beyond noise{tail}"
        if self.change == "unknown":
            return f"{self.monitor} is not measured in both runs: only the findings are compared"
        # the numbers say "no detectable change" (or "not comparable") themselves: the
        # lead says what happened to the findings, not the same words twice
        return f"AFTER neither fixes nor adds a problem{tail}"

    # -------------------------------------------------------------- output
    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``"schema": "fitdoctor.compare/2"``)."""
        return {
            "schema": COMPARE_SCHEMA,
            "verdict": self.verdict,
            "regression": self.regression,
            "regression_reasons": self.regression_reasons,
            "yardstick": self.yardstick.to_dict(),
            "change": self.change,
            "delta": strict_json(self.delta),
            "threshold": strict_json(self.threshold),
            "noise": self.noise,
            "comparable": self.comparable,
            "not_comparable": self.not_comparable or None,
            "common_epochs": [self.common_epochs[0], self.common_epochs[-1]]
            if self.common_epochs
            else None,
            "before": strict_json(self.before.to_dict()),
            "after": strict_json(self.after.to_dict()),
            "findings": {
                status: [c.to_dict() for c in self.changes if c.status == status]
                for status in ("fixed", "new", "stayed")
            },
            "minority": strict_json(self.minority.to_dict()) if self.minority else None,
            "per_class": [strict_json(c.to_dict()) for c in self.per_class],
            "notes": self.notes,
        }
