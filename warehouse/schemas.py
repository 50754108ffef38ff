"""Every table of the warehouse contract (SPEC §2), defined once.

Column types are BigQuery's logical names; each backend maps them to its own DDL.
"""

from __future__ import annotations

from dataclasses import dataclass

STRING, DATE, INT64, FLOAT64, BOOL, TIMESTAMP = "STRING", "DATE", "INT64", "FLOAT64", "BOOL", "TIMESTAMP"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False


@dataclass(frozen=True)
class Table:
    key: str  # how code refers to the table, e.g. "pgs"
    dataset: str  # a Datasets field: reference | analytics | precompute | orchestration
    name: str  # fixed table name
    columns: tuple[Column, ...]
    partition_by: str | None = None
    cluster_by: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _columns(spec: str) -> tuple[Column, ...]:
    """'game_id STRING!, game_date DATE!' → Columns; '!' marks NOT NULL."""
    columns = []
    for part in spec.split(","):
        name, type_ = part.split()
        columns.append(Column(name, type_.rstrip("!"), required=type_.endswith("!")))
    return tuple(columns)


CONTEXT_COLUMNS = _columns(
    "days_rest INT64, back_to_back BOOL, games_in_last_7_days INT64, minutes_in_last_7_days FLOAT64, "
    "avg_minutes_per_game_last_7 FLOAT64, back_to_backs_last_14_days INT64, player_age INT64, "
    "avg_usage_rate_last_7_games FLOAT64, projected_usage_rate FLOAT64, star_teammates_out INT64, "
    "pace_differential FLOAT64, opponent_pace_last_10 FLOAT64"
)
CONTEXT_COLUMN_NAMES = [column.name for column in CONTEXT_COLUMNS]

SCORE_COLUMNS = [
    "fatigue_score",
    "fatigue_adjustment",
    "shot_zone_mismatch_score",
    "pace_score",
    "usage_spike_score",
    "referee_favorability_score",
    "look_ahead_pressure_score",
    "travel_impact_score",
    "opponent_strength_score",
    "total_composite_adjustment",
]

