r"""CSV (and TSV) files: ``keras.callbacks.CSVLogger``, ``DataFrame.to_csv()``, other loggers.

The delimiter is the one of ``,`` ``;`` tab ``|`` the header line holds most of. Line
endings may be ``\n``, ``\r\n`` or a lone ``\r`` (old Mac, some Excel exports); a
UTF-8 byte-order mark is dropped. With a delimiter other than ``,`` a decimal comma
(``0,52``, Excel in many locales) reads as a decimal point. A line equal to the header
line starts a new run. A header of numbers only means there is no header: the columns
are then ``1``, ``2``, ... and ``--metric-map 1=epoch,2=loss,3=accuracy`` names them.
Everything after the parsing -- epoch and step columns, several runs, per-step rows,
empty cells -- is :mod:`fitdoctor.readers.tables`.

This is the last text format tried: a text file that is neither JSON nor a console
log is read as CSV, and refused with what a readable CSV looks like.
"""

from __future__ import annotations

import csv
import io
import re

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Source, finish, label_runs
from fitdoctor.readers.tables import Table, drafts_from_table, example_names, positional_names
from fitdoctor.run import Run

__all__ = ["read", "sniff"]

_DELIMITERS = (",", ";", "\t", "|")
#: Excel's first line naming the delimiter: ``sep=,``, ``sep=;``.
_SEP_LINE = re.compile(r"sep=([,;\t|])")


def sniff(source: Source) -> bool:
    """Any text: CSV is the fallback for text that no other reader claimed."""
    return True


def read(source: Source) -> list[Run]:
    """Read every run in a CSV file.

    Args:
        source: The file.

    Returns:
        The runs, in file order.

    Raises:
        InputError: The file is not a usable CSV history (the message says what one
            looks like).
    """
    table = parse(source.text, source)
    drafts = drafts_from_table(table, source)
    if _lightning_csv_logger(source):
        for draft in drafts:
            if draft.framework is None:
                draft.framework = "lightning"
    runs = [finish(d, source, "csv") for d in drafts]
    return label_runs(runs)


def _lightning_csv_logger(source: Source) -> bool:
    """Where PyTorch Lightning's CSVLogger writes: ``.../version_N/metrics.csv``.

    Its default folder is ``lightning_logs/version_N/`` (``CSVLogger(save_dir, name)``
    puts ``version_N`` under ``save_dir/name``). The names alone prove Lightning only when
    a metric is logged both per step and per epoch (:mod:`.framework`); a module logging
    ``train_loss`` and ``val_loss`` once an epoch is Lightning's by this path.
    """
    parts = [p.lower() for p in re.split(r"[\\/]+", source.display) if p]
    return (len(parts) >= 2 and parts[-1] == "metrics.csv"
            and re.fullmatch(r"version_\d+", parts[-2]) is not None)


def _is_float(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def parse(text: str, source: Source) -> Table:
    """Split CSV text into a :class:`~fitdoctor.readers.tables.Table`.

    Args:
        text: The file's text.
        source: The source (errors, the user's metric map for headerless files).

    Returns:
        The table.

    Raises:
        InputError: Rows of the wrong length, unreadable CSV, no rows.
    """
    display = source.display
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    notes: list[str] = []
    text = _without_title(text, notes)
    first = text.lstrip("\n").split("\n", 1)[0]
    sep = _SEP_LINE.fullmatch(first.strip())
    if sep is not None:  # Excel's "sep=;" line names the delimiter
        text = text.lstrip("\n").split("\n", 1)[1] if "\n" in text.strip("\n") else ""
        first = text.lstrip("\n").split("\n", 1)[0]
    delimiter = sep.group(1) if sep is not None else max(_DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    breaks: set[int] = set()
    headerless = False
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header = [c.strip() for c in row]
                if all(_is_float(c) for c in header if c.strip()):
                    headerless = True
                    rows.append(row)
                    header = [str(i + 1) for i in range(len(row))]
                continue
            if [c.strip() for c in row] == header:
                breaks.add(len(rows))  # the header again: a new run appended
                continue
            if len(row) != len(header):
                if len(row) > len(header) and not any(c.strip() for c in row[len(header):]):
                    row = row[: len(header)]
                elif row and row[0].startswith(("<<<<<<<", "=======", ">>>>>>>")):
                    raise InputError(
                        f"{display}: line {reader.line_num} is a git merge-conflict marker "
                        f"({row[0].strip()[:20]!r}): resolve the conflict (keep one side's "
                        "rows), then analyze it"
                    )
                else:
                    raise InputError(
                        f"{display}: line {reader.line_num} has {len(row)} fields "
                        f"({_shown(row, delimiter)}), the header has {len(header)} "
                        f"({_shown(header, delimiter)}); every row needs one value per column"
                    )
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"{display}: unreadable CSV (line {reader.line_num}: {exc})") from None
    if header is None:
        raise InputError(f"{display}: empty file")
    if headerless:
        example = ",".join(example_names(len(header)))
        header = positional_names(
            len(header), source, "CSV has no header row (the first line is numbers)",
            f"add one (e.g. {example})")
        notes.append("CSV without a header row: columns named by --metric-map")
    if not rows:
        raise InputError(
            f"{display}: CSV has a header but no rows; expected one row per epoch"
        )
    decimal_comma = delimiter != "," and any(
        "," in cell for row in rows[:50] for cell in row
    )
    if decimal_comma:
        notes.append("decimal commas read as decimal points")
    return Table(
        names=header, rows=rows, breaks=breaks, decimal_comma=decimal_comma, notes=notes
    )


def _without_title(text: str, notes: list[str]) -> str:
    """The text without a title line above the header (``model_history_log``).

    A first line with no delimiter at all, not a number, followed by a header (names
    between delimiters, none a number) names the file rather than its columns: it is
    left out, with a note. Its line stays, empty, so errors name the file's own lines.
    """
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines[:50]) if line.strip()]
    if len(filled) < 2:
        return text
    title, header = lines[filled[0]], lines[filled[1]]
    if any(d in title for d in _DELIMITERS) or _is_float(title):
        return text
    delimiter = max(_DELIMITERS, key=header.count)
    names = [c.strip() for c in header.split(delimiter)]
    if header.count(delimiter) == 0 or any(_is_float(c) for c in names if c):
        return text  # the next line is no header of names (a decimal comma, numbers)
    notes.append(f"first line {title.strip()[:40]!r} is a title above the header: left out")
    return "\n".join([""] * (filled[0] + 1) + lines[filled[0] + 1 :])


def _shown(cells: list[str], delimiter: str, width: int = 60) -> str:
    """A row as the file has it, quoted, cut to ``width`` characters."""
    text = delimiter.join(cells)
    return repr(text if len(text) <= width else text[: width - 3] + "...")

