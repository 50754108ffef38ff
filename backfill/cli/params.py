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


class CoreParsed(click.ParamType[Any]):
    """A value one of the core's parsers reads; the ValueError saying why it cannot becomes click's usage error."""

    def parse(self, text: str, ctx: click.Context | None) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):  # already a value: a default, or a date a TOML config file wrote as one
            return value
        try:
            return self.parse(value, ctx)
        except ValueError as error:
            self.fail(str(error), param, ctx)


class DateWord(CoreParsed):
    """A date option's value: YYYY-MM-DD, `today` or `yesterday`."""

    name = "date"

    def parse(self, text: str, ctx: click.Context | None) -> date:
        return parse_date(text, today_of(ctx))


class DateList(CoreParsed):
    """`--dates`: dates and FIRST..LAST spans, comma-separated → every day named."""

    name = "dates"

    def parse(self, text: str, ctx: click.Context | None) -> list[date]:
        return parse_dates(text, today_of(ctx))


class AuditThreshold(CoreParsed):
    """`--audit-threshold NAME=VALUE` → (name, value); the settings check the name and the value."""

    name = "threshold"

    def parse(self, text: str, ctx: click.Context | None) -> tuple[str, float]:
        return audit_threshold(text)


DATE, DATES, AUDIT_THRESHOLD = DateWord(), DateList(), AuditThreshold()
