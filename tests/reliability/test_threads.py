"""One DuckDB file, one process, many threads (SPEC §12: callable from any thread): readers and writers share the
process's database instance, whatever the order they open it in, and a read leaves the caller's settings alone."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

import backfill
from warehouse import LockHeld

TODAY = date(2026, 11, 26)
RANGES = [("2022-11-01", "2022-11-02"), ("2022-11-08", "2022-11-09")]
ITERATIONS = 20
POLL_SECONDS = 0.05  # the report that found the bug polled every 0.2 s


def run_until_done(url: str, start: str, end: str, dry_run: bool, errors: list[BaseException]) -> None:
    """One run; meeting another run's writer lock it retries, as an orchestrator's retry policy would."""
    try:
        for _ in range(600):
            try:
                backfill.run(url, start, end, rerun="all", dry_run=dry_run, today=TODAY).raise_for_status()
                return
            except LockHeld:
                time.sleep(0.01)
        raise AssertionError(f"{start} … {end} never got the writer's lock")
    except BaseException as error:  # handed to the test's thread, which fails with it
        errors.append(error)


@pytest.mark.slow
def test_a_status_poller_beside_concurrent_runs_never_errs(demo_db: Path):
    url = f"duckdb:///{demo_db}"
    errors: list[BaseException] = []
    polls = 0
    stop = threading.Event()

    def poll() -> None:
        nonlocal polls
        while not stop.is_set():
            try:
                backfill.status(url, "2022-11-01", "2022-11-11")
                polls += 1
                stop.wait(POLL_SECONDS)
            except BaseException as error:
                errors.append(error)
                return

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        for iteration in range(ITERATIONS):
            # a writing run beside a dry run (a reader that computes), the roles swapping each iteration
            spans = RANGES if iteration % 2 else RANGES[::-1]
            runs = [
                threading.Thread(target=run_until_done, args=(url, *span, dry, errors))
                for span, dry in zip(spans, (False, True), strict=True)
            ]
            for thread in runs:
                thread.start()
            for thread in runs:
                thread.join()
            assert not errors, errors
    finally:
        stop.set()
        poller.join()
    assert not errors, errors
    assert polls > ITERATIONS
    for span in RANGES:
        counts = backfill.status(url, *span).counts
        assert counts.get("published") and not counts.get("pending"), counts


def test_reads_and_runs_leave_the_callers_duckdb_settings_as_they_were(demo_db: Path):
    url = f"duckdb:///{demo_db}"
    own = duckdb.connect(str(demo_db))  # a notebook's connection to the same file, in this process
    try:
        own.execute("SET threads = 3")
        backfill.status(url, "2022-11-01", "2022-11-07")
        backfill.validate(url, "2022-11-01", "2022-11-07")
        assert own.execute("SELECT current_setting('threads')").fetchone() == (3,)
        backfill.run(url, "2022-11-01", "2022-11-02", today=TODAY)
        assert own.execute("SELECT current_setting('threads')").fetchone() == (3,)
    finally:
        own.close()
