"""The chunk loop of a run (SPEC §6): per chunk, compute → gate → stage → atomic publish → verify, in date order.
Chunks are computed in blocks, with --workers N up to N blocks ahead on worker handles; each is judged and
published in date order. `backfill.pipeline.runner` keeps the run's bookkeeping around this loop."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Generator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from backfill.pipeline.evaluation import Evaluation, arrow_by_date
from backfill.pipeline.fingerprints import Observations
from backfill.pipeline.gating import Computed, compute_chunk, joined, judge_chunk, uncomputed_verdicts
from backfill.pipeline.invocation import Invocation
from backfill.pipeline.ledger import audit_rows, checkpoint_rows, utc_now
from backfill.pipeline.plan import Plan, compute_blocks
from backfill.pipeline.publish import publish_chunk, verify_published, with_run_metadata
from backfill.pipeline.published import PublishedState
from backfill.settings import RunSettings
from league.calendar import BOOTSTRAP_DAYS, Calendar
from processors.season_inputs import SeasonInputs
from validation.contract import InputContractError, contract_problems, contract_text
from vocabulary import DateStatus
from warehouse import Warehouse
from warehouse.schemas import INPUT_TABLES

PLANNING_INPUTS = ("schedule",)  # the inputs that plan the run: one that breaks the contract stops it at once


def input_failure(wh: Warehouse) -> str | None:
    """Why every date the run touches fails when an input breaks SPEC §2: one line naming each broken column
    (None: no input does). A broken planning input (the schedule) raises `InputContractError` instead."""
    problems = contract_problems({key: wh.column_types(key) for key in INPUT_TABLES}, INPUT_TABLES, wh.type_name)
    planning = [problem for problem in problems if problem.table in PLANNING_INPUTS]
    if planning:
        raise InputContractError(planning)
    return contract_text(problems) or None


BOOTSTRAP_REASON = f"bootstrap: first {BOOTSTRAP_DAYS} days of the season"


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
    state: PublishedState | None = None,
) -> ComputedBlock:
    started, clock = utc_now(), time.perf_counter()
    work = [day for chunk in block for day in chunk if day not in bootstrap]
    parts = compute_chunk(wh, work, settings, input_error, inputs, state) if work else []
    return ComputedBlock(block, parts, started, time.perf_counter() - clock)


def judge_block(
    wh: Warehouse,
    computed: ComputedBlock,
    bootstrap: set[date],
    settings: RunSettings,
    inputs: SeasonInputs,
    state: PublishedState | None = None,
) -> list[Evaluation]:
    """Audits and gate of a computed block, one Evaluation per chunk. Called in date order once every earlier
    chunk has published: the drift baseline holds the same dates whatever `--workers` is."""
    clock, days = time.perf_counter(), [day for chunk in computed.block for day in chunk]
    judged = [judge_chunk(wh, part, settings, inputs, state) for part in computed.parts]
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
    state = observations.published if observations is not None else None  # what PCF holds, read with the inputs
    blocks = compute_blocks(chunks)

    def observed(block: list[list[date]]) -> list[list[date]]:
        if observations is not None:
            observations.observe(wh, block[0][0], block[-1][-1], inputs)
        return block

    if settings.workers == 1:
        for block in map(observed, blocks):
            wh.yield_to_readers()  # DuckDB: a reader waiting for the file gets in before each compute
            computed = compute_block(wh, block, bootstrap, settings, input_error, inputs, state)
            for evaluation in judge_block(wh, computed, bootstrap, settings, inputs, state):
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
                    yield from judge_block(wh, ahead.popleft().result(), bootstrap, settings, inputs, state)
                wh.yield_to_readers()
            handles.append(wh.worker())
            ahead.append(
                pool.submit(compute_block, handles[-1], block, bootstrap, settings, input_error, inputs, state)
            )
            if len(ahead) >= settings.workers:
                yield from judge_block(wh, ahead.popleft().result(), bootstrap, settings, inputs, state)
        while ahead:
            yield from judge_block(wh, ahead.popleft().result(), bootstrap, settings, inputs, state)
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
        found = publish_chunk(
            wh, passing, with_run_metadata(evaluation.rows, invocation.run_id, finished), ledger, audits, fingerprints
        )
        verdicts = verify_published(wh, verdicts, invocation, settings, found)
        if observations is not None:  # what the run's later dates are audited against; a withdrawn date holds none
            kept = set(verdicts.index[verdicts["status"] == DateStatus.PUBLISHED])
            observations.published.published(passing, [row for row in found if pd.Timestamp(row["game_date"]) in kept])
    seconds = (evaluation.seconds + time.perf_counter() - clock) / max(len(evaluation.chunk), 1)
    return verdicts.assign(
        seconds=seconds,
        published_players=np.where(verdicts["status"] == DateStatus.PUBLISHED, verdicts["row_count"], 0),
    )


def with_inputs_changed(verdicts: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Each verdict with why its date was taken again when its published rows were stale (else None)."""
    changed = [plan.stale.get(ts.date()) for ts in verdicts.index]
    return verdicts.assign(inputs_changed=pd.Series(changed, index=verdicts.index, dtype="object"))
