"""Read-only calls: `status`, `validate`, `freshness` and `report` (on DuckDB they never block a run)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backfill.api.common import (
    WarehouseLike,
    checked_span,
    connection_words,
    json_ready,
    league_now,
    opened,
    warehouse_url,
)
from backfill.api.defaults import settled
from backfill.api.errors import DatesBlocked, summary
from validation.rules import DEFAULT_MIN_COVERAGE, checked_fraction
from vocabulary import ExitCode
from warehouse import Datasets, InvalidSetting

if TYPE_CHECKING:  # the frame views import pandas when asked for: reading the ledger needs none of it
    import pandas as pd

    from backfill.pipeline.recompute import Recomputed
    from backfill.pipeline.staleness import Freshness


@dataclass(frozen=True)
class DateState:
    """One game date, three facts: what the table holds (published_*), what the last attempt did (status,
    reason, run_id, blocked_by, upcg_state), and whether the published rows are still true to their inputs
    (inputs: fresh, stale or unverified, with inputs_reason saying what changed)."""

    game_date: date
    status: str  # last attempt: published, blocked, failed, skipped_bootstrap, or pending (never run)
    reason: str | None
    expected_players: int
    published_players: int
    coverage: float | None  # published players who played ÷ expected
    context_source: str | None
    run_id: str | None  # the last attempt's run
    published_run_id: str | None = None  # the run whose rows the table holds
    blocked_by: str | None = None
    upcg_state: str | None = None
    inputs: str | None = None  # the published rows against their inputs: fresh, stale, unverified (None: nothing)
    inputs_reason: str | None = None  # what `inputs` means here, e.g. "pgs game 20230303_BOS_NYK added (24 rows)"

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class StatusResult:
    """`status`: every game date of [start, end]; `rows` (one dict per date) have every column `pcf-backfill
    status` shows, `frame` is the same as a DataFrame."""

    start: date
    end: date
    dates: list[DateState]
    rows: list[dict[str, Any]] = field(repr=False, compare=False)
    exit_code: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(state.status for state in self.dates).items()))

    def to_dict(self) -> dict[str, Any]:
        return {**json_ready(self), "counts": self.counts}

    @property
    def frame(self) -> pd.DataFrame:
        from backfill.pipeline.date_facts import STATE_COLUMNS, as_frame

        return as_frame(self.rows, STATE_COLUMNS)


def status(
    warehouse: WarehouseLike, start: date | str, end: date | str, *, datasets: Datasets | None = None
) -> StatusResult:
    """Per game date of [start, end]: what is published and what the last attempt did. Read only."""
    from backfill.pipeline.date_facts import date_states

    first, last = checked_span(start, end)
    with opened(warehouse, datasets) as wh:
        states = date_states(wh, first, last)
    dates = [
        DateState(
            row["game_date"],
            str(row["status"]),
            row["reason"],
            int(row["expected_players"]),
            int(row["published_players"]),
            row["coverage"],
            row["context_source"],
            row["last_run_id"],
            row["run_id"],
            row["blocked_by"],
            row["upcg_state"],
            row["inputs"],
            row["inputs_reason"],
        )
        for row in states
    ]
    return StatusResult(first, last, dates, states)


@dataclass(frozen=True)
class ValidateResult:
    """`validate`: the reconciliation of [start, end] and the dates that need attention (exit code 3 if any).
    `problems` maps each such date to its problems; `repairs` are the narrowest runs that fix them. `rows` has
    one dict per date with every reconciliation column, `attention_rows` those that need attention; `frame` and
    `attention` are the same as DataFrames."""

    start: date
    end: date
    problems: dict[date, str]
    repairs: list[str]
    rows: list[dict[str, Any]] = field(repr=False, compare=False)
    attention_rows: list[dict[str, Any]] = field(repr=False, compare=False)
    recomputed: Recomputed | None = field(default=None, repr=False, compare=False)  # with recompute=True

    @property
    def exit_code(self) -> int:
        return int(ExitCode.NEEDS_ATTENTION if self.problems else ExitCode.OK)

    @property
    def resume_command(self) -> str | None:
        """The repairs as one shell line (each a narrow run; `&&` stops at the first that fails)."""
        return " && ".join(self.repairs) or None

    def to_dict(self) -> dict[str, Any]:
        return {**json_ready(self), "exit_code": self.exit_code, "resume_command": self.resume_command}

    @property
    def frame(self) -> pd.DataFrame:
        from backfill.pipeline.date_facts import RECONCILED_COLUMNS, as_frame

        return as_frame(self.rows, RECONCILED_COLUMNS)

    @property
    def attention(self) -> pd.DataFrame:
        from backfill.pipeline.date_facts import RECONCILED_COLUMNS, as_frame

        return as_frame(self.attention_rows, RECONCILED_COLUMNS)

    def raise_for_status(self) -> ValidateResult:
        if self.problems:
            raise DatesBlocked(summary("need attention", self.problems), self.problems, self.resume_command)
        return self


def validate(
    warehouse: WarehouseLike,
    start: date | str,
    end: date | str,
    *,
    min_coverage: float | None = None,
    datasets: Datasets | None = None,
    url: str | None = None,
    recompute: bool = False,
) -> ValidateResult:
    """Reconcile the tables over [start, end]: who played vs rows published, duplicates, ledger disagreements,
    inputs changed since publishing. `min_coverage` left as None is settled like `--min-coverage`
    (PCF_MIN_COVERAGE, the config file, 0.90). `recompute` first recomputes every published date in memory and
    compares it value by value: matching dates get their input fingerprint recorded (the only write), differing
    ones are recorded as stale with the count of differing rows."""
    from backfill.pipeline.date_facts import reconciliation
    from backfill.pipeline.repairs import audit_words_of_runs, repair_commands
    from validation.reconcile import needs_attention

    first, last = checked_span(start, end)
    min_coverage = settled("validate", warehouse, {"min_coverage": min_coverage}).get(
        "min_coverage", DEFAULT_MIN_COVERAGE
    )
    checked_fraction("min_coverage", min_coverage)
    recomputed = None
    with opened(warehouse, datasets, writer="python: backfill.validate(recompute=True)" if recompute else None) as wh:
        if recompute:
            from backfill.pipeline.invocation import new_invocation
            from backfill.pipeline.recompute import recompute_published

            recomputed = recompute_published(wh, first, last, new_invocation("validate --recompute"))
        report = reconciliation(wh, first, last, min_coverage)
        words = connection_words(url or warehouse_url(warehouse), wh.datasets)
        attention = [dict(row) for row in needs_attention(report)]
        audit_words = audit_words_of_runs(wh, [str(row["last_run_id"]) for row in attention if row["last_run_id"]])
    reasons = {row["game_date"]: ", ".join(row["problems"]) for row in attention}
    return ValidateResult(
        first, last, reasons, repair_commands(attention, words, audit_words), report, attention, recomputed
    )


@dataclass(frozen=True)
class FreshnessResult:
    """`freshness`: is every final game date up to yesterday published? `overdue` lists the late dates."""

    stale: bool  # a date overdue, or a published date whose inputs changed
    overdue: list[date]
    hours_late: float | None  # since the oldest overdue date ended
    newest_published: date | None
    exit_code: int
    fix_command: str | None
    details: Freshness = field(repr=False, compare=False)
    inputs_changed: dict[date, str] = field(default_factory=dict)  # published dates whose inputs changed, and how
    republish_command: str | None = None

    @property
    def frame(self) -> pd.DataFrame:
        return self.details.missing

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)  # type: ignore[no-any-return]

    def raise_for_status(self) -> FreshnessResult:
        if self.overdue:
            reasons = {day: "not published" for day in self.overdue}
            raise DatesBlocked(
                f"stale: {len(self.overdue)} game dates overdue, the oldest {self.overdue[0]} "
                f"({self.hours_late:.0f} h)",
                reasons,
                self.fix_command,
            )
        if self.inputs_changed:
            raise DatesBlocked(
                summary("stale (inputs changed)", self.inputs_changed), self.inputs_changed, self.republish_command
            )
        return self


def freshness(
    warehouse: WarehouseLike,
    *,
    max_lag_hours: float | None = None,
    now: datetime | None = None,
    datasets: Datasets | None = None,
) -> FreshnessResult:
    """Every final, non-bootstrap game date through yesterday (America/New_York) has rows in the table?
    `max_lag_hours` left as None is settled like `--max-lag-hours` (PCF_MAX_LAG_HOURS, the config file, 30)."""
    from backfill.pipeline.staleness import DEFAULT_MAX_LAG_HOURS, MAX_LAG_HOURS, check_freshness

    max_lag_hours = settled("freshness", warehouse, {"max_lag_hours": max_lag_hours}).get(
        "max_lag_hours", DEFAULT_MAX_LAG_HOURS
    )
    if (
        isinstance(max_lag_hours, bool)
        or not isinstance(max_lag_hours, int | float)
        or not (0 <= max_lag_hours <= MAX_LAG_HOURS)
    ):
        raise InvalidSetting(
            "max_lag_hours",
            "{field}: {value!r} must be a number of hours from 0 to {most}",
            value=max_lag_hours,
            most=MAX_LAG_HOURS,
        )
    with opened(warehouse, datasets) as wh:
        fresh = check_freshness(wh, now or league_now(), max_lag_hours)
        connection = connection_words(warehouse_url(warehouse), wh.datasets)
    return FreshnessResult(
        fresh.stale,
        fresh.overdue,
        fresh.hours_late,
        fresh.newest_published,
        fresh.exit_code,
        fresh.fix_command(connection),
        fresh,
        fresh.inputs_changed,
        fresh.republish_command(connection),
    )


def report(
    warehouse: WarehouseLike, start: date | str, end: date | str, html: str | Path, *, datasets: Datasets | None = None
) -> Path:
    """Write the HTML coverage report of [start, end] (never over the warehouse or a non-HTML file)."""
    from backfill.cli.report import write_report

    first, last = checked_span(start, end)
    with opened(warehouse, datasets) as wh:
        return write_report(wh, first, last, Path(html))
