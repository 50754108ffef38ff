"""A date's quality (SPEC §6.4 regression): players, mean completeness, and the component scores a missing input
forced to zero, comparable between what is published and what would replace it."""

from __future__ import annotations

import pandas as pd
import pytest

from validation.quality import date_quality, zeroed_scores

DAYS = pd.DatetimeIndex([pd.Timestamp("2023-02-25"), pd.Timestamp("2023-02-26")], name="game_date")


def test_a_missing_zone_row_or_pace_differential_zeroes_one_score_each():
    missing = pd.Series([None, "player_shot_zone", "team_defense_zone,pace_differential", "player_age"])
    assert zeroed_scores(missing).tolist() == [0, 1, 2, 0]


def test_quality_per_date_counts_players_once_and_dates_without_rows_as_none():
    rows = pd.DataFrame(
        {
            "game_date": [DAYS[0]] * 3,
            "player_lookup": ["a", "b", "b"],
            "data_completeness_pct": [100.0, 80.0, 80.0],
            "missing_data_fields": [None, "pace_differential", "pace_differential"],
        }
    )
    quality = date_quality(rows, DAYS)
    first, second = quality.loc[DAYS[0]], quality.loc[DAYS[1]]
    assert first["players"] == 2 and first["zeroed_scores"] == 2
    assert first["mean_completeness"] == pytest.approx(260 / 3)
    assert second["players"] == 0 and second["zeroed_scores"] == 0 and pd.isna(second["mean_completeness"])
