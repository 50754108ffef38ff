"""The backfill through the CLI on real DuckDB copies of the demo league (SPEC §6, §7, §10)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

INCIDENT_WEEK = ("--start-date", "2023-02-20", "--end-date", "2023-02-26")
INCIDENT_DATES = ("2023-02-23", "2023-02-24")


@pytest.fixture
def run_json(run_cli):
    def _run(db, *args):
        result = run_cli(db, "run", *args, "--output", "json")
        return result, json.loads(result.stdout)

    return _run


def by_date(document):
    return {entry["game_date"]: entry for entry in document["dates"]}


def ledger_state(wh, day: str) -> pd.Series:
    states = wh.query(
        "SELECT * FROM {checkpoints} WHERE game_date = @d ORDER BY COALESCE(attempt, 0) DESC, finished_at DESC",
        {"d": date.fromisoformat(day)},
    )
    return states.iloc[0]


def pcf_rows(wh, day: str) -> int:
    return int(wh.query("SELECT count(*) AS n FROM {pcf} WHERE game_date = @d", {"d": date.fromisoformat(day)})["n"][0])


def active_players(wh, day: str) -> int:
    return int(wh.query(
        "SELECT count(DISTINCT player_lookup) AS n FROM {pgs} WHERE game_date = @d AND player_status = 'active'",
        {"d": date.fromisoformat(day)},
    )["n"][0])  # fmt: skip


def keep_upcg_share(wh, day: str, share: float) -> None:
    """Leave only the first `share` of the date's UPCG players (a partial pre-game table)."""
    d = date.fromisoformat(day)
    players = wh.query("SELECT DISTINCT player_lookup FROM {upcg} WHERE game_date = @d ORDER BY 1", {"d": d})
    keep = players["player_lookup"].head(round(share * len(players))).tolist()
    wh.execute("DELETE FROM {upcg} WHERE game_date = @d AND NOT list_contains(@keep, player_lookup)",
               {"d": d, "keep": keep})  # fmt: skip


def test_incident_week_falls_back_to_box_scores_and_publishes_everyone(run_json, demo_db, open_db):
    result, document = run_json(demo_db, *INCIDENT_WEEK)
    assert result.exit_code == 0, result.output
    dates = by_date(document)
    wh = open_db(demo_db)
    for day in INCIDENT_DATES:
        assert dates[day]["status"] == "published"
        assert dates[day]["context_source"] == "pgs_synthetic"
        assert pcf_rows(wh, day) == active_players(wh, day)
        assert ledger_state(wh, day)["reason"].startswith("upcg_partial")
    assert dates["2023-02-25"]["context_source"] == "upcg"
    assert "2023-02-19" not in dates  # All-Star break: off-day, never processed
    assert document["counts"]["off_days"] >= 1


def test_upcg_only_blocks_incident_dates_then_force_publishes_them(run_json, demo_db, open_db):
    result, document = run_json(demo_db, *INCIDENT_WEEK, "--source", "upcg")
    assert result.exit_code == 3
    dates = by_date(document)
    wh = open_db(demo_db)
    for day in INCIDENT_DATES:
        assert dates[day]["status"] == "blocked"
        assert pcf_rows(wh, day) == 0
    assert all(entry["status"] == "published" for day, entry in dates.items() if day not in INCIDENT_DATES)
    assert "1/" in ledger_state(wh, "2023-02-23")["reason"]
    wh.close()

    result, document = run_json(demo_db, *INCIDENT_WEEK, "--source", "upcg", "--force", "--reason", "UPCG is stale")
    assert result.exit_code == 0, result.output
    assert {d: e["status"] for d, e in by_date(document).items()} == dict.fromkeys(INCIDENT_DATES, "published")
    wh = open_db(demo_db)
    state = ledger_state(wh, "2023-02-23")
    assert state["forced"] and state["force_reason"] == "UPCG is stale" and state["forced_by"]
    assert state["coverage"] == pytest.approx(1 / active_players(wh, "2023-02-23"))
    assert pcf_rows(wh, "2023-02-23") == 1


