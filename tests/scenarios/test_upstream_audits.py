"""Audits beyond coverage (SPEC §6.9): stale but complete UPCG is caught by comparing it with the box scores,
zeroed upstream values by the drift audits; every result is a ledger row written with its verdict, and status,
validate and report show it."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
from support import audit_rows, invoke, lose_zone_split, make_upcg_stale, pcf_rows, query, run_json, who_played

from warehouse.schemas import SCORE_COLUMNS

DAY = "2023-02-27"  # 9 final games, UPCG complete
D = date.fromisoformat(DAY)


def scores(url: str) -> pd.DataFrame:
    columns = ", ".join(SCORE_COLUMNS)
    return query(url, f"SELECT player_lookup, {columns} FROM {{pcf}} WHERE game_date = @d ORDER BY player_lookup", d=D)


def test_stale_upcg_publishes_from_box_scores_with_a_clean_runs_values_and_blocks_under_source_upcg(warehouse):
    clean = warehouse.another()
    result, dates = run_json(clean, "--dates", DAY)
    assert result.exit_code == 0 and dates[DAY]["context_source"] == "upcg"
    stale = make_upcg_stale(warehouse.url, DAY)

    result, dates = run_json(warehouse.url, "--dates", DAY)

    assert result.exit_code == 0, result.output
    assert dates[DAY]["status"] == "published" and dates[DAY]["context_source"] == "pgs_synthetic"
    assert dates[DAY]["upcg_state"] == "upcg_disagrees"
    assert dates[DAY]["source_reason"].startswith(
        f"upcg_disagrees {stale}/{dates[DAY]['expected_players']}: "
    )  # how many
    assert {"days_rest", "games_in_last_7_days", "minutes_in_last_7_days"} <= set(
        dates[DAY]["source_reason"].split(": ", 1)[1].split(", ")
    )
    assert pcf_rows(warehouse.url, DAY) == who_played(warehouse.url, DAY)
    pd.testing.assert_frame_equal(scores(warehouse.url), scores(clean))
    agreement = audit_rows(warehouse.url, DAY, "upcg_agreement").iloc[-1]
    assert not agreement["passed"] and agreement["threshold"] == 0.10
    assert agreement["detail"].startswith(f"{stale}/") and "days_rest " in agreement["detail"]  # per-field counts

    result, dates = run_json(warehouse.url, "--dates", DAY, "--source", "upcg", "--rerun", "all")

    assert result.exit_code == 3
    assert (dates[DAY]["status"], dates[DAY]["blocked_by"]) == ("blocked", "upcg_disagrees")
    pd.testing.assert_frame_equal(scores(warehouse.url), scores(clean))  # the stale context never reached the table


def test_a_lost_zone_split_after_three_published_weeks_is_blocked_by_the_drift_audit(warehouse, tmp_path):
    zeroed, day = date(2022, 11, 22), "2022-11-22"
    assert run_json(warehouse.url, "--start-date", "2022-11-01", "--end-date", "2022-11-21")[0].exit_code == 0
    lose_zone_split(warehouse.url, day)  # every shot-zone score of the date 0, every check of the inputs passed

    result, dates = run_json(warehouse.url, "--dates", day)

    assert result.exit_code == 3
    assert dates[day]["blocked_by"] == "audit" and "shot_zone_zero_share 1.00 vs 0.0" in dates[day]["reason"]
    assert pcf_rows(warehouse.url, day) == 0
    one_day = ("--start-date", day, "--end-date", day)
    status = invoke(warehouse.url, "status", *one_day)
    assert "shot_zone_zero_share 1.00 vs baseline 0.0" in status.stdout and "(threshold 0.4)" in status.stdout
    document = json.loads(invoke(warehouse.url, "status", *one_day, "--output", "json").stdout)
    failing = {entry["audit"]: entry for entry in document["failing_audits"]}
    assert failing["shot_zone_zero_share"]["value"] == 1.0 and failing["shot_zone_zero_share"]["threshold"] == 0.4
    validate = invoke(warehouse.url, "validate", *one_day)
    assert "Failing audits (last attempt):" in validate.stdout and "shot_zone_zero_share 1.00" in validate.stdout
    page = tmp_path / "report.html"
    assert (
        invoke(
            warehouse.url, "report", "--start-date", "2022-11-01", "--end-date", "2022-11-30", "--html", str(page)
        ).exit_code
        == 0
    )
    assert "Failing audits (last attempt)" in page.read_text() and "shot_zone_zero_share" in page.read_text()
    row = audit_rows(warehouse.url, day, "shot_zone_zero_share").iloc[-1]
    attempts = query(warehouse.url, "SELECT max(attempt) AS a FROM {checkpoints} WHERE game_date = @d", d=zeroed)
    assert row["attempt"] == attempts["a"].iloc[0] and row["baseline_dates"] == 14  # written with its verdict
