"""BigQuery: the production warehouse. The four datasets live in one project.

Credentials are Application Default Credentials, or — when `BIGQUERY_EMULATOR_HOST` is set
(with its scheme, e.g. http://127.0.0.1:9050) — anonymous ones against that emulator.
Every client call carries a bounded timeout and retry (the client's own defaults retry for
600 s), and driver errors leave this module only as `warehouse.errors` types.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from numbers import Integral, Real
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import requests
import structlog
from google.api_core import exceptions as api_exceptions
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import DefaultCredentialsError, GoogleAuthError, RefreshError
from google.cloud import bigquery
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_random_exponential

from warehouse.base import Params, Warehouse, date_literal
from warehouse.errors import BadInput, LockHeld, TableNotFound, TransientWarehouseError, WarehouseError
from warehouse.identifiers import Datasets
from warehouse.schemas import TABLES, Column, Table, logical_type

EMULATOR_HOST_VARIABLE = "BIGQUERY_EMULATOR_HOST"
CREDENTIALS_HINT = "run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)"
TRANSIENT_REASONS = frozenset(
    {"rateLimitExceeded", "backendError", "internalError", "jobRateLimitExceeded", "jobBackendError"}
)
TRANSIENT_MESSAGES = ("could not serialize access", "concurrent update")
TRANSIENT_STATUS = (
    api_exceptions.TooManyRequests, api_exceptions.InternalServerError, api_exceptions.BadGateway,
    api_exceptions.ServiceUnavailable, api_exceptions.GatewayTimeout,
)  # fmt: skip
DRIVER_ERRORS = (
    api_exceptions.GoogleAPIError, GoogleAuthError, requests.RequestException, TimeoutError,
)  # fmt: skip
LEASE_MUTEX_ID = "__mutex__"  # the leases row every acquisition updates, see `lease`

log = structlog.get_logger()
T = TypeVar("T")
Job = TypeVar("Job", bigquery.QueryJob, bigquery.LoadJob, bigquery.CopyJob)


@dataclass(frozen=True)
class BigQuerySettings:
    """Time bounds and switches of the adapter; the defaults suit production."""

    request_timeout: float = 60.0  # seconds for one HTTP request
    job_timeout: float = 1800.0  # seconds to wait for one job to finish
    retry_deadline: float = 120.0  # seconds spent retrying transient errors, per call
    retry_initial: float = 1.0
    retry_maximum: float = 30.0
    storage_api: bool = False  # fetch results through the Storage Read API (needs its package)
    lease_ttl: int = 900  # seconds a lease lives without a heartbeat
    staging_ttl: timedelta = timedelta(hours=24)  # a crashed run's staging tables expire

    @classmethod
    def for_emulator(cls) -> BigQuerySettings:
        """A local emulator answers some client mistakes with HTTP 500: retrying those for
        minutes only hides them."""
        return cls(request_timeout=30.0, job_timeout=300.0, retry_deadline=3.0, retry_initial=0.1, retry_maximum=0.5)


def bigquery_client(project: str, location: str, emulator_host: str | None) -> bigquery.Client:
    """The client for Google (Application Default Credentials) or for a local emulator."""
    if emulator_host:
        if not emulator_host.startswith(("http://", "https://")):
            raise BadInput(
                f"{EMULATOR_HOST_VARIABLE}={emulator_host!r}: include the scheme, e.g. http://127.0.0.1:9050"
            )
        return bigquery.Client(
            project=project,
            location=location,
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=emulator_host),
        )
    try:
        return bigquery.Client(project=project, location=location)
    except DefaultCredentialsError:
        raise WarehouseError(f"no Google credentials found for BigQuery: {CREDENTIALS_HINT}") from None


# --- error translation --------------------------------------------------------------------
def _first_line(error: BaseException) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return str(text).strip().split("\n")[0]


def is_transient(error: api_exceptions.GoogleAPICallError) -> bool:
    if isinstance(error, TRANSIENT_STATUS):
        return True
    reasons = {item.get("reason") for item in error.errors or [] if isinstance(item, Mapping)}
    text = _first_line(error).lower()
    return bool(reasons & TRANSIENT_REASONS) or any(marker in text for marker in TRANSIENT_MESSAGES)


def translate(error: BaseException) -> WarehouseError:
    """A driver error as the project's error: transient, not found, or terminal."""
    if isinstance(error, api_exceptions.RetryError) and error.cause is not None:
        cause = translate(error.cause)
        return cause if isinstance(cause, TransientWarehouseError) else TransientWarehouseError(str(cause))
    if isinstance(error, DefaultCredentialsError | RefreshError):
        return WarehouseError(f"BigQuery credentials rejected ({_first_line(error)}): {CREDENTIALS_HINT}")
    if isinstance(error, TimeoutError):
        return WarehouseError(f"BigQuery job did not finish in time ({_first_line(error)})")
    if isinstance(error, requests.RequestException | GoogleAuthError):
        return TransientWarehouseError(f"BigQuery unreachable: {_first_line(error)}")
    if not isinstance(error, api_exceptions.GoogleAPICallError):
        return WarehouseError(f"BigQuery error: {_first_line(error)}")
    message = _first_line(error)
    if is_transient(error):
        return TransientWarehouseError(message)
    if isinstance(error, api_exceptions.NotFound):
        return TableNotFound(f"{message} — check the project and --datasets, or run `pcf-backfill init`")
    if isinstance(error, api_exceptions.Forbidden | api_exceptions.Unauthorized):
        return WarehouseError(f"{message} — check the account's BigQuery permissions; {CREDENTIALS_HINT}")
    return WarehouseError(message)


