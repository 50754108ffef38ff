"""Reading what a range of game dates needs: one query per table for the whole range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from processors.calendar import season_history_start
from warehouse import Warehouse


@dataclass(frozen=True)
class SourceFrames:
    """Inputs for game dates [start, end]; `pgs` and `tgs` reach back to the season's start."""

    start: date
    end: date
    players: pd.DataFrame
    schedule: pd.DataFrame  # every game from the season's start: who should have box scores
    pgs: pd.DataFrame
    tgs: pd.DataFrame
    upcg: pd.DataFrame
    psza: pd.DataFrame
    tdza: pd.DataFrame


PGS_COLUMNS = (
    "game_id, game_date, season, player_lookup, universal_player_id, team_abbr, opponent_team_abbr, "
    "player_status, minutes_played, usage_rate"
)


SCHEDULE_COLUMNS = "game_id, game_date, game_type, home_team_abbr, away_team_abbr, game_status"


def read_sources(wh: Warehouse, start: date, end: date) -> SourceFrames:
    history = {"from": season_history_start(start), "end": end}
    window = {"start": start, "end": end}
    read = wh.query
    return SourceFrames(
        start=start,
        end=end,
        players=settled(read("SELECT player_lookup, birth_date FROM {players}"), ["player_lookup"]),
        schedule=settled(read(f"SELECT {SCHEDULE_COLUMNS} FROM {{schedule}} WHERE game_date BETWEEN @from AND @end",
                              history), ["game_id"]),
        pgs=settled(read(f"SELECT {PGS_COLUMNS} FROM {{pgs}} WHERE game_date BETWEEN @from AND @end", history),
                    ["game_date", "player_lookup"]),
        tgs=settled(read("SELECT game_date, season, team_abbr, pace FROM {tgs} WHERE game_date BETWEEN @from AND @end",
                         history), ["game_date", "team_abbr"]),
        upcg=settled(read("SELECT * FROM {upcg} WHERE game_date BETWEEN @start AND @end", window),
                     ["game_date", "player_lookup"]),
        psza=settled(read("SELECT * FROM {psza} WHERE analysis_date BETWEEN @start AND @end", window),
                     ["analysis_date", "player_lookup"]),
        tdza=settled(read("SELECT * FROM {tdza} WHERE analysis_date BETWEEN @start AND @end", window),
                     ["analysis_date", "team_abbr"]),
    )  # fmt: skip


def settled(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows in an order fixed by their values when a key repeats (a data error), so whichever
    duplicate later steps keep never depends on the order the warehouse returned them in."""
    if not frame.duplicated(keys).any():
        return frame
    return frame.sort_values(list(frame.columns), na_position="last", kind="stable").reset_index(drop=True)
