"""What the BigQuery adapter is told: time bounds and switches, and how it reaches the service
(a credentials file, Application Default Credentials, or anonymous ones against a local emulator).
Nothing here reads the environment: the CLI and the API pass the emulator endpoint and the file in."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import google.auth
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import DefaultCredentialsError
from google.cloud import bigquery
from google.oauth2 import credentials as user_credentials, service_account

from warehouse.errors import BadInput, InvalidSetting, PcfError, WarehouseError

CREDENTIALS_HINT = "run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)"
KEY_FILE_FORM = "expected a service account key or `gcloud auth application-default login` JSON file"
MIN_LEASE_TTL = 5  # seconds: a heartbeat every third of it must still reach BigQuery in time
NO_DEFAULT_CREDENTIALS = "default credentials were not found"  # google-auth's words when it found no file at all


@dataclass(frozen=True)
class BigQuerySettings:
    """Time bounds and switches of the adapter; the defaults suit production."""

    request_timeout: float = 10.0  # seconds for one API request (an unreachable service fails within it)
    upload_timeout: float = 120.0  # seconds for one upload of a load job's rows
    job_timeout: float = 1800.0  # seconds to wait for one job to finish
    retry_deadline: float = 120.0  # seconds spent retrying transient errors, per call
    unreachable_deadline: float = 5.0  # seconds an unreachable service is retried after its first failure
    retry_initial: float = 1.0
    retry_maximum: float = 30.0
    storage_api: bool = False  # fetch results through the Storage Read API (needs its package)
    abort_retry_deadline: float = 900.0  # seconds a transaction aborted by a concurrent one is retried
    lease_ttl: int = 900  # seconds a lease lives without a heartbeat (PCF_LEASE_TTL_SECONDS)
    maximum_bytes_billed: int | None = None  # every query fails rather than bill more (PCF_MAXIMUM_BYTES_BILLED)
    staging_ttl: timedelta = timedelta(hours=24)  # a crashed run's staging tables expire

    def __post_init__(self) -> None:
        if not isinstance(self.lease_ttl, int) or self.lease_ttl < MIN_LEASE_TTL:
            raise InvalidSetting(
                "lease_ttl",
                "{field}: {value!r} seconds; expected a whole number, at least {least}",
                value=self.lease_ttl,
                least=MIN_LEASE_TTL,
            )
        if self.maximum_bytes_billed is not None and (
            not isinstance(self.maximum_bytes_billed, int) or self.maximum_bytes_billed < 1
        ):
            raise InvalidSetting(
                "maximum_bytes_billed",
                "{field}: {value!r}; expected a whole number of bytes",
                value=self.maximum_bytes_billed,
            )

    @classmethod
    def for_emulator(cls) -> BigQuerySettings:
        """A local emulator answers some client mistakes with HTTP 500: retrying those for
        minutes only hides them. It runs each job inside the request that submits it."""
        return cls(
            request_timeout=30.0,
            upload_timeout=30.0,
            job_timeout=300.0,
            retry_deadline=3.0,
            abort_retry_deadline=60.0,
            unreachable_deadline=3.0,
            retry_initial=0.1,
            retry_maximum=0.5,
        )


def bigquery_client(
    project: str, location: str, emulator_host: str | None, credentials_file: str | None = None
) -> bigquery.Client:
    """The client for a local emulator, or for Google with the credentials in `credentials_file`
    (what GOOGLE_APPLICATION_CREDENTIALS names) or else Application Default Credentials."""
    if emulator_host:
        if not emulator_host.startswith(("http://", "https://")):
            raise BadInput(f"BigQuery emulator host {emulator_host!r}: include the scheme, e.g. http://127.0.0.1:9050")
        return bigquery.Client(
            project=project,
            location=location,
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=emulator_host),
        )
    if credentials_file:
        return bigquery.Client(project=project, location=location, credentials=file_credentials(credentials_file))
    try:
        return bigquery.Client(project=project, location=location)
    except DefaultCredentialsError as error:
        raise credentials_error(error) from None


def file_credentials(path: str) -> Any:
    """The credentials a key file holds; a file that cannot hold any is refused, named."""
    malformed = f"the Google credentials file {path} (GOOGLE_APPLICATION_CREDENTIALS) is malformed"
    try:
        info = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise BadInput(
            f"the Google credentials file {path} (GOOGLE_APPLICATION_CREDENTIALS) cannot be read: "
            f"{error.strerror or error}"
        ) from None
    except ValueError:
        raise BadInput(f"{malformed}: not JSON; {KEY_FILE_FORM}") from None
    if not isinstance(info, dict) or not isinstance(info.get("type"), str):
        raise BadInput(f'{malformed}: no credentials "type"; {KEY_FILE_FORM}')
    try:
        return credentials_from(info, path)
    except (DefaultCredentialsError, ValueError, KeyError, TypeError) as error:
        reason = str(error).strip().split("\n")[0]
        raise BadInput(f"{malformed}: {reason}; {KEY_FILE_FORM}") from None


def credentials_from(info: dict[str, Any], path: str) -> Any:
    """The two kinds of key file people use, loaded by their own classes; any other kind (workload identity
    federation, impersonation) by google-auth's general loader, its shape checked by the caller."""
    scopes = list(bigquery.Client.SCOPE)
    if info["type"] == "service_account":
        return service_account.Credentials.from_service_account_info(info, scopes=scopes)
    if info["type"] == "authorized_user":
        return user_credentials.Credentials.from_authorized_user_info(info, scopes=scopes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "validate external configurations": done above
        credentials, _ = google.auth.load_credentials_from_file(path, default_scopes=scopes)
    return credentials


def credentials_error(error: DefaultCredentialsError) -> PcfError:
    """No credentials at all is a setup step still to do; a credentials file that cannot be used is bad
    input, named (google-auth's line names the file)."""
    text = str(error).strip().split("\n")[0]
    if NO_DEFAULT_CREDENTIALS in text.lower():
        return WarehouseError(f"no Google credentials found for BigQuery: {CREDENTIALS_HINT}")
    return BadInput(f"the Google credentials file is malformed or missing: {text}; {KEY_FILE_FORM}")
