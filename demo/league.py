"""The whole demo league as DataFrames, one per input table: pure, seeded, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd

from demo.box_scores import simulate_box_scores
from demo.context import pre_game_context, upcg_targets
from demo.derived import player_shot_zones, team_defense_zones
from demo.incident import inject_incident
from demo.roster import build_roster
from demo.schedule import build_schedule

# Independent random streams, so one season's data does not depend on which others are built.
ROSTER_STREAM, SCHEDULE_STREAM, BOX_SCORE_STREAM, UPCG_STREAM, INCIDENT_STREAM = range(5)


def build_league(seasons: Sequence[int], seed: int) -> dict[str, pd.DataFrame]:
    """Frames keyed like warehouse.schemas.TABLES: schedule, players, pgs, tgs, upcg, psza, tdza."""
    roster = build_roster(np.random.default_rng([seed, ROSTER_STREAM]))
    schedules, box_scores, team_games = [], [], []
    for season in sorted(seasons):
        schedule = build_schedule(season, np.random.default_rng([seed, SCHEDULE_STREAM, season]))
        pgs, tgs = simulate_box_scores(schedule, roster, np.random.default_rng([seed, BOX_SCORE_STREAM, season]))
        schedules.append(schedule)
        box_scores.append(pgs)
        team_games.append(tgs)
    pgs, tgs = pd.concat(box_scores, ignore_index=True), pd.concat(team_games, ignore_index=True)
    return {
        "schedule": pd.concat(schedules, ignore_index=True),
        "players": roster.players,
        "pgs": pgs,
        "tgs": tgs,
        "upcg": pre_game_context(_upcg_targets(pgs, seed), pgs, tgs, roster.players),
        "psza": player_shot_zones(pgs),
        "tdza": team_defense_zones(tgs),
    }


def _upcg_targets(pgs: pd.DataFrame, seed: int) -> pd.DataFrame:
    per_season = [
        upcg_targets(season_rows, np.random.default_rng([seed, UPCG_STREAM, cast(int, season)]))
        for season, season_rows in pgs.groupby("season", sort=True)
    ]
    return inject_incident(pd.concat(per_season, ignore_index=True), np.random.default_rng([seed, INCIDENT_STREAM]))
