"""Leases on BigQuery: a row in the leases table makes [start, end] one run's until it expires; a
heartbeat thread extends it, a dead holder on this host is taken over, and leftovers of dead runs are swept."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from warehouse.base import date_literal
from warehouse.bigquery.errors import translated
from warehouse.bigquery.values import string_literal
from warehouse.errors import LockHeld, WarehouseError
from warehouse.logger import get_logger

if TYPE_CHECKING:
    from warehouse.bigquery.adapter import BigQueryWarehouse

LEASE_MUTEX_ID = "__mutex__"  # the leases row every acquisition updates, see `acquire`

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
    return (f"the lease of run {lease.get('holder')} ({who}: {lease.get('command') or 'command not recorded'}; "
            f"{beat}, lease id {lease.get('lease_id')})")  # fmt: skip


@contextmanager
def held(wh: BigQueryWarehouse, holder: str, start: date, end: date) -> Iterator[list[dict[str, object]]]:
    """[start, end] is ours while the block runs: acquired, kept alive by a heartbeat, deleted on exit.
    Yields the leases of dead runs it took over (holder, host, PID, command, seconds silent, why)."""
    lease_id = uuid.uuid4().hex
    taken_over = acquire(wh, lease_id, holder, start, end)
    stop = threading.Event()
    heartbeat = threading.Thread(target=beat, args=(wh, lease_id, stop), daemon=True)
    heartbeat.start()
    try:
        yield taken_over
    finally:
        stop.set()
        heartbeat.join()
        release(wh, lease_id)


def mutex_sql(wh: BigQueryWarehouse) -> str:
    leases = wh.table("leases")
    return (
        f"INSERT INTO {leases} (lease_id, holder) SELECT '{LEASE_MUTEX_ID}', 'lease mutex' FROM (SELECT 1) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {leases} WHERE lease_id = '{LEASE_MUTEX_ID}')"
    )


@translated
def acquire(wh: BigQueryWarehouse, lease_id: str, holder: str, start: date, end: date) -> list[dict[str, object]]:
    # Inserts alone never conflict in BigQuery, so every acquisition also updates the
    # mutex row (made by create_tables, or here on first use): two racing transactions
    # then conflict, one is aborted and retried, and the retry sees the winner's lease.
    leases = wh.table("leases")
    overlapping = f"start_date <= {date_literal(end)} AND end_date >= {date_literal(start)}"
    now = "CURRENT_TIMESTAMP()"
    dead = take_over_dead_leases(wh, start, end)
    _, rows = wh.jobs.query(
        f"""BEGIN TRANSACTION;
{mutex_sql(wh)};
UPDATE {leases} SET heartbeat_at = {now} WHERE lease_id = '{LEASE_MUTEX_ID}';
DELETE FROM {leases} WHERE {overlapping} AND expires_at < {now};
INSERT INTO {leases} (lease_id, holder, start_date, end_date, acquired_at, heartbeat_at, expires_at, host, pid,
                      command)
  SELECT '{lease_id}', {string_literal(holder)}, {date_literal(start)}, {date_literal(end)}, {now}, {now},
    TIMESTAMP_ADD({now}, INTERVAL {int(wh.settings.lease_ttl)} SECOND), {string_literal(socket.gethostname())},
    {os.getpid()}, {string_literal(wh.writer)} FROM (SELECT 1)
  WHERE NOT EXISTS (SELECT 1 FROM {leases} WHERE {overlapping} AND expires_at >= {now});
