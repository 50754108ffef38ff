"""Turning results into what operators read: text tables on stdout, or one JSON document."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click
import pandas as pd

from backfill.date_facts import dated_rows, summary_counts
from backfill.notify import takeover_text
from processors.policy import SYNTHETIC, UPCG_DISAGREES, UPCG_EMPTY, UPCG_PARTIAL, UPCG_SUFFICIENT
from validation.gate import BLOCKED, FAILED, GAMES_NOT_FINAL, PUBLISHED, SKIPPED_BOOTSTRAP

if TYPE_CHECKING:  # computing factors is not needed to render or notify
    from backfill.runner import RunResult

STATUS_ORDER = (PUBLISHED, BLOCKED, FAILED, SKIPPED_BOOTSTRAP)


def coverage_text(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.1%}"


def json_value(value: Any) -> Any:
    """A JSON-safe scalar: dates as ISO strings, NaN/NA as null, numpy scalars as Python ones."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, date | datetime):
        return value.isoformat()
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return json_value(value.item())
    return value if isinstance(value, str | int | float | bool) else str(value)


STATUS_COLOURS = {PUBLISHED: "green", BLOCKED: "yellow", FAILED: "red", SKIPPED_BOOTSTRAP: "blue"}


def table(frame: pd.DataFrame, colour: bool = False) -> str:
    """An aligned text table; with `colour` (a terminal), status words are coloured."""
    if frame.empty:
        return "(nothing)"
    text = frame.astype(str)
    widths = {col: max(len(col), *(len(v) for v in text[col])) for col in text.columns}

    def cell(col: str, value: str) -> str:
        padded = value.ljust(widths[col])
        return click.style(padded, fg=STATUS_COLOURS.get(value)) if colour and col == "status" else padded

    lines = ["  ".join(col.ljust(widths[col]) for col in text.columns)]
    lines.append("  ".join("-" * widths[col] for col in text.columns))
    lines += ["  ".join(cell(col, value) for col, value in zip(text.columns, row, strict=True))
              for row in text.itertuples(index=False)]
    return "\n".join(lines)


def run_document(result: RunResult, resume_command: str) -> dict[str, Any]:
    verdicts = result.verdicts.reset_index()
    dates = [
        {key: json_value(value) for key, value in row.items()}
        for row in verdicts.reindex(columns=["game_date", "games", "status", "context_source", "source_reason",
                                             "expected_players",
                                             "upcg_players", "published_players", "coverage", "reason", "forced",
                                             "allowed_regression", "previous_players", "candidate_players"])
        .to_dict("records")
    ] if len(verdicts) else []  # fmt: skip
    return {
        "run_id": result.invocation.run_id,
        "dry_run": result.settings.dry_run,
        "start_date": result.settings.start.isoformat(),
        "end_date": result.settings.end.isoformat(),
        "exit_code": result.exit_code,
        "counts": {status: result.count(status) for status in STATUS_ORDER}
        | {"off_days": len(result.plan.off_days), "already_done": result.plan.already_done},
        "seconds": round(result.seconds, 3),
        "warehouse_jobs": result.jobs,
        "bytes_processed": result.bytes_processed,
        "warehouse_rows_read": result.rows_read,
        "dates": dates,
        "schedule_gap": result.plan.schedule_gap,
        "resume_command": resume_command if result.exit_code else None,
    }


def billed_bytes(count: int) -> str:
    """BigQuery reports bytes processed; DuckDB does not, so nothing is shown there."""
    return f", {count / 2**30:,.2f} GiB processed" if count else ""


