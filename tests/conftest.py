"""Shared fixtures and environment for the test suite."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Deterministic CLI output: no colour, fixed width, no terminal tricks.
os.environ.setdefault("NO_COLOR", "1")
os.environ.setdefault("COLUMNS", "100")
os.environ.pop("FORCE_COLOR", None)
os.environ.pop("GITHUB_ACTIONS", None)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


# ------------------------------------------------------------------ background trainings
#: Test files whose trainings run in subprocesses started with the session (they run last).
BACKGROUND = ("test_backends.py",)
_WANTED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the tests that wait on background trainings last; note that they are wanted."""
    late = [item for item in items if item.path.name in BACKGROUND]
    if late:
        items[:] = [item for item in items if item.path.name not in BACKGROUND] + late
    config.stash[_WANTED] = bool(late) and importlib.util.find_spec("keras") is not None


@pytest.fixture(scope="session", autouse=True)
def backend_jobs(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The trainings of tests/backend_jobs.py, started with the session (when selected)."""
    if not request.config.stash.get(_WANTED, False):
        yield None
        return
    import backend_jobs as jobs_module

    jobs = jobs_module.start(tmp_path_factory.mktemp("backends"))
    yield jobs
    jobs.stop()
