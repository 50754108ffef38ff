"""What PCF holds for a run's dates, as the gate (quality facts, SPEC §6.4) and the audits (the trailing baseline,
§6.9) compare with it: read with each season's inputs (one job on BigQuery) and kept current by the run's own
publishes, whose verification reads back the profile of what they committed. No block of a run reads PCF again.

A date's rows change only when the run publishes it, and each date is published at most once per run: the rows
read with the season stay true for every date not yet published, which is every date a block computes."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from processors.season_inputs import Read
from validation.profiles import PROFILE_SQL, from_query

PUBLISHED_ROWS_SQL = """
SELECT game_date, player_lookup, data_completeness_pct, missing_data_fields
FROM {pcf} WHERE game_date BETWEEN @start AND @end
"""
ROWS, PROFILE = "published_rows", "published_profile"


class PublishedState:
    """The published rows of the seasons read so far (from the first date the run computes in each) and the
    per-date profile of their published dates (from each season's history start)."""

    def __init__(self) -> None:
        self._rows: list[tuple[date, date, pd.DataFrame]] = []
        self._profiled: list[tuple[date, date]] = []
        self._profile = from_query(pd.DataFrame())
        self._lock = threading.Lock()

    @staticmethod
    def reads(first: date, last: date, history_from: date) -> dict[str, Read]:
        """What to read with a season's inputs: its rows in [first, last], its profile in [history_from, last]."""
        return {
            ROWS: (PUBLISHED_ROWS_SQL, {"start": first, "end": last}),
            PROFILE: (PROFILE_SQL, {"start": history_from, "end": last}),
        }

    def take(self, frames: Mapping[str, pd.DataFrame], first: date, last: date, history_from: date) -> None:
        with self._lock:
            self._rows.append((first, last, frames[ROWS]))
            self._profiled.append((history_from, last))
            read = from_query(frames[PROFILE])
            self._profile = pd.concat([self._profile.drop(index=read.index, errors="ignore"), read]).sort_index()

    def rows_between(self, start: date, end: date) -> pd.DataFrame | None:
        """The published rows of [start, end]; None when no season read covers them (the caller reads them)."""
        for first, last, rows in self._rows:
            if first <= start and end <= last:
                dated = rows["game_date"]
                return rows[(dated >= pd.Timestamp(start)) & (dated <= pd.Timestamp(end))].reset_index(drop=True)
        return None

    def profile_between(self, start: date, end: date) -> pd.DataFrame | None:
        """The profile of the published dates of [start, end], as it is now; None when no season read covers it."""
        with self._lock:
            if not any(first <= start and end <= last for first, last in self._profiled):
                return None
            return self._profile.loc[pd.Timestamp(start) : pd.Timestamp(end)]

    def published(self, dates: Sequence[date], found: Sequence[Mapping[str, Any]]) -> None:
        """A publish replaced `dates`; `found`: the profile rows it read back of what they hold now."""
        with self._lock:
            replaced = pd.DatetimeIndex([pd.Timestamp(day) for day in dates])
            now = from_query(pd.DataFrame(list(found))) if found else from_query(pd.DataFrame())
            kept = self._profile.drop(index=replaced, errors="ignore")
            self._profile = pd.concat([kept, now.drop(columns="n", errors="ignore")]).sort_index()
