"""Box scores: who played, for how long, how much of the offense they used and where they
shot from (PGS), and what each team allowed (TGS).

Simulated one game date at a time; within a date every array is (teams playing, roster slot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.roster import ROSTER_SIZE, TEAM_ABBRS, Roster

ACTIVE, DNP, INACTIVE = "active", "dnp", "inactive"
INJURY_CHANCE = 0.012  # per player per team game
INJURY_GAMES_MEAN = 6.0
ACTIVE_PLAYERS_CHOICES = np.array([12, 13, 13, 14])
REGULATION_MINUTES = 240.0
OVERTIME_CHANCE = 0.06
USAGE_NOISE = 3.2
USAGE_BUMP_PER_STAR_OUT = 1.5
FGA_PER_100_POSSESSIONS = 86.0
BASE_FG_PCT = np.array([0.56, 0.41, 0.355])  # paint, mid-range, three
FREE_THROW_POINTS_PER_FGA = 0.22
ZONES = ("paint", "mid", "three")
PGS_COLUMNS = [
    "game_id",
    "game_date",
    "season",
    "player_lookup",
    "universal_player_id",
    "team_abbr",
    "opponent_team_abbr",
    "player_status",
    "minutes_played",
    "usage_rate",
    "points",
    "fga_paint",
    "fgm_paint",
    "fga_mid",
    "fgm_mid",
    "fga_three",
    "fgm_three",
]
TGS_COLUMNS = [
    "game_id",
    "game_date",
    "season",
    "team_abbr",
    "opponent_team_abbr",
    "pace",
    "points",
    "opp_fga_paint",
    "opp_fgm_paint",
    "opp_fga_mid",
    "opp_fgm_mid",
    "opp_fga_three",
    "opp_fgm_three",
]


@dataclass(frozen=True)
class Night:
    """One game date's box scores; team rows are the away teams, then the home teams."""

    game_date: np.datetime64
    game_ids: np.ndarray  # (team rows,)
    teams: np.ndarray
    opponents: np.ndarray
    players: np.ndarray  # (team rows, roster slots) player indexes
    status: np.ndarray  # same shape, ACTIVE / DNP / INACTIVE
    minutes: np.ndarray
    usage: np.ndarray
    points: np.ndarray
    attempts: np.ndarray  # (team rows, roster slots, zones)
    makes: np.ndarray
    pace: np.ndarray  # (team rows,)


