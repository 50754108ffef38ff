"""Which statements read or change a partitioned table without filtering on its partition column (BigQuery
refuses them where a table requires a partition filter, `require_partition_filter`, and bills the whole table
where it does not), and which read an upstream table with `SELECT *` (its own extra columns, billed). Parsed
with sqlglot's BigQuery dialect."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from warehouse.schemas import INPUT_TABLES, TABLES

# table name → its partition column (names are unique across the contract's datasets)
PARTITIONED = {spec.name: spec.partition_by for spec in TABLES.values() if spec.partition_by}
UPSTREAM = {TABLES[key].name for key in INPUT_TABLES}


def unfiltered_reads(sql: str) -> list[str]:
    """`table (in: statement)` for every partitioned table a SELECT, DELETE or UPDATE of `sql` touches without
    naming the table's partition column in its WHERE."""
    found = []
    for statement in sqlglot.parse(sql, read="bigquery"):
        if statement is None:
            continue
        for scope in statement.find_all(exp.Select, exp.Delete, exp.Update):
            for table in tables_of(scope):
                column = PARTITIONED.get(table.name)
                if column and not filters_on(scope, column):
                    found.append(f"{table.name} (in: {scope.sql(dialect='bigquery')[:160]})")
    return found


def tables_of(scope: exp.Expression) -> list[exp.Table]:
    """The tables a SELECT reads directly (FROM and JOINs), or the table a DELETE / UPDATE changes."""
    if isinstance(scope, exp.Delete | exp.Update):
        return [scope.this] if isinstance(scope.this, exp.Table) else []
    sources = [scope.args.get("from_") or scope.args.get("from"), *(scope.args.get("joins") or [])]
    return [source.this for source in sources if source is not None and isinstance(source.this, exp.Table)]


def filters_on(scope: exp.Expression, column: str) -> bool:
    where = scope.args.get("where")
    return where is not None and any(found.name == column for found in where.find_all(exp.Column))


def star_reads(sql: str) -> list[str]:
    """`table (in: statement)` for every upstream table a `SELECT *` of `sql` reads directly."""
    found = []
    for statement in sqlglot.parse(sql, read="bigquery"):
        for scope in statement.find_all(exp.Select) if statement is not None else ():
            if any(isinstance(column, exp.Star) for column in scope.expressions):
                found += [
                    f"{table.name} (in: {scope.sql(dialect='bigquery')[:160]})"
                    for table in tables_of(scope)
                    if table.name in UPSTREAM
                ]
    return found
