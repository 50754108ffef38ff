"""Reading through Arrow gives the frame DuckDB's own `.df()` gives: same values, same dtypes."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from warehouse.arrow_frames import arrow_with_columns, frame_from_arrow

EVERY_TYPE = """
SELECT * FROM (VALUES
    (1::BIGINT, 2::INTEGER, true, 1.5::DOUBLE, 'a', DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00', NULL::VARCHAR),
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (9223372036854775807, -3, false, 'nan'::DOUBLE, '', DATE '1960-03-01', NULL, NULL)
) AS t(big, small, flag, number, text, day, moment, never)
"""


@pytest.mark.parametrize(
    "sql",
    [
        EVERY_TYPE,
        EVERY_TYPE + " WHERE big IS NOT NULL",  # no NULL left: plain numpy integers and booleans
        EVERY_TYPE + " LIMIT 0",
        "SELECT NULL::BIGINT AS big, NULL::BOOLEAN AS flag, NULL::VARCHAR AS text, NULL::DATE AS day",
    ],
    ids=["nulls", "no-nulls", "no-rows", "all-null"],
)
def test_arrow_rows_become_the_frame_duckdb_gives(sql):
    connection = duckdb.connect()
    pd.testing.assert_frame_equal(
        frame_from_arrow(connection.sql(sql).to_arrow_table()), connection.execute(sql).df(), check_exact=True
    )


def test_rows_take_the_contract_columns_in_order_with_constants_and_nulls() -> None:
    stamp = datetime(2024, 1, 6, 6, 0)
    for rows in (
        pd.DataFrame({"b": [1, 2], "a": ["x", "y"], "extra": [0, 0]}),
        pa.table({"b": [1, 2], "a": ["x", "y"], "extra": [0, 0]}),
    ):
        table = arrow_with_columns(rows, ["a", "b", "run_id", "at", "missing"], run_id="run-1", at=stamp)
        assert table.column_names == ["a", "b", "run_id", "at", "missing"]
        assert table.to_pylist()[1] == {"a": "y", "b": 2, "run_id": "run-1", "at": stamp, "missing": None}
