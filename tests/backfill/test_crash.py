"""Crash safety: SIGKILL a real `pcf-backfill run` mid-flight, rerun, and get the same table."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from warehouse import Datasets, connect

SEASON = ["--start-date", "2022-10-18", "--end-date", "2023-04-09", "--chunk-days", "7"]
RUN_METADATA = ["run_id", "processed_at"]


def backfill(db: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "backfill.cli", "--warehouse", f"duckdb:///{db}", "--log-format", "json",
               "run", *SEASON, *extra]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def published_table(db: Path) -> pd.DataFrame:
    wh = connect(f"duckdb:///{db}", Datasets())
    try:
        rows = wh.query("SELECT * FROM {pcf}").drop(columns=RUN_METADATA)
        return rows.sort_values(["game_date", "player_lookup"]).reset_index(drop=True)
    finally:
        wh.close()


def assert_ledger_agrees_with_table(db: Path) -> None:
    wh = connect(f"duckdb:///{db}", Datasets())
    try:
        states = wh.query(
            "SELECT game_date, status, published_players FROM (SELECT *, row_number() OVER (PARTITION BY game_date "
            "ORDER BY finished_at DESC) AS rn FROM {checkpoints}) WHERE rn = 1"
        ).set_index("game_date")
        rows = wh.query("SELECT game_date, count(*) AS n, count(DISTINCT player_lookup) AS k FROM {pcf} GROUP BY 1")
        rows = rows.set_index("game_date")
    finally:
        wh.close()
    assert (rows["n"] == rows["k"]).all(), "one row per key"
    published = states[states["status"] == "published"]
    assert rows.index.isin(published.index).all(), "no date published without a ledger row"
    assert (rows["n"].reindex(published.index).fillna(0) == published["published_players"]).all()


@pytest.fixture(scope="module")
def uninterrupted(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    db = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    shutil.copy(demo_file, db)
    assert backfill(db).wait(timeout=300) == 0
    return published_table(db)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.9, 1.3, 1.7, 2.1])
def test_sigkill_mid_run_then_rerun_matches_an_uninterrupted_run(demo_file, tmp_path, uninterrupted, delay):
    db = tmp_path / "crash.duckdb"
    shutil.copy(demo_file, db)
    victim = backfill(db)
    time.sleep(delay)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert_ledger_agrees_with_table(db)
    assert backfill(db).wait(timeout=300) == 0
    assert_ledger_agrees_with_table(db)
    pd.testing.assert_frame_equal(published_table(db), uninterrupted)


@pytest.mark.slow
def test_sigterm_rolls_back_and_says_how_to_resume(demo_file, tmp_path, uninterrupted):
    db = tmp_path / "term.duckdb"
    shutil.copy(demo_file, db)
    victim = backfill(db)
    seen = b""
    while b'"event": "date_done"' not in seen:  # the run is publishing chunks now
        seen = victim.stderr.readline()
        assert seen, "the run ended before publishing anything"
    victim.send_signal(signal.SIGTERM)
    _, stderr = victim.communicate(timeout=30)
    if victim.returncode == 0:
        pytest.fail("the run finished before SIGTERM arrived; raise the chunk count or lower the delay")
    assert victim.returncode == 143
    assert b"To resume" in stderr
    assert_ledger_agrees_with_table(db)
    assert backfill(db).wait(timeout=300) == 0
    pd.testing.assert_frame_equal(published_table(db), uninterrupted)


def test_the_run_after_a_sigkill_starts_at_once_and_closes_the_killed_runs_record(demo_file, tmp_path):
    db = tmp_path / "killed.duckdb"
    shutil.copy(demo_file, db)
    victim = backfill(db)
    while b'"event": "date_done"' not in (line := victim.stderr.readline()):
        assert line, "the run ended before it recorded anything"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert Path(f"{db}.lock").exists(), "the killed run's lock file is left behind, its lock is not"
    rerun = backfill(db)
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read()[-500:]
    wh = connect(f"duckdb:///{db}", Datasets())
    try:
        runs = wh.query("SELECT finished_at, exit_code FROM {runs} ORDER BY started_at")
    finally:
        wh.close()
    assert runs["finished_at"].notna().all(), "no run record is left open"
    assert runs["exit_code"].tolist() == [137, 0]
