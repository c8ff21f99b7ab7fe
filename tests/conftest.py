"""Shared fixtures and environment for the test suite."""

from __future__ import annotations

import os
from pathlib import Path

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
