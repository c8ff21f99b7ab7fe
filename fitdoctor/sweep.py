"""The summary of a sweep: many runs judged together ("which settings overfit?").

``fitdoctor analyze DIR_OR_GLOB...`` over many runs (a folder of histories, a glob, a
KerasTuner project, several files) reports them as one sweep. This module computes that
summary from the runs' reports; :mod:`fitdoctor.reporters.sweep_render` renders it.

Each run becomes a :class:`SweepRow` (small: the per-run report and run are not kept,
so a sweep of 10,000 runs holds 10,000 rows, not 10,000 runs). :func:`summarize` turns
the rows into a :class:`Sweep`:

- **the table**: every run with its verdict, its best value of the sweep's *monitor*
  (the tuner's objective when the runs declare one, else the validation metric most runs
  have, ``val_loss`` first) and the epoch of it, and the hyperparameters that vary across
  runs; ranked best first;
- **the findings across runs**: each rule that fired, how many runs and which;
- **which settings**: for each diagnosis found in two runs or more (and not in all), the
  hyperparameter values the runs with it share and the others do not (``units=512``,
  ``learning_rate ≥ 0.01``), with how many runs on each side have them — the counts are
  shown so that a coincidence in a small sweep reads as one;
- **the best run**, whether it is healthy, and the best healthy run when it is not.

**Hyperparameters** (:mod:`fitdoctor.sweep_rows`, with the rows) come from the run
facts. A source that knows them says so: the KerasTuner reader (and the callback inside
``tuner.search``) lists their names in ``run.meta["hyperparameters"]``. Otherwise they
are read from the facts: a ``hyperparameters``/``hparams``/``params``/``config``/
``args``/``settings`` object is flattened one level, and scalar facts count unless their
name says they are a result or a label (``test_accuracy``, ``training_time``,
``timestamp``, ``run_id``).

Nothing here is typed in: every value is computed from the runs. Standard library only
(the workers of a sweep build rows; the main process only collects them).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fitdoctor.report import Severity
from fitdoctor.sweep_rows import (
    MIN_EPOCHS,
    RunFinding,
    SweepRow,
    Value,
    hyperparameters,
    monitor_mode,
    row_of,
)

if TYPE_CHECKING:
    pass

SWEEP_SCHEMA = "fitdoctor.sweep/1"

# ------------------------------------------------------------------------ summary


@dataclass
class Recurring:
    """A rule that fired in the sweep.

    Args:
        code: Rule code.
        name: Rule name.
        diagnosis: Its diagnosis.
        severity: The most severe it was in any run.
        runs: The runs it fired in, in table order.
    """

    code: str
    name: str
    diagnosis: str
    severity: Severity
    runs: list[str]


@dataclass
class Association:
    """A hyperparameter condition shared by the runs with a diagnosis.

    Args:
        hyperparameter: Its name.
        op: ``"="``, ``">="`` or ``"<="``.
        value: The value compared with.
        with_count: Runs with the diagnosis that meet the condition.
        with_total: Runs with the diagnosis that have this hyperparameter.
        others_count: Runs without the diagnosis that meet it.
        others_total: Runs without the diagnosis that have this hyperparameter.
    """

    hyperparameter: str
    op: str
    value: Value
    with_count: int
    with_total: int
    others_count: int
    others_total: int

    @property
    def separates(self) -> bool:
        """Every run with the diagnosis meets it, and none of the others."""
        return self.with_count == self.with_total and self.others_count == 0

    @property
    def strength(self) -> float:
        """Share of the runs with it minus share of the others (1 = separates)."""
        return self.with_count / self.with_total - self.others_count / self.others_total

    def condition(self) -> str:
        """``"units=512"``, ``"learning_rate>=0.01"``."""
        return f"{self.hyperparameter}{self.op}{fmt(self.value)}"


@dataclass
class WhichSettings:
    """What the runs with one diagnosis have in common, against the others.

    Args:
        diagnosis: The diagnosis.
        runs: The runs with it (as a warning or error), in table order.
        others: How many runs have the hyperparameters compared and not the diagnosis.
        associations: Conditions, strongest first (at most :data:`MAX_ASSOCIATIONS`).
    """

    diagnosis: str
    runs: list[str]
    others: int
    associations: list[Association] = field(default_factory=list)


#: Most conditions listed per diagnosis.
MAX_ASSOCIATIONS = 3
#: Weakest association listed when none separates: shares differ by at least this much.
MIN_STRENGTH = 0.5


@dataclass
class Sweep:
    """The summary of many runs.

    Args:
        rows: The runs, ranked: best value of the monitor first, runs without it last
            (in the order given).
        sources: How many sources (files, folders) were read.
        unusable: How many sources could not be read.
        monitor: The validation metric the runs are ranked by, or ``None``.
        mode: ``"min"`` or ``"max"``: how the monitor improves.
        objective: The monitor is the objective the source (a tuner) optimised.
        varying: Hyperparameters whose values differ across runs, in first-seen order.
        shared: Hyperparameters with one value in every run.
        recurring: Rules that fired, most severe first, then most runs.
        settings: Per diagnosis found in two or more runs (and not in all of them).
        best: The best run (first row with a monitor value), if any.
        best_healthy: The best run without warnings or errors, when the best is not.
    """

    rows: list[SweepRow]
    sources: int
    unusable: int = 0
    monitor: str | None = None
    mode: str = "min"
    objective: bool = False
    varying: list[str] = field(default_factory=list)
    shared: dict[str, Value] = field(default_factory=dict)
    recurring: list[Recurring] = field(default_factory=list)
    settings: list[WhichSettings] = field(default_factory=list)
    best: SweepRow | None = None
    best_healthy: SweepRow | None = None

    def best_of(self, row: SweepRow) -> tuple[float, int] | None:
        """``(value, epoch)`` of the monitor in ``row``."""
        return row.bests.get(self.monitor) if self.monitor else None

    def counts(self) -> list[tuple[str, int]]:
        """``[("healthy", 4), ("overfitting", 3), ...]``: runs per headline diagnosis.

        Each run counts once, under its verdict's first label (its headline: a rule's
        phrase such as "too short to judge", else its diagnosis), so the counts add up to
        the runs and say what each run's verdict says; a run's other diagnoses are in its
        row and in the findings across runs.
        """
        c: Counter[str] = Counter()
        for row in self.rows:
            if row.healthy:
                c["healthy"] += 1
            elif not row.diagnoses:  # neither healthy nor diagnosed: not judged or checked
                c["not judged"] += 1
            elif (headline := row.headline) is not None:
                c[headline] += 1
        return sorted(c.items(), key=lambda kv: (kv[0] != "healthy", -kv[1], kv[0]))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``"schema": "fitdoctor.sweep/1"``)."""

        def row_dict(rank: int, row: SweepRow) -> dict[str, Any]:
            best = self.best_of(row)
            return {
                "rank": rank,
                "run": row.run,
                "source": row.source,
                "verdict": row.verdict,
                "healthy": row.healthy,
                "diagnoses": row.diagnoses,
                "best": None if best is None else {"value": best[0], "epoch": best[1]},
                "last_epoch": row.last_epoch,
                "hyperparameters": row.hyperparameters,
                "findings": [f.code for f in row.findings],
            }

        def pick(row: SweepRow | None) -> dict[str, Any] | None:
            if row is None:
                return None
            best = self.best_of(row)
            return {
                "run": row.run,
                "source": row.source,
                "value": best[0] if best else None,
                "epoch": best[1] if best else None,
                "last_epoch": row.last_epoch,
                "healthy": row.healthy,
                "verdict": row.verdict,
            }

        return {
            "schema": SWEEP_SCHEMA,
            "runs": len(self.rows),
            "sources": self.sources,
            "unusable": self.unusable,
            "verdicts": dict(self.counts()),
            "monitor": None if self.monitor is None else {
                "name": self.monitor, "mode": self.mode, "objective": self.objective,
            },
            "hyperparameters": {"varying": self.varying, "shared": self.shared},
            "table": [row_dict(i, r) for i, r in enumerate(self.rows, 1)],
            "findings": [
                {"code": r.code, "name": r.name, "diagnosis": r.diagnosis,
                 "severity": r.severity.value, "count": len(r.runs), "runs": r.runs}
                for r in self.recurring
            ],
            "settings": [
                {
                    "diagnosis": s.diagnosis,
                    "runs": s.runs,
                    "others": s.others,
                    "associations": [
                        {"hyperparameter": a.hyperparameter, "op": a.op, "value": a.value,
                         "with": a.with_count, "with_total": a.with_total,
                         "others": a.others_count, "others_total": a.others_total,
                         "separates": a.separates}
                        for a in s.associations
                    ],
                }
                for s in self.settings
            ],
            "best": pick(self.best),
            "best_healthy": pick(self.best_healthy),
        }


