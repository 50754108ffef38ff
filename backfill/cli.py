"""The `pcf-backfill` command line: parse options, build settings, call the core, render results.

Errors are translated once, in `PcfGroup.main`, into one line on stderr and an exit code.
"""

from __future__ import annotations

import os
import shlex
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import structlog

from backfill import api, hints, render
from backfill.dates import DATE_FORM, league_today, parse_date
from backfill.freshness import newest_published
from backfill.logs import LOG_FORMATS, LOG_LEVELS, configure_logging
from backfill.metrics import MetricsSnapshot
from backfill.notify import NOTIFY_ON, NotifySettings, redacted
from backfill.settings import DEFAULT_CHUNK_DAYS, RERUN_MODES, AppSettings, RunSettings
from backfill.signals import Interrupted, stop_on_signals, stop_requested
from processors.policy import SOURCE_POLICIES
from warehouse import DEFAULT_URL, BadInput, Datasets, InvalidSetting, PcfError, Warehouse, connect

if TYPE_CHECKING:  # the runner pulls in the whole processing stack: only commands that compute import it
    from backfill.plan import Plan
    from backfill.runner import RunResult

log = structlog.get_logger()
OUTPUTS = ("text", "json")
MAX_LOOKBACK_DAYS = api.MAX_LOOKBACK_DAYS
# How this command line spells the fields the core's settings name (the core's errors say `min_coverage`).
FLAGS = {
    "start": "--start-date", "end": "--end-date", "dates": "--dates", "source": "--source", "rerun": "--rerun",
    "min_coverage": "--min-coverage", "warn_coverage": "--warn-coverage", "force": "--force",
    "allow_regression": "--allow-regression", "force_reason": "--reason", "chunk_days": "--chunk-days",
    "workers": "--workers", "as_of": "--as-of", "lookback_days": "--lookback-days",
    "retention_days": "--retention-days", "mode": "--mode", "max_lag_hours": "--max-lag-hours",
}  # fmt: skip


def error_line(error: PcfError) -> str:
    """A core error as this command line says it: settings fields become the flags that set them."""
    return error.named(FLAGS) if isinstance(error, InvalidSetting) else str(error)


def option(*decls: str, **kwargs: Any) -> Callable:
    """A click option that may also come from PCF_<OPTION> (e.g. PCF_MIN_COVERAGE)."""
    long_name = next(d for d in decls if d.startswith("--")).split("/")[0]
    kwargs.setdefault("envvar", "PCF_" + long_name[2:].upper().replace("-", "_"))
    kwargs.setdefault("show_envvar", False)
    return click.option(*decls, **kwargs)


