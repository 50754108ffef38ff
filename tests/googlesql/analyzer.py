"""ZetaSQL — the analyzer behind BigQuery's dialect — run in-process to check the SQL the
BigQuery adapter sends, the way BigQuery checks it before running anything.

The analyzer is Google's C++ ZetaSQL compiled to WebAssembly (PyPI `zetasql`) and run by
wasmtime, its module compiled once per machine (`googlesql.wasm`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from zetasql.core.exceptions import ServerError
from zetasql.wasi._pb2.zetasql.local_service import local_service_pb2 as service
from zetasql.wasi._pb2.zetasql.proto import options_pb2 as analyzer_options, simple_catalog_pb2 as catalogs
from zetasql.wasi._pb2.zetasql.public import (
    options_pb2 as language,
    parse_resume_location_pb2 as resume,
    simple_table_pb2 as tables,
    type_pb2 as types,
)
from zetasql.wasi._pb2.zetasql.resolved_ast import resolved_node_kind_pb2 as node_kinds

from googlesql.wasm import client
from warehouse.identifiers import Datasets
from warehouse.schemas import TABLES

DIALECT_FILE = Path(__file__).with_name("bigquery_language.toml")

TYPE_KINDS = {
    "STRING": types.TYPE_STRING,
    "BYTES": types.TYPE_BYTES,
    "INT64": types.TYPE_INT64,
    "INTEGER": types.TYPE_INT64,
    "FLOAT64": types.TYPE_DOUBLE,
    "FLOAT": types.TYPE_DOUBLE,
    "NUMERIC": types.TYPE_NUMERIC,
    "BIGNUMERIC": types.TYPE_BIGNUMERIC,
    "BOOL": types.TYPE_BOOL,
    "BOOLEAN": types.TYPE_BOOL,
    "DATE": types.TYPE_DATE,
    "DATETIME": types.TYPE_DATETIME,
    "TIME": types.TYPE_TIME,
    "TIMESTAMP": types.TYPE_TIMESTAMP,
    "JSON": types.TYPE_JSON,
    "GEOGRAPHY": types.TYPE_GEOGRAPHY,
    "INTERVAL": types.TYPE_INTERVAL,
}
SCRIPT_SEPARATORS = b" \t\r\n;"

Columns = tuple[tuple[str, str], ...]  # (name, BigQuery type) in order


# --- options, types and the catalog ---------------------------------------------------------
@cache
def bigquery_dialect() -> dict[str, Any]:
    with DIALECT_FILE.open("rb") as source:
        return tomllib.load(source)


def waivers() -> dict[str, str]:
    """Statements only a documented analyzer limit rejects: {fragment of the SQL: why}."""
    return {waiver["fragment"]: waiver["reason"] for waiver in bigquery_dialect()["waivers"]}


@cache
def bigquery_language() -> analyzer_options.LanguageOptionsProto:
    dialect = bigquery_dialect()
    return analyzer_options.LanguageOptionsProto(
        name_resolution_mode=language.NAME_RESOLUTION_DEFAULT,
        product_mode=language.ProductMode.Value(dialect["product_mode"]),
        enabled_language_features=[language.LanguageFeature.Value(name) for name in dialect["features"]],
        supported_statement_kinds=[node_kinds.ResolvedNodeKind.Value(kind) for kind in dialect["statement_kinds"]],
        reserved_keywords=dialect["reserved_keywords"],
    )


def type_proto(bigquery_type: str) -> types.TypeProto:
    """'DATE', 'ARRAY<INT64>'… as ZetaSQL's type (FLOAT64 is DOUBLE in EXTERNAL mode)."""
    name = bigquery_type.strip().upper()
    if name.startswith("ARRAY<") and name.endswith(">"):
        element = type_proto(name[len("ARRAY<") : -1])
        return types.TypeProto(type_kind=types.TYPE_ARRAY, array_type=types.ArrayTypeProto(element_type=element))
    if name not in TYPE_KINDS:
        raise ValueError(f"no ZetaSQL type for BigQuery type {bigquery_type!r}")
    return types.TypeProto(type_kind=TYPE_KINDS[name])


def contract_tables(project: str, datasets: Datasets | None = None) -> dict[str, Columns]:
    """Every table of warehouse/schemas.py under the id the SQL uses: project.dataset.table."""
    names = (datasets or Datasets()).as_dict()
    return {
        f"{project}.{names[spec.dataset]}.{spec.name}": tuple((c.name, c.type) for c in spec.columns)
        for spec in TABLES.values()
    }


def _simple_table(name: str, columns: Columns) -> tables.SimpleTableProto:
    return tables.SimpleTableProto(
        name=name, column=[tables.SimpleColumnProto(name=column, type=type_proto(type_)) for column, type_ in columns]
    )


def _nested(catalog: catalogs.SimpleCatalogProto, path: list[str], table: tables.SimpleTableProto) -> None:
    """Put `table` at `path` (sub-catalog names) so `project`.dataset.table resolves too."""
    if not path:
        catalog.table.append(table)
        return
    child = next((c for c in catalog.catalog if c.name.lower() == path[0].lower()), None)
    if child is None:
        child = catalog.catalog.add(name=path[0])
    _nested(child, path[1:], table)


