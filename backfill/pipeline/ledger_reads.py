"""What the ledger says, read as plain rows (no pandas): each date's latest verdict, its latest publish and the
audits its latest attempt failed. `status` and `validate` read these; `backfill.pipeline.ledger` reads the same SQL as
frames for the runner and keeps everything a run writes."""

from __future__ import annotations

from datetime import date
from typing import Any

from warehouse import Warehouse

PROCESSOR = "player_composite_factors"

# The latest verdict is the highest attempt number, whatever the clocks said; rows written before attempts
# were numbered rank below every numbered one and by time among themselves.
LATEST_FIRST = "COALESCE(attempt, 0) DESC, finished_at DESC, started_at DESC"
CURRENT_STATE_SQL = f"""
SELECT game_date, status, coverage, reason, run_id, context_source, expected_players,
       published_players, forced, force_reason, finished_at, source_reason, coverage_warning,
       min_coverage, warn_coverage, upcg_state, blocked_by
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY game_date ORDER BY {LATEST_FIRST}) AS rn
  FROM {{checkpoints}}
  WHERE processor = @processor AND game_date BETWEEN @start AND @end
) AS latest
WHERE rn = 1
ORDER BY game_date
"""
# The rows in PCF are those of the date's latest *published* verdict: a later blocked (regression) or failed
# verdict leaves them in place, so the table is reconciled against that verdict, not the last attempt.
LAST_PUBLISHED_SQL = f"""
SELECT game_date, published_players AS ledger_published_players, TRUE AS ever_published
FROM (
  SELECT game_date, published_players, ROW_NUMBER() OVER (PARTITION BY game_date ORDER BY {LATEST_FIRST}) AS rn
  FROM {{checkpoints}}
  WHERE processor = @processor AND status = 'published' AND game_date BETWEEN @start AND @end
) AS latest
WHERE rn = 1
"""
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


def by_date(rows: list[dict[str, Any]]) -> dict[date, dict[str, Any]]:
    return {row.pop("game_date"): row for row in rows}


def latest_verdicts(wh: Warehouse, start: date, end: date) -> dict[date, dict[str, Any]]:
    """The latest verdict of each date in [start, end] (dates never run have none: pending)."""
    return by_date(wh.rows(CURRENT_STATE_SQL, {"processor": PROCESSOR, "start": start, "end": end}))


def latest_publishes(wh: Warehouse, start: date, end: date) -> dict[date, dict[str, Any]]:
    """Per date ever published in [start, end]: the players its latest published verdict recorded."""
    return by_date(wh.rows(LAST_PUBLISHED_SQL, {"processor": PROCESSOR, "start": start, "end": end}))


def failing_audit_rows(wh: Warehouse, start: date, end: date) -> list[dict[str, Any]]:
    """The audits (SPEC §6.9) each date's latest attempt failed; none for a ledger that predates them."""
    if wh.missing_tables(["audits"]):
        return []
    return wh.rows(FAILING_AUDITS_SQL, {"processor": PROCESSOR, "start": start, "end": end})
