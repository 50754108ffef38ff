"""The backfill (SPEC §6): plan → per chunk: compute → gate → stage → atomic publish → verify."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from backfill.pipeline.evaluation import Evaluation, arrow_by_date
from backfill.pipeline.fingerprints import Observations
from backfill.pipeline.gating import Computed, compute_chunk, joined, judge_chunk, uncomputed_verdicts
from backfill.pipeline.invocation import Invocation
from backfill.pipeline.ledger import (
    audit_rows,
    checkpoint_rows,
    close_killed_runs,
    finish_run_record,
    record_run_start,
    require_tables,
    utc_now,
)
from backfill.pipeline.plan import Plan, chunk_dates, compute_blocks, make_plan, season_so_far
from backfill.pipeline.publish import publish_chunk, verify_published, with_run_metadata
from backfill.pipeline.signals import as_interruption, cancelled_by_caller, raise_if_stop_requested
from backfill.settings import RunSettings
from league.calendar import Calendar
from processors.season_inputs import SeasonInputs
from validation.inputs import InputContractError, contract_problems
from vocabulary import DateStatus, ExitCode, UpcgState
from warehouse import Warehouse, WarehouseError
from warehouse.logger import get_logger
from warehouse.schemas import INPUT_TABLES, TABLES

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


DateCallback = Callable[[date, dict], None]
CancelHook = Callable[[], bool]


BOOTSTRAP_REASON = "bootstrap: first 14 days of the season"


# --- one chunk -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ComputedBlock:
    """A block's chunks computed (`compute_chunk`), waiting to be judged in date order."""

    block: list[list[date]]
    parts: list[Computed]
    started: datetime
    seconds: float


def compute_block(
    wh: Warehouse,
    block: list[list[date]],
    bootstrap: set[date],
    settings: RunSettings,
    input_error: str | None,
    inputs: SeasonInputs,
) -> ComputedBlock:
    started, clock = utc_now(), time.perf_counter()
    work = [day for chunk in block for day in chunk if day not in bootstrap]
    parts = compute_chunk(wh, work, settings, input_error, inputs) if work else []
    return ComputedBlock(block, parts, started, time.perf_counter() - clock)


def judge_block(
    wh: Warehouse, computed: ComputedBlock, bootstrap: set[date], settings: RunSettings, inputs: SeasonInputs
) -> list[Evaluation]:
    """Audits and gate of a computed block, one Evaluation per chunk. Called in date order once every earlier
    chunk has published: the drift baseline holds the same dates whatever `--workers` is."""
    clock, days = time.perf_counter(), [day for chunk in computed.block for day in chunk]
    judged = [judge_chunk(wh, part, settings, inputs) for part in computed.parts]
    rows, verdicts, audits = joined(judged) if judged else (pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    skipped = uncomputed_verdicts(
        [day for day in days if day in bootstrap], DateStatus.SKIPPED_BOOTSTRAP, BOOTSTRAP_REASON
    )
    verdicts = pd.concat([v for v in (verdicts, skipped) if len(v)]).sort_index()
    whole = Evaluation(
        days,
        arrow_by_date(rows),
        verdicts,
        computed.started,
        computed.seconds + time.perf_counter() - clock,
        arrow_by_date(audits),
    )
    return whole.parts(computed.block) if len(computed.block) > 1 else [whole]


def evaluations(
    wh: Warehouse,
    chunks: list[list[date]],
    bootstrap: set[date],
    settings: RunSettings,
    input_error: str | None = None,
    calendar: Calendar | None = None,
    observations: Observations | None = None,
) -> Generator[Evaluation, None, None]:
    """Chunks in order, computed in blocks (`compute_blocks`); with --workers N, up to N blocks are computed
    ahead on worker handles. Every block slices its inputs from one per-season read (`SeasonInputs`), whose
    digests `observations` takes first, on this thread."""
    if not chunks:
        return
    inputs = SeasonInputs(chunks[0][0], chunks[-1][-1], calendar)
    blocks = compute_blocks(chunks)

    def observed(block: list[list[date]]) -> list[list[date]]:
        if observations is not None:
            observations.observe(wh, block[0][0], block[-1][-1])
        return block

    if settings.workers == 1:
        for block in map(observed, blocks):
            wh.yield_to_readers()  # DuckDB: a reader waiting for the file gets in before each compute
            computed = compute_block(wh, block, bootstrap, settings, input_error, inputs)
            for evaluation in judge_block(wh, computed, bootstrap, settings, inputs):
                wh.yield_to_readers()  # … and between publishes
                yield evaluation
        return
    pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="pcf-chunk")
    ahead: deque[Future[ComputedBlock]] = deque()
    handles: list[Warehouse] = []
    try:
        for block in map(observed, blocks):
            if wh.readers_waiting():  # no worker may read through the connection while readers have the file
                while ahead:
                    yield from judge_block(wh, ahead.popleft().result(), bootstrap, settings, inputs)
                wh.yield_to_readers()
            handles.append(wh.worker())
            ahead.append(pool.submit(compute_block, handles[-1], block, bootstrap, settings, input_error, inputs))
            if len(ahead) >= settings.workers:
                yield from judge_block(wh, ahead.popleft().result(), bootstrap, settings, inputs)
        while ahead:
            yield from judge_block(wh, ahead.popleft().result(), bootstrap, settings, inputs)
    finally:  # stopped early: no worker may outlive the connection its handle reads through
        for handle in handles:
            handle.interrupt()
        pool.shutdown(wait=True, cancel_futures=True)


