"""Turning results into what operators read: what every renderer shares (text tables, one JSON document).

`--output json` prints the API result's `to_dict()` through `to_json`; the text views are `render_inspect` (what
`status`, `validate` and `freshness` return) and `render_runs` (`run`, `catch-up`, `cleanup`). This module imports
no pandas; values that came out of a frame (numpy scalars, NaN, pandas' NA and Timestamps) are recognised too.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import click

from vocabulary import DateStatus

Row = Mapping[str, Any]


def loaded_pandas() -> Any:
    """pandas if something loaded it already (a value from a frame), else None: a value can only be one of
    pandas' own (NA, NaT, Timestamp) when pandas is loaded, so rows never make this module import it."""
    return sys.modules.get("pandas")


def is_missing(value: Any) -> bool:
    """None, NaN (numpy's too), or pandas' NA / NaT."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    pandas = loaded_pandas()
    return pandas is not None and (value is pandas.NA or value is pandas.NaT)


def coverage_text(value: Any) -> str:
    return "—" if is_missing(value) else f"{float(value):.1%}"


def json_value(value: Any) -> Any:
    """A JSON-safe scalar: dates as ISO strings, NaN/NA as null, numpy scalars as Python ones."""
    pandas = loaded_pandas()
    if pandas is not None and isinstance(value, pandas.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, date | datetime):
        return value.isoformat()
    if value is None or (pandas is not None and value is pandas.NA) or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return json_value(value.item())
    return value if isinstance(value, str | int | float | bool) else str(value)


STATUS_COLOURS: dict[str, str] = {
    DateStatus.PUBLISHED: "green",
    DateStatus.BLOCKED: "yellow",
    DateStatus.FAILED: "red",
    DateStatus.SKIPPED_BOOTSTRAP: "blue",
}


def table(rows: Sequence[Row], colour: bool = False) -> str:
    """An aligned text table of rows (dicts with the same keys, in column order); with `colour` (a terminal),
    status words are coloured."""
    if not rows:
        return "(nothing)"
    columns = list(rows[0])
    text = [[str(row[col]) for col in columns] for row in rows]
    widths = {col: max(len(col), *(len(line[i]) for line in text)) for i, col in enumerate(columns)}

    def cell(col: str, value: str) -> str:
        padded = value.ljust(widths[col])
        return click.style(padded, fg=STATUS_COLOURS.get(value)) if colour and col == "status" else padded

    lines = ["  ".join(col.ljust(widths[col]) for col in columns)]
    lines.append("  ".join("-" * widths[col] for col in columns))
    lines += ["  ".join(cell(col, value) for col, value in zip(columns, line, strict=True)) for line in text]
    return "\n".join(lines)


def leases_text(held: Any) -> str:
    """`held`: the live leases, a frame (one row per lease)."""
    return table(held.astype(str).to_dict("records")) if len(held) else "No lease is held."


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, default=json_value)


def dated_table(rows: Sequence[Row], columns: list[str], colour: bool = False) -> str:
    """Rows by game date; coverage as a percentage, a missing value as blank."""

    def shown(column: str, value: Any) -> Any:
        if column == "coverage":
            return coverage_text(value)
        return "" if is_missing(value) else value

    return table(
        [{"game_date": row["game_date"], **{c: shown(c, row[c]) for c in columns}} for row in rows], colour=colour
    )


def count_text(value: Any) -> str:
    return "?" if is_missing(value) else str(int(value))


def config_text(command: str, config_file: Any, settings: list[dict[str, Any]]) -> str:
    """The effective settings of a command, one line each: option, value, where it came from."""
    width = max((len(entry["setting"]) for entry in settings), default=0)
    values = [entry["value"] for entry in settings]
    shown = [
        ", ".join(map(str, value)) if isinstance(value, list | tuple) else "" if value is None else str(value)
        for value in values
    ]
    value_width = max((len(text) for text in shown), default=0)
    lines = [
        f"Effective settings of `pcf-backfill {command}` (command line > environment > config file > default)",
        f"Config file: {config_file or 'none'}",
        "",
    ]
    lines += [
        f"  {entry['setting']:<{width}}  {text:<{value_width}}  {entry['source']}"
        for entry, text in zip(settings, shown, strict=True)
    ]
    return "\n".join(lines)
