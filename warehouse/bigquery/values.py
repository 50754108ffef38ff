"""Values in and out of BigQuery: query parameters, script literals, frames loaded and read back."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from google.cloud import bigquery

from warehouse.schemas import Table


def _scalar_type(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "BOOL"
    if isinstance(value, datetime):
        return "TIMESTAMP"
    if isinstance(value, date):
        return "DATE"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, Integral):
        return "INT64"
    if isinstance(value, Real):
        return "FLOAT64"
    raise TypeError(f"no BigQuery parameter type for {type(value).__name__} value {value!r}")


def query_parameter(name: str, value: Any) -> bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter:
    """date → DATE, datetime → TIMESTAMP, str, int, float, bool; a list/tuple → ARRAY of those."""
    if isinstance(value, list | tuple | set | frozenset | pd.Series | pd.Index):
        values = list(value)
        if not values:
            raise TypeError(f"@{name} is an empty list: its element type is unknown; skip the query instead")
        return bigquery.ArrayQueryParameter(name, _scalar_type(values[0]), values)
    return bigquery.ScalarQueryParameter(name, _scalar_type(value), value)


def string_literal(value: str) -> str:
    """A BigQuery string literal for scripts, where the emulator cannot bind parameters."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return "'" + "".join(char if char.isprintable() else "?" for char in escaped) + "'"


def like_duckdb(frame: pd.DataFrame, schema: Sequence[bigquery.SchemaField]) -> pd.DataFrame:
    """DATE → datetime64[us] and TIMESTAMP → naive UTC datetime64[us], as DuckDB returns them."""
    for field in schema:
        if field.field_type == "DATE":
            frame[field.name] = frame[field.name].astype("datetime64[us]")
        elif field.field_type == "TIMESTAMP":
            frame[field.name] = frame[field.name].dt.tz_convert(None).astype("datetime64[us]")
    return frame


def _column_for_load(values: pd.Series, type_: str) -> pd.Series:
    if type_ == "DATE":
        return pd.to_datetime(values).astype("datetime64[us]")
    if type_ == "TIMESTAMP":
        return pd.to_datetime(values, utc=True)
    if type_ == "INT64":
        return pd.to_numeric(values).astype("Int64")
    if type_ == "FLOAT64":
        return pd.to_numeric(values).astype("float64")
    if type_ == "BOOL":
        return values.astype("boolean")
    return values.astype("string")


def frame_for_load(frame: pd.DataFrame, schema: Table) -> pd.DataFrame:
    """Exactly the schema's columns, in order and typed; missing columns are NULL."""
    frame = frame.reset_index(drop=True)
    missing = pd.Series([None] * len(frame), dtype="object")
    return pd.DataFrame({c.name: _column_for_load(frame.get(c.name, missing), c.type) for c in schema.columns})


def schema_fields(schema: Table, *, enforce_required: bool = True) -> list[bigquery.SchemaField]:
    return [
        bigquery.SchemaField(c.name, c.type, mode="REQUIRED" if c.required and enforce_required else "NULLABLE")
        for c in schema.columns
    ]


def naive_utc(value: Any) -> Any:
    """A row value as DuckDB gives it: an aware TIMESTAMP as naive UTC wall time, anything else as is."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


@contextmanager
def without_pandas_gbq_notices() -> Iterator[None]:
    """The client's DataFrame helpers announce a move to pandas-gbq; they still work."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Loading pandas DataFrame into BigQuery", FutureWarning)
        warnings.filterwarnings("ignore", ".* DataFrames via google-cloud-bigquery", PendingDeprecationWarning)
        yield
