"""Before/after evidence that a delete removed the matched rows and nothing else."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from warehouse import Warehouse
from warehouse.schemas import TABLES

UPCG_COLUMNS = ", ".join(TABLES["upcg"].column_names)


@dataclass(frozen=True)
class Fingerprint:
    """Row count and an order-independent content hash of a set of rows."""

    rows: int
    content_hash: str


@dataclass(frozen=True)
class TableState:
    kept: Fingerprint  # the rows on or after the cutoff, which a cleanup must never touch


def content_hash(frame: pd.DataFrame) -> str:
    """Hash each row, sort the row hashes (so row order does not matter), hash the sorted list."""
    row_hashes = np.sort(pd.util.hash_pandas_object(frame, index=False).to_numpy())
    return hashlib.sha256(row_hashes.tobytes()).hexdigest()[:16]


def fingerprint_from(wh: Warehouse, cutoff: date, planned_at: datetime) -> Fingerprint:
    """The rows on or after the cutoff that were there when the cleanup was planned (upstream may append)."""
    rows = wh.query(
        f"SELECT {UPCG_COLUMNS} FROM {{upcg}} WHERE game_date >= @cutoff "
        "AND (processed_at IS NULL OR processed_at <= @planned_at)",
        {"cutoff": cutoff, "planned_at": planned_at},
    )
    return Fingerprint(len(rows), content_hash(rows))


def count_upcg(wh: Warehouse, predicate: str = "TRUE") -> int:
    """Rows of UPCG matching a plan's WHERE clause (all rows by default)."""
    return int(wh.query(f"SELECT COUNT(*) AS row_count FROM {{upcg}} WHERE {predicate}")["row_count"].iloc[0])


def table_state(wh: Warehouse, cutoff: date, planned_at: datetime) -> TableState:
    return TableState(fingerprint_from(wh, cutoff, planned_at))


def verification_problems(
    rows_matched: int, deleted: int, remaining: int, before: TableState, after: TableState, cutoff: date
) -> list[str]:
    """Why a completed delete cannot be trusted; empty when it can."""
    problems = []
    if remaining:
        problems.append(f"{remaining} matched rows remain")
    if after.kept != before.kept:
        problems.append(
            f"rows on or after {cutoff} changed ({before.kept.rows} rows #{before.kept.content_hash} → "
            f"{after.kept.rows} rows #{after.kept.content_hash})"
        )
    if deleted != rows_matched:
        problems.append(f"{deleted} rows were deleted but {rows_matched} matched")
    return problems
