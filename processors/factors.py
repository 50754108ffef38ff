"""The composite-factor math of SPEC §5: pure, vectorised, free of I/O.

`compute_factors` turns a context frame (one row per player-date, any number of dates)
into PCF rows. Inputs are cleaned once (`processors.factor_inputs`), and take the
defaults of §5 where they are used. Stored components are rounded half away from zero to
2 decimals and the total is the sum of the stored components, so the columns add up exactly.
What a row may hold to be published is `processors.ranges`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from processors.factor_inputs import (
    ID_COLUMNS,
    ZONE_BUILT,
    ZONES,
    BoolArray,
    Columns,
    FloatArray,
    Inputs,
    IntArray,
    as_float,
    clean_inputs,
    with_required_columns,
)
from processors.version import CALCULATION_VERSION
from vocabulary import ZONE_FROM_BOX_SCORES
from warehouse.schemas import SCORE_COLUMNS, TABLES

# run_id and processed_at belong to the publish step, not to the math.
FACTOR_COLUMNS = [name for name in TABLES["pcf"].column_names if name not in ("run_id", "processed_at")]

DEFERRED_SCORE_COLUMNS = [
    "referee_favorability_score",
    "look_ahead_pressure_score",
    "travel_impact_score",
    "opponent_strength_score",
]


def _filled(inputs: Inputs, column: str, default: float) -> FloatArray:
    values = inputs[column]
    return np.where(np.isnan(values), default, values)


def round_half_away_from_zero(values: FloatArray) -> FloatArray:
    """Round to 2 decimals, halves away from zero; the inner round absorbs float noise
    such as 2.005 * 100 = 200.49999999999997. `+ 0.0` turns -0.0 into 0.0."""
    cents = np.floor(np.round(np.abs(values) * 100, 6) + 0.5)
    return np.sign(values) * cents / 100 + 0.0


# --- §5.1 fatigue -----------------------------------------------------------------------


def _rest_points(inputs: Inputs) -> FloatArray:
    days_rest = _filled(inputs, "days_rest", 1)
    return np.where(inputs["back_to_back"], -15.0, np.where(days_rest >= 3, 5.0, 0.0))


def _workload_points(inputs: Inputs) -> FloatArray:
    games = _filled(inputs, "games_in_last_7_days", 3)
    minutes = _filled(inputs, "minutes_in_last_7_days", 200)
    minutes_per_game = _filled(inputs, "avg_minutes_per_game_last_7", 30)
    back_to_backs = _filled(inputs, "back_to_backs_last_14_days", 0)
    return (
        np.where(games >= 4, -10.0, 0.0)
        + np.where(minutes > 240, -10.0, 0.0)
        + np.where(minutes_per_game > 35, -8.0, 0.0)
        + np.where(back_to_backs >= 2, -12.0, np.where(back_to_backs >= 1, -5.0, 0.0))
    )


def _age_points(inputs: Inputs) -> FloatArray:
    age = _filled(inputs, "player_age", 25)
    return np.where(age >= 35, -10.0, np.where(age >= 30, -5.0, 0.0))


def fatigue_score(inputs: Inputs) -> IntArray:
    """Raw fatigue, 0–100, higher = more rested."""
    points = _rest_points(inputs) + _workload_points(inputs) + _age_points(inputs)
    return np.clip(100.0 + points, 0, 100).astype(np.int64)


def fatigue_adjustment(scores: IntArray) -> FloatArray:
    return round_half_away_from_zero((scores - 100) / 20)


# --- §5.2 shot-zone mismatch ------------------------------------------------------------


def _zone_rate_and_defense(inputs: Inputs) -> tuple[FloatArray, FloatArray, BoolArray]:
    """The chosen zone's rate and defense (defaults applied), and whether a zone exists."""
    rates = np.column_stack([inputs[rate] for _, rate, _ in ZONES])
    defenses = np.column_stack([inputs[defense] for _, _, defense in ZONES])
    named = inputs["zone_index"]
    known_rates = np.nan_to_num(rates, nan=0.0)
    # argmax returns the first maximum, so ties follow the order of ZONES.
    chosen = np.where(named >= 0, named, np.argmax(known_rates, axis=1))
    rows = np.arange(len(named))
    rate = np.nan_to_num(rates[rows, chosen], nan=50.0)
    defense = np.nan_to_num(defenses[rows, chosen], nan=0.0)
    has_zone = (named >= 0) | (known_rates.max(axis=1, initial=0.0) > 0)
    return rate, defense, has_zone


