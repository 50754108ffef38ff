"""A run's staging tables on BigQuery: one per label and shape, created on first use (labelled with the run and
expiring by itself should a crash leave it), refilled by every later load (WRITE_TRUNCATE), dropped when the run
ends. A run therefore pays one table create for all its chunks, and no table call per chunk. BigQuery allows
1,500 loads per table per day: a table that took `LOADS_PER_TABLE` is dropped and the next load makes another."""

from __future__ import annotations

import uuid
from contextlib import suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from google.cloud import bigquery

from warehouse.bigquery.errors import DRIVER_ERRORS
from warehouse.bigquery.values import schema_fields
from warehouse.errors import WarehouseError
from warehouse.logger import get_logger
from warehouse.schemas import Table

if TYPE_CHECKING:
    import pandas as pd

    from warehouse.bigquery.adapter import BigQueryWarehouse

log = get_logger(__name__)
LOADS_PER_TABLE = 1000


class RunStaging:
    """The staging tables one handle made, by (label, columns): each is reused until `drop_all`."""

    def __init__(self, wh: BigQueryWarehouse) -> None:
        self.wh = wh
        self.tables: dict[tuple[str, tuple[str, ...]], str] = {}
        self.loads: dict[str, int] = {}  # table id → loads it took

    def put(self, frame: pd.DataFrame, schema: Table, label: str) -> str:
        """Replace the rows of the staging table for `label` and this shape with `frame`; returns its table id.
        A table this call created and could not fill is dropped again (nothing of it is left behind)."""
        shape = (label, tuple(column.name for column in schema.columns))
        table_id = self.tables.get(shape)
        if table_id is not None and self.loads.get(table_id, 0) >= LOADS_PER_TABLE:
            self.drop(table_id)
            table_id = None
        created = table_id is None
        if table_id is None:
            table_id = self._create(schema, label)
        try:
            self.wh.load_rows(frame, schema, table_id, replace=True)
        except BaseException:
            if created:
                with suppress(*DRIVER_ERRORS, WarehouseError):  # the load's error is the one to report
                    self.wh.jobs.request(self.wh.client.delete_table, table_id, not_found_ok=True)
            raise
        self.tables[shape] = table_id
        self.loads[table_id] = self.loads.get(table_id, 0) + 1
        return table_id

    def _create(self, schema: Table, label: str) -> str:
        name = f"_staging_{self.wh.checked_table_name(label)}_{uuid.uuid4().hex[:8]}"
        table_id = self.wh.table_id("orchestration", name)
        table = bigquery.Table(table_id, schema=schema_fields(schema, enforce_required=False))
        table.expires = datetime.now(UTC) + self.wh.settings.staging_ttl
        table.labels = dict(self.wh.jobs.labels)  # whose it is, should a crash leave it
        self.wh.jobs.request(self.wh.client.create_table, table)
        return table_id

    def drop(self, table_id: str) -> None:
        self.tables = {shape: kept for shape, kept in self.tables.items() if kept != table_id}
        self.loads.pop(table_id, None)
        self.wh.jobs.request(self.wh.client.delete_table, table_id, not_found_ok=True)

    def drop_all(self) -> None:
        """The run's end: every staging table goes; one that cannot is logged (it expires by itself)."""
        for table_id in list(self.tables.values()):
            try:
                self.drop(table_id)
            except (*DRIVER_ERRORS, WarehouseError) as error:
                log.warning(
                    "staging_not_dropped",
                    table=table_id,
                    error=str(error),
                    consequence=f"it expires by itself within {self.wh.settings.staging_ttl}",
                )
