"""`init` and `demo`: create the tables, generate the demo league."""

from __future__ import annotations

import click

from backfill import api
from backfill.cli.options import open_warehouse
from backfill.cli.root import cli, option, pass_app
from backfill.settings import AppSettings


@cli.command()
@option(
    "--with-inputs",
    is_flag=True,
    help="Also create the upstream input tables (schedule, box scores, UPCG, zones), empty: for a sandbox.",
)
@pass_app
def init(app: AppSettings, with_inputs: bool) -> int:
    """Create the datasets and this product's tables (idempotent), listing each one it creates.

    \b
    Example:
      pcf-backfill --warehouse duckdb:///pcf.duckdb init
    """
    with open_warehouse(app, must_exist=False) as wh:
        done = api.init(wh, with_inputs=with_inputs)
    click.echo(f"Warehouse: {done.warehouse}")
    created, added = done.created, done.added
    for dataset in done.datasets_created:
        click.echo(f"Created dataset {dataset}")
    for table in created:
        click.echo(f"Created table {table}")
    if not created:
        click.echo("All tables already exist." if with_inputs else "All of this product's tables already exist.")
    if added:
        click.echo(f"Added {len(added)} columns (existing rows kept): {', '.join(added)}")
    return 0


@cli.command()
@option(
    "--seasons",
    default="2022",
    show_default=True,
    metavar="YYYY[-YYYY]",
    help="Season start years, 2000 to 2025 (2022 means 2022-23).",
)
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
