"""Read-only calls besides `status`: `validate` and `freshness` (on DuckDB they never block a run; `validate
--recompute` writes fingerprints only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
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
from backfill.api.states import AuditFinding, failing_audits, newest_published
from validation.rules import DEFAULT_MIN_COVERAGE, checked_fraction
from vocabulary import ExitCode
from warehouse import Datasets, InvalidSetting

if TYPE_CHECKING:  # the frame views import pandas when asked for: reading the ledger needs none of it
    import pandas as pd

    from backfill.pipeline.recompute import Recomputed
    from backfill.pipeline.staleness import Freshness


# A date that needs attention as `validate --output json` shows it: JSON key → reconciliation column.
ATTENTION_FIELDS = {
    "state": "state",
    "games": "games",
    "expected_players": "expected_players",
    "pcf_rows": "pcf_rows",
    "matched_players": "matched_players",
    "coverage": "coverage",
    "rows_for_non_players": "rows_for_non_players",
    "rows_out_of_range": "rows_out_of_range",
    "last_reason": "last_reason",
    "blocked_by": "last_blocked_by",
    "upcg_state": "last_upcg_state",
    "inputs": "inputs",
    "inputs_reason": "inputs_reason",
}


@dataclass(frozen=True)
class ValidateResult:
    """`validate`: the reconciliation of [start, end] and the dates that need attention (exit code 3 if any).
    `problems` maps each such date to the names of its failed checks; `repairs` are the narrowest runs that fix
    them. `rows` has one dict per date with every reconciliation column, `attention_rows` those that need
    attention; `frame` and `attention` are the same as DataFrames. `to_dict()` is what `validate --output json`
    prints."""

    start: date
    end: date
    problems: dict[date, list[str]]
    repairs: list[str]
    rows: list[dict[str, Any]] = field(repr=False, compare=False)
    attention_rows: list[dict[str, Any]] = field(repr=False, compare=False)
    recomputed: Recomputed | None = field(default=None, repr=False, compare=False)  # with recompute=True
    failing_audits: list[AuditFinding] = field(default_factory=list)
    newest_published: date | None = None  # the newest game date with rows in the table, whatever the range

    @property
    def exit_code(self) -> int:
        return int(ExitCode.NEEDS_ATTENTION if self.problems else ExitCode.OK)

    @property
    def game_dates(self) -> int:
        return sum(bool(row["is_game_date"]) for row in self.rows)

    @property
    def resume_command(self) -> str | None:
        """The repairs as one shell line (each a narrow run; `&&` stops at the first that fails)."""
        return " && ".join(self.repairs) or None

    def to_dict(self) -> dict[str, Any]:
        attention = [
            {"game_date": row["game_date"], **{key: row[column] for key, column in ATTENTION_FIELDS.items()}}
            | {"problems": list(row["problems"])}
            for row in self.attention_rows
        ]
        return json_ready(  # type: ignore[no-any-return]
            {
                "start_date": self.start,
                "end_date": self.end,
                "game_dates": self.game_dates,
                "dates_with_problems": len(self.problems),
                "exit_code": self.exit_code,
                "newest_published": self.newest_published,
                "problems": attention,
                "repair_commands": self.repairs,
                "resume_command": self.resume_command,
                "failing_audits": [finding.to_dict() for finding in self.failing_audits],
                **recompute_document(self.recomputed),
            }
        )

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
            reasons = {day: ", ".join(names) for day, names in self.problems.items()}
            raise DatesBlocked(summary("need attention", reasons), reasons, self.resume_command)
        return self


def recompute_document(recomputed: Recomputed | None) -> dict[str, Any]:
    """What `recompute=True` found: the dates that match their published rows and those that differ."""
    if recomputed is None:
        return {}
    return {
        "recompute": {
            "run_id": recomputed.run_id,
            "matching": recomputed.matching,
            "differing": [
                {
                    "game_date": day,
                    "differing_rows": recomputed.differing[day],
                    "published_rows": recomputed.published_rows[day],
                    "blocked": recomputed.blocked.get(day),
                }
                for day in recomputed.stale
            ],
        }
    }


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
        audits, newest = failing_audits(wh, first, last), newest_published(wh)
    problems = {row["game_date"]: list(row["problems"]) for row in attention}
    repairs = repair_commands(attention, words, audit_words)
    return ValidateResult(first, last, problems, repairs, report, attention, recomputed, audits, newest)


@dataclass(frozen=True)
class FreshnessResult:
    """`freshness`: is every final game date up to yesterday published? `overdue` lists the late dates. `to_dict()`
    is what `freshness --output json` prints."""

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
        import pandas as pd  # the freshness check loaded it already

        from warehouse.arrow_frames import records

        fresh = self.details
        missing = [
            {
                "game_date": ts.date(),
                "games": int(row["games"]),
                "ledger_state": row["ledger_state"],
                "hours_since_end": round(float(row["hours_since_end"]), 1),
                "overdue": bool(row["overdue"]),
            }
            for ts, row in zip(pd.DatetimeIndex(fresh.missing.index), records(fresh.missing), strict=True)
        ]
        changed = [{"game_date": day, "why": why} for day, why in sorted(self.inputs_changed.items())]
        return json_ready(  # type: ignore[no-any-return]
            {
                "fresh": not self.stale,
                "exit_code": self.exit_code,
                "now": fresh.now,
                "checked_from": fresh.since,
                "checked_through": fresh.checked_through,
                "max_lag_hours": fresh.max_lag_hours,
                "newest_published": self.newest_published,
                "oldest_missing": fresh.oldest_overdue,
                "hours_late": None if self.hours_late is None else round(self.hours_late, 1),
                "missing_dates": missing,
                "fix_command": self.fix_command,
                "inputs_changed": changed,
                "republish_command": self.republish_command,
            }
        )

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
    url: str | None = None,
) -> FreshnessResult:
    """Every final, non-bootstrap game date through yesterday (America/New_York) has rows in the table?
    `max_lag_hours` left as None is settled like `--max-lag-hours` (PCF_MAX_LAG_HOURS, the config file, 30); `url`
    names the warehouse in the commands it prints (default: `warehouse_url(warehouse)`)."""
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
        connection = connection_words(url or warehouse_url(warehouse), wh.datasets)
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
