"""The ledger: the warehouse is the checkpoint. The rows a run records (verdicts, audit results, the run record)
and the side-effect-free reads the runner takes as frames; the reads' SQL, and the same reads as plain rows
for `status` and `validate`, are in `backfill.pipeline.ledger_reads`. Verdict and audit rows are written by the
publisher in the same transaction as the data they describe."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from backfill.pipeline.invocation import Invocation
from backfill.pipeline.ledger_reads import AUDIT_COLUMNS, CURRENT_STATE_SQL, FAILING_AUDITS_SQL, PROCESSOR
from vocabulary import BlockedBy, DateStatus, UpcgState
from warehouse import TableNotFound, Warehouse
from warehouse.arrow_frames import arrow_with_columns
from warehouse.logger import get_logger
from warehouse.schemas import INPUT_TABLES, TABLES

if TYPE_CHECKING:
    from backfill.settings import RunSettings

log = get_logger(__name__)

DONE_STATES = (DateStatus.PUBLISHED, DateStatus.SKIPPED_BOOTSTRAP)
UPCG_STATES = (
    UpcgState.DISAGREES,
    UpcgState.PARTIAL,
    UpcgState.EMPTY,
    UpcgState.COMPLETE,
    UpcgState.NO_EXPECTED_PLAYERS,
)
LEGACY_BLOCK_WORDS = (
    ("upstream_missing", BlockedBy.UPSTREAM_MISSING),
    ("games not final", BlockedBy.GAMES_NOT_FINAL),
    ("upstream_partial", BlockedBy.UPSTREAM_PARTIAL),
    ("upcg_disagrees", BlockedBy.UPCG_DISAGREES),
    ("coverage", BlockedBy.COVERAGE),
    ("audit", BlockedBy.AUDIT),
    ("regression", BlockedBy.REGRESSION),
    ("identity_conflict", BlockedBy.IDENTITY_CONFLICT),
)


def current_states(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """The latest verdict of each date in [start, end] (dates never run have no row: pending)."""
    states = wh.query(CURRENT_STATE_SQL, {"processor": PROCESSOR, "start": start, "end": end})
    return states.set_index("game_date")


def failing_audits(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """The audits (SPEC §6.9) each date's latest attempt failed; none for a warehouse whose ledger predates them."""
    if wh.missing_tables(["audits"]):
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    return wh.query(FAILING_AUDITS_SQL, {"processor": PROCESSOR, "start": start, "end": end})


