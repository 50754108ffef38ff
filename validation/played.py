"""Who played on a date (SPEC §6.4): active box-score rows of final league games. The SQL the reading commands
count with, beside the words it is written in; no pandas, so `status` and `validate` load none."""

from __future__ import annotations

from processors.calendar import FINAL, GAME_TYPES  # noqa: F401 - the league's words, re-exported where they were

# Who played, the same in SQL (`status`, `validate` and `report` count with it).
PLAYED_SQL = f"""
SELECT DISTINCT pgs.game_date, pgs.player_lookup
FROM {{pgs}} AS pgs JOIN {{schedule}} AS games ON games.game_id = pgs.game_id AND games.game_date = pgs.game_date
WHERE pgs.player_status = 'active' AND games.game_status = {FINAL}
  AND (games.game_type IN ({", ".join(f"'{kind}'" for kind in GAME_TYPES)}) OR games.game_type IS NULL)
  AND pgs.game_date BETWEEN @start AND @end
"""
