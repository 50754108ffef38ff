"""SQL text written once for both dialects: typed dates as literals, `@name` parameters, `{key}` table
placeholders rendered to qualified names."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from warehouse.schemas import TABLES


def date_literal(value: date) -> str:
    """A typed date rendered for SQL scripts (both dialects accept DATE 'YYYY-MM-DD')."""
    if not isinstance(value, date):
        raise TypeError(f"date_literal needs a date, got {type(value).__name__}")
    return f"DATE '{value.isoformat()}'"


def dates_in_list(values: Sequence[date]) -> str:
    return "(" + ", ".join(date_literal(value) for value in values) + ")"


PARAM = re.compile(r"(?<![@\w])@([A-Za-z_]\w*)")
TABLE_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def render_tables(sql: str, table: Callable[[str], str]) -> str:
    """`{key}` → `table(key)` for the keys of `TABLES`. A placeholder-shaped word outside string literals
    that names no table is a mistake in the code, refused here rather than sent as SQL."""

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in TABLES:
            return table(key)
        if _inside_string_literal(sql, match.start()):
            return match.group(0)
        raise ValueError(f"SQL names an unknown table placeholder {{{key}}}; known: {', '.join(TABLES)}")

    return TABLE_PLACEHOLDER.sub(substitute, sql)


def _inside_string_literal(sql: str, position: int) -> bool:
    """Whether `position` lies inside a quoted literal ('…' or "…"; a backslash escapes the next character)."""
    quote = None
    index = 0
    while index < position:
        char = sql[index]
        if quote and char == "\\":
            index += 2
            continue
        if char == quote:
            quote = None
        elif quote is None and char in "'\"":
            quote = char
        index += 1
    return quote is not None
