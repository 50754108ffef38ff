"""The Python API (SPEC §12): what every command does, callable with plain values from any thread.

    >>> import backfill
    >>> result = backfill.run("duckdb:///pcf.duckdb", date(2023, 2, 20), date(2023, 2, 26))
    >>> result.raise_for_status()  # DatesFailed / DatesBlocked, both BackfillError

`warehouse` is a URL (opened and closed by the call) or an open `Warehouse` (left open). Settings are
checked when built and refuse a value with `InvalidSetting` (a `ValueError`) naming the field. Nothing here
installs signal handlers: a caller stops a run with `cancel` (a `threading.Event` or a callable), asked
between chunks; the chunk not yet published never is, and the result says `cancelled`.
"""

from __future__ import annotations

import getpass
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from backfill.dates import LEAGUE_TZ, checked_range, league_today
from backfill.settings import DEFAULT_CHUNK_DAYS, RunSettings
from backfill.signals import CANCELLED_EXIT_CODE
from validation.audits import DEFAULT_BASELINE_DATES, AuditRules
from validation.gate import BLOCKED, FAILED, PUBLISHED, SKIPPED_BOOTSTRAP, GateRules, checked_fraction
from warehouse import Datasets, InvalidSetting, PcfError, Warehouse, connect

if TYPE_CHECKING:  # the runner pulls in the whole processing stack: only calls that compute import it
    from backfill import runner
    from backfill.freshness import Freshness
    from backfill.plan import Plan
    from cleanup import CleanupResult, CleanupSettings

WarehouseLike = str | Warehouse
Cancel = threading.Event | Callable[[], bool] | None
MAX_LOOKBACK_DAYS = 36_500


# --- errors raised by raise_for_status() -----------------------------------------------------
class BackfillError(PcfError):
    """A command finished but not every date in scope is where it should be. `reasons` maps each date to why."""

    def __init__(self, message: str, reasons: dict[date, str] | None = None, resume_command: str | None = None):
        super().__init__(message)
        self.reasons = dict(reasons or {})
        self.resume_command = resume_command

    @property
    def dates(self) -> list[date]:
        return sorted(self.reasons)


class DatesBlocked(BackfillError):
    """The gate kept dates back (or the schedule is missing for the range): exit code 3."""

    exit_code = 3


class DatesFailed(BackfillError):
    """Dates failed (an error while computing, checking or verifying them): exit code 1."""

    exit_code = 1


class RunCancelled(BackfillError):
    """The caller's cancellation hook stopped the run between chunks; rerun to resume."""

    exit_code = CANCELLED_EXIT_CODE


# --- warehouse and invocation --------------------------------------------------------------
@contextmanager
def opened(warehouse: WarehouseLike, datasets: Datasets | None = None, *, writer: str | None = None,
           must_exist: bool = True) -> Iterator[Warehouse]:  # fmt: skip
    """The warehouse a URL names, closed afterwards; an open `Warehouse` is used as is and left open.
    Without `writer` (what a writing call is, shown to whoever it keeps out) the URL is opened read-only:
    on DuckDB a reader then never blocks a run."""
    if not isinstance(warehouse, str):
        yield warehouse
        return
    wh = connect(warehouse, datasets, must_exist=must_exist, read_only=writer is None, writer=writer)
    try:
        yield wh
    finally:
        wh.close()


def warehouse_url(warehouse: WarehouseLike) -> str:
    """How printed commands name the warehouse: the URL given, else the open warehouse's own URL."""
    return warehouse if isinstance(warehouse, str) else warehouse.describe().split(" ")[0]


def new_invocation(command: str) -> runner.Invocation:
    """A fresh run id (UTC time + random suffix) and who runs it, as recorded in backfill_runs."""
    from backfill.runner import Invocation

    run_id = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"
    return Invocation(run_id, getpass.getuser(), socket.gethostname(), package_version("pcf-backfill"), command)


def resume_command(url: str, settings: RunSettings, datasets: Datasets | None = None) -> str:
    """The command that finishes what `settings` asked for (a rerun skips what is already published)."""
    from backfill import hints

    return hints.resume_command(url, datasets or Datasets(), settings)


# --- date rules -------------------------------------------------------------------------------
def as_date(name: str, value: object) -> date:
    """A date, or an ISO `YYYY-MM-DD` string; anything else names the field."""
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise InvalidSetting(name, "{field}: expected a date, got {value!r}", value=value)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidSetting(name, "{field}: {value!r} is not a date; expected YYYY-MM-DD", value=value) from None


