"""The coverage gate (SPEC §6.4) as a pure function: facts per date in, a verdict per date out. Every row of the
acceptance table (SPEC §10) is a case here; the rules around it (the warning band, inputs checked first,
regressions, --force) follow."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from backfill.pipeline.plan import game_dates
from validation.gate import BOX_SCORE_FACTS, GATE_INPUT_COLUMNS, evaluate_gate
from validation.rules import GateRules
from vocabulary import BlockedBy, DateStatus
from warehouse import Datasets, connect

FORCED = GateRules(force=True, force_reason="UPCG is stale")


def facts(expected: int = 187, published: int = 187, **changed: object) -> pd.DataFrame:
    """One date's gate inputs: whole, healthy inputs unless `changed` says otherwise."""
    row: dict[str, object] = {
        "expected_players": expected,
        "row_count": published,
        "context_source": "upcg",
        "final_games": 9,
        "missing_games": "",
        "unfinished_games": "",
        "history_missing": "",
        "psza_rows": expected,
        "psza_players": expected,
        "psza_expected": expected,
        "tdza_rows": 18,
        "tdza_teams": 18,
        "tdza_expected": 18,
        "candidate_completeness": 98.0,
        "candidate_zeroed_scores": 0,
        "previous_players": float("nan"),
        "previous_completeness": float("nan"),
        "previous_zeroed_scores": float("nan"),
        "out_of_range_rows": 0,
        "error": "",
        "upcg_disagrees": "",
        "audit_block": "",
        "identity_conflicts": "",
        "changed_players": 0,
        **dict.fromkeys(BOX_SCORE_FACTS, ""),
    }
    row.update(changed)
    assert set(row) == set(GATE_INPUT_COLUMNS)
    return pd.DataFrame([row], index=pd.DatetimeIndex([pd.Timestamp("2023-02-23")], name="game_date"))


def verdict(frame: pd.DataFrame, rules: GateRules | None = None) -> pd.Series:
    return evaluate_gate(frame, rules or GateRules()).iloc[0]


# --- SPEC §10, row by row ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expected", "published", "status", "warned"),
    [
        (187, 187, DateStatus.PUBLISHED, False),  # everyone
        (200, 190, DateStatus.PUBLISHED, False),  # 95%: no warning
        (187, 94, DateStatus.BLOCKED, False),  # half
        (187, 1, DateStatus.BLOCKED, False),  # the incident rate
    ],
)
def test_acceptance_rows_on_coverage(expected, published, status, warned):
    result = verdict(facts(expected, published))
    assert result["status"] == status and bool(result["warning"]) is warned
    assert result["coverage"] == pytest.approx(published / expected)
    if status == DateStatus.BLOCKED:
        assert result["blocked_by"] == BlockedBy.COVERAGE
        assert result["reason"] == f"coverage {published}/{expected} ({100 * published / expected:.1f}%) below 90%"


def test_acceptance_row_a_day_without_final_games_is_an_off_day_never_processed(demo_file):
    wh = connect(f"duckdb:///{demo_file}", Datasets(), read_only=True)
    try:
        dates = game_dates(wh, date(2023, 2, 17), date(2023, 2, 24))  # the All-Star break: 17–22
    finally:
        wh.close()
    assert [day.date().isoformat() for day in dates.index] == ["2023-02-23", "2023-02-24"]


def test_acceptance_row_force_with_a_reason_publishes_the_incident_rate_and_says_so():
    result = verdict(facts(187, 1), FORCED)
    assert result["status"] == DateStatus.PUBLISHED and result["forced"]
    assert result["reason"] == "forced: coverage 1/187 (0.5%) below 90%" and result["blocked_by"] is None


def test_acceptance_row_an_error_while_checking_fails_the_date():
    result = verdict(facts(187, 187, error="WarehouseError: the coverage query failed"), FORCED)
    assert result["status"] == DateStatus.FAILED and result["reason"] == "WarehouseError: the coverage query failed"
    assert not result["forced"] and result["blocked_by"] is None


