"""`status`, `validate`, `freshness` and `report`: read-only views of the warehouse.

What they read and render are plain rows: no pandas, no BigQuery client on DuckDB (the report's modules load
with `report`)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from backfill import api
from backfill.cli import render, render_inspect
from backfill.cli.edge import report_counts
from backfill.cli.notify import NotifySettings
from backfill.cli.options import (
    app_now,
    app_today,
    connection_words,
    date_option,
    input_files,
    metrics_option,
    metrics_recorded,
    notify_options,
    open_warehouse,
    output_option,
    resolve_range,
    status_command,
    threshold,
)
from backfill.cli.root import cli, option, pass_app
from backfill.settings import AppSettings
from validation.rules import DEFAULT_MIN_COVERAGE
from warehouse.outputs import HTML_REPORT, checked_output


@cli.command()
@date_option("--start-date", required=True)
@date_option("--end-date", required=True)
@output_option()
@pass_app
def status(app: AppSettings, start_date: date, end_date: date, output: str) -> int:
    """Per-date ledger state of a range and a summary.

    \b
    Example:
      pcf-backfill status --start-date 2023-02-01 --end-date 2023-02-28 --output json
    """
    start, end, _ = resolve_range(app, start_date, end_date, None)
    with open_warehouse(app, read_only=True) as wh:
        result = api.status(wh, start, end)
    report_counts(dates=result.counts)
    if output == "json":
        click.echo(render.to_json(result.to_dict()))
    else:
        click.echo(render_inspect.status_text(result, colour=sys.stdout.isatty(), today=app_today(app)))
    return 0


@cli.command()
@date_option("--start-date", required=True)
@date_option("--end-date", required=True)
@threshold("--min-coverage", DEFAULT_MIN_COVERAGE)
@option(
    "--recompute",
    is_flag=True,
    help="Recompute every published date in memory and compare value by value: matching dates get their input "
    "fingerprint recorded, differing ones are recorded as stale.",
)
@output_option()
@metrics_option()
@notify_options
@pass_app
def validate(
    app: AppSettings,
    start_date: date,
    end_date: date,
    min_coverage: float,
    recompute: bool,
    output: str,
    metrics_file: Path | None,
    notify_urls: tuple[str, ...],
    notify_on: str,
) -> int:
    """Reconcile the tables: who played vs rows published, duplicates, ledger disagreements.

    Published dates whose inputs changed since (stale) or that nothing vouches for (unverified) need attention too.

    Exit 3 when any game date needs attention.

    \b
    Example:
      pcf-backfill validate --start-date 2022-10-18 --end-date 2023-04-09
    After an upgrade, prove code and data agree (and verify dates published before fingerprints):
      pcf-backfill validate --start-date 2022-10-18 --end-date 2023-04-09 --recompute
    """
    with metrics_recorded(app, metrics_file, "validate") as metrics:
        notify = NotifySettings(notify_urls, notify_on)
        start, end, _ = resolve_range(app, start_date, end_date, None)
        with open_warehouse(app, read_only=not recompute) as wh:
            checked = api.validate(
                wh, start, end, min_coverage=min_coverage, url=app.warehouse_url, recompute=recompute
            )
        metrics.newest_published = checked.newest_published
        metrics.dates_with_problems = len(checked.problems)
        metrics.dates = {
            state: sum(row.get("inputs") == state for row in checked.rows) for state in ("stale", "unverified")
        }
        if output == "json":
            click.echo(render.to_json(checked.to_dict()))
        else:
            click.echo(render_inspect.validate_text(checked))
        notify_validate(app, checked, notify)
        return metrics.finish(checked.exit_code)


def notify_validate(app: AppSettings, checked: api.ValidateResult, notify: NotifySettings) -> None:
    from backfill.cli.digests import validate_digest
    from backfill.cli.notify import notify as send

    commands = [("To look", status_command(app, checked.start, checked.end))]
    commands += [("To repair", repair) for repair in checked.repairs]
    send(validate_digest(checked, commands), notify)


@cli.command()
@option(
    "--max-lag-hours",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="How long after a game date ends (midnight America/New_York) it may stay unpublished.",
)
@output_option()
@metrics_option()
@notify_options
@pass_app
def freshness(
    app: AppSettings,
    max_lag_hours: float,
    output: str,
    metrics_file: Path | None,
    notify_urls: tuple[str, ...],
    notify_on: str,
) -> int:
    """Is every final game date up to yesterday published (rows in the table, not just the ledger), and is every
    published date still true to its inputs?

    Exit 0 fresh, 3 stale (names the oldest missing date, or the dates whose inputs changed), 1 when the warehouse
    cannot be read. Off-days and the All-Star break come from the schedule; bootstrap dates are never stale.

    \b
    Example (a monitor polling every hour):
      pcf-backfill freshness --max-lag-hours 30 --output json
    """
    with metrics_recorded(app, metrics_file, "freshness") as metrics:
        with open_warehouse(app, read_only=True) as wh:
            checked = api.freshness(wh, max_lag_hours=max_lag_hours, now=app_now(app), url=app.warehouse_url)
        fresh = checked.details  # the text and the digest list the missing dates from its frame
        metrics.newest_published = fresh.newest_published
        metrics.stale, metrics.overdue_dates, metrics.oldest_overdue_hours = (
            fresh.stale,
            len(fresh.overdue),
            fresh.hours_late,
        )
        if output == "json":
            click.echo(render.to_json(checked.to_dict()))
        else:
            click.echo(render_inspect.freshness_text(fresh, connection_words(app)))
        notify_freshness(fresh, connection_words(app), NotifySettings(notify_urls, notify_on))
        return metrics.finish(fresh.exit_code)


def notify_freshness(fresh: Any, connection: list[str], notify: NotifySettings) -> None:
    from backfill.cli.digests import freshness_digest
    from backfill.cli.notify import notify as send

    commands = [
        (purpose, command)
        for purpose, command in (
            ("To fix", fresh.fix_command(connection)),
            ("To republish", fresh.republish_command(connection)),
        )
        if command
    ]
    send(freshness_digest(fresh, commands), notify)


@cli.command()
@date_option("--start-date", required=True)
@date_option("--end-date", required=True)
@option(
    "--html",
    "html_path",
    required=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Where to write the self-contained HTML report (a new file, or a report this tool wrote).",
)
@pass_app
def report(app: AppSettings, start_date: date, end_date: date, html_path: Path) -> int:
    """Write an HTML coverage report: calendar heatmap, per-date detail, per-season coverage chart.

    \b
    Example:
      pcf-backfill report --start-date 2022-10-01 --end-date 2023-04-30 --html season.html
    """
    from backfill.cli.report import write_report  # the page's modules load with `report` only

    checked_output(html_path, HTML_REPORT, input_files(app))
    start, end, _ = resolve_range(app, start_date, end_date, None)
    with open_warehouse(app, read_only=True) as wh:
        states = api.status(wh, start, end)
        path = write_report(states, html_path, [*input_files(app), *wh.local_files()])
    report_counts(dates=states.counts)
    click.echo(f"Report written to {path}")
    return 0
