"""Who a player is (SPEC §6.8): his `universal_player_id`. `player_lookup` is a name — and PCF's key.

Histories are joined by the id, so two players who share a lookup (the two Tony Mitchells of 2013-14) never
merge. Two ids under one (date, lookup) cannot both be keyed in PCF: that date is an identity conflict and
neither player's row is built. A UPCG row belongs to a player who played when its (date, lookup) is his and,
where both carry an id, the ids agree; a UPCG lookup that would match only after NFC + casefold + strip is named,
never matched in silence (its own upstream joins by that lookup are suspect too).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from processors.keys import count_per_day, day_numbers, pair_keys, positions_of

PLAYER_ID = "universal_player_id"
LISTED_NAMES = 5  # lookups named in a reason before "…"


def player_ids(frame: pd.DataFrame) -> pd.Series:
    """Each row's player: his universal_player_id; a row without one is known by its lookup alone."""
    ids = frame[PLAYER_ID]
    if not ids.isna().to_numpy().any():
        return ids
    return ids.astype("object").where(ids.notna(), "lookup:" + frame["player_lookup"].astype(str))


def listed(names: list[str]) -> str:
    more = f" … (+{len(names) - LISTED_NAMES})" if len(names) > LISTED_NAMES else ""
    return ", ".join(names[:LISTED_NAMES]) + more