def test_acceptance_row_the_fallback_publishes_everyone_from_box_scores():
    result = verdict(facts(187, 187, context_source="pgs_synthetic"))
    assert result["status"] == DateStatus.PUBLISHED and result["coverage"] == 1.0


# --- the rules around the table --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("published", "status", "warned"),
    [
        (168, DateStatus.BLOCKED, False),
        (169, DateStatus.PUBLISHED, True),
        (177, DateStatus.PUBLISHED, True),
        (178, DateStatus.PUBLISHED, False),
    ],
)
def test_between_the_bars_a_date_publishes_with_a_warning(published, status, warned):
    result = verdict(facts(187, published))  # 90% of 187 is 168.3, 95% is 177.65
    assert result["status"] == status and bool(result["warning"]) is warned


def test_the_bars_are_the_runs_own():
    assert verdict(facts(187, 94), GateRules(min_coverage=0.5, warn_coverage=0.6))["status"] == DateStatus.PUBLISHED
    assert verdict(facts(187, 180), GateRules(min_coverage=0.99, warn_coverage=1.0))["status"] == DateStatus.BLOCKED


@pytest.mark.parametrize(
    ("changed", "cause", "reason"),
    [
        (
            {"missing_games": "20230223_LAL_GSW"},
            BlockedBy.UPSTREAM_MISSING,
            "upstream_missing pgs: games 20230223_LAL_GSW",
        ),
        ({"unfinished_games": "20230223_LAL_GSW"}, "games_not_final", "games not final: 20230223_LAL_GSW"),
        (
            {"expected_players": 0, "row_count": 0},
            BlockedBy.UPSTREAM_MISSING,
            "upstream_missing pgs: no active box scores",
        ),
        (
            {"identity_conflicts": "herbertporter: ids hp_001, hp_002"},
            BlockedBy.IDENTITY_CONFLICT,
            "identity_conflict herbertporter: ids hp_001, hp_002",
        ),
        (
            {"context_source": "pgs_synthetic", "history_missing": "20230215_BOS_DET"},
            BlockedBy.UPSTREAM_MISSING,
            "upstream_missing history: games 20230215_BOS_DET",
        ),
        (
            {"unbalanced_games": "20230223_LAL_GSW GSW points 74/112, minutes 168/240"},
            BlockedBy.UPSTREAM_PARTIAL,
            "upstream_partial pgs: 20230223_LAL_GSW GSW points 74/112, minutes 168/240",
        ),
        (
            {"tgs_missing_games": "20230223_LAL_GSW"},
            BlockedBy.UPSTREAM_MISSING,
            "upstream_missing tgs: games 20230223_LAL_GSW",
        ),
        (
            {"tgs_teams_differ": "BKN in pgs, BRK in tgs (20230223_BKN_GSW)"},
            BlockedBy.UPSTREAM_PARTIAL,
            "upstream_partial tgs: BKN in pgs, BRK in tgs (20230223_BKN_GSW)",
        ),
        (
            {"duplicate_rows": "20230223_LAL_GSW lebronjames ×3"},
            BlockedBy.UPSTREAM_PARTIAL,
            "upstream_partial pgs: duplicate rows 20230223_LAL_GSW lebronjames ×3",
        ),
        (
            {"context_source": "pgs_synthetic", "tgs_history_missing": "BOS 3 games"},
            BlockedBy.UPSTREAM_MISSING,
            "upstream_missing tgs history: BOS 3 games",
        ),
        (
            {"context_source": "pgs_synthetic", "history_partial": "20230215_BOS_DET"},
            BlockedBy.UPSTREAM_PARTIAL,
            "upstream_partial history: games 20230215_BOS_DET",
        ),
        ({"psza_rows": 0, "psza_players": 0}, BlockedBy.UPSTREAM_MISSING, "upstream_missing psza"),
        ({"psza_players": 100}, BlockedBy.UPSTREAM_PARTIAL, "upstream_partial psza 100/187"),
        ({"tdza_teams": 1}, BlockedBy.UPSTREAM_PARTIAL, "upstream_partial tdza 1/18"),
        ({"upcg_disagrees": "upcg_disagrees 90/187: days_rest"}, "upcg_disagrees", "upcg_disagrees 90/187: days_rest"),
        (
            {"audit_block": "audit shot_zone_zero_share 1.00 vs 0.02"},
            BlockedBy.AUDIT,
            "audit shot_zone_zero_share 1.00 vs 0.02",
        ),
    ],
)
def test_inputs_are_checked_before_coverage_and_name_what_blocked(changed, cause, reason):
    result = verdict(facts(187, 1, **changed) if cause != BlockedBy.AUDIT else facts(**changed))
    assert result["status"] == DateStatus.BLOCKED and result["blocked_by"] == cause and result["reason"] == reason


