"""Teams and players: who is on which team, in which role, with which shooting profile.

Rosters are fixed for every season of the demo (players persist and age). Player i plays
for team i // ROSTER_SIZE; its slot (i % ROSTER_SIZE) orders the roster from star to deep
bench, which drives minutes, usage and who sits out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from demo.names import normalise_name, unique_names

TEAM_ABBRS = (
    "ATL",
    "BOS",
    "BKN",
    "CHA",
    "CHI",
    "CLE",
    "DAL",
    "DEN",
    "DET",
    "GSW",
    "HOU",
    "IND",
    "LAC",
    "LAL",
    "MEM",
    "MIA",
    "MIL",
    "MIN",
    "NOP",
    "NYK",
    "OKC",
    "ORL",
    "PHI",
    "PHX",
    "POR",
    "SAC",
    "SAS",
    "TOR",
    "UTA",
    "WAS",
)
ROSTER_SIZE = 15
# Minutes a player in each roster slot gets on an ordinary night, before scaling to 240.
BASE_MINUTES = np.array([35, 33, 32, 30, 29, 22, 19, 16, 13, 9, 6, 5, 4, 3, 3], dtype=float)
# Usage-rate ranges (percent) by slot; slot 1 is a second star on about half the teams.
USAGE_RANGES = (
    [(29.0, 33.0), (20.0, 25.0)] + [(19.0, 24.0)] * 3 + [(16.0, 21.0)] * 4 + [(14.0, 19.0)] * 3 + [(12.0, 17.0)] * 3
)
SECOND_STAR_USAGE = (28.5, 31.5)
SECOND_STAR_SHARE = 0.5
# Field-goal-attempt shares (paint, mid-range, three) of each shooting profile.
SHOT_PROFILES = {
    "paint": (0.58, 0.14, 0.28),
    "perimeter": (0.24, 0.12, 0.64),
    "mid_range": (0.30, 0.42, 0.28),
    "balanced": (0.36, 0.26, 0.38),
}
PROFILE_WEIGHTS = (0.3, 0.3, 0.15, 0.25)
AGE_REFERENCE = date(2022, 10, 18)
AGES = np.arange(20, 39)
PLAYERS_WITHOUT_BIRTH_DATE = 3


@dataclass(frozen=True)
class Roster:
    """The league's players (the `players` table) and the traits that drive their games."""

    players: pd.DataFrame
    is_star: np.ndarray
    base_usage: np.ndarray
    base_minutes: np.ndarray
    zone_shares: np.ndarray  # (players, 3): paint, mid-range, three
    shooting_skill: np.ndarray  # (players, 3): FG% offset per zone
    team_pace: np.ndarray  # (teams,)
    team_defense: np.ndarray  # (teams, 3): FG% allowed offset per zone

    @property
    def lookups(self) -> np.ndarray:
        return self.players["player_lookup"].to_numpy()


def build_roster(rng: np.random.Generator) -> Roster:
    count = len(TEAM_ABBRS) * ROSTER_SIZE
    slots = np.tile(np.arange(ROSTER_SIZE), len(TEAM_ABBRS))
    second_star = (slots == 1) & (rng.random(count) < SECOND_STAR_SHARE)
    profile = rng.choice(list(SHOT_PROFILES), size=count, p=PROFILE_WEIGHTS)
    return Roster(
        players=_players_table(unique_names(count, rng), rng),
        is_star=(slots == 0) | second_star,
        base_usage=_base_usage(slots, second_star, rng),
        base_minutes=BASE_MINUTES[slots] * rng.uniform(0.9, 1.1, count),
        zone_shares=_zone_shares(profile, rng),
        shooting_skill=rng.normal(0.0, 0.025, (count, 3)),
        team_pace=np.clip(rng.normal(100.0, 2.2, len(TEAM_ABBRS)), 96.0, 104.0),
        team_defense=rng.normal(0.0, 0.025, (len(TEAM_ABBRS), 3)),
    )


def _players_table(names: list[str], rng: np.random.Generator) -> pd.DataFrame:
    lookups = [normalise_name(name) for name in names]
    return pd.DataFrame(
        {
            "player_lookup": lookups,
            "universal_player_id": [f"{lookup}_001" for lookup in lookups],
            "player_name": names,
            "birth_date": _birth_dates(len(names), rng),
        }
    )


def _birth_dates(count: int, rng: np.random.Generator) -> pd.Series:
    """Ages 20-38 at the 2022-23 opener, most in the mid-twenties, a few veterans over 35;
    a few players have no birth date at all."""
    weights = np.exp(-((AGES - 25.0) ** 2) / (2 * 4.5**2)) + 0.04
    ages = rng.choice(AGES, size=count, p=weights / weights.sum())
    days_old = (ages * 365.25 + rng.integers(0, 365, size=count)).astype(int)
    births = pd.Series(pd.Timestamp(AGE_REFERENCE) - pd.to_timedelta(days_old, unit="D"))
    # No 29 February birthdays: "whole years" on 28 February of a common year is ambiguous.
    leap_day = (births.dt.month == 2) & (births.dt.day == 29)
    births[leap_day] -= pd.Timedelta(days=1)
    unknown = rng.choice(np.arange(ROSTER_SIZE // 2, count, ROSTER_SIZE), PLAYERS_WITHOUT_BIRTH_DATE, replace=False)
    return births.mask(np.isin(np.arange(count), unknown))


def _base_usage(slots: np.ndarray, second_star: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    low = np.array([USAGE_RANGES[slot][0] for slot in slots])
    high = np.array([USAGE_RANGES[slot][1] for slot in slots])
    low[second_star], high[second_star] = SECOND_STAR_USAGE
    usage: np.ndarray = rng.uniform(low, high)
    return usage


def _zone_shares(profile: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each player's own zone mix: his profile's shares with a little individual variation."""
    centres = np.array([SHOT_PROFILES[name] for name in profile])
    jitter = rng.gamma(centres * 80.0)
    shares: np.ndarray = jitter / jitter.sum(axis=1, keepdims=True)
    return shares
