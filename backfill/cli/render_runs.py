"""What `run`, `catch-up` and `cleanup` show: their results are frames (pandas), so these renderers live apart
from the ones every reading command loads (`backfill.cli.render`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from backfill.cli.notify import takeover_text
from backfill.cli.render import STATUS_ORDER, count_text, coverage_text, json_value, table
from validation.rules import FORCED_PREFIX
from vocabulary import UPCG_SUFFICIENT, DateStatus, Source, UpcgState

if TYPE_CHECKING:  # computing factors is not needed to render
    from backfill.pipeline.runner import RunOutcome


def run_document(result: RunOutcome, resume_command: str) -> dict[str, Any]:
    verdicts = result.verdicts.reset_index()
    dates = (
        [
            {key: json_value(value) for key, value in row.items()}
            for row in verdicts.reindex(
                columns=[
                    "game_date",
                    "games",
                    "status",
                    "context_source",
                    "source_reason",
                    "expected_players",
                    "upcg_players",
                    "published_players",
                    "coverage",
                    "reason",
                    "forced",
                    "allowed_regression",
                    "blocked_by",
                    "upcg_state",
                    "previous_players",
                    "candidate_players",
                    "zone_rows_built",
                    "zone_note",
                    "inputs_changed",
                ]
            ).to_dict("records")
        ]
        if len(verdicts)
        else []
    )
    return {
        "run_id": result.invocation.run_id,
        "dry_run": result.settings.dry_run,
        "start_date": result.settings.start.isoformat(),
        "end_date": result.settings.end.isoformat(),
        "exit_code": result.exit_code,
        "counts": {status: result.count(status) for status in STATUS_ORDER}
        | {
            "off_days": len(result.plan.off_days),
            "already_done": result.plan.already_done,
            "republished_stale": len(republished(result)),
            "still_stale": len(result.still_stale),
        },
        "seconds": round(result.seconds, 3),
        "warehouse_jobs": result.jobs,
        "bytes_processed": result.bytes_processed,
        **({} if result.bytes_billed is None else {"bytes_billed": result.bytes_billed}),
        **({} if result.estimated_bytes is None else {"estimated_bytes": result.estimated_bytes}),
        "warehouse_rows_read": result.rows_read,
        "dates": dates,
        "schedule_gap": result.plan.schedule_gap,
        "resume_command": resume_command if result.exit_code else None,
    }


def republished(result: RunOutcome) -> pd.DataFrame:
    """The dates this run republished because their inputs changed (SPEC §6.10)."""
    verdicts = result.verdicts
    if not len(verdicts) or "inputs_changed" not in verdicts:
        return verdicts.iloc[:0]
    return verdicts[(verdicts["status"] == DateStatus.PUBLISHED) & verdicts["inputs_changed"].notna()]


def republished_lines(result: RunOutcome) -> list[str]:
    corrected = republished(result)
    if not len(corrected):
        return []
    return [
        "",
        "Republished because their inputs changed:",
        *(f"  {ts.date()}  {why}" for ts, why in corrected["inputs_changed"].items()),
    ]


def billed_bytes(processed: int, billed: int | None) -> str:
    """BigQuery reports bytes processed and billed (at least 10 MB per table read); DuckDB neither, so nothing
    is shown there."""
    if billed is None:
        return f", {processed / 2**30:,.2f} GiB processed" if processed else ""
    return f", {processed / 2**30:,.2f} GiB processed, {billed / 2**30:,.2f} GiB billed"


def run_text(result: RunOutcome, resume_command: str, inspect_command: str) -> str:
    counts = ", ".join(f"{result.count(status)} {status}" for status in STATUS_ORDER)
    lines = [
        f"{'Dry run' if result.settings.dry_run else 'Run'} {result.invocation.run_id}: "
        f"{result.settings.start} → {result.settings.end}",
        f"  {counts}; {len(result.plan.off_days)} off-days; {result.plan.already_done} already done",
        f"  {result.seconds:.1f} s, {result.jobs} warehouse jobs"
        f"{billed_bytes(result.bytes_processed, result.bytes_billed)}",
    ]
    if result.estimated_bytes is not None:
        lines.append(
            f"  BigQuery estimates the run's input reads at {result.estimated_bytes / 2**30:,.2f} GiB "
            "(dry-run jobs: nothing ran for the estimate)"
        )
    verdicts = result.verdicts
    if result.plan.schedule_gap:
        lines += ["", f"Not off-days: {result.plan.schedule_gap}. Load the schedule upstream, then rerun."]
    if result.settings.dry_run and len(verdicts):
        lines += ["", table(plan_table(result).to_dict("records"))]
    problems = verdicts[verdicts["status"].isin([DateStatus.BLOCKED, DateStatus.FAILED])] if len(verdicts) else verdicts
    if len(problems):
        lines += ["", "Dates that need attention:"]
        lines += [f"  {ts.date()}  {row['status']:<8} {row['reason']}" for ts, row in problems.iterrows()]
    lines += republished_lines(result)
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
        f"  {ts.date()}  {'forced' if row['forced'] else 'regression allowed'}  players {change[ts]}  "
        f"{str(row['reason']).removeprefix(FORCED_PREFIX)}"  # the label already says forced
        for ts, row in chosen.iterrows()
    ]


def fallback_lines(verdicts: pd.DataFrame) -> list[str]:
    """Partial UPCG is the incident's trap: name those dates; an empty UPCG is just counted."""
    if not len(verdicts):
        return []
    fallback = verdicts[verdicts["context_source"] == Source.PGS_SYNTHETIC]
    state = fallback.get("upcg_state", pd.Series(None, index=fallback.index, dtype="object"))
    partial, empty, stale = (
        fallback[state == kind] for kind in (UpcgState.PARTIAL, UpcgState.EMPTY, UpcgState.DISAGREES)
    )
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


