"""Read-only views of a range, as plain rows (one dict per date, no pandas): what is published and what the last
attempt did (`status`, `report`), and the reconciliation of the tables (`validate`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from backfill.pipeline.input_checks import InputCheck, check_inputs
from backfill.pipeline.ledger_reads import by_date, latest_publishes, latest_verdicts
from league.calendar import game_date_rows
from league.games import PLAYED_SQL
from processors.ranges import OUT_OF_RANGE_SQL
from validation.reconcile import reconcile
from warehouse import Warehouse

if TYPE_CHECKING:
    import pandas as pd


PENDING = "pending"
Row = dict[str, Any]

PCF_SQL = "SELECT game_date, COUNT(*) AS pcf_rows FROM {pcf} WHERE game_date BETWEEN @start AND @end GROUP BY game_date"
# Per date, who played (expected) and what the table holds now: rows, players, who of them played, who did not,
# values out of range. One statement, so who played is read once for both sides.
TABLE_SQL = f"""
WITH played AS ({PLAYED_SQL}),
expected AS (SELECT game_date, COUNT(*) AS expected_players FROM played GROUP BY game_date),
published AS (
  SELECT pcf.game_date, COUNT(*) AS pcf_rows, COUNT(DISTINCT pcf.player_lookup) AS pcf_players,
         COUNT(DISTINCT played.player_lookup) AS matched_players,
         SUM(CASE WHEN played.player_lookup IS NULL THEN 1 ELSE 0 END) AS rows_for_non_players,
         SUM(CASE WHEN {OUT_OF_RANGE_SQL} THEN 1 ELSE 0 END) AS rows_out_of_range,
         CASE WHEN MIN(pcf.context_source) = MAX(pcf.context_source) THEN MIN(pcf.context_source) ELSE 'mixed' END
           AS published_source,
         MAX(pcf.run_id) AS published_run_id
  FROM {{pcf}} AS pcf
  LEFT JOIN played ON played.game_date = pcf.game_date AND played.player_lookup = pcf.player_lookup
  WHERE pcf.game_date BETWEEN @start AND @end
  GROUP BY pcf.game_date
)
SELECT COALESCE(p.game_date, e.game_date) AS game_date, e.expected_players, p.pcf_rows, p.pcf_players,
       p.matched_players, p.rows_for_non_players, p.rows_out_of_range, p.published_source, p.published_run_id
FROM expected AS e FULL OUTER JOIN published AS p ON p.game_date = e.game_date
"""
# The last attempt's columns (the latest verdict), prefixed `last_`; None for a date never run.
LAST_COLUMNS = [
    "status",
    "coverage",
    "reason",
    "run_id",
    "context_source",
    "expected_players",
    "published_players",
    "forced",
    "force_reason",
    "finished_at",
    "source_reason",
    "coverage_warning",
    "min_coverage",
    "warn_coverage",
    "upcg_state",
    "blocked_by",
]
COUNTS = [
    "games",
    "expected_players",
    "pcf_rows",
    "pcf_players",
    "matched_players",
    "rows_for_non_players",
    "rows_out_of_range",
    "ledger_published_players",
]
# what the tables themselves hold for a date (who played, what PCF has), read in one statement
TABLE_COLUMNS = (
    "expected_players",
    "pcf_rows",
    "pcf_players",
    "matched_players",
    "rows_for_non_players",
    "rows_out_of_range",
    "published_source",
    "published_run_id",
)
FACT_COLUMNS = [
    "game_date",
    "games",
    "scheduled",
    "season",
    "bootstrap",
    *(f"last_{name}" for name in LAST_COLUMNS),
    "ledger_published_players",
    "ever_published",
    *TABLE_COLUMNS,
    "is_game_date",
    "published_coverage",
    "inputs",
    "inputs_reason",
    "inputs_changed",
]
STATE_COLUMNS = [
    "game_date",
    "games",
    "season",
    "bootstrap",
    "status",
    "reason",
    "last_coverage",
    "last_run_id",
    "forced",
    "force_reason",
    "expected_players",
    "published_players",
    "published_rows",
    "coverage",
    "context_source",
    "source_reason",
    "upcg_state",
    "blocked_by",
    "warning",
    "min_coverage",
    "warn_coverage",
    "run_id",
    "inputs",
    "inputs_reason",
]
RECONCILED_COLUMNS = [*FACT_COLUMNS, "state", "coverage", "problems"]
# The ledger's nullable columns keep their types in a frame (a date never run has None there).
NULLABLE_TYPES = {
    "warning": "boolean",
    "last_forced": "boolean",
    "last_coverage_warning": "boolean",
    "last_expected_players": "Int64",
    "last_published_players": "Int64",
}


def date_facts(wh: Warehouse, start: date, end: date) -> list[Row]:
    """Every date of the range that has league games or PCF rows, with both facts (SPEC §6.7): what is
    published (from the table) and the last attempt (the latest ledger verdict; pending when never run)."""
    params = {"start": start, "end": end}
    games = game_date_rows(wh, start, end)
    attempts = latest_verdicts(wh, start, end)
    publishes = latest_publishes(wh, start, end)
    table = by_date(wh.rows(TABLE_SQL, params))
    checks = check_inputs(wh, start, end)
    days = sorted({*games, *attempts, *publishes, *table})
    return [
        with_inputs(
            facts_of(day, games.get(day), attempts.get(day), publishes.get(day), table.get(day, {})),
            checks.get(day),
        )
        for day in days
    ]


def with_inputs(facts: Row, check: InputCheck | None) -> Row:
    """The third fact (SPEC §6.10): are the published rows still true to their inputs? None: nothing published."""
    return facts | {
        "inputs": check.state if check else None,
        "inputs_reason": check.reason if check else None,
        "inputs_changed": ", ".join(check.changed_parts) if check else None,
    }


def facts_of(
    day: date,
    game: Mapping[str, Any] | None,
    attempt: Mapping[str, Any] | None,
    publish: Mapping[str, Any] | None,
    table: Mapping[str, Any],
) -> Row:
    """One date's facts from what each source said of it (None: it said nothing); counts default to 0."""
    game, attempt = game or {}, attempt or {}
    facts: Row = {
        "game_date": day,
        "games": game.get("games"),
        "scheduled": game.get("scheduled"),
        "season": game.get("season"),
        "bootstrap": bool(game.get("bootstrap")),
    }
    facts |= {f"last_{name}": attempt.get(name) for name in LAST_COLUMNS}
    facts |= {
        "ledger_published_players": (publish or {}).get("ledger_published_players"),
        "ever_published": bool(publish),
    }
    facts |= {name: table.get(name) for name in TABLE_COLUMNS}
    facts |= {name: int(facts[name] or 0) for name in COUNTS}
    facts["is_game_date"] = facts["scheduled"] is not None
    facts["last_status"] = facts["last_status"] if facts["last_status"] is not None else PENDING
    expected = facts["expected_players"]
    facts["published_coverage"] = facts["matched_players"] / expected if expected > 0 else None
    return facts