class PcfGroup(click.Group):
    """Runs a command and turns every failure into one clear line and a distinct exit code."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:  # fmt: skip
        argv = list(sys.argv[1:] if args is None else args)
        with stop_on_signals():
            code = self.run_command(argv, prog_name, complete_var, **extra)
            stop = stop_requested()  # however a signal surfaced (or was swallowed), it decides the exit code
            code = stop.exit_code if stop is not None and code != stop.exit_code else code
        if standalone_mode:
            sys.exit(code)
        return code

    def run_command(self, argv: list[str], prog_name: Any, complete_var: Any, **extra: Any) -> int:
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except click.exceptions.Exit as done:
            code = done.exit_code
        except click.UsageError as error:
            click.echo(f"Error: {error.format_message()}{self.placement_hint(error)}", err=True)
            code = 2
        except click.ClickException as error:
            click.echo(f"Error: {error.format_message()}", err=True)
            code = error.exit_code
        except (KeyboardInterrupt, click.Abort) as stop:  # click wraps KeyboardInterrupt in Abort
            cause = stop if isinstance(stop, Interrupted) else stop.__cause__ or stop.__context__
            code = cause.exit_code if isinstance(cause, Interrupted) else 130
            if not isinstance(cause, Interrupted):
                click.echo("Interrupted.", err=True)
        except PcfError as error:
            click.echo(f"Error: {error_line(error)}", err=True)
            code = error.exit_code
        except Exception as error:  # the edge: anything unexpected is one line unless --debug
            if wants_tracebacks(argv):
                traceback.print_exc()
            click.echo(f"Error: unexpected {type(error).__name__}: {error} (rerun with --debug for details)",
                       err=True)  # fmt: skip
            code = 1
        return code


    def placement_hint(self, error: click.UsageError) -> str:
        """`status --warehouse URL` is a group option after the command: say where it goes."""
        name = getattr(error, "option_name", None)
        if not isinstance(error, click.NoSuchOption) or not any(name in param.opts for param in self.params):
            return ""
        return (f" ({name} is an option of pcf-backfill itself: put it before the command, as in "
                f"`pcf-backfill {name} … status …`)")  # fmt: skip


def wants_tracebacks(argv: list[str]) -> bool:
    """--debug or PCF_DEBUG, read here because the error may come before (or after) the group parsed them."""
    try:
        return "--debug" in argv or bool(click.BOOL.convert(os.environ.get("PCF_DEBUG") or "0", None, None))
    except click.BadParameter:
        return False


pass_app = click.make_pass_decorator(AppSettings)


def parse_datasets(_ctx: click.Context, _param: click.Parameter, text: str | None) -> Datasets:
    """Datasets from KEY=NAME pairs; a bad key or name is reported against --datasets."""
    try:
        return Datasets.parse(text)
    except BadInput as error:
        raise click.BadParameter(str(error).removeprefix("--datasets: ")) from None


@click.group(cls=PcfGroup, context_settings={"help_option_names": ["-h", "--help"]})
@option("--warehouse", default=DEFAULT_URL, show_default=True, metavar="URL",
        help="duckdb:///relative/file.duckdb, duckdb:////absolute/file.duckdb (add ?access_mode=read_only to "
             "only read) or bigquery://PROJECT[?location=US|EU|REGION].")
@option("--datasets", default=None, metavar="KEY=NAME[,...]", callback=parse_datasets,
        help="Dataset names per deployment; keys reference, analytics, precompute, orchestration.")
@option("--log-format", type=click.Choice(LOG_FORMATS), default="auto", show_default=True,
        help="auto: human-readable on a terminal, JSON otherwise.")
@option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), default="info", show_default=True)
@option("--today", "today_text", default=None, metavar="YYYY-MM-DD", hidden=True,
        help="Replay a past 'today' (America/New_York) in tests and demos; never later than the real today, "
             "and ignored by `cleanup --execute`.")
@option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="pcf-backfill")
@click.pass_context
def cli(ctx: click.Context, warehouse: str, datasets: Datasets, log_format: str, log_level: str,
        today_text: str | None, debug: bool) -> None:  # fmt: skip
    """Backfill NBA player composite factors with coverage gates, an atomic publish and a ledger.

    \b
    Example:
      pcf-backfill --warehouse duckdb:///pcf.duckdb run --start-date 2022-10-18 --end-date 2023-04-09
    """
    configure_logging(log_format, log_level.lower())
    today = pinned_today(today_text) if today_text else None
    ctx.obj = AppSettings(warehouse, datasets, log_format, log_level, today, debug)


# --- helpers shared by commands ------------------------------------------------------------
def pinned_today(text: str) -> date:
    """The test-only override of today: a replay of the past, never a jump into the future."""
    real_today = league_today()
    today = parse_date(text, "--today", real_today)
    if today > real_today:
        raise BadInput(f"--today: {today} is after the real today ({real_today}, America/New_York); "
                       "the override only replays past days")  # fmt: skip
    return today


def app_today(app: AppSettings) -> date:
    return app.today or league_today()


@contextmanager
def open_warehouse(app: AppSettings, *, must_exist: bool = True, read_only: bool = False) -> Iterator[Warehouse]:
    """Readers open read-only (on DuckDB they never block a run); writers name themselves to whoever waits."""
    writer = None if read_only else shlex.join(["pcf-backfill", *redacted(sys.argv[1:])])  # --notify URLs are secrets
    wh = connect(app.warehouse_url, app.datasets, must_exist=must_exist, read_only=read_only, writer=writer)
    try:
        yield wh
    finally:
        wh.close()


def date_option(name: str, **kwargs: Any) -> Callable:
    return option(name, metavar="DATE", help=f"{DATE_FORM}.", **kwargs)


def resolve_range(app: AppSettings, start_text: str | None, end_text: str | None,
                  dates_text: str | None) -> tuple[date, date, tuple[date, ...] | None]:  # fmt: skip
    today = app_today(app)
    if dates_text is not None:
        if start_text or end_text:
            raise BadInput("--dates: use either --dates or --start-date/--end-date, not both")
        items = [item for item in dates_text.split(",") if item.strip()]
        if not items:
            raise BadInput(f"--dates: expected a comma-separated list of {DATE_FORM}")
        return api.run_range(None, None, [parse_date(item, "--dates", today) for item in items], today)
    if start_text is None or end_text is None:  # an empty value is parsed, and refused, as a date
        raise BadInput("--start-date and --end-date are required (or --dates d1,d2); "
                       f"expected {DATE_FORM}")  # fmt: skip
    start = parse_date(start_text, "--start-date", today)
    return api.run_range(start, parse_date(end_text, "--end-date", today), None, today)


class Progress:
    """A progress bar on stderr when it is a terminal; silent otherwise (cron, CI, pipes)."""

    def __init__(self, json_logs: bool = False) -> None:
        self.bar: Any = None
        self.json_logs = json_logs  # JSON lines and a bar on one terminal would share lines

    def start(self, plan: Plan) -> None:
        if sys.stderr.isatty() and plan.selected and not self.json_logs:
            self.bar = click.progressbar(length=len(plan.selected), label="Backfilling", file=sys.stderr,
                                         show_eta=True, item_show_func=lambda day: str(day) if day else "")  # fmt: skip
            self.bar.__enter__()

    def advance(self, day: date, _verdict: dict) -> None:
        if self.bar:
            self.bar.current_item = day
            self.bar.update(1)

    def close(self) -> None:
        if self.bar:
            self.bar.__exit__(None, None, None)


def resume_command(app: AppSettings, settings: RunSettings) -> str:
    return hints.resume_command(app.warehouse_url, app.datasets, settings)


def status_command(app: AppSettings, start: date, end: date) -> str:
    return hints.status_command(app.warehouse_url, app.datasets, start, end)


def connection_words(app: AppSettings) -> list[str]:
    return hints.connection_words(app.warehouse_url, app.datasets)


def execute_run(app: AppSettings, settings: RunSettings, output: str, metrics: MetricsSnapshot | None = None,
                notify: NotifySettings | None = None) -> int:  # fmt: skip
    progress = Progress(json_logs=app.log_format == "json")
    resume = resume_command(app, settings)
    try:
        with open_warehouse(app, read_only=settings.dry_run) as wh:
            result = api.run_with_settings(wh, settings, on_date=progress.advance, on_plan=progress.start,
                                           url=app.warehouse_url).outcome  # fmt: skip
            if metrics and metrics.wanted:
                metrics.record_verdicts(result.verdicts)
                metrics.newest_published = newest_published(wh)
        progress.close()
        document = render.run_document(result, resume)
        inspect = status_command(app, settings.start, settings.end)
        click.echo(render.to_json(document) if output == "json" else render.run_text(result, resume, inspect))
        if notify and not settings.dry_run:
            notify_run(app, result, resume, notify)
        return result.exit_code
    except BaseException as error:  # a signal may surface as a driver error (DuckDB's "Query interrupted")
        progress.close()
        stop = error if isinstance(error, Interrupted) else stop_requested()
        if stop is None:
            raise
        click.echo(f"Stopped by {stop.signal_name}: the chunk in flight was rolled back and nothing "
                   f"half-done was recorded. To resume: {resume}", err=True)  # fmt: skip
        raise stop from (None if stop is error else error)


def output_option() -> Callable:
    return option("--output", type=click.Choice(OUTPUTS), default="text", show_default=True,
                  help="text for people, json for machines (one document on stdout).")  # fmt: skip


def threshold(name: str, default: float) -> Callable:
    return option(name, type=float, default=default, show_default=True, help="Fraction in (0, 1].")


# --- monitoring: --metrics-file and --notify (SPEC §11) ------------------------------------
def metrics_option() -> Callable:
    return option("--metrics-file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="PATH",
                  help="Write Prometheus metrics (node_exporter textfile format) here when the command ends; "
                       "replaced atomically.")  # fmt: skip


def notify_options(command: Callable) -> Callable:
    command = option("--notify-on", type=click.Choice(NOTIFY_ON), default="attention", show_default=True,
                     help="attention: only when a date is blocked, failed or forced, rows were deleted, or a date "
                          "recovered; always: after every invocation.")(command)  # fmt: skip
    return option("--notify", "notify_urls", multiple=True, metavar="URL",
                  help="Send one digest to this Apprise URL (slack://…, jsons://host/path, mailtos://…); repeatable; "
                       "env PCF_NOTIFY (space-separated). A secret: never logged or stored.")(command)  # fmt: skip


def exit_code_of(error: BaseException) -> int:
    """The exit code `PcfGroup.main` will report for an error escaping a command."""
    if isinstance(error, Interrupted | PcfError | click.ClickException):
        return error.exit_code
    if isinstance(error, click.exceptions.Exit):
        return error.exit_code
    return 130 if isinstance(error, KeyboardInterrupt | click.Abort) else 1


@contextmanager
def metrics_recorded(path: Path | None, command: str) -> Iterator[MetricsSnapshot]:
    """A snapshot the command fills in, written when it ends, however it ends (a SIGKILL writes nothing, so
    the previous file stays whole). Failing to write it is logged and changes no exit code."""
    from backfill.metrics import write_metrics

    if path is not None and not path.parent.is_dir():
        raise BadInput(f"--metrics-file: directory {path.parent} does not exist; "
                       "expected PATH in an existing directory")  # fmt: skip
    snapshot = MetricsSnapshot(command, wanted=path is not None)
    try:
        yield snapshot
    except BaseException as error:
        snapshot.finish(exit_code_of(error))
        raise
    finally:
        if path is not None:
            try:
                write_metrics(path, snapshot)
            except OSError as error:
                log.error("metrics_not_written", path=str(path), error=str(error))


@contextmanager
def notified_on_error(app: AppSettings, settings: RunSettings, notify: NotifySettings) -> Iterator[None]:
    """A run that stops on an error (not bad input, not a signal) is worth a message too."""
    from backfill.notify import notify as send
    from backfill.notify import stopped_digest

    try:
        yield
    except (BadInput, KeyboardInterrupt):
        raise
    except Exception as error:
        if not settings.dry_run:
            text = str(error) if isinstance(error, PcfError) else f"unexpected {type(error).__name__}: {error}"
            commands = [("To retry", resume_command(app, settings))]
            send(stopped_digest(settings.command, settings.start, settings.end, text, exit_code_of(error), commands),
                 notify)  # fmt: skip
        raise


def notify_run(app: AppSettings, result: RunResult, resume: str, notify: NotifySettings) -> None:
    from backfill.notify import notify as send
    from backfill.notify import run_digest

    settings = result.settings
    commands = [("To look", status_command(app, settings.start, settings.end))]
    if result.exit_code:
        commands.append(("To retry (after fixing upstream, or with --force --reason TEXT)", resume))
    send(run_digest(result, commands), notify)


# --- commands -------------------------------------------------------------------------------
@cli.command()
@pass_app
def init(app: AppSettings) -> int:
    """Create datasets and every table (idempotent).

    \b
    Example:
      pcf-backfill --warehouse duckdb:///pcf.duckdb init
    """
    with open_warehouse(app, must_exist=False) as wh:
        created = wh.create_tables()
        added = wh.migrate_tables()
        click.echo(f"Warehouse: {wh.describe()}")
    click.echo(f"Created {len(created)} tables: {', '.join(created)}" if created else "All tables already exist.")
    if added:
        click.echo(f"Added {len(added)} columns (existing rows kept): {', '.join(added)}")
    return 0


@cli.command()
@option("--seasons", default="2022", show_default=True, metavar="YYYY[-YYYY]",
        help="Season start years, 2000 to 2025 (2022 means 2022-23).")
@option("--seed", type=click.IntRange(min=0), default=42, show_default=True)
@option("--replace", is_flag=True, help="Replace the input tables of a warehouse that already has data.")
@option("--allow-bigquery", is_flag=True, help="Allow writing the demo league into a BigQuery project.")
@pass_app
def demo(app: AppSettings, seasons: str, seed: int, replace: bool, allow_bigquery: bool) -> int:
    """Generate the deterministic demo league into the warehouse.

    \b
    Example:
      pcf-backfill --warehouse duckdb:///pcf.duckdb demo --seasons 2021-2024 --seed 42
    """
    from demo import generate_demo, parse_seasons

    season_list = parse_seasons(seasons)
    with open_warehouse(app, must_exist=False) as wh:
        summary = generate_demo(wh, season_list, seed, replace=replace, allow_bigquery=allow_bigquery)
        click.echo(f"Warehouse: {wh.describe()}")
    rows = ", ".join(f"{key} {count:,}" for key, count in summary.rows.items())
    click.echo(f"Demo league (seasons {', '.join(map(str, summary.seasons))}, seed {seed}) written: {rows}")
    return 0


RUN_EPILOG = """\b
Examples:
  pcf-backfill run --start-date 2022-10-18 --end-date 2023-04-09
  pcf-backfill run --dates 2023-02-23,2023-02-24 --dry-run
  pcf-backfill run --start-date 2023-02-20 --end-date 2023-02-26 --force --reason "UPCG known stale"
