"""The box score must add up (SPEC §6.8), and team stats are gated like box scores: a box score loaded in part,
a game without its team lines, a team's pace history with lines missing and a team abbreviation that differs
between feeds each block the date with nothing of it published, the verdict naming the input; once the input
is repaired the next run publishes everyone."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from support import execute, ledger_state, pcf_rows, put_back, query, run_json, set_aside, who_played

from vocabulary import BlockedBy

DAY = "2023-02-27"  # 9 final games (20230227_BKN_DAL among them), UPCG complete
D = date.fromisoformat(DAY)
WEEK_BEFORE = D - timedelta(days=7)
BENCH_OF_EACH_TEAM = """game_date = @d AND player_lookup IN (  -- one game a player a date
    SELECT player_lookup FROM (
        SELECT game_id, player_lookup, row_number() OVER (
            PARTITION BY game_id, team_abbr ORDER BY minutes_played DESC, player_lookup) AS rank
        FROM {pgs} WHERE game_date = @d AND player_status = 'active')
    WHERE rank > 7)"""


def assert_blocked(url: str, result, dates: dict, cause: str, reason: str) -> None:  # noqa: ANN001 - click's Result
    assert result.exit_code == 3, result.output
    assert dates[DAY]["status"] == "blocked" and dates[DAY]["reason"].startswith(reason), dates[DAY]["reason"]
    verdict = ledger_state(url, DAY)
    assert verdict["status"] == "blocked" and verdict["blocked_by"] == cause
    assert pcf_rows(url, DAY) == 0


def assert_publishes_everyone(url: str, *args: str) -> None:
    result, dates = run_json(url, "--dates", DAY, *args)
    assert result.exit_code == 0 and dates[DAY]["status"] == "published", result.output
    assert pd.isna(ledger_state(url, DAY)["blocked_by"])
    assert pcf_rows(url, DAY) == who_played(url, DAY) > 200


def test_a_box_score_loaded_in_part_blocks_the_date_until_the_bench_arrives(warehouse):
    """Each team's 7 players with the most minutes kept: still more than five a side, so a headcount passes."""
    bench = set_aside(warehouse.url, "pgs", BENCH_OF_EACH_TEAM, d=D)

    result, dates = run_json(warehouse.url, "--dates", DAY)

    assert_blocked(
        warehouse.url, result, dates, BlockedBy.UPSTREAM_PARTIAL, "upstream_partial pgs: 20230227_BKN_DAL BKN points "
    )
    assert ", minutes " in dates[DAY]["reason"] and "/240" in dates[DAY]["reason"]
    put_back(warehouse.url, "pgs", bench)
    assert_publishes_everyone(warehouse.url)


def test_a_game_without_its_team_lines_blocks_the_date_as_upstream_missing_tgs(warehouse):
    lines = set_aside(warehouse.url, "tgs", "game_date = @d AND game_id = '20230227_BKN_DAL'", d=D)

    result, dates = run_json(warehouse.url, "--dates", DAY)

    assert_blocked(
        warehouse.url, result, dates, BlockedBy.UPSTREAM_MISSING, "upstream_missing tgs: games 20230227_BKN_DAL"
    )
    put_back(warehouse.url, "tgs", lines)
    assert_publishes_everyone(warehouse.url)


@pytest.mark.slow
def test_a_teams_pace_history_without_its_last_weeks_lines_blocks_the_box_score_context(warehouse):
    """Under `--source pgs` the pace is read from TGS history, so a lagging team line blocks; under `auto` the
    complete UPCG is used, and the agreement audit does not blame it for the pace the gaps would give."""
    lagging = set_aside(
        warehouse.url,
        "tgs",
        "team_abbr = 'BKN' AND game_date BETWEEN @week AND @before",
        week=WEEK_BEFORE,
        before=D - timedelta(days=1),
    )

    result, dates = run_json(warehouse.url, "--dates", DAY, "--source", "pgs")

    assert_blocked(
        warehouse.url,
        result,
        dates,
        BlockedBy.UPSTREAM_MISSING,
        f"upstream_missing tgs history: BKN {len(lagging)} games",
    )
    result, dates = run_json(warehouse.url, "--dates", DAY)
    assert result.exit_code == 0 and dates[DAY]["context_source"] == "upcg", dates[DAY]
    assert ledger_state(warehouse.url, DAY)["upcg_state"] == "upcg_complete"
    put_back(warehouse.url, "tgs", lagging)
    assert_publishes_everyone(warehouse.url, "--source", "pgs", "--rerun", "all")


def test_a_team_abbreviation_that_differs_between_the_box_scores_and_tgs_is_named(warehouse):
    renamed = execute(warehouse.url, "UPDATE {tgs} SET team_abbr = 'BRK' WHERE team_abbr = 'BKN'")
    execute(warehouse.url, "UPDATE {tgs} SET opponent_team_abbr = 'BRK' WHERE opponent_team_abbr = 'BKN'")
    assert renamed > 0

    result, dates = run_json(warehouse.url, "--dates", DAY)

    assert_blocked(
        warehouse.url,
        result,
        dates,
        BlockedBy.UPSTREAM_PARTIAL,
        "upstream_partial tgs: BKN in pgs, BRK in tgs (20230227_BKN_DAL)",
    )
    execute(warehouse.url, "UPDATE {tgs} SET team_abbr = 'BKN' WHERE team_abbr = 'BRK'")
    execute(warehouse.url, "UPDATE {tgs} SET opponent_team_abbr = 'BKN' WHERE opponent_team_abbr = 'BRK'")
    assert_publishes_everyone(warehouse.url)


def test_a_player_listed_twice_blocks_the_date_naming_him(warehouse):
    twice = query(
        warehouse.url,
        "SELECT * FROM {pgs} WHERE game_id = '20230227_BKN_DAL' AND player_status = 'active' "
        "ORDER BY player_lookup LIMIT 1",
    )
    put_back(warehouse.url, "pgs", twice)

    result, dates = run_json(warehouse.url, "--dates", DAY)

    player = twice["player_lookup"].iloc[0]
    assert_blocked(
        warehouse.url,
        result,
        dates,
        BlockedBy.UPSTREAM_PARTIAL,
        f"upstream_partial pgs: duplicate rows 20230227_BKN_DAL {player} ×2",
    )
