#!/usr/bin/env python
"""Files per second of ``fitdoctor analyze FOLDER`` over a sweep: one core vs all cores.

Usage:
    python bench/bench_sweep.py [--files 10000] [--small 100,400] [--seed S]

Generates ``--files`` history files into a temporary folder (the recorded corpus in
``tests/data/histories``, each value times ``1 + N(0, 0.01)``, one file in three cut
short, as ``bench_throughput.py`` makes them), each with hyperparameter facts
(``units``, ``learning_rate``, ``batch_size``) beside the curves, then runs the real
command line on the folder, as a user would::

    fitdoctor analyze FOLDER --format json --exit-zero --jobs N > /dev/null

with ``--jobs 1`` (this process only) and ``--jobs`` = the cores available, and prints
for each the wall time, the files per second (wall) and the CPU seconds of the command
(user + sys of it and its workers), then the speed-up. ``--small`` repeats the pair on
the first few hundred files, where starting the workers costs what it saves (this is
what sets ``fitdoctor.batch.POOL_MIN_SOURCES``).

Wall time depends on what else the machine runs: the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_throughput import corpus, perturb  # noqa: E402

from fitdoctor.batch import available_cpus  # noqa: E402


def generate(folder: Path, n: int, seed: int) -> None:
    histories, _ = corpus()
    rng = random.Random(seed)
    for i in range(n):
        history = perturb(histories[i % len(histories)], rng)
        record = {
            **history,
            "units": rng.choice([16, 64, 256, 512]),
            "learning_rate": rng.choice([1e-4, 1e-3, 1e-2]),
            "batch_size": rng.choice([32, 128]),
        }
        (folder / f"run_{i:05d}.json").write_text(json.dumps(record))


def run(folder: Path, jobs: int, limit: int | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (command and workers) and runs reported."""
    args = [sys.executable, "-m", "fitdoctor", "analyze"]
    if limit is None:
        args.append(str(folder))
    else:
        args += [str(p) for p in sorted(folder.glob("*.json"))[:limit]]
    args += ["--format", "json", "--exit-zero", "--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"fitdoctor exited {proc.returncode}: {proc.stderr.decode()[:500]}")
    lines = proc.stdout.count(b"\n")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, lines - 1  # the last line is the summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--small", default="100,400",
                        help="smaller sweeps to time too, comma-separated ('' for none)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    cpus = available_cpus()
    print(f"cores available: {cpus}; load average: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sweep"
        folder.mkdir()
        generate(folder, args.files, args.seed)
        sizes: list[int | None] = [int(s) for s in args.small.split(",") if s.strip()]
        sizes.append(None)
        print(f"{'files':>7} {'jobs':>5} {'wall s':>8} {'files/s':>9} {'cpu s':>8}")
        for size in sizes:
            n = args.files if size is None else min(size, args.files)
            rates = {}
            for jobs in (1, cpus):
                wall, cpu, runs = run(folder, jobs, size)
                assert runs == n, (runs, n)
                rates[jobs] = n / wall
                print(f"{n:>7} {jobs:>5} {wall:>8.2f} {n / wall:>9.0f} {cpu:>8.2f}")
            if cpus > 1:
                print(f"{'':>7} speed-up with {cpus} processes: {rates[cpus] / rates[1]:.2f}x")
        print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
