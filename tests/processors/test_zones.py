"""The zone tables derived from the box scores (SPEC §2.1) and checked against the tables (§6.8): worked out by hand
on a few games, equal to the demo league's tables on every row, and disagreements told apart by which way they
are off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from processors.synthetic import active_history
from processors.zone_check import ONE_GAME_BEHIND, OWN_GAME, VALUES_DIFFER, check_zones
from processors.zones import (
    DEFENSE_COLUMNS,
    PSZA_VALUES,
    RATE_COLUMNS,
    TDZA_VALUES,
    allowed_shots,
    shot_zones,
    zone_defense,
)
from warehouse import Datasets, connect

DAY = pd.Timestamp("2022-11-01")
NUMBERS = [*RATE_COLUMNS, *DEFENSE_COLUMNS, "games_in_sample"]


def day(n: int) -> pd.Timestamp:
    return DAY + pd.Timedelta(days=n)


def shots(player: str, n: int, paint: int, mid: int, three: int, status: str = "active", season: int = 2022) -> dict:
    return {
        "game_id": f"g{n}",
        "game_date": day(n),
        "season": season,
        "player_lookup": player,
        "universal_player_id": f"id-{player}",
        "player_status": status,
        "minutes_played": 30.0,
        "usage_rate": 20.0,
        "fga_paint": paint,
        "fga_mid": mid,
        "fga_three": three,
    }


def allowed(team: str, n: int, paint: tuple[int, int], mid: tuple[int, int], three: tuple[int, int]) -> dict:
    """A team's line: (made, attempted) it allowed per zone."""
    return {
        "game_date": day(n),
        "season": 2022,
        "team_abbr": team,
        **{
            f"opp_{kind}_{zone}": pair[i]
            for zone, pair in (("paint", paint), ("mid", mid), ("three", three))
            for i, kind in enumerate(("fgm", "fga"))
        },
    }


def targets(key: str, *pairs: tuple[str, int]) -> pd.DataFrame:
    asked = pd.DataFrame({key: [who for who, _ in pairs], "game_date": [day(n) for _, n in pairs], "season": 2022})
    return asked.assign(universal_player_id="id-" + asked[key]) if key == "player_lookup" else asked


# --- PSZA by hand -----------------------------------------------------------------------------
def test_a_players_last_ten_active_games_strictly_before_the_date():
    games = [shots("alpha", n, paint=1, mid=0, three=1) for n in range(1, 4)]  # three games beyond the window
    games += [shots("alpha", n, paint=2, mid=1, three=1) for n in range(4, 14)]  # the ten that count
    games += [shots("alpha", 14, paint=0, mid=0, three=0, status="dnp"), shots("alpha", 15, 40, 0, 0)]
    row = shot_zones(targets("player_lookup", ("alpha", 15)), active_history(pd.DataFrame(games))).iloc[0]
    assert row["games_in_sample"] == 10  # the dnp does not count, nor the date's own 40 paint shots
    assert row[RATE_COLUMNS].tolist() == pytest.approx([50.0, 25.0, 25.0])
    assert row["primary_scoring_zone"] == "paint"


@pytest.mark.parametrize(
    ("paint", "mid", "three", "zone"),
    [
        (4, 3, 3, "paint"),
        (3, 3, 4, "perimeter"),
        (3, 4, 3, "mid_range"),
        (35, 32, 33, "balanced"),
        (0, 0, 0, None),
    ],
)
def test_primary_scoring_zone_follows_the_thresholds(paint, mid, three, zone):
    pgs = pd.DataFrame([shots("alpha", 1, paint, mid, three), shots("alpha", 2, 0, 0, 0)])
    row = shot_zones(targets("player_lookup", ("alpha", 2)), active_history(pgs)).iloc[0]
    assert row["primary_scoring_zone"] == zone
    assert np.isnan(row["paint_rate_last_10"]) == (zone is None)


def test_no_earlier_game_this_season_is_no_row():
    pgs = pd.DataFrame([shots("alpha", 1, 5, 5, 5, season=2021), shots("alpha", 2, 5, 5, 5)])
    row = shot_zones(targets("player_lookup", ("alpha", 2)), active_history(pgs)).iloc[0]
    assert row["games_in_sample"] == 0 and np.isnan(row["paint_rate_last_10"])


