"""The Python API (SPEC §12), called as an orchestrator calls it: from a worker thread, with plain values."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from support import lose_zone_split, published_rows

import backfill
from backfill import DatesBlocked, Interrupted, InvalidSetting, RunSettings
from backfill.cli.report import write_report

TODAY = date(2026, 11, 26)
WEEK = (date(2023, 2, 20), date(2023, 2, 26))  # the incident week
INCIDENT = (date(2023, 2, 23), date(2023, 2, 24))


def in_worker_thread(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """How Airflow and Dagster executors run a task: not in the main thread, so no signal handlers there."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args, **kwargs).result()


def url(path: Path) -> str:
    return f"duckdb:///{path}"


def assert_same_rows(found: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert len(expected)
    pd.testing.assert_frame_equal(found, expected)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_incident_week_from_a_worker_thread_publishes_both_dates_from_box_scores(demo_db):
    result = in_worker_thread(backfill.run, url(demo_db), *WEEK, today=TODAY)

    verdicts = {verdict.game_date: verdict for verdict in result.verdicts}
    for day in INCIDENT:
        assert verdicts[day].status == "published"
        assert verdicts[day].context_source == "pgs_synthetic"
        assert verdicts[day].published_players == verdicts[day].expected_players > 100
        assert verdicts[day].upcg_state == "upcg_partial"
    assert result.exit_code == 0
    assert result.raise_for_status() is result
    assert result.counts["published"] == len(result.verdicts)
    frame = result.frame.set_index("game_date")
    assert frame.loc[INCIDENT[0], "context_source"] == "pgs_synthetic"
    assert list(frame.index) == sorted(verdicts)


def test_upcg_only_blocks_both_incident_dates_and_raise_for_status_names_them(demo_db):
    result = in_worker_thread(backfill.run, url(demo_db), *WEEK, source="upcg", today=TODAY)

    assert result.exit_code == 3
    with pytest.raises(DatesBlocked) as raised:
        result.raise_for_status()
    blocked = raised.value
    assert set(INCIDENT) <= set(blocked.dates)
    assert all(str(day) in str(blocked) for day in INCIDENT)
    assert blocked.exit_code == 3 and isinstance(blocked, backfill.BackfillError)
    assert blocked.resume_command == result.resume_command
    assert "--source upcg" in blocked.resume_command and "--start-date 2023-02-20" in blocked.resume_command


def test_cancel_between_chunks_leaves_every_date_old_or_new_and_a_rerun_finishes_the_job(demo_db, demo_file, tmp_path):
    straight = tmp_path / "straight.duckdb"
    shutil.copy(demo_file, straight)
    expected = in_worker_thread(backfill.run, url(straight), *WEEK, chunk_days=1, today=TODAY)
    stop = threading.Event()

    with pytest.raises(Interrupted) as cancelled:
        in_worker_thread(
            backfill.run,
            url(demo_db),
            *WEEK,
            chunk_days=1,
            cancel=stop,
            on_date=lambda _day, _verdict: stop.set(),
            today=TODAY,
        )

    assert cancelled.value.exit_code == 130 and cancelled.value.signal_name == "cancel"
    assert cancelled.value.resume_command.startswith(f"pcf-backfill --warehouse {url(demo_db)} run ")
    first_chunk = [expected.verdicts[0].game_date]
    new = published_rows(straight)
    first_chunk_rows = new[new["game_date"].isin(pd.to_datetime(first_chunk))].reset_index(drop=True)
    assert_same_rows(published_rows(demo_db), first_chunk_rows)  # the first chunk new, the rest old (nothing)
    states = backfill.status(url(demo_db), *WEEK)
    assert all((state.status == "published") == (state.published_players > 0) for state in states.dates)
    assert {state.game_date for state in states.dates if state.status == "published"} == set(first_chunk)

    rerun = in_worker_thread(backfill.run, url(demo_db), *WEEK, chunk_days=1, today=TODAY)

    assert rerun.exit_code == 0
    assert {v.game_date for v in rerun.verdicts} == {v.game_date for v in expected.verdicts} - set(first_chunk)
    assert_same_rows(published_rows(demo_db), new)


def test_a_cancelled_run_closes_its_run_record(demo_db, open_db):
    with pytest.raises(Interrupted) as cancelled:
        in_worker_thread(backfill.run, url(demo_db), *WEEK, chunk_days=1, cancel=lambda: True, today=TODAY)

    runs = open_db(demo_db).query("SELECT run_id, finished_at, exit_code FROM {runs}")
    assert runs.to_dict("records")[0]["run_id"] == cancelled.value.run_id
    assert runs.to_dict("records")[0]["exit_code"] == 130
    assert runs["finished_at"].notna().all()


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"source": "Auto"}, "source"),
        ({"dates": [INCIDENT[0], date(2023, 3, 1)]}, "dates"),
        ({"min_coverage": 0.97, "warn_coverage": 0.95}, "warn_coverage"),
        ({"chunk_days": 0}, "chunk_days"),
        ({"force": True}, "force"),
        ({"dates": "2023-02-23"}, "dates"),
        ({"min_coverage": "0.9"}, "min_coverage"),
    ],
    ids=[
        "source Auto",
        "dates outside the range",
        "min above warn",
        "chunk_days 0",
        "force without reason",
        "dates as one string",
        "min_coverage as text",
    ],
)
def test_a_bad_setting_is_a_value_error_naming_the_field_and_nothing_is_written(demo_db, settings, field):
    before = file_digest(demo_db)

    with pytest.raises(ValueError, match=f"^{field}") as raised:
        in_worker_thread(backfill.run, url(demo_db), *WEEK, today=TODAY, **settings)

    assert isinstance(raised.value, InvalidSetting) and raised.value.field == field
    assert "--" not in str(raised.value)  # the core names fields, the CLI names its flags
    assert file_digest(demo_db) == before


