"""The Python API (SPEC §12): what every command does, callable with plain values from any thread.

    >>> import backfill
    >>> result = backfill.run("duckdb:///pcf.duckdb", date(2023, 2, 20), date(2023, 2, 26))
    >>> result.raise_for_status()  # DatesFailed / DatesBlocked, both BackfillError

`warehouse` is a URL (opened and closed by the call) or an open `Warehouse` (left open). Settings are
checked when built and refuse a value with `InvalidSetting` (a `ValueError`) naming the field. Nothing here
installs signal handlers: a caller stops a run with `cancel` (a `threading.Event` or a callable), asked
between chunks; the chunk not yet published never is. A cancel, Ctrl-C or the host terminating the call all
raise `Interrupted` (exit code 130/143, recorded in the run's ledger row) with the command that resumes.

One module per theme: `runs` (run, catch_up), `results` (what they return), `inspection` (status, validate,
freshness, report), `maintenance` (init, leases, cleanup, restore), `errors` (what `raise_for_status()` raises).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backfill.lazy import lazy_names

if TYPE_CHECKING:
    from backfill.api.common import (
        WarehouseLike,
        as_date,
        checked_span,
        connection_words,
        league_now,
        opened,
        warehouse_url,
    )
    from backfill.api.errors import BackfillError, DatesBlocked, DatesFailed
    from backfill.api.inspection import (
        DateState,
        FreshnessResult,
        StatusResult,
        ValidateResult,
        freshness,
        report,
        status,
        validate,
    )
    from backfill.api.maintenance import (
        InitResult,
        LeasesResult,
        cleanup,
        cleanup_settings,
        cleanup_with_settings,
        init,
        leases,
        release_lease,
        restore,
    )
    from backfill.api.runs import (
        MAX_LOOKBACK_DAYS,
        Cancel,
        DateVerdict,
        RunResult,
        catch_up,
        catch_up_settings,
        catch_up_window,
        resume_command,
        run,
        run_settings,
        run_with_settings,
    )
    from backfill.dates import run_range
    from backfill.pipeline.invocation import new_invocation
    from backfill.settings import RunSettings
    from validation.rules import GateRules
    from warehouse import Interrupted, InvalidSetting, LockHeld, TableNotFound, TransientWarehouseError, WarehouseError

# `__all__` is the public API; the other names imported above are the helpers the command line builds on
__all__ = [
    "BackfillError",
    "DateState",
    "DateVerdict",
    "DatesBlocked",
    "DatesFailed",
    "FreshnessResult",
    "GateRules",
    "Interrupted",
    "InvalidSetting",
    "LockHeld",
    "RunResult",
    "RunSettings",
    "StatusResult",
    "TableNotFound",
    "TransientWarehouseError",
    "ValidateResult",
    "WarehouseError",
    "catch_up",
    "cleanup",
    "freshness",
    "restore",
    "run",
    "status",
    "validate",
]
# Where each name lives, loaded on first use: `runs` brings the processing stack (pandas), which reading the
# ledger (`status`, `validate`) or parsing options never needs.
MODULES = {
    "backfill.api.common": (
        "WarehouseLike",
        "as_date",
        "checked_span",
        "connection_words",
        "league_now",
        "opened",
        "warehouse_url",
    ),
    "backfill.api.errors": ("BackfillError", "DatesBlocked", "DatesFailed"),
    "backfill.api.inspection": (
        "DateState",
        "FreshnessResult",
        "StatusResult",
        "ValidateResult",
        "freshness",
        "report",
        "status",
        "validate",
    ),
    "backfill.api.maintenance": (
        "InitResult",
        "LeasesResult",
        "cleanup",
        "cleanup_settings",
        "cleanup_with_settings",
        "init",
        "leases",
        "release_lease",
        "restore",
    ),
    "backfill.api.runs": (
        "MAX_LOOKBACK_DAYS",
        "Cancel",
        "DateVerdict",
        "RunResult",
        "catch_up",
        "catch_up_settings",
        "catch_up_window",
        "resume_command",
        "run",
        "run_settings",
        "run_with_settings",
    ),
    "backfill.dates": ("run_range",),
    "backfill.pipeline.invocation": ("new_invocation",),
    "backfill.settings": ("RunSettings",),
    "validation.rules": ("GateRules",),
    "warehouse": (
        "Interrupted",
        "InvalidSetting",
        "LockHeld",
        "TableNotFound",
        "TransientWarehouseError",
        "WarehouseError",
    ),
}
__getattr__, __dir__ = lazy_names(
    __name__, {name: module for module, names in MODULES.items() for name in names}, globals()
)
