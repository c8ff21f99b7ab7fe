"""Run a fuzzing case in-process and name every way its outcome breaks the contract.

The contract of every ``fitdoctor`` command, for any input: a report (exit 0 or 1,
nothing on stderr), or exit 2 with one line per unusable input
(``fitdoctor: error: ...``) -- never a traceback, never a hang, never an exit-0 run of
nothing (unless its verdict says it was not judged: a selection of rules none of which
could run), strict JSON out of ``--format json``, no terminal control sequence in anything
printed. :func:`run` executes a :class:`~strategies.Scenario` through click's test
runner in a fresh folder (with a time limit), :func:`violations` checks the outcome.

A violation has a ``kind`` (``traceback``, ``stderr-noise``, ``invalid-json``,
``escape``, ...), a detail (the exception type and the module that raised it) and an
``owner``: ``"part-b"`` for failures inside the rule engine (``engine.py``,
``rules.py``, ``templates.py``, ``detectors/``) and its verdict; ``"part-a"`` for
everything else (the two parts of issue 13; the suite checks both).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import struct
import tempfile
import time
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from fuzz.strategies import Scenario

#: Modules whose failures belong to the rule engine (the campaign's part B).
ENGINE_MODULES = ("fitdoctor/engine.py", "fitdoctor/rules.py", "fitdoctor/templates.py",
                  "fitdoctor/detectors/", "fitdoctor/cv/advice.py")

#: Characters that must never reach a terminal raw: C0 controls but newline, DEL, C1
#: controls, bidi embeddings/overrides/isolates and marks, line and paragraph separators.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                    "\u2066-\u2069\u2028\u2029\ud800-\udfff]")

ENV = {"NO_COLOR": "1", "COLUMNS": "100", "FORCE_COLOR": None, "GITHUB_ACTIONS": None,
       "CI": None, "FITDOCTOR_TRACEBACK": "1", "FITDOCTOR_NO_CACHE": None}


class Timeout(BaseException):
    """The case ran over its time limit (a BaseException: nothing inside may catch it)."""


@dataclass
class Outcome:
    """What one run of a case gave.

    Args:
        code: The exit code (``None`` when it did not end).
        stdout: Standard output.
        stderr: Standard error.
        exception: The exception that escaped, if any.
        where: ``file:line`` of the innermost fitdoctor frame of that exception.
        seconds: Wall time.
        outputs: Files the command wrote that the case names (``-o``).
    """

    code: int | None
    stdout: str
    stderr: str
    exception: BaseException | None = None
    where: str = ""
    seconds: float = 0.0
    outputs: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Violation:
    """One way an outcome breaks the contract."""

    kind: str
    detail: str
    owner: str = "part-a"

    def __str__(self) -> str:
        return f"{self.kind} [{self.owner}]: {self.detail}"


#: Wall time a case may take, as a multiple of its CPU-time limit: a case blocked on
#: something (a pipe with no writer) uses no CPU, and only the wall clock ends it.
WALL_FACTOR = 10


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Timeout` after ``seconds`` of CPU time, or ``WALL_FACTOR`` × as much wall time.

    A hang is judged on the process's CPU time, not the wall clock: on a loaded machine
    (a shared CI runner, several test runs at once) a case that needs 5 CPU seconds can
    take minutes of wall time, and a wall-clock limit would call it a hang. The wall
    clock still ends a case that blocks without computing.
    """
    def ring(_signum: int, _frame: Any) -> None:
        raise Timeout(f"over {seconds:g} s of CPU time or {WALL_FACTOR * seconds:g} s in all")

    old_prof = signal.signal(signal.SIGPROF, ring)
    old_alarm = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, WALL_FACTOR * seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, old_prof)
        signal.signal(signal.SIGALRM, old_alarm)


