"""Does each final game's box score add up? (SPEC §6.8) What basketball guarantees, checked per team side:
a TGS line exists, the active players' points sum to the team's points and their minutes to 240 + 25·k
(k overtimes). A headcount cannot see a box score loaded in part; these sums can, without a threshold.

Around the sums: one (game, player) is one row, and the team lines are checked too (`validation.team_lines`:
every input names the game's teams as the schedule does, and the TGS lines a date's pace reads are there).

Pure functions over frames, set-based: one pass over a chunk's rows, never a loop over games or players, and
games and teams compared as integers. Texts are built only for the (usually no) sides that fail.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from league.calendar import Calendar
from processors.keys import day_numbers, distinct, floats, pair_keys, positions_of, shared_codes
from validation.inputs import is_active, league_games, missing_history, per_date_texts
from validation.team_lines import PGS_BIT, TGS_BIT, Codes, gaps_text, pace_history_gaps, teams_differ, teams_named

REGULATION_MINUTES, OVERTIME_MINUTES = 240.0, 25.0
MINUTES_SLACK = 1.0  # minutes are recorded to the second, but a feed may round each player's to 0.1


@dataclass(frozen=True)
class BoxScoreChecks:
    """What the box scores and team lines of a chunk say about its dates."""

    facts: pd.DataFrame  # per date, the gate's BOX_SCORE_FACTS: one text each, '' where nothing is wrong
    pace_gaps: pd.DataFrame | None  # game_date, team, gaps: the sides playing whose pace history lacks TGS lines

    def pace_incomplete(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row (game_date, team_abbr, opponent_team_abbr): True where either side's pace was read from an
        incomplete TGS history, so the box-score pace_differential cannot vouch for anything."""
        if self.pace_gaps is None:  # the usual case: every pace read its whole history
            return np.zeros(len(rows), dtype=bool)
        own, opponent, gaps = pair_keys(
            (rows["game_date"], rows["team_abbr"]),
            (rows["game_date"], rows["opponent_team_abbr"]),
            (self.pace_gaps["game_date"], self.pace_gaps["team"]),
        )
        return np.isin(own, gaps) | np.isin(opponent, gaps)


def box_score_checks(
    schedule: pd.DataFrame, pgs: pd.DataFrame, tgs: pd.DataFrame, dates: pd.DatetimeIndex, calendar: Calendar
) -> BoxScoreChecks:
    """Every check of this module over a chunk. `pgs` and `tgs` reach back to the season's start: the sums
    are taken over the whole season to date in one pass, since a history game that does not add up makes
    the later dates' history partial, and the TGS lines of every side are the pace history of later dates."""
    games = league_games(schedule)
    sides = team_sides(games, calendar)
    codes = Codes.of(sides, pgs, tgs)
    sides = side_totals(sides, pgs, tgs, codes)
    whole = adds_up(sides)
    on_dates = np.isin(day_numbers(sides["game_date"]), day_numbers(pd.Series(dates)))
    today = sides[on_dates]
    pgs_today, tgs_today = on_days(pgs, today), on_days(tgs, today)
    named = teams_named(today, codes.part(on_dates, pgs_today, tgs_today), (pgs, pgs_today), (tgs, tgs_today))
    gaps = pace_gaps(sides, today)
    facts = pd.DataFrame(
        {
            "pgs_teams_differ": per_game_texts(teams_differ(named, PGS_BIT), today, dates),
            "duplicate_rows": duplicates_text(pgs, pgs_today, codes.pgs_game, dates),
            "tgs_teams_differ": per_game_texts(teams_differ(named, TGS_BIT), today, dates),
            "tgs_missing_games": missing_lines_text(today, dates),
            "unbalanced_games": unbalanced_text(sides[on_dates & ~whole], dates),
            "history_partial": partial_history(games, sides[~whole], dates, calendar),
            "tgs_history_missing": gaps_text(gaps, dates),
        },
        index=dates,
    )
    return BoxScoreChecks(facts, gaps)


