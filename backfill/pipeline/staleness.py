"""Freshness (SPEC §11): is every final game date up to yesterday (America/New_York) published, and is every
published one still true to its inputs (SPEC §6.10)?

"Published" is what the PCF table holds, not what the ledger says: rows deleted behind the
ledger's back make a date missing again. Off-days come from the schedule, so the All-Star
break is never stale; bootstrap dates are never published, so they are never stale either.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pandas as pd

from backfill.dates import LEAGUE_TZ, dates_text
from backfill.pipeline.date_facts import PCF_SQL
from backfill.pipeline.input_checks import check_inputs
from backfill.pipeline.ledger import current_states, require_tables
from backfill.pipeline.plan import game_dates
from vocabulary import DateStatus, ExitCode, InputState
from warehouse import Warehouse

DEFAULT_MAX_LAG_HOURS = 30.0  # a date's games end by ~01:00; the nightly catch-up runs at 05:00
MAX_LAG_HOURS = 24 * 366  # a longer lag would call a season-old gap fresh
FIRST_DATE_SQL = """
SELECT MIN(first_date) AS first_date FROM (
  SELECT MIN(game_date) AS first_date FROM {checkpoints} WHERE game_date IS NOT NULL
  UNION ALL SELECT MIN(game_date) FROM {schedule}
    WHERE game_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {checkpoints} WHERE game_date IS NOT NULL)
) AS firsts
"""  # every partition is meant: `game_date IS NOT NULL` is the filter tables requiring one accept
LISTED_DATES_MAX = 10  # a fix command names dates one by one up to this many, else a range


@dataclass(frozen=True)
class Freshness:
    """The verdict, as data: which game dates are not published and how long since each day ended."""

    now: datetime  # aware, America/New_York
    since: date | None  # first date checked: the ledger's first date (the schedule's on a fresh warehouse)
    max_lag_hours: float
    missing: pd.DataFrame  # index game_date: games, ledger_state, hours_since_end, overdue
    newest_published: date | None
    inputs_changed: dict[date, str] = field(default_factory=dict)  # published dates whose inputs changed, and how

    @property
    def checked_through(self) -> date:
        return self.now.date() - timedelta(days=1)

    @property
    def overdue(self) -> list[date]:
        return [ts.date() for ts in self.missing.index[self.missing["overdue"]]]

    @property
    def stale(self) -> bool:
        return bool(self.overdue or self.inputs_changed)

    @property
    def exit_code(self) -> int:
        return int(ExitCode.NEEDS_ATTENTION if self.stale else ExitCode.OK)

    @property
    def oldest_overdue(self) -> date | None:
        return self.overdue[0] if self.overdue else None

    @property
    def hours_late(self) -> float | None:
        """Hours since the oldest overdue date ended (midnight America/New_York)."""
        oldest = self.oldest_overdue
        return None if oldest is None else float(self.missing["hours_since_end"].loc[pd.Timestamp(oldest)])

    def fix_command(self, connection: list[str]) -> str | None:
        """The run that publishes the overdue dates; `--rerun all` when the ledger says some are published."""
        dates = self.overdue
        if not dates:
            return None
        words = [*connection, "run"]  # `pcf-backfill --warehouse … [--datasets …]`
        if len(dates) <= LISTED_DATES_MAX:
            words += ["--dates", dates_text(dates)]
        else:
            words += ["--start-date", dates[0].isoformat(), "--end-date", dates[-1].isoformat()]
        overdue = self.missing[self.missing["overdue"]]
        if (overdue["ledger_state"] == DateStatus.PUBLISHED).any():
            words += ["--rerun", "all"]
        return shlex.join(words)

    def republish_command(self, connection: list[str]) -> str | None:
        """The run that republishes the published dates whose inputs changed."""
        if not self.inputs_changed:
            return None
        return shlex.join([*connection, "run", "--dates", dates_text(sorted(self.inputs_changed)), "--rerun", "stale"])


def day_end(day: date) -> datetime:
    """When a game date is over: midnight at its end, America/New_York."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LEAGUE_TZ)


def first_checked_date(wh: Warehouse) -> date | None:
    first = wh.query(FIRST_DATE_SQL)["first_date"].iloc[0]
    return None if pd.isna(first) else pd.Timestamp(first).date()


def check_freshness(wh: Warehouse, now: datetime, max_lag_hours: float = DEFAULT_MAX_LAG_HOURS) -> Freshness:
    """Every final, non-bootstrap game date from the ledger's first date through yesterday."""
    require_tables(wh)  # a missing table or an older ledger is "cannot read" (exit 1), named, not a traceback
    now = now.astimezone(LEAGUE_TZ)
    yesterday, since = now.date() - timedelta(days=1), first_checked_date(wh)
    empty = pd.DataFrame(columns=["games", "ledger_state", "hours_since_end", "overdue"])
    if since is None or since > yesterday:
        return Freshness(now, since, max_lag_hours, empty, None)
    games = game_dates(wh, since, yesterday)
    rows = wh.query(PCF_SQL, {"start": since, "end": yesterday}).set_index("game_date")["pcf_rows"]
    rows.index = pd.to_datetime(rows.index)
    published = rows[rows > 0].index
    due = games[(games["games"] > 0) & ~games["bootstrap"]]  # final games only: a postponed-only day is not due
    missing = due[~due.index.isin(published)][["games"]]
    states = current_states(wh, since, yesterday)["status"].to_dict()
    missing["ledger_state"] = missing.index.map(states).astype("object")
    hours = [(now - day_end(ts.date())).total_seconds() / 3600 for ts in missing.index]
    missing["hours_since_end"] = pd.Series(hours, index=missing.index, dtype="float64")
    missing["overdue"] = missing["hours_since_end"] > max_lag_hours
    newest = published.max().date() if len(published) else None
    changed = {
        day: str(check.reason)
        for day, check in check_inputs(wh, since, yesterday).items()
        if check.state == InputState.STALE
    }
    return Freshness(now, since, max_lag_hours, missing.sort_index(), newest, changed)
