"""Source selection per game date (SPEC §4): UPCG when it covers who played, else box scores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from processors.keys import count_per_day, day_numbers, distinct, pair_keys
from vocabulary import UPCG_SUFFICIENT, Source, SourcePolicy, UpcgState


def coverage_counts(
    expected: pd.DataFrame, upcg: pd.DataFrame, dates: pd.DatetimeIndex, usable: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per date: expected players, UPCG players, UPCG players who played (by identity, not rows). `usable`: the
    UPCG rows that may match at all (processors.identity: not another player's), when not all of them."""
    upcg = upcg[upcg["player_lookup"].notna()]
    usable = upcg if usable is None else usable
    played, held, matchable = pair_keys(
        (expected["game_date"], expected["player_lookup"]),
        (upcg["game_date"], upcg["player_lookup"]),
        (usable["game_date"], usable["player_lookup"]),
    )
    played_days = day_numbers(expected["game_date"])
    matched = distinct(matchable) & np.isin(matchable, played)
    counts = pd.DataFrame(
        {
            "expected_players": count_per_day(played_days[distinct(played)], dates),
            "upcg_players": count_per_day(day_numbers(upcg["game_date"])[distinct(held)], dates),
            "matched_players": count_per_day(day_numbers(usable["game_date"])[matched], dates),
        },
        index=dates.rename("game_date"),
    )
    counts["upcg_not_played"] = counts["upcg_players"] - counts["matched_players"]
    return counts


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100.0 * part / whole.where(whole > 0)).fillna(0.0)


def decide_sources(counts: pd.DataFrame, policy: SourcePolicy) -> pd.DataFrame:
    """One decision per date: context_source and the reason, from the counts above. With the agreement
    facts of SPEC §6.9 (`upcg_stale`, `upcg_disagrees`), stale UPCG is never used by `auto`/`fill`. UPCG that names
    a player who played otherwise than the box scores do (`upcg_identity`, SPEC §6.8) is never complete: it is
    partial, and the reason names those lookups."""
    expected, matched = counts["expected_players"], counts["matched_players"]
    stale = counts.get("upcg_stale", pd.Series(False, index=counts.index)).fillna(False).astype(bool)
    disagrees = counts.get("upcg_disagrees", pd.Series("", index=counts.index)).fillna("").astype(str)
    misnamed = counts.get("upcg_identity", pd.Series("", index=counts.index)).fillna("").astype(str)
    sufficient = (expected > 0) & (matched >= UPCG_SUFFICIENT * expected) & (misnamed == "")
    shares = zip(matched.tolist(), expected.tolist(), _share(matched, expected).tolist(), strict=True)
    partial_reason = pd.Series(  # per date in Python: cheaper than pandas string operations on a few dozen dates
        [f"upcg_partial {held}/{played} ({share:.1f}%)" for held, played, share in shares],
        index=counts.index,
        dtype="str",
    )
    conditions = [expected == 0, stale, sufficient, counts["upcg_players"] == 0]
    state = pd.Series(
        np.select(
            conditions,
            [UpcgState.NO_EXPECTED_PLAYERS, UpcgState.DISAGREES, UpcgState.COMPLETE, UpcgState.EMPTY],
            default=UpcgState.PARTIAL,
        ),
        index=counts.index,
    )
    reasons: list[Any] = [UpcgState.NO_EXPECTED_PLAYERS, disagrees.to_numpy(), UpcgState.COMPLETE, UpcgState.EMPTY]
    upcg_reason = pd.Series(np.select(conditions, reasons, default=partial_reason.to_numpy()), index=counts.index)
    upcg_reason = upcg_reason.where(misnamed == "", upcg_reason + "; " + misnamed)
    if policy == "auto":
        source = np.where(sufficient & ~stale, Source.UPCG, Source.PGS_SYNTHETIC)
        reason = upcg_reason
    elif policy == "fill":
        source = np.select(
            [(matched == 0) | stale, matched >= expected], [Source.PGS_SYNTHETIC, Source.UPCG], default=Source.MIXED
        )
        reason = "fill " + upcg_reason
    elif policy == "upcg":
        source, reason = np.full(len(counts), Source.UPCG), "policy_upcg " + upcg_reason
    else:
        source, reason = np.full(len(counts), Source.PGS_SYNTHETIC), pd.Series("policy_pgs", index=counts.index)
    return counts.assign(context_source=source, source_reason=reason, upcg_state=state)


def row_sources(
    expected: pd.DataFrame, upcg_keys: pd.DataFrame, decisions: pd.DataFrame, policy: SourcePolicy
) -> pd.Series:
    """For each expected player-date: 'upcg', 'pgs_synthetic', or None (no row: UPCG-only policy
    and the player has no UPCG row, or auto chose UPCG and the player is missing from it). Plain strings: the rows
    are hashed and written as they are."""
    played, held = pair_keys(
        (expected["game_date"], expected["player_lookup"]), (upcg_keys["game_date"], upcg_keys["player_lookup"])
    )
    has_upcg = np.isin(played, held)
    upcg, synthetic = Source.UPCG.value, Source.PGS_SYNTHETIC.value
    date_source = expected["game_date"].map(decisions["context_source"])
    upcg_or_none = pd.Series(upcg, index=expected.index, dtype="object").where(has_upcg, None)
    if policy == "fill":
        return upcg_or_none.fillna(synthetic).mask(date_source == synthetic, synthetic)
    if policy == "pgs":
        return pd.Series(synthetic, index=expected.index, dtype="object")
    return upcg_or_none.mask(date_source == synthetic, synthetic)
