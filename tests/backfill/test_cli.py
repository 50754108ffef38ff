"""The CLI contract (SPEC §7): catch-up, locks, bad input, env vars, output formats."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from backfill.cli import cli


def test_catch_up_backfills_the_lookback_window_before_today(run_cli, demo_db, open_db):
    result = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{demo_db}", "--today", "2023-02-27",
                                      "catch-up", "--lookback-days", "7", "--output", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["start_date"] == "2023-02-20" and document["end_date"] == "2023-02-26"
    assert {e["game_date"] for e in document["dates"]} == {"2023-02-23", "2023-02-24", "2023-02-25", "2023-02-26"}
    rerun = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{demo_db}", "--today", "2023-02-27",
                                     "catch-up", "--lookback-days", "7", "--output", "json"])  # fmt: skip
    assert json.loads(rerun.stdout)["dates"] == []


def test_a_second_writer_on_the_same_file_exits_4_naming_the_file(demo_db, run_cli):
    holder = subprocess.Popen(
        [sys.executable, "-m", "backfill.cli", "--warehouse", f"duckdb:///{demo_db}", "--log-format", "json",
         "run", "--start-date", "2022-10-18", "--end-date", "2023-04-09", "--chunk-days", "3"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert b'"event": "plan"' in holder.stderr.readline()  # the holder is inside its run now
        started = time.monotonic()
        result = run_cli(demo_db, "run", "--dates", "2023-03-01")
        assert result.exit_code == 4, result.output
        assert str(demo_db) in result.output and "locked" in result.output
        assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["run", "--start-date", "2023-13-01", "--end-date", "2023-02-01"], "--start-date"),
        (["run", "--start-date", "2023-02-30", "--end-date", "2023-03-01"], "--start-date"),
        (["run", "--start-date", "02/23/2023", "--end-date", "2023-03-01"], "--start-date"),
        (["run", "--start-date", "2023-03-01", "--end-date", "2023-02-01"], "--end-date"),
        (["run", "--start-date", "2023-03-01", "--end-date", "2099-01-01"], "--end-date"),
        (["run", "--dates", "2023-03-01", "--min-coverage", "1.5"], "--min-coverage"),
        (["run", "--dates", "2023-03-01", "--min-coverage", "abc"], "--min-coverage"),
        (["run", "--dates", "2023-03-01", "--warn-coverage", "0.8"], "--warn-coverage"),
        (["run", "--dates", "2023-03-01", "--force"], "--reason"),
        (["run", "--dates", "2023-03-01", "--reason", "no force given"], "--force"),
        (["run", "--dates", "2023-03-01", "--chunk-days", "0"], "--chunk-days"),
        (["cleanup", "--retention-days", "-1"], "--retention-days"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(demo_db, run_cli, args, names):
    before = demo_db.read_bytes()
    result = run_cli(demo_db, *args)
    assert result.exit_code == 2, result.output
    assert names in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output
    assert demo_db.read_bytes() == before


@pytest.mark.parametrize("url", ["postgres://x/y", "duckdb://", "bigquery://"])
def test_unknown_warehouse_urls_exit_2_and_create_nothing(tmp_path, url, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--warehouse", url, "init"])
    assert result.exit_code == 2 and "--warehouse" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["bad;name", "x`y", "a'b", "with space", "ünïcode", "1starts_with_digit"])
def test_hostile_dataset_names_exit_2_and_create_nothing(tmp_path, name):
    db = tmp_path / "x.duckdb"
    result = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{db}", "--datasets", f"analytics={name}", "init"])
    assert result.exit_code == 2 and "dataset" in result.output
    assert not db.exists()


def test_options_come_from_pcf_environment_variables(run_cli, demo_db, monkeypatch):
    monkeypatch.setenv("PCF_MIN_COVERAGE", "7")
    result = run_cli(demo_db, "run", "--dates", "2023-03-01")
    assert result.exit_code == 2 and "--min-coverage" in result.output


def test_init_twice_is_harmless(tmp_path):
    db = tmp_path / "fresh.duckdb"
    first = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{db}", "init"])
    second = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{db}", "init"])
    assert first.exit_code == second.exit_code == 0
    assert "already exist" in second.output
