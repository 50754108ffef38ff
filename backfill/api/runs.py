"""`run` and `catch_up`: plan, compute, gate, publish atomically, record (their settings: `run_options`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from datetime import date
from typing import TYPE_CHECKING

from backfill.api.common import WarehouseLike, opened, warehouse_url
from backfill.api.defaults import settled
from backfill.api.results import DateVerdict, RunResult, verdict_of
from backfill.api.run_options import catch_up_settings, resume_command, run_settings
from backfill.lineage import Outcome, dataset_of, reported
from backfill.pipeline.invocation import new_invocation
from backfill.settings import RunSettings
from warehouse import Datasets, Interrupted, InvalidSetting, LockHeld, Warehouse
from warehouse.schemas import INPUT_TABLES

if TYPE_CHECKING:  # the runner pulls in the whole processing stack: only calls that compute import it
    from backfill.pipeline import runner

Cancel = threading.Event | Callable[[], bool] | None


def cancel_hook(cancel: Cancel) -> Callable[[], bool] | None:
    if cancel is None:
        return None
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    if not callable(cancel):
        raise InvalidSetting(
            "cancel", "{field}: expected a threading.Event or a callable, got {kind}", kind=type(cancel).__name__
        )
    return lambda: bool(cancel())


OnDate = Callable[[date, DateVerdict], None]
OnPlan = Callable[[list[date]], None]


def run_with_settings(
    warehouse: WarehouseLike,
    settings: RunSettings,
    *,
    datasets: Datasets | None = None,
    cancel: Cancel = None,
    on_date: OnDate | None = None,
    on_plan: OnPlan | None = None,
    url: str | None = None,
    wait_for_lock: float = 0,
) -> RunResult:
    """Run the backfill `settings` describe. `on_plan` (hears the dates the run will take, in order) and `on_date`
    report progress; `url` names the warehouse
    in the resume command (default: `warehouse_url(warehouse)`). `wait_for_lock` seconds: while another run
    holds the warehouse (`LockHeld`), try again until then."""
    hook = cancel_hook(cancel)
    return while_locked(wait_for_lock, lambda: one_run(warehouse, settings, datasets, hook, on_date, on_plan, url))


def one_run(
    warehouse: WarehouseLike,
    settings: RunSettings,
    datasets: Datasets | None,
    cancel: Callable[[], bool] | None,
    on_date: OnDate | None,
    on_plan: OnPlan | None,
    url: str | None,
) -> RunResult:
    from backfill.pipeline.runner import run_backfill

    invocation = new_invocation(settings.command)
    writer = None if settings.dry_run else f"python: backfill.{settings.command.replace('-', '_')}()"
    report = None if on_date is None else lambda day, row: on_date(day, verdict_of(day, row))
    with opened(warehouse, datasets, writer=writer) as wh:
        resume = resume_command(url or warehouse_url(warehouse), settings, wh.datasets)
        lineage = (
            nullcontext(Outcome()) if settings.dry_run else reported(wh, settings.command, list(INPUT_TABLES), ["pcf"])
        )
        with lineage as reporting:
            try:
                planned = None if on_plan is None else lambda plan: on_plan(plan.selected)
                outcome = run_backfill(wh, settings, invocation, on_date=report, on_plan=planned, cancel=cancel)
            except Interrupted as stop:
                stop.resume_command = resume
                raise
            settings = outcome.settings  # a catch-up's range reaches back to its season's start
            resume = resume_command(url or warehouse_url(warehouse), settings, wh.datasets)
            result = run_result(invocation.run_id, settings, outcome, resume, table_names(wh))
            lineage_outcome(reporting, result)
    return result


def table_names(wh: Warehouse) -> tuple[list[str], str]:
    """A run's inputs and its output, named as the warehouse names them (`project.dataset.table`)."""
    return [dataset_of(wh, key)[1] for key in INPUT_TABLES], dataset_of(wh, "pcf")[1]


