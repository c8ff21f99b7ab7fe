"""Helpers shared by the reporters: value formatting, sanitizing, grouping, sparklines.

Standard library only: every reporter imports this module, and the JSON and GitHub
reporters must start without importing rich, numpy or pandas.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fitdoctor.report import BestEpoch, Finding, Report, Severity, SharedEvidence, Skipped
from fitdoctor.run import MODEL_FILE
from fitdoctor.sanitize import safe_line, safe_text

if TYPE_CHECKING:
    from fitdoctor.run import Run

#: Severities in display order, most severe first.
SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)

#: Keys of ``Report.run_summary`` shown in the header line, with their labels.
SUMMARY_KEYS = (
    ("framework", "framework"),
    ("model", "model"),
    ("params", "params"),
    ("loss", "loss"),
    ("optimizer", "optimizer"),
    ("learning_rate", "lr"),
    ("task", "task"),
    ("n_train", "train samples"),
    ("n_val", "val samples"),
    ("phases", "phases"),
    ("facts", "facts (not judged)"),
)

#: Sparkline levels, lowest first. Unicode blocks for terminals, ASCII for logs.
UNICODE_LEVELS = "▁▂▃▄▅▆▇█"
ASCII_LEVELS = "_.:-=+*#%@"


def clean(text: object, *, keep_newlines: bool = False) -> str:
    r"""Make a string from the run safe to print: no control characters, one line.

    The sanitizer is :mod:`fitdoctor.sanitize`: control characters (ESC included, so a
    message cannot smuggle ANSI sequences into a log), bidi controls, line separators
    and lone surrogates are shown as ``\xNN`` / ``\uNNNN``. Newlines, carriage returns
    and tabs become spaces unless ``keep_newlines``, in which case ``\r\n`` and ``\r``
    become ``\n``.

    Args:
        text: The value to print (``str()`` is applied).
        keep_newlines: Keep line breaks (as ``\n``). Defaults to `False`.

    Returns:
        The printable string.
    """
    if keep_newlines:
        s = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        return safe_text(s)
    return safe_line(text)


def fmt_value(value: Any, *, max_items: int = 6) -> str:
    """Format an evidence value compactly.

    Floats get four significant digits, non-finite floats read ``nan``/``inf``,
    ``None`` reads ``n/a``, lists show at most ``max_items`` items.

    Args:
        value: The value.
        max_items: Longest list or mapping shown in full. Defaults to `6`.

    Returns:
        The formatted value, on one line.
    """
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value == 0:
            return "0"
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        shown = [fmt_value(v, max_items=max_items) for v in value[:max_items]]
        more = len(value) - max_items
        if more > 0:
            shown.append(f"... +{more}")
        return "[" + ", ".join(shown) + "]"
    if isinstance(value, dict):
        items = list(value.items())
        shown = [f"{clean(k)}: {fmt_value(v, max_items=max_items)}" for k, v in items[:max_items]]
        more = len(items) - max_items
        if more > 0:
            shown.append(f"... +{more}")
        return "{" + ", ".join(shown) + "}"
    return clean(value)


def evidence_items(
    finding: Finding, shared: SharedEvidence | None = None
) -> list[tuple[str, str]]:
    """The finding's evidence as ``(key, formatted value)`` pairs, in evidence order.

    Keys in ``shared`` (printed once for the report) are left out.
    """
    skip = shared.values if shared is not None else {}
    return [(clean(k), fmt_value(v)) for k, v in finding.evidence.items() if k not in skip]


def shared_heading(shared: SharedEvidence) -> str:
    """``"evidence shared by FD501, FD502 and FD503"``."""
    codes = [clean(c) for c in shared.codes]
    listed = ", ".join(codes[:-1]) + f" and {codes[-1]}" if len(codes) > 1 else "".join(codes)
    return f"evidence shared by {listed}"


def shared_items(shared: SharedEvidence) -> list[tuple[str, str]]:
    """The shared evidence as ``(key, formatted value)`` pairs."""
    return [(clean(k), fmt_value(v)) for k, v in shared.values.items()]


def takes_shared(finding: Finding, shared: SharedEvidence) -> bool:
    """True when ``finding`` carries some of the shared evidence."""
    return any(k in shared.values for k in finding.evidence)


def folds_text(finding: Finding) -> str | None:
    """``"in 4 of 5 folds"`` for a cross-validation's finding, else ``None``."""
    if finding.folds is None:
        return None
    return f"in {finding.folds.fired} of {plural(finding.folds.of, 'fold')}"