def summarize(rows: Iterable[SweepRow], *, sources: int, unusable: int = 0) -> Sweep:
    """Summarize the runs of a sweep.

    Args:
        rows: One per run, in the order the sources were given.
        sources: How many sources were read.
        unusable: How many sources could not be read. Defaults to `0`.

    Returns:
        The summary.
    """
    given = sorted(rows, key=lambda r: r.index)
    _distinct_names(given)
    monitor, mode, objective = _monitor(given)
    ranked = _rank(given, monitor, mode)
    varying, shared = _columns(ranked)
    sweep = Sweep(
        rows=ranked, sources=sources, unusable=unusable, monitor=monitor, mode=mode,
        objective=objective, varying=varying, shared=shared,
    )
    sweep.recurring = _recurring(ranked)
    sweep.settings = _settings(ranked, varying)
    scored = [r for r in ranked if sweep.best_of(r) is not None]
    if scored:
        sweep.best = scored[0]
        if not scored[0].healthy:
            sweep.best_healthy = next((r for r in scored if r.healthy), None)
    return sweep


def _distinct_names(rows: Sequence[SweepRow]) -> None:
    """Runs named alike (``history.json`` in several folders) are named by their path.

    The path is made relative to the folder all the sources share.
    """
    seen = Counter(r.run for r in rows)
    if all(n == 1 for n in seen.values()):
        return
    paths = [r.source for r in rows if r.source != "<stdin>"]
    try:
        root = os.path.commonpath(paths) if paths else ""
    except ValueError:  # pragma: no cover - mixed drives on Windows
        root = ""
    if root in paths:  # one source (a folder): its runs are named inside it already
        root = os.path.dirname(root)
    for row in rows:
        if seen[row.run] < 2 or row.source == "<stdin>":
            continue
        where = os.path.relpath(row.source, root) if root else row.source
        base = os.path.basename(row.source.rstrip("/\\"))
        row.run = where if row.run == base else f"{where}: {row.run}"


