"""BigQuery: the production warehouse. The four datasets live in one project.

Every public method is `translated`: driver errors leave it only as `warehouse.errors` types."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import pandas as pd
from google.api_core import exceptions as api_exceptions
from google.cloud import bigquery

from warehouse.base import Params, Rows, Staged, Warehouse
from warehouse.bigquery import combined, copies, lease
from warehouse.bigquery.errors import translated
from warehouse.bigquery.jobs import Jobs
from warehouse.bigquery.settings import BigQuerySettings, bigquery_client
from warehouse.bigquery.staging import RunStaging
from warehouse.bigquery.values import (
    frame_for_load,
    like_duckdb,
    naive_utc,
    schema_fields,
    without_pandas_gbq_notices,
)
from warehouse.errors import WarehouseError
from warehouse.identifiers import Datasets
from warehouse.schemas import INPUT_TABLES, TABLES, Column, Table, logical_type


class BigQueryWarehouse(Warehouse):
    backend = "bigquery"

    def __init__(
        self,
        project: str,
        datasets: Datasets,
        *,
        location: str = "US",
        emulator_host: str | None = None,
        credentials_file: str | None = None,
        settings: BigQuerySettings | None = None,
        writer: str | None = None,
        command: str | None = None,
    ) -> None:
        """`emulator_host` (with its scheme, e.g. http://127.0.0.1:9050): talk to that emulator with anonymous
        credentials. Otherwise Google, with the key in `credentials_file` or Application Default Credentials."""
        super().__init__(datasets)
        self.writer = writer or "python"  # the command line a lease names to whoever it keeps out
        self.project = project
        self.location = location
        self.emulator_host = emulator_host or None
        self.settings = settings or (BigQuerySettings.for_emulator() if self.emulator_host else BigQuerySettings())
        self.client = bigquery_client(project, location, self.emulator_host, credentials_file)
        self.jobs = Jobs(self.client, self.settings, self.stats, command or ("write" if writer else "read"))
        self.fence: lease.Fence | None = None  # the lease a run holds while it holds one: checked by every publish
        self.staging = RunStaging(self)
        self.oldest_live_lease: datetime | None = None  # as this handle's lease acquisition found it

    def identify(self, run_id: str, command: str, label: str | None = None) -> None:
        self.jobs.identify(run_id, command, label)

    @property
    def url(self) -> str:
        return f"bigquery://{self.project}?location={self.location}"

    def describe(self) -> str:
        where = f" (emulator at {self.emulator_host})" if self.emulator_host else ""
        return f"{self.url}{where}"

    def qualified(self, dataset_key: str, table_name: str) -> str:
        return f"`{self.table_id(dataset_key, table_name)}`"

    def dataset_id(self, dataset_key: str) -> str:
        return f"{self.project}.{self.dataset_name(dataset_key)}"

    def table_id(self, dataset_key: str, table_name: str) -> str:
        return f"{self.dataset_id(dataset_key)}.{self.checked_table_name(table_name)}"

    # --- statements ---------------------------------------------------------------------
    @translated
    def query(self, sql: str, params: Params | None = None) -> pd.DataFrame:
        """Run a SELECT; DATE and TIMESTAMP columns come back as datetime64[us] like DuckDB's."""
        _, rows = self.jobs.query(self.render(sql), params, resubmit_safe=True, kind="read")
        with without_pandas_gbq_notices():
            frame = rows.to_dataframe(create_bqstorage_client=self.settings.storage_api)
        self.jobs.count(rows_read=len(frame))
        return like_duckdb(frame, rows.schema)

    @translated
    def query_many(self, reads: Mapping[str, tuple[str, Params | None]]) -> dict[str, pd.DataFrame]:
        """Every read in one job (see `combined`)."""
        if len(reads) < 2:
            return super().query_many(reads)
        return combined.read_together(self, reads)

    @translated
    def rows(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Run a SELECT; TIMESTAMP values come back as naive UTC like DuckDB's."""
        _, result = self.jobs.query(self.render(sql), params, resubmit_safe=True, kind="read")
        rows = [{name: naive_utc(value) for name, value in row.items()} for row in result]
        self.jobs.count(rows_read=len(rows))
        return rows

    def row_hash(self, columns: Sequence[str]) -> str:
        return f"FARM_FINGERPRINT(TO_JSON_STRING(STRUCT({', '.join(columns)})))"

    @translated
    def estimate_bytes(self, sql: str, params: Params | None = None) -> int | None:
        """BigQuery's own estimate, from a dry-run job: nothing runs and nothing is billed."""
        return self.jobs.estimate(self.render(sql), params)

    @translated
    def execute(self, sql: str, params: Params | None = None) -> int:
        job, _ = self.jobs.query(self.render(sql), params, resubmit_safe=False, kind="dml")
        return int(job.num_dml_affected_rows or 0)

    @translated
    def run_atomic(self, statements: Sequence[str], then: str | None = None) -> list[dict[str, Any]]:
        """One multi-statement transaction script, `then` read after its COMMIT in the same script (the script's
        result is its last statement's); BigQuery rolls the transaction back if any statement fails.
        Scripts take no parameters (the emulator cannot bind them): dates come as literals."""
        if not statements:
            return self.rows(then) if then else []
        fence = self.fence
        if fence is not None:  # a run that holds a lease publishes only while it still does
            self._check_fence()
            statements = [*lease.fence_statements(self, fence), *statements]
        body = ";\n".join(self.render(statement).strip().rstrip(";") for statement in statements)
        after = f"\n{self.render(then)};" if then else ""
        try:
            _, result = self.jobs.query(
                f"BEGIN TRANSACTION;\n{body};\nCOMMIT TRANSACTION;{after}", None, resubmit_safe=False, kind="publish"
            )
        except WarehouseError as error:
            if fence is not None and lease.LEASE_LOST in str(error):
                raise lease.lost_error(self, fence) from None
            raise
        if not then:
            return []
        rows = [{name: naive_utc(value) for name, value in row.items()} for row in result]
        self.jobs.count(rows_read=len(rows))
        return rows

    def _check_fence(self) -> None:
        """The heartbeat found the lease gone: stop before staging or publishing anything more."""
        if self.fence is not None and self.fence.lost.is_set():
            raise lease.lost_error(self, self.fence)

    # --- data movement ------------------------------------------------------------------
    def load_rows(self, frame: pd.DataFrame, schema: Table, table_id: str, *, replace: bool = False) -> None:
        """One load job: append `frame` to a contract table, or (`replace`) make it a staging table's only rows."""
        rows = frame_for_load(frame, schema)
        disposition = bigquery.WriteDisposition.WRITE_TRUNCATE if replace else bigquery.WriteDisposition.WRITE_APPEND
        config = bigquery.LoadJobConfig(
            schema=schema_fields(schema, enforce_required=not replace),
            write_disposition=disposition,
            labels=self.jobs.labels,
        )

        def submit(job_id: str) -> bigquery.LoadJob:
            with without_pandas_gbq_notices():
                return self.client.load_table_from_dataframe(
                    rows, table_id, job_config=config, job_id=job_id, timeout=self.settings.upload_timeout
                )

        self.jobs.run(submit, kind="load", resubmit_safe=False)

    @translated
    def load(self, frame: pd.DataFrame, key: str) -> None:
        schema = TABLES[key]
        self.load_rows(frame, schema, self.table_id(schema.dataset, schema.name))

    @translated
    def stage(self, frame: pd.DataFrame, schema: Table, label: str) -> str:
        """The run's staging table for `label` and this shape, holding `frame` alone (see `RunStaging`)."""
        self._check_fence()
        return f"`{self.staging.put(frame, schema, label)}`"

    def stage_rows(self, parts: Mapping[str, Rows], label: str) -> Staged:
        """As the base stages them, in the run's staging table: kept for the next batch, dropped by `end_staging`."""
        return Staged(super().stage_rows(parts, label).relations, ())

    @translated
    def drop_staging(self, name: str) -> None:
        self.staging.drop(name.strip("`"))

    @translated
    def end_staging(self) -> None:
        self.staging.drop_all()

    @translated
    def copy_rows_to_new_table(self, key: str, where_sql: str, new_name: str) -> str:
        return copies.copy_rows_to_new_table(self, key, where_sql, new_name)

    @translated
    def copy_back(self, source_name: str, key: str) -> int:
        return copies.copy_back(self, source_name, key)

    # --- structure ----------------------------------------------------------------------
    @translated
    def table_exists(self, dataset_key: str, table_name: str) -> bool:
        return self._get_table(self.table_id(dataset_key, table_name)) is not None

    def _get_table(self, table_id: str) -> bigquery.Table | None:
        try:
            return self.jobs.request(self.client.get_table, table_id)
        except api_exceptions.NotFound:
            return None

    @translated
    def column_types(self, key: str) -> dict[str, str]:
        spec = TABLES[key]
        table = self._get_table(self.table_id(spec.dataset, spec.name))
        return {field.name: logical_type(field.field_type) for field in table.schema} if table else {}

    @translated
    def add_column(self, key: str, column: Column) -> None:
        self.execute(f"ALTER TABLE {self.table(key)} ADD COLUMN IF NOT EXISTS {column.name} {column.type}")

    def create_table(self, spec: Table, name: str, *, exists_ok: bool) -> bool:
        """Create one table shaped like `spec`; False when it already existed."""
        table = bigquery.Table(self.table_id(spec.dataset, name), schema=schema_fields(spec))
        if spec.partition_by:
            table.time_partitioning = bigquery.TimePartitioning(
                type_=bigquery.TimePartitioningType.DAY, field=spec.partition_by
            )
        if spec.cluster_by:
            table.clustering_fields = list(spec.cluster_by)
        try:
            self.jobs.request(self.client.create_table, table)
        except api_exceptions.Conflict:
            if exists_ok:
                return False
            raise WarehouseError(f"table {table.full_table_id or table.table_id} already exists") from None
        return True

    @translated
    def create_datasets(self) -> list[str]:
        created = []
        for dataset_key in self.datasets.as_dict():
            dataset = bigquery.Dataset(self.dataset_id(dataset_key))
            dataset.location = self.location
            try:
                self.jobs.request(self.client.create_dataset, dataset)
            except api_exceptions.Conflict:
                continue
            created.append(self.dataset_name(dataset_key))
        return created

    @translated
    def create_tables(self, *, with_inputs: bool = True) -> list[str]:
        self.create_datasets()
        wanted = [spec for key, spec in TABLES.items() if with_inputs or key not in INPUT_TABLES]
        created = [spec for spec in wanted if self.create_table(spec, spec.name, exists_ok=True)]
        if TABLES["leases"] in created:
            self.execute(lease.mutex_sql(self))
        return [f"{self.dataset_name(spec.dataset)}.{spec.name}" for spec in created]

    # --- concurrency --------------------------------------------------------------------
    @contextmanager
    def lease(self, holder: str, start: date, end: date) -> Iterator[list[dict[str, object]]]:
        """A row in the leases table: [start, end] is ours until it expires (see `lease.held`); yields the
        leases of dead runs it took over."""
        with lease.held(self, holder, start, end) as taken_over:
            try:
                yield taken_over
            finally:  # a run stages only while it holds its lease
                self.end_staging()

    @translated
    def sweep_leftovers(self) -> list[str]:
        """Drop the staging tables of runs that died; returns the names dropped."""
        leftovers = lease.leftover_staging(self)
        for name in leftovers:
            self.drop_staging(self.table_id("orchestration", name))
        return leftovers

    @translated
    def close(self) -> None:
        try:
            self.end_staging()
        finally:
            self.client.close()