def run_result(
    run_id: str, settings: RunSettings, outcome: runner.RunOutcome, resume: str, tables: tuple[list[str], str]
) -> RunResult:
    """The API's result from the runner's record: plain values only, nothing of the runner's own types."""
    from warehouse.arrow_frames import records  # pandas: the run has loaded it already

    verdicts, plan, games = outcome.verdicts, outcome.plan, outcome.plan.game_dates
    before = dict(zip(games.index, games["state"], strict=True)) if len(games) else {}  # the ledger, as planned
    return RunResult(
        run_id=run_id,
        command=settings.command,
        start=settings.start,
        end=settings.end,
        dry_run=settings.dry_run,
        verdicts=[
            verdict_of(ts.date(), row, before.get(ts))
            for ts, row in zip(verdicts.index, records(verdicts), strict=True)
        ],
        off_days=len(plan.off_days),
        already_done=plan.already_done,
        schedule_gap=plan.schedule_gap,
        seconds=outcome.seconds,
        exit_code=outcome.exit_code,
        resume_command=resume,
        taken_over=outcome.taken_over,
        already_done_dates=plan.already_done_dates,
        unscheduled_dates=plan.unscheduled_days if plan.schedule_gap else [],
        label=settings.label,
        inputs=tables[0],
        output=tables[1],
        still_stale=outcome.still_stale,
        user=outcome.invocation.user,
        host=outcome.invocation.host,
        warehouse_jobs=outcome.jobs,
        warehouse_rows_read=outcome.rows_read,
        bytes_processed=outcome.bytes_processed,
        bytes_billed=outcome.bytes_billed,
        estimated_bytes=outcome.estimated_bytes,
    )


def lineage_outcome(reporting: Outcome, result: RunResult) -> None:
    """The run's OpenLineage COMPLETE (FAIL when a date failed): PCF's rows written, the verdicts as a facet.
    Nothing is assembled when no event is sent (a verdict's to_dict per date is not free)."""
    if not reporting.sent:
        return
    reporting.rows["pcf"] = result.rows_published
    reporting.failed = result.exit_code == 1
    verdicts = [verdict.to_dict() for verdict in result.verdicts]  # once each: a to_dict is the costly part
    reporting.facet.update(
        pcf_run_id=result.run_id,
        label=result.label,
        exit_code=result.exit_code,
        counts=result.counts,
        coverage=[{key: verdict[key] for key in LINEAGE_VERDICT} for verdict in verdicts],
    )


LINEAGE_VERDICT = (
    "game_date",
    "status",
    "coverage",
    "blocked_by",
    "upcg_state",
    "published_players",
    "expected_players",
    "context_source",
)


LOCK_POLL_SECONDS = 2.0


def while_locked(wait_for_lock: float, call: Callable[[], RunResult]) -> RunResult:
    """`call`, tried again every LOCK_POLL_SECONDS while another run holds the warehouse, for `wait_for_lock`
    seconds at most; then its `LockHeld` is raised."""
    if isinstance(wait_for_lock, bool) or not isinstance(wait_for_lock, int | float) or not wait_for_lock >= 0:
        raise InvalidSetting("wait_for_lock", "{field}: {value!r} must be a number of seconds ≥ 0", value=wait_for_lock)
    deadline = time.monotonic() + wait_for_lock
    while True:
        try:
            return call()
        except LockHeld:
            if time.monotonic() + LOCK_POLL_SECONDS > deadline:
                raise
        time.sleep(LOCK_POLL_SECONDS)


