"""Several seasons at once: players persist, every window restarts with its season, and a
season's data does not depend on which other seasons were generated with it."""

from __future__ import annotations

import pandas as pd
import pytest

from demo.league import build_league


@pytest.fixture(scope="module")
def two_seasons() -> dict[str, pd.DataFrame]:
    return build_league([2021, 2022], seed=42)


def test_players_persist_across_seasons(two_seasons):
    pgs = two_seasons["pgs"]
    by_season = pgs.groupby("season")["player_lookup"].agg(set)
    assert by_season[2021] == by_season[2022] == set(two_seasons["players"]["player_lookup"])
    assert (pgs.groupby("player_lookup")["team_abbr"].nunique() == 1).all()


def test_windows_restart_each_season(two_seasons):
    psza, tdza, upcg = two_seasons["psza"], two_seasons["tdza"], two_seasons["upcg"]
    second_day_of_2022 = pd.Timestamp("2022-10-19")
    assert (psza.loc[psza["analysis_date"] == second_day_of_2022, "games_in_sample"] == 1).all()
    assert (tdza.loc[tdza["analysis_date"] == second_day_of_2022, "games_in_sample"] == 1).all()
    assert psza["analysis_date"].min() == pd.Timestamp("2021-10-20")
    upcg_dates = upcg["game_date"]
    assert upcg_dates.min() >= pd.Timestamp("2022-01-15")
    assert not upcg_dates.between("2022-04-11", "2023-01-14").any(), "UPCG only from mid-January"


@pytest.mark.parametrize(
    ("key", "keys"), [("pgs", ["game_id", "player_lookup"]), ("upcg", ["game_date", "player_lookup"])]
)
def test_a_season_does_not_depend_on_the_others(two_seasons, league, key, keys):
    alone = league.tables[key].sort_values(keys, ignore_index=True)
    together = two_seasons[key]
    together = together[together["game_date"] >= "2022-10-01"].sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(together, alone, check_dtype=False)