def plan_table(result: RunOutcome) -> pd.DataFrame:
    """The dry-run plan: date, games, expected, UPCG players, source, predicted coverage, action."""
    verdicts = result.verdicts
    action = verdicts["status"].map(
        {
            DateStatus.PUBLISHED: "publish",
            DateStatus.BLOCKED: "block",
            DateStatus.FAILED: "fail",
            DateStatus.SKIPPED_BOOTSTRAP: "skip (bootstrap)",
        }
    )
    action = action.where(~verdicts["forced"].astype(bool), "publish (forced)")
    allowed = verdicts.get("allowed_regression", pd.Series(False, index=verdicts.index)).fillna(False).astype(bool)
    action = action.where(~allowed, "publish (regression allowed)")
    return pd.DataFrame(
        {
            "date": [ts.date() for ts in verdicts.index],
            "games": verdicts["games"].to_numpy(),
            "expected": verdicts["expected_players"].to_numpy(),
            "upcg": verdicts["upcg_players"].to_numpy(),
            "source": verdicts["context_source"].fillna("—").to_numpy(),
            "coverage": verdicts["coverage"].map(coverage_text).to_numpy(),
            "players now → after": players_change(verdicts).to_numpy(),
            "action": action.to_numpy(),
            "reason": verdicts["reason"].fillna("").to_numpy(),
        }
    )


def cleanup_document(result: Any, undo: str | None) -> dict[str, Any]:
    per_date = result.per_date.reset_index(drop=True)
    return {
        "operation_id": result.operation_id,
        "mode": result.mode,
        "cutoff_date": result.cutoff.isoformat(),
        "dry_run": result.dry_run,
        "rows_matched": result.rows_matched,
        "rows_deleted": result.rows_deleted,
        "backup_table": result.backup_table,
        "undo_command": undo,
        "dates": [{k: json_value(v) for k, v in row.items()} for row in per_date.to_dict("records")],
    }


def cleanup_text(result: Any, undo: str | None) -> str:
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
        lines += ["", table(shown.to_dict("records"))]
    if result.backup_table:
        lines += ["", f"Backup: {result.backup_table}", f"To undo: {undo}"]
    if result.dry_run and result.rows_matched:
        lines += ["", "Dry run: nothing changed. Add --execute to delete."]
    return "\n".join(lines)
