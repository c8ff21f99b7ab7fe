"""Report data: severities, findings, recommendations. Data only, no rendering.

Views of a report are functions in their own modules, which :class:`Report`'s
``__str__``, ``plot``, ``_repr_html_`` and ``to_frame`` import when called:
:mod:`fitdoctor.reporters`, :mod:`fitdoctor.plot` and :mod:`fitdoctor.frames`.

The JSON form (``"schema": "fitdoctor.report/1"``) is a stable interface; see
:meth:`Report.to_dict`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from fitdoctor.errors import NOT_APPLICABLE
from fitdoctor.vocabulary import CURVE_MIN_EPOCHS, FOREIGN_FRAMEWORKS

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd
    from matplotlib.figure import Figure

    from fitdoctor.run import Run

REPORT_SCHEMA = "fitdoctor.report/1"

#: The code of the finding the engine reports when a detector crashes (``internal-error``):
#: no rule's, so that ``--ignore`` and ``--select`` never hide a bug report.
INTERNAL_ERROR_CODE = "FD000"

#: Diagnoses a finding can carry, plus ``internal-error`` for detector crashes.
DIAGNOSES = (
    "overfitting",
    "underfitting",
    "not-converged",
    "diverged",
    "unstable",
    "class-imbalance",
    "model-setup",
    "validation-setup",
    "internal-error",
)

#: Actions a recommendation can carry. New ones may be added; none renamed (they are part
#: of the report contract).
ACTIONS = (
    "more-data",
    "data-augmentation",
    "fewer-features",
    "more-features",
    "raise-regularization",
    "lower-regularization",
    "add-dropout",
    "fewer-units",
    "more-units",
    "fewer-layers",
    "more-layers",
    "early-stopping",
    "train-longer",
    "lower-learning-rate",
    "raise-learning-rate",
    "change-optimizer",
    "larger-batch",
    "class-weights",
    "resample",
    "precision-recall-metrics",
    "tune-threshold",
    "holdout-split",
    "k-fold",
    "iterated-k-fold",
    "fix-hidden-activation",
    "fix-output-activation",
    "fix-loss",
    "batch-size-power-of-two",
    "normalize-inputs",
    "normalize-targets",
    "check-data-leakage",
    "clip-gradients",
    "check-inputs",
    "shuffle-before-split",
    "check-validation-data",
    "report-bug",
)


def strict_json(value: Any) -> Any:
    """``value`` with strict-JSON values only: non-finite floats become ``None``.

    Mappings get string keys; tuples become lists; objects with ``tolist()`` (numpy
    scalars and arrays) are converted first; anything else unknown becomes its ``str``.
    Evidence, report and comparison JSON all pass through this one function.

    Args:
        value: A JSON-like value.

    Returns:
        A value ``json.dumps(..., allow_nan=False)`` accepts.
    """
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return strict_json(tolist())
    return str(value)


class Severity(str, Enum):  # noqa: UP042 - StrEnum would change str() of a member
    """How serious a finding is. Ordered: ``info < warning < error``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for error."""
        return _RANK[self.value]

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Parse a severity name; raise ``ValueError`` naming the choices."""
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(
                f"unknown severity {value!r}; expected one of error, warning, info"
            ) from None


_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass
class Recommendation:
    """One next change to try.

    Args:
        action: An action from :data:`ACTIONS`.
        text: The concrete change, quantified where the run says enough.
    """

    action: str
    text: str


@dataclass(frozen=True)
class FoldAgreement:
    """In how many folds of a cross-validation the rule of a finding fired.

    A finding of a cross-validation is judged on the fold-mean run; the same rule is
    also run on every fold, and this counts the folds where it fired too.

    Args:
        fired: Folds (trained models) where the rule fired.
        of: Folds (trained models) in all.
    """

    fired: int
    of: int

    def to_dict(self) -> dict[str, int]:
        """JSON-ready form: ``{"fired": 4, "of": 5}``."""
        return {"fired": self.fired, "of": self.of}


