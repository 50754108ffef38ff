"""The BigQuery adapter: unit checks without a server, then behaviour on the local emulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from google.api_core import exceptions as api_exceptions
from google.auth.exceptions import DefaultCredentialsError
from google.cloud import bigquery
from support import pgs_rows

from warehouse import connect
from warehouse.bigquery import BigQueryWarehouse
from warehouse.bigquery.errors import translate
from warehouse.bigquery.values import query_parameter, string_literal
from warehouse.errors import BadInput, TableNotFound, TransientWarehouseError, WarehouseError
from warehouse.schemas import INPUT_TABLES, TABLES

emulator = pytest.mark.bigquery_emulator
D1, D2, D3 = date(2023, 2, 23), date(2023, 2, 24), date(2023, 2, 25)


# --- without a server ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D1, "DATE"),
        (datetime(2024, 1, 1, tzinfo=UTC), "TIMESTAMP"),
        ("x", "STRING"),
        (3, "INT64"),
        (2.5, "FLOAT64"),
        (True, "BOOL"),
    ],
)
def test_python_values_map_to_typed_parameters(value: object, expected: str) -> None:
    assert query_parameter("p", value).to_api_repr()["parameterType"] == {"type": expected}
    array = query_parameter("p", [value, value]).to_api_repr()["parameterType"]
    assert array == {"type": "ARRAY", "arrayType": {"type": expected}}


def test_an_empty_list_parameter_is_refused_with_its_name() -> None:
    with pytest.raises(TypeError, match="@dates"):
        query_parameter("dates", [])


@pytest.mark.parametrize(
    "error",
    [
        api_exceptions.TooManyRequests("slow down"),
        api_exceptions.ServiceUnavailable("try later"),
        api_exceptions.Forbidden("quota", errors=[{"reason": "rateLimitExceeded"}]),
        api_exceptions.BadRequest("Transaction is aborted due to concurrent update against table x"),
        api_exceptions.BadRequest("Could not serialize access to table x due to concurrent update"),
    ],
)
def test_rate_limits_backend_errors_and_conflicts_are_transient(error: Exception) -> None:
    assert isinstance(translate(error), TransientWarehouseError)


def test_not_found_terminal_and_credential_errors_are_told_apart() -> None:
    missing = translate(api_exceptions.NotFound("Not found: Dataset p:nba_analytics"))
    assert isinstance(missing, TableNotFound) and "pcf-backfill init" in str(missing)
    terminal = translate(api_exceptions.BadRequest("Syntax error: Unexpected identifier"))
    assert type(terminal) is WarehouseError
    missing_credentials = translate(DefaultCredentialsError("Your default credentials were not found. To set up…"))
    assert type(missing_credentials) is WarehouseError
    assert "gcloud auth application-default login" in str(missing_credentials)
    unusable = translate(DefaultCredentialsError("File /keys/pcf.json is not a valid json file."))
    assert isinstance(unusable, BadInput) and "malformed" in str(unusable) and "/keys/pcf.json" in str(unusable)


def test_a_failed_job_s_not_found_is_said_once() -> None:
    text = "Not found: Table p:d.t was not found in location US"
    missing = translate(api_exceptions.NotFound(f"{text}; reason: notFound, message: {text}"))
    assert str(missing).count("was not found") == 1 and str(missing).startswith(text)
    assert "?location=" in str(missing)  # the dataset may well live in another location
    elsewhere = translate(api_exceptions.NotFound("Not found: Job p:pcf_1"))
    assert "?location=" not in str(elsewhere) and "pcf-backfill init" in str(elsewhere)


def test_string_literals_keep_quotes_and_backslashes_inert() -> None:
    assert string_literal("o'neil \\ run\n1") == "'o\\'neil \\\\ run\\n1'"


# --- on the emulator ----------------------------------------------------------------------
@emulator
def test_create_tables_creates_everything_once_partitioned_and_clustered(make_bigquery_warehouse) -> None:
    warehouse = make_bigquery_warehouse()
    own = warehouse.create_tables(with_inputs=False)
    assert sorted(own) == sorted(
        f"{warehouse.dataset_name(spec.dataset)}.{spec.name}" for key, spec in TABLES.items() if key not in INPUT_TABLES
    )
    assert len(warehouse.create_tables()) == len(INPUT_TABLES)  # asked for: the upstream tables too
    assert warehouse.create_tables() == [] and warehouse.create_datasets() == []
    pcf = warehouse.client.get_table(warehouse.qualified("precompute", "player_composite_factors").strip("`"))
    assert (pcf.time_partitioning.field, pcf.time_partitioning.type_) == ("game_date", "DAY")
    assert pcf.clustering_fields == ["player_lookup"]
    assert warehouse.missing_tables(list(TABLES)) == []


@emulator
def test_in_unnest_of_a_date_array_also_works_on_bigquery(bigquery_warehouse: BigQueryWarehouse) -> None:
    bigquery_warehouse.load(pgs_rows({D1: ["a"], D2: ["b"]}), "pgs")
    frame = bigquery_warehouse.query(
        "SELECT player_lookup FROM {pgs} WHERE game_date IN UNNEST(@dates)", {"dates": [D2]}
    )
    assert frame["player_lookup"].tolist() == ["b"]


@emulator
def test_jobs_are_counted_and_metadata_calls_are_not(bigquery_warehouse: BigQueryWarehouse) -> None:
    before = bigquery_warehouse.stats.jobs
    bigquery_warehouse.table_exists("analytics", "player_game_summary")
    bigquery_warehouse.load(pgs_rows({D1: ["a"]}), "pgs")
    bigquery_warehouse.query("SELECT count(*) AS n FROM {pgs}")
    bigquery_warehouse.run_atomic(["DELETE FROM {pgs} WHERE game_date = DATE '2023-02-23'"])
    assert bigquery_warehouse.stats.jobs - before == 3


@emulator
def test_transient_failures_are_resubmitted_and_terminal_ones_are_not(make_bigquery_warehouse) -> None:
    warehouse = make_bigquery_warehouse(retry_deadline=0.5)
    attempts: list[str] = []

    def flaky(error: Exception, failures: int) -> Callable[[str], bigquery.QueryJob]:
        def submit(job_id: str) -> bigquery.QueryJob:
            attempts.append(job_id)
            if len(attempts) <= failures:
                raise error
            return warehouse.client.query("SELECT 1", job_id=job_id, job_retry=None)

        return submit

    warehouse.jobs.run(flaky(api_exceptions.TooManyRequests("slow down"), 2), kind="dml", resubmit_safe=False)
    assert len(attempts) == 3
    assert len(set(attempts)) == 1  # an insert that may have arrived goes again under its id: never run twice
    assert attempts[0].startswith(f"pcf_{warehouse.jobs.run_id}_dml_")
    attempts.clear()
    with pytest.raises(WarehouseError, match="Syntax error"):
        warehouse.jobs.run(flaky(api_exceptions.BadRequest("Syntax error: x"), 5), kind="read", resubmit_safe=True)
    assert len(attempts) == 1
    attempts.clear()
    with pytest.raises(TransientWarehouseError):
        warehouse.jobs.run(flaky(api_exceptions.ServiceUnavailable("down"), 1000), kind="read", resubmit_safe=True)


@emulator
def test_a_missing_dataset_is_table_not_found(make_bigquery_warehouse) -> None:
    warehouse = make_bigquery_warehouse()
    assert not warehouse.table_exists("analytics", "player_game_summary")
    with pytest.raises(TableNotFound, match="pcf-backfill init") as raised:
        warehouse.query("SELECT count(*) FROM {pgs}")
    assert "\n" not in str(raised.value)


@emulator
def test_connect_reaches_the_emulator_it_is_given(bigquery_url: str, bigquery_emulator: str) -> None:
    warehouse = connect(bigquery_url + "?location=US", emulator_host=bigquery_emulator)
    try:
        assert isinstance(warehouse, BigQueryWarehouse) and "emulator" in warehouse.describe()
        assert len(warehouse.create_tables()) == len(TABLES)
    finally:
        warehouse.close()
