"""The backfill (SPEC §6): plan → per chunk: compute → gate → stage → atomic publish → verify. This module keeps
the run's bookkeeping (its record, lease, plan, log lines, how it stops and its exit code); the chunk loop is
`backfill.pipeline.chunks`."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from backfill.pipeline.chunks import evaluations, input_failure, publish_evaluation, with_inputs_changed
from backfill.pipeline.fingerprints import Observations
from backfill.pipeline.invocation import Invocation
from backfill.pipeline.ledger import require_tables, utc_now
from backfill.pipeline.plan import Plan, chunk_dates, plan_run
from backfill.pipeline.run_records import close_killed_runs, finish_run_record, record_run_start
from backfill.pipeline.signals import as_interruption, cancelled_by_caller, raise_if_stop_requested
from backfill.settings import RunSettings
from processors.season_inputs import SeasonInputs
from vocabulary import DateStatus, ExitCode, UpcgState
from warehouse import Warehouse, WarehouseError
from warehouse.logger import get_logger

log = get_logger(__name__)


VERDICT_COLUMNS = [
    "status",
    "games",
    "context_source",
    "source_reason",
    "upcg_players",
    "expected_players",
    "published_players",
    "coverage",
    "reason",
    "forced",
    "warning",
    "seconds",
    "inputs_changed",
]


@dataclass
class RunOutcome:
    invocation: Invocation
    settings: RunSettings
    plan: Plan
    verdicts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=VERDICT_COLUMNS))
    seconds: float = 0.0
    jobs: int = 0
    bytes_processed: int = 0
    bytes_billed: int | None = None  # BigQuery only: DuckDB bills nothing
    estimated_bytes: int | None = None  # a dry run on BigQuery: what the run's input reads would process
    rows_read: int = 0
    interrupted_by: int | None = None  # exit code of the signal that stopped the run
    stopped_by_error: int | None = None  # exit code of the error that stopped the run before its end
    recorded: bool = False  # its row in backfill_runs was written
    taken_over: list[dict[str, object]] = field(default_factory=list)  # leases of dead runs this run took over

    def count(self, status: str) -> int:
        return int((self.verdicts["status"] == status).sum()) if len(self.verdicts) else 0

    @property
    def still_stale(self) -> list[date]:
        """Dates planned as stale (`--rerun stale`) that this run did not republish: their rows still differ from
        what their inputs give."""
        done = (
            set(self.verdicts.index[self.verdicts["status"] == DateStatus.PUBLISHED]) if len(self.verdicts) else set()
        )
        return sorted(day for day in self.plan.stale if pd.Timestamp(day) not in done)

    @property
    def exit_code(self) -> int:
        """SPEC §7, as a plain int (the run row records it): a stop's own code, else failures win over blocks."""
        if self.interrupted_by:
            return int(self.interrupted_by)
        if self.stopped_by_error:
            return int(self.stopped_by_error)
        if self.count(DateStatus.FAILED):
            return int(ExitCode.FAILED)
        blocked = self.count(DateStatus.BLOCKED) or self.plan.schedule_gap
        return int(ExitCode.NEEDS_ATTENTION if blocked else ExitCode.OK)


Verdict = dict[str, Any]  # one date's verdict row, column name → value
DateCallback = Callable[[date, Verdict], None]
CancelHook = Callable[[], bool]


PARTIAL_UPCG_HINT = "stale UPCG rows? `pcf-backfill cleanup --mode partial` removes them"
MISNAMED_UPCG_HINT = "UPCG names players otherwise than the box scores: fix its lookups upstream, then rerun"