@dataclass
class Finding:
    """One thing a rule found in a run.

    Args:
        code: Rule code, e.g. ``"FD101"``.
        name: Rule name (the symptom, kebab-case).
        diagnosis: A diagnosis from :data:`DIAGNOSES`.
        severity: Severity after configuration.
        message: One line stating the problem with its numbers.
        epoch: Epoch (1-based) where the problem starts, or ``None``.
        evidence: The measurements behind the message.
        recommendations: Ranked next changes.
        verdict: The rule's phrase for the report's verdict line (e.g. "too short to
            judge"), or ``""`` to use the diagnosis. Not part of the JSON finding.
        output: For a multi-output model, the output whose curves fired the rule
            (``"out1"`` for ``out1_loss``/``val_out1_loss``); ``None`` for the total loss.
            In the JSON only when set.
        folds: For a cross-validation, in how many folds the rule fired too; ``None``
            for a single run (and for rules that judge the cross-validation as a whole).
            In the JSON only when set.
    """

    code: str
    name: str
    diagnosis: str
    severity: Severity
    message: str
    epoch: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    recommendations: list[Recommendation] = field(default_factory=list)
    verdict: str = ""
    output: str | None = None
    folds: FoldAgreement | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``output`` and ``folds`` only when set)."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "diagnosis": self.diagnosis,
            "severity": self.severity.value,
            "message": self.message,
            "epoch": self.epoch,
            "evidence": self.evidence,
            "recommendations": [
                {"action": r.action, "text": r.text} for r in self.recommendations
            ],
        }
        if self.output is not None:
            out["output"] = self.output
        if self.folds is not None:
            out["folds"] = self.folds.to_dict()
        return out


@dataclass
class Skipped:
    """A rule that could not run on this input.

    Args:
        code: Rule code.
        name: Rule name.
        reason: What the input lacks.
        hint: What would enable the rule.
        needs: ``"run-file"``, ``"epochs"``, ``"input"`` or ``"not-applicable"``
            (:class:`fitdoctor.errors.MissingInput`).
    """

    code: str
    name: str
    reason: str
    hint: str = ""
    needs: str = "input"