def test_an_identity_conflict_blocks_a_date_whose_rows_are_all_there():
    """The other players of the date are all computed; PCF's key still cannot say which namesake is which."""
    result = verdict(facts(187, 186, identity_conflicts="herbertporter: ids hp_001, hp_002"))
    assert result["status"] == DateStatus.BLOCKED and result["blocked_by"] == BlockedBy.IDENTITY_CONFLICT


@pytest.mark.parametrize(
    "history",
    [
        {"history_missing": "20230215_BOS_DET"},
        {"history_partial": "20230215_BOS_DET"},
        {"tgs_history_missing": "BOS 3 games"},
    ],
)
def test_history_is_not_needed_when_the_context_comes_from_upcg(history):
    assert verdict(facts(**history))["status"] == DateStatus.PUBLISHED


@pytest.mark.parametrize(
    "worse",
    [
        {"row_count": 180},
        {"candidate_completeness": 90.0},
        {"candidate_zeroed_scores": 3},
    ],
    ids=["fewer players", "less complete", "more zeroed"],
)
def test_worse_rows_than_the_published_ones_are_a_regression_that_only_allow_regression_lets_through(worse):
    published = {"previous_players": 187, "previous_completeness": 98.0, "previous_zeroed_scores": 0}
    candidate = facts(187, **{"published": worse.pop("row_count", 187)}, **published, **worse)
    for rules in (GateRules(), FORCED):
        blocked = verdict(candidate, rules)
        assert blocked["status"] == DateStatus.BLOCKED and blocked["blocked_by"] == BlockedBy.REGRESSION
        assert blocked["reason"].startswith("regression: players 187 → ")
    allowed = verdict(candidate, GateRules(allow_regression=True, force_reason="recomputed on purpose"))
    assert allowed["status"] == DateStatus.PUBLISHED and allowed["allowed_regression"]


def test_force_publishes_only_a_date_with_rows():
    assert verdict(facts(187, 0), FORCED)["status"] == DateStatus.BLOCKED


def test_rows_outside_the_factor_ranges_fail_the_date():
    result = verdict(facts(out_of_range_rows=2), FORCED)
    assert result["status"] == DateStatus.FAILED and result["reason"] == "range_check: 2 rows outside the factor ranges"


@pytest.mark.parametrize(
    ("expected", "published", "changed", "status"),
    [
        (188, 188, 1, DateStatus.PUBLISHED),  # a player added to the box score, with a lower completeness than the rest
        (186, 186, 1, DateStatus.PUBLISHED),  # a player corrected to DNP disappears
        (187, 180, 7, DateStatus.BLOCKED),  # players who played are left out (a partial reload): still a regression
    ],
    ids=["player added", "player corrected to dnp", "players left out"],
)
def test_a_changed_player_set_from_complete_inputs_is_a_correction_not_a_regression(
    expected, published, changed, status
):
    before = {"previous_players": 187, "previous_completeness": 98.0, "previous_zeroed_scores": 0}
    candidate = facts(
        expected, published, changed_players=changed, candidate_completeness=97.9, candidate_zeroed_scores=1, **before
    )
    result = verdict(candidate)
    assert result["status"] == status and not result["allowed_regression"]
    assert result["blocked_by"] == (BlockedBy.REGRESSION if status == DateStatus.BLOCKED else None)
