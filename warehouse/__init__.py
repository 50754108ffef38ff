"""The warehouse layer: one interface, two backends, the table contract defined once."""

from __future__ import annotations

from warehouse.base import JobStats, Staged, Warehouse, date_literal, dates_in_list
from warehouse.errors import (
    BadInput,
    InvalidSetting,
    LockHeld,
    PcfError,
    TableNotFound,
    TransientWarehouseError,
    WarehouseError,
)
from warehouse.identifiers import Datasets
from warehouse.urls import URL_FORMS, DuckDBUrl, parse_url

DEFAULT_URL = "duckdb:///pcf.duckdb"


def connect(url: str, datasets: Datasets | None = None, *, must_exist: bool = False, read_only: bool = False,
            writer: str | None = None, emulator_host: str | None = None,
            credentials_file: str | None = None) -> Warehouse:  # fmt: skip
    """Open the warehouse a URL names — the only place that branches on the backend. `read_only`: the
    caller only reads (on DuckDB the file is opened read-only, so it never blocks a writer). `writer`: the
    command line of a writing command, shown to whoever it keeps out (DuckDB: held in a lock file).
    `emulator_host`: a `bigquery://` URL is served by the BigQuery emulator at this http(s) endpoint;
    `credentials_file`: else Google is reached with this key file (default: Application Default Credentials)."""
    datasets = datasets or Datasets()
    parsed = parse_url(url)
    if isinstance(parsed, DuckDBUrl):
        from warehouse.duckdb_backend import DuckDBWarehouse

        return DuckDBWarehouse(parsed.path, datasets, must_exist=must_exist or read_only or parsed.read_only,
                               read_only=read_only or parsed.read_only, writer=writer)  # fmt: skip
    from warehouse.bigquery import BigQueryWarehouse

    return BigQueryWarehouse(parsed.project, datasets, location=parsed.location, writer=writer,
                             emulator_host=emulator_host, credentials_file=credentials_file)


__all__ = [
    "DEFAULT_URL", "URL_FORMS", "BadInput", "Datasets", "InvalidSetting", "JobStats", "LockHeld", "PcfError",
    "Staged", "TableNotFound", "TransientWarehouseError", "Warehouse", "WarehouseError", "connect", "date_literal",
    "dates_in_list",
]  # fmt: skip
