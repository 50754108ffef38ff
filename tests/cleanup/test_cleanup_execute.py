"""`cleanup --execute` (SPEC §8): backup, delete, verify and audit — and what a failure leaves behind."""

from __future__ import annotations

import os
from datetime import date

import pandas as pd
import pytest
from cleanup_league import CUTOFF, NOW, TODAY, UNDER_COVERED, sorted_rows
from click.testing import CliRunner

import cleanup.delete
import cleanup.run
from backfill.cli import cli
from cleanup import run_cleanup
from cleanup.delete import delete_matched
from warehouse import WarehouseError
from warehouse.duckdb_lock import WriterLock

BACKUP = "upcoming_player_game_context_backup_20240320T090000"


def dates_of(frame: pd.DataFrame) -> set[date]:
    return set(pd.to_datetime(frame["game_date"]).dt.date)


def split(rows: pd.DataFrame, deleted: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    return sorted_rows(rows[deleted]), sorted_rows(rows[~deleted])


def test_execute_all_deletes_exactly_the_rows_before_the_cutoff_into_the_backup(
    wh, settings, table_rows, backup_rows, audit_rows
):
    gone, kept = split(table_rows("upcg"), table_rows("upcg")["game_date"] < pd.Timestamp(CUTOFF))
    result = run_cleanup(wh, settings(execute=True), "tester", now=NOW)
    assert (result.dry_run, result.rows_matched, result.rows_deleted) == (False, len(gone), len(gone))
    assert result.backup_table == BACKUP
    pd.testing.assert_frame_equal(table_rows("upcg"), kept)
    pd.testing.assert_frame_equal(backup_rows(BACKUP), gone)
    audit = audit_rows().iloc[0]
    assert audit[["dry_run", "rows_matched", "rows_deleted", "backup_table", "mode"]].tolist() == [
        False,
        len(gone),
        len(gone),
        BACKUP,
        "all",
    ]
    assert pd.Timestamp(audit["cutoff_date"]).date() == CUTOFF
    assert audit["table_name"] == "nba_analytics.upcoming_player_game_context"
    assert audit["started_at"] == pd.Timestamp(NOW) and audit["finished_at"] >= audit["started_at"]
    assert pd.isna(audit["error"])


def test_partial_deletes_only_under_covered_dates_and_keeps_complete_history(wh, settings, table_rows, backup_rows):
    rows = table_rows("upcg")
    gone, kept = split(rows, pd.to_datetime(rows["game_date"]).dt.date.isin(UNDER_COVERED))
    result = run_cleanup(wh, settings(mode="partial", execute=True), "tester", now=NOW)
    assert result.rows_deleted == len(gone) == 8
    assert dates_of(backup_rows(BACKUP)) == set(UNDER_COVERED)
    pd.testing.assert_frame_equal(backup_rows(BACKUP), gone)
    pd.testing.assert_frame_equal(table_rows("upcg"), kept)
    assert {date(2024, 3, 3), date(2024, 3, 4), date(2024, 3, 12), CUTOFF} <= dates_of(table_rows("upcg"))


def test_retention_zero_never_touches_today_or_the_future(wh, settings, table_rows):
    run_cleanup(wh, settings(retention_days=0, execute=True), "tester", now=NOW)
    assert min(dates_of(table_rows("upcg"))) == TODAY
    assert dates_of(table_rows("upcg")) == {TODAY, date(2024, 3, 21)}


def test_no_backup_deletes_without_a_copy(wh, settings, table_rows):
    result = run_cleanup(wh, settings(execute=True, backup=False), "tester", now=NOW)
    assert result.backup_table is None and result.rows_deleted > 0
    assert result.statements == [
        'DELETE FROM "nba_analytics"."upcoming_player_game_context" WHERE game_date < DATE \'2024-03-13\' '
        "AND (processed_at IS NULL OR processed_at <= TIMESTAMP '2024-03-20 09:00:00.000000')"
    ]
    assert not wh.table_exists("analytics", BACKUP)
    assert min(dates_of(table_rows("upcg"))) == CUTOFF


def test_error_between_backup_and_delete_leaves_upcg_intact_and_is_audited(
    wh, settings, table_rows, backup_rows, audit_rows, monkeypatch
):
    before = table_rows("upcg")

    def failing_delete(wh, plan, operation):
        raise WarehouseError("injected: connection lost")

    monkeypatch.setattr(cleanup.run, "delete_matched", failing_delete)
    with pytest.raises(WarehouseError, match="injected"):
        run_cleanup(wh, settings(execute=True), "tester", now=NOW)
    pd.testing.assert_frame_equal(table_rows("upcg"), before)
    assert len(backup_rows(BACKUP)) == (before["game_date"] < pd.Timestamp(CUTOFF)).sum()
    audit = audit_rows().iloc[0]
    assert audit[["dry_run", "rows_deleted", "backup_table"]].tolist() == [False, 0, BACKUP]
    assert audit["error"] == "WarehouseError: injected: connection lost"


def test_short_backup_stops_before_deleting(wh, settings, table_rows, audit_rows, monkeypatch):
    before = table_rows("upcg")
    copy = wh.copy_rows_to_new_table
    monkeypatch.setattr(wh, "copy_rows_to_new_table", lambda key, where, name: copy(key, f"{where} AND FALSE", name))
    with pytest.raises(WarehouseError, match=r"holds 0 rows but \d+ matched; nothing deleted"):
        run_cleanup(wh, settings(execute=True), "tester", now=NOW)
    pd.testing.assert_frame_equal(table_rows("upcg"), before)
    assert wh.table_exists("analytics", BACKUP)
    assert "holds 0 rows" in audit_rows().loc[0, "error"]


def test_failed_verification_puts_the_rows_back(wh, settings, table_rows, audit_rows, monkeypatch):
    before = table_rows("upcg")

    def delete_while_someone_rewrites_today(wh, plan, operation):
        deleted = delete_matched(wh, plan, operation)
        wh.execute("UPDATE {upcg} SET player_age = 99 WHERE game_date = @today", {"today": TODAY})
        return deleted

    monkeypatch.setattr(cleanup.run, "delete_matched", delete_while_someone_rewrites_today)
    with pytest.raises(WarehouseError, match=r"verification failed: rows on or after 2024-03-13 changed .* restored"):
        run_cleanup(wh, settings(execute=True), "tester", now=NOW)
    stale = before["game_date"] < pd.Timestamp(CUTOFF)
    after = table_rows("upcg")
    pd.testing.assert_frame_equal(
        sorted_rows(after[after["game_date"] < pd.Timestamp(CUTOFF)]), sorted_rows(before[stale])
    )
    (outcome,) = audit_rows().itertuples()  # the row the delete wrote, now saying what became of it
    assert outcome.rows_deleted == 0 and "verification failed" in outcome.error


def test_audit_rows_for_execution_and_failure_never_for_a_dry_run(wh, settings, audit_rows, monkeypatch):
    run_cleanup(wh, settings(mode="partial"), "alice", now=NOW)
    run_cleanup(wh, settings(mode="partial", execute=True), "bob", now=NOW.replace(second=1))

    def failing_delete(wh, plan, operation):
        raise WarehouseError("injected")

    monkeypatch.setattr(cleanup.run, "delete_matched", failing_delete)
    with pytest.raises(WarehouseError):
        run_cleanup(wh, settings(execute=True), "carol", now=NOW.replace(second=2))
    audit = audit_rows()
    assert audit["user"].tolist() == ["bob", "carol"]  # alice's dry run wrote nothing
    assert audit["dry_run"].tolist() == [False, False]
    assert audit["rows_matched"].tolist() == [8, 38 - 8]  # carol: every stale row bob left
    assert audit["rows_deleted"].tolist() == [8, 0]
    assert audit["error"].isna().tolist() == [True, False]
    assert audit["operation_id"].is_unique


class ProcessDied(BaseException):
    """Stands for SIGKILL: nothing of the cleanup's own error handling runs after it."""


def test_a_crash_right_after_the_delete_commits_leaves_its_audit_row(wh, settings, table_rows, audit_rows, monkeypatch):
    gone = (table_rows("upcg")["game_date"] < pd.Timestamp(CUTOFF)).sum()

    def delete_then_die(wh, plan, operation):
        delete_matched(wh, plan, operation)
        raise ProcessDied

    monkeypatch.setattr(cleanup.run, "delete_matched", delete_then_die)
    with pytest.raises(ProcessDied):
        run_cleanup(wh, settings(execute=True), "tester", now=NOW)
    assert min(dates_of(table_rows("upcg"))) == CUTOFF
    audit = audit_rows()
    assert audit[["rows_matched", "rows_deleted", "backup_table"]].values.tolist() == [[gone, gone, BACKUP]]
    assert pd.isna(audit.loc[0, "error"])


def test_a_delete_that_fails_inside_its_transaction_deletes_nothing_and_records_the_failure(
    wh, settings, table_rows, audit_rows, monkeypatch
):
    before = table_rows("upcg")
    statements = cleanup.delete.delete_statements

    def then_a_statement_that_fails(plan, staged):
        return [*statements(plan, staged), "DELETE FROM {upcg} WHERE no_such = 1"]

    monkeypatch.setattr(cleanup.delete, "delete_statements", then_a_statement_that_fails)
    with pytest.raises(WarehouseError, match="no_such"):
        run_cleanup(wh, settings(execute=True), "tester", now=NOW)
    pd.testing.assert_frame_equal(table_rows("upcg"), before)
    audit = audit_rows()
    assert len(audit) == 1 and audit.loc[0, "rows_deleted"] == 0 and "no_such" in audit.loc[0, "error"]


def test_a_backup_that_already_exists_is_a_failure_with_its_audit_row(wh, settings, table_rows, audit_rows):
    before = table_rows("upcg")
    wh.execute(f"CREATE TABLE {wh.qualified('analytics', BACKUP)} AS SELECT 1 AS x")
    with pytest.raises(WarehouseError, match="already exists"):
        run_cleanup(wh, settings(execute=True), "tester", now=NOW)
    pd.testing.assert_frame_equal(table_rows("upcg"), before)
    audit = audit_rows()
    assert len(audit) == 1 and audit.loc[0, "rows_deleted"] == 0 and "already exists" in audit.loc[0, "error"]


def test_rows_upstream_appends_during_a_cleanup_are_never_touched_nor_counted(
    wh, settings, table_rows, backup_rows, audit_rows, monkeypatch
):
    rows = table_rows("upcg")
    gone = sorted_rows(rows[rows["game_date"] < pd.Timestamp(CUTOFF)])
    late = rows[rows["game_date"].isin([pd.Timestamp(date(2024, 3, 3)), pd.Timestamp(TODAY)])].assign(
        player_lookup="late_arrival", processed_at=pd.Timestamp(NOW) + pd.Timedelta(minutes=1)
    )
    backup = cleanup.run.create_backup

    def backup_while_upstream_appends(wh, plan):
        name = backup(wh, plan)
        wh.load(late, "upcg")  # tonight's rows, and a stale date's row written after the plan
        return name

    monkeypatch.setattr(cleanup.run, "create_backup", backup_while_upstream_appends)
    result = run_cleanup(wh, settings(execute=True), "tester", now=NOW)
    assert result.rows_deleted == len(gone) == audit_rows().loc[0, "rows_deleted"]
    assert len(audit_rows()) == 1 and pd.isna(audit_rows().loc[0, "error"])
    pd.testing.assert_frame_equal(backup_rows(BACKUP), gone)
    survivors = table_rows("upcg")
    assert sorted(dates_of(survivors[survivors["player_lookup"] == "late_arrival"])) == [date(2024, 3, 3), TODAY]


def test_a_cleanup_while_another_writer_holds_the_warehouse_exits_4_naming_it(wh, tmp_path, table_rows):
    before = table_rows("upcg")
    database = str(tmp_path / "cleanup.duckdb")
    first = WriterLock(database, "pcf-backfill cleanup --execute --mode all")
    first.acquire()
    try:
        second = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{database}", "cleanup", "--execute"])
    finally:
        first.release()
    assert second.exit_code == 4, second.output
    assert "pcf-backfill cleanup --execute --mode all" in second.output and f"PID {os.getpid()}" in second.output
    pd.testing.assert_frame_equal(table_rows("upcg"), before)
