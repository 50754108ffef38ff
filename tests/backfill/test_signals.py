"""SIGTERM / SIGINT stop a run cleanly, always: exit 130/143 with the resume line, the chunk in flight rolled
back, never a `failed` date, never swallowed, and a rerun finishes identical to an uninterrupted run."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from support import start_run

from backfill.pipeline.runner import Invocation, run_backfill
from backfill.pipeline.signals import Interrupted, stop_on_signals
from backfill.settings import RunSettings
from warehouse import Datasets, connect

SHAPES = [
    ["--chunk-days", "1"],
    ["--chunk-days", "1", "--workers", "4"],
    ["--chunk-days", "3", "--workers", "2"],
    ["--chunk-days", "10"],
]
ATTEMPTS = 20


def wait_for_plan(log: Path, run: subprocess.Popen) -> None:
    """The handlers are installed once the run has planned; a signal before that is Python's default."""
    deadline = time.monotonic() + 60
    while '"event": "plan"' not in log.read_text():
        assert run.poll() is None, log.read_text()[-500:]
        assert time.monotonic() < deadline, "the run never planned"
        time.sleep(0.02)


def finished_its_work(log: Path) -> bool:
    """The last date was done before the signal came: nothing was left to stop."""
    return '"game_date": "2023-04-09"' in log.read_text()


def table_and_failures(db: Path) -> tuple[pd.DataFrame, int]:
    wh = connect(f"duckdb:///{db}", Datasets())
    try:
        rows = wh.query("SELECT * FROM {pcf}").drop(columns=["run_id", "processed_at"])
        failed = wh.query("SELECT count(*) AS n FROM {checkpoints} WHERE status = 'failed'")["n"].iat[0]
    finally:
        wh.close()
    return rows.sort_values(["game_date", "player_lookup"]).reset_index(drop=True), int(failed)


@pytest.fixture(scope="module")
def clean_table(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    shutil.copy(demo_file, db)
    log = db.with_suffix(".log")
    assert start_run(db, stderr=log.open("w")).wait(timeout=300) == 0, log.read_text()[-500:]
    return table_and_failures(db)[0]


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(ATTEMPTS))
def test_a_signal_at_any_instant_stops_the_run_cleanly(demo_file, tmp_path, clean_table, attempt):
    chance = random.Random(attempt)
    sig = (signal.SIGTERM, signal.SIGINT)[attempt % 2]
    shape = SHAPES[attempt % len(SHAPES)]
    db, log = tmp_path / "signalled.duckdb", tmp_path / "run.log"
    delay = chance.uniform(0.0, 2.0)
    while True:  # a run that finished before the signal proves nothing: signal the next one sooner
        shutil.copy(demo_file, db)
        run = start_run(db, *shape, stderr=log.open("w"))
        wait_for_plan(log, run)
        time.sleep(delay)
        run.send_signal(sig)
        code = run.wait(timeout=60)
        if code != 0 and not finished_its_work(log):
            break
        delay /= 2
    assert code == 128 + sig, log.read_text()[-800:]
    stderr = log.read_text()
    assert f"Stopped by {sig.name}" in stderr and "To resume: " in stderr
    assert "unexpected" not in stderr and "dates_failed" not in stderr
    assert table_and_failures(db)[1] == 0, "a signal was recorded as a failed date"
    rerun = start_run(db, stderr=(tmp_path / "rerun.log").open("w"))
    assert rerun.wait(timeout=300) == 0, (tmp_path / "rerun.log").read_text()[-500:]
    table, failures = table_and_failures(db)
    assert failures == 0
    pd.testing.assert_frame_equal(table, clean_table)


def test_a_swallowed_signal_still_stops_the_run_at_the_next_chunk(demo_db):
    """A callback (standing in for any library) catches the signal's exception: the run stops anyway."""

    sent = []

    def swallow_a_sigterm(_day, _verdict):  # type: ignore[no-untyped-def]
        if sent:
            return
        sent.append(signal.SIGTERM)
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.5)  # the handler runs here and its exception is swallowed below
        except KeyboardInterrupt:
            pass

    wh = connect(f"duckdb:///{demo_db}", Datasets())
    settings = RunSettings(pd.Timestamp("2023-02-01").date(), pd.Timestamp("2023-02-20").date(), chunk_days=3)
    try:
        with stop_on_signals(), pytest.raises(Interrupted) as stopped:
            run_backfill(wh, settings, Invocation("swallowed", "tester", "host", "0"), on_date=swallow_a_sigterm)
        runs = wh.query("SELECT exit_code FROM {runs} WHERE run_id = 'swallowed'")
        published = wh.query("SELECT count(DISTINCT game_date) AS n FROM {pcf}")["n"].iat[0]
    finally:
        wh.close()
    assert stopped.value.exit_code == 143
    assert runs["exit_code"].tolist() == [143]
    assert 0 < published <= 3, "the chunk that was being published when the signal came is the last one"
