"""backfill.dagster in process (`dagster.materialize`): a partition range is one run whose partitions each tell
their own truth, a blocked date fails alone and publishes on the retry after its repair."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from support import put_back, set_aside

from backfill.dagster import ASSET, FRESH, RANGE_END, RANGE_START, RECONCILES, PcfResource, pcf_asset, pcf_definitions
from backfill.dates import LEAGUE_TZ
from warehouse import Datasets, connect

RANGE = ("2023-03-01", "2023-03-04")  # four game days; 2023-03-02 loses half its UPCG rows
BLOCKED = "2023-03-02"


@pytest.fixture(scope="module")
def instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.ephemeral()


def materialized(instance: dg.DagsterInstance) -> set[str]:
    return set(instance.get_materialized_partitions(ASSET))


def partition_events(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        event.partition: dict(event.metadata)
        for event in (e.event_specific_data.materialization for e in result.get_asset_materialization_events())
    }  # type: ignore[union-attr]


@pytest.mark.slow
def test_a_range_materializes_each_published_partition_and_fails_only_the_blocked_one(demo_db, instance):
    asset = pcf_asset(start_date="2022-10-18")
    pcf = PcfResource(warehouse=f"duckdb:///{demo_db}", source="upcg", wait_for_lock=0)
    kept = set_aside(demo_db, "upcg", "game_date = @d AND player_lookup > 'm'", d=date.fromisoformat(BLOCKED))

    ranged = dg.materialize(
        [asset],
        instance=instance,
        resources={"pcf": pcf},
        raise_on_error=False,
        tags={RANGE_START: RANGE[0], RANGE_END: RANGE[1]},
    )

    assert not ranged.success
    events = partition_events(ranged)
    assert set(events) == {"2023-03-01", "2023-03-03", "2023-03-04"} == materialized(instance)
    assert all(meta["rows"].value > 100 and meta["status"].value == "published" for meta in events.values())
    assert len({meta["pcf_run_id"].value for meta in events.values()}) == 1  # one API call for the range
    [failure] = [e for e in ranged.all_events if e.is_step_failure]
    assert BLOCKED in failure.step_failure_data.error.message  # type: ignore[union-attr]
    checks = {(e.check_name, e.partition): e.passed for e in ranged.get_asset_check_evaluations()}
    assert checks[(RECONCILES, BLOCKED)] is False and checks[(RECONCILES, "2023-03-01")] is True
    assert checks[(FRESH, BLOCKED)] is False and checks[(FRESH, "2023-03-03")] is True

    put_back(demo_db, "upcg", kept)  # the repair: upstream loads the rest of the date's rows
    retried = dg.materialize([asset], instance=instance, resources={"pcf": pcf}, partition_key=BLOCKED)

    assert retried.success and materialized(instance) == {"2023-03-01", BLOCKED, "2023-03-03", "2023-03-04"}
    assert partition_events(retried)[BLOCKED]["rows"].value > 100
    assert {(e.check_name, e.passed) for e in retried.get_asset_check_evaluations()} == {
        (RECONCILES, True),
        (FRESH, True),
    }


def test_an_error_a_retry_cannot_mend_fails_without_retrying(tmp_path, instance):
    """A warehouse with no tables: TableNotFound is not retryable, so the retry policy is not used."""
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    asset = pcf_asset(start_date="2022-10-18")
    pcf = PcfResource(warehouse=f"duckdb:///{empty}", wait_for_lock=0)
    result = dg.materialize(
        [asset], instance=instance, partition_key="2023-03-01", raise_on_error=False, resources={"pcf": pcf}
    )

    assert not result.success
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "TableNotFound" in failure.step_failure_data.error.message  # type: ignore[union-attr]


def test_another_runs_lock_is_retried(demo_db, instance):
    asset = pcf_asset(start_date="2022-10-18", retry_policy=dg.RetryPolicy(max_retries=1))
    holder = connect(f"duckdb:///{demo_db}", Datasets(), writer="another run")
    try:
        result = dg.materialize(
            [asset],
            instance=instance,
            partition_key="2023-03-01",
            raise_on_error=False,
            resources={"pcf": PcfResource(warehouse=f"duckdb:///{demo_db}", wait_for_lock=0)},
        )
    finally:
        holder.close()

    assert not result.success
    assert len([e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]) == 1
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_failure_data.error.cause.cls_name == "LockHeld"  # type: ignore[union-attr]


def test_the_definitions_load_and_the_schedule_asks_for_the_last_two_weeks_as_one_range(demo_db):
    defs = pcf_definitions(PcfResource(warehouse=f"duckdb:///{demo_db}"))
    schedule = defs.resolve_schedule_def("pcf_catch_up")

    tick = dg.build_schedule_context(scheduled_execution_time=datetime(2023, 3, 15, 5, tzinfo=LEAGUE_TZ))
    [request] = schedule.evaluate_tick(tick).run_requests

    assert request.tags[RANGE_START] == "2023-03-01" and request.tags[RANGE_END] == "2023-03-14"
    assert defs.resolve_assets_def(ASSET).partitions_def.timezone == "America/New_York"


def test_the_core_never_imports_dagster():
    code = (
        "import backfill, backfill.api, backfill.cli, backfill.pipeline.runner, sys; "
        "assert 'dagster' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2]).returncode == 0
