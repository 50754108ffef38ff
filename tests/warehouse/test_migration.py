"""`init` upgrades a warehouse an older version created: new ledger columns and tables are added in place, every
row kept, and the next run works (a deployed ledger must never need dropping). On DuckDB; the emulator's metadata
does not show columns added by ALTER, so on BigQuery `test_bigquery_sql.py` checks the statement `init` sends."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from support import invoke, run_json, said

from warehouse.duckdb_sql import DUCKDB_TYPES
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
        connection.execute(
            "INSERT INTO nba_orchestration.backfill_checkpoints (run_id, processor, game_date, status, "
            "published_players, finished_at) VALUES ('old-run', 'player_composite_factors', "
            "DATE '2023-02-23', 'blocked', 0, TIMESTAMP '2030-01-01 00:00:00')"
        )
    refused = run_cli(demo_db, "run", "--dates", "2023-02-23")
    assert refused.exit_code == 2 and "run `pcf-backfill init`" in refused.output

    upgraded = run_cli(demo_db, "init")
    assert upgraded.exit_code == 0 and "backfill_checkpoints.attempt" in upgraded.output
    assert "Added" not in run_cli(demo_db, "init").output  # idempotent
    with duckdb.connect(str(demo_db)) as connection:
        columns = [
            row[0]
            for row in connection.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'backfill_checkpoints' "
                "ORDER BY ordinal_position"
            ).fetchall()
        ]
        kept = connection.execute("SELECT run_id, status FROM nba_orchestration.backfill_checkpoints").fetchall()
    assert set(TABLES["checkpoints"].column_names) <= set(columns)
    assert kept == [("old-run", "blocked")]

    # the old row (a clock far ahead, no attempt number) does not outrank the new verdict
    assert run_cli(demo_db, "run", "--dates", "2023-02-23").exit_code == 0
    status = run_cli(demo_db, "status", "--start-date", "2023-02-23", "--end-date", "2023-02-23", "--output", "json")
    assert '"status": "published"' in status.output


# The orchestration tables the previous versions created where they differ from today's (from each version's
# warehouse/schemas.py): 8570354 also lacked the leases' host/pid/command and the audits table; cb555a8 lacked the
# ledger's upcg_state and blocked_by; 9604cf6, the last release, lacked only the ledger's zone_rows_built.
PREVIOUS_LEDGER = (
    "run_id STRING, processor STRING, game_date DATE, status STRING, context_source STRING, upcg_players INT64, "
    "expected_players INT64, published_players INT64, coverage FLOAT64, reason STRING, forced BOOL, "
    "force_reason STRING, forced_by STRING, started_at TIMESTAMP, finished_at TIMESTAMP, attempt INT64, "
    "source_reason STRING, coverage_warning BOOL, allowed_regression BOOL, min_coverage FLOAT64, "
    "warn_coverage FLOAT64, candidate_players INT64, candidate_completeness FLOAT64, candidate_zeroed_scores INT64, "
    "previous_players INT64, previous_completeness FLOAT64, previous_zeroed_scores INT64"
)
PREVIOUS_LEASES = (
    "lease_id STRING, holder STRING, start_date DATE, end_date DATE, acquired_at TIMESTAMP, "
    "heartbeat_at TIMESTAMP, expires_at TIMESTAMP"
)
PREVIOUS_RUNS = (
    "run_id STRING, command STRING, start_date DATE, end_date DATE, options STRING, user STRING, "
    "host STRING, version STRING, started_at TIMESTAMP, finished_at TIMESTAMP, dates_published INT64, "
    "dates_blocked INT64, dates_failed INT64, dates_skipped INT64, exit_code INT64"
)
# every previous version lacked the runs' label and the input fingerprints (SPEC §6.10)
NO_FINGERPRINTS = {"runs": PREVIOUS_RUNS, "inputs": None, "fingerprints": None}
PREVIOUS_VERSIONS = {  # table key → its columns then (None: the table did not exist)
    "8570354": {"checkpoints": PREVIOUS_LEDGER, "leases": PREVIOUS_LEASES, "audits": None, **NO_FINGERPRINTS},
    "cb555a8": {"checkpoints": PREVIOUS_LEDGER, **NO_FINGERPRINTS},
    "9604cf6": {"checkpoints": PREVIOUS_LEDGER + ", upcg_state STRING, blocked_by STRING", **NO_FINGERPRINTS},
}
OLD_ROWS = {
    "checkpoints": "INSERT INTO {checkpoints} (run_id, processor, game_date, status, reason, published_players, "
    "attempt, finished_at) VALUES ('old-run', 'player_composite_factors', DATE '2023-02-23', "
    "'blocked', 'coverage 1/187 (0.5%) below 90%; coverage_warning', 0, 1, "
    "TIMESTAMP '2023-02-24 06:00:00')",
    "leases": "INSERT INTO {leases} (lease_id, holder, start_date, end_date, acquired_at, heartbeat_at, expires_at) "
    "VALUES ('old-lease', 'old-run', DATE '2023-01-01', DATE '2023-01-31', TIMESTAMP '2023-02-24 06:00:00', "
    "TIMESTAMP '2023-02-24 06:00:00', TIMESTAMP '2023-02-24 06:15:00')",
    "runs": "INSERT INTO {runs} (run_id, command, started_at, finished_at, exit_code) VALUES ('old-run', 'run', "
    "TIMESTAMP '2023-02-24 05:59:00', TIMESTAMP '2023-02-24 06:00:00', 3)",
}
NEW_COLUMNS = {
    "checkpoints": {"upcg_state", "blocked_by", "zone_rows_built"},
    "leases": {"host", "pid", "command"},
    "runs": {"label"},
}


def as_version_left_it(wh, tables: dict[str, str | None]) -> None:  # type: ignore[no-untyped-def]
    """Replace the orchestration tables that changed since with the version's own, each with a row."""

    def typed(columns: str) -> str:
        return ", ".join(f"{name} {DUCKDB_TYPES[kind]}" for name, kind in (c.split() for c in columns.split(", ")))

    for key, columns in tables.items():
        wh.execute(f"DROP TABLE {{{key}}}")
        if columns is not None:
            wh.execute(f"CREATE TABLE {{{key}}} ({typed(columns)})")
            wh.execute(OLD_ROWS[key])


