"""A chunk computed and gated, not yet published, and how one computed block splits into its chunks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa


def arrow_by_date(frame: pd.DataFrame) -> pa.Table:
    """A computed frame as Arrow, ordered by game_date: converted once per block, so each chunk's share is a
    zero-copy slice and publishing a small chunk converts nothing."""
    ordered = frame.sort_values("game_date", kind="stable") if len(frame) else frame
    return pa.Table.from_pandas(ordered, preserve_index=False)


@dataclass(frozen=True)
class Evaluation:
    """A chunk computed and gated, not yet published: its rows and audit results as Arrow, ordered by date."""

    chunk: list[date]
    rows: pa.Table
    verdicts: pd.DataFrame
    started: datetime
    seconds: float
    audits: pa.Table  # FINDING_COLUMNS, one row per date and audit

    def parts(self, chunks: list[list[date]]) -> list[Evaluation]:
        """What belongs to each of the consecutive chunks this evaluation covered, with its share of the time."""
        rows, audits = DateSlicer(self.rows), DateSlicer(self.audits)
        return [
            Evaluation(
                chunk,
                rows.within(chunk),
                self.verdicts.loc[first_and_last(chunk)],
                self.started,
                self.seconds * len(chunk) / len(self.chunk),
                audits.within(chunk),
            )
            for chunk in chunks
        ]


def first_and_last(chunk: list[date]) -> slice:
    return slice(pd.Timestamp(chunk[0]), pd.Timestamp(chunk[-1]))


class DateSlicer:
    """Slices of a table ordered by game_date, one per chunk: each a binary search and a zero-copy slice."""

    def __init__(self, ordered: pa.Table) -> None:
        self.ordered = ordered
        days = ordered.column("game_date").to_numpy() if ordered.num_rows else np.array([])
        self.days = days.astype("datetime64[D]")

    def within(self, chunk: list[date]) -> pa.Table:
        """The rows whose game_date falls within the chunk's first and last date."""
        start = int(np.searchsorted(self.days, np.datetime64(chunk[0], "D"), "left"))
        stop = int(np.searchsorted(self.days, np.datetime64(chunk[-1], "D"), "right"))
        return self.ordered.slice(start, stop - start)
