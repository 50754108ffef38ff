"""Audits beyond coverage (SPEC §6.9), through the CLI on the demo league: stale but complete UPCG is caught by
comparing it with the box scores, zeroed upstream values by the drift audits, and every result is in the ledger."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pandas as pd

from warehouse.schemas import SCORE_COLUMNS

DAY = "2023-02-27"  # 9 final games, UPCG complete
D = date.fromisoformat(DAY)
STALE_SHARE_SQL = "hash(player_lookup) % 10 < 6"  # about 60% of the date's players


def run(run_cli, db, *args):
    result = run_cli(db, "run", *args, "--output", "json")
    document = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result, {entry["game_date"]: entry for entry in document.get("dates", [])}


def make_upcg_stale(wh, day: date = D) -> int:
    """Rest and workload of another day for about 60% of the date's UPCG rows: every player still there.
    Returns how many of the players who played got a stale row."""
    wh.execute(
        "UPDATE {upcg} SET days_rest = days_rest + 2, games_in_last_7_days = games_in_last_7_days + 1, "
        f"minutes_in_last_7_days = minutes_in_last_7_days + 30 WHERE game_date = @d AND {STALE_SHARE_SQL}",
        {"d": day},
    )
    played = "SELECT player_lookup FROM {pgs} WHERE game_date = @d AND player_status = 'active'"
    return int(wh.query(f"SELECT count(*) AS n FROM {{upcg}} WHERE game_date = @d AND {STALE_SHARE_SQL} "
                        f"AND player_lookup IN ({played})", {"d": day})["n"][0])  # fmt: skip


def scores(wh, day: date = D) -> pd.DataFrame:
    columns = ", ".join(SCORE_COLUMNS)
    return wh.query(f"SELECT player_lookup, {columns} FROM {{pcf}} WHERE game_date = @d ORDER BY player_lookup",
                    {"d": day})  # fmt: skip


def audits(wh, day: date, name: str) -> pd.DataFrame:
    return wh.query("SELECT * FROM {audits} WHERE game_date = @d AND audit = @a ORDER BY attempt",
                    {"d": day, "a": name})  # fmt: skip


def test_stale_upcg_publishes_from_box_scores_with_a_clean_runs_values_and_blocks_under_source_upcg(
    run_cli, demo_db, open_db, tmp_path
):
    clean_db = tmp_path / "clean.duckdb"
    shutil.copy(demo_db, clean_db)
    result, dates = run(run_cli, clean_db, "--dates", DAY)
    assert result.exit_code == 0 and dates[DAY]["context_source"] == "upcg"
    wh = open_db(demo_db)
    stale = make_upcg_stale(wh)
    wh.close()

    result, dates = run(run_cli, demo_db, "--dates", DAY)
    assert result.exit_code == 0, result.output
    assert dates[DAY]["status"] == "published" and dates[DAY]["context_source"] == "pgs_synthetic"
    assert dates[DAY]["source_reason"].startswith(f"upcg_disagrees {stale}/{dates[DAY]['expected_players']}: ")
    assert {"days_rest", "games_in_last_7_days", "minutes_in_last_7_days"} <= set(
        dates[DAY]["source_reason"].split(": ", 1)[1].split(", "))  # fmt: skip
    wh, clean = open_db(demo_db), open_db(clean_db)
    pd.testing.assert_frame_equal(scores(wh), scores(clean))
    agreement = audits(wh, D, "upcg_agreement").iloc[-1]
    assert not agreement["passed"] and agreement["threshold"] == 0.10
    assert agreement["detail"].startswith(f"{stale}/") and "days_rest " in agreement["detail"]  # per-field counts
    wh.close()

    result, dates = run(run_cli, demo_db, "--dates", DAY, "--source", "upcg", "--rerun", "all")
    assert result.exit_code == 3
    assert dates[DAY]["status"] == "blocked" and dates[DAY]["reason"].startswith("upcg_disagrees ")
    wh = open_db(demo_db)
    pd.testing.assert_frame_equal(scores(wh), scores(clean))  # the stale context never reached the table


def test_upcg_is_not_judged_without_complete_box_score_history(run_cli, demo_db, open_db):
    wh = open_db(demo_db)
    make_upcg_stale(wh)
    earlier = wh.query("SELECT game_id FROM {schedule} WHERE game_date = '2023-02-15' ORDER BY game_id")["game_id"][0]
    wh.execute("DELETE FROM {pgs} WHERE game_id = @g", {"g": earlier})
    wh.close()
    result, dates = run(run_cli, demo_db, "--dates", DAY)
    assert result.exit_code == 0, result.output
    assert dates[DAY]["context_source"] == "upcg" and dates[DAY]["source_reason"] == "upcg_complete"
    wh = open_db(demo_db)
    agreement = audits(wh, D, "upcg_agreement").iloc[-1]
    assert agreement["passed"] and agreement["detail"] == "history incomplete: not compared"


def zero_tdza(wh, day: str) -> None:
    wh.execute("UPDATE {tdza} SET paint_defense_vs_league_avg = 0, mid_range_defense_vs_league_avg = 0, "
               "three_pt_defense_vs_league_avg = 0 WHERE analysis_date = @d",
               {"d": date.fromisoformat(day)})  # fmt: skip


def test_zeroed_tdza_after_three_published_weeks_is_blocked_by_the_drift_audit(run_cli, demo_db, open_db, tmp_path):
    result, _ = run(run_cli, demo_db, "--start-date", "2022-11-01", "--end-date", "2022-11-21")
    assert result.exit_code == 0
    wh = open_db(demo_db)
    zero_tdza(wh, "2022-11-22")
    wh.close()
    result, dates = run(run_cli, demo_db, "--dates", "2022-11-22")
    assert result.exit_code == 3
    assert dates["2022-11-22"]["reason"].startswith("audit shot_zone_zero_share 1.00 vs 0.0")
    status = run_cli(demo_db, "status", "--start-date", "2022-11-22", "--end-date", "2022-11-22")
    assert "shot_zone_zero_share 1.00 vs baseline 0.0" in status.stdout and "(threshold 0.4)" in status.stdout
    document = json.loads(run_cli(demo_db, "status", "--start-date", "2022-11-22", "--end-date", "2022-11-22",
                                  "--output", "json").stdout)  # fmt: skip
    failing = {entry["audit"]: entry for entry in document["failing_audits"]}
    assert failing["shot_zone_zero_share"]["value"] == 1.0 and failing["shot_zone_zero_share"]["threshold"] == 0.4
    validate = run_cli(demo_db, "validate", "--start-date", "2022-11-22", "--end-date", "2022-11-22")
    assert "Failing audits (last attempt):" in validate.stdout and "shot_zone_zero_share 1.00" in validate.stdout
    page = tmp_path / "report.html"
    assert run_cli(demo_db, "report", "--start-date", "2022-11-01", "--end-date", "2022-11-30",
                   "--html", str(page)).exit_code == 0  # fmt: skip
    assert "Failing audits (last attempt)" in page.read_text() and "shot_zone_zero_share" in page.read_text()
    wh = open_db(demo_db)
    row = audits(wh, date(2022, 11, 22), "shot_zone_zero_share").iloc[-1]
    ledger = wh.query("SELECT attempt FROM {checkpoints} WHERE game_date = '2022-11-22'")
    assert row["attempt"] == ledger["attempt"].max() and row["baseline_dates"] == 14  # written with its verdict
    assert int(wh.query("SELECT count(*) AS n FROM {pcf} WHERE game_date = '2022-11-22'")["n"][0]) == 0


def test_early_dates_are_audited_against_what_exists_and_say_so(run_cli, demo_db, open_db):
    result, _ = run(run_cli, demo_db, "--start-date", "2022-11-01", "--end-date", "2022-11-03")
    assert result.exit_code == 0
    wh = open_db(demo_db)
    details = wh.query("SELECT game_date, detail FROM {audits} WHERE audit = 'shot_zone_zero_share' ORDER BY 1")
    assert details["detail"].tolist() == ["no baseline yet", "baseline 1 of 14 dates", "baseline 2 of 14 dates"]


def test_a_dry_run_records_no_audit(run_cli, demo_db, open_db):
    result, _ = run(run_cli, demo_db, "--dates", DAY, "--dry-run")
    assert result.exit_code == 0
    wh = open_db(demo_db)
    assert int(wh.query("SELECT count(*) AS n FROM {audits}")["n"][0]) == 0


def test_the_demo_season_raises_no_false_alarm(run_cli, demo_db, open_db):
    result, dates = run(run_cli, demo_db, "--start-date", "2022-10-18", "--end-date", "2023-04-09")
    assert result.exit_code == 0
    assert not [day for day, entry in dates.items() if "upcg_disagrees" in (entry["source_reason"] or "")]
    wh = open_db(demo_db)
    failing = wh.query("SELECT audit, severity, count(*) AS n FROM {audits} WHERE NOT passed GROUP BY ALL")
    assert failing.empty, failing
