"""The league's game dates as the schedule has them: final games per date, each date's season (from the
calendar, not labels) and whether it falls in its season's bootstrap window. Plain rows, no pandas: `status` and
`validate` read these, and the planner (`backfill.plan`) makes its frame of them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from processors.calendar import season_history_start, season_of
from warehouse import Warehouse

BOOTSTRAP_DAYS = 14  # days 0–13 of a season lack the history the factors need

# Per date: final games, and every regular-season or playoff game whatever its status (a past game that never
# became final blocks its date instead of making it an off-day). Seasons come from the calendar, not labels.
GAME_DATES_SQL = """
SELECT game_date,
       SUM(CASE WHEN game_status = 3 THEN 1 ELSE 0 END) AS games,
       COUNT(*) AS scheduled,
       SUM(CASE WHEN game_type = 'regular' THEN 1 ELSE 0 END) AS regular
FROM {schedule}
WHERE game_date BETWEEN @from AND @end AND (game_type IN ('regular', 'playoff') OR game_type IS NULL)
GROUP BY game_date
"""


def game_date_rows(wh: Warehouse, start: date, end: date) -> dict[date, dict[str, Any]]:
    """Per date of [start, end] with a scheduled league game: games (final), scheduled, season and bootstrap
    (the season's opener is its first regular-season game, read from the season's start)."""
    rows = sorted(wh.rows(GAME_DATES_SQL, {"from": season_history_start(start), "end": end}),
                  key=lambda row: row["game_date"])  # fmt: skip
    openers: dict[int, date] = {}
    for row in rows:
        if row["regular"]:
            openers.setdefault(season_of(row["game_date"]), row["game_date"])
    dates = {}
    for row in rows:
        day, season = row["game_date"], season_of(row["game_date"])
        if day < start:
            continue
        opener = openers.get(season)
        bootstrap = opener is not None and opener <= day < opener + timedelta(days=BOOTSTRAP_DAYS)
        dates[day] = {"games": int(row["games"]), "scheduled": int(row["scheduled"]), "season": season,
                      "bootstrap": bootstrap}  # fmt: skip
    return dates
