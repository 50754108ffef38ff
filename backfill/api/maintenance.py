"""Setting up and looking after the warehouse: `init`, the leases (`lock status|release`), `cleanup`, `restore`."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from backfill.api.common import WarehouseLike, json_ready, opened
from backfill.api.defaults import settled
from backfill.dates import league_today
from backfill.lineage import reported
from backfill.pipeline.invocation import new_invocation
from backfill.pipeline.ledger import record_legacy_verdicts
from warehouse import Datasets
from warehouse.arrow_frames import plain_records

if TYPE_CHECKING:
    from cleanup import CleanupResult, CleanupSettings


# --- setup -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InitResult:
    """`init`: the warehouse it set up, the tables it created, the columns it added to older tables and the
    datasets it created."""

    warehouse: str
    created: list[str]
    added: list[str]
    datasets_created: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)  # type: ignore[no-any-return]


def init(warehouse: WarehouseLike, *, datasets: Datasets | None = None, with_inputs: bool = False) -> InitResult:
    """Create the datasets and every missing table of this product, and add new columns to older ones
    (idempotent). The upstream input tables belong to the pipelines that fill them: created (empty) only
    `with_inputs`, for a sandbox or a demo."""
    with opened(warehouse, datasets, writer="python: backfill.api.init()", must_exist=False) as wh:
        new_datasets = wh.create_datasets()
        result = InitResult(wh.describe(), wh.create_tables(with_inputs=with_inputs), wh.migrate_tables(), new_datasets)
        record_legacy_verdicts(wh)  # rows older than the verdict columns get them from their reason (NULLs only)
        return result


# --- leases ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeasesResult:
    """`lock status`: who holds a lease (or the DuckDB writers' lock): range, host, PID, command, heartbeat."""

    leases: list[dict[str, Any]]
    frame: pd.DataFrame = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)  # type: ignore[no-any-return]  # the leases; the frame is their view


def leases(warehouse: WarehouseLike, *, datasets: Datasets | None = None) -> LeasesResult:
    with opened(warehouse, datasets) as wh:
        held = wh.leases()
    return LeasesResult(plain_records(held), held)


def release_lease(
    warehouse: WarehouseLike, lease_id: str, *, reason: str, datasets: Datasets | None = None
) -> dict[str, object]:
    """Release a lease whose holder is gone, recording who and why in backfill_runs; returns the lease."""
    from backfill.pipeline.leases import release

    # read-only on DuckDB: its lock is a process's, released only by stopping it (BigQuery writes as usual)
    with opened(warehouse, datasets) as wh:
        return release(wh, lease_id, reason, new_invocation("lock release"))


# --- cleanup -----------------------------------------------------------------------------------
def cleanup_settings(
    *, retention_days: int = 7, mode: str = "all", execute: bool = False, backup: bool = True, today: date | None = None
) -> CleanupSettings:
    """The checked settings of a cleanup. Deleting is judged against the real clock only: a pinned `today`
    (for rehearsing a dry run) could make today's rows look stale."""
    from cleanup import CleanupSettings

    return CleanupSettings(
        today=league_today() if execute or today is None else today,
        retention_days=retention_days,
        mode=mode,
        execute=execute,
        backup=backup,
    )


def cleanup_with_settings(
    warehouse: WarehouseLike, settings: CleanupSettings, *, user: str | None = None, datasets: Datasets | None = None
) -> CleanupResult:
    from cleanup import run_cleanup

    with opened(warehouse, datasets, writer="python: backfill.cleanup()" if settings.execute else None) as wh:
        if not settings.execute:  # a dry run writes nothing: no lineage to report
            return run_cleanup(wh, settings, user or getpass.getuser())
        with reported(wh, "cleanup", ["upcg", "pgs"], ["upcg"]) as reporting:
            result = run_cleanup(wh, settings, user or getpass.getuser())
            reporting.facet.update(
                operation_id=result.operation_id,
                cutoff=result.cutoff.isoformat(),
                mode=result.mode,
                rows_matched=result.rows_matched,
                rows_deleted=result.rows_deleted,
                backup_table=result.backup_table,
            )
            return result


def cleanup(
    warehouse: WarehouseLike,
    *,
    retention_days: int | None = None,
    mode: str | None = None,
    execute: bool = False,
    backup: bool = True,
    today: date | None = None,
    user: str | None = None,
    datasets: Datasets | None = None,
) -> CleanupResult:
    """Stale UPCG rows (SPEC §8): a dry run unless `execute`; with it back up, delete, verify, audit.
    `retention_days` and `mode` left as None are settled like the options (PCF_*, the config file, 7 / all)."""
    options = settled("cleanup", warehouse, {"retention_days": retention_days, "mode": mode})
    settings = cleanup_settings(execute=execute, backup=backup, today=today, **options)
    return cleanup_with_settings(warehouse, settings, user=user, datasets=datasets)


def restore(
    warehouse: WarehouseLike, backup_table: str, *, user: str | None = None, datasets: Datasets | None = None
) -> int:
    """Put a cleanup backup's rows back into UPCG; returns how many rows were restored."""
    from cleanup import restore_backup

    with opened(warehouse, datasets, writer="python: backfill.restore()") as wh:
        return restore_backup(wh, backup_table, user or getpass.getuser())
