"""Reconciliation (SPEC §6.7, `validate`) as a pure function: per date, facts of the tables in, the checks a date
fails out. Each check of `CHECKS` has a case; a clean date and a date that is no game date have none."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from validation.reconcile import CHECKS, needs_attention, needs_recompute, reconcile, repair_mode


def facts(**changed: object) -> dict[str, Any]:
    """One published game date whose table and ledger agree, unless `changed` says otherwise."""
    row: dict[str, object] = {
        "game_date": date(2023, 2, 25),
        "is_game_date": True,
        "bootstrap": False,
        "games": 9,
        "last_status": "published",
        "expected_players": 187,
        "pcf_rows": 187,
        "pcf_players": 187,
        "published_coverage": 1.0,
        "ever_published": True,
        "ledger_published_players": 187,
        "rows_for_non_players": 0,
        "rows_out_of_range": 0,
    }
    row.update(changed)
    return row


def problems(**changed: object) -> list[str]:
    return reconcile([facts(**changed)], min_coverage=0.90)[0]["problems"]


CASES = {
    "not_published": {
        "pcf_rows": 0,
        "pcf_players": 0,
        "published_coverage": 0.0,
        "last_status": "blocked",
        "ever_published": False,
        "ledger_published_players": 0,
    },
    "duplicates": {"pcf_rows": 190},
    "rows_without_ledger": {"ever_published": False, "ledger_published_players": 0},
    "ledger_published_rows_missing": {
        "pcf_rows": 90,
        "pcf_players": 90,
        "published_coverage": 0.95,
        "expected_players": 95,
    },
    "coverage_below_bar": {"published_coverage": 0.5},
    "rows_for_non_players": {"rows_for_non_players": 20},
    "values_out_of_range": {"rows_out_of_range": 1},
    "published_without_players": {"expected_players": 0},
    "bootstrap_with_rows": {"bootstrap": True},
    "skipped_but_not_bootstrap": {"last_status": "skipped_bootstrap"},
    "stale_inputs": {"inputs": "stale"},
    "unverified": {"inputs": "unverified"},
}


def test_every_check_has_a_case():
    assert set(CASES) == set(CHECKS)


@pytest.mark.parametrize(("check", "changed"), CASES.items(), ids=list(CASES))
def test_each_check_names_its_date(check, changed):
    assert check in problems(**changed)


def test_a_clean_date_and_a_day_without_games_need_nothing():
    assert problems() == []
    off_day = problems(
        is_game_date=False,
        games=0,
        last_status=None,
        expected_players=0,
        pcf_rows=0,
        pcf_players=0,
        published_coverage=float("nan"),
        ever_published=False,
        ledger_published_players=0,
    )
    assert off_day == []


def test_a_bootstrap_date_without_rows_is_fine():
    assert (
        problems(
            bootstrap=True,
            last_status="skipped_bootstrap",
            pcf_rows=0,
            pcf_players=0,
            ever_published=False,
            ledger_published_players=0,
        )
        == []
    )


def test_wrong_published_rows_are_recomputed_and_missing_ones_just_run():
    report = reconcile([facts(rows_for_non_players=3), facts(**CASES["not_published"])], 0.90)
    assert [row["problems"] for row in needs_attention(report)] == [["rows_for_non_players"], ["not_published"]]
    assert [needs_recompute(row["problems"]) for row in report] == [True, False]


@pytest.mark.parametrize(
    ("changed", "mode"),
    [
        ({"inputs": "stale"}, "stale"),
        ({"inputs": "unverified"}, "verify"),
        ({"inputs": "fresh"}, None),
        ({"inputs": "stale", "rows_out_of_range": 1}, "all"),
    ],
    ids=["stale", "unverified", "fresh", "stale-and-wrong"],
)
def test_stale_dates_are_rerun_as_stale_and_unverified_ones_checked(changed, mode):
    found = problems(**changed)
    assert (repair_mode(found) if found else None) == mode
