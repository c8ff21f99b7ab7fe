#!/usr/bin/env python
"""Histories analyzed per second in one process, over 1,000 history files.

Usage:
    python bench/bench_throughput.py [--files N] [--seed S] [--profile]

The files are generated into a temporary folder from the recorded corpus
(``tests/data/histories/*.json``, real Keras ``history.history`` dumps): each file is a
corpus history, picked round-robin, with every value multiplied by ``1 + N(0, 0.01)``
(seeded) and, for one file in three, the last 0–20% of epochs cut off. Non-finite values
(a diverged run) stay as they are. Without a corpus, synthetic curves are used instead
(and the output says so).

Timed, all in one process after one warm-up file:

- ``load+analyze+json``: what ``fitdoctor analyze a.json b.json ... --format json`` does
  per file: :func:`fitdoctor.readers.load`, :func:`fitdoctor.engine.analyze` with the rules
  loaded once, and the JSON report rendered. Target: >= 500 histories/s.
- ``fitdoctor.analyze(path)``: the public one-call API, which loads the rules each call.

Rates are per wall-clock second and, for the first, also per CPU second of the process
(on a shared machine the wall-clock rate depends on what else runs).

``--profile`` prints the 15 costliest functions of the first measurement (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = 500.0


def corpus() -> tuple[list[dict[str, list[Any]]], str]:
    """The recorded histories, or synthetic ones when there are none."""
    histories = []
    for path in sorted((ROOT / "tests" / "data" / "histories").glob("*.json")):
        if path.name == "labels.json":
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
            histories.append(data)
    if histories:
        return histories, f"{len(histories)} recorded histories in tests/data/histories"
    synthetic = []
    for k in range(20):
        n = 20 + 10 * k
        turn = n // 3 + k
        synthetic.append({
            "loss": [1.0 * 0.93**i for i in range(n)],
            "val_loss": [1.05 * 0.93**min(i, turn) * (1 + 0.01 * k * max(0, i - turn))
                         for i in range(n)],
        })
    return synthetic, "20 synthetic histories (no recorded corpus found)"


def perturb(history: dict[str, list[Any]], rng: random.Random) -> dict[str, list[Any]]:
    """Multiply each value by 1 + N(0, 0.01); sometimes drop the last epochs."""
    out: dict[str, list[Any]] = {}
    lengths = {len(v) for v in history.values()}
    n_train = max(lengths)
    cut = 0
    if rng.random() < 1 / 3 and n_train > 10:
        cut = rng.randint(0, n_train // 5)
    for key, values in history.items():
        keep = len(values) - round(cut * len(values) / n_train)
        noisy = []
        for v in values[:keep]:
            if isinstance(v, (int, float)) and math.isfinite(v):
                noisy.append(v * (1 + rng.gauss(0, 0.01)))
            else:
                noisy.append(v)
        out[key] = noisy
    return out


def generate(folder: Path, n: int, seed: int) -> tuple[list[Path], str]:
    """Write ``n`` perturbed histories into ``folder``."""
    histories, origin = corpus()
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        path = folder / f"history_{i:04d}.json"
        path.write_text(json.dumps(perturb(histories[i % len(histories)], rng)),
                        encoding="utf-8")
        paths.append(path)
    return paths, origin


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="histories to analyze (1000)")
    parser.add_argument("--seed", type=int, default=0, help="perturbation seed (0)")
    parser.add_argument("--profile", action="store_true", help="show the costliest functions")
    args = parser.parse_args()

    import fitdoctor
    from fitdoctor import engine, readers
    from fitdoctor.reporters import render
    from fitdoctor.rules import Settings

    with tempfile.TemporaryDirectory() as tmp:
        paths, origin = generate(Path(tmp), args.files, args.seed)
        rules = Settings().rules()

        def pipeline() -> int:
            findings = 0
            for path in paths:
                run = readers.load(path)
                report = engine.analyze(run, rules=rules)
                render(report, "json", run=run)
                findings += len(report.findings)
            return findings

        # warm-up (lazy imports, caches)
        render(engine.analyze(readers.load(paths[0]), rules=rules), "json")
        epochs = [readers.load(p).n_epochs for p in paths]

        profiler = cProfile.Profile() if args.profile else None
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        findings = pipeline()
        if profiler is not None:
            profiler.disable()
        pipeline_s = time.perf_counter() - start
        pipeline_cpu = time.process_time() - cpu_start

        start = time.perf_counter()
        for path in paths:
            fitdoctor.analyze(path)
        api_s = time.perf_counter() - start

    rate = args.files / pipeline_s
    cpu_rate = args.files / pipeline_cpu
    print(f"corpus:                    {origin}")
    print(f"files:                     {args.files} (epochs per file: min {min(epochs)}, "
          f"median {sorted(epochs)[len(epochs) // 2]}, max {max(epochs)}), "
          f"{len(rules)} rules, {findings} findings")
    print(f"load+analyze+json:         {rate:8.0f} histories/s  "
          f"({1000 * pipeline_s / args.files:.2f} ms each)  "
          f"(target >= {TARGET:.0f}: {'met' if rate >= TARGET else 'MISSED'})")
    print(f"  per CPU second:          {cpu_rate:8.0f} histories/s  "
          f"(CPU time of this process; steadier on a busy machine; load "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")
    print(f"fitdoctor.analyze(path):   {args.files / api_s:8.0f} histories/s  "
          f"({1000 * api_s / args.files:.2f} ms each, rules reloaded per call)")
    if profiler is not None:
        print("costliest functions (load+analyze+json, cProfile, by own time):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
