"""What an orchestrator acts on: exceptions it can import and ask whether a retry helps, results it can store as
JSON, per-date truth (blocked_by, the published run beside the last attempt), labels and waiting for a lock."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from support import invoke

import backfill
import warehouse
from backfill import DatesBlocked, DateVerdict, LockHeld, TableNotFound, TransientWarehouseError, WarehouseError
from warehouse import Datasets, connect

TODAY = date(2026, 11, 26)
WEEK = (date(2023, 2, 20), date(2023, 2, 26))
INCIDENT = (date(2023, 2, 23), date(2023, 2, 24))


def url(path: Path) -> str:
    return f"duckdb:///{path}"


def as_json(value: dict) -> dict:
    return json.loads(json.dumps(value, allow_nan=False))  # refuses NaN, dates, numpy scalars


def test_every_exception_a_call_raises_is_importable_from_backfill_and_says_whether_to_retry():
    for name in (
        "LockHeld",
        "WarehouseError",
        "TransientWarehouseError",
        "TableNotFound",
        "InvalidSetting",
        "Interrupted",
        "PcfError",
        "BadInput",
    ):
        assert getattr(backfill, name) is getattr(warehouse, name)
    assert issubclass(TransientWarehouseError, WarehouseError) and TransientWarehouseError("busy").retryable
    assert not TableNotFound("no table").retryable and not WarehouseError("denied").retryable
    assert LockHeld("held").retryable and not backfill.InvalidSetting("x", "{field}").retryable


def test_the_run_result_and_its_verdicts_are_json_ready_and_carry_what_blocked_each_date(demo_db):
    heard: list[tuple[date, DateVerdict]] = []

    result = backfill.run(
        url(demo_db), *WEEK, source="upcg", today=TODAY, on_date=lambda day, verdict: heard.append((day, verdict))
    )

    document = as_json(result.to_dict())
    blocked = [v for v in document["dates"] if v["status"] == "blocked"]
    assert [v["game_date"] for v in blocked] == [str(day) for day in INCIDENT]
    assert {v["blocked_by"] for v in blocked} == {"coverage"} and {v["upcg_state"] for v in blocked} == {"upcg_partial"}
    assert document["counts"]["blocked"] == 2 and document["exit_code"] == 3
    assert [verdict for _day, verdict in heard] == result.verdicts
    assert all(isinstance(verdict, DateVerdict) and day == verdict.game_date for day, verdict in heard)
    assert as_json(result.verdicts[0].to_dict())["game_date"] == "2023-02-23"
    assert document["output"] == "nba_precompute.player_composite_factors"
    assert "nba_analytics.upcoming_player_game_context" in document["inputs"] and len(document["inputs"]) == 7
    assert (
        document["rows_published"]
        == result.rows_published
        == sum(v["published_players"] for v in document["dates"] if v["status"] == "published")
        > 0
    )


def test_what_the_cli_prints_with_output_json_is_the_api_result_serialised(demo_db):
    span = ("--start-date", str(WEEK[0]), "--end-date", str(WEEK[1]))
    printed = invoke(demo_db, "run", *span, "--source", "upcg", "--output", "json")
    assert printed.exit_code == 3, printed.output
    run = json.loads(printed.stdout)
    again = backfill.run(url(demo_db), *WEEK, source="upcg", rerun="blocked", dry_run=True, today=TODAY).to_dict()
    assert set(run) == set(again)  # one shape: the CLI's JSON is what `to_dict()` gives a Python caller
    assert [entry["blocked_by"] for entry in run["dates"] if entry["status"] == "blocked"] == ["coverage", "coverage"]
    assert {entry["upcg_state"] for entry in run["dates"] if entry["status"] == "blocked"} == {"upcg_partial"}

    for command, call in (("status", backfill.status), ("validate", backfill.validate)):
        printed = invoke(demo_db, command, *span, "--output", "json")
        assert json.loads(printed.stdout) == as_json(call(url(demo_db), *WEEK).to_dict()), command
    printed = invoke(demo_db, "freshness", "--output", "json")  # `invoke` pins today: now is its first moment
    fresh = backfill.freshness(url(demo_db), now=backfill.api.league_now(TODAY))
    assert json.loads(printed.stdout) == as_json(fresh.to_dict())
    status = backfill.status(url(demo_db), *WEEK)
    assert status.newest_published == date(2023, 2, 26) and status.to_dict()["newest_published"] == "2023-02-26"
    checked = backfill.validate(url(demo_db), *WEEK)
    assert checked.problems == {day: ["not_published"] for day in INCIDENT}  # a list of the checks each failed


def test_a_rerun_lists_the_dates_it_found_done_and_status_tells_the_published_run_from_the_last_attempt(demo_db):
    first = backfill.run(url(demo_db), *WEEK, today=TODAY)
    again = backfill.run(url(demo_db), *WEEK, today=TODAY)
    strict = backfill.run(url(demo_db), *INCIDENT, source="upcg", rerun="all", today=TODAY)

    assert again.verdicts == [] and again.already_done_dates == [v.game_date for v in first.verdicts]
    assert again.to_dict()["already_done_dates"][0] == "2023-02-23"  # the All-Star break ends on the 22nd
    states = {state.game_date: state for state in backfill.status(url(demo_db), *WEEK).dates}
    incident = states[INCIDENT[0]]
    assert incident.status == "blocked" and incident.run_id == strict.run_id
    assert incident.published_run_id == first.run_id and incident.published_players > 0
    assert incident.blocked_by == "coverage"
    assert states[date(2023, 2, 25)].run_id == states[date(2023, 2, 25)].published_run_id == first.run_id
    assert as_json(backfill.status(url(demo_db), *WEEK).to_dict())["summary"] == {"blocked": 2, "published": 2}


def test_every_dates_blocked_carries_its_dates_and_the_command_that_resumes(demo_db):
    gap = backfill.run(url(demo_db), "2024-11-01", "2024-11-03", today=TODAY)
    with pytest.raises(DatesBlocked) as schedule:
        gap.raise_for_status()
    assert schedule.value.dates == [date(2024, 11, 1), date(2024, 11, 2), date(2024, 11, 3)]
    assert "run --start-date 2024-11-01 --end-date 2024-11-03" in schedule.value.resume_command

    checked = backfill.validate(url(demo_db), *WEEK)
    with pytest.raises(DatesBlocked) as unpublished:
        checked.raise_for_status()
    assert unpublished.value.dates == sorted(checked.problems) and len(unpublished.value.dates) == 4
    assert unpublished.value.resume_command == checked.resume_command
    assert unpublished.value.resume_command.startswith("pcf-backfill ") and " run " in checked.resume_command
    assert as_json(checked.to_dict())["exit_code"] == 3
    fresh = as_json(backfill.freshness(url(demo_db)).to_dict())
    assert fresh["fresh"] is False and fresh["oldest_missing"].startswith("2022-") and fresh["exit_code"] == 3


def test_a_label_is_kept_in_the_runs_ledger_row(demo_db):
    result = backfill.run(url(demo_db), *INCIDENT, label="dagster 2023-02-23…2023-02-24", today=TODAY)

    wh = connect(url(demo_db), Datasets(), read_only=True)
    try:
        rows = wh.query("SELECT run_id, label FROM {runs}").to_dict("records")
    finally:
        wh.close()
    assert rows == [{"run_id": result.run_id, "label": "dagster 2023-02-23…2023-02-24"}]
    assert result.label == result.to_dict()["label"] == "dagster 2023-02-23…2023-02-24"
    with pytest.raises(backfill.InvalidSetting) as refused:
        backfill.run(url(demo_db), *INCIDENT, label="two\nlines", today=TODAY)
    assert refused.value.field == "label"


def test_wait_for_lock_waits_out_another_writer_and_without_it_lock_held_is_raised(demo_db):
    holder = connect(url(demo_db), Datasets(), writer="another run")
    try:
        with pytest.raises(LockHeld):
            backfill.run(url(demo_db), *INCIDENT, today=TODAY)
        threading.Timer(1.0, holder.close).start()
        clock = time.monotonic()
        result = backfill.run(url(demo_db), *INCIDENT, wait_for_lock=30, today=TODAY)
    finally:
        holder.close()
    assert result.exit_code == 0 and 1.0 <= time.monotonic() - clock < 30


@pytest.mark.bigquery_emulator
def test_on_bigquery_the_label_is_also_every_jobs_label(make_bigquery_warehouse, bigquery_statements):
    wh = make_bigquery_warehouse()
    wh.create_tables()
    before = len(bigquery_statements.statements)

    result = backfill.run(wh, "2023-03-01", "2023-03-02", label="Dagster:run 7", today=TODAY)

    jobs = [statement.job for statement in bigquery_statements.statements[before:] if statement.job is not None]
    assert jobs and all(job.labels.get("pcf_run_id") == result.run_id.lower() for job in jobs)
    assert {job.labels.get("pcf_label") for job in jobs} == {"dagster_run_7"}  # a label value: [a-z0-9_-]
