"""What the report shows: one row per calendar day with its state, taken from `backfill.api.status`' rows (the
ledger's typed columns: status, coverage_warning, upcg_state, the thresholds in force; and what the table holds)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vocabulary import SYNTHETIC_SOURCES, UpcgState

if TYPE_CHECKING:
    from backfill.api import AuditFinding, StatusResult

STATES = ("published", "published_warning", "blocked", "failed", "bootstrap", "off_day", "pending")
STATE_LABELS = {
    "published": "published",
    "published_warning": "published with coverage warning",
    "blocked": "blocked by the gate",
    "failed": "failed",
    "bootstrap": "bootstrap window (skipped)",
    "off_day": "off-day (no games)",
    "pending": "pending (never run)",
}


def report_data(status: StatusResult) -> pd.DataFrame:
    """One row per calendar day of the status' range with its report state and ledger details."""
    return calendar_days(status.frame, status.start, status.end)


def audit_frame(findings: Sequence[AuditFinding]) -> pd.DataFrame:
    """The failing audits as the page lists them: one row per finding."""
    return pd.DataFrame([vars(finding) for finding in findings])


def calendar_days(states: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Spread `date_states` (game dates only) over every calendar day; the days without a row are off-days."""
    days = pd.date_range(start, end, freq="D", name="day")
    frame = states.set_axis(pd.DatetimeIndex(states.index).as_unit(days.unit).normalize()).reindex(days)
    fallback = frame["context_source"].isin(SYNTHETIC_SOURCES)  # context built (at least partly) from box scores
    return pd.DataFrame(
        {
            "day": days,
            "state": day_states(frame),
            "forced": frame["forced"].astype("boolean").fillna(False).astype(bool),
            "fallback": fallback,
            "expected": frame["expected_players"].astype("Int64"),
            "published": frame["published_players"].astype("Int64"),
            "coverage": frame["coverage"].astype("float64"),
            "last_attempt": _optional_text(frame["status"].where(frame["status"] != "pending")),
            "last_coverage": _column(frame, "last_coverage").astype("float64"),
            "source": _optional_text(frame["context_source"]),
            "reason": _optional_text(frame["reason"]),
            "run_id": _optional_text(frame["run_id"]),
            "season": frame["season"].astype("Int64"),
            "games": frame["games"].astype("Int64"),
            "force_reason": _optional_text(frame["force_reason"]),
            "partial": fallback & _column(frame, "upcg_state").eq(UpcgState.PARTIAL),
            "min_coverage": _column(frame, "min_coverage").astype("float64"),
            "warn_coverage": _column(frame, "warn_coverage").astype("float64"),
            "inputs": _optional_text(_column(frame, "inputs")),  # fresh, stale, unverified (SPEC §6.10)
            "inputs_reason": _optional_text(_column(frame, "inputs_reason")),
        }
    ).reset_index(drop=True)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(np.nan, index=frame.index)


def _optional_text(column: pd.Series) -> pd.Series:
    return column.astype("object").where(column.notna(), None)


def day_states(frame: pd.DataFrame) -> np.ndarray:
    """The report state of each day from its ledger status (NaN: not a game date, so an off-day)."""
    # what the table holds decides the colour: a later blocked attempt does not unpublish a date
    published = pd.to_numeric(frame["published_players"], errors="coerce").fillna(0) > 0
    status = frame["status"].where(~published | frame["status"].isna(), "published")
    warned = _column(frame, "warning").astype("boolean").fillna(False).astype(bool)  # the recorded verdict
    bootstrap = status.eq("skipped_bootstrap") | (status.eq("pending") & frame["bootstrap"].eq(True))
    conditions = [
        status.isna(),
        bootstrap,
        status.eq("published") & warned,
        status.eq("published"),
        status.eq("blocked"),
        status.eq("failed"),
    ]
    choices = ["off_day", "bootstrap", "published_warning", "published", "blocked", "failed"]
    return np.select([c.to_numpy(dtype=bool) for c in conditions], choices, default="pending")
