"""SIGTERM / SIGINT stop a command cleanly, and are never mistaken for something else.

The handler remembers the signal before it raises, because the exception it raises may not survive:
DuckDB turns it into `RuntimeError: Query interrupted`, a worker thread never sees it, and a library
may swallow it. The runner asks `stop_requested()` wherever an error or a chunk boundary could hide it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from warehouse.errors import INTERRUPT_EXIT_CODE, TERMINATE_EXIT_CODE, Interrupted

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
CANCELLED_EXIT_CODE = INTERRUPT_EXIT_CODE  # a run the caller cancelled reports what Ctrl-C does


_received: list[int] = []  # the signals this process received while handlers were installed


def stop_requested() -> Interrupted | None:
    """The first signal received, as the exception that stops the command; None when none arrived."""
    return Interrupted.from_signal(_received[0]) if _received else None


def as_interruption(error: BaseException) -> Interrupted | None:
    """The stop `error` is, however it surfaced; None when it is an error. A signal this process received comes
    first (its exception may have surfaced as anything); Ctrl-C is an interrupt; any other exception outside
    `Exception` is the host terminating its task (Dagster's DagsterExecutionInterruptedError, Airflow's
    AirflowTaskTerminated, a SystemExit)."""
    stop = stop_requested()
    if stop is not None or isinstance(error, Interrupted):
        return stop or error  # type: ignore[return-value]
    if isinstance(error, KeyboardInterrupt):
        return Interrupted("SIGINT", INTERRUPT_EXIT_CODE)
    if isinstance(error, Exception | GeneratorExit):
        return None
    return Interrupted(type(error).__name__, TERMINATE_EXIT_CODE)


def cancelled_by_caller() -> Interrupted:
    return Interrupted("cancel", CANCELLED_EXIT_CODE)


@contextmanager
def stops_as_interrupted() -> Iterator[None]:
    """Whatever stops the block leaves it as `Interrupted` (chained to what it surfaced as)."""
    try:
        yield
    except BaseException as error:
        stop = as_interruption(error)
        if stop is None or stop is error:
            raise
        raise stop from error


def raise_if_stop_requested(cause: BaseException | None = None) -> None:
    """Raise the signal (chained to `cause`, the error it surfaced as) when one has arrived."""
    stop = stop_requested()
    if stop is not None:
        raise stop from cause


def _handler(signum: int, _frame: Any) -> None:
    first = not _received
    _received.append(signum)
    if first:  # later signals only hurry nothing: raising again could break the rollback under way
        raise Interrupted.from_signal(signum)


@contextmanager
def stop_on_signals(*, then_ignore: bool = False) -> Iterator[None]:
    """Install the handlers for one command (main thread only; elsewhere signals stay Python's). With
    `then_ignore` (a process about to exit) a signal after the command has nothing left to stop: it is
    ignored instead of killing the interpreter on its way out with a traceback-less -SIGINT."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    previous = {sig: signal.signal(sig, _handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, signal.SIG_IGN if then_ignore else old)
        _received.clear()  # a later API call in this process (any thread) must not see this command's signal
