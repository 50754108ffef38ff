"""Read-only views of a range: per-date ledger state (`status`) and reconciliation inputs (`validate`)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from backfill.ledger import LATEST_FIRST, PROCESSOR, current_states
from backfill.plan import game_dates
from validation.reconcile import reconcile
from warehouse import Warehouse

PENDING = "pending"

EXPECTED_SQL = """
SELECT game_date, COUNT(DISTINCT player_lookup) AS expected_players
FROM {pgs} WHERE player_status = 'active' AND game_date BETWEEN @start AND @end GROUP BY game_date
"""
PCF_SQL = """
SELECT game_date, COUNT(*) AS pcf_rows, COUNT(DISTINCT player_lookup) AS pcf_players
FROM {pcf} WHERE game_date BETWEEN @start AND @end GROUP BY game_date
"""
# The rows in PCF are those of the date's latest *published* verdict: a later blocked (regression) or failed
# verdict leaves them in place, so the table is reconciled against that verdict, not the current state.
LAST_PUBLISHED_SQL = """
SELECT game_date, published_players AS ledger_published_players, TRUE AS ever_published
FROM (
  SELECT game_date, published_players,
         ROW_NUMBER() OVER (PARTITION BY game_date ORDER BY {LATEST_FIRST}) AS rn
  FROM {checkpoints}
  WHERE processor = @processor AND status = 'published' AND game_date BETWEEN @start AND @end
) AS latest
WHERE rn = 1
""".replace("{LATEST_FIRST}", LATEST_FIRST)
MATCHED_SQL = """
SELECT pcf.game_date, COUNT(DISTINCT pcf.player_lookup) AS matched_players
FROM {pcf} AS pcf JOIN {pgs} AS pgs
  ON pgs.game_date = pcf.game_date AND pgs.player_lookup = pcf.player_lookup AND pgs.player_status = 'active'
WHERE pcf.game_date BETWEEN @start AND @end GROUP BY pcf.game_date
"""


def date_states(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """Every game date of the range with its current ledger state (pending when never run)."""
    games = game_dates(wh, start, end)
    states = current_states(wh, start, end)
    report = games[["games", "season", "bootstrap"]].join(states, how="left")
    report["status"] = report["status"].fillna(PENDING)
    return report


def summary_counts(report: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in report["status"].value_counts().sort_index().items()}


def reconciliation(wh: Warehouse, start: date, end: date, min_coverage: float) -> pd.DataFrame:
    params = {"start": start, "end": end}
    states = date_states(wh, start, end)
    facts = pd.concat(
        [
            states[["games", "status"]].rename(columns={"status": "state"}),
            wh.query(LAST_PUBLISHED_SQL, {**params, "processor": PROCESSOR}).set_index("game_date"),
            wh.query(EXPECTED_SQL, params).set_index("game_date"),
            wh.query(PCF_SQL, params).set_index("game_date"),
            wh.query(MATCHED_SQL, params).set_index("game_date"),
        ],
        axis=1,
    )
    facts["state"] = facts["state"].fillna("not_a_game_date")
    numeric = ["games", "expected_players", "pcf_rows", "pcf_players", "matched_players", "ledger_published_players"]
    facts[numeric] = facts[numeric].fillna(0).astype("int64")
    facts["ever_published"] = facts["ever_published"].fillna(False).astype(bool)
    facts.index.name = "game_date"
    return reconcile(facts.sort_index(), min_coverage)