def run_range(start: date | None, end: date | None, dates: Sequence[date] | None,
              today: date) -> tuple[date, date, tuple[date, ...] | None]:  # fmt: skip
    """[start, end] and the explicit dates (sorted, once each), none after `today` (America/New_York)."""
    chosen = tuple(sorted(set(dates))) if dates is not None else None
    if chosen is not None and not chosen:
        raise InvalidSetting("dates", "{field}: expected one or more dates")
    if start is None or end is None:
        if chosen is None or start is not None or end is not None:
            raise InvalidSetting("start", "{field} and {end} are required (or {dates}); expected dates")
        start, end = chosen[0], chosen[-1]
    checked_range(start, end)
    if end > today:
        raise InvalidSetting("dates" if chosen else "end", "{field}: {end_value} is after today ({today}, "
                             "America/New_York); a backfill only processes games already played",
                             end_value=max(chosen) if chosen else end, today=today)  # fmt: skip
    return start, end, chosen


def catch_up_window(as_of: date, lookback_days: int, today: date) -> tuple[date, date]:
    """The nightly window: as_of − lookback_days … the day before as_of (as_of is never after today)."""
    if as_of > today:
        raise InvalidSetting("as_of", "{field}: {as_of_value} is after today ({today}, America/New_York); "
                             "expected a day already begun", as_of_value=as_of, today=today)  # fmt: skip
    if isinstance(lookback_days, bool) or not isinstance(lookback_days, int) or not (
            1 <= lookback_days <= MAX_LOOKBACK_DAYS):  # fmt: skip
        raise InvalidSetting("lookback_days", "{field}: {value!r} is not in the range 1<=x<={most}",
                             value=lookback_days, most=MAX_LOOKBACK_DAYS)  # fmt: skip
    return as_of - timedelta(days=lookback_days), as_of - timedelta(days=1)


def league_now(today: date | None = None) -> datetime:
    """Now in America/New_York; a pinned `today` means the first moment of that day."""
    return datetime.combine(today, time.min, tzinfo=LEAGUE_TZ) if today else datetime.now(LEAGUE_TZ)


# --- run and catch-up -------------------------------------------------------------------------
@dataclass(frozen=True)
class DateVerdict:
    """What a run decided for one date (`status`: published, blocked, failed or skipped_bootstrap)."""

    game_date: date
    status: str
    games: int | None
    context_source: str | None  # upcg, pgs_synthetic or mixed
    source_reason: str | None  # why that source, e.g. "upcg_partial 1/177 (0.6%)"
    expected_players: int  # who played, by the schedule's final games
    upcg_players: int
    published_players: int
    coverage: float | None
    reason: str | None
    forced: bool
    allowed_regression: bool
    warning: bool


@dataclass(frozen=True)
class RunResult:
    """The outcome of `run` / `catch_up`: one verdict per processed date, counts, the exit code the CLI would
    report and the command that resumes the run. `frame` is the verdicts as a DataFrame."""

    run_id: str
    command: str
    start: date
    end: date
    dry_run: bool
    verdicts: list[DateVerdict]
    off_days: int
    already_done: int
    schedule_gap: str | None
    seconds: float
    exit_code: int
    cancelled: bool
    resume_command: str
    outcome: runner.RunResult = field(repr=False, compare=False)  # the runner's full record, as the CLI renders it

    @property
    def counts(self) -> dict[str, int]:
        return {status: sum(v.status == status for v in self.verdicts)
                for status in (PUBLISHED, BLOCKED, FAILED, SKIPPED_BOOTSTRAP)}  # fmt: skip

    def dates(self, status: str) -> list[date]:
        return [v.game_date for v in self.verdicts if v.status == status]

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([vars(v) for v in self.verdicts], columns=list(DateVerdict.__dataclass_fields__))

    def raise_for_status(self) -> RunResult:
        """Raise `RunCancelled`, `DatesFailed` (failures win) or `DatesBlocked`; return self when all is well."""
        reasons = {status: {v.game_date: v.reason or status for v in self.verdicts if v.status == status}
                   for status in (FAILED, BLOCKED)}  # fmt: skip
        resume = f"; to resume: {self.resume_command}"
        if self.cancelled:
            done = len(self.verdicts)
            raise RunCancelled(f"run {self.run_id} cancelled after {done} dates{resume}", {}, self.resume_command)
        if reasons[FAILED]:
            raise DatesFailed(summary("failed", reasons[FAILED]) + resume, reasons[FAILED], self.resume_command)
        if reasons[BLOCKED]:
            raise DatesBlocked(summary("blocked", reasons[BLOCKED]) + resume, reasons[BLOCKED], self.resume_command)
        if self.schedule_gap:
            raise DatesBlocked(f"not off-days: {self.schedule_gap}{resume}", {}, self.resume_command)
        return self


