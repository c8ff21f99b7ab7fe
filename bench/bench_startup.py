#!/usr/bin/env python
"""Cold start of ``fitdoctor analyze HISTORY --format json`` as a ratio to ``python -c pass``.

Usage:
    python bench/bench_startup.py [--runs N] [--history PATH] [--importtime] [--check]
                                  [--against DIR]

Both commands run ``N`` times, interleaved (pass, fitdoctor, pass, fitdoctor, ...) after
two warm-up runs each, so that load on a shared machine hits both alike. Reported: the
median wall time of each and their ratio, the median CPU time (user + sys of the child)
of each and their ratio (steadier on a busy machine), and which heavy modules the
analysis loaded (keras, tensorflow, pandas, sklearn, ... must not be there). Target:
ratio < 15.

``--importtime`` also runs the command once under ``python -X importtime`` and prints
the costliest imports (cumulative, by top-level package). ``--check`` exits 1 when the
wall-time ratio misses the target or a forbidden module is loaded.

``--against DIR`` also times the same command with ``DIR`` first on ``PYTHONPATH``, in
the same interleaved loop: ``DIR`` holds another version of the ``fitdoctor`` package,
e.g. ``git archive HEAD~3 | tar -x -C /tmp/before``, so that a change is measured
before and after in one session, under the same load. To compare dependency versions
(say typer), run this script with the interpreter of another virtual environment.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 15.0
FORBIDDEN = ("keras", "tensorflow", "pandas", "sklearn", "matplotlib", "scipy", "torch", "jax")
WATCHED = (*FORBIDDEN, "numpy", "click", "typer", "rich", "pydantic")


def default_history(tmp: Path) -> Path:
    """A recorded Keras history from the test corpus, else a synthetic one."""
    corpus = sorted(p for p in (ROOT / "tests" / "data" / "histories").glob("*.json")
                    if p.name != "labels.json")
    for preferred in ("digits_tutorial_100ep", "digits_tutorial"):
        for path in corpus:
            if path.stem.startswith(preferred):
                return path
    if corpus:
        return corpus[0]
    n = 40
    history = {
        "loss": [0.9 * 0.9**i for i in range(n)],
        "val_loss": [0.95 * 0.9**min(i, 12) * (1 + 0.04 * max(0, i - 12)) for i in range(n)],
    }
    path = tmp / "synthetic_history.json"
    path.write_text(json.dumps(history), encoding="utf-8")
    return path


def command(history: Path) -> list[str]:
    """``fitdoctor analyze HISTORY --format json``, via the console script when installed."""
    script = Path(sys.executable).parent / "fitdoctor"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "fitdoctor"]
    return [*head, "analyze", str(history), "--format", "json"]


def with_path(env: dict[str, str], first: Path) -> dict[str, str]:
    """``env`` with ``first`` at the front of ``PYTHONPATH``."""
    rest = env.get("PYTHONPATH")
    return {**env, "PYTHONPATH": f"{first}{os.pathsep}{rest}" if rest else str(first)}


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   cwd=cwd, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def loaded_modules(history: Path, env: dict[str, str], cwd: Path) -> list[str]:
    """Top-level packages in ``sys.modules`` when ``fitdoctor analyze`` exits."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as fh:
        out = fh.name
    wrapper = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: json.dump(sorted({{m.split('.')[0] for m in sys.modules}}), "
        f"open({out!r}, 'w')))\n"
        f"sys.argv = ['fitdoctor', 'analyze', {str(history)!r}, '--format', 'json']\n"
        "from fitdoctor.cli import main\n"
        "main()\n"
    )
    subprocess.run([sys.executable, "-c", wrapper], stdout=subprocess.DEVNULL, env=env,
                   cwd=cwd, check=False)
    try:
        with open(out, encoding="utf-8") as fh:
            return list(json.load(fh))
    finally:
        os.unlink(out)


