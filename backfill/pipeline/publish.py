"""Publishing a chunk: the statements (built as data, so a dry run or a test can read them),
their atomic execution, and the post-publish verification."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from backfill.pipeline.fingerprints import FINGERPRINT_KEYS
from backfill.pipeline.invocation import Invocation
from backfill.pipeline.ledger import checkpoint_rows, unnumbered_columns, utc_now
from backfill.pipeline.ledger_reads import PROCESSOR
from validation.profiles import PROFILE_SELECT
from vocabulary import DateStatus
from warehouse import Staged, Warehouse, WarehouseError, date_literal, dates_in_list
from warehouse.arrow_frames import arrow_with_columns
from warehouse.base import Rows
from warehouse.logger import get_logger
from warehouse.schemas import TABLES

if TYPE_CHECKING:
    from backfill.settings import RunSettings

log = get_logger(__name__)


@dataclass(frozen=True)
class PublishPlan:
    dates: tuple[date, ...]  # dates whose rows are replaced
    statements: tuple[str, ...]


def publish_statements(
    dates: Sequence[date], staged: Mapping[str, str], ledger_span: tuple[date, date] | None = None
) -> PublishPlan:
    """Replace each passing date's rows, record the inputs they read, append the chunk's ledger rows and their
    audit results — one transaction. `staged`: for pcf, checkpoints, and audits and fingerprints (if the chunk has
    any), the relation the staged rows are read from; `ledger_span`: the first and last date of the staged ledger
    rows, the partitions whose latest attempts are read (None: the whole ledger)."""
    pcf_columns = ", ".join(TABLES["pcf"].column_names)
    statements = []
    if dates:
        statements += [
            f"DELETE FROM {{pcf}} WHERE game_date IN {dates_in_list(dates)}",
            f"INSERT INTO {{pcf}} ({pcf_columns}) SELECT {pcf_columns} FROM {staged['pcf']}",
        ]
    for key in FINGERPRINT_KEYS:  # what the published dates read (SPEC §6.10), recorded with their verdicts
        if key in staged:
            columns = ", ".join(TABLES[key].column_names)
            statements.append(f"INSERT INTO {{{key}}} ({columns}) SELECT {columns} FROM {staged[key]}")
    statements.append(ledger_insert(staged["checkpoints"], ledger_span))
    if "audits" in staged:
        statements.append(audits_insert(staged["audits"], ledger_span))
    return PublishPlan(tuple(dates), tuple(statements))


# Per date: the highest attempt number the ledger holds (the clock never orders it), read within the staged
# dates' span: literal bounds prune the partitions (BigQuery tables may require that filter), where filtering by
# the staged relation would not.
def latest_attempts(span: tuple[date, date] | None) -> str:
    within = f" AND game_date BETWEEN {date_literal(span[0])} AND {date_literal(span[1])}" if span else ""
    return (
        f"(SELECT game_date, MAX(attempt) AS attempts FROM {{checkpoints}} WHERE processor = '{PROCESSOR}'"
        f"{within} GROUP BY game_date) AS prior"
    )


def _insert_numbered(key: str, staged: str, attempt: str, span: tuple[date, date] | None) -> str:
    columns = unnumbered_columns(key)
    return (
        f"INSERT INTO {{{key}}} ({', '.join(columns)}, attempt) "
        f"SELECT {', '.join('s.' + name for name in columns)}, {attempt} "
        f"FROM {staged} AS s LEFT JOIN {latest_attempts(span)} ON prior.game_date = s.game_date"
    )


def ledger_insert(staged: str, span: tuple[date, date] | None = None) -> str:
    """Append the staged verdicts, each numbered one past its date's latest attempt: the ledger's order
    is this number, never a host's clock (old rows without one rank below every numbered row)."""
    return _insert_numbered("checkpoints", staged, "COALESCE(prior.attempts, 0) + 1", span)


def audits_insert(staged: str, span: tuple[date, date] | None = None) -> str:
    """Append the staged audit results, each with the attempt number its date's ledger row just received."""
    return _insert_numbered("audits", staged, "prior.attempts", span)


def date_span(rows: Rows) -> tuple[date, date] | None:
    """The first and last `game_date` of some rows (None when there are none)."""
    if not len(rows):
        return None
    column = rows["game_date"]
    if isinstance(rows, pa.Table):
        bounds = pc.min_max(column)
        first, last = bounds["min"].as_py(), bounds["max"].as_py()
    else:
        first, last = column.min(), column.max()
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()


