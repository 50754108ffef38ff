"""Are the inputs whole? (SPEC §6.4, §6.8) The schedule, not the box scores, says who should be there.

Pure functions over frames: the schedule's games, the box scores, the zone tables and the columns the
warehouse reports. They return per-date facts the gate turns into verdicts.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from league.calendar import Calendar
from league.games import ACTIVE, FINAL, GAME_TYPES
from processors.keys import (
    count_per_day,
    day_numbers,
    distinct,
    first_of_runs,
    floats,
    is_in,
    occurrences,
    pair_keys,
    shared_codes,
    sort_codes,
)

MIN_ACTIVE_PER_TEAM = 5  # fewer active box-score rows than this and a team's game is not really there
LISTED_GAMES = 5  # game ids named in a reason before "…"


# --- the league's games ----------------------------------------------------------------------
def league_games(schedule: pd.DataFrame) -> pd.DataFrame:
    """Regular-season and playoff games (a game whose type is unknown counts: it cannot be proven an
    exhibition), with whether they are final (an unknown status is not). What it returned, it returns as it is:
    a chunk marks its schedule once and hands the marked games to every check."""
    if "final" in schedule:
        return schedule
    league = is_in(schedule["game_type"], GAME_TYPES) | schedule["game_type"].isna().to_numpy()
    games = schedule if league.all() else schedule[league]
    return games.assign(final=floats(games["game_status"]) == FINAL)


def in_league_games(rows: pd.DataFrame, schedule: pd.DataFrame) -> pd.DataFrame:
    """The box-score (or team) rows of league games in the schedule: preseason and All-Star games, and games the
    schedule does not hold, never enter a date's history (SPEC §6.8)."""
    kept = is_in(rows["game_id"], league_games(schedule)["game_id"])
    return rows if kept.all() else rows[kept]


# --- box scores against the schedule -----------------------------------------------------------
def is_active(pgs: pd.DataFrame) -> np.ndarray:
    """True on the box-score rows of players who played."""
    return ((pgs["player_status"] == ACTIVE) & pgs["player_lookup"].notna()).to_numpy()


def active_rows(pgs: pd.DataFrame) -> pd.DataFrame:
    """The box-score rows of players who played (rows that already all are, as they are)."""
    active = is_active(pgs)
    return pgs if active.all() else pgs[active]


def games_without_box_scores(games: pd.DataFrame, pgs: pd.DataFrame) -> pd.Series:
    """For each final game (by game_id): True when a side has fewer than MIN_ACTIVE_PER_TEAM distinct active
    players (one player listed three times is one). A side the schedule does not name is judged by the game's total."""
    final = games[games["final"]].drop_duplicates("game_id")
    active = active_rows(pgs)
    active = active[active["game_id"].notna().to_numpy()]  # a box score without a game counts for no game
    (game, played_in), _ = shared_codes(final["game_id"], active["game_id"])
    (home, away, side_of), teams = shared_codes(final["home_team_abbr"], final["away_team_abbr"], active["team_abbr"])
    (player,), players = shared_codes(active["player_lookup"])
    once = distinct((played_in * teams + side_of) * players + player)
    played_in, side_of, active = played_in[once], side_of[once], active[once]
    named_side = active["team_abbr"].notna().to_numpy()
    per_team = played_in[named_side] * teams + side_of[named_side]
    per_game = occurrences(game, played_in)

    def side_short(side: str, team: np.ndarray) -> np.ndarray:
        counts = occurrences(game * teams + team, per_team)
        named = final[side].notna().to_numpy()
        return np.where(named, counts < MIN_ACTIVE_PER_TEAM, per_game < 2 * MIN_ACTIVE_PER_TEAM)

    short = side_short("home_team_abbr", home) | side_short("away_team_abbr", away)
    return pd.Series(short, index=final["game_id"].to_numpy(), dtype=bool)


