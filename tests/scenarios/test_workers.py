"""`--workers N` is the same run as `--workers 1` (SPEC §6.9 drift baseline): chunks computed ahead on other threads
are judged in date order, after every earlier chunk has published, so each date's baseline holds the same dates.

The incident scenarios over four months (two compute blocks): the incident week's partial UPCG, stale UPCG on the
27th, and docs/concepts.md's example, a date whose shot-zone scores are all 0 (zeroed TDZA), placed on the first date
of the second block, where a baseline read before the first block published would be empty."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from support import ZONE_SPLIT, execute, make_upcg_stale, published_rows, query, run_json

from backfill.pipeline.plan import chunk_dates, compute_blocks

RANGE = ("--start-date", "2022-11-01", "--end-date", "2023-02-28", "--chunk-days", "30")
VERDICT_FIELDS = [
    "status",
    "blocked_by",
    "upcg_state",
    "reason",
    "source_reason",
    "context_source",
    "coverage",
    "published_players",
    "forced",
]
AUDIT_FIELDS = ["game_date", "audit", "value", "baseline", "baseline_dates", "passed", "detail"]


def first_date_of_second_block(url: str) -> date:
    days = query(
        url,
        "SELECT DISTINCT game_date FROM {schedule} WHERE game_date BETWEEN @a AND @b ORDER BY 1",
        a=date(2022, 11, 1),
        b=date(2023, 2, 28),
    )["game_date"]
    blocks = compute_blocks(chunk_dates([pd.Timestamp(day).date() for day in days], 30))
    assert len(blocks) >= 2
    return blocks[1][0][0]


def incidents(url: str, zeroed: date) -> None:
    make_upcg_stale(url, "2023-02-27")
    # the team box scores of the game day before came without their shot split, so from then on the zone tables
    # cannot be checked against them (`--zones auto` takes the tables as they are), and the date's TDZA is zeroed
    before = query(url, "SELECT max(game_date) AS d FROM {tgs} WHERE game_date < @d", d=zeroed)["d"].iloc[0]
    execute(
        url,
        f"UPDATE {{tgs}} SET {', '.join(f'{column} = NULL' for column in ZONE_SPLIT)} WHERE game_date = @d",
        d=pd.Timestamp(before).date(),
    )
    execute(
        url,
        "UPDATE {tdza} SET paint_defense_vs_league_avg = 0, mid_range_defense_vs_league_avg = 0, "
        "three_pt_defense_vs_league_avg = 0 WHERE analysis_date = @d",
        d=zeroed,
    )


def audits(url: str) -> pd.DataFrame:
    rows = query(url, "SELECT * FROM {audits}")[AUDIT_FIELDS]
    return rows.sort_values(["game_date", "audit"]).reset_index(drop=True).astype({"passed": bool})


@pytest.mark.slow
def test_every_worker_count_publishes_and_judges_exactly_what_one_worker_does(warehouse):
    zeroed = first_date_of_second_block(warehouse.url)
    runs = {}
    for workers in (1, 2, 4):
        url = warehouse.url if workers == 1 else warehouse.another()
        incidents(url, zeroed)
        result, dates = run_json(url, *RANGE, "--workers", str(workers))
        assert result.exit_code == 3, result.output
        verdicts = pd.DataFrame.from_dict(dates, orient="index")[VERDICT_FIELDS].sort_index()
        runs[workers] = verdicts, published_rows(url), audits(url)

    verdicts, rows, findings = runs[1]
    day = zeroed.isoformat()
    assert (verdicts.at[day, "status"], verdicts.at[day, "blocked_by"]) == ("blocked", "audit")
    assert "shot_zone_zero_share 1.00 vs 0.0" in verdicts.at[day, "reason"]  # which audit, by how much
    assert verdicts.loc["2023-02-23", "context_source"] == "pgs_synthetic"
    assert verdicts.loc["2023-02-27", "upcg_state"] == "upcg_disagrees"
    judged = findings.set_index(["game_date", "audit"])
    assert judged.at[(pd.Timestamp(zeroed), "shot_zone_zero_share"), "baseline_dates"] == 14
    for workers in (2, 4):
        pd.testing.assert_frame_equal(runs[workers][0], verdicts, obj=f"verdicts with --workers {workers}")
        pd.testing.assert_frame_equal(runs[workers][1], rows, obj=f"published rows with --workers {workers}")
        pd.testing.assert_frame_equal(runs[workers][2], findings, obj=f"audit results with --workers {workers}")
