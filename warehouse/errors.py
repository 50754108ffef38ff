"""The project's error types. Adapters translate driver errors into these, so nothing above
the warehouse layer ever imports a driver; the CLI maps each to one message and exit code."""

from __future__ import annotations

import signal
from collections.abc import Mapping

from vocabulary import ExitCode


class PcfError(Exception):
    """Base of every error the CLI knows how to report. `retryable`: whether the same call, made again later
    unchanged, can succeed (what an orchestrator's retry policy asks)."""

    exit_code: int = ExitCode.FAILED
    retryable = False


class BadInput(PcfError):
    """The user asked for something malformed; nothing was written."""

    exit_code = ExitCode.BAD_INPUT


class OutdatedWarehouse(BadInput):
    """The warehouse's own tables were created by an older version: `init` upgrades them; nothing was written."""


class InvalidSetting(BadInput, ValueError):
    """A settings object refused a value. The message names the field (`min_coverage: …`), not a CLI flag.

    The template writes the field it is about as `{field}`, any other field it names as `{that_field}` and each
    value as `{name}` given in `values`, so a front end can show its own spelling of the fields
    (`named({"min_coverage": "--min-coverage"})`)."""

    def __init__(self, field: str, template: str, **values: object) -> None:
        self.field, self.template, self.values = field, template, values
        super().__init__(self.named({}))

    def named(self, names: Mapping[str, str]) -> str:
        """The message with each field spelled as `names` says (a field not in `names` keeps its own name)."""
        return self.template.format_map(_Spelling(names, {**self.values, "field": names.get(self.field, self.field)}))


class _Spelling(dict[str, object]):
    def __init__(self, names: Mapping[str, str], values: Mapping[str, object]) -> None:
        super().__init__(values)
        self.names = names

    def __missing__(self, field: str) -> str:
        return self.names.get(field, field)


class WarehouseError(PcfError):
    """The warehouse refused or failed a request. Not retryable as such (a permission, a bad query, an unreachable
    service after the client's own retries); its `TransientWarehouseError` kind is."""

    exit_code = ExitCode.FAILED


class TransientWarehouseError(WarehouseError):
    """Worth retrying: rate limits, backend hiccups, serialization conflicts."""

    retryable = True


class TableNotFound(WarehouseError):
    """A table or dataset the command needs does not exist: `init` (or the right `datasets`) fixes it, a retry
    does not."""


class LockHeld(PcfError):
    """Another run holds the warehouse (or an overlapping lease): retrying once it is done succeeds."""

    exit_code = ExitCode.LOCK_HELD
    retryable = True


class Interrupted(KeyboardInterrupt):
    """The caller stopped the call: a signal, Ctrl-C, the API's `cancel` hook, DuckDB's interrupt or the host
    terminating its task. Whatever was in flight was rolled back. Not an error (`except Exception` lets it
    through, as it does Ctrl-C): `exit_code` is 130 for an interrupt or a cancel, 128 + the signal's number for a
    signal, 143 for a host's termination. A stopped run fills in `run_id` and, from the API, `resume_command`."""

    def __init__(self, signal_name: str, exit_code: int) -> None:
        super().__init__(signal_name)
        self.signal_name, self.exit_code = signal_name, exit_code
        self.run_id: str | None = None
        self.resume_command: str | None = None

    @classmethod
    def from_signal(cls, signum: int) -> Interrupted:
        return cls(signal.Signals(signum).name, 128 + signum)


INTERRUPT_EXIT_CODE = ExitCode.INTERRUPTED  # 128 + SIGINT
TERMINATE_EXIT_CODE = ExitCode.TERMINATED  # 128 + SIGTERM


def bad_warehouse(text: str) -> InvalidSetting:
    """The warehouse named cannot be used: a setting error about the field `warehouse` (the CLI says
    `--warehouse`, the Python API the `warehouse` argument its caller passed)."""
    return InvalidSetting("warehouse", "{field}: {text}", text=text)
