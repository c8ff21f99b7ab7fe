#!/usr/bin/env python
"""Overhead of ``FitDoctor()`` on the Keras tutorial network, as a ratio of ``fit`` wall time.

Usage:
    python bench/bench_overhead.py [--epochs N] [--repeats N] [--data digits|synthetic|both]
                                   [--profile] [--check]

The network is :func:`fitdoctor.demo.build_model` (Dense 512 relu → Dense 10 softmax,
RMSprop, categorical cross-entropy), trained with ``batch_size=128``,
``validation_split=0.2`` and, by default, the tutorial's 10 epochs, in three configurations:

* ``none``: no callback (the baseline);
* ``fitdoctor``: ``FitDoctor(per_class=False)``;
* ``fitdoctor+per-class``: ``FitDoctor(per_class=True)`` (the default).

Every configuration is trained ``--repeats`` times in this one process, round-robin
(none, fitdoctor, fitdoctor+per-class, none, ...) after one warm-up round, so that load
from other processes on a shared machine hits all three alike. Each run builds a fresh
model with the same seed; the callback writes its run file to a temporary folder and
prints no report (``report=None``). Only ``model.fit`` is timed. Reported per
configuration: the median wall time, its ratio to the baseline's median, the overhead in
percent, the median CPU time of the process (all threads), and, measured from inside the
callback, the median seconds spent in its hooks (the overhead with the noise of the
training taken out), split into ``on_train_begin``, the per-epoch recording, the
per-class prediction and metrics, the saving of the run file and the analysis at the end.

Data sets:

* ``digits``: MNIST when Keras has it cached, else scikit-learn's ``load_digits``
  (:func:`fitdoctor.demo.load_data`). A digits epoch is ~0.1 s, so per-epoch costs
  that are fixed (saving the file, one prediction pass) look large next to it.
* ``synthetic``: an MNIST-sized array (60,000 × 784 float32 uniform inputs, 10 random
  classes, one-hot, seeded), so that an epoch takes as long as a real MNIST epoch.

Targets: overhead ≤ 1% without per-class metrics and ≤ 5% with them.
``--profile`` also runs one ``FitDoctor(per_class=True)`` training under :mod:`cProfile`,
enabled only while a hook of the callback runs, and prints where that time goes.
``--check`` exits 1 when a target is missed on the synthetic (MNIST-sized) data by the
time spent in the hooks (wall-time medians on a shared machine are too noisy to resolve
1%), or when the callback recorded an error (a failed analysis would hide its cost).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

TARGETS = {"fitdoctor": 1.0, "fitdoctor+per-class": 5.0}
CONFIGS = ("none", "fitdoctor", "fitdoctor+per-class")
#: The callback's hooks and the internal steps timed inside them.
HOOKS = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end")
PARTS = ("_record", "_per_class", "_save", "_analyze")
BATCH_SIZE = 128
SEED = 0
#: Errors the callback recorded (e.g. a failed analysis): the timings then miss that work.
PROBLEMS: set[str] = set()


@dataclass
class Data:
    """Training arrays of one data set."""

    name: str
    note: str
    x: np.ndarray
    y: np.ndarray


@dataclass
class Timings:
    """Measurements of one configuration on one data set."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    inside: list[dict[str, float]] = field(default_factory=list)
    warmup_wall: float = 0.0
    warmup_inside: dict[str, float] = field(default_factory=dict)


def load(which: str) -> Data:
    """The ``digits`` (MNIST if cached, else load_digits) or ``synthetic`` training arrays."""
    if which == "digits":
        from fitdoctor.demo import load_data

        demo = load_data()
        return Data(demo.name, demo.note, demo.x_train, demo.y_train)
    rng = np.random.default_rng(SEED)
    n, d, k = 60_000, 784, 10
    x = rng.random((n, d), dtype=np.float32)
    labels = rng.integers(0, k, n)
    y = np.zeros((n, k), dtype=np.float32)
    y[np.arange(n), labels] = 1.0
    return Data("synthetic", f"random MNIST-sized array: {n:,} × {d} float32, {k} classes",
                x, y)


