import numpy as np

from processors.keys import positions_of


def test_positions_of_finds_the_kept_row_of_each_key_and_minus_one_for_absent_keys() -> None:
    keys = np.array([5, 7, 5, 9])
    assert positions_of(np.array([5, 9, 8]), keys).tolist() == [0, 3, -1]
    assert positions_of(np.array([5]), keys, keep="last").tolist() == [2]


def test_positions_of_in_an_empty_table_is_minus_one_for_every_key() -> None:
    # a zone table with no row for the date (upstream_missing tdza) must block the date, not fail it
    assert positions_of(np.array([5, 9]), np.array([], dtype=np.int64)).tolist() == [-1, -1]
