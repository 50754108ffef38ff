"""`lock status` and `lock release`: the leases that keep overlapping runs apart (exit code 4)."""

from __future__ import annotations

import click

from backfill import api
from backfill.cli import render
from backfill.cli.options import open_warehouse, output_option
from backfill.cli.root import cli, option, pass_app
from backfill.settings import AppSettings

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
        held = api.leases(wh)
    if output == "json":
        click.echo(render.to_json({"leases": held.leases}))
    else:
        click.echo(render.leases_text(held.frame))
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
    # read-only on DuckDB: its lock is a process's, released only by stopping it (BigQuery writes as usual)
    with open_warehouse(app, read_only=True) as wh:
        lease = api.release_lease(wh, lease_id, reason=reason)
    click.echo(
        f"Released lease {lease_id} of run {lease.get('holder')} (PID {lease.get('pid')} on "
        f"{lease.get('host')}); the release and its reason are recorded in backfill_runs."
    )
    return 0
