"""Zone tables checked against the box scores before they are trusted (SPEC §6.8).

Every PSZA row a date reads (the players who played) and every TDZA row (the teams they faced) is recomputed
from the box scores (`processors.zones`) and compared. A row that disagrees beyond rounding counts as missing;
the verdict says which way it is off, found by asking the box scores for the row a lagging table would hold
(the one of the previous game) or a leaking one (including the date's own game). Under `auto` a missing or
disagreeing row is built from the box scores and the PCF row says so (`ZONE_FROM_BOX_SCORES`); under `tables`
it stays missing and the zone coverage gate decides. Box scores lacking a game's shot split (NULL attempts)
cannot judge a row: the table's row is taken as it is, and none is built in its place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from processors.identity import player_ids
from processors.keys import count_per_day, day_numbers, distinct, floats, pair_keys, positions_of
from processors.synthetic import History
from processors.zone_rows import CheckedRows, Faced, Rows, taken, zone_columns, zone_facts
from processors.zones import (
    DEFENSE_COLUMNS,
    RATE_COLUMNS,
    allowed_shots,
    primary_scoring_zone,
    shot_zone_values,
    weakest_zone,
    zone_defense_values,
)
from vocabulary import ZoneMode

ZONE_TOLERANCE = 0.05  # percentage points: a table rounded to one decimal still agrees
ONE_GAME_BEHIND, OWN_GAME, FEWER_GAMES, MORE_GAMES, VALUES_DIFFER = (
    "one game behind",
    "includes the date's own game",
    "games_in_sample behind",
    "games_in_sample ahead",
    "values differ",
)


@dataclass(frozen=True)
class Side:
    """One zone table as the check sees it: its name, the key column, its values and how to read a row's zone."""

    name: str
    key: str
    numbers: list[str]
    zone: str

    def entity(self, targets: pd.DataFrame) -> pd.Series:
        """Whose history a target reads: a player is his id (SPEC §6.8), a team its abbreviation."""
        return player_ids(targets) if self.name == "psza" else targets[self.key]

    def zone_of(self, values: Rows) -> np.ndarray:
        numbers = np.column_stack([values[name] for name in self.numbers])
        return primary_scoring_zone(*numbers.T) if self.name == "psza" else weakest_zone(numbers)

    def arrays(self, frame: pd.DataFrame) -> Rows:
        """A table's (or the box scores') rows as arrays: numbers as floats (NaN for NULL), the zone as labels."""
        missing = pd.Series(np.nan, index=frame.index)  # a column the table lacks says nothing
        rows = {name: floats(frame.get(name, missing)) for name in [*self.numbers, "games_in_sample"]}
        rows[self.zone] = _labels(frame.get(self.zone, missing))
        return rows


PSZA_SIDE = Side("psza", "player_lookup", RATE_COLUMNS, "primary_scoring_zone")
TDZA_SIDE = Side("tdza", "team_abbr", DEFENSE_COLUMNS, "weakest_zone")


def agrees(side: Side, table: Rows, box: Rows) -> np.ndarray:
    """Per row: the table's row equals the box scores' within rounding (a number both lack agrees; games_in_sample
    is compared where the table states it; the zone may be the one the table's own rounded numbers give)."""
    same = np.ones(len(table["games_in_sample"]), dtype=bool)
    with np.errstate(invalid="ignore"):
        for column in side.numbers:
            mine, theirs = table[column], box[column]
            same &= (np.isnan(mine) & np.isnan(theirs)) | (np.abs(mine - theirs) <= ZONE_TOLERANCE + 1e-9)
        games = table["games_in_sample"]
        same &= (np.isnan(games) | (games == box["games_in_sample"])) & (box["games_in_sample"] > 0)
    labelled = table[side.zone] == box[side.zone]
    rounded = same & ~labelled  # a zone the table's own numbers give (rounding at a threshold) still agrees
    if rounded.any():
        labelled[rounded] = table[side.zone][rounded] == _labels(side.zone_of(_at(table, rounded)))
    agrees: np.ndarray = same & labelled
    return agrees


def _labels(values: pd.Series | np.ndarray) -> np.ndarray:
    """Labels as an object array, '' for a missing one (so two missing labels are equal). A column holds a handful
    of zones: each is made a Python string once, not once per row."""
    codes, uniques = pd.factorize(values)
    return np.append(np.asarray(uniques, dtype=object), "")[codes]  # a missing label's code -1 picks the


def _at(rows: Rows, where: np.ndarray) -> Rows:
    return {name: values[where] for name, values in rows.items()}