def by_severity(findings: Iterable[Finding]) -> list[tuple[Severity, list[Finding]]]:
    """Group findings by severity, most severe first; empty groups are left out.

    Within a group the report's order (by code) is kept.
    """
    groups: dict[Severity, list[Finding]] = {s: [] for s in SEVERITY_ORDER}
    for f in findings:
        groups[f.severity].append(f)
    return [(s, fs) for s, fs in groups.items() if fs]


def group_skipped(skipped: Iterable[Skipped]) -> list[list[Skipped]]:
    """Group skipped rules that share a reason and a hint, in order of first appearance.

    A bare history skips a dozen model rules for the same reason; the terminal and
    text reports show such a group on one line instead of repeating the hint.
    """
    groups: dict[tuple[str, str], list[Skipped]] = {}
    for s in skipped:
        groups.setdefault((s.reason, s.hint), []).append(s)
    return list(groups.values())


def skipped_line(group: Sequence[Skipped]) -> tuple[str, str]:
    """``(what, hint)`` for a group from :func:`group_skipped`.

    One rule reads ``"FD601 linear-hidden-layer: no model facts"``; several read
    ``"FD601, FD602, FD603: no model facts"``.
    """
    first = group[0]
    if len(group) == 1:
        what = f"{clean(first.code)} {clean(first.name)}"
    else:
        what = ", ".join(clean(s.code) for s in group)
    return f"{what}: {clean(first.reason)}", clean(first.hint)


def rows_phrase(report: Report) -> str:
    """What the run's rows are, counted: ``12 epochs``.

    A Trainer run evaluated every N steps reads ``10 evaluations, every 100 steps``: its
    rows are evaluations, not epochs.
    """
    every = report.run_summary.get("eval_steps")
    if every:
        return f"{plural(report.n_epochs, 'evaluation')}, every {fmt_value(every)} steps"
    return plural(report.n_epochs, "epoch")


def header_facts(report: Report) -> list[str]:
    """Facts for the header line: epochs, metrics, then the run summary, as ``key: value``.

    A saved model (``fitdoctor lint``) has no epochs: it reads ``saved model`` instead; a
    Trainer run evaluated every N steps reads ``10 evaluations, every 100 steps``.
    """
    if report.run_summary.get("source") == MODEL_FILE:
        facts = ["saved model"]
    else:
        facts = [rows_phrase(report)]
    if report.metrics:
        facts.append("metrics: " + ", ".join(clean(m) for m in report.metrics))
    for key, label in SUMMARY_KEYS:
        if report.run_summary.get(key) is not None:
            facts.append(f"{label}: {fmt_value(report.run_summary[key])}")
    return facts


def _early_stopping_args(best: BestEpoch) -> list[str]:
    args = [f'monitor="{clean(best.monitor)}"']
    if best.patience is not None:
        args.append(f"patience={best.patience}")
    args.append("restore_best_weights=True")
    return args


def keras_code(report: Report) -> bool:
    """Whether the report may show Keras code: the run's framework is Keras's, or unknown.

    A run known to come from another framework (``run_summary["framework"]``: a Hugging
    Face Trainer, Lightning, PyTorch) gets its early stopping from the rules' advice, in
    its own framework, and no ``keras.callbacks.EarlyStopping`` call.
    """
    return report.run_summary.get("framework") in (None, "", "keras")


def early_stopping_call(best: BestEpoch) -> str:
    """The ``EarlyStopping(...)`` call that would have kept ``best``, on one line."""
    return f"EarlyStopping({', '.join(_early_stopping_args(best))})"


def early_stopping_lines(best: BestEpoch, width: int, indent: int) -> list[str]:
    """The ``EarlyStopping`` call as lines of valid Python that fit ``width`` if possible.

    One line when it fits after ``indent`` spaces, else one argument per line.
    """
    pad = " " * indent
    call = early_stopping_call(best)
    if indent + len(call) <= width:
        return [pad + call]
    return [
        pad + "EarlyStopping(",
        *(f"{pad}    {a}," for a in _early_stopping_args(best)),
        pad + ")",
    ]


def best_epoch_sentences(best: BestEpoch) -> tuple[str, str | None]:
    """The best-epoch summary and, when training ran past it, how far.

    Returns:
        ``("best epoch 7 of 40 (val_loss 0.41)", "training ran 33 epochs past it")``;
        the second is ``None`` when the best epoch is the last one.
    """
    summary = (
        f"best epoch {best.epoch} of {best.last_epoch} "
        f"({clean(best.monitor)} {fmt_value(best.value)})"
    )
    if best.stopped_early and best.last_epoch > best.epoch:
        extra = best.last_epoch - best.epoch
        return f"{summary}; early stopping ended training {plural(extra, 'epoch')} later", None
    if not best.ran_past:
        return summary, None
    extra = best.last_epoch - best.epoch
    return summary, f"training ran {plural(extra, 'epoch')} past it"


