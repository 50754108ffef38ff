"""Leases on BigQuery: a row in the leases table makes [start, end] one run's until it expires; a
heartbeat thread extends it, a dead holder on this host is taken over, and leftovers of dead runs are swept.

Leases are fenced: every publish transaction of the holder extends its own lease row and fails unless that
row is still live (`fence_statements`). Writing the leases table makes the publish conflict with a takeover
committed meanwhile (BigQuery aborts one of two transactions changing one table), so a run whose lease was
taken over while it stalled never publishes again: it stops with exit 4 naming the new holder."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from warehouse.arrow_frames import plain_records
from warehouse.bigquery.errors import translated
from warehouse.bigquery.values import string_literal
from warehouse.errors import LockHeld, WarehouseError
from warehouse.logger import get_logger
from warehouse.sql_text import date_literal

if TYPE_CHECKING:
    from warehouse.bigquery.adapter import BigQueryWarehouse

LEASE_MUTEX_ID = "__mutex__"  # the leases row every acquisition updates, see `acquire`
LEASE_LOST = "pcf_lease_lost"  # the marker of the fence's error, raised inside the publish transaction

log = get_logger(__name__)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def lease_text(lease: dict[str, Any]) -> str:
    """Who holds a lease and how long it has been silent, for the exit-4 line."""
    if not lease:
        return "the lease of another run"
    who = f"PID {lease.get('pid')} on {lease.get('host')}" if lease.get("host") else "an unknown process"
    silent = lease.get("silent_seconds")
    beat = f"last heartbeat {int(silent)} s ago" if silent is not None else "no heartbeat yet"
    return (
        f"the lease of run {lease.get('holder')} ({who}: {lease.get('command') or 'command not recorded'}; "
        f"{beat}, lease id {lease.get('lease_id')})"
    )


@dataclass(frozen=True)
class Fence:
    """The lease a run holds, as its publishes check it; `lost` is set once it is known to be gone."""

    lease_id: str
    holder: str
    start: date
    end: date
    lost: threading.Event = field(default_factory=threading.Event)


@contextmanager
def held(wh: BigQueryWarehouse, holder: str, start: date, end: date) -> Iterator[list[dict[str, object]]]:
    """[start, end] is ours while the block runs: acquired, kept alive by a heartbeat, fencing every publish
    (`wh.fence`), deleted on exit. Yields the leases of dead runs it took over (holder, host, PID, command,
    seconds silent, why)."""
    fence = Fence(uuid.uuid4().hex, holder, start, end)
    taken_over = acquire(wh, fence.lease_id, holder, start, end)
    stop = threading.Event()
    heartbeat = threading.Thread(target=beat, args=(wh, fence, stop), daemon=True)
    wh.fence = fence
    heartbeat.start()
    try:
        yield taken_over
    finally:
        stop.set()
        heartbeat.join()
        wh.fence = None
        wh.oldest_live_lease = None
        release(wh, fence.lease_id)  # by its own id: a lease another run took over is never touched


def fence_statements(wh: BigQueryWarehouse, fence: Fence) -> list[str]:
    """The head of every publish transaction: extend our lease if it is still live, then fail unless it is.
    The UPDATE is also what makes a concurrent takeover and this publish conflict."""
    leases, lease_id = wh.table("leases"), string_literal(fence.lease_id)
    live = f"lease_id = {lease_id} AND expires_at >= CURRENT_TIMESTAMP()"
    return [
        f"UPDATE {leases} SET heartbeat_at = CURRENT_TIMESTAMP(), "
        f"expires_at = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL {int(wh.settings.lease_ttl)} SECOND) WHERE {live}",
        f"SELECT IF((SELECT COUNT(*) FROM {leases} WHERE {live}) = 1, 'lease held', "
        f"ERROR({string_literal(f'{LEASE_LOST}: lease {fence.lease_id} of run {fence.holder} is gone')}))",
    ]


def lost_error(wh: BigQueryWarehouse, fence: Fence) -> LockHeld:
    """Exit 4, naming whoever holds the range now (if anyone does)."""
    fence.lost.set()
    try:
        found = wh.query(
            "SELECT lease_id, holder, host, pid, command, TIMESTAMP_DIFF(CURRENT_TIMESTAMP(), heartbeat_at, SECOND) "
            "AS silent_seconds FROM {leases} WHERE lease_id != @mutex AND start_date <= @end AND end_date >= @start "
            "AND expires_at >= CURRENT_TIMESTAMP() ORDER BY acquired_at",
            {"mutex": LEASE_MUTEX_ID, "start": fence.start, "end": fence.end},
        )
        holders = plain_records(found)
    except WarehouseError:  # the line still says what happened
        holders = []
    now = f"taken over: the range is now held by {lease_text(holders[0])}" if holders else "no run holds it now"
    return LockHeld(
        f"run {fence.holder} lost its lease on {fence.start}..{fence.end} (silent past its "
        f"{wh.settings.lease_ttl} s lifetime, it expired; {now}); it stopped before publishing again, "
        "so nothing is written twice. Check `pcf-backfill lock status`, then rerun what is left once "
        "that run has finished"
    )


def mutex_sql(wh: BigQueryWarehouse) -> str:
    leases = wh.table("leases")
    return (
        f"INSERT INTO {leases} (lease_id, holder) SELECT '{LEASE_MUTEX_ID}', 'lease mutex' FROM (SELECT 1) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {leases} WHERE lease_id = '{LEASE_MUTEX_ID}')"
    )


@translated
def acquire(wh: BigQueryWarehouse, lease_id: str, holder: str, start: date, end: date) -> list[dict[str, object]]:
    """One job in the common case: the acquisition answers with every overlapping lease, expired ones included.
    Leases of dead runs (expired, or held by a process of this host that is gone) are then deleted and returned,
    and the acquisition is tried once more if one of them kept the range from us."""
    found = _acquisition(wh, lease_id, holder, start, end)
    dead = dead_leases(found)
    if dead:
        wh.execute(
            "DELETE FROM {leases} WHERE lease_id IN UNNEST(@ids)", {"ids": [lease["lease_id"] for lease in dead]}
        )
        if not any(lease["lease_id"] == lease_id for lease in found):
            found = _acquisition(wh, lease_id, holder, start, end)
    holders = [lease for lease in found if not lease["expired"] and lease["lease_id"] not in _ids(dead)]
    if any(lease["lease_id"] == lease_id for lease in holders):
        wh.oldest_live_lease = found[0]["oldest_live"]
        return [{key: lease[key] for key in TAKEN_OVER_KEYS} for lease in dead]
    raise LockHeld(
        f"{start}..{end} overlaps {lease_text(holders[0] if holders else {})}; wait for that run "
        "to finish or the lease to expire, or release it: `pcf-backfill lock status`"
    )


def _acquisition(wh: BigQueryWarehouse, lease_id: str, holder: str, start: date, end: date) -> list[dict[str, Any]]:
    """Insert our lease unless a live one overlaps; answer every overlapping lease (oldest first), whether it has
    expired and how long it has been silent, and when the oldest live lease of any range was taken.

    Inserts alone never conflict in BigQuery, so every acquisition also updates the mutex row (made by
    create_tables, or here on first use): two racing transactions then conflict, one is aborted and retried, and
    the retry sees the winner's lease."""
    leases = wh.table("leases")
    overlapping = f"start_date <= {date_literal(end)} AND end_date >= {date_literal(start)}"
    now = "CURRENT_TIMESTAMP()"
    _, rows = wh.jobs.query(
        f"""BEGIN TRANSACTION;
{mutex_sql(wh)};
UPDATE {leases} SET heartbeat_at = {now} WHERE lease_id = '{LEASE_MUTEX_ID}';
INSERT INTO {leases} (lease_id, holder, start_date, end_date, acquired_at, heartbeat_at, expires_at, host, pid,
                      command)
  SELECT '{lease_id}', {string_literal(holder)}, {date_literal(start)}, {date_literal(end)}, {now}, {now},
    TIMESTAMP_ADD({now}, INTERVAL {int(wh.settings.lease_ttl)} SECOND), {string_literal(socket.gethostname())},
    {os.getpid()}, {string_literal(wh.writer)} FROM (SELECT 1)
  WHERE NOT EXISTS (SELECT 1 FROM {leases} WHERE {overlapping} AND expires_at >= {now});
COMMIT TRANSACTION;
SELECT lease_id, holder, expires_at, host, pid, command, expires_at < {now} AS expired,
    TIMESTAMP_DIFF({now}, heartbeat_at, SECOND) AS silent_seconds,
    (SELECT MIN(acquired_at) FROM {leases} WHERE lease_id != '{LEASE_MUTEX_ID}' AND expires_at >= {now})
      AS oldest_live
  FROM {leases} WHERE {overlapping} ORDER BY acquired_at""",
        None,
        resubmit_safe=True,  # the lease id is fixed: a second attempt finds its own row
    )
    return [dict(row.items()) for row in rows]


