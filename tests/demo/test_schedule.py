from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from demo import SEASON_OPENERS, SUPPORTED_SEASONS
from demo.roster import TEAM_ABBRS
from demo.schedule import build_schedule
from demo.seasons import SEASON_ENDS, season_end, season_opener

GAME_ID = r"^\d{8}_[A-Z]{3}_[A-Z]{3}$"


def team_dates(schedule: pd.DataFrame) -> pd.DataFrame:
    """One row per team per game: team_abbr, game_date."""
    sides = [
        schedule[["game_date", column]].rename(columns={column: "team_abbr"})
        for column in ("home_team_abbr", "away_team_abbr")
    ]
    return pd.concat(sides, ignore_index=True)


def back_to_backs_per_team(schedule: pd.DataFrame) -> pd.Series:
    dates = team_dates(schedule).sort_values(["team_abbr", "game_date"])
    gaps = dates.groupby("team_abbr")["game_date"].diff().dt.days
    return (gaps == 1).groupby(dates["team_abbr"]).sum()


def assert_valid_season(schedule: pd.DataFrame, season: int) -> None:
    games = team_dates(schedule)
    assert set(games["team_abbr"]) == set(TEAM_ABBRS)
    assert (games["team_abbr"].value_counts() == 82).all()
    assert not games.duplicated(["team_abbr", "game_date"]).any(), "a team plays twice a day"
    ordered = games.sort_values(["team_abbr", "game_date"])
    gaps = ordered.groupby("team_abbr")["game_date"].diff().dt.days
    two_day_gap = gaps.groupby(ordered["team_abbr"]).shift(-1)
    assert not ((gaps == 1) & (two_day_gap == 1)).any(), "a team plays three days running"
    assert back_to_backs_per_team(schedule).between(10, 20).all()
    assert schedule["game_date"].min() == pd.Timestamp(season_opener(season))
    assert schedule["game_date"].max() == pd.Timestamp(season_end(season))
    assert 160 <= schedule["game_date"].nunique() <= 170


def test_league_season_is_valid(league):
    schedule = league.tables["schedule"]
    assert_valid_season(schedule, 2022)
    assert len(schedule) == 1230
    assert schedule["game_id"].str.match(GAME_ID).all()
    assert schedule["game_id"].is_unique
    expected_ids = (
        schedule["game_date"].dt.strftime("%Y%m%d")
        + "_"
        + schedule["away_team_abbr"]
        + "_"
        + schedule["home_team_abbr"]
    )
    assert (schedule["game_id"] == expected_ids).all()
    assert (schedule["game_type"] == "regular").all()
    assert (schedule["game_status"] == 3).all()
    assert (schedule["season"] == 2022).all()
    assert (schedule["home_team_abbr"] != schedule["away_team_abbr"]).all()


def test_all_star_break_leaves_six_days_without_games(league):
    dates = set(league.tables["schedule"]["game_date"].dt.date)
    break_days = pd.date_range("2023-02-17", "2023-02-22").date
    assert not dates & set(break_days)
    assert {date(2023, 2, 16), date(2023, 2, 23), date(2023, 2, 24)} <= dates


def test_game_dates_after_the_bootstrap_window(league):
    dates = league.tables["schedule"]["game_date"].drop_duplicates()
    after_bootstrap = dates[dates >= pd.Timestamp(SEASON_OPENERS[2022]) + pd.Timedelta(days=14)]
    assert 145 <= len(after_bootstrap) <= 157


def test_typical_game_dates_have_5_to_12_games(league):
    games_per_date = league.tables["schedule"].groupby("game_date").size()
    assert games_per_date.between(5, 12).mean() >= 0.9
    assert games_per_date.max() <= 15


@pytest.mark.parametrize("season", SUPPORTED_SEASONS)
def test_every_supported_season_schedules_validly(season):
    for seed in (1, 2):
        assert_valid_season(build_schedule(season, np.random.default_rng([seed, season])), season)


@pytest.mark.parametrize("season", sorted(SEASON_OPENERS))
def test_the_calendar_rule_reproduces_the_real_seasons(season):
    """Seasons without a listed calendar follow the same pattern as the four real ones."""
    assert season_opener(season) == SEASON_OPENERS[season]
    assert season_end(season) == SEASON_ENDS[season]


@pytest.mark.parametrize("season", SUPPORTED_SEASONS)
def test_other_seasons_open_on_a_late_october_tuesday_and_end_mid_april(season):
    opener, end = season_opener(season), season_end(season)
    assert (opener.year, opener.month, opener.weekday()) == (season, 10, 1) and 18 <= opener.day <= 24
    assert (end.year, end.month, end.weekday()) == (season + 1, 4, 6) and 8 <= end.day <= 15
