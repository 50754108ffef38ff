"""Rows between pandas and Arrow: Arrow rows as the pandas frame DuckDB's `.df()` would give for them, by a
cheaper route, and rows of any kind as an Arrow table shaped like a contract table.

`.df()` builds every string as a Python object before pandas stores it; converting through Arrow keeps
strings as Arrow buffers (about a third of the CPU on a season's box scores). The dtypes are `.df()`'s:
dates as datetime64[us], integers and booleans nullable only when a NULL is present, strings as `str`
(object when the column holds no string at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from warehouse.base import Rows

NULLABLE = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    columns = {name: _column(table[name]) for name in table.column_names}
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))


def _column(values: pa.ChunkedArray) -> pd.Series:
    column: pd.Series = _converted(values)
    return column


def _converted(values: pa.ChunkedArray) -> Any:
    """pyarrow's conversions are untyped; each of these gives a Series."""
    kind = values.type
    if pa.types.is_date32(kind):
        return values.to_pandas(date_as_object=False).astype("datetime64[us]")
    if values.null_count and kind in NULLABLE:
        return values.to_pandas(types_mapper=NULLABLE.get)
    if pa.types.is_string(kind) and values.null_count == len(values):  # no string at all: `.df()` says object
        return pd.Series(values.to_pylist(), dtype=object)
    return values.to_pandas()


def arrow_with_columns(rows: Rows, columns: Sequence[str], **values: object) -> pa.Table:
    """The rows as Arrow holding exactly `columns`, in order: a column in `values` holds that one value on
    every row (the run, the time), a column neither gives is NULL. Arrow rows are not copied."""
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pandas(rows, preserve_index=False)
    present = set(table.column_names)  # a new list at every call of `column_names`: once per table, not per column

    def column(name: str) -> pa.Array | pa.ChunkedArray:
        if name in values:
            return pa.repeat(values[name], table.num_rows)
        return table.column(name) if name in present else pa.nulls(table.num_rows)

    return pa.table({name: column(name) for name in columns})


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts by column name (pandas types the keys as any hashable; ours are column names)."""
    rows: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    return rows


def plain_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts, a missing value as None (not NaN/NaT/NA) for JSON and messages."""
    return records(frame.astype(object).where(frame.notna(), None))
