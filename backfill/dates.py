"""Date words of the CLI, resolved in the league's time zone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from warehouse.errors import InvalidSetting

LEAGUE_TZ = ZoneInfo("America/New_York")
DATE_FORM = "YYYY-MM-DD, today or yesterday"
EARLIEST, LATEST = date(1900, 1, 1), date(9000, 12, 31)  # lookbacks and lookaheads stay inside the calendar
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def league_today(now: datetime | None = None) -> date:
    return (now or datetime.now(LEAGUE_TZ)).astimezone(LEAGUE_TZ).date()


def parse_date(text: str, today: date) -> date:
    """`2023-02-23`, `today` or `yesterday` (in America/New_York) → date; anything else is a ValueError saying why
    (a front end names the option: see backfill.cli.options.DateWord)."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    if ISO_DATE.fullmatch(word):
        try:
            day = date.fromisoformat(word)
        except ValueError:
            raise ValueError(f"{text!r} is not a real date; expected {DATE_FORM}") from None
        if not EARLIEST <= day <= LATEST:
            raise ValueError(f"{text!r} is outside {EARLIEST.year}–{LATEST.year}; expected {DATE_FORM}")
        return day
    raise ValueError(f"{text!r} is not a date; expected {DATE_FORM}")


SPAN = ".."  # `--dates 2023-01-02..2023-01-09,2023-01-12`: a run of consecutive days in a list


def parse_dates(text: str, today: date) -> list[date]:
    """A comma-separated list of dates and FIRST..LAST spans (both included) → every day it names."""
    days: list[date] = []
    for item in (item.strip() for item in text.split(",")):
        if not item:
            continue
        first, span, last = item.partition(SPAN)
        start = parse_date(first, today)
        end = parse_date(last, today) if span else start
        if end < start:
            raise ValueError(f"{item!r} ends before it starts; expected FIRST{SPAN}LAST, oldest first")
        days += date_range(start, end)
    if not days:
        raise ValueError(f"expected a comma-separated list of {DATE_FORM} (or FIRST{SPAN}LAST spans)")
    return days


def dates_text(days: Sequence[date]) -> str:
    """The shortest `--dates` value naming exactly `days`: runs of consecutive days become FIRST..LAST."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(f"{run[0]}{SPAN}{run[-1]}" if len(run) > 2 else ",".join(map(str, run)) for run in runs)


def date_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def checked_range(start: date, end: date) -> tuple[date, date]:
    if end < start:
        raise InvalidSetting(
            "end", "{field} {end} is before {start} {start_value}; expected start ≤ end", end=end, start_value=start
        )
    return start, end


def run_range(
    start: date | None, end: date | None, dates: Sequence[date] | None, today: date
) -> tuple[date, date, tuple[date, ...] | None]:
    """[start, end] and the explicit dates (sorted, once each), none after `today` (America/New_York)."""
    chosen = tuple(sorted(set(dates))) if dates is not None else None
    if chosen is not None and not chosen:
        raise InvalidSetting("dates", "{field}: expected one or more dates")
    if start is None or end is None:
        if chosen is None or start is not None or end is not None:
            raise InvalidSetting("start", "{field} and {end} are required (or {dates}); expected dates")
        start, end = chosen[0], chosen[-1]
    checked_range(start, end)
    if end > today:
        raise InvalidSetting(
            "dates" if chosen else "end",
            "{field}: {end_value} is after today ({today}, "
            "America/New_York); a backfill only processes games already played",
            end_value=max(chosen) if chosen else end,
            today=today,
        )
    return start, end, chosen
