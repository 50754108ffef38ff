"""Checks that the PCF table and the run ledger agree, for tests that stop, kill or fault runs and must show that
nothing half-done is left behind.

- `ledger_problems`: one row per key; every date with rows has a `published` current ledger state written by
  the run whose id the rows carry, with the same row count; every `published` state has its rows. (Stricter
  than `validate`, which accepts rows kept under a later `blocked regression` verdict.)
- `table_fingerprints`: every table of a DuckDB file, so a refused command can be shown to have changed nothing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from support import Target, query

from warehouse import Warehouse

CURRENT_STATES_SQL = """
SELECT game_date, status, run_id, published_players, context_source, reason, blocked_by
FROM (
  SELECT *, row_number() OVER (PARTITION BY game_date ORDER BY COALESCE(attempt, 0) DESC, finished_at DESC) AS latest
  FROM {checkpoints} WHERE processor = 'player_composite_factors'
) WHERE latest = 1
"""
ROWS_PER_DATE_SQL = """
SELECT game_date, count(*) AS pcf_rows, count(DISTINCT player_lookup) AS players,
       count(DISTINCT run_id) AS run_ids, min(run_id) AS rows_run_id
FROM {pcf} GROUP BY game_date
"""


# --- the ledger agrees with the table ---------------------------------------------------------------
def current_states(target: Target | Warehouse) -> pd.DataFrame:
    states = query(target, CURRENT_STATES_SQL)
    states["game_date"] = pd.to_datetime(states["game_date"])
    return states.set_index("game_date").sort_index()


def ledger_problems(target: Target | Warehouse) -> list[str]:
    """Every way the table and the ledger disagree, one message each (empty: consistent)."""
    states = current_states(target)
    rows = query(target, ROWS_PER_DATE_SQL)
    rows["game_date"] = pd.to_datetime(rows["game_date"])
    facts = states.join(rows.set_index("game_date"), how="outer")
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


def assert_consistent(target: Target | Warehouse) -> None:
    assert ledger_problems(target) == []


# --- DuckDB files only ------------------------------------------------------------------------------
def table_fingerprints(path: Path) -> dict[str, tuple[int, int]]:
    """schema.table → (rows, order-independent hash of all rows), for every table in a DuckDB file, so a
    refused command can be shown to have changed nothing."""
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
