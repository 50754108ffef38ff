"""Turning results into what operators read: text tables on stdout, or one JSON document.

The reading commands render plain rows (dicts), so this module imports no pandas; values that came out of a frame
(numpy scalars, NaN, pandas' NA and Timestamps) are recognised too. `backfill.cli.render_runs` renders what `run`,
`catch-up` and `cleanup` return.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import click

from vocabulary import BlockedBy, DateStatus

STATUS_ORDER = (DateStatus.PUBLISHED, DateStatus.BLOCKED, DateStatus.FAILED, DateStatus.SKIPPED_BOOTSTRAP)
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
    if isinstance(value, list | tuple):  # a date's problems: the names of the checks it fails
        return [json_value(item) for item in value]
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


STATUS_COLUMNS = [
    "games",
    "status",
    "context_source",
    "expected_players",
    "published_players",
    "coverage",
    "forced",
    "reason",
    "run_id",
    "inputs",
    "inputs_reason",
]
LAST_ATTEMPT_COLUMNS = {"status": "status", "reason": "reason", "coverage": "last_coverage", "run_id": "last_run_id"}


def records(rows: Iterable[Row], columns: list[str]) -> list[dict[str, Any]]:
    """Dated rows as JSON-safe dicts."""
    return [{"game_date": row["game_date"].isoformat(), **{c: json_value(row[c]) for c in columns}} for row in rows]


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


def published_text(row: Row) -> str:
    """What the table holds: '177/177 (100.0%) pgs_synthetic', or 'nothing'."""
    if not row["published_players"] and not row.get("published_rows", 0):
        return "nothing"
    return (
        f"{count_text(row['published_players'])}/{count_text(row['expected_players'])} "
        f"({coverage_text(row['coverage'])}) {row['context_source'] or ''}"
    ).strip()


def last_attempt_text(row: Row) -> str:
    if row["status"] == "pending":
        return "never run"
    reason = f": {row['reason']}" if isinstance(row["reason"], str) and row["reason"] else ""
    return f"{row['status']}{reason}"


def audit_line(row: Row) -> str:
    """`2022-11-22  block  shot_zone_zero_share 1.00 vs baseline 0.01 (threshold 0.4)`."""
    baseline = "" if is_missing(row["baseline"]) else f" vs baseline {row['baseline']:.2f}"
    value = "n/a" if is_missing(row["value"]) else f"{row['value']:.2f}"
    detail = f"; {row['detail']}" if isinstance(row["detail"], str) and row["detail"] else ""
    return (
        f"  {row['game_date']}  {row['severity']:5}  {row['audit']} {value}{baseline} "
        f"(threshold {row['threshold']:g}){detail}"
    )


def audit_lines(audits: Sequence[Row] | None) -> list[str]:
    if not audits:
        return []
    return ["", "Failing audits (last attempt):", *(audit_line(row) for row in audits)]


def audit_records(audits: Sequence[Row] | None) -> list[dict[str, Any]]:
    return [{key: json_value(value) for key, value in row.items()} for row in audits or []]


def summary_counts(states: Iterable[Row]) -> dict[str, int]:
    """Dates per last-attempt status, by status name."""
    return dict(sorted(Counter(str(row["status"]) for row in states).items()))


def input_counts(states: Iterable[Row]) -> dict[str, int]:
    """Published dates per input state (fresh, stale, unverified: SPEC §6.10)."""
    return dict(sorted(Counter(str(row["inputs"]) for row in states if row.get("inputs")).items()))


def input_lines(states: Sequence[Row]) -> list[str]:
    """The published dates whose inputs changed, each with what changed; a count of those nothing vouches for."""
    stale = [row for row in states if row.get("inputs") == "stale"]
    unverified = [row for row in states if row.get("inputs") == "unverified"]
    lines = (
        [
            "",
            "Published, but inputs changed since (`run --rerun stale` republishes them):",
            *(f"  {row['game_date']}  {row['inputs_reason']}" for row in stale),
        ]
        if stale
        else []
    )
    if unverified:
        lines += [
            "",
            f"{len(unverified)} published dates are unverified (no input fingerprint): "
            "`pcf-backfill validate --recompute` checks them against their inputs.",
        ]
    return lines


def status_document(
    states: Sequence[Row], start: date, end: date, audits: Sequence[Row] | None = None
) -> dict[str, Any]:
    dates = [
        {**entry, "last_attempt": {key: json_value(row[column]) for key, column in LAST_ATTEMPT_COLUMNS.items()}}
        for entry, row in zip(records(states, STATUS_COLUMNS), states, strict=True)
    ]
    return {
        "start_date": str(start),
        "end_date": str(end),
        "summary": summary_counts(states),
        "inputs": input_counts(states),
        "dates": dates,
        "failing_audits": audit_records(audits),
    }


POSTPONED_AFTER_DAYS = 2  # a game still not final this long after its date was most likely postponed


def postponed_lines(states: Sequence[Row], today: date | None) -> list[str]:
    """Dates held back for days by games that never finished: say so, and how to resolve them knowingly."""
    if today is None:
        return []
    stuck = [
        (row["game_date"], (today - row["game_date"]).days)
        for row in states
        if row["blocked_by"] == BlockedBy.GAMES_NOT_FINAL and row["status"] == DateStatus.BLOCKED
    ]
    return [
        f"{day}: games unfinished for {age} days — postponed? Once confirmed, publish the final "
        f'games: pcf-backfill run --dates {day} --force --reason "<game> postponed"'
        for day, age in stuck
        if age >= POSTPONED_AFTER_DAYS
    ]


def status_text(
    states: Sequence[Row], colour: bool, today: date | None = None, audits: Sequence[Row] | None = None
) -> str:
    counts = summary_counts(states)
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) if counts else "no game dates in this range"
    shown = [
        {
            "game_date": row["game_date"],
            "games": row["games"],
            "published": published_text(row),
            "inputs": row.get("inputs") or "",
            "status": row["status"],
            "last attempt": last_attempt_text(row),
        }
        for row in states
    ]
    notes = postponed_lines(states, today)
    inputs = ", ".join(f"{n} {s}" for s, n in input_counts(states).items()) or "nothing published"
    text = "\n".join(
        [
            dated_table(shown, ["games", "published", "inputs", "status", "last attempt"], colour),
            *input_lines(states),
            *audit_lines(audits),
            "",
            f"Summary (last attempts): {summary}",
            f"Published rows against their inputs: {inputs}",
        ]
    )
    return text + ("\n\n" + "\n".join(notes) if notes else "")


PROBLEM_COLUMNS = [
    "state",
    "games",
    "expected_players",
    "pcf_rows",
    "matched_players",
    "coverage",
    "rows_for_non_players",
    "rows_out_of_range",
    "last_reason",
    "problems",
    "inputs",
    "inputs_reason",
]


def validate_document(
    report: Sequence[Row],
    problems: Sequence[Row],
    start: date,
    end: date,
    repairs: list[str],
    audits: Sequence[Row] | None = None,
) -> dict[str, Any]:
    return {
        "start_date": str(start),
        "end_date": str(end),
        "game_dates": sum(bool(row["is_game_date"]) for row in report),
        "dates_with_problems": len(problems),
        "problems": records(problems, PROBLEM_COLUMNS),
        "repair_commands": repairs,
        "failing_audits": audit_records(audits),
    }


def validate_text(
    report: Sequence[Row],
    problems: Sequence[Row],
    start: date,
    end: date,
    repairs: list[str],
    audits: Sequence[Row] | None = None,
) -> str:
    game_dates = sum(bool(row["is_game_date"]) for row in report)
    lines = [f"Checked {game_dates} game dates from {start} to {end}: {len(problems)} need attention."]
    if problems:
        shown = [{**row, "problems": ", ".join(row["problems"]), "reason": problem_reason(row)} for row in problems]
        lines += [dated_table(shown, ["state", "expected_players", "pcf_rows", "coverage", "problems", "reason"])]
        lines += ["", *(f"To repair: {command}" for command in repairs)]
    return "\n".join(lines + audit_lines(audits))


def recompute_document(recomputed: Any) -> dict[str, Any]:
    """`validate --recompute`'s findings (a backfill.pipeline.recompute.Recomputed, or None without --recompute)."""
    if recomputed is None:
        return {}
    return {
        "recompute": {
            "run_id": recomputed.run_id,
            "matching": [day.isoformat() for day in recomputed.matching],
            "differing": [
                {
                    "game_date": day.isoformat(),
                    "differing_rows": recomputed.differing[day],
                    "published_rows": recomputed.published_rows[day],
                    "blocked": recomputed.blocked.get(day),
                }
                for day in recomputed.stale
            ],
        }
    }


