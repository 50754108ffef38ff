"""Metrics for the node_exporter textfile collector (SPEC §11): one snapshot per invocation.

A snapshot is plain data filled in by the command; `write_metrics` turns it into gauges in a
private registry and hands it to prometheus_client's `write_to_textfile`, which writes a temp
file and renames it: a scraper never sees half a file, and a run killed before the end leaves
the previous file as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vocabulary import DateStatus

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from backfill.api import RunResult

PREFIX = "pcf_backfill_"
DATE_STATUSES = {
    DateStatus.PUBLISHED: "published",
    DateStatus.BLOCKED: "blocked",
    DateStatus.FAILED: "failed",
    DateStatus.SKIPPED_BOOTSTRAP: "skipped",
}


@dataclass
class MetricsSnapshot:
    """What one invocation reports; None means "not measured by this command" and is left out."""

    command: str
    wanted: bool = True  # False without --metrics-file: measurements that cost a query are skipped
    started: float = field(default_factory=time.time)  # Unix seconds
    finished: float | None = None
    exit_code: int | None = None
    dates: dict[str, int] | None = None  # published / blocked / failed / skipped
    rows_published: int | None = None
    min_coverage: float | None = None
    newest_published: date | None = None
    dates_with_problems: int | None = None  # validate
    stale: bool | None = None  # freshness
    overdue_dates: int | None = None  # freshness
    oldest_overdue_hours: float | None = None  # freshness
    bytes_processed: int | None = None  # a run on BigQuery
    bytes_billed: int | None = None  # a run on BigQuery (at least 10 MB per table a query reads)

    def record_run(self, result: RunResult, newest_published: date | None = None) -> None:
        """Counts, rows and the lowest coverage of a run's verdicts; `stale`: published dates whose inputs changed
        that the run left as they were (SPEC §6.10); what its jobs processed and were billed, where the warehouse
        bills (BigQuery, not DuckDB)."""
        self.dates = {name: len(result.dates(status)) for status, name in DATE_STATUSES.items()}
        self.dates["stale"] = len(result.still_stale)
        self.rows_published = result.rows_published
        coverage = [verdict.coverage for verdict in result.verdicts if verdict.coverage is not None]
        self.min_coverage = min(coverage) if coverage else None
        if result.bytes_billed is not None:
            self.bytes_processed, self.bytes_billed = result.bytes_processed, result.bytes_billed
        self.newest_published = newest_published

    def counts(self) -> dict[str, object]:
        """What the invocation counted, for its closing log line (None: not measured)."""
        return {
            "dates": self.dates,
            "rows_published": self.rows_published,
            "dates_with_problems": self.dates_with_problems,
            "overdue_dates": self.overdue_dates,
        }

    def finish(self, exit_code: int) -> int:
        self.finished, self.exit_code = time.time(), exit_code
        return exit_code


def day_timestamp(day: date) -> float:
    """A game date as Unix seconds (midnight UTC), the form Grafana and `time() - x` expect."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def registry_of(snapshot: MetricsSnapshot) -> CollectorRegistry:
    from prometheus_client import CollectorRegistry, Gauge  # imported on use: most invocations write no metrics

    registry = CollectorRegistry()

    def gauge(name: str, help_text: str, value: float | None, **labels: str) -> None:
        if value is None:
            return
        metric = Gauge(PREFIX + name, help_text, ["command", *labels], registry=registry)
        metric.labels(command=snapshot.command, **labels).set(value)

    gauge("last_run_start_timestamp_seconds", "When the last invocation started.", snapshot.started)
    gauge("last_run_end_timestamp_seconds", "When the last invocation ended.", snapshot.finished)
    gauge(
        "last_run_exit_code",
        "Exit code of the last invocation (0 ok, 1 failed, 3 blocked/stale, 4 locked).",
        snapshot.exit_code,
    )
    if snapshot.dates is not None:
        dates = Gauge(
            PREFIX + "last_run_dates",
            "Game dates of the last run by verdict.",
            ["command", "status"],
            registry=registry,
        )
        for status, count in snapshot.dates.items():
            dates.labels(command=snapshot.command, status=status).set(count)
    gauge("last_run_rows_published", "PCF rows published by the last run.", snapshot.rows_published)
    gauge(
        "last_run_min_coverage_ratio",
        "Lowest coverage (published / played) among the dates the last run gated.",
        snapshot.min_coverage,
    )
    newest = day_timestamp(snapshot.newest_published) if snapshot.newest_published else None
    gauge("newest_published_game_date_timestamp_seconds", "Newest game date with rows in PCF (midnight UTC).", newest)
    gauge(
        "validate_dates_with_problems", "Game dates `validate` found needing attention.", snapshot.dates_with_problems
    )
    gauge(
        "stale",
        "1 when a final game date is overdue (freshness), else 0.",
        None if snapshot.stale is None else float(snapshot.stale),
    )
    gauge("overdue_dates", "Final game dates not published within --max-lag-hours.", snapshot.overdue_dates)
    gauge("oldest_overdue_hours", "Hours since the oldest overdue game date ended.", snapshot.oldest_overdue_hours)
    gauge("last_run_bytes_processed", "Bytes the last run's BigQuery jobs processed.", snapshot.bytes_processed)
    gauge("last_run_bytes_billed", "Bytes the last run's BigQuery jobs were billed.", snapshot.bytes_billed)
    return registry


def write_metrics(path: Path, snapshot: MetricsSnapshot) -> None:
    """Atomically replace `path` (temp file + rename, by prometheus_client)."""
    from prometheus_client import write_to_textfile

    write_to_textfile(str(path), registry_of(snapshot))
