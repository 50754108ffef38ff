"""The calendar comes from the schedule (SPEC §6.7 schedule health, §6.8): a range that crosses a season the
schedule does not hold is not off-days, and only regular-season and playoff games' box scores enter a date's
history, so preseason and All-Star box scores change no published row."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from support import invoke, published_rows, put_back, query, run_json, set_aside

DATED_BY = {
    "schedule": "game_date",
    "pgs": "game_date",
    "tgs": "game_date",
    "upcg": "game_date",
    "psza": "analysis_date",
    "tdza": "analysis_date",
}
DATES = "2022-11-01,2022-11-02,2023-02-23,2023-02-24,2023-02-25"  # after a preseason game; after the All-Star game


def exhibition(url: str, model_game_date: date, on: date, kind: str) -> str:
    """A copy of one of `model_game_date`'s games (schedule, box scores, team stats) played on `on` as `kind`, by
    players on heavy minutes and usage: any history that read it would show it."""
    model = query(url, "SELECT * FROM {schedule} WHERE game_date = @d ORDER BY game_id LIMIT 1", d=model_game_date)
    game_id = f"{on:%Y%m%d}_{model.at[0, 'away_team_abbr']}_{model.at[0, 'home_team_abbr']}"
    moved = {"game_id": game_id, "game_date": pd.Timestamp(on)}
    put_back(url, "schedule", model.assign(**moved, game_type=kind, game_status=3))
    pgs = query(url, "SELECT * FROM {pgs} WHERE game_id = @g", g=model.at[0, "game_id"])
    put_back(url, "pgs", pgs.assign(**moved, minutes_played=48.0, usage_rate=45.0))
    tgs = query(url, "SELECT * FROM {tgs} WHERE game_id = @g", g=model.at[0, "game_id"])
    put_back(url, "tgs", tgs.assign(**moved, pace=130.0))
    return game_id


@pytest.mark.slow
def test_preseason_and_all_star_box_scores_change_no_published_row(warehouse):
    clean = warehouse.another()
    assert run_json(clean, "--dates", DATES)[0].exit_code == 0
    exhibition(warehouse.url, date(2022, 10, 18), date(2022, 10, 8), "preseason")
    exhibition(warehouse.url, date(2023, 2, 16), date(2023, 2, 19), "allstar")

    result, dates = run_json(warehouse.url, "--dates", DATES)

    assert result.exit_code == 0, result.output
    assert {day: entry["status"] for day, entry in dates.items()} == dict.fromkeys(DATES.split(","), "published")
    pd.testing.assert_frame_equal(published_rows(warehouse.url), published_rows(clean))
    listed = query(
        warehouse.url,
        "SELECT count(*) AS n FROM {checkpoints} WHERE game_date IN (@a, @b)",
        a=date(2022, 10, 8),
        b=date(2023, 2, 19),
    )
    assert listed["n"][0] == 0  # exhibitions make no game date


def test_a_range_crossing_a_season_the_schedule_lacks_exits_3_naming_it(warehouse):
    """The schedule holds 2022-23 and the start of 2024-25, not 2023-24: the range's April 2023 dates publish,
    and 2023-24 is a missing schedule, not half a year of off-days."""
    opening = query(warehouse.url, "SELECT * FROM {schedule} WHERE game_date <= @d", d=date(2022, 10, 31))
    later = pd.to_datetime(opening["game_date"]) + pd.DateOffset(years=2)
    ids = [f"{day:%Y%m%d}{game_id[8:]}" for day, game_id in zip(later, opening["game_id"], strict=True)]
    put_back(warehouse.url, "schedule", opening.assign(game_date=later, season=2024, game_status=1, game_id=ids))
    span = ("--start-date", "2023-04-01", "--end-date", "2024-10-01")

    result = invoke(warehouse.url, "run", *span, "--output", "json")

    assert result.exit_code == 3, result.output
    document = json.loads(result.stdout)
    assert "2023-24 season window" in document["schedule_gap"] and "2024-25" not in document["schedule_gap"]
    assert {entry["status"] for entry in document["dates"]} == {"published"} and len(document["dates"]) > 5
    alone = invoke(warehouse.url, "run", "--start-date", "2023-11-01", "--end-date", "2023-11-30")
    assert alone.exit_code == 3 and "2023-24 season window" in alone.output  # the same season alone: the same


def test_a_season_that_ends_in_august_keeps_its_last_dates_and_their_history(warehouse):
    """2022-23 paused after 2023-04-06 and finished in August, like 2019-20 in the bubble: its August dates are
    still 2022-23's (not a new season's bootstrap) and are built on its history since October."""
    for key, column in DATED_BY.items():
        rows = set_aside(warehouse.url, key, f"{column} >= @d", d=date(2023, 4, 7))
        put_back(warehouse.url, key, rows.assign(**{column: pd.to_datetime(rows[column]) + pd.DateOffset(months=4)}))
    august = ["2023-08-07", "2023-08-08", "2023-08-09"]

    result, dates = run_json(warehouse.url, "--start-date", "2023-04-01", "--end-date", "2023-08-31")

    assert result.exit_code == 0, result.output
    assert [day for day, entry in dates.items() if entry["status"] == "published"][-3:] == august
    rows = query(warehouse.url, "SELECT missing_data_fields FROM {pcf} WHERE game_date >= @d", d=date(2023, 8, 1))
    assert len(rows) > 300
    without_history = rows["missing_data_fields"].fillna("").str.contains("days_rest|projected_usage_rate")
    assert without_history.mean() < 0.02  # nearly everyone has played earlier in the season
