"""The warehouse layer: one interface, two backends, the table contract defined once."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from warehouse.base import JobStats, Staged, Warehouse
from warehouse.errors import (
    BadInput,
    Interrupted,
    InvalidSetting,
    LockHeld,
    OutdatedWarehouse,
    PcfError,
    TableNotFound,
    TransientWarehouseError,
    WarehouseError,
)
from warehouse.identifiers import Datasets
from warehouse.schemas import TABLES
from warehouse.sql_text import date_literal, dates_in_list
from warehouse.urls import URL_FORMS, BigQueryUrl, DuckDBUrl, parse_url

DEFAULT_URL = "duckdb:///pcf.duckdb"


def connect(
    url: str,
    datasets: Datasets | None = None,
    *,
    must_exist: bool = False,
    read_only: bool = False,
    writer: str | None = None,
    emulator_host: str | None = None,
    credentials_file: str | None = None,
    bigquery: Mapping[str, Any] | None = None,
    command: str | None = None,
) -> Warehouse:
    """Open the warehouse a URL names — the only place that branches on the backend. `read_only`: the
    caller only reads (on DuckDB the file is opened read-only, so it never blocks a writer). `writer`: the
    command line of a writing command, shown to whoever it keeps out (DuckDB: held in a lock file).
    `emulator_host`: a `bigquery://` URL is served by the BigQuery emulator at this http(s) endpoint;
    `credentials_file`: else Google is reached with this key file (default: Application Default Credentials).
    `bigquery`: `BigQuerySettings` fields to override (lease_ttl, maximum_bytes_billed); `command`: what its jobs
    are labelled with until a run names itself (`Warehouse.identify`)."""
    datasets = datasets or Datasets()
    wh = _open(
        parse_url(url),
        datasets,
        must_exist,
        read_only,
        writer,
        emulator_host,
        credentials_file,
        dict(bigquery or {}),
        command,
    )
    if must_exist or read_only:  # `init` and `demo` create datasets and upgrade tables; everything else expects them
        try:
            refuse_datasets_without_tables(wh)
            refuse_an_older_version(wh)
        except BaseException:
            wh.close()
            raise
    return wh


def _open(
    parsed: DuckDBUrl | BigQueryUrl,
    datasets: Datasets,
    must_exist: bool,
    read_only: bool,
    writer: str | None,
    emulator_host: str | None,
    credentials_file: str | None,
    bigquery: dict[str, Any],
    command: str | None,
) -> Warehouse:
    if isinstance(parsed, DuckDBUrl):
        from warehouse.duckdb_backend import DuckDBWarehouse

        return DuckDBWarehouse(
            parsed.path,
            datasets,
            must_exist=must_exist or read_only or parsed.read_only,
            read_only=read_only or parsed.read_only,
            writer=writer,
        )
    from warehouse.bigquery import BigQuerySettings, BigQueryWarehouse

    defaults = BigQuerySettings.for_emulator() if emulator_host else BigQuerySettings()
    return BigQueryWarehouse(
        parsed.project,
        datasets,
        location=parsed.location,
        writer=writer,
        emulator_host=emulator_host,
        credentials_file=credentials_file,
        settings=replace(defaults, **bigquery),
        command=command,
    )


def refuse_datasets_without_tables(wh: Warehouse) -> None:
    """A dataset given a name of its own that holds none of its tables is taken for a misspelling: bad input,
    rather than a run that fails every date with advice to run `init` (which would create it, empty)."""
    defaults = Datasets().as_dict()
    for key, name in wh.datasets.as_dict().items():
        keys = [table for table, spec in TABLES.items() if spec.dataset == key]
        if name == defaults[key] or not keys or len(wh.missing_tables(keys)) < len(keys):
            continue
        raise InvalidSetting(
            "datasets",
            "{field}: {key}={name} holds none of its tables ({tables}) in {where}; check the name "
            "(`pcf-backfill init` would create them, empty)",
            key=key,
            name=name,
            tables=", ".join(TABLES[table].name for table in keys),
            where=wh.describe(),
        )


def refuse_an_older_version(wh: Warehouse) -> None:
    """The one upgrade check, before any command reads or writes: a warehouse whose own tables an older version
    created (a ledger without today's columns, a table added since) is refused until `init` upgrades it."""
    outdated = wh.outdated_tables()
    if outdated:
        raise OutdatedWarehouse(
            f"{wh.url} was created by an older version of pcf-backfill ({'; '.join(outdated)}): "
            "run `pcf-backfill init` to upgrade it in place, every row kept: "
            f"{shlex.join([*wh.command_words(), 'init'])}"
        )


__all__ = [
    "DEFAULT_URL",
    "URL_FORMS",
    "BadInput",
    "Datasets",
    "Interrupted",
    "InvalidSetting",
    "JobStats",
    "LockHeld",
    "OutdatedWarehouse",
    "PcfError",
    "Staged",
    "TableNotFound",
    "TransientWarehouseError",
    "Warehouse",
    "WarehouseError",
    "connect",
    "date_literal",
    "dates_in_list",
]
