"""`freshness` on the demo league (SPEC §11): rows in the table, the schedule's off-days, a pinned today."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from support import DEMO_SEASON, invoke


def freshness(run_cli, db, today: str, *args: str):
    """`freshness` with "today" pinned (a later --today on the group wins over the suite's default)."""
    result = run_cli(db, "--today", today, "freshness", "--output", "json", *args)
    return result, json.loads(result.stdout)


@pytest.fixture(scope="module")
def season_file(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo league with its whole season published, run once for the module; tests copy it."""
    db = tmp_path_factory.mktemp("season") / "season.duckdb"
    shutil.copy(demo_file, db)
    result = invoke(db, "run", *DEMO_SEASON)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def season_db(season_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "season.duckdb"
    shutil.copy(season_file, copy)
    return copy


def test_fresh_after_a_full_season(run_cli, season_db):
    result, document = freshness(run_cli, season_db, "2026-11-26")
    assert result.exit_code == 0, result.output
    assert document["fresh"] is True
    assert document["newest_published"] == "2023-04-09"
    assert document["missing_dates"] == []


def test_rows_deleted_behind_the_ledgers_back_are_stale(run_cli, season_db, open_db):
    wh = open_db(season_db)
    wh.execute("DELETE FROM {pcf} WHERE game_date >= @d", {"d": date(2023, 4, 3)})
    wh.close()
    result, document = freshness(run_cli, season_db, "2023-04-12")
    assert result.exit_code == 3
    assert document["oldest_missing"] == "2023-04-03"
    assert document["hours_late"] == 8 * 24  # 2023-04-03 ended at midnight on the 4th; now is midnight on the 12th
    assert [entry["ledger_state"] for entry in document["missing_dates"]] == ["published"] * 7
    assert document["fix_command"].endswith("--rerun all")
    text = run_cli(season_db, "--today", "2023-04-12", "freshness").stdout
    assert "2023-04-03 is not published" in text and "To fix: pcf-backfill" in text


def test_repairing_with_the_fix_command_makes_it_fresh_again(run_cli, season_db, open_db):
    wh = open_db(season_db)
    wh.execute("DELETE FROM {pcf} WHERE game_date >= @d", {"d": date(2023, 4, 3)})
    wh.close()
    _, document = freshness(run_cli, season_db, "2023-04-12")
    fix = document["fix_command"].split()
    repaired = run_cli(season_db, *fix[fix.index("run") :])
    assert repaired.exit_code == 0, repaired.output
    assert freshness(run_cli, season_db, "2023-04-12")[0].exit_code == 0


def test_all_star_break_is_not_stale(run_cli, demo_db):
    """The 2023 break is 2023-02-17 … 2023-02-22: with yesterday inside it, nothing is due."""
    result = run_cli(demo_db, "--today", "2023-02-23", "run", "--start-date", "2022-10-18", "--end-date", "2023-02-16")
    assert result.exit_code == 0, result.output
    result, document = freshness(run_cli, demo_db, "2023-02-23")
    assert result.exit_code == 0, result.output
    assert document["missing_dates"] == []
    assert document["newest_published"] == "2023-02-16"


def test_yesterday_is_within_the_allowance_until_max_lag_passes(run_cli, demo_db):
    result = run_cli(demo_db, "--today", "2023-04-10", "run", "--start-date", "2022-10-18", "--end-date", "2023-04-08")
    assert result.exit_code == 0, result.output
    result, document = freshness(run_cli, demo_db, "2023-04-11")  # 2023-04-09 ended 24 h ago
    assert result.exit_code == 0
    assert [(e["game_date"], e["overdue"]) for e in document["missing_dates"]] == [("2023-04-09", False)]
    result, document = freshness(run_cli, demo_db, "2023-04-11", "--max-lag-hours", "12")
    assert result.exit_code == 3
    assert (document["oldest_missing"], document["hours_late"]) == ("2023-04-09", 24.0)


def test_bootstrap_dates_are_never_stale(run_cli, demo_db):
    """Before anything ran, the first due date is the first one after the season's 14 bootstrap days."""
    result, document = freshness(run_cli, demo_db, "2026-11-26")
    assert result.exit_code == 3
    assert document["oldest_missing"] == "2022-11-01"


def test_unreadable_warehouse_exits_1(run_cli, tmp_path):
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = run_cli(empty, "freshness")
    assert result.exit_code == 1
    assert "pcf-backfill init" in result.stderr


def test_a_ledger_from_an_older_version_is_named_not_a_traceback(run_cli, demo_db, open_db):
    wh = open_db(demo_db)
    wh.execute("ALTER TABLE {checkpoints} DROP COLUMN attempt")
    wh.close()
    result = run_cli(demo_db, "freshness")
    assert result.exit_code == 2
    assert "older version" in result.stderr and "pcf-backfill init" in result.stderr
