"""Loader for the recorded corpus in tests/data/corpus/ (see its README).

Tests pin rates on the ``holdout`` half only; ``dev`` is for tuning. Each record is one
real Keras training with its held-out test curve, its label and the fitdoctor run file the
callback wrote; ``CorpusRun.run()`` and ``CorpusRun.bare()`` give the two views fitdoctor
can be asked to judge: the callback's run file, and the same run stripped to the
``history.history`` a user of ``model.fit`` has.

Example::

    from corpus import load_corpus

    for case in load_corpus("holdout"):
        report = fitdoctor.analyze(case.run())   # or case.bare()
        ...
"""

from __future__ import annotations

import copy
import gzip
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fitdoctor import io
from fitdoctor.run import Run
from fitdoctor.vocabulary import is_accuracy

CORPUS = Path(__file__).parent / "data" / "corpus"
HALVES = ("dev", "holdout")
LABELS = ("healthy", "overfitting", "underfitting", "not-converged", "diverged", "unstable",
          "validation-broken", "too-short")
#: The diagnosis fitdoctor should give as its headline for each label (``None``: no
#: warning or error at all). ``too-short`` has no diagnosis in the vocabulary yet; a
#: report is right on it when its verdict says the run is too short (see bench/accuracy.py).
EXPECTED: dict[str, str | None] = {
    "healthy": None,
    "overfitting": "overfitting",
    "underfitting": "underfitting",
    "not-converged": "not-converged",
    "diverged": "diverged",
    "unstable": "unstable",
    "validation-broken": "validation-setup",
    "too-short": "too-short",
}


@dataclass(frozen=True)
class CorpusRun:
    """One recorded training (read-only view of a record)."""

    name: str
    group: str
    seed: int
    half: str
    family: str
    data: str
    intended: str
    label: str
    label_reason: str
    label_detail: str | None
    also: tuple[str, ...]
    record: dict[str, Any] = field(repr=False, compare=False)

    @property
    def expected(self) -> str | None:
        """The diagnosis the label calls for (``None`` for healthy)."""
        return EXPECTED[self.label]

    def run(self) -> Run:
        """The callback's run file, as ``fitdoctor.load`` would read it.

        Recordings made before the callback recorded them get three facts the current
        callback writes, from what the recorder knows: ``fit.restore_best_weights`` (the
        EarlyStopping in fit's callbacks), the reference model's validation score
        (``baselines.reference_*``: the recorder fits the same kinds of scikit-learn
        models on the same rows and scores them on the same validation rows) and the
        training inputs' scale (``data.input_*``: the recorder rebuilds the arrays it gave
        ``fit``, checked against the record's validation fingerprint).
        """
        return Run.from_dict(upgrade(self.record))

    def history(self) -> dict[str, list[float]]:
        """``history.history`` as Keras returned it (``val_*`` lists shorter with
        ``validation_freq > 1``; NaN where Keras logged NaN)."""
        if "history" in self.record:
            return copy.deepcopy(self.record["history"])
        metrics = self.record["run"]["metrics"]
        return {k: [float(v) for v in metrics[k] if v is not None]
                for k in self.record["history_keys"]}

    def bare(self) -> Run:
        """The bare-history view: what ``fitdoctor analyze history.json`` sees."""
        run = io.from_any(self.history())
        run.name = self.name
        return run

    def accuracies(self) -> Run | None:
        """The accuracy-only view: the history as a loop keeping accuracies alone has it.

        Its losses dropped; ``None`` for a run that logs no accuracy (a regression).
        """
        kept = {k: v for k, v in self.history().items() if "loss" not in k}
        if not any(is_accuracy(k[4:] if k.startswith("val_") else k) for k in kept):
            return None
        run = io.from_any(kept)
        run.name = self.name
        return run

    @property
    def test(self) -> dict[str, Any]:
        """Test curve (``loss``, ``metric``, ``metric_name``, ``final_*``, ``n``)."""
        return dict(self.record["test"])

    @property
    def facts(self) -> dict[str, Any]:
        """What the recorder knows about the data and the run (sizes, corruption, ...)."""
        return dict(self.record["facts"])

    @property
    def references(self) -> dict[str, Any]:
        """Scikit-learn reference models' validation and test scores."""
        return copy.deepcopy(self.record["references"])

    @property
    def config(self) -> dict[str, Any]:
        """The configuration's settings."""
        return copy.deepcopy(self.record["config"])