def _innermost(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        path = frame.filename.replace(os.sep, "/")
        if "/fitdoctor/" in path and "/tests/" not in path:
            return f"{path[path.rindex('/fitdoctor/') + 1:]}:{frame.lineno}"
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


def run(scenario: Scenario, *, timeout: float = 60.0, folder: Path | None = None) -> Outcome:
    """Run ``fitdoctor ARGV`` in-process, in a fresh folder holding the case's files.

    Args:
        scenario: The case.
        timeout: CPU seconds before it counts as a hang (see :func:`time_limit`).
            Defaults to `60`.
        folder: Where to write the files. Defaults to `None` (a new temporary folder).

    Returns:
        The outcome.
    """
    from fitdoctor.cli import app

    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fdfuzz-")))
        for name, data in scenario.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        here = os.getcwd()
        os.chdir(folder)
        stack.callback(os.chdir, here)
        env = {**ENV, **scenario.env}
        runner = CliRunner(env=env)
        start = time.perf_counter()
        exception: BaseException | None = None
        try:
            with time_limit(timeout), warnings.catch_warnings():
                warnings.simplefilter("default")
                result = runner.invoke(app, scenario.argv, input=scenario.stdin,
                                       catch_exceptions=True)
        except Timeout as exc:
            return Outcome(None, "", "", exc, "", time.perf_counter() - start)
        seconds = time.perf_counter() - start
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            exception = result.exception
        outputs = {}
        for name in ("report.html", "curves.png", "summary.md"):
            if (folder / name).is_file():
                outputs[name] = (folder / name).read_bytes()
        return Outcome(
            result.exit_code,
            result.stdout,
            result.stderr,
            exception,
            _innermost(exception) if exception is not None else "",
            seconds,
            outputs,
        )


def _owner_of(where: str) -> str:
    return "part-b" if any(m in where for m in ENGINE_MODULES) else "part-a"


def strict_json(text: str) -> Any:
    """Parse JSON refusing ``NaN``/``Infinity`` (strict JSON)."""
    def refuse(token: str) -> Any:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def violations(sc: Scenario, out: Outcome) -> list[Violation]:
    """Every way ``out`` breaks the contract for case ``sc``."""
    found: list[Violation] = []
    if isinstance(out.exception, Timeout):
        return [Violation("hang", f"{sc.command}: {out.exception}")]
    if isinstance(out.exception, MemoryError):
        return [Violation("memory", f"{sc.command}: {out.where}", _owner_of(out.where))]
    if out.exception is not None:
        detail = f"{type(out.exception).__name__} at {out.where}"
        return [Violation("traceback", detail, _owner_of(out.where))]
    code = out.code
    if code not in (0, 1, 2):
        found.append(Violation("exit-code", f"{sc.command} exited {code}"))
        return found
    errors = [line for line in out.stderr.splitlines() if line.strip()]
    if code == 2:
        if not errors:
            found.append(Violation("silent-exit-2", sc.command))
        allowed = max(1, len(sc.inputs))
        if len(errors) > allowed or any(not e.startswith("fitdoctor: error: ") for e in errors):
            found.append(Violation("error-lines", f"{sc.command}: {errors[:3]!r}"))
        if any("internal error" in e for e in errors):
            found.append(Violation("internal-error", errors[0][:120]))
        if sc.command == "analyze" and sc.inputs and all(i.valid for i in sc.inputs) \
                and sc.benign:
            found.append(Violation("valid-refused", f"{[i.kind for i in sc.inputs]}: "
                                                    f"{errors[:1]!r}"))
    elif errors:
        found.append(Violation("stderr-noise", f"{sc.command} exit {code}: {errors[0][:120]!r}"))
    for stream, text in (("stdout", out.stdout), ("stderr", out.stderr)):
        bad = UNSAFE.search(text)
        if bad is not None:
            found.append(Violation("escape", f"{sc.command} {stream}: U+{ord(bad.group()):04X}"))
    if code in (0, 1):
        found += _report_checks(sc, out, code)
    return found


def _report_checks(sc: Scenario, out: Outcome, code: int) -> list[Violation]:
    found: list[Violation] = []
    fmt = sc.option("-f", "--format")
    writes = sc.option("-o", "--output")
    if writes is None and not out.stdout.strip():
        found.append(Violation("no-output", f"{sc.command} exit {code}"))
    if fmt == "json" and writes is None and out.stdout.strip():
        try:
            lines = [out.stdout] if sc.command != "analyze" or len(out.stdout.splitlines()) == 1 \
                or out.stdout.lstrip().startswith("{\n") else out.stdout.splitlines()
            docs = [strict_json(line) for line in lines if line.strip()]
        except ValueError as exc:
            return [*found, Violation("invalid-json", f"{sc.command}: {str(exc)[:100]}")]
        if sc.command == "analyze":
            found += _json_report_checks(sc, docs, code)
    if sc.command == "plot" and code == 0:
        png = out.outputs.get("curves.png")
        size = _png_size(png) if png else None
        if size is None:
            found.append(Violation("plot", "exit 0 without a PNG"))
        else:
            dpi = int(sc.option("--dpi") or 100)
            if size[1] / dpi > 60 or size[0] / dpi > 20:
                found.append(Violation("plot-size", f"{size[0]}x{size[1]} px at {dpi} dpi"))
    if fmt == "html" and writes is not None and not out.outputs.get("report.html"):
        found.append(Violation("html", f"exit {code} without report.html"))
    return found


def _json_report_checks(sc: Scenario, docs: list[Any], code: int) -> list[Violation]:
    found: list[Violation] = []
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        for finding in doc.get("findings", []):
            if finding.get("code") == "FD000":
                found.append(Violation("fd000", str(finding.get("message", ""))[:120], "part-b"))
        learning_curve = str(doc.get("source", "")).startswith("learning curve") or any(
            i.kind == "lc" for i in sc.inputs)  # a learning curve has sizes, not epochs
        # "not judged: no check could run" (a selection no run could feed), also after the
        # run's status ("still running (0 epochs), so far: not judged: ...")
        not_judged = "not judged: " in str(doc.get("verdict", ""))
        if doc.get("n_epochs") == 0 and code == 0 and "--exit-zero" not in sc.argv \
                and not learning_curve and not not_judged:
            found.append(Violation("empty-run-exit-0", str(doc.get("verdict")), "part-b"))
    return found


def check(sc: Scenario, *, timeout: float = 60.0,
          owners: tuple[str, ...] = ("part-a", "part-b")) -> Outcome:
    """Run ``sc`` and fail (AssertionError) on a violation whose owner is in ``owners``."""
    out = run(sc, timeout=timeout)
    bad = [v for v in violations(sc, out) if v.owner in owners]
    if bad:
        lines = "\n".join(str(v) for v in bad)
        tb = "".join(traceback.format_exception(out.exception)) if out.exception else ""
        raise AssertionError(f"{lines}\n{sc.describe()}\nstdout: {out.stdout[-800:]!r}\n"
                             f"stderr: {out.stderr[-800:]!r}\n{tb}")
    return out
