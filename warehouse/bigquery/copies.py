"""Rows set aside and put back (cleanup's undo) on BigQuery: a filtered copy by INSERT … SELECT, the way back
by a copy job, which bills no bytes."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from google.cloud import bigquery

from warehouse.errors import WarehouseError
from warehouse.schemas import TABLES

if TYPE_CHECKING:
    from warehouse.bigquery.adapter import BigQueryWarehouse


def copy_rows_to_new_table(wh: BigQueryWarehouse, key: str, where_sql: str, new_name: str) -> str:
    """A table shaped exactly like `key` (so `copy_back` can use a copy job), filled by one
    INSERT … SELECT: a copy job cannot filter rows, and the emulator has no CREATE … COPY."""
    spec = TABLES[key]
    wh.create_table(spec, new_name, exists_ok=False)
    target = wh.qualified(spec.dataset, new_name)
    columns = ", ".join(spec.column_names)
    try:
        wh.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {wh.table(key)} WHERE {where_sql}")
    except WarehouseError:
        with suppress(WarehouseError):  # the INSERT's error is the one to report
            wh.drop_staging(target)
        raise
    return target


def copy_back(wh: BigQueryWarehouse, source_name: str, key: str) -> int:
    """Append a table made by `copy_rows_to_new_table` back with a copy job (no bytes billed).
    Rows are counted by a query (metadata-only on BigQuery): the emulator's table metadata
    does not count rows written by DML."""
    spec = TABLES[key]
    source_id = wh.table_id(spec.dataset, source_name)
    rows = wh.query(f"SELECT COUNT(*) AS row_count FROM `{source_id}`")["row_count"][0]
    config = bigquery.CopyJobConfig(write_disposition=bigquery.WriteDisposition.WRITE_APPEND, labels=wh.jobs.labels)
    wh.jobs.run(
        lambda job_id: wh.client.copy_table(
            source_id,
            wh.table_id(spec.dataset, spec.name),
            job_config=config,
            job_id=job_id,
            retry=wh.jobs.retry(job_id),
            timeout=wh.settings.request_timeout,
        ),
        kind="copy",
        resubmit_safe=False,
    )
    return int(rows)
