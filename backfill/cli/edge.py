"""The command line's one error edge: every failure becomes one clear line on stderr and a distinct exit code
(`PcfGroup`), and every invocation's log stream ends with one `run_done` line (command, exit code, counts, seconds).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from contextvars import ContextVar
from typing import Any

import click

from backfill.api import Interrupted, stop_on_signals, stop_requested
from vocabulary import ExitCode
from warehouse import InvalidSetting, PcfError
from warehouse.logger import get_logger

log = get_logger(__name__)

# How this command line spells the fields the core's settings name (the core's errors say `min_coverage`).
FLAGS = {
    "start": "--start-date",
    "end": "--end-date",
    "dates": "--dates",
    "source": "--source",
    "rerun": "--rerun",
    "min_coverage": "--min-coverage",
    "warn_coverage": "--warn-coverage",
    "force": "--force",
    "allow_regression": "--allow-regression",
    "force_reason": "--reason",
    "chunk_days": "--chunk-days",
    "workers": "--workers",
    "as_of": "--as-of",
    "lookback_days": "--lookback-days",
    "retention_days": "--retention-days",
    "mode": "--mode",
    "max_lag_hours": "--max-lag-hours",
    "audit_thresholds": "--audit-threshold",
    "baseline_dates": "--baseline-dates",
    "warehouse": "--warehouse",
    "datasets": "--datasets",
    "backup_table": "BACKUP_TABLE",
}


def error_line(error: PcfError) -> str:
    """A core error as this command line says it: settings fields become the flags that set them."""
    return error.named(FLAGS) if isinstance(error, InvalidSetting) else str(error)


class PcfGroup(click.Group):
    """Runs a command and turns every failure into one clear line and a distinct exit code."""

    def main(
        self,
        args: Any = None,
        prog_name: Any = None,
        complete_var: Any = None,
        standalone_mode: bool = True,
        ignore_late_signals: bool = False,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        started = time.monotonic()
        facts: dict[str, Any] = {"command": None, "counts": {}}
        token = INVOCATION.set(facts)
        try:
            with stop_on_signals(then_ignore=ignore_late_signals):
                code = self.run_command(argv, prog_name, complete_var, **extra)
                stop = stop_requested()  # however a signal surfaced (or was swallowed), it decides the exit code
                code = stop.exit_code if stop is not None and code != stop.exit_code else code
            log_run_done(facts, code, time.monotonic() - started)
        finally:
            INVOCATION.reset(token)
        if standalone_mode:
            sys.exit(code)
        return code

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Any, Any, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        invocation = INVOCATION.get(None)
        if invocation is not None and command is not None:
            invocation["command"] = command_name(command, rest)
        return name, command, rest

    def run_command(self, argv: list[str], prog_name: Any, complete_var: Any, **extra: Any) -> int:
        try:
            code: int = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except click.exceptions.Exit as done:
            code = done.exit_code
        except click.UsageError as error:
            click.echo(f"Error: {error.format_message()}{self.placement_hint(error)}", err=True)
            code = ExitCode.BAD_INPUT
        except click.ClickException as error:
            click.echo(f"Error: {error.format_message()}", err=True)
            code = error.exit_code
        except (KeyboardInterrupt, click.Abort) as stop:  # click wraps KeyboardInterrupt in Abort
            cause = stop if isinstance(stop, Interrupted) else stop.__cause__ or stop.__context__
            code = cause.exit_code if isinstance(cause, Interrupted) else ExitCode.INTERRUPTED
            if not isinstance(cause, Interrupted):
                click.echo("Interrupted.", err=True)
        except PcfError as error:
            if wants_tracebacks(argv):  # with the driver's error it was translated from (`__cause__`)
                traceback.print_exc()
            click.echo(f"Error: {error_line(error)}", err=True)
            code = error.exit_code
        except Exception as error:  # the edge: anything unexpected is one line unless --debug
            if wants_tracebacks(argv):
                traceback.print_exc()
            click.echo(f"Error: unexpected {type(error).__name__}: {error} (rerun with --debug for details)", err=True)
            code = 1
        return code

    def placement_hint(self, error: click.UsageError) -> str:
        """`status --warehouse URL` is a group option after the command: say where it goes."""
        name = getattr(error, "option_name", None)
        if not isinstance(error, click.NoSuchOption) or not any(name in param.opts for param in self.params):
            return ""
        return (
            f" ({name} is an option of pcf-backfill itself: put it before the command, as in "
            f"`pcf-backfill {name} … status …`)"
        )


# What the invocation did, for the last line of its log stream: the command, and counts a command reports.
INVOCATION: ContextVar[dict[str, Any]] = ContextVar("pcf_invocation")


def report_counts(**counts: Any) -> None:
    """Counts the closing `run_done` line carries (dates by status, rows …); outside the CLI, nothing."""
    invocation = INVOCATION.get(None)
    if invocation is not None:
        invocation["counts"].update({key: value for key, value in counts.items() if value is not None})


def command_name(command: click.Command, args: list[str]) -> str | None:
    """`run`; a group's command with its own: `cleanup restore`, `lock status`."""
    if isinstance(command, click.Group) and args and args[0] in command.commands:
        return f"{command.name} {args[0]}"
    return command.name


def log_run_done(facts: dict[str, Any], exit_code: int, seconds: float) -> None:
    """One line ends every invocation's log stream (cron's log, a collector): command, exit code, counts, seconds.
    Before the root has configured logging (bad options, --help) there is no stream, and nothing is written."""
    person_looks = exit_code in (ExitCode.BAD_INPUT, ExitCode.NEEDS_ATTENTION)  # not the tool's failure: a warning
    level = "info" if exit_code == ExitCode.OK else "warning" if person_looks else "error"
    getattr(log, level)(
        "run_done", command=facts["command"], exit_code=exit_code, seconds=round(seconds, 3), **facts["counts"]
    )


def wants_tracebacks(argv: list[str]) -> bool:
    """--debug or PCF_DEBUG, read here because the error may come before (or after) the group parsed them."""
    try:
        return "--debug" in argv or bool(click.BOOL.convert(os.environ.get("PCF_DEBUG") or "0", None, None))
    except click.BadParameter:
        return False
