"""Read-only planning: per-date UPCG coverage before the cutoff, the dates to delete, and the
statements that would do it (SQL as data, so a dry run or a debug log can print them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from cleanup.settings import CleanupSettings
from vocabulary import UPCG_SUFFICIENT
from warehouse import Warehouse, date_literal, dates_in_list
from warehouse.schemas import TABLES

BACKUP_PREFIX = f"{TABLES['upcg'].name}_backup_"
BACKUP_STAMP_FORMAT = "%Y%m%dT%H%M%S"
PER_DATE_COLUMNS = [
    "game_date",
    "upcg_players",
    "upcg_rows",
    "pgs_active_players",
    "matched_players",
    "coverage",
    "action",
]

PER_DATE_SQL = """
WITH upcg_dates AS (
  SELECT game_date, COUNT(*) AS upcg_rows, COUNT(DISTINCT player_lookup) AS upcg_players
  FROM {upcg}
  WHERE game_date < @cutoff AND (processed_at IS NULL OR processed_at <= @planned_at)
  GROUP BY game_date
),
active AS (
  SELECT DISTINCT game_date, player_lookup
  FROM {pgs}
  WHERE player_status = 'active' AND game_date < @cutoff
),
expected AS (
  SELECT game_date, COUNT(*) AS pgs_active_players FROM active GROUP BY game_date
),
matched AS (
  SELECT u.game_date, COUNT(DISTINCT u.player_lookup) AS matched_players
  FROM {upcg} AS u
  JOIN active AS a ON a.game_date = u.game_date AND a.player_lookup = u.player_lookup
  WHERE u.game_date < @cutoff AND (u.processed_at IS NULL OR u.processed_at <= @planned_at)
  GROUP BY u.game_date
)
SELECT d.game_date, d.upcg_players, d.upcg_rows,
       COALESCE(e.pgs_active_players, 0) AS pgs_active_players,
       COALESCE(m.matched_players, 0) AS matched_players
FROM upcg_dates AS d
LEFT JOIN expected AS e ON e.game_date = d.game_date
LEFT JOIN matched AS m ON m.game_date = d.game_date
ORDER BY d.game_date
"""


def utc_now() -> datetime:
    """Naive UTC, the way every TIMESTAMP of the warehouse is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class CleanupPlan:
    settings: CleanupSettings
    per_date: pd.DataFrame
    predicate: str | None  # WHERE clause selecting exactly the rows to delete; None when nothing matches
    planned_at: datetime  # naive UTC: rows ingested later are never the plan's
    backup_name: str
    backup_statement: str | None  # what Warehouse.copy_rows_to_new_table runs; None without backup
    delete_statement: str | None

    @property
    def statements(self) -> list[str]:
        """`{upcg}`-placeholder SQL in execution order, for a dry run or a debug log to print."""
        return [sql for sql in (self.backup_statement, self.delete_statement) if sql is not None]

    @property
    def cutoff(self) -> date:
        return self.settings.cutoff

    @property
    def delete_dates(self) -> list[date]:
        return dates_to_delete(self.per_date)

    @property
    def rows_matched(self) -> int:
        return int(self.per_date.loc[self.per_date["action"] == "delete", "upcg_rows"].sum())


def dates_to_delete(per_date: pd.DataFrame) -> list[date]:
    return list(per_date.loc[per_date["action"] == "delete", "game_date"])


def backup_table_name(now: datetime) -> str:
    return BACKUP_PREFIX + now.strftime(BACKUP_STAMP_FORMAT)


def per_date_coverage(wh: Warehouse, cutoff: date, planned_at: datetime) -> pd.DataFrame:
    """One row per UPCG date before the cutoff: its players, rows (ingested by `planned_at`), PGS active
    players and coverage."""
    frame = wh.query(PER_DATE_SQL, {"cutoff": cutoff, "planned_at": planned_at})
    frame["game_date"] = pd.to_datetime(frame["game_date"]).dt.date
    for column in ("upcg_players", "upcg_rows", "pgs_active_players", "matched_players"):
        frame[column] = frame[column].astype("int64")
    expected = frame["pgs_active_players"]
    # A date with UPCG rows but nobody active in PGS is covered 0%: those rows describe no game played.
    frame["coverage"] = (frame["matched_players"] / expected.where(expected > 0)).fillna(0.0).astype("float64")
    return frame


def with_actions(per_date: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Mark each date `delete` or `keep`: every date in mode `all`, under-covered dates in `partial`."""
    expected = per_date["pgs_active_players"]
    # Rows for a date nobody played (expected 0) are stale whatever their count.
    under_covered = (expected == 0) | (per_date["matched_players"] < UPCG_SUFFICIENT * expected)
    delete = under_covered if mode == "partial" else pd.Series(True, index=per_date.index)
    return per_date.assign(action=delete.map({True: "delete", False: "keep"}).astype("object"))[PER_DATE_COLUMNS]


def timestamp_literal(value: datetime) -> str:
    """A naive-UTC timestamp rendered for SQL (both dialects read TIMESTAMP 'YYYY-MM-DD HH:MM:SS.ffffff' as UTC)."""
    return f"TIMESTAMP '{value.isoformat(sep=' ', timespec='microseconds')}'"


def ingested_by(planned_at: datetime) -> str:
    """Rows upstream wrote after the plan are not the plan's: a cleanup never touches them."""
    return f"(processed_at IS NULL OR processed_at <= {timestamp_literal(planned_at)})"


def delete_predicate(mode: str, cutoff: date, delete_dates: list[date], planned_at: datetime) -> str | None:
    """Fixed at plan time: `game_date < cutoff` for `all`, the listed dates for `partial`, each only for rows
    ingested by `planned_at`; None when nothing is to go."""
    if not delete_dates:
        return None
    if mode == "all":
        return f"game_date < {date_literal(cutoff)} AND {ingested_by(planned_at)}"
    if max(delete_dates) >= cutoff:
        raise ValueError(f"refusing to delete {max(delete_dates)}: on or after the cutoff {cutoff}")
    return f"game_date IN {dates_in_list(sorted(delete_dates))} AND {ingested_by(planned_at)}"


def backup_statement(wh: Warehouse, predicate: str, backup_name: str) -> str:
    backup_table = wh.qualified(TABLES["upcg"].dataset, backup_name)
    return f"CREATE TABLE {backup_table} AS SELECT * FROM {{upcg}} WHERE {predicate}"


def delete_statement(predicate: str) -> str:
    return f"DELETE FROM {{upcg}} WHERE {predicate}"


def plan_cleanup(wh: Warehouse, settings: CleanupSettings, *, now: datetime | None = None) -> CleanupPlan:
    """Read-only: what a cleanup with these settings would delete, and how."""
    planned_at = now or utc_now()
    per_date = with_actions(per_date_coverage(wh, settings.cutoff, planned_at), settings.mode)
    predicate = delete_predicate(settings.mode, settings.cutoff, dates_to_delete(per_date), planned_at)
    backup_name = backup_table_name(planned_at)
    if predicate is None:
        return CleanupPlan(settings, per_date, None, planned_at, backup_name, None, None)
    backup = backup_statement(wh, predicate, backup_name) if settings.backup else None
    return CleanupPlan(settings, per_date, predicate, planned_at, backup_name, backup, delete_statement(predicate))
