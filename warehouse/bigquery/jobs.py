"""Running BigQuery requests and jobs: every request bounded in time, transient failures retried,
a job submitted again only when that cannot apply it twice, and what it cost counted.

Every job has a deterministic id, `pcf_<run id>_<kind>_<sequence>`, and the labels `pcf_run_id` and
`pcf_command`: it can be found, and paid for, by the run that sent it. An insert whose answer was lost is
sent again with the same id, so BigQuery answers 409 "Already Exists" if the first one arrived: that job
is fetched and waited for, never run twice. Only a job that exists and failed gets a new id."""

from __future__ import annotations

import itertools
import re
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud import bigquery
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_random_exponential

from warehouse.base import JobStats, Params
from warehouse.bigquery.errors import DRIVER_ERRORS, is_aborted_transaction, request_retry, translate
from warehouse.bigquery.settings import BigQuerySettings
from warehouse.bigquery.values import query_parameter
from warehouse.errors import PcfError, TransientWarehouseError, WarehouseError
from warehouse.logger import get_logger

T = TypeVar("T")
Job = TypeVar("Job", bigquery.QueryJob, bigquery.LoadJob, bigquery.CopyJob)
Submit = Callable[[str], Job]  # inserts the job under the id it is given

log = get_logger(__name__)
LABEL_VALUE = re.compile(r"[^a-z0-9_-]")


def label_value(text: str) -> str:
    """A BigQuery label value: lowercase letters, digits, `_` and `-`, at most 63 characters."""
    return LABEL_VALUE.sub("_", text.lower())[:63]


