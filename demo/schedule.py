"""The regular-season schedule: every team plays 82 games, never twice a day, never three
days running, with 10-20 back-to-backs.

Built in two steps: decide which teams play on each date (a greedy pass that keeps every
team on pace for 82 games), then pair the teams of each date, preferring opponents they
have met least.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from demo.roster import TEAM_ABBRS
from demo.seasons import candidate_dates

GAMES_PER_TEAM = 82
BACK_TO_BACKS = (10, 20)
TARGET_BACK_TO_BACKS = 14
ATTEMPTS = 40
# Relative number of games by weekday, Monday first: busy Wednesdays and Fridays.
WEEKDAY_WEIGHTS = np.array([1.0, 1.05, 1.15, 0.85, 1.1, 1.05, 0.9])
# Capacity only binds near the end of a season; earlier every team has ample slack.
CAPACITY_HORIZON = 45


class ScheduleError(RuntimeError):
    """No valid schedule was found (should not happen for the supported seasons)."""


@dataclass
class _TeamState:
    """Where every team stands while the season's play days are being assigned."""

    teams: int
    remaining: np.ndarray = field(init=False)
    back_to_backs: np.ndarray = field(init=False)
    last_played: np.ndarray = field(init=False)
    played_before_last: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        never = -(10**6)
        self.remaining = np.full(self.teams, GAMES_PER_TEAM)
        self.back_to_backs = np.zeros(self.teams, dtype=int)
        self.last_played = np.full(self.teams, never)
        self.played_before_last = np.full(self.teams, never)

    def record(self, chosen: np.ndarray, day: int) -> None:
        self.back_to_backs[chosen] += self.last_played[chosen] == day - 1
        self.played_before_last[chosen] = self.last_played[chosen]
        self.last_played[chosen] = day
        self.remaining[chosen] -= 1


def build_schedule(season: int, rng: np.random.Generator) -> pd.DataFrame:
    """The season's games as schedule rows (SPEC §2.1), ordered by date and game_id."""
    dates = candidate_dates(season)
    for _ in range(ATTEMPTS):
        play_days = _assign_play_days(dates, rng)
        if play_days is not None:
            return _schedule_frame(season, dates, _pair_teams_by_date(play_days, rng))
    raise ScheduleError(f"no valid {season} schedule found in {ATTEMPTS} attempts")


def _assign_play_days(dates: list[date], rng: np.random.Generator) -> np.ndarray | None:
    """A dates × teams boolean matrix of who plays when, or None when the greedy pass fails."""
    ordinals = np.array([day.toordinal() for day in dates])
    weekday = np.array([day.weekday() for day in dates])
    weights = WEEKDAY_WEIGHTS[weekday] * rng.lognormal(0.0, 0.15, len(dates))
    state = _TeamState(len(TEAM_ABBRS))
    plays = np.zeros((len(dates), len(TEAM_ABBRS)), dtype=bool)
    for index, day in enumerate(ordinals):
        target = _teams_wanted(state, weights[index:], is_last=index == len(dates) - 1)
        capacity = _capacity(state, ordinals[index:])
        chosen = _choose_teams(state, day, target, capacity, index / len(dates), rng)
        if chosen is None:
            return None
        plays[index, chosen] = True
        state.record(chosen, day)
    low, high = BACK_TO_BACKS
    balanced = (state.back_to_backs >= low) & (state.back_to_backs <= high)
    return plays if not state.remaining.any() and balanced.all() else None


def _teams_wanted(state: _TeamState, weights_left: np.ndarray, *, is_last: bool) -> int:
    """How many teams should play today: the remaining load spread over the remaining dates."""
    team_games_left = int(state.remaining.sum())
    if is_last:
        return team_games_left
    share = weights_left[0] / weights_left.mean()
    wanted = 2 * round(team_games_left / len(weights_left) * share / 2)
    return int(np.clip(wanted, 8, min(24, team_games_left)))


