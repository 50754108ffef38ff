"""Partial inputs are caught before they publish (SPEC §6.4): box scores of some of a date's final games, zone
tables for part of who played, and worse inputs on a rerun each block the date with nothing of it visible; once
the input is whole again the next run publishes everyone, and worse rows replace better ones only when allowed."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from support import ledger_state, pcf_rows, put_back, query, reading, run_json, set_aside, who_played

DAY = "2023-02-27"  # 9 final games, UPCG complete
D = date.fromisoformat(DAY)


def first_of(url: str, sql: str) -> object:
    return query(url, sql, d=D).iloc[0, 0]


def test_box_scores_of_one_game_of_nine_block_the_date_until_the_rest_arrive(warehouse):
    kept = first_of(warehouse.url, "SELECT min(game_id) AS g FROM {schedule} WHERE game_date = @d")
    aside = set_aside(warehouse.url, "pgs", "game_date = @d AND game_id <> @kept", d=D, kept=kept)

    result, dates = run_json(warehouse.url, "--dates", DAY)

    assert result.exit_code == 3
    assert (dates[DAY]["status"], dates[DAY]["blocked_by"]) == ("blocked", "upstream_missing")
    assert dates[DAY]["reason"].startswith("upstream_missing pgs: games ")  # it names the games
    assert pcf_rows(warehouse.url, DAY) == 0
    put_back(warehouse.url, "pgs", aside)
    result, dates = run_json(warehouse.url, "--dates", DAY)
    assert result.exit_code == 0 and dates[DAY]["status"] == "published"
    assert pcf_rows(warehouse.url, DAY) == who_played(warehouse.url, DAY) > 200


@pytest.mark.parametrize(
    ("key", "where", "named"),
    [
        ("psza", "analysis_date = @d AND player_lookup <> @kept", "psza 1/"),
        ("tdza", "analysis_date = @d AND team_abbr <> @kept", "tdza 1/18"),
    ],
    ids=["psza", "tdza"],
)
def test_partial_zone_tables_block_the_date_until_they_are_whole(warehouse, key, where, named):
    column = "player_lookup" if key == "psza" else "team_abbr"
    kept = first_of(warehouse.url, f"SELECT min({column}) AS k FROM {{{key}}} WHERE analysis_date = @d")
    aside = set_aside(warehouse.url, key, where, d=D, kept=kept)

    result, dates = run_json(warehouse.url, "--dates", DAY, "--zones", "tables")  # zone rows are not built

    assert result.exit_code == 3 and dates[DAY]["blocked_by"] == "upstream_partial"
    assert named in dates[DAY]["reason"]  # which table, how much of it
    assert pcf_rows(warehouse.url, DAY) == 0
    put_back(warehouse.url, key, aside)
    assert run_json(warehouse.url, "--dates", DAY, "--zones", "tables")[0].exit_code == 0
    assert pcf_rows(warehouse.url, DAY) == who_played(warehouse.url, DAY)


def drop_a_twentieth_of_psza(url: str) -> None:
    players = query(url, "SELECT DISTINCT player_lookup FROM {psza} WHERE analysis_date = @d ORDER BY 1", d=D)
    last = players["player_lookup"].iloc[len(players) // 20]
    set_aside(url, "psza", "analysis_date = @d AND player_lookup <= @last", d=D, last=last)


def null_upcg_usage(url: str) -> None:
    """Worse context in a field the cross-source audit does not compare (a wrong pace differential would be
    caught as stale UPCG)."""
    with reading(url) as wh:
        assert wh.execute("UPDATE {upcg} SET projected_usage_rate = NULL WHERE game_date = @d", {"d": D}) > 0


@pytest.mark.slow
@pytest.mark.parametrize("degrade", [drop_a_twentieth_of_psza, null_upcg_usage], ids=["psza", "upcg"])
def test_lower_quality_inputs_never_replace_published_rows_unless_allowed(warehouse, degrade, monkeypatch):
    monkeypatch.setenv("PCF_ZONES", "tables")  # a missing zone row stays missing
    assert run_json(warehouse.url, "--dates", DAY)[0].exit_code == 0
    published = "SELECT player_lookup, data_hash FROM {pcf} WHERE game_date = @d ORDER BY player_lookup"
    before = query(warehouse.url, published, d=D)
    degrade(warehouse.url)

    result, dates = run_json(warehouse.url, "--dates", DAY, "--rerun", "all")

    assert result.exit_code == 3
    assert (dates[DAY]["status"], dates[DAY]["blocked_by"]) == ("blocked", "regression")
    pd.testing.assert_frame_equal(query(warehouse.url, published, d=D), before)
    blocked = ledger_state(warehouse.url, DAY)
    assert blocked["previous_completeness"] > blocked["candidate_completeness"] or (
        blocked["candidate_zeroed_scores"] > blocked["previous_zeroed_scores"]
    )

    result, dates = run_json(
        warehouse.url,
        "--dates",
        DAY,
        "--rerun",
        "all",
        "--allow-regression",
        "--reason",
        "upstream recomputed the zones on purpose",
    )
    assert result.exit_code == 0 and dates[DAY]["status"] == "published"
    latest = ledger_state(warehouse.url, DAY)
    assert latest["allowed_regression"] and latest["force_reason"] == "upstream recomputed the zones on purpose"
