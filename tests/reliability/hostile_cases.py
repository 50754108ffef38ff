"""The cases of `test_hostile_data.py`: the SQL each one mutates a demo copy's inputs with, and the dates that do not
simply publish (their status, their ledger note, the exit code)."""

from __future__ import annotations

from dataclasses import dataclass, field

from warehouse.schemas import TABLES

UPCG_DAY, SYNTHETIC_DAY = "2023-02-27", "2023-02-23"
ROW_KEYS = {
    "pgs": "player_lookup, game_date, game_id",
    "tgs": "team_abbr, game_date",
    "upcg": "player_lookup, game_date",
    "psza": "player_lookup, analysis_date",
    "tdza": "team_abbr, analysis_date",
    "players": "player_lookup",
    "schedule": "game_id",
}
HOSTILE_DOUBLES = (
    "CASE hash({key}, '{column}') % 6 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE "
    "WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN -37.5 WHEN 4 THEN 1e300 ELSE {column} END"
)


def nullable(key: str) -> list[str]:
    return [column.name for column in TABLES[key].columns if not column.required]


def null_third(key: str, column: str) -> str:
    return f"UPDATE {{{key}}} SET {column} = NULL WHERE hash({ROW_KEYS[key]}, '{column}') % 3 = 0"


def hostile_doubles(key: str, *columns: str) -> list[str]:
    return [
        f"UPDATE {{{key}}} SET {column} = {HOSTILE_DOUBLES.format(key=ROW_KEYS[key], column=column)}"
        for column in columns
    ]


def hostile_integers(key: str, *columns: str) -> list[str]:
    return [
        f"UPDATE {{{key}}} SET {column} = CASE hash({ROW_KEYS[key]}, '{column}') % 3 WHEN 0 THEN -5 "
        f"WHEN 1 THEN 9223372036854775807 ELSE {column} END"
        for column in columns
    ]


@dataclass(frozen=True)
class Case:
    statements: tuple[str, ...]
    statuses: dict[str, str] = field(default_factory=dict)  # date → status, or "absent" (not a game date)
    exit_code: int = 0
    notes: dict[str, str] = field(default_factory=dict)  # date → in its ledger "context_source reason"
    holds: str = "SELECT true"  # a query returning one boolean that must be true afterwards


