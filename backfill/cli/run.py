"""`run` and `catch-up`: their options, settled into checked settings; `backfill.cli.running` carries the run out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from backfill import api
from backfill.cli.notify import NotifySettings
from backfill.cli.options import (
    app_today,
    audit_options,
    date_option,
    metrics_option,
    metrics_recorded,
    notify_options,
    output_option,
    resolve_range,
    threshold,
    zones_option,
)
from backfill.cli.params import DATE, DATES
from backfill.cli.root import cli, option, pass_app
from backfill.cli.running import execute_run, notified_on_error
from backfill.settings import DEFAULT_CHUNK_DAYS, MAX_LOOKBACK_DAYS, RERUN_MODES, AppSettings
from validation.rules import DEFAULT_MIN_COVERAGE, DEFAULT_WARN_COVERAGE
from vocabulary import SOURCE_POLICIES, UPCG_SUFFICIENT, SourcePolicy, ZoneMode

RUN_EPILOG = """\b
Examples:
  pcf-backfill run --start-date 2022-10-18 --end-date 2023-04-09
  pcf-backfill run --dates 2023-02-23,2023-02-24 --dry-run
  pcf-backfill run --start-date 2023-02-20 --end-date 2023-02-26 --force --reason "UPCG known stale"
"""


@cli.command(epilog=RUN_EPILOG)
@date_option("--start-date")
@date_option("--end-date")
@option(
    "--dates",
    "listed_dates",
    type=DATES,
    default=None,
    metavar="D1,D2,...",
    help="Explicit dates, FIRST..LAST for a run of days (same gates as a range).",
)
@threshold("--min-coverage", DEFAULT_MIN_COVERAGE)
@threshold("--warn-coverage", DEFAULT_WARN_COVERAGE)
@option(
    "--source",
    type=click.Choice(SOURCE_POLICIES),
    default="auto",
    show_default=True,
    help=f"auto: UPCG if it covers ≥{UPCG_SUFFICIENT:.0%} of who played, else box scores; fill: per player; "
    "upcg/pgs: one only.",
)
@option(
    "--rerun",
    type=click.Choice(RERUN_MODES),
    default="pending",
    show_default=True,
    help="pending: every date not yet published or skipped; blocked / failed: only dates in that state; "
    "stale: pending ones and published dates whose inputs changed; all: every game date.",
)
@zones_option()
@option("--force", is_flag=True, help="Publish blocked dates that hold nothing better (needs --reason).")
@option(
    "--allow-regression",
    is_flag=True,
    help="Let rows of lower quality replace a date's published rows (needs --reason).",
)
@option("--reason", default=None, help="Why forcing or allowing a regression is right; recorded in the ledger.")
@option("--dry-run", is_flag=True, help="Plan, compute and gate, but write nothing.")
@option(
    "--chunk-days",
    type=int,
    default=DEFAULT_CHUNK_DAYS,
    show_default=True,
    help="Calendar days per chunk: each chunk is gated and published in its own transaction.",
)
@option("--workers", type=int, default=1, show_default=True, help="Chunks computed concurrently.")
@audit_options
@output_option()
@metrics_option()
@notify_options
@pass_app
def run(
    app: AppSettings,
    start_date: date | None,
    end_date: date | None,
    listed_dates: list[date] | None,
    min_coverage: float,
    warn_coverage: float,
    source: SourcePolicy,  # click.Choice admits only these
    rerun: str,
    force: bool,
    allow_regression: bool,
    zones: ZoneMode,
    reason: str | None,
    dry_run: bool,
    chunk_days: int,
    workers: int,
    audit_threshold: dict[str, float],
    baseline_dates: int,
    output: str,
    metrics_file: Path | None,
    notify_urls: tuple[str, ...],
    notify_on: str,
) -> int:
    """Backfill a date range: plan, compute, gate, publish atomically, record in the ledger."""
    with metrics_recorded(app, metrics_file, "run") as metrics:
        notify = NotifySettings(notify_urls, notify_on)
        start, end, dates = resolve_range(app, start_date, end_date, listed_dates)
        settings = api.run_settings(
            start,
            end,
            dates=dates,
            source=source,
            min_coverage=min_coverage,
            warn_coverage=warn_coverage,
            force=force,
            allow_regression=allow_regression,
            reason=reason,
            rerun=rerun,
            dry_run=dry_run,
            chunk_days=chunk_days,
            workers=workers,
            today=app_today(app),
            audit_thresholds=audit_threshold,
            baseline_dates=baseline_dates,
            zones=zones,
        )
        with notified_on_error(app, settings, notify):
            return metrics.finish(execute_run(app, settings, output, metrics, notify))


@cli.command("catch-up")
@option("--lookback-days", type=click.IntRange(min=1, max=MAX_LOOKBACK_DAYS), default=14, show_default=True)
@threshold("--min-coverage", DEFAULT_MIN_COVERAGE)
@threshold("--warn-coverage", DEFAULT_WARN_COVERAGE)
@option("--chunk-days", type=int, default=DEFAULT_CHUNK_DAYS, show_default=True)
@option(
    "--as-of",
    type=DATE,
    default=None,
    metavar="DATE",
    help="Run the catch-up of another day (YYYY-MM-DD, not after today): the window ends the day before. It "
    "writes like any catch-up; add --dry-run to rehearse.",
)
@option("--dry-run", is_flag=True, help="Plan, compute and gate, but write nothing.")
@zones_option()
@audit_options
@output_option()
@metrics_option()
@notify_options
@pass_app
def catch_up(
    app: AppSettings,
    lookback_days: int,
    min_coverage: float,
    warn_coverage: float,
    chunk_days: int,
    as_of: date | None,
    dry_run: bool,
    zones: ZoneMode,
    audit_threshold: dict[str, float],
    baseline_dates: int,
    output: str,
    metrics_file: Path | None,
    notify_urls: tuple[str, ...],
    notify_on: str,
) -> int:
    """Nightly: backfill today−lookback … yesterday (America/New_York), retrying anything not published, and
    every date of the current season that is not published or whose inputs changed since it was.

    \b
    Example (cron, 05:00 America/New_York):
      pcf-backfill --log-format json catch-up --lookback-days 14
    Rehearse what the catch-up of 2023-02-28 would have done:
      pcf-backfill catch-up --as-of 2023-02-28 --dry-run
    """
    with metrics_recorded(app, metrics_file, "catch-up") as metrics:
        notify = NotifySettings(notify_urls, notify_on)
        today = app_today(app)
        settings = api.catch_up_settings(
            as_of=as_of,
            lookback_days=lookback_days,
            min_coverage=min_coverage,
            warn_coverage=warn_coverage,
            chunk_days=chunk_days,
            dry_run=dry_run,
            today=today,
            audit_thresholds=audit_threshold,
            baseline_dates=baseline_dates,
            zones=zones,
        )
        with notified_on_error(app, settings, notify):
            return metrics.finish(execute_run(app, settings, output, metrics, notify))
