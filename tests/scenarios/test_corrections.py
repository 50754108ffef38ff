"""Published dates stay true to their inputs (SPEC §6.10): a correction upstream stales exactly the dates whose
windows read it, the nightly catch-up republishes them by itself, and nothing else moves. Each scenario runs on
both backends, on the first weeks of the 2022-23 demo season (the catch-up covers the season so far)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from support import count, execute, invoke, ledger_state, pcf_rows, put_back, query, set_aside, who_played

AS_OF = "2022-11-20"  # the nightly catch-up of this day covers the season through 2022-11-19
RANGE = ("--start-date", "2022-10-18", "--end-date", "2022-11-19")
MOVED_DAY = date(2022, 11, 9)  # minutes move between two teammates on this day


def catch_up(url: str, as_of: str, *args: str) -> tuple[int, dict[str, dict]]:
    result = invoke(url, "catch-up", "--as-of", as_of, "--output", "json", *args)
    assert result.stdout.startswith("{"), result.output
    return result.exit_code, {entry["game_date"]: entry for entry in json.loads(result.stdout)["dates"]}


def inputs(url: str, *span: str) -> dict[str, tuple[str, str | None]]:
    """Per published game date of the span (default RANGE): its input state and what changed."""
    result = invoke(url, "status", *(span or RANGE), "--output", "json")
    assert result.exit_code == 0, result.output
    return {
        entry["game_date"]: (entry["inputs"], entry["inputs_reason"])
        for entry in json.loads(result.stdout)["dates"]
        if entry["inputs"]
    }


def states(url: str) -> dict[str, str]:
    return {day: state for day, (state, _) in inputs(url).items()}


def attempts(url: str) -> pd.Series:
    rows = query(url, "SELECT game_date, COUNT(*) AS n FROM {checkpoints} GROUP BY game_date")
    return rows.set_index(pd.to_datetime(rows["game_date"]).dt.strftime("%Y-%m-%d"))["n"].sort_index()


def validate(url: str, *args: str) -> tuple[int, dict]:
    result = invoke(url, "validate", *RANGE, "--output", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def move_minutes(url: str, day: date, minutes: float) -> str:
    """Move minutes from one active player to a teammate in the day's first game (the team's sum is unchanged)."""
    game = query(url, "SELECT MIN(game_id) AS g FROM {schedule} WHERE game_date = @d", d=day)["g"].iloc[0]
    team = query(
        url,
        "SELECT player_lookup, team_abbr FROM {pgs} WHERE game_id = @g AND player_status = 'active' "
        "ORDER BY team_abbr, minutes_played DESC",
        g=game,
    ).head(2)
    assert team["team_abbr"].nunique() == 1
    for player, change in zip(team["player_lookup"], (-minutes, minutes), strict=True):
        assert (
            execute(
                url,
                "UPDATE {pgs} SET minutes_played = minutes_played + @m WHERE game_id = @g AND player_lookup = @p",
                m=change,
                g=game,
                p=player,
            )
            == 1
        )
    return str(game)


def game_dates_between(url: str, first: date, last: date) -> set[str]:
    days = query(url, "SELECT DISTINCT game_date FROM {schedule} WHERE game_date BETWEEN @a AND @b", a=first, b=last)
    return set(pd.to_datetime(days["game_date"]).dt.strftime("%Y-%m-%d"))


@pytest.mark.slow
def test_a_correction_stales_exactly_the_windows_that_read_it_and_the_catch_up_republishes_them(warehouse):
    url = warehouse.url
    exit_code, first = catch_up(url, AS_OF)
    assert exit_code == 0 and {entry["status"] for entry in first.values()} == {"published", "skipped_bootstrap"}
    published = {day for day, entry in first.items() if entry["status"] == "published"}
    assert states(url) == dict.fromkeys(published, "fresh") == states(url)  # no false staleness, twice in a row

    # an old warehouse: its dates were published before fingerprints existed
    for key in ("inputs", "fingerprints"):
        execute(url, f"DROP TABLE {{{key}}}")
    assert invoke(url, "init").exit_code == 0  # migrates it in place
    assert set(states(url).values()) == {"unverified"}
    exit_code, document = validate(url)
    assert exit_code == 3 and all(row["problems"] == ["unverified"] for row in document["problems"])
    assert document["repair_commands"][0].endswith("validate --recompute --start-date 2022-11-01 --end-date 2022-11-19")
    exit_code, document = validate(url, "--recompute")
    assert exit_code == 0, document
    assert document["recompute"]["differing"] == [] and len(document["recompute"]["matching"]) == len(published)
    assert set(states(url).values()) == {"fresh"}  # adopted

    game = move_minutes(url, MOVED_DAY, 3.0)
    window = game_dates_between(url, MOVED_DAY, MOVED_DAY + timedelta(days=6)) & published
    found = inputs(url)
    assert {day for day, (state, _) in found.items() if state == "stale"} == window
    assert found["2022-11-12"][1] == f"pgs minutes history changed on 2022-11-09 (game {game}, 30 rows)"
    exit_code, document = validate(url)
    assert exit_code == 3 and {row["game_date"] for row in document["problems"]} == window
    assert document["repair_commands"][0].endswith("--rerun stale")
    before = attempts(url)

    exit_code, republished = catch_up(url, AS_OF)

    assert exit_code == 0 and set(republished) == window
    assert all(entry["inputs_changed"].startswith("pgs minutes") for entry in republished.values())
    grown = attempts(url) - before
    assert set(grown[grown > 0].index) == window and grown.max() == 1  # no other date was touched
    assert set(states(url).values()) == {"fresh"}
    exit_code, document = validate(url, "--recompute")  # the published rows are what a clean backfill gives
    assert exit_code == 0 and document["recompute"]["differing"] == []

    # new factor math: every date computed by the older version is stale until rerun
    execute(
        url,
        "UPDATE {pcf} SET calculation_version = '0.9.0' WHERE game_date BETWEEN @a AND @b",
        a=date(2022, 11, 1),
        b=date(2022, 11, 19),
    )
    assert set(inputs(url).values()) == {("stale", "calculation_version 0.9.0 → 1.0.0")}
    result = invoke(url, "run", *RANGE, "--rerun", "stale", "--output", "json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)["dates"]) == len(published)
    assert set(states(url).values()) == {"fresh"}


LATE_DAY, GAP_DAY, DNP_DAY = date(2022, 11, 15), date(2022, 11, 3), date(2022, 11, 10)


def make_active(url: str, day: date) -> tuple[str, str]:
    """A DNP corrected to active: four minutes moved to him from a teammate, so the box score still adds up."""
    dnp = query(
        url,
        "SELECT game_id, team_abbr, player_lookup FROM {pgs} WHERE game_date = @d "
        "AND player_status = 'dnp' ORDER BY game_id, player_lookup",
        d=day,
    ).iloc[0]
    giver = query(
        url,
        "SELECT player_lookup FROM {pgs} WHERE game_id = @g AND team_abbr = @t AND "
        "player_status = 'active' ORDER BY minutes_played DESC",
        g=dnp["game_id"],
        t=dnp["team_abbr"],
    )["player_lookup"].iloc[0]
    execute(
        url,
        "UPDATE {pgs} SET minutes_played = minutes_played - 4 WHERE game_id = @g AND player_lookup = @p",
        g=dnp["game_id"],
        p=giver,
    )
    execute(
        url,
        "UPDATE {pgs} SET player_status = 'active', minutes_played = 4, points = 0, usage_rate = 12.0, "
        "fga_paint = 0, fgm_paint = 0, fga_mid = 0, fgm_mid = 0, fga_three = 0, fgm_three = 0 "
        "WHERE game_id = @g AND player_lookup = @p",
        g=dnp["game_id"],
        p=dnp["player_lookup"],
    )
    return str(dnp["game_id"]), str(dnp["player_lookup"])


@pytest.mark.slow
def test_late_rows_a_dnp_corrected_to_active_and_an_old_gap_are_published_by_the_nightly_catch_up(warehouse):
    url = warehouse.url
    game = query(url, "SELECT MIN(game_id) AS g FROM {schedule} WHERE game_date = @d", d=LATE_DAY)["g"].iloc[0]
    late = {key: set_aside(url, key, "game_id = @g", g=game) for key in ("schedule", "pgs", "tgs")}
    psza = set_aside(url, "psza", "analysis_date = @d", d=GAP_DAY)  # blocks it while `--zones tables`

    exit_code, night = catch_up(url, "2022-11-16", "--lookback-days", "3", "--zones", "tables")

    assert exit_code == 3 and night[str(GAP_DAY)]["blocked_by"] == "upstream_missing"
    assert night[str(GAP_DAY)]["reason"] == "upstream_missing psza"  # it names the table
    assert night[str(GAP_DAY)]["status"] == "blocked" and night[str(LATE_DAY)]["status"] == "published"
    partial = pcf_rows(url, str(LATE_DAY))
    for key, rows in late.items():  # the game arrives a night late
        put_back(url, key, rows)
    assert who_played(url, str(LATE_DAY)) > partial
    state, reason = inputs(url)[str(LATE_DAY)]
    assert state == "stale" and reason.startswith(f"pgs game {game} added (")

    exit_code, night = catch_up(url, "2022-11-17", "--lookback-days", "3", "--zones", "tables")

    assert exit_code == 3 and night[str(GAP_DAY)]["status"] == "blocked"  # older than the lookback, still reported
    assert night[str(LATE_DAY)]["status"] == "published"
    assert night[str(LATE_DAY)]["inputs_changed"].startswith(f"pgs game {game} added")
    assert pcf_rows(url, str(LATE_DAY)) == who_played(url, str(LATE_DAY))

    dnp_game, player = make_active(url, DNP_DAY)
    put_back(url, "psza", psza)
    played = who_played(url, str(DNP_DAY))

    exit_code, night = catch_up(url, "2022-11-18", "--lookback-days", "3")  # zones rebuilt as needed (auto)

    assert exit_code == 0, night
    assert night[str(GAP_DAY)]["status"] == "published"
    assert night[str(DNP_DAY)]["status"] == "published" and night[str(DNP_DAY)]["inputs_changed"].startswith(
        f"pgs game {dnp_game} changed"
    )
    assert pcf_rows(url, str(DNP_DAY)) == played
    assert (
        count(url, "SELECT COUNT(*) AS n FROM {pcf} WHERE game_date = @d AND player_lookup = @p", d=DNP_DAY, p=player)
        == 1
    )
    latest = ledger_state(url, str(DNP_DAY))
    assert not latest["allowed_regression"] and not latest["forced"]  # a correction, no flags
    assert set(states(url).values()) == {"fresh"}
