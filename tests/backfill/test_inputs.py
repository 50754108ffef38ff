"""Small traps of the command line: each bad input is exit 2 with one line that says what to do."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from support import said

from backfill.cli import cli


def test_a_group_option_after_the_command_says_where_it_goes(demo_db):
    result = CliRunner().invoke(
        cli, ["status", "--warehouse", f"duckdb:///{demo_db}", "--start-date", "2023-02-01", "--end-date", "2023-02-02"]
    )
    assert result.exit_code == 2
    assert "put it before the command" in result.output and len(said(result.output)) == 1


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_dates_outside_the_calendar_are_bad_input(demo_db, day):
    result = CliRunner().invoke(
        cli,
        [
            "--warehouse",
            f"duckdb:///{demo_db}",
            "--today",
            "2023-03-01",
            "run",
            "--start-date",
            day,
            "--end-date",
            "2023-01-01",
        ],
    )
    assert result.exit_code == 2 and "--start-date" in result.output, result.output
    assert len(said(result.output)) == 1
