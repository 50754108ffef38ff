"""Concurrency on DuckDB: the file lock admits one writer; everyone else exits 4 at once, naming the file and
the process that holds it, having written nothing.

- two runs over overlapping ranges, started together: one writes, the other exits 4; then both one after the
  other (the second with `--rerun all` too): one row per key, and the rows of an uninterrupted season;
- a run and `cleanup --execute` started together: whichever wins, the outcome is all of it or none of it;
- while a run holds the file, `cleanup --execute` and `status` exit 4 and change nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from consistency import assert_consistent, table_fingerprints
from support import cli_process, opened, published_rows

FIRST = ("run", "--start-date", "2022-11-01", "--end-date", "2023-01-31", "--chunk-days", "5")
SECOND = ("run", "--start-date", "2023-01-01", "--end-date", "2023-02-28", "--chunk-days", "5")
TODAY = "2023-04-10"  # the cleanup's cutoff is then 2023-04-03: the incident dates are stale
CLEANUP = ("cleanup", "--mode", "partial", "--execute")
UPCG = "nba_analytics.upcoming_player_game_context"
PROMPTLY = 15.0  # seconds from start to exit 4, Python start-up on a loaded CI machine included


def start(db: Path, *args: str) -> subprocess.Popen:
    """The CLI on `db` in a process of its own, output kept, without the PCF_ settings of the suite's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCF_")}
    return cli_process(db, *args, today=TODAY, env=env, stdout=subprocess.PIPE)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def exit_times(processes: list[subprocess.Popen]) -> list[float]:
    """When each process ended (monotonic), watched side by side; their output stays in the pipes."""
    ended: dict[int, float] = {}
    deadline = time.monotonic() + 300
    while len(ended) < len(processes) and time.monotonic() < deadline:
        ended.update({i: time.monotonic() for i, p in enumerate(processes) if i not in ended and p.poll() is not None})
        time.sleep(0.05)
    return [ended[i] for i in range(len(processes))]


def assert_refused_for_the_lock(err: str, out: str, db: Path, holder: subprocess.Popen) -> None:
    lines = [line for line in err.splitlines() if line and not line.startswith("{")]
    assert len(lines) == 1 and out == "", err
    assert str(db) in lines[0] and "locked" in lines[0] and f"PID {holder.pid}" in lines[0], lines[0]


def table(db: Path, key: str) -> pd.DataFrame:
    wh = opened(db)
    try:
        return wh.query(f"SELECT * FROM {{{key}}}")
    finally:
        wh.close()


def wait_for_plan(process: subprocess.Popen) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        if '"event": "plan"' in line:
            return
    pytest.fail("the run ended before it planned")


@pytest.mark.slow
def test_two_overlapping_runs_started_together_one_writes_the_other_exits_4(demo_file, tmp_path, season_reference):
    db = tmp_path / "pcf.duckdb"
    shutil.copy(demo_file, db)
    started = time.monotonic()
    runs = [start(db, *FIRST), start(db, *SECOND)]
    ended = exit_times(runs)
    results = [finish(run) for run in runs]

    codes = sorted(code for code, *_ in results)
    assert codes == [0, 4], [(code, err[-500:]) for code, _, err in results]
    loser = next(i for i, (code, *_) in enumerate(results) if code == 4)
    code, out, err = results[loser]
    assert_refused_for_the_lock(err, out, db, holder=runs[1 - loser])
    assert ended[loser] - started < PROMPTLY and ended[loser] < ended[1 - loser]
    winner_id = json.loads(results[1 - loser][2].splitlines()[0])["run_id"]
    assert list(table(db, "runs")["run_id"]) == [winner_id], "the loser recorded no run"
    assert set(table(db, "checkpoints")["run_id"]) == {winner_id}, "the loser wrote no ledger row"
    assert_consistent(db)

    for args in (FIRST, SECOND, (*SECOND, "--rerun", "all")):
        code, out, err = finish(start(db, *args))
        assert code == 0, err[-2000:]
        assert_consistent(db)
    in_range = season_reference["game_date"].between("2022-11-01", "2023-02-28")
    expected = season_reference[in_range].reset_index(drop=True)
    pd.testing.assert_frame_equal(published_rows(db), expected)


@pytest.mark.slow
def test_a_run_and_a_cleanup_started_together_end_all_or_nothing(demo_file, tmp_path, pristine_fingerprints):
    """Started together they usually collide; on a busy machine one may finish before the other opens the file,
    so up to five pairs are tried: every pair must end consistent, and at least one must collide."""
    for attempt in range(5):
        db = tmp_path / f"pair{attempt}.duckdb"
        shutil.copy(demo_file, db)
        run, cleanup = start(db, *FIRST), start(db, *CLEANUP)
        (run_code, run_out, run_err), (cleanup_code, cleanup_out, cleanup_err) = finish(run), finish(cleanup)
        assert sorted([run_code, cleanup_code]) in ([0, 4], [0, 0]), (run_err[-500:], cleanup_err[-500:])
        if cleanup_code == 4:
            assert_refused_for_the_lock(cleanup_err, cleanup_out, db, holder=run)
        if run_code == 4:
            assert_refused_for_the_lock(run_err, run_out, db, holder=cleanup)
        assert_cleanup_all_or_nothing(db, done=cleanup_code == 0, pristine_upcg=pristine_fingerprints[UPCG])
        assert_run_all_or_nothing(db, done=run_code == 0)
        if 4 in (run_code, cleanup_code):
            return
    pytest.fail("five pairs started together never collided")


def assert_cleanup_all_or_nothing(db: Path, *, done: bool, pristine_upcg: tuple[int, int]) -> None:
    """Done: one audit row, the rows deleted and the same number in its backup. Not: no trace at all."""
    fingerprints, operations = table_fingerprints(db), table(db, "cleanup_ops")
    backups = [name for name in fingerprints if "_backup_" in name]
    if not done:
        assert len(operations) == 0 and backups == []
        assert fingerprints[UPCG] == pristine_upcg
        return
    assert len(operations) == 1 and operations["error"].isna().all() and operations["rows_deleted"][0] > 0
    assert backups == [f"nba_analytics.{operations['backup_table'][0]}"]
    assert fingerprints[backups[0]][0] == operations["rows_deleted"][0]


def assert_run_all_or_nothing(db: Path, *, done: bool) -> None:
    if done:
        assert_consistent(db)
        assert len(table(db, "runs")) == 1 and len(table(db, "pcf")) > 0
    else:
        assert len(table(db, "runs")) == len(table(db, "checkpoints")) == len(table(db, "pcf")) == 0


@pytest.mark.slow
def test_while_a_run_holds_the_file_cleanup_exits_4_and_status_answers(demo_file, tmp_path, pristine_fingerprints):
    db = tmp_path / "pcf.duckdb"
    shutil.copy(demo_file, db)
    holder = start(db, *FIRST)
    try:
        wait_for_plan(holder)
        code, out, err = finish(start(db, *CLEANUP))
        assert code == 4, err
        assert_refused_for_the_lock(err, out, db, holder=holder)
        code, out, err = finish(start(db, "status", "--start-date", "2022-11-01", "--end-date", "2023-01-31"))
        assert code == 0 and "Summary" in out, err  # a reader is let in between the run's chunks
    finally:
        code, _, err = finish(holder)
    assert code == 0, err[-2000:]
    assert_cleanup_all_or_nothing(db, done=False, pristine_upcg=pristine_fingerprints[UPCG])
    assert_consistent(db)