def pace_gaps(sides: pd.DataFrame, today: pd.DataFrame) -> pd.DataFrame | None:
    """The sides playing on the chunk's dates whose pace history lacks TGS lines (None: none does)."""
    gaps = pace_history_gaps(sides, today)
    lacking = gaps > 0
    return today.loc[lacking, ["game_date", "team"]].assign(gaps=gaps[lacking]) if lacking.any() else None


# --- one row per team side of each final game ----------------------------------------------------------
def team_sides(games: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    """Both sides of each final game (the teams the schedule names): game_id, game_date, season (from the
    calendar), team, opponent. Away sides first, then home sides."""
    final = np.flatnonzero(games["final"].to_numpy())
    game_id = games["game_id"].to_numpy(dtype=object)[final]
    (game,), _ = shared_codes(pd.Series(game_id, dtype=object))
    final, game_id = final[distinct(game)], game_id[distinct(game)]  # a game listed twice is one game
    day = games["game_date"].to_numpy()[final]
    home, away = (games[column].to_numpy(dtype=object)[final] for column in ("home_team_abbr", "away_team_abbr"))
    season = calendar.season_numbers(day)
    team = np.concatenate([away, home])
    named = ~pd.isna(team)

    def twice(values: np.ndarray) -> np.ndarray:  # both sides of each game
        both: np.ndarray = np.concatenate([values, values])[named]
        return both

    return pd.DataFrame(
        {
            "game_id": twice(game_id),
            "game_date": twice(day),
            "season": twice(season),
            "team": team[named],
            "opponent": np.concatenate([home, away])[named],
        }
    )


def side_totals(sides: pd.DataFrame, pgs: pd.DataFrame, tgs: pd.DataFrame, codes: Codes) -> pd.DataFrame:
    """Per side: the active players' points and minutes, and the team's TGS points (NaN: no TGS line)."""
    side = codes.key(codes.side_game, codes.side_team)
    played = pd.Index(side).get_indexer(codes.key(codes.pgs_game, codes.pgs_teams[0]))  # -1: no final game's side
    position = np.where(is_active(pgs), played, -1)
    on_side = position >= 0

    def summed(column: pd.Series) -> np.ndarray:  # a NULL makes the sum NaN
        return np.bincount(position[on_side], weights=floats(column)[on_side], minlength=len(sides))

    line = positions_of(side, codes.key(codes.tgs_game, codes.tgs_teams[0]))  # repeated: the first (`settled`)
    return sides.assign(
        points=summed(pgs["points"]),
        minutes=np.round(summed(pgs["minutes_played"]), 1),
        team_points=np.append(floats(tgs["points"]), np.nan)[line],  # -1 (no line) picks the appended NaN
        has_tgs=line >= 0,
    )


def expected_minutes(minutes: np.ndarray) -> np.ndarray:
    """240 + 25·k for the k (≥ 0) overtimes nearest the minutes played (240 for minutes that are no number)."""
    with np.errstate(invalid="ignore"):
        overtimes = np.maximum(np.round((minutes - REGULATION_MINUTES) / OVERTIME_MINUTES), 0)
    overtimes = np.where(np.isfinite(overtimes), overtimes, 0)
    return REGULATION_MINUTES + OVERTIME_MINUTES * overtimes


def adds_up(totals: pd.DataFrame) -> np.ndarray:
    """True on each side whose points equal its TGS line and whose minutes are a whole game's (a side
    without a TGS line cannot be checked here: it is `upstream_missing tgs`)."""
    minutes = totals["minutes"].to_numpy(dtype=float)
    minutes_whole = np.abs(minutes - expected_minutes(minutes)) <= MINUTES_SLACK
    points_whole = totals["points"].to_numpy(dtype=float) == totals["team_points"].to_numpy(dtype=float)
    whole: np.ndarray = ~totals["has_tgs"].to_numpy(dtype=bool) | (minutes_whole & points_whole)
    return whole


def unbalanced_text(totals: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """Per date: '20230401_BOS_NYK BOS points 74/112, minutes 168/240' per side that does not add up."""
    if totals.empty:  # the usual case
        return pd.Series("", index=dates, dtype=object)
    expected = expected_minutes(totals["minutes"].to_numpy(dtype=float))
    rows = zip(
        totals["game_id"].tolist(),
        totals["team"].tolist(),
        totals["points"].tolist(),
        totals["team_points"].tolist(),
        totals["minutes"].tolist(),
        expected.tolist(),
        strict=True,
    )
    texts = [
        f"{game} {team} points {points:.0f}/{'NULL' if np.isnan(line) else f'{line:.0f}'}, "
        f"minutes {minutes:g}/{whole:.0f}"
        for game, team, points, line, minutes, whole in rows
    ]
    return per_date_texts(totals["game_date"], pd.Series(texts, index=totals.index, dtype=object), dates)


def missing_lines_text(sides: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """Per date: the games a side of which has no TGS line."""
    lines = sides["has_tgs"].to_numpy()
    if lines.all():  # the usual case
        return pd.Series("", index=dates, dtype=object)
    lacking = sides[~lines].drop_duplicates("game_id")
    return per_date_texts(lacking["game_date"], lacking["game_id"], dates)


def partial_history(
    games: pd.DataFrame, unbalanced: pd.DataFrame, dates: pd.DatetimeIndex, calendar: Calendar
) -> pd.Series:
    """Per date: the season's earlier games whose box score does not add up (`unbalanced`: their sides)."""
    if unbalanced.empty:  # the usual case
        return pd.Series("", index=dates, dtype=object)
    return missing_history(games[games["game_id"].isin(unbalanced["game_id"])], dates, calendar)


def on_days(frame: pd.DataFrame, sides: pd.DataFrame) -> np.ndarray:
    """True on the rows dated on the sides' dates (a chunk's own: the frame reaches back to the season's start).
    Rows of other games on those dates are kept: they name no scheduled side, and a game not final blocks its date
    first."""
    return np.isin(day_numbers(frame["game_date"]), np.unique(day_numbers(sides["game_date"])))


# --- duplicate rows -----------------------------------------------------------------------------------
def duplicates_text(pgs: pd.DataFrame, today: np.ndarray, games: np.ndarray, dates: pd.DatetimeIndex) -> pd.Series:
    """Per date, the box-score rows (of the `today` mask; `games` their game codes) repeating a (game, player):
    '20230401_BOS_NYK jaysontatum ×3'. A player listed twice counts twice in every sum and headcount. A player is
    his id (his lookup where the id is missing)."""
    (ids,), id_count = shared_codes(pgs["universal_player_id"])
    player, players = ids, id_count
    no_id = pgs["universal_player_id"].isna().to_numpy()
    if no_id.any():  # such a row is its lookup, numbered after the ids
        (lookup,), lookups = shared_codes(pgs["player_lookup"])
        player, players = np.where(no_id, id_count + lookup, ids), id_count + lookups
    repeated = pd.Index(games[today] * players + player[today]).duplicated(keep=False)
    if not repeated.any():  # the usual case
        return pd.Series("", index=dates, dtype=object)
    pairs = (
        pgs[today][repeated]
        .assign(player=player[today][repeated])
        .groupby(["game_id", "player"], sort=True)
        .agg(game_date=("game_date", "first"), lookup=("player_lookup", "first"), times=("game_date", "size"))
        .reset_index()
    )
    texts = pairs["game_id"] + " " + pairs["lookup"].astype(str) + " ×" + pairs["times"].astype(str)
    return per_date_texts(pairs["game_date"], texts, dates)


def per_game_texts(by_game: pd.Series, sides: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """Texts keyed by game_id, joined per date of their game."""
    if by_game.empty:
        return per_date_texts(by_game, by_game, dates)
    day = sides.drop_duplicates("game_id").set_index("game_id")["game_date"]
    return per_date_texts(day.reindex(by_game.index), by_game, dates)
