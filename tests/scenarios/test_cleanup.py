"""Cleanup of the incident's stale UPCG rows, through the CLI (SPEC §8): the dry run plans exactly the incident
dates, `--execute` backs up and deletes exactly those rows and audits it, the source policies then behave as
with no UPCG, and `cleanup restore` puts every row back."""

from __future__ import annotations

import json

import pandas as pd
from support import INCIDENT_DATES, INCIDENT_WEEK, count, invoke, query, reading, run_json

UPCG = "SELECT * FROM {upcg} ORDER BY game_date, player_lookup"


def test_partial_cleanup_backs_up_removes_the_incident_dates_and_restore_puts_upcg_back(warehouse):
    before = query(warehouse.url, UPCG)
    planned = invoke(warehouse.url, "cleanup", "--mode", "partial", "--output", "json")
    assert planned.exit_code == 0, planned.output
    assert sorted(d["game_date"] for d in json.loads(planned.stdout)["dates"] if d["action"] == "delete") == list(
        INCIDENT_DATES
    )
    assert count(warehouse.url, "SELECT count(*) AS n FROM {cleanup_ops}") == 0  # the dry run wrote nothing

    done = invoke(warehouse.url, "cleanup", "--mode", "partial", "--execute", "--output", "json")

    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    doomed = pd.to_datetime(sorted(d["game_date"] for d in report["dates"] if d["action"] == "delete"))
    removed = before[before["game_date"].isin(doomed)]
    pd.testing.assert_frame_equal(
        query(warehouse.url, UPCG), before[~before["game_date"].isin(doomed)].reset_index(drop=True)
    )
    backup = report["backup_table"]
    with reading(warehouse.url) as wh:
        backed_up = wh.query(f"SELECT * FROM {wh.qualified('analytics', backup)} ORDER BY game_date, player_lookup")
    pd.testing.assert_frame_equal(backed_up, removed.reset_index(drop=True))
    audit = "SELECT mode, dry_run, rows_matched, rows_deleted, backup_table FROM {cleanup_ops}"
    operation = query(warehouse.url, audit)
    assert operation.astype(object).to_dict("records") == [
        {
            "mode": "partial",
            "dry_run": False,
            "rows_matched": len(removed),
            "rows_deleted": len(removed),
            "backup_table": backup,
        }
    ]

    result, dates = run_json(warehouse.url, *INCIDENT_WEEK, "--source", "upcg")
    assert result.exit_code == 3 and dates["2023-02-23"]["status"] == dates["2023-02-24"]["status"] == "blocked"
    result, dates = run_json(warehouse.url, *INCIDENT_WEEK)
    assert result.exit_code == 0
    assert {dates[day]["upcg_state"] for day in INCIDENT_DATES} == {"upcg_empty"}

    restored = invoke(warehouse.url, "cleanup", "restore", backup)

    assert restored.exit_code == 0, restored.output
    done = json.loads([line for line in restored.stderr.splitlines() if line.startswith('{"event": ')][-1])
    assert (done["event"], done["command"], done["rows_restored"]) == ("run_done", "cleanup restore", len(removed))
    pd.testing.assert_frame_equal(query(warehouse.url, UPCG), before)
