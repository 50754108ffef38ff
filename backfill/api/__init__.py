"""The Python API (SPEC §12): what every command does, callable with plain values from any thread.

    >>> import backfill
    >>> result = backfill.run("duckdb:///pcf.duckdb", date(2023, 2, 20), date(2023, 2, 26))
    >>> result.raise_for_status()  # DatesFailed / DatesBlocked, both BackfillError

`warehouse` is a URL (opened and closed by the call) or an open `Warehouse` (left open). Settings are
checked when built and refuse a value with `InvalidSetting` (a `ValueError`) naming the field. Nothing here
installs signal handlers: a caller stops a run with `cancel` (a `threading.Event` or a callable), asked
between chunks; the chunk not yet published never is. A cancel, Ctrl-C or the host terminating the call all
raise `Interrupted` (exit code 130/143, recorded in the run's ledger row) with the command that resumes.

One module per theme: `runs` (run, catch_up), `run_options` (their checked settings), `results` (what they
return), `states` (status), `inspection` (validate, freshness), `maintenance` (init, leases, cleanup, restore), `errors`
(what `raise_for_status()` raises). The command line calls nothing else: each command is one call here and prints
its result (`to_dict()` for `--output json`); `stop_on_signals` and `stop_requested` are its own signal handling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backfill.lazy import lazy_names

if TYPE_CHECKING:
    from backfill.api.common import (
        WarehouseLike as WarehouseLike,
        as_date as as_date,
        checked_span as checked_span,
        connection_words as connection_words,
        league_now as league_now,
        opened as opened,
        warehouse_url as warehouse_url,
    )
    from backfill.api.errors import BackfillError, DatesBlocked, DatesFailed
    from backfill.api.inspection import FreshnessResult, ValidateResult, freshness, validate
    from backfill.api.maintenance import (
        InitResult as InitResult,
        LeasesResult as LeasesResult,
        cleanup,
        cleanup_settings as cleanup_settings,
        cleanup_with_settings as cleanup_with_settings,
        init as init,
        leases as leases,
        release_lease as release_lease,
        restore,
    )
    from backfill.api.results import DateVerdict, RunResult
    from backfill.api.run_options import (
        catch_up_settings as catch_up_settings,
        catch_up_window as catch_up_window,
        resume_command as resume_command,
        run_settings as run_settings,
    )
    from backfill.api.runs import Cancel as Cancel, catch_up, run, run_with_settings as run_with_settings
    from backfill.api.states import (
        AuditFinding,
        DateState,
        StatusResult,
        failing_audits as failing_audits,
        newest_published as newest_published,
        status,
    )
    from backfill.dates import run_range as run_range
    from backfill.pipeline.invocation import new_invocation as new_invocation
    from backfill.pipeline.signals import stop_on_signals as stop_on_signals, stop_requested as stop_requested
    from backfill.settings import RunSettings
    from validation.rules import GateRules
    from warehouse import Interrupted, InvalidSetting, LockHeld, TableNotFound, TransientWarehouseError, WarehouseError

# `__all__` is the public API; the other names imported above are the helpers the command line builds on
__all__ = [
    "AuditFinding",
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
    "backfill.api.inspection": ("FreshnessResult", "ValidateResult", "freshness", "validate"),
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
    "backfill.api.results": ("DateVerdict", "RunResult"),
    "backfill.api.run_options": ("catch_up_settings", "catch_up_window", "resume_command", "run_settings"),
    "backfill.api.runs": ("Cancel", "catch_up", "run", "run_with_settings"),
    "backfill.api.states": (
        "AuditFinding",
        "DateState",
        "StatusResult",
        "failing_audits",
        "newest_published",
        "status",
    ),
    "backfill.dates": ("run_range",),
    "backfill.pipeline.invocation": ("new_invocation",),
    "backfill.pipeline.signals": ("stop_on_signals", "stop_requested"),  # for the CLI: the API installs no handler
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