#: The recorder's reference model names -> the callback's (fitdoctor.reference).
REFERENCE_NAMES = {"logistic": "logistic regression", "ridge": "ridge regression",
                   "gradient_boosting": "gradient boosting"}


def upgrade(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record["run"]`` with the facts the current callback records filled in
    where an older recording lacks them (see :meth:`CorpusRun.run`)."""
    run = copy.deepcopy(record["run"])
    es = record.get("config", {}).get("es")
    fit = run.get("fit")
    if es and isinstance(fit, dict) and fit.get("restore_best_weights") is None:
        fit["restore_best_weights"] = bool(es.get("restore"))
    baselines = run.get("baselines")
    if isinstance(baselines, dict) and baselines.get("reference_value") is None:
        regression = record.get("facts", {}).get("task") == "regression"
        metric = "mse" if regression else "accuracy"
        scores = [(m["val"][metric], REFERENCE_NAMES.get(name, name))
                  for name, m in record.get("references", {}).items()
                  if isinstance(m, dict) and metric in m.get("val", {})]
        if scores:
            value, model = min(scores) if regression else max(scores)
            baselines.update(reference_value=float(value), reference_metric=metric,
                             reference_model=model)
    data = run.get("data")
    if isinstance(data, dict) and "input_std" not in data and "config" in record:
        data.update(_scale_facts(record))
    return run


#: The training inputs' scale rebuilt per (data variant, configuration): every seed of a
#: configuration fits on the same arrays.
_SCALE_CACHE: dict[tuple[str, str], dict[str, Any]] = {}


def _scale_facts(record: dict[str, Any]) -> dict[str, Any]:
    """The training inputs' scale the current callback records, for a record made before
    it did: rebuilt from the arrays the recorder gives ``fit`` (``recorder/backfill.py``,
    checked against the record's row counts and validation fingerprint), or nothing when
    they cannot be rebuilt."""
    folder = str(Path(__file__).parent / "data")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    from recorder import backfill  # tests/data/recorder/backfill.py

    try:
        return backfill.scale_facts(record, _SCALE_CACHE)
    except (backfill.BackfillMismatch, KeyError):
        return {}


def _read(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def from_record(rec: dict[str, Any]) -> CorpusRun:
    """One labelled record (a line of a half) as a :class:`CorpusRun`."""
    return CorpusRun(
        name=rec["name"], group=rec["group"], seed=rec["seed"], half=rec["half"],
        family=rec["family"], data=rec["data"], intended=rec["intended"],
        label=rec["label"], label_reason=rec["label_reason"],
        label_detail=rec.get("label_detail"), also=tuple(rec.get("also", ())),
        record=rec)


@lru_cache(maxsize=4)
def _load(half: str, folder: str) -> tuple[CorpusRun, ...]:
    return tuple(from_record(rec) for rec in _read(Path(folder) / f"{half}.jsonl.gz"))


def load_partial(half: str | Iterable[str], path: str | Path) -> list[CorpusRun]:
    """Records of a recording still in progress (its ``.partial.jsonl``), labelled and
    dealt to halves the way the recorder will (``record_corpus.relabel``).

    The labels that compare a run with what its data allows (underfitting) are measured
    against the runs recorded so far, so they can still change when the recording ends.
    """
    halves = {half} if isinstance(half, str) else set(half)
    sys.path.insert(0, str(Path(__file__).parent / "data"))
    import record_corpus  # tests/data/record_corpus.py

    records = {r["name"]: r for r in record_corpus.read_jsonl(Path(path))}
    recs = record_corpus.relabel(records)
    return sorted((from_record(r) for r in recs if r["half"] in halves),
                  key=lambda r: r.name)


def load_corpus(half: str | Iterable[str] = "holdout",
                folder: str | Path = CORPUS) -> list[CorpusRun]:
    """Records of one half (``"dev"`` or ``"holdout"``) or of several, sorted by name."""
    halves = [half] if isinstance(half, str) else list(half)
    for h in halves:
        if h not in HALVES:
            raise ValueError(f"unknown half {h!r}; expected one of {', '.join(HALVES)}")
    runs = [r for h in halves for r in _load(h, str(folder))]
    return sorted(runs, key=lambda r: r.name)
