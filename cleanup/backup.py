"""Backups of the rows a cleanup deletes: a new table beside UPCG holding exactly those rows."""

from __future__ import annotations

import re

from cleanup.plan import BACKUP_PREFIX, CleanupPlan
from warehouse import InvalidSetting, Warehouse, WarehouseError
from warehouse.schemas import TABLES

BACKUP_NAME = re.compile(re.escape(BACKUP_PREFIX) + r"\d{8}T\d{6}")
BACKUP_FORM = f"{BACKUP_PREFIX}YYYYMMDDTHHMMSS"


def checked_backup_name(name: str) -> str:
    """Only tables this module created may be restored from (the CLI names the field BACKUP_TABLE)."""
    if not isinstance(name, str) or not BACKUP_NAME.fullmatch(name):
        raise InvalidSetting(
            "backup_table",
            "{field}: expected a cleanup backup named {form}, got {value!r}",
            form=BACKUP_FORM,
            value=name,
        )
    return name


def backup_exists(wh: Warehouse, name: str) -> bool:
    return wh.table_exists(TABLES["upcg"].dataset, name)


def backup_location(wh: Warehouse, name: str) -> str:
    return wh.qualified(TABLES["upcg"].dataset, name)


def count_rows(wh: Warehouse, qualified_table: str) -> int:
    return int(wh.query(f"SELECT COUNT(*) AS row_count FROM {qualified_table}")["row_count"].iloc[0])


def create_backup(wh: Warehouse, plan: CleanupPlan) -> str:
    """Copy exactly the matched rows into a new backup table and check the copy's count.

    Returns the backup's (unqualified) name. A short count leaves the backup in place for
    inspection and raises before anything is deleted.
    """
    if plan.predicate is None:
        raise ValueError("nothing to back up: the plan matches no rows")
    name = plan.backup_name
    if backup_exists(wh, name):
        raise WarehouseError(f"backup table {name} already exists (another cleanup this second?); nothing deleted")
    qualified = wh.copy_rows_to_new_table("upcg", plan.predicate, name)
    copied = count_rows(wh, qualified)
    if copied != plan.rows_matched:
        raise WarehouseError(
            f"backup {name} holds {copied} rows but {plan.rows_matched} matched; nothing deleted "
            "(the backup is left in place for inspection)"
        )
    return name
