"""Telling the truth about every date (SPEC §6.7): what is published and what the last attempt did are two
facts; validate finds every gap; --force never makes data worse; an empty schedule is not a quiet night."""

from __future__ import annotations

import json
from datetime import date, timedelta

from support import INCIDENT_WEEK, pcf_rows


def document(result) -> dict:
    return json.loads(result.stdout)


def status_of(run_cli, db, day: str) -> dict:
    result = run_cli(db, "status", "--start-date", day, "--end-date", day, "--output", "json")
    assert result.exit_code == 0, result.output
    return document(result)["dates"][0]


def test_validate_names_blocked_and_never_run_dates_with_the_run_that_fixes_them(run_cli, demo_db):
    blocked = run_cli(demo_db, "run", "--dates", "2023-02-23", "--source", "upcg")
    assert blocked.exit_code == 3
    result = run_cli(demo_db, "validate", "--start-date", "2023-02-23", "--end-date", "2023-02-24", "--output", "json")
    assert result.exit_code == 3
    found = {entry["game_date"]: entry for entry in document(result)["problems"]}
    assert set(found) == {"2023-02-23", "2023-02-24"}
    assert found["2023-02-23"]["state"] == "blocked" and found["2023-02-23"]["problems"] == ["not_published"]
    assert found["2023-02-24"]["state"] == "pending"
    assert any("run --dates 2023-02-23,2023-02-24" in command for command in document(result)["repair_commands"])


def test_a_blocked_rerun_over_published_rows_shows_both_facts_and_changes_nothing(run_cli, demo_db, open_db):
    assert run_cli(demo_db, "run", *INCIDENT_WEEK).exit_code == 0
    wh = open_db(demo_db)
    before = pcf_rows(wh, "2023-02-23")
    wh.close()
    assert run_cli(demo_db, "run", *INCIDENT_WEEK, "--source", "upcg", "--rerun", "all").exit_code == 3
    entry = status_of(run_cli, demo_db, "2023-02-23")
    assert entry["published_players"] == before == entry["expected_players"] and entry["coverage"] == 1.0
    assert entry["last_attempt"]["status"] == "blocked" and entry["last_attempt"]["coverage"] < 0.01
    text = run_cli(demo_db, "status", "--start-date", "2023-02-23", "--end-date", "2023-02-23").output
    assert f"{before}/{before} (100.0%)" in text and "blocked: " in text
    assert run_cli(demo_db, "validate", *INCIDENT_WEEK).exit_code == 0
    wh = open_db(demo_db)
    assert pcf_rows(wh, "2023-02-23") == before


def test_validate_checks_who_the_rows_are_and_what_they_hold(run_cli, demo_db, open_db):
    assert run_cli(demo_db, "run", *INCIDENT_WEEK).exit_code == 0
    wh = open_db(demo_db)
    wh.execute(
        "UPDATE {pcf} SET player_lookup = 'nobody_' || player_lookup WHERE game_date = DATE '2023-02-25' "
        "AND player_lookup IN (SELECT player_lookup FROM {pcf} WHERE game_date = DATE '2023-02-25' "
        "ORDER BY player_lookup LIMIT 20)"
    )
    wh.execute(
        "UPDATE {pcf} SET pace_score = 7.5 WHERE game_date = DATE '2023-02-26' AND player_lookup = "
        "(SELECT min(player_lookup) FROM {pcf} WHERE game_date = DATE '2023-02-26')"
    )
    wh.close()
    result = run_cli(demo_db, "validate", *INCIDENT_WEEK, "--output", "json")
    assert result.exit_code == 3
    found = {entry["game_date"]: entry["problems"] for entry in document(result)["problems"]}
    assert "rows_for_non_players" in found["2023-02-25"] and "values_out_of_range" in found["2023-02-26"]
    assert any("--rerun all" in command for command in document(result)["repair_commands"])


