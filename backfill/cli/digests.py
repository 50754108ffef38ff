"""What a notification says (SPEC §11): one digest per invocation, built from the API's results (pure: results in,
`Digest` out). `backfill.cli.notify` decides whether it is worth sending and delivers it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from vocabulary import BlockedBy, DateStatus

if TYPE_CHECKING:
    from backfill.api import AuditFinding, RunResult, ValidateResult

LISTED_DATES_MAX = 20  # a digest lists this many dates of each kind, then "… and N more"


@dataclass(frozen=True)
class Attention:
    """One date in a digest: what happened to it and why."""

    game_date: date
    what: str  # blocked, regression, failed, forced, recovered, deleted
    why: str


@dataclass(frozen=True)
class Digest:
    command: str
    summary: str  # one line: the run, its range, its exit code
    problems: list[Attention] = field(default_factory=list)
    recovered: list[Attention] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # not tied to a date: a lease taken over, a deletion
    commands: list[tuple[str, str]] = field(default_factory=list)  # (purpose, paste-able command)
    exit_code: int = 0
    audits: list[Attention] = field(default_factory=list)  # failing audits (SPEC §6.9), warn and block

    @property
    def needs_person(self) -> bool:
        """A failing warn audit needs a look too (a stale UPCG, a drift): it is why audits warn."""
        return bool(self.problems or self.events or self.audits)

    def worth_sending(self, on: str) -> bool:
        return on == "always" or self.needs_person or bool(self.recovered)

    @property
    def level(self) -> str:
        """Apprise's notification type: failure, warning, success or info."""
        if any(item.what == DateStatus.FAILED for item in self.problems) or self.exit_code == 1:
            return "failure"
        if self.needs_person:
            return "warning"
        return "success" if self.recovered else "info"

    @property
    def title(self) -> str:
        kinds = Counter(item.what for item in self.problems).most_common()  # the commonest first, ties as they came
        parts = [f"{count} {what}" for what, count in kinds] + [re.split("[:;]", e)[0] for e in self.events[:1]]
        warnings = sum(item.what == "audit warn" for item in self.audits)
        if warnings:
            parts.append(f"{warnings} audit warning{'s' if warnings != 1 else ''}")
        if self.recovered:
            parts.append(f"{len(self.recovered)} recovered")
        return f"pcf-backfill {self.command}: " + (", ".join(parts) if parts else "all clear")

    @property
    def body(self) -> str:
        lines = [self.summary]
        lines += listed("Needs attention:", self.problems)
        lines += listed("Recovered or republished:", self.recovered)
        lines += listed("Failing audits:", self.audits)
        lines += [f"• {event}" for event in self.events]
        lines += [""] + [f"{purpose}: {command}" for purpose, command in self.commands] if self.commands else []
        return "\n".join(lines)


def listed(heading: str, items: Sequence[Attention]) -> list[str]:
    if not items:
        return []
    lines = ["", heading] + [f"  {item.game_date}  {item.what}: {item.why}" for item in items[:LISTED_DATES_MAX]]
    if len(items) > LISTED_DATES_MAX:
        lines.append(f"  … and {len(items) - LISTED_DATES_MAX} more")
    return lines


def problem_kind(status: str, blocked_by: str | None, forced: bool) -> str | None:
    if status == DateStatus.FAILED:
        return DateStatus.FAILED
    if status == DateStatus.BLOCKED:
        return BlockedBy.REGRESSION if blocked_by == BlockedBy.REGRESSION else DateStatus.BLOCKED
    return "forced" if status == DateStatus.PUBLISHED and forced else None


def audit_attention(audits: Sequence[AuditFinding], dates: set[date]) -> list[Attention]:
    """The failing audits of `dates`: what, its value and threshold."""
    return [
        Attention(finding.game_date, f"audit {finding.severity}", finding_text(finding))
        for finding in audits
        if finding.game_date in dates
    ]


def number_or_none(value: float | None) -> float | None:
    return None if value is None or value != value else value  # NaN reads as missing


def finding_text(finding: AuditFinding) -> str:
    """`shot_zone_zero_share 1.00 vs baseline 0.01 (threshold 0.4)`."""
    value, baseline = number_or_none(finding.value), number_or_none(finding.baseline)
    shown = "n/a" if value is None else f"{value:.2f}"
    against = "" if baseline is None else f" vs baseline {baseline:.2f}"
    return f"{finding.audit} {shown}{against} (threshold {finding.threshold:g})"


