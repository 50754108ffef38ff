"""Fixtures of the reliability tests: the demo league's fingerprint and an uninterrupted season to compare with."""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from consistency import assert_consistent, table_fingerprints
from support import DEMO_SEASON, invoke, published_rows


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def pristine_fingerprints(demo_file: Path) -> dict[str, tuple[int, int]]:
    return table_fingerprints(demo_file)


@pytest.fixture(scope="session")
def season_reference(demo_file: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> pd.DataFrame:
    """PCF (without run metadata) of one uninterrupted run over the demo season, computed once per session
    and shared by the xdist workers through a pickle beside their temp directories."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    cache = shared / "reliability_season_reference.pickle"
    with exclusive(shared / "reliability_season_reference.lock"):
        if not cache.exists():
            db = tmp_path_factory.mktemp("season_reference") / "reference.duckdb"
            shutil.copy(demo_file, db)
            result = invoke(db, "run", *DEMO_SEASON, "--chunk-days", "5")
            assert result.exit_code == 0, result.output
            assert_consistent(db)
            published_rows(db).to_pickle(cache)
    return pd.read_pickle(cache)