# --- TDZA by hand ------------------------------------------------------------------------------
def test_a_teams_defense_against_the_leagues_season_to_date():
    tgs = pd.DataFrame(
        [
            allowed("BOS", 1, paint=(5, 10), mid=(2, 10), three=(3, 10)),
            allowed("NYK", 1, paint=(7, 10), mid=(4, 10), three=(3, 10)),
            allowed("BOS", 2, paint=(9, 10), mid=(0, 10), three=(3, 10)),  # the date's own game: never read
        ]
    )
    teams, league = allowed_shots(tgs)
    row = zone_defense(targets("team_abbr", ("BOS", 2)), teams, league).iloc[0]
    assert row[DEFENSE_COLUMNS].tolist() == pytest.approx([50 - 60, 20 - 30, 30 - 30])
    assert row["weakest_zone"] == "perimeter" and row["games_in_sample"] == 1


# --- the demo league ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_tables(demo_file) -> dict[str, pd.DataFrame]:
    wh = connect(f"duckdb:///{demo_file}", Datasets())
    tables = {key: wh.query(f"SELECT * FROM {{{key}}}") for key in ("pgs", "tgs", "psza", "tdza")}
    wh.close()
    return tables  # one season, 2022, labelled as the calendar would say


def assert_same_rows(derived: pd.DataFrame, table: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        if column in NUMBERS:
            np.testing.assert_allclose(
                derived[column].to_numpy(float), table[column].to_numpy(float), atol=1e-9, err_msg=column
            )
        else:
            assert (derived[column].fillna("") == table[column].fillna("")).all(), column


def test_every_psza_row_of_the_demo_league_is_derived_from_its_box_scores(demo_tables):
    psza, pgs = demo_tables["psza"], demo_tables["pgs"]
    ids = pgs.drop_duplicates("player_lookup").set_index("player_lookup")["universal_player_id"]
    asked = psza[["player_lookup", "analysis_date"]].rename(columns={"analysis_date": "game_date"}).assign(season=2022)
    asked = asked.assign(universal_player_id=asked["player_lookup"].map(ids))
    assert_same_rows(shot_zones(asked, active_history(pgs)), psza, PSZA_VALUES)
    active = pgs.query("player_status == 'active'")[["player_lookup", "universal_player_id", "game_date", "season"]]
    has_history = shot_zones(active, active_history(demo_tables["pgs"]))["games_in_sample"] > 0
    assert has_history.sum() == len(psza)  # and no row the demo lacks


def test_every_tdza_row_of_the_demo_league_is_derived_from_its_box_scores(demo_tables):
    tdza = demo_tables["tdza"]
    asked = tdza[["team_abbr", "analysis_date"]].rename(columns={"analysis_date": "game_date"}).assign(season=2022)
    teams, league = allowed_shots(demo_tables["tgs"])
    assert_same_rows(zone_defense(asked, teams, league), tdza, TDZA_VALUES)


# --- the check ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def one_week(demo_tables) -> dict[str, object]:
    """Who played in a week of the demo league, and the week's zone tables."""
    pgs = demo_tables["pgs"]
    dates = pd.DatetimeIndex(pd.date_range("2023-03-06", "2023-03-12"), name="game_date")
    expected = pgs[pgs["game_date"].isin(dates) & (pgs["player_status"] == "active")].reset_index(drop=True)
    in_week = {key: demo_tables[key][demo_tables[key]["analysis_date"].isin(dates)] for key in ("psza", "tdza")}
    return {"expected": expected, "dates": dates, **in_week}


def checked(
    week: dict[str, object], demo_tables: dict[str, pd.DataFrame], mode: str = "auto", **tables: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    psza, tdza = tables.get("psza", week["psza"]), tables.get("tdza", week["tdza"])
    players = active_history(demo_tables["pgs"])
    return check_zones(week["expected"], psza, tdza, players, demo_tables["tgs"], week["dates"], mode)


def values_of(rows: pd.DataFrame) -> pd.DataFrame:
    """The zone inputs, without where they came from."""
    return rows.drop(columns="zone_from_box_scores")


def shifted(table: pd.DataFrame, whole: pd.DataFrame, key: str, games: int) -> pd.DataFrame:
    """The week's rows holding the values of each key's row `games` rows away (1: the previous game's)."""
    ordered = whole.sort_values([key, "analysis_date"])
    values = [column for column in ordered.columns if column not in (key, "analysis_date")]
    moved = ordered.assign(**{column: ordered.groupby(key)[column].shift(games) for column in values})
    return moved[moved["analysis_date"].isin(table["analysis_date"]) & moved["games_in_sample"].notna()]


def test_the_demo_tables_agree_and_nothing_is_built(one_week, demo_tables):
    rows, facts = checked(one_week, demo_tables)
    assert rows["has_psza"].all() and rows["has_tdza"].all() and not rows["zone_from_box_scores"].any()
    assert (facts["zone_rows_built"] == 0).all() and (facts["zone_note"] == "").all()
    assert (facts["psza_players"] == facts["psza_expected"]).all()


def test_a_table_rounded_to_one_decimal_still_agrees(one_week, demo_tables):
    numbers = dict.fromkeys([*RATE_COLUMNS, *DEFENSE_COLUMNS], 1)
    rounded = {key: one_week[key].round(numbers) for key in ("psza", "tdza")}
    _, facts = checked(one_week, demo_tables, **rounded)
    assert (facts["zone_note"] == "").all() and (facts["psza_players"] == facts["psza_expected"]).all()


@pytest.mark.parametrize(
    ("key", "games", "kind"),
    [
        ("psza", 1, ONE_GAME_BEHIND),
        ("psza", -1, OWN_GAME),
        ("tdza", 1, ONE_GAME_BEHIND),
        ("tdza", -1, OWN_GAME),
    ],
)
def test_a_lagging_or_leaking_table_counts_as_missing_and_says_which_way(one_week, demo_tables, key, games, kind):
    column = "player_lookup" if key == "psza" else "team_abbr"
    wrong = shifted(one_week[key], demo_tables[key], column, games)

    rows, facts = checked(one_week, demo_tables, "tables", **{key: wrong})
    found = "players" if key == "psza" else "teams"
    assert (facts[f"{key}_{found}"] < 0.2 * facts[f"{key}_expected"]).all()  # nearly every row disagrees
    assert facts["zone_note"].str.startswith(f"{key} ").all() and facts["zone_note"].str.contains(kind).all()
    assert not rows["zone_from_box_scores"].any() and (facts["zone_rows_built"] == 0).all()

    built, built_facts = checked(one_week, demo_tables, "auto", **{key: wrong})
    clean, _ = checked(one_week, demo_tables, "auto")
    pd.testing.assert_frame_equal(values_of(built), values_of(clean))
    assert built["zone_from_box_scores"].sum() > 0.8 * len(built)
    assert (built_facts[f"{key}_{found}"] == built_facts[f"{key}_expected"]).all()
    assert (built_facts["zone_rows_built"] > 0).all()


def test_wrong_values_with_the_right_games_are_said_so(one_week, demo_tables):
    wrong = one_week["psza"].assign(paint_rate_last_10=one_week["psza"]["paint_rate_last_10"] + 1.0)
    _, facts = checked(one_week, demo_tables, "tables", psza=wrong)
    assert facts["zone_note"].str.contains(f"({VALUES_DIFFER} ", regex=False).all()


def test_empty_zone_tables_are_built_from_box_scores_under_auto_only(one_week, demo_tables):
    empty = {key: one_week[key].iloc[:0] for key in ("psza", "tdza")}
    rows, facts = checked(one_week, demo_tables, "auto", **empty)
    clean, _ = checked(one_week, demo_tables, "auto")
    pd.testing.assert_frame_equal(values_of(rows), values_of(clean))
    assert rows["zone_from_box_scores"].all()
    assert (facts["zone_rows_built"] == facts["psza_expected"] + facts["tdza_expected"]).all()
    assert (facts["psza_rows"] > 0).all() and (facts["tdza_rows"] > 0).all()

    rows, facts = checked(one_week, demo_tables, "tables", **empty)
    assert not rows["has_psza"].any() and (facts["psza_rows"] == 0).all() and (facts["tdza_rows"] == 0).all()


def test_box_scores_without_their_shot_split_cannot_judge_a_row(one_week, demo_tables):
    tgs = demo_tables["tgs"].assign(opp_fga_paint=np.nan)  # the team lines lost their paint attempts
    without_split = {**demo_tables, "tgs": tgs}
    zeroed = one_week["tdza"].assign(**dict.fromkeys(DEFENSE_COLUMNS, 0.0))
    rows, facts = checked(one_week, without_split, "auto", tdza=zeroed)
    assert rows["has_tdza"].all() and (rows[DEFENSE_COLUMNS] == 0).all().all()  # taken as the table has them
    assert (facts["zone_rows_built"] == 0).all() and (facts["zone_note"] == "").all()

    rows, facts = checked(one_week, without_split, "auto", tdza=zeroed.iloc[:0])
    assert not rows["has_tdza"].any() and (facts["zone_rows_built"] == 0).all()  # nothing built from them
