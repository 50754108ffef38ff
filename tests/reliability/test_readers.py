"""DuckDB: reading never blocks writing, writing never blocks reading. `status`, `validate`, `report` and
`run --dry-run` open the file read-only and answer while another process publishes; a reader never makes a
writer exit 4; a second writer still exits 4, naming the holder's command line."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

import pytest
from support import DEMO_SEASON, invoke, start_run

from warehouse import Datasets, connect, duckdb_file
from warehouse.duckdb_file import READER_PATIENCE, WRITER_PATIENCE

ANSWERS_WITHIN = 5.0


def wait_until_publishing(run: subprocess.Popen) -> deque[str]:
    """Returns the last lines the run logs from then on: they are read as they come, so the run never
    stops on a full stderr pipe while the readers are timed."""
    while '"status": "published"' not in (line := run.stderr.readline()):
        assert line, "the run ended before publishing anything"
    tail: deque[str] = deque(maxlen=20)
    threading.Thread(target=tail.extend, args=(run.stderr,), daemon=True).start()
    return tail


def seconds_kept_out(result) -> float:  # type: ignore[no-untyped-def]
    """How long the writer kept a reader out of the file (the reader's own work is the machine's)."""
    waits = [json.loads(line) for line in result.stderr.splitlines() if "reader_waited_for_writer" in line]
    return sum(float(entry["seconds"]) for entry in waits)


def ledger_agrees_with_table(db: Path) -> bool:
    wh = connect(f"duckdb:///{db}", Datasets(), read_only=True)
    try:
        published = wh.query(
            "SELECT c.game_date, c.published_players, (SELECT count(*) FROM {pcf} p WHERE p.game_date = c.game_date) "
            "AS found FROM {checkpoints} c WHERE c.status = 'published'"
        )
    finally:
        wh.close()
    return bool((published["published_players"] == published["found"]).all())


@pytest.mark.slow
def test_readers_answer_while_a_run_publishes(demo_db, tmp_path):
    run = start_run(demo_db, "--chunk-days", "7")
    tail: deque[str] = deque()
    try:
        tail = wait_until_publishing(run)
        published = []
        for args in (
            ["status", *DEMO_SEASON, "--output", "json"],
            ["validate", *DEMO_SEASON, "--output", "json"],
            ["report", *DEMO_SEASON, "--html", str(tmp_path / "r.html")],
            ["status", *DEMO_SEASON, "--output", "json"],
        ):
            started = time.monotonic()
            result = invoke(demo_db, *args)
            assert seconds_kept_out(result) < ANSWERS_WITHIN, args  # let in at the writer's next chunk boundary
            assert time.monotonic() - started < READER_PATIENCE, args  # answered, not timed out waiting
            assert result.exit_code in (0, 3), (args, result.output[-500:])
            if args[0] == "status":
                published.append(json.loads(result.stdout)["summary"].get("published", 0))
        assert run.poll() is None, "the readers were all answered while the run was still publishing"
        dry_run = invoke(demo_db, "run", *DEMO_SEASON, "--dry-run")  # computes the season itself: not timed
        assert dry_run.exit_code in (0, 3), dry_run.output[-500:]
        assert 0 < published[0] <= published[1], "each reader sees the state as of a committed chunk"
        assert ledger_agrees_with_table(demo_db)
    finally:
        assert run.wait(timeout=300) == 0, "".join(tail)[-500:]
    assert ledger_agrees_with_table(demo_db)


def reader_holding(db, seconds: int) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    """Another process with the file open read-only for `seconds`, returned once it has it open."""
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], "
            f"read_only=True); print('open', flush=True); time.sleep({seconds}); c.close()",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
    return reader


@pytest.mark.slow
def test_a_run_started_while_a_long_read_is_open_waits_instead_of_exiting_4(demo_db):
    reader = reader_holding(demo_db, 3)
    try:
        result = invoke(demo_db, "run", "--dates", "2023-03-01,2023-03-02")
        assert result.exit_code == 0, result.output[-500:]
        (waiting,) = [json.loads(line) for line in result.stderr.splitlines() if "writer_waits_for_reader" in line]
        assert f"PID {reader.pid}" in waiting["reader"] and waiting["at_most_seconds"] == WRITER_PATIENCE
    finally:
        reader.wait(timeout=30)


def test_a_reader_open_beyond_the_writers_patience_makes_it_exit_4_naming_the_reader(demo_db, monkeypatch):
    monkeypatch.setattr(duckdb_file, "WRITER_PATIENCE", 1.0)
    reader = reader_holding(demo_db, 60)
    try:
        result = invoke(demo_db, "run", "--dates", "2023-03-01")
        assert result.exit_code == 4, result.output[-500:]
        assert "still open in a reader" in result.output and f"PID {reader.pid}" in result.output
        assert "waited 1 s" in result.output
    finally:
        reader.kill()
        reader.wait()


def test_status_reads_a_file_whose_mode_is_0444(demo_db):
    assert invoke(demo_db, "run", "--dates", "2023-03-01").exit_code == 0
    os.chmod(demo_db, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = demo_db.read_bytes()
    result = invoke(demo_db, "status", "--start-date", "2023-03-01", "--end-date", "2023-03-01", "--output", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"] == {"published": 1}
    assert demo_db.read_bytes() == before


@pytest.mark.slow
def test_a_second_writer_exits_4_naming_the_holders_command(demo_db, tmp_path):
    holder = start_run(demo_db, "--chunk-days", "3")
    try:
        wait_until_publishing(holder)
        result = invoke(demo_db, "run", "--dates", "2023-03-01")
        assert result.exit_code == 4, result.output
        assert f"PID {holder.pid}" in result.output and "run --start-date 2022-10-18" in result.output
        copy = tmp_path / "copy.duckdb"
        shutil.copy(demo_db, copy)  # the lock is beside the file, not in it: a copy is free
        assert invoke(copy, "run", "--dates", "2023-03-01").exit_code == 0
    finally:
        holder.kill()
        holder.wait()


def test_a_cleanup_dry_run_reads_a_0444_file_and_writes_nothing(demo_db):
    os.chmod(demo_db, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = demo_db.read_bytes()
    result = invoke(demo_db, "cleanup", "--mode", "partial", "--output", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dry_run"] is True
    assert demo_db.read_bytes() == before, "not even an audit row: read-only credentials suffice"
