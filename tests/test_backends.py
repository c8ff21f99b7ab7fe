"""FitDoctor on every Keras backend and under MultiWorkerMirroredStrategy (real trainings).

Each training runs in its own Python process (tests/backend_jobs.py). tests/conftest.py
starts them all when the session starts and runs these tests last, so the trainings
overlap the rest of the suite; each test waits for its processes' results.

Backends tested: TensorFlow, JAX and PyTorch (CPU). A backend that is not installed is
skipped with its reason (``make install`` installs all three).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("keras")

from backend_jobs import Jobs, installed, start

pytestmark = [pytest.mark.keras, pytest.mark.slow]


@pytest.fixture(scope="module")
def jobs(backend_jobs: Jobs | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jobs]:
    if backend_jobs is not None:
        yield backend_jobs
        return
    started = start(tmp_path_factory.mktemp("backends"))
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
