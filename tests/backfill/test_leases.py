"""`pcf-backfill lock status|release` on DuckDB: the writers' lock file is the one lease; it dies with its
process, so it is shown, never released by hand."""

from __future__ import annotations

import json

import pytest
from support import invoke, start_run


@pytest.mark.slow
def test_lock_status_names_the_running_writer_and_release_says_to_stop_it(demo_db):
    assert json.loads(invoke(demo_db, "lock", "status", "--output", "json").stdout) == {"leases": []}
    holder = start_run(demo_db, "--chunk-days", "3")
    try:
        while '"event": "plan"' not in (line := holder.stderr.readline()):
            assert line, "the run ended before it planned"
        leases = json.loads(invoke(demo_db, "lock", "status", "--output", "json").stdout)["leases"]
        assert [(lease["pid"], "run --start-date 2022-10-18" in lease["command"]) for lease in leases] == [
            (holder.pid, True)
        ]
        refused = invoke(demo_db, "lock", "release", leases[0]["lease_id"], "--reason", "testing")
        assert refused.exit_code == 2 and f"PID {holder.pid}" in refused.output and "stop" in refused.output
    finally:
        holder.kill()
        holder.wait()
    assert json.loads(invoke(demo_db, "lock", "status", "--output", "json").stdout) == {"leases": []}
