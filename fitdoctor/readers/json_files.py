"""JSON files: fitdoctor run files, Keras histories as people write them, records, HF logs.

What a JSON file may hold, tried in this order:

1. ``"schema": "fitdoctor.run/1"`` -- a fitdoctor run file (what the callback writes).
   Another schema version, a report (``fitdoctor.report/1``) or a file with the run
   file's keys but no ``schema`` are errors that say so.
2. ``DataFrame(history.history).to_json()`` (or ``.to_dict()``) -- metric → {row →
   value}, an empty object for a metric never logged (or the ``orient="index"`` form,
   row → {metric → value}).
3. A Hugging Face ``trainer_state.json`` (``log_history``), see
   :mod:`fitdoctor.readers.records`.
4. An object with curves (lists of numbers) -- ``json.dump(history.history, f)`` and
   everything people add to it, see :mod:`fitdoctor.readers.history`. Objects inside it
   that are histories themselves are runs of their own, except the splits of one run
   (``{"train": {"loss": [...]}, "val": {"loss": [...]}}``), read as ``loss`` and
   ``val_loss``.
5. An object whose values are histories (or hold one): a wrapper
   (``{"history": {...}, "params": {...}, "epoch": [...]}`` -- Keras's ``History``
   attributes -- or ``{"history": {...}, "class_names": [...]}``) is one run, its other
   keys facts; several (``{"frozen": {...}, "finetune": {...}}``, ``{"0": ..., "1":
   ...}``, nested up to 4 levels) are several runs, labelled by their keys. Phases kept
   under separate keys are read as separate runs: nothing in such a file says the second
   continued the first's weights (fold histories look the same), and judging each on
   its own never reads the jump at a boundary as a blow-up. A file that marks phases of
   one training itself (``phase_starts``) is one run with ``Run.phases``.
6. An array: per-epoch records, a list of histories, or a HF ``log_history``; an array
   of numbers alone (``json.dump(history.history["loss"], f)``) names no metric and is
   read as the training loss, with a note.
7. JSON Lines: one record per line (a file of one line, ``{"epoch": 0, "loss": 0.7}``,
   is that one record).

``NaN``/``Infinity`` tokens (what ``json.dump`` writes for a diverged run) are values,
``null`` is a gap.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fitdoctor.errors import InputError
from fitdoctor.readers._base import (
    Draft,
    Source,
    depth_over,
    finish,
    json_loads,
    json_safe,
    label_runs,
    one_line,
    rises_like_a_score,
    too_deep,
)
from fitdoctor.readers._numbers import MISSING, is_number
from fitdoctor.readers.history import as_curve, drafts_from_history
from fitdoctor.readers.names import (
    EPOCH_NAMES,
    is_bare_split,
    is_split_name,
    read_name,
    split_metric,
)
from fitdoctor.readers.pyrepr import python_literal
from fitdoctor.run import FitInfo, Run

if TYPE_CHECKING:
    from fitdoctor.readers.tables import Table

# records and tables are imported where needed: a plain Keras History never needs them.

__all__ = ["read", "read_value", "sniff"]

_FIRST = re.compile(r"\S")
#: A log line that opens with a bracketed tag (``[2024-10-31 22:45:12] Loading data``):
#: a closed bracket with no quote or bracket inside, then text. Never JSON, nor a
#: printed Python value.
_LOG_TAG = re.compile(r"\s*\[[^\[\]{}\"'\r\n]*\][ \t]*[^\s,\]}]")
_MAX_DEPTH = 4
_NUMERIC_KEY = re.compile(r"-?\d+(\.\d+)?")


def sniff(source: Source) -> bool:
    """Text whose first non-space character is ``{`` or ``[``, or one short JSON value.

    A first line that opens with a bracketed tag and goes on with text
    (``[2024-10-31 22:45:12] Training started``) is a log line, not JSON: not claimed.
    """
    text = source.text
    first = _FIRST.search(text[:4096])
    if first is None:
        return False
    if first.group() in "{[":
        return _LOG_TAG.match(text, first.start()) is None
    stripped = text.strip()
    if first.group() == '"' and stripped.endswith('"') and _quoted_value(stripped) is not None:
        return True
    if "\n" in stripped or len(stripped) > 200:
        return False
    try:
        json_loads(stripped)
    except (ValueError, RecursionError):
        return False
    return True


def read(source: Source) -> list[Run]:
    """Read every run in a JSON (or JSON Lines) file.

    Args:
        source: The file.

    Returns:
        The runs, in file order.

    Raises:
        InputError: Invalid JSON, or JSON that holds no usable history.
    """
    text = source.text
    try:
        value = json_loads(text)
    except json.JSONDecodeError as exc:
        records = _json_lines(text) if exc.msg == "Extra data" else None
        printed = python_literal(text) if records is None else None
        if printed is not None and not depth_over(printed):
            # print(history.history) saved to a file: Python's quotes and nan, not JSON's
            return _read_noted(printed, source, (
                "read as Python's printed value (str(history.history): single quotes, "
                "nan), not JSON; json.dump(history.history, f) writes JSON"))
        if records is None:
            at_end = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
            what = "truncated JSON" if at_end else "invalid JSON"
            raise InputError(
                f"{source.display}: {what} (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        from fitdoctor.readers.records import drafts_from_records

        return _finish_all(drafts_from_records(records, source), source, "json-records")
    except RecursionError:
        raise too_deep(source.display) from None
    if depth_over(value):
        raise too_deep(source.display)
    if isinstance(value, str):
        inner = _history_text(value)
        if inner is not None and not depth_over(inner):
            # json.dump(str(history.history), f): the history's printed text, quoted
            return _read_noted(inner, source, (
                "read as a JSON string holding the history's text (json.dump of "
                "str(history.history)); json.dump(history.history, f) writes the "
                "history itself"))
    return read_value(value, source)


def _read_noted(value: Any, source: Source, note: str) -> list[Run]:
    """The runs of ``value``, each with ``note`` on how the file was read."""
    runs = read_value(value, source)
    for run in runs:
        run.meta.setdefault("notes", []).append(note)
    return runs


def _quoted_value(text: str) -> Any | None:
    """A JSON string whose text is a dict or list, as JSON or as Python printed it."""
    try:
        inner = json_loads(text)
    except (ValueError, RecursionError):
        return None
    return _history_text(inner) if isinstance(inner, str) else None


def _history_text(inner: str) -> Any | None:
    """A decoded JSON string's text as a dict or list (JSON, or Python's printed value)."""
    if not inner.strip().startswith(("{", "[")):
        return None
    try:
        value = json_loads(inner)
    except (ValueError, RecursionError):
        value = python_literal(inner)
    return value if isinstance(value, (dict, list)) else None


def _json_lines(text: str) -> list[Any] | None:
    records: list[Any] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = json_loads(line)
        except (json.JSONDecodeError, RecursionError):
            return None
        if not isinstance(value, dict) or depth_over(value):
            return None
        records.append(value)
    return records or None


def read_value(value: Any, source: Source) -> list[Run]:
    """Read the runs of a parsed JSON value (a file's, or a dict given in-process).

    Args:
        value: The parsed JSON.
        source: Where it came from.

    Returns:
        The runs.

    Raises:
        InputError: No usable history in it.
    """
    if isinstance(value, dict) and isinstance(value.get("schema"), str):
        return [_run_file(value, source)]
    if isinstance(value, list) and _bare_curve(value):
        return _finish_all(_bare_loss(value, source), source, "keras-history")
    if isinstance(value, list):
        from fitdoctor.readers.records import drafts_from_records

        if _runs_of_records(value):
            if _epochs_continue(value):
                # one run's records kept in an array per epoch (its batches): one table
                records = [record for part in value for record in part]
                return _finish_all(drafts_from_records(records, source), source,
                                   "json-records")
            # json.dump([records of run 1, records of run 2])
            drafts = [d for part in value for d in drafts_from_records(part, source)]
            return _finish_all(drafts, source, "json-records")
        return _finish_all(drafts_from_records(value, source), source, "json-records")
    if not isinstance(value, dict):
        raise InputError(
            f"{source.display}: JSON {_json_kind(value)}, expected an object of metric lists "
            "(json.dump(history.history, f)), a list of per-epoch records or a fitdoctor run"
        )
    if _one_record(value):  # JSON Lines of a training stopped after its first epoch
        from fitdoctor.readers.records import drafts_from_records

        return _finish_all(drafts_from_records([value], source), source, "json-records")
    if "metrics" in value and "epochs" in value and isinstance(value["metrics"], dict):
        raise InputError(
            f"{source.display}: looks like a fitdoctor run file without its 'schema' key; "
            'add "schema": "fitdoctor.run/1"'
        )
    table = _pandas_table(value)
    if table is not None:
        from fitdoctor.readers.tables import drafts_from_table

        return _finish_all(drafts_from_table(table, source), source, "keras-history")
    drafts = drafts_from_object(value, source, 0)
    return _finish_all(drafts, source, "keras-history")


def _runs_of_records(value: list[Any]) -> bool:
    """An array of arrays of per-epoch records: one run each (several trainings kept)."""
    return bool(value) and all(
        isinstance(part, list) and part and all(isinstance(r, dict) for r in part)
        for part in value
    )


def _epochs_continue(parts: list[Any]) -> bool:
    """Arrays of records whose epoch numbers go on from one array to the next: one run.

    ``[[{"epoch": 1, "step": 0, ...}, ...], [{"epoch": 2, ...}, ...]]`` is a loop that kept
    each epoch's batch records in an array of their own, not a run per array: runs kept
    side by side each count their epochs from the start.
    """
    spans = []
    for part in parts:
        epochs = [v for record in part for k, v in record.items()
                  if str(k).strip().lower() in EPOCH_NAMES]
        if len(epochs) < len(part) or not all(is_number(v) for v in epochs):
            return False
        spans.append((min(epochs), max(epochs)))
    return len(spans) > 1 and all(b[0] > a[1] for a, b in itertools.pairwise(spans))


def _bare_curve(value: list[Any]) -> bool:
    """An array of numbers alone (``null`` gaps allowed): one curve, its name not saved."""
    return any(is_number(v) for v in value) and all(v is None or is_number(v) for v in value)


def _bare_loss(value: list[Any], source: Source) -> list[Draft]:
    """``json.dump(history.history["loss"], f)``: the curve read as the training loss.

    The file names no metric; the loss is the one curve every training logs, and what a
    per-epoch list saved alone (``losses.json``) nearly always is. The note says so, and
    how to name it otherwise (``--metric-map loss=val_loss``). Values that rise within
    [0, 1] from the first epoch are an accuracy's (:func:`.rises_like_a_score`): refused,
    as a bare ``train`` curve of that shape is, unless the user names it.

    Raises:
        InputError: The curve rises like an accuracy and the user did not name it.
    """
    drafts = drafts_from_history({"loss": value}, source.display, metric_map=source.metric_map)
    if "loss" in (source.metric_map or {}):
        return drafts  # the user named it
    if rises_like_a_score(value):
        raise InputError(
            f"{source.display}: a JSON array of numbers names no metric, and its values rise "
            "within [0, 1], as an accuracy does: save json.dump(history.history, f); if it "
            "is the loss, say so with --metric-map loss=loss"
        )
    for draft in drafts:
        draft.notes.append(
            "a JSON array of numbers names no metric: read as the training loss (`loss`); "
            "if it is another metric, say which with --metric-map loss=NAME"
        )
    return drafts


def _one_record(value: dict[str, Any]) -> bool:
    """One per-epoch record: an ``epoch`` number beside numbers only (no curve)."""
    return is_number(value.get("epoch")) and all(
        v is None or is_number(v) for v in value.values()
    )


def _finish_all(drafts: list[Draft], source: Source, fmt: str) -> list[Run]:
    runs = [finish(d, source, fmt) for d in drafts]
    return label_runs(runs, [d.label for d in drafts])


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _run_file(data: dict[str, Any], source: Source) -> Run:
    schema = data["schema"]
    if schema.startswith("fitdoctor.report/"):
        raise InputError(
            f"{source.display}: this is a fitdoctor report ({schema}), not a run; analyze "
            "the run file it was made from"
        )
    try:
        run = Run.from_dict(data)
    except InputError as exc:
        raise InputError(f"{source.display}: {one_line(str(exc))}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{source.display}: malformed run file: {one_line(str(exc))}"
        ) from None
    if run.source == "unknown":
        run.source = "fitdoctor"
    if not run.name:
        run.name = source.name
    return run


# ------------------------------------------------------------------------ pandas


def _pandas_table(value: dict[str, Any]) -> Table | None:
    """``DataFrame.to_json()`` / ``to_dict()`` in the ``columns`` or ``index`` orient.

    In the ``columns`` orient (metric → {row → value}) a metric with no row at all
    (``"accuracy": {}``, a column pandas kept for a metric never logged) is left out
    with a note. None when the object is not such a table.
    """
    if not value or not all(isinstance(v, dict) for v in value.values()):
        return None
    from fitdoctor.readers.tables import Table

    inner = list(value.values())
    if not any(inner) or not all(all(_scalar(x) for x in col.values()) for col in inner):
        return None
    if all(_NUMERIC_KEY.fullmatch(str(k)) for col in inner for k in col):
        labels: dict[str, None] = {}
        for col in inner:
            labels.update(dict.fromkeys(col))
        order = sorted(labels, key=float)
        kept = {str(k): col for k, col in value.items() if col}
        empty = [str(k) for k, col in value.items() if not col]
        rows = [[_pandas_cell(col, r) for col in kept.values()] for r in order]
        notes = [f"metric {name!r} left out: no value logged" for name in empty]
        return Table(names=list(kept), rows=rows, text_cells=False, notes=notes)
    if all(inner) and all(_NUMERIC_KEY.fullmatch(str(k)) for k in value):
        order = sorted(value, key=float)
        names_seen: dict[str, None] = {}
        for r in order:
            names_seen.update(dict.fromkeys(str(k) for k in value[r]))
        names = list(names_seen)
        rows = [[_pandas_cell(value[r], n) for n in names] for r in order]
        return Table(names=names, rows=rows, text_cells=False)
    return None


def _scalar(x: Any) -> bool:
    return x is None or is_number(x) or isinstance(x, (str, bool))


def _pandas_cell(col: Mapping[str, Any], key: str) -> Any:
    if key not in col:
        return None  # pandas writes every row of every column: a row left out is a gap
    if col[key] is None:
        return MISSING  # pandas writes NaN as null: gap or NaN is decided later
    return col[key]


# ----------------------------------------------------------------------- objects


def _holds_history(value: Any, depth: int, *, need_loss: bool) -> bool:
    """An object with a curve in it (at most ``_MAX_DEPTH`` levels down), or records.

    With ``need_loss`` only curves (record keys) with ``loss`` in their name count: a
    ``config`` object full of numbers is a fact, not a run.
    """
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, list):
        if not value or not all(isinstance(r, dict) for r in value):
            return False
        return any(
            any(is_number(v) and (not need_loss or "loss" in str(k).lower())
                for k, v in r.items())
            or _holds_history(r, depth + 1, need_loss=need_loss)
            for r in value
        )
    if not isinstance(value, dict):
        return False
    if _has_loss_curve(value) if need_loss else any(as_curve(v) for v in value.values()):
        return True
    return any(
        _holds_history(v, depth + 1, need_loss=need_loss)
        for v in value.values()
        if isinstance(v, (dict, list)) and as_curve(v) is None
    )


def _has_loss_curve(value: Mapping[str, Any]) -> bool:
    return any("loss" in str(k).lower() and as_curve(v) for k, v in value.items())


def drafts_from_object(value: dict[str, Any], source: Source, depth: int) -> list[Draft]:
    """Read a JSON object that is, or holds, one or more histories.

    Args:
        value: The object.
        source: Its source.
        depth: Nesting level (0 for the file's top level).

    Returns:
        The drafts, labelled by the keys they were under when there are several.

    Raises:
        InputError: No history in it.
    """
    log = value.get("log_history")
    if isinstance(log, list) and log:
        from fitdoctor.readers.records import drafts_from_hf, hf_fit, hf_state_facts, is_hf_log
    if isinstance(log, list) and log and is_hf_log(log):
        fit, status, stopping = hf_fit(value)
        return drafts_from_hf(log, source, facts={**hf_state_facts(value), **stopping},
                              fit=fit, status=status)

    value = _spread_splits(value)
    is_curve = {str(k): as_curve(v) is not None for k, v in value.items()}
    candidates = {
        str(k): v for k, v in value.items()
        if isinstance(v, (dict, list)) and not is_curve[str(k)]
    }
    here_loss = any("loss" in k.lower() and c for k, c in is_curve.items())
    # An object inside is a run of its own only when it has a loss curve of its own.
    nested = {k: v for k, v in candidates.items() if _holds_history(v, depth + 1, need_loss=True)}
    if not nested and not here_loss and not any(is_curve.values()):
        nested = {
            k: v for k, v in candidates.items() if _holds_history(v, depth + 1, need_loss=False)
        }
    if here_loss or not nested or depth >= _MAX_DEPTH:
        here = {k: v for k, v in value.items() if str(k) not in nested}
        drafts = drafts_from_history(here, source.display, metric_map=source.metric_map)
        for key, sub in nested.items():
            for draft in _nested(sub, source, depth):
                draft.label = f"{key}/{draft.label}" if draft.label else key
                drafts.append(draft)
        return drafts

    facts = {
        str(k): json_safe(v) for k, v in value.items() if str(k) not in nested
        and k not in ("params", "epoch")
    }
    fit, epoch_numbers = _keras_history_attributes(value)
    drafts = []
    for key, sub in nested.items():
        subs = _nested(sub, source, depth, epoch_numbers=epoch_numbers, fit=fit, facts=facts)
        for draft in subs:
            if len(nested) > 1:
                draft.label = f"{key}/{draft.label}" if draft.label else key
            drafts.append(draft)
    return drafts


def _spread_splits(value: dict[str, Any]) -> dict[str, Any]:
    """One run's curves grouped by split, spread into names of their own.

    ``{"train": {"loss": [...]}, "val": {"loss": [...]}}`` becomes ``{"loss": [...],
    "val_loss": [...]}`` (:func:`~.names.split_metric`): a key that is a
    split's name alone holds that split's curves, not a run of its own. Only objects
    whose curves are bare metric names are spread (``{"val": {"val_loss"}}`` names its
    split twice and stays a nested run), and only when the object holds two splits, or
    one beside curves of its own: a lone ``{"train": {...}}`` is a wrapper.

    A split may hold its epochs as records (``{"train": [{"loss": ...}, ...], "val":
    [...]}``): their fields are its curves.

    The run's epochs are the training split's (or the object's own): a held-out split's
    epoch list is no curve of its own; where it names some of those epochs (validated
    every few epochs), its curves are placed at them, with gaps between.
    """
    value = {k: _records_as_curves(sub) if is_split_name(str(k)) else sub
             for k, sub in value.items()}
    splits = [
        key for key, sub in value.items()
        if is_split_name(str(key)) and isinstance(sub, Mapping)
        and any(as_curve(c) is not None for c in sub.values())
        and all(read_name(str(name)).role == "train" for name in sub
                if as_curve(sub[name]) is not None)
    ]
    own_curves = any(as_curve(v) is not None for v in value.values())
    if len(splits) < 2 and not (splits and own_curves):
        return value
    run_epochs = _epoch_list(value) or next(
        (_epoch_list(value[k]) for k in splits if is_bare_split(str(k))), None)
    out: dict[str, Any] = {}
    for key, sub in value.items():
        if key not in splits:
            out.setdefault(str(key), sub)
            continue
        held_out = not is_bare_split(str(key))
        place = _placer(_epoch_list(sub), run_epochs) if held_out else None
        for name, curve in sub.items():
            if held_out and str(name).strip().lower() in EPOCH_NAMES:
                continue  # the run's epochs are the training split's
            listed = as_curve(curve) if place is not None else None
            out.setdefault(split_metric(str(key), str(name)),
                           curve if place is None or listed is None else place(listed))
    return out


def _records_as_curves(sub: Any) -> Any:
    """A split's list of per-epoch records of numbers as curves (field → list), else ``sub``."""
    if not isinstance(sub, list) or not sub or not all(
            isinstance(r, Mapping) and r and all(v is None or is_number(v) for v in r.values())
            for r in sub):
        return sub
    names = list(dict.fromkeys(str(k) for r in sub for k in r))
    return {name: [r.get(name) for r in sub] for name in names}


def _epoch_list(value: Any) -> list[Any] | None:
    """The epoch numbers an object of curves logs (its ``epoch`` list), if any."""
    if not isinstance(value, Mapping):
        return None
    for name, sub in value.items():
        if str(name).strip().lower() in EPOCH_NAMES:
            epochs = as_curve(sub)
            if epochs and all(is_number(e) for e in epochs):
                return epochs
    return None


def _placer(
    epochs: list[Any] | None, run_epochs: list[Any] | None,
) -> Callable[[list[Any]], list[Any]] | None:
    """A function placing a curve logged at ``epochs`` on the run's epochs, gaps as None.

    ``None`` when there is nothing to place (no epochs, the same epochs) or the epochs do
    not all belong to the run's.
    """
    if not epochs or not run_epochs or epochs == run_epochs:
        return None
    rows = {float(e): i for i, e in enumerate(run_epochs)}
    if len(rows) < len(run_epochs) or not all(float(e) in rows for e in epochs):
        return None

    def place(curve: list[Any]) -> list[Any]:
        if len(curve) != len(epochs):
            return curve
        placed: list[Any] = [None] * len(run_epochs)
        for e, v in zip(epochs, curve, strict=True):
            placed[rows[float(e)]] = v
        return placed

    return place


def _nested(
    sub: Any,
    source: Source,
    depth: int,
    *,
    epoch_numbers: list[int] | None = None,
    fit: FitInfo | None = None,
    facts: Mapping[str, Any] | None = None,
) -> list[Draft]:
    if isinstance(sub, list):
        from fitdoctor.readers.records import drafts_from_records

        return drafts_from_records(sub, source, facts=facts)
    keras_attributes = epoch_numbers is not None or fit is not None
    if keras_attributes and any(as_curve(v) is not None for v in sub.values()):
        return drafts_from_history(
            sub, source.display, metric_map=source.metric_map,
            epoch_numbers=epoch_numbers, fit=fit, facts=facts,
            status=_status(fit, epoch_numbers, sub),
        )
    drafts = drafts_from_object(sub, source, depth + 1)
    for draft in drafts:
        draft.facts = {**(facts or {}), **draft.facts}
    return drafts


def _keras_history_attributes(value: Mapping[str, Any]) -> tuple[FitInfo | None, list[int] | None]:
    """``params`` and ``epoch`` saved beside ``history`` (keras ``History`` attributes)."""
    params = value.get("params")
    epoch = value.get("epoch")
    numbers = (
        [int(e) for e in epoch]
        if isinstance(epoch, list) and epoch and all(
            isinstance(e, int) and not isinstance(e, bool) for e in epoch
        )
        else None
    )
    if not isinstance(params, dict):
        return None, numbers
    asked, steps = params.get("epochs"), params.get("steps")
    fit = FitInfo(
        epochs=asked if isinstance(asked, int) and not isinstance(asked, bool) else None,
        steps_per_epoch=steps if isinstance(steps, int) and not isinstance(steps, bool) else None,
        initial_epoch=numbers[0] if numbers else 0,
    )
    return fit, numbers


def _status(
    fit: FitInfo | None, epoch_numbers: list[int] | None, hist: Mapping[str, Any]
) -> str:
    if fit is None or fit.epochs is None:
        return "unknown"
    lengths = [len(c) for c in (as_curve(v) for v in hist.values()) if c is not None]
    n = max(lengths, default=0)
    if not n:
        return "unknown"
    last = epoch_numbers[-1] + 1 if epoch_numbers and len(epoch_numbers) == n else n
    return "completed" if last >= fit.epochs else "stopped-early"
