"""The league's game dates as the schedule has them: final games per date, each date's season (from the schedule's
openers, not labels or months) and whether it falls in its season's bootstrap window. Plain rows, no pandas:
`status` and `validate` read these, and the planner (`backfill.pipeline.plan`) makes its frame of them."""

from __future__ import annotations

from datetime import date
from typing import Any

from processors.calendar import Calendar, calendar_of, read_schedule_days
from warehouse import Warehouse


def game_date_rows(wh: Warehouse, start: date, end: date) -> dict[date, dict[str, Any]]:
    """Per date of [start, end] with a scheduled league game: games (final), scheduled, season and bootstrap."""
    return league_dates(wh, start, end)[1]


def league_dates(wh: Warehouse, start: date, end: date) -> tuple[Calendar, dict[date, dict[str, Any]]]:
    """The calendar (from the whole schedule: one small read) and the game dates of [start, end]. Every league game
    counts whatever its status: a past game that never became final blocks its date instead of making it an
    off-day."""
    days = read_schedule_days(wh)
    calendar = calendar_of(days)
    dates: dict[date, dict[str, Any]] = {}
    for row in days:
        day = row["game_date"]
        if not start <= day <= end:
            continue
        counts = dates.setdefault(
            day,
            {"games": 0, "scheduled": 0, "season": calendar.season_of(day), "bootstrap": calendar.in_bootstrap(day)},
        )
        counts["games"] += int(row["games"] or 0)
        counts["scheduled"] += int(row["scheduled"] or 0)
    return calendar, dict(sorted(dates.items()))
