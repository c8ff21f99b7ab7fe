"""Whitespace tables in a text log: a header of names, then one row of numbers per epoch.

What a script prints with ``print(df.to_string(index=False))`` or its own format below
some preamble (hyperparameters, a start time)::

    HYPERPARAMETERS:
    learning-rate =0.001
    Training Summary:
    train loss   va_loss  train_acc   val_acc
      1.248040  0.370833   0.530021  0.370833
      0.600895  0.502083   0.787267  0.502083

A table is a line of names directly above at least :data:`MIN_ROWS` lines of numbers
only (or above a rule, ``-----``, above them), every one with as many numbers as the
header has names. Names are split at whitespace, or at runs of two or more spaces when
that is what makes the count match (``train loss`` is one name, and so is ``Val Acc
(%)``). A name in per cent is read as the tables of every format read it
(:mod:`fitdoctor.readers.tables`). Other lines are skipped. Each table in the file is a run of
its own (a log appended to by several trainings), read as a CSV table is
(:mod:`fitdoctor.readers.tables`): an ``epoch`` column numbers its rows, else the rows
are epochs 1, 2, ... Lines with a comma, semicolon, tab or ``|`` are never a table's:
those are CSV's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Source, finish, label_runs
from fitdoctor.readers.names import EPOCH_NAMES
from fitdoctor.readers.tables import Table, drafts_from_table
from fitdoctor.run import Run

__all__ = ["MIN_ROWS", "read", "sniff"]

#: Rows of numbers a table needs under its header.
MIN_ROWS = 2
_SNIFF_BYTES = 1 << 20
_DELIMITED = re.compile(r"[,;\t|]")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)", re.I)
_WIDE_GAP = re.compile(r"\s{2,}")
#: A rule between the header and the rows: ``-----``, ``=====``, ``---+---``.
_RULE = re.compile(r"\s*[-=]{3,}[-=+ ]*")


@dataclass
class _Block:
    header: list[str]
    rows: list[list[str]]
    line: int  # 1-based line of the header


def _numbers(line: str) -> list[str] | None:
    if _DELIMITED.search(line):
        return None
    cells = line.split()
    if len(cells) < 2 or not all(_NUMBER.fullmatch(c) for c in cells):
        return None
    return cells


def _header(line: str, n: int) -> list[str] | None:
    if _DELIMITED.search(line):
        return None
    text = line.strip()
    for names in (text.split(), _WIDE_GAP.split(text)):
        if len(names) == n and all(re.search(r"[A-Za-z]", name) or name == "#"
                                   for name in names):
            return names
    return None


def _numbered(names: list[str]) -> list[str]:
    """A ``#`` column: the epoch when nothing else numbers them, else a row index (dropped)."""
    if "#" not in names:
        return names
    counted = any(name.strip().lower() in EPOCH_NAMES for name in names)
    if names[0] == "#":
        return ["" if counted else "epoch", *names[1:]]
    return names


#: Components of a spaCy pipeline whose loss is a shared layer's, not a task's.
_SPACY_SHARED = frozenset({"tok2vec", "transformer"})


def _spacy(
    header: list[str], rows: list[list[str]]
) -> tuple[list[str], list[list[str]], list[str]]:
    """``spacy train``'s table (``E  #  LOSS TOK2VEC  LOSS NER  ENTS_F ...  SCORE``).

    ``E`` is the epoch (0-based), ``#`` the step, each ``LOSS <COMPONENT>`` a component's
    training loss since the last evaluation, and the other columns the dev set's scores
    (``val_``; ``ENTS_F`` in per cent, ``SCORE`` a fraction); the row at step 0 (the
    evaluation before training) is left out. The loss judged is the sum
    of the task components' losses (a shared ``tok2vec`` or ``transformer`` reports the
    gradient its listeners send back, which may rise while the tasks learn): ``loss``,
    each component's own kept as ``loss_<component>``. Any other table is returned as
    it is.

    Args:
        header: The table's names.
        rows: Its rows of number text.

    Returns:
        The names, the rows and a note when the table was spaCy's.
    """
    if len(header) < 4 or header[:2] != ["E", "#"] or header[-1] != "SCORE":
        return header, rows, []
    losses = [k for k, name in enumerate(header) if name.upper().startswith("LOSS ")]
    tasks = [k for k in losses if header[k][5:].strip().lower() not in _SPACY_SHARED]
    if not tasks:
        return header, rows, []
    names = ["epoch", "step"]
    for k, name in enumerate(header[2:], start=2):
        if k in losses:
            names.append(f"loss_{name[5:].strip().lower()}")
        else:
            names.append(f"val_{name.lower()}")
    names.append("loss")
    # the row at step 0 is the evaluation before training (one batch's loss, scores 0)
    out = [[*row, repr(sum(float(row[k]) for k in tasks))] for row in rows
           if float(row[1]) != 0.0]
    if not out:
        return header, rows, []
    shown = " + ".join(header[k] for k in tasks)
    return names, out, [
        f"read as spaCy's training table: `loss` is {shown} (the task components' training "
        "loss), the score columns the dev set's (val_)"
    ]


def _blocks(text: str) -> list[_Block]:
    lines = text.splitlines()
    blocks: list[_Block] = []
    i = 1
    while i < len(lines):
        first = _numbers(lines[i])
        above = i - 2 if i >= 2 and _RULE.fullmatch(lines[i - 1]) else i - 1
        header = _header(lines[above], len(first)) if first is not None else None
        if first is None or header is None:
            i += 1
            continue
        rows = [first]
        j = i + 1
        while j < len(lines):
            cells = _numbers(lines[j])
            if cells is None or len(cells) != len(header):
                break
            rows.append(cells)
            j += 1
        if len(rows) >= MIN_ROWS:
            blocks.append(_Block(header, rows, above + 1))
        i = j
    return blocks


def sniff(source: Source) -> bool:
    """Text with a header line above :data:`MIN_ROWS` whitespace-separated number rows."""
    return bool(_blocks(source.text[:_SNIFF_BYTES]))


def read(source: Source) -> list[Run]:
    """Read every whitespace table in a text log, one run each.

    Args:
        source: The log.

    Returns:
        The runs, in file order.

    Raises:
        InputError: No table, or a table with no usable history.
    """
    blocks = _blocks(source.text)
    if not blocks:
        raise InputError(
            f"{source.display}: no table found: expected a line of names above one line of "
            "numbers per epoch, separated by spaces"
        )
    runs: list[Run] = []
    for block in blocks:
        note = (
            f"read as a whitespace-separated table (header on line {block.line}"
            f"{', the lines above it skipped' if block.line > 1 else ''})"
        )
        names, rows, notes = _spacy(block.header, block.rows)
        names = _numbered(names)
        table = Table(names=names, rows=rows, notes=[note, *notes])
        runs += [finish(d, source, "csv") for d in drafts_from_table(table, source)]
    return label_runs(runs)