def _monitor(rows: Sequence[SweepRow]) -> tuple[str | None, str, bool]:
    objectives = {r.objective for r in rows if r.objective is not None}
    if len(objectives) == 1:
        name, direction = next(iter(objectives))
        if any(name in r.bests for r in rows):
            return name, direction, True
    have: Counter[str] = Counter(k for r in rows for k in r.bests)
    if not have:
        return None, "min", False
    top = max(have.values())
    choices = [k for k, n in have.items() if n == top]
    name = "val_loss" if "val_loss" in choices else sorted(choices)[0]
    return name, monitor_mode(name) or "min", False


def _rank(rows: Sequence[SweepRow], monitor: str | None, mode: str) -> list[SweepRow]:
    if monitor is None:
        return list(rows)
    sign = 1.0 if mode == "min" else -1.0

    def key(row: SweepRow) -> tuple[int, float, int]:
        best = row.bests.get(monitor)
        return (0, sign * best[0], row.index) if best else (1, 0.0, row.index)

    return sorted(rows, key=key)


def _columns(rows: Sequence[SweepRow]) -> tuple[list[str], dict[str, Value]]:
    names: list[str] = []
    for row in rows:
        names.extend(n for n in row.hyperparameters if n not in names)
    varying: list[str] = []
    shared: dict[str, Value] = {}
    for name in names:
        values = [row.hyperparameters.get(name) for row in rows]
        if len(rows) > 1 and all(_same(v, values[0]) for v in values):
            shared[name] = values[0]  # type: ignore[assignment]
        else:
            varying.append(name)
    return varying, shared


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _recurring(rows: Sequence[SweepRow]) -> list[Recurring]:
    found: dict[str, Recurring] = {}
    for row in rows:
        for f in row.findings:
            rec = found.get(f.code)
            if rec is None:
                found[f.code] = Recurring(f.code, f.name, f.diagnosis, f.severity, [row.run])
                continue
            if row.run not in rec.runs:
                rec.runs.append(row.run)
            if f.severity.rank > rec.severity.rank:
                rec.severity = f.severity
    return sorted(found.values(), key=lambda r: (-r.severity.rank, -len(r.runs), r.code))