# --- two players under one key ------------------------------------------------------------------------
def identity_conflicts(played: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """(game_date, player_lookup, ids) of each lookup that names two or more players who played on one of
    the dates. Usually there is none, which integer codes of the season's rows tell without copying them."""
    day = day_numbers(played["game_date"])
    on_dates = np.isin(day, day_numbers(pd.Series(dates)))
    lookup, lookups = pd.factorize(played["player_lookup"])
    who, players = pd.factorize(player_ids(played))
    key = (day * len(lookups) + lookup)[on_dates]
    pairs = pd.unique(key * max(len(players), 1) + who[on_dates])  # one per (date, lookup, player)
    shared_keys = pairs[pd.Series(pairs // max(len(players), 1)).duplicated().to_numpy()] // max(len(players), 1)
    if not len(shared_keys):
        return pd.DataFrame(columns=["game_date", "player_lookup", "ids"])
    shared = played[on_dates][np.isin(key, shared_keys)]
    return (
        shared.assign(player=player_ids(shared))
        .groupby(["game_date", "player_lookup"])["player"]
        .agg(lambda ids: ", ".join(sorted(set(map(str, ids)))))
        .rename("ids")
        .reset_index()
    )


def conflict_texts(conflicts: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """Per date: 'herbertporter: ids A, B; …' ('' where every lookup names one player)."""
    per_date = {
        day: "; ".join(f"{lookup}: ids {ids}" for lookup, ids in zip(rows["player_lookup"], rows["ids"], strict=True))
        for day, rows in (conflicts.groupby("game_date") if len(conflicts) else ())
    }
    texts = pd.Series(per_date, dtype="object").reindex(dates, fill_value="")
    return texts.rename("identity_conflicts")


def in_conflict(expected: pd.DataFrame, conflicts: pd.DataFrame) -> np.ndarray:
    """Which of the expected player-dates are keys two players share."""
    if conflicts.empty:
        return np.zeros(len(expected), dtype=bool)
    wanted, shared = pair_keys(
        (expected["game_date"], expected["player_lookup"]), (conflicts["game_date"], conflicts["player_lookup"])
    )
    return np.isin(wanted, shared)


# --- UPCG against who played --------------------------------------------------------------------------
@dataclass(frozen=True)
class UpcgIdentity:
    """UPCG read against who played: the rows that are a player's who played, and per date what is not."""

    usable: pd.DataFrame  # UPCG rows whose (date, lookup) and id are a player's who played
    facts: pd.DataFrame  # per date: upcg_misnamed (count) and upcg_identity (text, '' when all is well)


def match_upcg(expected: pd.DataFrame, upcg: pd.DataFrame, dates: pd.DatetimeIndex) -> UpcgIdentity:
    """Which UPCG rows describe a player who played; the rest that look like one are named per date."""
    upcg = upcg if upcg["player_lookup"].notna().all() else upcg[upcg["player_lookup"].notna().to_numpy()]
    played, held = pair_keys(
        (expected["game_date"], expected["player_lookup"]), (upcg["game_date"], upcg["player_lookup"])
    )
    at = positions_of(held, played)
    ids, _ = pd.factorize(pd.concat([expected[PLAYER_ID], upcg[PLAYER_ID]], ignore_index=True))  # -1: no id
    their_id, upcg_id = np.append(ids[: len(expected)], -1)[at], ids[len(expected) :]
    other_player = (their_id >= 0) & (upcg_id >= 0) & (their_id != upcg_id)
    found = []  # (rows named, what they are, one and many)
    if other_player.any():
        box_score_ids = np.append(expected[PLAYER_ID].to_numpy(dtype=object), [None])[at[other_player]]
        texts = [
            f"{lookup} (upcg {theirs}, box score {ours})"
            for lookup, theirs, ours in zip(
                upcg["player_lookup"][other_player], upcg[PLAYER_ID][other_player], box_score_ids, strict=True
            )
        ]
        named = upcg.loc[other_player, ["game_date", "player_lookup"]].assign(text=texts)
        found.append((named, "names another player", "name another player"))
    if (at < 0).any():  # players UPCG holds who did not play (dnp, inactive) are the usual ones
        unheld = ~np.isin(played, held[(at >= 0) & ~other_player])
        spelled = misspelled(expected, unheld, upcg, at < 0)
        found += [(spelled, "differs only in spelling", "differ only in spelling")] if len(spelled) else []
    usable = upcg[~other_player] if other_player.any() else upcg
    return UpcgIdentity(usable, named_per_date(found, dates))


def named_per_date(found: list[tuple[pd.DataFrame, str, str]], dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Per date: how many lookups UPCG names otherwise than the box scores, and the sentence naming them."""
    facts = pd.DataFrame({"upcg_misnamed": 0, "upcg_identity": ""}, index=dates)
    for rows, one, many in found:
        rows = rows.drop_duplicates(["game_date", "player_lookup"])
        facts["upcg_misnamed"] += count_per_day(day_numbers(rows["game_date"]), dates)
        for key, texts in rows.groupby("game_date")["text"]:
            day = cast(pd.Timestamp, key)
            sentence = f"{len(texts)} lookup {one}" if len(texts) == 1 else f"{len(texts)} lookups {many}"
            earlier = str(facts.at[day, "upcg_identity"])
            facts.at[day, "upcg_identity"] = "; ".join(filter(None, [earlier, f"{sentence}: {listed(sorted(texts))}"]))
    return facts


def misspelled(expected: pd.DataFrame, unheld: np.ndarray, upcg: pd.DataFrame, unmatched: np.ndarray) -> pd.DataFrame:
    """UPCG rows matched by no player whose lookup equals, after NFC + casefold + strip, the lookup of a player
    who played that day and has no UPCG row: (game_date, player_lookup, text naming both spellings)."""
    if spelled_as_compared(expected["player_lookup"]) and spelled_as_compared(upcg["player_lookup"]):
        return pd.DataFrame({"game_date": [], "player_lookup": [], "text": []})  # the usual case, told cheaply
    names = pd.concat([expected["player_lookup"][unheld], upcg["player_lookup"][unmatched]], ignore_index=True)
    codes, lookups = pd.factorize(names)
    folded = pd.Series(lookups, dtype="object").str.normalize("NFC").str.casefold().str.strip()
    if (folded.to_numpy() == np.asarray(lookups, dtype=object)).all():  # every name spelled as compared: none
        return pd.DataFrame(columns=["game_date", "player_lookup", "text"])  # can differ only in spelling
    spelled, players = pd.Series(folded.to_numpy()[codes], dtype="object"), int(unheld.sum())
    box_scores, offers = (
        expected.loc[unheld, ["game_date", "player_lookup"]],
        upcg.loc[unmatched, ["game_date", "player_lookup"]],
    )
    wanted, offered = pair_keys(
        (box_scores["game_date"], spelled.iloc[:players]), (offers["game_date"], spelled.iloc[players:])
    )
    at = positions_of(offered, wanted)
    box_score = box_scores["player_lookup"].to_numpy(dtype=object)[at[at >= 0]]
    found = offers[at >= 0]
    texts = [f"{ascii(theirs)} for {ours}" for theirs, ours in zip(found["player_lookup"], box_score, strict=True)]
    return found.assign(text=texts)


def spelled_as_compared(names: pd.Series) -> bool:
    """True when NFC + casefold + strip changes none of the names (each distinct one folded once): then two names
    that differ still differ after folding, and none can differ only in spelling."""
    return all(
        isinstance(name, str) and unicodedata.normalize("NFC", name).casefold().strip() == name
        for name in pd.unique(names.dropna()).tolist()
    )
