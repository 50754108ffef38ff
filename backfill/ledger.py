"""The ledger: the warehouse is the checkpoint. Reads are side-effect free; rows are written by
the publisher in the same transaction as the data they describe."""

from __future__ import annotations

from datetime import date

import pandas as pd

from warehouse import TableNotFound, Warehouse
from warehouse.schemas import TABLES

PROCESSOR = "player_composite_factors"
DONE_STATES = ("published", "skipped_bootstrap")

# The latest verdict is the highest attempt number, whatever the clocks said; rows written before attempts
# were numbered rank below every numbered one and by time among themselves.
LATEST_FIRST = "COALESCE(attempt, 0) DESC, finished_at DESC, started_at DESC"
CURRENT_STATE_SQL = f"""
SELECT game_date, status, coverage, reason, run_id, context_source, expected_players,
       published_players, forced, force_reason, finished_at, source_reason, coverage_warning,
       min_coverage, warn_coverage
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY game_date ORDER BY {LATEST_FIRST}) AS rn
  FROM {{checkpoints}}
  WHERE processor = @processor AND game_date BETWEEN @start AND @end
) AS latest
WHERE rn = 1
ORDER BY game_date
"""


def current_states(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """The latest verdict of each date in [start, end] (dates never run have no row: pending)."""
    states = wh.query(CURRENT_STATE_SQL, {"processor": PROCESSOR, "start": start, "end": end})
    return states.set_index("game_date")


FAILING_AUDITS_SQL = """
SELECT a.game_date, a.audit, a.severity, a.value, a.baseline, a.threshold, a.detail
FROM {audits} AS a
JOIN (SELECT game_date, MAX(attempt) AS attempt FROM {checkpoints}
      WHERE processor = @processor AND game_date BETWEEN @start AND @end GROUP BY game_date) AS latest
  ON latest.game_date = a.game_date AND latest.attempt = a.attempt
WHERE a.processor = @processor AND NOT a.passed AND a.game_date BETWEEN @start AND @end
ORDER BY a.game_date, a.severity, a.audit
"""
AUDIT_COLUMNS = ["game_date", "audit", "severity", "value", "baseline", "threshold", "detail"]


def failing_audits(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """The audits (SPEC §6.9) each date's latest attempt failed; none for a warehouse whose ledger predates them."""
    if wh.missing_tables(["audits"]):
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    return wh.query(FAILING_AUDITS_SQL, {"processor": PROCESSOR, "start": start, "end": end})


def history(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """Every verdict ever recorded for the range, oldest first."""
    return wh.query(
        "SELECT * FROM {checkpoints} WHERE processor = @processor AND game_date BETWEEN @start AND @end "
        "ORDER BY game_date, COALESCE(attempt, 0), finished_at",
        {"processor": PROCESSOR, "start": start, "end": end},
    )


def wants_processing(state: str | None, rerun: str) -> bool:
    """Which dates a run takes, by their current ledger state (None: never run)."""
    if rerun == "all":
        return True
    if rerun in ("blocked", "failed"):
        return state == rerun
    return state not in DONE_STATES


RUN_TABLES = ("schedule", "pcf", "runs", "checkpoints", "audits")


def require_tables(wh: Warehouse) -> None:
    """Fail fast when a table the run plans from or records into is missing, or when the ledger predates
    this version. A missing input table is different: the dates that need it fail, with the reason."""
    missing = wh.missing_tables(RUN_TABLES)
    if missing:
        names = ", ".join(f"{wh.dataset_name(TABLES[k].dataset)}.{TABLES[k].name}" for k in missing)
        raise TableNotFound(f"missing tables {names}: run `pcf-backfill init` (or check --datasets)")
    ledger = wh.column_types("checkpoints")
    if any(name not in ledger for name in TABLES["checkpoints"].column_names):
        raise TableNotFound("the ledger was created by an older version: run `pcf-backfill init` to add its new "
                            "columns (every existing row is kept)")  # fmt: skip
