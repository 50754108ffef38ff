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

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
CANCELLED_EXIT_CODE = 128 + signal.SIGINT  # a run the caller cancelled reports what Ctrl-C does


class Interrupted(KeyboardInterrupt):
    """A signal asked the command to stop; the chunk in flight is rolled back."""

    def __init__(self, signal_name: str, exit_code: int) -> None:
        super().__init__(signal_name)
        self.signal_name, self.exit_code = signal_name, exit_code

    @classmethod
    def from_signal(cls, signum: int) -> Interrupted:
        return cls(signal.Signals(signum).name, 128 + signum)


_received: list[int] = []  # the signals this process received while handlers were installed


def stop_requested() -> Interrupted | None:
    """The first signal received, as the exception that stops the command; None when none arrived."""
    return Interrupted.from_signal(_received[0]) if _received else None


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