def summary(status: str, reasons: dict[date, str]) -> str:
    listed = "; ".join(f"{day} {reason}" for day, reason in sorted(reasons.items()))
    return f"{len(reasons)} date{'s' if len(reasons) != 1 else ''} {status}: {listed}"


def verdict_of(day: date, row: dict[str, Any]) -> DateVerdict:
    def number(key: str) -> Any:
        value = row.get(key)
        return None if value is None or pd.isna(value) else value

    games = number("games")
    coverage = number("coverage")
    return DateVerdict(
        game_date=day, status=str(row["status"]), games=None if games is None else int(games),
        context_source=number("context_source"), source_reason=number("source_reason") or None,
        expected_players=int(number("expected_players") or 0), upcg_players=int(number("upcg_players") or 0),
        published_players=int(number("published_players") or 0),
        coverage=None if coverage is None else float(coverage), reason=number("reason") or None,
        forced=bool(number("forced")), allowed_regression=bool(number("allowed_regression")),
        warning=bool(number("warning")),
    )  # fmt: skip


def cancel_hook(cancel: Cancel) -> Callable[[], bool] | None:
    if cancel is None:
        return None
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    if not callable(cancel):
        raise InvalidSetting("cancel", "{field}: expected a threading.Event or a callable, got {kind}",
                             kind=type(cancel).__name__)  # fmt: skip
    return lambda: bool(cancel())


def run_with_settings(warehouse: WarehouseLike, settings: RunSettings, *, datasets: Datasets | None = None,
                      cancel: Cancel = None, on_date: Callable[[date, dict], None] | None = None,
                      on_plan: Callable[[Plan], None] | None = None, url: str | None = None) -> RunResult:  # fmt: skip
    """Run the backfill `settings` describe. `on_plan` / `on_date` report progress; `url` names the warehouse
    in the resume command (default: `warehouse_url(warehouse)`)."""
    from backfill.runner import run_backfill

    hook = cancel_hook(cancel)
    invocation = new_invocation(settings.command)
    writer = None if settings.dry_run else f"python: backfill.{settings.command.replace('-', '_')}()"
    with opened(warehouse, datasets, writer=writer) as wh:
        resume = resume_command(url or warehouse_url(warehouse), settings, wh.datasets)
        outcome = run_backfill(wh, settings, invocation, on_date=on_date, on_plan=on_plan, cancel=hook)
    verdicts = outcome.verdicts
    return RunResult(
        run_id=invocation.run_id, command=settings.command, start=settings.start, end=settings.end,
        dry_run=settings.dry_run,
        verdicts=[verdict_of(ts.date(), row) for ts, row in zip(verdicts.index, verdicts.to_dict("records"),
                                                                  strict=True)],
        off_days=len(outcome.plan.off_days), already_done=outcome.plan.already_done,
        schedule_gap=outcome.plan.schedule_gap, seconds=outcome.seconds, exit_code=outcome.exit_code,
        cancelled=outcome.cancelled, resume_command=resume, outcome=outcome,
    )  # fmt: skip


def run(
    warehouse: WarehouseLike,
    start: date | str | None = None,
    end: date | str | None = None,
    *,
    dates: Sequence[date | str] | None = None,
    source: str = "auto",
    min_coverage: float = 0.90,
    warn_coverage: float = 0.95,
    force: bool = False,
    allow_regression: bool = False,
    reason: str | None = None,
    rerun: str = "pending",
    dry_run: bool = False,
    chunk_days: int = DEFAULT_CHUNK_DAYS,
    workers: int = 1,
    datasets: Datasets | None = None,
    cancel: Cancel = None,
    on_date: Callable[[date, dict], None] | None = None,
    today: date | None = None,
) -> RunResult:
    """Backfill [start, end] (or explicit `dates`): plan, compute, gate, publish atomically, record.

    Every setting is checked before anything is read or written. `today` (America/New_York, default the
    clock) bounds the range: a backfill only processes games already played."""
    settings = run_settings(start, end, dates=dates, source=source, min_coverage=min_coverage,
                            warn_coverage=warn_coverage, force=force, allow_regression=allow_regression,
                            reason=reason, rerun=rerun, dry_run=dry_run, chunk_days=chunk_days, workers=workers,
                            today=today)  # fmt: skip
    return run_with_settings(warehouse, settings, datasets=datasets, cancel=cancel, on_date=on_date)


