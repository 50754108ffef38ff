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
from warehouse.identifiers import PROJECT_ID, Datasets

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
    if url.startswith("duckdb://"):
        from warehouse.duckdb_backend import DuckDBWarehouse

        path = duckdb_path(url)
        if not path.strip("/") or ":memory:" in path:
            raise BadInput(f"--warehouse: {url!r} names no file; expected {URL_FORMS}")
        return DuckDBWarehouse(path, datasets, must_exist=must_exist)
    parsed = urlparse(url)
    if url.startswith("bigquery://") and parsed.netloc:
        from warehouse.bigquery_backend import BigQueryWarehouse

        if not PROJECT_ID.fullmatch(parsed.netloc):
            raise BadInput(f"--warehouse: {parsed.netloc!r} is not a BigQuery project id; expected {URL_FORMS}")
        project = parsed.netloc
        location = parse_qs(parsed.query).get("location", ["US"])[0]
        return BigQueryWarehouse(project, datasets, location=location)
    raise BadInput(f"--warehouse: unsupported URL {url!r}; expected {URL_FORMS}")


__all__ = [
    "DEFAULT_URL", "BadInput", "Datasets", "JobStats", "LockHeld", "PcfError", "TableNotFound",
    "TransientWarehouseError", "Warehouse", "WarehouseError", "connect", "date_literal", "dates_in_list",
]  # fmt: skip
