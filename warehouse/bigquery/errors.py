"""Driver errors become the project's errors here, once: `translated` wraps every adapter method,
so no call path leaks a google or requests exception. Also which errors are worth retrying."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Mapping
from typing import ParamSpec, TypeVar

import requests
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.auth.exceptions import DefaultCredentialsError, GoogleAuthError, RefreshError, TransportError

from warehouse.bigquery.settings import CREDENTIALS_HINT, BigQuerySettings, credentials_error
from warehouse.errors import PcfError, TableNotFound, TransientWarehouseError, WarehouseError
from warehouse.logger import get_logger

TRANSIENT_REASONS = frozenset(
    {"rateLimitExceeded", "backendError", "internalError", "jobRateLimitExceeded", "jobBackendError"}
)
ABORTED_MESSAGES = ("could not serialize access", "concurrent update")  # a concurrent transaction won
TRANSIENT_STATUS = (
    api_exceptions.TooManyRequests,
    api_exceptions.InternalServerError,
    api_exceptions.BadGateway,
    api_exceptions.ServiceUnavailable,
    api_exceptions.GatewayTimeout,
)
RETRYABLE_REQUEST_REASONS = frozenset({"rateLimitExceeded", "backendError", "internalError", "badGateway"})
UNREACHABLE = (requests.ConnectionError, requests.Timeout, TransportError, ConnectionError, TimeoutError)
DRIVER_ERRORS = (api_exceptions.GoogleAPIError, GoogleAuthError, requests.RequestException, TimeoutError)

REPEATED_DETAIL = re.compile(r"; reason: \w+, message: .*$")
log = get_logger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


def first_line(error: BaseException) -> str:
    """The error's first line, said once: a failed job's message repeats itself after "; reason: …, message: "."""
    text = str(getattr(error, "message", None) or str(error) or type(error).__name__).strip().split("\n")[0]
    return REPEATED_DETAIL.sub("", text)


def _reasons(error: api_exceptions.GoogleAPICallError) -> set[str]:
    return {str(item.get("reason")) for item in error.errors or [] if isinstance(item, Mapping)}


def is_aborted_transaction(message: str) -> bool:
    """BigQuery aborted a transaction because another one changed the same table: nothing was applied."""
    return any(marker in message.lower() for marker in ABORTED_MESSAGES)


def is_transient(error: api_exceptions.GoogleAPICallError) -> bool:
    """Worth submitting the job again (when that cannot apply it twice)."""
    if isinstance(error, TRANSIENT_STATUS):
        return True
    reasons = _reasons(error)
    text = first_line(error).lower()
    return bool(reasons & TRANSIENT_REASONS) or is_aborted_transaction(text)


def translate(error: BaseException) -> PcfError:
    """A driver error as the project's error: transient, not found, unreachable, or terminal."""
    if isinstance(error, api_exceptions.RetryError) and error.cause is not None:
        cause = translate(error.cause)
        return cause if isinstance(cause, TransientWarehouseError) else TransientWarehouseError(str(cause))
    if isinstance(error, DefaultCredentialsError):
        return credentials_error(error)
    if isinstance(error, RefreshError):
        return WarehouseError(f"BigQuery credentials rejected ({first_line(error)}): {CREDENTIALS_HINT}")
    if isinstance(error, UNREACHABLE):  # retried already, for `unreachable_deadline`: more would only hide it
        return WarehouseError(
            f"BigQuery unreachable ({type(error).__name__}: {first_line(error)}); "
            "check the network, proxy and endpoint, then rerun"
        )
    if isinstance(error, requests.RequestException | GoogleAuthError):
        return TransientWarehouseError(f"BigQuery request failed: {first_line(error)}")
    if not isinstance(error, api_exceptions.GoogleAPICallError):
        return WarehouseError(f"BigQuery error: {first_line(error)}")
    message = first_line(error)
    if is_transient(error):
        return TransientWarehouseError(message)
    if isinstance(error, api_exceptions.NotFound):
        return TableNotFound(f"{message} — {not_found_hint(message)}")
    if isinstance(error, api_exceptions.Forbidden | api_exceptions.Unauthorized):
        return WarehouseError(f"{message} — check the account's BigQuery permissions; {CREDENTIALS_HINT}")
    return WarehouseError(message)


def not_found_hint(message: str) -> str:
    """A dataset BigQuery did not find in the location asked may well exist in another one."""
    if " in location " in message:
        return (
            "check the project, --datasets and the location (a dataset in another location needs "
            "bigquery://PROJECT?location=THAT_LOCATION), or run `pcf-backfill init`"
        )
    return "check the project and --datasets, or run `pcf-backfill init`"


def translated(method: Callable[P, T]) -> Callable[P, T]:
    """The one translation: whatever the driver raises inside `method` leaves as a `warehouse.errors` type."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except DRIVER_ERRORS as error:
            raise translate(error) from error

    return call


def request_retry(settings: BigQuerySettings, job_id: str | None = None) -> Retry:
    """The client's retry for one call: transient server errors for `retry_deadline`, an unreachable
    service only for `unreachable_deadline` after its first failure (a fresh clock per call). The insert of
    job `job_id` logs one line per retry, naming the job and why."""
    first_unreachable: list[float] = []

    def retryable(error: Exception) -> bool:
        if isinstance(error, UNREACHABLE):
            first_unreachable[:] = first_unreachable or [time.monotonic()]
            return time.monotonic() - first_unreachable[0] < settings.unreachable_deadline
        if isinstance(error, TRANSIENT_STATUS):
            return True
        busy = isinstance(error, api_exceptions.GoogleAPICallError) and _reasons(error) & RETRYABLE_REQUEST_REASONS
        return bool(busy)

    def retried(error: Exception) -> None:
        log.warning("bigquery_job_retried", job_id=job_id, reason=first_line(error), stage="insert")

    return Retry(
        predicate=retryable,
        initial=settings.retry_initial,
        maximum=settings.retry_maximum,
        timeout=settings.retry_deadline,
        on_error=retried if job_id else None,
    )
