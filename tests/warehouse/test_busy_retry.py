"""How an open waits for a busy DuckDB file (warehouse.duckdb_lock.retry_while_busy): until it opens, for at most
its patience, saying once for whom it waits; any other error ends it at once."""

from __future__ import annotations

import time

import pytest

from warehouse.duckdb_lock import retry_while_busy


class Busy(Exception):
    pass


def opens_after(failures: list[Exception]):  # type: ignore[no-untyped-def]
    """An open that raises each of `failures` in turn, then returns "open"; counts its calls."""
    calls = []

    def open_once() -> str:
        calls.append(time.monotonic())
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "open"

    return open_once, calls


def is_busy(error: Exception) -> bool:
    return isinstance(error, Busy)


def test_a_busy_file_is_retried_until_it_opens_and_the_wait_is_announced_once():
    first = Busy("held by run 1")
    open_once, calls = opens_after([first, Busy("still"), Busy("still")])
    heard: list[Exception] = []
    assert retry_while_busy(open_once, is_busy, 5.0, heard.append) == "open"
    assert len(calls) == 4 and heard == [first]


def test_an_error_that_is_not_busy_is_raised_at_once():
    open_once, calls = opens_after([ValueError("not a database")])
    with pytest.raises(ValueError, match="not a database"):
        retry_while_busy(open_once, is_busy, 5.0)
    assert len(calls) == 1


def test_no_patience_means_one_attempt_and_no_announcement():
    open_once, calls = opens_after([Busy("held")])
    heard: list[Exception] = []
    with pytest.raises(Busy, match="held"):
        retry_while_busy(open_once, is_busy, 0, heard.append)
    assert len(calls) == 1 and heard == []


def test_a_file_still_busy_after_the_patience_raises_its_last_busy_error():
    open_once, calls = opens_after([Busy(f"attempt {n}") for n in range(1, 1000)])
    started = time.monotonic()
    with pytest.raises(Busy) as raised:
        retry_while_busy(open_once, is_busy, 0.3)
    assert 0.3 <= time.monotonic() - started < 2.0
    assert str(raised.value) == f"attempt {len(calls)}" and len(calls) > 2
