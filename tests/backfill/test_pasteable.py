"""Errors carry their cause and every printed command pastes: the driver's error under --debug, the warehouse's
own URL (a path with a space), the undo of a cleanup from another folder, date lists as spans."""

from __future__ import annotations

import json
import shlex
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from support import TODAY, invoke, said

import backfill
from backfill.cli import cli
from backfill.dates import dates_text, parse_dates
from warehouse import Datasets, connect

INCIDENT = "2023-02-23"  # UPCG holds one player: `--source upcg` blocks it


def warehouse_of(command: str) -> str:
    words = shlex.split(command)
    return words[words.index("--warehouse") + 1]


@pytest.fixture
def spaced_db(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "league ops" / "pcf.duckdb"
    path.parent.mkdir()
    shutil.copy(demo_file, path)
    return path


def test_a_resume_command_names_the_same_file_when_its_path_has_a_space(spaced_db):
    url = f"duckdb:///{spaced_db}"
    blocked = backfill.run(url, dates=[INCIDENT], source="upcg", today=date.fromisoformat(TODAY))
    assert blocked.dates("blocked") == [date.fromisoformat(INCIDENT)]
    assert warehouse_of(blocked.resume_command) == f"duckdb:///{spaced_db}"
    wh = connect(url, Datasets())
    try:  # an open warehouse names itself: its URL is kept, not re-parsed from a description
        again = backfill.run(wh, dates=[INCIDENT], source="upcg", today=date.fromisoformat(TODAY))
    finally:
        wh.close()
    assert warehouse_of(again.resume_command) == f"duckdb:///{spaced_db}"
    assert "--dates 2023-02-23" in again.resume_command and "--source upcg" in again.resume_command


def test_debug_shows_the_drivers_error_under_the_translated_one(demo_db):
    with duckdb.connect(str(demo_db)) as connection:
        connection.execute("DROP TABLE nba_reference.schedule")
    args = ["--warehouse", f"duckdb:///{demo_db}", "status", "--start-date", INCIDENT, "--end-date", INCIDENT]
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 1 and len(said(plain.output)) == 1, plain.output
    debug = CliRunner().invoke(cli, ["--debug", *args])
    assert debug.exit_code == 1
    assert "duckdb.CatalogException" in debug.output and "direct cause" in debug.output, debug.output


def test_the_undo_of_a_cleanup_pastes_from_any_folder(demo_db, tmp_path, monkeypatch):
    monkeypatch.chdir(demo_db.parent)
    done = invoke(Path("pcf.duckdb"), "cleanup", "--execute", "--output", "json")
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["rows_deleted"] > 0
    undo = shlex.split(document["undo_command"])
    assert warehouse_of(document["undo_command"]) == f"duckdb:///{demo_db.resolve()}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    restored = CliRunner().invoke(cli, undo[1:])
    assert restored.exit_code == 0, restored.output
    assert f"Restored {document['rows_deleted']:,} rows" in restored.output


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (["2023-01-01", "2023-01-02", "2023-01-03", "2023-01-05"], "2023-01-01..2023-01-03,2023-01-05"),
        (["2023-01-01", "2023-01-02"], "2023-01-01,2023-01-02"),
        (
            [f"2022-{month:02d}-{day:02d}" for month in (11, 12) for day in range(1, 30)],
            "2022-11-01..2022-11-29,2022-12-01..2022-12-29",
        ),
    ],
)
def test_date_lists_print_as_spans_and_read_back_as_the_same_days(days, text):
    chosen = [date.fromisoformat(day) for day in days]
    assert dates_text(chosen) == text
    assert parse_dates(text, date(2026, 1, 1)) == sorted(chosen)


def test_a_long_date_list_resumes_in_one_short_line(run_cli, demo_db):
    result = run_cli(demo_db, "run", "--dates", "2022-10-18..2023-02-24", "--source", "upcg", "--output", "json")
    assert result.exit_code == 3
    resume = json.loads(result.stdout)["resume_command"]
    assert "--dates 2022-10-18..2023-02-24" in resume and len(resume) < 300


def test_a_forced_date_says_forced_once(run_cli, demo_db):
    result = run_cli(demo_db, "run", "--dates", INCIDENT, "--source", "upcg", "--force", "--reason", "UPCG known")
    assert result.exit_code == 0, result.output
    assert "forced  players" in result.stdout and "forced: forced" not in result.stdout
    assert "forced: coverage" not in result.stdout.split("forced  players", 1)[1].splitlines()[0]
