"""Lists of records: one JSON object per epoch (or per logging step), and Hugging Face logs.

* **Per-epoch records** -- ``[{"epoch": 1, "loss": 0.7, "val_loss": 0.8}, ...]``, a JSON
  array or JSON Lines (one object per line): a table, read by
  :mod:`fitdoctor.readers.tables` (an ``epoch`` key numbers the rows; a key missing from
  a record is a gap; an object of numbers inside a record spreads into its keys,
  ``{"val": {"loss": x}}`` read as ``val_loss``; other objects and lists are left out).
* **A list of histories** -- ``[{"loss": [...]}, {"loss": [...]}]`` (folds, repeats):
  one run per history.
* **Hugging Face Trainer** -- ``trainer_state.json`` (its ``log_history``) or the bare
  ``log_history`` list: training records (``loss``, ``learning_rate``, ``grad_norm`` at
  a fractional ``epoch`` and a ``step``), evaluation records (``eval_*``) and a final
  summary (``train_runtime``, ``train_loss``...). With evaluations, one row per
  evaluation: its ``eval_*`` values as validation, the mean of the training records
  logged since the evaluation before (the learning rate: the last) as training. Rows
  are numbered by epoch when every evaluation falls on a whole epoch, else 1..n (with a
  note, and, for evaluations every N steps, ``Run.meta["eval_steps"]`` = N, so the
  advice's code keeps ``eval_strategy="steps"``). Without evaluations, training records
  are averaged per epoch. The summary record and ``trainer_state.json``'s own fields are
  facts, the settings first (``train_batch_size``, ``num_train_epochs``, ...); timings
  (``*_runtime``, ``*_per_second``, ``total_flos``) are left out of the curves; the
  Trainer's process flags (``is_world_process_zero``...), its callbacks' saved state,
  its token count and empty fields (``null``) are left out of the facts: they say nothing
  about the training, and a sweep would read the flags as hyperparameters.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Draft, Source, json_safe
from fitdoctor.readers._numbers import is_number, numbers
from fitdoctor.readers.history import as_curve, drafts_from_history
from fitdoctor.readers.names import is_split_name, read_name
from fitdoctor.readers.tables import Table, drafts_from_table, positional_names
from fitdoctor.run import EVAL_STEPS, FitInfo

__all__ = [
    "drafts_from_hf", "drafts_from_records", "hf_fit", "hf_state_facts", "is_hf_log",
]

_TIMING_SUFFIXES = ("_runtime", "_samples_per_second", "_steps_per_second")
_HF_SUMMARY_KEYS = frozenset({"train_runtime", "total_flos"})
#: ``trainer_state.json`` fields that are the Trainer's bookkeeping, not the training's.
_HF_STATE_BOOKKEEPING = frozenset({
    "log_history", "is_local_process_zero", "is_world_process_zero", "is_hyper_param_search",
    "stateful_callbacks", "num_input_tokens_seen",
})
#: ``trainer_state.json`` fields that are settings, shown first.
_HF_STATE_SETTINGS = ("train_batch_size", "num_train_epochs", "max_steps", "logging_steps",
                      "eval_steps", "save_steps")


def drafts_from_records(
    records: list[Any], source: Source, *, facts: Mapping[str, Any] | None = None
) -> list[Draft]:
    """Read a JSON array (or JSON Lines) of records.

    Args:
        records: The array.
        source: Its source.
        facts: Facts from around the array. Defaults to `None`.

    Returns:
        One draft per run.

    Raises:
        InputError: The array is not records (numbers, text), or is empty.
    """
    display = source.display
    if not records:
        raise InputError(f"{display}: empty JSON array; expected one record per epoch")
    rows = _number_rows(records)
    if rows is not None:
        # [[15, 2.17, 2.16], [30, 2.04, 2.08], ...]: rows of bare numbers, a table without
        # a header: the user names its columns by position, as a headerless CSV's
        columns = positional_names(len(rows[0]), source,
                                   "a JSON array of rows of numbers names no column", "")
        return drafts_from_table(Table(
            names=columns, rows=rows, text_cells=False,
            notes=["JSON rows of numbers: columns named by --metric-map"]), source)
    odd = [r for r in records if not isinstance(r, Mapping)]
    if odd:
        # an array of numbers alone is read as one curve (json_files): name what else
        # an array beside numbers holds ([0.5, "0.4"] is numbers and str)
        other = next((r for r in odd if not is_number(r)), odd[0])
        kind = "numbers" if is_number(other) else type(other).__name__
        if is_number(odd[0]) and kind != "numbers":
            kind = f"numbers and {kind}"
        raise InputError(
            f"{display}: JSON array of {kind}, expected an object of metric lists "
            "(json.dump(history.history, f)) or a list of per-epoch records "
            '([{"epoch": 1, "loss": ...}, ...])'
        )
    if all(any(as_curve(v) is not None for v in r.values()) for r in records):
        drafts: list[Draft] = []
        for i, record in enumerate(records):
            name = record.get("name") or record.get("label") or str(i + 1)
            for draft in drafts_from_history(
                record, display, metric_map=source.metric_map, facts=facts
            ):
                draft.label = f"{name}/{draft.label}" if draft.label else str(name)
                drafts.append(draft)
        return drafts
    if is_hf_log(records):
        return drafts_from_hf(records, source, facts=facts)
    flat = [_flatten(record) for record in records]
    names: dict[str, None] = {}
    for record in flat:
        names.update(dict.fromkeys(str(k) for k in record))
    rows = [[_record_cell(record, name) for name in names] for record in flat]
    table = Table(names=list(names), rows=rows, text_cells=False)
    drafts = drafts_from_table(table, source)
    for draft in drafts:
        draft.facts = dict(facts or {})
    return drafts


def _flatten(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """A record's objects of numbers spread into its own keys.

    ``{"val": {"loss": x}}`` becomes ``{"val.loss": x}`` (read as ``val_loss``); other
    objects and lists are left in place (and out later). Per-epoch records that group
    their values by split (``{"epoch": 1, "train": {"loss": ...}, "val": {...}}``) then
    read as the names they mean. An object that wraps whole names (``{"logs": {"loss":
    x, "val_loss": y}}``, see :func:`_wraps_names`) gives them as they are.
    """
    if not any(isinstance(v, Mapping) for v in record.values()):
        return record
    out: dict[str, Any] = {}
    for key, value in record.items():
        if (isinstance(value, Mapping) and value
                and all(v is None or is_number(v) for v in value.values())):
            whole = _wraps_names(str(key), [str(sub) for sub in value])
            for sub, v in value.items():
                out.setdefault(str(sub) if whole else f"{key}.{sub}", v)
        else:
            out.setdefault(str(key), value)
    return out


def _wraps_names(key: str, subs: list[str]) -> bool:
    """``{key: {sub: ...}}`` wraps whole metric names, not parts of one.

    Neither side is a split alone (``{"val": {"loss"}}``, ``{"loss": {"train"}}`` name one
    metric by both), and the inner names read as metrics of their own: a loss, or a
    held-out value (``{"logs": {"loss", "val_loss"}}``, ``{"metrics": {...}}``). An object
    of one metric's statistics (``{"loss": {"mean", "std"}}``) keeps its name as a prefix.
    """
    if is_split_name(key) or any(is_split_name(sub) for sub in subs):
        return False
    return any("loss" in sub.lower() or read_name(sub).role in ("val", "test") for sub in subs)


def _record_cell(record: Mapping[str, Any], name: str) -> Any:
    if name not in record:
        return None
    value = record[name]
    if isinstance(value, (Mapping, list)):
        return "(object)"
    return value


def is_hf_log(records: list[Any]) -> bool:
    """A Hugging Face ``log_history``: records with ``step`` and fractional ``epoch``."""
    if not records or not all(isinstance(r, Mapping) for r in records):
        return False
    if not all("step" in r and "epoch" in r for r in records):
        return False
    keys = {k for r in records for k in r}
    return any(k.startswith("eval_") for k in keys) or any(
        is_number(r["epoch"]) and not float(r["epoch"]).is_integer() for r in records
    ) or bool(keys & _HF_SUMMARY_KEYS)


def hf_state_facts(state: Mapping[str, Any]) -> dict[str, Any]:
    """The facts of a ``trainer_state.json``: its fields but the log and the bookkeeping.

    Args:
        state: The file's object.

    Returns:
        Field → JSON-safe value, the settings (``train_batch_size``, ...) first; the
        process flags, the callbacks' state, the token count and ``null`` fields left out.
    """
    kept = {str(k): v for k, v in state.items()
            if str(k) not in _HF_STATE_BOOKKEEPING and v is not None}
    order = [k for k in _HF_STATE_SETTINGS if k in kept]
    order += [k for k in kept if k not in order]
    return {k: json_safe(kept[k]) for k in order}


def hf_fit(state: Mapping[str, Any]) -> tuple[FitInfo | None, str, dict[str, Any]]:
    """What a ``trainer_state.json`` says of the fit: the epochs asked, its early stopping.

    The state keeps each stateful callback's settings (``stateful_callbacks``,
    transformers 4.39 and later). EarlyStoppingCallback refuses to start unless
    ``load_best_model_at_end=True``, so a state that holds it restored the best
    checkpoint at the end: the fit facts say so (``restore_best_weights``), as Keras's
    ``EarlyStopping(restore_best_weights=True)`` would. Training that ended before
    ``max_steps`` with it in force stopped early.

    Args:
        state: The file's object.

    Returns:
        ``(fit, status, facts)``: the fit facts (``num_train_epochs`` as the epochs asked
        for, ``restore_best_weights`` when the callback was in force), the run's status
        (``"stopped-early"`` or ``"unknown"``) and ``{"early_stopping_patience": N}`` when
        the callback was in force.
    """
    asked = state.get("num_train_epochs")
    epochs = asked if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0 \
        else None
    callbacks = state.get("stateful_callbacks")
    found = callbacks.get("EarlyStoppingCallback") if isinstance(callbacks, Mapping) else None
    if not isinstance(found, Mapping):
        return (FitInfo(epochs=epochs) if epochs else None), "unknown", {}
    args = found.get("args")
    patience = args.get("early_stopping_patience") if isinstance(args, Mapping) else None
    facts = {"early_stopping_patience": patience} if is_number(patience) else {}
    step, last = state.get("global_step"), state.get("max_steps")
    stopped = is_number(step) and is_number(last) and 0 < step < last
    return (FitInfo(epochs=epochs, restore_best_weights=True),
            "stopped-early" if stopped else "unknown", facts)


def _is_timing(key: str) -> bool:
    return key.endswith(_TIMING_SUFFIXES) or key == "total_flos"


def drafts_from_hf(
    records: list[Mapping[str, Any]],
    source: Source,
    *,
    facts: Mapping[str, Any] | None = None,
    fit: FitInfo | None = None,
    status: str = "unknown",
) -> list[Draft]:
    """Read a Hugging Face Trainer ``log_history``.

    Args:
        records: The log records.
        source: Their source.
        facts: ``trainer_state.json``'s other fields. Defaults to `None`.
        fit: Fit facts (``num_train_epochs``). Defaults to `None`.
        status: The run's status, as ``trainer_state.json`` tells it. Defaults to
            ``"unknown"``.

    Returns:
        One draft.

    Raises:
        InputError: No training or evaluation record with a number.
    """
    display = source.display
    run_facts = dict(facts or {})
    train: list[Mapping[str, Any]] = []
    evals: list[Mapping[str, Any]] = []
    before_eval: list[list[Mapping[str, Any]]] = []  # training records logged before each
    pending: list[Mapping[str, Any]] = []
    after: list[Any] = []  # evaluations after training (trainer.evaluate()): facts
    finished = False
    for record in records:
        if _HF_SUMMARY_KEYS & set(record):
            finished = True
            for key, value in record.items():
                if key not in ("epoch", "step"):
                    run_facts[str(key)] = json_safe(value)
        elif any(str(k).startswith("eval_") for k in record):
            repeat = bool(evals) and not pending and record.get("step") == evals[-1].get("step")
            if finished or repeat:
                after.append(json_safe({k: v for k, v in record.items() if not _is_timing(k)}))
                continue
            evals.append(record)
            before_eval.append(pending)
            pending = []
        else:
            train.append(record)
            pending.append(record)
    notes: list[str] = []
    if after:
        run_facts["evaluations_after_training"] = after
    train_keys = _keys(train)
    eval_keys = _keys(evals)
    if not train_keys and not eval_keys:
        raise InputError(
            f"{display}: Hugging Face log with no training or evaluation values "
            "(expected records with 'loss' or 'eval_loss')"
        )
    columns: dict[str, list[Any]] = {k: [] for k in (*train_keys, *eval_keys)}
    if evals:
        for record, logged in zip(evals, before_eval, strict=True):
            for key in train_keys:
                columns[key].append(_combine([p.get(key) for p in logged], key))
            for key in eval_keys:
                columns[key].append(record.get(key))
        if pending:
            notes.append(
                f"{len(pending)} training log record(s) after the last evaluation left out"
            )
        marks = [record.get("epoch") for record in evals]
    else:
        groups: dict[int, list[Mapping[str, Any]]] = {}
        for record in train:
            e = record.get("epoch")
            # a NaN or infinite epoch mark says nothing: numbered in order, as a missing one
            k = (max(1, math.ceil(e)) if is_number(e) and math.isfinite(e)
                 else len(groups) + 1)
            groups.setdefault(k, []).append(record)
        for records_of in groups.values():
            for key in train_keys:
                columns[key].append(_combine([p.get(key) for p in records_of], key))
        marks = [float(k) for k in groups]
    epochs = _epoch_numbers(marks, notes)
    meta: dict[str, Any] = {}
    # evaluations off whole epochs (eval_strategy="steps"): each row is an evaluation
    by_steps = any(not (is_number(m) and float(m).is_integer()) for m in marks)
    every = _eval_interval(evals) if evals and by_steps else None
    if every is not None:
        meta[EVAL_STEPS] = every
    converted: dict[str, list[Any]] = {}
    for key, values in columns.items():
        converted[key] = numbers(values, display, key, epoch_of=epochs.__getitem__)
    return [Draft(columns=converted, epochs=epochs, notes=notes, facts=run_facts, fit=fit,
                  status=status, framework="transformers", meta=meta)]


def _eval_interval(evals: list[Mapping[str, Any]]) -> int | None:
    """The steps between evaluations made every N steps (N, 2N, 3N...), else `None`."""
    steps = [s for e in evals if isinstance(s := e.get("step"), int) and not isinstance(s, bool)]
    if not steps or len(steps) != len(evals):
        return None
    first = steps[0]
    if first <= 0 or any(s != first * (i + 1) for i, s in enumerate(steps)):
        return None
    return first


def _keys(records: list[Mapping[str, Any]]) -> list[str]:
    keys: dict[str, None] = {}
    for record in records:
        for key, value in record.items():
            name = str(key)
            if name in ("epoch", "step") or _is_timing(name):
                continue
            if value is None or is_number(value):
                keys[name] = None
    return list(keys)


def _combine(values: list[Any], key: str) -> Any:
    logged = [float(v) for v in values if is_number(v)]
    if not logged:
        return None
    if "learning_rate" in key or key == "lr":
        return logged[-1]
    return sum(logged) / len(logged)


def _epoch_numbers(marks: list[Any], notes: list[str]) -> list[int]:
    whole = [round(float(m)) for m in marks if is_number(m) and abs(float(m) - round(m)) < 1e-6]
    increasing = all(b > a for a, b in itertools.pairwise(whole))
    if len(whole) == len(marks) and increasing and whole and whole[0] >= 1:
        return whole
    shown = ", ".join(f"{float(m):g}" for m in marks[:4] if is_number(m))
    notes.append(
        f"evaluations at epochs {shown}{', ...' if len(marks) > 4 else ''}: one row per "
        "evaluation, numbered 1..n"
    )
    return list(range(1, len(marks) + 1))


def _number_rows(records: list[Any]) -> list[list[Any]] | None:
    """``records`` as rows of one width holding numbers (or nulls), else ``None``."""
    if not all(isinstance(r, list) and r for r in records):
        return None
    if len({len(r) for r in records}) != 1:
        return None
    if not all(v is None or is_number(v) for r in records for v in r):
        return None
    return [list(r) for r in records]
