"""What the zone check hands on (SPEC §6.8): each expected row's zone inputs, its own PSZA row and its opponent's
TDZA row, and per date the counts and notes the zone coverage gate reads. Arrays in, one frame out per chunk."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from processors.keys import distinct, pair_keys
from processors.zones import DEFENSE_COLUMNS, RATE_COLUMNS
from vocabulary import ZoneMode

Rows = dict[str, np.ndarray]  # one array per column, one element per target
ZONE_FACT_COLUMNS = [
    "psza_players",
    "psza_expected",
    "tdza_teams",
    "tdza_expected",
    "psza_rows",
    "tdza_rows",
    "zone_rows_built",
    "zone_note",
]


@dataclass(frozen=True)
class CheckedRows:
    """One side's rows for its targets: the values used (`has`: a row is there), which were built from the box
    scores, and per date (arrays over the chunk's dates) the counts and the note."""

    values: Rows
    has: np.ndarray
    built: np.ndarray
    facts: dict[str, np.ndarray]


def taken(rows: Rows, position: np.ndarray) -> Rows:
    """Rows at positions; -1 gives a missing row (NaN numbers, '' labels)."""
    return {
        name: np.append(values, "" if values.dtype == object else np.nan)[position] for name, values in rows.items()
    }


@dataclass(frozen=True)
class Faced:
    """The (date, opponent) pairs of the expected rows, each once: the TDZA rows a chunk reads."""

    first: np.ndarray  # positions of the expected rows that first name each pair (an opponent named)
    team: np.ndarray  # per expected row, its pair's position among `first` (-1: no opponent named)

    @classmethod
    def of(cls, expected: pd.DataFrame) -> Faced:
        (team_day,) = pair_keys((expected["game_date"], expected["opponent_team_abbr"]))
        pair, firsts = pd.factorize(team_day)  # numbered in order of first appearance
        first = np.flatnonzero(distinct(team_day))
        named = expected["opponent_team_abbr"].notna().to_numpy()
        kept = named[first]  # a pair without an opponent is no TDZA row
        number = np.where(kept, np.cumsum(kept) - 1, -1)
        return cls(first[kept], number[pair])

    def teams(self, expected: pd.DataFrame) -> pd.DataFrame:
        columns = {"game_date": "game_date", "team_abbr": "opponent_team_abbr", "season": "season"}
        return pd.DataFrame({name: expected[column].iloc[self.first] for name, column in columns.items()})


def zone_columns(
    expected: pd.DataFrame, players: CheckedRows, team: np.ndarray, team_rows: CheckedRows
) -> pd.DataFrame:
    """Each expected row's zone inputs: its own PSZA row and its opponent's TDZA row (`team`: its position among the
    TDZA targets; missing where none)."""
    opponent = np.where(np.append(team_rows.has, False)[team], team, -1)
    defense = taken(team_rows.values, opponent)
    rates = {name: np.where(players.has, players.values[name], np.nan) for name in RATE_COLUMNS}
    zone = players.values["primary_scoring_zone"].copy()
    zone[~players.has | (zone == "")] = None
    team_built = np.append(team_rows.built, False)[opponent]
    return pd.DataFrame(
        {
            **rates,
            "primary_scoring_zone": zone,
            "has_psza": players.has,
            **{name: defense[name] for name in DEFENSE_COLUMNS},
            "has_tdza": opponent >= 0,
            "zone_from_box_scores": (players.built & players.has) | team_built,
        },
        index=expected.index,
    )


def zone_facts(players: CheckedRows, teams: CheckedRows, dates: pd.DatetimeIndex, mode: ZoneMode) -> pd.DataFrame:
    """Per date: the counts the zone coverage gate reads, how many rows were built and what was found."""
    facts = {**players.facts, **teams.facts}
    built = facts["psza_built"] + facts["tdza_built"]
    notes = np.full(len(dates), "", dtype=object)
    told = (facts["psza_note"] != "") | (facts["tdza_note"] != "") | ((built > 0) & (mode == "auto"))
    for at in np.flatnonzero(told):  # usually none
        said = [note for note in (facts["psza_note"][at], facts["tdza_note"][at]) if note]
        if mode == "auto" and built[at]:
            psza_built, tdza_built = facts["psza_built"][at], facts["tdza_built"][at]
            said.append(f"{built[at]} zone rows built from box scores (psza {psza_built}, tdza {tdza_built})")
        notes[at] = "; ".join(said)
    facts = {**facts, "zone_rows_built": built, "zone_note": notes}
    return pd.DataFrame({name: facts[name] for name in ZONE_FACT_COLUMNS}, index=dates)
