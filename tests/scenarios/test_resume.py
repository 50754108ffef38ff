"""A run that fails mid-way resumes where it stopped, and a finished range reruns to the same table (SPEC §6.5):
the failed chunk leaves its dates as they were, the ledger agrees with the table at every step, and the rerun
ends with the table an uninterrupted run publishes."""

from __future__ import annotations

import pandas as pd
import pytest
from consistency import ledger_problems
from support import (
    INCIDENT_WEEK,
    assert_one_clear_line,
    invoke,
    opened,
    published_rows,
    query,
    reading,
    run_document,
)

from warehouse import WarehouseError


def adapter_class(url: str) -> type:
    wh = opened(url)
    wh.close()
    return type(wh)


@pytest.mark.slow
def test_a_failed_publish_mid_run_resumes_to_the_table_of_an_uninterrupted_run(warehouse, monkeypatch):
    reference = warehouse.another()
    assert invoke(reference, "run", *INCIDENT_WEEK).exit_code == 0  # one chunk, never interrupted
    adapter = adapter_class(warehouse.url)
    publishes: list[int] = []
    run_atomic = adapter.run_atomic

    def second_publish_fails(self, statements, then=None):  # type: ignore[no-untyped-def]
        publishes.append(len(statements))
        if len(publishes) == 2:
            raise WarehouseError("injected: the publish transaction was aborted")
        return run_atomic(self, statements, then)

    with monkeypatch.context() as patched:
        patched.setattr(adapter, "run_atomic", second_publish_fails)
        failed = invoke(warehouse.url, "run", *INCIDENT_WEEK, "--chunk-days", "2")

    assert failed.exit_code == 1, failed.output
    assert_one_clear_line(failed, "injected")
    published = query(warehouse.url, "SELECT DISTINCT game_date FROM {pcf} ORDER BY 1")["game_date"]
    assert published.dt.strftime("%Y-%m-%d").tolist() == ["2023-02-23", "2023-02-24"]  # the first chunk only
    assert ledger_problems(warehouse.url) == []
    assert query(warehouse.url, "SELECT exit_code FROM {runs}")["exit_code"].tolist() == [1]
    with reading(warehouse.url) as wh:
        assert wh.leases().empty and wh.sweep_leftovers() == []  # no lease held, no staging table left

    resumed, document = run_document(warehouse.url, *INCIDENT_WEEK, "--chunk-days", "2")

    assert resumed.exit_code == 0, resumed.output
    assert sorted(entry["game_date"] for entry in document["dates"]) == ["2023-02-25", "2023-02-26"]
    assert document["counts"]["already_done"] == 2
    assert ledger_problems(warehouse.url) == []
    pd.testing.assert_frame_equal(published_rows(warehouse.url), published_rows(reference))


def test_a_rerun_resumes_only_missing_dates_and_changes_no_hash(warehouse):
    first, _ = run_document(warehouse.url, *INCIDENT_WEEK)
    assert first.exit_code == 0
    hashes = "SELECT game_date, player_lookup, data_hash FROM {pcf} ORDER BY 1, 2"
    before = query(warehouse.url, hashes)

    again, document = run_document(warehouse.url, *INCIDENT_WEEK)

    assert again.exit_code == 0 and document["dates"] == []
    assert document["counts"]["already_done"] == 4  # 2023-02-20..22 is the All-Star break
    assert invoke(warehouse.url, "run", *INCIDENT_WEEK, "--rerun", "all").exit_code == 0
    pd.testing.assert_frame_equal(query(warehouse.url, hashes), before)
    assert ledger_problems(warehouse.url) == []