def run_text(result: RunResult, resume_command: str, inspect_command: str) -> str:
    counts = ", ".join(f"{result.count(status)} {status}" for status in STATUS_ORDER)
    lines = [
        f"{'Dry run' if result.settings.dry_run else 'Run'} {result.invocation.run_id}: "
        f"{result.settings.start} → {result.settings.end}",
        f"  {counts}; {len(result.plan.off_days)} off-days; {result.plan.already_done} already done",
        f"  {result.seconds:.1f} s, {result.jobs} warehouse jobs{billed_bytes(result.bytes_processed)}",
    ]
    verdicts = result.verdicts
    if result.plan.schedule_gap:
        lines += ["", f"Not off-days: {result.plan.schedule_gap}. Load the schedule upstream, then rerun."]
    if result.settings.dry_run and len(verdicts):
        lines += ["", table(plan_table(result))]
    problems = verdicts[verdicts["status"].isin([BLOCKED, FAILED])] if len(verdicts) else verdicts
    if len(problems):
        lines += ["", "Dates that need attention:"]
        lines += [f"  {ts.date()}  {row['status']:<8} {row['reason']}" for ts, row in problems.iterrows()]
    lines += override_lines(verdicts)
    lines += fallback_lines(verdicts)
    if result.taken_over:  # the dead run is someone's problem too: say it where the operator looks first
        lines += ["", *(f"Note: {takeover_text(lease)}" for lease in result.taken_over)]
    if result.exit_code and not result.settings.dry_run:
        lines += ["", f"To resume: {resume_command}", f"To inspect: {inspect_command}"]
    return "\n".join(lines)


def players_change(verdicts: pd.DataFrame) -> pd.Series:
    """Published now → after this run, in players: '177 → 1'."""
    before = verdicts.get("previous_players", pd.Series(index=verdicts.index, dtype="float64")).map(count_text)
    after = verdicts.get("candidate_players", pd.Series(index=verdicts.index, dtype="float64")).map(count_text)
    return before + " → " + after


def override_lines(verdicts: pd.DataFrame) -> list[str]:
    """Dates published past the gate (--force) or over better rows (--allow-regression), named one by one."""
    if not len(verdicts):
        return []
    forced = verdicts["forced"].astype(bool)
    allowed = verdicts.get("allowed_regression", pd.Series(False, index=verdicts.index)).fillna(False).astype(bool)
    chosen = verdicts[forced | allowed]
    if not len(chosen):
        return []
    change = players_change(chosen)
    return ["", "Published past the gate (recorded with who and why):"] + [
        f"  {ts.date()}  {'forced' if row['forced'] else 'regression allowed'}  players {change[ts]}  {row['reason']}"
        for ts, row in chosen.iterrows()
    ]


def fallback_lines(verdicts: pd.DataFrame) -> list[str]:
    """Partial UPCG is the incident's trap: name those dates; an empty UPCG is just counted."""
    if not len(verdicts):
        return []
    fallback = verdicts[verdicts["context_source"] == SYNTHETIC]
    state = fallback.get("upcg_state", pd.Series(None, index=fallback.index, dtype="object"))
    partial, empty, stale = (fallback[state == kind] for kind in (UPCG_PARTIAL, UPCG_EMPTY, UPCG_DISAGREES))
    lines = []
    if len(stale):
        lines += ["", "UPCG disagrees with the box scores (stale context), so built from box scores:"]
        lines += [f"  {ts.date()}  {row['source_reason']}" for ts, row in stale.iterrows()]
    if len(partial):
        lines += ["", "UPCG partial, so built from box scores (stale rows? `pcf-backfill cleanup --mode partial`):"]
        lines += [f"  {ts.date()}  {row['source_reason']}" for ts, row in partial.iterrows()]
    if len(empty):
        lines += ["", f"{len(empty)} dates had no UPCG rows and were built from box scores."]
    return lines


