"""Commands printed for a person to paste ("To resume", "To inspect", "To repair"): pasted from any folder,
they act on the same warehouse (absolute), the same datasets and the options that shaped the verdict, over
the narrowest set of dates."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from backfill.dates import dates_text
from backfill.settings import DEFAULT_CHUNK_DAYS, RunSettings
from validation.rules import DEFAULT_BASELINE_DATES, GateRules
from warehouse import Datasets
from warehouse.urls import DuckDBUrl, parse_url

if TYPE_CHECKING:
    from validation.audits import AuditRules

DEFAULT_RULES = GateRules()


def absolute_url(url: str) -> str:
    """The same warehouse from any working directory (a hint runs a writer: no read-only mode)."""
    parsed = parse_url(url)
    return f"duckdb:///{Path(parsed.path).resolve()}" if isinstance(parsed, DuckDBUrl) else url


def connection_words(url: str, datasets: Datasets) -> list[str]:
    """The words that point a printed command at this warehouse, wherever it is pasted."""
    changed = datasets.option_text()
    return ["pcf-backfill", "--warehouse", absolute_url(url), *(["--datasets", changed] if changed else [])]


def date_words(start: date, end: date, dates: Sequence[date] | None = None) -> list[str]:
    if dates:
        return ["--dates", dates_text(dates)]
    return ["--start-date", start.isoformat(), "--end-date", end.isoformat()]


def run_option_words(settings: RunSettings) -> list[str]:
    """The options of a run that differ from the defaults and shape its verdicts (or its chunks)."""
    rules, words = settings.rules, []
    if settings.source != "auto":
        words += ["--source", settings.source]
    if settings.zones != "auto":
        words += ["--zones", settings.zones]
    if rules.min_coverage != DEFAULT_RULES.min_coverage:
        words += ["--min-coverage", str(rules.min_coverage)]
    if rules.warn_coverage != DEFAULT_RULES.warn_coverage:
        words += ["--warn-coverage", str(rules.warn_coverage)]
    if settings.rerun != "pending":
        words += ["--rerun", settings.rerun]
    if rules.force:
        words += ["--force"]
    if rules.allow_regression:
        words += ["--allow-regression"]
    if rules.force_reason:
        words += ["--reason", rules.force_reason]
    if settings.chunk_days != DEFAULT_CHUNK_DAYS:
        words += ["--chunk-days", str(settings.chunk_days)]
    if settings.workers != 1:
        words += ["--workers", str(settings.workers)]
    return words + audit_option_words(settings.audits)


def audit_option_words(rules: AuditRules) -> list[str]:
    """The audit thresholds and baseline size that differ from the defaults (they decide blocks too)."""
    from validation.audits import AUDITS  # the registry comes with the audits' arithmetic (pandas)

    words = []
    for audit in AUDITS:
        if rules.threshold(audit) != audit.threshold:
            words += ["--audit-threshold", f"{audit.name}={rules.threshold(audit)}"]
    if rules.baseline_dates != DEFAULT_BASELINE_DATES:
        words += ["--baseline-dates", str(rules.baseline_dates)]
    return words


def resume_command(url: str, datasets: Datasets, settings: RunSettings) -> str:
    """The same run again (it resumes: only dates not yet published are processed)."""
    dates = date_words(settings.start, settings.end, settings.dates)
    return shlex.join([*connection_words(url, datasets), "run", *dates, *run_option_words(settings)])


def status_command(url: str, datasets: Datasets, start: date, end: date) -> str:
    return shlex.join([*connection_words(url, datasets), "status", *date_words(start, end)])
