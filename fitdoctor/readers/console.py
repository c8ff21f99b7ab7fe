r"""Console logs: what ``model.fit`` prints, as a file or a pipe keeps it.

``fitdoctor analyze train.log`` and ``python train.py 2>&1 | fitdoctor analyze -``.
Both Keras 3 and Keras 2 print an ``Epoch 3/10`` line before each epoch and one final
line per epoch with every metric::

    Keras 3, verbose=1:
    12/12 ━━━━━━━━━━━━━━━━━━━━ 0s 9ms/step - accuracy: 0.49 - loss: 1.95 - val_loss: 1.89
    Keras 3, verbose=2:
    12/12 - 0s - 10ms/step - accuracy: 0.49 - loss: 1.95 - val_accuracy: 0.58 - val_loss: 1.89
    Keras 2, verbose=1:
    12/12 [==============================] - 0s 4ms/step - loss: 1.96 - val_loss: 1.90
    Keras 2, verbose=2:
    12/12 - 0s - loss: 1.96 - accuracy: 0.48 - val_loss: 1.90 - 43ms/epoch - 4ms/step

Progress bars are redrawn with carriage returns and backspaces and coloured with ANSI
escapes (on a terminal, and by Keras 3 in a pipe too): the text is split at ``\r`` and
``\n`` and the escapes are dropped. In each epoch the final line is the completed bar
(``12/12``) with the most ``val_*`` values (the first one when none has any); earlier
updates, warnings and other prints in between are ignored, and so is what
``model.evaluate`` prints after training. An epoch with no completed bar (a log that
ends mid-epoch) is left out, with a note.

**Runs.** An ``Epoch 1/N`` (or any epoch number not above the previous one) starts a
new ``fit`` run; a ``fit(initial_epoch=...)`` that continues the numbering
(``Epoch 5/6`` after ``Epoch 4/4``) continues the run, and the run's phases say where
each ``fit`` call began; a count that jumps by the same k every time under one total
(``Epoch [50/500]``, ``Epoch [100/500]``) is one ``fit`` whose loop printed every k-th
epoch.
``Epoch 12: early stopping`` marks the run stopped early; ``Epoch k/N`` with ``k == N``
at the end marks it completed. ``Restoring model weights
from the end of the best epoch: 9.`` (what ``EarlyStopping(restore_best_weights=True,
verbose=1)`` prints when it restores) says the run kept epoch 9's weights: the fact
``restored_best_epoch`` and ``fit.restore_best_weights`` true, as a run file says it.
Epoch times come from ``ms/epoch`` (Keras 2, verbose=2) or the time per step times the
steps.

**Other loggers.** An epoch block without a Keras progress bar is read from its
``name: value`` pairs (``Epoch [3/10] Train Loss: 0.41, Val Loss: 0.52, Val Acc: 81%``,
``Epoch:3/10 | Train Loss:0.41``; a percentage becomes a fraction, a unit word after a
number, ``85.51 months``, is left), on its epoch line and the lines after it, names
mapped as everywhere (:mod:`fitdoctor.readers.names`). Pairs before the first epoch
(``Training samples: 80``) are not values, nor are those of a run appended to the same
file that prints them again below the previous run's last epoch; a pair after a sentence
(``Best model saved. Val Loss: 0.21``) is a remark. A logger that prints the epoch on
every step line (``Epoch 1/3 | Step 100/1000 | Loss: 2.18``) gives one epoch, read from
its last step line (and the lines after it), not one run per line. A log with no
``Epoch k/N`` line at all may number its epochs alone (``Epoch 3: Training Loss =
0.41``, what a script's ``logging.info`` writes): such a line starts an epoch when it has
a ``name: value`` pair, and the epoch's pairs may go on over the next lines
(``Validation Accuracy: 94.4%``); the run's epoch count is unknown. What Python's
``logging`` puts before a message (``2025-07-25 19:47:43,742 - INFO - ``,
``[2025-07-25 19:47:43] ``) is dropped first.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from fitdoctor.errors import InputError
from fitdoctor.readers._base import Draft, Source, finish, label_runs
from fitdoctor.readers.names import is_split_name, read_name
from fitdoctor.run import FitInfo, Phase, Run

__all__ = ["read", "sniff"]

_SNIFF_BYTES = 1 << 20
_EPOCH = re.compile(r"^\s*Epoch\s*:?\s*\[?\s*(\d+)\s*/\s*(\d+)\s*\]?(.*)$", re.I)
_SNIFF = re.compile(
    r"(?:^|[\r\n])\s*Epoch\s*:?\s*\[?\s*\d+\s*/\s*\d+\s*\]?\s*(?:[\r\n]|$)"
    r"|(?:^|[\r\n])\s*\d+/\d+ [^\r\n]*? - (?:\w+_)?loss: "
    r"|(?:^|[\r\n])\s*Epoch\s*:?\s*\[?\s*\d+\s*/\s*\d+\s*\]?[^\r\n]*loss\s*[:=]"
    # a logging prefix, then a countless epoch line with a loss (bounded: no backtracking)
    r"|(?:^|[\r\n])[^\r\n]{0,120}?\bEpoch\s*\[?\s*\d+\s*(?:/\s*\d+\s*)?\]?\s*[:,|-]?"
    r"[^\r\n]{0,200}?loss\s*[:=]\s*[-+.\d]"
    # key=value logging: epoch=3 step=200 train_loss=0.41 (or epoch_end=3 ...)
    r"|(?:^|[\r\n])[^\r\n]{0,120}?\bepoch(?:_end)?=\d+\s[^\r\n]{0,200}?loss=[-+.\d]",
    re.I,
)
#: An epoch line without the epoch count, in a log that has none with one (Python
#: ``logging`` output: ``Epoch 3: Training Loss = 0.41``); it needs a ``name: value`` pair.
_EPOCH_ALONE = re.compile(r"^\s*Epoch\s*\[?\s*(\d+)\s*\]?\s*[:,|-](.*)$", re.I)
#: The same in key=value logging (``epoch=3 step=200 train_loss=0.41``, and the epoch's own
#: closing line ``epoch_end=3 train_loss=0.38 val_loss=0.35``).
_EPOCH_KV = re.compile(r"^\s*Epoch(?:_end)?=(\d+)\s(.*)$", re.I)
#: What Python's ``logging`` (or a print with a timestamp) puts before a message:
#: ``2025-07-25 19:47:43,742 - INFO - ``, ``[2024-10-31 22:45:12] ``, ``... INFO: ``,
#: and ``logging.basicConfig``'s default ``INFO:root:``.
_LOG_PREFIX = re.compile(
    r"^\s*\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s*(?:[-|]\s*)?"
    r"(?:(?:[\w.]+\s*[-|:]\s*)?(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\b\s*[-|:]?\s*)?"
    # logging.basicConfig's default format: LEVEL:logger:message
    r"|^\s*(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.<>-]*:\s*"
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]")
_BAR = re.compile(r"^\s*(\d+)/(\d+)(?=\s|$)")
_KERAS_PAIR = re.compile(r"^([A-Za-z_][\w./]*): (\S+)")
_GENERIC_PAIR = re.compile(
    r"([A-Za-z][A-Za-z0-9_ ./-]*?)\s*[:=]\s*"
    r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?%?|nan|-?inf)(?=[\s,;|)\]]|$)",
    re.I,
)
_EARLY_STOP = re.compile(r"^\s*Epoch\s*(\d+):\s*early stopping", re.I)
_RESTORED = re.compile(r"Restoring model weights from the end of the best epoch:?\s*(\d+)", re.I)
_PER_EPOCH = re.compile(r"(?:^|\s)(\d+(?:\.\d+)?)(us|ms|s)/epoch\b")
_PER_STEP = re.compile(r"(?:^|\s)(\d+(?:\.\d+)?)(us|ms|s)/step\b")
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
_STEP_MARK = re.compile(
    r"\b(?:step|batch|iter(?:ation)?)\s*(?:\[?\s*\d+\s*/\s*\d+|=\d+\b)", re.I)
#: The longest word a point after it abbreviates (``Avg.``, ``No.``), not a sentence's end.
_ABBREVIATION = 3
_NOT_METRICS = frozenset({"eta", "epoch", "step", "time", "lr_scheduler", "batch"})


def sniff(source: Source) -> bool:
    """Text with a ``model.fit`` line: ``Epoch 3/10`` alone, or ``N/N ... - loss: 0.2``."""
    return _SNIFF.search(source.text[:_SNIFF_BYTES]) is not None


@dataclass
class _Epoch:
    number: int
    total: int | None  # None: the log never says how many epochs were asked for
    header_rest: str
    segments: list[str] = field(default_factory=list)


#: A bracketed tag naming the model before its epoch (``[baseline_cnn | Epoch 1/10]``).
_EPOCH_TAG = re.compile(r"^\s*\[[^\[\]|\r\n]{1,80}\|\s*(?=Epoch\b)", re.I)


def _segments(text: str) -> list[str]:
    text = _ANSI.sub("", text).replace("\b", "")
    lines = (_EPOCH_TAG.sub("", _LOG_PREFIX.sub("", s, count=1), count=1)
             for s in re.split(r"[\r\n]", text))
    return [s for s in lines if s.strip()]


def read(source: Source) -> list[Run]:
    """Read every ``fit`` run in a console log.

    Args:
        source: The log.

    Returns:
        The runs, in log order.

    Raises:
        InputError: No epoch with a final metrics line.
    """
    epochs: list[_Epoch] = []
    stopped_after: set[int] = set()  # indices into epochs
    restored: dict[int, int] = {}
    segments = _segments(source.text)
    counted = any(_EPOCH.match(seg) for seg in segments)
    preamble: list[str] = []  # what the log prints before its first epoch
    for seg in segments:
        m = _EPOCH.match(seg) if counted else _epoch_alone(seg)
        if m:
            total = int(m.group(2)) if counted else None
            ep = _Epoch(int(m.group(1)), total, m.group(m.lastindex or 0))
            if epochs and _same_epoch_progress(epochs[-1], ep):
                epochs[-1].header_rest = ep.header_rest  # a later step of the same epoch
                continue
            epochs.append(ep)
            continue
        if _EARLY_STOP.match(seg) and epochs:
            stopped_after.add(len(epochs) - 1)
            continue
        r = _RESTORED.search(seg)
        if r and epochs:
            restored[len(epochs) - 1] = int(r.group(1))
            continue
        if epochs:
            epochs[-1].segments.append(seg)
        else:
            preamble.append(seg)
    if not epochs:
        raise InputError(
            f"{source.display}: no 'Epoch N/M' line: expected what model.fit prints "
            "(verbose=1 or 2)"
        )

    _trim_preambles(epochs, preamble)
    # Split into runs and read each epoch's values.
    runs_rows: list[list[tuple[_Epoch, dict[str, float], float | None, int]]] = []
    notes_by_run: list[list[str]] = []
    run_of: list[int] = []  # the run each epoch (by index) belongs to
    prev: _Epoch | None = None
    calls = 0
    for i, ep in enumerate(epochs):
        if prev is None or ep.number <= prev.number:
            runs_rows.append([])
            notes_by_run.append([])
            calls = 1
        elif ep.total != prev.total or ep.number != prev.number + 1:
            calls += 1  # a new fit(initial_epoch=...), or a loop printing every k-th epoch
        prev = ep
        run_of.append(len(runs_rows) - 1)
        values, seconds = _values(ep)
        if values is None:
            notes_by_run[-1].append(
                f"epoch {_epoch_name(ep)} has no final metrics line (the log ends or "
                "breaks off mid-epoch): left out"
            )
            continue
        runs_rows[-1].append((ep, values, seconds, calls))
        if i in stopped_after:
            notes_by_run[-1].append(f"EarlyStopping stopped the run after epoch {ep.number}")

    drafts: list[Draft] = []
    for k, (rows, notes) in enumerate(zip(runs_rows, notes_by_run, strict=True)):
        if not rows:
            continue
        stopped = any(run_of[i] == k for i in stopped_after)
        # what EarlyStopping printed after this run's epochs (never a later run's)
        best = next((restored[i] for i in sorted(restored) if run_of[i] == k), None)
        summary = _summary(rows, notes)
        drafts.append(_draft(rows, notes, stopped=stopped, restored=best, summary=summary))
    if not drafts:
        raise InputError(
            f"{source.display}: no epoch has a final metrics line "
            "('12/12 ... - loss: 0.21 - val_loss: 0.25'); was the log cut short?"
        )
    runs = [finish(d, source, "console") for d in drafts]
    return label_runs(runs)


def _summary(
    rows: list[tuple[_Epoch, dict[str, float], float | None, int]], notes: list[str]
) -> dict[str, float]:
    """What a run prints after its last epoch (``Test Set Accuracy: 92.44%``): facts.

    Pairs on the lines after the last epoch's own line whose names no earlier epoch of
    the run logged, and that name no validation metric, are the run's summary, not the
    last epoch's values (a curve of one
    value named ``val_set_accuracy`` would read as a validation curve). They are taken
    out of that epoch's values (in place) and returned. A run of one epoch, and epochs
    read from a Keras progress bar (``model.evaluate``'s bar after training is never
    read), are left as they are.
    """
    if len(rows) < 2 or any(_BAR.match(seg) for seg in rows[-1][0].segments):
        return {}
    ep, values, _, _ = rows[-1]
    earlier = {name for _, v, _, _ in rows[:-1] for name in v}
    own = set(_generic_pairs(ep.header_rest))
    # a validation metric on its own line is the epoch's (validated at the last epoch
    # only, validation_freq=N); a test set's or a summary's is not
    out = {name: values.pop(name) for name in list(values)
           if name not in earlier and name not in own and read_name(name).role != "val"}
    if out:
        shown = ", ".join(f"{name}: {value:g}" for name, value in list(out.items())[:3])
        more = f" and {len(out) - 3} more" if len(out) > 3 else ""
        notes.append(
            f"what the log prints after its last epoch ({shown}{more}) is no epoch's "
            "value: kept as facts"
        )
    return out


def _trim_preambles(epochs: list[_Epoch], preamble: list[str]) -> None:
    """Take a run's preamble, printed again by a run appended after it, off its last epoch.

    A script that logs ``Training samples: 80`` before its first epoch prints it again
    when it is run again into the same file, below the previous run's last epoch. Those
    of the last lines of an epoch before a new run (epoch numbering restarts) that hold
    nothing but pairs named in the log's own preamble are the new run's, not the epoch's
    values. A name that half the epochs log or more is a metric, never preamble; epochs
    with a Keras progress bar are read from the bar and left alone.

    Args:
        epochs: The log's epochs, in order (changed in place).
        preamble: The lines before the first epoch.
    """
    plain = [ep for ep in epochs if not any(_BAR.match(seg) for seg in ep.segments)]
    plain_ids = {id(ep) for ep in plain}
    ends = [prev for prev, ep in itertools.pairwise(epochs)
            if ep.number <= prev.number and id(prev) in plain_ids]
    names = {name for seg in preamble for name in _generic_pairs(seg)} if ends else set()
    if not names:
        return
    logged: dict[str, int] = {}
    for ep in plain:
        for name in _generic_pairs(" , ".join([ep.header_rest, *ep.segments])):
            logged[name] = logged.get(name, 0) + 1
    names = {name for name in names if 2 * logged.get(name, 0) <= len(plain)}
    for prev in ends:
        segs = prev.segments
        while segs and set(_generic_pairs(segs[-1])) <= names:
            segs.pop()


def _epoch_alone(seg: str) -> re.Match[str] | None:
    """An epoch line without a count when it has a pair.

    ``Epoch 3: Training Loss = 0.41``, or in key=value logging ``epoch=3 loss=0.41``.
    """
    m = _EPOCH_ALONE.match(seg) or _EPOCH_KV.match(seg)
    return m if m and _generic_pairs(m.group(2)) else None


def _epoch_name(ep: _Epoch) -> str:
    return str(ep.number) if ep.total is None else f"{ep.number}/{ep.total}"


def _same_epoch_progress(prev: _Epoch, ep: _Epoch) -> bool:
    """``Epoch 1/3 | Step 200/1000 | Loss: ...`` after ``Epoch 1/3 | Step 100/1000 ...``.

    A logger that prints the epoch on every step line: the same epoch goes on (the
    last step line is the epoch's, or the line closing the epoch that follows them,
    ``epoch_end=1 train_loss=0.21``), no new run starts. Remarks between them
    (``saved best_model.pt``) hold no values.
    """
    return (
        ep.number == prev.number and ep.total == prev.total
        and not any(_generic_pairs(seg) for seg in prev.segments)
        and _STEP_MARK.search(prev.header_rest) is not None
    )


def _values(ep: _Epoch) -> tuple[dict[str, float] | None, float | None]:
    """The epoch's final values (and seconds), from its completed progress bar."""
    best: tuple[int, int, dict[str, float], str] | None = None
    bars = 0
    for order, seg in enumerate(ep.segments):
        m = _BAR.match(seg)
        if not m:
            continue
        bars += 1
        step, total = int(m.group(1)), int(m.group(2))
        if step != total:
            continue
        values = _keras_pairs(seg)
        if not values:
            continue
        n_val = sum(1 for k in values if k.startswith("val_"))
        eta = "ETA:" in seg
        rank = n_val * 2 + (0 if eta else 1)
        if best is None or rank > best[0]:
            best = (rank, order, values, seg)
    if best is not None:
        return best[2], _seconds(best[3])
    if bars:
        return None, None
    values = _generic_pairs(" , ".join([ep.header_rest, *ep.segments]))
    return (values or None), None