def timed_fitdoctor_class(profiler: cProfile.Profile | None = None) -> type[Any]:
    """``FitDoctor`` with a stopwatch (and optionally a profiler) around its hooks."""
    from fitdoctor.callback import FitDoctor

    def wrap(name: str, outer: bool) -> Any:
        method = getattr(FitDoctor, name)

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if outer and profiler is not None:
                profiler.enable()
            start = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                if outer and profiler is not None:
                    profiler.disable()

        wrapper.__name__ = name
        return wrapper

    namespace: dict[str, Any] = {name: wrap(name, True) for name in HOOKS}
    namespace.update({name: wrap(name, False) for name in PARTS})

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        FitDoctor.__init__(self, *args, **kwargs)
        self.seconds = defaultdict(float)

    namespace["__init__"] = __init__
    return type("TimedFitDoctor", (FitDoctor,), namespace)


def fit_once(data: Data, config: str, epochs: int, folder: Path,
             cls: type[Any]) -> tuple[float, float, dict[str, float]]:
    """Train a fresh tutorial network once; wall and CPU seconds of ``fit``, hook seconds."""
    import keras

    from fitdoctor.demo import build_model

    keras.utils.set_random_seed(SEED)
    model = build_model(data.x.shape[1])
    callbacks = []
    doctor = None
    if config != "none":
        doctor = cls(path=folder / f"{config}.json", per_class=config.endswith("per-class"),
                     report=None, verbose=0)
        callbacks.append(doctor)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    model.fit(data.x, data.y, epochs=epochs, batch_size=BATCH_SIZE, validation_split=0.2,
              callbacks=callbacks, verbose=0)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    inside: dict[str, float] = {}
    if doctor is not None:
        if doctor.run is None or len(doctor.run.epochs) != epochs:
            raise RuntimeError(f"FitDoctor did not record the {config} run")
        for error in doctor.run.meta.get("errors", []):
            PROBLEMS.add(f"{config}: {error}")
        inside = dict(doctor.seconds)
    keras.backend.clear_session()
    return wall, cpu, inside


def measure(data: Data, epochs: int, repeats: int, folder: Path) -> dict[str, Timings]:
    """One warm-up round, then ``repeats`` interleaved rounds of the three configurations."""
    cls = timed_fitdoctor_class()
    results = {config: Timings() for config in CONFIGS}
    for config in CONFIGS:
        wall, _, inside = fit_once(data, config, epochs, folder, cls)
        results[config].warmup_wall, results[config].warmup_inside = wall, inside
    print("  warm-up: " + "  ".join(f"{c} {results[c].warmup_wall:.2f}s" for c in CONFIGS),
          flush=True)
    for i in range(repeats):
        for config in CONFIGS:
            wall, cpu, inside = fit_once(data, config, epochs, folder, cls)
            results[config].wall.append(wall)
            results[config].cpu.append(cpu)
            results[config].inside.append(inside)
        print(f"  round {i + 1}/{repeats}: "
              + "  ".join(f"{c} {results[c].wall[-1]:.2f}s" for c in CONFIGS), flush=True)
    return results


def median_inside(timings: Timings, key: str) -> float:
    """Median seconds of one hook or part over the runs."""
    return statistics.median(d.get(key, 0.0) for d in timings.inside)


