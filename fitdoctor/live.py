"""Live diagnosis: the curve rules judged as epochs arrive, and when to stop training.

``FitDoctor(live=True)`` and ``FitDoctor(stop_on=[...])`` hand the growing run to a
:class:`LiveDiagnosis` after every epoch. It judges the run **as if training ended
there**: the curve rules (overfitting, underfitting, diverged, unstable, a loss that
does not move) through :func:`fitdoctor.engine.analyze`, on a view of the run whose
status is ``completed`` (a rule that reads "the run stopped early" from a run still
training would be misled). The rule that says a loss is *still falling at the end*
is left to the final report: every run does that while it trains. The model-setup
rules need no curves; the callback runs them once, before the first step. Class
imbalance and the validation set are judged in the final report.

**When a finding fires.** A rule judged on a run that is still training can hold at
one epoch and not at the next: a validation loss that turns up for three epochs and
falls again, a plateau the optimizer leaves, a noisy start. A finding *fires* (is
printed, marked, and may stop training) once it has held on the run so far at as many
consecutive epochs as its rule needs epochs to judge at all (the rule's ``min_epochs``;
:data:`CONFIRM_EPOCHS` for a rule without one), counted per rule and output. Two kinds
fire sooner because no later epoch can withdraw them: a NaN or infinite loss, and a loss
that climbed far above its minimum (:data:`IMMEDIATE_DETECTORS`), fire the epoch they
appear; a one-epoch blow-up is judged against both neighbouring epochs, so it fires
when the next epoch confirms it (:data:`NEXT_EPOCH_DETECTORS`). ``bench/live_replay.py``
replays recorded histories epoch by epoch and compares what fired with the report on
each whole history: a finding that fired but that the whole history does not hold was
printed too early. Of the choices it compares (the rule's ``min_epochs``, or the same
number of epochs for every rule), the rule's own ``min_epochs`` prints the fewest
findings too early, and stops no run for overfitting that the whole history does not
call overfitting; the figures are in ``bench/README.md``.

**When training stops** (``stop_on``): at the epoch a finding of a diagnosis (or rule
code) in ``stop_on`` fires. For an overfitting finding, only once the best epoch
(lowest ``val_loss``, else highest validation accuracy) lies at least ``patience``
epochs back: the user's, else the patience the report would recommend for
``EarlyStopping`` (the longest wait for a new best seen before the best epoch, plus one,
from 2 to 10). A validation loss that is still improving is never stopped.

Nothing here imports keras: a history replayed epoch by epoch gives the same
findings as the callback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fitdoctor import engine
from fitdoctor.report import DIAGNOSES, Finding, Report, Severity
from fitdoctor.rules import Rule, Settings
from fitdoctor.run import Run

__all__ = [
    "CONFIRM_EPOCHS",
    "END_ONLY_DETECTORS",
    "IMMEDIATE_DETECTORS",
    "LIVE_DIAGNOSES",
    "NEXT_EPOCH_DETECTORS",
    "Fired",
    "LiveDiagnosis",
    "LiveStep",
    "Stop",
    "fired_line",
    "stop_line",
]

#: Diagnoses the live rules carry (the curve rules of the engine).
LIVE_DIAGNOSES = engine.CURVE_DIAGNOSES
#: Detectors judged only on the finished run: a loss still falling is what a run does
#: while it trains.
END_ONLY_DETECTORS = frozenset({"still-improving"})
#: Detectors whose findings fire the epoch they first hold: the history keeps the NaN or
#: the climb that made them hold.
IMMEDIATE_DETECTORS = frozenset({"non-finite-loss", "exploding-loss"})
#: Detectors that compare an epoch with the next one too: their findings fire once the
#: next epoch has confirmed them (a blow-up is judged against both neighbours).
NEXT_EPOCH_DETECTORS = frozenset({"loss-spike"})
#: Consecutive epochs a finding must hold before it fires, for a rule without ``min_epochs``.
CONFIRM_EPOCHS = 3
#: Lowest severity printed as a live line (info findings wait for the final report).
PRINT_SEVERITY = Severity.WARNING

_Key = tuple[str, str]  # (code, output or "")


@dataclass(frozen=True)
class Fired:
    """A finding the first time it fired.

    Args:
        finding: The finding, as judged at that epoch.
        epoch: The epoch it fired at (the last epoch of the run then).
        held: Consecutive epochs it had held by then.
    """

    finding: Finding
    epoch: int
    held: int

    @property
    def printed(self) -> bool:
        """Whether it is printed live (warnings and errors; info waits for the report)."""
        return self.finding.severity.rank >= PRINT_SEVERITY.rank


@dataclass(frozen=True)
class Stop:
    """Why training should stop now.

    Args:
        finding: The finding in ``stop_on`` that fired.
        epoch: The epoch training stops after.
        best_epoch: The best epoch then (the weights worth keeping), if known.
        patience: For an overfitting stop, the patience waited past the best epoch.
    """

    finding: Finding
    epoch: int
    best_epoch: int | None = None
    patience: int | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, for ``run.meta["stopped_by"]``."""
        out: dict[str, object] = {
            "code": self.finding.code,
            "name": self.finding.name,
            "diagnosis": self.finding.diagnosis,
            "epoch": self.epoch,
            "message": self.finding.message,
        }
        if self.finding.output is not None:
            out["output"] = self.finding.output
        if self.best_epoch is not None:
            out["best_epoch"] = self.best_epoch
        if self.patience is not None:
            out["patience"] = self.patience
        return out


