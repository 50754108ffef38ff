"""One demo season (2022-23, seed 42) generated into a real DuckDB file, shared by the
demo tests, with every input table read back from the warehouse."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from demo import DemoSummary, generate_demo
from warehouse import connect
from warehouse.base import Warehouse
from warehouse.schemas import INPUT_TABLES

SEASON = 2022
SEED = 42


@dataclass(frozen=True)
class GeneratedLeague:
    wh: Warehouse
    summary: DemoSummary
    tables: dict[str, pd.DataFrame]


def read_inputs(wh: Warehouse) -> dict[str, pd.DataFrame]:
    return {key: wh.query(f"SELECT * FROM {{{key}}}") for key in INPUT_TABLES}


@pytest.fixture(scope="session")
def league(tmp_path_factory: pytest.TempPathFactory) -> GeneratedLeague:
    path = tmp_path_factory.mktemp("demo") / "league.duckdb"
    wh = connect(f"duckdb:///{path}")
    summary = generate_demo(wh, [SEASON], SEED)
    yield GeneratedLeague(wh, summary, read_inputs(wh))
    wh.close()