def run_settings(start: date | str | None = None, end: date | str | None = None, *,
                 dates: Sequence[date | str] | None = None, source: str = "auto", min_coverage: float = 0.90,
                 warn_coverage: float = 0.95, force: bool = False, allow_regression: bool = False,
                 reason: str | None = None, rerun: str = "pending", dry_run: bool = False,
                 chunk_days: int = DEFAULT_CHUNK_DAYS, workers: int = 1, today: date | None = None,
                 command: str = "run", audit_thresholds: Mapping[str, float] | None = None,
                 baseline_dates: int = DEFAULT_BASELINE_DATES) -> RunSettings:  # fmt: skip
    """The checked settings of a run, from plain values (what `run` and the CLI's `run` build)."""
    first = None if start is None else as_date("start", start)
    last = None if end is None else as_date("end", end)
    chosen = None if dates is None else [as_date("dates", day) for day in dates]
    first, last, chosen_dates = run_range(first, last, chosen, today or league_today())
    rules = GateRules(min_coverage, warn_coverage, force, reason, allow_regression)
    return RunSettings(first, last, chosen_dates, rules, source, rerun, dry_run, chunk_days, workers,  # type: ignore[arg-type]
                       command, AuditRules(dict(audit_thresholds or {}), baseline_dates))  # fmt: skip


def catch_up_settings(*, as_of: date | str | None = None, lookback_days: int = 14, min_coverage: float = 0.90,
                      warn_coverage: float = 0.95, chunk_days: int = DEFAULT_CHUNK_DAYS, dry_run: bool = False,
                      today: date | None = None, audit_thresholds: Mapping[str, float] | None = None,
                      baseline_dates: int = DEFAULT_BASELINE_DATES) -> RunSettings:  # fmt: skip
    """The nightly run: every pending, blocked or failed date of the window `catch_up_window` gives."""
    today = today or league_today()
    start, end = catch_up_window(today if as_of is None else as_date("as_of", as_of), lookback_days, today)
    return RunSettings(start, end, None, GateRules(min_coverage, warn_coverage), "auto", "pending",
                       dry_run=dry_run, chunk_days=chunk_days, command="catch-up",
                       audits=AuditRules(dict(audit_thresholds or {}), baseline_dates))  # fmt: skip


def catch_up(
    warehouse: WarehouseLike,
    *,
    as_of: date | str | None = None,
    lookback_days: int = 14,
    min_coverage: float = 0.90,
    warn_coverage: float = 0.95,
    chunk_days: int = DEFAULT_CHUNK_DAYS,
    dry_run: bool = False,
    datasets: Datasets | None = None,
    cancel: Cancel = None,
    on_date: Callable[[date, dict], None] | None = None,
    today: date | None = None,
) -> RunResult:
    """Nightly: backfill as_of − lookback_days … the day before as_of (default: today, America/New_York),
    retrying every date not published. `as_of` rehearses the catch-up of an earlier day."""
    settings = catch_up_settings(as_of=as_of, lookback_days=lookback_days, min_coverage=min_coverage,
                                 warn_coverage=warn_coverage, chunk_days=chunk_days, dry_run=dry_run,
                                 today=today)  # fmt: skip
    return run_with_settings(warehouse, settings, datasets=datasets, cancel=cancel, on_date=on_date)


# --- inspection -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateState:
    """One game date, two facts: what the table holds (published_*) and what the last attempt did (status)."""

    game_date: date
    status: str  # last attempt: published, blocked, failed, skipped_bootstrap, or pending (never run)
    reason: str | None
    expected_players: int
    published_players: int
    coverage: float | None  # published players who played ÷ expected
    context_source: str | None
    run_id: str | None


@dataclass(frozen=True)
class StatusResult:
    """`status`: every game date of [start, end]; `frame` has every column `pcf-backfill status` shows."""

    start: date
    end: date
    dates: list[DateState]
    frame: pd.DataFrame = field(repr=False, compare=False)
    exit_code: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.frame["status"].value_counts().sort_index().items()}


def plain(value: Any) -> Any:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def checked_span(start: date | str, end: date | str) -> tuple[date, date]:
    return checked_range(as_date("start", start), as_date("end", end))


