"""What `status`, `validate` and `freshness` show as text: the API's results (`StatusResult`, `ValidateResult`,
`FreshnessResult`) as tables and lines. No pandas: the reading commands never load it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from backfill.cli.render import count_text, coverage_text, dated_table, is_missing
from vocabulary import BlockedBy, DateStatus

if TYPE_CHECKING:
    from backfill.api import AuditFinding, DateState, StatusResult, ValidateResult


def published_text(state: DateState) -> str:
    """What the table holds: '177/177 (100.0%) pgs_synthetic', or 'nothing'."""
    if not state.published_players and not state.published_rows:
        return "nothing"
    return (
        f"{count_text(state.published_players)}/{count_text(state.expected_players)} "
        f"({coverage_text(state.coverage)}) {state.context_source or ''}"
    ).strip()


def last_attempt_text(state: DateState) -> str:
    if state.status == "pending":
        return "never run"
    return f"{state.status}: {state.reason}" if state.reason else state.status


def audit_line(finding: AuditFinding) -> str:
    """`2022-11-22  block  shot_zone_zero_share 1.00 vs baseline 0.01 (threshold 0.4)`."""
    baseline = "" if is_missing(finding.baseline) else f" vs baseline {finding.baseline:.2f}"
    value = "n/a" if is_missing(finding.value) else f"{finding.value:.2f}"
    detail = f"; {finding.detail}" if finding.detail else ""
    return (
        f"  {finding.game_date}  {finding.severity:5}  {finding.audit} {value}{baseline} "
        f"(threshold {finding.threshold:g}){detail}"
    )


def audit_lines(findings: Sequence[AuditFinding]) -> list[str]:
    if not findings:
        return []
    return ["", "Failing audits (last attempt):", *(audit_line(finding) for finding in findings)]


def input_lines(states: Sequence[DateState]) -> list[str]:
    """The published dates whose inputs changed, each with what changed; a count of those nothing vouches for."""
    stale = [state for state in states if state.inputs == "stale"]
    unverified = sum(state.inputs == "unverified" for state in states)
    lines = (
        [
            "",
            "Published, but inputs changed since (`run --rerun stale` republishes them):",
            *(f"  {state.game_date}  {state.inputs_reason}" for state in stale),
        ]
        if stale
        else []
    )
    if unverified:
        lines += [
            "",
            f"{unverified} published dates are unverified (no input fingerprint): "
            "`pcf-backfill validate --recompute` checks them against their inputs.",
        ]
    return lines


POSTPONED_AFTER_DAYS = 2  # a game still not final this long after its date was most likely postponed


def postponed_lines(states: Sequence[DateState], today: date | None) -> list[str]:
    """Dates held back for days by games that never finished: say so, and how to resolve them knowingly."""
    if today is None:
        return []
    stuck = [
        (state.game_date, (today - state.game_date).days)
        for state in states
        if state.blocked_by == BlockedBy.GAMES_NOT_FINAL and state.status == DateStatus.BLOCKED
    ]
    return [
        f"{day}: games unfinished for {age} days — postponed? Once confirmed, publish the final "
        f'games: pcf-backfill run --dates {day} --force --reason "<game> postponed"'
        for day, age in stuck
        if age >= POSTPONED_AFTER_DAYS
    ]


def status_text(result: StatusResult, colour: bool, today: date | None = None) -> str:
    counts = result.counts
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) if counts else "no game dates in this range"
    shown = [
        {
            "game_date": state.game_date,
            "games": state.games,
            "published": published_text(state),
            "inputs": state.inputs or "",
            "status": state.status,
            "last attempt": last_attempt_text(state),
        }
        for state in result.dates
    ]
    notes = postponed_lines(result.dates, today)
    inputs = ", ".join(f"{n} {s}" for s, n in result.input_counts.items()) or "nothing published"
    text = "\n".join(
        [
            dated_table(shown, ["games", "published", "inputs", "status", "last attempt"], colour),
            *input_lines(result.dates),
            *audit_lines(result.failing_audits),
            "",
            f"Summary (last attempts): {summary}",
            f"Published rows against their inputs: {inputs}",
        ]
    )
    return text + ("\n\n" + "\n".join(notes) if notes else "")


def problem_reason(row: dict[str, Any]) -> str:
    """What a date's row says of it: what changed in its inputs when that is its problem, else the last attempt's."""
    if row.get("inputs") in ("stale", "unverified") and row.get("inputs_reason"):
        return f"{row['inputs']}: {row['inputs_reason']}"
    return str(row["last_reason"] or "")


def validate_text(result: ValidateResult) -> str:
    attention = result.attention_rows
    lines = [
        f"Checked {result.game_dates} game dates from {result.start} to {result.end}: {len(attention)} need attention."
    ]
    if attention:
        shown = [
            {**row, "problems": ", ".join(result.problems[row["game_date"]]), "reason": problem_reason(row)}
            for row in attention
        ]
        lines += [dated_table(shown, ["state", "expected_players", "pcf_rows", "coverage", "problems", "reason"])]
        lines += ["", *(f"To repair: {command}" for command in result.repairs)]
    return recompute_text(result.recomputed) + "\n".join(lines + audit_lines(result.failing_audits))


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
