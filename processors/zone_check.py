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

import numpy as np
import pandas as pd

from processors.identity import PLAYER_ID, player_ids
from processors.keys import count_per_day, day_numbers, distinct, pair_keys, positions_of, rows_at
from processors.source_words import ZoneMode
from processors.synthetic import History
from processors.zones import (
    DEFENSE_COLUMNS,
    PSZA_VALUES,
    RATE_COLUMNS,
    TDZA_VALUES,
    allowed_shots,
    player_attempts,
    primary_scoring_zone,
    shot_zones,
    weakest_zone,
    zone_defense,
)

ZONE_TOLERANCE = 0.05  # percentage points: a table rounded to one decimal still agrees
PSZA_COLUMNS = ["paint_rate_last_10", "mid_range_rate_last_10", "three_pt_rate_last_10", "primary_scoring_zone"]
TDZA_COLUMNS = DEFENSE_COLUMNS
ONE_GAME_BEHIND, OWN_GAME, FEWER_GAMES, MORE_GAMES, VALUES_DIFFER = (
    "one game behind", "includes the date's own game", "games_in_sample behind", "games_in_sample ahead",
    "values differ")  # fmt: skip
ZONE_FACT_COLUMNS = ["psza_players", "psza_expected", "tdza_teams", "tdza_expected", "psza_rows", "tdza_rows",
                     "zone_rows_built", "zone_note"]  # fmt: skip


@dataclass(frozen=True)
class Side:
    """One zone table as the check sees it: its name, the key column, its values and how to read a row's zone."""

    name: str
    key: str
    numbers: list[str]
    zone: str
    columns: list[str]  # everything the table states about a row

    def entity(self, targets: pd.DataFrame) -> pd.Series:
        """Whose history a target reads: a player is his id (SPEC §6.8), a team its abbreviation."""
        return player_ids(targets) if self.name == "psza" else targets[self.key]

    def zone_of(self, values: pd.DataFrame) -> np.ndarray:
        numbers = values[self.numbers].to_numpy(dtype=float, na_value=np.nan)
        return primary_scoring_zone(*numbers.T) if self.name == "psza" else weakest_zone(numbers)


PSZA_SIDE = Side("psza", "player_lookup", RATE_COLUMNS, "primary_scoring_zone", PSZA_VALUES)
TDZA_SIDE = Side("tdza", "team_abbr", DEFENSE_COLUMNS, "weakest_zone", TDZA_VALUES)


@dataclass(frozen=True)
class CheckedRows:
    """One side's rows for its targets: the values used (`has`: a row is there), which were built from the box
    scores, and per date the counts and the note."""

    values: pd.DataFrame
    has: np.ndarray
    built: np.ndarray
    facts: pd.DataFrame


def agrees(side: Side, table: pd.DataFrame, box: pd.DataFrame) -> np.ndarray:
    """Per row: the table's row equals the box scores' within rounding (a number both lack agrees; games_in_sample
    is compared where the table states it; the zone may be the one the table's own rounded numbers give)."""
    same = np.ones(len(table), dtype=bool)
    for column in side.numbers:
        mine, theirs = _floats(table[column]), _floats(box[column])
        with np.errstate(invalid="ignore"):
            same &= (np.isnan(mine) & np.isnan(theirs)) | (np.abs(mine - theirs) <= ZONE_TOLERANCE + 1e-9)
    games = _floats(table["games_in_sample"])
    same &= np.isnan(games) | (games == _floats(box["games_in_sample"]))
    stated = table[side.zone].to_numpy(dtype=object)
    same &= _same_labels(stated, box[side.zone].to_numpy(dtype=object)) | _same_labels(stated, side.zone_of(table))
    return same & (_floats(box["games_in_sample"]) > 0)


