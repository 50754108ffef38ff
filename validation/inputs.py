"""Are the inputs whole? (SPEC §6.4, §6.8) The schedule, not the box scores, says who should be there.

Pure functions over frames: the schedule's games, the box scores, the zone tables and the columns the
warehouse reports. They return per-date facts the gate turns into verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from processors.calendar import SEASON_START_MONTH
from warehouse.errors import PcfError
from warehouse.schemas import TABLES, compatible

FINAL = 3
GAME_TYPES = ("regular", "playoff")
MIN_ACTIVE_PER_TEAM = 5  # fewer active box-score rows than this and a team's game is not really there
LISTED_GAMES = 5  # game ids named in a reason before "…"


# --- the calendar ---------------------------------------------------------------------------
def calendar_season(dates: pd.Series) -> pd.Series:
    """A date's season from the date itself (a label on a row can be wrong): 2023-02-23 → 2022."""
    played = pd.to_datetime(dates)
    return played.dt.year.where(played.dt.month >= SEASON_START_MONTH, played.dt.year - 1).astype("int64")


def league_games(schedule: pd.DataFrame) -> pd.DataFrame:
    """Regular-season and playoff games (a game whose type is unknown counts: it cannot be proven an
    exhibition), with their calendar season and whether they are final (an unknown status is not)."""
    games = schedule[schedule["game_type"].isin(GAME_TYPES) | schedule["game_type"].isna()]
    final = pd.to_numeric(games["game_status"], errors="coerce").eq(FINAL).fillna(False).astype(bool)
    return games.assign(season=calendar_season(games["game_date"]), final=final)


# --- box scores against the schedule -----------------------------------------------------------
def active_rows(pgs: pd.DataFrame) -> pd.DataFrame:
    return pgs[(pgs["player_status"] == "active") & pgs["player_lookup"].notna()]


def games_without_box_scores(games: pd.DataFrame, pgs: pd.DataFrame) -> pd.Series:
    """For each final game (by game_id): True when a side has fewer than MIN_ACTIVE_PER_TEAM active rows.
    A side the schedule does not name is judged by the game's total."""
    final = games[games["final"]].drop_duplicates("game_id")
    active = active_rows(pgs)
    per_team = active.groupby(["game_id", "team_abbr"]).size()
    per_game = active.groupby("game_id").size().reindex(final["game_id"]).fillna(0).to_numpy()

    def side_short(side: str) -> np.ndarray:
        keys = pd.MultiIndex.from_arrays([final["game_id"], final[side]])
        counts = per_team.reindex(keys).fillna(0).to_numpy()
        named = final[side].notna().to_numpy()
        return np.where(named, counts < MIN_ACTIVE_PER_TEAM, per_game < 2 * MIN_ACTIVE_PER_TEAM)

    short = side_short("home_team_abbr") | side_short("away_team_abbr")
    return pd.Series(short, index=final["game_id"].to_numpy(), dtype=bool)


def named_games(game_ids: pd.Series) -> str:
    ids = sorted(str(game_id) for game_id in game_ids)
    return ", ".join(ids[:LISTED_GAMES]) + (f" … (+{len(ids) - LISTED_GAMES})" if len(ids) > LISTED_GAMES else "")