def run(
    warehouse: WarehouseLike,
    start: date | str | None = None,
    end: date | str | None = None,
    *,
    dates: Sequence[date | str] | None = None,
    source: str | None = None,
    min_coverage: float | None = None,
    warn_coverage: float | None = None,
    force: bool = False,
    allow_regression: bool = False,
    reason: str | None = None,
    rerun: str | None = None,
    dry_run: bool | None = None,
    chunk_days: int | None = None,
    workers: int | None = None,
    datasets: Datasets | None = None,
    cancel: Cancel = None,
    on_date: OnDate | None = None,
    today: date | None = None,
    audit_thresholds: Mapping[str, float] | None = None,
    baseline_dates: int | None = None,
    zones: str | None = None,
    label: str | None = None,
    wait_for_lock: float = 0,
) -> RunResult:
    """Backfill [start, end] (or explicit `dates`): plan, compute, gate, publish atomically, record.

    An option left as None is settled as the command line settles it: PCF_<OPTION>, else the config file
    (PCF_CONFIG, else [tool.pcf-backfill] in a pyproject.toml beside a DuckDB file), else `run_settings`'
    default. Every setting is checked before anything is read or written. `today` (America/New_York, default
    the clock) bounds the range: a backfill only processes games already played. `audit_thresholds` overrides
    audits' thresholds by name (`{"shot_zone_zero_share": 0.6}`, like `--audit-threshold`); `baseline_dates`
    is how many trailing published dates the drift audits compare with (`--baseline-dates`); `zones` where zone
    rows the tables lack or get wrong come from ("auto": built from the box scores, "tables": left missing, like
    `--zones`). `on_date(day,
    verdict)` hears each date's `DateVerdict` as its chunk is recorded; `label` (an orchestrator's run or
    partition key) is kept in the run's ledger row; `wait_for_lock` seconds: while another run holds the
    warehouse, try again until then (then `LockHeld`)."""
    options = settled(
        "run",
        warehouse,
        {
            "source": source,
            "min_coverage": min_coverage,
            "warn_coverage": warn_coverage,
            "rerun": rerun,
            "dry_run": dry_run,
            "chunk_days": chunk_days,
            "workers": workers,
            "audit_thresholds": audit_thresholds,
            "baseline_dates": baseline_dates,
            "zones": zones,
        },
    )
    settings = run_settings(
        start,
        end,
        dates=dates,
        force=force,
        allow_regression=allow_regression,
        reason=reason,
        today=today,
        label=label,
        **options,
    )
    return run_with_settings(
        warehouse, settings, datasets=datasets, cancel=cancel, on_date=on_date, wait_for_lock=wait_for_lock
    )


def catch_up(
    warehouse: WarehouseLike,
    *,
    as_of: date | str | None = None,
    lookback_days: int | None = None,
    min_coverage: float | None = None,
    warn_coverage: float | None = None,
    chunk_days: int | None = None,
    dry_run: bool | None = None,
    datasets: Datasets | None = None,
    cancel: Cancel = None,
    on_date: OnDate | None = None,
    today: date | None = None,
    audit_thresholds: Mapping[str, float] | None = None,
    baseline_dates: int | None = None,
    zones: str | None = None,
    label: str | None = None,
    wait_for_lock: float = 0,
) -> RunResult:
    """Nightly: backfill as_of − lookback_days … the day before as_of (default: today, America/New_York),
    retrying every date not published. `as_of` rehearses the catch-up of an earlier day (it writes unless
    `dry_run`). Options left as None are settled as `run`'s are (PCF_*, the config file, the default);
    `on_date`, `zones`, `label` and `wait_for_lock` are `run`'s."""
    options = settled(
        "catch-up",
        warehouse,
        {
            "lookback_days": lookback_days,
            "min_coverage": min_coverage,
            "warn_coverage": warn_coverage,
            "chunk_days": chunk_days,
            "dry_run": dry_run,
            "audit_thresholds": audit_thresholds,
            "baseline_dates": baseline_dates,
            "zones": zones,
        },
    )
    settings = catch_up_settings(as_of=as_of, today=today, label=label, **options)
    return run_with_settings(
        warehouse, settings, datasets=datasets, cancel=cancel, on_date=on_date, wait_for_lock=wait_for_lock
    )
