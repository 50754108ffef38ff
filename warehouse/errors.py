"""The project's error types. Adapters translate driver errors into these, so nothing above
the warehouse layer ever imports a driver; the CLI maps each to one message and exit code."""

from __future__ import annotations


class PcfError(Exception):
    """Base of every error the CLI knows how to report."""

    exit_code = 1


class BadInput(PcfError):
    """The user asked for something malformed; nothing was written."""

    exit_code = 2


class WarehouseError(PcfError):
    """The warehouse refused or failed a request."""

    exit_code = 1


class TransientWarehouseError(WarehouseError):
    """Worth retrying: rate limits, backend hiccups, serialization conflicts."""


class TableNotFound(WarehouseError):
    """A table or dataset the command needs does not exist."""


class LockHeld(PcfError):
    """Another run holds the warehouse (or an overlapping lease)."""

    exit_code = 4