@dataclass
class Superseded:
    """A finding left out because another finding makes it moot (declared precedence).

    Args:
        code: Code of the rule that fired.
        name: Its name.
        by: Codes of the findings that supersede it.
        output: For a multi-output model, the output the left-out finding was about
            (``None`` for the whole model), so two findings of one rule stay apart.
    """

    code: str
    name: str
    by: list[str] = field(default_factory=list)
    output: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``output`` only when set, as on a finding)."""
        out: dict[str, Any] = {"code": self.code, "name": self.name, "by": list(self.by)}
        if self.output is not None:
            out["output"] = self.output
        return out


@dataclass
class SharedEvidence:
    """Evidence that several findings carry alike: printed once per report.

    Args:
        codes: Codes of the findings that carry it, in report order.
        values: The shared measurements: keys two or more findings carry with the same
            value (and no finding with another value).
    """

    codes: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


def shared_evidence(findings: list[Finding]) -> SharedEvidence:
    """The evidence several findings carry alike (class counts, the balanced weights).

    A key is shared when two or more findings carry it and all of them with the same
    value; reporters print it once and each finding its own evidence only.

    Args:
        findings: The report's findings.

    Returns:
        The shared evidence (empty when none).
    """
    seen: dict[str, list[tuple[str, str]]] = {}
    for f in findings:
        for key, value in f.evidence.items():
            if value is None:
                continue
            text = json.dumps(strict_json(value), sort_keys=True, default=str)
            seen.setdefault(key, []).append((f.code, text))
    keys = {k for k, hits in seen.items() if len(hits) >= 2 and len({t for _, t in hits}) == 1}
    if not keys:
        return SharedEvidence()
    values: dict[str, Any] = {}
    codes: list[str] = []
    for f in findings:
        carried = [k for k in f.evidence if k in keys]
        if carried and f.code not in codes:
            codes.append(f.code)
        for k in carried:
            values.setdefault(k, f.evidence[k])
    return SharedEvidence(codes, values)


@dataclass
class BestEpoch:
    """The epoch to keep, judged on validation data only.

    Args:
        epoch: The epoch (1-based).
        monitor: The validation metric it was judged on, e.g. ``"val_loss"``.
        value: The metric's value there.
        last_epoch: The last epoch trained.
        patience: Suggested ``EarlyStopping`` patience.
        stopped_early: The run file says early stopping ended the training (then the
            epochs after the best are its patience, not a missed stop).
    """

    epoch: int
    monitor: str
    value: float
    last_epoch: int
    patience: int | None = None
    stopped_early: bool = False

    @property
    def ran_past(self) -> bool:
        """True when training went on after the best epoch without early stopping."""
        return self.last_epoch > self.epoch and not self.stopped_early


@dataclass
class Report:
    """The analysis of one run.

    Args:
        source: Display name of the input (path or object kind).
        findings: Findings, most severe first.
        best_epoch: The epoch to keep, if validation data allows judging.
        skipped: Rules that could not run, with reasons.
        n_epochs: Epochs in the run.
        metrics: Metric names in the run.
        notes: General remarks (e.g. "the run is too short to judge").
        run_summary: Short facts about the run for the reporters (model, loss, ...).
        run: The analyzed run (set by the engine; not part of the JSON), for
            :meth:`plot` and notebooks.
        n_rules: Rules run on the input (``None`` when unknown, e.g. a report built by hand;
            ``0`` when no selected rule reads this kind of input).
        superseded: Findings left out because another finding supersedes them.
        path: The file the run was read from, as the command line gave it (set by the
            CLI; not part of the JSON), for ``--format github``'s ``file=``: the source's
            display name is a run name or a base name, not a path.
    """

    source: str
    findings: list[Finding] = field(default_factory=list)
    best_epoch: BestEpoch | None = None
    skipped: list[Skipped] = field(default_factory=list)
    n_epochs: int = 0
    metrics: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    run_summary: dict[str, Any] = field(default_factory=dict)
    run: Run | None = field(default=None, repr=False, compare=False)
    n_rules: int | None = None
    superseded: list[Superseded] = field(default_factory=list)
    path: str | None = field(default=None, repr=False, compare=False)

    @property
    def checked(self) -> bool:
        """Whether some rule ran on the input (what the verdict's "not judged" reads).

        ``False`` when no selected rule reads this kind of input (``n_rules`` 0) or every
        rule run was skipped, with no finding; ``True`` when ``n_rules`` is unknown.
        """
        return bool(self.findings) or self.n_rules is None or self.n_rules > len(self.skipped)

    def shared_evidence(self) -> SharedEvidence:
        """Evidence several findings carry alike (see :func:`shared_evidence`)."""
        return shared_evidence(self.findings)

    def own_evidence(
        self, finding: Finding, shared: SharedEvidence | None = None
    ) -> dict[str, Any]:
        """``finding``'s evidence without the keys the report prints once as shared."""
        shared = shared if shared is not None else self.shared_evidence()
        return {k: v for k, v in finding.evidence.items() if k not in shared.values}

    def count(self, severity: Severity) -> int:
        """Number of findings of exactly ``severity``."""
        return sum(1 for f in self.findings if f.severity is severity)

    def worst(self) -> Severity | None:
        """The most severe severity among the findings, or ``None`` when there are none."""
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    def fails(self, fail_on: Severity) -> bool:
        """True when some finding is at or above ``fail_on``."""
        return any(f.severity.rank >= fail_on.rank for f in self.findings)

    @property
    def verdict(self) -> str:
        """One line: the overall state of the run, and how much of it could be checked.

        Problems (warnings and errors) are named by diagnosis, or by the rule's own
        verdict phrase. A run without problems is "healthy" only as far as it was
        checked: the line says how many checks could not run and why (most often a bare
        history lacks what a run file records). A run still running or interrupted says
        so first. A model file (no training at all) has its own verdict.
        """
        from fitdoctor.run import MODEL_FILE

        if self.run_summary.get("source") == MODEL_FILE:
            return _model_file_verdict(self)
        prefix = self._status_prefix()
        counts = ", ".join(
            f"{n} {s.value}{'s' if n != 1 else ''}"
            for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
            if (n := self.count(s))
        )
        problems: list[str] = []
        for f in self.findings:
            label = f.verdict or f.diagnosis
            if f.severity is not Severity.INFO and label not in problems:
                problems.append(label)
        if problems:
            return f"{prefix}{', '.join(problems)} ({counts})"
        hints = f", with hints ({counts})" if counts else ""
        # a rule that does not apply to this model (a training-loss check on a model
        # with Dropout) leaves nothing unchecked: it is not a gap in the verdict
        moot = sum(1 for s in self.skipped if s.needs == NOT_APPLICABLE)
        not_applicable = f"; {moot} {'does' if moot == 1 else 'do'} not apply to this model"
        if not self.checked and self.n_rules == 0:
            # a selection of rules none of which reads this kind of input (a learning
            # curve's rules on a run): nothing was checked, so "healthy" is no claim to make
            none = "no selected rule reads this input"
            if self.n_epochs == 0:
                return f"{prefix}not judged: no epoch recorded, and {none}"
            return f"{prefix}not judged: {none}"
        if not self.checked:
            # nothing was checked (a selection of rules none of which this run can feed,
            # or that apply to this model): "healthy" would be a claim no check supports
            return f"{prefix}not judged: no check could run; {', '.join(self._skip_reasons())}"
        if len(self.skipped) == moot:
            if not self.findings:
                ran_all = self.n_rules - moot if self.n_rules else None
                checked = (
                    f" ({ran_all} check{'s' if ran_all != 1 else ''}"
                    f"{not_applicable if moot else ''})" if ran_all is not None else ""
                )
                return f"{prefix}healthy: no problems found{checked}"
            return f"{prefix}healthy{hints}"
        why = self._skip_reasons()
        ran = self.n_rules - len(self.skipped) if self.n_rules else None
        what = (
            f"{ran} check{'s' if ran != 1 else ''} found no problem"
            if ran is not None else "no problem found"
        )
        if 0 < self.n_epochs < CURVE_MIN_EPOCHS:
            # no curve could be judged (a record that kept only its last epoch, a
            # KerasTuner trial's best): "healthy" would be a claim no curve supports
            recorded = f"{self.n_epochs} epoch{'s' if self.n_epochs != 1 else ''} recorded"
            return f"{prefix}too short to judge{hints}: {recorded}; {what}; {', '.join(why)}"
        return f"{prefix}healthy as far as checked{hints}: {what}; {', '.join(why)}"

    def _skip_reasons(self) -> list[str]:
        """The skipped checks counted by what they lack ("22 need a run file (FitDoctor())")."""
        needs: dict[str, int] = {}
        for s in self.skipped:
            needs[s.needs] = needs.get(s.needs, 0) + 1
        why = []
        # a run FitDoctor() recorded is a run file already: what it lacks (an older
        # version's file, inputs given as a dataset) is a fact, not the file
        recorded = self.run_summary.get("source") == "fitdoctor"
        # FitDoctor() is a Keras callback: a Trainer, Lightning or PyTorch user cannot
        # record one, so the verdict says whose run file it is
        foreign = self.run_summary.get("framework") in FOREIGN_FRAMEWORKS
        file = ("what Keras's FitDoctor() callback records" if foreign
                else "a run file (FitDoctor())")
        for kind, one, many in (
            ("run-file", "needs facts this run did not record",
             "need facts this run did not record") if recorded else
            ("run-file", f"needs {file}", f"need {file}"),
            ("epochs", "needs more epochs", "need more epochs"),
            ("input", "lacks an input", "lack an input"),
            (NOT_APPLICABLE, "does not apply to this model", "do not apply to this model"),
        ):
            if needs.get(kind):
                why.append(f"{needs[kind]} {one if needs[kind] == 1 else many}")
        return why

    @property
    def unfinished(self) -> str:
        """How the run did not finish, if it did not.

        ``"still running (epoch 31 of 60)"`` (a run file whose training was killed, or
        is still going) or ``"interrupted at epoch 31 of 60"``; empty when it finished
        or does not say.
        """
        status = self.run_summary.get("status")
        if status not in ("running", "interrupted"):
            return ""
        planned = self.run_summary.get("epochs_planned")
        last = self.run_summary.get("last_epoch")
        where = f"epoch {last} of {planned}" if last and planned else f"{self.n_epochs} epochs"
        if status == "running":
            return f"still running ({where})"
        return f"interrupted at {where}"

    def _status_prefix(self) -> str:
        unfinished = self.unfinished
        if not unfinished:
            return ""
        return f"{unfinished}, so far: " if unfinished.startswith("still") else f"{unfinished}: "

    def to_dict(self) -> dict[str, Any]:
        """The report contract: ``"schema": "fitdoctor.report/1"``.

        Evidence several findings carry alike is written once, as ``shared_evidence``
        (``{"findings": [codes], "evidence": {...}}``, or ``null``); each finding's
        ``evidence`` holds its own measurements and ``shared`` lists the keys it takes
        from there (only when it takes some).
        """
        shared = self.shared_evidence()
        findings = []
        for f in self.findings:
            body = f.to_dict()
            body["evidence"] = self.own_evidence(f, shared)
            taken = [k for k in f.evidence if k in shared.values]
            if taken:
                body["shared"] = taken
            findings.append(body)
        best = None
        if self.best_epoch is not None:
            b = self.best_epoch
            best = {
                "epoch": b.epoch,
                "monitor": b.monitor,
                "value": b.value,
                "last_epoch": b.last_epoch,
                "patience": b.patience,
                "stopped_early": b.stopped_early,
            }
        return {
            "schema": REPORT_SCHEMA,
            "source": self.source,
            "verdict": self.verdict,
            "summary": {
                "error": self.count(Severity.ERROR),
                "warning": self.count(Severity.WARNING),
                "info": self.count(Severity.INFO),
            },
            "n_epochs": self.n_epochs,
            "metrics": self.metrics,
            "best_epoch": best,
            "findings": findings,
            "shared_evidence": (
                {"findings": shared.codes, "evidence": shared.values} if shared.values else None
            ),
            "skipped": [
                {"code": s.code, "name": s.name, "reason": s.reason, "hint": s.hint,
                 "needs": s.needs}
                for s in self.skipped
            ],
            "superseded": [s.to_dict() for s in self.superseded],
            "notes": self.notes,
            "run": self.run_summary,
        }

    # Views of the report live in their own modules; these are thin delegates that
    # import them on use, so this module imports neither matplotlib, pandas nor the
    # reporters.
    def __str__(self) -> str:
        """The plain-text report (:mod:`fitdoctor.reporters.text`, 100 columns)."""
        from fitdoctor.reporters import render

        return render(self, "text", run=self.run)

    def plot(self, path: str | Path | None = None, *, dpi: int = 100) -> Figure:
        """The analyzed run's learning curves with this report's findings marked.

        See :func:`fitdoctor.plot.plot_report`.

        Args:
            path: Also save the figure there as PNG. Defaults to `None`.
            dpi: Resolution. Defaults to `100`.

        Returns:
            The matplotlib figure (needs matplotlib: ``pip install 'fitdoctor[plot]'``).

        Raises:
            ValueError: The report does not hold its run (built by hand).
        """
        from fitdoctor.plot import plot_report

        return plot_report(self, None, path, dpi=dpi)

    def _repr_html_(self) -> str:
        """Notebook display: the HTML report, with the curves when the run is known."""
        from fitdoctor.reporters.html import render_fragment

        return render_fragment(self, self.run)

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: code, name, diagnosis, severity, epoch, message, advice.

        See :func:`fitdoctor.frames.report_frame` (needs pandas).
        """
        from fitdoctor.frames import report_frame

        return report_frame(self)


def _model_file_verdict(report: Report) -> str:
    """The verdict on a saved model (``fitdoctor lint``): its setup, never its curves.

    ``"model setup: 1 problem (1 error) and 2 hints; 2 checks need a training run"``,
    ``"model setup looks right; 3 checks need the compile settings or a training run"``.
    """
    problems = [f for f in report.findings if f.severity is not Severity.INFO]
    hints = len(report.findings) - len(problems)
    hint_text = f"{hints} hint{'s' if hints != 1 else ''}"
    if problems:
        counts = ", ".join(
            f"{n} {s.value}{'s' if n != 1 else ''}"
            for s in (Severity.ERROR, Severity.WARNING)
            if (n := report.count(s))
        )
        text = f"model setup: {len(problems)} problem{'s' if len(problems) != 1 else ''} ({counts})"
        if hints:
            text += f" and {hint_text}"
    else:
        text = "model setup looks right" + (f" ({hint_text})" if hints else "")
    if report.skipped:
        n = len(report.skipped)
        need = "a training run" if "loss" in report.run_summary else (
            "the compile settings or a training run"
        )
        text += f"; {n} check{'s' if n != 1 else ''} need{'s' if n == 1 else ''} {need}"
    return text