"""


@cli.command(epilog=RUN_EPILOG)
@date_option("--start-date")
@date_option("--end-date")
@option("--dates", "dates_text", default=None, metavar="D1,D2,...", help="Explicit dates (same gates as a range).")
@threshold("--min-coverage", 0.90)
@threshold("--warn-coverage", 0.95)
@option("--source", type=click.Choice(SOURCE_POLICIES), default="auto", show_default=True,
        help="auto: UPCG if it covers ≥90% of who played, else box scores; fill: per player; upcg/pgs: one only.")
@option("--rerun", type=click.Choice(RERUN_MODES), default="pending", show_default=True,
        help="pending: every date not yet published or skipped; blocked / failed: only dates in that state; "
             "all: every game date.")
@option("--force", is_flag=True, help="Publish blocked dates that hold nothing better (needs --reason).")
@option("--allow-regression", is_flag=True,
        help="Let rows of lower quality replace a date's published rows (needs --reason).")
@option("--reason", default=None, help="Why forcing or allowing a regression is right; recorded in the ledger.")
@option("--dry-run", is_flag=True, help="Plan, compute and gate, but write nothing.")
@option("--chunk-days", type=int, default=DEFAULT_CHUNK_DAYS, show_default=True,
        help="Calendar days per chunk: each chunk is gated and published in its own transaction.")
@option("--workers", type=int, default=1, show_default=True, help="Chunks computed concurrently.")
@output_option()
@metrics_option()
@notify_options
@pass_app
def run(app: AppSettings, start_date: str | None, end_date: str | None, dates_text: str | None,
        min_coverage: float, warn_coverage: float, source: str, rerun: str, force: bool, allow_regression: bool,
        reason: str | None, dry_run: bool, chunk_days: int, workers: int, output: str, metrics_file: Path | None,
        notify_urls: tuple[str, ...], notify_on: str) -> int:  # fmt: skip
    """Backfill a date range: plan, compute, gate, publish atomically, record in the ledger."""
    with metrics_recorded(metrics_file, "run") as metrics:
        notify = NotifySettings(notify_urls, notify_on)
        start, end, dates = resolve_range(app, start_date, end_date, dates_text)
        settings = api.run_settings(start, end, dates=dates, source=source, min_coverage=min_coverage,
                                    warn_coverage=warn_coverage, force=force, allow_regression=allow_regression,
                                    reason=reason, rerun=rerun, dry_run=dry_run, chunk_days=chunk_days,
                                    workers=workers, today=app_today(app))  # fmt: skip
        with notified_on_error(app, settings, notify):
            return metrics.finish(execute_run(app, settings, output, metrics, notify))


@cli.command("catch-up")
@option("--lookback-days", type=click.IntRange(min=1, max=MAX_LOOKBACK_DAYS), default=14, show_default=True)
@threshold("--min-coverage", 0.90)
@threshold("--warn-coverage", 0.95)
@option("--chunk-days", type=int, default=DEFAULT_CHUNK_DAYS, show_default=True)
@option("--as-of", "as_of_text", default=None, metavar="DATE",
        help="Rehearse the catch-up of another day (YYYY-MM-DD, not after today): the window ends the day before.")
@option("--dry-run", is_flag=True, help="Plan, compute and gate, but write nothing.")
@output_option()
@metrics_option()
@notify_options
@pass_app
def catch_up(app: AppSettings, lookback_days: int, min_coverage: float, warn_coverage: float,
             chunk_days: int, as_of_text: str | None, dry_run: bool, output: str, metrics_file: Path | None,
             notify_urls: tuple[str, ...], notify_on: str) -> int:  # fmt: skip
    """Nightly: backfill today−lookback … yesterday (America/New_York), retrying anything not published.

    \b
    Example (cron, 05:00 America/New_York):
      pcf-backfill --log-format json catch-up --lookback-days 14
    Rehearse what the catch-up of 2023-02-28 would have done:
      pcf-backfill catch-up --as-of 2023-02-28 --dry-run
    """
    with metrics_recorded(metrics_file, "catch-up") as metrics:
        notify = NotifySettings(notify_urls, notify_on)
        today = app_today(app)
        as_of = parse_date(as_of_text, "--as-of", today) if as_of_text else None
        settings = api.catch_up_settings(as_of=as_of, lookback_days=lookback_days, min_coverage=min_coverage,
                                         warn_coverage=warn_coverage, chunk_days=chunk_days, dry_run=dry_run,
                                         today=today)  # fmt: skip
        with notified_on_error(app, settings, notify):
            return metrics.finish(execute_run(app, settings, output, metrics, notify))


@cli.command()
@date_option("--start-date", required=True)
@date_option("--end-date", required=True)
@output_option()
@pass_app
def status(app: AppSettings, start_date: str, end_date: str, output: str) -> int:
    """Per-date ledger state of a range and a summary.

    \b
    Example:
      pcf-backfill status --start-date 2023-02-01 --end-date 2023-02-28 --output json
    """
    start, end, _ = resolve_range(app, start_date, end_date, None)
    with open_warehouse(app, read_only=True) as wh:
        report = api.status(wh, start, end).frame
    if output == "json":
        click.echo(render.to_json(render.status_document(report, start, end)))
    else:
        click.echo(render.status_text(report, colour=sys.stdout.isatty(), today=app_today(app)))
    return 0


@cli.command()
@date_option("--start-date", required=True)
@date_option("--end-date", required=True)
@threshold("--min-coverage", 0.90)
@output_option()
@metrics_option()
@notify_options
@pass_app
def validate(app: AppSettings, start_date: str, end_date: str, min_coverage: float, output: str,
             metrics_file: Path | None, notify_urls: tuple[str, ...], notify_on: str) -> int:  # fmt: skip
    """Reconcile the tables: who played vs rows published, duplicates, ledger disagreements.

    Exit 3 when any game date needs attention.

    \b
    Example:
      pcf-backfill validate --start-date 2022-10-18 --end-date 2023-04-09
    """
    with metrics_recorded(metrics_file, "validate") as metrics:
        notify = NotifySettings(notify_urls, notify_on)
        start, end, _ = resolve_range(app, start_date, end_date, None)
        with open_warehouse(app, read_only=True) as wh:
            checked = api.validate(wh, start, end, min_coverage=min_coverage, url=app.warehouse_url)
            metrics.newest_published = newest_published(wh) if metrics.wanted else None
        report, problems, repairs = checked.frame, checked.attention, checked.repairs
        metrics.dates_with_problems = len(problems)
        if output == "json":
            click.echo(render.to_json(render.validate_document(report, problems, start, end, repairs)))
        else:
            click.echo(render.validate_text(report, problems, start, end, repairs))
        notify_validate(app, problems, start, end, notify, repairs)
        return metrics.finish(3 if len(problems) else 0)


def notify_validate(app: AppSettings, problems: Any, start: date, end: date, notify: NotifySettings,
                    repairs: list[str]) -> None:  # fmt: skip
    from backfill.notify import notify as send
    from backfill.notify import validate_digest

    commands = [("To look", status_command(app, start, end)), *(("To repair", repair) for repair in repairs)]
    send(validate_digest(problems, start, end, commands), notify)


def app_now(app: AppSettings) -> datetime:
    """Now in America/New_York; a pinned --today means the first moment of that day."""
    return api.league_now(app.today)


@cli.command()
@option("--max-lag-hours", type=click.FloatRange(min=0), default=30.0, show_default=True,
        help="How long after a game date ends (midnight America/New_York) it may stay unpublished.")
@output_option()
@metrics_option()
@pass_app
def freshness(app: AppSettings, max_lag_hours: float, output: str, metrics_file: Path | None) -> int:
    """Is every final game date up to yesterday published (rows in the table, not just the ledger)?

    Exit 0 fresh, 3 stale (names the oldest missing date), 1 when the warehouse cannot be read.
    Off-days and the All-Star break come from the schedule; bootstrap dates are never stale.

    \b
    Example (a monitor polling every hour):
      pcf-backfill freshness --max-lag-hours 30 --output json
    """
    with metrics_recorded(metrics_file, "freshness") as metrics:
        with open_warehouse(app, read_only=True) as wh:
            fresh = api.freshness(wh, max_lag_hours=max_lag_hours, now=app_now(app)).details
            metrics.newest_published = newest_published(wh) if metrics.wanted else None
        metrics.stale, metrics.overdue_dates, metrics.oldest_overdue_hours = (
            fresh.stale, len(fresh.overdue), fresh.hours_late)
        if output == "json":
            click.echo(render.to_json(render.freshness_document(fresh, connection_words(app))))
        else:
            click.echo(render.freshness_text(fresh, connection_words(app)))
        return metrics.finish(fresh.exit_code)


@cli.command()
@date_option("--start-date", required=True)
@date_option("--end-date", required=True)
@option("--html", "html_path", required=True, type=click.Path(dir_okay=False, writable=True), metavar="FILE",
        help="Where to write the self-contained HTML report.")
@pass_app
def report(app: AppSettings, start_date: str, end_date: str, html_path: str) -> int:
    """Write an HTML coverage report: calendar heatmap, per-date detail, per-season coverage chart.

    \b
    Example:
      pcf-backfill report --start-date 2022-10-01 --end-date 2023-04-30 --html season.html
    """
    from backfill.report import write_report

    start, end, _ = resolve_range(app, start_date, end_date, None)
    with open_warehouse(app, read_only=True) as wh:
        path = write_report(wh, start, end, Path(html_path))
    click.echo(f"Report written to {path}")
    return 0


CLEANUP_EPILOG = """\b
Examples:
  pcf-backfill cleanup --mode partial                 # dry run: what would go
  pcf-backfill cleanup --mode partial --execute       # back up, delete, verify, audit
  pcf-backfill cleanup restore upcoming_player_game_context_backup_20230301T090000
