"""The CLI contract (SPEC §7): catch-up and init. Bad input, env vars and locks: tests/reliability."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from backfill.cli import cli


@pytest.mark.slow
def test_catch_up_backfills_what_the_season_has_not_published_before_today(run_cli, demo_db, open_db):
    published = run_cli(demo_db, "run", "--start-date", "2022-10-18", "--end-date", "2023-02-21", today="2023-02-27")
    assert published.exit_code == 0, published.output
    catch_up = ("catch-up", "--lookback-days", "7", "--output", "json")
    result = run_cli(demo_db, *catch_up, today="2023-02-27")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["start_date"] == "2022-10-18" and document["end_date"] == "2023-02-26"  # the season so far
    assert {e["game_date"] for e in document["dates"]} == {"2023-02-23", "2023-02-24", "2023-02-25", "2023-02-26"}
    rerun = run_cli(demo_db, *catch_up, today="2023-02-27")
    assert json.loads(rerun.stdout)["dates"] == []


def test_init_twice_is_harmless(tmp_path):
    db = tmp_path / "fresh.duckdb"
    first = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{db}", "init"])
    second = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{db}", "init"])
    assert first.exit_code == second.exit_code == 0
    assert "already exist" in second.output
