"""Who may write a DuckDB file, and how readers get in while it is written.

Writers exclude each other with a lock file beside the database (`pcf.duckdb.lock`, an flock that dies with
its process) holding the holder's PID, host and command line. DuckDB's own file lock is then only about the
open connection: a writer lets go of it between chunks when a reader has knocked (`pcf.duckdb.read-PID`),
and a reader or writer that finds the file busy waits for it instead of failing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar, cast

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_delay, wait_fixed

from warehouse.errors import LockHeld, WarehouseError
from warehouse.outputs import LOCK_FILE, checked_output

T = TypeVar("T")
POLL_SECONDS = 0.02


class WriterLock:
    """The right to write one DuckDB file, held from `acquire` to `release` (or the process's death)."""

    def __init__(self, database: str, command: str) -> None:
        self.path = Path(database + ".lock")
        self.database, self.command = database, command
        self.fd: int | None = None

    def acquire(self) -> None:
        checked_output(self.path, LOCK_FILE)  # a stranger's file of that name is never truncated
        fd = self._locked_descriptor()
        os.ftruncate(fd, 0)
        os.write(
            fd,
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "command": self.command,
                    "started": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            ).encode(),
        )
        self.fd = fd

    def _locked_descriptor(self) -> int:
        """The flock on the file now at `path` (a holder removes the file as it lets go: try the new one)."""
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise WarehouseError(f"cannot create the lock file {self.path}: {error.strerror}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self.holder(fd)
                os.close(fd)
                raise LockHeld(f"{self.database} is locked by another run ({holder}); wait for it or stop it") from None
            with contextlib.suppress(FileNotFoundError):
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    return fd
            os.close(fd)

    @staticmethod
    def holder(fd: int) -> str:
        try:
            held = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
            return f"PID {held['pid']} on {held['host']}, started {held['started']}: {held['command']}"
        except (ValueError, KeyError, OSError):
            return "a process that has not recorded itself yet"

    def release(self) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)  # while still locked: a waiting opener then sees a new file
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None


def lock_holder(database: str) -> dict[str, object] | None:
    """Who holds the writers' lock of `database` now (None: nobody), as recorded in the lock file."""
    path = Path(database + ".lock")
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None  # nobody holds it exclusively
    except BlockingIOError:
        try:
            held = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        except ValueError:
            held = {}
        return {"lease_id": str(path), "holder": "writers' lock", **held}
    finally:
        os.close(fd)


# --- readers knock, a writer between chunks lets them in ------------------------------------------
def knock_path(database: str) -> Path:
    return Path(f"{database}.read-{os.getpid()}")


def knocking_readers(database: str) -> list[Path]:
    """Readers waiting for the file whose process is still alive."""
    alive = []
    for knock in Path(database).parent.glob(Path(database).name + ".read-*"):
        with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
            os.kill(int(knock.name.rsplit("-", 1)[1]), 0)
            alive.append(knock)
    return alive


def wait_for_knocks_to_clear(database: str, patience: float) -> None:
    deadline = time.monotonic() + patience
    while knocking_readers(database) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)


def retry_while_busy(
    open_once: Callable[[], T],
    is_busy: Callable[[Exception], bool],
    patience: float,
    on_wait: Callable[[Exception], None] | None = None,
) -> T:
    """`open_once()` until it does not fail with a busy file, for up to `patience` seconds (then its last error);
    `on_wait` hears the first busy error (who holds the file) before the waiting starts."""

    def before_first_wait(state: RetryCallState) -> None:
        if on_wait and state.attempt_number == 1 and state.outcome is not None:
            on_wait(cast(Exception, state.outcome.exception()))

    retrying = Retrying(
        retry=retry_if_exception(lambda error: isinstance(error, Exception) and is_busy(error)),
        stop=stop_after_delay(patience),
        wait=wait_fixed(POLL_SECONDS),
        before_sleep=before_first_wait,
        reraise=True,
    )
    return retrying(open_once)