"""


@cli.group(invoke_without_command=True, epilog=CLEANUP_EPILOG)
@option("--retention-days", type=int, default=7, show_default=True,
        help="Rows older than today−N (America/New_York) are stale; today and the future are never touched.")
@option("--mode", type=click.Choice(("all", "partial")), default="all", show_default=True,
        help="all: every stale row; partial: only dates whose UPCG covers < 90% of who played.")
@option("--execute", is_flag=True, help="Really delete (default: dry run).")
@option("--no-backup", is_flag=True, help="Skip the backup table (the rows cannot be restored).")
@output_option()
@notify_options
@pass_app
@click.pass_context
def cleanup(ctx: click.Context, app: AppSettings, retention_days: int, mode: str, execute: bool,
            no_backup: bool, output: str, notify_urls: tuple[str, ...], notify_on: str) -> int:  # fmt: skip
    """Remove stale rows from the upcoming-context table (UPCG), with a dry run, a backup and an audit row."""
    # built (and so checked) even when `restore` follows: a bad group option is bad input either way
    settings = api.cleanup_settings(retention_days=retention_days, mode=mode, execute=execute, backup=not no_backup,
                                    today=app_today(app))  # fmt: skip
    notify = NotifySettings(notify_urls, notify_on)
    if ctx.invoked_subcommand:
        return 0
    with open_warehouse(app, read_only=not execute) as wh:
        result = api.cleanup_with_settings(wh, settings)
    click.echo(render.to_json(render.cleanup_document(result)) if output == "json" else render.cleanup_text(result))
    if execute:
        notify_cleanup(app, result, notify)
    return 0


def notify_cleanup(app: AppSettings, result: Any, notify: NotifySettings) -> None:
    from backfill.notify import cleanup_digest
    from backfill.notify import notify as send

    commands = [("To undo", shlex.join([*connection_words(app), "cleanup", "restore",
                                        result.backup_table]))] if result.backup_table else []  # fmt: skip
    send(cleanup_digest(result, commands), notify)


@cleanup.command()
@click.argument("backup_table")
@pass_app
def restore(app: AppSettings, backup_table: str) -> int:
    """Put a cleanup backup's rows back into UPCG.

    \b
    Example:
      pcf-backfill cleanup restore upcoming_player_game_context_backup_20230301T090000
    """
    with open_warehouse(app) as wh:
        restored = api.restore(wh, backup_table)
    click.echo(f"Restored {restored:,} rows from {backup_table} into upcoming_player_game_context.")
    return 0


LOCK_EPILOG = """\b
Examples:
  pcf-backfill lock status
  pcf-backfill lock release 3f2a9c… --reason "host pcf-7 was replaced; its run is gone"
