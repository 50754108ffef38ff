"""The audit registry's pure functions (SPEC §6.9): profiles, baselines from the trailing dates of a season,
findings and the block reason they give."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from league.calendar import Calendar, Season
from validation.audits import AUDIT_NAMES, AuditData, AuditRules, block_reasons, run_audits
from validation.profiles import PROFILE_COLUMNS, baselines, profile
from warehouse.errors import InvalidSetting


def dates(*days: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(days)), name="game_date")


def history(days: pd.DatetimeIndex, zero_share: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame(0.5, index=days, columns=PROFILE_COLUMNS)
    frame["shot_zone_zero_share"] = zero_share
    return frame


def test_a_baseline_is_the_median_of_the_trailing_dates_of_the_same_season_only():
    past = dates("2023-04-05", "2023-04-06", "2023-04-07", "2023-04-08")
    seasons = Calendar(
        (
            Season(2022, date(2022, 10, 18), date(2022, 10, 18), date(2023, 4, 9)),
            Season(2023, date(2023, 10, 24), date(2023, 10, 24), date(2024, 4, 14)),
        )
    )
    base = baselines(history(past, [0.0, 0.1, 0.9, 0.2]), dates("2023-04-08", "2023-10-30"), 3, seasons)
    assert base.loc["2023-04-08", "shot_zone_zero_share"] == pytest.approx(0.1)  # 0.0, 0.1, 0.9 — not the date itself
    assert base.loc["2023-04-08", "baseline_dates"] == 3
    assert base.loc["2023-10-30", "baseline_dates"] == 0  # a new season starts without a baseline
    assert np.isnan(base.loc["2023-10-30", "shot_zone_zero_share"])


def test_a_profile_counts_players_games_and_zero_shares_per_date():
    rows = pd.DataFrame(
        {
            "game_date": pd.to_datetime(["2023-01-02"] * 3 + ["2023-01-03"]),
            "player_lookup": ["a", "b", "c", "a"],
            "game_id": ["g1", "g1", "g2", "g3"],
            "data_completeness_pct": [100.0, 80.0, 90.0, 100.0],
            "fatigue_score": [90, 80, 70, 100],
            "shot_zone_mismatch_score": [0.0, 1.5, 0.0, 2.0],
            "pace_score": [0.1, 0.2, 0.3, 0.0],
            "usage_spike_score": [0.0, 0.0, 0.0, 0.0],
        }
    )
    shown = profile(rows, dates("2023-01-02", "2023-01-03", "2023-01-04"))
    assert shown.loc["2023-01-02", ["players", "games", "mean_completeness"]].tolist() == [3, 2, 90]
    assert shown.loc["2023-01-02", "shot_zone_zero_share"] == pytest.approx(2 / 3)
    assert shown.loc["2023-01-03", "pace_zero_share"] == 1.0
    assert shown.loc["2023-01-04"].isna().all()


def audit_data(value: float, baseline: float, baseline_dates: int = 14) -> AuditData:
    day = dates("2023-01-20")
    staged = history(day, [value])
    base = history(day, [baseline]).assign(baseline_dates=baseline_dates)
    facts = pd.DataFrame({"agreement_checked": [0], "agreement_disagreeing": [0]}, index=day)
    return AuditData(staged, facts, base)


def test_a_zero_share_jump_blocks_with_value_baseline_and_threshold_in_the_reason():
    findings = run_audits(audit_data(1.0, 0.05), AuditRules())
    assert set(findings["audit"]) == set(AUDIT_NAMES)
    assert block_reasons(findings, dates("2023-01-20")).iloc[0] == (
        "audit shot_zone_zero_share 1.00 vs 0.05 (threshold 0.4)"
    )


def test_a_raised_threshold_lets_the_same_date_through():
    findings = run_audits(audit_data(1.0, 0.05), AuditRules(thresholds={"shot_zone_zero_share": 0.99}))
    assert block_reasons(findings, dates("2023-01-20")).iloc[0] == ""


def test_a_short_baseline_is_named_and_no_baseline_passes():
    short = run_audits(audit_data(0.05, 0.05, baseline_dates=3), AuditRules())
    assert short.set_index("audit").at["shot_zone_zero_share", "detail"] == "baseline 3 of 14 dates"
    none = run_audits(audit_data(1.0, np.nan, baseline_dates=0), AuditRules())
    assert none["passed"].all() and none.set_index("audit").at["pace_zero_share", "detail"] == "no baseline yet"


def test_unknown_audits_and_negative_thresholds_are_bad_input():
    with pytest.raises(InvalidSetting, match="unknown audit shot_zone"):
        AuditRules(thresholds={"shot_zone": 0.5})
    with pytest.raises(InvalidSetting, match="finite number"):
        AuditRules(thresholds={"pace_zero_share": -1.0})
    with pytest.raises(InvalidSetting, match="baseline_dates"):
        AuditRules(baseline_dates=0)
