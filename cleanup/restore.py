"""`cleanup restore`: put a backup's rows back into UPCG, never duplicating rows already there."""

from __future__ import annotations

import pandas as pd

from cleanup.audit import CleanupOperation, append_failed_operation, append_operation, new_operation_id, upcg_table_name
from cleanup.backup import backup_exists, backup_location, checked_backup_name, count_rows
from cleanup.plan import utc_now
from warehouse import BadInput, Warehouse, WarehouseError
from warehouse.schemas import TABLES


def overlapping_rows(wh: Warehouse, backup_qualified: str) -> pd.DataFrame:
    """Per date, the backup's rows whose (game_date, player_lookup) is already in UPCG. Both tables are read
    within the backup's dates: the partition filter BigQuery tables may require."""
    span = wh.rows(
        f"SELECT MIN(game_date) AS first, MAX(game_date) AS last FROM {backup_qualified} WHERE game_date IS NOT NULL"
    )[0]
    if span["first"] is None:
        return pd.DataFrame(columns=["game_date", "overlapping_rows"])
    return wh.query(
        "SELECT b.game_date, COUNT(*) AS overlapping_rows "
        f"FROM {backup_qualified} AS b "
        "JOIN {upcg} AS u ON u.game_date = b.game_date AND u.player_lookup = b.player_lookup "
        "WHERE b.game_date BETWEEN @first AND @last AND u.game_date BETWEEN @first AND @last "
        "GROUP BY b.game_date ORDER BY b.game_date",
        {"first": span["first"], "last": span["last"]},
    )


def refuse_duplicates(wh: Warehouse, name: str) -> None:
    overlap = overlapping_rows(wh, backup_location(wh, name))
    if overlap.empty:
        return
    dates = ", ".join(str(day) for day in pd.to_datetime(overlap["game_date"]).dt.date)
    raise BadInput(
        f"BACKUP_TABLE: {int(overlap['overlapping_rows'].sum())} of {name}'s rows are already in "
        f"{TABLES['upcg'].name} (dates {dates}); restoring would duplicate them, so nothing was restored"
    )


def put_back(wh: Warehouse, name: str) -> int:
    """Append every row of the backup to UPCG and check the count; the backup stays in place.
    Callers check `refuse_duplicates` first."""
    expected = count_rows(wh, backup_location(wh, name))
    restored = wh.copy_back(name, "upcg")
    if restored != expected:
        raise WarehouseError(f"restored {restored} rows from {name}, which holds {expected}; check the table")
    return restored


def restore_backup(wh: Warehouse, backup_table: str, user: str) -> int:
    """Put a cleanup backup's rows back; returns the rows restored and appends an audit row (mode `restore`)."""
    name = checked_backup_name(backup_table)
    if not backup_exists(wh, name):
        dataset = wh.dataset_name(TABLES["upcg"].dataset)
        raise BadInput(f"BACKUP_TABLE: no table {name} in dataset {dataset}; see backup_table in cleanup_operations")
    refuse_duplicates(wh, name)
    started_at = utc_now()
    operation = CleanupOperation(
        new_operation_id(started_at), upcg_table_name(wh), "restore", None, False, user, started_at, backup_table=name
    )
    try:
        operation.rows_matched = put_back(wh, name)
    except Exception as error:
        append_failed_operation(wh, operation, error)
        raise
    append_operation(wh, operation)
    return operation.rows_matched