TABLES: dict[str, Table] = {
    table.key: table
    for table in [
        Table(
            "schedule",
            "reference",
            "schedule",
            _columns(
                "game_id STRING!, game_date DATE!, season INT64!, game_type STRING, home_team_abbr STRING, "
                "away_team_abbr STRING, game_status INT64"
            ),
            partition_by="game_date",
        ),
        Table(
            "players",
            "reference",
            "players",
            _columns("player_lookup STRING!, universal_player_id STRING, player_name STRING, birth_date DATE"),
        ),
        Table(
            "pgs",
            "analytics",
            "player_game_summary",
            _columns(
                "game_id STRING!, game_date DATE!, season INT64, player_lookup STRING!, universal_player_id STRING, "
                "team_abbr STRING, opponent_team_abbr STRING, player_status STRING, minutes_played FLOAT64, "
                "usage_rate FLOAT64, points INT64, fga_paint INT64, fgm_paint INT64, fga_mid INT64, fgm_mid INT64, "
                "fga_three INT64, fgm_three INT64"
            ),
            partition_by="game_date",
            cluster_by=("player_lookup",),
        ),
        Table(
            "tgs",
            "analytics",
            "team_game_summary",
            _columns(
                "game_id STRING!, game_date DATE!, season INT64, team_abbr STRING!, opponent_team_abbr STRING, "
                "pace FLOAT64, points INT64, opp_fga_paint INT64, opp_fgm_paint INT64, opp_fga_mid INT64, "
                "opp_fgm_mid INT64, opp_fga_three INT64, opp_fgm_three INT64"
            ),
            partition_by="game_date",
        ),
        Table(
            "upcg",
            "analytics",
            "upcoming_player_game_context",
            (
                *_columns(
                    "player_lookup STRING!, universal_player_id STRING, game_id STRING, game_date DATE!, "
                    "team_abbr STRING, opponent_team_abbr STRING"
                ),
                *CONTEXT_COLUMNS,
                *_columns("processed_at TIMESTAMP"),
            ),
            partition_by="game_date",
            cluster_by=("player_lookup",),
        ),
        Table(
            "psza",
            "precompute",
            "player_shot_zone_analysis",
            _columns(
                "player_lookup STRING!, analysis_date DATE!, paint_rate_last_10 FLOAT64, "
                "mid_range_rate_last_10 FLOAT64, three_pt_rate_last_10 FLOAT64, primary_scoring_zone STRING, "
                "games_in_sample INT64"
            ),
            partition_by="analysis_date",
            cluster_by=("player_lookup",),
        ),
        Table(
            "tdza",
            "precompute",
            "team_defense_zone_analysis",
            _columns(
                "team_abbr STRING!, analysis_date DATE!, paint_defense_vs_league_avg FLOAT64, "
                "mid_range_defense_vs_league_avg FLOAT64, three_pt_defense_vs_league_avg FLOAT64, "
                "weakest_zone STRING, games_in_sample INT64"
            ),
            partition_by="analysis_date",
        ),
        Table(
            "pcf",
            "precompute",
            "player_composite_factors",
            (
                *_columns(
                    "game_date DATE!, player_lookup STRING!, universal_player_id STRING, game_id STRING, "
                    "team_abbr STRING, opponent_team_abbr STRING, fatigue_score INT64"
                ),
                *_columns(", ".join(f"{name} FLOAT64" for name in SCORE_COLUMNS[1:])),
                *_columns(
                    "data_completeness_pct FLOAT64, missing_data_fields STRING, warning_details STRING, "
                    "has_warnings BOOL, context_source STRING, calculation_version STRING, run_id STRING, "
                    "processed_at TIMESTAMP, data_hash STRING"
                ),
            ),
            partition_by="game_date",
            cluster_by=("player_lookup",),
        ),
        Table(
            "runs",
            "orchestration",
            "backfill_runs",
            _columns(
                "run_id STRING!, command STRING, start_date DATE, end_date DATE, options STRING, user STRING, "
                "host STRING, version STRING, started_at TIMESTAMP, finished_at TIMESTAMP, dates_published INT64, "
                "dates_blocked INT64, dates_failed INT64, dates_skipped INT64, exit_code INT64, label STRING"
            ),
        ),
        Table(
            "checkpoints",
            "orchestration",
            "backfill_checkpoints",
            _columns(
                "run_id STRING!, processor STRING, game_date DATE!, status STRING!, context_source STRING, "
                "upcg_players INT64, expected_players INT64, published_players INT64, coverage FLOAT64, "
                "reason STRING, forced BOOL, force_reason STRING, forced_by STRING, started_at TIMESTAMP, "
                "finished_at TIMESTAMP, attempt INT64, source_reason STRING, coverage_warning BOOL, "
                "allowed_regression BOOL, min_coverage FLOAT64, warn_coverage FLOAT64, candidate_players INT64, "
                "candidate_completeness FLOAT64, candidate_zeroed_scores INT64, previous_players INT64, "
                "previous_completeness FLOAT64, previous_zeroed_scores INT64, upcg_state STRING, "
                "blocked_by STRING, zone_rows_built INT64"
            ),
            partition_by="game_date",
        ),
        Table(
            "audits",
            "orchestration",
            "backfill_audits",
            _columns(
                "run_id STRING!, processor STRING, game_date DATE!, audit STRING!, value FLOAT64, threshold FLOAT64, "
                "baseline FLOAT64, baseline_dates INT64, severity STRING, passed BOOL, detail STRING, attempt INT64, "
                "created_at TIMESTAMP"
            ),
            partition_by="game_date",
        ),
        # What each run saw of its inputs (SPEC §6.10): per part of an input, per day (and game), a digest of
        # the rows; and per published date, which run's digests its rows were computed from.
        Table(
            "inputs",
            "orchestration",
            "backfill_inputs",
            _columns("run_id STRING!, part STRING!, day DATE!, game_id STRING, row_count INT64, digest STRING"),
            partition_by="day",
            cluster_by=("part",),
        ),
        Table(
            "fingerprints",
            "orchestration",
            "backfill_fingerprints",
            _columns(
                "game_date DATE!, run_id STRING!, published_run_id STRING, season_from DATE, week_from DATE, "
                "calculation_version STRING, settings STRING, recorded_at TIMESTAMP, differing_rows INT64"
            ),
            partition_by="game_date",
        ),
        Table(
            "cleanup_ops",
            "orchestration",
            "cleanup_operations",
            _columns(
                "operation_id STRING!, table_name STRING, mode STRING, cutoff_date DATE, dry_run BOOL, "
                "rows_matched INT64, rows_deleted INT64, backup_table STRING, user STRING, started_at TIMESTAMP, "
                "finished_at TIMESTAMP, error STRING"
            ),
        ),
        Table(
            "leases",
            "orchestration",
            "backfill_leases",
            _columns(
                "lease_id STRING!, holder STRING, start_date DATE, end_date DATE, acquired_at TIMESTAMP, "
                "heartbeat_at TIMESTAMP, expires_at TIMESTAMP, host STRING, pid INT64, command STRING"
            ),
        ),
    ]
}

INPUT_TABLES = ("schedule", "players", "pgs", "tgs", "upcg", "psza", "tdza")
OWN_TABLES = tuple(key for key in TABLES if key not in INPUT_TABLES)  # what this product creates and upgrades

NUMBER_TYPES = frozenset({INT64, FLOAT64, "NUMERIC"})
# What each backend reports for a column, in the contract's words (BigQuery's legacy names included).
_LOGICAL_TYPES = {
    "VARCHAR": STRING,
    "TEXT": STRING,
    "STRING": STRING,
    "BIGINT": INT64,
    "INTEGER": INT64,
    "INT": INT64,
    "INT64": INT64,
    "SMALLINT": INT64,
    "TINYINT": INT64,
    "HUGEINT": INT64,
    "UBIGINT": INT64,
    "UINTEGER": INT64,
    "USMALLINT": INT64,
    "UTINYINT": INT64,
    "DOUBLE": FLOAT64,
    "FLOAT": FLOAT64,
    "FLOAT64": FLOAT64,
    "REAL": FLOAT64,
    "NUMERIC": "NUMERIC",
    "BIGNUMERIC": "NUMERIC",
    "DECIMAL": "NUMERIC",
    "DATE": DATE,
    "TIMESTAMP": TIMESTAMP,
    "BOOLEAN": BOOL,
    "BOOL": BOOL,
}


def logical_type(found: str) -> str:
    """'DECIMAL(18,3)' → NUMERIC, 'TIMESTAMP WITH TIME ZONE' → TIMESTAMP; unknown names pass through."""
    base = found.upper().split("(")[0].strip()
    if base.startswith("TIMESTAMP"):
        return TIMESTAMP
    return _LOGICAL_TYPES.get(base, base)


def compatible(expected: str, found: str) -> bool:
    """Numbers accept any integer/numeric/float type; every other type must match."""
    if expected in NUMBER_TYPES:
        return found in NUMBER_TYPES
    return found == expected