@dataclass
class LiveStep:
    """What one epoch's live analysis found.

    Args:
        report: The analysis of the run so far (live rules only).
        fired: Findings that fired at this epoch, in the report's order.
        stop: Why training should stop, or ``None``.
    """

    report: Report
    fired: list[Fired] = field(default_factory=list)
    stop: Stop | None = None


class LiveDiagnosis:
    """Judges a growing run epoch by epoch: which findings fire, and when to stop.

    Call :meth:`update` after every epoch with the run so far (the same object, grown
    by one row, or a new one).

    Args:
        settings: Rule selection and configuration. Defaults to `None` (all built-in
            rules, as configured in ``pyproject.toml``/``fitdoctor.toml`` if found).
        stop_on: Diagnoses (``"diverged"``, ``"overfitting"``, ...) or rule codes whose
            findings stop training when they fire. Defaults to none.
        patience: Epochs past the best epoch before an overfitting finding stops
            training. Defaults to `None` (the patience the report recommends).
        confirm: Consecutive epochs a finding must hold before it fires, for every rule
            (NaN and exploding losses still fire at once, a blow-up with the next
            epoch). Defaults to `None` (each rule's ``min_epochs``).
        rules: Pre-loaded rules (the live ones are picked from them). Defaults to `None`.

    Raises:
        ValueError: ``stop_on`` names no live diagnosis nor rule code, or ``patience``
            or ``confirm`` is below 1.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        stop_on: Iterable[str] = (),
        patience: int | None = None,
        confirm: int | None = None,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        if patience is not None and patience < 1:
            raise ValueError(f"patience must be at least 1, got {patience}")
        if confirm is not None and confirm < 1:
            raise ValueError(f"confirm must be at least 1, got {confirm}")
        self.stop_on = check_stop_on(stop_on)
        self.patience = patience
        self.confirm = confirm
        if rules is None:
            rules = (settings or Settings()).rules()
        self.rules = live_rules(rules)
        self._by_code = {r.code: r for r in self.rules}
        #: Findings that fired so far, by (code, output), in firing order.
        self.fired: dict[_Key, Fired] = {}
        #: Why training stopped, once it should.
        self.stopped: Stop | None = None
        self._held: dict[_Key, int] = {}

    def update(self, run: Run) -> LiveStep:
        """Judge the run so far.

        Args:
            run: The run, with every finished epoch.

        Returns:
            The findings that fired at its last epoch and whether to stop.
        """
        if not run.epochs:
            return LiveStep(self.judge(run))
        return self.observe(self.judge(run), run.epochs[-1])

    def judge(self, run: Run) -> Report:
        """The live rules on the run so far, judged as if training ended at its last epoch.

        Args:
            run: The run.

        Returns:
            The report (live rules only).
        """
        return engine.analyze(dataclasses.replace(run, status="completed"), rules=self.rules)

    def observe(self, report: Report, epoch: int) -> LiveStep:
        """Count which findings of ``report`` held, fire or stop training at ``epoch``.

        Args:
            report: :meth:`judge` of the run up to ``epoch``.
            epoch: The run's last epoch.

        Returns:
            The findings that fired and whether to stop.
        """
        step = LiveStep(report)
        present: set[_Key] = set()
        for finding in report.findings:
            key = (finding.code, finding.output or "")
            if key in present or finding.diagnosis == "internal-error":
                continue
            present.add(key)
            held = self._held.get(key, 0) + 1
            self._held[key] = held
            if key not in self.fired and held >= self._needed(finding):
                fired = Fired(finding, epoch, held)
                self.fired[key] = fired
                step.fired.append(fired)
        for key in list(self._held):
            if key not in present:
                del self._held[key]
        if self.stopped is None:
            step.stop = self.stopped = self._stop(report, epoch, present)
        return step

    def _needed(self, finding: Finding) -> int:
        rule = self._by_code.get(finding.code)
        detector = rule.detector.name if rule is not None else ""
        if detector in IMMEDIATE_DETECTORS:
            return 1
        if detector in NEXT_EPOCH_DETECTORS:
            return 2
        if self.confirm is not None:
            return self.confirm
        value = rule.values.get("min_epochs") if rule is not None else None
        return value if isinstance(value, int) and value >= 1 else CONFIRM_EPOCHS

    def _stop(self, report: Report, epoch: int, present: set[_Key]) -> Stop | None:
        if not self.stop_on:
            return None
        best = report.best_epoch
        for finding in report.findings:
            key = (finding.code, finding.output or "")
            if key not in self.fired or key not in present:
                continue
            if finding.code not in self.stop_on and finding.diagnosis not in self.stop_on:
                continue
            if finding.diagnosis != "overfitting":
                return Stop(finding, epoch, best.epoch if best else None)
            if best is None:
                continue
            patience = self.patience or best.patience or 1
            if epoch - best.epoch >= patience:
                return Stop(finding, epoch, best.epoch, patience)
        return None

    def marked(self) -> list[Finding]:
        """The findings that fired and are printed, as last judged when they fired."""
        return [f.finding for f in self.fired.values() if f.printed]


def live_rules(rules: Iterable[Rule]) -> list[Rule]:
    """The rules judged live: the curve rules, but those that only judge a finished run.

    Args:
        rules: The rules in force.

    Returns:
        The live ones, in order.
    """
    return [
        r for r in rules
        if r.diagnosis in LIVE_DIAGNOSES and r.detector.name not in END_ONLY_DETECTORS
        and r.detector.input == "run"
    ]


def check_stop_on(stop_on: Iterable[str]) -> frozenset[str]:
    """Validate ``stop_on``: diagnoses the live rules carry, or rule codes (``FDnnn``).

    Args:
        stop_on: The names.

    Returns:
        They, as a set.

    Raises:
        ValueError: A name is neither (one line naming it and the choices).
    """
    if isinstance(stop_on, str):
        stop_on = [stop_on]
    out: set[str] = set()
    for name in stop_on:
        text = str(name)
        is_code = len(text) == 5 and text.startswith("FD") and text[2:].isdigit()
        if text not in LIVE_DIAGNOSES and not is_code:
            known = ", ".join(d for d in DIAGNOSES if d in LIVE_DIAGNOSES)
            hint = " (judged in the final report only)" if text in DIAGNOSES else ""
            raise ValueError(
                f"stop_on: {text!r} is not a diagnosis judged during training{hint}; "
                f"expected rule codes (FD101) or some of {known}"
            )
        out.add(text)
    return frozenset(out)


def fired_line(fired: Fired, total: int | None = None) -> str:
    """The one line printed when a finding fires.

    Args:
        fired: The finding.
        total: The epochs asked for, if known. Defaults to `None`.

    Returns:
        ``fitdoctor: epoch 12/30: warning FD101 validation-loss-rising (overfitting):
        <message>. Try: <first recommendation>``
    """
    f = fired.finding
    where = f"epoch {fired.epoch}/{total}" if total else f"epoch {fired.epoch}"
    try_ = f" Try: {f.recommendations[0].text}" if f.recommendations else ""
    return (
        f"fitdoctor: {where}: {f.severity.value} {f.code} {f.name} ({f.diagnosis}): "
        f"{f.message.rstrip('.')}.{try_}"
    )


def stop_line(stop: Stop, restored: int | None = None) -> str:
    """The line printed (and noted in the run) when fitdoctor stops training.

    Args:
        stop: Why.
        restored: The epoch whose weights were restored, if any. Defaults to `None`.

    Returns:
        ``fitdoctor stopped training after epoch 14: FD101 validation-loss-rising
        (overfitting) fired, 6 epochs past the best epoch 8 (patience 3); ...``
    """
    f = stop.finding
    text = f"fitdoctor stopped training after epoch {stop.epoch}: {f.code} {f.name} "
    text += f"({f.diagnosis}{', output ' + f.output if f.output else ''}) fired"
    if stop.patience is not None and stop.best_epoch is not None:
        text += (
            f", {stop.epoch - stop.best_epoch} epochs past the best epoch {stop.best_epoch} "
            f"(patience {stop.patience})"
        )
    if restored is not None:
        text += f"; the weights of epoch {restored} (the best) were restored"
    elif stop.best_epoch is not None:
        text += (
            f"; the best epoch was {stop.best_epoch} (FitDoctor(restore_best_weights=True) "
            "restores its weights)"
        )
    return text