def shot_zone_mismatch_score(inputs: Inputs) -> FloatArray:
    """Player's zone volume against the opponent's defense there; 0 without both rows."""
    rate, defense, has_zone = _zone_rate_and_defense(inputs)
    mismatch = defense * np.minimum(rate / 50, 1.0)
    mismatch = np.where(np.abs(mismatch) > 5, mismatch * 1.2, mismatch)
    has_rows = inputs["has_psza"] & inputs["has_tdza"]
    score = np.where(has_rows & has_zone, np.clip(mismatch, -10, 10), 0.0)
    return round_half_away_from_zero(score)


# --- §5.3 pace, §5.4 usage spike --------------------------------------------------------


def pace_score(inputs: Inputs) -> FloatArray:
    pace_differential = _filled(inputs, "pace_differential", 0)
    return round_half_away_from_zero(np.clip(pace_differential / 2, -3, 3))


def usage_spike_score(inputs: Inputs) -> FloatArray:
    projected = _filled(inputs, "projected_usage_rate", 25)
    baseline = _filled(inputs, "avg_usage_rate_last_7_games", 25)
    stars_out = _filled(inputs, "star_teammates_out", 0)
    base = 0.3 * (projected - baseline)
    star_boost = np.where(stars_out >= 2, 1.30, np.where(stars_out > 0, 1.15, 1.0))
    spike = np.where(base > 0, base * star_boost, base)
    score = np.where(baseline == 0, 0.0, np.clip(spike, -3, 3))
    return round_half_away_from_zero(score)


# --- §5.5 completeness and warnings -----------------------------------------------------


def joined_labels(labelled_flags: Sequence[tuple[str, BoolArray]]) -> npt.NDArray[np.object_]:
    """Comma-separated labels of the raised flags per row; None where none is raised."""
    labels = [label for label, _ in labelled_flags]
    # Each row's flags as a bitmask, looked up in the 2**len(labels) possible joined strings.
    bitmask = np.zeros(len(labelled_flags[0][1]), dtype=np.int64)
    for bit, (_, flags) in enumerate(labelled_flags):
        bitmask |= flags.astype(np.int64) << bit
    joined = [
        ",".join(label for bit, label in enumerate(labels) if combination >> bit & 1) or None
        for combination in range(2 ** len(labels))
    ]
    return np.array(joined, dtype=object)[bitmask]


def completeness_checks(inputs: Inputs) -> list[tuple[str, BoolArray]]:
    """(field, missing?) for the five checks of §5.5, in their fixed order."""
    return [
        ("days_rest", np.isnan(inputs["days_rest"])),
        ("projected_usage_rate", np.isnan(inputs["projected_usage_rate"])),
        ("pace_differential", np.isnan(inputs["pace_differential"])),
        ("player_shot_zone", ~inputs["has_psza"]),
        ("team_defense_zone", ~inputs["has_tdza"]),
    ]


def warning_flags(scores: Columns, inputs: Inputs) -> list[tuple[str, BoolArray]]:
    """(warning, raised?) per row, in the fixed order of §5.5, then where a zone input came from (§6.8)."""
    return [
        ("EXTREME_FATIGUE", scores["fatigue_score"] < 50),
        ("EXTREME_MATCHUP", np.abs(scores["shot_zone_mismatch_score"]) > 8),
        ("EXTREME_ADJUSTMENT", np.abs(scores["total_composite_adjustment"]) > 12),
        (ZONE_FROM_BOX_SCORES, inputs[ZONE_BUILT]),
    ]


# --- assembly ---------------------------------------------------------------------------


