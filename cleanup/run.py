"""One cleanup, start to finish: lease → plan → backup → fingerprint → delete and audit → verify."""

from __future__ import annotations

import shlex
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from cleanup.audit import CleanupOperation, append_failed_operation, append_operation, new_operation_id, upcg_table_name
from cleanup.backup import create_backup
from cleanup.delete import delete_matched
from cleanup.plan import CleanupPlan, plan_cleanup, utc_now
from cleanup.restore import put_back, refuse_duplicates
from cleanup.settings import CleanupSettings
from cleanup.verify import count_upcg, table_state, verification_problems
from warehouse import PcfError, Warehouse, WarehouseError
from warehouse.arrow_frames import plain_records
from warehouse.logger import get_logger

log = get_logger(__name__)


@dataclass
class CleanupResult:
    operation_id: str
    cutoff: date
    mode: str
    dry_run: bool
    per_date: pd.DataFrame  # game_date, upcg_players, upcg_rows, pgs_active_players, matched_players, coverage, action
    rows_matched: int
    rows_deleted: int
    backup_table: str | None
    statements: list[str]  # rendered for this warehouse, in execution order

    # A cleanup that returns did what it was asked; one that cannot raises (bad input, another writer, an error).
    exit_code: int = field(default=0, init=False)
    resume_command: str | None = field(default=None, init=False)

    def raise_for_status(self) -> CleanupResult:
        """Returns self (SPEC §12: every API result answers it; a failed cleanup raised already)."""
        return self

    @property
    def dates_matched(self) -> int:
        return int((self.per_date["action"] == "delete").sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON's types, as every API result offers them (`cleanup --output json` adds the undo command)."""
        per_date = plain_records(self.per_date.reset_index(drop=True))
        return {
            "operation_id": self.operation_id,
            "mode": self.mode,
            "cutoff_date": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "rows_matched": self.rows_matched,
            "rows_deleted": self.rows_deleted,
            "backup_table": self.backup_table,
            "dates": [{key: iso(value) for key, value in row.items()} for row in per_date],
        }


def iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def run_cleanup(wh: Warehouse, settings: CleanupSettings, user: str, *, now: datetime | None = None) -> CleanupResult:
    """Plan, and with `settings.execute` back up, delete, verify and append an audit row (a dry run writes nothing).
    `now` (naive UTC, default the clock) stamps the operation and names the backup table.

    An execution holds the lease runs take, over every date before the cutoff: two cleanups, or a cleanup
    and a run reading those dates, never interleave (the second exits 4 naming the holder). The delete and
    its audit row commit together; any failure is recorded in `cleanup_operations` and re-raised (a failed
    verification first puts the backup's rows back). The backup table is always left in place.
    """
    started_at = now or utc_now()
    operation = CleanupOperation(
        new_operation_id(started_at),
        upcg_table_name(wh),
        settings.mode,
        settings.cutoff,
        settings.dry_run,
        user,
        started_at,
    )
    lease = (
        wh.lease(operation.operation_id, date.min, settings.cutoff - timedelta(days=1))
        if settings.execute
        else nullcontext()
    )  # a dry run writes nothing, not even a lease or its audit row: read-only credentials do
    try:
        with lease:
            plan = plan_cleanup(wh, settings, now=started_at)
            operation.rows_matched = plan.rows_matched
            log.debug("cleanup.plan", operation_id=operation.operation_id, statements=rendered(wh, plan))
            if settings.execute and plan.predicate is not None:
                execute_plan(wh, plan, operation)
            elif settings.execute:
                append_operation(wh, operation)  # nothing matched: the row says so
    except Exception as error:
        log.error("cleanup.failed", **summary(operation), error=str(error))
        if settings.execute:
            append_failed_operation(wh, operation, error)
        raise
    log.info("cleanup", **summary(operation), dates_matched=len(plan.delete_dates))
    return CleanupResult(
        operation.operation_id,
        settings.cutoff,
        settings.mode,
        settings.dry_run,
        plan.per_date,
        operation.rows_matched,
        operation.rows_deleted,
        operation.backup_table,
        rendered(wh, plan),
    )


def execute_plan(wh: Warehouse, plan: CleanupPlan, operation: CleanupOperation) -> None:
    """Back up, fingerprint what must survive, delete and audit in one transaction, verify (or put the
    rows back)."""
    if plan.settings.backup:
        operation.backup_table = create_backup(wh, plan)
    before = table_state(wh, plan.cutoff, plan.planned_at)
    operation.rows_deleted = delete_matched(wh, plan, operation)
    after = table_state(wh, plan.cutoff, plan.planned_at)
    remaining = count_upcg(wh, str(plan.predicate))
    problems = verification_problems(plan.rows_matched, operation.rows_deleted, remaining, before, after, plan.cutoff)
    if problems:
        failure = "cleanup verification failed: " + "; ".join(problems)
        restored = undo_delete(wh, operation.backup_table, failure)
        operation.rows_deleted -= restored
        backup = operation.backup_table
        raise WarehouseError(f"{failure}; restored {restored} rows from {backup} (the backup is left in place)")


def undo_delete(wh: Warehouse, backup_table: str | None, failure: str) -> int:
    """Put the backup's rows back after a failed verification; returns the rows restored."""
    if backup_table is None:
        raise WarehouseError(f"{failure}; no backup was taken (--no-backup), so the deleted rows cannot be put back")
    try:
        refuse_duplicates(wh, backup_table)
        return put_back(wh, backup_table)
    except PcfError as error:
        raise WarehouseError(
            f"{failure}; putting the rows back from {backup_table} failed too ({error}) — "
            f"check the table, then `{shlex.join([*wh.command_words(), 'cleanup', 'restore', backup_table])}`"
        ) from error


def rendered(wh: Warehouse, plan: CleanupPlan) -> list[str]:
    return [wh.render(sql) for sql in plan.statements]


def summary(operation: CleanupOperation) -> dict[str, object]:
    return {
        "operation_id": operation.operation_id,
        "mode": operation.mode,
        "cutoff": str(operation.cutoff_date),
        "dry_run": operation.dry_run,
        "rows_matched": operation.rows_matched,
        "rows_deleted": operation.rows_deleted,
        "backup_table": operation.backup_table,
    }
