"""pcf-backfill: backfill NBA player composite factors with coverage gates, an atomic publish and a ledger.

The Python API (`backfill.api`, re-exported here) does what every command does; see the README, "From Python".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backfill.lazy import lazy_names

if TYPE_CHECKING:
    from backfill.api import (
        BackfillError,
        DatesBlocked,
        DatesFailed,
        DateState,
        DateVerdict,
        FreshnessResult,
        RunCancelled,
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
    from validation.gate import GateRules
    from warehouse import InvalidSetting, Warehouse, connect

__all__ = [
    "BackfillError", "DateState", "DateVerdict", "DatesBlocked", "DatesFailed", "FreshnessResult", "GateRules",
    "InvalidSetting", "RunCancelled", "RunResult", "RunSettings", "StatusResult", "ValidateResult", "Warehouse",
    "catch_up", "cleanup", "connect", "freshness", "restore", "run", "status", "validate",
]  # fmt: skip
# Where each public name lives. They load on first use, so importing the package (as every command does) costs
# nothing: a command that computes no factors never loads pandas.
OUTSIDE_THE_API = {"RunSettings": "backfill.settings", "GateRules": "validation.rules", "InvalidSetting": "warehouse",
                   "Warehouse": "warehouse", "connect": "warehouse"}  # fmt: skip
__getattr__, __dir__ = lazy_names(__name__, {name: OUTSIDE_THE_API.get(name, "backfill.api") for name in __all__},
                                  globals())
