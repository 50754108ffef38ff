"""Who runs what: the identity of one invocation, recorded in backfill_runs, on forced ledger rows and on
the leases it takes."""

from __future__ import annotations

import getpass
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version as package_version


@dataclass(frozen=True)
class Invocation:
    """Who runs what: recorded in backfill_runs and on forced ledger rows."""

    run_id: str
    user: str
    host: str
    version: str
    command: str = "run"


def new_invocation(command: str) -> Invocation:
    """A fresh run id (UTC time + random suffix) and who runs it, as recorded in backfill_runs."""
    run_id = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"
    return Invocation(run_id, getpass.getuser(), socket.gethostname(), package_version("pcf-backfill"), command)