def test_a_refused_value_shows_what_was_given_not_a_character_of_it():
    with pytest.raises(InvalidSetting, match="^dates: expected a list of dates, got the string '2023-02-23'"):
        backfill.run("duckdb:///unused.duckdb", dates="2023-02-23")  # type: ignore[arg-type]
    with pytest.raises(InvalidSetting, match="^min_coverage: '0.9' is out of range"):
        backfill.GateRules(min_coverage="0.9")  # type: ignore[arg-type]


def test_min_above_warn_names_both_thresholds():
    with pytest.raises(InvalidSetting, match="warn_coverage: 0.95 is below min_coverage 0.97"):
        backfill.GateRules(min_coverage=0.97, warn_coverage=0.95)


def test_run_settings_check_themselves():
    with pytest.raises(InvalidSetting, match="^source: 'Auto'; expected one of auto, fill, upcg, pgs"):
        RunSettings(*WEEK, source="Auto")  # type: ignore[arg-type]
    with pytest.raises(InvalidSetting, match="^dates: 2023-03-01 outside"):
        RunSettings(*WEEK, dates=(INCIDENT[0], date(2023, 3, 1)))


def test_a_range_after_today_is_refused_naming_the_field():
    with pytest.raises(InvalidSetting, match="^end: 2023-02-26 is after today"):
        backfill.api.run_settings(*WEEK, today=date(2023, 2, 25))


def test_catch_up_covers_its_season_so_far_and_ends_the_day_before_as_of():
    settings = backfill.api.catch_up_settings(as_of="2023-02-27", lookback_days=7, today=TODAY)
    assert (settings.start, settings.end, settings.command) == (date(2023, 2, 20), date(2023, 2, 26), "catch-up")
    # the run reaches back to the first game of the season (read from the schedule when it plans), taking besides
    # what is not published what changed since it was
    assert settings.season_so_far and settings.rerun == "stale"
    with pytest.raises(InvalidSetting, match="^as_of: "):
        backfill.api.catch_up_settings(as_of=date(2027, 1, 1), today=TODAY)


def test_inspection_on_an_open_warehouse_leaves_it_open(demo_db, open_db):
    wh = open_db(demo_db)
    backfill.run(wh, *WEEK, today=TODAY)

    states = in_worker_thread(backfill.status, wh, *WEEK)
    checked = in_worker_thread(backfill.validate, wh, *WEEK)

    assert {state.status for state in states.dates} <= {"published"}
    assert states.counts == {"published": len(states.dates)}
    assert checked.exit_code == 0 and checked.problems == {} and checked.raise_for_status() is checked
    assert len(wh.query("SELECT 1 AS one")) == 1  # still open


