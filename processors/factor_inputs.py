"""The inputs of the factor math (SPEC §5), cleaned once: NULL, NA, unparsable and non-finite numbers become NaN
(the math applies §5's defaults where it uses them), NULL flags are False, and the primary scoring zone becomes a
position in `ZONES`. Plain arrays by column name keep the per-call overhead low on small frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from warehouse.schemas import CONTEXT_COLUMN_NAMES

ZONE_INPUT_COLUMNS = [
    "paint_rate_last_10",
    "mid_range_rate_last_10",
    "three_pt_rate_last_10",
    "primary_scoring_zone",
    "has_psza",
    "paint_defense_vs_league_avg",
    "mid_range_defense_vs_league_avg",
    "three_pt_defense_vs_league_avg",
    "has_tdza",
]

ID_COLUMNS = [
    "game_date",
    "player_lookup",
    "universal_player_id",
    "game_id",
    "team_abbr",
    "opponent_team_abbr",
]

# Zones in tie-break order for a `balanced` player: (zone, rate column, defense column).
ZONES = [
    ("paint", "paint_rate_last_10", "paint_defense_vs_league_avg"),
    ("perimeter", "three_pt_rate_last_10", "three_pt_defense_vs_league_avg"),
    ("mid_range", "mid_range_rate_last_10", "mid_range_defense_vs_league_avg"),
]

FLAG_INPUTS = ["back_to_back", "has_psza", "has_tdza"]
NUMERIC_INPUTS = [
    name for name in [*CONTEXT_COLUMN_NAMES, *ZONE_INPUT_COLUMNS] if name not in (*FLAG_INPUTS, "primary_scoring_zone")
]
REQUIRED_COLUMNS = [*ID_COLUMNS, "context_source", *CONTEXT_COLUMN_NAMES, *ZONE_INPUT_COLUMNS]
ZONE_BUILT = "zone_from_box_scores"  # optional flag: a zone row was built from the box scores (SPEC §6.8)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
# Cleaned inputs by column name: plain arrays keep per-call overhead low on small frames.
Inputs = Mapping[str, npt.NDArray[Any]]
Columns = Mapping[str, npt.NDArray[Any]]


def as_float(values: pd.Series) -> FloatArray:
    """Numbers as float64, with NULL, NA, unparsable and non-finite values as NaN."""
    if values.dtype != np.float64:
        values = pd.to_numeric(values, errors="coerce")
    array = np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    return np.where(np.isfinite(array), array, np.nan)


def as_flag(values: pd.Series) -> BoolArray:
    """Booleans of any dtype (bool, object, nullable boolean); NULL counts as False."""
    if values.dtype != np.bool_:
        values = values.eq(True)  # NULL → False, except nullable booleans keep NA
        values = values if values.dtype == np.bool_ else values.fillna(False)
    return np.asarray(values.to_numpy(dtype=np.bool_), dtype=np.bool_)


def named_zone_index(primary_scoring_zone: pd.Series) -> IntArray:
    """Position in ZONES of each player's primary zone; -1 for `balanced`, NULL or unknown."""
    index = np.full(len(primary_scoring_zone), -1, dtype=np.int64)
    for position, (zone, _, _) in enumerate(ZONES):
        index[as_flag(primary_scoring_zone.eq(zone))] = position
    return index


def with_required_columns(context: pd.DataFrame) -> pd.DataFrame:
    """The context on a fresh index; a frame without rows may lack columns."""
    if len(context) == 0:
        return context.reindex(columns=REQUIRED_COLUMNS).reset_index(drop=True)
    missing = [name for name in REQUIRED_COLUMNS if name not in context.columns]
    if missing:
        raise ValueError(f"context is missing columns: {', '.join(missing)}")
    return context.reset_index(drop=True)


def clean_inputs(context: pd.DataFrame) -> dict[str, npt.NDArray[Any]]:
    """Every input of the math as an array: float64 with NaN, bool, or zone position."""
    inputs: dict[str, npt.NDArray[Any]] = {name: as_float(context[name]) for name in NUMERIC_INPUTS}
    inputs.update({name: as_flag(context[name]) for name in FLAG_INPUTS})
    inputs[ZONE_BUILT] = as_flag(context[ZONE_BUILT]) if ZONE_BUILT in context else np.zeros(len(context), bool)
    inputs["zone_index"] = named_zone_index(context["primary_scoring_zone"])
    return inputs
