"""The league's calendar, read from the schedule: one home for every date rule (SPEC §6.1, §6.7, §6.8).

Seasons are the schedule's, never a month constant. Its league games (regular season and playoffs) fall into runs
separated by at least `OFF_SEASON_DAYS` without a game; a run whose games the schedule labels (by majority) with a
later season than the run before it opens that season, a run labelled with no later season continues the season
before it (a run with no label at all opens the next one: only labels tell a pause from an off-season). So the
2019-20 season, paused for 141 days and finished in the autumn bubble, stays one season until 2020-21 opens on
2020-12-22, and a few mislabelled games inside a run outvoted by the rest move no boundary and hide no date.

A date belongs to the latest season whose first league game is on or before it. Its history (the box scores and
team stats SPEC §3 reads) starts at that first game; its bootstrap window is the 14 days from the season's opener
(its first regular-season game). Plain Python and no pandas: `status` and `validate` read the calendar too.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from league.games import read_schedule_days

if TYPE_CHECKING:
    import numpy as np

    from warehouse import Warehouse

BOOTSTRAP_DAYS = 14  # days 0–13 of a season lack the history the factors need
OFF_SEASON_DAYS = 30  # the All-Star break is a week; between two seasons the league has never played within 60 days
SEASON_WINDOW = ((10, 15), (6, 30))  # where a season's games fall when the schedule knows nothing of it


def season_name(year: int) -> str:
    """A season as people write it: 2019 → '2019-20'."""
    return f"{year}-{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Season:
    season: int  # its start year, as the schedule labels it (2019 means 2019-20)
    first_game: date  # its first league game: the season's dates, and every date's history, start here
    opener: date | None  # its first regular-season game: the bootstrap window starts here
    last_game: date

    @property
    def name(self) -> str:
        return season_name(self.season)


@dataclass(frozen=True)
class Calendar:
    """The seasons the schedule shows, in date order."""

    seasons: tuple[Season, ...] = ()
    _starts: list[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", [season.first_game for season in self.seasons])

    def season_at(self, day: date) -> Season | None:
        """The latest season whose first game is on or before `day` (None: before the schedule's first season)."""
        position = bisect_right(self._starts, day) - 1
        return self.seasons[position] if position >= 0 else None

    def season_of(self, day: date) -> int | None:
        season = self.season_at(day)
        return season.season if season else None

    def history_start(self, day: date) -> date:
        """The earliest date whose box scores can matter for `day`: its season's first game (`day` itself when the
        schedule shows no season before it: nothing earlier belongs to its season)."""
        season = self.season_at(day)
        return season.first_game if season else day

    def in_bootstrap(self, day: date) -> bool:
        """Days 0–13 from the season's opener."""
        season = self.season_at(day)
        opener = season.opener if season else None
        return opener is not None and opener <= day < opener + timedelta(days=BOOTSTRAP_DAYS)

    def span(self, season: Season) -> tuple[date, date | None]:
        """The dates that belong to a season: from its first game to the day before the next season's (None: open)."""
        position = self.seasons.index(season)
        following = self.seasons[position + 1].first_game if position + 1 < len(self.seasons) else None
        return season.first_game, following - timedelta(days=1) if following else None

    def seasons_between(self, start: date, end: date) -> list[Season]:
        """The seasons the dates [start, end] belong to, in order."""
        first = bisect_right(self._starts, start) - 1
        last = bisect_right(self._starts, end) - 1
        return list(self.seasons[max(first, 0) : last + 1]) if last >= 0 else []

    def season_numbers(self, days: np.ndarray) -> np.ndarray:
        """`season_of` for an array of datetime64 dates, vectorised (-1: before the schedule's first season)."""
        import numpy as np

        starts = np.array(self._starts, dtype="datetime64[D]")
        numbers = np.array([season.season for season in self.seasons] + [-1], dtype=np.int64)
        position = np.searchsorted(starts, np.asarray(days).astype("datetime64[D]"), side="right") - 1
        return numbers[position]  # position -1 reads the trailing -1

    def unscheduled_season(self, day: date) -> str | None:
        """The season window `day` falls in (mid-October to June) when the schedule holds no league game in it: a
        day the league would normally play on, in a season the schedule knows nothing of. None otherwise."""
        (open_month, open_day), (close_month, close_day) = SEASON_WINDOW
        year = day.year if (day.month, day.day) >= (open_month, open_day) else day.year - 1
        window = date(year, open_month, open_day), date(year + 1, close_month, close_day)
        if not window[0] <= day <= window[1]:
            return None
        if any(season.first_game <= window[1] and season.last_game >= window[0] for season in self.seasons):
            return None
        return season_name(year)


def calendar_of(days: Iterable[Mapping[str, Any]]) -> Calendar:
    """The seasons of the schedule's league game dates (rows of `league.games.SCHEDULE_DAYS_SQL`: game_date, season
    label, scheduled and regular counts)."""
    labels: dict[date, Counter[int]] = {}
    regular: dict[date, int] = {}
    for row in days:
        day = row["game_date"]
        votes = labels.get(day)
        if votes is None:  # one Counter per date, not per row (sixteen seasons are thousands of rows)
            votes = labels[day] = Counter()
        if row["season"] is not None:
            votes[int(row["season"])] += int(row["scheduled"])
        regular[day] = regular.get(day, 0) + int(row["regular"] or 0)
    seasons: list[Season] = []
    for run in runs_of(sorted(labels)):
        tally: Counter[int] = Counter()
        for day in run:
            tally.update(labels[day])
        label = majority(tally)
        current = seasons[-1] if seasons else None
        openers = [day for day in run if regular[day]]
        if current is None or label is None or label > current.season:
            number = label if label is not None else (current.season + 1 if current else run[0].year)
            seasons.append(Season(number, run[0], openers[0] if openers else None, run[-1]))
        else:  # a run after a pause (2019-20's bubble), or one the schedule labels with no later season
            opener = current.opener or (openers[0] if openers else None)
            seasons[-1] = Season(current.season, current.first_game, opener, run[-1])
    return Calendar(tuple(seasons))


def runs_of(days: list[date]) -> list[list[date]]:
    """Sorted dates split wherever the league went `OFF_SEASON_DAYS` or more without a game."""
    runs: list[list[date]] = []
    for day in days:
        if runs and (day - runs[-1][-1]).days < OFF_SEASON_DAYS:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def majority(votes: Counter[int]) -> int | None:
    """The label most games carry (ties: the earlier season); None when no game is labelled."""
    if not votes:
        return None
    return min(votes, key=lambda label: (-votes[label], label))


def read_calendar(wh: Warehouse) -> Calendar:
    return calendar_of(read_schedule_days(wh))


def league_dates(
    wh: Warehouse, start: date, end: date, days: list[dict[str, Any]] | None = None
) -> tuple[Calendar, dict[date, dict[str, Any]]]:
    """The calendar (from the whole schedule: one small read, or `days` a caller read already) and, per date of
    [start, end] with a scheduled league game: games (final), scheduled, season and bootstrap. Every league game
    counts whatever its status: a past game that never became final blocks its date instead of making it an
    off-day."""
    days = read_schedule_days(wh) if days is None else days
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


def game_date_rows(wh: Warehouse, start: date, end: date) -> dict[date, dict[str, Any]]:
    """`league_dates` without the calendar."""
    return league_dates(wh, start, end)[1]
