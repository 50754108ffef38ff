"""The incident week (SPEC §4, §6.4, §10): UPCG holds 1 of 177 players on 2023-02-23 and part of the 24th. `auto`
falls back to box scores and publishes everyone; `--source upcg` blocks both dates until `--force --reason`; force
never lowers what is published, and validate finds every gap."""

from __future__ import annotations

import json

import pytest
from support import (
    INCIDENT_DATES,
    INCIDENT_WEEK,
    invoke,
    ledger_state,
    pcf_rows,
    query,
    run_document,
    run_json,
    who_played,
)


def test_incident_week_falls_back_to_box_scores_and_publishes_everyone(warehouse):
    result, document = run_document(warehouse.url, *INCIDENT_WEEK)

    assert result.exit_code == 0, result.output
    dates = {entry["game_date"]: entry for entry in document["dates"]}
    for day in INCIDENT_DATES:
        assert dates[day]["status"] == "published" and dates[day]["context_source"] == "pgs_synthetic"
        assert pcf_rows(warehouse.url, day) == who_played(warehouse.url, day) == dates[day]["published_players"]
        state = ledger_state(warehouse.url, day)
        assert (state["status"], state["upcg_state"]) == ("published", "upcg_partial")
    assert dates["2023-02-23"]["upcg_players"] == 1
    assert dates["2023-02-25"]["context_source"] == "upcg"
    assert set(dates) == {"2023-02-23", "2023-02-24", "2023-02-25", "2023-02-26"}  # 20–22: All-Star break
    assert document["counts"]["off_days"] >= 1
    runs = query(warehouse.url, "SELECT exit_code, dates_published FROM {runs}")
    assert runs.astype(int).to_dict("records") == [{"exit_code": 0, "dates_published": 4}]


def test_upcg_only_blocks_incident_dates_then_force_publishes_them(warehouse):
    result, dates = run_json(warehouse.url, *INCIDENT_WEEK, "--source", "upcg")

    assert result.exit_code == 3, result.output
    for day in INCIDENT_DATES:
        assert (dates[day]["status"], dates[day]["blocked_by"]) == ("blocked", "coverage")
        assert pcf_rows(warehouse.url, day) == 0
    assert all(entry["status"] == "published" for day, entry in dates.items() if day not in INCIDENT_DATES)
    assert dates["2023-02-23"]["coverage"] == pytest.approx(1 / who_played(warehouse.url, "2023-02-23"))

    forced, dates = run_json(warehouse.url, *INCIDENT_WEEK, "--source", "upcg", "--force", "--reason", "UPCG is stale")

    assert forced.exit_code == 0, forced.output
    assert {day: entry["status"] for day, entry in dates.items()} == dict.fromkeys(INCIDENT_DATES, "published")
    for day in INCIDENT_DATES:
        state = ledger_state(warehouse.url, day)
        assert state["status"] == "published"
        assert state["forced"] and state["force_reason"] == "UPCG is stale" and state["forced_by"]
    assert pcf_rows(warehouse.url, "2023-02-23") == 1  # forced through with UPCG's single player
    expected = who_played(warehouse.url, "2023-02-23")
    assert ledger_state(warehouse.url, "2023-02-23")["coverage"] == pytest.approx(1 / expected)


@pytest.mark.slow
def test_force_never_lowers_coverage_allow_regression_does_and_validate_finds_every_gap(warehouse):
    assert invoke(warehouse.url, "run", "--dates", "2023-02-23").exit_code == 0
    everyone = who_played(warehouse.url, "2023-02-23")
    forced = ("--dates", "2023-02-23", "--rerun", "all", "--source", "upcg", "--force", "--reason", "test")
    result, dates = run_json(warehouse.url, *forced)
    assert result.exit_code == 3
    assert dates["2023-02-23"]["blocked_by"] == "regression"
    assert f"players {everyone} → 1," in dates["2023-02-23"]["reason"]  # the verdict says by how much
    assert pcf_rows(warehouse.url, "2023-02-23") == everyone
    one_day = ("--start-date", "2023-02-23", "--end-date", "2023-02-23")
    status = invoke(warehouse.url, "status", *one_day, "--output", "json")
    entry = json.loads(status.stdout)["dates"][0]
    assert entry["coverage"] == 1.0 and entry["last_attempt"]["status"] == "blocked"

    result = invoke(warehouse.url, "run", *forced, "--allow-regression")
    assert result.exit_code == 0 and f"players {everyone} → 1" in result.output
    assert pcf_rows(warehouse.url, "2023-02-23") == 1
    latest = ledger_state(warehouse.url, "2023-02-23")
    assert latest["allowed_regression"] and latest["forced"] and latest["previous_players"] == everyone

    assert invoke(warehouse.url, "run", "--dates", "2023-02-25").exit_code == 0
    assert invoke(warehouse.url, "run", "--dates", "2023-02-24", "--source", "upcg").exit_code == 3
    result = invoke(
        warehouse.url, "validate", "--start-date", "2023-02-23", "--end-date", "2023-02-26", "--output", "json"
    )
    assert result.exit_code == 3
    found = {entry["game_date"]: entry for entry in json.loads(result.stdout)["problems"]}
    assert found["2023-02-24"]["state"] == "blocked" and found["2023-02-26"]["state"] == "pending"
    assert "coverage_below_bar" in found["2023-02-23"]["problems"]
