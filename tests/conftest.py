"""Shared test fixtures: hypothesis profiles and the optional MIT-BIH database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=40
)
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    max_examples=25,
    derandomize=True,
    print_blob=True,
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def _database_dir(name: str, marker: str) -> Path | None:
    """The folder of database ``name`` that holds ``marker``: ``ECGKIT_DATA_DIR`` itself,
    ``name`` inside it or beside it, or ``../shared/data/name`` beside the project."""
    env = os.environ.get("ECGKIT_DATA_DIR")
    candidates = [Path(env), Path(env) / name, Path(env).parent / name] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data" / name)
    for path in candidates:
        if (path / marker).is_file():
            return path
    return None


@pytest.fixture(scope="session")
def ludb_dir() -> Path:
    """Folder of the Lobachevsky University Database (LUDB); skips the test when absent."""
    path = _database_dir("ludb", "data/1.hea")
    if path is None:
        pytest.skip("LUDB not found (set ECGKIT_DATA_DIR to the folder holding ludb/)")
    return path


@pytest.fixture(scope="session")
def mitdb_dir() -> Path:
    """Folder of the MIT-BIH Arrhythmia Database; skips the test when it is absent."""
    path = _database_dir("mitdb", "100.hea")
    if path is None:
        pytest.skip("MIT-BIH Arrhythmia Database not found (set ECGKIT_DATA_DIR)")
    return path
