"""Notifications (SPEC §11): one digest per invocation when something needs a person.

Building a message is pure (results in, `Digest` out); `deliver` sends it through Apprise to
every `--notify` URL within a bounded retry budget. Delivery never raises and never changes
the run's data or exit code. The URLs are secrets: they are never logged, printed or stored —
a target is named by its position and service ("#1 JSON").
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from vocabulary import BlockedBy, DateStatus
from warehouse.errors import BadInput, InvalidSetting
from warehouse.logger import get_logger

if TYPE_CHECKING:  # computing factors is not needed to render or notify
    import pandas as pd

    from backfill.pipeline.runner import RunOutcome

log = get_logger(__name__)

NOTIFY_ON = ("attention", "always")  # attention: only when a person is needed (or a date recovered)
RETRY_BUDGET_SECONDS = 10.0  # total time a run may spend delivering, every target and attempt included
BUDGET_VARIABLE = "PCF_NOTIFY_BUDGET_SECONDS"  # … unless a deployment (or a test) sets another
BUDGET_LIMITS = (1.0, 300.0)
MAX_ATTEMPTS = 3
ATTEMPT_TIMEOUT_SECONDS = 4.0
BACKOFF_SECONDS = (0.5, 1.0)
LISTED_DATES_MAX = 20  # a digest lists this many dates of each kind, then "… and N more"


def scheme_of(url: str) -> str:
    """What may be said about a URL in an error: its scheme, never the rest."""
    return url.split("://", 1)[0] + "://…" if "://" in url else "(no scheme)"


SECRET_OPTIONS = ("--notify",)
HIDDEN = "<secret>"
# Apprise schemes whose host is a host name; elsewhere (slack://TOKEN_A/…) even the host part is a token
WEB_SCHEMES = ("http", "https", "json", "jsons", "xml", "xmls", "form", "forms")


def masked_url(url: str) -> str:
    """A URL as it may be shown: the scheme, and the host of a plain web hook; never userinfo, path or query."""
    scheme, found, rest = url.partition("://")
    if not found:
        return HIDDEN
    host = rest.split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]
    shown = host if scheme.lower() in WEB_SCHEMES and host else ""
    return f"{scheme}://{shown}/{HIDDEN}" if shown else f"{scheme}://{HIDDEN}"


def redacted(argv: Sequence[str]) -> list[str]:
    """A command line safe to show, log or store: every `--notify` value is replaced (`--notify URL`,
    `--notify=URL`). Use it wherever a command line leaves the process (lock files, messages, tables)."""
    words: list[str] = []
    for word in argv:
        name, equals, _ = word.partition("=")
        if words and words[-1] in SECRET_OPTIONS:
            words.append(HIDDEN)
        else:
            words.append(f"{name}={HIDDEN}" if equals and name in SECRET_OPTIONS else word)
    return words


def delivery_budget(environ: Mapping[str, str]) -> float:
    """Seconds a run may spend delivering its digest: PCF_NOTIFY_BUDGET_SECONDS, else RETRY_BUDGET_SECONDS."""
    text = (environ.get(BUDGET_VARIABLE) or "").strip()
    if not text:
        return RETRY_BUDGET_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not BUDGET_LIMITS[0] <= seconds <= BUDGET_LIMITS[1]:
        raise InvalidSetting(
            BUDGET_VARIABLE,
            "{field}: {value!r}; expected seconds from {low:g} to {high:g}",
            value=text,
            low=BUDGET_LIMITS[0],
            high=BUDGET_LIMITS[1],
        )
    return seconds


@dataclass(frozen=True)
class NotifySettings:
    urls: tuple[str, ...] = ()
    on: str = "attention"
    budget_seconds: float = field(default_factory=lambda: delivery_budget(os.environ))

    def __post_init__(self) -> None:
        if self.on not in NOTIFY_ON:
            raise BadInput(f"--notify-on: {self.on!r}; expected one of {', '.join(NOTIFY_ON)}")
        for position, url in enumerate(self.urls, 1):
            if service_for(url) is None:
                raise BadInput(
                    f"--notify: URL #{position} ({scheme_of(url)}) is not one Apprise can send to; "
                    "expected e.g. slack://TOKEN_A/TOKEN_B/TOKEN_C or jsons://host/path"
                )

    def __repr__(self) -> str:  # the URLs are secrets, even in a traceback or a debugger
        return f"NotifySettings(urls=<{len(self.urls)} hidden>, on={self.on!r})"


# --- building the message (pure) ------------------------------------------------------------
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
        import pandas as pd  # digests read frames; parsing the options needs none of it

        kinds = pd.Series([item.what for item in self.problems], dtype="object").value_counts()
        parts = [f"{count} {what}" for what, count in kinds.items()] + [re.split("[:;]", e)[0] for e in self.events[:1]]
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


def audit_attention(audits: pd.DataFrame | None, dates: pd.Index) -> list[Attention]:
    """The failing audits (the ledger's `failing_audits` rows) of `dates`: what, its value and threshold."""
    import pandas as pd  # digests read frames; parsing the options needs none of it

    if audits is None or audits.empty:
        return []
    found = audits[pd.to_datetime(audits["game_date"]).isin(pd.to_datetime(dates))]
    return [
        Attention(pd.Timestamp(row.game_date).date(), f"audit {row.severity}", finding_text(row))
        for row in found.itertuples()
    ]


def finding_text(row: Any) -> str:
    """`shot_zone_zero_share 1.00 vs baseline 0.01 (threshold 0.4)`."""
    import pandas as pd  # digests read frames; parsing the options needs none of it

    value = "n/a" if pd.isna(row.value) else f"{row.value:.2f}"
    baseline = "" if pd.isna(row.baseline) else f" vs baseline {row.baseline:.2f}"
    return f"{row.audit} {value}{baseline} (threshold {row.threshold:g})"


def run_digest(result: RunOutcome, commands: list[tuple[str, str]], audits: pd.DataFrame | None = None) -> Digest:
    """A run's digest: blocked/regression/failed/forced dates, the failing audits of the dates it judged
    (`audits`: the ledger's failing audit rows), and dates whose state before this run (the ledger, as
    planned) was blocked or failed and that are now published."""
    import pandas as pd  # digests read frames; parsing the options needs none of it

    problems, recovered = [], []
    before = result.plan.game_dates["state"] if len(result.plan.game_dates) else pd.Series(dtype="object")
    for ts, verdict in result.verdicts.iterrows():
        reason = "" if pd.isna(verdict["reason"]) else str(verdict["reason"])
        kind = problem_kind(str(verdict["status"]), verdict.get("blocked_by"), bool(verdict["forced"]))
        if kind:  # the kind heads the line: a forced date's reason need not say "forced:" again
            problems.append(Attention(ts.date(), kind, reason.removeprefix(f"{kind}: ") or kind))
        previous = before.get(ts)
        changed = verdict.get("inputs_changed")
        if verdict["status"] == DateStatus.PUBLISHED and isinstance(changed, str):  # a correction published by itself
            recovered.append(Attention(ts.date(), "republished", "inputs changed — " + changed))
        elif verdict["status"] == DateStatus.PUBLISHED and previous in (DateStatus.BLOCKED, DateStatus.FAILED):
            recovered.append(Attention(ts.date(), "recovered", f"was {previous}"))
        elif kind and isinstance(changed, str):  # the published rows stay, and stay stale
            problems[-1] = Attention(ts.date(), kind, f"{reason or kind}; published rows are stale: {changed}")
    settings, invocation = result.settings, result.invocation
    summary = (
        f"{invocation.command} {invocation.run_id} ({invocation.user}@{invocation.host}), "
        f"{settings.start} → {settings.end}: exit {result.exit_code}"
    )
    failing = audit_attention(audits, result.verdicts.index)
    events = [takeover_text(lease) for lease in result.taken_over]
    needed = problems or failing or events
    return Digest(
        invocation.command, summary, problems, recovered, events, commands if needed else [], result.exit_code, failing
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


def validate_digest(
    problems: Sequence[Mapping[str, Any]], start: date, end: date, commands: list[tuple[str, str]]
) -> Digest:
    items = [
        Attention(
            row["game_date"],
            "validate",
            ", ".join(row["problems"]) + (f" — {row['inputs_reason']}" if row.get("inputs_reason") else ""),
        )
        for row in problems
    ]
    summary = f"validate {start} → {end}: {len(items)} game dates need attention (exit {3 if items else 0})"
    return Digest("validate", summary, items, [], [], commands if items else [], 3 if items else 0)


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


# --- sending ---------------------------------------------------------------------------------
def service_for(url: str) -> Any:
    """The Apprise plugin for a URL, or None when Apprise does not understand it."""
    import apprise  # imported on use: most commands never notify

    return apprise.Apprise.instantiate(url, suppress_exceptions=True)


def deliver(
    digest: Digest,
    settings: NotifySettings,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[bool]:
    """Send the digest to every URL, retrying briefly; returns which targets got it. Never raises."""
    deadline = clock() + settings.budget_seconds
    return [
        send_one(digest, url, f"#{position}", deadline, clock, sleep) for position, url in enumerate(settings.urls, 1)
    ]


def send_one(
    digest: Digest, url: str, target: str, deadline: float, clock: Callable[[], float], sleep: Callable[[float], None]
) -> bool:
    service = service_for(url)
    target = f"{target} {service.service_name}"
    for attempt in range(1, MAX_ATTEMPTS + 1):
        remaining = deadline - clock()
        if remaining <= 0.2:
            break
        service.socket_connect_timeout = service.socket_read_timeout = min(ATTEMPT_TIMEOUT_SECONDS, remaining)
        try:
            sent = bool(service.notify(body=digest.body, title=digest.title, notify_type=digest.level))
        except Exception as error:  # a plugin bug must not fail the run; the error's text may hold the URL
            sent = False
            log.warning("notify_error", target=target, attempt=attempt, error=type(error).__name__)
        if sent:
            log.info("notified", target=target, attempt=attempt, title=digest.title)
            return True
        pause = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1]
        if attempt < MAX_ATTEMPTS and deadline - clock() > pause + 0.2:
            sleep(pause)
    log.error(
        "notify_gave_up",
        target=target,
        title=digest.title,
        hint="the run's data and exit code are unaffected; check the URL and the service",
    )
    return False


def notify(digest: Digest, settings: NotifySettings) -> list[bool]:
    """Send when the digest is worth it under `--notify-on`; nothing at all without URLs."""
    if not settings.urls or not digest.worth_sending(settings.on):
        return []
    return deliver(digest, settings)
