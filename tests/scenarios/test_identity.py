"""Identity (SPEC §6.8): a player is his universal_player_id. Two players who share a lookup on different dates each
keep their own rows and history; the date both play cannot be keyed and is blocked with nothing of it published;
UPCG lookups that differ from the box scores' only in spelling are named and never make UPCG complete."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import pandas as pd
import pytest
from support import count, execute, ledger_state, pcf_rows, put_back, query, run_json, set_aside, who_played

BOSTON_ONLY, GOLDEN_STATE_ONLY, BOTH = "2023-02-27", "2023-02-28", "2023-03-01"  # BOS plays 27th, 1st; GSW 28th, 1st
DAY = "2023-02-27"  # 9 final games, UPCG complete
D = date.fromisoformat(DAY)
NAMED_TABLES = ("pgs", "upcg", "players")  # tables that carry universal_player_id beside the lookup
COMPARED = (
    "game_date, universal_player_id, player_lookup, game_id, team_abbr, opponent_team_abbr, "
    "fatigue_score, shot_zone_mismatch_score, pace_score, usage_spike_score, total_composite_adjustment, "
    "data_completeness_pct, missing_data_fields, warning_details, context_source"
)


def regular_on(url: str, team: str, first: str, second: str) -> tuple[str, str]:
    """(lookup, id) of the team's first player by name who played on both days."""
    players = query(
        url,
        "SELECT player_lookup, universal_player_id, count(DISTINCT game_date) AS n FROM {pgs} "
        "WHERE team_abbr = @team AND player_status = 'active' AND game_date IN (@first, @second) "
        "GROUP BY 1, 2 ORDER BY 1",
        team=team,
        first=date.fromisoformat(first),
        second=date.fromisoformat(second),
    )
    player = players[players["n"] == 2].iloc[0]
    return str(player["player_lookup"]), str(player["universal_player_id"])


def rename(url: str, player_id: str, new: str) -> None:
    """Give one player (by id) another lookup in every input that carries his id (PSZA, which has none, apart)."""
    for key in NAMED_TABLES:
        execute(
            url, f"UPDATE {{{key}}} SET player_lookup = @new WHERE universal_player_id = @id", new=new, id=player_id
        )


def date_lines(log: str) -> list[dict]:
    """The run's one JSON log line per date."""
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "date_done"]


def rows_of(url: str, first: str, second: str) -> pd.DataFrame:
    rows = query(
        url,
        f"SELECT {COMPARED} FROM {{pcf}} WHERE game_date IN (@first, @second)",
        first=date.fromisoformat(first),
        second=date.fromisoformat(second),
    )
    return rows.sort_values(["game_date", "universal_player_id"]).reset_index(drop=True)


@pytest.mark.slow
def test_two_players_sharing_a_lookup_keep_their_own_rows_and_history_and_the_date_both_play_is_blocked(warehouse):
    boston, boston_id = regular_on(warehouse.url, "BOS", BOSTON_ONLY, BOTH)
    warrior, warrior_id = regular_on(warehouse.url, "GSW", GOLDEN_STATE_ONLY, BOTH)
    days = f"{BOSTON_ONLY},{GOLDEN_STATE_ONLY}"
    assert run_json(warehouse.url, "--dates", days, "--source", "pgs")[0].exit_code == 0  # history, not UPCG
    alone = rows_of(warehouse.url, BOSTON_ONLY, GOLDEN_STATE_ONLY)
    rename(warehouse.url, warrior_id, boston)  # the Warrior now goes by the Celtic's name all season, zones too
    zones = set_aside(warehouse.url, "psza", "player_lookup IN (@a, @b)", a=boston, b=warrior)
    put_back(warehouse.url, "psza", zones.assign(player_lookup=zones["player_lookup"].replace(warrior, boston)))

    result, dates = run_json(warehouse.url, "--dates", f"{days},{BOTH}", "--source", "pgs", "--rerun", "all")

    assert result.exit_code == 3
    assert dates[BOSTON_ONLY]["status"] == dates[GOLDEN_STATE_ONLY]["status"] == "published"
    renamed = alone.assign(player_lookup=alone["player_lookup"].replace(warrior, boston))
    pd.testing.assert_frame_equal(rows_of(warehouse.url, BOSTON_ONLY, GOLDEN_STATE_ONLY), renamed)
    blocked = ledger_state(warehouse.url, BOTH)
    assert blocked["status"] == "blocked" and blocked["blocked_by"] == "identity_conflict"
    assert blocked["reason"] == f"identity_conflict {boston}: ids {', '.join(sorted([boston_id, warrior_id]))}"
    assert pcf_rows(warehouse.url, BOTH) == 0
    logged = {line["game_date"]: line for line in date_lines(result.stderr)}
    assert "hint" not in logged[BOTH]  # the shared key is the one problem named, not a UPCG row of either namesake

    forced = run_json(warehouse.url, "--dates", BOTH, "--force", "--reason", "the others may publish")[1][BOTH]
    assert forced["status"] == "published" and forced["forced"]  # everyone else; neither namesake under one key
    assert pcf_rows(warehouse.url, BOTH) == who_played(warehouse.url, BOTH) - 1
    shared = "SELECT count(*) AS n FROM {pcf} WHERE game_date = @d AND player_lookup = @lookup"
    assert count(warehouse.url, shared, d=date.fromisoformat(BOTH), lookup=boston) == 0

    rename(warehouse.url, warrior_id, warrior)  # upstream repaired
    set_aside(warehouse.url, "psza", "player_lookup = @a", a=boston)
    put_back(warehouse.url, "psza", zones)
    assert run_json(warehouse.url, "--dates", BOTH, "--source", "pgs", "--rerun", "all")[0].exit_code == 0
    assert pcf_rows(warehouse.url, BOTH) == who_played(warehouse.url, BOTH)


