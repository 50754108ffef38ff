"""`cleanup` and `cleanup restore` (SPEC §8)."""

from __future__ import annotations

import shlex
from typing import Any

import click

from backfill import api
from backfill.cli import render
from backfill.cli.edge import report_counts
from backfill.cli.notify import NotifySettings
from backfill.cli.options import app_today, connection_words, notify_options, open_warehouse, output_option
from backfill.cli.root import cli, option, pass_app
from backfill.settings import AppSettings
from vocabulary import UPCG_SUFFICIENT

CLEANUP_EPILOG = """\b
Examples:
  pcf-backfill cleanup --mode partial                 # dry run: what would go
  pcf-backfill cleanup --mode partial --execute       # back up, delete, verify, audit
  pcf-backfill cleanup restore upcoming_player_game_context_backup_20230301T090000
"""


@cli.group(invoke_without_command=True, epilog=CLEANUP_EPILOG)
@option(
    "--retention-days",
    type=int,
    default=7,
    show_default=True,
    help="Rows older than today−N (America/New_York) are stale; today and the future are never touched.",
)
@option(
    "--mode",
    type=click.Choice(("all", "partial")),
    default="all",
    show_default=True,
    help=f"all: every stale row; partial: only dates whose UPCG covers < {UPCG_SUFFICIENT:.0%} of who played.",
)
@option("--execute", is_flag=True, help="Really delete (default: dry run).")
@option("--no-backup", is_flag=True, help="Skip the backup table (the rows cannot be restored).")
@output_option()
@notify_options
@pass_app
@click.pass_context
def cleanup(
    ctx: click.Context,
    app: AppSettings,
    retention_days: int,
    mode: str,
    execute: bool,
    no_backup: bool,
    output: str,
    notify_urls: tuple[str, ...],
    notify_on: str,
) -> int:
    """Remove stale rows from the upcoming-context table (UPCG), with a dry run, a backup and an audit row."""
    from backfill.cli import render_runs  # pandas: a cleanup's result is frames

    # built (and so checked) even when `restore` follows: a bad group option is bad input either way
    settings = api.cleanup_settings(
        retention_days=retention_days, mode=mode, execute=execute, backup=not no_backup, today=app_today(app)
    )
    notify = NotifySettings(notify_urls, notify_on)
    if ctx.invoked_subcommand:
        return 0
    with open_warehouse(app, read_only=not execute) as wh:
        result = api.cleanup_with_settings(wh, settings)
    report_counts(rows_matched=result.rows_matched, rows_deleted=result.rows_deleted)
    undo = (
        shlex.join([*connection_words(app), "cleanup", "restore", result.backup_table]) if result.backup_table else None
    )
    click.echo(
        render.to_json(render_runs.cleanup_document(result, undo))
        if output == "json"
        else render_runs.cleanup_text(result, undo)
    )
    if execute:
        notify_cleanup(result, undo, notify)
    return 0


def notify_cleanup(result: Any, undo: str | None, notify: NotifySettings) -> None:
    from backfill.cli.digests import cleanup_digest
    from backfill.cli.notify import notify as send

    send(cleanup_digest(result, [("To undo", undo)] if undo else []), notify)


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
    report_counts(rows_restored=restored)
    click.echo(f"Restored {restored:,} rows from {backup_table} into upcoming_player_game_context.")
    return 0