def recompute_text(recomputed: Any) -> str:
    """What `--recompute` found, before the reconciliation it feeds ('' without --recompute)."""
    if recomputed is None:
        return ""
    lines = [
        f"Recomputed {len(recomputed.differing)} published dates: {len(recomputed.matching)} match their "
        f"published rows (fingerprints recorded), {len(recomputed.stale)} differ."
    ]
    for day in recomputed.stale:
        why = f" (today's gate: {recomputed.blocked[day]})" if day in recomputed.blocked else ""
        lines.append(f"  {day}  {recomputed.differing[day]} of {recomputed.published_rows[day]} rows differ{why}")
    return "\n".join(lines) + "\n\n"


def problem_reason(row: Row) -> str:
    """What a date's row says of it: what changed in its inputs when that is its problem, else the last attempt's."""
    if row.get("inputs") in ("stale", "unverified") and row.get("inputs_reason"):
        return f"{row['inputs']}: {row['inputs_reason']}"
    return str(row["last_reason"] or "")


def freshness_document(fresh: Any, connection: list[str]) -> dict[str, Any]:
    """`fresh` is a backfill.pipeline.staleness.Freshness (not imported here: the command imports it lazily)."""
    missing = fresh.missing
    return {
        "fresh": not fresh.stale,
        "exit_code": fresh.exit_code,
        "now": fresh.now.isoformat(),
        "checked_from": json_value(fresh.since),
        "checked_through": fresh.checked_through.isoformat(),
        "max_lag_hours": fresh.max_lag_hours,
        "newest_published": json_value(fresh.newest_published),
        "oldest_missing": json_value(fresh.oldest_overdue),
        "hours_late": None if fresh.hours_late is None else round(fresh.hours_late, 1),
        "missing_dates": [
            {
                "game_date": ts.date().isoformat(),
                "games": int(row["games"]),
                "ledger_state": json_value(row["ledger_state"]),
                "hours_since_end": round(float(row["hours_since_end"]), 1),
                "overdue": bool(row["overdue"]),
            }
            for ts, row in missing.iterrows()
        ],
        "fix_command": fresh.fix_command(connection),
        "inputs_changed": [
            {"game_date": day.isoformat(), "why": why} for day, why in sorted(fresh.inputs_changed.items())
        ],
        "republish_command": fresh.republish_command(connection),
    }