@pytest.mark.parametrize("version", PREVIOUS_VERSIONS)
def test_init_upgrades_a_previous_versions_ledger_in_place_and_the_next_run_works(demo_db, open_db, version):
    tables = PREVIOUS_VERSIONS[version]
    as_version_left_it(open_db(demo_db), tables)
    refused = invoke(demo_db, "run", "--dates", "2023-02-23")
    assert refused.exit_code == 2 and "pcf-backfill init" in refused.output

    upgraded = invoke(demo_db, "init")
    assert upgraded.exit_code == 0, upgraded.output
    assert "backfill_checkpoints.zone_rows_built" in upgraded.output
    assert ("backfill_leases.pid" in upgraded.output) == ("leases" in tables)
    again = invoke(demo_db, "init")
    assert again.exit_code == 0 and "zone_rows_built" not in again.output  # idempotent

    wh = open_db(demo_db)
    for key, added in NEW_COLUMNS.items():
        assert added <= set(wh.column_types(key)), key
    for key in ("audits", "inputs", "fingerprints"):
        assert set(wh.column_types(key)) == set(TABLES[key].column_names), key
    assert wh.query("SELECT run_id, exit_code FROM {runs}").to_dict("records") == [
        {"run_id": "old-run", "exit_code": 3}
    ]
    old = wh.query("SELECT run_id, status, coverage_warning, blocked_by FROM {checkpoints}")
    assert old.to_dict("records") == [
        {"run_id": "old-run", "status": "blocked", "coverage_warning": True, "blocked_by": "coverage"}
    ]
    leases = ["old-lease"] if "leases" in tables else []
    assert wh.query("SELECT lease_id FROM {leases}")["lease_id"].tolist() == leases

    result, dates = run_json(demo_db, "--dates", "2023-02-23")
    assert result.exit_code == 0, result.output
    assert dates["2023-02-23"]["status"] == "published"
    runs = wh.query("SELECT run_id FROM {checkpoints} WHERE game_date = @day ORDER BY attempt", {"day": "2023-02-23"})
    assert runs["run_id"].tolist()[0] == "old-run" and len(runs) == 2


WEEK = ("--start-date", "2023-02-20", "--end-date", "2023-02-26")
EVERY_COMMAND = {  # each command that opens an existing warehouse, as an operator would type it
    "run": ("run", *WEEK),
    "run --dry-run": ("run", *WEEK, "--dry-run"),
    "catch-up": ("catch-up",),
    "status": ("status", *WEEK),
    "validate": ("validate", *WEEK),
    "report": ("report", *WEEK, "--html", "r.html"),
    "freshness": ("freshness",),
    "cleanup": ("cleanup", "--mode", "partial"),
    "cleanup --execute": ("cleanup", "--execute"),
    "cleanup restore": ("cleanup", "restore", "backup_x"),
    "lock status": ("lock", "status"),
    "lock release": ("lock", "release", "old-lease", "--reason", "gone"),
}


@pytest.fixture(scope="module", params=PREVIOUS_VERSIONS)
def previous_release(request, demo_file, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A warehouse as each previous version left it, made once per version; tests copy it."""
    from warehouse import Datasets, connect

    path = tmp_path_factory.mktemp(request.param) / "pcf.duckdb"
    shutil.copy(demo_file, path)
    wh = connect(f"duckdb:///{path}", Datasets())
    as_version_left_it(wh, PREVIOUS_VERSIONS[request.param])
    wh.close()
    return path


@pytest.mark.parametrize("command", EVERY_COMMAND)
def test_every_command_on_a_previous_versions_warehouse_says_run_init_and_writes_nothing(
    previous_release, tmp_path, command
):
    db = tmp_path / "pcf.duckdb"
    shutil.copy(previous_release, db)
    before = db.read_bytes()
    result = invoke(db, *EVERY_COMMAND[command])
    assert result.exit_code == 2, result.output
    assert "run `pcf-backfill init`" in result.output and "Traceback" not in result.output
    assert len(said(result.output)) == 1, result.output
    assert db.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pcf.duckdb"], "nothing written beside it"
