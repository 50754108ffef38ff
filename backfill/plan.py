"""Which dates a run touches: game dates from the schedule, bootstrap windows, ledger states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from backfill.ledger import current_states, wants_processing
from backfill.schedule import game_date_rows
from backfill.settings import DEFAULT_CHUNK_DAYS, RunSettings
from processors.calendar import season_of
from validation.inputs import calendar_season
from warehouse import Warehouse


@dataclass(frozen=True)
class Plan:
    calendar_days: list[date]
    game_dates: pd.DataFrame  # index game_date: season, games, scheduled, bootstrap, state
    to_process: list[date]
    to_skip: list[date]  # bootstrap dates recorded as skipped_bootstrap
    off_days: list[date]
    schedule_gap: str | None = None  # why an empty range is not just off-days (SPEC §6.7 schedule health)

    @property
    def already_done(self) -> int:
        return len(self.game_dates) - len(self.to_process) - len(self.to_skip)

    @property
    def selected(self) -> list[date]:
        return sorted(self.to_process + self.to_skip)


def game_dates(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """`game_date_rows` (the one reading of seasons, openers and bootstrap windows) as a frame by date."""
    rows = game_date_rows(wh, start, end)
    frame = pd.DataFrame(list(rows.values()), columns=["season", "games", "scheduled", "bootstrap"])
    frame.index = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(rows), dtype="object")), name="game_date")
    return frame.astype({"season": "int64", "games": "int64", "scheduled": "int64", "bootstrap": bool})


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
        schedule_gap=None if len(games) else schedule_gap(wh, days),
    )


SCHEDULED_DAYS_SQL = "SELECT game_date FROM {schedule} WHERE game_date BETWEEN @from AND @until GROUP BY game_date"
NEWEST_SQL = "SELECT MAX(game_date) AS newest FROM {schedule}"
SEASON_WINDOW = ((10, 15), (6, 30))  # where a season's games fall when the schedule knows nothing of it


def in_unknown_season_window(day: date, known: dict[int, tuple[date, date]]) -> bool:
    """A day the league would normally play on, in a season the schedule holds nothing of."""
    season = season_of(day)
    if season in known:  # the schedule knows this season: a day without games is a break or the off-season
        return False
    (open_month, open_day), (close_month, close_day) = SEASON_WINDOW
    return date(season, open_month, open_day) <= day <= date(season + 1, close_month, close_day)


def schedule_gap(wh: Warehouse, days: list[date]) -> str | None:
    """An empty range is off-days only if the schedule could have had games there; a range inside the
    window of a season the schedule does not know is a missing (or stale) schedule, not a quiet night."""
    first, last = days[0], days[-1]
    scheduled = wh.query(SCHEDULED_DAYS_SQL, {"from": date(season_of(first), 8, 1),
                                              "until": date(season_of(last) + 1, 7, 31)})["game_date"]  # fmt: skip
    seasons = pd.Series(scheduled.to_numpy(), index=calendar_season(scheduled).to_numpy())
    known = {int(season): (group.min().date(), group.max().date()) for season, group in seasons.groupby(level=0)}
    gaps = [day for day in days if in_unknown_season_window(day, known)]
    if not gaps:
        return None
    newest = wh.query(NEWEST_SQL)["newest"].iloc[0]
    newest_text = ("it holds no game at all" if pd.isna(newest)
                   else f"its newest game is on {pd.Timestamp(newest).date()}")  # fmt: skip
    return (f"upstream_missing schedule: no league game scheduled from {first} to {last}, inside the "
            f"{season_of(gaps[0])}-{str(season_of(gaps[0]) + 1)[2:]} season window; {newest_text}")  # fmt: skip


def chunk_dates(dates: list[date], chunk_days: int) -> list[list[date]]:
    """Consecutive groups of dates each spanning fewer than `chunk_days` calendar days."""
    chunks: list[list[date]] = []
    for day in sorted(dates):
        if chunks and (day - chunks[-1][0]).days < chunk_days:
            chunks[-1].append(day)
        else:
            chunks.append([day])
    return chunks


def compute_blocks(chunks: list[list[date]], days: int = DEFAULT_CHUNK_DAYS) -> list[list[list[date]]]:
    """Consecutive chunks computed together while they span fewer than `days` calendar days.

    A date's rows do not depend on which dates are computed with it, so small chunks pay the fixed
    cost of computing once per block rather than once per chunk; every chunk is still gated, published
    and verified on its own. Chunks of `days` or more are their own blocks."""
    blocks: list[list[list[date]]] = []
    for chunk in chunks:
        if blocks and (chunk[-1] - blocks[-1][0][0]).days < days:
            blocks[-1].append(chunk)
        else:
            blocks.append([chunk])
    return blocks
