"""Where a Keras training runs: the chief worker, the distribution, library versions.

Keras, JAX and PyTorch are imported lazily, inside the functions.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from fitdoctor.arraylike import int_or_none


def is_chief(model: Any) -> bool:
    """True unless this process is a non-chief worker of a multi-worker training.

    TensorFlow: the model's ``distribute_strategy`` says ``extended.should_checkpoint``
    (``False`` on non-chief workers of ``MultiWorkerMirroredStrategy``). JAX with a
    ``keras.distribution``: process 0 is the chief. PyTorch with an initialized
    ``torch.distributed`` process group: rank 0 is the chief.
    """
    strategy = getattr(model, "distribute_strategy", None)
    extended = getattr(strategy, "extended", None)
    should = getattr(extended, "should_checkpoint", None)
    if isinstance(should, bool):
        return should
    try:
        import keras

        if keras.backend.backend() == "jax" and keras.distribution.distribution() is not None:
            import jax

            return bool(jax.process_index() == 0)
        if keras.backend.backend() == "torch" and "torch" in sys.modules:
            import torch

            if torch.distributed.is_available() and torch.distributed.is_initialized():
                return bool(torch.distributed.get_rank() == 0)
    except Exception:  # no distribution API: single process
        return True
    return True


@dataclass
class Distribution:
    """How a model trains across devices and processes.

    Args:
        strategy: The ``tf.distribute`` strategy or ``keras.distribution`` class name,
            ``"torch.distributed"``, or ``None`` on a single device.
        workers: Processes training together.
        replicas: Model replicas kept in sync, across all workers.
        multi_worker: Several processes run collective operations together (a prediction
            pass through the strategy must then run on every worker at once).
    """

    strategy: str | None = None
    workers: int = 1
    replicas: int = 1
    multi_worker: bool = False


def distribution(model: Any) -> Distribution:
    """The distribution ``model`` trains under, on any backend.

    TensorFlow: the model's ``distribute_strategy`` (the default strategy means a single
    device), its ``num_replicas_in_sync`` and, for a multi-worker strategy, the workers
    and chief of its cluster spec. JAX: the global ``keras.distribution`` and
    ``jax.process_count()``. PyTorch: ``torch.distributed``'s world size when a process
    group is initialized.
    """
    strategy = getattr(model, "distribute_strategy", None)
    if strategy is not None:
        name = type(strategy).__name__
        replicas = int_or_none(getattr(strategy, "num_replicas_in_sync", 1)) or 1
        workers = 1
        resolver = getattr(strategy, "cluster_resolver", None)
        if resolver is not None:
            try:
                spec = resolver.cluster_spec().as_dict()
                workers = max(1, sum(len(spec.get(job, [])) for job in ("chief", "worker")))
            except Exception:  # a resolver without a cluster: one worker
                workers = 1
        if name.startswith("_Default") or name == "DefaultDistributionStrategy":
            return Distribution()
        # tf.distribute.MultiWorkerMirroredStrategy instances are of this class.
        name = {"CollectiveAllReduceStrategy": "MultiWorkerMirroredStrategy"}.get(name, name)
        return Distribution(name, workers, replicas, multi_worker=workers > 1)
    try:
        import keras

        backend = keras.backend.backend()
        if backend == "jax":
            dist = keras.distribution.distribution()
            if dist is not None:
                import jax

                mesh = getattr(dist, "device_mesh", None)
                devices = getattr(mesh, "devices", None)
                size = int(getattr(devices, "size", 0) or 0) or len(jax.devices())
                workers = int(jax.process_count())
                return Distribution(type(dist).__name__, workers, size,
                                    multi_worker=workers > 1)
        elif backend == "torch":
            import torch

            if torch.distributed.is_available() and torch.distributed.is_initialized():
                size = int(torch.distributed.get_world_size())
                return Distribution("torch.distributed", size, size, multi_worker=size > 1)
    except Exception:  # no distribution API: a single process
        return Distribution()
    return Distribution()


def versions() -> dict[str, str]:
    """Versions of the libraries that trained the run (for ``run.meta``)."""
    import keras

    from fitdoctor import __version__

    out = {"fitdoctor": __version__, "keras": str(keras.__version__),
           "backend": str(keras.backend.backend()), "numpy": np.__version__,
           "python": sys.version.split()[0]}
    backend_mod = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(out["backend"])
    if backend_mod and backend_mod in sys.modules:
        out[backend_mod] = str(getattr(sys.modules[backend_mod], "__version__", "?"))
    return out
