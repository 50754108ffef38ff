"""Running BigQuery requests and jobs: every request bounded in time, transient failures retried,
a job submitted again only when that cannot apply it twice, and what it cost counted."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from google.api_core.retry import Retry
from google.cloud import bigquery
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_random_exponential

from warehouse.base import JobStats, Params
from warehouse.bigquery.errors import DRIVER_ERRORS, request_retry, translate
from warehouse.bigquery.settings import BigQuerySettings
from warehouse.bigquery.values import query_parameter
from warehouse.errors import PcfError, TransientWarehouseError, WarehouseError

T = TypeVar("T")
Job = TypeVar("Job", bigquery.QueryJob, bigquery.LoadJob, bigquery.CopyJob)


class _Resubmit(Exception):
    """A transient failure after which submitting the job again cannot apply it twice."""

    def __init__(self, error: PcfError) -> None:
        super().__init__(str(error))
        self.error = error


class Jobs:
    """One client's requests and jobs, counted in `stats` (shared with the warehouse that owns it)."""

    def __init__(self, client: bigquery.Client, settings: BigQuerySettings, stats: JobStats) -> None:
        self.client = client
        self.settings = settings
        self.stats = stats
        self._stats_lock = threading.Lock()  # the lease heartbeat runs jobs from its own thread

    def retry(self) -> Retry:
        return request_retry(self.settings)

    def request(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One API request (not a job), bounded in time and retried while transient."""
        return call(*args, retry=self.retry(), timeout=self.settings.request_timeout, **kwargs)

    def run(self, submit: Callable[[], Job], *, resubmit_safe: bool) -> tuple[Job, Any]:
        """Submit and wait for one job, submitting it again on transient failures while that
        cannot apply it twice: reads always; writes only when the job itself failed."""
        retrying = Retrying(
            retry=retry_if_exception_type(_Resubmit),
            wait=wait_random_exponential(multiplier=self.settings.retry_initial, max=self.settings.retry_maximum),
            stop=stop_after_delay(self.settings.retry_deadline),
            reraise=True,
        )
        try:
            return retrying(self._attempt, submit, resubmit_safe)
        except _Resubmit as exhausted:
            raise exhausted.error from exhausted.__cause__  # the driver's error, for --debug

    def _attempt(self, submit: Callable[[], Job], resubmit_safe: bool) -> tuple[Job, Any]:
        try:
            job = submit()
        except DRIVER_ERRORS as error:
            raise _resubmittable(translate(error), True) from error
        self.count(jobs=1)
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
            raise _resubmittable(translate(error), resubmit_safe or failed) from error
        self.count(bytes_processed=getattr(job, "total_bytes_processed", None) or 0)
        return job, result

    def query(self, sql: str, params: Params | None, *, resubmit_safe: bool) -> tuple[bigquery.QueryJob, Any]:
        """`sql` is rendered already: placeholders resolved to qualified table names."""
        config = bigquery.QueryJobConfig(
            query_parameters=[query_parameter(name, value) for name, value in (params or {}).items()]
        )
        return self.run(
            lambda: self.client.query(sql, job_config=config, retry=self.retry(),
                                      timeout=self.settings.request_timeout, job_retry=None),  # fmt: skip
            resubmit_safe=resubmit_safe,
        )

    def count(self, *, jobs: int = 0, bytes_processed: int = 0, rows_read: int = 0) -> None:
        with self._stats_lock:
            self.stats.jobs += jobs
            self.stats.bytes_processed += int(bytes_processed)
            self.stats.rows_read += rows_read


def _resubmittable(error: PcfError, safe: bool) -> Exception:
    return _Resubmit(error) if safe and isinstance(error, TransientWarehouseError) else error