def _per_date_lists(games: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    listed = games.groupby("game_date")["game_id"].agg(named_games)
    return listed.reindex(dates).fillna("")


def schedule_facts(schedule: pd.DataFrame, pgs: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Per date: final games, games missing box scores, games not final, and the final games of the
    season before the date whose box scores are missing (the history the fallback reads)."""
    games = league_games(schedule)
    missing = games_without_box_scores(games, pgs)
    games = games.assign(missing=games["game_id"].map(missing).eq(True))
    on_date = games[games["game_date"].isin(dates)]
    facts = pd.DataFrame(index=dates)
    facts["final_games"] = on_date[on_date["final"]].groupby("game_date").size().reindex(dates).fillna(0)
    facts["final_games"] = facts["final_games"].astype("int64")
    facts["missing_games"] = _per_date_lists(on_date[on_date["missing"]], dates)
    facts["unfinished_games"] = _per_date_lists(on_date[~on_date["final"]], dates)
    facts["history_missing"] = missing_history(games[games["missing"]], dates)
    return facts


def missing_history(missing: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """For each date, the season's earlier final games without box scores (usually none at all)."""
    seasons = calendar_season(pd.Series(dates, index=dates))
    listed = {
        ts: named_games(missing.loc[(missing["season"] == seasons[ts]) & (missing["game_date"] < ts), "game_id"])
        for ts in dates
    } if len(missing) else {}  # fmt: skip
    return pd.Series(listed, dtype="object").reindex(dates).fillna("")


def expected_from_schedule(pgs: pd.DataFrame, schedule: pd.DataFrame, dates: list) -> pd.DataFrame:
    """Who played: one row per (game_date, player_lookup) active in one of the date's final games.
    A player with two active rows on one date (a data error) keeps the first game by game_id."""
    games = league_games(schedule)
    final = games.loc[games["final"], ["game_date", "game_id"]].drop_duplicates()
    wanted = pd.to_datetime(pd.Series(dates, dtype="object")).to_numpy()
    active = active_rows(pgs)
    active = active[active["game_date"].isin(wanted)].merge(final, on=["game_date", "game_id"])
    return (
        active.sort_values(["game_date", "player_lookup", "game_id"], kind="stable")
        .drop_duplicates(["game_date", "player_lookup"])
        .reset_index(drop=True)
    )


# Who played, the same in SQL (`status`, `validate` and `report` count with it).
PLAYED_SQL = f"""
SELECT DISTINCT pgs.game_date, pgs.player_lookup
FROM {{pgs}} AS pgs JOIN {{schedule}} AS games ON games.game_id = pgs.game_id AND games.game_date = pgs.game_date
WHERE pgs.player_status = 'active' AND games.game_status = {FINAL}
  AND (games.game_type IN ({", ".join(f"'{kind}'" for kind in GAME_TYPES)}) OR games.game_type IS NULL)
  AND pgs.game_date BETWEEN @start AND @end
"""


# --- zone tables ------------------------------------------------------------------------------
def zone_coverage(expected: pd.DataFrame, psza: pd.DataFrame, tdza: pd.DataFrame,
                  dates: pd.DatetimeIndex) -> pd.DataFrame:  # fmt: skip
    """Per date: PSZA rows among the players who played, TDZA rows among the teams they faced."""
    players = expected[["game_date", "player_lookup"]].drop_duplicates()
    opponents = expected[["game_date", "opponent_team_abbr"]].dropna().drop_duplicates()
    psza_keys = psza[["analysis_date", "player_lookup"]].drop_duplicates().rename(
        columns={"analysis_date": "game_date"})  # fmt: skip
    tdza_keys = tdza[["analysis_date", "team_abbr"]].drop_duplicates().rename(
        columns={"analysis_date": "game_date", "team_abbr": "opponent_team_abbr"})  # fmt: skip

    def count(frame: pd.DataFrame) -> pd.Series:
        return frame.groupby("game_date").size().reindex(dates).fillna(0).astype("int64")

    return pd.DataFrame({
        "psza_players": count(players.merge(psza_keys)),
        "psza_expected": count(players),
        "tdza_teams": count(opponents.merge(tdza_keys)),
        "tdza_expected": count(opponents),
        "psza_rows": count(psza_keys),
        "tdza_rows": count(tdza_keys),
    }, index=dates)  # fmt: skip


# --- the input contract -----------------------------------------------------------------------
class InputContractError(PcfError):
    """An input table no longer has the columns or types SPEC §2 promises; nothing is read as defaults."""

    exit_code = 1


def contract_problems(found: Mapping[str, Mapping[str, str]], keys: tuple[str, ...]) -> list[str]:
    """Each input table's columns against SPEC §2: missing columns and incompatible types, one line each."""
    problems = []
    for key in keys:
        spec, columns = TABLES[key], found.get(key, {})
        if not columns:
            continue  # a missing table is reported where it is read
        for column in spec.columns:
            where = f"{spec.name}.{column.name}"
            if column.name not in columns:
                problems.append(f"input contract: {where} is missing; expected {column.type}")
            elif not compatible(column.type, columns[column.name]):
                problems.append(f"input contract: {where} is {columns[column.name]}; expected {column.type}")
    return problems