def test_force_without_reason_is_a_usage_error(run_cli, demo_db):
    result = run_cli(demo_db, "run", *INCIDENT_WEEK, "--force")
    assert result.exit_code == 2
    assert "--reason" in result.output


@pytest.mark.parametrize(("share", "status", "warned"), [(0.95, "published", False), (0.92, "published", True),
                                                        (0.5, "blocked", False)])  # fmt: skip
def test_gate_thresholds_on_partial_upcg(run_json, demo_db, open_db, share, status, warned):
    wh = open_db(demo_db)
    keep_upcg_share(wh, "2023-03-01", share)
    wh.close()
    result, document = run_json(demo_db, "--dates", "2023-03-01", "--source", "upcg")
    entry = by_date(document)["2023-03-01"]
    assert entry["status"] == status
    wh = open_db(demo_db)
    assert ("coverage_warning" in (ledger_state(wh, "2023-03-01")["reason"] or "")) is warned
    assert result.exit_code == (0 if status == "published" else 3)


@pytest.mark.parametrize(
    ("emptied", "reason"),
    [
        ("DELETE FROM {pgs} WHERE game_date = DATE '2023-03-01'", "upstream_missing pgs: games 20230301_ATL_BOS, "),
        ("DELETE FROM {tdza} WHERE analysis_date = DATE '2023-03-01'", "upstream_missing tdza"),
        ("DELETE FROM {psza} WHERE analysis_date = DATE '2023-03-01'", "upstream_missing psza"),
    ],
)
def test_missing_upstream_data_blocks_the_date(run_json, demo_db, open_db, emptied, reason):
    wh = open_db(demo_db)
    wh.execute(emptied)
    wh.close()
    result, document = run_json(demo_db, "--dates", "2023-03-01")
    assert result.exit_code == 3
    assert by_date(document)["2023-03-01"]["reason"].startswith(reason)
    assert pcf_rows(open_db(demo_db), "2023-03-01") == 0


def test_worse_upstream_data_on_rerun_is_blocked_as_regression(run_json, demo_db, open_db):
    assert run_json(demo_db, "--dates", "2023-03-01")[0].exit_code == 0
    wh = open_db(demo_db)
    before = pcf_rows(wh, "2023-03-01")
    keep_upcg_share(wh, "2023-03-01", 0.95)
    wh.close()
    result, document = run_json(demo_db, "--dates", "2023-03-01", "--source", "upcg", "--rerun", "all")
    assert result.exit_code == 3
    assert by_date(document)["2023-03-01"]["reason"].startswith("regression")
    assert pcf_rows(open_db(demo_db), "2023-03-01") == before


def test_an_error_while_reading_fails_the_dates_and_publishes_nothing(run_json, demo_db, open_db):
    wh = open_db(demo_db)
    wh.execute("DROP TABLE {psza}")
    wh.close()
    result, document = run_json(demo_db, "--dates", "2023-03-01,2023-03-02")
    assert result.exit_code == 1
    assert {e["status"] for e in document["dates"]} == {"failed"}
    wh = open_db(demo_db)
    assert pcf_rows(wh, "2023-03-01") == 0
    assert ledger_state(wh, "2023-03-01")["status"] == "failed"


def test_rerun_resumes_only_missing_dates_and_changes_no_hash(run_json, demo_db, open_db):
    first, document = run_json(demo_db, *INCIDENT_WEEK)
    assert first.exit_code == 0
    wh = open_db(demo_db)
    hashes = wh.query("SELECT game_date, player_lookup, data_hash FROM {pcf} ORDER BY 1, 2")
    wh.close()
    again, document = run_json(demo_db, *INCIDENT_WEEK)
    assert again.exit_code == 0 and document["dates"] == []
    assert document["counts"]["already_done"] == 4  # 2023-02-20..22 is the All-Star break
    forced_again, _ = run_json(demo_db, *INCIDENT_WEEK, "--rerun", "all")
    assert forced_again.exit_code == 0
    wh = open_db(demo_db)
    assert wh.query("SELECT game_date, player_lookup, data_hash FROM {pcf} ORDER BY 1, 2").equals(hashes)
    keys = wh.query("SELECT count(*) AS n, count(DISTINCT (game_date, player_lookup)) AS k FROM {pcf}")
    assert keys["n"][0] == keys["k"][0]


