"""DuckDB's side of the shared SQL: its type names, quoted identifiers, and the one translation of its errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

import duckdb

from warehouse.duckdb_file import translate
from warehouse.errors import INTERRUPT_EXIT_CODE, Interrupted

DUCKDB_TYPES = {
    "STRING": "VARCHAR",
    "DATE": "DATE",
    "INT64": "BIGINT",
    "FLOAT64": "DOUBLE",
    "BOOL": "BOOLEAN",
    "TIMESTAMP": "TIMESTAMP",
}
QUERY_INTERRUPTED = "Query interrupted"  # what DuckDB raises when a Python signal handler raised during a query
P = ParamSpec("P")
T = TypeVar("T")


class OnFile(Protocol):
    path: str


H = TypeVar("H", bound=OnFile)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def translated(method: Callable[Concatenate[H, P], T]) -> Callable[Concatenate[H, P], T]:
    """The one translation, on every adapter method: a `duckdb.Error` leaves only as a `warehouse.errors` type,
    an interrupted query as `Interrupted` (the signal's own exception is gone by then)."""

    def call(self: H, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except (duckdb.Error, RuntimeError) as error:
            if swallowed_stop(error):
                how = "interrupt" if isinstance(error, duckdb.InterruptException) else "SIGINT"
                raise Interrupted(how, INTERRUPT_EXIT_CODE) from error
            if isinstance(error, duckdb.Error):
                raise translate(error, self.path) from error
            raise

    functools.update_wrapper(call, method)
    return call


def swallowed_stop(error: Exception) -> bool:
    """A stop DuckDB reports in its own words: its interrupt (`interrupt()` from another thread), "Query
    interrupted" (a signal's exception raised while a query ran), or the KeyboardInterrupt it caught while calling
    back into Python (reading a registered Arrow table's schema)."""
    text = str(error)
    return isinstance(error, duckdb.InterruptException) or text == QUERY_INTERRUPTED or "KeyboardInterrupt" in text
