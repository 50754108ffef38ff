"""Chunk size is a publishing choice: small chunks are computed together in blocks, yet every chunk is gated,
published and recorded on its own, and the rows are those of a run with the default chunks."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta

import pandas as pd
from support import published_rows

from backfill.pipeline.plan import chunk_dates, compute_blocks

RANGE = ("--start-date", "2023-02-20", "--end-date", "2023-03-05")


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=offset) for offset in range(count)]


def test_small_chunks_are_computed_in_blocks_of_under_ninety_days():
    chunks = chunk_dates(days(date(2022, 10, 18), 200), 1)
    blocks = compute_blocks(chunks)
    assert [chunk for block in blocks for chunk in block] == chunks
    assert [len(block) for block in blocks] == [90, 90, 20]


def test_chunks_of_ninety_days_or_more_are_their_own_blocks():
    chunks = chunk_dates(days(date(2022, 10, 18), 200), 120)
    assert compute_blocks(chunks) == [[chunk] for chunk in chunks]


def test_one_day_chunks_publish_what_default_chunks_publish_one_transaction_each(demo_file, tmp_path, run_cli, open_db):
    documents, tables = [], []
    for name, extra in (("default", ()), ("daily", ("--chunk-days", "1"))):
        db = tmp_path / f"{name}.duckdb"
        shutil.copy(demo_file, db)
        result = run_cli(db, "run", *RANGE, "--output", "json", *extra)
        assert result.exit_code == 0, result.output
        documents.append(json.loads(result.stdout))
        wh = open_db(db)
        tables.append((published_rows(wh), wh.query("SELECT game_date, started_at, finished_at FROM {checkpoints}")))
    (default_rows, default_ledger), (daily_rows, daily_ledger) = tables
    assert documents[0]["dates"] == documents[1]["dates"]
    pd.testing.assert_frame_equal(daily_rows, default_rows)
    assert default_ledger["finished_at"].nunique() == 1
    assert daily_ledger["finished_at"].nunique() == len(daily_ledger) == len(documents[1]["dates"])
