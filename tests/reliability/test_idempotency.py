"""Idempotency: the same range run three times (`--rerun all` the second and third time) publishes the same rows —
the same data_hash set, one row per key, identical contents but for run_id and processed_at — while the ledger's
history grows by one verdict per game date per run and every date's current state stays what it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from consistency import current_states, ledger_problems
from support import invoke, opened, published_rows

RANGE = ("--start-date", "2023-02-01", "--end-date", "2023-03-15", "--chunk-days", "10")
STATE = ["status", "published_players", "context_source", "reason", "blocked_by"]


def snapshot(db: Path) -> tuple[pd.DataFrame, int, pd.DataFrame, list[str]]:
    """Current states (without who wrote them), ledger rows so far, run records, ledger problems."""
    wh = opened(db)
    try:
        states = current_states(wh)
        history = int(wh.query("SELECT count(*) AS n FROM {checkpoints}")["n"].iloc[0])
        runs = wh.query("SELECT run_id, exit_code, dates_published FROM {runs} ORDER BY started_at")
        return states[STATE], history, runs, ledger_problems(wh)
    finally:
        wh.close()


@pytest.mark.slow
def test_three_runs_of_one_range_publish_identical_rows(demo_db):
    outcomes = []
    for rerun in ((), ("--rerun", "all"), ("--rerun", "all")):
        result = invoke(demo_db, "run", *RANGE, *rerun)
        assert result.exit_code == 0, result.output
        outcomes.append((published_rows(demo_db), *snapshot(demo_db)))

    (first_rows, first_states, first_history, _, _) = outcomes[0]
    game_dates = len(first_states)
    assert game_dates > 30 and first_history == game_dates
    for number, (rows, states, history, runs, problems) in enumerate(outcomes, start=1):
        assert problems == []
        assert rows[["game_date", "player_lookup"]].duplicated().sum() == 0
        assert set(zip(rows["game_date"], rows["player_lookup"], rows["data_hash"], strict=True)) == set(
            zip(first_rows["game_date"], first_rows["player_lookup"], first_rows["data_hash"], strict=True)
        )
        pd.testing.assert_frame_equal(rows, first_rows)
        pd.testing.assert_frame_equal(states, first_states)
        assert history == number * game_dates, "one more verdict per game date per run"
        assert len(runs) == number and (runs["exit_code"] == 0).all()
        assert (runs["dates_published"] == runs["dates_published"].iloc[0]).all()


def test_a_rerun_over_worse_data_keeps_the_published_rows_and_validate_names_them_stale(demo_db):
    day = ("--start-date", "2023-03-01", "--end-date", "2023-03-01")
    assert invoke(demo_db, "run", *day).exit_code == 0
    before = published_rows(demo_db)
    wh = opened(demo_db)
    wh.execute("DELETE FROM {upcg} WHERE game_date = DATE '2023-03-01' AND hash(player_lookup) % 20 = 0")
    wh.close()

    worse = invoke(demo_db, "run", *day, "--source", "upcg", "--rerun", "all")
    assert worse.exit_code == 3, worse.output
    states, history, _, _ = snapshot(demo_db)
    assert states["status"].tolist() == ["blocked"] and states["blocked_by"].tolist() == ["regression"]
    assert history == 2
    pd.testing.assert_frame_equal(published_rows(demo_db), before)
    validated = invoke(demo_db, "validate", *day, "--output", "json")
    # the rows are intact; what validate names is that they no longer match their (worse) inputs
    assert validated.exit_code == 3, validated.output
    [problem] = json.loads(validated.stdout)["problems"]
    assert problem["problems"] == ["stale_inputs"] and problem["inputs"] == "stale"
    assert problem["inputs_reason"].startswith("upcg game ")  # what changed, named
    assert problem["blocked_by"] == "regression"  # the last attempt's verdict, as data
    status = json.loads(invoke(demo_db, "status", *day, "--output", "json").stdout)
    [state] = status["dates"]
    assert state["blocked_by"] == "regression" and state["last_attempt"]["status"] == "blocked"
    assert (state["inputs"], state["inputs_reason"]) == (problem["inputs"], problem["inputs_reason"])
    assert status["newest_published"] == "2023-03-01"


def test_a_dates_rows_do_not_depend_on_where_its_chunk_ends(demo_file, tmp_path):
    rows = []
    for end in ("2022-11-15", "2022-11-25"):
        db = tmp_path / f"to_{end}.duckdb"
        shutil.copy(demo_file, db)
        assert invoke(db, "run", "--start-date", "2022-11-15", "--end-date", end).exit_code == 0
        published = published_rows(db)
        rows.append(published[published["game_date"] == "2022-11-15"].reset_index(drop=True))
    pd.testing.assert_frame_equal(rows[0], rows[1])
