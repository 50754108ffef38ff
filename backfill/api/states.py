"""`status`: per game date, what the table holds, what the last attempt did and whether the published rows are still
true to their inputs; with the audits the last attempts failed and the newest date published. What `status
--output json` prints is `StatusResult.to_dict()`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from backfill.api.common import WarehouseLike, checked_span, json_ready, opened
from warehouse import Datasets

if TYPE_CHECKING:  # the frame view imports pandas when asked for: reading the ledger needs none of it
    import pandas as pd


@dataclass(frozen=True)
class AuditFinding:
    """An audit (SPEC §6.9) a date's last attempt failed: its value against the baseline and the threshold."""

    game_date: date
    audit: str
    severity: str  # warn or block
    value: float | None
    baseline: float | None
    threshold: float
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return json_ready(self)  # type: ignore[no-any-return]


def failing_audits(
    warehouse: WarehouseLike, start: date | str, end: date | str, *, datasets: Datasets | None = None
) -> list[AuditFinding]:
    """The audits the last attempt of each date of [start, end] failed (none for a ledger older than audits)."""
    from backfill.pipeline.ledger_reads import failing_audit_rows

    first, last = checked_span(start, end)
    with opened(warehouse, datasets) as wh:
        return [AuditFinding(**row) for row in failing_audit_rows(wh, first, last)]


def newest_published(warehouse: WarehouseLike, *, datasets: Datasets | None = None) -> date | None:
    """The newest game date with rows in the table, whatever the ledger says."""
    from backfill.pipeline.date_facts import newest_published as newest

    with opened(warehouse, datasets) as wh:
        return newest(wh)


@dataclass(frozen=True)
class DateState:
    """One game date, three facts: what the table holds (published_*, coverage, context_source), what the last
    attempt did (status, reason, run_id, blocked_by, upcg_state, last_coverage), and whether the published rows are
    still true to their inputs (inputs: fresh, stale or unverified, with inputs_reason saying what changed)."""

    game_date: date
    status: str  # last attempt: published, blocked, failed, skipped_bootstrap, or pending (never run)
    reason: str | None
    expected_players: int
    published_players: int
    coverage: float | None  # published players who played ÷ expected
    context_source: str | None
    run_id: str | None  # the last attempt's run
    published_run_id: str | None = None  # the run whose rows the table holds
    blocked_by: str | None = None  # what kept the last attempt back: coverage, an audit, upstream data, …
    upcg_state: str | None = None  # what UPCG held for the date at the last attempt
    inputs: str | None = None  # the published rows against their inputs: fresh, stale, unverified (None: nothing)
    inputs_reason: str | None = None  # what `inputs` means here, e.g. "pgs game 20230303_BOS_NYK added (24 rows)"
    games: int | None = None
    forced: bool = False  # the last attempt published past the gate
    last_coverage: float | None = None  # the last attempt's coverage
    published_rows: int = 0  # rows the table holds (players who did not play count too)

    def to_dict(self) -> dict[str, Any]:
        """The date as `status --output json` shows it: the held facts at the top, `last_attempt` apart."""
        held = {
            "game_date": self.game_date,
            "games": self.games,
            "status": self.status,
            "context_source": self.context_source,
            "expected_players": self.expected_players,
            "published_players": self.published_players,
            "coverage": self.coverage,
            "forced": self.forced,
            "reason": self.reason,
            "run_id": self.published_run_id,
            "blocked_by": self.blocked_by,
            "upcg_state": self.upcg_state,
            "inputs": self.inputs,
            "inputs_reason": self.inputs_reason,
        }
        last = {"status": self.status, "reason": self.reason, "coverage": self.last_coverage, "run_id": self.run_id}
        return json_ready(held | {"last_attempt": last})  # type: ignore[no-any-return]


def state_of(row: Mapping[str, Any]) -> DateState:
    """A date's state from its `date_states` row."""
    return DateState(
        game_date=row["game_date"],
        status=str(row["status"]),
        reason=row["reason"],
        expected_players=int(row["expected_players"]),
        published_players=int(row["published_players"]),
        coverage=row["coverage"],
        context_source=row["context_source"],
        run_id=row["last_run_id"],
        published_run_id=row["run_id"],
        blocked_by=row["blocked_by"],
        upcg_state=row["upcg_state"],
        inputs=row["inputs"],
        inputs_reason=row["inputs_reason"],
        games=None if row["games"] is None else int(row["games"]),
        forced=bool(row["forced"]),
        last_coverage=row["last_coverage"],
        published_rows=int(row["published_rows"] or 0),
    )


def counted(values: Iterable[str | None]) -> dict[str, int]:
    return dict(sorted(Counter(value for value in values if value).items()))


@dataclass(frozen=True)
class StatusResult:
    """`status`: every game date of [start, end], the audits their last attempts failed and the newest date the
    table holds. `rows` (one dict per date) have every column of the ledger's view, `frame` is the same as a
    DataFrame; `to_dict()` is what `status --output json` prints."""

    start: date
    end: date
    dates: list[DateState]
    rows: list[dict[str, Any]] = field(repr=False, compare=False)
    exit_code: int = 0
    failing_audits: list[AuditFinding] = field(default_factory=list)
    newest_published: date | None = None  # the newest game date with rows in the table, whatever the range
    resume_command: str | None = None  # status only reads the ledger: there is nothing to resume

    def raise_for_status(self) -> StatusResult:
        """Returns self: `status` reports states and exits 0 whatever they are (act on `counts`, or call `validate`
        or `run(...).raise_for_status()`); it answers the call every API result answers (SPEC §12)."""
        return self

    @property
    def counts(self) -> dict[str, int]:
        """Dates per last-attempt status."""
        return counted(state.status for state in self.dates)

    @property
    def input_counts(self) -> dict[str, int]:
        """Published dates per input state (fresh, stale, unverified: SPEC §6.10)."""
        return counted(state.inputs for state in self.dates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_date": self.start.isoformat(),
            "end_date": self.end.isoformat(),
            "summary": self.counts,
            "inputs": self.input_counts,
            "newest_published": json_ready(self.newest_published),
            "dates": [state.to_dict() for state in self.dates],
            "failing_audits": [finding.to_dict() for finding in self.failing_audits],
        }

    @property
    def frame(self) -> pd.DataFrame:
        from backfill.pipeline.date_facts import STATE_COLUMNS, as_frame

        return as_frame(self.rows, STATE_COLUMNS)


def status(
    warehouse: WarehouseLike, start: date | str, end: date | str, *, datasets: Datasets | None = None
) -> StatusResult:
    """Per game date of [start, end]: what is published and what the last attempt did, with the audits the last
    attempts failed and the newest date published. Read only."""
    from backfill.pipeline.date_facts import date_states

    first, last = checked_span(start, end)
    with opened(warehouse, datasets) as wh:
        rows = date_states(wh, first, last)
        audits = failing_audits(wh, first, last)
        newest = newest_published(wh)
    return StatusResult(first, last, [state_of(row) for row in rows], rows, 0, audits, newest)
