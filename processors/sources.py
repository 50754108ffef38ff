"""Reading what a range of game dates needs: each table's rows for the range, from the run's per-season reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from league.calendar import Calendar
from processors.season_inputs import SeasonInputs
from warehouse import Warehouse


@dataclass(frozen=True)
class SourceFrames:
    """Inputs for game dates [start, end]; `pgs` and `tgs` reach back to the season's start."""

    start: date
    end: date
    calendar: Calendar  # the seasons of the schedule: a row's season comes from its date
    players: pd.DataFrame
    schedule: pd.DataFrame  # every game from the season's start: who should have box scores
    pgs: pd.DataFrame
    tgs: pd.DataFrame
    upcg: pd.DataFrame
    psza: pd.DataFrame
    tdza: pd.DataFrame


def read_sources(wh: Warehouse, start: date, end: date, inputs: SeasonInputs | None = None) -> SourceFrames:
    """Inputs for game dates [start, end], sliced from `inputs` (the run's per-season reads) when given."""
    inputs = inputs or SeasonInputs(start, end)
    frames = inputs.frames(wh, start, end)
    return SourceFrames(
        start=start,
        end=end,
        calendar=inputs.calendar(wh),
        players=settled(inputs.players(wh), ["player_lookup"]),
        schedule=settled(frames["schedule"], ["game_id"]),
        pgs=settled(frames["pgs"], ["game_date", "player_lookup"]),
        tgs=settled(frames["tgs"], ["game_date", "team_abbr"]),
        upcg=settled(frames["upcg"], ["game_date", "player_lookup"]),
        psza=settled(frames["psza"], ["analysis_date", "player_lookup"]),
        tdza=settled(frames["tdza"], ["analysis_date", "team_abbr"]),
    )


def settled(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows in an order fixed by their values when a key repeats (a data error), so whichever
    duplicate later steps keep never depends on the order the warehouse returned them in."""
    if not frame.duplicated(keys).any():
        return frame
    return frame.sort_values(list(frame.columns), na_position="last", kind="stable").reset_index(drop=True)
