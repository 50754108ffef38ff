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
    previous_players: int | None = None  # players the table held for the date before this run
    candidate_players: int | None = None  # players the run computed for it (what a publish would hold)
    inputs_changed: str | None = None  # why a published date was taken again: its inputs changed (`--rerun stale`)
    state_before: str | None = None  # the date's ledger state when the run planned it (None: never run)

    @property
    def republished(self) -> bool:
        """Published again because its inputs changed (SPEC §6.10)."""
        return self.status == DateStatus.PUBLISHED and self.inputs_changed is not None

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)  # type: ignore[no-any-return]


def verdict_of(day: date, row: dict[str, Any], state_before: str | None = None) -> DateVerdict:
    """A verdict from the runner's row for `day` (pandas' missing values become None)."""

    import pandas as pd  # loaded already: the run computed with it

    def value(key: str) -> Any:
        found = row.get(key)
        return None if found is None or pd.isna(found) else found

    def count(key: str) -> int | None:
        found = value(key)
        return None if found is None else int(found)

    coverage = value("coverage")
    return DateVerdict(
        game_date=day,
        status=str(row["status"]),
        games=count("games"),
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
        previous_players=count("previous_players"),
        candidate_players=count("candidate_players"),
        inputs_changed=value("inputs_changed") or None,
        state_before=state_before,
    )


@dataclass(frozen=True)
class RunResult:
    """The outcome of `run` / `catch_up`: one verdict per processed date, the dates it found already done, counts,
    what it cost the warehouse, the exit code the CLI would report and the command that resumes the run. `frame` is
    the verdicts as a DataFrame; `to_dict()` is everything as JSON's types (Dagster metadata, XCom, a log line), and
    what `run --output json` prints."""

    run_id: str
    command: str
    start: date  # a catch-up's range reaches back to its season's start
    end: date
    dry_run: bool
    verdicts: list[DateVerdict]
    off_days: int
    already_done: int
    schedule_gap: str | None
    seconds: float
    exit_code: int
    resume_command: str
    taken_over: list[dict[str, object]] = field(default_factory=list)  # leases of dead runs this run took over
    already_done_dates: list[date] = field(default_factory=list)  # published before: not processed again
    unscheduled_dates: list[date] = field(default_factory=list)  # the schedule gap's days
    label: str | None = None
    inputs: list[str] = field(default_factory=list)  # the tables it read, as the warehouse names them
    output: str | None = None  # the table it wrote (PCF)
    still_stale: list[date] = field(default_factory=list)  # published dates whose inputs changed, left as they were
    user: str | None = None  # who ran it, where
    host: str | None = None
    warehouse_jobs: int = 0
    warehouse_rows_read: int = 0
    bytes_processed: int = 0
    bytes_billed: int | None = None  # BigQuery only: DuckDB bills nothing
    estimated_bytes: int | None = None  # a dry run on BigQuery: what the run's input reads would process

    @property
    def counts(self) -> dict[str, int]:
        return {
            status.value: sum(v.status == status for v in self.verdicts)
            for status in (DateStatus.PUBLISHED, DateStatus.BLOCKED, DateStatus.FAILED, DateStatus.SKIPPED_BOOTSTRAP)
        }

    @property
    def rows_published(self) -> int:
        """The rows this run wrote to the output (one per player of each date it published): none in a dry run."""
        if self.dry_run:
            return 0
        return sum(v.published_players for v in self.verdicts if v.status == DateStatus.PUBLISHED)

    def dates(self, status: str) -> list[date]:
        return [v.game_date for v in self.verdicts if v.status == status]

    @property
    def republished(self) -> list[DateVerdict]:
        """The dates this run published again because their inputs changed."""
        return [verdict for verdict in self.verdicts if verdict.republished]

    @property
    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([vars(v) for v in self.verdicts], columns=list(DateVerdict.__dataclass_fields__))

    def to_dict(self) -> dict[str, Any]:
        counts = self.counts | {
            "off_days": self.off_days,
            "already_done": self.already_done,
            "republished_stale": len(self.republished),
            "still_stale": len(self.still_stale),
        }
        billed = {} if self.bytes_billed is None else {"bytes_billed": self.bytes_billed}
        estimated = {} if self.estimated_bytes is None else {"estimated_bytes": self.estimated_bytes}
        return json_ready(  # type: ignore[no-any-return]
            {
                "run_id": self.run_id,
                "command": self.command,
                "label": self.label,
                "dry_run": self.dry_run,
                "start_date": self.start,
                "end_date": self.end,
                "exit_code": self.exit_code,
                "counts": counts,
                "rows_published": self.rows_published,
                "seconds": round(self.seconds, 3),
                "warehouse_jobs": self.warehouse_jobs,
                "bytes_processed": self.bytes_processed,
                **billed,
                **estimated,
                "warehouse_rows_read": self.warehouse_rows_read,
                "dates": self.verdicts,
                "already_done_dates": self.already_done_dates,
                "still_stale_dates": self.still_stale,
                "schedule_gap": self.schedule_gap,
                "unscheduled_dates": self.unscheduled_dates,
                "taken_over": self.taken_over,
                "inputs": self.inputs,
                "output": self.output,
                "resume_command": self.resume_command if self.exit_code else None,
            }
        )

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