def score_columns(inputs: Inputs) -> dict[str, npt.NDArray[Any]]:
    """The ten score columns of PCF, in SCORE_COLUMNS order."""
    fatigue = fatigue_score(inputs)
    components = {
        "fatigue_adjustment": fatigue_adjustment(fatigue),
        "shot_zone_mismatch_score": shot_zone_mismatch_score(inputs),
        "pace_score": pace_score(inputs),
        "usage_spike_score": usage_spike_score(inputs),
    }
    deferred = {name: np.zeros(len(fatigue)) for name in DEFERRED_SCORE_COLUMNS}
    total = round_half_away_from_zero(np.sum(list(components.values()), axis=0))
    scores = {
        "fatigue_score": fatigue,
        **components,
        **deferred,
        "total_composite_adjustment": total,
    }
    return {name: scores[name] for name in SCORE_COLUMNS}


def quality_columns(inputs: Inputs, scores: Columns) -> dict[str, npt.NDArray[Any] | pd.Series]:
    """data_completeness_pct, missing_data_fields, warning_details and has_warnings."""
    checks = completeness_checks(inputs)
    missing_count = np.sum([missing for _, missing in checks], axis=0)
    warnings = warning_flags(scores, inputs)
    return {
        "data_completeness_pct": 20.0 * (len(checks) - missing_count),
        # object dtype keeps None for "no labels" (pandas would infer str and store NaN).
        "missing_data_fields": pd.Series(joined_labels(checks), dtype=object),
        "warning_details": pd.Series(joined_labels(warnings), dtype=object),
        "has_warnings": np.any([raised for _, raised in warnings], axis=0),
    }


def compute_factors(context: pd.DataFrame) -> pd.DataFrame:
    """One PCF row (without run_id and processed_at) per context row, in input order."""
    context = with_required_columns(context)
    inputs = clean_inputs(context)
    scores = score_columns(inputs)
    columns = {
        **{name: context[name] for name in [*ID_COLUMNS, "context_source"]},
        **scores,
        **quality_columns(inputs, scores),
        "calculation_version": np.full(len(context), CALCULATION_VERSION, dtype=object),
    }
    # copy=False: the arrays are fresh, and copy-on-write guards the Series taken from context.
    ordered = {name: columns[name] for name in FACTOR_COLUMNS if name != "data_hash"}
    factors = pd.DataFrame(ordered, copy=False)
    factors["data_hash"] = data_hash(factors)
    return factors


# --- hashing ----------------------------------------------------------------------------


def _formatted(values: FloatArray, pattern: str) -> pa.Array:
    """Each value printed with a %-pattern. Scores take few distinct values, so each distinct
    value is printed once; `+ 0.0` keeps -0.0 from hashing differently from 0.0."""
    codes, distinct = pd.factorize(values + 0.0, use_na_sentinel=False)
    return pa.array(np.char.mod(pattern, distinct), type=pa.string()).take(pa.array(codes))


def _date_text(dates: pd.Series) -> pa.Array:
    """Each date as YYYY-MM-DD; rows hold few distinct dates, so each is printed once."""
    codes, distinct = pd.factorize(pd.to_datetime(dates), use_na_sentinel=False)
    printed = pa.array(pd.DatetimeIndex(distinct).strftime("%Y-%m-%d"), type=pa.string())
    return printed.take(pa.array(codes)).fill_null("")


def _text(values: pd.Series) -> pa.Array:
    return pa.array(values, type=pa.string()).fill_null("")


def hash_input(pcf: pd.DataFrame) -> list[str]:
    """The '|'-joined text that each row's data_hash is computed over."""
    scores = {name: as_float(pcf[name]) for name in SCORE_COLUMNS}
    parts = [
        _date_text(pcf["game_date"]),
        _text(pcf["player_lookup"]),
        _formatted(scores["fatigue_score"], "%.0f"),
        *[_formatted(scores[name], "%.2f") for name in SCORE_COLUMNS[1:]],
        _text(pcf["context_source"]),
        _text(pcf["calculation_version"]),
    ]
    joined: list[str] = pc.binary_join_element_wise(*parts, "|").to_pylist()
    return joined


def data_hash(pcf: pd.DataFrame) -> pd.Series:
    """First 16 hex chars of SHA-256 over the key, scores, source and version, per row."""
    digests = [hashlib.sha256(text.encode()).hexdigest()[:16] for text in hash_input(pcf)]
    return pd.Series(digests, index=pcf.index, dtype=object, name="data_hash")