def plan_table(result: RunResult) -> pd.DataFrame:
    """The dry-run plan: date, games, expected, UPCG players, source, predicted coverage, action."""
    verdicts = result.verdicts
    action = verdicts["status"].map({PUBLISHED: "publish", BLOCKED: "block", FAILED: "fail",
                                     SKIPPED_BOOTSTRAP: "skip (bootstrap)"})  # fmt: skip
    action = action.where(~verdicts["forced"].astype(bool), "publish (forced)")
    allowed = verdicts.get("allowed_regression", pd.Series(False, index=verdicts.index)).fillna(False).astype(bool)
    action = action.where(~allowed, "publish (regression allowed)")
    return pd.DataFrame({
        "date": [ts.date() for ts in verdicts.index],
        "games": verdicts["games"].to_numpy(),
        "expected": verdicts["expected_players"].to_numpy(),
        "upcg": verdicts["upcg_players"].to_numpy(),
        "source": verdicts["context_source"].fillna("—").to_numpy(),
        "coverage": verdicts["coverage"].map(coverage_text).to_numpy(),
        "players now → after": players_change(verdicts).to_numpy(),
        "action": action.to_numpy(),
        "reason": verdicts["reason"].fillna("").to_numpy(),
    })  # fmt: skip


def leases_text(held: pd.DataFrame) -> str:
    return table(held.astype(str)) if len(held) else "No lease is held."


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, default=json_value)


def cleanup_document(result: Any) -> dict[str, Any]:
    per_date = result.per_date.reset_index(drop=True)
    return {
        "operation_id": result.operation_id, "mode": result.mode, "cutoff_date": result.cutoff.isoformat(),
        "dry_run": result.dry_run, "rows_matched": result.rows_matched, "rows_deleted": result.rows_deleted,
        "backup_table": result.backup_table,
        "dates": [{k: json_value(v) for k, v in row.items()} for row in per_date.to_dict("records")],
    }  # fmt: skip


def cleanup_text(result: Any) -> str:
    verb = "Would delete" if result.dry_run else "Deleted"
    count = result.rows_matched if result.dry_run else result.rows_deleted
    lines = [f"Cleanup ({result.mode}, cutoff {result.cutoff}): {verb} {count:,} UPCG rows."]
    doomed = result.per_date[result.per_date["action"] == "delete"] if len(result.per_date) else result.per_date
    if len(result.per_date) > len(doomed):
        kept = len(result.per_date) - len(doomed)
        lines.append(f"{kept} older dates keep their rows (UPCG covers ≥ {UPCG_SUFFICIENT:.0%}).")
    if len(doomed):
        shown = doomed.copy()
        shown["game_date"] = pd.to_datetime(shown["game_date"]).dt.date
        shown["coverage"] = shown["coverage"].map(coverage_text)
        lines += ["", table(shown)]
    if result.backup_table:
        lines += ["", f"Backup: {result.backup_table}  (undo: pcf-backfill cleanup restore {result.backup_table})"]
    if result.dry_run and result.rows_matched:
        lines += ["", "Dry run: nothing changed. Add --execute to delete."]
    return "\n".join(lines)


STATUS_COLUMNS = ["games", "status", "context_source", "expected_players", "published_players", "coverage",
                  "forced", "reason", "run_id"]  # fmt: skip