def freshness_text(fresh: Any, connection: list[str]) -> str:
    newest = fresh.newest_published or "none"
    if not fresh.stale:
        waiting = len(fresh.missing)
        within = f"; {waiting} within the {fresh.max_lag_hours:g} h allowance" if waiting else ""
        return (
            f"Fresh: every final game date through {fresh.checked_through} is published "
            f"(newest {newest}{within}) and true to its inputs."
        )
    overdue, lines = fresh.overdue, []
    if overdue:
        lines += [
            f"Stale: {fresh.oldest_overdue} is not published, {fresh.hours_late:,.0f} h after that day ended "
            f"(allowed {fresh.max_lag_hours:g} h); {len(overdue)} overdue game date{'s' if len(overdue) > 1 else ''} "
            f"through {fresh.checked_through}, newest published {newest}.",
            "  " + ", ".join(day.isoformat() for day in overdue[:10]) + (" …" if len(overdue) > 10 else ""),
            f"To fix: {fresh.fix_command(connection)}",
        ]
    if fresh.inputs_changed:
        changed = sorted(fresh.inputs_changed.items())
        lines += [
            f"Stale: {len(changed)} published date{'s' if len(changed) > 1 else ''} whose inputs changed since:",
            *(f"  {day}  {why}" for day, why in changed[:10]),
            *(["  …"] if len(changed) > 10 else []),
            f"To republish: {fresh.republish_command(connection)}",
        ]
    return "\n".join(lines)


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
