"""`init` upgrades a warehouse an older version created: new ledger columns are added in place, every row kept,
and the next run works (a deployed ledger must never need dropping)."""

from __future__ import annotations

import duckdb

from warehouse.schemas import TABLES

# backfill_checkpoints as the first release created it
OLD_LEDGER = """
CREATE TABLE nba_orchestration.backfill_checkpoints (
  run_id VARCHAR NOT NULL, processor VARCHAR, game_date DATE NOT NULL, status VARCHAR NOT NULL,
  context_source VARCHAR, upcg_players BIGINT, expected_players BIGINT, published_players BIGINT, coverage DOUBLE,
  reason VARCHAR, forced BOOLEAN, force_reason VARCHAR, forced_by VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP)
"""


def test_init_adds_the_new_ledger_columns_and_keeps_every_row(run_cli, demo_db):
    with duckdb.connect(str(demo_db)) as connection:
        connection.execute("DROP TABLE nba_orchestration.backfill_checkpoints")
        connection.execute(OLD_LEDGER)
        connection.execute("INSERT INTO nba_orchestration.backfill_checkpoints (run_id, processor, game_date, status, "
                           "published_players, finished_at) VALUES ('old-run', 'player_composite_factors', "
                           "DATE '2023-02-23', 'blocked', 0, TIMESTAMP '2030-01-01 00:00:00')")  # fmt: skip
    refused = run_cli(demo_db, "run", "--dates", "2023-02-23")
    assert refused.exit_code == 1 and "run `pcf-backfill init`" in refused.output

    upgraded = run_cli(demo_db, "init")
    assert upgraded.exit_code == 0 and "backfill_checkpoints.attempt" in upgraded.output
    assert "Added" not in run_cli(demo_db, "init").output  # idempotent
    with duckdb.connect(str(demo_db)) as connection:
        columns = [row[0] for row in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'backfill_checkpoints' "
            "ORDER BY ordinal_position").fetchall()]  # fmt: skip
        kept = connection.execute("SELECT run_id, status FROM nba_orchestration.backfill_checkpoints").fetchall()
    assert set(TABLES["checkpoints"].column_names) <= set(columns)
    assert kept == [("old-run", "blocked")]

    # the old row (a clock far ahead, no attempt number) does not outrank the new verdict
    assert run_cli(demo_db, "run", "--dates", "2023-02-23").exit_code == 0
    status = run_cli(demo_db, "status", "--start-date", "2023-02-23", "--end-date", "2023-02-23", "--output", "json")
    assert '"status": "published"' in status.output
