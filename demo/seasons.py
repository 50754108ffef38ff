"""The demo league's calendar: which seasons exist, when they open, break and end."""

from __future__ import annotations

import re
from datetime import date, timedelta

from warehouse.errors import BadInput

FIRST_SEASON, LAST_SEASON = 2000, 2025
SUPPORTED_SEASONS = range(FIRST_SEASON, LAST_SEASON + 1)
# The real calendars SPEC §9 names. Every other season follows their pattern (see below),
# which reproduces these four exactly.
SEASON_OPENERS = {
    2021: date(2021, 10, 19),
    2022: date(2022, 10, 18),
    2023: date(2023, 10, 24),
    2024: date(2024, 10, 22),
}
SEASON_ENDS = {
    2021: date(2022, 4, 10),
    2022: date(2023, 4, 9),
    2023: date(2024, 4, 14),
    2024: date(2025, 4, 13),
}
# First day of each six-day All-Star break (no games on these days).
ALL_STAR_BREAKS = {
    2021: date(2022, 2, 18),
    2022: date(2023, 2, 17),
    2023: date(2024, 2, 16),
    2024: date(2025, 2, 14),
}
ALL_STAR_BREAK_DAYS = 6
TUESDAY, FRIDAY = 1, 4
REGULAR_SEASON_DAYS = 173  # opener (a Tuesday) to the last Sunday
SEASON_FORMS = f"YEAR or FIRST-LAST with years {FIRST_SEASON}..{LAST_SEASON}"
_SEASONS_TEXT = re.compile(r"(?P<first>\d{4})(?:-(?P<last>\d{4}))?")


def parse_seasons(text: str) -> list[int]:
    """`2022` → [2022]; `2021-2024` → [2021, 2022, 2023, 2024]."""
    match = _SEASONS_TEXT.fullmatch(text.strip())
    if not match:
        raise BadInput(f"--seasons: expected {SEASON_FORMS}; got {text!r}")
    first = int(match["first"])
    last = int(match["last"] or first)
    if first > last or first not in SUPPORTED_SEASONS or last not in SUPPORTED_SEASONS:
        raise BadInput(f"--seasons: expected {SEASON_FORMS}; got {text!r}")
    return list(range(first, last + 1))


def _first_weekday_from(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def season_opener(season: int) -> date:
    """The real opener where known; otherwise the Tuesday between October 18 and 24."""
    return SEASON_OPENERS.get(season) or _first_weekday_from(date(season, 10, 18), TUESDAY)


def season_end(season: int) -> date:
    """The last regular-season day: the Sunday 173 days after the opener, as in every real season listed."""
    return SEASON_ENDS.get(season) or season_opener(season) + timedelta(days=REGULAR_SEASON_DAYS)


def all_star_break(season: int) -> list[date]:
    """Six days from the Friday between February 14 and 20."""
    start = ALL_STAR_BREAKS.get(season) or _first_weekday_from(date(season + 1, 2, 14), FRIDAY)
    return [start + timedelta(days=offset) for offset in range(ALL_STAR_BREAK_DAYS)]


def holidays(season: int) -> list[date]:
    """League-wide off days besides the All-Star break: Election Day (even years),
    Thanksgiving and Christmas Eve."""
    november_first = date(season, 11, 1)
    first_thursday = november_first + timedelta(days=(3 - november_first.weekday()) % 7)
    first_monday = november_first + timedelta(days=(0 - november_first.weekday()) % 7)
    election_day = [first_monday + timedelta(days=1)] if season % 2 == 0 else []
    return [*election_day, first_thursday + timedelta(weeks=3), date(season, 12, 24)]


def candidate_dates(season: int) -> list[date]:
    """Every day of the regular season on which games may be scheduled."""
    closed = set(all_star_break(season)) | set(holidays(season))
    opener, end = season_opener(season), season_end(season)
    days = (opener + timedelta(days=offset) for offset in range((end - opener).days + 1))
    return [day for day in days if day not in closed]


def upcg_window_start(season: int) -> date:
    """UPCG exists for game dates from mid-January of the season's second calendar year."""
    return date(season + 1, 1, 15)
