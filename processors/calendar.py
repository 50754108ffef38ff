"""Season arithmetic shared by the sources and the planner."""

from __future__ import annotations

from datetime import date, timedelta

SEASON_START_MONTH = 8  # a season's box scores never precede August of its start year


def season_of(day: date) -> int:
    """NBA seasons start in autumn: 2023-02-23 belongs to season 2022 (2022-23)."""
    return day.year if day.month >= SEASON_START_MONTH else day.year - 1


def season_history_start(day: date) -> date:
    """Earliest date whose box scores can matter for `day` (season-to-date values)."""
    return date(season_of(day), SEASON_START_MONTH, 1)


def season_days(season: int) -> tuple[date, date]:
    """The first and last day a season's rows can fall on."""
    return date(season, SEASON_START_MONTH, 1), date(season + 1, SEASON_START_MONTH, 1) - timedelta(days=1)