def _settings(rows: Sequence[SweepRow], varying: Sequence[str]) -> list[WhichSettings]:
    diagnoses: Counter[str] = Counter(d for r in rows for d in r.diagnoses)
    out: list[WhichSettings] = []
    for diagnosis, n in sorted(diagnoses.items(), key=lambda kv: (-kv[1], kv[0])):
        if n < 2 or n == len(rows):
            continue
        having = [r for r in rows if diagnosis in r.diagnoses]
        others = [r for r in rows if diagnosis not in r.diagnoses]
        found = [a for name in varying if (a := _associate(name, having, others))]
        found.sort(key=lambda a: (-a.strength, -a.with_count, a.hyperparameter))
        strong = [a for a in found if a.separates] or [
            a for a in found if a.strength >= MIN_STRENGTH
        ]
        out.append(
            WhichSettings(diagnosis, [r.run for r in having], len(others),
                     strong[:MAX_ASSOCIATIONS])
        )
    return out


def _associate(
    name: str, having: Sequence[SweepRow], others: Sequence[SweepRow]
) -> Association | None:
    """The condition on ``name`` that best tells ``having`` from ``others``, if any."""
    a_vals = [r.hyperparameters[name] for r in having if name in r.hyperparameters]
    b_vals = [r.hyperparameters[name] for r in others if name in r.hyperparameters]
    if len(a_vals) < 2 or not b_vals:
        return None
    numeric = all(_is_number(v) for v in (*a_vals, *b_vals))
    candidates: list[tuple[str, Value]] = []
    for v in dict.fromkeys(a_vals):  # distinct, in order
        candidates.append(("=", v))
        if numeric:
            candidates += [(">=", v), ("<=", v)]
    best: Association | None = None
    for op, v in candidates:
        a = sum(_meets(x, op, v) for x in a_vals)
        b = sum(_meets(x, op, v) for x in b_vals)
        assoc = Association(name, op, v, a, len(a_vals), b, len(b_vals))
        if best is None or _better(assoc, best):
            best = assoc
    return best


def _better(a: Association, b: Association) -> bool:
    """Stronger; on a tie, an equality over a bound, then the tighter bound."""
    if not math.isclose(a.strength, b.strength):
        return a.strength > b.strength
    if (a.op == "=") != (b.op == "="):
        return a.op == "="
    if a.op == b.op == ">=":
        return bool(a.value > b.value)  # type: ignore[operator]
    if a.op == b.op == "<=":
        return bool(a.value < b.value)  # type: ignore[operator]
    return False


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _meets(x: Value, op: str, v: Value) -> bool:
    if op == "=":
        return _same(x, v) or (_is_number(x) and _is_number(v) and x == v)
    if op == ">=":
        return x >= v  # type: ignore[operator]
    return x <= v  # type: ignore[operator]


def fmt(value: Any) -> str:
    """A hyperparameter or metric value, short: floats to 4 significant digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value == 0:
            return "0"
        return f"{value:.4g}"
    return str(value)


__all__ = [
    "MIN_EPOCHS",
    "SWEEP_SCHEMA",
    "Association",
    "Recurring",
    "RunFinding",
    "Sweep",
    "SweepRow",
    "WhichSettings",
    "fmt",
    "hyperparameters",
    "monitor_mode",
    "row_of",
    "summarize",
]
