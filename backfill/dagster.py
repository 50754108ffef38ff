"""Dagster integration (`pip install "pcf-backfill[dagster]"`): PCF as a daily-partitioned asset in
America/New_York, a resource carrying the warehouse and the run's options, partitioned checks, a catch-up schedule.

    import dagster as dg
    from backfill.dagster import PcfResource, pcf_definitions

    defs = pcf_definitions(PcfResource(warehouse="bigquery://my-project?location=US"))

A run of a partition *range* is one `backfill.run` call (one plan, one lease, a chunked publish): 30 dates cost
about what one does. Each partition reports its own truth: a materialization for every game date published (or
already published, or an off day with nothing to publish), and a failure only for the dates the gate blocked or
that failed, which Dagster then shows as failed partitions. The checks `pcf_reconciles` (`validate`) and
`pcf_is_fresh` (`freshness`) are evaluated per partition after each materialization. Only a lock held by another
run and a transient warehouse error are retried; a blocked date is retried by the next catch-up, after a person
has looked. The core never imports this module.
"""

import logging  # no `from __future__ import annotations`: Dagster reads the context's and resource's annotations
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import dagster as dg

import backfill
from backfill.api.run_options import catch_up_window
from backfill.dates import LEAGUE_TZ
from vocabulary import DateStatus

ASSET = dg.AssetKey("player_composite_factors")
FIRST_SEASON_DAY = "2021-10-19"
RECONCILES, FRESH = "pcf_reconciles", "pcf_is_fresh"
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
# retried: another run holds the warehouse, or the warehouse hiccupped; anything else fails without a retry
RETRY_POLICY = dg.RetryPolicy(max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL)


class PcfResource(dg.ConfigurableResource["PcfResource"]):
    """The warehouse and the options every call makes. An option left unset is settled as the command line
    settles it (PCF_* variables, then the config file, then the default), so moving from cron keeps the gate."""

    warehouse: str = "duckdb:///pcf.duckdb"
    source: str | None = None
    min_coverage: float | None = None
    warn_coverage: float | None = None
    chunk_days: int | None = None
    max_lag_hours: float | None = None
    wait_for_lock: float = 300.0  # seconds a call waits for another run before LockHeld (then the retry policy)

    def run(self, start: date, end: date, label: str) -> backfill.RunResult:
        return backfill.run(
            self.warehouse,
            start,
            end,
            source=self.source,
            min_coverage=self.min_coverage,
            warn_coverage=self.warn_coverage,
            chunk_days=self.chunk_days,
            label=label,
            wait_for_lock=self.wait_for_lock,
        )

    def reconcile(self, start: date, end: date) -> backfill.ValidateResult:
        return backfill.validate(self.warehouse, start, end, min_coverage=self.min_coverage)

    def check_freshness(self) -> backfill.FreshnessResult:
        return backfill.freshness(self.warehouse, max_lag_hours=self.max_lag_hours)


def partitions(start_date: str = FIRST_SEASON_DAY) -> dg.DailyPartitionsDefinition:
    """One partition per day of the league's calendar, up to yesterday (a day is backfilled once it is over)."""
    return dg.DailyPartitionsDefinition(start_date=start_date, timezone=str(LEAGUE_TZ))


