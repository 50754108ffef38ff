"""A chunk from inputs to verdicts in two steps (SPEC §6.4, §6.9).

`compute_chunk` builds the rows and the per-date facts: the expensive part, independent of every other chunk, so
`--workers N` runs it ahead on other threads. `judge_chunk` audits the rows against the trailing published dates
and applies the gate: it reads what earlier chunks published, so the runner calls it in date order, after each
earlier chunk has published. A date is therefore judged against the same baseline whatever `--workers` is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from backfill.pipeline.compute import ProcessorResult, process_dates
from backfill.pipeline.published import PUBLISHED_ROWS_SQL, PublishedState
from backfill.pipeline.signals import raise_if_stop_requested
from backfill.settings import RunSettings
from processors.agreement import AgreementRules
from processors.ranges import range_violations
from processors.season_inputs import SeasonInputs
from validation.audits import AuditData, block_reasons, run_audits
from validation.gate import coverage_of, evaluate_gate
from validation.profiles import baselines, from_query, profile, published_profile_sql
from validation.quality import date_quality
from vocabulary import DateStatus
from warehouse import Warehouse, WarehouseError
from warehouse.logger import get_logger

log = get_logger(__name__)

Judged = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]  # rows that may publish, verdicts, audit findings


@dataclass(frozen=True)
class Computed:
    """A chunk's rows and facts, not yet audited or gated; or the error that fails its dates."""

    dates: list[date]
    result: ProcessorResult | None = None
    facts: pd.DataFrame | None = None
    failure: str | None = None


def quality_facts(wh: Warehouse, result: ProcessorResult, state: PublishedState | None = None) -> pd.DataFrame:
    """What is published now (counting only players who played) against what would replace it (read with the
    season by `state`, or here)."""
    dates = pd.DatetimeIndex(result.decisions.index)
    start, end = dates.min().date(), dates.max().date()
    published = state.rows_between(start, end) if state else None
    if published is None:
        published = wh.query(PUBLISHED_ROWS_SQL, {"start": start, "end": end})
    kept = published.merge(result.expected, on=["game_date", "player_lookup"])
    previous = (
        date_quality(kept, dates)
        .add_prefix("previous_")
        .rename(columns={"previous_mean_completeness": "previous_completeness"})
    )
    candidate = (
        date_quality(result.rows, dates)
        .add_prefix("candidate_")
        .rename(columns={"candidate_mean_completeness": "candidate_completeness"})
    )
    return previous.join(candidate).assign(changed_players=changed_players(published, result.rows, dates))


