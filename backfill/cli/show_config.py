"""`config`: a command's effective settings and where each came from (command line > PCF_* > file > default)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from backfill.cli import render
from backfill.cli.notify import SECRET_OPTIONS, masked_url
from backfill.cli.options import output_option
from backfill.cli.root import cli

if TYPE_CHECKING:
    from validation.audits import Audit

SOURCE_WORDS = {
    click.core.ParameterSource.COMMANDLINE: "command line",
    click.core.ParameterSource.ENVIRONMENT: "environment",
    click.core.ParameterSource.DEFAULT_MAP: "config file",
    click.core.ParameterSource.DEFAULT: "default",
}


@cli.command("config", context_settings={"ignore_unknown_options": True})
@click.argument("command_name", default="run", metavar="[COMMAND]")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@output_option()
@click.pass_context
def config_command(ctx: click.Context, command_name: str, args: tuple[str, ...], output: str) -> int:
    """Print a command's effective settings (run's by default) and where each came from:
    command line > environment (PCF_*) > config file > default.

    \b
    Example:
      pcf-backfill --config audits.toml config run --min-coverage 0.85
    """
    from validation.audits import AUDITS  # the registry comes with the audits' arithmetic (pandas)

    parent = ctx.parent
    assert parent is not None and isinstance(parent.command, click.Group)
    command = parent.command.get_command(parent, command_name)
    if command is None or command is ctx.command:
        raise click.BadParameter(
            f"{command_name!r}; expected one of {', '.join(sorted(parent.command.commands))}", param_hint="COMMAND"
        )
    config_file = parent.meta.get("config_file")
    with command.make_context(command_name, list(args), parent=parent, resilient_parsing=True) as probe:
        settings = effective_settings(command, probe, config_file, AUDITS)
    if output == "json":
        click.echo(
            render.to_json(
                {
                    "command": command_name,
                    "config_file": str(config_file) if config_file else None,
                    "settings": settings,
                }
            )
        )
    else:
        click.echo(render.config_text(command_name, config_file, settings))
    return 0


def effective_settings(
    command: click.Command, probe: click.Context, config_file: Path | None, audits: Sequence[Audit]
) -> list[dict[str, Any]]:
    """One entry per option the command reads (value and source); audit thresholds one entry per audit."""
    entries: list[dict[str, Any]] = []
    for param in command.params:
        if not isinstance(param, click.Option) or param.hidden or not param.name:
            continue
        source = probe.get_parameter_source(param.name)
        words = SOURCE_WORDS.get(source, "default") if source else "default"
        if source == click.core.ParameterSource.ENVIRONMENT:
            words += f" {param.envvar}"
        elif source == click.core.ParameterSource.DEFAULT_MAP:
            words += f" {config_file}"
        value = probe.params.get(param.name)
        if param.name == "audit_threshold":
            entries += audit_entries(audits, value or {}, words)
            continue
        if param.opts[0] in SECRET_OPTIONS and value:  # URLs carry tokens: say what is set, never the secret
            value = [masked_url(url) for url in value]
        entries.append({"setting": param.opts[0], "value": value, "source": words})
    return entries


def audit_entries(audits: Sequence[Audit], overrides: dict[str, float], words: str) -> list[dict[str, Any]]:
    return [
        {
            "setting": f"audit {audit.name} ({audit.severity})",
            "value": overrides.get(audit.name, audit.threshold),
            "source": words if audit.name in overrides else "default",
        }
        for audit in audits
    ]
