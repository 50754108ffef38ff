"""Planning and dry runs (SPEC §8): settings, per-date coverage, the delete predicate, no changes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from cleanup_league import CUTOFF, NOW, TODAY, UNDER_COVERED, UPCG_PLAYERS

from cleanup import CleanupSettings, plan_cleanup, run_cleanup
from cleanup.plan import delete_predicate, with_actions
from cleanup.verify import content_hash
from warehouse import BadInput
from warehouse.schemas import TABLES

STALE_DATES = [day for day in UPCG_PLAYERS if day < CUTOFF]


@pytest.mark.parametrize("retention", [-1, -30, 1.5, True, 10**9])
def test_retention_must_be_a_whole_number_of_days(retention):
    with pytest.raises(BadInput, match="retention_days"):
        CleanupSettings(today=TODAY, retention_days=retention)


INGESTED_BY_NOW = "(processed_at IS NULL OR processed_at <= TIMESTAMP '2024-03-20 09:00:00.000000')"


def test_unknown_mode_is_bad_input_naming_the_accepted_forms():
    with pytest.raises(BadInput, match=r"mode: expected one of all \| partial"):
        CleanupSettings(today=TODAY, mode="stale")


def test_defaults_are_a_seven_day_dry_run_with_backup():
    settings = CleanupSettings(today=TODAY)
    assert (settings.cutoff, settings.mode, settings.dry_run, settings.backup) == (CUTOFF, "all", True, True)


def test_predicate_is_a_date_bound_or_the_dates_and_only_rows_ingested_by_the_plan():
    days = [date(2024, 3, 2), date(2024, 3, 1)]
    ingested = INGESTED_BY_NOW
    assert delete_predicate("all", CUTOFF, days, NOW) == f"game_date < DATE '2024-03-13' AND {ingested}"
    assert delete_predicate("partial", CUTOFF, days, NOW) == (
        f"game_date IN (DATE '2024-03-01', DATE '2024-03-02') AND {ingested}"
    )
    assert delete_predicate("partial", CUTOFF, [], NOW) is None
    with pytest.raises(ValueError, match="cutoff"):
        delete_predicate("partial", CUTOFF, [CUTOFF], NOW)


def test_partial_keeps_dates_at_exactly_ninety_percent():
    per_date = pd.DataFrame(
        {
            "game_date": [date(2024, 1, d) for d in (1, 2, 3)],
            "upcg_players": [9, 8, 3],
            "upcg_rows": [9, 8, 3],
            "pgs_active_players": [10, 10, 0],
            "matched_players": [9, 8, 0],
            "coverage": [0.9, 0.8, 0.0],
        }
    )
    assert with_actions(per_date, "partial")["action"].tolist() == ["keep", "delete", "delete"]
    assert with_actions(per_date, "all")["action"].tolist() == ["delete"] * 3


def test_content_hash_ignores_row_order_but_not_content():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", None, "z"]})
    assert content_hash(frame) == content_hash(frame.iloc[::-1])
    assert content_hash(frame) != content_hash(frame.assign(a=[1, 2, 4]))


def test_plan_reports_per_date_coverage_before_the_cutoff(wh, settings):
    plan = plan_cleanup(wh, settings(mode="partial"), now=NOW)
    per_date = plan.per_date.set_index("game_date")
    assert list(per_date.index) == STALE_DATES
    assert per_date.loc[date(2024, 3, 1), ["upcg_players", "pgs_active_players", "matched_players"]].tolist() == [
        1,
        10,
        1,
    ]
    assert per_date.loc[date(2024, 3, 4), ["upcg_players", "matched_players", "coverage"]].tolist() == [10, 9, 0.9]
    assert per_date.loc[date(2024, 3, 5), ["pgs_active_players", "coverage"]].tolist() == [0, 0.0]
    assert plan.delete_dates == UNDER_COVERED
    assert plan.rows_matched == 1 + 4 + 3
    where = f"game_date IN (DATE '2024-03-01', DATE '2024-03-02', DATE '2024-03-05') AND {INGESTED_BY_NOW}"
    assert plan.statements == [
        'CREATE TABLE "nba_analytics"."upcoming_player_game_context_backup_20240320T090000" AS SELECT * FROM {upcg} '
        f"WHERE {where}",
        f"DELETE FROM {{upcg}} WHERE {where}",
    ]


def test_plan_without_backup_has_only_the_delete(wh, settings):
    plan = plan_cleanup(wh, settings(backup=False), now=NOW)
    assert plan.statements == [f"DELETE FROM {{upcg}} WHERE game_date < DATE '2024-03-13' AND {INGESTED_BY_NOW}"]


def test_dry_run_changes_nothing_not_even_the_audit_trail(wh, settings, table_rows, audit_rows):
    before = {key: table_rows(key) for key in TABLES}
    result = run_cleanup(wh, settings(), "tester", now=NOW)
    for key, rows in before.items():
        pd.testing.assert_frame_equal(table_rows(key), rows, obj=key)
    assert not wh.table_exists("analytics", "upcoming_player_game_context_backup_20240320T090000")
    assert (result.dry_run, result.rows_deleted, result.backup_table) == (True, 0, None)
    assert result.rows_matched == sum(len(UPCG_PLAYERS[day]) for day in STALE_DATES)
    assert result.per_date["upcg_rows"].tolist() == [len(UPCG_PLAYERS[day]) for day in STALE_DATES]
    assert set(result.per_date["action"]) == {"delete"}
    assert (
        result.statements[-1] == 'DELETE FROM "nba_analytics"."upcoming_player_game_context" '
        f"WHERE game_date < DATE '2024-03-13' AND {INGESTED_BY_NOW}"
    )
    assert len(audit_rows()) == 0


def test_nothing_to_delete_is_a_clean_no_op(wh, settings, table_rows, audit_rows):
    before = table_rows("upcg")
    result = run_cleanup(wh, settings(retention_days=365, execute=True), "tester", now=NOW)
    assert (result.rows_matched, result.rows_deleted, result.backup_table, result.statements) == (0, 0, None, [])
    assert result.per_date.empty
    pd.testing.assert_frame_equal(table_rows("upcg"), before)
    assert audit_rows().loc[0, ["dry_run", "rows_matched"]].tolist() == [False, 0]
