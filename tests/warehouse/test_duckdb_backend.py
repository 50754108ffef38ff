"""The DuckDB adapter's own seams: every method translates DuckDB's errors (the contract in test_contract.py
covers what both backends share)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb
import pandas as pd
import pytest

from warehouse import TableNotFound, WarehouseError
from warehouse.base import Staged, staging_schema
from warehouse.duckdb_backend import DuckDBWarehouse
from warehouse.identifiers import Datasets
from warehouse.schemas import TABLES

STAGING = staging_schema(["pcf"])

D1 = date(2023, 2, 23)
ROWS = pd.DataFrame({"game_date": [D1], "player_lookup": ["a"]})


@pytest.fixture
def warehouse(tmp_path) -> DuckDBWarehouse:
    opened = DuckDBWarehouse(str(tmp_path / "adapter.duckdb"), Datasets())
    opened.create_tables()
    return opened


CALLS: dict[str, Callable[[DuckDBWarehouse], object]] = {
    "query": lambda wh: wh.query("SELECT 1 AS one"),
    "execute": lambda wh: wh.execute("DELETE FROM {pcf}"),
    "run_atomic": lambda wh: wh.run_atomic(["DELETE FROM {pcf}"]),
    "load": lambda wh: wh.load(ROWS, "pcf"),
    "stage": lambda wh: wh.stage(ROWS, STAGING, "publish"),
    "drop_staging": lambda wh: wh.drop_staging('"_staging_publish_1"'),
    "stage_rows": lambda wh: wh.stage_rows({"pcf": ROWS}, "publish"),
    "drop_staged": lambda wh: wh.drop_staged(Staged({"pcf": '"_staging_x"'}, ('"_staging_x"',))),
    "copy_rows_to_new_table": lambda wh: wh.copy_rows_to_new_table("upcg", "TRUE", "upcg_backup_x"),
    "copy_back": lambda wh: wh.copy_back("upcg_backup_x", "upcg"),
    "table_exists": lambda wh: wh.table_exists("precompute", "player_composite_factors"),
    "missing_tables": lambda wh: wh.missing_tables(list(TABLES)),
    "column_types": lambda wh: wh.column_types("pcf"),
    "create_tables": lambda wh: wh.create_tables(),
    "worker": lambda wh: wh.worker(),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_every_method_on_a_closed_connection_raises_a_warehouse_error(warehouse: DuckDBWarehouse, call) -> None:
    warehouse.connection.close()
    with pytest.raises(WarehouseError) as raised:
        call(warehouse)
    assert not isinstance(raised.value, duckdb.Error)


def test_a_failed_load_reports_the_statement_s_error_and_leaves_no_view_behind(warehouse: DuckDBWarehouse) -> None:
    with pytest.raises(WarehouseError, match="NOT NULL"):
        warehouse.load(pd.DataFrame({"game_date": [D1], "player_lookup": [None]}), "pcf")
    warehouse.load(ROWS, "pcf")  # the frame's view name is free again
    assert warehouse.query("SELECT player_lookup FROM {pcf}")["player_lookup"].tolist() == ["a"]


def test_an_existing_table_is_not_reported_as_missing(warehouse: DuckDBWarehouse) -> None:
    warehouse.copy_rows_to_new_table("upcg", "TRUE", "upcg_backup_x")
    with pytest.raises(WarehouseError, match="already exists") as raised:
        warehouse.copy_rows_to_new_table("upcg", "TRUE", "upcg_backup_x")
    assert not isinstance(raised.value, TableNotFound)


def test_the_warehouse_runs_on_one_thread_and_gives_a_shared_instance_its_threads_back(tmp_path) -> None:
    path = str(tmp_path / "shared.duckdb")
    notebook = duckdb.connect(path)  # the caller's own connection: the warehouse shares its instance
    threads = notebook.execute("SELECT current_setting('threads')").fetchone()

    warehouse = DuckDBWarehouse(path, Datasets())
    assert warehouse.rows("SELECT current_setting('threads') AS n") == [{"n": 1}]
    warehouse.close()

    assert notebook.execute("SELECT current_setting('threads')").fetchone() == threads