def changed_players(published: pd.DataFrame, candidate: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """Per date, the players in only one of the published rows and the candidate rows (a correction adds or
    removes players; the gate tells it from a regression)."""
    keys = ["game_date", "player_lookup"]
    both = published[keys].merge(candidate[keys], on=keys, how="outer", indicator=True)
    differing = both[both["_merge"] != "both"]
    return differing.groupby("game_date").size().reindex(dates).fillna(0).astype("int64")


def retries_per_date(error: Exception, dates: list[date]) -> bool:
    """Whether a failed chunk is retried date by date: a data problem may be one date's, a warehouse error would
    only repeat for each date. A signal surfacing as a driver error is the signal, not a failed date."""
    raise_if_stop_requested(error)
    if len(dates) > 1 and not isinstance(error, WarehouseError):
        log.warning("chunk_failed_retrying_per_date", dates=len(dates), error=str(error))
        return True
    log.error("dates_failed", dates=[str(day) for day in dates], error=str(error), exc_info=True)
    return False


def compute_chunk(
    wh: Warehouse,
    dates: list[date],
    settings: RunSettings,
    input_error: str | None = None,
    inputs: SeasonInputs | None = None,
    state: PublishedState | None = None,
) -> list[Computed]:
    """The chunk computed (one part), or each of its dates computed alone after an error (a part per date)."""
    if input_error:  # inputs that break the contract are never read as defaults
        return [Computed(dates, failure=input_error)]
    try:
        agreement = AgreementRules(settings.audits.upcg_disagree_share)
        result = process_dates(wh, dates, settings.source, inputs, agreement, settings.zones)
        facts = result.decisions.join(quality_facts(wh, result, state)).assign(
            out_of_range_rows=range_violations(result.rows)
            .groupby(result.rows["game_date"])
            .sum()
            .reindex(result.decisions.index)
            .fillna(0)
            .astype(int),
            error=None,
        )
        return [Computed(dates, result, facts)]
    except Exception as error:  # fail-safe: whatever broke, the dates it touched publish nothing
        if retries_per_date(error, dates):
            return [part for day in dates for part in compute_chunk(wh, [day], settings, None, inputs, state)]
        return [Computed(dates, failure=f"{type(error).__name__}: {error}")]


def audit_chunk(
    wh: Warehouse,
    result: ProcessorResult,
    facts: pd.DataFrame,
    settings: RunSettings,
    state: PublishedState | None = None,
) -> pd.DataFrame:
    """Every audit of SPEC §6.9 on every date of the chunk. The baseline is the trailing published dates of
    each date's season (kept by `state`, or read here in one query), where earlier dates of this chunk that meet
    the coverage bar count with the rows they are about to publish (a median: one bad date among them does not
    move it)."""
    dates, calendar = pd.DatetimeIndex(result.decisions.index), result.calendar
    staged = profile(result.rows, dates)
    since, end = calendar.history_start(dates.min().date()), dates.max().date()
    history = state.profile_between(since, end) if state else None
    if history is None:
        history = from_query(wh.query(published_profile_sql(), {"start": since, "end": end}))
    passing = dates[(coverage_of(facts) >= settings.rules.min_coverage).to_numpy()]
    history = pd.concat([history.drop(index=history.index.intersection(passing)), staged.loc[passing]]).sort_index()
    data = AuditData(staged, facts, baselines(history, dates, settings.audits.baseline_dates, calendar))
    return run_audits(data, settings.audits)


def judge_chunk(
    wh: Warehouse,
    computed: Computed,
    settings: RunSettings,
    inputs: SeasonInputs | None = None,
    state: PublishedState | None = None,
) -> Judged:
    """Audits and gate for a computed chunk; errors fail the dates they touch (a data error: date by date)."""
    dates = computed.dates
    if computed.result is None or computed.facts is None:
        return (
            pd.DataFrame(),
            uncomputed_verdicts(dates, DateStatus.FAILED, computed.failure or "not computed"),
            pd.DataFrame(),
        )
    try:
        findings = audit_chunk(wh, computed.result, computed.facts, settings, state)
        facts = computed.facts.assign(audit_block=block_reasons(findings, pd.DatetimeIndex(computed.facts.index)))
        verdicts = facts.join(evaluate_gate(facts, settings.rules))
        passing = verdicts.index[verdicts["status"] == DateStatus.PUBLISHED]
        rows = computed.result.rows
        return rows[rows["game_date"].isin(passing)], verdicts, findings
    except Exception as error:  # fail-safe, as in compute_chunk
        if retries_per_date(error, dates):
            return joined([gate_chunk(wh, [day], settings, inputs=inputs, state=state) for day in dates])
        return (
            pd.DataFrame(),
            uncomputed_verdicts(dates, DateStatus.FAILED, f"{type(error).__name__}: {error}"),
            pd.DataFrame(),
        )


def gate_chunk(
    wh: Warehouse,
    dates: list[date],
    settings: RunSettings,
    input_error: str | None = None,
    inputs: SeasonInputs | None = None,
    state: PublishedState | None = None,
) -> Judged:
    """Rows that may publish, one verdict per date and the audit results, computed and judged in one go."""
    return joined(
        [
            judge_chunk(wh, part, settings, inputs, state)
            for part in compute_chunk(wh, dates, settings, input_error, inputs, state)
        ]
    )


def joined(parts: list[Judged]) -> Judged:
    if len(parts) == 1:
        return parts[0]
    return tuple(pd.concat([part[i] for part in parts]) for i in range(3))  # type: ignore[return-value]


def uncomputed_verdicts(dates: list[date], status: DateStatus, reason: str) -> pd.DataFrame:
    """Verdicts for dates with no computed rows: failed ones and bootstrap skips."""
    index = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates, dtype="object")), name="game_date")
    return pd.DataFrame(
        {
            "status": status.value,  # frames hold plain strings, as the ledger does
            "reason": reason,
            "coverage": np.nan,
            "forced": False,
            "warning": False,
            "expected_players": 0,
            "row_count": 0,
            "upcg_players": 0,
            "context_source": None,
            "source_reason": None,
            "upcg_state": None,
            "blocked_by": None,
            "allowed_regression": False,
        },
        index=index,
    )
