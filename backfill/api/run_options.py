"""The checked settings of `run` and `catch_up`, built from plain values (what the CLI's `run` and `catch-up`
build too), the nightly window, and the command that resumes a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from backfill.api.common import as_date
from backfill.dates import league_today, run_range
from backfill.settings import DEFAULT_CHUNK_DAYS, MAX_LOOKBACK_DAYS, RunSettings
from validation.rules import DEFAULT_BASELINE_DATES, DEFAULT_MIN_COVERAGE, DEFAULT_WARN_COVERAGE, GateRules
from vocabulary import SourcePolicy, ZoneMode
from warehouse import Datasets, InvalidSetting

if TYPE_CHECKING:
    from validation.audits import AuditRules


def resume_command(url: str, settings: RunSettings, datasets: Datasets | None = None) -> str:
    """The command that finishes what `settings` asked for (a rerun skips what is already published)."""
    from backfill import hints

    return hints.resume_command(url, datasets or Datasets(), settings)


def catch_up_window(as_of: date, lookback_days: int, today: date) -> tuple[date, date]:
    """The nightly window: as_of − lookback_days … the day before as_of (as_of is never after today)."""
    if as_of > today:
        raise InvalidSetting(
            "as_of",
            "{field}: {as_of_value} is after today ({today}, America/New_York); expected a day already begun",
            as_of_value=as_of,
            today=today,
        )
    if (
        isinstance(lookback_days, bool)
        or not isinstance(lookback_days, int)
        or not (1 <= lookback_days <= MAX_LOOKBACK_DAYS)
    ):
        raise InvalidSetting(
            "lookback_days",
            "{field}: {value!r} is not in the range 1<=x<={most}",
            value=lookback_days,
            most=MAX_LOOKBACK_DAYS,
        )
    return as_of - timedelta(days=lookback_days), as_of - timedelta(days=1)


def run_settings(
    start: date | str | None = None,
    end: date | str | None = None,
    *,
    dates: Sequence[date | str] | None = None,
    source: SourcePolicy = "auto",
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    warn_coverage: float = DEFAULT_WARN_COVERAGE,
    force: bool = False,
    allow_regression: bool = False,
    reason: str | None = None,
    rerun: str = "pending",
    dry_run: bool = False,
    chunk_days: int = DEFAULT_CHUNK_DAYS,
    workers: int = 1,
    today: date | None = None,
    command: str = "run",
    audit_thresholds: Mapping[str, float] | None = None,
    baseline_dates: int = DEFAULT_BASELINE_DATES,
    label: str | None = None,
    zones: ZoneMode = "auto",
) -> RunSettings:
    """The checked settings of a run, from plain values (what `run` and the CLI's `run` build)."""
    first = None if start is None else as_date("start", start)
    last = None if end is None else as_date("end", end)
    if isinstance(dates, str):  # would be read character by character
        raise InvalidSetting("dates", "{field}: expected a list of dates, got the string {value!r}", value=dates)
    chosen = None if dates is None else [as_date("dates", day) for day in dates]
    first, last, chosen_dates = run_range(first, last, chosen, today or league_today())
    rules = GateRules(min_coverage, warn_coverage, force, reason, allow_regression)
    return RunSettings(
        first,
        last,
        chosen_dates,
        rules,
        source,
        rerun,
        dry_run,
        chunk_days,
        workers,
        command,
        audit_rules(audit_thresholds, baseline_dates),
        label,
        zones,
    )


def audit_rules(thresholds: Mapping[str, float] | None, baseline_dates: int) -> AuditRules:
    """The audit options as the settings hold them; thresholds are a mapping of audit name to number."""
    if thresholds is not None and not isinstance(thresholds, Mapping):
        raise InvalidSetting(
            "audit_thresholds",
            "{field}: expected a mapping of audit name to threshold, got {kind}",
            kind=type(thresholds).__name__,
        )
    from validation.audits import AuditRules  # the audits' registry comes with their arithmetic (pandas)

    return AuditRules(dict(thresholds or {}), baseline_dates)


def catch_up_settings(
    *,
    as_of: date | str | None = None,
    lookback_days: int = 14,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    warn_coverage: float = DEFAULT_WARN_COVERAGE,
    chunk_days: int = DEFAULT_CHUNK_DAYS,
    dry_run: bool = False,
    today: date | None = None,
    audit_thresholds: Mapping[str, float] | None = None,
    baseline_dates: int = DEFAULT_BASELINE_DATES,
    label: str | None = None,
    zones: ZoneMode = "auto",
) -> RunSettings:
    """The nightly run: every pending, blocked or failed date of the window `catch_up_window` gives, and of the
    season so far, with every date of it whose inputs changed since it was published (`--rerun stale`): a gap
    older than the window is retried (and reported) every night, a correction republishes by itself."""
    today = today or league_today()
    start, end = catch_up_window(today if as_of is None else as_date("as_of", as_of), lookback_days, today)
    return RunSettings(
        start,
        end,
        None,
        GateRules(min_coverage, warn_coverage),
        "auto",
        "stale",
        dry_run=dry_run,
        chunk_days=chunk_days,
        command="catch-up",
        audits=audit_rules(audit_thresholds, baseline_dates),
        label=label,
        zones=zones,
        season_so_far=True,
    )
