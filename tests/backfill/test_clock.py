"""'Today' is the real clock in America/New_York: the test-only override replays the past, never the future,
and `cleanup --execute` never reads it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import invoke, said

import backfill.cli
from backfill.dates import league_today

UPCG_NEAR_TODAY = "SELECT count(*) AS n FROM {upcg} WHERE game_date >= @cutoff"


def add_upcg_rows_around_today(wh) -> None:  # type: ignore[no-untyped-def]
    """Copies of a few UPCG rows dated real today−5 … tomorrow: none of them is stale."""
    today = league_today()
    for day in (today - timedelta(days=5), today, today + timedelta(days=1)):
        wh.execute("INSERT INTO {upcg} SELECT * REPLACE (@day AS game_date) FROM {upcg} LIMIT 5", {"day": day})


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_today_after_the_real_today_is_refused(demo_db, how):
    before = demo_db.read_bytes()
    future = (league_today() + timedelta(days=1)).isoformat()
    option, env = (future, None) if how == "option" else (None, {"PCF_TODAY": future})
    result = invoke(demo_db, "cleanup", "--execute", "--no-backup", today=option, env=env)
    assert result.exit_code == 2, result.output
    assert "--today" in result.output and "real today" in result.output
    assert len(said(result.output)) == 1
    assert demo_db.read_bytes() == before


def test_cleanup_execute_judges_staleness_by_the_real_today(demo_db, open_db):
    wh = open_db(demo_db)
    add_upcg_rows_around_today(wh)
    cutoff = {"cutoff": league_today() - timedelta(days=7)}
    assert wh.query(UPCG_NEAR_TODAY, cutoff)["n"].iat[0] == 15
    wh.close()
    pinned = "2022-11-01"  # with this 'today', every 2022-23 row after 2022-10-25 would be kept
    result = invoke(demo_db, "cleanup", "--execute", "--no-backup", "--output", "json", today=pinned)
    assert result.exit_code == 0, result.output
    wh = open_db(demo_db)
    assert wh.query(UPCG_NEAR_TODAY, cutoff)["n"].iat[0] == 15, "rows of the last 7 days and the future are kept"
    assert wh.query("SELECT count(*) AS n FROM {upcg} WHERE game_date < @cutoff", cutoff)["n"].iat[0] == 0


def test_pcf_debug_shows_the_traceback_of_an_unexpected_error(demo_db, monkeypatch):
    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(backfill.api, "status", broken)  # the one core call `status` makes
    status = ("status", "--start-date", "2023-02-01", "--end-date", "2023-02-02")
    quiet = invoke(demo_db, *status, today="2023-03-01")
    loud = invoke(demo_db, *status, today="2023-03-01", env={"PCF_DEBUG": "1"})
    assert quiet.exit_code == loud.exit_code == 1
    assert "Traceback" not in quiet.output and "rerun with --debug" in quiet.output
    assert "Traceback" in loud.output and "something nobody expected" in loud.output
