"""Does each final game's box score add up? (SPEC §6.8) What basketball guarantees, checked per team side:
a TGS line exists, the active players' points sum to the team's points and their minutes to 240 + 25·k
(k overtimes). A headcount cannot see a box score loaded in part; these sums can, without a threshold.

Around the sums: every input names the game's teams as the schedule does (`BKN` in one feed and `BRK` in
another is named, not read as two half-empty games), one (game, player) is one row, and the TGS lines a
date's pace context reads (each side's last games of the season) are all there.

Pure functions over frames, set-based: one pass over a chunk's rows, never a loop over games or players.
Texts are built only for the (usually no) sides that fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from league.calendar import Calendar
from processors.keys import day_numbers, pair_keys, positions_of, shared_codes
from processors.synthetic import PACE_GAMES, History
from validation.inputs import LISTED_GAMES, is_active, league_games, missing_history

REGULATION_MINUTES, OVERTIME_MINUTES = 240.0, 25.0
MINUTES_SLACK = 1.0  # minutes are recorded to the second, but a feed may round each player's to 0.1


@dataclass(frozen=True)
class BoxScoreChecks:
    """What the box scores and team lines of a chunk say about its dates."""

    facts: pd.DataFrame  # per date, the gate's BOX_SCORE_FACTS: one text each, '' where nothing is wrong
    pace_gaps: pd.DataFrame  # game_date, team, gaps: TGS lines missing from the pace history of each team playing

    def pace_incomplete(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row (game_date, team_abbr, opponent_team_abbr): True where either side's pace was read from an
        incomplete TGS history, so the box-score pace_differential cannot vouch for anything."""
        short = self.pace_gaps[self.pace_gaps["gaps"].to_numpy() > 0]
        own, opponent, gaps = pair_keys(
            (rows["game_date"], rows["team_abbr"]),
            (rows["game_date"], rows["opponent_team_abbr"]),
            (short["game_date"], short["team"]),
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
    on_dates = sides["game_date"].isin(dates).to_numpy()
    today, unbalanced = sides[on_dates], sides[on_dates & ~whole]
    pgs_today, tgs_today = on_days(pgs, today), on_days(tgs, today)
    named = teams_named(today, codes.part(on_dates, pgs_today, tgs_today), (pgs, pgs_today), (tgs, tgs_today))
    missing_lines = today[~today["has_tgs"].to_numpy()].drop_duplicates("game_id")
    gaps = today[["game_date", "team"]].assign(gaps=pace_history_gaps(sides, today))
    facts = pd.DataFrame(
        {
            "pgs_teams_differ": per_game_texts(teams_differ(named, PGS_BIT), today, dates),
            "duplicate_rows": duplicates_text(pgs, pgs_today, codes.pgs_game, dates),
            "tgs_teams_differ": per_game_texts(teams_differ(named, TGS_BIT), today, dates),
            "tgs_missing_games": per_date_texts(missing_lines["game_date"], missing_lines["game_id"], dates),
            "unbalanced_games": per_date_texts(unbalanced["game_date"], unbalanced_text(unbalanced), dates),
            "history_partial": missing_history(
                games[games["game_id"].isin(sides.loc[~whole, "game_id"])], dates, calendar
            ),
            "tgs_history_missing": gaps_text(gaps, dates),
        },
        index=dates,
    )
    return BoxScoreChecks(facts, gaps)


@dataclass(frozen=True)
class Codes:
    """The games and teams of the sides, PGS and TGS rows as integers, numbered once per chunk (a missing value
    is a value of its own, as in a merge): every check below compares these, never the strings again."""

    side_game: np.ndarray
    side_team: np.ndarray
    pgs_game: np.ndarray
    pgs_teams: tuple[np.ndarray, np.ndarray]  # team_abbr, opponent_team_abbr
    tgs_game: np.ndarray
    tgs_teams: tuple[np.ndarray, np.ndarray]
    pgs_named: tuple[np.ndarray, np.ndarray]  # the team columns' notna
    tgs_named: tuple[np.ndarray, np.ndarray]
    team_count: int

    @classmethod
    def of(cls, sides: pd.DataFrame, pgs: pd.DataFrame, tgs: pd.DataFrame) -> Codes:
        (side_game, pgs_game, tgs_game), _ = shared_codes(sides["game_id"], pgs["game_id"], tgs["game_id"])
        team_columns = [pgs[name] for name in TEAM_COLUMNS] + [tgs[name] for name in TEAM_COLUMNS]
        (side_team, *teams), team_count = shared_codes(sides["team"], *team_columns)
        named = [column.notna().to_numpy() for column in team_columns]
        return cls(
            side_game,
            side_team,
            pgs_game,
            (teams[0], teams[1]),
            tgs_game,
            (teams[2], teams[3]),
            (named[0], named[1]),
            (named[2], named[3]),
            team_count,
        )

    def key(self, game: np.ndarray, team: np.ndarray) -> np.ndarray:
        """One int64 per (game, team): equal pairs, equal keys."""
        return game * max(self.team_count, 1) + team

    def part(self, sides: np.ndarray, pgs: np.ndarray, tgs: np.ndarray) -> Codes:
        """The codes of the rows each mask keeps (same numbering)."""
        return Codes(
            self.side_game[sides],
            self.side_team[sides],
            self.pgs_game[pgs],
            (self.pgs_teams[0][pgs], self.pgs_teams[1][pgs]),
            self.tgs_game[tgs],
            (self.tgs_teams[0][tgs], self.tgs_teams[1][tgs]),
            (self.pgs_named[0][pgs], self.pgs_named[1][pgs]),
            (self.tgs_named[0][tgs], self.tgs_named[1][tgs]),
            self.team_count,
        )


TEAM_COLUMNS = ("team_abbr", "opponent_team_abbr")
Rows = tuple[pd.DataFrame, np.ndarray]  # a frame and a mask of its rows, taken only when needed


# --- one row per team side of each final game ----------------------------------------------------------
def team_sides(games: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    """Both sides of each final game (the teams the schedule names): game_id, game_date, season (from the
    calendar), team, opponent."""
    final = games[games["final"].to_numpy()].drop_duplicates("game_id")
    home, away = final["home_team_abbr"], final["away_team_abbr"]
    twice = lambda first, second: pd.concat([first, second], ignore_index=True)  # noqa: E731 - away sides, then home
    season = calendar.season_numbers(final["game_date"].to_numpy())
    sides = pd.DataFrame(
        {
            "game_id": twice(final["game_id"], final["game_id"]),
            "game_date": twice(final["game_date"], final["game_date"]),
            "season": np.concatenate([season, season]),
            "team": twice(away, home),
            "opponent": twice(home, away),
        }
    )
    return sides[sides["team"].notna().to_numpy()].reset_index(drop=True)


def side_totals(sides: pd.DataFrame, pgs: pd.DataFrame, tgs: pd.DataFrame, codes: Codes) -> pd.DataFrame:
    """Per side: the active players' points and minutes, and the team's TGS points (NaN: no TGS line)."""
    active = is_active(pgs)
    side = codes.key(codes.side_game, codes.side_team)
    played = codes.key(codes.pgs_game[active], codes.pgs_teams[0][active])
    position = pd.Index(side).get_indexer(played)  # -1: the row belongs to no final game's side
    on_side = position >= 0

    def summed(column: pd.Series) -> np.ndarray:
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)[active][on_side]
        return np.bincount(position[on_side], weights=values, minlength=len(sides))  # a NULL makes the sum NaN

    line = positions_of(side, codes.key(codes.tgs_game, codes.tgs_teams[0]))  # repeated: the first (`settled`)
    team_points = pd.to_numeric(tgs["points"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return sides.assign(
        points=summed(pgs["points"]),
        minutes=np.round(summed(pgs["minutes_played"]), 1),
        team_points=np.append(team_points, np.nan)[line],  # -1 (no line) picks the appended NaN
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
    return ~totals["has_tgs"].to_numpy() | (minutes_whole & points_whole)


def unbalanced_text(totals: pd.DataFrame) -> pd.Series:
    """'20230401_BOS_NYK BOS points 74/112, minutes 168/240' per side (the few that fail)."""
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
    return pd.Series(texts, index=totals.index, dtype=object)


# --- the teams each input names -----------------------------------------------------------------------
SCHEDULE_BIT, PGS_BIT, TGS_BIT = 1, 2, 4


def on_days(frame: pd.DataFrame, sides: pd.DataFrame) -> np.ndarray:
    """True on the rows dated on the sides' dates (a chunk's own: the frame reaches back to the season's start).
    Rows of other games on those dates are kept: they name no scheduled side, and a game not final blocks its date
    first."""
    return np.isin(day_numbers(frame["game_date"]), np.unique(day_numbers(sides["game_date"])))


def teams_named(sides: pd.DataFrame, codes: Codes, pgs: Rows, tgs: Rows) -> pd.DataFrame:
    """Per (game_id, abbr) of the games where PGS or TGS (the rows of their masks; `codes` of those rows) names a
    team the schedule does not: which inputs name that team in that game (a bit per input). Only games whose
    schedule names both teams: a side the schedule leaves unnamed has no name to differ from. Found on the
    integer codes; the frame is built for those games only."""
    games = odd_games(codes, lambda: pgs[0][pgs[1]], lambda: tgs[0][tgs[1]])
    if not len(games):  # the usual case
        return pd.DataFrame({"game_id": [], "team": [], "bit": np.array([], dtype=np.int64)})
    sides = sides[sides["game_id"].isin(games).to_numpy()]
    named = [sides[["game_id", "team"]].assign(bit=SCHEDULE_BIT)]
    for (frame, kept), bit in ((pgs, PGS_BIT), (tgs, TGS_BIT)):
        rows = frame[kept & frame["game_id"].isin(games).to_numpy()]
        named += [
            pd.DataFrame({"game_id": rows["game_id"], "team": rows[column], "bit": bit}) for column in TEAM_COLUMNS
        ]
    pairs = pd.concat(named, ignore_index=True).dropna().drop_duplicates()
    return pairs.groupby(["game_id", "team"], sort=True)["bit"].sum().reset_index()


def odd_games(codes: Codes, pgs: Callable[[], pd.DataFrame], tgs: Callable[[], pd.DataFrame]) -> np.ndarray:
    """The games both of whose sides the schedule names in which a PGS or TGS row names a team (its own or its
    opponent) the schedule does not: their game_ids (the rows, `pgs()` and `tgs()`, are taken only then)."""
    both_named = np.bincount(codes.side_game)[codes.side_game] == 2
    scheduled = codes.side_game[both_named]
    side = codes.key(scheduled, codes.side_team[both_named])
    inputs = (
        (codes.pgs_game, codes.pgs_teams, codes.pgs_named, pgs),
        (codes.tgs_game, codes.tgs_teams, codes.tgs_named, tgs),
    )
    strays = [
        (rows, np.isin(game, scheduled) & named & ~np.isin(codes.key(game, team), side))
        for game, teams, names, rows in inputs
        for team, named in zip(teams, names, strict=True)
    ]
    if not any(stray.any() for _, stray in strays):
        return np.array([], dtype=object)
    return np.unique(np.concatenate([rows()["game_id"].to_numpy()[stray] for rows, stray in strays]))


def teams_differ(named: pd.DataFrame, bit: int) -> pd.Series:
    """Per game where PGS or TGS (`bit`) names a team the schedule does not: 'BKN in pgs, BRK in tgs (game)',
    the name the input lacks first (where the box score holds it, else the schedule), then its own."""
    if named.empty:
        return pd.Series(dtype=object)
    odd = (named["bit"] & bit).astype(bool) & ~(named["bit"] & SCHEDULE_BIT).astype(bool)
    own_name = "pgs" if bit == PGS_BIT else "tgs"
    texts = {}
    for game, rows in named[named["game_id"].isin(named.loc[odd, "game_id"])].groupby("game_id"):  # failing only
        has = (rows["bit"] & bit).astype(bool)
        lacking = [
            f"{team} in {'pgs' if held & PGS_BIT and bit != PGS_BIT else 'schedule'}"
            for team, held in zip(rows.loc[~has, "team"], rows.loc[~has, "bit"], strict=True)
        ]
        own = "/".join(rows.loc[has & ~(rows["bit"] & SCHEDULE_BIT).astype(bool), "team"]) + f" in {own_name}"
        texts[game] = ", ".join([*lacking, own]) + f" ({game})"
    return pd.Series(texts, dtype=object)


# --- duplicate rows -----------------------------------------------------------------------------------
def duplicates_text(pgs: pd.DataFrame, today: np.ndarray, games: np.ndarray, dates: pd.DatetimeIndex) -> pd.Series:
    """Per date, the box-score rows (of the `today` mask; `games` their game codes) repeating a (game, player):
    '20230401_BOS_NYK jaysontatum ×3'. A player listed twice counts twice in every sum and headcount. A player is
    his id (his lookup where the id is missing)."""
    (ids,), id_count = shared_codes(pgs["universal_player_id"])
    (lookup,), lookups = shared_codes(pgs["player_lookup"])
    player = np.where(pgs["universal_player_id"].notna().to_numpy(), ids, id_count + lookup)[today]
    repeated = pd.Index(games[today] * (id_count + lookups) + player).duplicated(keep=False)
    if not repeated.any():  # the usual case
        return pd.Series("", index=dates, dtype=object)
    pairs = (
        pgs[today][repeated]
        .assign(player=player[repeated])
        .groupby(["game_id", "player"], sort=True)
        .agg(game_date=("game_date", "first"), lookup=("player_lookup", "first"), times=("game_date", "size"))
        .reset_index()
    )
    texts = pairs["game_id"] + " " + pairs["lookup"].astype(str) + " ×" + pairs["times"].astype(str)
    return per_date_texts(pairs["game_date"], texts, dates)


# --- the TGS history a date's pace reads -------------------------------------------------------------
def pace_history_gaps(sides: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    """For each target side (game_date, season, team): how many of the team's last PACE_GAMES final games of
    the season before the date have no TGS line (`has_tgs` of `sides`) — the games its pace is the mean of."""
    missing = {"missing": (~sides["has_tgs"].to_numpy()).astype(float)}
    history = History.build(
        sides["team"], sides["season"].to_numpy(dtype=np.int64), day_numbers(sides["game_date"]), missing
    )
    first, now = history.locate(targets["team"], targets["season"], day_numbers(targets["game_date"]))
    return history.window_sum("missing", np.maximum(first, now - PACE_GAMES), now).astype(np.int64)


def gaps_text(gaps: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """Per date: 'BOS 3 games, NYK 1 game' for the teams playing whose pace history lacks TGS lines."""
    lacking = gaps["gaps"].to_numpy() > 0
    if not lacking.any():  # the usual case: no text to build
        return pd.Series("", index=dates, dtype=object)
    short = gaps[lacking].drop_duplicates(["game_date", "team"])
    games = np.where(short["gaps"] == 1, " game", " games")
    return per_date_texts(
        short["game_date"], short["team"].astype(str) + " " + short["gaps"].astype(str) + games, dates, separator=", "
    )


# --- texts per date -----------------------------------------------------------------------------------
def per_game_texts(by_game: pd.Series, sides: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """Texts keyed by game_id, joined per date of their game."""
    if by_game.empty:
        return per_date_texts(by_game, by_game, dates)
    day = sides.drop_duplicates("game_id").set_index("game_id")["game_date"]
    return per_date_texts(day.reindex(by_game.index), by_game, dates)


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
