"""The ledger records each verdict as typed columns — what UPCG held, the coverage warning, the thresholds
in force — and every reader (run summary, per-date log line, report) takes the verdict from them."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pandas as pd

import backfill.api
from backfill.cli.report import report_data
from vocabulary import BlockedBy, UpcgState

PARTIAL_DAY, WARNED_DAY = "2023-02-23", "2023-03-01"  # the demo's incident date; a date left with 92% of UPCG


def keep_upcg_share(wh, day: str, share: float) -> None:
    players = wh.query(
        "SELECT DISTINCT player_lookup FROM {upcg} WHERE game_date = @d ORDER BY 1", {"d": date.fromisoformat(day)}
    )
    dropped = players["player_lookup"].iloc[round(share * len(players)) :].tolist()
    for player in dropped:
        wh.execute(
            "DELETE FROM {upcg} WHERE game_date = @d AND player_lookup = @p",
            {"d": date.fromisoformat(day), "p": player},
        )


def latest_rows(wh) -> pd.DataFrame:
    rows = wh.query("SELECT * FROM {checkpoints} ORDER BY game_date, attempt").drop_duplicates("game_date", keep="last")
    return rows.set_axis([str(pd.Timestamp(day).date()) for day in rows["game_date"]])


def test_each_verdict_is_recorded_as_typed_columns_and_read_back_from_them(run_cli, demo_db, open_db):
    keep_upcg_share(open_db(demo_db), WARNED_DAY, 0.92)
    result = run_cli(
        demo_db, "run", "--dates", f"{PARTIAL_DAY},{WARNED_DAY}", "--min-coverage", "0.85", "--warn-coverage", "0.97"
    )
    assert result.exit_code == 0, result.output
    wh = open_db(demo_db)
    ledger = latest_rows(wh)
    partial, warned = ledger.loc[PARTIAL_DAY], ledger.loc[WARNED_DAY]
    assert partial[["context_source", "upcg_state", "coverage_warning"]].tolist() == [
        "pgs_synthetic",
        UpcgState.PARTIAL,
        False,
    ]
    assert warned[["context_source", "upcg_state", "coverage_warning"]].tolist() == ["upcg", UpcgState.COMPLETE, True]
    assert ledger[["min_coverage", "warn_coverage"]].drop_duplicates().values.tolist() == [[0.85, 0.97]]

    assert "UPCG partial, so built from box scores" in result.stdout
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    hints = {line["game_date"]: line.get("hint") for line in lines if line.get("event") == "date_done"}
    assert hints[PARTIAL_DAY] and "cleanup --mode partial" in hints[PARTIAL_DAY] and hints[WARNED_DAY] is None

    days = report_data(backfill.api.status(wh, date(2023, 2, 23), date(2023, 3, 1))).set_index("day")
    assert days.loc["2023-02-23", ["state", "partial"]].tolist() == ["published", True]
    assert days.loc["2023-03-01", ["state", "partial", "min_coverage", "warn_coverage"]].tolist() == [
        "published_warning",
        False,
        0.85,
        0.97,
    ]


def test_the_rule_that_blocked_a_date_is_recorded_and_read_back(run_cli, demo_db, open_db):
    """`--source upcg` on the incident date: blocked by the coverage rule; forced over published rows: blocked
    as a regression (what notifications and `status` read, rather than the reason text)."""
    assert run_cli(demo_db, "run", "--dates", PARTIAL_DAY, "--source", "upcg").exit_code == 3
    assert latest_rows(open_db(demo_db)).loc[PARTIAL_DAY, "blocked_by"] == BlockedBy.COVERAGE
    assert run_cli(demo_db, "run", "--dates", PARTIAL_DAY).exit_code == 0
    assert pd.isna(latest_rows(open_db(demo_db)).loc[PARTIAL_DAY, "blocked_by"])
    forced = run_cli(
        demo_db, "run", "--dates", PARTIAL_DAY, "--source", "upcg", "--rerun", "all", "--force", "--reason", "test"
    )
    assert forced.exit_code == 3
    assert latest_rows(open_db(demo_db)).loc[PARTIAL_DAY, "blocked_by"] == BlockedBy.REGRESSION


# backfill_checkpoints as the first release created it: the verdict was only its reason sentence
OLD_LEDGER = """
CREATE TABLE nba_orchestration.backfill_checkpoints (
  run_id VARCHAR NOT NULL, processor VARCHAR, game_date DATE NOT NULL, status VARCHAR NOT NULL,
  context_source VARCHAR, upcg_players BIGINT, expected_players BIGINT, published_players BIGINT, coverage DOUBLE,
  reason VARCHAR, forced BOOLEAN, force_reason VARCHAR, forced_by VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP)
"""
OLD_ROWS = [
    ("2023-02-23", "published", "pgs_synthetic", 177, "upcg_partial 1/177 (0.6%)"),
    ("2023-02-24", "published", "upcg", 170, "upcg_complete; coverage_warning"),
    ("2023-02-25", "blocked", "upcg", 0, "games not final: 0022200881"),
    ("2023-02-26", "blocked", "upcg", 0, "regression: players 177 → 1, completeness 1.0 → 1.0, zeroed scores 0 → 0"),
]


def test_init_records_the_verdict_columns_of_rows_an_older_version_wrote(run_cli, demo_db):
    with duckdb.connect(str(demo_db)) as connection:
        connection.execute("DROP TABLE nba_orchestration.backfill_checkpoints")
        connection.execute(OLD_LEDGER)
        connection.executemany(
            "INSERT INTO nba_orchestration.backfill_checkpoints (run_id, processor, game_date, status, context_source, "
            "published_players, reason) VALUES ('old', 'player_composite_factors', ?, ?, ?, ?, ?)",
            OLD_ROWS,
        )
    assert run_cli(demo_db, "init").exit_code == 0
    assert run_cli(demo_db, "init").exit_code == 0  # idempotent
    with duckdb.connect(str(demo_db)) as connection:
        recorded = connection.execute(
            "SELECT CAST(game_date AS VARCHAR), upcg_state, coverage_warning, blocked_by, reason "
            "FROM nba_orchestration.backfill_checkpoints ORDER BY game_date"
        ).fetchall()
    assert [row[:4] for row in recorded] == [
        ("2023-02-23", UpcgState.PARTIAL, False, None),
        ("2023-02-24", UpcgState.COMPLETE, True, None),
        ("2023-02-25", None, False, BlockedBy.GAMES_NOT_FINAL),
        ("2023-02-26", None, False, BlockedBy.REGRESSION),
    ]
    assert [row[4] for row in recorded] == [row[4] for row in OLD_ROWS], "every reason kept as written"
