"""Publishing a chunk: the statements (built as data, so a dry run or a test can read them),
their atomic execution, and the post-publish verification."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from warehouse import Warehouse, dates_in_list
from warehouse.schemas import TABLES


@dataclass(frozen=True)
class PublishPlan:
    dates: tuple[date, ...]  # dates whose rows are replaced
    statements: tuple[str, ...]


def publish_statements(dates: Sequence[date], staged_rows: str | None, staged_ledger: str) -> PublishPlan:
    """Replace each passing date's rows and append the chunk's ledger rows — one transaction."""
    pcf_columns = ", ".join(TABLES["pcf"].column_names)
    ledger_columns = ", ".join(TABLES["checkpoints"].column_names)
    statements = []
    if dates:
        statements.append(f"DELETE FROM {{pcf}} WHERE game_date IN {dates_in_list(dates)}")
        if staged_rows:
            statements.append(f"INSERT INTO {{pcf}} ({pcf_columns}) SELECT {pcf_columns} FROM {staged_rows}")
    statements.append(
        f"INSERT INTO {{checkpoints}} ({ledger_columns}) SELECT {ledger_columns} FROM {staged_ledger}"
    )
    return PublishPlan(tuple(dates), tuple(statements))


def publish_chunk(wh: Warehouse, dates: Sequence[date], rows: pd.DataFrame, ledger_rows: pd.DataFrame) -> None:
    """Stage, then swap everything in a single transaction; staging is dropped whatever happens."""
    staged: list[str] = []
    try:
        rows_table = wh.stage(rows, TABLES["pcf"], "pcf") if len(rows) else None
        staged += [rows_table] if rows_table else []
        ledger_table = wh.stage(ledger_rows, TABLES["checkpoints"], "checkpoints")
        staged.append(ledger_table)
        wh.run_atomic(publish_statements(dates, rows_table, ledger_table).statements)
    finally:
        for name in staged:
            wh.drop_staging(name)


def published_counts(wh: Warehouse, dates: Sequence[date]) -> pd.Series:
    """Rows now in PCF per date (0 for dates with none)."""
    if not dates:
        return pd.Series(dtype="int64")
    counts = wh.query(
        "SELECT game_date, COUNT(*) AS n FROM {pcf} WHERE game_date BETWEEN @start AND @end GROUP BY game_date",
        {"start": min(dates), "end": max(dates)},
    ).set_index("game_date")["n"]
    wanted = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(dates), dtype="object")))
    return counts.reindex(wanted).fillna(0).astype("int64")
