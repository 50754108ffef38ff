"""What the audits compare (SPEC §6.9): a date's profile (players, games, players per game, mean completeness and,
per component, its mean and its share of exact zeros), of the staged rows or of what PCF holds, and each date's
baseline: the median profile of the trailing published dates of its season.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from league.calendar import Calendar

# profile column prefix → PCF score column
COMPONENTS = {
    "fatigue": "fatigue_score",
    "shot_zone": "shot_zone_mismatch_score",
    "pace": "pace_score",
    "usage_spike": "usage_spike_score",
}
PROFILE_COLUMNS = [
    "players",
    "games",
    "players_per_game",
    "mean_completeness",
    *[f"{name}_{kind}" for name in COMPONENTS for kind in ("mean", "zero_share")],
]


def profile(rows: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Per date of PCF-shaped rows (one per player-date): players, games, players per game, mean
    completeness and, per component, its mean and its share of exact zeros (dates without rows: NaN).
    One pass of bincounts over the chunk's rows."""
    if rows.empty:
        return pd.DataFrame(np.nan, index=dates, columns=PROFILE_COLUMNS)
    code = dates.get_indexer(pd.DatetimeIndex(rows["game_date"]))
    kept = code >= 0
    code = code[kept]
    players = np.bincount(code, minlength=len(dates)).astype(float)
    game = pd.factorize(rows["game_id"].to_numpy()[kept])[0] + 1  # 0: a row without a game id
    span = int(game.max()) + 1
    games = np.bincount(np.unique(code.astype(np.int64) * span + game) // span, minlength=len(dates)).astype(float)

    def mean(values: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.bincount(code, weights=values, minlength=len(dates)) / np.where(players > 0, players, np.nan)

    columns = {
        "players": np.where(players > 0, players, np.nan),
        "games": np.where(players > 0, games, np.nan),
        "mean_completeness": mean(_numbers(rows["data_completeness_pct"])[kept]),
    }
    for name, column in COMPONENTS.items():
        values = _numbers(rows[column])[kept]
        columns[f"{name}_mean"] = mean(values)
        columns[f"{name}_zero_share"] = mean((values == 0).astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        columns["players_per_game"] = columns["players"] / columns["games"]
    return pd.DataFrame(columns, index=dates)[PROFILE_COLUMNS]


def _numbers(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


# a date's profile as SQL over its PCF rows (grouped by game_date)
PROFILE_SELECT = (
    "game_date, COUNT(DISTINCT player_lookup) AS players, COUNT(DISTINCT game_id) AS games, "
    "AVG(data_completeness_pct) AS mean_completeness, "
    + ", ".join(
        f"AVG({column}) AS {name}_mean, AVG(CASE WHEN {column} = 0 THEN 1.0 ELSE 0.0 END) AS {name}_zero_share"
        for name, column in COMPONENTS.items()
    )
)
PROFILE_SQL = f"SELECT {PROFILE_SELECT} FROM {{pcf}} WHERE game_date BETWEEN @start AND @end GROUP BY game_date"


def published_profile_sql() -> str:
    """One query: the per-date profile of what PCF holds in [@start, @end]."""
    return PROFILE_SQL


def from_query(frame: pd.DataFrame) -> pd.DataFrame:
    """The query's per-date profile, shaped like `profile`'s."""
    if frame.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS, index=pd.DatetimeIndex([], name="game_date"), dtype=float)
    frame = frame.set_index(pd.DatetimeIndex(pd.to_datetime(frame["game_date"]), name="game_date"))
    frame = frame.drop(columns="game_date").astype(float)
    frame["players_per_game"] = frame["players"] / frame["games"].where(frame["games"] > 0)
    return frame[PROFILE_COLUMNS]


def baselines(history: pd.DataFrame, dates: pd.DatetimeIndex, size: int, calendar: Calendar) -> pd.DataFrame:
    """For each date: the median profile of the last `size` history dates before it in its season (the
    calendar's), and how many dates that median covers (`baseline_dates`; 0: no baseline yet)."""
    history = history.sort_index()
    days = history.index.to_numpy()
    seasons = calendar.season_numbers(days)
    wanted = calendar.season_numbers(dates.to_numpy())
    last = np.searchsorted(days, dates.to_numpy(), side="left") - 1  # the newest history date before each date
    window = last[:, None] - np.arange(size)[None, :]  # (dates, size): positions of the trailing dates
    valid = window >= 0
    positions = np.where(valid, window, 0)
    valid &= seasons[positions] == wanted[:, None] if len(days) else False
    values = (
        history[PROFILE_COLUMNS].to_numpy(dtype=float)[positions]
        if len(days)
        else np.full((len(dates), size, len(PROFILE_COLUMNS)), np.nan)
    )
    values = np.where(valid[:, :, None], values, np.nan)
    with warnings.catch_warnings():  # a date with no baseline is all-NaN: its median is NaN, said by baseline_dates
        warnings.simplefilter("ignore", RuntimeWarning)
        medians = np.nanmedian(values, axis=1)
    return pd.DataFrame(medians, index=dates, columns=PROFILE_COLUMNS).assign(baseline_dates=valid.sum(axis=1))
