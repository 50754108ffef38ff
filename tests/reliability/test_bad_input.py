"""Bad input, option by option, command by command: exit 2, one line naming the option and the accepted
form, no traceback, and nothing written — every table's contents (count and hash) unchanged, no file created.

Placeholders in a case's arguments are filled per test: {db} a private demo copy, {dir} a directory, {text} a
text file, {sqlite} an SQLite database, {missing} a file that does not exist, {noparent} a file in a directory
that does not exist, {tmp} the test's directory.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from bad_input_cases import choices, dates, thresholds, whole_numbers
from bad_place_cases import datasets, forcing_and_names, warehouses
from click.testing import CliRunner
from consistency import table_fingerprints
from support import TODAY, said

from backfill.cli import cli

CASES = [*dates(), *thresholds(), *whole_numbers(), *choices(), *forcing_and_names(), *datasets(), *warehouses()]


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def places(demo_db: Path, tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "a_directory").mkdir()
    (tmp_path / "notes.txt").write_text("game_date,player\n2023-02-23,x\n")
    with sqlite3.connect(tmp_path / "other.sqlite") as lite:
        lite.execute("CREATE TABLE t (a INTEGER)")
    return {
        "db": demo_db,
        "tmp": tmp_path,
        "dir": tmp_path / "a_directory",
        "text": tmp_path / "notes.txt",
        "sqlite": tmp_path / "other.sqlite",
        "missing": tmp_path / "missing.duckdb",
        "noparent": tmp_path / "no_such_dir" / "pcf.duckdb",
    }


@pytest.mark.parametrize("refusal", CASES)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(refusal, places, pristine_fingerprints, monkeypatch):
    for name, value in refusal.env:
        monkeypatch.setenv(name, value)
    before = files_under(places["tmp"])
    fill = lambda text: text.format(**places)  # noqa: E731
    argv = ["--warehouse", fill(refusal.warehouse), "--log-format", "json", "--today", TODAY, *map(fill, refusal.args)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)

    lines = said(result.output)
    assert (result.exit_code, len(lines)) == (2, 1), result.output
    assert lines[0].startswith("Error: ") and "Traceback" not in result.output
    assert refusal.option in lines[0] and refusal.form in lines[0], lines[0]
    after = files_under(places["tmp"])
    assert sorted(after) == sorted(before), "no file created or removed"
    if after != before:  # DuckDB may rewrite a file it merely opened: then compare the tables themselves
        assert table_fingerprints(places["db"]) == pristine_fingerprints


@pytest.mark.parametrize("command", ["run", "status", "validate"])
def test_today_and_yesterday_are_dates(command, demo_db, run_cli):
    result = run_cli(demo_db, command, "--start-date", "yesterday", "--end-date", "today")
    # accepted as dates; a run then finds the demo's schedule ends in 2023, mid-season today: not off-days
    assert result.exit_code == (3 if command == "run" else 0), result.output
    assert "Error:" not in result.output