def plural(n: int, word: str) -> str:
    """``"1 finding"``, ``"2 findings"``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def totals(reports: Sequence[Report]) -> str:
    """One line summing up several reports, e.g. ``"3 runs: 1 error, 2 warnings"``."""
    counts = [
        plural(n, s.value)
        for s in SEVERITY_ORDER
        if (n := sum(r.count(s) for r in reports))
    ]
    return f"{plural(len(reports), 'run')}: {', '.join(counts) if counts else 'no findings'}"


# ------------------------------------------------------------------ sparkline
@dataclass
class Spark:
    """One curve rendered as a sparkline.

    Args:
        name: Metric name.
        cells: One entry per column: a level index (0 = lowest), ``-1`` for a
            non-finite value (NaN/inf) or ``None`` for a gap (not logged).
        first: First logged value, or ``None``.
        last: Last logged value, or ``None``.
        low: Lowest finite value, or ``None``.
    """

    name: str
    cells: list[int | None]
    first: float | None
    last: float | None
    low: float | None


@dataclass
class Sparklines:
    """Train/validation loss sparklines on one scale.

    Args:
        curves: The curves, training first.
        per_column: Epochs per column (1 unless the run is wider than the space).
        best_column: Column of the best epoch, or ``None``.
        log_scale: True when values spanned three decades or more and were log-scaled.
        first_epoch: First epoch number.
        last_epoch: Last epoch number.
        own_scale: True when each curve is drawn on its own scale: on the shared log
            scale one of them (a validation loss near 0.5 beside a training loss at
            1e-6) would fill under a quarter of the height, a flat bar hiding its rise.
    """

    curves: list[Spark]
    per_column: int
    best_column: int | None
    log_scale: bool
    first_epoch: int
    last_epoch: int
    own_scale: bool = False


def sparklines(
    run: Run,
    *,
    levels: int,
    max_columns: int,
    best: BestEpoch | None = None,
    keys: Sequence[str] = ("loss", "val_loss"),
) -> Sparklines | None:
    """Compute sparkline cells for ``keys`` (those the run has) on a shared scale.

    Long runs are bucketed: each column covers ``ceil(n / max_columns)`` epochs and
    shows their mean; a column holding a NaN or inf shows the non-finite marker,
    a column with nothing logged shows a gap.

    Args:
        run: The run with the curves.
        levels: Number of height levels.
        max_columns: Widest sparkline allowed.
        best: The best epoch to mark. Defaults to `None`.
        keys: Metrics to draw. Defaults to `("loss", "val_loss")`.

    Returns:
        The sparklines, or ``None`` when the run has none of ``keys`` or no epochs.
    """
    present = [k for k in keys if k in run.metrics and run.has(k)]
    n = run.n_epochs
    if not present or n == 0:
        return None
    per = max(1, math.ceil(n / max(1, max_columns)))
    n_cols = math.ceil(n / per)

    # Bucket each curve: (mean of finite values | None for gap | nan for non-finite).
    bucketed: dict[str, list[float | None]] = {}
    for key in present:
        raw = run.metrics[key]
        cols: list[float | None] = []
        for c in range(n_cols):
            chunk = raw[c * per : (c + 1) * per]
            logged = [float(v) for v in chunk if v is not None]
            if not logged:
                cols.append(None)
            elif any(not math.isfinite(v) for v in logged):
                cols.append(math.nan)
            else:  # each value divided first: a sum of values near 1e308 overflows
                cols.append(sum(v / len(logged) for v in logged))
        bucketed[key] = cols

    def finite_of(keys: Sequence[str]) -> list[float]:
        return [v for k in keys for v in bucketed[k] if v is not None and math.isfinite(v)]

    shared = _scale(finite_of(present))
    log_scale = shared[2]
    scales = {key: shared for key in present}
    own_scale = False
    if log_scale and len(present) > 1:
        own = {key: _scale(finite_of([key])) for key in present}
        total = shared[1] - shared[0]
        # a curve squeezed into under a quarter of the shared log scale reads as a flat bar
        if any(_log_span(finite_of([key])) < total / 4 and own[key][1] > own[key][0]
               for key in present):
            scales, own_scale = own, True
            log_scale = any(own[key][2] for key in present)

    curves: list[Spark] = []
    for key in present:
        lo, hi, log = scales[key]
        cells: list[int | None] = []
        for v in bucketed[key]:
            if v is None:
                cells.append(None)
            elif not math.isfinite(v):
                cells.append(-1)
            else:
                cells.append(_level(v, lo, hi, log, levels))
        logged = [float(v) for v in run.metrics[key] if v is not None]
        fin = [v for v in logged if math.isfinite(v)]
        curves.append(
            Spark(
                name=key,
                cells=cells,
                first=logged[0] if logged else None,
                last=logged[-1] if logged else None,
                low=min(fin) if fin else None,
            )
        )
    best_column = None
    if best is not None and best.epoch in run.epochs:
        best_column = run.epochs.index(best.epoch) // per
    return Sparklines(
        curves=curves,
        per_column=per,
        best_column=best_column,
        log_scale=log_scale,
        first_epoch=run.epochs[0],
        last_epoch=run.epochs[-1],
        own_scale=own_scale,
    )


MIN_RELATIVE_SPAN = 0.01
"""The narrowest range a sparkline scale spans, as a share of the values' magnitude.

