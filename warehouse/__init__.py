"""The warehouse layer: one interface, two backends, the table contract defined once."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

from warehouse.base import JobStats, Warehouse, date_literal, dates_in_list
from warehouse.errors import (
    BadInput,
    LockHeld,
    PcfError,
    TableNotFound,
    TransientWarehouseError,
    WarehouseError,
)
from warehouse.identifiers import PROJECT_ID, Datasets, checked_identifier

DEFAULT_URL = "duckdb:///pcf.duckdb"
URL_FORMS = "duckdb:///path/file.duckdb or bigquery://PROJECT[?location=US]"


def duckdb_path(url: str) -> str:
    """`duckdb:///pcf.duckdb` is relative to the working directory; `duckdb:////abs/x.duckdb`
    is absolute; `duckdb:///tmp/x.duckdb` is relative when ./tmp exists, else absolute."""
    rest = url.removeprefix("duckdb://")
    path = rest[1:] if rest.startswith("/") else rest
    if path.startswith("/") or Path(path).parent.is_dir():
        return path
    return "/" + path


def connect(url: str, datasets: Datasets | None = None, *, must_exist: bool = False) -> Warehouse:
    """Open the warehouse a URL names — the only place that branches on the backend."""
    datasets = datasets or Datasets()
    parsed = urlparse(url)
    if parsed.scheme == "duckdb" and url.removeprefix("duckdb://").strip("/"):
        from warehouse.duckdb_backend import DuckDBWarehouse

        return DuckDBWarehouse(duckdb_path(url), datasets, must_exist=must_exist)
    if parsed.scheme == "bigquery" and parsed.netloc:
        from warehouse.bigquery_backend import BigQueryWarehouse

        project = checked_identifier(parsed.netloc, PROJECT_ID, "BigQuery project id")
        location = parse_qs(parsed.query).get("location", ["US"])[0]
        return BigQueryWarehouse(project, datasets, location=location)
    raise BadInput(f"--warehouse: unsupported URL {url!r}; expected {URL_FORMS}")


__all__ = [
    "DEFAULT_URL", "BadInput", "Datasets", "JobStats", "LockHeld", "PcfError", "TableNotFound",
    "TransientWarehouseError", "Warehouse", "WarehouseError", "connect", "date_literal", "dates_in_list",
]  # fmt: skip
