"""The incident of SPEC §1, replayed: stale, partial UPCG rows on two dates of 2022-23."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

LONE_PLAYER_DATE = date(2023, 2, 23)  # UPCG holds exactly one of the players who played
PARTIAL_DATE = date(2023, 2, 24)  # UPCG holds about 39% of them
PARTIAL_SHARE = 0.39
INCIDENT_DATES = (LONE_PLAYER_DATE, PARTIAL_DATE)


def players_kept(day: date, played: int) -> int:
    """How many of the `played` players keep their UPCG row on an incident date."""
    return 1 if day == LONE_PLAYER_DATE else round(PARTIAL_SHARE * played)


def inject_incident(targets: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Cut the UPCG targets of the incident dates down to a random `players_kept` of the
    players who played (nobody else); every other date is untouched. A no-op when the
    league does not include 2022-23."""
    on_incident_date = targets["game_date"].isin(pd.to_datetime(INCIDENT_DATES))
    kept = [targets[~on_incident_date]]
    for day in INCIDENT_DATES:
        played = targets[(targets["game_date"] == pd.Timestamp(day)) & (targets["player_status"] == "active")]
        chosen = rng.choice(len(played), size=min(players_kept(day, len(played)), len(played)), replace=False)
        kept.append(played.iloc[np.sort(chosen)])
    return pd.concat(kept).sort_values(["game_date", "player_lookup"], ignore_index=True)