WEEK_DAYS = ("2023-02-23", "2023-02-24", "2023-02-25", "2023-02-26", "2023-02-27", "2023-02-28")
CASES: dict[str, Case] = {
    **{
        f"NULLs in {key}": Case(tuple(null_third(key, column) for column in nullable(key)))
        for key in ("upcg", "psza", "tdza", "players")
    },
    "NULLs in tgs": Case(
        tuple(null_third("tgs", column) for column in nullable("tgs")),
        dict.fromkeys(WEEK_DAYS, "blocked"),
        3,
        dict.fromkeys(WEEK_DAYS, "upstream_partial pgs"),
    ),
    # a third of the box scores lose their status and team: teams fall below five known active players
    "NULLs in pgs": Case(
        tuple(null_third("pgs", column) for column in nullable("pgs")),
        dict.fromkeys(WEEK_DAYS, "blocked"),
        3,
        dict.fromkeys(WEEK_DAYS, "upstream_missing pgs"),
    ),
    # games whose status is unknown are not final: their dates wait for them
    "NULLs in schedule": Case(
        tuple(null_third("schedule", column) for column in nullable("schedule")),
        dict.fromkeys(WEEK_DAYS[1:], "blocked"),
        3,
        dict.fromkeys(WEEK_DAYS[1:], "games not final"),
    ),
    "PGS minutes and usage NaN, inf, negative, huge": Case(
        tuple(hostile_doubles("pgs", "minutes_played", "usage_rate")),
        dict.fromkeys(WEEK_DAYS, "blocked"),
        3,
        dict.fromkeys(WEEK_DAYS, "upstream_partial pgs"),
    ),
    "UPCG context NaN, inf, negative, huge": Case(
        tuple(
            hostile_doubles(
                "upcg",
                "minutes_in_last_7_days",
                "avg_minutes_per_game_last_7",
                "avg_usage_rate_last_7_games",
                "projected_usage_rate",
                "pace_differential",
                "opponent_pace_last_10",
            )
            + hostile_integers(
                "upcg",
                "days_rest",
                "games_in_last_7_days",
                "back_to_backs_last_14_days",
                "player_age",
                "star_teammates_out",
            )
        )
    ),
    "zone rates and defenses NaN, inf, out of range": Case(
        tuple(
            hostile_doubles("psza", "paint_rate_last_10", "mid_range_rate_last_10", "three_pt_rate_last_10")
            + hostile_doubles(
                "tdza",
                "paint_defense_vs_league_avg",
                "mid_range_defense_vs_league_avg",
                "three_pt_defense_vs_league_avg",
            )
        )
    ),
    "TGS pace NaN, inf, negative": Case(tuple(hostile_doubles("tgs", "pace"))),
    "every PGS row duplicated": Case(
        ("INSERT INTO {pgs} SELECT * FROM {pgs}",),
        dict.fromkeys(WEEK_DAYS, "blocked"),
        3,
        dict.fromkeys(WEEK_DAYS, "upstream_partial pgs: duplicate rows"),
    ),
    "a player on two teams the same day": Case(
        (
            f"""INSERT INTO {{pgs}} SELECT other.game_id, p.game_date, p.season, p.player_lookup, p.universal_player_id,
                   other.team_abbr, other.opponent_team_abbr, 'active', 12.0, 30.0, 4, 1, 1, 1, 0, 2, 1
            FROM {{pgs}} AS p JOIN {{pgs}} AS other ON other.game_date = p.game_date AND other.game_id <> p.game_id
            WHERE p.game_date IN (DATE '{UPCG_DAY}', DATE '{SYNTHETIC_DAY}') AND p.player_status = 'active'
              AND hash(p.player_lookup) % 10 = 0
            QUALIFY row_number() OVER (PARTITION BY p.game_date, p.player_lookup ORDER BY other.game_id) = 1""",
        ),
        dict.fromkeys((SYNTHETIC_DAY, "2023-02-24", UPCG_DAY), "blocked"),
        3,
        {
            SYNTHETIC_DAY: "upstream_partial pgs",
            "2023-02-24": "upstream_partial history",
            UPCG_DAY: "upstream_partial pgs",
        },
    ),
    "a mid-season trade": Case(
        tuple(
            f"""UPDATE {{{key}}} SET team_abbr = CASE team_abbr WHEN 'BOS' THEN 'LAL' ELSE 'BOS' END
            WHERE game_date >= DATE '2023-02-09' AND team_abbr IN ('BOS', 'LAL')
              AND player_lookup IN (SELECT player_lookup FROM {{pgs}} WHERE team_abbr IN ('BOS', 'LAL')
                                    AND hash(player_lookup) % 4 = 0)"""
            for key in ("pgs", "upcg")
        ),
        {day: "blocked" for day in WEEK_DAYS if day != "2023-02-26"},
        3,
        {day: "upstream_partial" for day in WEEK_DAYS if day != "2023-02-26"},
    ),
    "UPCG rows for players with no PGS row": Case(
        (
            f"""INSERT INTO {{upcg}} (player_lookup, game_date, team_abbr, opponent_team_abbr, days_rest, processed_at)
            SELECT 'ghost' || i, DATE '{UPCG_DAY}', 'BOS', 'LAL', 2, TIMESTAMP '2023-02-26 12:00:00'
            FROM range(60) AS t(i)""",
        ),
        notes={UPCG_DAY: "upcg upcg_complete"},
    ),
    "UPCG replaced by 200 players who did not play": Case(
        (
            f"DELETE FROM {{upcg}} WHERE game_date = DATE '{UPCG_DAY}'",
            f"""INSERT INTO {{upcg}} (player_lookup, game_date, team_abbr, opponent_team_abbr, processed_at)
            SELECT 'ghost' || i, DATE '{UPCG_DAY}', 'BOS', 'LAL', TIMESTAMP '2023-02-26 12:00:00'
            FROM range(200) AS t(i)""",
        ),
        notes={UPCG_DAY: "pgs_synthetic upcg_partial 0/"},
    ),
    "duplicate UPCG, PSZA, TDZA and players rows": Case(
        (
            "INSERT INTO {upcg} SELECT * REPLACE (days_rest + 1 AS days_rest, processed_at - INTERVAL 1 DAY AS "
            "processed_at) FROM {upcg}",
            "INSERT INTO {psza} SELECT * FROM {psza}",
            "INSERT INTO {tdza} SELECT * FROM {tdza}",
            "INSERT INTO {players} SELECT * FROM {players}",
        )
    ),
    "a team with no prior game": Case(
        tuple(
            f"UPDATE {{{key}}} SET {column} = 'NEW' WHERE game_date = DATE '{day}' AND {column} = "
            f"(SELECT min(home_team_abbr) FROM {{schedule}} WHERE game_date = DATE '{day}')"
            for day in (UPCG_DAY, SYNTHETIC_DAY)
            for key in ("pgs", "tgs", "upcg", "schedule")
            if (key, day) != ("upcg", SYNTHETIC_DAY)  # 1 UPCG player
            for column in (("home_team_abbr",) if key == "schedule" else ("team_abbr", "opponent_team_abbr"))
        ),
        holds=f"""SELECT count(*) > 0 AND bool_and(
                    (team_abbr <> 'NEW' OR (pace_score = 0 AND missing_data_fields LIKE '%pace_differential%'))
                    AND (opponent_team_abbr <> 'NEW' OR (shot_zone_mismatch_score = 0 AND pace_score = 0
                         AND missing_data_fields LIKE '%team_defense_zone%')))
                  FROM {{pcf}} WHERE game_date = DATE '{SYNTHETIC_DAY}' AND 'NEW' IN (team_abbr, opponent_team_abbr)
               """,
    ),
    "odd player_status spellings": Case(
        (
            "UPDATE {pgs} SET player_status = CASE hash(player_lookup, game_date) % 3 WHEN 0 THEN 'ACTIVE' "
            "WHEN 1 THEN '' ELSE 'Active' END WHERE player_status = 'active' AND hash(player_lookup) % 10 = 0",
        ),
        dict.fromkeys(WEEK_DAYS, "blocked"),
        3,
        dict.fromkeys(WEEK_DAYS, "upstream_partial pgs"),
    ),
    "a final game date with no PGS rows": Case(
        (f"DELETE FROM {{pgs}} WHERE game_date = DATE '{UPCG_DAY}'",),
        {UPCG_DAY: "blocked"},
        3,
        {UPCG_DAY: "upstream_missing"},
    ),
    "no PSZA rows on a date": Case(  # --zones auto: built from the box scores
        (f"DELETE FROM {{psza}} WHERE analysis_date = DATE '{SYNTHETIC_DAY}'",),
        {SYNTHETIC_DAY: "published"},
        0,
        {SYNTHETIC_DAY: "zone rows built from box scores (psza "},
    ),
    "PGS rows on a date missing from the schedule": Case(
        (
            f"DELETE FROM {{schedule}} WHERE game_date = DATE '{UPCG_DAY}'",
            """INSERT INTO {pgs} SELECT * REPLACE (DATE '2023-02-20' AS game_date, game_id || '_x' AS game_id)
           FROM {pgs} WHERE game_date = DATE '2023-02-16'""",
        ),
        {UPCG_DAY: "absent"},
    ),
    "games not final or not regular": Case(
        (
            f"UPDATE {{schedule}} SET game_status = 2 WHERE game_date = DATE '{UPCG_DAY}'",
            f"UPDATE {{schedule}} SET game_type = 'preseason' WHERE game_date = DATE '{SYNTHETIC_DAY}'",
        ),
        {UPCG_DAY: "blocked", SYNTHETIC_DAY: "absent"},
        3,
        {UPCG_DAY: "games not final"},
    ),
    "an empty-string player_lookup": Case(
        (
            "UPDATE {pgs} SET player_lookup = '' WHERE hash(player_lookup) % 40 = 0",
            "UPDATE {upcg} SET player_lookup = '' WHERE hash(player_lookup) % 40 = 0",
        ),
        dict.fromkeys(WEEK_DAYS, "blocked"),
        3,
        dict.fromkeys(WEEK_DAYS, "identity_conflict"),
    ),
}
# Column-wide NULLs, per table; the columns that decide who played, or whether a date has games, on their own.
ALONE = {"pgs": ["player_status"], "schedule": ["game_status", "game_type"]}
COLUMN_CASES = {
    **{
        f"{key}: every nullable column NULL": [c for c in nullable(key) if c not in ALONE.get(key, [])]
        for key in ("pgs", "tgs", "upcg", "psza", "tdza", "players", "schedule")
    },
    **{f"{key}.{column} NULL": [column] for key, columns in ALONE.items() for column in columns},
}
