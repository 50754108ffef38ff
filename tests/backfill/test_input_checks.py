"""What a stale date says changed (SPEC §6.10), as a pure function of the recorded and current digests' counts."""

from __future__ import annotations

from datetime import date

import pytest

from backfill.pipeline.input_checks import Change, InputCheck
from vocabulary import InputState

DAY = date(2023, 3, 3)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (Change("pgs", DAY, "20230303_BOS_NYK", None, 24), "pgs game 20230303_BOS_NYK added (24 rows)"),
        (Change("schedule", DAY, "20230303_BOS_NYK", 1, None), "schedule game 20230303_BOS_NYK removed (1 row)"),
        (Change("pgs", DAY, "20230303_BOS_NYK", 24, 25), "pgs game 20230303_BOS_NYK changed (24 → 25 rows)"),
        (Change("psza", DAY, "", 180, 180), "psza changed (180 rows)"),
        (
            Change("pgs_minutes", date(2023, 2, 27), "20230227_ATL_BOS", 30, 30),
            "pgs minutes history changed on 2023-02-27 (game 20230227_ATL_BOS, 30 rows)",
        ),
        (
            Change("tgs", date(2023, 2, 27), "20230227_ATL_BOS", None, 2),
            "tgs history changed on 2023-02-27 (game 20230227_ATL_BOS added, 2 rows)",
        ),
    ],
    ids=["game added", "game removed", "rows changed", "a day's rows", "history", "history added"],
)
def test_each_change_names_the_input_the_day_the_game_and_how(change, words):
    assert change.words(DAY) == words


def test_a_stale_date_names_the_version_first_then_its_own_games_then_the_newest_history():
    changes = (
        Change("pgs_minutes", date(2023, 2, 27), "g1", 30, 30),
        Change("pgs", DAY, "g3", None, 24),
        Change("pgs_minutes", date(2023, 3, 1), "g2", 30, 30),
        Change("tgs", date(2023, 2, 20), "g0", 2, 2),
    )
    check = InputCheck(DAY, InputState.STALE, changes, ("0.9.0", "1.0.0"))
    assert check.reason == (
        "calculation_version 0.9.0 → 1.0.0; pgs game g3 added (24 rows); "
        "pgs minutes history changed on 2023-03-01 (game g2, 30 rows); "
        "pgs minutes history changed on 2023-02-27 (game g1, 30 rows); 1 more changes"
    )
    assert check.changed_parts == ["calculation_version", "pgs", "pgs_minutes", "tgs"]


def test_fresh_dates_say_nothing_and_unverified_ones_say_how_to_verify_them():
    assert InputCheck(DAY, InputState.FRESH).reason is None
    assert "validate --recompute" in str(InputCheck(DAY, InputState.UNVERIFIED).reason)
    assert InputCheck(DAY, InputState.STALE, differing_rows=2).reason == "recomputed values differ in 2 rows"
