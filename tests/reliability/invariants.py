"""What the reliability tests check after each ordeal, written independently of the product's own queries.

- `ledger_problems`: one row per key; every date with rows has a `published` current ledger state written
  by the run whose id the rows carry, with the same row count; every `published` state has its rows. (Stricter
  than `validate`, which accepts rows kept under a later `blocked regression` verdict; no test here makes one
  except test_idempotency's, which checks that case on its own.)
- `table_fingerprints`: row count and an order-independent content hash of every table in a DuckDB file,
  so a refused command can be shown to have changed nothing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from click.testing import CliRunner, Result

from backfill.cli import cli
from warehouse import Datasets, Warehouse, connect

TODAY = "2026-11-26"  # the same pinned day as tests/conftest.py
RUN_METADATA = ["run_id", "processed_at"]
KEY = ["game_date", "player_lookup"]

CURRENT_STATES_SQL = """
SELECT game_date, status, run_id, published_players, context_source, reason
FROM (
  SELECT *, row_number() OVER (PARTITION BY game_date ORDER BY finished_at DESC, started_at DESC) AS latest
  FROM {checkpoints} WHERE processor = 'player_composite_factors'
) WHERE latest = 1
"""
ROWS_PER_DATE_SQL = """
SELECT game_date, count(*) AS pcf_rows, count(DISTINCT player_lookup) AS players,
       count(DISTINCT run_id) AS run_ids, min(run_id) AS rows_run_id
FROM {pcf} GROUP BY game_date
"""


def invoke(db: Path, *args: str) -> Result:
    """The CLI in-process, as the `run_cli` fixture runs it (JSON logs, today pinned), for any fixture scope."""
    return CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{db}", "--log-format", "json", "--today", TODAY,
                                    *args], catch_exceptions=False)  # fmt: skip


def opened(path: Path) -> Warehouse:
    return connect(f"duckdb:///{path}", Datasets())


def current_states(wh: Warehouse) -> pd.DataFrame:
    return wh.query(CURRENT_STATES_SQL).set_index("game_date").sort_index()


def ledger_problems(wh: Warehouse) -> list[str]:
    """Every way the table and the ledger disagree, one message each (empty: consistent)."""
    states = current_states(wh)
    rows = wh.query(ROWS_PER_DATE_SQL).set_index("game_date")
    facts = states.join(rows, how="outer")
    facts[["pcf_rows", "players", "run_ids"]] = facts[["pcf_rows", "players", "run_ids"]].fillna(0)
    problems = []
    for day, fact in facts.iterrows():
        label = f"{day.date()}: {fact['status']} by {fact['run_id']}, {int(fact['pcf_rows'])} rows"
        if fact["pcf_rows"] != fact["players"]:
            problems.append(f"{label}: duplicate keys")
        if fact["pcf_rows"] and fact["status"] != "published":
            problems.append(f"{label}: rows without a published current state")
        if fact["status"] == "published" and fact["pcf_rows"] != fact["published_players"]:
            problems.append(f"{label}: ledger says {fact['published_players']} published")
        if fact["pcf_rows"] and (fact["run_ids"] != 1 or fact["rows_run_id"] != fact["run_id"]):
            problems.append(f"{label}: rows carry {int(fact['run_ids'])} run ids, not the ledger's")
    return problems


def assert_consistent(path: Path) -> None:
    wh = opened(path)
    try:
        assert ledger_problems(wh) == []
    finally:
        wh.close()


def published_rows(path: Path) -> pd.DataFrame:
    """PCF without run metadata, in key order: what must be identical however the table was reached."""
    wh = opened(path)
    try:
        rows = wh.query("SELECT * FROM {pcf}").drop(columns=RUN_METADATA)
    finally:
        wh.close()
    return rows.sort_values(KEY).reset_index(drop=True)


def table_fingerprints(path: Path) -> dict[str, tuple[int, int]]:
    """schema.table → (rows, order-independent hash of all rows), for every table in the file."""
    connection = duckdb.connect(str(path), read_only=True)
    try:
        tables = connection.execute(
            "SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2"
        ).fetchall()
        return {
            f"{schema}.{name}": connection.execute(
                f'SELECT count(*), coalesce(sum(hash(t)), 0) FROM "{schema}"."{name}" AS t'
            ).fetchone()
            for schema, name in tables
        }
    finally:
        connection.close()
