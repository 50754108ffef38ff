"""A run's input rows, read once per season and sliced per chunk.

The season-to-date definitions need every chunk's box scores from its season's start. Read per
chunk, small chunks re-read the season again and again; read once per season (as far as the run
goes) and sliced, chunk size stops changing how much is read. A slice holds exactly the rows a
query over the chunk's own range would return, so a date's rows never depend on the chunking.

One `SeasonInputs` per run (threads share it: loading is serialised), passed down explicitly.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from league.calendar import Calendar, Season, read_calendar
from warehouse import Warehouse
from warehouse.base import Params
from warehouse.schemas import TABLES

PGS_COLUMNS = (
    "game_id, game_date, season, player_lookup, universal_player_id, team_abbr, opponent_team_abbr, "
    "player_status, minutes_played, usage_rate, points, fga_paint, fga_mid, fga_three"
)
# points: the box score adds up; opp_*: the zone tables are checked against the shots each team allowed
TGS_COLUMNS = (
    "game_id, game_date, season, team_abbr, opponent_team_abbr, pace, points, opp_fga_paint, opp_fgm_paint, "
    "opp_fga_mid, opp_fgm_mid, opp_fga_three, opp_fgm_three"
)

SCHEDULE_COLUMNS = "game_id, game_date, game_type, home_team_abbr, away_team_abbr, game_status"
PLAYERS_SQL = "SELECT player_lookup, universal_player_id, birth_date FROM {players}"


def contract_columns(key: str) -> str:
    """Every column SPEC §2 gives an input, named: an upstream table's own extra columns are never read (nor
    billed)."""
    return ", ".join(TABLES[key].column_names)


Read = tuple[str, Params | None]  # a SELECT and its parameters


@dataclass(frozen=True)
class InputRead:
    """One input table as the processor reads it: which columns, dated by which column, and whether
    a chunk needs it from the season's start (history) or only on the chunk's own dates."""

    key: str
    columns: str
    date_column: str
    history: bool


INPUT_READS = (
    InputRead("schedule", SCHEDULE_COLUMNS, "game_date", history=True),  # who should have box scores
    InputRead("pgs", PGS_COLUMNS, "game_date", history=True),
    InputRead("tgs", TGS_COLUMNS, "game_date", history=True),
    InputRead("upcg", contract_columns("upcg"), "game_date", history=False),
    InputRead("psza", contract_columns("psza"), "analysis_date", history=False),
    InputRead("tdza", contract_columns("tdza"), "analysis_date", history=False),
)


class SeasonInputs:
    """Input rows for game dates in [first, last]: the players table and the calendar once, each table once per
    season (a season's dates are the calendar's: from its first game to the day before the next season's)."""

    def __init__(self, first: date, last: date, calendar: Calendar | None = None) -> None:
        self.first, self.last = first, last
        self._calendar = calendar
        self._players: pd.DataFrame | None = None
        self._seasons: dict[int, dict[str, pd.DataFrame]] = {}
        self._lock = threading.Lock()

    def calendar(self, wh: Warehouse) -> Calendar:
        with self._lock:
            if self._calendar is None:
                self._calendar = read_calendar(wh)
            return self._calendar

    def players(self, wh: Warehouse) -> pd.DataFrame:
        with self._lock:
            if self._players is None:
                self._players = wh.query(PLAYERS_SQL)
            return self._players

    def frames(self, wh: Warehouse, start: date, end: date) -> dict[str, pd.DataFrame]:
        """Each table's rows a chunk [start, end] needs, as `INPUT_READS` describes them."""
        if start < self.first or end > self.last:
            raise ValueError(f"chunk {start}..{end} is outside the run's dates {self.first}..{self.last}")
        calendar = self.calendar(wh)
        seasons = calendar.seasons_between(start, end)
        if not seasons:  # no league game on or before the chunk: nothing of it has a season or a history
            raise ValueError(f"chunk {start}..{end} precedes every season of the schedule")
        whole = [self._season(wh, calendar, season)[0] for season in seasons]
        sliced = {}
        for read in INPUT_READS:
            frame = (
                pd.concat([tables[read.key] for tables in whole], ignore_index=True)
                if len(whole) > 1
                else whole[0][read.key]
            )
            since = calendar.history_start(start) if read.history else start
            sliced[read.key] = rows_between(frame, read.date_column, pd.Timestamp(since), pd.Timestamp(end))
        return sliced

    def read_season_with(self, wh: Warehouse, season: Season, also: Mapping[str, Read]) -> dict[str, pd.DataFrame]:
        """Read `season`'s inputs now, together with `also` (reads of the same moment: one job on BigQuery);
        returns the frames of `also`. A season already read only reads `also`."""
        return self._season(wh, self.calendar(wh), season, also)[1]

    def _season(
        self, wh: Warehouse, calendar: Calendar, season: Season, also: Mapping[str, Read] | None = None
    ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        with self._lock:
            for older in [kept for kept in self._seasons if kept < season.season]:  # chunks come in date order
                del self._seasons[older]
            if season.season in self._seasons:
                return self._seasons[season.season], wh.query_many(also) if also else {}
            reads: dict[str, Read] = {key: (sql, params) for key, sql, params in self.season_reads(calendar, season)}
            if self._players is None:  # the first season read brings the players along
                reads["players"] = (PLAYERS_SQL, None)
            frames = wh.query_many({**reads, **(also or {})})
            if "players" in reads:
                self._players = frames["players"]
            self._seasons[season.season] = {read.key: frames[read.key] for read in INPUT_READS}
            return self._seasons[season.season], {name: frames[name] for name in also or {}}

    def season_reads(self, calendar: Calendar, season: Season) -> list[tuple[str, str, dict[str, date]]]:
        """What reading one season's inputs sends: (table key, SQL, parameters) per input table."""
        history_from, season_end = calendar.span(season)
        last = min(season_end, self.last) if season_end else self.last
        window = {"from": max(history_from, self.first), "end": last}
        history = {"from": history_from, "end": last}
        return [
            (
                read.key,
                f"SELECT {read.columns} FROM {{{read.key}}} WHERE {read.date_column} BETWEEN @from AND @end",
                history if read.history else window,
            )
            for read in INPUT_READS
        ]

    def estimated_bytes(self, wh: Warehouse) -> int | None:
        """What reading every season's inputs would process, as the warehouse estimates it without reading
        (BigQuery: dry-run jobs); None where it cannot (DuckDB)."""
        calendar = self.calendar(wh)
        estimates = [
            wh.estimate_bytes(sql, params)
            for season in calendar.seasons_between(self.first, self.last)
            for _, sql, params in self.season_reads(calendar, season)
        ]
        return None if not estimates or None in estimates else sum(e for e in estimates if e is not None)


def rows_between(frame: pd.DataFrame, column: str, since: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The rows dated in [since, end], in the order they were read. Rows read in date order (DuckDB returns
    a table loaded day by day in that order) are one contiguous run: sliced, not copied."""
    dated = frame[column]
    if dated.is_monotonic_increasing:
        first, after = dated.searchsorted(since, side="left"), dated.searchsorted(end, side="right")
        return frame.iloc[first:after].reset_index(drop=True)
    return frame[(dated >= since) & (dated <= end)].reset_index(drop=True)