def with_run_metadata(rows: pa.Table, run_id: str, processed_at: datetime) -> pa.Table:
    """PCF rows as published: stamped with the run and the time, in the table's column order."""
    return arrow_with_columns(rows, TABLES["pcf"].column_names, run_id=run_id, processed_at=processed_at)


def publish_chunk(
    wh: Warehouse,
    dates: Sequence[date],
    rows: Rows,
    ledger_rows: Rows,
    audit_rows: Rows | None = None,
    fingerprints: Mapping[str, Rows] | None = None,
) -> list[dict[str, Any]]:
    """Stage rows, ledger rows, audit rows and input fingerprints together, then swap everything in a single
    transaction and read what PCF holds for `dates` once it committed (`published_counts_sql`, in the same BigQuery
    job as the transaction); returns those rows, for `verify_published`. Staging made for this batch alone is
    dropped whatever happens, and failing to drop it never hides why the publish failed."""
    parts = {"pcf": rows, "checkpoints": ledger_rows}
    if audit_rows is not None and len(audit_rows):  # a chunk of skipped or failed dates audited nothing
        parts["audits"] = audit_rows
    parts |= {key: frame for key, frame in (fingerprints or {}).items() if len(frame)}
    staged = wh.stage_rows(parts, "publish")
    try:
        plan = publish_statements(dates, staged.relations, date_span(ledger_rows))
        found = wh.run_atomic(plan.statements, then=published_counts_sql(dates))
    except BaseException:
        drop_staging_after_failure(wh, staged)
        raise
    wh.drop_staged(staged)
    return found


def drop_staging_after_failure(wh: Warehouse, staged: Staged) -> None:
    """While the publish's own error propagates, a second error from dropping staging is logged, not raised:
    staging outlives only this process (DuckDB: registered Arrow) or its expiry (BigQuery)."""
    try:
        wh.drop_staged(staged)
    except WarehouseError as error:
        log.warning("staging_not_dropped", tables=list(staged.names), error=str(error))


def published_counts_sql(dates: Sequence[date]) -> str | None:
    """Rows now in PCF per date of `dates` (`n`, what verify compares) and their profile (what the audits of the
    run's later dates compare with: `PublishedState`). Dates as literals: it runs in the publish's script."""
    if not dates:
        return None
    return (
        f"SELECT COUNT(*) AS n, {PROFILE_SELECT} FROM {{pcf}} WHERE game_date IN {dates_in_list(dates)} "
        "GROUP BY game_date"
    )


def counted(found: Sequence[Mapping[str, Any]], dates: Sequence[date]) -> pd.Series:
    """The rows `published_counts_sql` found, per date of `dates` (0 for dates with none)."""
    counts = {row["game_date"]: row["n"] for row in found}
    return pd.Series([counts.get(day, 0) for day in dates], index=pd.DatetimeIndex(list(dates)), dtype="int64")


def verify_published(
    wh: Warehouse,
    verdicts: pd.DataFrame,
    invocation: Invocation,
    settings: RunSettings,
    found: Sequence[Mapping[str, Any]],
) -> pd.DataFrame:
    """After commit, PCF must hold exactly the staged count for each published date (`found`: what the publish
    read back of those dates). A date that does not is failed: its rows are withdrawn in the same transaction that
    records the failure (fail-safe)."""
    published = verdicts[verdicts["status"] == DateStatus.PUBLISHED]
    found_counts = counted(found, [ts.date() for ts in published.index])
    wrong = published.index[found_counts.to_numpy() != published["row_count"].to_numpy()]
    if not len(wrong):
        return verdicts
    reason = "verify: " + ", ".join(
        f"{ts.date()} has {found_counts[ts]} rows, staged {staged}"
        for ts, staged in zip(wrong, published.loc[wrong, "row_count"].tolist(), strict=True)
    )
    failed = verdicts.loc[wrong].assign(status=DateStatus.FAILED.value, reason=reason, forced=False, warning=False)
    now = utc_now()
    ledger = checkpoint_rows(failed, invocation, settings, now, now)
    publish_chunk(wh, [ts.date() for ts in wrong], pd.DataFrame(), ledger)
    log.error("verification_failed", dates=[str(ts.date()) for ts in wrong], reason=reason)
    verdicts.loc[wrong, ["status", "reason"]] = [DateStatus.FAILED.value, reason]
    return verdicts
