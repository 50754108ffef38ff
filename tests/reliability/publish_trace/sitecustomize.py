"""Put on PYTHONPATH by the crash tests: marks each publish transaction on stderr so a test can tell whether its
SIGKILL landed inside one. Active only with RELIABILITY_TRACE_PUBLISH=1; the product's behaviour is unchanged."""

import os
import sys

if os.environ.get("RELIABILITY_TRACE_PUBLISH") == "1":
    from warehouse.duckdb_backend import DuckDBWarehouse

    untraced_run_atomic = DuckDBWarehouse.run_atomic

    def traced_run_atomic(self, statements, then=None):  # type: ignore[no-untyped-def]
        print('{"event": "publish_begin"}', file=sys.stderr, flush=True)
        found = untraced_run_atomic(self, statements, then)
        print('{"event": "publish_end"}', file=sys.stderr, flush=True)
        return found

    DuckDBWarehouse.run_atomic = traced_run_atomic  # type: ignore[method-assign]