"""


@cli.group(epilog=LOCK_EPILOG)
def lock() -> None:
    """List and release the leases that keep overlapping runs apart (what exit code 4 names)."""


@lock.command("status")
@output_option()
@pass_app
def lock_status(app: AppSettings, output: str) -> int:
    """Who holds a lease (or the DuckDB writers' lock): range, host, PID, command, last heartbeat.

    \b
    Example:
      pcf-backfill --warehouse bigquery://my-project lock status --output json
    """
    with open_warehouse(app, read_only=True) as wh:
        held = wh.leases()
    if output == "json":
        click.echo(render.to_json({"leases": held.astype(object).where(held.notna(), None).to_dict("records")}))
    else:
        click.echo(render.table(held.astype(str)) if len(held) else "No lease is held.")
    return 0


@lock.command("release")
@click.argument("lease_id")
@option("--reason", required=True, help="Why the lease may go (recorded in backfill_runs).")
@pass_app
def lock_release(app: AppSettings, lease_id: str, reason: str) -> int:
    """Release a lease whose holder is gone (a crashed host): overlapping runs may start at once.

    \b
    Example:
      pcf-backfill --warehouse bigquery://my-project lock release 3f2a9c1d --reason "host pcf-7 was replaced"
    """
    from backfill.leases import release

    # read-only on DuckDB: its lock is a process's, released only by stopping it (BigQuery writes as usual)
    with open_warehouse(app, read_only=True) as wh:
        lease = release(wh, lease_id, reason, api.new_invocation("lock release"))
    click.echo(f"Released lease {lease_id} of run {lease.get('holder')} (PID {lease.get('pid')} on "
               f"{lease.get('host')}); the release and its reason are recorded in backfill_runs.")  # fmt: skip
    return 0


def main() -> None:
    cli(prog_name="pcf-backfill")


if __name__ == "__main__":
    main()
