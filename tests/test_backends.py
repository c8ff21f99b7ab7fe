"""FitDoctor on every Keras backend and under MultiWorkerMirroredStrategy (real trainings).

Each training runs in its own Python process (a Keras backend is chosen once per process,
a TF_CONFIG before TensorFlow starts). All of them start together, once per module, and
each test reads its processes' results: the slowest part, importing a framework, overlaps.

Backends tested: TensorFlow, JAX and PyTorch (CPU). A backend that is not installed is
skipped with its reason (``make install`` installs all three).
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("keras")

pytestmark = [pytest.mark.keras, pytest.mark.slow]

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
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jobs]:
    folder = tmp_path_factory.mktemp("backends")
    started = Jobs(folder)
    ports = ",".join(str(p) for p in free_ports(2))
    for index in (0, 1):
        started.start(f"worker{index}", WORKER, [ports, str(index), f"mw{index}.json"], {})
    started.start("single", WORKER, ["-", "0", "single.json"], {})
    for backend in BACKENDS:
        if installed(backend):
            started.start(backend, TRAIN, [f"{backend}.json"], {"KERAS_BACKEND": backend})
    yield started
    started.stop()


def test_multi_worker_mirrored_strategy_two_workers(jobs: Jobs) -> None:
    chief, other, single = (jobs.result(n) for n in ("worker0", "worker1", "single"))
    # Both workers record; only the chief writes the file, predicts per class and reports.
    assert chief["chief"] is True and other["chief"] is False
    assert chief["wrote"] is True and other["wrote"] is False
    assert chief["epochs"] == other["epochs"] == single["epochs"] == list(range(1, 6))
    assert chief["per_class"] == list(range(1, 6)) and other["per_class"] == []
    assert other["report"] is None
    # The run records the strategy and the worker count.
    assert chief["fit"] == ["MultiWorkerMirroredStrategy", 2, 2]
    assert single["fit"] == [None, None, None]
    # The same data and global batch give the same training and the same report.
    assert chief["loss"] == pytest.approx(single["loss"], rel=1e-3)
    assert chief["report"] == single["report"]


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_every_backend_records_and_reports_like_tensorflow(jobs: Jobs, backend: str) -> None:
    if not installed(backend):
        pytest.skip(f"{backend} is not installed (make install installs it)")
    reference = jobs.result("tensorflow")
    got = jobs.result(backend)
    assert got["backend"] == backend and reference["backend"] == "tensorflow"
    assert got["errors"] == [] and reference["errors"] == []
    assert got["status"] == "completed"
    assert got["loss"] == pytest.approx(reference["loss"], rel=1e-3)
    for key in ("epochs", "metrics", "per_class", "pr_auc", "support", "layers", "compile",
                "data", "baseline", "codes", "skipped"):
        assert got[key] == reference[key], key
    assert got["confusion"] and got["confusion"][-1] == 3
    assert "FD601" in got["codes"]  # the linear hidden layer, found on every backend
