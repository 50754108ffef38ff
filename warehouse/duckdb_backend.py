"""DuckDB: the embedded warehouse (demo, CI, laptops). Datasets are schemas in one file."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from warehouse.base import Params, Rows, Staged
from warehouse.duckdb_catalog import DuckDBCatalog
from warehouse.duckdb_file import READER_PATIENCE, checked_file, open_duckdb_file, writing_here
from warehouse.duckdb_lock import (
    WriterLock,
    knocking_readers,
    lock_holder,
    wait_for_knocks_to_clear,
)
from warehouse.duckdb_sql import DUCKDB_TYPES, quote, translated
from warehouse.errors import BadInput
from warehouse.identifiers import Datasets
from warehouse.schemas import TABLES, Table
from warehouse.sql_text import PARAM

if TYPE_CHECKING:  # frames move only when writing: a reader of rows never imports pandas or pyarrow
    import pandas as pd


class DuckDBWarehouse(DuckDBCatalog):
    backend = "duckdb"

    def __init__(
        self,
        path: str,
        datasets: Datasets,
        *,
        must_exist: bool = False,
        read_only: bool = False,
        writer: str | None = None,
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        """`writer`: the command line of a writing command; it takes the lock file beside the database, so a
        second writer exits 4 naming it, and readers may read between its chunks."""
        super().__init__(datasets)
        self.path = path
        self.read_only = read_only
        self.lock = WriterLock(path, writer) if writer and not read_only and connection is None else None
        if self.lock:
            checked_file(path, must_exist=must_exist)
            self.lock.acquire()
        self.writes_here = not read_only and connection is None  # this handle owns a read-write connection
        self.threads_before: object = None  # the instance's thread count before this writer set its own
        if self.writes_here:
            writing_here(path, +1)
        try:
            self.connection = connection or self._opened(must_exist)
        except BaseException:
            self._let_go()
            raise
        self._staged = 0

    def _opened(self, must_exist: bool) -> duckdb.DuckDBPyConnection:
        connection = open_duckdb_file(
            self.path, must_exist=must_exist, read_only=self.read_only, writer_waits=self.lock is not None
        )
        if self.writes_here:
            # a writer's statements are small (a chunk's rows, a season's box scores): spreading each over threads
            # costs more than it gains, and a run's workers are its parallelism. The setting is the instance's,
            # shared with whoever else has the file open in this process: close() puts their value back.
            self.threads_before = connection.execute("SELECT current_setting('threads')").fetchone()[0]  # type: ignore[index]
            connection.execute("SET threads = 1")
        return connection

    def _let_go(self) -> None:
        if self.writes_here:
            writing_here(self.path, -1)
            self.writes_here = False
        if self.lock:
            self.lock.release()

    @translated
    def worker(self) -> DuckDBWarehouse:
        """A handle for another thread: its own cursor on the same database, the same job count."""
        cursor = self.connection.cursor()
        handle = DuckDBWarehouse(self.path, self.datasets, read_only=self.read_only, connection=cursor)
        handle.stats = self.stats
        return handle

    def local_files(self) -> list[Path]:
        return [Path(self.path), Path(self.path + ".wal")]

    def leases(self) -> pd.DataFrame:
        """On DuckDB the writers' lock file is the one lease: who holds it, if anyone."""
        import pandas as pd

        holder = lock_holder(self.path)
        return pd.DataFrame(
            [holder] if holder else [], columns=["lease_id", "holder", "host", "pid", "command", "started"]
        )

    def release_lease(self, lease_id: str) -> int:
        holder = lock_holder(self.path)
        who = f"PID {holder['pid']} on {holder['host']}" if holder else "no process"
        raise BadInput(
            f"lock release: a DuckDB lock is held by a live process ({who}) and dies with it; stop that process instead"
        )

    def readers_waiting(self) -> bool:
        return self.lock is not None and bool(knocking_readers(self.path))

    @translated
    def yield_to_readers(self) -> None:
        """Between chunks: let go of the file while knocking readers open it, then take it back."""
        if not self.readers_waiting():
            return
        self._restore_threads()
        self.connection.close()
        wait_for_knocks_to_clear(self.path, READER_PATIENCE)
        self.connection = self._opened(must_exist=True)

    def interrupt(self) -> None:
        with contextlib.suppress(duckdb.Error):  # already closed: nothing is running
            self.connection.interrupt()

    @property
    def url(self) -> str:
        return f"duckdb:///{Path(self.path).resolve()}"  # absolute: four slashes

    def qualified(self, dataset_key: str, table_name: str) -> str:
        return f"{quote(self.dataset_name(dataset_key))}.{quote(self.checked_table_name(table_name))}"

    # --- statements ---------------------------------------------------------------------
    def _run(self, sql: str, params: Params | None) -> duckdb.DuckDBPyConnection:
        self.stats.jobs += 1
        return self.connection.execute(PARAM.sub(r"$\1", self.render(sql)), dict(params or {}))

    @translated
    def query(self, sql: str, params: Params | None = None) -> pd.DataFrame:
        """Through Arrow: the frame `.df()` gives, at a third of the CPU on many rows (its strings are never
        Python objects)."""
        from warehouse.arrow_frames import frame_from_arrow

        self.stats.jobs += 1
        rows = self.connection.sql(PARAM.sub(r"$\1", self.render(sql)), params=dict(params or {})).to_arrow_table()
        self.stats.rows_read += rows.num_rows
        return frame_from_arrow(rows)

    def row_hash(self, columns: Sequence[str]) -> str:
        return f"hash({', '.join(columns)})"

    @translated
    def rows(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        return self._fetch(self._run(sql, params))

    def _fetch(self, cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
        names = [column[0] for column in cursor.description or []]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        self.stats.rows_read += len(rows)
        return rows

    @translated
    def execute(self, sql: str, params: Params | None = None) -> int:
        result = self._run(sql, params).fetchall()
        return int(result[0][0]) if result and len(result[0]) == 1 and isinstance(result[0][0], int) else 0

    @translated
    def run_atomic(self, statements: Sequence[str], then: str | None = None) -> list[dict[str, Any]]:
        self.stats.jobs += 1
        try:
            self.connection.execute("BEGIN TRANSACTION")
            for statement in statements:
                self.connection.execute(self.render(statement))
            self.connection.execute("COMMIT")
        except BaseException:  # KeyboardInterrupt too: never leave a half transaction
            self._rollback_quietly()
            raise
        return self._fetch(self.connection.execute(self.render(then))) if then else []

    def _rollback_quietly(self) -> None:
        with contextlib.suppress(duckdb.Error):  # no transaction was open
            self.connection.execute("ROLLBACK")

    # --- data movement ------------------------------------------------------------------
    def _select_cast(self, frame: pd.DataFrame, schema: Table, view: str) -> str:
        expressions = [
            f"CAST({quote(c.name)} AS {DUCKDB_TYPES[c.type]}) AS {quote(c.name)}"
            if c.name in frame.columns
            else f"CAST(NULL AS {DUCKDB_TYPES[c.type]}) AS {quote(c.name)}"
            for c in schema.columns
        ]
        return f"SELECT {', '.join(expressions)} FROM {view}"

    def _with_frame(self, frame: pd.DataFrame, sql_for_view: str) -> None:
        view = "_pcf_frame"
        self.stats.jobs += 1
        self.connection.register(view, frame)
        try:
            self.connection.execute(sql_for_view)
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # the statement's error is the one to report
                self.connection.unregister(view)
            raise
        self.connection.unregister(view)

    @translated
    def load(self, frame: pd.DataFrame, key: str) -> None:
        schema = TABLES[key]
        columns = ", ".join(quote(name) for name in schema.column_names)
        select = self._select_cast(frame, schema, "_pcf_frame")
        self._with_frame(frame, f"INSERT INTO {self.table(key)} ({columns}) {select}")

    @translated
    def stage(self, frame: pd.DataFrame, schema: Table, label: str) -> str:
        self._staged += 1
        name = quote(f"_staging_{self.checked_table_name(label)}_{self._staged}")
        select = self._select_cast(frame, schema, "_pcf_frame")
        self._with_frame(frame, f"CREATE OR REPLACE TEMP TABLE {name} AS {select}")
        return name

    @translated
    def drop_staging(self, name: str) -> None:
        self.connection.execute(f"DROP TABLE IF EXISTS {name}")

    @translated
    def stage_rows(self, parts: Mapping[str, Rows], label: str) -> Staged:
        """Each part registered as Arrow under its own name: nothing is copied into the database (the
        statements read each part once, and their INSERTs cast to the target column types)."""
        from warehouse.arrow_frames import arrow_with_columns

        relations = {}
        for key, frame in parts.items():
            self._staged += 1
            name = f"_staging_{self.checked_table_name(label)}_{key}_{self._staged}"
            self.connection.register(name, arrow_with_columns(frame, TABLES[key].column_names))
            relations[key] = quote(name)
        return Staged(relations, tuple(relations.values()))

    @translated
    def drop_staged(self, staged: Staged) -> None:
        for name in staged.names:
            self.connection.unregister(name.strip('"'))  # unregistering a name never registered is a no-op

    @translated
    def copy_rows_to_new_table(self, key: str, where_sql: str, new_name: str) -> str:
        target = self.qualified(TABLES[key].dataset, new_name)
        self._run(f"CREATE TABLE {target} AS SELECT * FROM {self.table(key)} WHERE {where_sql}", None)
        return target

    @translated
    def copy_back(self, source_name: str, key: str) -> int:
        source = self.qualified(TABLES[key].dataset, source_name)
        columns = ", ".join(quote(name) for name in TABLES[key].column_names)
        return self.execute(f"INSERT INTO {self.table(key)} ({columns}) SELECT {columns} FROM {source}")

    @translated
    def close(self) -> None:
        try:
            self._restore_threads()
            self.connection.close()
        finally:
            self._let_go()

    def _restore_threads(self) -> None:
        if self.threads_before is not None:
            with contextlib.suppress(duckdb.Error):  # already closed: the instance went with it
                self.connection.execute(f"SET threads = {int(self.threads_before)}")  # type: ignore[call-overload]
            self.threads_before = None
