"""Zone tables agree with the box scores, and fall back to them (SPEC §6.8): a PSZA table one game behind, or
including the date's own game, blocks under `--zones tables` (the rows count as missing, the verdict says which
way they are off) and publishes under `--zones auto` with the rows built from the box scores, equal to a clean
run's; a range without zone tables publishes under auto; once the table is repaired nothing is built."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from support import ledger_state, pcf_rows, published_rows, put_back, query, run_json, set_aside, who_played

DATES = ("2023-02-27", "2023-02-28")
RANGE = ("--dates", ",".join(DATES))
FIRST, LAST = date.fromisoformat(DATES[0]), date.fromisoformat(DATES[-1])
IN_RANGE = "analysis_date BETWEEN @first AND @last"
WARNINGS = ["warning_details", "has_warnings"]  # what says a row's zone inputs came from the box scores


def shift_psza(url: str, games: int) -> pd.DataFrame:
    """Replace the range's PSZA rows with each player's row `games` games away (1: the previous game's, as a table
    lagging one game would hold; -1: the next game's, which includes the date's own game). Returns the originals."""
    every = query(url, "SELECT * FROM {psza} WHERE analysis_date <= @end", end=date(2023, 4, 30))
    every = every.sort_values(["player_lookup", "analysis_date"])
    values = [column for column in every.columns if column not in ("player_lookup", "analysis_date")]
    moved = every.assign(**{column: every.groupby("player_lookup")[column].shift(games) for column in values})
    in_range = moved["analysis_date"].between(pd.Timestamp(FIRST), pd.Timestamp(LAST))
    originals = set_aside(url, "psza", IN_RANGE, first=FIRST, last=LAST)
    put_back(url, "psza", moved[in_range & moved["games_in_sample"].notna()])
    return originals


def without_warnings(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.drop(columns=WARNINGS)


def built_rows(url: str) -> int:
    return int(
        query(url, "SELECT count(*) AS n FROM {pcf} WHERE warning_details LIKE '%ZONE_FROM_BOX_SCORES%'")["n"].iloc[0]
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("games", "which_way"), [(1, "one game behind"), (-1, "includes the date's own game")], ids=["lagging", "leaking"]
)
def test_a_psza_table_off_by_a_game_blocks_under_tables_and_is_rebuilt_under_auto(warehouse, games, which_way):
    assert run_json(warehouse.url, *RANGE)[0].exit_code == 0
    clean = published_rows(warehouse.url)
    assert built_rows(warehouse.url) == 0  # the demo's tables agree with its box scores
    originals = shift_psza(warehouse.url, games)

    result, dates = run_json(warehouse.url, *RANGE, "--rerun", "all", "--zones", "tables")

    assert result.exit_code == 3, result.output
    for day in DATES:
        assert dates[day]["status"] == "blocked"
        assert dates[day]["blocked_by"] == ledger_state(warehouse.url, day)["blocked_by"] == "upstream_partial"
        assert "psza " in dates[day]["reason"] and which_way in dates[day]["reason"]  # the table, and which way
        assert dates[day]["zone_rows_built"] == 0
    pd.testing.assert_frame_equal(published_rows(warehouse.url), clean)  # nothing of the blocked dates replaced

    result, dates = run_json(warehouse.url, *RANGE, "--rerun", "all")  # --zones auto

    assert result.exit_code == 0, result.output
    for day in DATES:
        verdict, state = dates[day], ledger_state(warehouse.url, day)
        assert verdict["status"] == "published" and pcf_rows(warehouse.url, day) == who_played(warehouse.url, day)
        assert verdict["zone_rows_built"] > 0.8 * verdict["expected_players"]
        assert state["zone_rows_built"] == verdict["zone_rows_built"]
        assert f"rows disagree with box scores ({which_way}" in state["reason"]
        assert f"{verdict['zone_rows_built']} zone rows built from box scores (psza " in state["reason"]
    assert built_rows(warehouse.url) == sum(dates[day]["zone_rows_built"] for day in DATES)
    pd.testing.assert_frame_equal(without_warnings(published_rows(warehouse.url)), without_warnings(clean))

    set_aside(warehouse.url, "psza", IN_RANGE, first=FIRST, last=LAST)
    put_back(warehouse.url, "psza", originals)  # upstream repaired the table
    result, dates = run_json(warehouse.url, *RANGE, "--rerun", "all")
    assert result.exit_code == 0 and all(dates[day]["zone_rows_built"] == 0 for day in DATES)
    pd.testing.assert_frame_equal(published_rows(warehouse.url), clean)


@pytest.mark.slow
def test_a_range_without_zone_tables_publishes_from_the_box_scores_under_auto(warehouse):
    assert run_json(warehouse.url, *RANGE)[0].exit_code == 0
    clean = published_rows(warehouse.url)
    for key in ("psza", "tdza"):
        set_aside(warehouse.url, key, IN_RANGE, first=FIRST, last=LAST)

    result, dates = run_json(warehouse.url, *RANGE, "--rerun", "all", "--zones", "tables")
    assert result.exit_code == 3
    assert all(dates[day]["blocked_by"] == "upstream_missing" and "psza" in dates[day]["reason"] for day in DATES)

    result, dates = run_json(warehouse.url, *RANGE, "--rerun", "all")

    assert result.exit_code == 0, result.output
    for day in DATES:
        assert dates[day]["status"] == "published" and dates[day]["zone_rows_built"] > dates[day]["expected_players"]
    assert built_rows(warehouse.url) == len(clean)  # every row read a zone row built from the box scores
    pd.testing.assert_frame_equal(without_warnings(published_rows(warehouse.url)), without_warnings(clean))