def _floats(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def _same_labels(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return pd.Series(left).fillna("").to_numpy() == pd.Series(right).fillna("").to_numpy()


def check_side(side: Side, targets: pd.DataFrame, table: pd.DataFrame, box: pd.DataFrame, mode: ZoneMode,
               dates: pd.DatetimeIndex, as_of: AsOf) -> CheckedRows:  # fmt: skip
    """Targets (game_date, key, season: one row per key and date) against the table's rows of those dates."""
    wanted, held = pair_keys((targets["game_date"], targets[side.key]), (table["analysis_date"], table[side.key]))
    position = positions_of(wanted, held)
    stated = rows_at(table.reindex(columns=side.columns), position, targets.index)
    present = position >= 0
    checkable = ~box["unverified"].to_numpy(dtype=bool)  # box scores without their shot split cannot judge a row
    agreeing = present & (agrees(side, stated, box) | ~checkable)
    built = ~agreeing & checkable & (box["games_in_sample"].to_numpy() > 0) & (mode == "auto")
    values = stated.where(pd.Series(agreeing, index=targets.index), box, axis=0)
    days = day_numbers(targets["game_date"])
    facts = pd.DataFrame({
        "players" if side.name == "psza" else "teams": count_per_day(days[agreeing | built], dates),
        "expected": count_per_day(days, dates),
        "rows": count_per_day(day_numbers(table["analysis_date"])[distinct(held)], dates)
        + count_per_day(days[built & ~present], dates),
        "built": count_per_day(days[built], dates),
    }, index=dates).add_prefix(f"{side.name}_")  # fmt: skip
    off = present & ~agreeing  # judged and found wrong
    facts[f"{side.name}_note"] = disagreement_notes(side, targets[off], stated[off], box[off], dates, as_of)
    return CheckedRows(values, agreeing | built, built, facts)


class AsOf:
    """The box scores' row for targets as of any day: what a lagging or leaking table would hold."""

    def __init__(self, pgs: pd.DataFrame, tgs: pd.DataFrame) -> None:
        self.players = player_attempts(pgs)
        self.teams, self.league = allowed_shots(tgs)

    def rows(self, side: Side, targets: pd.DataFrame, day: np.ndarray | None = None) -> pd.DataFrame:
        if side.name == "psza":
            return shot_zones(targets, self.players, day)
        return zone_defense(targets, self.teams, self.league, day)

    def previous_game_day(self, side: Side, targets: pd.DataFrame) -> np.ndarray:
        """The day of each target's last game before its date (-1: none that season)."""
        history: History = self.players if side.name == "psza" else self.teams
        first, before = history.locate(side.entity(targets), targets["season"], day_numbers(targets["game_date"]))
        previous = history.days[np.maximum(before - 1, 0)] if len(history.days) else np.zeros(len(before), int)
        return np.where(before > first, previous, -1)


def disagreement_kinds(side: Side, targets: pd.DataFrame, stated: pd.DataFrame, box: pd.DataFrame,
                       as_of: AsOf) -> np.ndarray:  # fmt: skip
    """Which way each disagreeing row is off: a row of the previous game, a row including the date's own game,
    else by its games_in_sample, else its values."""
    previous = as_of.previous_game_day(side, targets)
    lagging = as_of.rows(side, targets, np.where(previous >= 0, previous, 0))
    leaking = as_of.rows(side, targets, day_numbers(targets["game_date"]) + 1)
    games, expected_games = _floats(stated["games_in_sample"]), _floats(box["games_in_sample"])
    return np.select(
        [(previous >= 0) & agrees(side, stated, lagging), agrees(side, stated, leaking),
         games < expected_games, games > expected_games],
        [ONE_GAME_BEHIND, OWN_GAME, FEWER_GAMES, MORE_GAMES], default=VALUES_DIFFER,
    )  # fmt: skip


def disagreement_notes(side: Side, targets: pd.DataFrame, stated: pd.DataFrame, box: pd.DataFrame,
                       dates: pd.DatetimeIndex, as_of: AsOf) -> pd.Series:  # fmt: skip
    """Per date: 'psza 12 rows disagree with box scores (one game behind 12)' ('' where all agree)."""
    notes = pd.Series("", index=dates, dtype=object)
    if not len(targets):
        return notes
    kinds = pd.DataFrame({"game_date": pd.DatetimeIndex(targets["game_date"]),
                          "kind": disagreement_kinds(side, targets, stated, box, as_of)})  # fmt: skip
    for day, found in kinds.groupby("game_date")["kind"]:  # only the dates with disagreements
        counted = ", ".join(f"{kind} {n}" for kind, n in found.value_counts().items())
        notes[day] = f"{side.name} {len(found)} rows disagree with box scores ({counted})"
    return notes


def check_zones(expected: pd.DataFrame, psza: pd.DataFrame, tdza: pd.DataFrame, pgs: pd.DataFrame, tgs: pd.DataFrame,
                dates: pd.DatetimeIndex, mode: ZoneMode) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Zone inputs per expected row (PSZA_COLUMNS, has_psza, TDZA_COLUMNS, has_tdza, zone_from_box_scores) and
    per date the zone facts the gate reads (ZONE_FACT_COLUMNS). `pgs` and `tgs` carry the calendar season."""
    as_of = AsOf(pgs, tgs)
    players = expected[["game_date", "player_lookup", PLAYER_ID, "season"]]
    player_rows = check_side(PSZA_SIDE, players, psza, as_of.rows(PSZA_SIDE, players), mode, dates, as_of)
    faced = expected.loc[expected["opponent_team_abbr"].notna().to_numpy(), ["game_date", "opponent_team_abbr",
                                                                            "season"]]  # fmt: skip
    faced = faced.rename(columns={"opponent_team_abbr": "team_abbr"})
    (team_day,) = pair_keys((faced["game_date"], faced["team_abbr"]))
    teams = faced[distinct(team_day)]
    team_rows = check_side(TDZA_SIDE, teams, tdza, as_of.rows(TDZA_SIDE, teams), mode, dates, as_of)
    return zone_columns(expected, player_rows, teams, team_rows), zone_facts(player_rows, team_rows, mode)


def zone_columns(expected: pd.DataFrame, players: CheckedRows, teams: pd.DataFrame,
                 team_rows: CheckedRows) -> pd.DataFrame:  # fmt: skip
    """Each expected row's zone inputs: its own PSZA row and its opponent's TDZA row."""
    wanted, held = pair_keys((expected["game_date"], expected["opponent_team_abbr"]),
                             (teams["game_date"], teams["team_abbr"]))  # fmt: skip
    opponent = positions_of(wanted, held)
    team_has = np.append(team_rows.has, False)[opponent]
    team_built = np.append(team_rows.built, False)[opponent]
    defense = rows_at(team_rows.values[TDZA_COLUMNS], opponent, expected.index)
    return pd.concat([
        players.values[PSZA_COLUMNS].where(pd.Series(players.has, index=expected.index), None, axis=0)
        .assign(has_psza=players.has),
        defense.where(pd.Series(team_has, index=expected.index), np.nan, axis=0).assign(has_tdza=team_has),
        pd.DataFrame({"zone_from_box_scores": (players.built & players.has) | (team_built & team_has)},
                     index=expected.index),
    ], axis=1)  # fmt: skip


def zone_facts(players: CheckedRows, teams: CheckedRows, mode: ZoneMode) -> pd.DataFrame:
    """Per date: the counts the zone coverage gate reads, how many rows were built and what was found."""
    facts = players.facts.join(teams.facts)
    built = facts["psza_built"] + facts["tdza_built"]
    notes = []
    for psza_note, tdza_note, psza_built, tdza_built in zip(
            facts["psza_note"], facts["tdza_note"], facts["psza_built"], facts["tdza_built"], strict=True):  # fmt: skip
        said = [note for note in (psza_note, tdza_note) if note]
        if mode == "auto" and psza_built + tdza_built:
            said.append(f"{psza_built + tdza_built} zone rows built from box scores "
                        f"(psza {psza_built}, tdza {tdza_built})")  # fmt: skip
        notes.append("; ".join(said))
    return facts.assign(zone_rows_built=built, zone_note=notes)[ZONE_FACT_COLUMNS]
