"""Stale-row cleanup of the upcoming-context table (SPEC §8): plan, backup, delete, verify, restore, audit."""

from cleanup.plan import CleanupPlan, plan_cleanup
from cleanup.restore import restore_backup
from cleanup.run import CleanupResult, run_cleanup
from cleanup.settings import CleanupSettings

__all__ = ["CleanupPlan", "CleanupResult", "CleanupSettings", "plan_cleanup", "restore_backup", "run_cleanup"]
