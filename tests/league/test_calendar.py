"""The calendar comes from the schedule (SPEC §6.8): seasons start at the schedule's openers, never at a month; a
date belongs to the latest season whose first game is on or before it; a few mislabelled games move nothing."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from league.calendar import Calendar, calendar_of


def games(first: date, last: date, season: int | None, kind: str = "regular", every: int = 2) -> list[dict]:
    """One schedule-day row (as SCHEDULE_DAYS_SQL returns them) every `every` days from first to last."""
    days = [first + timedelta(days=offset) for offset in range(0, (last - first).days + 1, every)]
    return [
        {"game_date": day, "season": season, "scheduled": 5, "regular": 5 if kind == "regular" else 0} for day in days
    ]


# 2019-20: paused on 2020-03-11, resumed in the bubble on 2020-07-30, Finals until 2020-10-11; 2020-21 opened on
# 2020-12-22 and ended in July 2021; 2021-22 opened on 2021-10-19.
REAL = calendar_of(
    [
        *games(date(2019, 10, 22), date(2020, 3, 11), 2019),
        *games(date(2020, 7, 30), date(2020, 8, 14), 2019),
        *games(date(2020, 8, 17), date(2020, 10, 11), 2019, "playoff"),
        *games(date(2020, 12, 22), date(2021, 5, 16), 2020),
        *games(date(2021, 5, 22), date(2021, 7, 20), 2020, "playoff"),
        *games(date(2021, 10, 19), date(2022, 4, 10), 2021),
    ]
)


def test_a_season_that_ends_in_august_keeps_its_autumn_games_and_the_next_starts_at_its_opener():
    assert [(s.season, s.first_game, s.opener) for s in REAL.seasons] == [
        (2019, date(2019, 10, 22), date(2019, 10, 22)),
        (2020, date(2020, 12, 22), date(2020, 12, 22)),
        (2021, date(2021, 10, 19), date(2021, 10, 19)),
    ]
    for day in (date(2020, 7, 30), date(2020, 8, 20), date(2020, 10, 11), date(2020, 12, 21)):
        assert REAL.season_of(day) == 2019
        assert REAL.history_start(day) == date(2019, 10, 22)
    assert REAL.season_of(date(2021, 7, 20)) == 2020  # 2020-21's Finals in July belong to it too
    assert REAL.history_start(date(2021, 1, 10)) == date(2020, 12, 22)  # never the August-ending games before it


def test_the_bootstrap_window_is_the_fourteen_days_from_the_opener():
    assert not REAL.in_bootstrap(date(2020, 7, 30))  # the bubble's restart is no opener
    assert not REAL.in_bootstrap(date(2020, 8, 22))
    assert REAL.in_bootstrap(date(2020, 12, 22)) and REAL.in_bootstrap(date(2021, 1, 4))
    assert not REAL.in_bootstrap(date(2021, 1, 5))


def test_vectorised_seasons_are_the_same_as_one_by_one():
    days = [date(2019, 10, 1), date(2019, 10, 22), date(2020, 9, 1), date(2020, 12, 22), date(2022, 8, 1)]
    found = REAL.season_numbers(np.array(days, dtype="datetime64[D]"))
    assert found.tolist() == [-1, 2019, 2019, 2020, 2021]
    assert [REAL.season_of(day) for day in days] == [None, 2019, 2019, 2020, 2021]


@pytest.mark.parametrize(
    "mislabelled",
    [date(2023, 2, 27), date(2023, 4, 9), date(2022, 10, 18)],
    ids=["mid-season", "the-newest-date", "the-opener"],
)
def test_a_mislabelled_date_cannot_move_a_season_boundary_or_hide_a_date(mislabelled):
    rows = games(date(2022, 10, 18), date(2023, 4, 9), 2022, every=1)
    for row in rows:
        if row["game_date"] == mislabelled:
            row["season"] = 2023
    calendar = calendar_of(rows)
    assert [(s.season, s.opener) for s in calendar.seasons] == [(2022, date(2022, 10, 18))]
    assert calendar.season_of(mislabelled) == 2022 and calendar.history_start(mislabelled) == date(2022, 10, 18)
    assert calendar.in_bootstrap(mislabelled) == (mislabelled == date(2022, 10, 18))


def test_a_schedule_without_labels_still_has_seasons_at_its_long_breaks():
    calendar = calendar_of(
        [*games(date(2021, 10, 19), date(2022, 4, 10), None), *games(date(2022, 10, 18), date(2023, 4, 9), None)]
    )
    assert [(s.season, s.first_game) for s in calendar.seasons] == [
        (2021, date(2021, 10, 19)),
        (2022, date(2022, 10, 18)),
    ]


def test_a_season_without_regular_games_has_no_bootstrap_window():
    calendar = calendar_of(games(date(2023, 4, 15), date(2023, 6, 12), 2022, "playoff"))
    assert calendar.seasons[0].opener is None and not calendar.in_bootstrap(date(2023, 4, 15))
    assert Calendar().season_of(date(2023, 1, 1)) is None


def test_a_day_in_a_season_the_schedule_does_not_know_is_named():
    calendar = calendar_of(
        [*games(date(2021, 10, 19), date(2022, 6, 16), 2021), *games(date(2023, 10, 24), date(2024, 6, 17), 2023)]
    )
    assert calendar.unscheduled_season(date(2022, 12, 1)) == "2022-23"
    assert calendar.unscheduled_season(date(2023, 6, 30)) == "2022-23"
    assert calendar.unscheduled_season(date(2022, 8, 1)) is None  # the off-season
    assert calendar.unscheduled_season(date(2022, 2, 20)) is None  # a break inside a known season
    assert calendar.unscheduled_season(date(2024, 11, 1)) == "2024-25"  # beyond the newest season
