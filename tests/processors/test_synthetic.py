"""Synthetic context (SPEC §3) on small hand-made box scores whose answers can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from processors.synthetic import synthetic_context

DAY = pd.Timestamp("2022-11-01")


def day(n: int) -> pd.Timestamp:
    return DAY + pd.Timedelta(days=n)


def pgs_row(
    player: str,
    n: int,
    status: str = "active",
    minutes: float = 30.0,
    usage: float | None = 20.0,
    team: str = "BOS",
    opponent: str = "NYK",
    season: int = 2022,
) -> dict:
    return {
        "game_id": f"g{n}{team}",
        "game_date": day(n),
        "season": season,
        "player_lookup": player,
        "universal_player_id": player,
        "team_abbr": team,
        "opponent_team_abbr": opponent,
        "player_status": status,
        "minutes_played": minutes,
        "usage_rate": usage,
    }


@pytest.fixture
def league() -> dict[str, pd.DataFrame]:
    rows = [pgs_row("alpha", n, minutes=30 + n, usage=20 + n) for n in (1, 2, 4, 5, 6, 8)]
    rows += [pgs_row("star", n, usage=30.0) for n in (1, 2, 4, 5, 6)] + [
        pgs_row("star", 8, status="inactive", minutes=0, usage=None)
    ]
    rows += [pgs_row("rookie", 8)]
    rows += [pgs_row("other", n, team="NYK", opponent="BOS") for n in (2, 8)]
    pgs = pd.DataFrame(rows)
    tgs = pd.DataFrame(
        [{"game_date": day(n), "season": 2022, "team_abbr": "BOS", "pace": 100.0 + n} for n in (1, 2, 4, 5, 6, 8)]
        + [{"game_date": day(n), "season": 2022, "team_abbr": "NYK", "pace": 95.0} for n in (2, 8)]
    )
    players = pd.DataFrame(
        {
            "player_lookup": ["alpha", "star", "rookie", "other"],
            "universal_player_id": ["alpha", "star", "rookie", "other"],
            "birth_date": pd.to_datetime(["1990-11-10", "1995-01-01", None, "2000-11-01"]),
        }
    )
    return {"pgs": pgs, "tgs": tgs, "players": players}


def context_for(league: dict[str, pd.DataFrame], player: str, n: int) -> pd.Series:
    pgs = league["pgs"]
    target = pgs[(pgs["player_lookup"] == player) & (pgs["game_date"] == day(n))].reset_index(drop=True)
    return synthetic_context(target, pgs, league["tgs"], league["players"]).iloc[0]


def test_workload_rest_and_usage_worked_out_by_hand(league):
    alpha = context_for(league, "alpha", 8)
    assert alpha["days_rest"] == 2 and not alpha["back_to_back"]
    assert alpha["games_in_last_7_days"] == 4  # days 2, 4, 5, 6 (day 1 is exactly 7 days before)
    assert alpha["minutes_in_last_7_days"] == pytest.approx(32 + 34 + 35 + 36)
    assert alpha["avg_minutes_per_game_last_7"] == pytest.approx((32 + 34 + 35 + 36) / 4)
    assert alpha["back_to_backs_last_14_days"] == 3  # (1,2), (4,5), (5,6)
    assert alpha["avg_usage_rate_last_7_games"] == pytest.approx(np.mean([21, 22, 24, 25, 26]))
    assert alpha["projected_usage_rate"] == pytest.approx(np.mean([21, 22, 24, 25, 26]))
    assert alpha["player_age"] == 31  # the 32nd birthday is the day after the game
    assert alpha["star_teammates_out"] == 1
    assert alpha["opponent_pace_last_10"] == pytest.approx(95.0)
    assert alpha["pace_differential"] == pytest.approx(np.mean([101, 102, 104, 105, 106]) - 95.0)


def test_back_to_back_and_first_game(league):
    assert bool(context_for(league, "alpha", 2)["back_to_back"])
    first = context_for(league, "alpha", 1)
    assert pd.isna(first["days_rest"]) and not first["back_to_back"]
    assert first["games_in_last_7_days"] == 0 and first["minutes_in_last_7_days"] == 0
    assert pd.isna(first["avg_minutes_per_game_last_7"]) and pd.isna(first["projected_usage_rate"])
    assert pd.isna(first["pace_differential"])  # neither team has a prior game


def test_unknown_birth_date_gives_no_age_and_few_games_no_projection(league):
    rookie = context_for(league, "rookie", 8)
    assert pd.isna(rookie["player_age"]) and pd.isna(rookie["days_rest"])
    assert pd.isna(context_for(league, "alpha", 4)["projected_usage_rate"])  # only 2 prior games


def test_game_day_numbers_never_leak_into_the_context(league):
    before = context_for(league, "alpha", 8)
    pgs = league["pgs"].copy()
    on_day = pgs["game_date"] == day(8)
    pgs.loc[on_day, ["minutes_played", "usage_rate"]] = [48.0, 60.0]
    league["tgs"].loc[league["tgs"]["game_date"] == day(8), "pace"] = 130.0
    after = context_for({**league, "pgs": pgs}, "alpha", 8)
    pd.testing.assert_series_equal(before, after)


def test_previous_day_numbers_do_change_the_context(league):
    pgs = league["pgs"].copy()
    pgs.loc[(pgs["player_lookup"] == "alpha") & (pgs["game_date"] == day(6)), ["minutes_played", "usage_rate"]] = [
        40.0,
        40.0,
    ]
    after = context_for({**league, "pgs": pgs}, "alpha", 8)
    assert after["minutes_in_last_7_days"] == pytest.approx(32 + 34 + 35 + 40)
    assert after["projected_usage_rate"] == pytest.approx(np.mean([21, 22, 24, 25, 40]))


def test_previous_season_is_not_history(league):
    pgs = pd.concat([league["pgs"], pd.DataFrame([pgs_row("alpha", -200, season=2021)])])
    assert context_for({**league, "pgs": pgs}, "alpha", 1)["games_in_last_7_days"] == 0
    assert pd.isna(context_for({**league, "pgs": pgs}, "alpha", 1)["days_rest"])


def test_hostile_values_do_not_crash(league):
    pgs = league["pgs"].copy()
    pgs.loc[0, "minutes_played"] = np.inf
    pgs.loc[1, "usage_rate"] = np.nan
    pgs = pd.concat([pgs, pgs.iloc[[2]]])  # a duplicated box-score row
    context = context_for({**league, "pgs": pgs}, "alpha", 8)
    assert context["games_in_last_7_days"] == 4


def test_two_players_sharing_a_lookup_keep_their_own_histories(league):
    """A player is his id: a namesake on another team (the two Tony Mitchells) neither adds games, minutes or
    usage to alpha's history nor takes his birthday, and gets exactly what he would get alone."""
    alone = context_for(league, "alpha", 8)
    namesake = [
        {
            **pgs_row("alpha", n, minutes=12.0, usage=35.0, team="NYK", opponent="BOS"),
            "universal_player_id": "alpha_002",
        }
        for n in (3, 7, 9)
    ]
    pgs = pd.concat([league["pgs"], pd.DataFrame(namesake)], ignore_index=True)
    born = pd.Timestamp("2001-05-05")
    players = pd.concat(
        [
            league["players"],
            pd.DataFrame({"player_lookup": ["alpha"], "universal_player_id": ["alpha_002"], "birth_date": [born]}),
        ]
    )
    shared = {**league, "pgs": pgs, "players": players}
    pd.testing.assert_series_equal(context_for(shared, "alpha", 8), alone)

    other = pgs[(pgs["universal_player_id"] == "alpha_002") & (pgs["game_date"] == day(9))].reset_index(drop=True)
    theirs = synthetic_context(other, pgs, league["tgs"], players).iloc[0]
    assert theirs["days_rest"] == 2 and theirs["games_in_last_7_days"] == 2
    assert theirs["minutes_in_last_7_days"] == pytest.approx(24.0)
    assert theirs["avg_usage_rate_last_7_games"] == pytest.approx(35.0) and theirs["player_age"] == 21
