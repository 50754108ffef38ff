"""What `run`, `catch-up` and `cleanup` show as text (their JSON is the API result's `to_dict()`). A cleanup's
result is frames (pandas), so these renderers live apart from the ones every reading command loads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from backfill.cli.digests import takeover_text
from backfill.cli.render import count_text, coverage_text, table
from validation.rules import FORCED_PREFIX
from vocabulary import UPCG_SUFFICIENT, DateStatus, Source, UpcgState

if TYPE_CHECKING:
    from backfill.api import DateVerdict, RunResult


def republished_lines(result: RunResult) -> list[str]:
    if not result.republished:
        return []
    return [
        "",
        "Republished because their inputs changed:",
        *(f"  {v.game_date}  {v.inputs_changed}" for v in result.republished),
    ]


def billed_bytes(processed: int, billed: int | None) -> str:
    """BigQuery reports bytes processed and billed (at least 10 MB per table read); DuckDB neither, so nothing
    is shown there."""
    if billed is None:
        return f", {processed / 2**30:,.2f} GiB processed" if processed else ""
    return f", {processed / 2**30:,.2f} GiB processed, {billed / 2**30:,.2f} GiB billed"


def run_text(result: RunResult, inspect_command: str) -> str:
    counts = ", ".join(f"{count} {status}" for status, count in result.counts.items())
    lines = [
        f"{'Dry run' if result.dry_run else 'Run'} {result.run_id}: {result.start} → {result.end}",
        f"  {counts}; {result.off_days} off-days; {result.already_done} already done",
        f"  {result.seconds:.1f} s, {result.warehouse_jobs} warehouse jobs"
        f"{billed_bytes(result.bytes_processed, result.bytes_billed)}",
    ]
    if result.estimated_bytes is not None:
        lines.append(
            f"  BigQuery estimates the run's input reads at {result.estimated_bytes / 2**30:,.2f} GiB "
            "(dry-run jobs: nothing ran for the estimate)"
        )
    if result.schedule_gap:
        lines += ["", f"Not off-days: {result.schedule_gap}. Load the schedule upstream, then rerun."]
    if result.dry_run and result.verdicts:
        lines += ["", table(plan_rows(result.verdicts))]
    problems = [verdict for verdict in result.verdicts if verdict.status in (DateStatus.BLOCKED, DateStatus.FAILED)]
    if problems:
        lines += ["", "Dates that need attention:"]
        lines += [f"  {v.game_date}  {v.status:<8} {v.reason}" for v in problems]
    lines += republished_lines(result)
    lines += override_lines(result.verdicts)
    lines += fallback_lines(result.verdicts)
    if result.taken_over:  # the dead run is someone's problem too: say it where the operator looks first
        lines += ["", *(f"Note: {takeover_text(lease)}" for lease in result.taken_over)]
    if result.exit_code and not result.dry_run:
        lines += ["", f"To resume: {result.resume_command}", f"To inspect: {inspect_command}"]
    return "\n".join(lines)


def players_change(verdict: DateVerdict) -> str:
    """Published now → after this run, in players: '177 → 1'."""
    return f"{count_text(verdict.previous_players)} → {count_text(verdict.candidate_players)}"


def override_lines(verdicts: Sequence[DateVerdict]) -> list[str]:
    """Dates published past the gate (--force) or over better rows (--allow-regression), named one by one."""
    chosen = [verdict for verdict in verdicts if verdict.forced or verdict.allowed_regression]
    if not chosen:
        return []
    return ["", "Published past the gate (recorded with who and why):"] + [
        f"  {v.game_date}  {'forced' if v.forced else 'regression allowed'}  players {players_change(v)}  "
        f"{str(v.reason).removeprefix(FORCED_PREFIX)}"  # the label already says forced
        for v in chosen
    ]


def fallback_lines(verdicts: Sequence[DateVerdict]) -> list[str]:
    """Partial UPCG is the incident's trap: name those dates; an empty UPCG is just counted."""
    fallback = [verdict for verdict in verdicts if verdict.context_source == Source.PGS_SYNTHETIC]
    partial, empty, stale = ([v for v in fallback if v.upcg_state == kind] for kind in FALLBACK_STATES)
    lines = []
    if stale:
        lines += ["", "UPCG disagrees with the box scores (stale context), so built from box scores:"]
        lines += [f"  {v.game_date}  {v.source_reason}" for v in stale]
    if partial:
        lines += ["", "UPCG partial, so built from box scores (stale rows? `pcf-backfill cleanup --mode partial`):"]
        lines += [f"  {v.game_date}  {v.source_reason}" for v in partial]
    if empty:
        lines += ["", f"{len(empty)} dates had no UPCG rows and were built from box scores."]
    return lines


FALLBACK_STATES = (UpcgState.PARTIAL, UpcgState.EMPTY, UpcgState.DISAGREES)
ACTIONS: dict[str, str] = {
    DateStatus.PUBLISHED: "publish",
    DateStatus.BLOCKED: "block",
    DateStatus.FAILED: "fail",
    DateStatus.SKIPPED_BOOTSTRAP: "skip (bootstrap)",
}


def action_of(verdict: DateVerdict) -> str:
    if verdict.allowed_regression:
        return "publish (regression allowed)"
    return "publish (forced)" if verdict.forced else ACTIONS.get(verdict.status, verdict.status)


def plan_rows(verdicts: Sequence[DateVerdict]) -> list[dict[str, Any]]:
    """The dry-run plan: date, games, expected, UPCG players, source, predicted coverage, action."""
    return [
        {
            "date": v.game_date,
            "games": v.games,
            "expected": v.expected_players,
            "upcg": v.upcg_players,
            "source": v.context_source or "—",
            "coverage": coverage_text(v.coverage),
            "players now → after": players_change(v),
            "action": action_of(v),
            "reason": v.reason or "",
        }
        for v in verdicts
    ]


def cleanup_document(result: Any, undo: str | None) -> dict[str, Any]:
    document: dict[str, Any] = result.to_dict()
    return {**document, "undo_command": undo, "dates": document["dates"]}


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
