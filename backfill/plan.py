"""Which dates a run touches: game dates from the schedule, bootstrap windows, ledger states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from backfill.ledger import current_states, wants_processing
from backfill.settings import RunSettings
from processors.calendar import season_history_start
from warehouse import Warehouse

BOOTSTRAP_DAYS = 14  # days 0–13 of a season lack the history the factors need

GAME_DATES_SQL = """
WITH per_date AS (
  SELECT game_date, season,
         SUM(CASE WHEN game_status = 3 AND game_type IN ('regular', 'playoff') THEN 1 ELSE 0 END) AS games
  FROM {schedule} WHERE game_date BETWEEN @from AND @end GROUP BY game_date, season
), openers AS (
  SELECT season, MIN(game_date) AS opener
  FROM {schedule} WHERE game_date BETWEEN @from AND @end AND game_type = 'regular' GROUP BY season
)
SELECT per_date.game_date, per_date.season, per_date.games, openers.opener
FROM per_date LEFT JOIN openers ON openers.season = per_date.season
WHERE per_date.game_date >= @start AND per_date.games > 0
"""


@dataclass(frozen=True)
class Plan:
    calendar_days: list[date]
    game_dates: pd.DataFrame  # index game_date: games, season, opener, bootstrap, state
    to_process: list[date]
    to_skip: list[date]  # bootstrap dates recorded as skipped_bootstrap
    off_days: list[date]

    @property
    def already_done(self) -> int:
        return len(self.game_dates) - len(self.to_process) - len(self.to_skip)

    @property
    def selected(self) -> list[date]:
        return sorted(self.to_process + self.to_skip)


def game_dates(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """Dates with a final game, their season and whether they fall in the bootstrap window."""
    params = {"from": season_history_start(start), "start": start, "end": end}
    rows = wh.query(GAME_DATES_SQL, params)
    games = rows.groupby("game_date").agg(season=("season", "max"), games=("games", "sum"), opener=("opener", "min"))
    age = (games.index.to_series() - pd.to_datetime(games["opener"])).dt.days
    games["bootstrap"] = age.between(0, BOOTSTRAP_DAYS - 1).astype(bool)
    return games.astype({"games": "int64"})


def make_plan(wh: Warehouse, settings: RunSettings) -> Plan:
    days = settings.calendar_days()
    start, end = days[0], days[-1]
    games = game_dates(wh, start, end)
    games = games[games.index.isin(pd.to_datetime(pd.Series(days, dtype="object")))]
    states = current_states(wh, start, end)["status"]
    games["state"] = games.index.map(states).astype("object")
    games["state"] = games["state"].where(games["state"].notna(), None)
    selected = pd.Series([wants_processing(state, settings.rerun) for state in games["state"]], dtype=bool)
    chosen = games[selected.to_numpy()]
    as_dates = lambda index: [ts.date() for ts in index]  # noqa: E731
    return Plan(
        calendar_days=days,
        game_dates=games,
        to_process=as_dates(chosen.index[~chosen["bootstrap"]]),
        to_skip=as_dates(chosen.index[chosen["bootstrap"]]),
        off_days=sorted(set(days) - set(as_dates(games.index))),
    )


def chunk_dates(dates: list[date], chunk_days: int) -> list[list[date]]:
    """Consecutive groups of dates each spanning fewer than `chunk_days` calendar days."""
    chunks: list[list[date]] = []
    for day in sorted(dates):
        if chunks and (day - chunks[-1][0]).days < chunk_days:
            chunks[-1].append(day)
        else:
            chunks.append([day])
    return chunks