def importtime(history: Path, env: dict[str, str], cwd: Path, top: int = 12) -> list[str]:
    """The costliest imports of one run: (cumulative ms, module), top-level modules first."""
    cmd = [sys.executable, "-X", "importtime", "-m", "fitdoctor", "analyze", str(history),
           "--format", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:"):].split("|")
        try:
            cumulative = int(parts[1])
        except ValueError:
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        if depth == 0:
            rows.append((cumulative / 1000, name.strip()))
    rows.sort(reverse=True)
    return [f"{ms:8.1f} ms  {name}" for ms, name in rows[:top]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (21)")
    parser.add_argument("--history", type=Path, help="history to analyze")
    parser.add_argument("--importtime", action="store_true", help="show the costliest imports")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="also time another fitdoctor tree (DIR/fitdoctor) in the same loop")
    args = parser.parse_args()
    against = args.against.resolve() if args.against else None
    if against is not None and not (against / "fitdoctor" / "__init__.py").is_file():
        parser.error(f"{against}/fitdoctor/__init__.py not found")

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        history = args.history.resolve() if args.history else default_history(tmp)
        # As installed: bytecode cached. pip compiles .pyc when it installs a wheel; a shell
        # with PYTHONDONTWRITEBYTECODE set would recompile every module on every start.
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("CI", "FORCE_COLOR", "PYTHONDONTWRITEBYTECODE")
        }
        env["NO_COLOR"] = "1"
        import fitdoctor

        trees = [Path(fitdoctor.__file__).parent]
        if against is not None:
            trees.append(against / "fitdoctor")
        for tree in trees:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree)], env=env,
                           check=False)
        base_cmd = [sys.executable, "-c", "pass"]
        fd_cmd = command(history)
        probe = subprocess.run(fd_cmd, capture_output=True, text=True, env=env, cwd=tmp,
                               check=False)
        if probe.returncode not in (0, 1):
            print(f"fitdoctor failed (exit {probe.returncode}): {probe.stderr.strip()}")
            return 2
        json.loads(probe.stdout)
        other_env = with_path(env, against) if against is not None else env

        for _ in range(2):
            timed(base_cmd, env, tmp)
            timed(fd_cmd, env, tmp)
            if against is not None:
                timed(fd_cmd, other_env, tmp)
        floor_cmd = [sys.executable, "-c", "import numpy, click"]
        base_wall, base_cpu, fd_wall, fd_cpu, floor_wall = [], [], [], [], []
        other_wall: list[float] = []
        other_cpu: list[float] = []
        for _ in range(args.runs):
            w, c = timed(base_cmd, env, tmp)
            base_wall.append(w)
            base_cpu.append(c)
            w, c = timed(fd_cmd, env, tmp)
            fd_wall.append(w)
            fd_cpu.append(c)
            if against is not None:
                w, c = timed(fd_cmd, other_env, tmp)
                other_wall.append(w)
                other_cpu.append(c)
            floor_wall.append(timed(floor_cmd, env, tmp)[0])
        modules = loaded_modules(history, env, tmp)
        imports = importtime(history, env, tmp) if args.importtime else []

    bw, fw = statistics.median(base_wall), statistics.median(fd_wall)
    bc, fc = statistics.median(base_cpu), statistics.median(fd_cpu)
    ratio, cpu_ratio = fw / bw, fc / max(bc, 1e-9)
    forbidden = [m for m in FORBIDDEN if m in modules]
    print(f"history:            {history}")
    print(f"command:            {' '.join(fd_cmd)}")
    print(f"runs:               {args.runs} each, interleaved, median; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"python -c pass:     {bw * 1000:7.1f} ms wall  {bc * 1000:7.1f} ms CPU")
    print(f"fitdoctor analyze:  {fw * 1000:7.1f} ms wall  {fc * 1000:7.1f} ms CPU")
    print(f"ratio:              {ratio:7.1f}x wall     {cpu_ratio:7.1f}x CPU   "
          f"(target < {TARGET_RATIO:.0f}x: {'met' if ratio < TARGET_RATIO else 'MISSED'})")
    floor = statistics.median(floor_wall)
    print(f"for scale:          python -c 'import numpy, click' {floor * 1000:.1f} ms wall = "
          f"{floor / bw:.1f}x; fitdoctor's own share {(fw - floor) / bw:.1f}x")
    if against is not None:
        ow, oc = statistics.median(other_wall), statistics.median(other_cpu)
        print(f"against {against}:")
        print(f"  fitdoctor analyze:{ow * 1000:7.1f} ms wall  {oc * 1000:7.1f} ms CPU   "
              f"= {ow / bw:.1f}x wall {oc / max(bc, 1e-9):.1f}x CPU")
        print(f"  this tree / it:   {fw / ow:7.3f} wall     {fc / max(oc, 1e-9):7.3f} CPU   "
              "(< 1: this tree starts faster)")
    watched = ", ".join(f"{m}={'yes' if m in modules else 'no'}" for m in WATCHED)
    print(f"modules loaded:     {watched}")
    print(f"forbidden loaded:   {', '.join(forbidden) if forbidden else 'none'}")
    if imports:
        print("costliest top-level imports (cumulative, one run, -X importtime):")
        print("\n".join("  " + line for line in imports))
    if args.check and (ratio >= TARGET_RATIO or forbidden):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
