from __future__ import annotations

import pandas as pd

from demo import SEASON_OPENERS
from league.calendar import read_calendar
from validation.box_scores import box_score_checks

ZONES = ("paint", "mid", "three")


def active(pgs: pd.DataFrame) -> pd.DataFrame:
    return pgs[pgs["player_status"] == "active"]


def test_every_rostered_player_has_one_row_per_team_game(league):
    pgs, players = league.tables["pgs"], league.tables["players"]
    assert not pgs.duplicated(["game_id", "player_lookup"]).any()
    assert (pgs.groupby(["game_id", "team_abbr"]).size() == 15).all()
    assert set(pgs["player_lookup"]) == set(players["player_lookup"])
    assert pgs.groupby("player_lookup")["team_abbr"].nunique().max() == 1
    assert set(pgs["player_status"]) == {"active", "dnp", "inactive"}


def test_about_13_players_a_team_play_each_game(league):
    per_team_game = active(league.tables["pgs"]).groupby(["game_id", "team_abbr"]).size()
    assert 12.5 <= per_team_game.mean() <= 13.5
    assert per_team_game.min() >= 8


def test_typical_game_dates_have_150_to_260_active_players(league):
    players_per_date = active(league.tables["pgs"]).groupby("game_date")["player_lookup"].nunique()
    assert players_per_date.between(150, 260).mean() >= 0.8
    assert 170 <= players_per_date.median() <= 210


def test_active_rows_carry_stats_and_the_rest_do_not(league):
    pgs = league.tables["pgs"]
    played = active(pgs)
    assert played["minutes_played"].gt(0).all() and played["usage_rate"].between(5, 50).all()
    sat_out = pgs[pgs["player_status"] != "active"]
    assert sat_out["usage_rate"].isna().all()
    assert (sat_out["minutes_played"].fillna(0) == 0).all()
    assert pgs.loc[pgs["player_status"] == "inactive", "minutes_played"].isna().all()
    team_minutes = played.groupby(["game_id", "team_abbr"])["minutes_played"].sum()
    regulation, overtime = (team_minutes - 240).abs() <= 1, (team_minutes - 265).abs() <= 1
    assert (regulation | overtime).all() and regulation.mean() > 0.9


def test_points_follow_the_shots(league):
    played = active(league.tables["pgs"])
    field_goal_points = 2 * (played["fgm_paint"] + played["fgm_mid"]) + 3 * played["fgm_three"]
    assert (played["points"] >= field_goal_points).all()
    for zone in ZONES:
        assert (played[f"fgm_{zone}"] <= played[f"fga_{zone}"]).all()


def test_each_team_has_one_or_two_high_usage_stars(league):
    season_usage = active(league.tables["pgs"]).groupby(["team_abbr", "player_lookup"])["usage_rate"].mean()
    stars_per_team = (season_usage >= 28).groupby(level="team_abbr").sum()
    assert stars_per_team.between(1, 2).all()


def test_injuries_last_several_games_and_hit_stars(league):
    pgs = league.tables["pgs"].sort_values(["player_lookup", "game_date"])
    inactive = (pgs["player_status"] == "inactive").to_numpy()
    spell_start = (
        inactive & ~pd.Series(inactive).groupby(pgs["player_lookup"].to_numpy()).shift(1, fill_value=False).to_numpy()
    )
    spells = spell_start.sum()
    assert inactive.sum() / spells >= 3, "injuries should last several games on average"
    season_usage = active(pgs).groupby("player_lookup")["usage_rate"].mean()
    stars = set(season_usage[season_usage >= 28].index)
    injured_stars = set(pgs.loc[inactive, "player_lookup"]) & stars
    assert len(injured_stars) >= 5


def test_dnp_is_for_the_deep_bench(league):
    pgs = league.tables["pgs"]
    minutes = active(pgs).groupby("player_lookup")["minutes_played"].mean()
    benched = pgs.loc[pgs["player_status"] == "dnp", "player_lookup"].value_counts()
    assert minutes.reindex(benched.index[:20]).max() < 15


def test_players_have_unique_lookups_and_a_spread_of_ages(league):
    players = league.tables["players"]
    assert players["player_lookup"].is_unique
    assert players["player_lookup"].str.fullmatch(r"[a-z0-9]+").all()
    assert players["universal_player_id"].is_unique
    assert 420 <= len(players) <= 480
    opener = pd.Timestamp(SEASON_OPENERS[2022])
    ages = ((opener - players["birth_date"]).dt.days / 365.25).dropna()
    assert ages.between(19, 40).all()
    assert (ages >= 35).sum() >= 5
    assert ages.between(30, 35).sum() >= 30


def test_team_game_summary_matches_the_box_scores(league):
    pgs, tgs = league.tables["pgs"], league.tables["tgs"]
    assert len(tgs) == 2 * len(league.tables["schedule"])
    shots = [f"{kind}_{zone}" for zone in ZONES for kind in ("fga", "fgm")]
    produced = active(pgs).groupby(["game_id", "team_abbr"])[["points", *shots]].sum()
    own = tgs.join(produced.add_suffix("_scored"), on=["game_id", "team_abbr"])
    assert (own["points"] == own["points_scored"]).all()
    allowed = tgs.join(produced[shots], on=["game_id", "opponent_team_abbr"])
    for column in shots:
        assert (allowed[f"opp_{column}"] == allowed[column]).all(), column
    assert tgs["pace"].between(90, 110).all() and 98 <= tgs["pace"].mean() <= 102
    team_style = tgs.groupby("team_abbr")["pace"].mean()
    assert team_style.max() - team_style.min() > 3


def test_every_box_score_adds_up_to_its_team_line_and_a_whole_game(league):
    """The gate blocks a box score that does not add up (SPEC §6.8), so the demo's every game must: each side's
    active points equal its TGS points, its minutes 240 + 25·k within a minute, overtime games included."""
    schedule, pgs, tgs = league.tables["schedule"], league.tables["pgs"], league.tables["tgs"]
    sums = active(pgs).groupby(["game_id", "team_abbr"])[["points", "minutes_played"]].sum().add_suffix("_played")
    sides = tgs.join(sums, on=["game_id", "team_abbr"])
    assert len(sides) == 2 * len(schedule) and (sides["points"] == sides["points_played"]).all()
    minutes = sides["minutes_played_played"]
    overtimes = ((minutes - 240) / 25).round()
    assert (overtimes >= 0).all() and ((minutes - 240 - 25 * overtimes).abs() <= 1).all()
    assert (overtimes > 0).sum() > 20 and (overtimes == 0).mean() > 0.9  # overtime is there, and rare
    dates = pd.DatetimeIndex(schedule["game_date"].unique())
    checks = box_score_checks(schedule, pgs, tgs, dates, read_calendar(league.wh))
    assert (checks.facts == "").all().all()  # the gate's own reading agrees
