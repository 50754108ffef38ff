"""Several SELECTs in one BigQuery job: each becomes one column of a one-row result, the array of its rows
(`ARRAY_AGG` of the row as a STRUCT), so reads of different shapes share one job, its latency and its minimum
bill. Each part's parameters are renamed `@<part>__<name>`, so parts may use the same names with other values.

The row is read as BigQuery's REST answer and turned into columns by Arrow: the client library decodes nested
rows one record at a time, about twenty times slower. A part is one array value: BigQuery caps a result row at
100 MB, far above what one season of any input holds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from google.cloud import bigquery

from warehouse.base import Params
from warehouse.bigquery.values import like_duckdb
from warehouse.errors import WarehouseError
from warehouse.identifiers import checked_identifier
from warehouse.sql_text import PARAM

if TYPE_CHECKING:
    from warehouse.bigquery.adapter import BigQueryWarehouse

PART_NAME = re.compile(r"[a-z][a-z0-9_]*")
# the Arrow type each REST cell (a string) is cast to; TIMESTAMP cells are microseconds (useInt64Timestamp)
ARROW_TYPES = {
    "STRING": pa.string(),
    "INTEGER": pa.int64(),
    "INT64": pa.int64(),
    "FLOAT": pa.float64(),
    "FLOAT64": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.int64(),
}
# the dtypes `RowIterator.to_dataframe` gives these types, so a part's frame is the one `query` would return
NULLABLE_DTYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def read_together(wh: BigQueryWarehouse, reads: Mapping[str, tuple[str, Params | None]]) -> dict[str, pd.DataFrame]:
    """Every read in one job: the combined SELECT, its answer fetched once and split into frames."""
    sql, params = combined_select(reads)
    job, _ = wh.jobs.query(wh.render(sql), params, resubmit_safe=True, kind="read")
    answer = wh.jobs.answer(job)
    if not decodable(answer["schema"]["fields"]):
        raise WarehouseError(f"query_many: a read selects a type it cannot decode; use `query` [job {job.job_id}]")
    frames = split_frames(answer)
    wh.jobs.count(rows_read=sum(len(frame) for frame in frames.values()))
    return frames


def combined_select(reads: Mapping[str, tuple[str, Params | None]]) -> tuple[str, dict[str, Any]]:
    """One SELECT holding every read as an array column named like it; its parameters, renamed per part."""
    columns: list[str] = []
    params: dict[str, Any] = {}
    for name, (sql, own) in reads.items():
        part = checked_identifier(name, PART_NAME, "read name")
        renamed = PARAM.sub(f"@{part}__\\1", sql.strip().rstrip(";"))
        columns.append(f"(SELECT ARRAY_AGG(t) FROM ({renamed}) AS t) AS {part}")
        params |= {f"{part}__{key}": value for key, value in (own or {}).items()}
    return "SELECT " + ",\n  ".join(columns), params


def decodable(schema: list[dict[str, Any]]) -> bool:
    """Whether every field of every part has a type `split_frames` casts (else the client decodes the row)."""
    return all(field["type"] in ARROW_TYPES for part in schema for field in part.get("fields", []))


def split_frames(answer: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Each part's rows as a frame, columns in its SELECT's order and typed as `query` types them, from the REST
    answer to jobs.getQueryResults of the combined SELECT (`answer["rows"]`: its one row)."""
    cells = answer["rows"][0]["f"] if answer.get("rows") else []
    frames = {}
    for index, part in enumerate(answer["schema"]["fields"]):
        records = (cells[index]["v"] if cells else None) or []  # no rows: NULL on BigQuery, [] on the emulator
        values = [record["v"]["f"] for record in records]
        fields = [bigquery.SchemaField.from_api_repr(field) for field in part["fields"]]
        columns = {
            field.name: _column([row[position]["v"] for row in values], field.field_type)
            for position, field in enumerate(fields)
        }
        table = pa.table(columns) if columns else pa.table({})
        frame = table.to_pandas(date_as_object=False, types_mapper=NULLABLE_DTYPES.get)
        frames[part["name"]] = like_duckdb(frame, fields)
    return frames


def _column(cells: list[str | None], field_type: str) -> pa.Array:
    strings = pa.array(cells, pa.string())
    if field_type == "STRING":
        return strings
    if field_type in ("FLOAT", "FLOAT64"):  # the REST answer spells them NaN, Infinity, -Infinity
        strings = pc.utf8_lower(strings)
    array = pc.cast(strings, ARROW_TYPES[field_type])
    return array.cast(pa.timestamp("us", tz="UTC")) if field_type == "TIMESTAMP" else array