def status(warehouse: WarehouseLike, start: date | str, end: date | str, *,
           datasets: Datasets | None = None) -> StatusResult:  # fmt: skip
    """Per game date of [start, end]: what is published and what the last attempt did. Read only."""
    from backfill.status import date_states

    first, last = checked_span(start, end)
    with opened(warehouse, datasets) as wh:
        report = date_states(wh, first, last)
    states = [
        DateState(ts.date(), str(row["status"]), plain(row["reason"]), int(row["expected_players"]),
                  int(row["published_players"]), plain(row["coverage"]), plain(row["context_source"]),
                  plain(row["run_id"]))  # fmt: skip
        for ts, row in report.iterrows()
    ]
    return StatusResult(first, last, states, report)


@dataclass(frozen=True)
class ValidateResult:
    """`validate`: the reconciliation of [start, end] and the dates that need attention (exit code 3 if any).
    `problems` maps each such date to its problems; `repairs` are the narrowest runs that fix them."""

    start: date
    end: date
    problems: dict[date, str]
    repairs: list[str]
    frame: pd.DataFrame = field(repr=False, compare=False)  # one row per date, every reconciliation column
    attention: pd.DataFrame = field(repr=False, compare=False)  # the rows of `frame` that need attention

    @property
    def exit_code(self) -> int:
        return 3 if self.problems else 0

    def raise_for_status(self) -> ValidateResult:
        if self.problems:
            raise DatesBlocked(summary("need attention", self.problems), self.problems)
        return self


def validate(warehouse: WarehouseLike, start: date | str, end: date | str, *, min_coverage: float = 0.90,
             datasets: Datasets | None = None, url: str | None = None) -> ValidateResult:  # fmt: skip
    """Reconcile the tables over [start, end]: who played vs rows published, duplicates, ledger disagreements."""
    from backfill.status import reconciliation, repair_commands
    from validation.reconcile import needs_attention

    first, last = checked_span(start, end)
    checked_fraction("min_coverage", min_coverage)
    with opened(warehouse, datasets) as wh:
        report = reconciliation(wh, first, last, min_coverage)
        words = connection_words(url or warehouse_url(warehouse), wh.datasets)
    attention = needs_attention(report)
    reasons = {ts.date(): str(text) for ts, text in attention.get("problems", pd.Series(dtype=str)).items()}
    return ValidateResult(first, last, reasons, repair_commands(attention, words), report, attention)


def connection_words(url: str, datasets: Datasets) -> list[str]:
    """The words that point a printed command at this warehouse, wherever it is pasted."""
    from backfill import hints

    return hints.connection_words(url, datasets)


@dataclass(frozen=True)
class FreshnessResult:
    """`freshness`: is every final game date up to yesterday published? `overdue` lists the late dates."""

    stale: bool
    overdue: list[date]
    hours_late: float | None  # since the oldest overdue date ended
    newest_published: date | None
    exit_code: int
    fix_command: str | None
    details: Freshness = field(repr=False, compare=False)

    @property
    def frame(self) -> pd.DataFrame:
        return self.details.missing

    def raise_for_status(self) -> FreshnessResult:
        if self.stale:
            reasons = {day: "not published" for day in self.overdue}
            raise DatesBlocked(f"stale: {len(self.overdue)} game dates overdue, the oldest {self.overdue[0]} "
                               f"({self.hours_late:.0f} h)", reasons, self.fix_command)  # fmt: skip
        return self


def freshness(warehouse: WarehouseLike, *, max_lag_hours: float = 30.0, now: datetime | None = None,
              datasets: Datasets | None = None) -> FreshnessResult:  # fmt: skip
    """Every final, non-bootstrap game date through yesterday (America/New_York) has rows in the table?"""
    from backfill.freshness import check_freshness

    if isinstance(max_lag_hours, bool) or not isinstance(max_lag_hours, int | float) or not max_lag_hours >= 0:
        raise InvalidSetting("max_lag_hours", "{field}: {value!r} must be a number of hours ≥ 0", value=max_lag_hours)
    with opened(warehouse, datasets) as wh:
        fresh = check_freshness(wh, now or league_now(), max_lag_hours)
        connection = connection_words(warehouse_url(warehouse), wh.datasets)
    return FreshnessResult(fresh.stale, fresh.overdue, fresh.hours_late, fresh.newest_published, fresh.exit_code,
                           fresh.fix_command(connection), fresh)  # fmt: skip


