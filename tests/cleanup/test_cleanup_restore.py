"""`cleanup restore BACKUP_TABLE` (SPEC §8): the table returns to its pre-cleanup content, once."""

from __future__ import annotations

import pandas as pd
import pytest
from cleanup_league import NOW

from cleanup import restore_backup, run_cleanup
from warehouse import BadInput, InvalidSetting

BACKUP = "upcoming_player_game_context_backup_20240320T090000"


@pytest.mark.parametrize("mode", ["all", "partial"])
def test_restore_returns_upcg_to_its_pre_cleanup_content(wh, settings, table_rows, mode):
    before = table_rows("upcg")
    result = run_cleanup(wh, settings(mode=mode, execute=True), "tester", now=NOW)
    assert len(table_rows("upcg")) < len(before)
    assert restore_backup(wh, BACKUP, "tester") == result.rows_deleted
    pd.testing.assert_frame_equal(table_rows("upcg"), before)


def test_restore_is_audited(wh, settings, audit_rows):
    run_cleanup(wh, settings(mode="partial", execute=True), "alice", now=NOW)
    restore_backup(wh, BACKUP, "bob")
    restore = audit_rows().iloc[-1]
    assert restore[["mode", "user", "backup_table", "rows_matched", "rows_deleted", "dry_run"]].tolist() == [
        "restore",
        "bob",
        BACKUP,
        8,
        0,
        False,
    ]
    assert pd.isna(restore["error"])


def test_restoring_twice_is_refused_rather_than_duplicating(wh, settings, table_rows, audit_rows):
    run_cleanup(wh, settings(mode="partial", execute=True), "tester", now=NOW)
    restore_backup(wh, BACKUP, "tester")
    restored = table_rows("upcg")
    with pytest.raises(BadInput, match=r"8 of .* already in upcoming_player_game_context .* nothing was restored"):
        restore_backup(wh, BACKUP, "tester")
    pd.testing.assert_frame_equal(table_rows("upcg"), restored)
    assert len(audit_rows()) == 2  # the cleanup and the first restore; a refusal writes nothing


@pytest.mark.parametrize(
    "name", ["player_game_summary", "upcoming_player_game_context", f"{BACKUP}; DROP TABLE x", f"{BACKUP}_x"]
)
def test_restore_only_accepts_cleanup_backup_names(wh, name):
    with pytest.raises(InvalidSetting, match="^backup_table: expected a cleanup backup named") as refused:
        restore_backup(wh, name, "tester")
    assert isinstance(refused.value, ValueError) and refused.value.field == "backup_table"


def test_restore_of_a_missing_backup_is_bad_input(wh):
    with pytest.raises(BadInput, match="no table upcoming_player_game_context_backup_20200101T000000"):
        restore_backup(wh, "upcoming_player_game_context_backup_20200101T000000", "tester")