def publish_evaluation(
    wh: Warehouse,
    evaluation: Evaluation,
    invocation: Invocation,
    settings: RunSettings,
    observations: Observations | None = None,
) -> pd.DataFrame:
    clock, verdicts = time.perf_counter(), evaluation.verdicts
    if not settings.dry_run:
        finished = utc_now()
        ledger = checkpoint_rows(verdicts, invocation, settings, evaluation.started, finished)
        passing = [ts.date() for ts in verdicts.index[verdicts["status"] == DateStatus.PUBLISHED]]
        audits = audit_rows(evaluation.audits, invocation, finished)
        fingerprints = None
        if observations is not None and passing:
            inputs, dated = observations.records(passing, invocation.run_id, settings, finished)
            fingerprints = {"inputs": inputs, "fingerprints": dated}
        publish_chunk(
            wh, passing, with_run_metadata(evaluation.rows, invocation.run_id, finished), ledger, audits, fingerprints
        )
        verdicts = verify_published(wh, verdicts, invocation, settings)
    seconds = (evaluation.seconds + time.perf_counter() - clock) / max(len(evaluation.chunk), 1)
    return verdicts.assign(
        seconds=seconds,
        published_players=np.where(verdicts["status"] == DateStatus.PUBLISHED, verdicts["row_count"], 0),
    )


def with_inputs_changed(verdicts: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Each verdict with why its date was taken again when its published rows were stale (else None)."""
    changed = [plan.stale.get(ts.date()) for ts in verdicts.index]
    return verdicts.assign(inputs_changed=pd.Series(changed, index=verdicts.index, dtype="object"))


# --- the run -------------------------------------------------------------------------------
PARTIAL_UPCG_HINT = "stale UPCG rows? `pcf-backfill cleanup --mode partial` removes them"
MISNAMED_UPCG_HINT = "UPCG names players otherwise than the box scores: fix its lookups upstream, then rerun"


def verdict_records(verdicts: pd.DataFrame) -> list[dict]:
    """A chunk's verdicts as plain dicts, column by column (`to_dict("records")` goes through `itertuples`,
    which builds a namedtuple class per call: about 1 ms of every one-date chunk)."""
    columns = [verdicts[name].tolist() for name in verdicts.columns]
    return [dict(zip(verdicts.columns, row, strict=True)) for row in zip(*columns, strict=True)]


def log_date(run_id: str, verdict: dict, game_date: date) -> None:
    """The one canonical line per date."""
    source_reason = str(verdict["source_reason"] or "")
    extra = {"hint": PARTIAL_UPCG_HINT} if verdict.get("upcg_state") == UpcgState.PARTIAL else {}
    if verdict.get("upcg_misnamed", 0) > 0:  # not stale rows: cleanup would not help (NaN: a date not computed)
        extra = {"hint": MISNAMED_UPCG_HINT}
    level = {DateStatus.BLOCKED: "warning", DateStatus.FAILED: "error"}.get(
        verdict["status"], "info"
    )  # a person looks at these
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


def input_contract_error(wh: Warehouse) -> str | None:
    """One line naming every input column that breaks SPEC §2. The schedule plans the run, so a broken
    schedule stops it at once; any other broken input fails every date the run touches."""
    problems = contract_problems({key: wh.column_types(key) for key in INPUT_TABLES}, INPUT_TABLES, wh.type_name)
    schedule = [p for p in problems if p.startswith(f"input contract: {TABLES['schedule'].name}.")]
    if schedule:
        raise InputContractError("; ".join(schedule) + " — fix the upstream table, then rerun")
    return "; ".join(problems) or None


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
    input_error = input_contract_error(wh)
    settings = season_so_far(wh, settings)
    plan = make_plan(wh, settings)
    result = RunOutcome(invocation, settings, plan)
    if on_plan:
        on_plan(plan)
    if plan.schedule_gap:
        log.warning("schedule_missing", run_id=invocation.run_id, reason=plan.schedule_gap)
    log.info(
        "plan",
        run_id=invocation.run_id,
        warehouse=wh.describe(),
        game_dates=len(plan.game_dates),
        to_process=len(plan.to_process),
        bootstrap=len(plan.to_skip),
        already_done=plan.already_done,
        off_days=len(plan.off_days),
        dry_run=settings.dry_run,
    )
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
                close_killed_runs(wh, invocation)
                swept = wh.sweep_leftovers()
                if swept:
                    log.warning("leftover_staging_dropped", run_id=invocation.run_id, tables=swept)
            chunks = chunk_dates(plan.selected, settings.chunk_days)
            if settings.dry_run and chunks:  # BigQuery: its dry-run jobs estimate what a real run reads
                estimate = SeasonInputs(chunks[0][0], chunks[-1][-1], plan.calendar).estimated_bytes(wh)
                result.estimated_bytes = estimate
            observations = (
                None if settings.dry_run or not chunks else Observations(chunks[0][0], chunks[-1][-1], plan.calendar)
            )
            with closing(
                evaluations(wh, chunks, set(plan.to_skip), settings, input_error, plan.calendar, observations)
            ) as evaluated:
                for evaluation in evaluated:
                    raise_if_stop_requested()  # a signal some library swallowed still stops the run here
                    raise_if_cancelled(cancel)
                    verdicts = with_inputs_changed(
                        publish_evaluation(wh, evaluation, invocation, settings, observations), plan
                    )
                    verdicts = verdicts.join(plan.game_dates[["games"]])
                    parts.append(verdicts)
                    for ts, verdict in zip(verdicts.index, verdict_records(verdicts), strict=True):
                        log_date(invocation.run_id, verdict, ts.date())
                        if on_date:
                            on_date(ts.date(), verdict)
                    raise_if_cancelled(cancel)
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
