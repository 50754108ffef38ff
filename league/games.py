"""Which games count and who played in them (SPEC §6.4), in words and in the SQL the reading commands count with.

A league game is a regular-season or playoff game; one whose type is unknown cannot be proven an exhibition, so it
counts. Preseason and All-Star games never do. A player played on a date when an active box-score row of theirs
belongs to one of the date's final league games. No pandas here: `status` and `validate` load none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warehouse import Warehouse

FINAL = 3  # the schedule's game_status of a finished game
GAME_TYPES = ("regular", "playoff")
ACTIVE = "active"  # the box score's player_status of a player who played


def league_game(alias: str = "") -> str:
    """The SQL condition that a schedule row is a league game (`alias`: the schedule's table alias, if any)."""
    column = f"{alias}.game_type" if alias else "game_type"
    return f"({column} IN ({', '.join(repr(kind) for kind in GAME_TYPES)}) OR {column} IS NULL)"


# Per date and season label: league games, how many are final, how many are regular-season games.
SCHEDULE_DAYS_SQL = f"""
SELECT game_date, season, COUNT(*) AS scheduled,
       SUM(CASE WHEN game_status = {FINAL} THEN 1 ELSE 0 END) AS games,
       SUM(CASE WHEN game_type = 'regular' THEN 1 ELSE 0 END) AS regular
FROM {{schedule}}
WHERE {league_game()} AND game_date IS NOT NULL
GROUP BY game_date, season
"""

# Who played on the dates [@start, @end]: one row per (game_date, player_lookup).
PLAYED_SQL = f"""
SELECT DISTINCT pgs.game_date, pgs.player_lookup
FROM {{pgs}} AS pgs JOIN {{schedule}} AS games ON games.game_id = pgs.game_id AND games.game_date = pgs.game_date
WHERE pgs.player_status = '{ACTIVE}' AND games.game_status = {FINAL} AND {league_game("games")}
  AND pgs.game_date BETWEEN @start AND @end
"""


def read_schedule_days(wh: Warehouse) -> list[dict[str, Any]]:
    """The schedule's league game dates, per season label (a few thousand rows for sixteen seasons)."""
    return wh.rows(SCHEDULE_DAYS_SQL)
