"""What every API call shares: opening the warehouse a caller names, reading dates from plain values, and the
words that point a printed command at the warehouse."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime, time
from typing import Any

from backfill.dates import LEAGUE_TZ, checked_range
from backfill.pipeline.signals import stops_as_interrupted
from backfill.settings import CREDENTIALS_VARIABLE, EMULATOR_HOST_VARIABLE, bigquery_tuning
from warehouse import Datasets, InvalidSetting, Warehouse, connect

WarehouseLike = str | Warehouse


@contextmanager
def opened(
    warehouse: WarehouseLike, datasets: Datasets | None = None, *, writer: str | None = None, must_exist: bool = True
) -> Iterator[Warehouse]:
    """The warehouse a URL names, closed afterwards; an open `Warehouse` is used as is and left open.
    Without `writer` (what a writing call is, shown to whoever it keeps out) the URL is opened read-only:
    on DuckDB a reader then never blocks a run. A `bigquery://` URL is served by the emulator that
    BIGQUERY_EMULATOR_HOST names, if set, else by Google with the key GOOGLE_APPLICATION_CREDENTIALS names, if
    set (both read here, at the API's edge, as the CLI reads them in its root). However the caller stops the
    call, it leaves as `Interrupted`."""
    with stops_as_interrupted():
        if not isinstance(warehouse, str):
            yield warehouse
            return
        wh = connect(
            warehouse,
            datasets,
            must_exist=must_exist,
            read_only=writer is None,
            writer=writer,
            emulator_host=os.environ.get(EMULATOR_HOST_VARIABLE) or None,
            credentials_file=os.environ.get(CREDENTIALS_VARIABLE) or None,
            bigquery=bigquery_tuning(os.environ),
        )
        try:
            yield wh
        finally:
            wh.close()


def warehouse_url(warehouse: WarehouseLike) -> str:
    """How printed commands name the warehouse: the URL given, else the open warehouse's own URL."""
    return warehouse if isinstance(warehouse, str) else warehouse.url


def as_date(name: str, value: object) -> date:
    """A date, or an ISO `YYYY-MM-DD` string; anything else names the field."""
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise InvalidSetting(name, "{field}: expected a date, got {value!r}", value=value)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidSetting(name, "{field}: {value!r} is not a date; expected YYYY-MM-DD", value=value) from None


def checked_span(start: date | str, end: date | str) -> tuple[date, date]:
    return checked_range(as_date("start", start), as_date("end", end))


def league_now(today: date | None = None) -> datetime:
    """Now in America/New_York; a pinned `today` means the first moment of that day."""
    return datetime.combine(today, time.min, tzinfo=LEAGUE_TZ) if today else datetime.now(LEAGUE_TZ)


def connection_words(url: str, datasets: Datasets) -> list[str]:
    """The words that point a printed command at this warehouse, wherever it is pasted."""
    from backfill import hints

    return hints.connection_words(url, datasets)


def json_ready(value: Any) -> Any:
    """`value` as JSON's types: dates as ISO text, NaN as None, numpy scalars as Python's, dataclasses as dicts."""
    if hasattr(value, "__dataclass_fields__"):
        return {item.name: json_ready(getattr(value, item.name)) for item in fields(value) if item.repr}
    if isinstance(value, dict):
        return {
            str(key) if not isinstance(key, date) else key.isoformat(): json_ready(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