@contextmanager
def _without_pandas_gbq_notices() -> Iterator[None]:
    """The client's DataFrame helpers announce a move to pandas-gbq; they still work."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Loading pandas DataFrame into BigQuery", FutureWarning)
        warnings.filterwarnings("ignore", ".* DataFrames via google-cloud-bigquery", PendingDeprecationWarning)
        yield


class _Resubmit(Exception):
    """A transient failure after which submitting the job again cannot apply it twice."""

    def __init__(self, error: WarehouseError) -> None:
        super().__init__(str(error))
        self.error = error


# --- values in and out --------------------------------------------------------------------
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


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def lease_text(lease: dict[str, Any]) -> str:
    """Who holds a lease and how long it has been silent, for the exit-4 line."""
    if not lease:
        return "the lease of another run"
    who = f"PID {lease.get('pid')} on {lease.get('host')}" if lease.get("host") else "an unknown process"
    silent = lease.get("silent_seconds")
    beat = f"last heartbeat {int(silent)} s ago" if silent is not None else "no heartbeat yet"
    return (f"the lease of run {lease.get('holder')} ({who}: {lease.get('command') or 'command not recorded'}; "
            f"{beat}, lease id {lease.get('lease_id')})")  # fmt: skip


# --- the warehouse ------------------------------------------------------------------------
class BigQueryWarehouse(Warehouse):
    backend = "bigquery"

    def __init__(
        self,
        project: str,
        datasets: Datasets,
        *,
        location: str = "US",
        emulator_host: str | None = None,
        settings: BigQuerySettings | None = None,
        writer: str | None = None,
    ) -> None:
        super().__init__(datasets)
        self.writer = writer or "python"  # the command line a lease names to whoever it keeps out
        self.project = project
        self.location = location
        self.emulator_host = emulator_host or os.environ.get(EMULATOR_HOST_VARIABLE) or None
        self.settings = settings or (BigQuerySettings.for_emulator() if self.emulator_host else BigQuerySettings())
        self.client = bigquery_client(project, location, self.emulator_host)
        self._api_retry = bigquery.DEFAULT_RETRY.with_timeout(self.settings.retry_deadline)
        self._stats_lock = threading.Lock()

    def describe(self) -> str:
        where = f" (emulator at {self.emulator_host})" if self.emulator_host else ""
        return f"bigquery://{self.project}?location={self.location}{where}"

    def qualified(self, dataset_key: str, table_name: str) -> str:
        return f"`{self._table_id(dataset_key, table_name)}`"

    def _table_id(self, dataset_key: str, table_name: str) -> str:
        return f"{self.project}.{self.dataset_name(dataset_key)}.{self.checked_table_name(table_name)}"

    # --- calls and jobs -----------------------------------------------------------------
    def _api(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One API request (not a job), bounded in time, errors translated."""
        try:
            return call(*args, retry=self._api_retry, timeout=self.settings.request_timeout, **kwargs)
        except DRIVER_ERRORS as error:
            raise translate(error) from None

    def _run_job(self, submit: Callable[[], Job], *, resubmit_safe: bool) -> tuple[Job, Any]:
        """Submit and wait for one job, submitting it again on transient failures while that
        cannot apply it twice: reads always; writes only when the job itself failed."""
        retrying = Retrying(
            retry=retry_if_exception_type(_Resubmit),
            wait=wait_random_exponential(multiplier=self.settings.retry_initial, max=self.settings.retry_maximum),
            stop=stop_after_delay(self.settings.retry_deadline),
            reraise=True,
        )
        try:
            return retrying(self._attempt_job, submit, resubmit_safe)
        except _Resubmit as exhausted:
            raise exhausted.error from None

    def _attempt_job(self, submit: Callable[[], Job], resubmit_safe: bool) -> tuple[Job, Any]:
        try:
            job = submit()
        except DRIVER_ERRORS as error:
            raise self._resubmittable(translate(error), True) from None
        self._count(jobs=1)
        wait: dict[str, Any] = {"job_retry": None} if isinstance(job, bigquery.QueryJob) else {}
        try:
            result = job.result(retry=self._api_retry, timeout=self.settings.job_timeout, **wait)
        except TimeoutError:
            with suppress(*DRIVER_ERRORS):  # best effort: stop paying for a job nobody waits for
                job.cancel(retry=self._api_retry, timeout=self.settings.request_timeout)
            raise WarehouseError(
                f"BigQuery job {job.job_id} did not finish within {self.settings.job_timeout:.0f} s and was cancelled"
            ) from None
        except DRIVER_ERRORS as error:
            failed = getattr(job, "error_result", None) is not None
            raise self._resubmittable(translate(error), resubmit_safe or failed) from None
        self._count(bytes_processed=getattr(job, "total_bytes_processed", None) or 0)
        return job, result

    @staticmethod
    def _resubmittable(error: WarehouseError, safe: bool) -> Exception:
        return _Resubmit(error) if safe and isinstance(error, TransientWarehouseError) else error

    def _count(self, *, jobs: int = 0, bytes_processed: int = 0, rows_read: int = 0) -> None:
        with self._stats_lock:  # the lease heartbeat runs jobs from its own thread
            self.stats.jobs += jobs
            self.stats.bytes_processed += int(bytes_processed)
            self.stats.rows_read += rows_read

    def _query_job(self, sql: str, params: Params | None, *, resubmit_safe: bool) -> tuple[bigquery.QueryJob, Any]:
        """`sql` is rendered already: placeholders resolved to qualified table names."""
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(name, value) for name, value in (params or {}).items()]
        )
        return self._run_job(
            lambda: self.client.query(
                sql,
                job_config=config,
                retry=self._api_retry,
                timeout=self.settings.request_timeout,
                job_retry=None,
            ),
            resubmit_safe=resubmit_safe,
        )

    # --- statements ---------------------------------------------------------------------
    def query(self, sql: str, params: Params | None = None) -> pd.DataFrame:
        """Run a SELECT; DATE and TIMESTAMP columns come back as datetime64[us] like DuckDB's."""
        _, rows = self._query_job(self.render(sql), params, resubmit_safe=True)
        try:
            with _without_pandas_gbq_notices():
                frame = rows.to_dataframe(create_bqstorage_client=self.settings.storage_api)
        except DRIVER_ERRORS as error:
            raise translate(error) from None
        self._count(rows_read=len(frame))
        return like_duckdb(frame, rows.schema)

    def execute(self, sql: str, params: Params | None = None) -> int:
        job, _ = self._query_job(self.render(sql), params, resubmit_safe=False)
        return int(job.num_dml_affected_rows or 0)

    def run_atomic(self, statements: Sequence[str]) -> None:
        """One multi-statement transaction script; BigQuery rolls it back if any statement fails.
        Scripts take no parameters (the emulator cannot bind them): dates come as literals."""
        if not statements:
            return
        body = ";\n".join(self.render(statement).strip().rstrip(";") for statement in statements)
        self._query_job(f"BEGIN TRANSACTION;\n{body};\nCOMMIT TRANSACTION;", None, resubmit_safe=False)

    # --- data movement ------------------------------------------------------------------
    def _load(self, frame: pd.DataFrame, schema: Table, table_id: str, *, enforce_required: bool) -> None:
        rows = frame_for_load(frame, schema)
        config = bigquery.LoadJobConfig(
            schema=schema_fields(schema, enforce_required=enforce_required),
            write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        )

        def submit() -> bigquery.LoadJob:
            with _without_pandas_gbq_notices():
                return self.client.load_table_from_dataframe(
                    rows, table_id, job_config=config, timeout=self.settings.request_timeout
                )

        self._run_job(submit, resubmit_safe=False)

    def load(self, frame: pd.DataFrame, key: str) -> None:
        schema = TABLES[key]
        self._load(frame, schema, self._table_id(schema.dataset, schema.name), enforce_required=True)

    def stage(self, frame: pd.DataFrame, schema: Table, label: str) -> str:
        """A per-run table in the orchestration dataset; it expires by itself if a crash leaves it."""
        name = f"_staging_{self.checked_table_name(label)}_{uuid.uuid4().hex[:8]}"
        table_id = self._table_id("orchestration", name)
        table = bigquery.Table(table_id, schema=schema_fields(schema, enforce_required=False))
        table.expires = datetime.now(UTC) + self.settings.staging_ttl
        self._api(self.client.create_table, table)
        self._load(frame, schema, table_id, enforce_required=False)
        return self.qualified("orchestration", name)

    def drop_staging(self, name: str) -> None:
        self._api(self.client.delete_table, name.strip("`"), not_found_ok=True)

    def copy_rows_to_new_table(self, key: str, where_sql: str, new_name: str) -> str:
        """A table shaped exactly like `key` (so `copy_back` can use a copy job), filled by one
        INSERT … SELECT: a copy job cannot filter rows, and the emulator has no CREATE … COPY."""
        spec = TABLES[key]
        self._create_table(spec, new_name, exists_ok=False)
        target = self.qualified(spec.dataset, new_name)
        columns = ", ".join(spec.column_names)
        try:
            self.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {self.table(key)} WHERE {where_sql}")
        except WarehouseError:
            self._api(self.client.delete_table, target.strip("`"), not_found_ok=True)
            raise
        return target

    def copy_back(self, source_name: str, key: str) -> int:
        """Append a table made by `copy_rows_to_new_table` back with a copy job (no bytes billed).
        Rows are counted by a query (metadata-only on BigQuery): the emulator's table metadata
        does not count rows written by DML."""
        spec = TABLES[key]
        source_id = self._table_id(spec.dataset, source_name)
        rows = self.query(f"SELECT COUNT(*) AS row_count FROM `{source_id}`")["row_count"][0]
        config = bigquery.CopyJobConfig(write_disposition=bigquery.WriteDisposition.WRITE_APPEND)
        self._run_job(
            lambda: self.client.copy_table(
                source_id,
                self._table_id(spec.dataset, spec.name),
                job_config=config,
                retry=self._api_retry,
                timeout=self.settings.request_timeout,
            ),
            resubmit_safe=False,
        )
        return int(rows)

    # --- structure ----------------------------------------------------------------------
    def table_exists(self, dataset_key: str, table_name: str) -> bool:
        try:
            self._api(self.client.get_table, self._table_id(dataset_key, table_name))
        except TableNotFound:
            return False
        return True

    def column_types(self, key: str) -> dict[str, str]:
        spec = TABLES[key]
        try:
            table = self._api(self.client.get_table, self._table_id(spec.dataset, spec.name))
        except TableNotFound:
            return {}
        return {field.name: logical_type(field.field_type) for field in table.schema}

    def add_column(self, key: str, column: Column) -> None:
        self.execute(f"ALTER TABLE {self.table(key)} ADD COLUMN IF NOT EXISTS {column.name} {column.type}")

    def _create_table(self, spec: Table, name: str, *, exists_ok: bool) -> bool:
        """Create one table shaped like `spec`; False when it already existed."""
        table = bigquery.Table(self._table_id(spec.dataset, name), schema=schema_fields(spec))
        if spec.partition_by:
            table.time_partitioning = bigquery.TimePartitioning(
                type_=bigquery.TimePartitioningType.DAY, field=spec.partition_by
            )
        if spec.cluster_by:
            table.clustering_fields = list(spec.cluster_by)
        try:
            self.client.create_table(table, retry=self._api_retry, timeout=self.settings.request_timeout)
        except api_exceptions.Conflict:
            if exists_ok:
                return False
            raise WarehouseError(f"table {table.full_table_id or table.table_id} already exists") from None
        except DRIVER_ERRORS as error:
            raise translate(error) from None
        return True

    def create_tables(self) -> list[str]:
        for dataset_name in self.datasets.as_dict().values():
            dataset = bigquery.Dataset(f"{self.project}.{dataset_name}")
            dataset.location = self.location
            self._api(self.client.create_dataset, dataset, exists_ok=True)
        created = [spec for spec in TABLES.values() if self._create_table(spec, spec.name, exists_ok=True)]
        if TABLES["leases"] in created:
            self.execute(self._lease_mutex_sql())
        return [f"{self.dataset_name(spec.dataset)}.{spec.name}" for spec in created]

    # --- concurrency --------------------------------------------------------------------
    @contextmanager
    def lease(self, holder: str, start: date, end: date) -> Iterator[None]:
        """A row in the leases table: [start, end] is ours until it expires; a heartbeat thread
        extends it while the work runs, and it is deleted on exit."""
        lease_id = uuid.uuid4().hex
        self._acquire(lease_id, holder, start, end)
        stop = threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(lease_id, stop), daemon=True)
        heartbeat.start()
        try:
            yield
        finally:
            stop.set()
            heartbeat.join()
            self._release(lease_id)

    def _lease_mutex_sql(self) -> str:
        leases = self.table("leases")
        return (
            f"INSERT INTO {leases} (lease_id, holder) SELECT '{LEASE_MUTEX_ID}', 'lease mutex' FROM (SELECT 1) "
            f"WHERE NOT EXISTS (SELECT 1 FROM {leases} WHERE lease_id = '{LEASE_MUTEX_ID}')"
        )

    def _acquire(self, lease_id: str, holder: str, start: date, end: date) -> None:
        # Inserts alone never conflict in BigQuery, so every acquisition also updates the
        # mutex row (made by create_tables, or here on first use): two racing transactions
        # then conflict, one is aborted and retried, and the retry sees the winner's lease.
        leases = self.table("leases")
        overlapping = f"start_date <= {date_literal(end)} AND end_date >= {date_literal(start)}"
        now = "CURRENT_TIMESTAMP()"
        self._take_over_dead_leases(start, end)
        _, rows = self._query_job(
            f"""BEGIN TRANSACTION;
{self._lease_mutex_sql()};
UPDATE {leases} SET heartbeat_at = {now} WHERE lease_id = '{LEASE_MUTEX_ID}';
DELETE FROM {leases} WHERE {overlapping} AND expires_at < {now};
INSERT INTO {leases} (lease_id, holder, start_date, end_date, acquired_at, heartbeat_at, expires_at, host, pid,
                      command)
  SELECT '{lease_id}', {string_literal(holder)}, {date_literal(start)}, {date_literal(end)}, {now}, {now},
    TIMESTAMP_ADD({now}, INTERVAL {int(self.settings.lease_ttl)} SECOND), {string_literal(socket.gethostname())},
    {os.getpid()}, {string_literal(self.writer)} FROM (SELECT 1)
  WHERE NOT EXISTS (SELECT 1 FROM {leases} WHERE {overlapping} AND expires_at >= {now});
COMMIT TRANSACTION;
SELECT lease_id, holder, expires_at, host, pid, command,
    TIMESTAMP_DIFF({now}, heartbeat_at, SECOND) AS silent_seconds FROM {leases}
  WHERE {overlapping} AND expires_at >= {now} ORDER BY acquired_at""",
            None,
            resubmit_safe=True,  # the lease id is fixed: a second attempt finds its own row
        )
        holders = [dict(row.items()) for row in rows]
        if any(lease["lease_id"] == lease_id for lease in holders):
            return
        raise LockHeld(f"{start}..{end} overlaps {lease_text(holders[0] if holders else {})}; wait for that run "
                       "to finish or the lease to expire, or release it: `pcf-backfill lock status`")  # fmt: skip

    def sweep_leftovers(self) -> list[str]:
        """Drop the staging tables of runs that died: every one created before the oldest live lease was
        taken (a live run stages only while it holds its lease). Returns the names dropped."""
        oldest = self.query(
            "SELECT MIN(acquired_at) AS oldest FROM {leases} WHERE lease_id != @mutex "
            "AND expires_at >= CURRENT_TIMESTAMP()", {"mutex": LEASE_MUTEX_ID},
        )["oldest"].iat[0]  # fmt: skip
        if pd.isna(oldest):
            return []
        cutoff = pd.Timestamp(oldest)
        cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff
        dataset = f"{self.project}.{self.dataset_name('orchestration')}"
        leftovers = [table.table_id for table in self._api(self.client.list_tables, dataset)
                     if table.table_id.startswith("_staging_") and table.created is not None
                     and pd.Timestamp(table.created) < cutoff]  # fmt: skip
        for name in leftovers:
            self._api(self.client.delete_table, f"{dataset}.{name}", not_found_ok=True)
        return leftovers

    def _take_over_dead_leases(self, start: date, end: date) -> None:
        """A lease held by a process of this host that no longer exists is taken over at once."""
        live = self.query(
            "SELECT lease_id, holder, pid FROM {leases} WHERE start_date <= @end AND end_date >= @start "
            "AND expires_at >= CURRENT_TIMESTAMP() AND host = @host AND pid IS NOT NULL",
            {"start": start, "end": end, "host": socket.gethostname()},
        )  # fmt: skip
        for lease in live.itertuples():
            if not process_alive(int(lease.pid)):
                log.warning("lease_taken_over", lease_id=lease.lease_id, holder=lease.holder, dead_pid=int(lease.pid))
                self.execute("DELETE FROM {leases} WHERE lease_id = @lease_id", {"lease_id": lease.lease_id})

    def _heartbeat(self, lease_id: str, stop: threading.Event) -> None:
        while not stop.wait(self.settings.lease_ttl / 3):
            try:
                self.execute(
                    "UPDATE {leases} SET heartbeat_at = CURRENT_TIMESTAMP(), "
                    "expires_at = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL @ttl SECOND) WHERE lease_id = @lease_id",
                    {"ttl": int(self.settings.lease_ttl), "lease_id": lease_id},
                )
            except WarehouseError as error:  # the next beat tries again before the lease expires
                log.warning("lease_heartbeat_failed", lease_id=lease_id, error=str(error))

    def _release(self, lease_id: str) -> None:
        try:
            self.execute("DELETE FROM {leases} WHERE lease_id = @lease_id", {"lease_id": lease_id})
        except WarehouseError as error:
            log.warning(
                "lease_release_failed",
                lease_id=lease_id,
                error=str(error),
                consequence=f"the lease expires by itself within {self.settings.lease_ttl} s",
            )

    def close(self) -> None:
        self.client.close()