def build_catalog(known: Mapping[str, Columns]) -> catalogs.SimpleCatalogProto:
    """The BigQuery built-in functions and every known table, named as BigQuery resolves them:
    `project.dataset.table` quoted whole, and as a path of project, dataset and table."""
    catalog = catalogs.SimpleCatalogProto(
        name="bigquery",
        builtin_function_options=analyzer_options.ZetaSQLBuiltinFunctionOptionsProto(
            language_options=bigquery_language()
        ),
    )
    for table_id, columns in known.items():
        *path, name = table_id.split(".")
        catalog.table.append(_simple_table(table_id, columns))
        if path:
            _nested(catalog, path, _simple_table(name, columns))
    return catalog


# --- the analyzer -----------------------------------------------------------------------------
class Rejected(Exception):
    """ZetaSQL's verdict on a statement, in its own words (with a caret under the spot)."""


class GoogleSqlAnalyzer:
    """Analyses statements and scripts against a growing set of tables: tables created through
    the API or by an earlier statement (CREATE TABLE …) are visible to the statements after."""

    def __init__(self, known: Mapping[str, Columns] | None = None) -> None:
        self.known: dict[str, Columns] = dict(known or {})
        self._registered: int | None = None
        self._registered_for: frozenset[tuple[str, Columns]] = frozenset()

    def add_tables(self, known: Mapping[str, Columns]) -> None:
        self.known.update(known)

    def check(self, sql: str, params: Mapping[str, str] | None = None) -> None:
        """Raise `Rejected` with ZetaSQL's message unless BigQuery's analyzer accepts every
        statement of `sql` (one statement or a script) with `params` declared as typed."""
        options = analyzer_options.AnalyzerOptionsProto(
            language_options=bigquery_language(),
            query_parameters=[
                analyzer_options.AnalyzerOptionsProto.QueryParameterProto(name=name, type=type_proto(type_))
                for name, type_ in (params or {}).items()
            ],
            error_message_mode=language.ERROR_MESSAGE_MULTI_LINE_WITH_CARET,
        )
        script = sql.encode()
        position = 0
        while script[position:].strip(SCRIPT_SEPARATORS):
            response = self._analyze(sql, position, options)
            position = response.resume_byte_position
            self._remember_created_table(response.resolved_statement)

    def _analyze(self, sql: str, position: int, options: Any) -> service.AnalyzeResponse:
        request = service.AnalyzeRequest(
            options=options,
            registered_catalog_id=self._catalog_id(),
            parse_resume_location=resume.ParseResumeLocationProto(input=sql, byte_position=position, allow_resume=True),
        )
        try:
            return client().call_grpc_func("ZetaSqlLocalService_Analyze", request, service.AnalyzeResponse)
        except ServerError as error:
            raise Rejected(error.raw_error.split("Message: ", 1)[-1].strip()) from None

    def _catalog_id(self) -> int:
        """The catalog registered in the analyzer, registered again when tables were added."""
        if self._registered is None or self._registered_for != frozenset(self.known.items()):
            self.close()
            request = service.RegisterCatalogRequest(simple_catalog=build_catalog(self.known))
            response = client().call_grpc_func("ZetaSqlLocalService_RegisterCatalog", request, service.RegisterResponse)
            self._registered, self._registered_for = response.registered_id, frozenset(self.known.items())
        return self._registered

    def _remember_created_table(self, statement: Any) -> None:
        """CREATE TABLE [AS SELECT] adds its table, ALTER TABLE … ADD COLUMN its column, for the
        statements after it."""
        kind = statement.WhichOneof("node")
        if kind == "resolved_create_statement_node":
            self._remember_create(statement.resolved_create_statement_node)
        elif kind == "resolved_alter_object_stmt_node":
            self._remember_alter(statement.resolved_alter_object_stmt_node)

    def _remember_create(self, create: Any) -> None:
        if create.WhichOneof("node") != "resolved_create_table_stmt_base_node":
            return
        base = create.resolved_create_table_stmt_base_node
        table = getattr(base, base.WhichOneof("node")).parent
        columns = tuple((c.name, _type_name(c.type)) for c in table.column_definition_list)
        self.add_tables({".".join(table.parent.name_path): columns})

    def _remember_alter(self, alter: Any) -> None:
        if alter.WhichOneof("node") != "resolved_alter_table_stmt_node":
            return
        statement = alter.resolved_alter_table_stmt_node.parent
        table_id = ".".join(statement.name_path)
        columns = list(self.known.get(table_id, ()))
        for action in statement.alter_action_list:
            if action.WhichOneof("node") == "resolved_add_column_action_node":
                added = action.resolved_add_column_action_node.column_definition
                if added.name not in {name for name, _ in columns}:
                    columns.append((added.name, _type_name(added.type)))
        self.add_tables({table_id: tuple(columns)})

    def close(self) -> None:
        if self._registered is not None:
            request = service.UnregisterRequest(registered_id=self._registered)
            client().call_grpc_func("ZetaSqlLocalService_UnregisterCatalog", request)
            self._registered = None


def _type_name(proto: types.TypeProto) -> str:
    if proto.type_kind == types.TYPE_ARRAY:
        return f"ARRAY<{_type_name(proto.array_type.element_type)}>"
    return next(name for name, kind in TYPE_KINDS.items() if kind == proto.type_kind)
