"""A run's own record in `backfill_runs`: written when it starts, closed with its counts and exit code when it
ends, and the records of runs that died without closing theirs closed by the next run."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from backfill.pipeline.invocation import Invocation
from backfill.pipeline.ledger import utc_now
from vocabulary import DateStatus
from warehouse import Warehouse
from warehouse.logger import get_logger

if TYPE_CHECKING:
    from backfill.settings import RunSettings

log = get_logger(__name__)


def run_record(invocation: Invocation, settings: RunSettings, started: datetime) -> pd.DataFrame:
    options = {k: v for k, v in asdict(settings).items() if k not in ("start", "end", "label")}
    return pd.DataFrame(
        [
            {
                "run_id": invocation.run_id,
                "command": invocation.command,
                "start_date": settings.start,
                "end_date": settings.end,
                "options": json.dumps(options, default=str, sort_keys=True),
                "user": invocation.user,
                "host": invocation.host,
                "version": invocation.version,
                "started_at": started,
                "label": settings.label,
            }
        ]
    )


def record_run_start(wh: Warehouse, invocation: Invocation, settings: RunSettings, started: datetime) -> None:
    wh.load(run_record(invocation, settings, started), "runs")


def record_command(wh: Warehouse, invocation: Invocation, options: dict[str, object]) -> None:
    """A command that is done as soon as it is recorded (a lease release): one closed run record."""
    now = utc_now()
    wh.load(
        pd.DataFrame(
            [
                {
                    "run_id": invocation.run_id,
                    "command": invocation.command,
                    "user": invocation.user,
                    "host": invocation.host,
                    "version": invocation.version,
                    "options": json.dumps(options, sort_keys=True),
                    "started_at": now,
                    "finished_at": now,
                    "exit_code": 0,
                }
            ]
        ),
        "runs",
    )


def finish_run_record(wh: Warehouse, run_id: str, verdicts: pd.DataFrame, exit_code: int) -> None:
    """Close the run record with its counts per outcome and the exit code the command reports. A record already
    closed is left alone: a run that stalled past its lease was recorded as killed by the run that took over."""
    counts = verdicts["status"].value_counts() if len(verdicts) else pd.Series(dtype="int64")
    wh.execute(
        "UPDATE {runs} SET finished_at = @finished, dates_published = @published, dates_blocked = @blocked, "
        "dates_failed = @failed, dates_skipped = @skipped, exit_code = @exit_code "
        "WHERE run_id = @run_id AND finished_at IS NULL",  # a record closed for the run (killed) stays as it is
        {
            "finished": utc_now(),
            "published": int(counts.get(DateStatus.PUBLISHED, 0)),
            "blocked": int(counts.get(DateStatus.BLOCKED, 0)),
            "failed": int(counts.get(DateStatus.FAILED, 0)),
            "skipped": int(counts.get(DateStatus.SKIPPED_BOOTSTRAP, 0)),
            "exit_code": exit_code,
            "run_id": run_id,
        },
    )


KILLED_EXIT_CODE = 137  # what a shell reports for SIGKILL: the run ended without closing its record


def close_killed_runs(wh: Warehouse, invocation: Invocation) -> None:
    """Close the records of runs that ended without closing them (SIGKILL, a lost machine): every unfinished
    run holding no live lease. On DuckDB this run holds the writers' lock, so no other run is alive."""
    closed = wh.execute(
        "UPDATE {runs} SET finished_at = @now, exit_code = @killed WHERE finished_at IS NULL AND run_id <> @run_id "
        "AND run_id NOT IN (SELECT holder FROM {leases} WHERE holder IS NOT NULL AND expires_at >= @now)",
        {"now": utc_now(), "killed": KILLED_EXIT_CODE, "run_id": invocation.run_id},
    )
    if closed:
        log.warning("killed_runs_closed", run_id=invocation.run_id, runs=closed)