def named_games(game_ids: pd.Series) -> str:
    ids = sorted(str(game_id) for game_id in game_ids)
    return ", ".join(ids[:LISTED_GAMES]) + (f" … (+{len(ids) - LISTED_GAMES})" if len(ids) > LISTED_GAMES else "")


def per_date_texts(days: pd.Series, texts: pd.Series, dates: pd.DatetimeIndex, separator: str = "; ") -> pd.Series:
    """The texts of each date ('' where none), sorted and joined, the first LISTED_GAMES of them, then '… (+n)'.
    Only failures have texts, so this usually returns at once."""
    if not len(texts):
        return pd.Series("", index=dates, dtype=object)
    frame = pd.DataFrame({"game_date": pd.to_datetime(days.to_numpy()), "text": texts.astype(str).to_numpy()})

    def listed(day_texts: pd.Series) -> str:
        ordered = sorted(day_texts)
        more = len(ordered) - LISTED_GAMES
        return separator.join(ordered[:LISTED_GAMES]) + (f" … (+{more})" if more > 0 else "")

    return frame.groupby("game_date")["text"].agg(listed).reindex(dates).fillna("")


def _per_date_lists(games: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    if games.empty:  # the usual case: the same empty texts, without a groupby
        return pd.Series("", index=dates, dtype=games["game_id"].dtype)
    listed = games.groupby("game_date")["game_id"].agg(named_games)
    return listed.reindex(dates).fillna("")


def schedule_facts(
    schedule: pd.DataFrame, pgs: pd.DataFrame, dates: pd.DatetimeIndex, calendar: Calendar
) -> pd.DataFrame:
    """Per date: final games, games missing box scores, games not final, and the final games of the
    season before the date whose box scores are missing (the history the fallback reads)."""
    games = league_games(schedule)
    missing = games_without_box_scores(games, pgs)
    games = games.assign(missing=games["game_id"].map(missing).eq(True))
    on_date = games[games["game_date"].isin(dates)]
    facts = pd.DataFrame(index=dates)
    facts["final_games"] = count_per_day(day_numbers(on_date.loc[on_date["final"], "game_date"]), dates)
    facts["missing_games"] = _per_date_lists(on_date[on_date["missing"]], dates)
    facts["unfinished_games"] = _per_date_lists(on_date[~on_date["final"]], dates)
    facts["history_missing"] = missing_history(games[games["missing"]], dates, calendar)
    return facts


def missing_history(missing: pd.DataFrame, dates: pd.DatetimeIndex, calendar: Calendar) -> pd.Series:
    """For each date, the season's earlier final games without box scores (usually none at all)."""
    since = {ts: pd.Timestamp(calendar.history_start(ts.date())) for ts in dates}
    listed = (
        {
            ts: named_games(missing.loc[(missing["game_date"] >= since[ts]) & (missing["game_date"] < ts), "game_id"])
            for ts in dates
        }
        if len(missing)
        else {}
    )
    return pd.Series(listed, dtype="object").reindex(dates).fillna("")


def expected_from_schedule(pgs: pd.DataFrame, schedule: pd.DataFrame, dates: list[date]) -> pd.DataFrame:
    """Who played: one row per (game_date, player_lookup) active in one of the date's final games.
    A player with two active rows on one date (a data error) keeps the first game by game_id."""
    games = league_games(schedule)
    final = games[games["final"]]
    wanted = pd.to_datetime(pd.Series(dates, dtype="object")).to_numpy()
    active = active_rows(pgs)
    active = active[active["game_date"].isin(wanted).to_numpy()]
    in_game, final_games = pair_keys((active["game_date"], active["game_id"]), (final["game_date"], final["game_id"]))
    active = active[np.isin(in_game, final_games)]
    day, player = day_numbers(active["game_date"]), sort_codes(active["player_lookup"])
    order = np.lexsort((sort_codes(active["game_id"]), player, day))
    first: np.ndarray = order[first_of_runs(day[order], player[order])]
    return active.iloc[first].reset_index(drop=True)
