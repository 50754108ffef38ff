"""The Warehouse interface contract, run against both adapters with the statements production runs:
staging, the atomic publish (and its failure), parameters, types, timestamps, table placeholders,
copy and restore, dropping staging. A backend-only quirk would be a marked parameter, not a second copy."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from support import BACKENDS

from backfill.pipeline.ledger import PROCESSOR
from backfill.pipeline.publish import counted, publish_chunk
from cleanup.backup import count_rows
from cleanup.plan import delete_predicate, delete_statement
from cleanup.restore import put_back
from warehouse import Staged, TableNotFound, Warehouse, WarehouseError
from warehouse.base import staging_schema
from warehouse.duckdb_backend import DuckDBWarehouse
from warehouse.identifiers import Datasets

D1, D2, D3 = date(2023, 2, 23), date(2023, 2, 24), date(2023, 2, 25)
STAGING = staging_schema(["pcf", "checkpoints"])
PROCESSED_AT = datetime(2024, 1, 1, 12, 30, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def empty_warehouse(request: pytest.FixtureRequest, tmp_path) -> Warehouse:
    """An empty warehouse with every contract table, on each backend."""
    if request.param == "bigquery":
        return request.getfixturevalue("bigquery_warehouse")
    duckdb_warehouse = DuckDBWarehouse(str(tmp_path / "contract.duckdb"), Datasets())
    request.addfinalizer(duckdb_warehouse.close)
    duckdb_warehouse.create_tables()
    return duckdb_warehouse


def pcf_rows(day: date, players: list[str | None], run_id: str = "run-1") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "game_date": day,
            "player_lookup": players,
            "fatigue_score": 100,
            "fatigue_adjustment": 0.0,
            "total_composite_adjustment": 1.25,
            "has_warnings": False,
            "context_source": "upcg",
            "run_id": run_id,
            "processed_at": PROCESSED_AT,
        }
    )


def ledger_rows(days: list[date], run_id: str = "run-1") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": run_id,
            "processor": PROCESSOR,
            "game_date": days,
            "status": "published",
            "coverage": 1.0,
            "forced": False,
            "finished_at": PROCESSED_AT,
        }
    )


def players(wh: Warehouse, day: date) -> list[str]:
    frame = wh.query("SELECT player_lookup FROM {pcf} WHERE game_date = @day ORDER BY player_lookup", {"day": day})
    return frame["player_lookup"].tolist()


def attempts(wh: Warehouse) -> list[tuple[date, int]]:
    frame = wh.query("SELECT game_date, attempt FROM {checkpoints} ORDER BY game_date, attempt")
    return [(ts.date(), int(attempt)) for ts, attempt in zip(frame["game_date"], frame["attempt"], strict=True)]


# --- parameters, types, placeholders --------------------------------------------------------------
def test_date_and_date_list_parameters_filter_the_same_sql_text(empty_warehouse: Warehouse) -> None:
    empty_warehouse.load(
        pd.concat([pcf_rows(D1, ["a", "b"]), pcf_rows(D2, ["a", "c", "d"]), pcf_rows(D3, ["e"])]), "pcf"
    )
    frame = empty_warehouse.query(
        "SELECT game_date, COUNT(DISTINCT player_lookup) AS players FROM {pcf} "
        "WHERE game_date IN (SELECT * FROM UNNEST(@dates)) AND game_date >= @start AND run_id = @run "
        "GROUP BY game_date ORDER BY game_date",
        {"dates": [D1, D2, D3], "start": D2, "run": "run-1"},
    )
    assert frame["game_date"].dt.date.tolist() == [D2, D3]
    assert frame["players"].tolist() == [3, 1]


def test_loaded_values_come_back_typed_alike_and_timestamps_naive_utc(empty_warehouse: Warehouse) -> None:
    empty_warehouse.load(pcf_rows(D1, ["a"]), "pcf")
    row = empty_warehouse.query(
        "SELECT game_date, fatigue_score, total_composite_adjustment, has_warnings, processed_at FROM {pcf}"
    )
    assert str(row["game_date"].dtype) == "datetime64[us]" and row["game_date"][0] == pd.Timestamp(D1)
    assert str(row["processed_at"].dtype) == "datetime64[us]"
    assert row["processed_at"][0] == pd.Timestamp("2024-01-01 12:30")  # UTC wall time, no zone
    assert int(row["fatigue_score"][0]) == 100 and float(row["total_composite_adjustment"][0]) == 1.25
    assert not bool(row["has_warnings"][0])


def test_rows_come_back_as_plain_values_typed_alike(empty_warehouse: Warehouse) -> None:
    empty_warehouse.load(pd.concat([pcf_rows(D1, ["a"]), pcf_rows(D2, ["b", "c"])]), "pcf")
    before = empty_warehouse.stats.rows_read
    rows = empty_warehouse.rows(
        "SELECT game_date, fatigue_score, total_composite_adjustment, has_warnings, processed_at, "
        "pace_score FROM {pcf} WHERE game_date = @day",
        {"day": D1},
    )
    assert rows == [
        {
            "game_date": D1,
            "fatigue_score": 100,
            "total_composite_adjustment": 1.25,
            "has_warnings": False,
            "processed_at": datetime(2024, 1, 1, 12, 30),
            "pace_score": None,
        }
    ]
    assert [type(value) for value in rows[0].values()] == [date, int, float, bool, datetime, type(None)]
    counted = empty_warehouse.rows(
        "SELECT game_date, COUNT(*) AS n, SUM(fatigue_score) AS total FROM {pcf} GROUP BY game_date ORDER BY game_date"
    )
    assert counted == [{"game_date": D1, "n": 1, "total": 100}, {"game_date": D2, "n": 2, "total": 200}]
    assert empty_warehouse.stats.rows_read - before == 3
    assert empty_warehouse.rows("SELECT game_date FROM {pcf} WHERE game_date > @day", {"day": D3}) == []


def test_only_table_placeholders_are_rendered_other_braces_stay_as_written(empty_warehouse: Warehouse) -> None:
    empty_warehouse.load(pcf_rows(D1, ["a", "b"]), "pcf")
    frame = empty_warehouse.query(
        """SELECT '{"factor": {"weight": 1}}' AS json_text, '{not_a_table}' AS braces, COUNT(*) AS n FROM {pcf}"""
    )
    assert frame["json_text"][0] == '{"factor": {"weight": 1}}'
    assert frame["braces"][0] == "{not_a_table}"
    assert frame["n"][0] == 2
    with pytest.raises(ValueError, match=r"unknown table placeholder \{pfc\}"):
        empty_warehouse.render("SELECT * FROM {pfc}")


def test_a_table_that_does_not_exist_is_table_not_found_said_once(
    empty_warehouse: Warehouse, bigquery_statements
) -> None:
    missing = empty_warehouse.qualified("precompute", "no_such_table")
    bigquery_statements.expect_rejection("no_such_table")  # BigQuery, like the emulator, finds no such table
    with pytest.raises(TableNotFound) as raised:
        empty_warehouse.query(f"SELECT COUNT(*) AS n FROM {missing}")
    message = str(raised.value)
    assert "\n" not in message and message.count("no_such_table") == 1, message


# --- staging and the atomic publish ---------------------------------------------------------------
def test_a_staged_frame_reads_back_and_dropping_it_twice_is_harmless(empty_warehouse: Warehouse) -> None:
    staged = empty_warehouse.stage(pcf_rows(D1, ["a", "b"]).assign(row_kind="pcf"), STAGING, "publish")
    frame = empty_warehouse.query(f"SELECT player_lookup, row_kind, run_id FROM {staged} ORDER BY player_lookup")
    assert frame.to_dict("list") == {
        "player_lookup": ["a", "b"],
        "row_kind": ["pcf", "pcf"],
        "run_id": ["run-1", "run-1"],
    }
    empty_warehouse.drop_staging(staged)
    with pytest.raises(TableNotFound):
        empty_warehouse.query(f"SELECT COUNT(*) AS n FROM {staged}")
    empty_warehouse.drop_staging(staged)


def test_staged_rows_read_back_per_table_and_are_gone_once_the_run_ends(empty_warehouse: Warehouse) -> None:
    staged = empty_warehouse.stage_rows(
        {"pcf": pcf_rows(D1, ["a", "b"]), "checkpoints": ledger_rows([D1]), "audits": pd.DataFrame()}, "publish"
    )
    read = {
        key: empty_warehouse.query(f"SELECT game_date, run_id FROM {relation} AS s ORDER BY run_id")
        for key, relation in staged.relations.items()
    }
    assert {key: len(frame) for key, frame in read.items()} == {"pcf": 2, "checkpoints": 1, "audits": 0}
    assert read["checkpoints"]["game_date"].dt.date.tolist() == [D1]
    empty_warehouse.drop_staged(staged)  # the batch is done (BigQuery keeps its table for the run's next batch)
    empty_warehouse.end_staging()  # the run is done
    with pytest.raises(WarehouseError):
        empty_warehouse.query(f"SELECT COUNT(*) AS n FROM {staged.relations['pcf']} AS s")
    empty_warehouse.drop_staged(staged)  # twice: harmless
    empty_warehouse.end_staging()


def test_a_second_batch_staged_under_the_same_label_replaces_the_first(empty_warehouse: Warehouse) -> None:
    first = empty_warehouse.stage_rows({"pcf": pcf_rows(D1, ["a", "b"]), "checkpoints": ledger_rows([D1])}, "publish")
    empty_warehouse.drop_staged(first)
    second = empty_warehouse.stage_rows({"pcf": pcf_rows(D2, ["c"]), "checkpoints": ledger_rows([D2])}, "publish")
    read = empty_warehouse.query(f"SELECT game_date, player_lookup FROM {second.relations['pcf']} AS s")
    assert read["player_lookup"].tolist() == ["c"] and read["game_date"].dt.date.tolist() == [D2]
    empty_warehouse.drop_staged(second)
    empty_warehouse.end_staging()


def test_publish_replaces_the_dates_rows_and_numbers_each_ledger_attempt(empty_warehouse: Warehouse) -> None:
    empty_warehouse.load(pd.concat([pcf_rows(D1, ["stale"], "run-0"), pcf_rows(D3, ["kept"], "run-0")]), "pcf")

    first = publish_chunk(
        empty_warehouse, [D1, D2], pd.concat([pcf_rows(D1, ["a", "b"]), pcf_rows(D2, ["c"])]), ledger_rows([D1, D2])
    )
    second = publish_chunk(empty_warehouse, [D2], pcf_rows(D2, ["c", "d"], "run-2"), ledger_rows([D2], "run-2"))

    assert (players(empty_warehouse, D1), players(empty_warehouse, D2), players(empty_warehouse, D3)) == (
        ["a", "b"],
        ["c", "d"],
        ["kept"],
    )
    assert counted(first, [D1, D2]).tolist() == [2, 1] and counted(second, [D2]).tolist() == [2]  # read back
    assert attempts(empty_warehouse) == [(D1, 1), (D2, 1), (D2, 2)]


def publish_that_fails(empty_warehouse: Warehouse, bigquery_statements) -> None:
    """A chunk whose last statement fails, after the DELETE and both INSERTs ran: the audits table is gone."""
    empty_warehouse.execute("DROP TABLE {audits}")
    bigquery_statements.expect_rejection("backfill_audits")
    audit_rows = pd.DataFrame({"run_id": ["run-1"], "processor": PROCESSOR, "game_date": [D1], "audit": "rows"})
    publish_chunk(empty_warehouse, [D1], pcf_rows(D1, ["new"]), ledger_rows([D1]), audit_rows)


def test_a_publish_that_fails_changes_nothing(empty_warehouse: Warehouse, bigquery_statements) -> None:
    empty_warehouse.load(pcf_rows(D1, ["old"], "run-0"), "pcf")

    with pytest.raises(TableNotFound, match="backfill_audits"):
        publish_that_fails(empty_warehouse, bigquery_statements)

    assert players(empty_warehouse, D1) == ["old"]
    assert attempts(empty_warehouse) == []


def test_when_dropping_staging_also_fails_the_publish_error_is_the_one_raised(
    empty_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, bigquery_statements, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse_drop(_self: Warehouse, staged: Staged) -> None:
        raise WarehouseError(f"cannot drop {staged.names}")

    monkeypatch.setattr(type(empty_warehouse), "drop_staged", refuse_drop)
    with pytest.raises(TableNotFound, match="backfill_audits"):
        publish_that_fails(empty_warehouse, bigquery_statements)

    warnings = [record.event for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings == ["staging_not_dropped"]
    assert attempts(empty_warehouse) == []


# --- copy and restore (cleanup's backup) -----------------------------------------------------------
def test_rows_copied_to_a_new_table_are_deleted_then_copied_back(empty_warehouse: Warehouse) -> None:
    upcg = pd.DataFrame({"player_lookup": ["a", "b", "c"], "game_date": [D1, D2, D3], "days_rest": [1, 2, None]})
    empty_warehouse.load(upcg, "upcg")
    predicate = delete_predicate("all", D3, [D1, D2], datetime.now(UTC))
    assert predicate is not None

    backup = empty_warehouse.copy_rows_to_new_table("upcg", predicate, "upcg_backup_contract")
    empty_warehouse.run_atomic([delete_statement(predicate)])

    assert count_rows(empty_warehouse, backup) == 2
    assert count_rows(empty_warehouse, empty_warehouse.table("upcg")) == 1
    assert put_back(empty_warehouse, "upcg_backup_contract") == 2
    restored = empty_warehouse.query("SELECT player_lookup, days_rest FROM {upcg} ORDER BY player_lookup")
    assert restored["player_lookup"].tolist() == ["a", "b", "c"]
    assert restored["days_rest"].tolist()[:2] == [1, 2] and pd.isna(restored["days_rest"][2])


def test_copying_into_a_table_that_exists_is_refused(empty_warehouse: Warehouse, bigquery_statements) -> None:
    empty_warehouse.copy_rows_to_new_table("upcg", "TRUE", "upcg_backup_twice")
    bigquery_statements.expect_rejection("upcg_backup_twice")
    with pytest.raises(WarehouseError):
        empty_warehouse.copy_rows_to_new_table("upcg", "TRUE", "upcg_backup_twice")


# --- the cost of a command ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "jobs"),
    [
        (lambda wh: wh.query("SELECT COUNT(*) AS n FROM {pcf}"), 1),
        (lambda wh: wh.rows("SELECT COUNT(*) AS n FROM {pcf}"), 1),
        (lambda wh: wh.run_atomic(["DELETE FROM {pcf} WHERE game_date = DATE '2023-02-23'"]), 1),
        (lambda wh: wh.load(pcf_rows(D1, ["a"]), "pcf"), 1),
    ],
    ids=["query", "rows", "script", "load"],
)
def test_each_statement_counts_as_one_job(empty_warehouse: Warehouse, call: Callable[[Warehouse], object], jobs: int):
    before = empty_warehouse.stats.jobs
    call(empty_warehouse)
    assert empty_warehouse.stats.jobs - before == jobs
