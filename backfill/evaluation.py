"""A chunk computed and gated, not yet published, and how one computed block splits into its chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd


@dataclass(frozen=True)
class Evaluation:
    """A chunk computed and gated, not yet published."""

    chunk: list[date]
    rows: pd.DataFrame
    verdicts: pd.DataFrame
    started: datetime
    seconds: float
    audits: pd.DataFrame = field(default_factory=pd.DataFrame)  # FINDING_COLUMNS, one row per date and audit

    def parts(self, chunks: list[list[date]]) -> list[Evaluation]:
        """What belongs to each of the consecutive chunks this evaluation covered, with its share of the time;
        rows and audits are ordered by date once and sliced, so a block of many small chunks stays cheap."""
        rows, audits = by_date(self.rows), by_date(self.audits)
        return [
            Evaluation(chunk, date_slice(rows, chunk), self.verdicts.loc[first_and_last(chunk)], self.started,
                       self.seconds * len(chunk) / len(self.chunk), date_slice(audits, chunk))
            for chunk in chunks
        ]  # fmt: skip


def by_date(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("game_date", kind="stable") if len(frame) else frame


def first_and_last(chunk: list[date]) -> slice:
    return slice(pd.Timestamp(chunk[0]), pd.Timestamp(chunk[-1]))


def date_slice(ordered: pd.DataFrame, chunk: list[date]) -> pd.DataFrame:
    """The rows of a frame ordered by game_date that fall within the chunk's first and last date."""
    if not len(ordered):
        return ordered
    days, within = ordered["game_date"].to_numpy(), first_and_last(chunk)
    start = days.searchsorted(within.start.to_datetime64(), "left")
    return ordered.iloc[start:days.searchsorted(within.stop.to_datetime64(), "right")]
