"""Tables of rows (CSV files, lists of JSON records, DataFrames) into runs.

Rows are epochs, or steps of epochs. The columns that count them:

* an **epoch** column (``epoch``, ``epochs``, ``ep``...; :data:`~.names.EPOCH_NAMES`):
  0-based as ``keras.callbacks.CSVLogger`` and PyTorch Lightning count (epochs become
  1-based), or 1-based when it starts above 0 (with a note);
* a **step** column (``step``, ``global_step``, ``iteration``, ``batch``...): rows are
  steps, aggregated per epoch;
* a pandas **index** (an unnamed first column, or ``Unnamed: 0``): dropped.

**Several runs in one table.** ``CSVLogger(append=True)`` appends every ``fit`` to the
same file. The epoch going back to the first epoch of the run being read (or a repeated
header line) starts a new run: each is reported ("run 2 of 3 in FILE"). The epoch going
back to a later epoch is a run resumed from a checkpoint: one run, the later rows
replacing the earlier ones (with a note). Epochs that keep counting (``initial_epoch``)
are one run.

**Per-step rows.** With a step column, or when every epoch fills several rows, rows are
aggregated per epoch: a training metric is the mean of its values in the epoch (NaN if
one is NaN), a validation metric the epoch's last value. PyTorch Lightning's
``metrics.csv`` (train and validation values on different rows, ``*_step`` and
``*_epoch`` twins) reads this way.

**Rows by split.** A text column naming each row's split (``phase``: ``train``,
``val``), beside the epoch, is spread: the rows of one epoch become one row, each
split's values under its own names (``loss`` on a ``val`` row is ``val_loss``).

**Cells.** ``NA``, ``N/A``, ``null``, ``None`` or an empty cell is "not logged" (a
``val_*`` metric with ``validation_freq > 1``); for a pandas-written table with no epoch
column an empty cell may also be a NaN, decided by :func:`~._base.finish`. A column with
no value at all is dropped (CSVLogger writes ``val_*`` columns for a run without
validation); a column of nothing but text is left out with a note; text among numbers
is an error naming the metric and the epoch. A column named in per cent (``Val Acc (%)``,
``val_acc(%)``, ``acc%``) is read under its bare name, as a fraction when its values are
per cents (with a note), and keeps its name when a value lies outside 0-100.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Draft, Source, in_per_cent
from fitdoctor.readers._numbers import MISSING, Vector, numbers, one_based, whole_numbers
from fitdoctor.readers.names import (
    EPOCH_NAMES,
    STEP_NAMES,
    canonical_names,
    is_split_name,
    read_name,
    split_metric,
)
from fitdoctor.run import Phase

__all__ = ["MISSING_CELLS", "Table", "drafts_from_table"]

#: CSV cells that mean "not logged" (compared lower-cased, stripped).
MISSING_CELLS = frozenset({"", "na", "n/a", "<na>", "null", "none"})
#: A name in per cent: ``Val Acc (%)``, ``Val Acc [%]``, ``acc%``, ``val_acc(%)``.
_PERCENT = re.compile(r"(.*?[A-Za-z].*?)[\s_]*(?:\(%\)|\[%\]|%)")


@dataclass
class Table:
    """Rows of cells under named columns.

    Args:
        names: Column names, as the source has them.
        rows: One list of cells per row (text from a CSV, any value from JSON records;
            :data:`MISSING` for pandas' ambiguous empty cell, ``None`` for a gap).
        breaks: Rows that start a new run (a repeated header line).
        text_cells: Cells are text to parse (CSV). Defaults to `True`.
        decimal_comma: Text cells may use a decimal comma (``0,52``). Defaults to `False`.
        notes: What the parser had to assume.
    """

    names: list[str]
    rows: list[list[Any]]
    breaks: set[int] = field(default_factory=set)
    text_cells: bool = True
    decimal_comma: bool = False
    notes: list[str] = field(default_factory=list)


def positional_names(n: int, source: Source, what: str, add: str) -> list[str]:
    """Names for the ``n`` columns of rows of bare numbers, from the user's metric map.

    ``--metric-map 1=epoch,2=loss`` names columns by position, counted from 1; columns it
    leaves out keep their number. Which column is the loss is never guessed.

    Args:
        n: The number of columns.
        source: The source (its metric map, and the name errors show).
        what: What the file is, for the error (``"CSV has no header row"``).
        add: How to name the columns in the file itself, for the error, or ``""``.

    Returns:
        The column names.

    Raises:
        InputError: The map names no column of these (with an example that would).
    """
    header = [str(i + 1) for i in range(n)]
    named = [source.metric_map.get(h, "") for h in header]
    if any(named):
        return [name or h for name, h in zip(named, header, strict=True)]
    example = ",".join(f"{i + 1}={name}" for i, name in enumerate(example_names(n)))
    beyond = sorted((k for k in source.metric_map if k.strip().isdigit()), key=int)
    if beyond:
        # the user named columns, but none this file has (they count from 1)
        raise InputError(
            f"{source.display}: {what}, and --metric-map names column"
            f"{'s' if len(beyond) > 1 else ''} {', '.join(beyond)} where the file "
            f"has columns 1 to {n}: e.g. --metric-map {example}"
        )
    how = f"{add} or name" if add else "name"
    raise InputError(f"{source.display}: {what}: {how} the columns with --metric-map {example}")


def example_names(k: int) -> list[str]:
    names = ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    return names[:k] if k <= len(names) else [*names, *(f"metric{i}" for i in range(6, k + 1))]


def _csvlogger_order(keys: list[str]) -> bool:
    """``keys`` in the order CSVLogger writes them, sorted.

    Under ``validation_freq`` > 1 it adds the ``val_*`` keys itself, sorted after the others.
    """
    train = [k for k in keys if not k.startswith("val_")]
    val = [k for k in keys if k.startswith("val_")]
    return keys == sorted(keys) or keys == sorted(train) + sorted(val)


def drafts_from_table(table: Table, source: Source) -> list[Draft]:
    """Read a table into one draft per run.

    Args:
        table: The table.
        source: Its source (errors, the user's metric map).

    Returns:
        The drafts, in file order.

    Raises:
        InputError: A malformed epoch or step column, duplicate columns, text among
            numbers, or no numeric column. (A column without a name is left out, with a
            note.)
    """
    display = source.display
    table = _spread_split_column(table)
    names = table.names
    index_like = bool(names) and (names[0] == "" or names[0].startswith("Unnamed: "))
    epoch_i = step_i = None
    metric_cols: list[tuple[int, str]] = []
    unnamed: list[int] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        low = name.strip().lower()
        if i == 0 and index_like:
            continue
        if low in EPOCH_NAMES and epoch_i is None and len(names) > 1:
            epoch_i = i
            continue
        if low in STEP_NAMES and step_i is None and len(names) > 1:
            step_i = i
            continue
        if name.startswith("Unnamed: "):
            continue  # an index pandas wrote, read back and wrote again
        if not name.strip():
            if not all(_blank(row[i]) for row in table.rows):  # else a trailing delimiter
                unnamed.append(i + 1)
            continue
        if name in seen:
            raise InputError(
                f"{display}: duplicate column {name!r}; give every column its own name"
            )
        seen.add(name)
        metric_cols.append((i, name))
    notes = list(table.notes)
    rows, breaks = table.rows, table.breaks
    if epoch_i is not None and step_i is None:
        rows, breaks = _rows_with_an_epoch(rows, breaks, epoch_i, notes)
    n = len(rows)
    if unnamed:
        which = ", ".join(str(i) for i in unnamed[:5]) + (", ..." if len(unnamed) > 5 else "")
        notes.append(f"column{'s' if len(unnamed) > 1 else ''} {which} without a name: left out")

    epochs_raw = _counter(rows, epoch_i, display, "epoch", fill=step_i is not None)
    steps_raw = _counter(rows, step_i, display, "step", fill=False) if step_i is not None else None
    stages = None
    if epochs_raw is not None and step_i is None and not breaks:
        stages = _stages(rows, metric_cols, epochs_raw)
    if stages is not None:
        stage_i, starts, epochs_raw = stages
        metric_cols = [(i, name) for i, name in metric_cols if i != stage_i]
        notes.append(
            f"the {names[stage_i]!r} column names {len(starts)} stages of one training "
            f"({', '.join(label for _, label in starts)}): one run, its epochs counted on "
            "from stage to stage, each stage a phase"
        )
    missing = MISSING if table.text_cells and index_like and epoch_i is None else None

    columns: dict[str, list[Any]] = {}
    for i, name in metric_cols:
        cells = [row[i] for row in rows]
        try:
            values = _parse_column(cells, display, name, table, missing, epochs_raw)
        except Vector:
            notes.append(f"column {name!r} left out: it holds text, not numbers")
            continue
        columns[name] = values
    columns = _per_cent(columns, names, notes)
    readings, name_notes = canonical_names(list(columns), source.metric_map)
    # in a per-step log, rows that log only columns left out (Lightning's validation
    # *_step rows beside their *_epoch twins, numbered by the validation loop's own step
    # count) hold no epoch's value: left out before the counts are read, where that
    # count going back would start a new run
    if steps_raw is not None:
        kept = [c for c in columns if readings[c].canonical]
        live = [r for r in range(n) if any(columns[c][r] is not None for c in kept)]
        if 0 < len(live) < n:
            columns = {c: [v[r] for r in live] for c, v in columns.items()}
            epochs_raw = None if epochs_raw is None else [epochs_raw[r] for r in live]
            steps_raw = [steps_raw[r] for r in live]
            breaks = {k for k in (bisect.bisect_left(live, b) for b in breaks)
                      if k < len(live)}
            n = len(live)
    if not columns:
        shown = ", ".join(repr(c) for c in names if c) or "none"
        raise InputError(
            f"{display}: no numeric metric column (columns: {shown}); expected a header row "
            "and one column of numbers per metric, as keras.callbacks.CSVLogger writes"
        )

    # keras.callbacks.CSVLogger's layout: a CSV file, `epoch` first, no step column, the
    # logs' keys after it sorted (JSON records and DataFrames are tables any training loop
    # writes; a loop's own CSV keeps its order: epoch,loss,acc,val_loss,val_acc)
    csvlogger = (table.text_cells and epoch_i == 0 and names[0] == "epoch" and step_i is None
                 and _csvlogger_order(names[1:]))
    segments = _segments(n, epochs_raw, steps_raw, breaks, notes)
    per_step = _per_step(epochs_raw, steps_raw, segments)
    zero_based: bool | None = None
    drafts: list[Draft] = []
    for seg in segments:
        seg_notes = list(notes)
        if epochs_raw is None:
            rows_of = [[r] for r in seg]
            epochs = list(range(1, len(seg) + 1))
        else:
            groups = _by_epoch(seg, epochs_raw)
            raw = sorted(groups)
            if zero_based is None:
                epochs = one_based(raw, seg_notes)
                zero_based = raw[0] == 0
            else:
                epochs = one_based(raw, seg_notes, zero_based=zero_based)
            rows_of = [groups[e] for e in raw]
            if not per_step and any(len(g) > 1 for g in rows_of):
                repeated = [e for e, g in zip(epochs, rows_of, strict=True) if len(g) > 1]
                seg_notes.append(
                    f"epochs {_short(repeated)} logged twice (a run resumed from a checkpoint): "
                    "the later rows are kept"
                )
                rows_of = [[g[-1]] for g in rows_of]
        if per_step:
            seg_notes.append(
                "one row per step: training metrics averaged per epoch, validation metrics "
                "the epoch's last value"
            )
        seg_columns: dict[str, list[Any]] = {}
        empty: dict[str, list[Any]] = {}
        for name, values in columns.items():
            role = readings[name].role
            col = [_aggregate([values[r] for r in group], role) for group in rows_of]
            if all(v is None for v in col):
                if readings[name].canonical:
                    seg_notes.append(f"column {name!r} left out: no value logged")
                else:  # a column left out anyway (a *_step twin): its name still tells
                    empty[name] = col
                continue
            seg_columns[name] = col
        if not seg_columns:
            continue
        seg_columns.update(empty)
        phases: list[Phase] = []
        if stages is not None and epochs_raw is not None:
            epoch_of = dict(zip(sorted({epochs_raw[r] for r in seg}), epochs, strict=True))
            in_seg = set(seg)
            phases = [Phase(epoch=epoch_of[epochs_raw[row]], label=label)
                      for row, label in stages[1] if row in in_seg]
        drafts.append(
            Draft(
                columns=seg_columns,
                epochs=epochs,
                notes=[*seg_notes, *name_notes],
                readings={k: r for k, r in readings.items() if k in seg_columns},
                ambiguous_gaps=any(MISSING in col for col in seg_columns.values()),
                keras_layout=csvlogger,
                phases=phases,
            )
        )
    if not drafts:
        raise InputError(f"{display}: no value logged in any metric column")
    return drafts


#: Column names that say which stage of one training a row belongs to.
STAGE_NAMES = frozenset({"stage", "phase", "training_stage", "train_stage", "training_phase"})


def _stages(
    rows: list[list[Any]], metric_cols: list[tuple[int, str]], epochs_raw: list[int]
) -> tuple[int, list[tuple[int, str]], list[int]] | None:
    """A ``stage`` column naming the parts of one training (a frozen head, then fine-tuning).

    Read as stages when every row names one, each stage's rows come together (each name
    once: a script run twice into one file repeats its names, and is two runs), its
    epochs rise within it, and at each new stage the epoch count starts again or counts
    on. The epochs are then counted on across stages (``head`` 1-2 and ``finetune`` 1-2
    become epochs 1-4), the stages becoming phases.

    Args:
        rows: The table's rows.
        metric_cols: The columns read as metrics, ``(index, name)``.
        epochs_raw: Each row's epoch as logged.

    Returns:
        ``(column, [(first row, label)], epochs counted on)``, or ``None``.
    """
    found = next(((i, name) for i, name in metric_cols
                  if name.strip().lower() in STAGE_NAMES), None)
    if found is None or len(rows) < 2:
        return None
    i, name = found
    cells = [row[i] for row in rows]
    if any(_blank(c) for c in cells):
        return None
    labels = [_stage_label(c) for c in cells]
    starts = [0] + [r for r in range(1, len(rows)) if labels[r] != labels[r - 1]]
    if len(starts) < 2 or len({labels[r] for r in starts}) != len(starts):
        return None
    counted: list[int] = []
    offset = 0
    for k, first in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(rows)
        block = epochs_raw[first:end]
        if any(b <= a for a, b in itertools.pairwise(block)):
            return None
        if k and block[0] <= epochs_raw[first - 1]:  # the count starts again: count on
            offset = counted[-1] + 1 - block[0]
        counted += [e + offset for e in block]
    shown = [(r, labels[r] if any(ch.isalpha() for ch in labels[r]) else f"{name} {labels[r]}")
             for r in starts]
    return i, shown, counted


def _stage_label(cell: Any) -> str:
    """A stage cell as text: ``head``, or ``2`` for ``2.0``."""
    text = str(cell).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def _per_cent(
    columns: dict[str, list[Any]], names: list[str], notes: list[str]
) -> dict[str, list[Any]]:
    """Columns named in per cent (``Val Acc (%)``, ``acc%``) under their bare name.

    Values in per cent (any above 1.5, none outside 0-100) become fractions, with a note;
    a column so named that holds fractions already is only renamed. A column with values
    outside 0-100 is no per cent of anything and keeps its name (divided, an accuracy of
    170 would read as 1.7). A bare name the table already has keeps the column's own.

    Args:
        columns: The parsed columns, by name, in table order.
        names: Every name in the table.
        notes: Where to say what was read.

    Returns:
        The columns, in the same order.
    """
    out: dict[str, list[Any]] = {}
    for name, values in columns.items():
        m = _PERCENT.fullmatch(name.strip())
        finite = [v for v in values if isinstance(v, float) and math.isfinite(v)]
        if (m is None or m.group(1) in names or not finite
                or any(not 0.0 <= v <= 100.0 for v in finite)):
            out[name] = values
            continue
        if in_per_cent(finite):
            values = [v / 100 if isinstance(v, float) else v for v in values]
            notes.append(f"`{name}` is in per cent: read as a fraction")
        out[m.group(1)] = values
    return out


def _spread_split_column(table: Table) -> Table:
    """Rows that name their split in a column of their own, one row per epoch.

    ``epoch,phase,loss`` with a ``train`` and a ``val`` row per epoch becomes
    ``epoch,loss,val_loss`` (see :func:`~.names.split_metric`). The split column
    names a split on every row that names anything (two splits at least, one held out;
    a row with a blank split cell is left out, with a note), and the other columns are
    bare metric names (``val_loss`` beside a split column names its split twice: such a
    table is read as it is). The rows merged are those that agree on every other text
    column and on the epoch and step, each split once, in whatever order they come (a
    ``val`` row beside its ``train`` row, or every ``train`` row before the ``val``
    rows); a split's row whose epoch and step that split already logged starts another
    run's rows. Any other table is returned as it is.
    """
    names = table.names
    counters = {i for i, name in enumerate(names)
                if name.strip().lower() in EPOCH_NAMES or name.strip().lower() in STEP_NAMES}
    if not counters or not table.rows:
        return table
    text_cols: list[int] = []
    split_i: int | None = None
    for i in range(len(names)):
        if i in counters:
            continue
        cells = [row[i] for row in table.rows if not _blank(row[i])]
        if not cells or not all(isinstance(c, str) and not _is_number_text(c) for c in cells):
            continue
        text_cols.append(i)
        values = {c.strip() for c in cells}
        if (split_i is None and len(values) >= 2
                and all(map(is_split_name, values))
                and any(read_name(f"{v}.loss").role != "train" for v in values)):
            split_i = i
    if split_i is None:
        return table
    keys = [i for i in range(len(names)) if i in counters or (i in text_cols and i != split_i)]
    metrics = [i for i in range(len(names)) if i not in keys and i != split_i]
    if any(read_name(names[i]).role != "train" for i in metrics):
        return table
    splits = list(dict.fromkeys(str(row[split_i]).strip() for row in table.rows
                                if not _blank(row[split_i])))
    blank: Any = "" if table.text_cells else None
    new_names = [names[i] for i in keys] + [
        split_metric(s, names[i]) for s in splits for i in metrics]
    rows: list[list[Any]] = []
    breaks: set[int] = set()
    # one run's rows: the epoch/step (and other text cells) -> those cells and each
    # split's values, in the order the epochs first come
    group: dict[str, tuple[list[Any], dict[str, dict[int, Any]]]] = {}
    group_breaks = False
    unnamed = 0
    # epoch columns first: a step column may count batches within each epoch
    count_at = sorted((j for j, i in enumerate(keys) if i in counters),
                      key=lambda j: names[keys[j]].strip().lower() not in EPOCH_NAMES)

    def close() -> None:
        if group_breaks and group:
            breaks.add(len(rows))
        for cells, values in _in_epoch_order(list(group.values()), count_at):
            rows.append([*cells, *(values.get(s, {}).get(i, blank)
                                   for s in splits for i in metrics)])

    for r, row in enumerate(table.rows):
        if r in table.breaks:
            close()
            group, group_breaks = {}, True
        if _blank(row[split_i]):
            unnamed += 1
            continue
        split = str(row[split_i]).strip()
        cells = [row[i] for i in keys]
        key = repr(cells)
        if split in group.get(key, ([], {}))[1]:
            close()  # this split logged this epoch already: another run's rows
            group, group_breaks = {}, False
        group.setdefault(key, (cells, {}))[1][split] = {i: row[i] for i in metrics}
    close()
    shown = ", ".join(splits)
    notes = [f"rows split by the {names[split_i]!r} column ({shown}): one row per epoch, "
             f"each split's values under its own names"]
    if unnamed:
        notes.append(f"{unnamed} row{'s' if unnamed != 1 else ''} with no split in the "
                     f"{names[split_i]!r} column left out")
    return Table(names=new_names, rows=rows, breaks=breaks, text_cells=table.text_cells,
                 decimal_comma=table.decimal_comma, notes=[*table.notes, *notes])


def _in_epoch_order(
    entries: list[tuple[list[Any], dict[str, dict[int, Any]]]], count_at: list[int],
) -> list[tuple[list[Any], dict[str, dict[int, Any]]]]:
    """One run's merged rows by epoch, then step; as they came when a counter is no number.

    Rows that differ in another text cell (a ``stage``) stay apart, in the order those
    values first come. Every ``train`` row before the ``val`` rows puts a validation before training
    (epoch 0) after the last training epoch otherwise: a restart, a run of its own.
    """
    try:
        counts = [[float(str(cells[j]).strip().replace(",", ".")) for j in count_at]
                  for cells, _ in entries]
    except ValueError:
        return entries
    if any(c != c for row in counts for c in row):
        return entries
    others = [repr([c for j, c in enumerate(cells) if j not in count_at])
              for cells, _ in entries]
    first: dict[str, int] = {}
    for other in others:
        first.setdefault(other, len(first))
    order = sorted(range(len(entries)), key=lambda k: (first[others[k]], counts[k]))
    return [entries[k] for k in order]


def _is_number_text(cell: str) -> bool:
    try:
        float(cell.strip().replace(",", "."))
    except ValueError:
        return cell.strip().lower() in MISSING_CELLS
    return True


def _rows_with_an_epoch(
    rows: list[list[Any]], breaks: set[int], epoch_i: int, notes: list[str]
) -> tuple[list[list[Any]], set[int]]:
    """The rows that number an epoch, when others leave the epoch blank.

    A log that writes a line when a run starts and one when it ends (``event`` =
    ``start``/``epoch``/``summary``) leaves those lines' epoch empty: they are no epoch,
    and are left out with a note. With no row numbering an epoch, the rows are returned
    as they are (the epoch column's own error says what is wrong).
    """
    blank = [r for r, row in enumerate(rows) if _blank(row[epoch_i])]
    if not blank or len(blank) == len(rows):
        return rows, breaks
    dropped = set(blank)
    kept = [row for r, row in enumerate(rows) if r not in dropped]
    # a run's break moves to the next kept row
    # (blank is sorted: bisect counts the blank rows above it, linear on a large file)
    moved = {r - bisect.bisect_left(blank, r) for r in breaks}
    shown = ", ".join(str(r + 1) for r in blank[:4]) + (", ..." if len(blank) > 4 else "")
    notes.append(
        f"row{'s' if len(blank) > 1 else ''} {shown} of the table number no epoch (a run's "
        "start or summary lines): left out"
    )
    return kept, {r for r in moved if r < len(kept)}


def _blank(cell: Any) -> bool:
    return cell is None or cell is MISSING or (isinstance(cell, str) and not cell.strip())


def _counter(
    rows: list[list[Any]], i: int | None, display: str, what: str, *, fill: bool
) -> list[int] | None:
    if i is None:
        return None
    cells = [row[i] for row in rows]
    if fill:  # per-step logs may leave the epoch empty on some rows: carry it forward
        last: Any = None
        for k, cell in enumerate(cells):
            if _blank(cell):
                cells[k] = last
            else:
                last = cell
        if cells and cells[0] is None:
            first = next((c for c in cells if c is not None), None)
            cells = [first if c is None else c for c in cells]
    return whole_numbers(cells, display, what)


def _segments(
    n: int,
    epochs: list[int] | None,
    steps: list[int] | None,
    breaks: set[int],
    notes: list[str],
) -> list[list[int]]:
    """Row indices of each run: a new run where the count goes back to the run's start."""
    segments: list[list[int]] = [[]]
    first: int | None = None
    resumed = False
    repeats = epochs is not None and steps is None and _repeats(epochs)
    for r in range(n):
        if r in breaks and segments[-1]:
            segments.append([])
            first = None
        if epochs is not None and segments[-1]:
            prev = segments[-1][-1]
            e, p = epochs[r], epochs[prev]
            if steps is not None:
                back = (e, steps[r]) < (p, steps[prev])
            else:
                back = e < p or (e == p and not repeats)
            if back:
                if first is not None and e <= first:
                    segments.append([])
                    first = None
                else:
                    resumed = True
        if first is None and epochs is not None:
            first = epochs[r]
        segments[-1].append(r)
    if resumed and steps is not None:
        notes.append("the step count goes back inside a run: later rows replace earlier ones")
    return [s for s in segments if s]


def _repeats(epochs: list[int]) -> bool:
    """Every epoch (but maybe the last) fills several consecutive rows: per-step rows."""
    runs: list[int] = []
    for i, e in enumerate(epochs):
        if i and e == epochs[i - 1]:
            runs[-1] += 1
        else:
            runs.append(1)
    return len(runs) > 0 and all(c > 1 for c in runs[:-1]) and len(epochs) > len(runs)


def _per_step(
    epochs: list[int] | None, steps: list[int] | None, segments: list[list[int]]
) -> bool:
    if epochs is None:
        return False
    if steps is not None:
        return any(
            len({epochs[r] for r in seg}) < len(seg) for seg in segments
        )
    return _repeats(epochs)


def _by_epoch(seg: list[int], epochs: list[int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for r in seg:
        groups.setdefault(epochs[r], []).append(r)
    return groups


def _aggregate(values: list[Any], role: str) -> Any:
    if len(values) == 1:
        return values[0]
    logged = [v for v in values if v is not None and v is not MISSING]
    if not logged:
        return values[-1]
    if role == "val":
        return logged[-1]
    return math.fsum(logged) / len(logged) if all(map(math.isfinite, logged)) else sum(
        logged
    ) / len(logged)


def _short(epochs: list[int]) -> str:
    shown = ", ".join(str(e) for e in epochs[:4])
    return shown + (f", ... {epochs[-1]}" if len(epochs) > 4 else "")


def _parse_column(
    cells: Sequence[Any],
    display: str,
    name: str,
    table: Table,
    missing: Any,
    epochs_raw: list[int] | None,
) -> list[Any]:
    if table.text_cells:
        try:
            values: list[Any] = [float(c) for c in cells]
        except (ValueError, TypeError):
            values = [_cell(c, missing, table.decimal_comma) for c in cells]
        else:
            return values
    else:
        values = list(cells)  # MISSING here is pandas' own ambiguous NaN: kept

    def epoch_of(i: int) -> int:
        if epochs_raw is None:
            return i + 1
        return epochs_raw[i] + (1 if epochs_raw[0] == 0 else 0)

    return numbers(values, display, name, epoch_of=epoch_of, tabular=True)


def _cell(cell: Any, missing: Any, decimal_comma: bool) -> Any:
    if not isinstance(cell, str):
        return cell
    text = cell.strip()
    if text.lower() in MISSING_CELLS:
        return missing
    try:
        return float(text)
    except ValueError:
        pass
    if decimal_comma and text.count(",") == 1:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            pass
    if text.endswith("%"):
        try:
            return float(text[:-1]) / 100
        except ValueError:
            pass
    return text
