"""DuckDB's catalogue: which schemas (datasets), tables and columns exist, and creating or extending them."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

import duckdb

from warehouse.base import Params, Warehouse
from warehouse.duckdb_sql import DUCKDB_TYPES, quote, translated
from warehouse.schemas import INPUT_TABLES, OWN_TABLES, TABLES, Column, logical_type


class DuckDBCatalog(Warehouse):
    """The structure half of `DuckDBWarehouse`: every method reads `information_schema` in one statement."""

    path: str

    @abstractmethod
    def _run(self, sql: str, params: Params | None) -> duckdb.DuckDBPyConnection: ...

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
            f"ALTER TABLE {self.table(key)} ADD COLUMN IF NOT EXISTS {quote(column.name)} {DUCKDB_TYPES[column.type]}",
            None,
        )

    @translated
    def create_datasets(self) -> list[str]:
        """The deployment's schemas (DuckDB's datasets) that were missing, created."""
        found = {row[0] for row in self._run("SELECT schema_name FROM information_schema.schemata", None).fetchall()}
        created = [name for name in self.datasets.as_dict().values() if name not in found]
        for name in created:
            self._run(f"CREATE SCHEMA IF NOT EXISTS {quote(name)}", None)
        return created

    @translated
    def create_tables(self, *, with_inputs: bool = True) -> list[str]:
        created = []
        self.create_datasets()
        for key, schema in TABLES.items():
            if (key in INPUT_TABLES and not with_inputs) or self.table_exists(schema.dataset, schema.name):
                continue
            columns = ", ".join(
                f"{quote(c.name)} {DUCKDB_TYPES[c.type]}{' NOT NULL' if c.required else ''}" for c in schema.columns
            )
            self._run(f"CREATE TABLE {self.table(key)} ({columns})", None)
            created.append(f"{self.dataset_name(schema.dataset)}.{schema.name}")
        return created
