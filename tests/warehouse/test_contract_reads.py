"""The contract of the reads and writes that save BigQuery jobs, on each backend: several SELECTs read together
(`query_many`, one job on BigQuery) and a transaction that reads what it committed (`run_atomic`'s `then`)."""

from __future__ import annotations

import pandas as pd
from test_contract import D1, D2, D3, empty_warehouse, pcf_rows

from warehouse import Warehouse

__all__ = ["empty_warehouse"]  # the fixture, shared with the rest of the contract

READS = {
    "early": (
        "SELECT game_date, player_lookup, fatigue_score, has_warnings, processed_at FROM {pcf} "
        "WHERE game_date BETWEEN @start AND @end",
        {"start": D1, "end": D1},
    ),
    "late": (  # the same parameter names, other values
        "SELECT game_date, COUNT(*) AS n, AVG(total_composite_adjustment) AS mean FROM {pcf} "
        "WHERE game_date BETWEEN @start AND @end GROUP BY game_date",
        {"start": D2, "end": D3},
    ),
    "none": ("SELECT game_date, player_lookup FROM {pcf} WHERE game_date > @start", {"start": D3}),
}


def test_reads_together_give_each_frame_as_its_own_query_does(empty_warehouse: Warehouse) -> None:
    empty_warehouse.load(pd.concat([pcf_rows(D1, ["a", "b"]), pcf_rows(D2, ["c"]), pcf_rows(D3, ["d", "e"])]), "pcf")
    alone = {name: empty_warehouse.query(sql, params) for name, (sql, params) in READS.items()}
    before = empty_warehouse.stats.jobs

    together = empty_warehouse.query_many(READS)

    assert empty_warehouse.stats.jobs - before == (1 if empty_warehouse.backend == "bigquery" else len(READS))
    assert list(together) == list(READS)
    for name, frame in alone.items():
        ordered = list(frame.columns[:2])
        pd.testing.assert_frame_equal(
            together[name].sort_values(ordered).reset_index(drop=True),
            frame.sort_values(ordered).reset_index(drop=True),
        )
    assert len(together["early"]) == 2 and together["late"]["n"].tolist() == [1, 2] and together["none"].empty


def test_a_transaction_reads_what_it_committed(empty_warehouse: Warehouse) -> None:
    empty_warehouse.load(pcf_rows(D1, ["old"]), "pcf")
    before = empty_warehouse.stats.jobs

    found = empty_warehouse.run_atomic(
        [
            "DELETE FROM {pcf} WHERE game_date = DATE '2023-02-23'",
            "INSERT INTO {pcf} (game_date, player_lookup) "
            "VALUES (DATE '2023-02-23', 'new'), (DATE '2023-02-23', 'two')",
        ],
        then="SELECT game_date, COUNT(*) AS n FROM {pcf} WHERE game_date = DATE '2023-02-23' GROUP BY game_date",
    )

    assert found == [{"game_date": D1, "n": 2}]
    assert empty_warehouse.stats.jobs - before == 1
    assert sorted(empty_warehouse.query("SELECT player_lookup FROM {pcf}")["player_lookup"]) == ["new", "two"]
