"""The ledger records each verdict as typed columns — what UPCG held, the coverage warning, the thresholds
in force — and every reader (run summary, per-date log line, report) takes the verdict from them."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from backfill.report import report_data
from processors.policy import UPCG_COMPLETE, UPCG_PARTIAL
from validation.gate import COVERAGE, REGRESSION

PARTIAL_DAY, WARNED_DAY = "2023-02-23", "2023-03-01"  # the demo's incident date; a date left with 92% of UPCG


def keep_upcg_share(wh, day: str, share: float) -> None:
    players = wh.query("SELECT DISTINCT player_lookup FROM {upcg} WHERE game_date = @d ORDER BY 1",
                       {"d": date.fromisoformat(day)})  # fmt: skip
    dropped = players["player_lookup"].iloc[round(share * len(players)):].tolist()
    for player in dropped:
        wh.execute("DELETE FROM {upcg} WHERE game_date = @d AND player_lookup = @p",
                   {"d": date.fromisoformat(day), "p": player})  # fmt: skip


def latest_rows(wh) -> pd.DataFrame:
    rows = wh.query("SELECT * FROM {checkpoints} ORDER BY game_date, attempt").drop_duplicates("game_date", keep="last")
    return rows.set_axis([str(pd.Timestamp(day).date()) for day in rows["game_date"]])


def test_each_verdict_is_recorded_as_typed_columns_and_read_back_from_them(run_cli, demo_db, open_db):
    keep_upcg_share(open_db(demo_db), WARNED_DAY, 0.92)
    result = run_cli(demo_db, "run", "--dates", f"{PARTIAL_DAY},{WARNED_DAY}",
                     "--min-coverage", "0.85", "--warn-coverage", "0.97")  # fmt: skip
    assert result.exit_code == 0, result.output
    wh = open_db(demo_db)
    ledger = latest_rows(wh)
    partial, warned = ledger.loc[PARTIAL_DAY], ledger.loc[WARNED_DAY]
    assert partial[["context_source", "upcg_state", "coverage_warning"]].tolist() == [
        "pgs_synthetic", UPCG_PARTIAL, False]  # fmt: skip
    assert warned[["context_source", "upcg_state", "coverage_warning"]].tolist() == ["upcg", UPCG_COMPLETE, True]
    assert ledger[["min_coverage", "warn_coverage"]].drop_duplicates().values.tolist() == [[0.85, 0.97]]

    assert "UPCG partial, so built from box scores" in result.stdout
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    hints = {line["game_date"]: line.get("hint") for line in lines if line.get("event") == "date_done"}
    assert hints[PARTIAL_DAY] and "cleanup --mode partial" in hints[PARTIAL_DAY] and hints[WARNED_DAY] is None

    days = report_data(wh, date(2023, 2, 23), date(2023, 3, 1)).set_index("day")
    assert days.loc["2023-02-23", ["state", "partial"]].tolist() == ["published", True]
    assert days.loc["2023-03-01", ["state", "partial", "min_coverage", "warn_coverage"]].tolist() == [
        "published_warning", False, 0.85, 0.97]  # fmt: skip


def test_the_rule_that_blocked_a_date_is_recorded_and_read_back(run_cli, demo_db, open_db):
    """`--source upcg` on the incident date: blocked by the coverage rule; forced over published rows: blocked
    as a regression (what notifications and `status` read, rather than the reason text)."""
    assert run_cli(demo_db, "run", "--dates", PARTIAL_DAY, "--source", "upcg").exit_code == 3
    assert latest_rows(open_db(demo_db)).loc[PARTIAL_DAY, "blocked_by"] == COVERAGE
    assert run_cli(demo_db, "run", "--dates", PARTIAL_DAY).exit_code == 0
    assert pd.isna(latest_rows(open_db(demo_db)).loc[PARTIAL_DAY, "blocked_by"])
    forced = run_cli(demo_db, "run", "--dates", PARTIAL_DAY, "--source", "upcg", "--rerun", "all", "--force",
                     "--reason", "test")  # fmt: skip
    assert forced.exit_code == 3
    assert latest_rows(open_db(demo_db)).loc[PARTIAL_DAY, "blocked_by"] == REGRESSION