@contextmanager
def events_into(log: Any) -> Iterator[None]:
    """The library's log events (the `backfill` and `warehouse` loggers) into Dagster's event log for the call."""

    class Forward(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            (log.warning if record.levelno >= logging.WARNING else log.info)(record.getMessage())

    handler, loggers = Forward(logging.INFO), [logging.getLogger(name) for name in ("backfill", "warehouse")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


@contextmanager
def retried_only_when_it_can_help() -> Iterator[None]:
    """Errors a retry cannot mend (a bad setting, a missing table) fail the step without using the retry policy."""
    try:
        yield
    except backfill.PcfError as error:
        if error.retryable:
            raise
        raise dg.Failure(description=f"{type(error).__name__}: {error}", allow_retries=False) from error


def partition_metadata(verdict: backfill.DateVerdict | None, result: backfill.RunResult) -> dict[str, Any]:
    common = {"pcf_run_id": result.run_id, "pcf_label": result.label or ""}
    if verdict is None:
        return common
    return {
        **common,
        "status": verdict.status,
        "rows": verdict.published_players,
        "expected_players": verdict.expected_players,
        "coverage": verdict.coverage,
        "context_source": verdict.context_source or "",
        "warning": verdict.warning,
    }


def outcomes(result: backfill.RunResult, days: list[date]) -> tuple[dict[date, dict[str, Any]], dict[date, str]]:
    """Per day of the range: the metadata of what materialized, and the reason of what did not."""
    verdicts = {verdict.game_date: verdict for verdict in result.verdicts}
    unscheduled, already = set(result.unscheduled_dates), set(result.already_done_dates)
    done: dict[date, dict[str, Any]] = {}
    refused: dict[date, str] = {}
    for day in days:
        verdict = verdicts.get(day)
        if day in unscheduled:
            refused[day] = f"upstream_missing schedule: {result.schedule_gap}"
        elif verdict is not None and verdict.status in (DateStatus.BLOCKED, DateStatus.FAILED):
            refused[day] = f"{verdict.status}: {verdict.reason or verdict.blocked_by or ''}"
        elif verdict is not None:
            done[day] = partition_metadata(verdict, result)
        else:  # already published, or no game that day: the partition is what it should be
            status = "already_published" if day in already else "no_games"
            done[day] = {**partition_metadata(None, result), "status": status}
    return done, refused


def check_evaluations(resource: PcfResource, days: list[date]) -> Iterator[dg.AssetCheckEvaluation]:
    """`validate` over the range and `freshness`, as one evaluation per partition of each check."""
    checked = resource.reconcile(days[0], days[-1])
    fresh = resource.check_freshness()
    overdue = set(fresh.overdue)
    for day in days:
        problem = checked.problems.get(day)
        yield dg.AssetCheckEvaluation(
            asset_key=ASSET,
            check_name=RECONCILES,
            passed=problem is None,
            partition=day.isoformat(),
            metadata={"problems": problem or "", "repair": checked.resume_command or ""},
        )
        yield dg.AssetCheckEvaluation(
            asset_key=ASSET,
            check_name=FRESH,
            passed=day not in overdue,
            partition=day.isoformat(),
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"hours_late": fresh.hours_late or 0.0, "fix": fresh.fix_command or ""},
        )


def pcf_asset(
    start_date: str = FIRST_SEASON_DAY, group_name: str = "nba_precompute", retry_policy: dg.RetryPolicy = RETRY_POLICY
) -> dg.AssetsDefinition:
    """The `player_composite_factors` asset: one `backfill.run` per partition range, per-partition results.
    `retry_policy` applies only to what a retry can mend (another run's lock, a transient warehouse error)."""
    daily = partitions(start_date)

    @dg.multi_asset(
        name=ASSET.path[-1],
        partitions_def=daily,
        group_name=group_name,
        specs=[
            dg.AssetSpec(
                ASSET,
                skippable=True,
                partitions_def=daily,
                description="NBA player composite factors, one partition per game day (America/New_York)",
            )
        ],
        check_specs=[
            dg.AssetCheckSpec(RECONCILES, asset=ASSET, description="validate: the rows match who played"),
            dg.AssetCheckSpec(FRESH, asset=ASSET, description="freshness: published once the day is over"),
        ],
        can_subset=True,
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=retry_policy,
    )
    def player_composite_factors(context: dg.AssetExecutionContext, pcf: PcfResource) -> Iterator[Any]:
        days = [date.fromisoformat(key) for key in context.partition_keys]
        with retried_only_when_it_can_help(), events_into(context.log):
            result = pcf.run(days[0], days[-1], label=f"dagster:{context.run.run_id}")
            done, refused = outcomes(result, days)
            for evaluation in check_evaluations(pcf, days):
                context.log_event(evaluation)  # sent with the next event yielded
            for day, metadata in done.items():
                yield dg.AssetMaterialization(asset_key=ASSET, partition=day.isoformat(), metadata=metadata)
            yield dg.AssetObservation(
                asset_key=ASSET,
                metadata={  # the range's run, whatever became of its dates
                    "pcf_run_id": result.run_id,
                    "exit_code": result.exit_code,
                    "seconds": round(result.seconds, 3),
                    **result.counts,
                },
            )
        if refused:
            reasons = {day.isoformat(): reason for day, reason in sorted(refused.items())}
            raise dg.Failure(
                description=f"{len(refused)} of {len(days)} partitions not published: {reasons}; "
                f"after the repair: {result.resume_command}",
                metadata={
                    "pcf_run_id": result.run_id,
                    "refused": reasons,
                    "resume_command": result.resume_command,
                    **result.counts,
                },
                allow_retries=False,  # a blocked date needs a person (or the next catch-up), not an instant retry
            )

    return player_composite_factors


def catch_up_schedule(asset: dg.AssetsDefinition, lookback_days: int = 14, hour: int = 5) -> dg.ScheduleDefinition:
    """Nightly at `hour` (America/New_York): the last `lookback_days` partitions as one range run, so every
    date not yet published (blocked, failed, late upstream) is tried again."""

    @dg.schedule(name="pcf_catch_up", cron_schedule=f"0 {hour} * * *", execution_timezone=str(LEAGUE_TZ), target=asset)
    def pcf_catch_up(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        today = context.scheduled_execution_time.astimezone(LEAGUE_TZ).date()
        start, end = catch_up_window(today, lookback_days, today)
        return dg.RunRequest(
            run_key=f"pcf_catch_up:{today}", tags={RANGE_START: start.isoformat(), RANGE_END: end.isoformat()}
        )

    return pcf_catch_up


def pcf_definitions(
    resource: PcfResource, start_date: str = FIRST_SEASON_DAY, lookback_days: int = 14
) -> dg.Definitions:
    """The asset, its checks, the catch-up schedule and the resource, ready for a code location."""
    asset = pcf_asset(start_date)
    return dg.Definitions(
        assets=[asset], schedules=[catch_up_schedule(asset, lookback_days)], resources={"pcf": resource}
    )
