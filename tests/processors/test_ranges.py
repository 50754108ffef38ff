"""What a publishable row may hold (SPEC §5.5), declared once and checked twice: in Python on computed rows, in SQL
on published ones. Both read the same rows the same way."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pytest
from factor_cases import FRESH, TIRED, context_frame

from processors.factors import compute_factors
from processors.ranges import out_of_range_sql, range_violations

BROKEN_SCORES = [
    ("fatigue_score", 101),
    ("fatigue_score", -1),
    ("shot_zone_mismatch_score", 10.01),
    ("pace_score", -3.01),
    ("usage_spike_score", 3.5),
    ("total_composite_adjustment", 21.5),
    ("pace_score", float("nan")),
    ("fatigue_adjustment", float("nan")),  # a part of the total unknown: the sum cannot be vouched for
]


def computed() -> pd.DataFrame:
    return compute_factors(context_frame(FRESH, TIRED))


def with_value(pcf: pd.DataFrame, row: int, column: str, value: Any) -> pd.DataFrame:
    changed = pcf.copy()
    changed[column] = changed[column].astype(object if value is None else float)
    changed.loc[row, column] = value
    return changed


@pytest.mark.parametrize(("column", "value"), [*BROKEN_SCORES, ("game_date", None), ("player_lookup", None)])
def test_range_violations_flag_the_broken_row(column: str, value: Any) -> None:
    assert range_violations(with_value(computed(), 1, column, value)).tolist() == [False, True]


def test_scores_at_their_limits_are_in_range() -> None:
    parts = ["fatigue_score", "fatigue_adjustment", "shot_zone_mismatch_score", "pace_score", "usage_spike_score"]
    highest, lowest = [100, 0.0, 10.0, 3.0, 3.0], [0, -5.0, -10.0, -3.0, -3.0]  # totals 16 and -21
    pcf = computed()
    pcf[parts] = pd.DataFrame([highest, lowest], columns=parts)
    pcf["total_composite_adjustment"] = pcf[parts[1:]].sum(axis=1)
    assert range_violations(pcf).tolist() == [False, False]


def test_a_total_that_is_not_the_sum_of_its_parts_is_flagged() -> None:
    pcf = computed()
    pcf.loc[1, "total_composite_adjustment"] += 0.01
    assert range_violations(pcf).tolist() == [False, True]


def test_the_sql_finds_the_rows_python_finds() -> None:
    fine = computed()
    sum_broken = fine.assign(total_composite_adjustment=fine["total_composite_adjustment"] + 0.01)
    rows = pd.concat(
        [fine, sum_broken, *[with_value(fine, 1, column, value) for column, value in BROKEN_SCORES]],
        ignore_index=True,
    )
    sql = f"SELECT {out_of_range_sql('pcf')} AS broken FROM rows AS pcf ORDER BY position"
    with duckdb.connect() as connection:
        connection.register("rows", rows.assign(position=range(len(rows))))
        found = [bool(broken) for (broken,) in connection.execute(sql).fetchall()]
    assert found == range_violations(rows).tolist()
    assert found.count(True) == 2 + len(BROKEN_SCORES)
