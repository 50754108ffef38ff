"""`run` and `catch_up`: plan, compute, gate, publish atomically, record; and the checked settings they take."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from backfill.api.common import WarehouseLike, as_date, opened, warehouse_url
from backfill.api.defaults import settled
from backfill.api.errors import DatesBlocked, DatesFailed, summary
from backfill.dates import league_today, run_range
from backfill.invocation import new_invocation
from backfill.settings import DEFAULT_CHUNK_DAYS, MAX_LOOKBACK_DAYS, RunSettings
from validation.audits import DEFAULT_BASELINE_DATES, AuditRules
from validation.gate import (
    BLOCKED,
    DEFAULT_MIN_COVERAGE,
    DEFAULT_WARN_COVERAGE,
    FAILED,
    PUBLISHED,
    SKIPPED_BOOTSTRAP,
    GateRules,
)
from warehouse import Datasets, Interrupted, InvalidSetting

if TYPE_CHECKING:  # the runner pulls in the whole processing stack: only calls that compute import it
    from backfill import runner
    from backfill.plan import Plan

Cancel = threading.Event | Callable[[], bool] | None


def resume_command(url: str, settings: RunSettings, datasets: Datasets | None = None) -> str:
    """The command that finishes what `settings` asked for (a rerun skips what is already published)."""
    from backfill import hints

    return hints.resume_command(url, datasets or Datasets(), settings)


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
    resume_command: str
    outcome: runner.RunResult = field(repr=False, compare=False)  # the runner's full record, as the CLI renders it
    taken_over: list[dict[str, object]] = field(default_factory=list)  # leases of dead runs this run took over

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
        """Raise `DatesFailed` (failures win) or `DatesBlocked`; return self when all is well."""
        reasons = {status: {v.game_date: v.reason or status for v in self.verdicts if v.status == status}
                   for status in (FAILED, BLOCKED)}  # fmt: skip
        resume = f"; to resume: {self.resume_command}"
        if reasons[FAILED]:
            raise DatesFailed(summary("failed", reasons[FAILED]) + resume, reasons[FAILED], self.resume_command)
        if reasons[BLOCKED]:
            raise DatesBlocked(summary("blocked", reasons[BLOCKED]) + resume, reasons[BLOCKED], self.resume_command)
        if self.schedule_gap:
            raise DatesBlocked(f"not off-days: {self.schedule_gap}{resume}", {}, self.resume_command)
        return self


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
        try:
            outcome = run_backfill(wh, settings, invocation, on_date=on_date, on_plan=on_plan, cancel=hook)
        except Interrupted as stop:
            stop.resume_command = resume
            raise
    verdicts = outcome.verdicts
    return RunResult(
        run_id=invocation.run_id, command=settings.command, start=settings.start, end=settings.end,
        dry_run=settings.dry_run,
        verdicts=[verdict_of(ts.date(), row) for ts, row in zip(verdicts.index, verdicts.to_dict("records"),
                                                                  strict=True)],
        off_days=len(outcome.plan.off_days), already_done=outcome.plan.already_done,
        schedule_gap=outcome.plan.schedule_gap, seconds=outcome.seconds, exit_code=outcome.exit_code,
        resume_command=resume, outcome=outcome, taken_over=outcome.taken_over,
    )  # fmt: skip


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
    on_date: Callable[[date, dict], None] | None = None,
    today: date | None = None,
    audit_thresholds: Mapping[str, float] | None = None,
    baseline_dates: int | None = None,
) -> RunResult:
    """Backfill [start, end] (or explicit `dates`): plan, compute, gate, publish atomically, record.

    An option left as None is settled as the command line settles it: PCF_<OPTION>, else the config file
    (PCF_CONFIG, else [tool.pcf-backfill] in a pyproject.toml beside a DuckDB file), else `run_settings`'
    default. Every setting is checked before anything is read or written. `today` (America/New_York, default
    the clock) bounds the range: a backfill only processes games already played. `audit_thresholds` overrides
    audits' thresholds by name (`{"shot_zone_zero_share": 0.6}`, like `--audit-threshold`); `baseline_dates`
    is how many trailing published dates the drift audits compare with (`--baseline-dates`)."""
    options = settled("run", warehouse, {
        "source": source, "min_coverage": min_coverage, "warn_coverage": warn_coverage, "rerun": rerun,
        "dry_run": dry_run, "chunk_days": chunk_days, "workers": workers, "audit_thresholds": audit_thresholds,
        "baseline_dates": baseline_dates})  # fmt: skip
    settings = run_settings(start, end, dates=dates, force=force, allow_regression=allow_regression, reason=reason,
                            today=today, **options)  # fmt: skip
    return run_with_settings(warehouse, settings, datasets=datasets, cancel=cancel, on_date=on_date)


def run_settings(start: date | str | None = None, end: date | str | None = None, *,
                 dates: Sequence[date | str] | None = None, source: str = "auto",
                 min_coverage: float = DEFAULT_MIN_COVERAGE, warn_coverage: float = DEFAULT_WARN_COVERAGE,
                 force: bool = False, allow_regression: bool = False,
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
                       command, audit_rules(audit_thresholds, baseline_dates))  # fmt: skip


def audit_rules(thresholds: Mapping[str, float] | None, baseline_dates: int) -> AuditRules:
    """The audit options as the settings hold them; thresholds are a mapping of audit name to number."""
    if thresholds is not None and not isinstance(thresholds, Mapping):
        raise InvalidSetting("audit_thresholds", "{field}: expected a mapping of audit name to threshold, got {kind}",
                             kind=type(thresholds).__name__)  # fmt: skip
    return AuditRules(dict(thresholds or {}), baseline_dates)


def catch_up_settings(*, as_of: date | str | None = None, lookback_days: int = 14,
                      min_coverage: float = DEFAULT_MIN_COVERAGE, warn_coverage: float = DEFAULT_WARN_COVERAGE,
                      chunk_days: int = DEFAULT_CHUNK_DAYS, dry_run: bool = False,
                      today: date | None = None, audit_thresholds: Mapping[str, float] | None = None,
                      baseline_dates: int = DEFAULT_BASELINE_DATES) -> RunSettings:  # fmt: skip
    """The nightly run: every pending, blocked or failed date of the window `catch_up_window` gives."""
    today = today or league_today()
    start, end = catch_up_window(today if as_of is None else as_date("as_of", as_of), lookback_days, today)
    return RunSettings(start, end, None, GateRules(min_coverage, warn_coverage), "auto", "pending",
                       dry_run=dry_run, chunk_days=chunk_days, command="catch-up",
                       audits=audit_rules(audit_thresholds, baseline_dates))  # fmt: skip


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
    on_date: Callable[[date, dict], None] | None = None,
    today: date | None = None,
    audit_thresholds: Mapping[str, float] | None = None,
    baseline_dates: int | None = None,
) -> RunResult:
    """Nightly: backfill as_of − lookback_days … the day before as_of (default: today, America/New_York),
    retrying every date not published. `as_of` rehearses the catch-up of an earlier day (it writes unless
    `dry_run`). Options left as None are settled as `run`'s are (PCF_*, the config file, the default)."""
    options = settled("catch-up", warehouse, {
        "lookback_days": lookback_days, "min_coverage": min_coverage, "warn_coverage": warn_coverage,
        "chunk_days": chunk_days, "dry_run": dry_run, "audit_thresholds": audit_thresholds,
        "baseline_dates": baseline_dates})  # fmt: skip
    settings = catch_up_settings(as_of=as_of, today=today, **options)
    return run_with_settings(warehouse, settings, datasets=datasets, cancel=cancel, on_date=on_date)