LAST_ATTEMPT_COLUMNS = {"status": "status", "reason": "reason", "coverage": "last_coverage", "run_id": "last_run_id"}


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows indexed by game_date as JSON-safe dicts."""
    return [{"game_date": ts.date().isoformat(), **{c: json_value(row[c]) for c in columns}}
            for ts, row in dated_rows(frame)]  # fmt: skip


def dated_table(frame: pd.DataFrame, columns: list[str], colour: bool = False) -> str:
    shown = frame[columns].reset_index()
    shown["game_date"] = shown["game_date"].dt.date
    if "coverage" in shown:
        shown["coverage"] = shown["coverage"].map(coverage_text)
    return table(shown.astype("object").where(shown.notna(), ""), colour=colour)


def count_text(value: Any) -> str:
    return "?" if value is None or pd.isna(value) else str(int(value))


def published_text(row: Mapping[str, Any]) -> str:
    """What the table holds: '177/177 (100.0%) pgs_synthetic', or 'nothing'."""
    if not row["published_players"] and not row.get("published_rows", 0):
        return "nothing"
    return (f"{count_text(row['published_players'])}/{count_text(row['expected_players'])} "
            f"({coverage_text(row['coverage'])}) {row['context_source'] or ''}").strip()  # fmt: skip


def last_attempt_text(row: Mapping[str, Any]) -> str:
    if row["status"] == "pending":
        return "never run"
    reason = f": {row['reason']}" if isinstance(row["reason"], str) and row["reason"] else ""
    return f"{row['status']}{reason}"


def audit_line(row: Any) -> str:
    """`2022-11-22  block  shot_zone_zero_share 1.00 vs baseline 0.01 (threshold 0.4)`."""
    baseline = "" if pd.isna(row.baseline) else f" vs baseline {row.baseline:.2f}"
    value = "n/a" if pd.isna(row.value) else f"{row.value:.2f}"
    detail = f"; {row.detail}" if isinstance(row.detail, str) and row.detail else ""
    return f"  {pd.Timestamp(row.game_date).date()}  {row.severity:5}  {row.audit} {value}{baseline} " \
           f"(threshold {row.threshold:g}){detail}"  # fmt: skip


def audit_lines(audits: pd.DataFrame | None) -> list[str]:
    if audits is None or audits.empty:
        return []
    return ["", "Failing audits (last attempt):", *(audit_line(row) for row in audits.itertuples())]


def audit_records(audits: pd.DataFrame | None) -> list[dict[str, Any]]:
    if audits is None or audits.empty:
        return []
    return [{key: json_value(value) for key, value in row.items()} for row in audits.to_dict("records")]


def status_document(report: pd.DataFrame, start: date, end: date,
                    audits: pd.DataFrame | None = None) -> dict[str, Any]:  # fmt: skip
    dates = [
        {**entry, "last_attempt": {key: json_value(row[column]) for key, column in LAST_ATTEMPT_COLUMNS.items()}}
        for entry, (_, row) in zip(records(report, STATUS_COLUMNS), dated_rows(report), strict=True)
    ]
    return {"start_date": str(start), "end_date": str(end), "summary": summary_counts(report), "dates": dates,
            "failing_audits": audit_records(audits)}  # fmt: skip


POSTPONED_AFTER_DAYS = 2  # a game still not final this long after its date was most likely postponed


def postponed_lines(report: pd.DataFrame, today: date | None) -> list[str]:
    """Dates held back for days by games that never finished: say so, and how to resolve them knowingly."""
    if today is None or not len(report):
        return []
    waiting = report["blocked_by"] == GAMES_NOT_FINAL
    age = (pd.Timestamp(today) - report.index.to_series()).dt.days
    stuck = report[waiting & (age >= POSTPONED_AFTER_DAYS) & (report["status"] == BLOCKED)]
    return [f"{ts.date()}: games unfinished for {age[ts]} days — postponed? Once confirmed, publish the final "
            f'games: pcf-backfill run --dates {ts.date()} --force --reason "<game> postponed"'
            for ts in stuck.index]  # fmt: skip


def status_text(report: pd.DataFrame, colour: bool, today: date | None = None,
                audits: pd.DataFrame | None = None) -> str:  # fmt: skip
    counts = summary_counts(report)
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) if counts else "no game dates in this range"
    shown = pd.DataFrame({
        "games": report["games"],
        "published": [published_text(row) for _, row in dated_rows(report)],
        "status": report["status"],
        "last attempt": [last_attempt_text(row) for _, row in dated_rows(report)],
    }, index=report.index)  # fmt: skip
    notes = postponed_lines(report, today)
    text = "\n".join([dated_table(shown, list(shown.columns), colour), *audit_lines(audits), "",
                      f"Summary (last attempts): {summary}"])  # fmt: skip
    return text + ("\n\n" + "\n".join(notes) if notes else "")


def validate_document(report: pd.DataFrame, problems: pd.DataFrame, start: date, end: date,
                      repairs: list[str], audits: pd.DataFrame | None = None) -> dict[str, Any]:  # fmt: skip
    columns = ["state", "games", "expected_players", "pcf_rows", "matched_players", "coverage",
               "rows_for_non_players", "rows_out_of_range", "last_reason", "problems"]  # fmt: skip
    return {"start_date": str(start), "end_date": str(end), "game_dates": int(report["is_game_date"].sum()),
            "dates_with_problems": len(problems), "problems": records(problems, columns),
            "repair_commands": repairs, "failing_audits": audit_records(audits)}  # fmt: skip


def validate_text(report: pd.DataFrame, problems: pd.DataFrame, start: date, end: date, repairs: list[str],
                  audits: pd.DataFrame | None = None) -> str:  # fmt: skip
    lines = [f"Checked {int(report['is_game_date'].sum())} game dates from {start} to {end}: "
             f"{len(problems)} need attention."]  # fmt: skip
    if len(problems):
        shown = problems.assign(reason=problems["last_reason"].fillna(""))
        lines += [dated_table(shown, ["state", "expected_players", "pcf_rows", "coverage", "problems", "reason"])]
        lines += ["", *(f"To repair: {command}" for command in repairs)]
    return "\n".join(lines + audit_lines(audits))


def freshness_document(fresh: Any, connection: list[str]) -> dict[str, Any]:
    """`fresh` is a backfill.staleness.Freshness (not imported here: the command imports it lazily)."""
    missing = fresh.missing
    return {
        "fresh": not fresh.stale, "exit_code": fresh.exit_code, "now": fresh.now.isoformat(),
        "checked_from": json_value(fresh.since), "checked_through": fresh.checked_through.isoformat(),
        "max_lag_hours": fresh.max_lag_hours, "newest_published": json_value(fresh.newest_published),
        "oldest_missing": json_value(fresh.oldest_overdue),
        "hours_late": None if fresh.hours_late is None else round(fresh.hours_late, 1),
        "missing_dates": [{"game_date": ts.date().isoformat(), "games": int(row["games"]),
                           "ledger_state": json_value(row["ledger_state"]),
                           "hours_since_end": round(float(row["hours_since_end"]), 1), "overdue": bool(row["overdue"])}
                          for ts, row in missing.iterrows()],
        "fix_command": fresh.fix_command(connection),
    }  # fmt: skip


def freshness_text(fresh: Any, connection: list[str]) -> str:
    newest = fresh.newest_published or "none"
    if not fresh.stale:
        waiting = len(fresh.missing)
        within = f"; {waiting} within the {fresh.max_lag_hours:g} h allowance" if waiting else ""
        return (f"Fresh: every final game date through {fresh.checked_through} is published "
                f"(newest {newest}{within}).")  # fmt: skip
    overdue = fresh.overdue
    lines = [
        f"Stale: {fresh.oldest_overdue} is not published, {fresh.hours_late:,.0f} h after that day ended "
        f"(allowed {fresh.max_lag_hours:g} h); {len(overdue)} overdue game date{'s' if len(overdue) > 1 else ''} "
        f"through {fresh.checked_through}, newest published {newest}.",
        "  " + ", ".join(day.isoformat() for day in overdue[:10]) + (" …" if len(overdue) > 10 else ""),
        f"To fix: {fresh.fix_command(connection)}",
    ]
    return "\n".join(lines)


def config_text(command: str, config_file: Any, settings: list[dict[str, Any]]) -> str:
    """The effective settings of a command, one line each: option, value, where it came from."""
    width = max((len(entry["setting"]) for entry in settings), default=0)
    values = [entry["value"] for entry in settings]
    shown = [", ".join(map(str, value)) if isinstance(value, list | tuple) else
             "" if value is None else str(value) for value in values]  # fmt: skip
    value_width = max((len(text) for text in shown), default=0)
    lines = [f"Effective settings of `pcf-backfill {command}` (command line > environment > config file > default)",
             f"Config file: {config_file or 'none'}", ""]  # fmt: skip
    lines += [f"  {entry['setting']:<{width}}  {text:<{value_width}}  {entry['source']}"
              for entry, text in zip(settings, shown, strict=True)]  # fmt: skip
    return "\n".join(lines)
