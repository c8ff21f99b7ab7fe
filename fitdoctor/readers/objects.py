"""Objects in memory: a keras ``History``, a history ``dict``, a pandas ``DataFrame``.

keras and pandas are never imported: objects are duck-typed.

* a keras ``History`` -- ``.history`` (the dict), ``.epoch`` (0-based epoch numbers:
  a resumed ``fit(initial_epoch=4)`` starts at 4), ``.params`` (``epochs``, ``steps``);
  the status is ``completed`` when the last epoch reached ``params["epochs"]``, else
  ``stopped-early``;
* a ``dict`` -- a history, or anything a JSON history file may hold (read as
  :mod:`fitdoctor.readers.json_files` reads the parsed file), or a run dict with
  ``"schema"``;
* a pandas ``DataFrame`` -- one row per epoch (an ``epoch`` column is CSVLogger's; an
  index named ``epoch`` is :meth:`Run.to_frame`'s 1-based one). pandas stores NaN for a
  gap and for a diverged value alike: see :func:`fitdoctor.readers._base.finish`;
* a ``list`` or ``tuple`` of any of these: their runs, in order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Source, finish, label_runs, one_line
from fitdoctor.readers._numbers import MISSING
from fitdoctor.readers.history import drafts_from_history
from fitdoctor.readers.tables import Table, drafts_from_table
from fitdoctor.run import FitInfo, Run

__all__ = ["runs_from_object"]


def runs_from_object(obj: Any, *, metric_map: Mapping[str, str] | None = None) -> list[Run]:
    """Every run in an in-memory object (see the module docstring).

    Args:
        obj: The object.
        metric_map: Logged metric name → Keras name. Defaults to `None`.

    Returns:
        The runs.

    Raises:
        InputError: Not a supported object, or no usable history in it.
    """
    if isinstance(obj, Run):
        return [obj]
    if isinstance(obj, Mapping):
        from fitdoctor.readers.json_files import read_value

        display = "run dict" if isinstance(obj.get("schema"), str) else "history dict"
        runs = read_value(dict(obj), Source(display, None, b"", metric_map))
        for run in runs:
            if run.name == display:
                run.name = ""
        return runs
    history = getattr(obj, "history", None)
    if isinstance(history, Mapping) and not _is_frame(obj):
        return [_from_history_object(obj, history, metric_map)]
    if _is_frame(obj):
        return [_from_frame(obj, metric_map)]
    if isinstance(obj, (list, tuple)) and obj and not all(
        isinstance(x, (int, float)) for x in obj
    ):
        found: list[Run] = []
        for item in obj:
            found.extend(runs_from_object(item, metric_map=metric_map))
        return found
    if obj is None:
        what = "None"
    elif isinstance(obj, (list, tuple)) and not obj:
        what = f"an empty {type(obj).__name__}"
    elif isinstance(obj, (list, tuple)):
        what = f"a {type(obj).__name__} of numbers (one curve, without its metric name)"
    else:
        name = type(obj).__name__
        what = f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
    raise InputError(
        f"cannot analyze {what}: pass a path, a keras History, "
        "a dict of metric lists, a pandas DataFrame or a fitdoctor Run"
    )


def _from_history_object(
    obj: Any, history: Mapping[Any, Any], metric_map: Mapping[str, str] | None
) -> Run:
    """A keras ``History`` (duck-typed): ``.history``, ``.epoch`` (0-based), ``.params``."""
    params = getattr(obj, "params", None)
    params = params if isinstance(params, Mapping) else {}
    epoch_list = getattr(obj, "epoch", None)
    lengths = [
        len(v)
        for k, v in history.items()
        if not str(k).startswith("val_") and hasattr(v, "__len__")
    ]
    n = max(lengths, default=0)
    numbers: list[int] | None = None
    if (
        isinstance(epoch_list, list)
        and len(epoch_list) == n > 0
        and all(isinstance(e, int) and not isinstance(e, bool) for e in epoch_list)
    ):
        numbers = epoch_list
    asked = params.get("epochs")
    steps = params.get("steps")
    fit = FitInfo(
        epochs=asked if isinstance(asked, int) else None,
        steps_per_epoch=steps if isinstance(steps, int) else None,
        initial_epoch=numbers[0] if numbers else 0,
    )
    status = "unknown"
    if fit.epochs is not None and n:
        last = numbers[-1] + 1 if numbers else n
        status = "completed" if last >= fit.epochs else "stopped-early"
    source = Source("History", None, b"", metric_map)
    drafts = drafts_from_history(
        history, "History", metric_map=metric_map, epoch_numbers=numbers, fit=fit,
        status=status,
    )
    for draft in drafts:
        draft.framework = "keras"  # a keras.callbacks.History: Keras's, whatever its names
    runs = [finish(d, source, "keras-history") for d in drafts]
    for run in runs:
        run.name = ""
    if len(runs) != 1:
        return label_runs(runs, [d.label for d in drafts])[0]
    return runs[0]


def _is_frame(obj: Any) -> bool:
    return (
        hasattr(obj, "columns")
        and hasattr(obj, "index")
        and callable(getattr(obj, "to_dict", None))
    )


def _from_frame(df: Any, metric_map: Mapping[str, str] | None) -> Run:
    """A pandas ``DataFrame`` (duck-typed)."""
    try:
        raw = df.to_dict(orient="list")
    except Exception as exc:  # a foreign object: any failure is bad input
        raise InputError(f"DataFrame: cannot read its columns: {one_line(str(exc))}") from None
    if not raw:
        raise InputError("DataFrame: no columns")
    index = df.index
    names = [str(k) for k in raw]
    columns = [
        [MISSING if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in vals]
        for vals in raw.values()
    ]
    n = len(columns[0]) if columns else 0
    if n == 0:
        raise InputError("DataFrame: no rows")
    source = Source("DataFrame", None, b"", metric_map)
    seconds: list[Any] | None = None
    epochs: list[int] | None = None
    if getattr(index, "name", None) == "epoch":  # Run.to_frame(): 1-based epoch index
        epochs = [int(e) for e in index.tolist()]
        if "seconds" in names:
            k = names.index("seconds")
            seconds = [None if v is MISSING else float(v) for v in columns.pop(k)]
            names.pop(k)
    rows = [list(row) for row in zip(*columns, strict=True)]
    drafts = drafts_from_table(Table(names=names, rows=rows, text_cells=False), source)
    if len(drafts) != 1:
        raise InputError(
            f"DataFrame: its epoch column holds {len(drafts)} runs; pass one run per DataFrame"
        )
    draft = drafts[0]
    if epochs is not None:
        draft.epochs = epochs
        draft.seconds = seconds
    run = finish(draft, source, "dataframe")
    run.name = ""
    return run
