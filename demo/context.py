"""UPCG, the pre-game context table, computed with SQL window queries (SPEC §3).

Deliberately independent of the processor's pandas implementation of the same definitions,
so that comparing the two checks both. For player p on date D, "p's games" are p's active
PGS rows of the same season before D; only p's own PGS row on D (team, opponent, game) is
read from D itself.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from demo.seasons import upcg_window_start
from warehouse.schemas import CONTEXT_COLUMNS

TARGET_COLUMNS = [
    "player_lookup",
    "universal_player_id",
    "game_id",
    "game_date",
    "season",
    "team_abbr",
    "opponent_team_abbr",
    "player_status",
]
EXPECTED_NO_SHOWS_PER_DATE = 1.0
PROCESSED_HOUR_UTC = 10
PANDAS_TYPES = {"INT64": "Int64", "BOOL": "bool", "FLOAT64": "float64"}

CONTEXT_SQL = """
WITH
box AS (
    SELECT player_lookup, team_abbr, season, game_date::DATE AS game_date, player_status,
           minutes_played, usage_rate
    FROM pgs
),
targets AS (
    SELECT player_lookup, universal_player_id, game_id, game_date::DATE AS game_date, season,
           team_abbr, opponent_team_abbr
    FROM target_rows
),
-- Each player's games of a season in order, with season-to-date usage after each game.
played AS (
    SELECT player_lookup, season, game_date, minutes_played, usage_rate,
           row_number() OVER season_games AS game_number,
           lag(game_date) OVER season_games AS previous_played_on,
           sum(usage_rate) OVER season_games / nullif(count(usage_rate) OVER season_games, 0)
               AS season_usage
    FROM box
    WHERE player_status = 'active'
    WINDOW season_games AS (PARTITION BY player_lookup, season ORDER BY game_date
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
-- The player's last game before D: how many games he had played, and when.
last_game AS (
    SELECT t.player_lookup, t.game_date, t.season, g.game_date AS last_played_on,
           g.game_number AS games_before, g.season_usage
    FROM targets t
    ASOF JOIN played g ON g.player_lookup = t.player_lookup AND g.season = t.season
                      AND t.game_date > g.game_date
),
-- Recent games only: the last 7, and every game of the last 14 days.
workload AS (
    SELECT l.player_lookup, l.game_date,
           date_diff('day', l.last_played_on, l.game_date) AS days_rest,
           count(*) FILTER (WHERE g.game_date > l.game_date - 7) AS games_in_last_7_days,
           sum(g.minutes_played) FILTER (WHERE g.game_date > l.game_date - 7) AS minutes_in_last_7_days,
           count(*) FILTER (WHERE g.previous_played_on = g.game_date - 1
                              AND g.previous_played_on >= l.game_date - 14) AS back_to_backs_last_14_days,
           avg(g.usage_rate) FILTER (WHERE g.game_number > l.games_before - 7) AS avg_usage_rate_last_7_games,
           CASE WHEN l.games_before >= 3 THEN l.season_usage END AS projected_usage_rate
    FROM last_game l
    JOIN played g ON g.player_lookup = l.player_lookup AND g.season = l.season
                 AND g.game_number <= l.games_before
                 AND (g.game_number > l.games_before - 7 OR g.game_date >= l.game_date - 14)
    GROUP BY l.player_lookup, l.game_date, l.last_played_on, l.games_before, l.season_usage
),
-- Stars sitting out on D: at least 5 games this season before D, averaging usage >= 28.
stars_out AS (
    SELECT o.player_lookup, o.team_abbr, o.game_date
    FROM box o
    ASOF JOIN played g ON g.player_lookup = o.player_lookup AND g.season = o.season
                      AND o.game_date > g.game_date
    WHERE o.player_status IN ('dnp', 'inactive')
      AND o.game_date IN (SELECT game_date FROM targets)
      AND g.game_number >= 5 AND g.season_usage >= 28.0
),
star_counts AS (
    SELECT t.player_lookup, t.game_date, count(*) AS star_teammates_out
    FROM targets t
    JOIN stars_out s ON s.team_abbr = t.team_abbr AND s.game_date = t.game_date
                    AND s.player_lookup <> t.player_lookup
    GROUP BY t.player_lookup, t.game_date
),
team_dates AS (
    SELECT team_abbr, game_date, season FROM targets
    UNION
    SELECT opponent_team_abbr, game_date, season FROM targets
),
recent_pace AS (
    SELECT d.team_abbr, d.game_date, g.pace,
           row_number() OVER (PARTITION BY d.team_abbr, d.game_date ORDER BY g.game_date DESC)
               AS games_ago
    FROM team_dates d
    JOIN tgs g ON g.team_abbr = d.team_abbr AND g.season = d.season
              AND g.game_date::DATE < d.game_date
),
pace_last_10 AS (
    SELECT team_abbr, game_date, avg(pace) AS pace
    FROM recent_pace WHERE games_ago <= 10
    GROUP BY team_abbr, game_date
)
SELECT t.player_lookup, t.universal_player_id, t.game_id, t.game_date, t.team_abbr,
       t.opponent_team_abbr,
       w.days_rest,
       coalesce(w.days_rest = 1, FALSE) AS back_to_back,
       coalesce(w.games_in_last_7_days, 0) AS games_in_last_7_days,
       coalesce(w.minutes_in_last_7_days, 0.0) AS minutes_in_last_7_days,
       w.minutes_in_last_7_days / nullif(w.games_in_last_7_days, 0) AS avg_minutes_per_game_last_7,
       coalesce(w.back_to_backs_last_14_days, 0) AS back_to_backs_last_14_days,
       year(t.game_date) - year(p.birth_date::DATE)
           - CASE WHEN month(t.game_date) * 100 + day(t.game_date)
                       < month(p.birth_date::DATE) * 100 + day(p.birth_date::DATE)
                  THEN 1 ELSE 0 END AS player_age,
       w.avg_usage_rate_last_7_games,
       w.projected_usage_rate,
       coalesce(s.star_teammates_out, 0) AS star_teammates_out,
       own.pace - opp.pace AS pace_differential,
       opp.pace AS opponent_pace_last_10,
       t.game_date + to_hours($processed_hour) AS processed_at
FROM targets t
LEFT JOIN workload w ON w.player_lookup = t.player_lookup AND w.game_date = t.game_date
LEFT JOIN star_counts s ON s.player_lookup = t.player_lookup AND s.game_date = t.game_date
LEFT JOIN pace_last_10 own ON own.team_abbr = t.team_abbr AND own.game_date = t.game_date
LEFT JOIN pace_last_10 opp ON opp.team_abbr = t.opponent_team_abbr AND opp.game_date = t.game_date
LEFT JOIN players p ON p.player_lookup = t.player_lookup
ORDER BY t.game_date, t.player_lookup
"""


def upcg_targets(pgs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The PGS rows that get a UPCG row: everyone who played on a date inside the season's
    UPCG window, plus about one player a date who was expected to play but did not."""
    starts = {season: pd.Timestamp(upcg_window_start(season)) for season in pgs["season"].unique()}
    window_start = pgs["season"].map(starts)
    in_window = pgs[pgs["game_date"] >= window_start]
    played = in_window[in_window["player_status"] == "active"]
    return pd.concat([played, _no_shows(in_window, rng)])[TARGET_COLUMNS].sort_values(
        ["game_date", "player_lookup"], ignore_index=True
    )


def _no_shows(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A Poisson(1) number of dnp/inactive rows per date, picked at random."""
    sat_out = rows[rows["player_status"] != "active"]
    dates = np.sort(sat_out["game_date"].unique())
    wanted = pd.Series(rng.poisson(EXPECTED_NO_SHOWS_PER_DATE, len(dates)), index=dates)
    order = pd.Series(rng.random(len(sat_out)), index=sat_out.index).groupby(sat_out["game_date"]).rank()
    return sat_out[order.to_numpy() <= wanted.reindex(sat_out["game_date"]).to_numpy()]


def pre_game_context(
    targets: pd.DataFrame, pgs: pd.DataFrame, tgs: pd.DataFrame, players: pd.DataFrame
) -> pd.DataFrame:
    """UPCG rows for `targets`, by the SPEC §3 definitions, in DuckDB SQL."""
    with duckdb.connect() as connection:
        connection.execute("SET threads = 1")  # a fixed summation order: byte-identical floats
        connection.execute("SET enable_progress_bar = false")
        for name, frame in {"target_rows": targets, "pgs": pgs, "tgs": tgs, "players": players}.items():
            connection.register(name, frame)
        upcg = connection.execute(CONTEXT_SQL, {"processed_hour": PROCESSED_HOUR_UTC}).df()
    return upcg.astype({column.name: PANDAS_TYPES[column.type] for column in CONTEXT_COLUMNS})
