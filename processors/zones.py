"""The zone tables derived from the box scores (SPEC §2.1), for any (key, date) asked: a player's shot-zone mix over
his last 10 active games before the date (PSZA) and a team's zone defense over its last 15 games before it against
the league's season to date (TDZA).

Pure and vectorised: each history is one sorted array with prefix sums (`History`), so a row for any date is two
binary searches and a difference of sums. Asking for another date gives the row a lagging or leaking table would
hold, which is how a disagreement is told apart (`processors.zone_check`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from processors.identity import player_ids
from processors.keys import day_numbers, distinct, floats, shared_codes
from processors.synthetic import SHOT_COLUMNS, History

PLAYER_WINDOW = 10
TEAM_WINDOW = 15
SHOT_ZONES = ("paint", "mid", "three")  # the box-score suffixes, in the tables' column order
RATE_COLUMNS = ["paint_rate_last_10", "mid_range_rate_last_10", "three_pt_rate_last_10"]
DEFENSE_COLUMNS = ["paint_defense_vs_league_avg", "mid_range_defense_vs_league_avg", "three_pt_defense_vs_league_avg"]
PRIMARY_ZONE_NAMES = np.array(["paint", "perimeter", "mid_range", "balanced", None], dtype=object)
WEAKEST_ZONE_NAMES = np.array(["paint", "mid_range", "perimeter"], dtype=object)  # in DEFENSE_COLUMNS order
PSZA_VALUES = [*RATE_COLUMNS, "primary_scoring_zone", "games_in_sample"]
TDZA_VALUES = [*DEFENSE_COLUMNS, "weakest_zone", "games_in_sample"]
LEAGUE = "league"  # the one entity of the league's history
Values = dict[str, np.ndarray]  # one array per column, one element per target


def _counts(frame: pd.DataFrame, columns: list[str]) -> dict[str, np.ndarray]:
    """Attempts and makes as float64, and `unknown`: 1 on a game where one of them is NULL (or not a number), whose
    window then cannot say what the zone table should hold."""
    arrays = {name: floats(frame[name]) for name in columns}
    unknown = np.any([~np.isfinite(array) for array in arrays.values()], axis=0)
    return {
        **{name: np.where(np.isfinite(array), array, 0.0) for name, array in arrays.items()},
        "unknown": unknown.astype(float),
    }


def allowed_shots(tgs: pd.DataFrame) -> tuple[History, History]:
    """What each team allowed per game (one row per team and day), and the same rows as the league's."""
    games = tgs[tgs["team_abbr"].notna().to_numpy()]
    season, days = games["season"].to_numpy(dtype=np.int64), day_numbers(games["game_date"])
    (team,), teams = shared_codes(games["team_abbr"])
    _, season_code = np.unique(season, return_inverse=True)
    first = distinct((days * max(teams, 1) + team) * (int(season_code.max(initial=0)) + 1) + season_code)
    if not first.all():  # a team's first line of a day
        games, season, days = games[first], season[first], days[first]
    values = _counts(games, [f"opp_{kind}_{zone}" for zone in SHOT_ZONES for kind in ("fga", "fgm")])
    league = pd.Series(LEAGUE, index=games.index, dtype=object)
    return History.build(games["team_abbr"], season, days, values), History.build(league, season, days, values)


def _last_games(
    history: History, entity: pd.Series, season: pd.Series, day: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each target's window: the rows of its entity's last `window` games of the season strictly before `day`."""
    first, before = history.locate(entity, season, day)
    return np.maximum(first, before - window), before


def _percent(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, 100.0 * part / np.where(whole > 0, whole, 1.0), np.nan)


def primary_scoring_zone(paint: np.ndarray, mid: np.ndarray, three: np.ndarray) -> np.ndarray:
    """paint ≥ 40 → paint, else three ≥ 40 → perimeter, else mid ≥ 35 → mid_range, else balanced; None without
    shots."""
    with np.errstate(invalid="ignore"):
        zone = np.select([np.isnan(paint), paint >= 40.0, three >= 40.0, mid >= 35.0], [4, 0, 1, 2], default=3)
    names: np.ndarray = PRIMARY_ZONE_NAMES[zone]  # a copy: fancy indexing
    return names


def weakest_zone(defense: np.ndarray) -> np.ndarray:
    """The zone where the team allows the most over the league (first of equals); None when none is known."""
    known = ~np.isnan(defense)
    position = np.argmax(np.where(known, defense, -np.inf), axis=1)
    weakest: np.ndarray = WEAKEST_ZONE_NAMES[position]  # a copy: fancy indexing
    weakest[~known.any(axis=1)] = None
    return weakest


def shot_zones(targets: pd.DataFrame, history: History, day: np.ndarray | None = None) -> pd.DataFrame:
    """PSZA values for each target (player_lookup, universal_player_id, season, game_date) as of `day` (default: its
    game date); games_in_sample 0 and the rest missing where the player has no earlier game that season;
    `unverified` where a game of the window lacks its shot split."""
    return pd.DataFrame(shot_zone_values(targets, history, day), index=targets.index)


def shot_zone_values(targets: pd.DataFrame, history: History, day: np.ndarray | None = None) -> Values:
    """`shot_zones` as arrays."""
    day = day_numbers(targets["game_date"]) if day is None else day
    lo, hi = _last_games(history, player_ids(targets), targets["season"], day, PLAYER_WINDOW)
    attempts = [history.window_sum(name, lo, hi) for name in SHOT_COLUMNS]  # the players' `active_history`
    total = np.sum(attempts, axis=0)
    rates = [_percent(zone, total) for zone in attempts]
    return {
        **dict(zip(RATE_COLUMNS, rates, strict=True)),
        "primary_scoring_zone": primary_scoring_zone(*rates),
        "games_in_sample": hi - lo,
        "unverified": history.window_sum("unknown", lo, hi) > 0,
    }


def zone_defense(targets: pd.DataFrame, teams: History, league: History, day: np.ndarray | None = None) -> pd.DataFrame:
    """TDZA values for each target (team_abbr, season, game_date) as of `day` (default: its game date):
    FG% allowed per zone over the last 15 games minus the league's over the season to date, in points;
    `unverified` where a game of the team's window or of the league's season lacks its shot split."""
    return pd.DataFrame(zone_defense_values(targets, teams, league, day), index=targets.index)


def zone_defense_values(
    targets: pd.DataFrame, teams: History, league: History, day: np.ndarray | None = None
) -> Values:
    """`zone_defense` as arrays."""
    day = day_numbers(targets["game_date"]) if day is None else day
    lo, hi = _last_games(teams, targets["team_abbr"], targets["season"], day, TEAM_WINDOW)
    season_start, before = league.locate_groups(league.season_groups(targets["season"]), day)
    defense = (
        np.column_stack(
            [
                _percent(teams.window_sum(f"opp_fgm_{zone}", lo, hi), teams.window_sum(f"opp_fga_{zone}", lo, hi))
                - _percent(
                    league.window_sum(f"opp_fgm_{zone}", season_start, before),
                    league.window_sum(f"opp_fga_{zone}", season_start, before),
                )
                for zone in SHOT_ZONES
            ]
        )
        if len(targets)
        else np.empty((0, len(SHOT_ZONES)))
    )
    defense[hi == lo] = np.nan  # no games of its own: no row
    unverified = (teams.window_sum("unknown", lo, hi) + league.window_sum("unknown", season_start, before)) > 0
    return {
        **{name: defense[:, column] for column, name in enumerate(DEFENSE_COLUMNS)},
        "weakest_zone": weakest_zone(defense),
        "games_in_sample": hi - lo,
        "unverified": unverified,
    }