def report(warehouse: WarehouseLike, start: date | str, end: date | str, html: str | Path, *,
           datasets: Datasets | None = None) -> Path:  # fmt: skip
    """Write the HTML coverage report of [start, end] (never over the warehouse or a non-HTML file)."""
    from backfill.report import write_report

    first, last = checked_span(start, end)
    with opened(warehouse, datasets) as wh:
        return write_report(wh, first, last, Path(html))


# --- setup -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InitResult:
    """`init`: the warehouse it set up, the tables it created and the columns it added to older tables."""

    warehouse: str
    created: list[str]
    added: list[str]


def init(warehouse: WarehouseLike, *, datasets: Datasets | None = None) -> InitResult:
    """Create the datasets and every missing table, and add new columns to older ones (idempotent)."""
    with opened(warehouse, datasets, writer="python: backfill.api.init()", must_exist=False) as wh:
        return InitResult(wh.describe(), wh.create_tables(), wh.migrate_tables())


# --- leases ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeasesResult:
    """`lock status`: who holds a lease (or the DuckDB writers' lock): range, host, PID, command, heartbeat."""

    leases: list[dict[str, Any]]
    frame: pd.DataFrame = field(repr=False, compare=False)


def leases(warehouse: WarehouseLike, *, datasets: Datasets | None = None) -> LeasesResult:
    with opened(warehouse, datasets) as wh:
        held = wh.leases()
    return LeasesResult(held.astype(object).where(held.notna(), None).to_dict("records"), held)


def release_lease(warehouse: WarehouseLike, lease_id: str, *, reason: str,
                  datasets: Datasets | None = None) -> dict[str, object]:  # fmt: skip
    """Release a lease whose holder is gone, recording who and why in backfill_runs; returns the lease."""
    from backfill.leases import release

    # read-only on DuckDB: its lock is a process's, released only by stopping it (BigQuery writes as usual)
    with opened(warehouse, datasets) as wh:
        return release(wh, lease_id, reason, new_invocation("lock release"))


# --- cleanup -----------------------------------------------------------------------------------
def cleanup_settings(*, retention_days: int = 7, mode: str = "all", execute: bool = False, backup: bool = True,
                     today: date | None = None) -> CleanupSettings:  # fmt: skip
    """The checked settings of a cleanup. Deleting is judged against the real clock only: a pinned `today`
    (for rehearsing a dry run) could make today's rows look stale."""
    from cleanup import CleanupSettings

    return CleanupSettings(today=league_today() if execute or today is None else today,
                           retention_days=retention_days, mode=mode, execute=execute, backup=backup)  # fmt: skip


def cleanup_with_settings(warehouse: WarehouseLike, settings: CleanupSettings, *, user: str | None = None,
                          datasets: Datasets | None = None) -> CleanupResult:  # fmt: skip
    from cleanup import run_cleanup

    with opened(warehouse, datasets, writer="python: backfill.cleanup()" if settings.execute else None) as wh:
        return run_cleanup(wh, settings, user or getpass.getuser())


def cleanup(warehouse: WarehouseLike, *, retention_days: int = 7, mode: str = "all", execute: bool = False,
            backup: bool = True, today: date | None = None, user: str | None = None,
            datasets: Datasets | None = None) -> CleanupResult:  # fmt: skip
    """Stale UPCG rows (SPEC §8): a dry run unless `execute`; with it back up, delete, verify, audit."""
    settings = cleanup_settings(retention_days=retention_days, mode=mode, execute=execute, backup=backup,
                                today=today)  # fmt: skip
    return cleanup_with_settings(warehouse, settings, user=user, datasets=datasets)


def restore(warehouse: WarehouseLike, backup_table: str, *, user: str | None = None,
            datasets: Datasets | None = None) -> int:  # fmt: skip
    """Put a cleanup backup's rows back into UPCG; returns how many rows were restored."""
    from cleanup import restore_backup

    with opened(warehouse, datasets, writer="python: backfill.restore()") as wh:
        return restore_backup(wh, backup_table, user or getpass.getuser())


__all__ = [
    "BackfillError", "DateState", "DateVerdict", "DatesBlocked", "DatesFailed", "FreshnessResult", "GateRules",
    "InvalidSetting", "RunCancelled", "RunResult", "RunSettings", "StatusResult", "ValidateResult", "catch_up",
    "cleanup", "freshness", "restore", "run", "status", "validate",
]  # fmt: skip
