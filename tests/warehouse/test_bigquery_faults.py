"""The BigQuery adapter against what production answers (tests/emulator/fault_proxy.py between it and the
emulator): a lost response, a repeated job id, rate limits, a lease taken over while its run stalled."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from support import pgs_rows

from warehouse.bigquery import BigQueryWarehouse
from warehouse.errors import LockHeld, TransientWarehouseError
from warehouse.schemas import TABLES

emulator = pytest.mark.bigquery_emulator
D1, D2 = date(2023, 2, 23), date(2023, 2, 24)


@pytest.fixture
def proxied(make_bigquery_warehouse, bigquery_fault_proxy) -> BigQueryWarehouse:
    warehouse = make_bigquery_warehouse(endpoint=bigquery_fault_proxy.url)
    warehouse.create_tables()
    return warehouse


def pgs_count(warehouse: BigQueryWarehouse) -> int:
    return int(warehouse.query("SELECT COUNT(*) AS n FROM {pgs} WHERE game_date = @day", {"day": D1})["n"][0])


@emulator
def test_a_load_whose_response_was_lost_is_waited_for_not_run_again(proxied, bigquery_fault_proxy) -> None:
    bigquery_fault_proxy.fail("load", "lose")
    proxied.load(pgs_rows({D1: ["a", "b"]}), "pgs")

    assert pgs_count(proxied) == 2
    lost, duplicate = bigquery_fault_proxy.injected
    assert lost[0] == "response lost" and duplicate == ("409 duplicate job id", lost[1])
    assert lost[1].startswith(f"pcf_{proxied.jobs.run_id}_load_")


@emulator
def test_a_statement_whose_response_was_lost_applies_once(proxied, bigquery_fault_proxy) -> None:
    proxied.load(pgs_rows({D1: ["a"]}), "pgs")
    bigquery_fault_proxy.fail("query", "lose")
    proxied.execute(
        "INSERT INTO {pgs} (game_id, game_date, season, player_lookup) SELECT game_id, game_date, "
        "season, 'b' FROM {pgs} WHERE game_date = @day",
        {"day": D1},
    )
    assert pgs_count(proxied) == 2
    assert bigquery_fault_proxy.injected_kinds() == ["response lost", "409 duplicate job id"]


@emulator
def test_each_retried_job_logs_one_line_with_its_reason_and_id(proxied, bigquery_fault_proxy, caplog) -> None:
    bigquery_fault_proxy.fail("query", "rateLimitExceeded")
    bigquery_fault_proxy.fail("query", "backendError")
    with caplog.at_level(logging.WARNING, logger="warehouse"):
        proxied.run_atomic(["DELETE FROM {pgs} WHERE game_date = DATE '2023-02-23'"])
    retried = [record for record in caplog.records if record.msg.startswith("bigquery_job_retried")]
    refused = [job_id for what, job_id in bigquery_fault_proxy.injected]
    assert len(retried) == 2 and len(refused) == 2
    assert refused[0] == refused[1]  # refused before it ran: sent again under the same id
    assert all(refused[0] in record.getMessage() for record in retried)
    assert "rateLimitExceeded" in retried[0].getMessage() and "backendError" in retried[1].getMessage()


@emulator
def test_a_load_that_fails_drops_its_staging_table(proxied, bigquery_fault_proxy) -> None:
    bigquery_fault_proxy.fail("load", "rateLimitExceeded", times=1000)
    with pytest.raises(TransientWarehouseError, match=r"\[job pcf_"):
        proxied.stage(pgs_rows({D1: ["a"]}), TABLES["pgs"], "publish")
    tables = proxied.jobs.request(proxied.client.list_tables, proxied.dataset_id("orchestration"))
    assert [table.table_id for table in tables if table.table_id.startswith("_staging_")] == []


@emulator
def test_a_run_whose_lease_was_taken_over_never_publishes_again(proxied, make_bigquery_warehouse) -> None:
    other = make_bigquery_warehouse(proxied.project)
    proxied.load(pgs_rows({D1: ["a"]}), "pgs")
    with proxied.lease("stalled run", D1, D2):
        proxied.run_atomic(["DELETE FROM {pgs} WHERE game_date = DATE '2023-02-24'"])  # still ours: publishes
        # it stalls; its lease expires and the next run takes it over
        proxied.execute(
            "UPDATE {leases} SET expires_at = TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 SECOND) "
            "WHERE holder = 'stalled run'"
        )
        with other.lease("next run", D1, D2):
            with pytest.raises(LockHeld, match="next run") as raised:
                proxied.run_atomic(["DELETE FROM {pgs} WHERE game_date = DATE '2023-02-23'"])
            assert raised.value.exit_code == 4
            assert pgs_count(proxied) == 1  # the fenced transaction changed nothing
            with pytest.raises(LockHeld):  # and it stops before staging anything more
                proxied.stage(pgs_rows({D1: ["b"]}), TABLES["pgs"], "publish")
            assert other.query("SELECT holder FROM {leases} WHERE holder IS NOT NULL AND holder != 'lease mutex'")[
                "holder"
            ].tolist() == ["next run"]


@emulator
def test_every_job_carries_the_run_id_and_command(proxied, bigquery_statements) -> None:
    proxied.identify("20261207T010203Z-abcdef12", "catch-up")
    before = len(bigquery_statements.statements)
    proxied.load(pgs_rows({D1: ["a"]}), "pgs")
    proxied.query("SELECT COUNT(*) AS n FROM {pgs} WHERE game_date = @day", {"day": D1})
    proxied.run_atomic(["DELETE FROM {pgs} WHERE game_date = DATE '2023-02-23'"])
    jobs = [statement.job for statement in bigquery_statements.statements[before:] if statement.job is not None]
    assert len(jobs) >= 2
    for job in jobs:
        assert job.job_id.startswith("pcf_20261207T010203Z-abcdef12_")
        assert job.labels == {"pcf_run_id": "20261207t010203z-abcdef12", "pcf_command": "catch-up"}


@emulator
def test_maximum_bytes_billed_caps_every_query(make_bigquery_warehouse, bigquery_statements) -> None:
    capped = make_bigquery_warehouse(maximum_bytes_billed=50_000_000)
    capped.create_tables()
    capped.query("SELECT COUNT(*) AS n FROM {pgs} WHERE game_date = @day", {"day": D1})
    capped.run_atomic(["DELETE FROM {pgs} WHERE game_date = DATE '2023-02-23'"])
    jobs = [statement.job for statement in bigquery_statements.statements if statement.job is not None]
    assert jobs and {job.maximum_bytes_billed for job in jobs} == {50_000_000}


@emulator
def test_a_heartbeat_that_finds_its_lease_gone_stops_the_next_publish_before_staging(make_bigquery_warehouse) -> None:
    warehouse = make_bigquery_warehouse(lease_ttl=5)  # a beat every 1.7 s
    warehouse.create_tables()
    with warehouse.lease("stalled run", D1, D2):
        fence = warehouse.fence
        assert fence is not None
        warehouse.release_lease(fence.lease_id)  # as `lock release` or a takeover would
        assert fence.lost.wait(timeout=10)
        with pytest.raises(LockHeld, match="no run holds it now"):
            warehouse.stage(pgs_rows({D1: ["a"]}), TABLES["pgs"], "publish")
    tables = warehouse.jobs.request(warehouse.client.list_tables, warehouse.dataset_id("orchestration"))
    assert [table.table_id for table in tables if table.table_id.startswith("_staging_")] == []


@emulator
def test_a_staging_table_names_the_run_that_made_it(proxied) -> None:
    proxied.identify("20261207T010203Z-abcdef12", "run")
    staged = proxied.stage(pgs_rows({D1: ["a"]}), TABLES["pgs"], "publish")
    table = proxied.jobs.request(proxied.client.get_table, staged.strip("`"))
    assert table.labels == {"pcf_run_id": "20261207t010203z-abcdef12", "pcf_command": "run"}
    proxied.drop_staging(staged)


def staging_tables(warehouse: BigQueryWarehouse) -> list[str]:
    tables = warehouse.jobs.request(warehouse.client.list_tables, warehouse.dataset_id("orchestration"))
    return [table.table_id for table in tables if table.table_id.startswith("_staging_")]


@emulator
def test_a_run_stages_every_chunk_in_one_table_and_drops_it_when_it_lets_go(proxied, bigquery_fault_proxy) -> None:
    bigquery_fault_proxy.fail("load", "lose")  # a lost answer to a replacing load changes nothing either
    with proxied.lease("a run of three chunks", D1, D2):
        for players in (["a"], ["b", "c"], ["d"]):
            staged = proxied.stage(pgs_rows({D1: players}), TABLES["pgs"], "publish")
        assert len(staging_tables(proxied)) == 1  # one create for the run, none per chunk
        assert proxied.query(f"SELECT player_lookup FROM {staged}")["player_lookup"].tolist() == ["d"]
    assert staging_tables(proxied) == []
