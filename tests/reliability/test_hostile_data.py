"""Hostile upstream data: each case mutates a demo copy's inputs through SQL, then runs the week of the incident
(2023-02-23..28: the 23rd and 24th built from box scores, the 25th–28th from UPCG). No case may crash: the
exit code is 0, 1 or 3 with a current ledger state for every game date; the gate's guarantees hold (no date
published below 90% of who played, no row for a player who did not play, one row per key, the ledger agrees with
the table, every score finite and inside its range, the total the sum of its parts).

Behaviour, case by case (`hostile_cases.CASES` pins the dates that do not simply publish):

- NULLs in every nullable column of a table, on a random third of its rows: published. A NULL input takes its
  §5 default. In TGS, a NULL team points line cannot be checked against the box score: every date `blocked
  upstream_partial pgs` (SPEC §6.8, the box score must add up). In PGS, a NULL player_status is not "played"
  and a NULL team belongs to no team, so teams fall below five active players: every date `blocked
  upstream_missing pgs`. In the schedule, a game with a NULL status is not final (its date is `blocked games not
  final`); a NULL type cannot prove an exhibition, so it counts.
- NULLs in every row of every nullable column of a table: published, except PGS (no team on any box score:
  every date `blocked upstream_missing pgs`) and TGS (no points to add the box scores up to: every date
  blocked). Alone: no player_status at all → every date blocked (exit 3); no game_status → every date `blocked
  games not final`; no game_type → the games count, published.
- NaN, ±inf, negative and huge minutes / usage in PGS: the minutes no longer make a whole game, so every date is
  `blocked upstream_partial pgs` naming the sides.
- NaN, ±inf, negative and huge context values in UPCG (and negative or INT64-max counts): published; non-finite
  values take the defaults, every score is clamped into its range.
- NaN, ±inf, out-of-range zone rates and defenses; NaN, ±inf, negative TGS pace: published, clamped.
- Every PGS row duplicated: every date `blocked upstream_partial pgs: duplicate rows …` naming them.
- A player on two teams the same day: the second game's box score no longer adds up (`blocked upstream_partial
  pgs`), and a later date built from box scores reads it (`upstream_partial history`).
- A mid-season trade written as a team the game does not have (LAL rows in a BOS game): the team named in the box
  score and not in the schedule is named (`blocked upstream_partial pgs: LAL in pgs …`); the date without BOS or
  LAL games publishes.
- UPCG rows for 60 players with no PGS row: published from UPCG; the extra players get no row.
- UPCG replaced by 200 players who did not play: published from box scores (`upcg_partial 0/N`): coverage is by
  identity, never 200 rows = 100%.
- Duplicate UPCG (older and different), PSZA, TDZA and players rows: published; one row per key.
- A team with no prior game (a new abbreviation in one game): published; pace_differential NULL → pace 0, no
  TDZA row → shot-zone 0 for its opponents; data_completeness_pct shows what was missing.
- player_status spelled 'ACTIVE', 'Active' or '': only exactly `active` counts as played, so the box score of
  who played no longer adds up to the team's line: every date `blocked upstream_partial pgs`.
- A final game date with no PGS rows: that date `blocked upstream_missing`, exit 3; the other dates publish.
- No PSZA rows on a date: that date `blocked upstream_missing psza`, exit 3.
- PGS rows on a date missing from the schedule (and box scores on an All-Star-break day): not a game date — no
  ledger row, nothing published; the other dates publish.
- Games not final: the date is `blocked games not final` (exit 3); preseason games: not a game date, no ledger row.
- An empty-string player_lookup: one name for several players, so every date where two of them play is an
  identity conflict (PCF's key cannot hold both): blocked, nothing merged published.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from consistency import current_states, ledger_problems
from hostile_cases import CASES, COLUMN_CASES, WEEK_DAYS
from support import invoke, opened, sampled

from warehouse import Warehouse
from warehouse.schemas import SCORE_COLUMNS

WEEK = ("--start-date", "2023-02-23", "--end-date", "2023-02-28")
LIMITS = {"shot_zone_mismatch_score": 10, "pace_score": 3, "usage_spike_score": 3, "total_composite_adjustment": 21}


def coverage_problems(pcf: pd.DataFrame, played: pd.DataFrame) -> list[str]:
    """No row for a player who did not play; no date published below 90% of who played."""
    merged = pcf.merge(played.assign(played=True), on=["game_date", "player_lookup"], how="left")
    strangers = int(merged["played"].isna().sum())
    problems = [f"{strangers} rows for players who did not play"] if strangers else []
    for ts, rows in pcf.groupby("game_date"):
        expected = int((played["game_date"] == ts).sum())
        if len(rows) < 0.9 * expected:
            problems.append(f"{ts.date()} published {len(rows)}/{expected}")
    return problems


def score_problems(pcf: pd.DataFrame) -> list[str]:
    """Every score finite and inside its range; the total the sum of its stored parts; no NULL key or hash."""
    scores = pcf[SCORE_COLUMNS].astype("float64")
    parts = scores[["fatigue_adjustment", "shot_zone_mismatch_score", "pace_score", "usage_spike_score"]]
    checks = {
        "non-finite scores": not np.isfinite(scores.to_numpy()).all(),
        "fatigue out of range": not (
            scores["fatigue_score"].between(0, 100).all() and scores["fatigue_adjustment"].between(-5, 0).all()
        ),
        **{f"{column} out of range": (scores[column].abs() > limit).any() for column, limit in LIMITS.items()},
        "total is not the sum of its parts": (
            (parts.sum(axis=1) - scores["total_composite_adjustment"]).abs() > 1e-9
        ).any(),
        "completeness not in 0, 20 … 100": not pcf["data_completeness_pct"].isin([0, 20, 40, 60, 80, 100]).all(),
        "NULL key or hash": pcf[["game_date", "player_lookup", "data_hash"]].isna().any().any(),
    }
    return [problem for problem, found in checks.items() if found]


FOREIGN_IDS_SQL = """
SELECT count(*) AS n FROM {pcf} AS pcf WHERE NOT EXISTS (
  SELECT 1 FROM {pgs} AS pgs
  WHERE pgs.player_status = 'active' AND pgs.game_date = pcf.game_date AND pgs.player_lookup = pcf.player_lookup
    AND pgs.game_id = pcf.game_id AND pgs.team_abbr IS NOT DISTINCT FROM pcf.team_abbr
    AND pgs.opponent_team_abbr IS NOT DISTINCT FROM pcf.opponent_team_abbr)
