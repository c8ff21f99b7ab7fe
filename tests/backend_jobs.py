"""Trainings in their own processes for tests/test_backends.py, started at collection time.

A Keras backend is chosen once per process and a TF_CONFIG before TensorFlow starts, so
each of these trainings runs in a subprocess. ``tests/conftest.py`` starts them all when
the session starts and runs the tests that read their results last: importing three
frameworks and training overlaps the rest of the suite instead of adding to it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

BACKENDS = ("tensorflow", "jax", "torch")

# The same training on any backend: digits, a linear hidden layer (a setup finding), 3
# epochs, per-class metrics on 200 validation samples, the same initial weights and batch
# order (so the curves, and the findings that read them, agree up to rounding).
TRAIN = """
import json, os, sys
import numpy as np
import keras
from sklearn.datasets import load_digits
from fitdoctor import FitDoctor, io

x, y = load_digits(return_X_y=True)
x = (x / 16).astype("float32")
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16),
                          keras.layers.Dense(10, activation="softmax")])
# The same initial weights and batches on every backend: the same numbers, up to rounding.
rng = np.random.default_rng(0)
model.set_weights([rng.normal(0, 0.2, w.shape).astype("float32") for w in model.get_weights()])
model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
doctor = FitDoctor(sys.argv[1], report=None, verbose=0, max_val_samples=200)
model.fit(x, y, epochs=3, batch_size=64, validation_split=0.2, shuffle=False, verbose=0,
          callbacks=[doctor])
run = io.load(sys.argv[1])
report = doctor.report
print("RESULT " + json.dumps({
    "backend": keras.backend.backend(),
    "epochs": run.epochs,
    "status": run.status,
    "metrics": sorted(run.metrics),
    "loss": run.metrics["loss"] + run.metrics["val_loss"],
    "per_class": [pc.epoch for pc in run.per_class],
    "pr_auc": [len(pc.pr_auc) for pc in run.per_class],
    "support": sum(run.per_class[-1].support),
    "confusion": [pc.epoch for pc in run.per_class if pc.confusion],
    "layers": [(l.class_name, l.units, l.activation) for l in run.model.layers],
    "compile": [run.compile.loss, run.compile.optimizer, run.compile.learning_rate],
    "data": [run.data.task, run.data.label_encoding, run.data.n_classes, run.data.n_val],
    "baseline": run.baselines.majority_class,
    "codes": sorted(f.code for f in report.findings),
    "skipped": sorted(s.code for s in report.skipped),
    "errors": run.meta.get("errors", []),
}), flush=True)
"""

# Two workers of MultiWorkerMirroredStrategy on loopback ports (argv: ports, index, path),
# or the same training in one process (ports "-"). Keras 3.15 cannot run fit under this
# strategy as shipped (keras-team/keras#20585): its symbolic build reduces a PerReplica
# batch that the collective strategy cannot reduce, and it averages scalar metrics over
# axis 0. The two functions below work around those two bugs, nothing else.
WORKER = """
import json, os, sys
ports, index, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if ports != "-":
    os.environ["TF_CONFIG"] = json.dumps({
        "cluster": {"worker": [f"localhost:{p}" for p in ports.split(",")]},
        "task": {"type": "worker", "index": index}})
import numpy as np
import tensorflow as tf
import keras
import keras.src.backend.tensorflow.trainer as tf_trainer
from keras.src import tree
from sklearn.datasets import load_digits
from fitdoctor import FitDoctor

_build = tf_trainer.TensorFlowTrainer._maybe_symbolic_build
def local_build(self, iterator=None, data_batch=None):
    if iterator is None or data_batch is not None or self._distribute_strategy is None:
        return _build(self, iterator, data_batch)
    for _, _, it in iterator:
        batch = next(it)
        break
    first = lambda v: (self.distribute_strategy.experimental_local_results(v)[0]
                       if isinstance(v, tf.distribute.DistributedValues) else v)
    with self.distribute_strategy.scope():
        self._symbolic_build(data_batch=tree.map_structure(first, batch))
tf_trainer.TensorFlowTrainer._maybe_symbolic_build = local_build
_reduce = tf_trainer.reduce_per_replica
def reduce_scalars(values, strategy, reduction):
    if reduction in ("mean", "auto") and tf_trainer._collective_all_reduce_multi_worker(strategy):
        return tree.map_structure(lambda v: strategy.reduce("MEAN", v, axis=None), values)
    return _reduce(values, strategy, reduction)
tf_trainer.reduce_per_replica = reduce_scalars

strategy = (tf.distribute.MultiWorkerMirroredStrategy() if ports != "-"
            else tf.distribute.get_strategy())
x, y = load_digits(return_X_y=True)
x = (x / 16).astype("float32")
keras.utils.set_random_seed(0)
with strategy.scope():
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
doctor = FitDoctor(path, report="text", verbose=0)
model.fit(x, y, epochs=5, batch_size=64, validation_split=0.2, shuffle=False, verbose=0,
          callbacks=[doctor])
run = doctor.run
print("RESULT " + json.dumps({
    "chief": doctor._chief,
    "wrote": os.path.exists(path),
    "epochs": run.epochs,
    "loss": run.metrics["loss"],
    "per_class": [pc.epoch for pc in run.per_class],
    "fit": [run.fit.strategy, run.fit.workers, run.fit.replicas],
    "report": None if doctor.report is None else {
        "codes": sorted(f.code for f in doctor.report.findings),
        "skipped": sorted(s.code for s in doctor.report.skipped),
        "best": doctor.report.best_epoch.epoch if doctor.report.best_epoch else None},
}), flush=True)
"""


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def installed(backend: str) -> bool:
    return importlib.util.find_spec(backend) is not None


class Jobs:
    """Subprocesses started together; ``result(name)`` waits for one and parses its RESULT."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: dict[str, subprocess.Popen[str]] = {}

    def start(self, name: str, script: str, args: list[str], env: dict[str, str]) -> None:
        path = self.folder / f"fd_{name}.py"  # not "jax.py": it would shadow jax
        path.write_text(textwrap.dedent(script))
        environ = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "",
                   "JAX_PLATFORMS": "cpu", **env}
        environ.pop("TF_CONFIG", None)
        self.procs[name] = subprocess.Popen(
            [sys.executable, str(path), *args], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=environ, cwd=self.folder)

    def result(self, name: str, timeout: float = 300) -> dict[str, Any]:
        proc = self.procs[name]
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"{name} did not finish in {timeout:.0f} s (deadlock?):\n{err[-3000:]}")
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        assert proc.returncode == 0 and lines, f"{name} failed:\n{err[-3000:]}"
        return dict(json.loads(lines[-1][len("RESULT "):]))

    def stop(self) -> None:
        """Kill what still runs (a test that failed early)."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()




def start(folder: Path) -> Jobs:
    """Start the two MultiWorkerMirroredStrategy workers, their single-process twin and one
    training per installed backend."""
    jobs = Jobs(folder)
    ports = ",".join(str(p) for p in free_ports(2))
    for index in (0, 1):
        jobs.start(f"worker{index}", WORKER, [ports, str(index), f"mw{index}.json"], {})
    jobs.start("single", WORKER, ["-", "0", "single.json"], {})
    for backend in BACKENDS:
        if installed(backend):
            jobs.start(backend, TRAIN, [f"{backend}.json"], {"KERAS_BACKEND": backend})
    return jobs
