"""A chunk's composite factors: sources → input checks → context (UPCG or synthetic) → factors.

It joins the processors (sources, policy, context, math) with the input checks of `validation`, which is why it
lives above both. It reads, decides and computes; it never writes. Publishing belongs to the runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from league.calendar import Calendar
from processors.agreement import AgreementRules, agreement_facts
from processors.factor_inputs import ID_COLUMNS
from processors.factors import compute_factors
from processors.identity import conflict_texts, identity_conflicts, in_conflict, match_upcg
from processors.keys import pair_keys, positions_of, rows_at
from processors.policy import coverage_counts, decide_sources, row_sources
from processors.season_inputs import SeasonInputs
from processors.sources import SourceFrames, read_sources
from processors.synthetic import active_history, synthetic_context
from processors.zone_check import check_zones
from validation.box_scores import box_score_checks
from validation.inputs import active_rows, expected_from_schedule, in_league_games, league_games, schedule_facts
from vocabulary import Source, SourcePolicy, ZoneMode
from warehouse import Warehouse
from warehouse.schemas import CONTEXT_COLUMN_NAMES


@dataclass(frozen=True)
class ProcessorResult:
    rows: pd.DataFrame  # PCF rows without run metadata, one per published-to-be player-date
    decisions: pd.DataFrame  # one row per requested date, indexed by game_date
    expected: pd.DataFrame  # (game_date, player_lookup) of everyone who played
    calendar: Calendar  # the seasons the rows were computed in (the audits' baselines stay within them)


def history_rows(frame: pd.DataFrame, sources: SourceFrames, games: pd.DataFrame | None = None) -> pd.DataFrame:
    """Box-score or team rows of the schedule's league games (`games`, when the caller has marked them already;
    never preseason or All-Star games), each with its season from its date and the schedule's openers, never from
    the row's label: a mislabelled game cannot hide a date or split a player's history."""
    rows = in_league_games(frame, sources.schedule if games is None else games)
    return rows.assign(season=sources.calendar.season_numbers(rows["game_date"].to_numpy()))


def upcg_context(targets: pd.DataFrame, upcg: pd.DataFrame) -> pd.DataFrame:
    """The UPCG context columns for each target; the newest row wins if a player appears twice."""
    latest = upcg[["game_date", "player_lookup", "processed_at", *CONTEXT_COLUMN_NAMES]].sort_values(
        "processed_at", kind="stable"
    )
    wanted, held = pair_keys(
        (targets["game_date"], targets["player_lookup"]), (latest["game_date"], latest["player_lookup"])
    )
    return rows_at(latest[CONTEXT_COLUMN_NAMES], positions_of(wanted, held, keep="last"), targets.index)


def build_context(
    sources: SourceFrames,
    dates: list[date],
    policy: SourcePolicy,
    rules: AgreementRules | None = None,
    zones: ZoneMode = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per player-date context rows (with context_source and the zone inputs), per-date decisions, who played.

    The box-score context is computed once for everyone who played: it fills the rows UPCG lacks and
    verifies the rows UPCG holds (SPEC §6.9) before the policy decides. A key two players share (SPEC §6.8)
    gets no row: PCF cannot say which of them it is. The zone tables are checked against the box scores the same
    way (SPEC §6.8)."""
    index = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates, dtype="object")), name="game_date")
    games = league_games(sources.schedule)  # marked once: every check below reads these
    pgs = history_rows(sources.pgs, sources, games)
    played = active_rows(pgs)  # filtered once for the checks below
    expected = expected_from_schedule(played, games, dates)
    schedule = schedule_facts(games, played, index, sources.calendar)
    conflicts = identity_conflicts(played, index)
    tgs = history_rows(sources.tgs, sources, games)
    box_scores = box_score_checks(games, pgs, tgs, index, sources.calendar)
    history = active_history(pgs)  # read by the box-score context and the zone check alike
    synthetic = synthetic_context(expected, pgs, tgs, sources.players, history)
    shared = in_conflict(expected, conflicts)  # such a key is no one's: UPCG is not matched or named on it
    upcg = match_upcg(expected[~shared] if shared.any() else expected, sources.upcg, index)
    held = expected[held_in_upcg(expected, upcg.usable)]
    from_upcg = upcg_context(held, upcg.usable)
    compared = held if policy != "pgs" else held.iloc[:0]  # a policy that never reads UPCG need not verify it
    history_missing = schedule["history_missing"].where(
        schedule["history_missing"] != "", box_scores.facts["history_partial"]
    )
    agreement = agreement_facts(
        compared,
        from_upcg.loc[compared.index],
        synthetic.loc[compared.index],
        history_missing,
        rules or AgreementRules(),
        {"pace_differential": box_scores.pace_incomplete(compared)},
    )
    counts = coverage_counts(expected, sources.upcg, index, upcg.usable).join(upcg.facts)
    decisions = decide_sources(counts.join(agreement), policy)
    source = row_sources(expected, upcg.usable, decisions, policy).mask(shared, None)
    targets = expected[source.notna()].assign(context_source=source[source.notna()])
    context_values = pd.concat(
        [
            synthetic.loc[targets.index[targets["context_source"] == Source.PGS_SYNTHETIC]],
            from_upcg.loc[targets.index[targets["context_source"] == Source.UPCG]],
        ]
    ).reindex(targets.index)
    zone_values, zone_facts = check_zones(expected, sources.psza, sources.tdza, history, tgs, index, zones)
    context = pd.concat(
        [targets[[*ID_COLUMNS, "context_source"]], context_values, zone_values.loc[targets.index]], axis=1
    )
    decisions = decisions.join(schedule).join(box_scores.facts).join(zone_facts).join(conflict_texts(conflicts, index))
    return context.reset_index(drop=True), decisions, expected[["game_date", "player_lookup"]]


def held_in_upcg(expected: pd.DataFrame, upcg: pd.DataFrame) -> np.ndarray:
    """Which of the players who played have a UPCG row for the date."""
    played, held = pair_keys(
        (expected["game_date"], expected["player_lookup"]), (upcg["game_date"], upcg["player_lookup"])
    )
    return np.isin(played, held)


def compute_composite_factors(
    sources: SourceFrames,
    dates: list[date],
    policy: SourcePolicy,
    rules: AgreementRules | None = None,
    zones: ZoneMode = "auto",
) -> ProcessorResult:
    context, decisions, expected = build_context(sources, dates, policy, rules, zones)
    rows = compute_factors(context)
    counts = rows.groupby("game_date").size().reindex(decisions.index).fillna(0).astype(int)
    return ProcessorResult(
        rows=rows, decisions=decisions.assign(row_count=counts), expected=expected, calendar=sources.calendar
    )


def process_dates(
    wh: Warehouse,
    dates: list[date],
    policy: SourcePolicy = "auto",
    inputs: SeasonInputs | None = None,
    rules: AgreementRules | None = None,
    zones: ZoneMode = "auto",
) -> ProcessorResult:
    """Read once for the whole set of dates (sliced from the run's `inputs` when given), then compute
    every player-date of it."""
    sources = read_sources(wh, min(dates), max(dates), inputs)
    return compute_composite_factors(sources, dates, policy, rules, zones)