"""


def gate_problems(wh: Warehouse) -> list[str]:
    """The gate's promises, checked from the tables as they stand."""
    pcf = wh.query("SELECT * FROM {pcf}")
    if pcf.empty:
        return []
    played = wh.query("SELECT DISTINCT game_date, player_lookup FROM {pgs} WHERE player_status = 'active'")
    foreign = int(wh.query(FOREIGN_IDS_SQL)["n"].iloc[0])
    ids = [f"{foreign} rows whose game and teams are not the player's own box score"] if foreign else []
    return coverage_problems(pcf, played) + score_problems(pcf) + ids


def run_hostile(
    db: Path, statements: Sequence[str], holds: str = "SELECT true"
) -> tuple[int, dict, pd.DataFrame, list[str]]:
    wh = opened(db)
    for sql in statements:
        assert wh.execute(sql) > 0, f"the mutation changed nothing: {sql}"
    wh.close()
    result = invoke(db, "run", *WEEK, "--output", "json")
    assert "Traceback" not in result.output
    document = json.loads(result.stdout)
    wh = opened(db)
    try:
        game_dates = wh.query(
            "SELECT DISTINCT game_date FROM {schedule} WHERE game_date BETWEEN DATE '2023-02-23' AND DATE '2023-02-28' "
            "AND (game_type IN ('regular', 'playoff') OR game_type IS NULL)"
        )["game_date"]
        states = current_states(wh)
        problems = ledger_problems(wh) + gate_problems(wh)
        problems += [] if wh.query(holds).iloc[0, 0] else [f"does not hold: {holds}"]
    finally:
        wh.close()
    assert result.exit_code in (0, 1, 3), result.output
    assert sorted(states.index) == sorted(game_dates), "a current ledger state for every game date, and only those"
    return result.exit_code, document, states, problems


@pytest.mark.parametrize("name", sampled(CASES, fast=4))
def test_hostile_data_never_crashes_and_keeps_the_gate(name, demo_db):
    case = CASES[name]
    exit_code, document, states, problems = run_hostile(demo_db, case.statements, case.holds)
    assert problems == []
    states.index = [ts.date().isoformat() for ts in states.index]
    for day in WEEK_DAYS:
        status = states["status"].get(day, "absent")
        assert status == case.statuses.get(day, "published"), (day, document["dates"])
    for day, note in case.notes.items():
        assert note in f"{states.at[day, 'context_source']} {states.at[day, 'reason']}", states.loc[day]
    assert exit_code == case.exit_code


@pytest.mark.slow
@pytest.mark.parametrize("name", COLUMN_CASES)
def test_whole_columns_of_nulls_never_crash_and_keep_the_gate(name, demo_db):
    key = name.split(":")[0].split(".")[0]
    setting = ", ".join(f"{column} = NULL" for column in COLUMN_CASES[name])
    exit_code, _, states, problems = run_hostile(demo_db, [f"UPDATE {{{key}}} SET {setting}"])
    states = states["status"]
    assert problems == []
    # no status, or no team, on any box score: no game has a team with five known active players
    if name in (
        "pgs.player_status NULL",
        "pgs: every nullable column NULL",
        "schedule.game_status NULL",
        "tgs: every nullable column NULL",
    ):  # the last: no team points for the box scores to add up to
        assert exit_code == 3 and len(states) and (states == "blocked").all()
    else:
        assert exit_code == 0 and (states == "published").all()