def _keras_pairs(seg: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in seg.split(" - ")[1:]:
        m = _KERAS_PAIR.match(part.strip())
        if not m or m.group(1).lower() in _NOT_METRICS:
            continue
        value = _number(m.group(2))
        if value is not None:
            out[m.group(1)] = value
    return out


def _number(text: str) -> float | None:
    m = re.match(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)", text, re.I)
    if not m:
        return None
    return float(m.group())


def _pair_name(raw: str) -> str:
    """A pair's name: its last `` - `` part, with the split before it when that is one.

    ``Epoch 1 Complete - Avg Loss`` is ``Avg Loss``; ``Train - Loss`` is ``Train Loss``.
    A pair after a sentence (``Best model saved. Val Loss: 0.21``, ``Training done. Best
    val acc: 0.98``, ``done. best_val_loss=0.11``) is a remark, not the epoch's value: no
    name (``""``, left out). A point after an abbreviation (a split's name, or a word of up to
    :data:`_ABBREVIATION` letters) ends no sentence: ``Val. Loss``, ``Avg. Val. Loss``
    and ``Mean Val. Acc`` stay names.
    """
    head, sep, _ = raw.rpartition(". ")
    if sep and head.strip():
        word = head.split()[-1]
        if len(word) > _ABBREVIATION and not is_split_name(word):
            return ""
    parts = [part.strip(" .-/") for part in raw.split(" - ")]
    if len(parts) > 1 and is_split_name(parts[-2]):
        return f"{parts[-2]} {parts[-1]}"
    return parts[-1]


def _generic_pairs(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for m in _GENERIC_PAIR.finditer(text):
        name = _pair_name(m.group(1))
        if not name or name.lower() in _NOT_METRICS or len(name) > 40:
            continue
        raw = m.group(2)
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        out.setdefault(name, value)
    return out


def _seconds(seg: str) -> float | None:
    m = _PER_EPOCH.search(seg)
    if m:
        return float(m.group(1)) * _UNITS[m.group(2)]
    m = _PER_STEP.search(seg)
    bar = _BAR.match(seg)
    if m and bar:
        return round(float(m.group(1)) * _UNITS[m.group(2)] * int(bar.group(2)), 6)
    return None


def _draft(
    rows: list[tuple[_Epoch, dict[str, float], float | None, int]],
    notes: list[str],
    *,
    stopped: bool,
    restored: int | None,
    summary: dict[str, float],
) -> Draft:
    names: dict[str, None] = {}
    for _, values, _, _ in rows:
        names.update(dict.fromkeys(values))
    columns: dict[str, list[Any]] = {
        name: [values.get(name) for _, values, _, _ in rows] for name in names
    }
    numbers = [ep.number for ep, _, _, _ in rows]
    seconds: list[float | None] | None = [s for _, _, s, _ in rows]
    if seconds is not None and all(s is None for s in seconds):
        seconds = None
    last = rows[-1][0]
    status = "stopped-early" if stopped else "completed" if last.number == last.total else (
        "unknown"
    )
    facts: dict[str, Any] = dict(summary)
    if restored is not None:
        # EarlyStopping(restore_best_weights=True) prints this when it restores: on
        # stopping (Keras 2) or at the end of training, stopped or not (Keras 3)
        facts["restored_best_epoch"] = restored
    calls = [c for _, _, _, c in rows]
    phases: list[Phase] = []
    # a count that jumps by the same k every time under one total is one fit printing
    # every k-th epoch (Epoch [50/500], [100/500], ...), not fit calls; an uneven jump
    # (fit(initial_epoch=10) after a stop at epoch 8) is a new fit
    gaps = {b - a for a, b in itertools.pairwise(numbers)}
    strided = len(gaps) == 1 and min(gaps) > 1 and len({ep.total for ep, *_ in rows}) == 1
    if calls[-1] > 1 and not strided:
        seen: set[int] = set()
        for (ep, _, _, c) in rows:
            if c not in seen:
                seen.add(c)
                phases.append(Phase(epoch=ep.number, label=f"fit {c}"))
    fit = FitInfo(
        epochs=last.total,
        initial_epoch=numbers[0] - 1,
        restore_best_weights=True if restored is not None else None,
    )
    return Draft(
        columns=columns,
        epochs=numbers,
        notes=notes,
        facts=facts,
        phases=phases,
        fit=fit,
        status=status,
        seconds=seconds,
        # Keras's progress bars (not another logger's name: value pairs): Keras's names
        # in them prove Keras
        keras_layout=all(any(_BAR.match(seg) for seg in ep.segments) for ep, _, _, _ in rows),
    )
