"""pcf-backfill: backfill NBA player composite factors with coverage gates, an atomic publish and a ledger.

The Python API (`backfill.api`, re-exported here) does what every command does; see docs/python-api.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backfill.lazy import lazy_names

if TYPE_CHECKING:
    from backfill.api import (
        AuditFinding,
        BackfillError,
        DatesBlocked,
        DatesFailed,
        DateState,
        DateVerdict,
        FreshnessResult,
        RunResult,
        StatusResult,
        ValidateResult,
        catch_up,
        cleanup,
        freshness,
        restore,
        run,
        status,
        validate,
    )
    from backfill.settings import RunSettings
    from validation.rules import GateRules
    from warehouse import (
        BadInput,
        Interrupted,
        InvalidSetting,
        LockHeld,
        OutdatedWarehouse,
        PcfError,
        TableNotFound,
        TransientWarehouseError,
        Warehouse,
        WarehouseError,
        connect,
    )

__all__ = [
    "AuditFinding",
    "BackfillError",
    "BadInput",
    "DateState",
    "DateVerdict",
    "DatesBlocked",
    "DatesFailed",
    "FreshnessResult",
    "GateRules",
    "Interrupted",
    "InvalidSetting",
    "LockHeld",
    "OutdatedWarehouse",
    "PcfError",
    "RunResult",
    "RunSettings",
    "StatusResult",
    "TableNotFound",
    "TransientWarehouseError",
    "ValidateResult",
    "Warehouse",
    "WarehouseError",
    "catch_up",
    "cleanup",
    "connect",
    "freshness",
    "restore",
    "run",
    "status",
    "validate",
]
# every exception a call raises is one of these: the results' (BackfillError and its kinds), a stop (Interrupted)
# and the warehouse's (PcfError and its kinds)
WAREHOUSE_NAMES = (
    "BadInput",
    "Interrupted",
    "InvalidSetting",
    "LockHeld",
    "OutdatedWarehouse",
    "PcfError",
    "TableNotFound",
    "TransientWarehouseError",
    "Warehouse",
    "WarehouseError",
    "connect",
)
# Where each public name lives. They load on first use, so importing the package (as every command does) costs
# nothing: a command that computes no factors never loads pandas.
OUTSIDE_THE_API = {
    "RunSettings": "backfill.settings",
    "GateRules": "validation.rules",
    **dict.fromkeys(WAREHOUSE_NAMES, "warehouse"),
}
__getattr__, __dir__ = lazy_names(
    __name__, {name: OUTSIDE_THE_API.get(name, "backfill.api") for name in __all__}, globals(), submodules=("api",)
)