A loss that moves 0.05% over a whole run (5.794 -> 5.791) stretched over the full height
would draw a steep fall beside a finding that says it did not move; its range is widened
around its middle to this share, so it draws flat."""


def _scale(finite: Sequence[float]) -> tuple[float, float, bool]:
    """``(lo, hi, log)``: the range of ``finite``, in log10 when it spans three decades.

    A linear range narrower than :data:`MIN_RELATIVE_SPAN` of the values' magnitude is
    widened around its middle to that share, so a curve that barely moves draws flat.
    """
    if not finite:
        return 0.0, 0.0, False
    lo, hi = min(finite), max(finite)
    if lo > 0 and hi / lo >= 1000:
        return math.log10(lo), math.log10(hi), True
    floor = MIN_RELATIVE_SPAN * max(abs(lo), abs(hi))
    if hi / 2 - lo / 2 < floor / 2 and math.isfinite(floor):
        mid = lo / 2 + hi / 2
        return mid - floor / 2, mid + floor / 2, False
    return lo, hi, False


def _log_span(finite: Sequence[float]) -> float:
    """Decades spanned by ``finite`` (0 when empty or not all positive)."""
    if not finite or min(finite) <= 0:
        return 0.0
    return math.log10(max(finite)) - math.log10(min(finite))


def _level(v: float, lo: float, hi: float, log: bool, levels: int) -> int:
    """The height level of ``v`` on the scale ``lo``..``hi`` (log10 units when ``log``)."""
    x = math.log10(v) if log else v
    span = hi / 2 - lo / 2  # halved: hi - lo overflows for curves spanning ±1e308
    if not span > 0:
        return 0
    return min(levels - 1, max(0, round((x / 2 - lo / 2) / span * (levels - 1))))


def spark_tail(spark: Spark, arrow: str = "->", room: int | None = None) -> str:
    """The numbers after a sparkline: ``first -> last (min low)``.

    Args:
        spark: The curve.
        arrow: The arrow between first and last. Defaults to `"->"`.
        room: Characters available; the minimum, then everything, is dropped to fit.
            Defaults to `None` (no limit).

    Returns:
        The tail, possibly empty.
    """
    if spark.first is None or spark.last is None:
        return ""
    short = f"{fmt_value(spark.first)} {arrow} {fmt_value(spark.last)}"
    full = short
    if spark.low is not None and spark.low != spark.last:
        full += f" (min {fmt_value(spark.low)})"
    for tail in (full, short):
        if room is None or len(tail) <= room:
            return tail
    return ""


def spark_caption(lines: Sparklines) -> str:
    """What the sparkline shows: epoch range, bucketing and scale."""
    parts = [f"epochs {lines.first_epoch}-{lines.last_epoch}"]
    if lines.per_column > 1:
        parts.append(f"{lines.per_column} epochs per column")
    if lines.own_scale:
        parts.append("each curve on its own scale")
        if lines.log_scale:
            parts.append("log where it spans decades")
    else:
        parts.append("log scale" if lines.log_scale else "shared scale")
    return ", ".join(parts)


def caret_line(lines: Sparklines, indent: int, best: BestEpoch, width: int) -> str:
    """The line under the sparklines with ``^`` under the best epoch and a label."""
    col = lines.best_column if lines.best_column is not None else 0
    label = f"best epoch {best.epoch}"
    pos = indent + col
    right = " " * pos + "^ " + label
    if len(right) <= width or pos < len(label) + 1:
        return right
    return " " * (pos - len(label) - 1) + label + " ^"


def superseded_line(report: Report) -> str | None:
    """One line naming the findings left out as moot, e.g. ``"FD412 (by FD101)"``."""
    if not report.superseded:
        return None
    return "left out as made moot by another finding: " + ", ".join(
        f"{s.code} {s.name}{'' if s.output is None else f' on output {s.output}'} "
        f"(by {', '.join(s.by)})"
        for s in report.superseded
    )
