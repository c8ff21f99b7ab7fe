"""KerasTuner project folders: one run per trial, with its hyperparameters as facts.

``keras_tuner.RandomSearch(..., directory="tuning", project_name="mlp")`` writes
``tuning/mlp/oracle.json`` and one ``trial_NN/`` folder per trial, each with a
``trial.json``: the trial id, the hyperparameter values (``hyperparameters.values``),
the metrics as observations (``metrics.metrics.NAME.observations``: ``{"value": [...],
"step": epoch}``), the ``score`` and ``best_step`` of the objective, and the status.

Reading:

- the folder given is a project (``oracle.json`` beside ``trial_*/trial.json``) or a
  tuner ``directory`` holding projects (then runs are named ``project/trial_NN``);
- every trial with metrics is one run, named after its folder; its facts are
  ``trial_id``, each hyperparameter (by name), ``score`` and ``trial_status``, and
  ``meta["hyperparameters"]`` names the hyperparameters (the sweep summary relates
  findings to them); ``meta["objective"]`` is the metric the tuner optimised (the one
  whose best observation is the trial's score) and its direction;
- **the curves**: a history file in the trial folder (``fitdoctor-run.json`` first, then
  any history file) comes first;
  else the observations, one row per step. KerasTuner 1.1 and later record only the
  best epoch of a trial (older versions recorded every epoch), so a trial read from
  ``trial.json`` alone has one row, too short to judge; the report says so and how to
  record the curves (:func:`fitdoctor.tuner_trial.current_trial` finds the folder);
- a trial without metrics (failed, or still running) is left out; a project with none
  is refused.

Hyperband's bookkeeping value ``tuner/trial_id`` (the trial a run continues) is not a
hyperparameter; ``tuner/epochs``, ``tuner/initial_epoch``, ``tuner/bracket`` and
``tuner/round`` are kept.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Draft, Source, finish, json_safe, label_runs
from fitdoctor.readers._numbers import to_float
from fitdoctor.run import Run

#: Files of a trial folder that are KerasTuner's own, not a history.
TUNER_FILES = frozenset({"trial.json", "build_config.json"})
#: Hyperparameter values that are KerasTuner's bookkeeping.
BOOKKEEPING = frozenset({"tuner/trial_id"})
_TRIAL_DIR = re.compile(r"trial_[^/\\]+$")
_STATUS = {"COMPLETED": "completed", "RUNNING": "running", "IDLE": "running",
           "STOPPED": "interrupted", "FAILED": "interrupted", "INVALID": "interrupted"}
#: File names the callback inside ``tuner.search`` writes, tried first.
RUN_FILES = ("fitdoctor-run.json", "fitdoctor-run.jsonl")


def is_project(folder: str) -> bool:
    """A KerasTuner project: ``oracle.json`` beside a ``trial_*/trial.json``.

    Args:
        folder: The folder.

    Returns:
        Whether it is one.
    """
    if not os.path.isfile(os.path.join(folder, "oracle.json")):
        return False
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return any(
        _TRIAL_DIR.match(n) and os.path.isfile(os.path.join(folder, n, "trial.json"))
        for n in names
    )


def projects(folder: str) -> list[str]:
    """The projects in ``folder``: itself, or its subfolders that are projects.

    Args:
        folder: The folder.

    Returns:
        The project folders, sorted (empty when there is none).
    """
    if is_project(folder):
        return [folder]
    try:
        subs = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        os.path.join(folder, s) for s in subs
        if not s.startswith(".") and is_project(os.path.join(folder, s))
    ]


def sniff(source: Source) -> bool:
    """A folder that is a KerasTuner project or a tuner directory of projects."""
    return source.path is not None and source.is_dir and bool(projects(source.path))


def read(source: Source) -> list[Run]:
    """Every trial with metrics in the project(s), one run each.

    Args:
        source: The folder.

    Returns:
        The runs, by project and trial order.

    Raises:
        InputError: No trial has metrics, or a ``trial.json`` is not KerasTuner's.
    """
    assert source.path is not None
    found = projects(source.path)
    runs: list[Run] = []
    skipped = 0
    for project in found:
        prefix = os.path.basename(project) + "/" if len(found) > 1 else ""
        for folder in _trial_folders(project):
            run = _trial(source, folder, prefix)
            if run is None:
                skipped += 1
            else:
                runs.append(run)
    if not runs:
        raise InputError(
            f"{source.display}: a KerasTuner project without a trial that has metrics "
            f"({skipped} trial{'s' if skipped != 1 else ''}, none finished an epoch); run "
            "tuner.search() until a trial completes"
        )
    return runs


def _trial_folders(project: str) -> list[str]:
    order: list[str] = []
    try:
        with open(os.path.join(project, "oracle.json"), encoding="utf-8") as fh:
            oracle = json.load(fh)
        started = oracle.get("start_order") if isinstance(oracle, dict) else None
        if isinstance(started, list):
            order = [str(t) for t in started]
    except (OSError, ValueError):
        pass
    folders = sorted(
        n for n in os.listdir(project)
        if _TRIAL_DIR.match(n) and os.path.isfile(os.path.join(project, n, "trial.json"))
    )
    rank = {f"trial_{t}": i for i, t in enumerate(order)}
    folders.sort(key=lambda n: (rank.get(n, len(rank)), n))
    return [os.path.join(project, n) for n in folders]


def _trial(source: Source, folder: str, prefix: str) -> Run | None:
    path = os.path.join(folder, "trial.json")
    display = f"{source.display.rstrip('/')}/{prefix}{os.path.basename(folder)}/trial.json"
    try:
        with open(path, encoding="utf-8") as fh:
            state = json.load(fh)
    except OSError as exc:
        raise InputError(f"{display}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InputError(f"{display}: not JSON ({exc})") from None
    if not isinstance(state, dict) or "trial_id" not in state:
        raise InputError(f"{display}: not a KerasTuner trial (no trial_id)")
    name = prefix + os.path.basename(folder)
    hp = _values(state.get("hyperparameters"))
    observed = _observations(state.get("metrics"))
    objective = _objective(observed, state.get("score"))
    facts: dict[str, Any] = {"trial_id": str(state["trial_id"])}
    facts.update(hp)
    if isinstance(state.get("score"), (int, float)) and not isinstance(state["score"], bool):
        facts["score"] = json_safe(to_float(state["score"]))
    if isinstance(state.get("status"), str):
        facts["trial_status"] = state["status"]
    status = _STATUS.get(str(state.get("status")), "unknown")

    run = _recorded(source, folder, name)
    if run is None:
        run = _from_observations(source, observed, name, status)
    if run is None:
        return None
    run.name = name
    run.framework = "keras"  # a KerasTuner project: its trials are Keras fits
    run.facts = {**facts, **{k: v for k, v in run.facts.items() if k not in facts}}
    run.meta["hyperparameters"] = list(hp)
    if objective is not None:
        run.meta["objective"] = {"name": objective[0], "direction": objective[1]}
    run.meta["keras_tuner"] = {"trial_id": facts["trial_id"], "folder": folder}
    if run.status == "unknown":
        run.status = status
    return run


def _values(hyperparameters: Any) -> dict[str, Any]:
    values = hyperparameters.get("values") if isinstance(hyperparameters, dict) else None
    if not isinstance(values, dict):
        return {}
    return {
        str(k): json_safe(v) for k, v in values.items()
        if k not in BOOKKEEPING and (v is None or isinstance(v, (bool, int, float, str)))
    }


def _observations(metrics: Any) -> dict[str, tuple[str, dict[int, float]]]:
    """Metric → (direction, step → value); a step's values (executions) are averaged."""
    inner = metrics.get("metrics") if isinstance(metrics, dict) else None
    if not isinstance(inner, dict):
        return {}
    out: dict[str, tuple[str, dict[int, float]]] = {}
    for name, history in inner.items():
        if not isinstance(history, dict):
            continue
        steps: dict[int, float] = {}
        for obs in history.get("observations") or []:
            if not isinstance(obs, dict):
                continue
            step, value = obs.get("step"), obs.get("value")
            values = value if isinstance(value, list) else [value]
            nums = [to_float(v) for v in values
                    if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if isinstance(step, int) and not isinstance(step, bool) and step >= 0 and nums:
                steps[step] = sum(nums) / len(nums)
        if steps:
            out[str(name)] = (str(history.get("direction") or ""), steps)
    return out


def _objective(
    observed: dict[str, tuple[str, dict[int, float]]], score: Any
) -> tuple[str, str] | None:
    """The metric whose best observation is the trial's score (the tuner's objective)."""
    if not isinstance(score, (int, float)) or isinstance(score, bool):
        return None
    for name, (direction, steps) in observed.items():
        if direction not in ("min", "max"):
            continue
        best = min(steps.values()) if direction == "min" else max(steps.values())
        if math.isclose(best, to_float(score), rel_tol=1e-9, abs_tol=1e-12):
            return name, direction
    return None


def _recorded(source: Source, folder: str, name: str) -> Run | None:
    """The trial's curves from a history in its folder (the callback's run file first)."""
    from fitdoctor.readers import HISTORY_SUFFIXES, read_source

    try:
        files = sorted(os.listdir(folder))
    except OSError:
        return None
    files.sort(key=lambda f: (f not in RUN_FILES, f))
    for f in files:
        if f in TUNER_FILES or f.startswith(".") or not f.lower().endswith(HISTORY_SUFFIXES):
            continue
        path = os.path.join(folder, f)
        try:
            runs = read_source(Source(path, path, metric_map=source.metric_map))
        except (InputError, OSError):
            continue
        return runs[-1]  # a run log appended by retries: the last attempt
    return None


def _from_observations(
    source: Source, observed: dict[str, tuple[str, dict[int, float]]], name: str, status: str
) -> Run | None:
    if not observed:
        return None
    steps = sorted({s for _, by_step in observed.values() for s in by_step})
    columns = {
        metric: [by_step.get(s) for s in steps] for metric, (_, by_step) in observed.items()
    }
    notes: list[str] = []
    if len(steps) == 1:
        notes.append(
            f"KerasTuner keeps only a trial's best epoch (epoch {steps[0] + 1} here): save "
            "each trial's history into its trial folder to judge the curves"
        )
    draft = Draft(columns, epochs=[s + 1 for s in steps], notes=notes, status=status)
    tmp = Source(f"{source.display.rstrip('/')}/{name}", None, b"", source.metric_map)
    try:
        run = finish(draft, tmp, "keras-tuner")
    except InputError:
        return None
    return label_runs([run])[0]
