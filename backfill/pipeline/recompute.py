"""`validate --recompute` (SPEC §6.10): recompute published dates in memory, compare them value by value with what the
table holds, and record the fingerprint of the dates that match.

It is how dates published before fingerprints existed become verified, and how an operator proves that code and
data agree after an upgrade. A date whose recomputed rows differ is recorded too, with the count of differing rows:
it then reads as stale, and `run --rerun stale` (or the nightly catch-up) republishes it. Nothing in PCF changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from backfill.pipeline.chunks import evaluations, input_failure
from backfill.pipeline.fingerprints import Observations
from backfill.pipeline.input_checks import PUBLISHED_RUNS
from backfill.pipeline.invocation import Invocation
from backfill.pipeline.ledger import require_tables, utc_now
from backfill.pipeline.plan import chunk_dates
from backfill.pipeline.run_records import record_command
from backfill.settings import RunSettings
from league.calendar import read_calendar
from vocabulary import DateStatus
from warehouse import Warehouse
from warehouse.arrow_frames import frame_from_arrow
from warehouse.schemas import TABLES

KEYS = ["game_date", "player_lookup"]
COMPARED = [name for name in TABLES["pcf"].column_names if name not in ("run_id", "processed_at")]
FLOAT_TOLERANCE = 1e-9  # the same code on the same inputs gives the same doubles; this only absorbs a round trip
PUBLISHED_ROWS_SQL = f"SELECT {', '.join(COMPARED)} FROM {{pcf}} WHERE game_date IN (SELECT * FROM UNNEST(@days))"


@dataclass(frozen=True)
class Recomputed:
    """Per published date: how many of its rows differ from a recomputation (0: it matches and is adopted)."""

    run_id: str
    differing: dict[date, int]
    published_rows: dict[date, int]
    blocked: dict[date, str]  # dates the gate would not publish today, with why

    @property
    def matching(self) -> list[date]:
        return sorted(day for day, count in self.differing.items() if count == 0)

    @property
    def stale(self) -> list[date]:
        return sorted(day for day, count in self.differing.items() if count > 0)


def recompute_published(wh: Warehouse, start: date, end: date, invocation: Invocation) -> Recomputed:
    """Every date of [start, end] with rows in PCF, recomputed by the run's own code path (same gate, default
    settings) and compared; the fingerprints are recorded chunk by chunk, each in one transaction."""
    require_tables(wh)
    runs = {row["game_date"]: str(row["run_id"]) for row in wh.rows(PUBLISHED_RUNS, {"start": start, "end": end})}
    result = Recomputed(invocation.run_id, {}, {}, {})
    if not runs:
        return result
    days = sorted(runs)
    record_command(wh, invocation, {"start": start.isoformat(), "end": end.isoformat(), "recompute": True})
    settings = RunSettings(days[0], days[-1], dates=tuple(days), command="validate")
    chunks = chunk_dates(days, settings.chunk_days)
    calendar = read_calendar(wh)
    observations = Observations(days[0], days[-1], calendar)
    for evaluation in evaluations(wh, chunks, set(), settings, input_failure(wh), calendar, observations):
        chunk = evaluation.chunk
        published = wh.query(PUBLISHED_ROWS_SQL, {"days": chunk})
        candidate = frame_from_arrow(evaluation.rows)
        passing = evaluation.verdicts["status"] == DateStatus.PUBLISHED
        counts = differing_rows(published, candidate, chunk)
        held = published.groupby(pd.to_datetime(published["game_date"])).size()
        reasons = evaluation.verdicts["reason"]
        for ts in pd.DatetimeIndex(evaluation.verdicts.index):
            day = ts.date()
            result.published_rows[day] = int(held.get(ts, 0))
            result.differing[day] = int(counts[ts]) if passing[ts] else result.published_rows[day]
            if not passing[ts]:
                result.blocked[day] = str(reasons[ts])
        inputs, dated = observations.records(
            chunk, invocation.run_id, settings, utc_now(), published_runs=runs, differing=result.differing
        )
        record_fingerprints(wh, inputs, dated)
    return result


def differing_rows(published: pd.DataFrame, candidate: pd.DataFrame, days: list[date]) -> pd.Series:
    """Per date, the rows that are in only one of the two, or whose values differ in any compared column."""
    index = pd.DatetimeIndex(pd.to_datetime(pd.Series(days, dtype="object")))
    frames = [frame.assign(game_date=pd.to_datetime(frame["game_date"])) for frame in (published, candidate)]
    if not len(frames[1]):
        frames[1] = pd.DataFrame({name: pd.Series(dtype=frames[0][name].dtype) for name in COMPARED})
    both = frames[0][COMPARED].merge(
        frames[1][COMPARED], on=KEYS, how="outer", suffixes=("_was", "_now"), indicator=True
    )
    differ = (both["_merge"] != "both").to_numpy(copy=True)
    for name in (column for column in COMPARED if column not in KEYS):
        differ |= ~same_values(both[f"{name}_was"], both[f"{name}_now"])
    return pd.Series(differ, index=both["game_date"]).groupby(level=0).sum().reindex(index).fillna(0).astype(int)


def same_values(was: pd.Series, now: pd.Series) -> np.ndarray:
    both_missing = (was.isna() & now.isna()).to_numpy()
    if (
        pd.api.types.is_numeric_dtype(was)
        and pd.api.types.is_numeric_dtype(now)
        and not pd.api.types.is_bool_dtype(was)
    ):
        close = np.isclose(was.astype("float64"), now.astype("float64"), rtol=0.0, atol=FLOAT_TOLERANCE)
        return close | both_missing
    equal = (was.astype("object") == now.astype("object")).fillna(False).to_numpy(bool)
    return equal | both_missing


def record_fingerprints(wh: Warehouse, inputs: pd.DataFrame, fingerprints: pd.DataFrame) -> None:
    """Append a recomputation's digests and fingerprints in one transaction."""
    if not len(fingerprints):
        return
    parts = {"inputs": inputs, "fingerprints": fingerprints} if len(inputs) else {"fingerprints": fingerprints}
    staged = wh.stage_rows(parts, "recompute")
    try:
        wh.run_atomic(
            [
                f"INSERT INTO {{{key}}} ({', '.join(TABLES[key].column_names)}) "
                f"SELECT {', '.join(TABLES[key].column_names)} FROM {relation}"
                for key, relation in staged.relations.items()
            ]
        )
    finally:
        wh.drop_staged(staged)
