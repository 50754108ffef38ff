"""What commands share: options defined once, the warehouse, dates, hints, metrics and notifications."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from backfill import api, hints
from backfill.cli.edge import report_counts
from backfill.cli.metrics import MetricsSnapshot
from backfill.cli.notify import NOTIFY_ON, redacted
from backfill.cli.params import AUDIT_THRESHOLD, DATE
from backfill.cli.root import option
from backfill.dates import DATE_FORM, league_today
from backfill.settings import AppSettings, RunSettings, bigquery_tuning
from validation.rules import DEFAULT_BASELINE_DATES
from vocabulary import ZONE_MODES
from warehouse import BadInput, Interrupted, PcfError, Warehouse, connect
from warehouse.logger import get_logger
from warehouse.outputs import METRICS_FILE, checked_output
from warehouse.urls import DuckDBUrl, parse_url

log = get_logger(__name__)


OUTPUTS = ("text", "json")


def app_today(app: AppSettings) -> date:
    return app.today or league_today()


def app_now(app: AppSettings) -> datetime:
    """Now in America/New_York; a pinned --today means the first moment of that day."""
    return api.league_now(app.today)


@contextmanager
def open_warehouse(app: AppSettings, *, must_exist: bool = True, read_only: bool = False) -> Iterator[Warehouse]:
    """Readers open read-only (on DuckDB they never block a run); writers name themselves to whoever waits."""
    writer = None if read_only else shlex.join(["pcf-backfill", *redacted(sys.argv[1:])])  # --notify URLs are secrets
    wh = connect(
        app.warehouse_url,
        app.datasets,
        must_exist=must_exist,
        read_only=read_only,
        writer=writer,
        emulator_host=app.emulator_host,
        credentials_file=app.credentials_file,
        bigquery=bigquery_tuning(os.environ),
        command=click.get_current_context().info_name,
    )
    try:
        yield wh
    finally:
        wh.close()


def date_option(name: str, **kwargs: Any) -> Callable[[FC], FC]:
    return option(name, type=DATE, metavar="DATE", help=f"{DATE_FORM}.", **kwargs)


def resolve_range(
    app: AppSettings, start: date | None, end: date | None, dates: list[date] | None
) -> tuple[date, date, tuple[date, ...] | None]:
    """The range a command covers: --start-date/--end-date or --dates, never after today."""
    today = app_today(app)
    if dates is not None:
        if start or end:
            raise BadInput("--dates: use either --dates or --start-date/--end-date, not both")
        return api.run_range(None, None, dates, today)
    if start is None or end is None:
        raise BadInput(f"--start-date and --end-date are required (or --dates d1,d2); expected {DATE_FORM}")
    return api.run_range(start, end, None, today)


def resume_command(app: AppSettings, settings: RunSettings) -> str:
    return hints.resume_command(app.warehouse_url, app.datasets, settings)


def status_command(app: AppSettings, start: date, end: date) -> str:
    return hints.status_command(app.warehouse_url, app.datasets, start, end)


def connection_words(app: AppSettings) -> list[str]:
    return hints.connection_words(app.warehouse_url, app.datasets)


def output_option() -> Callable[[FC], FC]:
    return option(
        "--output",
        type=click.Choice(OUTPUTS),
        default="text",
        show_default=True,
        help="text for people, json for machines (one document on stdout).",
    )


def audit_options(command: FC) -> FC:
    command = option(
        "--baseline-dates",
        type=int,
        default=DEFAULT_BASELINE_DATES,
        show_default=True,
        help="Trailing published dates of the season the drift audits compare a date with.",
    )(command)
    return option(
        "--audit-threshold",
        "audit_threshold",
        multiple=True,
        type=AUDIT_THRESHOLD,
        metavar="NAME=VALUE",
        callback=lambda _ctx, _param, pairs: dict(pairs),  # the last value of a name wins
        help="Override an audit's threshold (repeatable); `pcf-backfill config` lists them.",
    )(command)


def zones_option() -> Callable[[FC], FC]:
    return option(
        "--zones",
        type=click.Choice(ZONE_MODES),
        default="auto",
        show_default=True,
        help="Zone rows (PSZA/TDZA) the tables lack or that disagree with the box scores: auto builds them "
        "from the box scores (the PCF rows carry ZONE_FROM_BOX_SCORES); tables leaves them missing "
        "and the zone coverage gate decides.",
    )


def threshold(name: str, default: float) -> Callable[[FC], FC]:
    return option(name, type=float, default=default, show_default=True, help="Fraction in (0, 1].")


def metrics_option() -> Callable[[FC], FC]:
    return option(
        "--metrics-file",
        type=click.Path(path_type=Path),
        default=None,
        metavar="PATH",
        help="Write Prometheus metrics (node_exporter textfile format) here when the command ends; "
        "replaced atomically; never over a file that is not such a metrics file.",
    )


def notify_options(command: FC) -> FC:
    command = option(
        "--notify-on",
        type=click.Choice(NOTIFY_ON),
        default="attention",
        show_default=True,
        help="attention: only when a date is blocked, failed or forced, rows were deleted, or a date "
        "recovered; always: after every invocation.",
    )(command)
    return option(
        "--notify",
        "notify_urls",
        multiple=True,
        metavar="URL",
        help="Send one digest to this Apprise URL (slack://…, jsons://host/path, mailtos://…); repeatable; "
        "env PCF_NOTIFY (space-separated). A secret: never logged or stored.",
    )(command)


def exit_code_of(error: BaseException) -> int:
    """The exit code `PcfGroup.main` will report for an error escaping a command."""
    if isinstance(error, Interrupted | PcfError | click.ClickException):
        return error.exit_code
    if isinstance(error, click.exceptions.Exit):
        return error.exit_code
    return 130 if isinstance(error, KeyboardInterrupt | click.Abort) else 1


def input_files(app: AppSettings) -> list[Path]:
    """The files this invocation reads and no output may replace: a DuckDB warehouse's, the config file."""
    try:
        url = parse_url(app.warehouse_url)
    except BadInput:
        url = None
    database = [Path(url.path), Path(url.path + ".wal")] if isinstance(url, DuckDBUrl) else []
    return database + ([app.config_file] if app.config_file else [])


@contextmanager
def metrics_recorded(app: AppSettings, path: Path | None, command: str) -> Iterator[MetricsSnapshot]:
    """A snapshot the command fills in, written when it ends, however it ends (a SIGKILL writes nothing, so
    the previous file stays whole). Failing to write it is logged and changes no exit code."""
    from backfill.cli.metrics import write_metrics

    if path is not None:
        checked_output(path, METRICS_FILE, input_files(app))
    snapshot = MetricsSnapshot(command, wanted=path is not None)
    try:
        yield snapshot
    except BaseException as error:
        snapshot.finish(exit_code_of(error))
        raise
    finally:
        report_counts(**snapshot.counts())
        if path is not None:
            try:
                write_metrics(path, snapshot)
            except OSError as error:
                log.error("metrics_not_written", path=str(path), error=str(error))
