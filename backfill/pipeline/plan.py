"""Which dates a run touches: game dates from the schedule, bootstrap windows, ledger states."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from backfill.pipeline.input_checks import check_inputs
from backfill.pipeline.ledger import current_states, wants_processing
from backfill.settings import DEFAULT_CHUNK_DAYS, RunSettings
from league.calendar import Calendar, calendar_of, league_dates
from league.games import read_schedule_days
from vocabulary import InputState
from warehouse import Warehouse


@dataclass(frozen=True)
class Plan:
    calendar_days: list[date]
    game_dates: pd.DataFrame  # index game_date: season, games, scheduled, bootstrap, state
    to_process: list[date]
    to_skip: list[date]  # bootstrap dates recorded as skipped_bootstrap
    off_days: list[date]
    schedule_gap: str | None = None  # seasons of the range the schedule is missing (SPEC §6.7 schedule health)
    calendar: Calendar = Calendar()  # the schedule's seasons
    stale: dict[date, str] = field(default_factory=dict)  # `--rerun stale`: published dates whose inputs changed, why

    @property
    def already_done(self) -> int:
        return len(self.game_dates) - len(self.to_process) - len(self.to_skip)

    @property
    def already_done_dates(self) -> list[date]:
        waiting = set(self.to_process) | set(self.to_skip)
        return [ts.date() for ts in self.game_dates.index if ts.date() not in waiting]

    @property
    def unscheduled_days(self) -> list[date]:
        """The days the schedule gap is about: in a season's window, and not one game scheduled in that season."""
        return [day for day in self.off_days if self.calendar.unscheduled_season(day)]

    @property
    def selected(self) -> list[date]:
        return sorted(self.to_process + self.to_skip)


def game_dates(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """`league_dates` (the one reading of seasons, openers and bootstrap windows) as a frame by date."""
    return dates_frame(league_dates(wh, start, end)[1])


def dates_frame(rows: dict[date, dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows.values()), columns=["season", "games", "scheduled", "bootstrap"])
    frame.index = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(rows), dtype="object")), name="game_date")
    return frame.astype({"season": "int64", "games": "int64", "scheduled": "int64", "bootstrap": bool})


def stale_dates(wh: Warehouse, start: date, end: date) -> dict[date, str]:
    """Published dates whose inputs (or calculation_version) changed since they were computed (SPEC §6.10), each
    with what changed."""
    return {
        day: str(check.reason) for day, check in check_inputs(wh, start, end).items() if check.state == InputState.STALE
    }


def plan_run(wh: Warehouse, settings: RunSettings) -> tuple[RunSettings, Plan]:
    """The run's range (`season_so_far`) and its plan, on one read of the schedule (one BigQuery job)."""
    schedule = read_schedule_days(wh)
    settings = season_so_far(calendar_of(schedule), settings)
    return settings, make_plan(wh, settings, schedule)


def season_so_far(calendar: Calendar, settings: RunSettings) -> RunSettings:
    """A catch-up's range, reaching back to the first game of the season it covers: a date of the season never
    published (or stale) stays in the nightly run however old it is. A season whose last game is before the window
    is over: the window alone is looked at."""
    season = calendar.season_at(settings.end) if settings.season_so_far else None
    if season is None or season.last_game < settings.start:
        return settings
    return replace(settings, start=min(settings.start, season.first_game))


def make_plan(wh: Warehouse, settings: RunSettings, schedule: list[dict[str, Any]] | None = None) -> Plan:
    """`schedule`: the schedule's league days, when the caller read them already."""
    days = settings.calendar_days()
    start, end = days[0], days[-1]
    calendar, rows = league_dates(wh, start, end, schedule)
    games = dates_frame(rows)
    games = games[games.index.isin(pd.to_datetime(pd.Series(days, dtype="object")))]
    states = current_states(wh, start, end)["status"]
    games["state"] = games.index.map(states.to_dict()).astype("object")
    games["state"] = games["state"].where(games["state"].notna(), None)
    stale = stale_dates(wh, start, end) if settings.rerun == "stale" else {}
    selected = pd.Series(
        [
            wants_processing(state, settings.rerun, ts.date() in stale)
            for ts, state in zip(games.index, games["state"], strict=True)
        ],
        dtype=bool,
    )
    chosen = games[selected.to_numpy()]

    def as_dates(index: pd.Index) -> list[date]:
        return [ts.date() for ts in pd.DatetimeIndex(index)]

    return Plan(
        calendar_days=days,
        game_dates=games,
        to_process=as_dates(chosen.index[~chosen["bootstrap"]]),
        to_skip=as_dates(chosen.index[chosen["bootstrap"]]),
        off_days=sorted(set(days) - set(as_dates(games.index))),
        schedule_gap=schedule_gap(wh, days, calendar),
        calendar=calendar,
        stale={day: why for day, why in stale.items() if pd.Timestamp(day) in games.index},
    )


NEWEST_SQL = "SELECT MAX(game_date) AS newest FROM {schedule}"


def schedule_gap(wh: Warehouse, days: list[date], calendar: Calendar) -> str | None:
    """Days of the range are off-days only if the schedule could have had games there: days inside the window of a
    season the schedule knows nothing of are a missing (or stale) schedule, not quiet nights. Checked season by
    season, so a range that crosses a missing season names it even when the seasons around it have games."""
    missing: dict[str, list[date]] = {}
    for day in days:
        season = calendar.unscheduled_season(day)
        if season:
            missing.setdefault(season, []).append(day)
    if not missing:
        return None
    newest = wh.query(NEWEST_SQL)["newest"].iloc[0]
    newest_text = (
        "it holds no game at all" if pd.isna(newest) else f"its newest game is on {pd.Timestamp(newest).date()}"
    )
    seasons = "; ".join(f"the {season} season window from {gap[0]} to {gap[-1]}" for season, gap in missing.items())
    return f"upstream_missing schedule: no league game scheduled in {seasons}; {newest_text}"


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