def verdict_records(verdicts: pd.DataFrame) -> list[Verdict]:
    """A chunk's verdicts as plain dicts, column by column (`to_dict("records")` goes through `itertuples`,
    which builds a namedtuple class per call: about 1 ms of every one-date chunk)."""
    columns = [verdicts[name].tolist() for name in verdicts.columns]
    names = [str(name) for name in verdicts.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def log_date(run_id: str, verdict: Verdict, game_date: date) -> None:
    """The one canonical line per date."""
    source_reason = str(verdict["source_reason"] or "")
    extra = {"hint": PARTIAL_UPCG_HINT} if verdict.get("upcg_state") == UpcgState.PARTIAL else {}
    if verdict.get("upcg_misnamed", 0) > 0:  # not stale rows: cleanup would not help (NaN: a date not computed)
        extra = {"hint": MISNAMED_UPCG_HINT}
    # a person looks at blocked and failed dates
    level = {DateStatus.BLOCKED: "warning", DateStatus.FAILED: "error"}.get(verdict["status"], "info")
    getattr(log, level)(
        "date_done",
        run_id=run_id,
        game_date=str(game_date),
        status=verdict["status"],
        source=verdict["context_source"],
        reason=verdict["reason"] or source_reason,
        upcg=int(verdict["upcg_players"]),
        expected=int(verdict["expected_players"]),
        published=int(verdict["published_players"]),
        coverage=None if pd.isna(verdict["coverage"]) else round(float(verdict["coverage"]), 4),
        seconds=round(float(verdict["seconds"]), 3),
        **extra,
    )


def run_backfill(
    wh: Warehouse,
    settings: RunSettings,
    invocation: Invocation,
    on_date: DateCallback | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    cancel: CancelHook | None = None,
) -> RunOutcome:
    """The whole backfill. However it is stopped (a signal, Ctrl-C, DuckDB's interrupt, the host terminating it,
    or `cancel`, asked before each chunk publishes and after it) it raises `Interrupted` once the run record is
    closed with its exit code; the chunk not yet published never is."""
    clock, started = time.perf_counter(), utc_now()
    # BigQuery: every job of the run is named and labelled (with the caller's label too) so it can be found
    wh.identify(invocation.run_id, invocation.command, settings.label)
    require_tables(wh)
    input_error = input_failure(wh)
    settings, plan = plan_run(wh, settings)
    result = RunOutcome(invocation, settings, plan)
    if on_plan:
        on_plan(plan)
    log_plan(wh, result)
    parts: list[pd.DataFrame] = []
    try:
        if not settings.dry_run:
            record_run_start(wh, invocation, settings, started)
            result.recorded = True
        # a dry run writes nothing, not even a lease (on BigQuery the lease is a row)
        lease: AbstractContextManager[list[dict[str, object]]] = (
            nullcontext([]) if settings.dry_run else wh.lease(invocation.run_id, settings.start, settings.end)
        )
        with lease as taken_over:
            result.taken_over = list(taken_over)
            if not settings.dry_run:
                clear_leftovers(wh, invocation)
            publish_chunks(wh, result, input_error, parts, on_date, cancel)
            raise_if_stop_requested()
    except BaseException as error:  # the run row records the exit code the CLI will report
        # a signal may surface as a driver error (DuckDB's "Query interrupted"): it is the signal, not an error
        stop = as_interruption(error)
        if stop is None:
            result.stopped_by_error = getattr(error, "exit_code", ExitCode.FAILED)
            raise
        result.interrupted_by, stop.run_id = stop.exit_code, invocation.run_id
        log.warning(
            "interrupted", run_id=invocation.run_id, by=stop.signal_name, completed_dates=sum(len(p) for p in parts)
        )
        if stop is error:
            raise
        raise stop from error
    finally:
        result.verdicts = pd.concat(parts) if parts else result.verdicts
        result.seconds = time.perf_counter() - clock
        if not settings.dry_run:
            close_run_record(wh, result, started)
        result.jobs, result.bytes_processed = wh.stats.jobs, wh.stats.bytes_processed  # the run row's update included
        result.bytes_billed = wh.stats.bytes_billed
        result.rows_read = wh.stats.rows_read
    return result


def log_plan(wh: Warehouse, result: RunOutcome) -> None:
    plan, run_id = result.plan, result.invocation.run_id
    if plan.schedule_gap:
        log.warning("schedule_missing", run_id=run_id, reason=plan.schedule_gap)
    log.info(
        "plan",
        run_id=run_id,
        warehouse=wh.describe(),
        game_dates=len(plan.game_dates),
        to_process=len(plan.to_process),
        bootstrap=len(plan.to_skip),
        already_done=plan.already_done,
        off_days=len(plan.off_days),
        dry_run=result.settings.dry_run,
    )


def clear_leftovers(wh: Warehouse, invocation: Invocation) -> None:
    """Under the run's lease: close the records of runs that died, drop the staging tables they left."""
    close_killed_runs(wh, invocation)
    swept = wh.sweep_leftovers()
    if swept:
        log.warning("leftover_staging_dropped", run_id=invocation.run_id, tables=swept)


def publish_chunks(
    wh: Warehouse,
    result: RunOutcome,
    input_error: str | None,
    parts: list[pd.DataFrame],
    on_date: DateCallback | None,
    cancel: CancelHook | None,
) -> None:
    """Every planned chunk through compute → gate → publish (`backfill.pipeline.chunks`), in date order. Each
    chunk's verdicts join `parts` as soon as it is published: a stopped run reports what it completed."""
    plan, settings, invocation = result.plan, result.settings, result.invocation
    chunks = chunk_dates(plan.selected, settings.chunk_days)
    if settings.dry_run and chunks:  # BigQuery: its dry-run jobs estimate what a real run reads
        result.estimated_bytes = SeasonInputs(chunks[0][0], chunks[-1][-1], plan.calendar).estimated_bytes(wh)
    observations = None if settings.dry_run or not chunks else Observations(chunks[0][0], chunks[-1][-1], plan.calendar)
    evaluated = evaluations(wh, chunks, set(plan.to_skip), settings, input_error, plan.calendar, observations)
    with closing(evaluated):
        for evaluation in evaluated:
            raise_if_stop_requested()  # a signal some library swallowed still stops the run here
            raise_if_cancelled(cancel)
            verdicts = publish_evaluation(wh, evaluation, invocation, settings, observations)
            verdicts = with_inputs_changed(verdicts, plan).join(plan.game_dates[["games"]])
            parts.append(verdicts)
            for ts, verdict in zip(verdicts.index, verdict_records(verdicts), strict=True):
                log_date(invocation.run_id, verdict, ts.date())
                if on_date:
                    on_date(ts.date(), verdict)
            raise_if_cancelled(cancel)


def raise_if_cancelled(cancel: CancelHook | None) -> None:
    """Ask the caller's hook: a yes stops the run at this boundary, as a signal would."""
    if cancel is not None and cancel():
        raise cancelled_by_caller()


def close_run_record(wh: Warehouse, result: RunOutcome, started: datetime) -> None:
    """Best effort after an error or a signal (the original matters more); otherwise failing to close the
    run record is the run's error: the warehouse errored, so the run must not exit 0. A run stopped while its
    row was being written gets it now: the ledger shows every stopped run, and why it ended."""
    try:
        if result.interrupted_by and not result.recorded:
            record_run_start(wh, result.invocation, result.settings, started)
        finish_run_record(wh, result.invocation.run_id, result.verdicts, result.exit_code)
    except WarehouseError as error:
        if not (result.interrupted_by or result.stopped_by_error):
            raise
        log.warning("run_record_not_closed", run_id=result.invocation.run_id, error=str(error))
