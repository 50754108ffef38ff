"""The backfill through the CLI on DuckDB copies of the demo league (SPEC §6, §7, §10); the scenarios both
backends share are in tests/scenarios."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from support import (
    INCIDENT_WEEK,
    execute,
    invoke,
    keep_upcg_share,
    ledger_state,
    pcf_rows,
    published_rows,
    query,
    run_json,
)


@pytest.mark.parametrize(
    ("share", "status", "warned"), [(0.95, "published", False), (0.92, "published", True), (0.5, "blocked", False)]
)
def test_gate_thresholds_on_partial_upcg(demo_db, share, status, warned):
    keep_upcg_share(demo_db, "2023-03-01", share)
    result, dates = run_json(demo_db, "--dates", "2023-03-01", "--source", "upcg")
    assert dates["2023-03-01"]["status"] == status
    assert bool(ledger_state(demo_db, "2023-03-01")["coverage_warning"]) is warned
    assert result.exit_code == (0 if status == "published" else 3)


@pytest.mark.parametrize(
    ("emptied", "named"),
    [
        ("DELETE FROM {pgs} WHERE game_date = DATE '2023-03-01'", "pgs: games 20230301_ATL_BOS, "),
        ("DELETE FROM {tdza} WHERE analysis_date = DATE '2023-03-01'", "tdza"),
        ("DELETE FROM {psza} WHERE analysis_date = DATE '2023-03-01'", "psza"),
    ],
)
def test_missing_upstream_data_blocks_the_date(demo_db, emptied, named):
    execute(demo_db, emptied)
    result, dates = run_json(demo_db, "--dates", "2023-03-01", "--zones", "tables")  # zone rows are not built
    assert result.exit_code == 3
    assert dates["2023-03-01"]["blocked_by"] == "upstream_missing" and named in dates["2023-03-01"]["reason"]
    assert pcf_rows(demo_db, "2023-03-01") == 0


def test_fewer_upcg_players_on_rerun_is_blocked_as_regression(demo_db):
    assert run_json(demo_db, "--dates", "2023-03-01")[0].exit_code == 0
    before = pcf_rows(demo_db, "2023-03-01")
    keep_upcg_share(demo_db, "2023-03-01", 0.95)
    result, dates = run_json(demo_db, "--dates", "2023-03-01", "--source", "upcg", "--rerun", "all")
    assert result.exit_code == 3
    assert dates["2023-03-01"]["blocked_by"] == "regression"
    assert pcf_rows(demo_db, "2023-03-01") == before


def test_an_error_while_reading_fails_the_dates_and_publishes_nothing(demo_db):
    execute(demo_db, "DROP TABLE {psza}")
    result, dates = run_json(demo_db, "--dates", "2023-03-01,2023-03-02")
    assert result.exit_code == 1
    assert {entry["status"] for entry in dates.values()} == {"failed"}
    assert pcf_rows(demo_db, "2023-03-01") == 0
    assert ledger_state(demo_db, "2023-03-01")["status"] == "failed"


def test_bootstrap_days_are_recorded_and_never_written(demo_db):
    result, dates = run_json(demo_db, "--start-date", "2022-10-18", "--end-date", "2022-11-02")
    assert result.exit_code == 0
    assert dates["2022-10-18"]["status"] == "skipped_bootstrap"
    assert dates["2022-10-31"]["status"] == "skipped_bootstrap"
    assert dates["2022-11-01"]["status"] == "published"
    assert query(demo_db, "SELECT count(*) AS n FROM {pcf} WHERE game_date < DATE '2022-11-01'")["n"][0] == 0


def test_validate_reports_a_date_with_half_its_rows_deleted(demo_db):
    assert run_json(demo_db, *INCIDENT_WEEK)[0].exit_code == 0
    assert invoke(demo_db, "validate", *INCIDENT_WEEK).exit_code == 0
    execute(demo_db, "DELETE FROM {pcf} WHERE game_date = DATE '2023-02-25' AND player_lookup < 'm'")
    result = invoke(demo_db, "validate", *INCIDENT_WEEK)
    assert result.exit_code == 3
    assert "2023-02-25" in result.stdout and "ledger_published_rows_missing" in result.stdout


def test_status_shows_every_game_date_state(demo_db):
    run_json(demo_db, *INCIDENT_WEEK, "--source", "upcg")
    result = invoke(demo_db, "status", *INCIDENT_WEEK, "--output", "json")
    document = json.loads(result.stdout)
    states = {entry["game_date"]: entry["status"] for entry in document["dates"]}
    assert states["2023-02-23"] == "blocked" and states["2023-02-25"] == "published"
    assert document["summary"]["blocked"] == 2


@pytest.mark.slow
def test_workers_compute_ahead_and_publish_the_same_table(demo_file, tmp_path):
    tables = []
    for workers in ("1", "3"):
        db = tmp_path / f"workers{workers}.duckdb"
        shutil.copy(demo_file, db)
        result, dates = run_json(
            db, "--start-date", "2023-02-01", "--end-date", "2023-03-10", "--chunk-days", "4", "--workers", workers
        )
        assert result.exit_code == 0 and sum(entry["status"] == "published" for entry in dates.values()) > 20
        tables.append(published_rows(db))
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_an_error_inside_the_gate_fails_the_date_publishes_nothing_and_exits_1(demo_db, monkeypatch):
    import backfill.pipeline.gating

    def broken_gate(facts, rules):
        raise ZeroDivisionError("coverage arithmetic broke")

    monkeypatch.setattr(backfill.pipeline.gating, "evaluate_gate", broken_gate)
    result, dates = run_json(demo_db, "--dates", "2023-03-01")
    assert result.exit_code == 1
    assert dates["2023-03-01"]["status"] == "failed" and "coverage arithmetic broke" in dates["2023-03-01"]["reason"]
    assert pcf_rows(demo_db, "2023-03-01") == 0
    assert ledger_state(demo_db, "2023-03-01")["status"] == "failed"


def test_duckdb_bills_nothing_so_the_summary_reports_no_bill_and_no_estimate(demo_db):
    for extra in ((), ("--dry-run",)):
        result = invoke(demo_db, "run", *INCIDENT_WEEK, *extra, "--output", "json")
        document = json.loads(result.stdout)
        assert "bytes_processed" in document
        assert "bytes_billed" not in document and "estimated_bytes" not in document  # absent, not 0
