"""The root group: its options (each from PCF_<OPTION> too), the config file as its default map, the settings it builds
for every command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click
from click.decorators import FC

from backfill.cli.edge import PcfGroup
from backfill.cli.logs import LOG_FORMATS, LOG_LEVELS, configure_logging
from backfill.cli.params import DATE
from backfill.config import Kind, Option as ConfigOption, default_map, find_config, load_config
from backfill.dates import league_today
from backfill.settings import CREDENTIALS_VARIABLE, EMULATOR_HOST_VARIABLE, AppSettings
from warehouse import DEFAULT_URL, BadInput, Datasets


def option(*decls: str, **kwargs: Any) -> Callable[[FC], FC]:
    """A click option that may also come from PCF_<OPTION> (e.g. PCF_MIN_COVERAGE)."""
    long_name = next(d for d in decls if d.startswith("--")).split("/")[0]
    kwargs.setdefault("envvar", "PCF_" + long_name[2:].upper().replace("-", "_"))
    kwargs.setdefault("show_envvar", False)
    return click.option(*decls, **kwargs)


pass_app = click.make_pass_decorator(AppSettings)


def parse_datasets(_ctx: click.Context, _param: click.Parameter, text: str | None) -> Datasets:
    """Datasets from KEY=NAME pairs; a bad key or name is reported against --datasets."""
    try:
        return Datasets.parse(text)
    except BadInput as error:
        raise click.BadParameter(str(error).removeprefix("--datasets: ")) from None


def pinned_today(_ctx: click.Context, _param: click.Parameter, today: date | None) -> date | None:
    """The test-only override of today: a replay of the past, never a jump into the future."""
    real_today = league_today()
    if today is not None and today > real_today:
        raise click.BadParameter(
            f"{today} is after the real today ({real_today}, America/New_York); the override only replays past days"
        )
    return today


@click.group(cls=PcfGroup, context_settings={"help_option_names": ["-h", "--help"]})
@option(
    "--warehouse",
    default=DEFAULT_URL,
    show_default=True,
    metavar="URL",
    help="duckdb:///relative/file.duckdb, duckdb:////absolute/file.duckdb (add ?access_mode=read_only to "
    "only read) or bigquery://PROJECT[?location=US|EU|REGION].",
)
@option(
    "--datasets",
    default=None,
    metavar="KEY=NAME[,...]",
    callback=parse_datasets,
    help="Dataset names per deployment; keys reference, analytics, precompute, orchestration.",
)
@option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="auto",
    show_default=True,
    help="auto: human-readable on a terminal, JSON otherwise.",
)
@option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False), default="info", show_default=True)
@option(
    "--today",
    type=DATE,
    callback=pinned_today,
    default=None,
    metavar="YYYY-MM-DD",
    hidden=True,
    help="Replay a past 'today' (America/New_York) in tests and demos; never later than the real today, "
    "and ignored by `cleanup --execute`.",
)
@option(
    "--bigquery-emulator-host",
    "emulator_host",
    envvar=EMULATOR_HOST_VARIABLE,
    default=None,
    metavar="URL",
    hidden=True,
    help="Serve bigquery:// URLs from the BigQuery emulator at this endpoint (http://HOST:PORT).",
)
@option(
    "--google-credentials",
    "credentials_file",
    envvar=CREDENTIALS_VARIABLE,
    default=None,
    metavar="PATH",
    hidden=True,
    help="The Google key file bigquery:// URLs authenticate with (default: Application Default Credentials).",
)
@option("--debug", is_flag=True, help="Show tracebacks.")
@option(
    "--config",
    "config_text",
    default=None,
    metavar="PATH",
    help="Option defaults from a TOML file (default: [tool.pcf-backfill] in a pyproject.toml beside a DuckDB "
    "warehouse file); the command line and PCF_* variables win over it.",
)
@click.version_option(package_name="pcf-backfill")
@click.pass_context
def cli(
    ctx: click.Context,
    warehouse: str,
    datasets: Datasets,
    log_format: str,
    log_level: str,
    today: date | None,
    emulator_host: str | None,
    credentials_file: str | None,
    debug: bool,
    config_text: str | None,
) -> None:
    """Backfill NBA player composite factors with coverage gates, an atomic publish and a ledger.

    \b
    Example:
      pcf-backfill --warehouse duckdb:///pcf.duckdb run --start-date 2022-10-18 --end-date 2023-04-09
    """
    configure_logging(log_format, log_level.lower())
    params = command_params(ctx)
    config = load_config(find_config(config_text, warehouse), params)
    ctx.obj = AppSettings(
        warehouse,
        datasets,
        log_format,
        log_level,
        today,
        debug,
        emulator_host or None,
        credentials_file or None,
        config.path,
    )
    ctx.default_map = default_map(config, params)  # below the command line and PCF_*, above the defaults
    ctx.meta["config_file"] = config.path


def command_params(ctx: click.Context) -> dict[str, dict[str, ConfigOption]]:
    """Each command's options as a config file may set them: long name → parameter and kind of value."""
    group = ctx.command
    assert isinstance(group, click.Group)
    return {
        name: {
            opt[2:]: ConfigOption(param.name, option_kind(param))
            for param in command.params
            if isinstance(param, click.Option) and param.name
            for opt in param.opts
            if opt.startswith("--")
        }
        for name, command in group.commands.items()
    }


def option_kind(param: click.Option) -> Kind:
    if param.is_flag:
        return "flag"
    if param.multiple:
        return "words"
    if isinstance(param.type, click.types.IntParamType):  # IntRange too
        return "whole"
    return "number" if isinstance(param.type, click.types.FloatParamType) else "text"


def main() -> None:
    """The console script: the process exits right after the command, so a late signal is ignored."""
    cli.main(prog_name="pcf-backfill", ignore_late_signals=True)