def _capacity(state: _TeamState, ordinals_left: np.ndarray) -> np.ndarray:
    """Most games each team can still play: on every remaining date unless it would be its
    third day running (playing as early as possible is optimal)."""
    if len(ordinals_left) > CAPACITY_HORIZON:
        return np.full(state.teams, len(ordinals_left))
    last, before_last = state.last_played.copy(), state.played_before_last.copy()
    games = np.zeros(state.teams, dtype=int)
    for day in ordinals_left:
        can_play = ~((last == day - 1) & (before_last == day - 2))
        games += can_play
        before_last = np.where(can_play, last, before_last)
        last = np.where(can_play, day, last)
    return games


def _choose_teams(
    state: _TeamState,
    day: int,
    target: int,
    capacity: np.ndarray,
    progress: float,
    rng: np.random.Generator,
) -> np.ndarray | None:
    """The teams playing today: forced ones first, then those furthest behind their pace."""
    played_yesterday = state.last_played == day - 1
    third_day_running = played_yesterday & (state.played_before_last == day - 2)
    too_many_b2b = played_yesterday & (state.back_to_backs >= BACK_TO_BACKS[1])
    eligible = (state.remaining > 0) & ~third_day_running & ~too_many_b2b
    forced = eligible & (state.remaining >= capacity)
    if ((state.remaining > capacity) & ~eligible).any():
        return None
    b2b_behind = TARGET_BACK_TO_BACKS * progress - state.back_to_backs
    score = (
        state.remaining / max(capacity.max(), 1)
        - played_yesterday * (0.12 - 0.06 * np.clip(b2b_behind, -3, 3))
        + rng.normal(0.0, 0.04, state.teams)
        + forced * 100.0
    )
    score[~eligible] = -np.inf
    count = min(target, int(eligible.sum()))
    count -= count % 2
    if count < forced.sum():
        count = int(forced.sum()) + int(forced.sum()) % 2
    if count > eligible.sum() or count == 0:
        return None
    return np.sort(np.argsort(-score, kind="stable")[:count])


def _pair_teams_by_date(plays: np.ndarray, rng: np.random.Generator) -> list[list[tuple[int, int]]]:
    """(away, home) team indexes per date, spreading head-to-head meetings and home games."""
    teams = plays.shape[1]
    meetings = np.zeros((teams, teams), dtype=int)
    home_games = np.zeros(teams, dtype=int)
    games_by_date = []
    for playing in plays:
        unpaired = list(rng.permutation(np.flatnonzero(playing)))
        games = []
        while unpaired:
            team = unpaired.pop(0)
            partners = np.array(unpaired)
            cost = meetings[team, partners] + rng.random(len(partners)) * 0.5
            partner = int(partners[np.argmin(cost)])
            unpaired.remove(partner)
            meetings[team, partner] += 1
            meetings[partner, team] += 1
            games.append(_home_and_away(team, partner, home_games, rng))
        games_by_date.append(games)
    return games_by_date


def _home_and_away(team: int, partner: int, home_games: np.ndarray, rng: np.random.Generator) -> tuple[int, int]:
    """(away, home): the team with fewer home games so far hosts."""
    if home_games[team] == home_games[partner]:
        home = team if rng.random() < 0.5 else partner
    else:
        home = team if home_games[team] < home_games[partner] else partner
    home_games[home] += 1
    return (partner if home == team else team), home


def _schedule_frame(season: int, dates: list[date], games_by_date: list[list[tuple[int, int]]]) -> pd.DataFrame:
    rows = [
        (day, TEAM_ABBRS[away], TEAM_ABBRS[home])
        for day, games in zip(dates, games_by_date, strict=True)
        for away, home in games
    ]
    frame = pd.DataFrame(rows, columns=["game_date", "away_team_abbr", "home_team_abbr"])
    frame["game_id"] = (
        frame["game_date"].map(lambda day: day.strftime("%Y%m%d"))
        + "_"
        + frame["away_team_abbr"]
        + "_"
        + frame["home_team_abbr"]
    )
    frame["game_date"] = pd.to_datetime(frame["game_date"])
    frame["season"] = season
    frame["game_type"] = "regular"
    frame["game_status"] = 3
    columns = ["game_id", "game_date", "season", "game_type", "home_team_abbr", "away_team_abbr", "game_status"]
    return frame[columns].sort_values(["game_date", "game_id"], ignore_index=True)
