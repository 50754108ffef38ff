"""The leases that keep overlapping runs apart (exit code 4): list them, and release one whose holder is gone,
with the reason recorded in `backfill_runs` like any other command."""

from __future__ import annotations

import pandas as pd

from backfill.pipeline.invocation import Invocation
from backfill.pipeline.run_records import record_command
from warehouse import BadInput, Warehouse


def release(wh: Warehouse, lease_id: str, reason: str, invocation: Invocation) -> dict[str, object]:
    """Delete the lease and append the audit row; returns the lease as it was."""
    if not reason.strip():
        raise BadInput("--reason: say why the lease may go (who checked that its holder is gone)")
    held = wh.leases()
    found = held[held["lease_id"] == lease_id]
    if not len(found):
        raise BadInput(f"lock release: no live lease {lease_id!r}; see `pcf-backfill lock status`")
    lease: dict[str, object] = {
        str(key): None if pd.isna(value) else str(value) for key, value in found.iloc[0].items()
    }
    wh.release_lease(lease_id)
    record_command(wh, invocation, {"lease": lease, "reason": reason})
    return lease
