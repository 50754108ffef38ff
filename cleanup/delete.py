"""The delete itself and its audit row, in one transaction: a crash can never leave rows deleted without a
record. The row counts what this very delete removes (the count and the delete read one snapshot), so an
upstream job writing meanwhile can skew neither."""

from __future__ import annotations

import pandas as pd

from cleanup.audit import CleanupOperation, operation_frame
from cleanup.plan import CleanupPlan
from warehouse import Warehouse
from warehouse.schemas import TABLES

AUDIT = TABLES["cleanup_ops"]


def delete_statements(plan: CleanupPlan, staged_audit: str) -> list[str]:
    """Append the staged audit row with the number of rows the predicate matches now, then delete them."""
    if plan.delete_statement is None:
        raise ValueError("nothing to delete: the plan matches no rows")
    columns = [name for name in AUDIT.column_names if name != "rows_deleted"]
    return [
        f"INSERT INTO {{cleanup_ops}} ({', '.join(columns)}, rows_deleted) "
        f"SELECT {', '.join(columns)}, (SELECT COUNT(*) FROM {{upcg}} WHERE {plan.predicate}) FROM {staged_audit}",
        plan.delete_statement,
    ]


def delete_matched(wh: Warehouse, plan: CleanupPlan, operation: CleanupOperation) -> int:
    """Delete the plan's rows and append the operation's audit row, atomically; returns the rows deleted."""
    staged = wh.stage(operation_frame(operation), AUDIT, "cleanup")
    try:
        wh.run_atomic(delete_statements(plan, staged))
        operation.recorded = True
    finally:
        wh.drop_staging(staged)
    recorded = wh.query(
        "SELECT rows_deleted FROM {cleanup_ops} WHERE operation_id = @operation_id",
        {"operation_id": operation.operation_id},
    )
    return int(pd.to_numeric(recorded["rows_deleted"]).max())
