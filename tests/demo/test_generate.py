from __future__ import annotations

import pandas as pd
import pytest

from demo import SEASON_OPENERS, generate_demo, parse_seasons
from warehouse import BadInput, Datasets, connect
from warehouse.base import Warehouse
from warehouse.duckdb_backend import DuckDBWarehouse
from warehouse.schemas import INPUT_TABLES


def read_inputs(wh: Warehouse) -> dict[str, pd.DataFrame]:
    return {key: wh.query(f"SELECT * FROM {{{key}}}") for key in INPUT_TABLES}


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), ignore_index=True)


def assert_same_tables(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    for key in INPUT_TABLES:
        pd.testing.assert_frame_equal(canonical(left[key]), canonical(right[key]), check_exact=True, obj=key)


def test_summary_counts_what_was_loaded(league):
    assert league.summary.seasons == [2022] and league.summary.seed == 42
    assert league.summary.rows == {key: len(frame) for key, frame in league.tables.items()}
    assert all(league.summary.rows.values())


def test_refuses_a_populated_warehouse_without_replace(league):
    with pytest.raises(BadInput, match="--replace"):
        generate_demo(league.wh, [2022], 42)
    assert league.wh.query("SELECT count(*) AS n FROM {pgs}")["n"][0] == len(league.tables["pgs"])


def test_same_seed_same_tables_other_seed_other_tables_and_replace_keeps_outputs(league, tmp_path):
    wh = connect(f"duckdb:///{tmp_path / 'other.duckdb'}")
    generate_demo(wh, [2022], 43)
    other = read_inputs(wh)
    for key in INPUT_TABLES:
        assert not canonical(other[key]).equals(canonical(league.tables[key])), key
    wh.execute("INSERT INTO {pcf} (game_date, player_lookup) VALUES (DATE '2023-01-20', 'someone')")
    wh.execute("INSERT INTO {checkpoints} (run_id, game_date, status) VALUES ('r1', DATE '2023-01-20', 'published')")

    summary = generate_demo(wh, [2022], 42, replace=True)

    assert_same_tables(read_inputs(wh), league.tables)
    assert summary.rows == league.summary.rows
    assert wh.query("SELECT count(*) AS n FROM {pcf}")["n"][0] == 1
    assert wh.query("SELECT count(*) AS n FROM {checkpoints}")["n"][0] == 1
    wh.close()


class PretendBigQuery(DuckDBWarehouse):
    backend = "bigquery"


def test_refuses_bigquery_unless_allowed(tmp_path):
    wh = PretendBigQuery(str(tmp_path / "bq.duckdb"), Datasets())
    with pytest.raises(BadInput, match="BigQuery"):
        generate_demo(wh)
    assert wh.missing_tables(list(INPUT_TABLES)) == list(INPUT_TABLES), "nothing may be written"
    wh.close()


def test_rejects_unsupported_seasons_and_seeds(tmp_path):
    wh = connect(f"duckdb:///{tmp_path / 'x.duckdb'}")
    with pytest.raises(BadInput, match="--seasons"):
        generate_demo(wh, [1999])
    with pytest.raises(BadInput, match="--seed"):
        generate_demo(wh, [2022], -1)
    wh.close()


@pytest.mark.parametrize(
    ("text", "seasons"),
    [
        ("2022", [2022]),
        ("2021-2024", [2021, 2022, 2023, 2024]),
        (" 2023-2024 ", [2023, 2024]),
        ("2024-2024", [2024]),
        ("2000-2025", list(range(2000, 2026))),
    ],
)
def test_parse_seasons(text, seasons):
    assert parse_seasons(text) == seasons


@pytest.mark.parametrize("text", ["", "1999", "2026", "2024-2021", "2021-2026", "22", "2021..2024", "2021,2022", "x"])
def test_parse_seasons_rejects_bad_text(text):
    with pytest.raises(BadInput, match="--seasons"):
        parse_seasons(text)


def test_openers_are_the_real_ones():
    assert [opener.isoformat() for opener in SEASON_OPENERS.values()] == [
        "2021-10-19",
        "2022-10-18",
        "2023-10-24",
        "2024-10-22",
    ]
