import numpy as np
import pandas as pd
import pytest

from processors.keys import (
    count_per_day,
    day_numbers,
    first_of_runs,
    is_in,
    occurrences,
    pair_keys,
    positions_in,
    positions_of,
    sort_codes,
)


def test_positions_of_finds_the_kept_row_of_each_key_and_minus_one_for_absent_keys() -> None:
    keys = np.array([5, 7, 5, 9])
    assert positions_of(np.array([5, 9, 8]), keys).tolist() == [0, 3, -1]
    assert positions_of(np.array([5]), keys, keep="last").tolist() == [2]


def test_positions_of_in_an_empty_table_is_minus_one_for_every_key() -> None:
    # a zone table with no row for the date (upstream_missing tdza) must block the date, not fail it
    assert positions_of(np.array([5, 9]), np.array([], dtype=np.int64)).tolist() == [-1, -1]


def test_equal_date_name_pairs_get_equal_keys_across_frames_and_a_missing_name_matches_a_missing_name() -> None:
    day = pd.Timestamp("2023-02-23")
    left, right = pair_keys(
        (pd.Series([day, day, day]), pd.Series(["alpha", "beta", None])),
        (pd.Series([day, day + pd.Timedelta(days=1), day]), pd.Series(["beta", "alpha", None], dtype="str")),
    )
    assert left[1] == right[0] and left[2] == right[2]  # as a pandas merge matches them
    assert left[0] not in right  # same name, another day


def test_sort_codes_order_rows_as_sort_values_does_with_missing_values_last() -> None:
    frame = pd.DataFrame({"player": ["b", "a", None, "a", "c"], "game": ["g2", "g9", "g1", None, "g1"]})
    order = np.lexsort((sort_codes(frame["game"]), sort_codes(frame["player"])))
    assert order.tolist() == frame.sort_values(["player", "game"], kind="stable").index.tolist()


def test_first_of_runs_keeps_what_drop_duplicates_keeps_of_sorted_rows() -> None:
    frame = pd.DataFrame({"a": [1, 1, 2, 2, 2, 3], "b": [0, 0, 1, 1, 2, 2]})
    kept = first_of_runs(frame["a"].to_numpy(), frame["b"].to_numpy())
    assert frame[kept].equals(frame.drop_duplicates())
    assert first_of_runs(np.array([], dtype=np.int64)).tolist() == []


def test_counts_per_key_and_per_day() -> None:
    assert occurrences(np.array([5, 6, 7]), np.array([5, 7, 5])).tolist() == [2, 0, 1]
    wanted = pd.DatetimeIndex(["2023-02-23", "2023-02-24"])
    days = day_numbers(pd.Series(pd.to_datetime(["2023-02-24", "2023-02-24", "2023-03-01"])))
    assert count_per_day(days, wanted).tolist() == [0, 2]


def test_positions_in_an_index_are_minus_one_for_absent_and_missing_values() -> None:
    assert positions_in(pd.Index(["a", "b"]), pd.Series(["b", None, "z", "a"])).tolist() == [1, -1, -1, 0]
    assert positions_in(pd.Index([], dtype=object), pd.Series([], dtype=object)).tolist() == []


@pytest.mark.parametrize(
    "values",
    [["BOS", None], ["BOS"], [], [1, "NYK"], ("regular", "playoff")],
    ids=["with-missing", "strings", "none", "mixed", "tuple"],
)
def test_is_in_answers_as_pandas_isin_does_on_arrow_strings(values):
    column = pd.Series(["BOS", None, "NYK", "regular", "BKN"], dtype="str")
    wanted = pd.Series(values, dtype="str") if values and all(isinstance(v, str | None) for v in values) else values
    assert is_in(column, wanted).tolist() == column.isin(wanted).tolist()
