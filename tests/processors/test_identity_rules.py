"""Identity (SPEC §6.8) on small frames: two players under one key are a conflict on that date only, and UPCG rows
are a player's who played only by his key and id; lookups that differ only in spelling are named, not matched."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from processors.identity import conflict_texts, identity_conflicts, in_conflict, match_upcg
from processors.policy import coverage_counts, decide_sources
from vocabulary import Source, UpcgState

DAY, NEXT = pd.Timestamp("2023-02-23"), pd.Timestamp("2023-02-24")
DATES = pd.DatetimeIndex([DAY, NEXT], name="game_date")
PLAYED = [f"player{n:03d}" for n in range(40)] + ["nikolajokić", "lebronjames", "treyoung"]


def rows(lookups: list[str], day: pd.Timestamp = DAY, ids: list[str | None] | None = None) -> pd.DataFrame:
    ids = ids if ids is not None else [f"{name}_001" for name in lookups]
    return pd.DataFrame({"game_date": day, "player_lookup": lookups, "universal_player_id": ids})


def test_a_lookup_two_players_share_on_one_date_is_a_conflict_of_that_date_only():
    played = pd.concat(
        [
            rows(["herbertporter", "alpha"]),
            rows(["herbertporter"], ids=["herbertporter_002"]),
            rows(["herbertporter"], NEXT),
            rows(["herbertporter"], NEXT, ids=["herbertporter_001"]),
        ]
    )  # the same player twice: no conflict
    conflicts = identity_conflicts(played, DATES)
    texts = conflict_texts(conflicts, DATES)
    assert texts[DAY] == "herbertporter: ids herbertporter_001, herbertporter_002" and texts[NEXT] == ""
    expected = pd.concat([rows(["herbertporter", "alpha"]), rows(["herbertporter"], NEXT)])
    assert in_conflict(expected, conflicts).tolist() == [True, False, False]


def test_the_same_player_in_two_rows_and_a_row_without_an_id_are_no_conflict():
    played = pd.concat([rows(["alpha", "alpha"]), rows(["beta"], ids=[None]), rows(["gamma"])])
    assert identity_conflicts(played, DATES).empty
    assert (conflict_texts(identity_conflicts(played, DATES), DATES) == "").all()


def decided(upcg: pd.DataFrame, policy: str = "auto") -> pd.Series:
    expected = rows(PLAYED)
    matched = match_upcg(expected, upcg, DATES[:1])
    counts = coverage_counts(expected, upcg, DATES[:1], matched.usable).join(matched.facts)
    return decide_sources(counts, policy).iloc[0]  # type: ignore[arg-type]


def respelled(how) -> pd.DataFrame:
    upcg = rows(PLAYED)
    upcg["player_lookup"] = [how(name) if name in ("nikolajokić", "lebronjames") else name for name in PLAYED]
    return upcg


@pytest.mark.parametrize(
    "how",
    [
        lambda name: unicodedata.normalize("NFD", name) if name == "nikolajokić" else name.upper(),
        lambda name: name + " ",
        lambda name: " " + name.title(),
    ],
    ids=["nfd-and-upper", "trailing-blank", "leading-blank-title"],
)
def test_lookups_that_differ_only_in_spelling_are_named_and_make_upcg_partial(how):
    verdict = decided(respelled(how))
    assert verdict["matched_players"] == len(PLAYED) - 2  # 41/43 ≥ 90%, but not complete
    assert verdict["upcg_state"] == UpcgState.PARTIAL and verdict["context_source"] == Source.PGS_SYNTHETIC
    reason = verdict["source_reason"]
    assert "; 2 lookups differ only in spelling: " in reason  # the verdict names them
    assert "for lebronjames" in reason and "for nikolajokić" in reason


def test_nfd_spelling_is_shown_so_a_reader_can_see_it():
    upcg = rows(PLAYED)
    upcg.loc[upcg["player_lookup"] == "nikolajokić", "player_lookup"] = unicodedata.normalize("NFD", "nikolajokić")
    reason = decided(upcg)["source_reason"]
    assert reason.endswith("1 lookup differs only in spelling: 'nikolajokic\\u0301' for nikolajokić")


def test_a_upcg_row_of_another_player_under_the_same_lookup_is_not_his_context():
    upcg = rows(PLAYED)
    upcg.loc[upcg["player_lookup"] == "treyoung", "universal_player_id"] = "treyoung_002"
    verdict = decided(upcg)
    assert verdict["matched_players"] == len(PLAYED) - 1 and verdict["upcg_state"] == UpcgState.PARTIAL
    assert verdict["source_reason"].endswith(
        "1 lookup names another player: treyoung (upcg treyoung_002, box score treyoung_001)"
    )


def test_upcg_without_ids_matches_by_lookup_and_other_players_are_not_spelling():
    upcg = rows([*PLAYED, "someoneelse", "PLAYER999"], ids=[None] * (len(PLAYED) + 2))
    verdict = decided(upcg)
    assert (verdict["upcg_state"], verdict["context_source"]) == (UpcgState.COMPLETE, Source.UPCG)
    assert verdict["upcg_not_played"] == 2 and "spelling" not in verdict["source_reason"]


def test_upcg_on_a_date_without_box_scores_matches_no_one():
    matched = match_upcg(rows([]).iloc[:0], rows(["alpha", "beta"]), DATES[:1])
    assert len(matched.usable) == 2 and matched.facts.iloc[0].tolist() == [0, ""]
    counts = coverage_counts(rows([]).iloc[:0], rows(["alpha", "beta"]), DATES[:1], matched.usable).iloc[0]
    assert (counts["upcg_players"], counts["matched_players"]) == (2, 0)
