"""DuckDB: the embedded warehouse (demo, CI, laptops). Datasets are schemas in one file."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import duckdb

from warehouse.base import PARAM, Params, Rows, Staged, Warehouse
from warehouse.duckdb_file import READER_PATIENCE, checked_file, open_duckdb_file, translate, writing_here
from warehouse.duckdb_lock import (
    WriterLock,
    knocking_readers,
    lock_holder,
    wait_for_knocks_to_clear,
)
from warehouse.errors import INTERRUPT_EXIT_CODE, BadInput, Interrupted
from warehouse.identifiers import Datasets
from warehouse.schemas import INPUT_TABLES, OWN_TABLES, TABLES, Column, Table, logical_type

if TYPE_CHECKING:  # frames move only when writing: a reader of rows never imports pandas or pyarrow
    import pandas as pd

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


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def translated(method: Callable[Concatenate[DuckDBWarehouse, P], T]) -> Callable[Concatenate[DuckDBWarehouse, P], T]:
    """The one translation, on every adapter method: a `duckdb.Error` leaves only as a `warehouse.errors` type,
    an interrupted query as `Interrupted` (the signal's own exception is gone by then)."""

    def call(self: DuckDBWarehouse, /, *args: P.args, **kwargs: P.kwargs) -> T:
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


class DuckDBWarehouse(Warehouse):
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
        return f"{_quote(self.dataset_name(dataset_key))}.{_quote(self.checked_table_name(table_name))}"

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
        cursor = self._run(sql, params)
        names = [column[0] for column in cursor.description or []]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        self.stats.rows_read += len(rows)
        return rows

    @translated
    def execute(self, sql: str, params: Params | None = None) -> int:
        result = self._run(sql, params).fetchall()
        return int(result[0][0]) if result and len(result[0]) == 1 and isinstance(result[0][0], int) else 0

    @translated
    def run_atomic(self, statements: Sequence[str]) -> None:
        self.stats.jobs += 1
        try:
            self.connection.execute("BEGIN TRANSACTION")
            for statement in statements:
                self.connection.execute(self.render(statement))
            self.connection.execute("COMMIT")
        except BaseException:  # KeyboardInterrupt too: never leave a half transaction
            self._rollback_quietly()
            raise

    def _rollback_quietly(self) -> None:
        with contextlib.suppress(duckdb.Error):  # no transaction was open
            self.connection.execute("ROLLBACK")

    # --- data movement ------------------------------------------------------------------
    def _select_cast(self, frame: pd.DataFrame, schema: Table, view: str) -> str:
        expressions = [
            f"CAST({_quote(c.name)} AS {DUCKDB_TYPES[c.type]}) AS {_quote(c.name)}"
            if c.name in frame.columns
            else f"CAST(NULL AS {DUCKDB_TYPES[c.type]}) AS {_quote(c.name)}"
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
        columns = ", ".join(_quote(name) for name in schema.column_names)
        select = self._select_cast(frame, schema, "_pcf_frame")
        self._with_frame(frame, f"INSERT INTO {self.table(key)} ({columns}) {select}")

    @translated
    def stage(self, frame: pd.DataFrame, schema: Table, label: str) -> str:
        self._staged += 1
        name = _quote(f"_staging_{self.checked_table_name(label)}_{self._staged}")
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
            relations[key] = _quote(name)
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
        columns = ", ".join(_quote(name) for name in TABLES[key].column_names)
        return self.execute(f"INSERT INTO {self.table(key)} ({columns}) SELECT {columns} FROM {source}")

    # --- structure ----------------------------------------------------------------------
    @translated
    def table_exists(self, dataset_key: str, table_name: str) -> bool:
        found = self._run(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = @schema AND table_name = @name",
            {"schema": self.dataset_name(dataset_key), "name": table_name},
        ).fetchall()  # every row: a result left open makes DuckDB refuse the connection's next load
        return bool(found and found[0][0])

    @translated
    def missing_tables(self, keys: Sequence[str]) -> list[str]:
        found = self._run("SELECT table_schema || '.' || table_name FROM information_schema.tables", None).fetchall()
        present = {row[0] for row in found}
        return [key for key in keys if f"{self.dataset_name(TABLES[key].dataset)}.{TABLES[key].name}" not in present]

    def type_name(self, logical: str) -> str:
        return DUCKDB_TYPES.get(logical, "DECIMAL" if logical == "NUMERIC" else logical)

    @translated
    def own_columns(self) -> dict[str, set[str]]:
        """One read of the catalogue for every own table: each command checks them before it starts."""
        found = self._run("SELECT table_schema, table_name, column_name FROM information_schema.columns", None)
        columns: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in found.fetchall():
            columns.setdefault((schema, table), set()).add(column)
        return {
            key: columns.get((self.dataset_name(TABLES[key].dataset), TABLES[key].name), set()) for key in OWN_TABLES
        }

    @translated
    def column_types(self, key: str) -> dict[str, str]:
        spec = TABLES[key]
        found = self._run(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = @schema AND table_name = @name ORDER BY ordinal_position",
            {"schema": self.dataset_name(spec.dataset), "name": spec.name},
        ).fetchall()
        return {name: logical_type(type_) for name, type_ in found}

    @translated
    def add_column(self, key: str, column: Column) -> None:
        self._run(
            f"ALTER TABLE {self.table(key)} ADD COLUMN IF NOT EXISTS {_quote(column.name)} {DUCKDB_TYPES[column.type]}",
            None,
        )

    @translated
    def create_datasets(self) -> list[str]:
        """The deployment's schemas (DuckDB's datasets) that were missing, created."""
        found = {row[0] for row in self._run("SELECT schema_name FROM information_schema.schemata", None).fetchall()}
        created = [name for name in self.datasets.as_dict().values() if name not in found]
        for name in created:
            self._run(f"CREATE SCHEMA IF NOT EXISTS {_quote(name)}", None)
        return created

    @translated
    def create_tables(self, *, with_inputs: bool = True) -> list[str]:
        created = []
        self.create_datasets()
        for key, schema in TABLES.items():
            if (key in INPUT_TABLES and not with_inputs) or self.table_exists(schema.dataset, schema.name):
                continue
            columns = ", ".join(
                f"{_quote(c.name)} {DUCKDB_TYPES[c.type]}{' NOT NULL' if c.required else ''}" for c in schema.columns
            )
            self._run(f"CREATE TABLE {self.table(key)} ({columns})", None)
            created.append(f"{self.dataset_name(schema.dataset)}.{schema.name}")
        return created

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
