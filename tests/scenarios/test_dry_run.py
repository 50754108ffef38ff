"""`--dry-run` computes and prints the plan and writes nothing at all: no rows, no ledger, no run record, no
audit, no lease (SPEC §6)."""

from __future__ import annotations

import pandas as pd
from support import INCIDENT_WEEK, invoke, query, table_counts


def test_dry_run_writes_nothing_and_prints_the_plan(warehouse, bigquery_statements):
    counts, leases = table_counts(warehouse.url), query(warehouse.url, "SELECT * FROM {leases}")
    sent_before = len(bigquery_statements.statements)

    result = invoke(warehouse.url, "run", *INCIDENT_WEEK, "--dry-run")

    assert result.exit_code == 0, result.output
    for word in ("expected", "upcg", "source", "coverage", "action", "2023-02-23", "pgs_synthetic"):
        assert word in result.stdout
    assert table_counts(warehouse.url) == counts
    assert counts["runs"] == counts["checkpoints"] == counts["pcf"] == counts["audits"] == 0
    pd.testing.assert_frame_equal(query(warehouse.url, "SELECT * FROM {leases}"), leases)
    sent = [s.sql.lstrip().upper() for s in bigquery_statements.statements[sent_before:]]  # recorded on BigQuery
    assert bool(sent) == (warehouse.backend == "bigquery")
    assert all(sql.startswith(("SELECT", "WITH")) for sql in sent), sent
