"""How the CLI carries out a run it has settled (`run`, `catch-up`): one call of the API with a progress bar,
then the result printed (text, or its `to_dict()` as JSON), counted for the metrics and sent as a digest; a stop
by signal is reported with the command that resumes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import click

from backfill import api
from backfill.api import Interrupted, stop_requested
from backfill.cli import render
from backfill.cli.metrics import MetricsSnapshot
from backfill.cli.notify import NotifySettings
from backfill.cli.options import exit_code_of, open_warehouse, resume_command, status_command
from backfill.settings import AppSettings, RunSettings
from warehouse import BadInput, PcfError


class Progress:
    """A progress bar on stderr when it is a terminal; silent otherwise (cron, CI, pipes)."""

    def __init__(self, json_logs: bool = False) -> None:
        self.bar: Any = None
        self.json_logs = json_logs  # JSON lines and a bar on one terminal would share lines

    def start(self, dates: list[date]) -> None:
        if sys.stderr.isatty() and dates and not self.json_logs:
            self.bar = click.progressbar(
                length=len(dates),
                label="Backfilling",
                file=sys.stderr,
                show_eta=True,
                item_show_func=lambda day: str(day) if day else "",
            )
            self.bar.__enter__()

    def advance(self, day: date, _verdict: object) -> None:
        if self.bar:
            self.bar.current_item = day
            self.bar.update(1)

    def close(self) -> None:
        if self.bar:
            self.bar.__exit__(None, None, None)


def execute_run(
    app: AppSettings,
    settings: RunSettings,
    output: str,
    metrics: MetricsSnapshot | None = None,
    notify: NotifySettings | None = None,
) -> int:
    from backfill.cli import render_runs  # loaded when a run is rendered

    progress = Progress(json_logs=app.log_format == "json")
    resume = resume_command(app, settings)
    try:
        with open_warehouse(app, read_only=settings.dry_run) as wh:
            result = api.run_with_settings(
                wh, settings, on_date=progress.advance, on_plan=progress.start, url=app.warehouse_url
            )
            wanted = notify is not None and bool(notify.urls) and not settings.dry_run
            audits = api.failing_audits(wh, result.start, result.end) if wanted else []
            newest = api.newest_published(wh) if metrics and metrics.wanted else None
        progress.close()
        if metrics:  # the closing log line counts them too
            metrics.record_run(result, newest)
        inspect = status_command(app, result.start, result.end)
        click.echo(render.to_json(result.to_dict()) if output == "json" else render_runs.run_text(result, inspect))
        if notify and not settings.dry_run:
            notify_run(app, result, notify, audits)
        return result.exit_code
    except BaseException as error:  # a signal may surface as a driver error (DuckDB's "Query interrupted")
        progress.close()
        stop = error if isinstance(error, Interrupted) else stop_requested()
        if stop is None:
            raise
        click.echo(
            f"Stopped by {stop.signal_name}: the chunk in flight was rolled back and nothing "
            f"half-done was recorded. To resume: {resume}",
            err=True,
        )
        raise stop from (None if stop is error else error)


@contextmanager
def notified_on_error(app: AppSettings, settings: RunSettings, notify: NotifySettings) -> Iterator[None]:
    """A run that stops on an error (not bad input, not a signal) is worth a message too."""
    from backfill.cli.digests import stopped_digest
    from backfill.cli.notify import notify as send

    try:
        yield
    except (BadInput, KeyboardInterrupt):
        raise
    except Exception as error:
        if not settings.dry_run:
            text = str(error) if isinstance(error, PcfError) else f"unexpected {type(error).__name__}: {error}"
            commands = [("To retry", resume_command(app, settings))]
            send(
                stopped_digest(settings.command, settings.start, settings.end, text, exit_code_of(error), commands),
                notify,
            )
        raise


def notify_run(app: AppSettings, result: api.RunResult, notify: NotifySettings, audits: list[api.AuditFinding]) -> None:
    if not notify.urls:  # the digest reads the whole result: only worth building for someone
        return
    from backfill.cli.digests import run_digest
    from backfill.cli.notify import notify as send

    commands = [("To look", status_command(app, result.start, result.end))]
    if result.exit_code:
        commands.append(("To retry (after fixing upstream, or with --force --reason TEXT)", result.resume_command))
    send(run_digest(result, commands, audits), notify)
