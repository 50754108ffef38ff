"""Write the demo league into a warehouse: refuse to clobber data unless asked, then load
every input table once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from demo.league import build_league
from demo.seasons import SEASON_FORMS, SUPPORTED_SEASONS
from warehouse.base import Warehouse
from warehouse.errors import BadInput
from warehouse.schemas import INPUT_TABLES, TABLES


@dataclass(frozen=True)
class DemoSummary:
    """What `generate_demo` wrote."""

    seasons: list[int]
    seed: int
    rows: dict[str, int]  # rows written per table key


def generate_demo(
    wh: Warehouse,
    seasons: Sequence[int] = (2022,),
    seed: int = 42,
    *,
    replace: bool = False,
    allow_bigquery: bool = False,
) -> DemoSummary:
    """Generate the seeded demo league of SPEC §9 and load it into `wh`'s input tables.

    Output and ledger tables are never touched; with `replace` the input tables are emptied first.
    """
    chosen = _checked_request(wh, seasons, seed, allow_bigquery=allow_bigquery)
    wh.create_tables()
    wh.migrate_tables()
    populated = _input_row_counts(wh)
    if populated and not replace:
        held = ", ".join(f"{key} {count}" for key, count in populated.items())
        raise BadInput(
            f"demo: the input tables already hold rows ({held}); pass --replace to delete them "
            "and write the demo league (output and ledger tables are kept)"
        )
    frames = build_league(chosen, seed)
    if replace:
        wh.run_atomic([f"DELETE FROM {{{key}}}{every_partition(key) or ' WHERE TRUE'}" for key in INPUT_TABLES])
    for key in INPUT_TABLES:
        wh.load(frames[key], key)
    return DemoSummary(seasons=chosen, seed=seed, rows={key: len(frames[key]) for key in INPUT_TABLES})


def _checked_request(wh: Warehouse, seasons: Sequence[int], seed: int, *, allow_bigquery: bool) -> list[int]:
    if wh.backend == "bigquery" and not allow_bigquery:
        raise BadInput(
            "demo: refusing to write a synthetic league into BigQuery "
            f"({wh.describe()}); use a duckdb:/// warehouse, or pass --allow-bigquery"
        )
    chosen = sorted(set(seasons))
    if not chosen or any(season not in SUPPORTED_SEASONS for season in chosen):
        raise BadInput(f"--seasons: expected {SEASON_FORMS}; got {list(seasons)!r}")
    if seed < 0:
        raise BadInput(f"--seed: expected a non-negative integer; got {seed}")
    return chosen


def every_partition(key: str) -> str:
    """The filter a table that requires a partition filter accepts for a read of all its rows."""
    column = TABLES[key].partition_by
    return f" WHERE {column} IS NOT NULL" if column else ""


def _input_row_counts(wh: Warehouse) -> dict[str, int]:
    """Row counts of the input tables that are not empty."""
    counts = wh.query(
        " UNION ALL ".join(
            f"SELECT '{key}' AS table_key, count(*) AS row_count FROM {{{key}}}{every_partition(key)}"
            for key in INPUT_TABLES
        )
    )
    return {str(key): int(rows) for key, rows in zip(counts["table_key"], counts["row_count"], strict=True) if rows > 0}