def run_digest(result: RunResult, commands: list[tuple[str, str]], audits: Sequence[AuditFinding] = ()) -> Digest:
    """A run's digest: blocked/regression/failed/forced dates, the failing audits of the dates it judged
    (`audits`: the ledger's failing audits of its range), and dates whose state before this run (the ledger, as
    planned) was blocked or failed and that are now published."""
    problems, recovered = [], []
    for verdict in result.verdicts:
        day, reason, changed = verdict.game_date, verdict.reason or "", verdict.inputs_changed
        kind = problem_kind(verdict.status, verdict.blocked_by, verdict.forced)
        if kind:  # the kind heads the line: a forced date's reason need not say "forced:" again
            problems.append(Attention(day, kind, reason.removeprefix(f"{kind}: ") or kind))
        if verdict.republished:  # a correction published by itself
            recovered.append(Attention(day, "republished", f"inputs changed — {changed}"))
        elif verdict.status == DateStatus.PUBLISHED and verdict.state_before in (DateStatus.BLOCKED, DateStatus.FAILED):
            recovered.append(Attention(day, "recovered", f"was {verdict.state_before}"))
        elif kind and changed:  # the published rows stay, and stay stale
            problems[-1] = Attention(day, kind, f"{reason or kind}; published rows are stale: {changed}")
    summary = (
        f"{result.command} {result.run_id} ({result.user}@{result.host}), "
        f"{result.start} → {result.end}: exit {result.exit_code}"
    )
    failing = audit_attention(audits, {verdict.game_date for verdict in result.verdicts})
    events = [takeover_text(lease) for lease in result.taken_over]
    needed = problems or failing or events
    return Digest(
        result.command, summary, problems, recovered, events, commands if needed else [], result.exit_code, failing
    )


def takeover_text(lease: dict[str, object]) -> str:
    """`lease taken over from a dead run: run R (PID 4242 on pcf-7: pcf-backfill run …; silent 960 s, expired)`."""
    silent = lease.get("silent_seconds")
    heartbeat = "no heartbeat recorded" if silent is None else f"silent {int(str(silent))} s"
    return (
        f"lease taken over from a dead run: run {lease.get('holder')} (PID {lease.get('pid')} on "
        f"{lease.get('host')}: {lease.get('command') or 'command not recorded'}; {heartbeat}, "
        f"{lease.get('why')}) — check why it died; its run record is closed as killed"
    )


def stopped_digest(
    command: str, start: date, end: date, error: str, exit_code: int, commands: list[tuple[str, str]]
) -> Digest:
    """A run that ended early on an error (the warehouse unreachable, a table missing, the lock held)."""
    summary = f"{command} {start} → {end}: stopped, exit {exit_code}"
    return Digest(command, summary, [], [], [f"stopped: {error}"], commands, exit_code)


def validate_digest(checked: ValidateResult, commands: list[tuple[str, str]]) -> Digest:
    items = [
        Attention(
            row["game_date"],
            "validate",
            ", ".join(checked.problems[row["game_date"]])
            + (f" — {row['inputs_reason']}" if row.get("inputs_reason") else ""),
        )
        for row in checked.attention_rows
    ]
    summary = (
        f"validate {checked.start} → {checked.end}: {len(items)} game dates need attention (exit {checked.exit_code})"
    )
    return Digest("validate", summary, items, [], [], commands if items else [], checked.exit_code)


def freshness_digest(fresh: Any, commands: list[tuple[str, str]]) -> Digest:
    """`freshness --notify`: the overdue dates and the published dates whose inputs changed, as a run's digest."""
    items = [
        Attention(
            day,
            "overdue",
            f"not published, {fresh.missing.at[_timestamp(day), 'hours_since_end']:,.0f} h after its day ended",
        )
        for day in fresh.overdue
    ]
    items += [Attention(day, "stale", why) for day, why in sorted(fresh.inputs_changed.items())]
    summary = (
        f"freshness through {fresh.checked_through}: {len(fresh.overdue)} overdue, "
        f"{len(fresh.inputs_changed)} stale (exit {fresh.exit_code})"
    )
    return Digest("freshness", summary, items, [], [], commands if items else [], fresh.exit_code)


def _timestamp(day: date) -> Any:
    import pandas as pd  # the freshness verdict is a frame indexed by Timestamp

    return pd.Timestamp(day)


def cleanup_digest(result: Any, commands: list[tuple[str, str]]) -> Digest:
    """A cleanup that deleted rows is worth a message: it names the backup that undoes it."""
    events = []
    if not result.dry_run and result.rows_deleted:
        backup = result.backup_table or "none (--no-backup)"
        events.append(
            f"cleanup deleted {result.rows_deleted:,} UPCG rows on {result.dates_matched} dates before "
            f"{result.cutoff} ({result.mode}); backup {backup}"
        )
    summary = f"cleanup {result.operation_id} ({result.mode}, cutoff {result.cutoff})"
    return Digest("cleanup", summary, [], [], events, commands if events else [], 0)
