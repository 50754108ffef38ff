"""The click parameter types of the CLI's values that are more than a number or a word: dates (with `today` and
`yesterday`), date lists and audit thresholds. A bad value is click's usage error naming the option (exit 2); the
parsing itself is the core's (backfill.dates, backfill.settings), written once for every front end."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from backfill.dates import league_today, parse_date, parse_dates
from backfill.settings import AppSettings, audit_threshold


def today_of(ctx: click.Context | None) -> date:
    """The `today` date words mean: the pinned --today once the root has read it, else America/New_York's."""
    app = ctx.find_object(AppSettings) if ctx is not None else None
    return app.today if app is not None and app.today else league_today()


class DateWord(click.ParamType[date]):
    """A date option's value: YYYY-MM-DD, `today` or `yesterday`."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value), today_of(ctx))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class DateList(click.ParamType[list[date]]):
    """`--dates`: dates and FIRST..LAST spans, comma-separated → every day named."""

    name = "dates"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> list[date]:
        if isinstance(value, list):
            return value
        try:
            return parse_dates(str(value), today_of(ctx))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class AuditThreshold(click.ParamType[tuple[str, float]]):
    """`--audit-threshold NAME=VALUE` → (name, value); the settings check the name and the value."""

    name = "threshold"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, float]:
        if isinstance(value, tuple):
            return value
        try:
            return audit_threshold(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


DATE, DATES, AUDIT_THRESHOLD = DateWord(), DateList(), AuditThreshold()
