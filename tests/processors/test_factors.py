"""Factor math of SPEC §5: the §5.6 reference values and edge cases (properties: test_factor_properties.py)."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from factor_cases import FRESH, TIRED, context_frame, zones

from processors.factors import (
    CALCULATION_VERSION,
    compute_factors,
    data_hash,
    round_half_away_from_zero,
)
from warehouse.schemas import SCORE_COLUMNS, TABLES


def factors_of(**row: Any) -> pd.Series:
    return compute_factors(context_frame(row)).iloc[0]


# --- §5.6 reference values --------------------------------------------------------------

REFERENCE_CASES = {
    "fresh": (
        {**FRESH, **zones("paint", 65, 20, 15, vs_paint=4.3)},
        {
            "fatigue_score": 100,
            "fatigue_adjustment": 0.0,
            "shot_zone_mismatch_score": 4.30,
            "pace_score": 1.75,
            "usage_spike_score": 0.30,
            "total_composite_adjustment": 6.35,
            "warning_details": None,
        },
    ),
    "tired": (
        TIRED,
        {
            "fatigue_score": 35,
            "fatigue_adjustment": -3.25,
            "shot_zone_mismatch_score": 0.0,
            "pace_score": -2.0,
            "usage_spike_score": 0.15,
            "total_composite_adjustment": -5.10,
            "warning_details": "EXTREME_FATIGUE",
        },
    ),
    "tired + paint": (
        {**TIRED, **zones("paint", 65, 20, 15, vs_paint=-3.8)},
        {
            "fatigue_score": 35,
            "shot_zone_mismatch_score": -3.80,
            "total_composite_adjustment": -8.90,
            "warning_details": "EXTREME_FATIGUE",
        },
    ),
    "fresh + perimeter": (
        {**FRESH, **zones("perimeter", 15, 20, 65, vs_three=0.5)},
        {"shot_zone_mismatch_score": 0.50, "total_composite_adjustment": 2.55, "warning_details": None},
    ),
    "fresh + paint vs weak defense": (
        {**FRESH, **zones("paint", 65, 20, 15, vs_paint=7.0)},
        {
            "shot_zone_mismatch_score": 8.40,
            "total_composite_adjustment": 10.45,
            "warning_details": "EXTREME_MATCHUP",
            "has_warnings": True,
        },
    ),
    "defaults, baseline 15": (
        {"avg_usage_rate_last_7_games": 15.0},
        {"usage_spike_score": 3.00, "total_composite_adjustment": 3.00},
    ),
    "defaults, baseline 32": (
        {"avg_usage_rate_last_7_games": 32.0},
        {"usage_spike_score": -2.10, "total_composite_adjustment": -2.10},
    ),
    "all defaults": (
        {},
        {
            "fatigue_score": 100,
            "fatigue_adjustment": 0.0,
            "shot_zone_mismatch_score": 0.0,
            "pace_score": 0.0,
            "usage_spike_score": 0.0,
            "total_composite_adjustment": 0.0,
            "warning_details": None,
            "has_warnings": False,
        },
    ),
    "1 star out": (
        {"projected_usage_rate": 28.5, "avg_usage_rate_last_7_games": 24.2, "star_teammates_out": 1},
        {"usage_spike_score": 1.48},
    ),
    "2 stars out": (
        {"projected_usage_rate": 28.5, "avg_usage_rate_last_7_games": 24.2, "star_teammates_out": 2},
        {"usage_spike_score": 1.68},
    ),
    "balanced": (
        zones("balanced", 30, 33, 37, vs_paint=9.0, vs_mid=9.0, vs_three=4.0),
        {"shot_zone_mismatch_score": 2.96},
    ),
}


@pytest.mark.parametrize(("row", "expected"), REFERENCE_CASES.values(), ids=list(REFERENCE_CASES.keys()))
def test_reference_values(row: dict[str, Any], expected: dict[str, Any]) -> None:
    factors = factors_of(**row)
    for column, value in expected.items():
        assert factors[column] == value, column


def test_all_defaults_score_zero_and_report_every_field_missing() -> None:
    factors = factors_of()
    assert all(factors[column] == 0.0 for column in SCORE_COLUMNS[1:])
    assert factors["data_completeness_pct"] == 0.0
    assert factors["missing_data_fields"] == (
        "days_rest,projected_usage_rate,pace_differential,player_shot_zone,team_defense_zone"
    )


# --- §5.1 fatigue -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"days_rest": 3}, 100),  # +5 is clamped
        ({"days_rest": 3, "player_age": 30}, 100),
        ({"back_to_back": True}, 85),
        ({"games_in_last_7_days": 4}, 90),
        ({"minutes_in_last_7_days": 240.0}, 100),
        ({"minutes_in_last_7_days": 240.5}, 90),
        ({"avg_minutes_per_game_last_7": 35.0}, 100),
        ({"avg_minutes_per_game_last_7": 35.1}, 92),
        ({"back_to_backs_last_14_days": 1}, 95),
        ({"back_to_backs_last_14_days": 3}, 88),
        ({"player_age": 30}, 95),
        ({"player_age": 34, "back_to_back": True}, 80),
    ],
)
def test_fatigue_rules(row: dict[str, Any], expected: int) -> None:
    factors = factors_of(**row)
    assert factors["fatigue_score"] == expected
    assert factors["fatigue_adjustment"] == (expected - 100) / 20


# --- §5.2 shot-zone mismatch ------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(zones("paint", 25, 40, 35, vs_paint=4.0), 2.0, id="paint weighted by rate"),
        pytest.param(zones("mid_range", 20, 45, 35, vs_mid=-6.0), -6.48, id="mid_range x1.2"),
        pytest.param(zones("paint", 90, 5, 5, vs_paint=12.0), 10.0, id="clamped"),
        pytest.param(zones("paint", None, 5, 5, vs_paint=3.0), 3.0, id="rate default 50"),
        pytest.param(zones("paint", 65, 5, 5, vs_paint=None), 0.0, id="defense default 0"),
        pytest.param(zones(None, 10, 20, 30, vs_three=5.0), 3.0, id="NULL zone takes highest"),
        pytest.param(zones("balanced", 35, 35, 30, vs_paint=2.0), 1.4, id="tie goes to paint"),
        pytest.param(zones("balanced", 30, 35, 35, vs_three=2.0), 1.4, id="then perimeter"),
        pytest.param(zones("balanced", None, 20, None, vs_mid=5.0), 2.0, id="NULL rates ignored"),
        pytest.param(zones("balanced", 0, 0, 0, vs_paint=5.0), 0.0, id="all rates zero"),
        pytest.param(zones("balanced", None, None, None, vs_paint=5.0), 0.0, id="all rates NULL"),
        pytest.param({**zones("paint", 65, 5, 5, vs_paint=4.0), "has_tdza": False}, 0.0, id="no TDZA row"),
        pytest.param({**zones("paint", 65, 5, 5, vs_paint=4.0), "has_psza": False}, 0.0, id="no PSZA row"),
    ],
)
def test_shot_zone_rules(row: dict[str, Any], expected: float) -> None:
    assert factors_of(**row)["shot_zone_mismatch_score"] == expected


# --- §5.3–5.4 pace and usage ------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        ({"pace_differential": 9.0}, "pace_score", 3.0),
        ({"pace_differential": -6.01}, "pace_score", -3.0),
        ({"pace_differential": 0.01}, "pace_score", 0.01),  # 0.005 rounds away from zero
        ({"avg_usage_rate_last_7_games": 0.0, "projected_usage_rate": 30.0}, "usage_spike_score", 0.0),
        ({"projected_usage_rate": 20.0, "star_teammates_out": 2}, "usage_spike_score", -1.5),
        ({"projected_usage_rate": 45.0}, "usage_spike_score", 3.0),
    ],
)
def test_pace_and_usage_rules(row: dict[str, Any], column: str, expected: float) -> None:
    assert factors_of(**row)[column] == expected


# --- §5.5 rounding, completeness, warnings ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.005, 2.01), (-2.005, -2.01), (1.4835, 1.48), (1.677, 1.68), (0.125, 0.13), (-0.004, 0.0), (0.0, 0.0)],
)
def test_round_half_away_from_zero(value: float, expected: float) -> None:
    rounded = round_half_away_from_zero(np.array([value]))[0]
    assert rounded == expected
    assert math.copysign(1.0, rounded) == math.copysign(1.0, expected)  # no -0.0


@pytest.mark.parametrize(
    ("row", "completeness", "missing"),
    [
        ({**FRESH, **zones("paint", 65, 20, 15)}, 100.0, None),
        (FRESH, 60.0, "player_shot_zone,team_defense_zone"),
        ({"projected_usage_rate": 25.0, "has_tdza": True}, 40.0, "days_rest,pace_differential,player_shot_zone"),
        ({**FRESH, "days_rest": float("inf")}, 40.0, "days_rest,player_shot_zone,team_defense_zone"),
    ],
)
def test_completeness(row: dict[str, Any], completeness: float, missing: str | None) -> None:
    factors = factors_of(**row)
    assert factors["data_completeness_pct"] == completeness
    assert factors["missing_data_fields"] == missing


def test_warnings_listed_in_order() -> None:
    row = {**TIRED, "pace_differential": -9.0, **zones("paint", 65, 5, 5, vs_paint=-8.0)}
    factors = factors_of(**row)
    assert factors["total_composite_adjustment"] == -15.70
    assert factors["warning_details"] == "EXTREME_FATIGUE,EXTREME_MATCHUP,EXTREME_ADJUSTMENT"
    assert factors["has_warnings"]


# --- frame shape and dtypes -------------------------------------------------------------


def test_output_has_pcf_columns_in_order_on_a_fresh_index() -> None:
    context = context_frame(FRESH, TIRED, {}).set_axis([7, 3, 5])
    context["player_lookup"] = ["a", "b", "c"]
    factors = compute_factors(context)
    expected_columns = [name for name in TABLES["pcf"].column_names if name not in ("run_id", "processed_at")]
    assert list(factors.columns) == expected_columns
    assert factors.index.equals(pd.RangeIndex(3))
    assert factors["player_lookup"].tolist() == ["a", "b", "c"]
    assert factors["fatigue_score"].tolist() == [100, 35, 100]
    assert factors["fatigue_score"].dtype == np.int64
    assert (factors["calculation_version"] == CALCULATION_VERSION).all()
    assert factors["has_warnings"].tolist() == [False, True, False]
    assert factors["warning_details"].tolist() == [None, "EXTREME_FATIGUE", None]


@pytest.mark.parametrize("empty", [context_frame({}).iloc[0:0], pd.DataFrame()], ids=["typed", "bare"])
def test_empty_context_gives_empty_frame_with_pcf_columns(empty: pd.DataFrame) -> None:
    factors = compute_factors(empty)
    assert factors.empty
    assert list(factors.columns) == list(compute_factors(context_frame({})).columns)
    assert factors["fatigue_score"].dtype == np.int64


def test_nullable_and_object_dtypes_are_accepted() -> None:
    context = context_frame(TIRED, {})
    for column in [
        "days_rest",
        "games_in_last_7_days",
        "back_to_backs_last_14_days",
        "player_age",
        "star_teammates_out",
    ]:
        context[column] = context[column].astype("Int64")
    context["back_to_back"] = pd.array([True, pd.NA], dtype="boolean")
    context["has_psza"] = pd.Series([True, None], dtype=object)
    factors = compute_factors(context)
    assert factors["fatigue_score"].tolist() == [35, 100]
    assert factors["missing_data_fields"].tolist() == [
        "team_defense_zone",
        "days_rest,projected_usage_rate,pace_differential,player_shot_zone,team_defense_zone",
    ]


def test_missing_input_column_is_named() -> None:
    with pytest.raises(ValueError, match="pace_differential"):
        compute_factors(context_frame({}).drop(columns="pace_differential"))


# --- range checks and hash --------------------------------------------------------------


def test_data_hash_covers_key_scores_source_and_version() -> None:
    pcf = compute_factors(context_frame({**FRESH, **zones("paint", 65, 20, 15, vs_paint=4.3)}))
    hashed = "2023-02-23|lebronjames|100|0.00|4.30|1.75|0.30|0.00|0.00|0.00|0.00|6.35|upcg|1.0.0"
    assert pcf["data_hash"][0] == hashlib.sha256(hashed.encode()).hexdigest()[:16]


def test_data_hash_is_stable_and_sensitive() -> None:
    pcf = compute_factors(context_frame(FRESH, TIRED))
    assert data_hash(pcf).tolist() == compute_factors(context_frame(FRESH, TIRED))["data_hash"].tolist()
    assert all(len(value) == 16 and int(value, 16) >= 0 for value in pcf["data_hash"])
    other_source = pcf.assign(context_source="pgs_synthetic")
    assert (data_hash(other_source) != pcf["data_hash"]).all()
    other_date = pcf.assign(game_date=pd.Timestamp("2023-02-24"))
    assert (data_hash(other_date) != pcf["data_hash"]).all()
