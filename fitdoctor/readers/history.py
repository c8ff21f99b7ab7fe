"""Keras-History-like mappings: metric name → one value per epoch, and what sits beside.

``json.dump(history.history, f)`` writes the plain case; people add to it. This module
reads one mapping into one or more drafts:

* **Curves** are lists of numbers (``null`` a gap, ``NaN``/``Infinity`` values).
  ``val_*`` lists shorter than the training lists come from ``validation_freq > 1``:
  Keras validates after the epochs ``e`` with ``e % validation_freq == 0`` (1-based),
  so they are aligned to those epochs, gaps in between. The frequency is inferred as
  the largest ``f`` with ``n_train // f == n_val``; when another ``f`` would fit too,
  or none does (``initial_epoch``, a list ``validation_freq``), the run's notes say
  what was assumed. ``val_*`` lists longer than the training lists are an error.
  Metrics whose values are vectors (``F1Score(average=None)``) are left out, with a note.
* **Facts**: everything else -- numbers (``test_accuracy``, ``training_time``), text
  (``timestamp``), objects (``config``), lists of text (``class_names``) and lists of
  numbers whose length is not the run's (``phase_starts`` aside) -- kept in
  ``Run.facts``, shown once, never judged.
* **An ``epoch`` list** (CSVLogger's 0-based numbers, or 1-based) numbers the rows.
* **Phases**: ``phase_starts`` (0-based row of each phase's first epoch) with
  ``phase_labels`` (or ``stage_*``) mark phases of one training in ``Run.phases``.
* **Prefixed curve groups of another length** (``fine_tune_loss``,
  ``fine_tune_val_loss`` next to a 9-epoch ``loss``): a second training stored in the
  same object, read as a run of its own labelled by the prefix. Equal-length prefixed
  losses next to a plain ``loss`` are a multi-output model's (``out1_loss``): one run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Draft, json_safe
from fitdoctor.readers._numbers import (
    Vector,
    describe,
    is_boolean,
    is_number,
    is_number_like,
    numbers,
    one_based,
    val_positions,
    whole_numbers,
)
from fitdoctor.readers.names import EPOCH_NAMES, Reading, canonical_names
from fitdoctor.run import FitInfo, Phase

__all__ = ["as_curve", "drafts_from_history", "is_curve"]

_PLAIN = frozenset({float, int, type(None)})
_PHASE_STARTS = re.compile(r"(phase|stage)s?_?(starts?|start_epochs?|boundaries|epochs?)", re.I)
_PHASE_LABELS = re.compile(r"(phase|stage)s?_?(labels?|names?)", re.I)


def as_curve(value: Any) -> list[Any] | None:
    """``value`` as a list when it can be a curve (a list of numbers or vectors), else None.

    Args:
        value: A JSON value, or a numpy array / list of numpy scalars in-process.

    Returns:
        The list, or ``None`` (text lists, objects, scalars).
    """
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) == 1:
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return None
    if set(map(type, value)) <= _PLAIN:  # the common case, checked in C
        return list(value)
    for v in value:
        if v is None or is_number(v) or is_number_like(v):
            continue
        if isinstance(v, (list, tuple)) or getattr(v, "ndim", 0) >= 1:
            continue
        if isinstance(v, str) or is_boolean(v):
            # Text among numbers is an error the number parser names; all text is a fact.
            return list(value) if any(is_number(x) for x in value) else None
        return None
    return list(value)


def is_curve(value: Any) -> bool:
    """True when ``value`` can be a per-epoch curve (see :func:`as_curve`)."""
    return as_curve(value) is not None


def drafts_from_history(
    hist: Mapping[Any, Any],
    display: str,
    *,
    metric_map: Mapping[str, str] | None = None,
    label: str = "",
    epoch_numbers: Sequence[int] | None = None,
    fit: FitInfo | None = None,
    status: str = "unknown",
    facts: Mapping[str, Any] | None = None,
) -> list[Draft]:
    """Read a History-like mapping into one draft (or more, for prefixed groups).

    Args:
        hist: Metric name → list of values, plus anything else (kept as facts).
        display: The source, for errors.
        metric_map: The user's name mapping. Defaults to `None`.
        label: The run's name inside its file. Defaults to ``""``.
        epoch_numbers: Keras's 0-based epoch numbers (``History.epoch``). Defaults to `None`.
        fit: Fit facts already known. Defaults to `None`.
        status: Run status already known. Defaults to ``"unknown"``.
        facts: Facts from around the mapping (a wrapper's other keys). Defaults to `None`.

    Returns:
        The drafts (the main run first).

    Raises:
        InputError: No curve at all, text among numbers, or val lists longer than the
            training lists.
    """
    curves: dict[str, list[Any]] = {}
    run_facts: dict[str, Any] = dict(facts or {})
    for key, value in hist.items():
        name = str(key)
        curve = as_curve(value)
        if curve is None and "loss" in name.lower() and isinstance(value, (list, tuple)):
            curve = list(value)  # text where a loss belongs: the number parser names it
        if curve is None:
            run_facts[name] = json_safe(value)
        else:
            curves[name] = curve
    if not curves:
        raise InputError(_no_curves(hist, display))
    notes: list[str] = []
    epoch_col = _pop_epoch(curves)
    phase_starts, phase_labels = _pop_phases(curves, run_facts)
    if not curves:
        raise InputError(_no_curves({k: v for k, v in hist.items() if k in run_facts}, display))

    groups, main, names = _split_groups(curves, metric_map)
    if groups and not any("loss" in k.lower() for k in main):
        for key, value in main.items():  # stray lists beside the groups: no run of theirs
            run_facts[key] = json_safe(value)
        main = {}
    drafts: list[Draft] = []
    if main:
        drafts.append(
            _draft(
                main, display, metric_map, notes, run_facts, epoch_col, epoch_numbers,
                (phase_starts, phase_labels), fit, status, label,
                names=None if groups else names,
            )
        )
    for prefix, group in groups.items():
        sub_label = prefix.rstrip("_-. ")
        drafts.append(
            _draft(
                group, display, metric_map, [], dict(run_facts), None, None, (None, None),
                None, "unknown", f"{label}/{sub_label}" if label else sub_label,
            )
        )
    return drafts


def _no_curves(hist: Mapping[Any, Any], display: str) -> str:
    if not hist:
        return f"{display}: no metrics (empty object); expected metric name → list of values"
    key, value = next(iter(hist.items()))
    what = describe(value)
    if isinstance(value, (list, tuple)):
        odd = next((v for v in value if not is_number(v)), None)
        what = f"a list holding {describe(odd)}" if value else "an empty list"
    return (
        f"{display}: no per-epoch curve: metric {str(key)!r} is {what}, expected "
        "a list of numbers (one per epoch), as json.dump(history.history, f) writes"
    )


def _pop_epoch(curves: dict[str, list[Any]]) -> list[Any] | None:
    if len(curves) < 2:
        return None
    for key in list(curves):
        if key.lower() in EPOCH_NAMES:
            return curves.pop(key)
    return None


def _pop_phases(
    curves: dict[str, list[Any]], facts: dict[str, Any]
) -> tuple[list[Any] | None, list[Any] | None]:
    starts = labels = None
    for key in list(curves):
        if _PHASE_STARTS.fullmatch(key):
            starts = curves.pop(key)
            facts[key] = json_safe(starts)
    for key in list(facts):
        if _PHASE_LABELS.fullmatch(key) and isinstance(facts[key], list):
            labels = facts[key]
    return starts, labels


_ROLE_PREFIX_WORDS = frozenset(
    {"val", "validation", "valid", "train", "training", "dev", "eval", "test", "epoch"}
)


def _split_groups(
    curves: dict[str, list[Any]], metric_map: Mapping[str, str] | None
) -> tuple[
    dict[str, dict[str, list[Any]]], dict[str, list[Any]], tuple[dict[str, Reading], list[str]]
]:
    """Prefixed curve groups that are runs of their own, the main curves, the names read."""
    names = canonical_names(curves, metric_map)
    readings = names[0]
    has_main_loss = any(r.canonical in ("loss", "val_loss") for r in readings.values())
    n = _length(curves, readings)
    prefixes: set[str] = set()
    for key in curves:
        reading = readings[key]
        if reading.user or reading.canonical in ("loss", "val_loss"):
            continue
        if not key.lower().endswith("loss"):
            continue
        prefix = key[: -len("loss")]
        words = [w for w in re.split(r"[_\-. ]+", prefix.lower()) if w]
        if not words or words[-1] in _ROLE_PREFIX_WORDS:
            continue
        if has_main_loss and len(curves[key]) == n:
            continue  # a multi-output model's per-output loss
        prefixes.add(prefix)
    groups: dict[str, dict[str, list[Any]]] = {}
    taken: set[str] = set()
    for prefix in sorted(prefixes, key=len, reverse=True):
        members = [k for k in curves if k.startswith(prefix) and k not in taken]
        taken.update(members)
        groups[prefix] = {k[len(prefix):]: curves[k] for k in members}
    order = list(curves)
    ordered = dict(
        sorted(groups.items(), key=lambda kv: min(order.index(prefix_key)
                                                  for prefix_key in curves
                                                  if prefix_key.startswith(kv[0])))
    )
    main = {k: v for k, v in curves.items() if k not in taken}
    return ordered, main, names


def _length(curves: Mapping[str, list[Any]], readings: Mapping[str, Any]) -> int:
    """The run's length: the training loss's, else the most common training length."""
    for key, r in readings.items():
        if r.canonical == "loss" and key in curves:
            return len(curves[key])
    train = [len(curves[k]) for k, r in readings.items() if r.role == "train" and k in curves]
    if train:
        counts = Counter(train).most_common()
        best = max(c for _, c in counts)
        return max(length for length, c in counts if c == best)
    return max(len(v) for v in curves.values())


def _draft(
    curves: dict[str, list[Any]],
    display: str,
    metric_map: Mapping[str, str] | None,
    notes: list[str],
    facts: dict[str, Any],
    epoch_col: list[Any] | None,
    epoch_numbers: Sequence[int] | None,
    phase_keys: tuple[list[Any] | None, list[Any] | None],
    fit: FitInfo | None,
    status: str,
    label: str,
    *,
    names: tuple[dict[str, Reading], list[str]] | None = None,
) -> Draft:
    readings, name_notes = names if names is not None else canonical_names(curves, metric_map)
    n = _length(curves, readings)
    if n == 0:
        raise InputError(f"{display}: no epochs (every metric list is empty)")
    if not any(r.role == "train" and r.canonical for r in readings.values()):
        notes.append("history has only validation metrics")
    if epoch_col is not None and len(epoch_col) == n:
        epochs = one_based(whole_numbers(epoch_col, display), notes)
        _check_increasing(epochs, display)
    elif epoch_numbers is not None and len(epoch_numbers) == n:
        epochs = [int(e) + 1 for e in epoch_numbers]
    else:
        if epoch_col is not None:
            notes.append(f"'epoch' left out: it has {len(epoch_col)} values for {n} epochs")
        epochs = list(range(1, n + 1))

    columns: dict[str, list[Any]] = {}
    positions: dict[int, list[int]] = {}
    inferred_freq: int | None = None
    for key, vals in curves.items():
        m = len(vals)
        reading = readings[key]
        if m > n and reading.role in ("val", "test"):
            raise InputError(
                f"{display}: {key!r} has {m} values but the training metrics have {n} epochs; "
                "val_* lists cannot be longer than the training lists (is one cut short?)"
            )
        if m == 0:
            notes.append(f"{key!r} left out: no value logged")
            continue
        if m != n and reading.role == "train":
            facts[key] = json_safe(vals)
            notes.append(f"{key!r} kept as a fact, not a curve: {m} values for {n} epochs")
            continue
        try:
            values = numbers(vals, display, key, epoch_of=epochs.__getitem__ if m == n else None)
        except Vector:
            notes.append(f"{key!r} left out: it holds a vector per epoch, not a number")
            continue
        if m < n:
            if m not in positions:
                pos, freq, note = val_positions(epochs, m)
                positions[m] = pos
                notes.append(note)
                inferred_freq = freq if inferred_freq is None else inferred_freq
            column: list[float | None] = [None] * n
            for p, v in zip(positions[m], values, strict=True):
                column[p] = v
            values = column
        columns[key] = values
    if not columns:
        raise InputError(
            f"{display}: no numeric metric (every metric is empty or holds vectors)"
        )
    if inferred_freq is not None:
        fit = fit or FitInfo()
        if fit.validation_freq is None:
            fit.validation_freq = inferred_freq
    phases = _phases(phase_keys, epochs, notes)
    if phases:  # the phases are shown as such: their keys need not be facts too
        for key in [k for k in facts if _PHASE_STARTS.fullmatch(k) or _PHASE_LABELS.fullmatch(k)]:
            del facts[key]
    return Draft(
        columns=columns,
        epochs=epochs,
        notes=[*notes, *name_notes],
        facts=facts,
        phases=phases,
        fit=fit,
        status=status,
        label=label,
        readings={k: r for k, r in readings.items() if k in columns},
    )


def _check_increasing(epochs: list[int], display: str) -> None:
    for i in range(1, len(epochs)):
        if epochs[i] <= epochs[i - 1]:
            raise InputError(
                f"{display}: 'epoch' goes from {epochs[i - 1]} back to {epochs[i]} at value "
                f"{i + 1}: one list per run is expected (split the runs into separate keys)"
            )


def _phases(
    keys: tuple[list[Any] | None, list[Any] | None], epochs: list[int], notes: list[str]
) -> list[Phase]:
    starts, labels = keys
    if not starts or not all(is_number(s) and float(s).is_integer() for s in starts):
        return []
    rows = sorted({int(s) for s in starts})
    if rows[0] < 0 or rows[-1] >= len(epochs):
        notes.append(f"phase starts {rows} do not fit {len(epochs)} epochs: not marked")
        return []
    names = [str(x) for x in labels] if isinstance(labels, list) else []
    if len(names) != len(starts):
        names = [""] * len(starts)
    if len(rows) < 2:
        return []  # one phase is no boundary (its label stays a fact)
    order = sorted(range(len(starts)), key=lambda i: int(starts[i]))
    return [Phase(epoch=epochs[int(starts[i])], label=names[i]) for i in order]
