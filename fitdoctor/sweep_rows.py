"""One run of a sweep as a row: its verdict, its best monitored value, its hyperparameters.

:func:`row_of` turns a run's report into a :class:`SweepRow` (small: the report and the
run are not kept); :func:`hyperparameters` reads the settings from the run's facts (the
names a source declares in ``run.meta["hyperparameters"]``, else a ``hyperparameters``/
``hparams``/``params``/``config``/``args``/``settings`` object flattened one level, and
scalar facts unless their name says they are a result, a label or a counter), and
:func:`recorded_settings` adds what a run file records of the model, its compile and its
fit call (optimizer, learning rate, hidden units, dropout, L2, batch size, epochs) when no
source declared them. :mod:`fitdoctor.sweep` summarizes the rows. Standard library only:
a sweep's workers build rows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard

from fitdoctor.report import Report, Severity
from fitdoctor.vocabulary import CURVE_MIN_EPOCHS, is_accuracy

if TYPE_CHECKING:
    from fitdoctor.run import Run

#: Fact objects whose entries are read as hyperparameters (flattened one level).
CONTAINERS = ("hyperparameters", "hparams", "hyper_parameters", "params", "config", "args",
              "settings")
#: Words in a fact's name that make it a result or a label, not a setting.
RESULT_WORDS = frozenset({
    "acc", "accuracy", "loss", "losses", "score", "auc", "f1", "precision", "recall",
    "error", "err", "mae", "mse", "rmse", "metric", "metrics", "best", "final", "test",
    "val", "valid", "validation", "time", "runtime", "duration", "seconds", "second", "secs",
    "elapsed", "timestamp", "date", "datetime", "flos", "id", "uuid", "name", "path", "dir",
    "file", "host", "user", "version", "commit", "status", "message", "trial",
})
#: Counters a source writes beside its curves (how far training got, not a setting):
#: Hugging Face's ``trainer_state.json`` ``epoch`` and ``global_step``, say.
COUNTERS = frozenset({"epoch", "step", "global_step", "num_input_tokens_seen"})
#: Fewer epochs than this and the curves are not judged (the engine's own limit).
MIN_EPOCHS = CURVE_MIN_EPOCHS
#: Longest text value read as a hyperparameter.
MAX_TEXT = 60

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

Value = bool | int | float | str


@dataclass
class RunFinding:
    """One finding of one run, as the summary needs it."""

    code: str
    name: str
    diagnosis: str
    severity: Severity
    #: The rule's phrase for the verdict line, when it has one ("too short to judge").
    verdict: str = ""


@dataclass
class SweepRow:
    """One run of a sweep.

    Args:
        index: Position of the run in the order the sources were given.
        run: The run's name (``trial_03``, ``run 2 of 3 in FILE``).
        source: The file or folder it was read from.
        verdict: The report's verdict.
        findings: The report's findings.
        bests: Validation metric → ``(best value, its epoch)``, for the monitors a
            sweep may rank by (``val_loss`` and accuracy-like validation metrics).
        hyperparameters: Name → value.
        declared: The source named the hyperparameters (a tuner), rather than they
            were read from the facts.
        objective: ``(metric, "min" | "max")`` the source optimised, if it says.
        last_epoch: The run's last epoch.
        epochs: How many epochs the run has.
        fmt: The run's format (``run.source``: ``"keras-tuner"``, ``"csv"``, ...).
        checked: Some rule ran on it: a selection none of whose rules could run
            (``--select FD601`` on a CSV) leaves it "not judged", not healthy.
    """

    index: int
    run: str
    source: str
    verdict: str
    findings: list[RunFinding] = field(default_factory=list)
    bests: dict[str, tuple[float, int]] = field(default_factory=dict)
    hyperparameters: dict[str, Value] = field(default_factory=dict)
    declared: bool = False
    objective: tuple[str, str] | None = None
    last_epoch: int | None = None
    epochs: int = 0
    fmt: str = ""
    checked: bool = True

    @property
    def judged(self) -> bool:
        """Long enough for the curve rules (:data:`MIN_EPOCHS` epochs or more)."""
        return self.epochs >= MIN_EPOCHS

    @property
    def diagnoses(self) -> list[str]:
        """The diagnoses of the run's warnings and errors (the verdict's), in order."""
        out: list[str] = []
        for f in self.findings:
            if f.severity is not Severity.INFO and f.diagnosis not in out:
                out.append(f.diagnosis)
        return out

    @property
    def headline(self) -> str | None:
        """The first label of the run's verdict line (a rule's phrase, else its diagnosis)."""
        for f in self.findings:
            if f.severity is not Severity.INFO:
                return f.verdict or f.diagnosis
        return None

    @property
    def healthy(self) -> bool:
        """Judged, checked, and no warning or error (hints allowed)."""
        return self.judged and self.checked and not self.diagnoses

    @property
    def worst(self) -> Severity | None:
        """The most severe finding's severity."""
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)


