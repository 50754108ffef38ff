"""The quality of a date's rows, comparable between what is published and what would replace it."""

from __future__ import annotations

import numpy as np
import pandas as pd

# a missing input zeroes a component: no zone row → shot-zone 0, no pace differential → pace 0
ZEROING_FIELDS = {"shot_zone": ("player_shot_zone", "team_defense_zone"), "pace": ("pace_differential",)}


def zeroed_scores(missing_data_fields: pd.Series) -> pd.Series:
    """Per row: how many component scores a missing input forced to 0. Worked out once per distinct text
    (rows hold a few dozen of them) and spread to the rows; a row without missing fields has none."""
    codes, uniques = pd.factorize(missing_data_fields)
    texts = pd.Series(uniques, dtype=object).astype(str)
    per_text = sum(
        texts.str.contains("|".join(fields), regex=True).astype("int64") for fields in ZEROING_FIELDS.values()
    )
    return pd.Series(np.append(np.asarray(per_text, dtype="int64"), 0)[codes], index=missing_data_fields.index)


def date_quality(rows: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Per date: distinct players, mean data_completeness_pct, component scores zeroed by missing inputs.
    `rows` are PCF-shaped (game_date, player_lookup, data_completeness_pct, missing_data_fields)."""
    if rows.empty:
        return pd.DataFrame({"players": 0, "mean_completeness": float("nan"), "zeroed_scores": 0}, index=dates)
    grouped = rows.assign(zeroed=zeroed_scores(rows["missing_data_fields"])).groupby("game_date")
    quality = pd.DataFrame(
        {
            "players": grouped["player_lookup"].nunique(),
            "mean_completeness": grouped["data_completeness_pct"].mean(),
            "zeroed_scores": grouped["zeroed"].sum(),
        }
    ).reindex(dates)
    return quality.fillna({"players": 0, "zeroed_scores": 0}).astype({"players": "int64", "zeroed_scores": "int64"})