COMMIT TRANSACTION;
SELECT lease_id, holder, expires_at, host, pid, command,
    TIMESTAMP_DIFF({now}, heartbeat_at, SECOND) AS silent_seconds FROM {leases}
  WHERE {overlapping} AND expires_at >= {now} ORDER BY acquired_at""",
        None,
        resubmit_safe=True,  # the lease id is fixed: a second attempt finds its own row
    )
    holders = [dict(row.items()) for row in rows]
    if any(lease["lease_id"] == lease_id for lease in holders):
        return dead
    raise LockHeld(f"{start}..{end} overlaps {lease_text(holders[0] if holders else {})}; wait for that run "
                   "to finish or the lease to expire, or release it: `pcf-backfill lock status`")  # fmt: skip


@translated
def leftover_staging(wh: BigQueryWarehouse) -> list[str]:
    """Staging tables of runs that died: every one created before the oldest live lease was taken
    (a live run stages only while it holds its lease)."""
    oldest = wh.query(
        "SELECT MIN(acquired_at) AS oldest FROM {leases} WHERE lease_id != @mutex "
        "AND expires_at >= CURRENT_TIMESTAMP()", {"mutex": LEASE_MUTEX_ID},
    )["oldest"].iat[0]  # fmt: skip
    if pd.isna(oldest):
        return []
    cutoff = pd.Timestamp(oldest)
    cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff
    return [table.table_id for table in wh.jobs.request(wh.client.list_tables, wh.dataset_id("orchestration"))
            if table.table_id.startswith("_staging_") and table.created is not None
            and pd.Timestamp(table.created) < cutoff]  # fmt: skip


TAKEN_OVER_KEYS = ("lease_id", "holder", "host", "pid", "command", "silent_seconds", "why")


def take_over_dead_leases(wh: BigQueryWarehouse, start: date, end: date) -> list[dict[str, object]]:
    """The overlapping leases of dead runs: expired ones (the acquiring transaction deletes them), and
    those held by a process of this host that no longer exists, deleted here at once. Returns them, as
    a person must hear of a run that died holding a lease."""
    found = wh.query(
        "SELECT lease_id, holder, host, pid, command, expires_at < CURRENT_TIMESTAMP() AS expired, "
        "TIMESTAMP_DIFF(CURRENT_TIMESTAMP(), heartbeat_at, SECOND) AS silent_seconds FROM {leases} "
        "WHERE start_date <= @end AND end_date >= @start "
        "AND (expires_at < CURRENT_TIMESTAMP() OR (host = @host AND pid IS NOT NULL))",
        {"start": start, "end": end, "host": socket.gethostname()},
    )  # fmt: skip
    dead = []
    for lease in found.astype(object).where(found.notna(), None).to_dict("records"):
        gone = not lease["expired"] and not process_alive(int(lease["pid"]))
        if not (lease["expired"] or gone):
            continue
        lease["why"] = "expired" if lease["expired"] else "process gone"
        log.warning("lease_taken_over", lease_id=lease["lease_id"], holder=lease["holder"], why=lease["why"],
                    dead_pid=lease["pid"], silent_seconds=lease["silent_seconds"])  # fmt: skip
        if gone:
            wh.execute("DELETE FROM {leases} WHERE lease_id = @lease_id", {"lease_id": lease["lease_id"]})
        dead.append({key: lease[key] for key in TAKEN_OVER_KEYS})
    return dead


def beat(wh: BigQueryWarehouse, lease_id: str, stop: threading.Event) -> None:
    while not stop.wait(wh.settings.lease_ttl / 3):
        try:
            wh.execute(
                "UPDATE {leases} SET heartbeat_at = CURRENT_TIMESTAMP(), "
                "expires_at = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL @ttl SECOND) WHERE lease_id = @lease_id",
                {"ttl": int(wh.settings.lease_ttl), "lease_id": lease_id},
            )
        except WarehouseError as error:  # the next beat tries again before the lease expires
            log.warning("lease_heartbeat_failed", lease_id=lease_id, error=str(error))


def release(wh: BigQueryWarehouse, lease_id: str) -> None:
    try:
        wh.execute("DELETE FROM {leases} WHERE lease_id = @lease_id", {"lease_id": lease_id})
    except WarehouseError as error:
        log.warning("lease_release_failed", lease_id=lease_id, error=str(error),
                    consequence=f"the lease expires by itself within {wh.settings.lease_ttl} s")  # fmt: skip
