"""Partial inputs on DuckDB copies of the demo league (SPEC §6.4, §6.8), beyond the scenarios both backends share
(tests/scenarios/test_upstream_gaps.py): games still in progress, one missing zone row, schema drift, and a
mislabelled season."""

from __future__ import annotations

from datetime import date

import pytest
from support import count, execute, invoke, pcf_rows, put_back, query, run_json, set_aside, who_played

DAY = "2023-02-27"  # 9 final games, UPCG complete
D = date.fromisoformat(DAY)


def test_games_still_in_progress_block_the_date_and_catch_up_publishes_it_once_final(demo_db):
    late = query(demo_db, "SELECT game_id FROM {schedule} WHERE game_date = @d ORDER BY game_id", d=D)["game_id"][:2]
    a, b = late.tolist()
    execute(demo_db, "UPDATE {schedule} SET game_status = 2 WHERE game_id IN (@a, @b)", a=a, b=b)
    aside = set_aside(demo_db, "pgs", "game_id IN (@a, @b)", a=a, b=b)
    result, dates = run_json(demo_db, "--dates", DAY)
    assert result.exit_code == 3
    assert dates[DAY]["blocked_by"] == "games_not_final"
    assert dates[DAY]["reason"] == f"games not final: {a}, {b}"  # it names the games
    assert pcf_rows(demo_db, DAY) == 0
    execute(demo_db, "UPDATE {schedule} SET game_status = 3 WHERE game_id IN (@a, @b)", a=a, b=b)
    put_back(demo_db, "pgs", aside)
    result = invoke(demo_db, "--today", "2023-02-28", "catch-up", "--lookback-days", "1")
    assert result.exit_code == 0, result.output
    assert pcf_rows(demo_db, DAY) == who_played(demo_db, DAY) > 200


def test_one_missing_zone_row_only_lowers_that_rows_completeness_or_is_built(demo_db):
    player = query(
        demo_db, "SELECT min(player_lookup) AS p FROM {pgs} WHERE game_date = @d AND player_status = 'active'", d=D
    )["p"][0]
    execute(demo_db, "DELETE FROM {psza} WHERE analysis_date = @d AND player_lookup = @p", d=D, p=player)
    columns = "player_lookup, data_completeness_pct, shot_zone_mismatch_score, warning_details"
    published = f"SELECT {columns} FROM {{pcf}} WHERE game_date = @d"
    result, _ = run_json(demo_db, "--dates", DAY, "--zones", "tables")
    assert result.exit_code == 0
    rows = query(demo_db, published, d=D).set_index("player_lookup")
    assert rows.at[player, "shot_zone_mismatch_score"] == 0
    assert rows.at[player, "data_completeness_pct"] < rows.drop(index=player)["data_completeness_pct"].min()

    result, dates = run_json(demo_db, "--dates", DAY, "--rerun", "all")  # --zones auto: built from box scores
    assert result.exit_code == 0 and dates[DAY]["zone_rows_built"] == 1
    rows = query(demo_db, published, d=D).set_index("player_lookup")
    assert rows.at[player, "data_completeness_pct"] == rows["data_completeness_pct"].max()
    assert rows["warning_details"].fillna("").str.contains("ZONE_FROM_BOX_SCORES").sum() == 1
    assert "ZONE_FROM_BOX_SCORES" in rows.at[player, "warning_details"]


@pytest.mark.parametrize(
    ("change", "named", "repair"),
    [
        (
            "ALTER TABLE {pgs} ALTER minutes_played TYPE VARCHAR",
            "player_game_summary.minutes_played is VARCHAR; expected DOUBLE",
            "ALTER TABLE {pgs} ALTER minutes_played TYPE DOUBLE",
        ),
        (
            "ALTER TABLE {psza} ALTER paint_rate_last_10 TYPE VARCHAR",
            "player_shot_zone_analysis.paint_rate_last_10 is VARCHAR; expected DOUBLE",
            "ALTER TABLE {psza} ALTER paint_rate_last_10 TYPE DOUBLE",
        ),
        ("ALTER TABLE {pgs} DROP COLUMN team_abbr", "player_game_summary.team_abbr is missing; expected VARCHAR", None),
        (
            "ALTER TABLE {schedule} ALTER game_date TYPE TIMESTAMP",
            "schedule.game_date is TIMESTAMP; expected DATE",
            "ALTER TABLE {schedule} ALTER game_date TYPE DATE",
        ),
    ],
)
def test_schema_drift_fails_with_one_line_naming_table_column_and_types(demo_db, change, named, repair):
    execute(demo_db, change)
    week = ("run", "--start-date", "2023-02-20", "--end-date", DAY)
    result = invoke(demo_db, *week)
    assert result.exit_code == 1
    assert named in result.output
    assert "Traceback" not in result.output and "KeyError" not in result.output
    assert count(demo_db, "SELECT count(*) AS n FROM {pcf}") == 0
    if repair:
        execute(demo_db, repair)
        assert invoke(demo_db, *week).exit_code == 0


def test_a_date_labelled_with_the_next_season_is_still_processed(demo_db):
    for key in ("schedule", "pgs", "tgs"):
        execute(demo_db, f"UPDATE {{{key}}} SET season = 2023 WHERE game_date = @d", d=D)
    result, dates = run_json(demo_db, "--dates", DAY)
    assert result.exit_code == 0 and dates[DAY]["status"] == "published"
    assert pcf_rows(demo_db, DAY) == who_played(demo_db, DAY)