def history(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """Every verdict ever recorded for the range, oldest first."""
    return wh.query(
        "SELECT * FROM {checkpoints} WHERE processor = @processor AND game_date BETWEEN @start AND @end "
        "ORDER BY game_date, COALESCE(attempt, 0), finished_at",
        {"processor": PROCESSOR, "start": start, "end": end},
    )


def wants_processing(state: str | None, rerun: str, stale: bool = False) -> bool:
    """Which dates a run takes, by their current ledger state (None: never run); `stale` takes, besides every
    date not done, the published dates whose inputs changed."""
    if rerun == "all":
        return True
    if rerun in ("blocked", "failed"):
        return state == rerun
    return state not in DONE_STATES or (rerun == "stale" and stale)


# Rows written before a verdict had its columns said it only in words; `init` records those words as the
# columns once (SQL both dialects run), so every reader reads columns. Rows with the columns are untouched. Every
# date's rows are meant: `game_date IS NOT NULL` is the partition filter a table requiring one accepts.
LEGACY_VERDICT_SQL = (
    "UPDATE {checkpoints} SET coverage_warning = (COALESCE(reason, '') LIKE '%coverage_warning%') "
    "WHERE game_date IS NOT NULL AND coverage_warning IS NULL",
    "UPDATE {checkpoints} SET upcg_state = CASE "
    + " ".join(f"WHEN COALESCE(source_reason, reason) LIKE '%{state}%' THEN '{state}'" for state in UPCG_STATES)
    + " END WHERE game_date IS NOT NULL AND upcg_state IS NULL AND ("
    + " OR ".join(f"COALESCE(source_reason, reason) LIKE '%{state}%'" for state in UPCG_STATES)
    + ")",
    "UPDATE {checkpoints} SET blocked_by = CASE "
    + " ".join(f"WHEN reason LIKE '{words}%' THEN '{rule}'" for words, rule in LEGACY_BLOCK_WORDS)
    + " END WHERE game_date IS NOT NULL AND blocked_by IS NULL AND status = 'blocked' AND ("
    + " OR ".join(f"reason LIKE '{words}%'" for words, _ in LEGACY_BLOCK_WORDS)
    + ")",
)


def record_legacy_verdicts(wh: Warehouse) -> None:
    """Give ledger rows from before the verdict columns their columns (idempotent: only NULLs are set)."""
    for statement in LEGACY_VERDICT_SQL:
        wh.execute(statement)


RUN_TABLES = ("schedule", "pcf", "runs", "checkpoints", "audits", "inputs", "fingerprints")


def require_tables(wh: Warehouse) -> None:
    """Fail fast when a table the run plans from or records into is missing (a ledger an older version made is
    refused when the warehouse opens). A missing input table is different: the dates that need it fail."""
    missing = wh.missing_tables(RUN_TABLES)
    if missing:

        def names(keys: list[str]) -> str:
            return ", ".join(f"{wh.dataset_name(TABLES[k].dataset)}.{TABLES[k].name}" for k in keys)

        own, upstream = [k for k in missing if k not in INPUT_TABLES], [k for k in missing if k in INPUT_TABLES]
        fixes = ([f"run `pcf-backfill init` to create {names(own)}"] if own else []) + (
            [f"load the upstream tables {names(upstream)} (`init --with-inputs` creates them empty)"]
            if upstream
            else []
        )
        raise TableNotFound(f"missing tables {names(missing)}: {'; '.join(fixes)} (or check --datasets)")


# --- rows a run records -------------------------------------------------------------------------
def utc_now() -> datetime:
    """Naive UTC, the way every TIMESTAMP of the warehouse is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


LEDGER_QUALITY_COLUMNS = [
    "candidate_players",
    "candidate_completeness",
    "candidate_zeroed_scores",
    "previous_players",
    "previous_completeness",
    "previous_zeroed_scores",
]


def checkpoint_rows(
    verdicts: pd.DataFrame, invocation: Invocation, settings: RunSettings, started: datetime, finished: datetime
) -> pa.Table:
    """One ledger row per verdict: the verdict as typed columns (with the thresholds in force), and the
    reason as a sentence for people. Arrow built column by column: a chunk's few rows cost no frame."""
    published = verdicts["status"].to_numpy() == DateStatus.PUBLISHED
    warned, forced = _flag(verdicts, "warning"), _flag(verdicts, "forced")
    allowed_regression = _flag(verdicts, "allowed_regression")
    overridden = forced | allowed_regression  # who and why are recorded
    columns = {
        "game_date": verdicts.index.to_numpy(),
        "published_players": np.where(published, verdicts["row_count"], 0),
        "reason": [
            ledger_reason(*row)
            for row in zip(
                verdicts["reason"], verdicts["source_reason"], warned, _texts(verdicts, "zone_note"), strict=True
            )
        ],
        "forced": forced,
        "force_reason": [settings.rules.force_reason if who else None for who in overridden],
        "forced_by": [invocation.user if who else None for who in overridden],
        "coverage_warning": warned,
        "allowed_regression": allowed_regression,
        # as the verdict says them; a column uncomputed verdicts (failed, bootstrap) lack is NULL
        **{name: verdicts[name].to_numpy() for name in VERDICT_LEDGER_COLUMNS if name in verdicts},
    }
    computed = pa.table({name: pa.array(values, from_pandas=True) for name, values in columns.items()})
    return arrow_with_columns(
        computed,
        unnumbered_columns("checkpoints"),
        run_id=invocation.run_id,
        processor=PROCESSOR,
        started_at=started,
        finished_at=finished,
        min_coverage=settings.rules.min_coverage,
        warn_coverage=settings.rules.warn_coverage,
    )


def unnumbered_columns(key: str) -> list[str]:
    """A ledger table's columns but `attempt`: the publish transaction numbers each row (`pipeline.publish`)."""
    return [name for name in TABLES[key].column_names if name != "attempt"]


VERDICT_LEDGER_COLUMNS = (
    "status",
    "context_source",
    "upcg_players",
    "expected_players",
    "coverage",
    "source_reason",
    "upcg_state",
    "blocked_by",
    "zone_rows_built",
    *LEDGER_QUALITY_COLUMNS,
)


def _flag(verdicts: pd.DataFrame, column: str) -> np.ndarray:
    return verdicts[column].fillna(False).to_numpy(bool)


def _texts(verdicts: pd.DataFrame, column: str) -> list[object]:
    """An optional text column of the verdicts (None where a verdict has none)."""
    return verdicts[column].tolist() if column in verdicts else [None] * len(verdicts)


def ledger_reason(reason: object, source_reason: object, warned: bool, zone_note: object = None) -> str | None:
    """The verdict's reason, else the source's and what the zone check found (a blocking reason says that itself),
    and a coverage warning said in words too."""
    text = _text(reason) or "; ".join(part for part in (_text(source_reason), _text(zone_note)) if part)
    return (text + "; coverage_warning" if warned else text).strip("; ") or None


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def audit_rows(findings: pa.Table, invocation: Invocation, created: datetime) -> pa.Table:
    """The chunk's audit results as ledger rows (the attempt number is the date's ledger row's, set on insert)."""
    if not findings.num_rows:
        return findings
    return arrow_with_columns(
        findings, unnumbered_columns("audits"), run_id=invocation.run_id, processor=PROCESSOR, created_at=created
    )