def test_dry_run_writes_nothing_and_prints_the_plan(run_cli, demo_db, open_db):
    result = run_cli(demo_db, "run", *INCIDENT_WEEK, "--dry-run")
    assert result.exit_code == 0, result.output
    for word in ("expected", "upcg", "source", "coverage", "action", "2023-02-23", "pgs_synthetic"):
        assert word in result.stdout
    wh = open_db(demo_db)
    assert wh.query("SELECT count(*) AS n FROM {checkpoints}")["n"][0] == 0
    assert wh.query("SELECT count(*) AS n FROM {runs}")["n"][0] == 0
    assert wh.query("SELECT count(*) AS n FROM {pcf}")["n"][0] == 0


def test_bootstrap_days_are_recorded_and_never_written(run_json, demo_db, open_db):
    result, document = run_json(demo_db, "--start-date", "2022-10-18", "--end-date", "2022-11-02")
    assert result.exit_code == 0
    dates = by_date(document)
    assert dates["2022-10-18"]["status"] == "skipped_bootstrap"
    assert dates["2022-10-31"]["status"] == "skipped_bootstrap"
    assert dates["2022-11-01"]["status"] == "published"
    wh = open_db(demo_db)
    assert wh.query("SELECT count(*) AS n FROM {pcf} WHERE game_date < DATE '2022-11-01'")["n"][0] == 0


def test_validate_reports_a_date_with_half_its_rows_deleted(run_json, run_cli, demo_db, open_db):
    assert run_json(demo_db, *INCIDENT_WEEK)[0].exit_code == 0
    assert run_cli(demo_db, "validate", *INCIDENT_WEEK).exit_code == 0
    wh = open_db(demo_db)
    wh.execute("DELETE FROM {pcf} WHERE game_date = DATE '2023-02-25' AND hash(player_lookup) % 2 = 0")
    wh.close()
    result = run_cli(demo_db, "validate", *INCIDENT_WEEK)
    assert result.exit_code == 3
    assert "2023-02-25" in result.stdout and "ledger_published_rows_missing" in result.stdout


def test_status_shows_every_game_date_state(run_json, run_cli, demo_db):
    run_json(demo_db, *INCIDENT_WEEK, "--source", "upcg")
    result = run_cli(demo_db, "status", *INCIDENT_WEEK, "--output", "json")
    document = json.loads(result.stdout)
    states = {entry["game_date"]: entry["status"] for entry in document["dates"]}
    assert states["2023-02-23"] == "blocked" and states["2023-02-25"] == "published"
    assert document["summary"]["blocked"] == 2


def test_workers_compute_ahead_and_publish_the_same_table(run_json, demo_file, tmp_path, open_db):
    import shutil

    tables = []
    for workers in ("1", "3"):
        db = tmp_path / f"workers{workers}.duckdb"
        shutil.copy(demo_file, db)
        result, document = run_json(db, "--start-date", "2023-02-01", "--end-date", "2023-03-10",
                                    "--chunk-days", "4", "--workers", workers)  # fmt: skip
        assert result.exit_code == 0 and document["counts"]["published"] > 20
        wh = open_db(db)
        tables.append(wh.query("SELECT * EXCLUDE (run_id, processed_at) FROM {pcf} ORDER BY game_date, player_lookup"))
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_an_error_inside_the_gate_fails_the_date_publishes_nothing_and_exits_1(run_json, demo_db, open_db,
                                                                              monkeypatch):  # fmt: skip
    import backfill.runner

    def broken_gate(facts, rules):
        raise ZeroDivisionError("coverage arithmetic broke")

    monkeypatch.setattr(backfill.runner, "evaluate_gate", broken_gate)
    result, document = run_json(demo_db, "--dates", "2023-03-01")
    assert result.exit_code == 1
    entry = by_date(document)["2023-03-01"]
    assert entry["status"] == "failed" and "coverage arithmetic broke" in entry["reason"]
    wh = open_db(demo_db)
    assert pcf_rows(wh, "2023-03-01") == 0
    assert ledger_state(wh, "2023-03-01")["status"] == "failed"