def test_a_clock_running_ahead_cannot_pin_a_dates_state(run_cli, demo_db, open_db):
    assert run_cli(demo_db, "run", "--dates", "2023-02-23", "--source", "upcg").exit_code == 3
    wh = open_db(demo_db)
    wh.execute(
        "UPDATE {checkpoints} SET finished_at = finished_at + INTERVAL 1 DAY, started_at = started_at + INTERVAL 1 DAY"
    )  # a host whose clock runs a day ahead
    wh.close()
    assert run_cli(demo_db, "run", "--dates", "2023-02-23").exit_code == 0
    assert status_of(run_cli, demo_db, "2023-02-23")["status"] == "published"


def test_status_prints_old_ledger_rows_with_null_counts(run_cli, demo_db, open_db):
    wh = open_db(demo_db)
    wh.execute(
        "INSERT INTO {checkpoints} (run_id, processor, game_date, status) "
        "VALUES ('old', 'player_composite_factors', DATE '2023-02-23', 'blocked')"
    )
    wh.close()
    result = run_cli(demo_db, "status", "--start-date", "2023-02-23", "--end-date", "2023-02-23")
    assert result.exit_code == 0 and "blocked" in result.output


def test_an_empty_or_stale_schedule_is_not_a_quiet_night(run_cli, demo_db, tmp_path):
    empty = tmp_path / "empty.duckdb"
    assert run_cli(empty, "init", "--with-inputs").exit_code == 0
    result = run_cli(empty, "run", "--start-date", "2023-02-01", "--end-date", "2023-02-28")
    assert result.exit_code == 3 and "upstream_missing schedule" in result.output
    stale = run_cli(demo_db, "catch-up")  # today is mid-season; the demo schedule ends in April 2023
    assert stale.exit_code == 3 and "its newest game is on 2023-04-09" in stale.output


def test_the_all_star_break_and_the_off_season_stay_off_days(run_cli, demo_db):
    assert run_cli(demo_db, "run", "--start-date", "2023-02-17", "--end-date", "2023-02-22").exit_code == 0
    assert run_cli(demo_db, "run", "--start-date", "2023-07-01", "--end-date", "2023-07-31").exit_code == 0
    assert run_cli(demo_db, "run", "--start-date", "2023-02-10", "--end-date", "2023-02-25").exit_code == 0


def test_catch_up_rehearses_another_day_without_writing(run_cli, demo_db, open_db):
    as_of = date(2023, 2, 28)
    result = run_cli(demo_db, "catch-up", "--as-of", as_of.isoformat(), "--dry-run", "--output", "json")
    assert result.exit_code == 0, result.output
    plan = document(result)
    assert plan["dry_run"] and plan["end_date"] == str(as_of - timedelta(days=1))
    wh = open_db(demo_db)
    assert int(wh.query("SELECT count(*) AS n FROM {checkpoints}")["n"][0]) == 0


def test_a_game_unfinished_for_days_is_shown_as_postponed_and_force_resolves_it(run_cli, demo_db, open_db):
    wh = open_db(demo_db)
    game = wh.query("SELECT min(game_id) AS g FROM {schedule} WHERE game_date = DATE '2023-02-27'")["g"][0]
    wh.execute("UPDATE {schedule} SET game_status = 1 WHERE game_id = @g", {"g": game})
    wh.execute("DELETE FROM {pgs} WHERE game_id = @g", {"g": game})
    wh.close()
    assert run_cli(demo_db, "run", "--dates", "2023-02-27").exit_code == 3
    text = run_cli(demo_db, "status", "--start-date", "2023-02-27", "--end-date", "2023-02-27").output
    assert "postponed?" in text and "--force" in text
    validate = run_cli(demo_db, "validate", "--start-date", "2023-02-27", "--end-date", "2023-02-27")
    assert validate.exit_code == 3
    forced = run_cli(demo_db, "run", "--dates", "2023-02-27", "--force", "--reason", f"{game} postponed")
    assert forced.exit_code == 0
    wh = open_db(demo_db)
    latest = wh.query("SELECT * FROM {checkpoints} ORDER BY attempt DESC").iloc[0]
    assert latest["forced"] and latest["force_reason"] == f"{game} postponed"
    assert latest["reason"].startswith("forced: games not final: ")
