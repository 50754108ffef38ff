"""Warehouse URLs, parsed strictly: one rule per backend, and anything unknown is bad input.

DuckDB follows the common SQLAlchemy rule, whatever folders exist: `duckdb:///pcf.duckdb` is relative to the
working directory, `duckdb:////srv/pcf/pcf.duckdb` (four slashes) is absolute. BigQuery needs a project and
accepts one key, `location`, checked against BigQuery's documented location names (case-insensitive).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from warehouse.errors import bad_warehouse
from warehouse.identifiers import PROJECT_ID

URL_FORMS = (
    "duckdb:///path/file.duckdb (relative to the working directory), duckdb:////abs/path/file.duckdb "
    "(absolute) or bigquery://PROJECT[?location=US]"
)
DUCKDB_KEYS: dict[str, tuple[str, ...]] = {"access_mode": ("read_only", "read_write")}
MULTI_REGIONS = ("US", "EU")
REGIONS = (
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "northamerica-south1",
    "southamerica-east1",
    "southamerica-west1",
    "europe-central2",
    "europe-north1",
    "europe-north2",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-west10",
    "europe-west12",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
    "me-central1",
    "me-central2",
    "me-west1",
    "africa-south1",
)
LOCATIONS = {name.lower(): name for name in (*MULTI_REGIONS, *REGIONS)}


@dataclass(frozen=True)
class DuckDBUrl:
    path: str
    read_only: bool = False


@dataclass(frozen=True)
class BigQueryUrl:
    project: str
    location: str = "US"


def parse_url(url: str) -> DuckDBUrl | BigQueryUrl:
    if url.startswith("duckdb://"):
        return duckdb_url(url)
    if url.startswith("bigquery://"):
        return bigquery_url(url)
    raise bad_warehouse(f"unsupported URL {url!r}; expected {URL_FORMS}")


def query_keys(url: str, query: str, allowed: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """`?key=value&…` with only known keys, each once, each with an accepted value (case-insensitive)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    keys = [key for key, _ in pairs]
    unknown = sorted({key for key in keys if key not in allowed} | {key for key in keys if keys.count(key) > 1})
    if unknown or (query and not pairs):
        accepted = ", ".join(f"{key}={'|'.join(values)}" for key, values in allowed.items())
        raise bad_warehouse(
            f"{url!r} has unknown or repeated query keys {', '.join(unknown) or query!r}; accepted: {accepted}"
        )
    return {key: value for key, value in pairs}


def duckdb_url(url: str) -> DuckDBUrl:
    rest, _, query = url.removeprefix("duckdb://").partition("?")
    if not rest.startswith("/") or not rest.strip("/") or ":memory:" in rest:
        raise bad_warehouse(f"{url!r} names no file; expected {URL_FORMS}")
    options = query_keys(url, query, DUCKDB_KEYS)
    mode = options.get("access_mode", "read_write").lower()
    if mode not in DUCKDB_KEYS["access_mode"]:
        raise bad_warehouse(f"access_mode={options['access_mode']!r}; expected read_only or read_write")
    return DuckDBUrl(rest[1:], read_only=mode == "read_only")


def bigquery_url(url: str) -> BigQueryUrl:
    project, _, query = url.removeprefix("bigquery://").partition("?")
    project = project.rstrip("/")
    if not project:
        raise bad_warehouse(f"{url!r} names no project; expected bigquery://PROJECT[?location=US]")
    if not PROJECT_ID.fullmatch(project):
        raise bad_warehouse(f"{project!r} is not a BigQuery project id; expected {URL_FORMS}")
    options = query_keys(url, query, {"location": ("US", "EU", "REGION")})
    return BigQueryUrl(project, checked_location(options.get("location", "US")))


def checked_location(text: str) -> str:
    """A documented BigQuery location, spelled as BigQuery spells it (US, EU, europe-west1 …)."""
    name = LOCATIONS.get(text.strip().lower())
    if name is None:
        raise bad_warehouse(
            f"location {text!r} is not a BigQuery location; expected US, EU or a region "
            "such as us-central1 or europe-west1"
        )
    return name
