"""The team side of the box-score checks (SPEC §6.8): every input names a game's teams as the schedule does (`BKN`
in one feed and `BRK` in another is named, not read as two half-empty games), and the TGS lines a date's pace
context reads (each side's last games of the season) are all there.

Games and teams are compared as integers (`Codes`, numbered once per chunk); texts are built only for the
(usually no) games that fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from processors.keys import day_numbers, shared_codes
from processors.synthetic import PACE_GAMES, History
from validation.inputs import per_date_texts

TEAM_COLUMNS = ("team_abbr", "opponent_team_abbr")
SCHEDULE_BIT, PGS_BIT, TGS_BIT = 1, 2, 4
Rows = tuple[pd.DataFrame, np.ndarray]  # a frame and a mask of its rows, taken only when needed


@dataclass(frozen=True)
class Codes:
    """The games and teams of the sides, PGS and TGS rows as integers, numbered once per chunk (a missing value
    is a value of its own, as in a merge): every check compares these, never the strings again."""

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
        keys: np.ndarray = game * max(self.team_count, 1) + team
        return keys

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


# --- the teams each input names -----------------------------------------------------------------------
def teams_named(sides: pd.DataFrame, codes: Codes, pgs: Rows, tgs: Rows) -> pd.DataFrame | None:
    """Per (game_id, abbr) of the games where PGS or TGS (the rows of their masks; `codes` of those rows) names a
    team the schedule does not: which inputs name that team in that game (a bit per input); None where no game
    does. Only games whose schedule names both teams: a side the schedule leaves unnamed has no name to differ
    from. Found on the integer codes; the frame is built for those games only."""
    games = odd_games(codes, lambda: pgs[0][pgs[1]], lambda: tgs[0][tgs[1]])
    if not len(games):  # the usual case
        return None
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


def teams_differ(named: pd.DataFrame | None, bit: int) -> pd.Series:
    """Per game where PGS or TGS (`bit`) names a team the schedule does not: 'BKN in pgs, BRK in tgs (game)',
    the name the input lacks first (where the box score holds it, else the schedule), then its own."""
    if named is None:
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


# --- the TGS history a date's pace reads -------------------------------------------------------------
def pace_history_gaps(sides: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    """For each target side (game_date, season, team): how many of the team's last PACE_GAMES final games of
    the season before the date have no TGS line (`has_tgs` of `sides`) — the games its pace is the mean of."""
    missing = ~sides["has_tgs"].to_numpy()
    if not missing.any():  # the usual case: every line of the season to date is there
        return np.zeros(len(targets), dtype=np.int64)
    history = History.build(
        sides["team"],
        sides["season"].to_numpy(dtype=np.int64),
        day_numbers(sides["game_date"]),
        {"missing": missing.astype(float)},
    )
    first, now = history.locate(targets["team"], targets["season"], day_numbers(targets["game_date"]))
    return history.window_sum("missing", np.maximum(first, now - PACE_GAMES), now).astype(np.int64)


def gaps_text(gaps: pd.DataFrame | None, dates: pd.DatetimeIndex) -> pd.Series:
    """Per date: 'BOS 3 games, NYK 1 game' for the teams playing whose pace history lacks TGS lines (`gaps`: those
    sides; None: none)."""
    if gaps is None:  # the usual case: no text to build
        return pd.Series("", index=dates, dtype=object)
    short = gaps.drop_duplicates(["game_date", "team"])
    games = np.where(short["gaps"] == 1, " game", " games")
    return per_date_texts(
        short["game_date"], short["team"].astype(str) + " " + short["gaps"].astype(str) + games, dates, separator=", "
    )
