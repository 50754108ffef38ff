"""The small league of the cleanup tests: 10 players, UPCG dates that are stale, partial, complete,
on the cutoff, today and in the future — built directly, independent of the demo generator."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

TODAY = date(2024, 3, 20)
CUTOFF = TODAY - timedelta(days=7)  # 2024-03-13 with the default retention
NOW = datetime(2024, 3, 20, 9, 0, 0)
PLAYERS = [f"player{i:02d}" for i in range(10)]
ACTIVE_DATES = [date(2024, 3, d) for d in (1, 2, 3, 4, 12, 13, 19)]
UPCG_PLAYERS = {
    date(2024, 3, 1): PLAYERS[:1],  # the incident: 1 of 10
    date(2024, 3, 2): PLAYERS[:4],  # 4 of 10
    date(2024, 3, 3): PLAYERS,  # complete
    date(2024, 3, 4): [*PLAYERS[:9], "ghost"],  # 9 of 10 who played (90%) plus one who did not
    date(2024, 3, 5): PLAYERS[:3],  # no box scores that day: coverage 0
    date(2024, 3, 12): PLAYERS,  # complete, the day before the cutoff
    date(2024, 3, 13): PLAYERS[:2],  # partial but on the cutoff: kept
    TODAY: PLAYERS[:8],
    TODAY + timedelta(days=1): PLAYERS,
}
UNDER_COVERED = [date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 5)]


def upcg_frame() -> pd.DataFrame:
    rows = [
        {
            "player_lookup": player,
            "universal_player_id": f"{player}_001",
            "game_id": f"{day:%Y%m%d}_AAA_BBB",
            "game_date": pd.Timestamp(day),
            "team_abbr": "AAA",
            "opponent_team_abbr": "BBB",
            "days_rest": None if n % 3 == 0 else n % 4 + 1,
            "back_to_back": n % 4 == 0,
            "games_in_last_7_days": n % 5,
            "minutes_in_last_7_days": 30.5 * (n % 5),
            "avg_minutes_per_game_last_7": None if n % 5 == 0 else 30.5,
            "player_age": 20 + n,
            "projected_usage_rate": 20.0 + n / 4,
            "pace_differential": -1.5 + n / 10,
            "processed_at": pd.Timestamp(day) - pd.Timedelta(hours=n),
        }
        for day, players in UPCG_PLAYERS.items()
        for n, player in enumerate(players)
    ]
    return pd.DataFrame(rows)


def pgs_frame() -> pd.DataFrame:
    rows = [
        {
            "game_id": f"{day:%Y%m%d}_AAA_BBB",
            "game_date": pd.Timestamp(day),
            "season": 2023,
            "player_lookup": player,
            "team_abbr": "AAA",
            "opponent_team_abbr": "BBB",
            "player_status": "active",
            "minutes_played": 24.0,
        }
        for day in ACTIVE_DATES
        for player in PLAYERS
    ]
    # A DNP row never counts as "played": it must not raise the expected count.
    rows.append({**rows[0], "player_lookup": "benchwarmer", "player_status": "dnp", "minutes_played": 0.0})
    return pd.DataFrame(rows)


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["game_date", "player_lookup"]).reset_index(drop=True)
