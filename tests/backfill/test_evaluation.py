from datetime import date, datetime

import pandas as pd

from backfill.pipeline.evaluation import Evaluation, arrow_by_date

D1, D2, D3 = date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 5)


def frame(days: list[date], **columns: list) -> pd.DataFrame:
    return pd.DataFrame({"game_date": pd.to_datetime(pd.Series(days, dtype="object")), **columns})


def block(rows: pd.DataFrame, audits: pd.DataFrame) -> Evaluation:
    verdicts = frame([D1, D2, D3], status=["published"] * 3).set_index("game_date")
    return Evaluation([D1, D2, D3], arrow_by_date(rows), verdicts, datetime(2024, 1, 6), 3.0, arrow_by_date(audits))


def test_each_chunk_gets_the_rows_and_audits_of_its_own_dates_in_date_order() -> None:
    rows = frame([D3, D1, D2, D1], player_lookup=["d", "a", "c", "b"])
    audits = frame([D2, D3], audit=["rows", "drift"])

    first, second = block(rows, audits).parts([[D1, D2], [D3]])

    assert first.rows.column("player_lookup").to_pylist() == ["a", "b", "c"]  # stable within a date
    assert first.audits.column("audit").to_pylist() == ["rows"]
    assert second.rows.column("player_lookup").to_pylist() == ["d"]
    assert [first.verdicts.index.size, second.verdicts.index.size] == [2, 1]
    assert [first.seconds, second.seconds] == [2.0, 1.0]  # the block's time shared by dates


def test_a_block_that_computed_nothing_gives_every_chunk_no_rows() -> None:
    first, second = block(pd.DataFrame(), pd.DataFrame()).parts([[D1], [D2, D3]])

    assert [first.rows.num_rows, second.rows.num_rows, second.audits.num_rows] == [0, 0, 0]