def simulate_box_scores(
    schedule: pd.DataFrame, roster: Roster, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PGS and TGS frames for one season's schedule (sorted by game_date)."""
    team_index = {abbr: index for index, abbr in enumerate(TEAM_ABBRS)}
    away = schedule["away_team_abbr"].map(team_index).to_numpy()
    home = schedule["home_team_abbr"].map(team_index).to_numpy()
    dates = schedule["game_date"].to_numpy()
    game_ids = schedule["game_id"].to_numpy()
    injury_games_left = np.zeros(len(roster.players), dtype=int)
    nights = []
    for games in np.split(np.arange(len(schedule)), np.flatnonzero(dates[1:] != dates[:-1]) + 1):
        nights.append(
            play_night(dates[games[0]], game_ids[games], away[games], home[games], roster, injury_games_left, rng)
        )
    season = int(schedule["season"].iloc[0])
    return _pgs_frame(nights, season, roster), _tgs_frame(nights, season)


def play_night(
    game_date: np.datetime64,
    game_ids: np.ndarray,
    away: np.ndarray,
    home: np.ndarray,
    roster: Roster,
    injury_games_left: np.ndarray,
    rng: np.random.Generator,
) -> Night:
    """Simulate every game of one date; updates `injury_games_left` in place."""
    teams, opponents = np.concatenate([away, home]), np.concatenate([home, away])
    players = teams[:, None] * ROSTER_SIZE + np.arange(ROSTER_SIZE)
    status = _availability(players, injury_games_left, rng)
    active = status == ACTIVE
    game_pace = (roster.team_pace[away] + roster.team_pace[home]) / 2 + rng.normal(0.0, 1.5, len(away))
    pace = np.tile(np.round(game_pace, 1), 2)
    overtime = np.tile(rng.random(len(away)) < OVERTIME_CHANCE, 2)
    minutes = _minutes(players, status, overtime, roster, rng)
    usage = _usage(players, status, roster, rng)
    attempts = _attempts(players, active, minutes, usage, pace, roster, rng)
    makes = _makes(attempts, players, opponents, roster, rng)
    free_throw_points = rng.poisson(FREE_THROW_POINTS_PER_FGA * attempts.sum(axis=2))
    points = 2 * makes[..., 0] + 2 * makes[..., 1] + 3 * makes[..., 2] + free_throw_points * active
    return Night(
        game_date=game_date,
        game_ids=np.tile(game_ids, 2),
        teams=teams,
        opponents=opponents,
        players=players,
        status=status,
        minutes=minutes,
        usage=usage,
        points=points,
        attempts=attempts,
        makes=makes,
        pace=pace,
    )


def _availability(players: np.ndarray, injury_games_left: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Injured players are inactive; of the rest, the coach plays 12-14 and benches the others."""
    still_injured = injury_games_left[players] > 0
    injury_games_left[players[still_injured]] -= 1
    newly_injured = ~still_injured & (rng.random(players.shape) < INJURY_CHANCE)
    durations = rng.geometric(1.0 / INJURY_GAMES_MEAN, players.shape)
    injury_games_left[players[newly_injured]] = durations[newly_injured] - 1
    inactive = still_injured | newly_injured
    priority = np.arange(ROSTER_SIZE) + rng.normal(0.0, 1.2, players.shape)
    priority[inactive] = np.inf
    rank = np.argsort(np.argsort(priority, axis=1, kind="stable"), axis=1, kind="stable")
    plays = rng.choice(ACTIVE_PLAYERS_CHOICES, size=len(players))
    status = np.where(rank < plays[:, None], ACTIVE, DNP).astype(object)
    status[inactive] = INACTIVE
    return status


def _minutes(
    players: np.ndarray,
    status: np.ndarray,
    overtime: np.ndarray,
    roster: Roster,
    rng: np.random.Generator,
) -> np.ndarray:
    """Team minutes (240, or 265 after overtime) shared by role; 0 for DNPs, NaN for inactives."""
    active = status == ACTIVE
    weights = roster.base_minutes[players] * rng.lognormal(0.0, 0.2, players.shape) * active
    team_minutes = REGULATION_MINUTES + 25.0 * overtime
    minutes = np.round(weights / weights.sum(axis=1, keepdims=True) * team_minutes[:, None], 1)
    return np.where(active, minutes, np.where(status == INACTIVE, np.nan, 0.0))


def _usage(players: np.ndarray, status: np.ndarray, roster: Roster, rng: np.random.Generator) -> np.ndarray:
    """Usage rate (percent) around the player's role; non-stars take on more when stars sit."""
    is_star = roster.is_star[players]
    stars_out = (is_star & (status != ACTIVE)).sum(axis=1, keepdims=True)
    usage = roster.base_usage[players] + rng.normal(0.0, USAGE_NOISE, players.shape)
    usage += USAGE_BUMP_PER_STAR_OUT * stars_out * ~is_star
    return np.where(status == ACTIVE, np.round(np.clip(usage, 5.0, 50.0), 1), np.nan)


def _attempts(
    players: np.ndarray,
    active: np.ndarray,
    minutes: np.ndarray,
    usage: np.ndarray,
    pace: np.ndarray,
    roster: Roster,
    rng: np.random.Generator,
) -> np.ndarray:
    """Field-goal attempts per zone: the team's shots shared by usage × minutes, split by profile."""
    team_attempts = FGA_PER_100_POSSESSIONS * pace / 100.0 * rng.lognormal(0.0, 0.05, len(pace))
    load = np.where(active, np.nan_to_num(usage) * np.nan_to_num(minutes), 0.0)
    total = rng.multinomial(np.round(team_attempts).astype(int), load / load.sum(axis=1, keepdims=True))
    split = rng.multinomial(total.ravel(), roster.zone_shares[players].reshape(-1, 3))
    return split.reshape(*players.shape, 3)


def _makes(
    attempts: np.ndarray,
    players: np.ndarray,
    opponents: np.ndarray,
    roster: Roster,
    rng: np.random.Generator,
) -> np.ndarray:
    """Made shots: zone base rate + shooter skill + the opponent's defense in that zone."""
    chance = BASE_FG_PCT + roster.shooting_skill[players] + roster.team_defense[opponents][:, None, :]
    return rng.binomial(attempts, np.clip(chance, 0.05, 0.95))


def _stacked(nights: list[Night], values: Callable[[Night], np.ndarray]) -> np.ndarray:
    return np.concatenate([values(night) for night in nights])


def _pgs_frame(nights: list[Night], season: int, roster: Roster) -> pd.DataFrame:
    players = _stacked(nights, lambda night: night.players.ravel())
    status = _stacked(nights, lambda night: night.status.ravel()).astype(str)
    rows_per_team = ROSTER_SIZE
    in_uniform = status != INACTIVE
    frame = pd.DataFrame(
        {
            "game_id": _stacked(nights, lambda night: np.repeat(night.game_ids, rows_per_team)),
            "game_date": _stacked(nights, lambda night: np.repeat(night.game_date, night.players.size)),
            "season": season,
            "player_lookup": roster.lookups[players],
            "universal_player_id": roster.players["universal_player_id"].to_numpy()[players],
            "team_abbr": _abbrs(_stacked(nights, lambda night: np.repeat(night.teams, rows_per_team))),
            "opponent_team_abbr": _abbrs(_stacked(nights, lambda night: np.repeat(night.opponents, rows_per_team))),
            "player_status": status,
            "minutes_played": _stacked(nights, lambda night: night.minutes.ravel()),
            "usage_rate": _stacked(nights, lambda night: night.usage.ravel()),
            "points": _counts(_stacked(nights, lambda night: night.points.ravel()), in_uniform),
        }
    )
    for index, zone in enumerate(ZONES):
        frame[f"fga_{zone}"] = _counts(np.concatenate([n.attempts[..., index].ravel() for n in nights]), in_uniform)
        frame[f"fgm_{zone}"] = _counts(np.concatenate([n.makes[..., index].ravel() for n in nights]), in_uniform)
    return frame[PGS_COLUMNS]


def _abbrs(teams: np.ndarray) -> np.ndarray:
    abbrs: np.ndarray = np.asarray(TEAM_ABBRS)[teams]
    return abbrs


def _counts(values: np.ndarray, known: np.ndarray) -> pd.arrays.IntegerArray:
    """Integer stats, NULL for players who were not in uniform."""
    return pd.arrays.IntegerArray(values.astype("int64"), mask=~known)


def _tgs_frame(nights: list[Night], season: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "game_id": _stacked(nights, lambda night: night.game_ids),
            "game_date": _stacked(nights, lambda night: np.repeat(night.game_date, len(night.teams))),
            "season": season,
            "team_abbr": _abbrs(_stacked(nights, lambda night: night.teams)),
            "opponent_team_abbr": _abbrs(_stacked(nights, lambda night: night.opponents)),
            "pace": _stacked(nights, lambda night: night.pace),
            "points": _stacked(nights, lambda night: _team_totals(night, night.points)),
        }
    )
    for index, zone in enumerate(ZONES):
        frame[f"opp_fga_{zone}"] = np.concatenate([_allowed(n, n.attempts[..., index]) for n in nights])
        frame[f"opp_fgm_{zone}"] = np.concatenate([_allowed(n, n.makes[..., index]) for n in nights])
    return frame[TGS_COLUMNS]


def _team_totals(night: Night, values: np.ndarray) -> np.ndarray:
    totals: np.ndarray = (values * (night.status == ACTIVE)).sum(axis=1)
    return totals


def _allowed(night: Night, values: np.ndarray) -> np.ndarray:
    """What each team row's opponent produced (away rows face the home rows and vice versa)."""
    return np.roll(_team_totals(night, values), len(night.teams) // 2)
