"""PSZA, TDZA and UPCG against a plain, row-by-row Python reading of SPEC §2.1 and §3."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

SAMPLE = 30


def same(actual, expected) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return pd.isna(actual)
    if pd.isna(actual):
        return False
    if isinstance(expected, float):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    return bool(actual == expected)


def assert_row_matches(actual: pd.Series, expected: dict) -> None:
    mismatches = {key: (actual[key], value) for key, value in expected.items() if not same(actual[key], value)}
    assert not mismatches, f"{actual.iloc[0]} {actual.iloc[1]}: {mismatches}"


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def played_before(pgs: pd.DataFrame, player: str, season: int, day: pd.Timestamp) -> pd.DataFrame:
    games = pgs[
        (pgs["player_lookup"] == player)
        & (pgs["player_status"] == "active")
        & (pgs["season"] == season)
        & (pgs["game_date"] < day)
    ]
    return games.sort_values("game_date")


def team_games_before(tgs: pd.DataFrame, team: str, season: int, day: pd.Timestamp) -> pd.DataFrame:
    games = tgs[(tgs["team_abbr"] == team) & (tgs["season"] == season) & (tgs["game_date"] < day)]
    return games.sort_values("game_date")


# --- PSZA ---------------------------------------------------------------------------------
def expected_psza(pgs: pd.DataFrame, player: str, day: pd.Timestamp) -> dict:
    last_10 = played_before(pgs, player, 2022, day).tail(10)
    attempts = {zone: int(last_10[f"fga_{zone}"].sum()) for zone in ("paint", "mid", "three")}
    total = sum(attempts.values())
    rates = {zone: 100.0 * count / total if total else None for zone, count in attempts.items()}
    if total == 0:
        zone = None
    elif rates["paint"] >= 40:
        zone = "paint"
    elif rates["three"] >= 40:
        zone = "perimeter"
    elif rates["mid"] >= 35:
        zone = "mid_range"
    else:
        zone = "balanced"
    return {
        "paint_rate_last_10": rates["paint"],
        "mid_range_rate_last_10": rates["mid"],
        "three_pt_rate_last_10": rates["three"],
        "primary_scoring_zone": zone,
        "games_in_sample": len(last_10),
    }


def test_psza_rows_are_the_players_active_with_history(league):
    pgs, psza = league.tables["pgs"], league.tables["psza"]
    played = pgs[pgs["player_status"] == "active"].sort_values("game_date")
    with_history = played[played.groupby("player_lookup").cumcount() > 0]
    assert set(zip(psza["player_lookup"], psza["analysis_date"], strict=True)) == set(
        zip(with_history["player_lookup"], with_history["game_date"], strict=True)
    )
    assert psza["games_in_sample"].between(1, 10).all()
    assert set(psza["primary_scoring_zone"].dropna()) == {"paint", "perimeter", "mid_range", "balanced"}


def test_psza_matches_a_plain_recomputation(league):
    pgs, psza = league.tables["pgs"], league.tables["psza"]
    for _, row in psza.sample(SAMPLE, random_state=1).iterrows():
        assert_row_matches(row, expected_psza(pgs, row["player_lookup"], row["analysis_date"]))


# --- TDZA ---------------------------------------------------------------------------------
def expected_tdza(tgs: pd.DataFrame, team: str, day: pd.Timestamp) -> dict:
    last_15 = team_games_before(tgs, team, 2022, day).tail(15)
    league_so_far = tgs[(tgs["season"] == 2022) & (tgs["game_date"] < day)]
    values = {}
    for zone, column in (("paint", "paint"), ("mid", "mid_range"), ("three", "three_pt")):
        allowed = 100.0 * last_15[f"opp_fgm_{zone}"].sum() / last_15[f"opp_fga_{zone}"].sum()
        league_pct = 100.0 * league_so_far[f"opp_fgm_{zone}"].sum() / league_so_far[f"opp_fga_{zone}"].sum()
        values[f"{column}_defense_vs_league_avg"] = allowed - league_pct
    names = {
        "paint_defense_vs_league_avg": "paint",
        "mid_range_defense_vs_league_avg": "mid_range",
        "three_pt_defense_vs_league_avg": "perimeter",
    }
    weakest = max(values, key=values.get)
    return {**values, "weakest_zone": names[weakest], "games_in_sample": len(last_15)}


def test_tdza_rows_are_the_teams_playing_with_history(league):
    tgs, tdza = league.tables["tgs"], league.tables["tdza"]
    ordered = tgs.sort_values("game_date")
    with_history = ordered[ordered.groupby("team_abbr").cumcount() > 0]
    assert len(tdza) == len(with_history)
    assert set(zip(tdza["team_abbr"], tdza["analysis_date"], strict=True)) == set(
        zip(with_history["team_abbr"], with_history["game_date"], strict=True)
    )
    assert tdza["games_in_sample"].between(1, 15).all()


def test_tdza_matches_a_plain_recomputation(league):
    tgs, tdza = league.tables["tgs"], league.tables["tdza"]
    for _, row in tdza.sample(SAMPLE, random_state=2).iterrows():
        assert_row_matches(row, expected_tdza(tgs, row["team_abbr"], row["analysis_date"]))


# --- UPCG ---------------------------------------------------------------------------------
def expected_context(tables: dict[str, pd.DataFrame], player: str, day: pd.Timestamp) -> dict:
    pgs, tgs, players = tables["pgs"], tables["tgs"], tables["players"]
    today = pgs[(pgs["player_lookup"] == player) & (pgs["game_date"] == day)].iloc[0]
    games = played_before(pgs, player, today["season"], day)
    dates = [timestamp.date() for timestamp in games["game_date"]]
    current = day.date()
    days_rest = (current - dates[-1]).days if dates else None
    week = games[games["game_date"] > day - pd.Timedelta(days=7)]
    fortnight = [d for d in dates if (current - d).days <= 14]
    usage = [u for u in games["usage_rate"] if not pd.isna(u)]
    last_7_usage = [u for u in games["usage_rate"].tail(7) if not pd.isna(u)]
    birth = players.set_index("player_lookup").loc[player, "birth_date"]
    age = None
    if not pd.isna(birth):
        age = current.year - birth.year - ((current.month, current.day) < (birth.month, birth.day))
    own_pace, opponent_pace = (
        mean(list(team_games_before(tgs, team, today["season"], day).tail(10)["pace"]))
        for team in (today["team_abbr"], today["opponent_team_abbr"])
    )
    return {
        "universal_player_id": today["universal_player_id"],
        "game_id": today["game_id"],
        "team_abbr": today["team_abbr"],
        "opponent_team_abbr": today["opponent_team_abbr"],
        "days_rest": days_rest,
        "back_to_back": days_rest == 1,
        "games_in_last_7_days": len(week),
        "minutes_in_last_7_days": float(week["minutes_played"].sum()),
        "avg_minutes_per_game_last_7": float(week["minutes_played"].sum()) / len(week) if len(week) else None,
        "back_to_backs_last_14_days": sum(
            1 for first, second in zip(fortnight, fortnight[1:], strict=False) if (second - first).days == 1
        ),
        "player_age": age,
        "avg_usage_rate_last_7_games": mean(last_7_usage),
        "projected_usage_rate": mean(usage) if len(games) >= 3 else None,
        "star_teammates_out": stars_out(pgs, today),
        "pace_differential": None if own_pace is None or opponent_pace is None else own_pace - opponent_pace,
        "opponent_pace_last_10": opponent_pace,
        "processed_at": day + pd.Timedelta(hours=10),
    }


def stars_out(pgs: pd.DataFrame, today: pd.Series) -> int:
    sat_out = pgs[
        (pgs["team_abbr"] == today["team_abbr"])
        & (pgs["game_date"] == today["game_date"])
        & pgs["player_status"].isin(["dnp", "inactive"])
        & (pgs["player_lookup"] != today["player_lookup"])
    ]
    count = 0
    for teammate in sat_out["player_lookup"]:
        games = played_before(pgs, teammate, today["season"], today["game_date"])
        if len(games) >= 5 and games["usage_rate"].mean() >= 28.0:
            count += 1
    return count


@pytest.fixture(scope="module")
def context_sample(league) -> pd.DataFrame:
    """Random UPCG rows plus some with stars out and some for players who did not play."""
    upcg, pgs = league.tables["upcg"], league.tables["pgs"]
    status = upcg.merge(pgs[["player_lookup", "game_date", "player_status"]], on=["player_lookup", "game_date"])
    picks = [
        status.sample(SAMPLE - 8, random_state=3),
        status[status["star_teammates_out"] > 0].sample(4, random_state=4),
        status[status["player_status"] != "active"].sample(4, random_state=5),
    ]
    return pd.concat(picks)


def test_upcg_matches_a_plain_recomputation(league, context_sample):
    for _, row in context_sample.iterrows():
        assert_row_matches(row, expected_context(league.tables, row["player_lookup"], row["game_date"]))


def test_upcg_exercises_every_context_column(league):
    upcg = league.tables["upcg"]
    assert upcg["back_to_back"].any() and upcg["back_to_backs_last_14_days"].max() >= 2
    assert upcg["star_teammates_out"].max() >= 1
    assert upcg["games_in_last_7_days"].max() >= 4 and upcg["player_age"].max() >= 35
    assert upcg["player_age"].isna().any(), "a player without a birth date"
    assert upcg[["days_rest", "projected_usage_rate", "pace_differential"]].notna().mean().min() > 0.95


def test_upcg_covers_the_window_from_mid_january_only(league):
    upcg, pgs = league.tables["upcg"], league.tables["pgs"]
    assert upcg["game_date"].min() == pgs.loc[pgs["game_date"] >= "2023-01-15", "game_date"].min()
    assert not upcg.duplicated(["game_date", "player_lookup"]).any()
    played = pgs[(pgs["player_status"] == "active") & (pgs["game_date"] >= "2023-01-15")]
    normal_dates = ~played["game_date"].isin(pd.to_datetime(["2023-02-23", "2023-02-24"]))
    keys = set(zip(upcg["player_lookup"], upcg["game_date"], strict=True))
    played_keys = set(zip(played["player_lookup"], played["game_date"], strict=True))
    assert all(
        key in keys
        for key in zip(played.loc[normal_dates, "player_lookup"], played.loc[normal_dates, "game_date"], strict=True)
    )
    no_shows = keys - played_keys
    assert 0 < len(no_shows) <= 2 * upcg["game_date"].nunique()


def test_the_incident_is_injected(league):
    upcg, pgs = league.tables["upcg"], league.tables["pgs"]
    played = pgs[pgs["player_status"] == "active"]
    for day, expected in ((date(2023, 2, 23), lambda n: 1), (date(2023, 2, 24), lambda n: round(0.39 * n))):
        players = set(upcg.loc[upcg["game_date"] == pd.Timestamp(day), "player_lookup"])
        active = set(played.loc[played["game_date"] == pd.Timestamp(day), "player_lookup"])
        assert len(players) == expected(len(active)), day
        assert players <= active


def test_star_teammates_out_counts_only_stars_sitting(league):
    upcg = league.tables["upcg"]
    rows_with_stars_out = upcg[upcg["star_teammates_out"] > 0]
    assert 0.02 < len(rows_with_stars_out) / len(upcg) < 0.4
