"""Opening a DuckDB file: the checks before DuckDB touches it, how readers and the writer wait for each
other, and DuckDB's errors in the warehouse's terms."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections import Counter
from pathlib import Path

import duckdb

from warehouse.duckdb_lock import knock_path, retry_while_busy
from warehouse.errors import LockHeld, TableNotFound, TransientWarehouseError, WarehouseError, bad_warehouse
from warehouse.logger import get_logger

READER_PATIENCE = 60.0  # seconds a reader waits for a writer's next chunk boundary
# Seconds a writer (holding the writers' lock file, so the file's other user can only be a reader) waits for
# readers to close the file: `status`, `validate` and `report` take seconds, a whole-history dry run minutes;
# a reader open longer is a forgotten session, and the run then exits 4 naming it.
WRITER_PATIENCE = 300.0
LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<holder>.+?)(?:\. See also|$)")
log = get_logger(__name__)


class FileInUse(LockHeld):
    """DuckDB's own lock: another process has the file open; `holder` is who, as DuckDB names it."""

    def __init__(self, path: str, holder: str) -> None:
        super().__init__(f"{path} is locked by another run ({holder}); wait for it or stop it")
        self.holder = holder


def translate(error: duckdb.Error, path: str) -> WarehouseError | LockHeld:
    message = str(error).split("\n")[0]
    if "Could not set lock" in message:
        match = LOCK_HOLDER.search(message)
        return FileInUse(path, match.group("holder") if match else "another process")
    if isinstance(error, duckdb.CatalogException) and "already exists" not in message:
        return TableNotFound(f"{message} — run `pcf-backfill init` (or `demo`) against {path}")
    if isinstance(error, duckdb.TransactionException):
        return TransientWarehouseError(message)
    return WarehouseError(message)


DUCKDB_MAGIC = b"DUCK"  # bytes 8–12 of every DuckDB database file


def is_duckdb_file(file: Path) -> bool:
    """Checked before connecting: DuckDB would otherwise open e.g. an SQLite file through an extension."""
    with file.open("rb") as handle:
        return handle.read(12)[8:12] == DUCKDB_MAGIC


def checked_file(path: str, *, must_exist: bool) -> None:
    """Refuse anything that is not a usable DuckDB file path, before DuckDB touches it."""
    file = Path(path)
    if file.is_dir():
        raise bad_warehouse(f"{path} is a directory; expected duckdb:///path/to/file.duckdb")
    if not file.parent.is_dir():
        where = (
            ""
            if file.is_absolute()
            else f" (relative to {Path.cwd()}; an absolute path takes four slashes: duckdb:////{path})"
        )
        raise bad_warehouse(f"directory {file.parent} does not exist{where}")
    if file.exists() and not file.is_file():  # a FIFO or a device would block the first read for ever
        raise bad_warehouse(f"{path} is not a regular file; expected duckdb:///path/to/file.duckdb")
    if file.is_file() and file.stat().st_size > 0 and not is_duckdb_file(file):
        raise bad_warehouse(f"{path} is not a DuckDB database file")
    if must_exist and not file.exists():
        raise bad_warehouse(f"no DuckDB file at {path}; create one with `pcf-backfill demo` or `pcf-backfill init`")


# One process, one database instance per file: DuckDB refuses a second instance of a file with another
# configuration (read-only vs read-write). Readers here read through a read-write instance while this process
# writes the file, and a writer waits for this process's read-only readers to close instead of failing.
_writing: Counter[str] = Counter()
_writing_guard = threading.Lock()


def writing_here(path: str, delta: int) -> None:
    """Count a handle of this process that writes `path` (+1 when it opens, -1 when it closes)."""
    with _writing_guard:
        _writing[os.path.abspath(path)] += delta
        if _writing[os.path.abspath(path)] <= 0:
            del _writing[os.path.abspath(path)]


def connect_once(path: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to `path`; a reader takes whichever instance this process already has (its own mode first:
    read-write while this process writes the file), a writer waits for read-only readers of this process."""
    first = read_only and os.path.abspath(path) not in _writing
    modes = (first, not first) if read_only else (False,)
    for mode in modes:
        try:
            connection = duckdb.connect(path, read_only=mode)
            break
        except duckdb.ConnectionException as error:
            if "different configuration" not in str(error):
                raise translate(error, path) from error
            if mode is modes[-1]:
                raise FileInUse(path, "a reader in this process") from error
        except duckdb.IOException as error:
            if "not a valid DuckDB database" in str(error):
                raise bad_warehouse(f"{path} is not a DuckDB database file") from error
            raise translate(error, path) from error
    # progress bars would write to the operator's terminal behind structlog's back
    connection.execute("SET enable_progress_bar = false")
    return connection


def is_busy(error: Exception) -> bool:
    return isinstance(error, FileInUse)


def holder_of(error: Exception) -> str:
    return error.holder if isinstance(error, FileInUse) else "another process"


def open_duckdb_file(
    path: str, *, must_exist: bool, read_only: bool = False, writer_waits: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (or create) the file. A reader that finds it busy knocks and waits for the writer's next chunk
    boundary; a writer that holds the lock file waits for readers to finish (it is their lock, not a run's)."""
    checked_file(path, must_exist=must_exist)
    if not read_only:
        return open_for_writing(path, WRITER_PATIENCE if writer_waits else 0)
    knock, busy_since = knock_path(path), []

    def knock_and_wait(_error: Exception) -> None:
        busy_since.append(time.monotonic())
        knock_quietly(knock)

    try:
        connection = retry_while_busy(lambda: connect_once(path, True), is_busy, READER_PATIENCE, knock_and_wait)
    finally:
        knock.unlink(missing_ok=True)
    if busy_since:  # how long a writer kept this reader out: the figure the 5-second promise is about
        log.info("reader_waited_for_writer", file=path, seconds=round(time.monotonic() - busy_since[0], 3))
    return connection


def open_for_writing(path: str, patience: float) -> duckdb.DuckDBPyConnection:
    """A writer that holds the lock file waits (up to `patience`, saying for whom) for readers to close."""

    def say_who(error: Exception) -> None:
        log.warning("writer_waits_for_reader", file=path, reader=holder_of(error), at_most_seconds=patience)

    try:
        return retry_while_busy(lambda: connect_once(path, False), is_busy, patience, on_wait=say_who)
    except FileInUse as error:
        if not patience:
            raise
        raise LockHeld(
            f"{path} is still open in a reader ({error.holder}) after this run waited {patience:.0f} s "
            "for it to close; let it finish or stop it, then rerun"
        ) from None


def knock_quietly(knock: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only folder: the reader just waits for the run to end
        knock.touch()
