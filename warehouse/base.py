"""The one small interface every backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from warehouse.identifiers import TABLE_NAME, Datasets, checked_identifier
from warehouse.schemas import OWN_TABLES, TABLES, Column, Table
from warehouse.sql_text import render_tables

if TYPE_CHECKING:  # only the methods that move frames need pandas: reading rows must not import it
    import pandas as pd
    import pyarrow as pa

Params = Mapping[str, Any]
Rows: TypeAlias = "pd.DataFrame | pa.Table"  # rows to stage: a frame, or Arrow (what a run publishes)


@dataclass
class JobStats:
    """What a command cost the warehouse: statements issued, bytes processed and billed (None where the
    backend bills nothing: DuckDB), rows queries returned."""

    jobs: int = 0
    bytes_processed: int = 0
    bytes_billed: int | None = None
    rows_read: int = 0


@dataclass(frozen=True)
class Staged:
    """Rows staged for one batch of statements: per contract table key, the relation its rows are read from."""

    relations: dict[str, str]
    names: tuple[str, ...]  # what `drop_staged` removes: staging made for this batch alone


def staging_schema(keys: Sequence[str]) -> Table:
    """Rows of several contract tables in one staging table, told apart by `row_kind`; the columns they
    share (game_date, run_id, processor, …) have the same types."""
    columns = {column.name: Column(column.name, column.type) for key in keys for column in TABLES[key].columns}
    return Table("staging", "orchestration", "staging", (*columns.values(), Column("row_kind", "STRING")))


class Warehouse(ABC):
    """Query to DataFrame, execute, load, atomic scripts, table existence.

    SQL is written once for both dialects: tables as `{key}` placeholders (see `TABLES`),
    parameters as `@name`. Dates in scripts come only from `date_literal`.
    """

    backend: str = ""

    def __init__(self, datasets: Datasets) -> None:
        self.datasets = datasets
        self.stats = JobStats()

    # --- naming -------------------------------------------------------------------------
    @abstractmethod
    def qualified(self, dataset_key: str, table_name: str) -> str:
        """The quoted, fully qualified name of a table in one of the deployment's datasets."""

    def table(self, key: str) -> str:
        spec = TABLES[key]
        return self.qualified(spec.dataset, spec.name)

    def render(self, sql: str) -> str:
        """Replace each `{key}` naming a contract table with its qualified name; every other brace (in a
        string literal, a JSON value, a struct) is left as written."""
        return render_tables(sql, self.table)

    def dataset_name(self, dataset_key: str) -> str:
        return self.datasets.as_dict()[dataset_key]

    # --- statements ---------------------------------------------------------------------
    @abstractmethod
    def query(self, sql: str, params: Params | None = None) -> pd.DataFrame:
        """Run a SELECT; DATE columns come back as datetime64."""

    def query_many(self, reads: Mapping[str, tuple[str, Params | None]]) -> dict[str, pd.DataFrame]:
        """Several SELECTs (name → SQL and parameters), each frame as `query` returns it, its rows in no
        particular order. BigQuery sends them as one job; elsewhere each is a query of its own."""
        return {name: self.query(sql, params) for name, (sql, params) in reads.items()}

    @abstractmethod
    def rows(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Run a SELECT; each row a dict of plain Python values (DATE as `date`, TIMESTAMP as naive UTC
        `datetime`, NULL as None), so a reader that shows a few rows never imports pandas."""

    @abstractmethod
    def execute(self, sql: str, params: Params | None = None) -> int:
        """Run one statement; returns affected rows where the backend reports them."""

    @abstractmethod
    def run_atomic(self, statements: Sequence[str], then: str | None = None) -> list[dict[str, Any]]:
        """Run statements as one transaction: all take effect or none do. `then`: a SELECT read right after the
        commit (on BigQuery in the same job: a publish and its verification are one job); its rows are returned
        as `rows` returns them ([] without one)."""

    @abstractmethod
    def row_hash(self, columns: Sequence[str]) -> str:
        """An SQL expression: a 64-bit hash of the columns' values (NULLs included), the same for equal values
        on every call of this backend; `BIT_XOR` of it over rows is an order-independent digest."""

    # --- data movement ------------------------------------------------------------------
    @abstractmethod
    def load(self, frame: pd.DataFrame, key: str) -> None:
        """Append a DataFrame to a contract table (columns per its schema)."""

    @abstractmethod
    def stage(self, frame: pd.DataFrame, schema: Table, label: str) -> str:
        """Put a DataFrame in a staging table shaped like `schema`, replacing what this handle staged there before
        under `label`; returns its qualified name."""

    @abstractmethod
    def drop_staging(self, name: str) -> None: ...

    def end_staging(self) -> None:  # noqa: B027 - optional hook
        """Drop the staging this handle kept between batches (BigQuery: its run's staging tables); a run ends
        with it, and a killed run's are swept by the next (`sweep_leftovers`)."""

    def stage_rows(self, parts: Mapping[str, Rows], label: str) -> Staged:
        """Rows for several contract tables (key → frame or Arrow), staged for one batch of statements. By
        default in one staging table, so one load however many parts there are."""
        import pandas as pd

        frames = {key: rows if isinstance(rows, pd.DataFrame) else rows.to_pandas() for key, rows in parts.items()}
        together = pd.concat(
            [frame.assign(row_kind=key) for key, frame in frames.items() if len(frame)], ignore_index=True
        )
        name = self.stage(together, staging_schema(list(parts)), label)
        return Staged({key: f"(SELECT * FROM {name} WHERE row_kind = '{key}')" for key in parts}, (name,))

    def drop_staged(self, staged: Staged) -> None:
        for name in staged.names:
            self.drop_staging(name)

    @abstractmethod
    def copy_rows_to_new_table(self, key: str, where_sql: str, new_name: str) -> str:
        """Create `new_name` beside table `key` holding the rows matching `where_sql`."""

    @abstractmethod
    def copy_back(self, source_name: str, key: str) -> int:
        """Append every row of table `source_name` (same dataset as `key`) back into `key`."""

    # --- structure ----------------------------------------------------------------------
    @abstractmethod
    def table_exists(self, dataset_key: str, table_name: str) -> bool: ...

    @abstractmethod
    def create_datasets(self) -> list[str]:
        """Create the deployment's datasets that are missing; returns the names of those created."""

    @abstractmethod
    def create_tables(self, *, with_inputs: bool = True) -> list[str]:
        """Create the datasets and every contract table that is missing (the upstream input tables only
        `with_inputs`); returns the tables created, as dataset.table."""

    def missing_tables(self, keys: Sequence[str]) -> list[str]:
        return [key for key in keys if not self.table_exists(TABLES[key].dataset, TABLES[key].name)]

    @abstractmethod
    def column_types(self, key: str) -> dict[str, str]:
        """A contract table's columns as they are in the warehouse, typed by `logical_type`
        ({} when the table does not exist)."""

    @abstractmethod
    def add_column(self, key: str, column: Column) -> None:
        """Add a nullable column to an existing contract table (in-place migration)."""

    def type_name(self, logical: str) -> str:
        """A contract type (BigQuery's names: STRING, FLOAT64 …) as this warehouse spells it in its own errors."""
        return logical

    def own_columns(self) -> dict[str, set[str]]:
        """The column names of each table this product owns, as the warehouse has them (empty: no such table)."""
        return {key: set(self.column_types(key)) for key in OWN_TABLES}

    def outdated_tables(self) -> list[str]:
        """What an older version left: each own table lacking a column of today's contract, or missing beside an
        existing ledger ("backfill_checkpoints lacks upcg_state, blocked_by"). A warehouse without a ledger was
        never initialised: not outdated (the commands say what is missing themselves)."""
        found = self.own_columns()
        if not found["checkpoints"]:
            return []
        outdated = []
        for key, columns in found.items():
            lacking = [column.name for column in TABLES[key].columns if column.name not in columns]
            if not columns:
                outdated.append(f"no table {TABLES[key].name}")
            elif lacking:
                outdated.append(f"{TABLES[key].name} lacks {', '.join(lacking)}")
        return outdated

    def migrate_tables(self) -> list[str]:
        """Add the columns a newer contract defines to tables an older version created.
        Idempotent; never drops or rewrites a row."""
        added = []
        for key, spec in TABLES.items():
            found = self.column_types(key)
            for column in spec.columns:
                if found and column.name not in found:
                    self.add_column(key, column)
                    added.append(f"{self.dataset_name(spec.dataset)}.{spec.name}.{column.name}")
        return added

    def checked_table_name(self, name: str) -> str:
        return checked_identifier(name, TABLE_NAME, "table name")

    # --- concurrency --------------------------------------------------------------------
    @contextmanager
    def lease(self, holder: str, start: date, end: date) -> Iterator[list[dict[str, object]]]:
        """Exclusive right to write [start, end]; yields the leases of dead runs it took over (each with
        holder, host, pid, command, silent_seconds and why). Backends without a process lock override this;
        a process lock dies with its process, so there is nothing to take over."""
        yield []

    def identify(self, run_id: str, command: str, label: str | None = None) -> None:  # noqa: B027 - optional hook
        """Whose statements these are from now on (BigQuery: job ids `pcf_<run_id>_…` and labels, the caller's
        `label` among them)."""

    def estimate_bytes(self, sql: str, params: Params | None = None) -> int | None:
        """What a SELECT would process, estimated without running it; None where the backend cannot say."""
        return None

    def worker(self) -> Warehouse:
        """A handle another thread may read through while this one publishes."""
        return self

    def local_files(self) -> list[Path]:
        """Files on this machine that hold the warehouse (an output must never overwrite them)."""
        return []

    def leases(self) -> pd.DataFrame:
        """The live leases (who holds which range, how long silent); the mutex row is not one."""
        return self.query(
            "SELECT lease_id, holder, start_date, end_date, host, pid, command, heartbeat_at, expires_at FROM {leases} "
            "WHERE lease_id <> '__mutex__' AND expires_at >= CURRENT_TIMESTAMP() ORDER BY acquired_at"
        )

    def release_lease(self, lease_id: str) -> int:
        """Delete one lease (its holder is gone, or must be stopped); returns how many rows went."""
        return self.execute("DELETE FROM {leases} WHERE lease_id = @lease_id", {"lease_id": lease_id})

    def sweep_leftovers(self) -> list[str]:
        """Drop what runs that died left behind (BigQuery: staging tables); returns the names dropped."""
        return []

    def readers_waiting(self) -> bool:
        """Whether readers wait for this writer to let go of the warehouse (DuckDB: one process at a time)."""
        return False

    def yield_to_readers(self) -> None:  # noqa: B027 - optional hook
        """Between chunks: let waiting readers in, then carry on."""

    def interrupt(self) -> None:  # noqa: B027 - optional hook
        """Cancel the statement this handle is running, if any (called from another thread)."""

    @property
    def url(self) -> str:
        """The URL that opens this warehouse again (what printed commands name), kept, never re-parsed."""
        raise NotImplementedError

    def command_words(self) -> list[str]:
        """`pcf-backfill --warehouse URL [--datasets …]`: how a printed command names this warehouse, pasted
        from any folder."""
        changed = self.datasets.option_text()
        return ["pcf-backfill", "--warehouse", self.url, *(["--datasets", changed] if changed else [])]

    def describe(self) -> str:
        return self.url

    def close(self) -> None:  # noqa: B027 - optional hook
        pass
