"""Analyze many sources, on all cores, with results in a stable order as they finish.

A sweep (``fitdoctor analyze runs/``, a glob, a KerasTuner project) can be thousands
of history files. :func:`analyze_sources` reads and judges each source in a pool of
worker processes and yields one :class:`SourceResult` per source **in the order the
sources were given**, as soon as that source and every one before it is done, so the
command can stream its output (JSON Lines) while the rest is still being judged.

- **Spawn-safe.** Workers are started with the ``spawn`` method on every platform (the
  default on macOS and Windows; on Linux it avoids forking a process that may hold
  threads): the worker function and everything it is given are importable and
  picklable, and the workers import only the analysis path (no keras).
- **Bounded memory.** Sources are sent in chunks, and at most :data:`WINDOW` chunks per
  worker are in flight or waiting to be consumed; a worker returns, per run, a small
  :class:`~fitdoctor.sweep.SweepRow` and the report already rendered in the formats
  asked for, never the run itself.
- **Small sweeps stay in-process.** Starting a worker costs about as much as judging a
  few hundred histories, so fewer than :data:`POOL_MIN_SOURCES` sources (or ``jobs=1``)
  are analyzed in this process, with the same code.

A source that cannot be used gives a :class:`SourceResult` with its one-line error
(never an exception), so one bad file in ten thousand costs one error line.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fitdoctor.errors import InputError
from fitdoctor.report import strict_json

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.rules import Rule, Settings
    from fitdoctor.run import Run
    from fitdoctor.sweep import SweepRow

#: Fewer sources than this are analyzed in-process when ``jobs`` is automatic: a spawned
#: worker's start (imports, rules) costs about what ~250 histories take to judge
#: (``bench/bench_sweep.py``).
POOL_MIN_SOURCES = 400
#: Chunks in flight (or done and waiting to be consumed) per worker.
WINDOW = 4
#: Largest chunk of sources sent to a worker at once.
MAX_CHUNK = 64


@dataclass(frozen=True)
class Options:
    """How every source of a batch is read, judged and rendered.

    Args:
        settings: Rule selection and configuration (``fail_on`` included).
        task: Task type for histories that lack it. Defaults to `None`.
        classes: Number of classes for histories that lack it. Defaults to `None`.
        class_counts: Training samples per class. Defaults to `None`.
        formats: Formats each run's report is rendered in (``"json"`` is one line).
            Defaults to none.
        width: Line width of ``text`` and ``rich``. Defaults to `100`.
        color: ANSI colour in ``rich``. Defaults to `False`.
    """

    settings: Settings
    task: str | None = None
    classes: int | None = None
    class_counts: tuple[int, ...] | None = None
    formats: tuple[str, ...] = ()
    width: int = 100
    color: bool = False


@dataclass
class RunResult:
    """One analyzed run.

    Args:
        row: Its summary row.
        outputs: Its report, rendered in each format of :attr:`Options.formats`.
        fails: A finding is at or above the settings' ``fail_on``.
    """

    row: SweepRow
    outputs: dict[str, str] = field(default_factory=dict)
    fails: bool = False


@dataclass
class SourceResult:
    """Every run of one source, or why it could not be used.

    Args:
        index: The source's position in the batch.
        display: How the source is named.
        runs: Its runs' results, in source order.
        error: The one-line error when the source could not be used.
    """

    index: int
    display: str
    runs: list[RunResult] = field(default_factory=list)
    error: str | None = None


# One (display, path) per source; ``path`` None means bytes the caller holds (stdin),
# which are analyzed in-process.
Job = tuple[int, str, "str | None"]


def available_cpus() -> int:
    """The cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def workers_for(n_sources: int, jobs: int) -> int:
    """How many worker processes to use; 1 means in-process.

    Args:
        n_sources: Sources in the batch.
        jobs: ``--jobs``: 0 for automatic (all cores for a large batch), else the number.

    Returns:
        The number of processes.
    """
    if jobs == 1 or n_sources < 2:
        return 1
    if jobs <= 0:
        return available_cpus() if n_sources >= POOL_MIN_SOURCES else 1
    return min(jobs, n_sources)


def analyze_sources(
    sources: Sequence[Any], options: Options, *, jobs: int = 0
) -> Iterator[SourceResult]:
    """Read, judge and render every source; yield the results in the order given.

    Args:
        sources: :class:`~fitdoctor.readers.Source` objects.
        options: How to judge and render.
        jobs: Worker processes: 0 for automatic, 1 for none. Defaults to `0`.

    Yields:
        One result per source, in order, each as soon as it and those before it are done.
    """
    workers = workers_for(len(sources), jobs)
    in_memory = [s for s in sources if s.path is None]
    if workers == 1 or in_memory:
        state = _State(options)
        for i, source in enumerate(sources):
            yield state.analyze(i, source)
        return
    jobs_list: list[Job] = [(i, s.display, s.path) for i, s in enumerate(sources)]
    metric_map = dict(sources[0].metric_map) if sources else {}
    yield from _pooled(jobs_list, options, metric_map, workers)