def test_upcg_lookups_that_differ_only_in_spelling_are_named_and_the_date_publishes_everyone(warehouse):
    url = warehouse.url
    played = query(
        url,
        "SELECT u.player_lookup, u.universal_player_id FROM {upcg} AS u JOIN {pgs} AS p "
        "ON p.game_date = u.game_date AND p.universal_player_id = u.universal_player_id "
        "WHERE u.game_date = @d AND p.player_status = 'active' ORDER BY 1 LIMIT 5",
        d=D,
    )
    (accented, accented_id), upper, blank = played.iloc[0], played.iloc[1:3], played.iloc[3:5]
    rename(url, accented_id, accented + "č")  # the box scores' lookup is NFC
    execute(url, "UPDATE {psza} SET player_lookup = @new WHERE player_lookup = @old", new=accented + "č", old=accented)
    nfd = unicodedata.normalize("NFD", accented + "č")
    execute(
        url,
        "UPDATE {upcg} SET player_lookup = @nfd WHERE game_date = @d AND universal_player_id = @id",
        nfd=nfd,
        d=D,
        id=accented_id,
    )
    for spelled, ids in (("upper(player_lookup)", upper), ("player_lookup || ' '", blank)):
        execute(
            url,
            f"UPDATE {{upcg}} SET player_lookup = {spelled} WHERE game_date = @d AND universal_player_id IN (@a, @b)",
            d=D,
            a=ids.iloc[0, 1],
            b=ids.iloc[1, 1],
        )

    result, dates = run_json(url, "--dates", DAY)

    assert result.exit_code == 0, result.output
    verdict = ledger_state(url, DAY)
    assert verdict["upcg_state"] == "upcg_partial" and verdict["context_source"] == "pgs_synthetic"
    reason = dates[DAY]["source_reason"]
    assert "; 5 lookups differ only in spelling: " in reason and ascii(nfd) in reason
    assert all(f"'{name.upper()}' for {name}" in reason for name in upper["player_lookup"])
    assert pcf_rows(url, DAY) == who_played(url, DAY) == dates[DAY]["expected_players"]
    logged = date_lines(result.stderr)
    assert [line["reason"] for line in logged] == [reason]  # the log line names them too, and says what to do
    assert "fix its lookups upstream" in logged[0]["hint"]

    execute(url, "UPDATE {upcg} SET player_lookup = trim(lower(player_lookup)) WHERE game_date = @d", d=D)
    execute(
        url,
        "UPDATE {upcg} SET player_lookup = @nfc WHERE game_date = @d AND universal_player_id = @id",
        nfc=accented + "č",
        d=D,
        id=accented_id,
    )
    result, dates = run_json(url, "--dates", DAY, "--rerun", "all")
    assert result.exit_code == 0 and dates[DAY]["context_source"] == "upcg"
    assert ledger_state(url, DAY)["upcg_state"] == "upcg_complete"
    assert pcf_rows(url, DAY) == who_played(url, DAY)
