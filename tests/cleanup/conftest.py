"""Fixtures of the cleanup tests: a fresh DuckDB file holding the league of `cleanup_league`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from cleanup_league import TODAY, pgs_frame, sorted_rows, upcg_frame

from cleanup import CleanupSettings
from warehouse import Datasets, Warehouse, connect


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    warehouse = connect(f"duckdb:///{tmp_path / 'cleanup.duckdb'}", Datasets())
    warehouse.create_tables()
    warehouse.load(upcg_frame(), "upcg")
    warehouse.load(pgs_frame(), "pgs")
    yield warehouse
    warehouse.close()


@pytest.fixture
def table_rows(wh: Warehouse) -> Callable[[str], pd.DataFrame]:
    """Every row of a contract table, in a stable order."""

    def _rows(key: str) -> pd.DataFrame:
        frame = wh.query(f"SELECT * FROM {{{key}}}")
        order = [c for c in ("game_date", "player_lookup", "started_at", "operation_id") if c in frame.columns]
        return frame.sort_values(order).reset_index(drop=True) if order else frame

    return _rows


@pytest.fixture
def backup_rows(wh: Warehouse) -> Callable[[str], pd.DataFrame]:
    def _rows(name: str) -> pd.DataFrame:
        return sorted_rows(wh.query(f"SELECT * FROM {wh.qualified('analytics', name)}"))

    return _rows


@pytest.fixture
def audit_rows(wh: Warehouse) -> Callable[[], pd.DataFrame]:
    def _rows() -> pd.DataFrame:
        return wh.query("SELECT * FROM {cleanup_ops} ORDER BY started_at, finished_at")

    return _rows


@pytest.fixture
def settings() -> Callable[..., CleanupSettings]:
    def _settings(**options: object) -> CleanupSettings:
        return CleanupSettings(today=TODAY, **options)  # type: ignore[arg-type]

    return _settings
