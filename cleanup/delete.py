"""The delete itself: the plan's one statement, in one transaction."""

from __future__ import annotations

from cleanup.plan import CleanupPlan
from warehouse import Warehouse


def delete_matched(wh: Warehouse, plan: CleanupPlan) -> None:
    if plan.delete_statement is None:
        raise ValueError("nothing to delete: the plan matches no rows")
    wh.run_atomic([plan.delete_statement])