def check_side(
    side: Side,
    targets: pd.DataFrame,
    table: pd.DataFrame,
    box: Rows,
    mode: ZoneMode,
    slot: np.ndarray,
    dates: pd.DatetimeIndex,
    as_of: AsOf,
) -> CheckedRows:
    """Targets (game_date, key, season: one row per key and date; `slot`: each one's position among `dates`)
    against the table's rows of those dates."""
    wanted, held = pair_keys((targets["game_date"], targets[side.key]), (table["analysis_date"], table[side.key]))
    position = positions_of(wanted, held)
    stated = taken(side.arrays(table), position)
    present = position >= 0
    checkable = ~box["unverified"]  # box scores without their shot split cannot judge a row
    agreeing = present & (agrees(side, stated, box) | ~checkable)
    built = ~agreeing & checkable & (box["games_in_sample"] > 0) & (mode == "auto")
    values = {name: np.where(agreeing, stated[name], box[name]) for name in stated}

    def per_date(which: np.ndarray) -> np.ndarray:
        return np.bincount(slot[which], minlength=len(dates)).astype(np.int64)

    off = present & ~agreeing  # judged and found wrong
    facts = {
        "players" if side.name == "psza" else "teams": per_date(agreeing | built),
        "expected": np.bincount(slot, minlength=len(dates)).astype(np.int64),
        "rows": count_per_day(day_numbers(table["analysis_date"])[distinct(held)], dates) + per_date(built & ~present),
        "built": per_date(built),
        "note": disagreement_notes(side, targets[off], _at(stated, off), _at(box, off), slot[off], dates, as_of)
        if off.any()
        else np.full(len(dates), "", dtype=object),
    }
    return CheckedRows(values, agreeing | built, built, {f"{side.name}_{name}": fact for name, fact in facts.items()})


class AsOf:
    """The box scores' row for targets as of any day: what a lagging or leaking table would hold."""

    def __init__(self, players: History, tgs: pd.DataFrame) -> None:
        self.players = players
        self.teams, self.league = allowed_shots(tgs)

    def rows(self, side: Side, targets: pd.DataFrame, day: np.ndarray | None = None) -> Rows:
        """Each target's row as of `day` (default: its date), with that `day` and whether it can judge a row."""
        day = day_numbers(targets["game_date"]) if day is None else day
        values = (
            shot_zone_values(targets, self.players, day)
            if side.name == "psza"
            else zone_defense_values(targets, self.teams, self.league, day)
        )
        games = values["games_in_sample"].astype(np.float64)
        return {**values, "games_in_sample": games, side.zone: _labels(values[side.zone]), "day": day}

    def previous_game_day(self, side: Side, targets: pd.DataFrame, day: np.ndarray) -> np.ndarray:
        """The day of each target's last game before `day` (-1: none that season)."""
        history: History = self.players if side.name == "psza" else self.teams
        first, before = history.locate(side.entity(targets), targets["season"], day)
        previous = history.days[np.maximum(before - 1, 0)] if len(history.days) else np.zeros(len(before), int)
        return np.where(before > first, previous, -1)


def disagreement_kinds(side: Side, targets: pd.DataFrame, stated: Rows, box: Rows, as_of: AsOf) -> np.ndarray:
    """Which way each disagreeing row is off: a row of the previous game, a row including the date's own game,
    else by its games_in_sample, else its values."""
    previous = as_of.previous_game_day(side, targets, box["day"])
    lagging = as_of.rows(side, targets, np.where(previous >= 0, previous, 0))
    leaking = as_of.rows(side, targets, box["day"] + 1)
    games, expected_games = stated["games_in_sample"], box["games_in_sample"]
    return np.select(
        [
            (previous >= 0) & agrees(side, stated, lagging),
            agrees(side, stated, leaking),
            games < expected_games,
            games > expected_games,
        ],
        [ONE_GAME_BEHIND, OWN_GAME, FEWER_GAMES, MORE_GAMES],
        default=VALUES_DIFFER,
    )


def disagreement_notes(
    side: Side,
    targets: pd.DataFrame,
    stated: Rows,
    box: Rows,
    slot: np.ndarray,
    dates: pd.DatetimeIndex,
    as_of: AsOf,
) -> np.ndarray:
    """Per date: 'psza 12 rows disagree with box scores (one game behind 12)' ('' where all agree)."""
    notes = np.full(len(dates), "", dtype=object)
    kinds = pd.Series(disagreement_kinds(side, targets, stated, box, as_of))
    for at, found in kinds.groupby(slot):  # only the dates with disagreements
        counted = ", ".join(f"{kind} {n}" for kind, n in found.value_counts().items())
        notes[cast(int, at)] = f"{side.name} {len(found)} rows disagree with box scores ({counted})"
    return notes


def check_zones(
    expected: pd.DataFrame,
    psza: pd.DataFrame,
    tdza: pd.DataFrame,
    players: History,
    tgs: pd.DataFrame,
    dates: pd.DatetimeIndex,
    mode: ZoneMode,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Zone inputs per expected row (the rates and primary_scoring_zone, has_psza, DEFENSE_COLUMNS, has_tdza,
    zone_from_box_scores) and per date the zone facts the gate reads (`zone_rows.ZONE_FACT_COLUMNS`). `players` is
    the box scores' `active_history`; it and `tgs` carry the calendar season."""
    as_of = AsOf(players, tgs)
    slot = pd.Index(day_numbers(pd.Series(dates))).get_indexer(day_numbers(expected["game_date"]))
    player_rows = check_side(PSZA_SIDE, expected, psza, as_of.rows(PSZA_SIDE, expected), mode, slot, dates, as_of)
    faced = Faced.of(expected)
    teams = faced.teams(expected)
    team_rows = check_side(TDZA_SIDE, teams, tdza, as_of.rows(TDZA_SIDE, teams), mode, slot[faced.first], dates, as_of)
    return zone_columns(expected, player_rows, faced.team, team_rows), zone_facts(player_rows, team_rows, dates, mode)
