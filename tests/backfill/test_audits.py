"""Audits beyond coverage (SPEC §6.9) on DuckDB copies of the demo league, beyond the scenarios both backends
share (tests/scenarios/test_upstream_audits.py): UPCG is not judged without complete box-score history, early
dates say how short their baseline is, and the demo season raises no false alarm."""

from __future__ import annotations

from support import audit_rows, execute, make_upcg_stale, query, run_json

DAY = "2023-02-27"  # 9 final games, UPCG complete


def test_upcg_is_not_judged_without_complete_box_score_history(demo_db):
    make_upcg_stale(demo_db, DAY)
    earlier = query(demo_db, "SELECT min(game_id) AS g FROM {schedule} WHERE game_date = DATE '2023-02-15'")["g"][0]
    execute(demo_db, "DELETE FROM {pgs} WHERE game_id = @g", g=earlier)
    result, dates = run_json(demo_db, "--dates", DAY)
    assert result.exit_code == 0, result.output
    assert dates[DAY]["context_source"] == "upcg" and dates[DAY]["upcg_state"] == "upcg_complete"
    agreement = audit_rows(demo_db, DAY, "upcg_agreement").iloc[-1]
    assert agreement["passed"] and agreement["detail"] == "history incomplete: not compared"


def test_early_dates_are_audited_against_what_exists_and_say_so(demo_db):
    result, _ = run_json(demo_db, "--start-date", "2022-11-01", "--end-date", "2022-11-03")
    assert result.exit_code == 0
    details = query(demo_db, "SELECT game_date, detail FROM {audits} WHERE audit = 'shot_zone_zero_share' ORDER BY 1")
    assert details["detail"].tolist() == ["no baseline yet", "baseline 1 of 14 dates", "baseline 2 of 14 dates"]


def test_the_demo_season_raises_no_false_alarm(demo_db):
    result, dates = run_json(demo_db, "--start-date", "2022-10-18", "--end-date", "2023-04-09")
    assert result.exit_code == 0
    assert not [day for day, entry in dates.items() if entry["upcg_state"] == "upcg_disagrees"]
    failing = query(
        demo_db, "SELECT audit, severity, count(*) AS n FROM {audits} WHERE NOT passed GROUP BY audit, severity"
    )
    assert failing.empty, failing
