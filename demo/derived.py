"""The precompute tables of SPEC §2.1 derived from the box scores: each player's shot-zone
mix over his last 10 games (PSZA) and each team's zone defense over its last 15 (TDZA).

Both are trailing windows over a sequence sorted by (season, who, date): a window's sums
are differences of one prefix-sum array, so every row is computed at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PLAYER_WINDOW = 10
TEAM_WINDOW = 15
PSZA_ZONES = {"paint": "paint_rate_last_10", "mid": "mid_range_rate_last_10", "three": "three_pt_rate_last_10"}
TDZA_ZONES = {
    "paint": "paint_defense_vs_league_avg",
    "mid": "mid_range_defense_vs_league_avg",
    "three": "three_pt_defense_vs_league_avg",
}
WEAKEST_ZONE_NAMES = np.array(["paint", "mid_range", "perimeter"])  # in TDZA_ZONES order


def trailing_sums(frame: pd.DataFrame, by: list[str], columns: list[str], window: int) -> pd.DataFrame:
    """Per row, the sums of `columns` over the previous `window` rows of its group (the row
    itself excluded) and how many rows that was. `frame` must be sorted by `by` + date."""
    values = frame[columns].to_numpy(dtype=float)
    prefix = np.vstack([np.zeros((1, len(columns))), np.cumsum(values, axis=0)])
    position = frame.groupby(by, sort=False).cumcount().to_numpy()
    row = np.arange(len(frame))
    start = row - np.minimum(position, window)
    sums = pd.DataFrame(prefix[row] - prefix[start], columns=columns, index=frame.index)
    sums["games_in_sample"] = row - start
    return sums


def player_shot_zones(pgs: pd.DataFrame) -> pd.DataFrame:
    """PSZA: one row per active player per game date with at least one earlier active game."""
    attempts = [f"fga_{zone}" for zone in PSZA_ZONES]
    games = pgs.loc[pgs["player_status"] == "active", ["season", "player_lookup", "game_date", *attempts]]
    games = games.sort_values(["season", "player_lookup", "game_date"], ignore_index=True)
    window = trailing_sums(games, ["season", "player_lookup"], attempts, PLAYER_WINDOW)
    total = window[attempts].sum(axis=1).replace(0.0, np.nan)
    psza = pd.DataFrame({"player_lookup": games["player_lookup"], "analysis_date": games["game_date"]})
    for column, rate in zip(attempts, PSZA_ZONES.values(), strict=True):
        psza[rate] = window[column] / total * 100.0
    psza["primary_scoring_zone"] = primary_scoring_zone(psza)
    psza["games_in_sample"] = window["games_in_sample"]
    has_history = psza["games_in_sample"] > 0
    return psza[has_history].sort_values(["analysis_date", "player_lookup"], ignore_index=True)


def primary_scoring_zone(psza: pd.DataFrame) -> pd.Series:
    """paint ≥ 40 → paint, else three ≥ 40 → perimeter, else mid ≥ 35 → mid_range, else
    balanced; NULL when the player took no shots in the window."""
    zone = np.select(
        [
            psza["paint_rate_last_10"] >= 40.0,
            psza["three_pt_rate_last_10"] >= 40.0,
            psza["mid_range_rate_last_10"] >= 35.0,
        ],
        ["paint", "perimeter", "mid_range"],
        default="balanced",
    )
    return pd.Series(zone, index=psza.index, dtype=object).where(psza["paint_rate_last_10"].notna())


def team_defense_zones(tgs: pd.DataFrame) -> pd.DataFrame:
    """TDZA: one row per team per game date with at least one earlier game that season."""
    allowed = [f"opp_{kind}_{zone}" for zone in TDZA_ZONES for kind in ("fgm", "fga")]
    games = tgs[["season", "team_abbr", "game_date", *allowed]]
    games = games.sort_values(["season", "team_abbr", "game_date"], ignore_index=True)
    window = trailing_sums(games, ["season", "team_abbr"], allowed, TEAM_WINDOW)
    league = league_to_date(tgs, allowed).reindex(pd.MultiIndex.from_frame(games[["season", "game_date"]]))
    tdza = pd.DataFrame({"team_abbr": games["team_abbr"], "analysis_date": games["game_date"]})
    for zone, column in TDZA_ZONES.items():
        team_pct = _fg_pct(window[f"opp_fgm_{zone}"], window[f"opp_fga_{zone}"])
        league_pct = _fg_pct(league[f"opp_fgm_{zone}"], league[f"opp_fga_{zone}"])
        tdza[column] = team_pct - league_pct
    tdza["weakest_zone"] = WEAKEST_ZONE_NAMES[np.argmax(tdza[list(TDZA_ZONES.values())].to_numpy(), axis=1)]
    tdza["games_in_sample"] = window["games_in_sample"]
    has_history = tdza["games_in_sample"] > 0
    return tdza[has_history].sort_values(["analysis_date", "team_abbr"], ignore_index=True)


def league_to_date(tgs: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per (season, game_date): the league's sums over all the season's games before that date."""
    daily = tgs.groupby(["season", "game_date"])[columns].sum().sort_index()
    return daily.groupby(level="season").cumsum() - daily


def _fg_pct(makes: pd.Series, attempts: pd.Series) -> np.ndarray:
    """Field-goal percentage; NaN without attempts."""
    made, tried = makes.to_numpy(dtype=float), attempts.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tried > 0, 100.0 * made / tried, np.nan)