def test_validate_lists_unpublished_dates_with_repairs(demo_db):
    checked = in_worker_thread(backfill.validate, url(demo_db), *WEEK)

    assert checked.exit_code == 3 and set(INCIDENT) <= set(checked.problems)
    assert any("run --dates" in command for command in checked.repairs)
    with pytest.raises(DatesBlocked):
        checked.raise_for_status()


def test_init_creates_every_table_once_and_the_report_of_a_status_is_html(tmp_path, demo_db):
    fresh = tmp_path / "fresh.duckdb"

    first = in_worker_thread(backfill.api.init, url(fresh))
    again = backfill.api.init(url(fresh))

    assert first.created and first.warehouse.endswith("fresh.duckdb")
    assert again.created == [] and again.added == []
    page = write_report(in_worker_thread(backfill.api.status, url(demo_db), *WEEK), tmp_path / "week.html")
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_run_and_catch_up_take_the_audit_options_the_command_line_has(demo_db, open_db):
    backfill.run(url(demo_db), "2022-11-01", "2022-11-21", today=TODAY).raise_for_status()
    lose_zone_split(demo_db, "2022-11-22")
    strict = backfill.run(url(demo_db), dates=["2022-11-22"], dry_run=True, today=TODAY)
    assert strict.dates("blocked") == [date(2022, 11, 22)]
    lenient = {"audit_thresholds": {"shot_zone_zero_share": 1.0}, "baseline_dates": 7}
    ran = backfill.run(url(demo_db), dates=["2022-11-22"], dry_run=True, today=TODAY, **lenient)
    assert ran.dates("published") == [date(2022, 11, 22)]
    assert "--audit-threshold shot_zone_zero_share=1.0 --baseline-dates 7" in ran.resume_command
    caught_up = backfill.catch_up(
        url(demo_db), as_of="2022-11-23", lookback_days=1, dry_run=True, today=TODAY, **lenient
    )
    # the team lines changed on every earlier date: those dates are stale and the catch-up takes them again
    assert caught_up.dates("blocked") == [] and date(2022, 11, 22) in caught_up.dates("published")
    assert date(2022, 11, 1) in caught_up.dates("published")
    with pytest.raises(InvalidSetting, match="^audit_thresholds: unknown audit nope"):
        backfill.run(url(demo_db), dates=["2022-11-22"], today=TODAY, audit_thresholds={"nope": 1.0})
    with pytest.raises(InvalidSetting, match="^audit_thresholds: expected a mapping"):
        backfill.catch_up(url(demo_db), today=TODAY, audit_thresholds=[("shot_zone_zero_share", 1.0)])  # type: ignore[arg-type]


def test_an_unusable_warehouse_is_named_as_the_argument_the_caller_passed(tmp_path):
    with pytest.raises(InvalidSetting, match=r"^warehouse: 'bigquery://' names no project"):
        backfill.status("bigquery://", *WEEK)
    with pytest.raises(InvalidSetting, match="^warehouse: no DuckDB file at"):
        backfill.validate(url(tmp_path / "missing.duckdb"), *WEEK)


def test_a_cleanup_result_is_json_data_like_every_result(demo_db):
    planned = in_worker_thread(backfill.cleanup, url(demo_db), mode="partial", today=TODAY)

    document = json.loads(json.dumps(planned.to_dict()))
    doomed = [row for row in document["dates"] if row["action"] == "delete"]
    assert document["dry_run"] is True and document["rows_deleted"] == 0 and document["backup_table"] is None
    assert [row["game_date"] for row in doomed] == [day.isoformat() for day in INCIDENT]
    assert document["rows_matched"] == sum(row["upcg_rows"] for row in doomed)


def test_init_and_lease_results_are_json_data_like_every_result(tmp_path, demo_db):
    created = backfill.api.init(url(tmp_path / "fresh.duckdb")).to_dict()
    held = backfill.api.leases(url(demo_db)).to_dict()

    assert json.loads(json.dumps(created))["created"] == created["created"] and created["created"]
    assert json.loads(json.dumps(held)) == {"leases": []}


def test_a_dry_run_would_publish_dates_but_publishes_no_rows(demo_db):
    planned = backfill.run(url(demo_db), *INCIDENT, dry_run=True, today=TODAY)

    assert planned.dates("published") == list(INCIDENT)  # the verdicts a real run would reach
    assert planned.rows_published == planned.to_dict()["rows_published"] == 0
