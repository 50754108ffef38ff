"""Source selection (SPEC §4) as pure functions: per date, which context a policy uses and why, and per player
which source each row is built from. All four policies: `auto` (the default), `fill`, `upcg`, `pgs`."""

from __future__ import annotations

import pandas as pd
import pytest

from processors.policy import coverage_counts, decide_sources, row_sources
from vocabulary import SOURCE_POLICIES, UPCG_SUFFICIENT, Source

DAY = pd.Timestamp("2023-02-23")
PLAYED = [f"player{n:03d}" for n in range(187)]


def players(names: list[str], day: pd.Timestamp = DAY) -> pd.DataFrame:
    return pd.DataFrame({"game_date": day, "player_lookup": names})


def decision(upcg_names: list[str], policy: str, **agreement: object) -> pd.Series:
    counts = coverage_counts(players(PLAYED), players(upcg_names), pd.DatetimeIndex([DAY], name="game_date"))
    return decide_sources(counts.assign(**agreement), policy).iloc[0]  # type: ignore[arg-type]


def sources_by_player(upcg_names: list[str], policy: str) -> pd.Series:
    expected, upcg = players(PLAYED), players(upcg_names)
    counts = coverage_counts(expected, upcg, pd.DatetimeIndex([DAY], name="game_date"))
    return row_sources(expected, upcg, decide_sources(counts, policy), policy)  # type: ignore[arg-type]


ALL, MOST, ONE, NONE = PLAYED, PLAYED[:180], PLAYED[:1], []
STALE = {"upcg_stale": True, "upcg_disagrees": "upcg_disagrees 90/187: days_rest"}


def test_the_four_policies_are_the_ones_the_cli_offers():
    assert SOURCE_POLICIES == ("auto", "fill", "upcg", "pgs")


def test_players_are_matched_by_identity_not_by_row_count():
    counts = coverage_counts(
        players(PLAYED), players([f"someone{n}" for n in range(187)]), pd.DatetimeIndex([DAY], name="game_date")
    ).iloc[0]
    assert (counts["expected_players"], counts["upcg_players"], counts["matched_players"]) == (187, 187, 0)
    assert counts["upcg_not_played"] == 187


@pytest.mark.parametrize(
    ("upcg", "extra", "source", "reason", "state"),
    [
        (ALL, {}, Source.UPCG, "upcg_complete", "upcg_complete"),
        (MOST, {}, Source.UPCG, "upcg_complete", "upcg_complete"),  # 180/187 ≥ 90%
        (ONE, {}, Source.PGS_SYNTHETIC, "upcg_partial 1/187 (0.5%)", "upcg_partial"),  # the incident
        (NONE, {}, Source.PGS_SYNTHETIC, "upcg_empty", "upcg_empty"),
        (ALL, STALE, Source.PGS_SYNTHETIC, "upcg_disagrees 90/187: days_rest", "upcg_disagrees"),
    ],
)
def test_auto_uses_upcg_only_when_it_covers_who_played_and_agrees_with_the_box_scores(
    upcg, extra, source, reason, state
):
    chosen = decision(upcg, "auto", **extra)
    assert (chosen["context_source"], chosen["source_reason"], chosen["upcg_state"]) == (source, reason, state)


def test_auto_s_bar_is_ninety_percent_of_who_played():
    assert UPCG_SUFFICIENT == 0.90
    assert decision(PLAYED[:169], "auto")["context_source"] == Source.UPCG  # 169/187 = 90.4%
    assert decision(PLAYED[:168], "auto")["context_source"] == Source.PGS_SYNTHETIC  # 168/187 = 89.8%


@pytest.mark.parametrize(
    ("upcg", "extra", "source"),
    [
        (ALL, {}, Source.UPCG),
        (MOST, {}, Source.MIXED),
        (ONE, {}, Source.MIXED),
        (NONE, {}, Source.PGS_SYNTHETIC),
        (ALL, STALE, Source.PGS_SYNTHETIC),
    ],
)
def test_fill_takes_upcg_per_player_and_box_scores_for_the_rest(upcg, extra, source):
    chosen = decision(upcg, "fill", **extra)
    assert chosen["context_source"] == source and chosen["source_reason"].startswith("fill ")


def test_fill_builds_every_player_s_row_from_upcg_where_it_has_one():
    rows = sources_by_player(ONE, "fill")
    assert rows.iloc[0] == Source.UPCG and (rows.iloc[1:] == Source.PGS_SYNTHETIC).all() and rows.notna().all()


@pytest.mark.parametrize(
    ("upcg", "reason"), [(ALL, "policy_upcg upcg_complete"), (ONE, "policy_upcg upcg_partial 1/187 (0.5%)")]
)
def test_upcg_never_falls_back_and_says_what_upcg_held(upcg, reason):
    chosen = decision(upcg, "upcg")
    assert chosen["context_source"] == Source.UPCG and chosen["source_reason"] == reason


def test_upcg_leaves_the_players_without_a_upcg_row_out_for_the_gate_to_count():
    rows = sources_by_player(ONE, "upcg")
    assert rows.iloc[0] == Source.UPCG and rows.iloc[1:].isna().all()


def test_upcg_keeps_stale_upcg_so_the_gate_can_block_it():
    chosen = decision(ALL, "upcg", **STALE)
    assert chosen["context_source"] == Source.UPCG and chosen["upcg_state"] == "upcg_disagrees"


@pytest.mark.parametrize("upcg", [ALL, ONE, NONE])
def test_pgs_always_builds_from_box_scores(upcg):
    chosen = decision(upcg, "pgs")
    assert chosen["context_source"] == Source.PGS_SYNTHETIC and chosen["source_reason"] == "policy_pgs"
    assert (sources_by_player(upcg, "pgs") == Source.PGS_SYNTHETIC).all()


def test_a_date_nobody_played_has_no_source_to_choose():
    counts = coverage_counts(players([]), players(ONE), pd.DatetimeIndex([DAY], name="game_date"))
    assert decide_sources(counts, "auto").iloc[0]["upcg_state"] == "no_expected_players"