def summarize(data: Data, epochs: int, repeats: int, results: dict[str, Timings]) -> list[str]:
    """The table of one data set, and whether each target is met."""
    base = results["none"]
    base_wall, base_cpu = statistics.median(base.wall), statistics.median(base.cpu)
    spread = (max(base.wall) - min(base.wall)) / base_wall * 100
    lines = [
        f"data: {data.name} ({data.note}); {len(data.x):,} samples, validation_split=0.2, "
        f"batch {BATCH_SIZE}, {epochs} epochs, {repeats} interleaved runs per configuration",
        f"baseline: {base_wall / epochs:.3f} s per epoch; baseline runs spread "
        f"{spread:.1f}% (max - min) / median",
        "",
        f"{'configuration':<21} {'median s':>9} {'ratio':>7} {'overhead':>9} {'paired':>7} "
        f"{'CPU s':>7} {'CPU ratio':>9} {'in hooks s':>10} {'in hooks %':>10}  target",
    ]
    for config in CONFIGS:
        t = results[config]
        wall, cpu = statistics.median(t.wall), statistics.median(t.cpu)
        ratio = wall / base_wall
        overhead = (ratio - 1) * 100
        paired = statistics.median(w / b for w, b in zip(t.wall, base.wall, strict=True))
        if config == "none":
            lines.append(f"{config:<21} {wall:9.3f} {ratio:7.4f} {'-':>9} {'-':>7} {cpu:7.2f} "
                         f"{cpu / base_cpu:9.4f} {'-':>10} {'-':>10}  -")
            continue
        hooks = statistics.median(sum(d.get(h, 0.0) for h in HOOKS) for d in t.inside)
        share = hooks / base_wall * 100
        target = TARGETS[config]
        verdict = f"≤ {target:g}%: {'met' if overhead <= target else 'MISSED'} (wall)" \
                  f", {'met' if share <= target else 'MISSED'} (in hooks)"
        lines.append(f"{config:<21} {wall:9.3f} {ratio:7.4f} {overhead:8.2f}% {paired:7.4f} "
                     f"{cpu:7.2f} {cpu / base_cpu:9.4f} {hooks:10.4f} {share:9.2f}%  {verdict}")
    lines += ["", "time inside the callback, median seconds per training "
                  f"({epochs} epochs; parts are nested in the hooks):"]
    header = "  ".join(f"{k:>15}" for k in (*HOOKS, *PARTS))
    lines.append(f"{'':<21} {header}")
    for config in CONFIGS[1:]:
        row = "  ".join(f"{median_inside(results[config], k):15.4f}" for k in (*HOOKS, *PARTS))
        lines.append(f"{config:<21} {row}")
    lines.append("warm-up round (each configuration's first training in the process: "
                 "imports, first analysis):")
    for config in CONFIGS[1:]:
        cold = results[config].warmup_inside
        row = "  ".join(f"{cold.get(k, 0.0):15.4f}" for k in (*HOOKS, *PARTS))
        lines.append(f"{config:<21} {row}")
    return lines


def met(results: dict[str, Timings]) -> bool:
    """Whether both targets are met by the time spent in the hooks (steady on a busy machine)."""
    base = statistics.median(results["none"].wall)
    return all(
        statistics.median(sum(d.get(h, 0.0) for h in HOOKS) for d in results[c].inside)
        / base * 100 <= target
        for c, target in TARGETS.items()
    )


def profile(data: Data, epochs: int, folder: Path, top: int = 25) -> str:
    """cProfile of one ``FitDoctor(per_class=True)`` training, only inside its hooks."""
    profiler = cProfile.Profile()
    cls = timed_fitdoctor_class(profiler)
    fit_once(data, "fitdoctor+per-class", epochs, folder, cls)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write("-- fitdoctor's own functions, by cumulative time:\n")
    stats.sort_stats("cumulative").print_stats(r"fitdoctor/(?!.*bench_overhead)", top)
    out.write("-- every function, by own time:\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10,
                        help="epochs per training (10, as in the tutorial)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="interleaved runs per configuration (5)")
    parser.add_argument("--data", choices=("digits", "synthetic", "both"), default="both",
                        help="data set (both)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the callback's hooks with cProfile")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a target is missed (in hooks) on the synthetic data")
    args = parser.parse_args()

    import keras

    cpus = os.cpu_count()
    print(f"fitdoctor callback overhead — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{platform.machine()}, {cpus} CPUs, load {os.getloadavg()[0]:.2f} at start; "
          f"python {platform.python_version()}, keras {keras.__version__} "
          f"({keras.backend.backend()})")
    print("network: Dense(512, relu) → Dense(10, softmax), RMSprop, categorical_crossentropy")
    names = ("digits", "synthetic") if args.data == "both" else (args.data,)
    ok = True
    with tempfile.TemporaryDirectory(prefix="fitdoctor-bench-") as tmp:
        folder = Path(tmp)
        for name in names:
            data = load(name)
            print(f"\n== {name}: {data.note}", flush=True)
            results = measure(data, args.epochs, args.repeats, folder)
            print()
            print("\n".join(summarize(data, args.epochs, args.repeats, results)))
            if name == "synthetic":
                ok = met(results)
            if args.profile:
                print(f"\ncProfile of the hooks of one FitDoctor(per_class=True) training "
                      f"on {name}:")
                print(profile(data, args.epochs, folder))
    print(f"\nload {os.getloadavg()[0]:.2f} at the end")
    if PROBLEMS:
        print("WARNING: the callback recorded errors, so the timings miss the failed work:")
        print("\n".join(f"  {p}" for p in sorted(PROBLEMS)))
        ok = False
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
