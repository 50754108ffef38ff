"""Contexts the factor tests share (test_factors.py, test_factor_properties.py): identifiers, an all-NULL
context, a fresh and a tired player, zone rows."""

from __future__ import annotations

from typing import Any

import pandas as pd

from processors.factor_inputs import ZONE_INPUT_COLUMNS
from warehouse.schemas import CONTEXT_COLUMN_NAMES

DEFERRED = [
    "referee_favorability_score",
    "look_ahead_pressure_score",
    "travel_impact_score",
    "opponent_strength_score",
]

ID_VALUES = {
    "game_date": pd.Timestamp("2023-02-23"),
    "player_lookup": "lebronjames",
    "universal_player_id": "lebronjames_001",
    "game_id": "20230223_LAL_GSW",
    "team_abbr": "LAL",
    "opponent_team_abbr": "GSW",
    "context_source": "upcg",
}
NULL_CONTEXT: dict[str, Any] = {
    **{name: None for name in CONTEXT_COLUMN_NAMES},
    **{name: None for name in ZONE_INPUT_COLUMNS},
    "has_psza": False,
    "has_tdza": False,
}
FRESH = {
    "days_rest": 2,
    "back_to_back": False,
    "games_in_last_7_days": 3,
    "minutes_in_last_7_days": 175.0,
    "avg_minutes_per_game_last_7": 29.2,
    "back_to_backs_last_14_days": 0,
    "player_age": 28,
    "projected_usage_rate": 26.0,
    "avg_usage_rate_last_7_games": 25.0,
    "star_teammates_out": 0,
    "pace_differential": 3.5,
}
TIRED = {
    "days_rest": 1,
    "back_to_back": True,
    "games_in_last_7_days": 4,
    "minutes_in_last_7_days": 250.0,
    "avg_minutes_per_game_last_7": 36.5,
    "back_to_backs_last_14_days": 2,
    "player_age": 35,
    "projected_usage_rate": 28.0,
    "avg_usage_rate_last_7_games": 27.5,
    "star_teammates_out": 0,
    "pace_differential": -4.0,
}


def zones(
    primary: str | None,
    paint: float | None,
    mid: float | None,
    three: float | None,
    *,
    vs_paint: float | None = 0.0,
    vs_mid: float | None = 0.0,
    vs_three: float | None = 0.0,
) -> dict[str, Any]:
    """PSZA and TDZA rows present, with these rates and the opponent's zone defenses."""
    return {
        "has_psza": True,
        "has_tdza": True,
        "primary_scoring_zone": primary,
        "paint_rate_last_10": paint,
        "mid_range_rate_last_10": mid,
        "three_pt_rate_last_10": three,
        "paint_defense_vs_league_avg": vs_paint,
        "mid_range_defense_vs_league_avg": vs_mid,
        "three_pt_defense_vs_league_avg": vs_three,
    }


def context_frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame([{**ID_VALUES, **NULL_CONTEXT, **row} for row in rows])
