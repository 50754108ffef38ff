"""A run reads each season's inputs once and slices them per chunk: a slice holds exactly what a read of
the chunk's own range holds, and chunk size stops changing how much is read."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta

import pandas as pd
import pytest

from backfill.pipeline.plan import chunk_dates
from demo import generate_demo
from processors.season_inputs import SeasonInputs, rows_between
from processors.sources import read_sources
from warehouse import Datasets, Warehouse, connect

RUN = (date(2022, 3, 1), date(2022, 12, 31))  # the end of 2021-22, the off-season, the start of 2022-23
TABLE_READS = 6  # schedule, pgs, tgs, upcg, psza and tdza once per season (the players and the calendar once)


@pytest.fixture(scope="module")
def two_seasons(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = connect(f"duckdb:///{tmp_path_factory.mktemp('seasons') / 'league.duckdb'}", Datasets())
    generate_demo(wh, [2021, 2022], seed=7)
    yield wh
    wh.close()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2022, 3, 1), date(2022, 3, 7)),  # the run's first week
        (date(2022, 4, 4), date(2022, 10, 24)),  # across the off-season into the next season
        (date(2022, 11, 15), date(2022, 11, 15)),  # one day
        (date(2022, 12, 25), date(2022, 12, 31)),  # the run's last week
    ],
)
def test_a_slice_holds_exactly_what_reading_the_chunk_holds(two_seasons, start, end):
    inputs = SeasonInputs(*RUN)
    read_sources(two_seasons, date(2022, 3, 1), date(2022, 3, 1), inputs)  # warm: earlier chunks came first
    sliced, direct = read_sources(two_seasons, start, end, inputs), read_sources(two_seasons, start, end)
    for field in fields(direct):
        if field.name not in ("start", "end", "calendar"):
            pd.testing.assert_frame_equal(getattr(sliced, field.name), getattr(direct, field.name), obj=field.name)
    assert sliced.calendar == direct.calendar
    assert len(direct.pgs) and direct.pgs["game_date"].min() >= pd.Timestamp(direct.calendar.history_start(start))


def read_in_chunks(wh: Warehouse, chunk_days: int) -> tuple[int, int]:
    """Jobs and rows a run over RUN spends reading its inputs in chunks of `chunk_days`."""
    inputs = SeasonInputs(*RUN)
    jobs, rows = wh.stats.jobs, wh.stats.rows_read
    for chunk in chunk_dates(days(*RUN), chunk_days):
        read_sources(wh, chunk[0], chunk[-1], inputs)
    return wh.stats.jobs - jobs, wh.stats.rows_read - rows


@pytest.mark.slow
def test_chunk_size_does_not_change_what_is_read(two_seasons):
    one_chunk = read_in_chunks(two_seasons, 366)
    assert one_chunk[0] == 2 + 2 * TABLE_READS  # two seasons
    assert (
        read_in_chunks(two_seasons, 90) == read_in_chunks(two_seasons, 7) == read_in_chunks(two_seasons, 1) == one_chunk
    )


def test_a_chunk_outside_the_run_is_refused(two_seasons):
    with pytest.raises(ValueError, match="outside the run"):
        SeasonInputs(*RUN).frames(two_seasons, date(2022, 12, 30), date(2023, 1, 2))


@pytest.mark.parametrize("in_date_order", [True, False], ids=["read-in-date-order", "read-in-any-order"])
def test_the_rows_of_a_range_are_those_a_filter_keeps_in_the_order_read(in_date_order):
    dated = pd.to_datetime(["2022-11-01", "2022-11-01", "2022-11-02", "2022-11-04", "2022-11-05"])
    frame = pd.DataFrame({"game_date": dated if in_date_order else dated[::-1], "n": range(5)})
    since, end = pd.Timestamp("2022-11-01"), pd.Timestamp("2022-11-04")
    expected = frame[(frame["game_date"] >= since) & (frame["game_date"] <= end)].reset_index(drop=True)
    pd.testing.assert_frame_equal(rows_between(frame, "game_date", since, end), expected)