def session_id() -> str:
    """The id of a session that is not a run (status, init …): shaped like a run id, so its jobs sort with them."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


class _Resubmit(Exception):
    """A transient failure after which submitting the job again cannot apply it twice."""

    def __init__(self, error: PcfError, job_id: str, aborted: bool) -> None:
        super().__init__(str(error))
        self.error, self.job_id, self.aborted = error, job_id, aborted


class Jobs:
    """One client's requests and jobs, counted in `stats` (shared with the warehouse that owns it)."""

    def __init__(
        self, client: bigquery.Client, settings: BigQuerySettings, stats: JobStats, command: str = "python"
    ) -> None:
        self.client = client
        self.settings = settings
        self.stats = stats
        self.stats.bytes_billed = 0  # BigQuery bills; the summary shows it beside bytes processed
        self._stats_lock = threading.Lock()  # the lease heartbeat runs jobs from its own thread
        self.identify(session_id(), command)

    def identify(self, run_id: str, command: str, label: str | None = None) -> None:
        """Whose jobs these are from now on: their ids start `pcf_<run_id>_` and their labels name both, and the
        caller's label for the run (`pcf_label`, as a label value), when it gave one."""
        self.run_id, self.command = run_id, command
        self.labels = {"pcf_run_id": label_value(run_id), "pcf_command": label_value(command)}
        if label:
            self.labels["pcf_label"] = label_value(label)
        self._sequence = itertools.count(1)

    def new_job_id(self, kind: str) -> str:
        return f"pcf_{self.run_id}_{kind}_{next(self._sequence):05d}"

    def retry(self, job_id: str | None = None) -> Retry:
        """The retry of one request; for the insert of `job_id`, each retry is logged naming that job."""
        return request_retry(self.settings, job_id)

    def request(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One API request (not a job), bounded in time and retried while transient."""
        return call(*args, retry=self.retry(), timeout=self.settings.request_timeout, **kwargs)

    def run(self, submit: Submit[Job], *, kind: str, resubmit_safe: bool) -> tuple[Job, Any]:
        """Submit and wait for one job, submitting it again on transient failures while that cannot apply
        it twice: an insert that may not have arrived (same id), a job that failed, or any read."""
        retrying = Retrying(
            retry=retry_if_exception_type(_Resubmit),
            wait=wait_random_exponential(multiplier=self.settings.retry_initial, max=self.settings.retry_maximum),
            stop=self._out_of_time,
            before_sleep=_log_retry,
            reraise=True,
        )
        job_id = [self.new_job_id(kind)]  # renewed once a job under it exists and has failed
        try:
            return retrying(self._attempt, submit, job_id, kind, resubmit_safe)
        except _Resubmit as exhausted:
            raise exhausted.error from exhausted.__cause__  # the driver's error, for --debug

    def _out_of_time(self, state: RetryCallState) -> bool:
        """A transaction aborted by a concurrent one (another run publishing) gets its own, longer budget:
        the other run's transaction ends within seconds, and jittered waits keep the two from meeting again."""
        error = state.outcome.exception() if state.outcome else None
        aborted = isinstance(error, _Resubmit) and error.aborted
        budget = self.settings.abort_retry_deadline if aborted else self.settings.retry_deadline
        return (state.seconds_since_start or 0.0) >= budget

    def _attempt(self, submit: Submit[Job], job_id: list[str], kind: str, resubmit_safe: bool) -> tuple[Job, Any]:
        job = self._insert(submit, job_id[0])
        self.count(jobs=1)
        clock = time.perf_counter()
        wait: dict[str, Any] = {"job_retry": None} if isinstance(job, bigquery.QueryJob) else {}
        try:
            result = job.result(retry=self.retry(), timeout=self.settings.job_timeout, **wait)
        except TimeoutError:
            with suppress(*DRIVER_ERRORS):  # best effort: stop paying for a job nobody waits for
                job.cancel(retry=self.retry(), timeout=self.settings.request_timeout)
            raise WarehouseError(
                f"BigQuery job {job.job_id} did not finish within {self.settings.job_timeout:.0f} s and was cancelled"
            ) from None
        except DRIVER_ERRORS as error:
            failed = getattr(job, "error_result", None) is not None
            if failed:  # that id is spent: a resubmission is a new job
                job_id[0] = self.new_job_id(kind)
            raise _resubmittable(translate(error), job.job_id, resubmit_safe or failed) from error
        billed = getattr(job, "total_bytes_billed", None) or 0
        processed = getattr(job, "total_bytes_processed", None) or 0
        self.count(bytes_processed=processed, bytes_billed=billed)
        log.debug(
            "bigquery_job_done",
            job_id=job.job_id,
            bytes_processed=processed,
            bytes_billed=billed,
            seconds=round(time.perf_counter() - clock, 3),
        )
        return job, result

    def _insert(self, submit: Submit[Job], job_id: str) -> Job:
        """Insert the job under `job_id`. A 409 for that id means an earlier insert whose answer was lost did
        arrive: that job is ours, fetched and waited for. Any other transient failure is sent again under the
        same id, so it cannot run twice."""
        try:
            return submit(job_id)
        except api_exceptions.Conflict:
            log.warning(
                "bigquery_job_already_exists",
                job_id=job_id,
                reason="409 Already Exists: the insert whose answer was lost arrived",
                consequence="waiting for that job",
            )
            return cast(Job, self.request(self.client.get_job, job_id, location=self.client.location))
        except DRIVER_ERRORS as error:
            raise _resubmittable(translate(error), job_id, True) from error

    def query(
        self, sql: str, params: Params | None, *, resubmit_safe: bool, kind: str = "query"
    ) -> tuple[bigquery.QueryJob, Any]:
        """`sql` is rendered already: placeholders resolved to qualified table names."""
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(name, value) for name, value in (params or {}).items()],
            labels=self.labels,
            maximum_bytes_billed=self.settings.maximum_bytes_billed,
        )
        return self.run(
            lambda job_id: self.client.query(
                sql,
                job_config=config,
                job_id=job_id,
                retry=self.retry(job_id),
                timeout=self.settings.request_timeout,
                job_retry=None,
            ),
            kind=kind,
            resubmit_safe=resubmit_safe,
        )

    def answer(self, job: bigquery.QueryJob) -> dict[str, Any]:
        """A finished query's result as BigQuery's REST answer (jobs.getQueryResults: its schema and its rows as
        JSON cells, TIMESTAMPs in microseconds), for a caller that decodes the cells itself. One request, retried
        while transient; a large answer gets the time of an upload."""
        fetch = self.retry()(self.client._connection.api_request)
        return cast(
            dict[str, Any],
            fetch(
                method="GET",
                path=f"/projects/{job.project}/queries/{job.job_id}",
                query_params={"location": job.location, "formatOptions.useInt64Timestamp": True},
                timeout=self.settings.upload_timeout,
            ),
        )

    def estimate(self, sql: str, params: Params | None) -> int:
        """What `sql` would process, from a BigQuery dry-run job (it runs nothing and costs nothing)."""
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(name, value) for name, value in (params or {}).items()],
            labels=self.labels,
            dry_run=True,
            use_query_cache=False,
        )
        job = self.request(
            self.client.query, sql, job_config=config, job_id=self.new_job_id("estimate"), job_retry=None
        )
        return int(job.total_bytes_processed or 0)

    def count(self, *, jobs: int = 0, bytes_processed: int = 0, bytes_billed: int = 0, rows_read: int = 0) -> None:
        with self._stats_lock:
            self.stats.jobs += jobs
            self.stats.bytes_processed += int(bytes_processed)
            self.stats.bytes_billed = (self.stats.bytes_billed or 0) + int(bytes_billed)
            self.stats.rows_read += rows_read


def _resubmittable(error: PcfError, job_id: str, safe: bool) -> Exception:
    """A transient error worth another attempt, or the error to raise, naming the job either way."""
    error.args = (f"{error} [job {job_id}]",)
    if safe and isinstance(error, TransientWarehouseError):
        return _Resubmit(error, job_id, is_aborted_transaction(str(error)))
    return error


def _log_retry(state: RetryCallState) -> None:
    """One line per retried job: what went wrong, which job, and when it is tried again."""
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, _Resubmit):
        log.warning(
            "bigquery_job_retried",
            job_id=error.job_id,
            reason=str(error.error),
            attempt=state.attempt_number,
            wait_seconds=round(state.upcoming_sleep, 2),
        )
