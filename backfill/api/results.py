"""What `run` and `catch_up` return: a verdict per date and the run's outcome, both JSON-ready (`to_dict()`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from backfill.api.common import json_ready
from backfill.api.errors import DatesBlocked, DatesFailed, summary
from vocabulary import DateStatus

if TYPE_CHECKING:
    import pandas as pd

    from backfill.pipeline import runner


@dataclass(frozen=True)
class DateVerdict:
    """What a run decided for one date (`status`: published, blocked, failed or skipped_bootstrap)."""

    game_date: date
    status: str
    games: int | None
    context_source: str | None  # upcg, pgs_synthetic or mixed
    source_reason: str | None  # why that source, e.g. "upcg_partial 1/177 (0.6%)"
    expected_players: int  # who played, by the schedule's final games
    upcg_players: int
    published_players: int
    coverage: float | None
    reason: str | None
    forced: bool
    allowed_regression: bool
    warning: bool
    blocked_by: str | None = None  # what kept a blocked date back: coverage, an audit, upstream data, …
    upcg_state: str | None = None  # what UPCG held for the date: complete, partial, empty, …
    zone_rows_built: int = 0  # PSZA/TDZA rows built from the box scores (`--zones auto`)
    zone_note: str | None = None  # zone rows that disagreed with the box scores and which way, and what was built

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)  # type: ignore[no-any-return]


def verdict_of(day: date, row: dict[str, Any]) -> DateVerdict:
    """A verdict from the runner's row for `day` (pandas' missing values become None)."""

    import pandas as pd  # loaded already: the run computed with it

    def value(key: str) -> Any:
        found = row.get(key)
        return None if found is None or pd.isna(found) else found

    games, coverage = value("games"), value("coverage")
    return DateVerdict(
        game_date=day,
        status=str(row["status"]),
        games=None if games is None else int(games),
        context_source=value("context_source"),
        source_reason=value("source_reason") or None,
        expected_players=int(value("expected_players") or 0),
        upcg_players=int(value("upcg_players") or 0),
        published_players=int(value("published_players") or 0),
        coverage=None if coverage is None else float(coverage),
        reason=value("reason") or None,
        forced=bool(value("forced")),
        allowed_regression=bool(value("allowed_regression")),
        warning=bool(value("warning")),
        blocked_by=value("blocked_by") or None,
        upcg_state=value("upcg_state") or None,
        zone_rows_built=int(value("zone_rows_built") or 0),
        zone_note=value("zone_note") or None,
    )


@dataclass(frozen=True)
class RunResult:
    """The outcome of `run` / `catch_up`: one verdict per processed date, the dates it found already done, counts,
    the exit code the CLI would report and the command that resumes the run. `frame` is the verdicts as a
    DataFrame; `to_dict()` is everything as JSON's types (Dagster metadata, XCom, a log line)."""

    run_id: str
    command: str
    start: date
    end: date
    dry_run: bool
    verdicts: list[DateVerdict]
    off_days: int
    already_done: int
    schedule_gap: str | None
    seconds: float
    exit_code: int
    resume_command: str
    outcome: runner.RunOutcome = field(repr=False, compare=False)  # the runner's full record, as the CLI renders it
    taken_over: list[dict[str, object]] = field(default_factory=list)  # leases of dead runs this run took over
    already_done_dates: list[date] = field(default_factory=list)  # published before: not processed again
    unscheduled_dates: list[date] = field(default_factory=list)  # the schedule gap's days
    label: str | None = None
    inputs: list[str] = field(default_factory=list)  # the tables it read, as the warehouse names them
    output: str | None = None  # the table it wrote (PCF)

    @property
    def counts(self) -> dict[str, int]:
        return {
            status.value: sum(v.status == status for v in self.verdicts)
            for status in (DateStatus.PUBLISHED, DateStatus.BLOCKED, DateStatus.FAILED, DateStatus.SKIPPED_BOOTSTRAP)
        }

    @property
    def rows_published(self) -> int:
        """The rows this run wrote to the output (one per player of each date it published)."""
        return sum(v.published_players for v in self.verdicts if v.status == DateStatus.PUBLISHED)

    def dates(self, status: str) -> list[date]:
        return [v.game_date for v in self.verdicts if v.status == status]

    @property
    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([vars(v) for v in self.verdicts], columns=list(DateVerdict.__dataclass_fields__))

    def to_dict(self) -> dict[str, Any]:
        return {**json_ready(self), "counts": self.counts, "rows_published": self.rows_published}

    def raise_for_status(self) -> RunResult:
        """Raise `DatesFailed` (failures win) or `DatesBlocked`; return self when all is well."""
        reasons = {
            status: {v.game_date: v.reason or status for v in self.verdicts if v.status == status}
            for status in (DateStatus.FAILED, DateStatus.BLOCKED)
        }
        resume = f"; to resume: {self.resume_command}"
        if reasons[DateStatus.FAILED]:
            raise DatesFailed(
                summary("failed", reasons[DateStatus.FAILED]) + resume, reasons[DateStatus.FAILED], self.resume_command
            )
        if reasons[DateStatus.BLOCKED]:
            raise DatesBlocked(
                summary("blocked", reasons[DateStatus.BLOCKED]) + resume,
                reasons[DateStatus.BLOCKED],
                self.resume_command,
            )
        if self.schedule_gap:
            gap = dict.fromkeys(self.unscheduled_dates, "upstream_missing schedule")
            raise DatesBlocked(f"not off-days: {self.schedule_gap}{resume}", gap, self.resume_command)
        return self