def date_states(wh: Warehouse, start: date, end: date) -> list[Row]:
    """Every game date with the columns `status` and `report` read: `status`, `reason`, `forced` of the last
    attempt; `published_players`, `coverage`, `context_source`, `run_id` of what the table holds."""
    return [state_of(facts) for facts in date_facts(wh, start, end) if facts["is_game_date"]]


def state_of(facts: Row) -> Row:
    nothing = facts["pcf_rows"] == 0
    return {
        "game_date": facts["game_date"],
        "games": facts["games"],
        "season": facts["season"],
        "bootstrap": facts["bootstrap"],
        "status": facts["last_status"],
        "reason": facts["last_reason"],
        "last_coverage": facts["last_coverage"],
        "last_run_id": facts["last_run_id"],
        "forced": bool(facts["last_forced"]),
        "force_reason": facts["last_force_reason"],
        "expected_players": facts["expected_players"],
        "published_players": facts["matched_players"],
        "published_rows": facts["pcf_rows"],
        "coverage": facts["published_coverage"],
        "context_source": facts["last_context_source"] if nothing else facts["published_source"],
        "source_reason": facts["last_source_reason"],
        "upcg_state": facts["last_upcg_state"],
        "blocked_by": facts["last_blocked_by"],
        "warning": facts["last_coverage_warning"],
        "min_coverage": facts["last_min_coverage"],
        "warn_coverage": facts["last_warn_coverage"],
        "run_id": None if nothing else facts["published_run_id"],
        "inputs": facts["inputs"],
        "inputs_reason": facts["inputs_reason"],
    }


def as_frame(rows: Sequence[Row], columns: list[str]) -> pd.DataFrame:
    """Dated rows as a frame indexed by game_date (datetime64): the API's `.frame` view and the report read this.
    pandas is imported here, by the callers that want a frame, and never by `status` or `validate`."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=columns)
    frame = frame.astype({name: kind for name, kind in NULLABLE_TYPES.items() if name in frame})
    days = pd.DatetimeIndex(pd.to_datetime(frame.pop("game_date")), name="game_date").as_unit("us")  # as DuckDB's
    return frame.set_index(days)


def reconciliation(wh: Warehouse, start: date, end: date, min_coverage: float) -> list[Row]:
    return reconcile(date_facts(wh, start, end), min_coverage)


def newest_published(wh: Warehouse) -> date | None:
    """The newest game date with rows in PCF, whatever the ledger says."""
    # every partition is meant: `game_date IS NOT NULL` is the filter a table requiring one accepts
    newest: date | None = wh.rows("SELECT MAX(game_date) AS newest FROM {pcf} WHERE game_date IS NOT NULL")[0]["newest"]
    return newest