def _ids(leases: list[dict[str, Any]]) -> set[str]:
    return {str(lease["lease_id"]) for lease in leases}


TAKEN_OVER_KEYS = ("lease_id", "holder", "host", "pid", "command", "silent_seconds", "why")


def dead_leases(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The overlapping leases of dead runs: expired ones, and those held by a process of this host that no longer
    exists; each with why, and logged, as a person must hear of a run that died holding a lease."""
    here = socket.gethostname()
    dead = []
    for lease in found:
        gone = not lease["expired"] and lease["host"] == here and lease["pid"] is not None
        gone = gone and not process_alive(int(lease["pid"]))
        if not (lease["expired"] or gone):
            continue
        lease = {**lease, "why": "expired" if lease["expired"] else "process gone"}
        log.warning(
            "lease_taken_over",
            lease_id=lease["lease_id"],
            holder=lease["holder"],
            why=lease["why"],
            dead_pid=lease["pid"],
            silent_seconds=lease["silent_seconds"],
        )
        dead.append(lease)
    return dead


@translated
def leftover_staging(wh: BigQueryWarehouse) -> list[str]:
    """Staging tables of runs that died: every one created before the oldest live lease was taken (a live run
    stages only while it holds its lease); that moment as this run's acquisition found it, or read now."""
    oldest: object = wh.oldest_live_lease
    if oldest is None:
        oldest = wh.query(
            "SELECT MIN(acquired_at) AS oldest FROM {leases} WHERE lease_id != @mutex "
            "AND expires_at >= CURRENT_TIMESTAMP()",
            {"mutex": LEASE_MUTEX_ID},
        )["oldest"].iat[0]
    if not isinstance(oldest, datetime) or pd.isna(oldest):  # none live (NULL comes back as NaT)
        return []
    cutoff = pd.Timestamp(oldest)
    cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff
    return [
        table.table_id
        for table in wh.jobs.request(wh.client.list_tables, wh.dataset_id("orchestration"))
        if table.table_id.startswith("_staging_") and table.created is not None and pd.Timestamp(table.created) < cutoff
    ]


def beat(wh: BigQueryWarehouse, fence: Fence, stop: threading.Event) -> None:
    """Extend the lease while it is live; once it is gone (expired, or taken over) it stays lost."""
    while not stop.wait(wh.settings.lease_ttl / 3):
        try:
            extended = wh.execute(
                "UPDATE {leases} SET heartbeat_at = CURRENT_TIMESTAMP(), "
                "expires_at = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL @ttl SECOND) "
                "WHERE lease_id = @lease_id AND expires_at >= CURRENT_TIMESTAMP()",
                {"ttl": int(wh.settings.lease_ttl), "lease_id": fence.lease_id},
            )
        except WarehouseError as error:  # the next beat tries again before the lease expires
            log.warning("lease_heartbeat_failed", lease_id=fence.lease_id, error=str(error))
            continue
        if not extended:
            fence.lost.set()
            log.warning(
                "lease_lost",
                lease_id=fence.lease_id,
                run_id=fence.holder,
                consequence="this run publishes nothing more and stops with exit 4",
            )
            return


def release(wh: BigQueryWarehouse, lease_id: str) -> None:
    try:
        wh.execute("DELETE FROM {leases} WHERE lease_id = @lease_id", {"lease_id": lease_id})
    except WarehouseError as error:
        log.warning(
            "lease_release_failed",
            lease_id=lease_id,
            error=str(error),
            consequence=f"the lease expires by itself within {wh.settings.lease_ttl} s",
        )
