"""The `cleanup_operations` audit trail: one appended row per executed cleanup or restore, failures
included (a dry run writes nothing), so an operator can always see what was removed, when, by whom,
and where it went. A delete's row is written in the delete's own transaction (cleanup/delete.py); a
failure after it (a verification that put the rows back) updates that row with the error and the rows
that stayed deleted."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import pandas as pd

from cleanup.plan import utc_now
from warehouse import PcfError, Warehouse
from warehouse.schemas import TABLES


@dataclass
class CleanupOperation:
    """One row of `cleanup_operations`, filled in as the operation progresses."""

    operation_id: str
    table_name: str
    mode: str  # all | partial, or `restore` for `cleanup restore`
    cutoff_date: date | None
    dry_run: bool
    user: str
    started_at: datetime
    rows_matched: int = 0
    rows_deleted: int = 0
    backup_table: str | None = None
    finished_at: datetime | None = None
    error: str | None = None
    recorded: bool = field(default=False, repr=False)  # its row is in the table (not a column)


def new_operation_id(started_at: datetime) -> str:
    return f"cleanup-{started_at.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"


def upcg_table_name(wh: Warehouse) -> str:
    """The cleaned table as an operator would type it: `dataset.table`."""
    spec = TABLES["upcg"]
    return f"{wh.dataset_name(spec.dataset)}.{spec.name}"


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def operation_frame(operation: CleanupOperation) -> pd.DataFrame:
    """The operation as its `cleanup_operations` row, `finished_at` stamped now (naive UTC)."""
    operation.finished_at = utc_now()
    frame = pd.DataFrame([asdict(operation)], columns=TABLES["cleanup_ops"].column_names)
    frame["cutoff_date"] = pd.to_datetime(frame["cutoff_date"])
    return frame


def append_operation(wh: Warehouse, operation: CleanupOperation) -> None:
    wh.load(operation_frame(operation), "cleanup_ops")


def record_failure(wh: Warehouse, operation: CleanupOperation) -> None:
    """The failure on the operation's row: appended, or set on the row its delete already wrote."""
    if not operation.recorded:
        append_operation(wh, operation)
        return
    operation.finished_at = utc_now()
    wh.execute(
        "UPDATE {cleanup_ops} SET error = @error, rows_deleted = @rows_deleted, finished_at = @finished_at "
        "WHERE operation_id = @operation_id",
        {
            "error": operation.error,
            "rows_deleted": operation.rows_deleted,
            "finished_at": operation.finished_at,
            "operation_id": operation.operation_id,
        },
    )


def append_failed_operation(wh: Warehouse, operation: CleanupOperation, error: BaseException) -> None:
    """Record a failure before it propagates; if the audit write fails too, say so on the original error."""
    operation.error = error_text(error)
    try:
        record_failure(wh, operation)
    except PcfError as audit_error:
        error.add_note(f"the cleanup_operations row could not be written either: {audit_error}")
