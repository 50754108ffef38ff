"""Cleanup on the demo league, through the CLI: `partial` removes exactly the incident's stale rows."""

from __future__ import annotations

import json

import pandas as pd

INCIDENT_WEEK = ("--start-date", "2023-02-20", "--end-date", "2023-02-26")


def upcg_rows(wh) -> pd.DataFrame:
    return wh.query("SELECT * FROM {upcg} ORDER BY game_date, player_lookup")


def test_partial_cleanup_removes_only_the_incident_dates_then_the_policies_behave(run_cli, demo_db, open_db):
    wh = open_db(demo_db)
    before = upcg_rows(wh)
    wh.close()

    dry = run_cli(demo_db, "cleanup", "--mode", "partial", "--output", "json")
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    doomed = sorted(d["game_date"] for d in planned["dates"] if d["action"] == "delete")
    assert doomed == ["2023-02-23", "2023-02-24"]

    done = run_cli(demo_db, "cleanup", "--mode", "partial", "--execute", "--output", "json")
    assert done.exit_code == 0, done.output
    backup = json.loads(done.stdout)["backup_table"]
    wh = open_db(demo_db)
    after = upcg_rows(wh)
    removed = before[before["game_date"].isin(pd.to_datetime(doomed))]
    assert len(after) == len(before) - len(removed)
    kept = before[~before["game_date"].isin(pd.to_datetime(doomed))].reset_index(drop=True)
    pd.testing.assert_frame_equal(after.reset_index(drop=True), kept)
    wh.close()

    upcg_only = run_cli(demo_db, "run", *INCIDENT_WEEK, "--source", "upcg", "--output", "json")
    assert upcg_only.exit_code == 3
    statuses = {d["game_date"]: d["status"] for d in json.loads(upcg_only.stdout)["dates"]}
    assert statuses["2023-02-23"] == statuses["2023-02-24"] == "blocked"

    auto = run_cli(demo_db, "run", *INCIDENT_WEEK, "--output", "json")
    assert auto.exit_code == 0
    wh = open_db(demo_db)
    reasons = wh.query("SELECT game_date, reason FROM {checkpoints} WHERE status = 'published' "
                       "AND game_date IN (DATE '2023-02-23', DATE '2023-02-24')")  # fmt: skip
    assert set(reasons["reason"]) == {"upcg_empty"}
    wh.close()

    restored = run_cli(demo_db, "cleanup", "restore", backup)
    assert restored.exit_code == 0, restored.output
    wh = open_db(demo_db)
    pd.testing.assert_frame_equal(upcg_rows(wh).reset_index(drop=True), before.reset_index(drop=True))