def row_of(report: Report, run: Run | None, *, index: int, source: str) -> SweepRow:
    """The summary row of one analyzed run.

    Args:
        report: Its report.
        run: The run (``None`` for results that are not one run, e.g. cross-validation).
        index: Its position in the sweep.
        source: The file or folder it came from.

    Returns:
        The row.
    """
    bests: dict[str, tuple[float, int]] = {}
    hyper: dict[str, Value] = {}
    declared = False
    objective: tuple[str, str] | None = None
    last_epoch: int | None = report.best_epoch.last_epoch if report.best_epoch else None
    if run is not None:
        for key in run.metrics:
            mode = monitor_mode(key)
            if mode is not None:
                best = _best(run.epochs, run.metrics[key], mode)
                if best is not None:
                    bests[key] = best
        hyper, declared = hyperparameters(run.facts, run.meta)
        if not declared:
            for name, value in recorded_settings(run).items():
                hyper.setdefault(name, value)
        objective = _objective(run.meta.get("objective"))
        last_epoch = run.epochs[-1] if run.epochs else None
    elif report.best_epoch is not None:
        b = report.best_epoch
        bests[b.monitor] = (b.value, b.epoch)
    return SweepRow(
        index=index,
        run=report.source,
        source=source,
        verdict=report.verdict,
        findings=[RunFinding(f.code, f.name, f.diagnosis, f.severity, f.verdict)
                  for f in report.findings],
        bests=bests,
        hyperparameters=hyper,
        declared=declared,
        objective=objective,
        last_epoch=last_epoch,
        epochs=report.n_epochs,
        fmt=run.source if run is not None else str(report.run_summary.get("source", "")),
        checked=report.checked,
    )


def monitor_mode(key: str) -> str | None:
    """``"min"`` for a validation loss-like metric, ``"max"`` for accuracy-like, else None.

    Args:
        key: A metric name (Keras's names, as the readers map them).

    Returns:
        The direction in which the metric improves, for ``val_*`` metrics a sweep can
        rank by; ``None`` for any other metric.
    """
    if not key.startswith("val_"):
        return None
    base = key[4:]
    if base == "loss" or base.endswith("_loss"):
        return "min"
    if is_accuracy(base) or base.endswith("auc"):
        return "max"
    return None


def _best(
    epochs: Sequence[int], values: Sequence[float | None], mode: str
) -> tuple[float, int] | None:
    best: tuple[float, int] | None = None
    for epoch, v in zip(epochs, values, strict=True):
        if v is None or not math.isfinite(v):
            continue
        if best is None or (v < best[0] if mode == "min" else v > best[0]):
            best = (float(v), epoch)
    return best


def _objective(value: Any) -> tuple[str, str] | None:
    if isinstance(value, Mapping):
        name, direction = value.get("name"), value.get("direction")
        if isinstance(name, str) and direction in ("min", "max"):
            return name, str(direction)
    return None


# ------------------------------------------------------------------ hyperparameters


def hyperparameters(
    facts: Mapping[str, Any], meta: Mapping[str, Any] | None = None
) -> tuple[dict[str, Value], bool]:
    """The run's hyperparameters, from its facts.

    Args:
        facts: The run's facts.
        meta: The run's meta; ``meta["hyperparameters"]`` (a list of fact names) says
            which facts are hyperparameters. Defaults to `None`.

    Returns:
        ``(name → value, declared)``: ``declared`` when the source named them.
    """
    named = (meta or {}).get("hyperparameters")
    if isinstance(named, list) and all(isinstance(n, str) for n in named):
        return {n: v for n in named if _is_value(v := facts.get(n))}, True
    out: dict[str, Value] = {}
    for key, value in facts.items():
        if isinstance(value, Mapping) and _words(key) & set(CONTAINERS):
            for sub, v in value.items():
                name = str(sub)
                if _is_value(v) and _is_setting(name):
                    out[name if name not in facts else f"{key}.{name}"] = v
        elif _is_value(value) and _is_setting(key):
            out[key] = value
    return out, False


def recorded_settings(run: Run) -> dict[str, Value]:
    """The settings a run file records of the model, its compile and its fit call.

    What a sweep's runs usually differ in, under names short enough for the sweep table:
    ``optimizer`` and ``lr`` (the compile's optimizer and its initial learning rate),
    ``units`` (the hidden layers' widths: every layer with units but the last), ``dropout``
    (the dropout rates of the layers that have one; ``0`` when the model has none), ``l2``
    (the kernels' L2 factors; ``0`` when none has one), ``batch_size`` and ``epochs`` (the
    ``fit`` call's). A layer list of several values reads ``"128-64"``; one value is a
    number. Only what the run records: a bare history has none of these.

    Args:
        run: The run.

    Returns:
        Name → value, in the order above.
    """
    out: dict[str, Value] = {}
    comp = run.compile
    if comp is not None:
        if comp.optimizer:
            out["optimizer"] = comp.optimizer
        if comp.learning_rate is not None and math.isfinite(comp.learning_rate):
            out["lr"] = float(comp.learning_rate)
    layers = run.model.layers if run.model is not None else []
    if layers:
        units = [layer.units for layer in layers if layer.units]
        if len(units) > 1:
            out["units"] = _one_or_list(units[:-1])
        rates = [r for layer in layers for r in (layer.dropout, layer.recurrent_dropout) if r]
        out["dropout"] = _one_or_list(rates) if rates else 0.0
        l2 = [reg.l2 for layer in layers
              if (reg := layer.kernel_regularizer) is not None and reg.l2]
        out["l2"] = _one_or_list(l2) if l2 else 0.0
    fit = run.fit
    if fit is not None:
        if fit.batch_size is not None:
            out["batch_size"] = fit.batch_size
        if fit.epochs is not None:
            out["epochs"] = fit.epochs
    return out


def _one_or_list(values: Sequence[int | float]) -> Value:
    """One value as itself, several as ``"128-64"`` (floats to 4 significant digits)."""
    if len(values) == 1:
        return values[0]
    return "-".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in values)


def _is_value(v: Any) -> TypeGuard[Value]:
    if isinstance(v, str):
        return 0 < len(v) <= MAX_TEXT and "\n" not in v
    if isinstance(v, float):
        return math.isfinite(v)
    return isinstance(v, (bool, int))


def _words(name: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(name)}


def _is_setting(name: str) -> bool:
    return name.lower() not in COUNTERS and not (_words(name) & RESULT_WORDS)
