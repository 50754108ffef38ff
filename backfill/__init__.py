"""pcf-backfill: backfill NBA player composite factors with coverage gates, an atomic publish and a ledger.

The Python API (`backfill.api`, re-exported here) does what every command does; see the README, "From Python".
"""

# `status` and `freshness` are also the names of modules of this package: importing a module for the first time
# binds its name here, so both load first and the API's functions below keep the names for good.
import backfill.freshness
import backfill.status  # noqa: F401
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
