"""Row keys as integers: a (date, name) pair packed into one int64.

The context joins frames on (game date, player) or (game date, team) many times per block. Packed into
one integer per row, a join is a lookup in an integer index and a membership test is `np.isin`, which
costs a fraction of a pandas merge on a date column and a string column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of each date."""
    values = dates.to_numpy() if dates.dtype.kind == "M" else pd.to_datetime(dates).to_numpy()  # skip a no-op's cost
    return values.astype("datetime64[D]").astype(np.int64)


def floats(values: pd.Series) -> np.ndarray:
    """Values as float64, NaN for a NULL or anything that is no number. Numbers, nullable or not, are not parsed."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def shared_codes(*columns: pd.Series) -> tuple[list[np.ndarray], int]:
    """Integer codes of several columns' values in one numbering, and how many values there are. A missing
    value is a value of its own, so it matches a missing value, as in a pandas merge."""
    codes, uniques = pd.factorize(pd.concat(columns, ignore_index=True), use_na_sentinel=False)
    ends = np.cumsum([len(column) for column in columns])
    return [part.astype(np.int64) for part in np.split(codes, ends[:-1])], len(uniques)


def is_in(column: pd.Series, values: pd.Series | Sequence[str]) -> np.ndarray:
    """`column.isin(values)` as a bool array (a missing value matches a missing value). Arrow strings are matched
    by Arrow: pandas' isin first makes a Python scalar of every value (7 ms for a season's game ids, 30× this)."""
    dtype = column.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return column.isin(values).to_numpy()
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        value_set = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        value_set = pa.array([], type=pa.int64())  # values of mixed types: pandas' rules below
    if not (
        pa.types.is_string(value_set.type)
        or pa.types.is_large_string(value_set.type)
        or pa.types.is_null(value_set.type)
    ):
        return column.isin(values).to_numpy()  # values that are not all strings: pandas' rules
    haystack = pa.array(column)
    return np.asarray(pc.is_in(haystack, value_set=value_set.cast(haystack.type)), dtype=bool)


def pair_keys(*pairs: tuple[pd.Series, pd.Series]) -> list[np.ndarray]:
    """One int64 per row of each (dates, names) pair, numbered together: equal pairs, equal keys, across
    all of them."""
    codes, width = shared_codes(*(names for _, names in pairs))
    return [day_numbers(dates) * max(width, 1) + code for (dates, _), code in zip(pairs, codes, strict=True)]


def occurrences(wanted: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """How many times each wanted key occurs among `keys`."""
    return pd.Series(keys).value_counts().reindex(wanted, fill_value=0).to_numpy()


def sort_codes(values: pd.Series) -> np.ndarray:
    """Integer codes that sort like the values (missing values last), for `np.lexsort`: the order
    `sort_values` gives, since it ranks strings by the same sorted factorisation."""
    codes, uniques = pd.factorize(values, sort=True)
    return np.where(codes < 0, len(uniques), codes)


def first_of_runs(*sorted_columns: np.ndarray) -> np.ndarray:
    """True on each row whose values differ from the previous row's in any column (rows sorted by them):
    what `drop_duplicates(keep="first")` keeps of sorted rows."""
    repeats = np.ones(max(len(sorted_columns[0]) - 1, 0), dtype=bool)  # row i + 1 equals row i in every column
    for column in sorted_columns:
        repeats &= column[1:] == column[:-1]
    return np.concatenate([np.ones(min(len(sorted_columns[0]), 1), dtype=bool), ~repeats])


def count_per_day(days: np.ndarray, wanted: pd.DatetimeIndex) -> np.ndarray:
    """How many of `days` fall on each wanted date (int64)."""
    position = pd.Index(day_numbers(pd.Series(wanted))).get_indexer(days)
    return np.bincount(position[position >= 0], minlength=len(wanted)).astype(np.int64)


def distinct(keys: np.ndarray) -> np.ndarray:
    """True on the first row of each key."""
    first: np.ndarray = ~pd.Index(keys).duplicated(keep="first")
    return first


def positions_in(index: pd.Index, values: pd.Series) -> np.ndarray:
    """Each value's position in `index` (-1: absent), looked up once per distinct value."""
    codes, uniques = pd.factorize(values)
    found = np.append(index.get_indexer(uniques), -1)  # a missing value's code -1 picks the appended -1
    positions: np.ndarray = found[codes].astype(np.int64)
    return positions


def positions_of(wanted: np.ndarray, keys: np.ndarray, keep: str = "first") -> np.ndarray:
    """For each wanted key, the position of the row holding it in `keys` (of equal keys, the `keep` one,
    as `drop_duplicates(keep=...)` would keep it); -1 where no row holds it."""
    index = pd.Index(keys)
    if index.is_unique:  # the usual case: the hash table built to tell is the one looked up in
        found: np.ndarray = index.get_indexer(wanted)
        return found
    kept = ~index.duplicated(keep=keep)
    rows = np.append(np.flatnonzero(kept), -1)  # a key no row holds (found -1) picks the appended -1
    positions: np.ndarray = rows[pd.Index(keys[kept]).get_indexer(wanted)]
    return positions


def rows_at(frame: pd.DataFrame, positions: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """`frame`'s rows at `positions` on `index`; -1 gives a row of missing values with the dtypes a
    left merge would give it (integers become floats, flags objects)."""
    return frame.reset_index(drop=True).reindex(positions).set_axis(index)