def _pooled(
    jobs_list: list[Job], options: Options, metric_map: dict[str, str], workers: int
) -> Iterator[SourceResult]:
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    size = max(1, min(MAX_CHUNK, len(jobs_list) // (workers * 8)))
    chunks = iter([jobs_list[i : i + size] for i in range(0, len(jobs_list), size)])
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init,
        initargs=(options, metric_map),
    ) as pool:
        pending: deque[Future[list[SourceResult]]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(_work, chunk))
            if len(pending) >= workers * WINDOW:
                break
        try:
            while pending:
                done = pending.popleft().result()
                nxt = next(chunks, None)
                if nxt is not None:
                    pending.append(pool.submit(_work, nxt))
                yield from done
        finally:
            for fut in pending:
                fut.cancel()


class _State:
    """What a process needs to analyze sources: the options and the loaded rules."""

    def __init__(self, options: Options, metric_map: dict[str, str] | None = None) -> None:
        self.options = options
        self.rules: list[Rule] = options.settings.rules()
        self.metric_map = metric_map or {}

    def analyze(self, index: int, source: Any) -> SourceResult:
        """Analyze one source; any failure is the result's one-line error."""
        from fitdoctor import readers

        display = source.display
        out = SourceResult(index, display)
        try:
            where = source.path
            if where is not None and readers.is_document_file(where):
                from fitdoctor import cv  # cross-validation or learning-curve results

                report, run = cv.analyze_file(where, self.options.settings, rules=self.rules)
                pairs: list[tuple[Report, Run | None]] = [(report, run)]
            else:
                pairs = self._judge(readers.read_source(source))
        except (InputError, OSError) as exc:
            out.error = _error_line(exc, display)
            return out
        except Exception as exc:  # a bug must not end a sweep of thousands of files
            out.error = (
                f"{display}: internal error while reading it ({type(exc).__name__}: {exc}); "
                "please report it with the file"
            )
            return out
        out.runs = [self._result(report, run, index, display) for report, run in pairs]
        return out

    def _judge(self, runs: list[Run]) -> list[tuple[Report, Run | None]]:
        from fitdoctor import engine

        o = self.options
        pairs: list[tuple[Report, Run | None]] = []
        for run in runs:
            run.with_facts(task=o.task, n_classes=o.classes)
            if o.class_counts is not None:
                from fitdoctor.detectors.imbalance import with_class_counts

                with_class_counts(run, list(o.class_counts))
            pairs.append((engine.analyze(run, o.settings, rules=self.rules), run))
        return pairs

    def _result(
        self, report: Report, run: Run | None, index: int, display: str
    ) -> RunResult:
        from fitdoctor.sweep import row_of

        o = self.options
        outputs: dict[str, str] = {}
        for fmt in o.formats:
            outputs[fmt] = render_one(report, run, fmt, width=o.width, color=o.color)
        report.run = None  # the run is not needed any more (and is not sent back)
        return RunResult(
            row=row_of(report, run, index=index, source=display),
            outputs=outputs,
            fails=report.fails(o.settings.fail_on),
        )


def render_one(
    report: Report, run: Run | None, fmt: str, *, width: int = 100, color: bool = False
) -> str:
    """One run's report as a sweep prints it.

    ``json`` is one line (a JSON Lines record); ``markdown`` a level-3 section; the
    other formats as :func:`fitdoctor.reporters.render` makes them.

    Args:
        report: The report.
        run: The run, for sparklines.
        fmt: The format.
        width: Line width. Defaults to `100`.
        color: ANSI colour (rich). Defaults to `False`.

    Returns:
        The rendered report, ending with a newline.
    """
    if fmt == "json":
        return json.dumps(strict_json(report.to_dict()), allow_nan=False) + "\n"
    if fmt == "markdown":
        from fitdoctor.reporters.markdown import render_report

        return render_report(report, run=run, level=3)
    from fitdoctor import reporters

    return reporters.render(report, fmt, width=width, color=color, run=run)


def _error_line(exc: BaseException, display: str) -> str:
    if isinstance(exc, OSError):
        text = exc.strerror or str(exc)
        where = exc.filename if exc.filename is not None else display
        return f"{where}: {text}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if display in text else f"{display}: {text}"


_WORKER: _State | None = None


def _init(options: Options, metric_map: dict[str, str]) -> None:
    global _WORKER
    _WORKER = _State(options, metric_map)


def _work(chunk: list[Job]) -> list[SourceResult]:
    from fitdoctor.readers import Source

    state = _WORKER
    assert state is not None, "worker not initialized"
    return [
        state.analyze(i, Source(display, path, metric_map=state.metric_map))
        for i, display, path in chunk
    ]


__all__ = [
    "POOL_MIN_SOURCES",
    "Options",
    "RunResult",
    "SourceResult",
    "analyze_sources",
    "available_cpus",
    "render_one",
    "workers_for",
]
