"""The `warehouse` every scenario runs on: the 2022-23 demo league on DuckDB (a private file) and on the BigQuery
emulator (a fresh project filled by `demo --allow-bigquery`), so each scenario is written once."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import BACKENDS, invoke


@dataclass(frozen=True)
class DemoWarehouse:
    """A demo league on one backend: its `--warehouse` URL, and how to make another one beside it."""

    backend: str
    url: str
    another: Callable[[], str]


def duckdb_demo(demo_file: Path, tmp_path: Path) -> Callable[[], str]:
    def make() -> str:
        copy = tmp_path / f"pcf-{uuid.uuid4().hex[:8]}.duckdb"
        shutil.copy(demo_file, copy)
        return f"duckdb:///{copy}"

    return make


def bigquery_demo(bigquery_url: str) -> Callable[[], str]:
    def make() -> str:
        url = f"{bigquery_url}-{uuid.uuid4().hex[:6]}"
        result = invoke(url, "demo", "--allow-bigquery")
        assert result.exit_code == 0, result.output
        return url

    return make


@pytest.fixture(params=BACKENDS)
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> DemoWarehouse:
    if request.param == "bigquery":
        make = bigquery_demo(request.getfixturevalue("bigquery_url"))
    else:
        make = duckdb_demo(request.getfixturevalue("demo_file"), tmp_path)
    return DemoWarehouse(request.param, make(), make)
