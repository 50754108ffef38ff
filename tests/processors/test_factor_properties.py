"""Factor math of SPEC §5 for any context (hypothesis): scores stay in range, the total is the sum of the stored
components, more load never freshens, the hash follows the scores; and every NULL style takes the defaults."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from factor_cases import DEFERRED, FRESH, ID_VALUES, TIRED, context_frame
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from processors.factor_inputs import ZONE_INPUT_COLUMNS
from processors.factors import compute_factors, data_hash
from processors.ranges import range_violations
from warehouse.schemas import CONTEXT_COLUMN_NAMES, SCORE_COLUMNS

NUMERIC_COLUMNS = [
    name
    for name in [*CONTEXT_COLUMN_NAMES, *ZONE_INPUT_COLUMNS]
    if name not in ("back_to_back", "has_psza", "has_tdza", "primary_scoring_zone")
]
INT_COLUMNS = ["days_rest", "games_in_last_7_days", "back_to_backs_last_14_days", "player_age", "star_teammates_out"]
FLAG_COLUMNS = ["back_to_back", "has_psza", "has_tdza"]
ZONE_NAMES = np.array(["paint", "mid_range", "perimeter", "balanced", None], dtype=object)
COMPONENTS = ["fatigue_adjustment", "shot_zone_mismatch_score", "pace_score", "usage_spike_score"]

# Rule thresholds, NULL-likes and wide values; NaN stands for NULL until `null_styled`.
cells = st.one_of(
    st.sampled_from([np.nan, np.inf, -np.inf, 0.0, 1.0, 2.0, 3.0, 4.0, 30.0, 35.0, 240.0, 50.0]),
    st.floats(min_value=-1e6, max_value=1e6),
)


@st.composite
def contexts(draw: st.DrawFn) -> pd.DataFrame:
    """Random contexts of 1–8 rows: NULLs as NaN, None or pd.NA; maybe one column all NULL."""
    rows = draw(st.integers(min_value=1, max_value=8))
    numbers = draw(hnp.arrays(np.float64, (rows, len(NUMERIC_COLUMNS)), elements=cells))
    # Per row, in one draw: a pick for each flag (pick % 3 → NULL/False/True) and the zone.
    picks = draw(hnp.arrays(np.int8, (rows, len(FLAG_COLUMNS) + 1), elements=st.integers(0, 4)))
    nulls_as = draw(st.sampled_from(["nan", "none", "nullable"]))
    all_null = draw(st.sampled_from([None, *NUMERIC_COLUMNS, *FLAG_COLUMNS]))
    columns: dict[str, Any] = {name: [value] * rows for name, value in ID_VALUES.items()}
    columns["player_lookup"] = [f"player{index}" for index in range(rows)]
    columns.update(null_styled(NUMERIC_COLUMNS, numbers, nulls_as))
    flag_values = np.array([None, False, True], dtype=object)
    columns.update({name: flag_values[picks[:, i] % 3] for i, name in enumerate(FLAG_COLUMNS)})
    columns["primary_scoring_zone"] = ZONE_NAMES[picks[:, -1]]
    if all_null is not None:
        columns[all_null] = [None] * rows
    return pd.DataFrame(columns)


def null_styled(names: list[str], numbers: np.ndarray, nulls_as: str) -> dict[str, Any]:
    """Columns of `numbers` with NaN kept, turned into None, or ints made nullable Int64."""
    if nulls_as == "none":
        values = numbers.astype(object)
        values[np.isnan(numbers)] = None
        return dict(zip(names, values.T, strict=True))
    columns: dict[str, Any] = dict(zip(names, numbers.T, strict=True))
    if nulls_as == "nullable":
        for name in INT_COLUMNS:
            finite = np.where(np.isfinite(columns[name]), np.round(columns[name]), np.nan)
            columns[name] = pd.array(finite, dtype="Int64")
    return columns


def with_more_load(context: pd.DataFrame, extra_minutes: float) -> pd.DataFrame:
    """The context, then the same rows on a back-to-back, then with more minutes."""
    minutes = ["minutes_in_last_7_days", "avg_minutes_per_game_last_7"]
    more_minutes = {name: context[name].astype(float) + extra_minutes for name in minutes}
    variants = [context, context.assign(back_to_back=True), context.assign(**more_minutes)]
    return pd.concat(variants, ignore_index=True)


def assert_scores_in_range(factors: pd.DataFrame) -> None:
    assert not range_violations(factors).any()
    scores = np.column_stack([factors[name].to_numpy(dtype=float) for name in SCORE_COLUMNS])
    assert not np.isnan(scores).any()
    fatigue = factors["fatigue_score"].to_numpy()
    assert (factors["fatigue_adjustment"].to_numpy() == (fatigue - 100) / 20).all()
    assert (factors[DEFERRED].to_numpy() == 0.0).all()
    assert np.isin(factors["data_completeness_pct"].to_numpy(), [0, 20, 40, 60, 80, 100]).all()


def assert_total_is_the_sum_of_stored_components(factors: pd.DataFrame) -> None:
    components = factors[COMPONENTS].to_numpy()
    total = factors["total_composite_adjustment"].to_numpy()
    assert (np.abs(components.sum(axis=1) - total) < 1e-9).all()
    cents = np.column_stack([components, total]) * 100
    assert (np.abs(cents - np.round(cents)) < 1e-6).all()


def assert_more_load_never_freshens(fatigue: np.ndarray) -> None:
    as_given, on_back_to_back, with_more_minutes = fatigue.reshape(3, -1)
    assert (on_back_to_back <= as_given).all()
    assert (with_more_minutes <= as_given).all()


def assert_hash_changes_with_the_score_only(factors: pd.DataFrame, row: int, column: str) -> None:
    changed = factors.copy()
    changed.loc[row, column] = changed.loc[row, column] + 1
    # The untouched rows are rehashed from identical inputs, so their hashes must not move.
    differs = data_hash(changed).to_numpy() != factors["data_hash"].to_numpy()
    assert differs[row] and differs.sum() == 1


# One property test checks every property on the same example: the math is row-wise and
# its cost per call is mostly fixed, so one call over stacked variants keeps the suite fast.
@pytest.mark.slow
@given(
    contexts(),
    st.floats(min_value=0, max_value=500),
    st.integers(min_value=0),
    st.sampled_from(SCORE_COLUMNS),
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_factor_properties_hold_for_any_context(
    context: pd.DataFrame, extra_minutes: float, row_pick: int, score_column: str
) -> None:
    factors = compute_factors(with_more_load(context, extra_minutes))
    assert_scores_in_range(factors)
    assert_total_is_the_sum_of_stored_components(factors)
    assert_more_load_never_freshens(factors["fatigue_score"].to_numpy())
    assert_hash_changes_with_the_score_only(factors, row_pick % len(factors), score_column)


NULL_STYLES = {
    "None": lambda rows: pd.Series([None] * rows, dtype=object),
    "NaN": lambda rows: pd.Series([np.nan] * rows),
    "inf": lambda rows: pd.Series([np.inf, -np.inf][:rows]),
    "pd.NA": lambda rows: pd.Series([pd.NA] * rows, dtype="Int64"),
}


@pytest.mark.parametrize("style", NULL_STYLES.keys())
def test_every_input_null_takes_the_defaults(style: str) -> None:
    context = context_frame(FRESH, TIRED)
    for name in [*NUMERIC_COLUMNS, *FLAG_COLUMNS]:
        context[name] = NULL_STYLES[style](2)
    context["back_to_back"] = pd.array([pd.NA, pd.NA], dtype="boolean")
    factors = compute_factors(context)
    assert (factors["fatigue_score"] == 100).all()
    assert (factors[SCORE_COLUMNS[1:]] == 0.0).all().all()
    assert (factors["data_completeness_pct"] == 0.0).all()
