"""Who played (SPEC §6.4), one rule in two renderings: the SQL the reading commands count with (`PLAYED_SQL`) and the
frames the processor computes with (`validation.inputs.expected_from_schedule`) find the same players."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from league.games import PLAYED_SQL
from validation.inputs import expected_from_schedule
from warehouse.duckdb_backend import DuckDBWarehouse
from warehouse.identifiers import Datasets

D1, D2 = date(2023, 2, 23), date(2023, 2, 24)
# game_id: (date, type, status)
GAMES = {
    "regular": (D1, "regular", 3),
    "playoff": (D1, "playoff", 3),
    "untyped": (D1, None, 3),  # cannot be proven an exhibition: counts
    "preseason": (D1, "preseason", 3),
    "allstar": (D1, "allstar", 3),
    "scheduled": (D2, "regular", 1),
    "unknown status": (D2, "regular", None),
    "late": (D2, "regular", 3),
}
# (game_id, date, player, status)
BOX_SCORES = [
    ("regular", D1, "ann", "active"),
    ("regular", D1, "bob", "inactive"),
    ("playoff", D1, "ann", "active"),  # two final games on one date: one player
    ("playoff", D1, "cat", "active"),
    ("untyped", D1, "dan", "active"),
    ("preseason", D1, "eve", "active"),
    ("allstar", D1, "fay", "active"),
    ("scheduled", D2, "gus", "active"),
    ("unknown status", D2, "hal", "active"),
    ("late", D2, "ivy", "active"),
    ("late", D2, "jon", "dnp"),
    ("late", D1, "kim", "active"),  # dated otherwise than its game
    ("not in the schedule", D2, "lou", "active"),
]
PLAYED = {(D1, "ann"), (D1, "cat"), (D1, "dan"), (D2, "ivy")}


@pytest.fixture
def warehouse(tmp_path) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(str(tmp_path / "games.duckdb"), Datasets())
    wh.create_tables()
    schedule = pd.DataFrame(
        [(game, day, 2022, kind, status) for game, (day, kind, status) in GAMES.items()],
        columns=["game_id", "game_date", "season", "game_type", "game_status"],
    )
    wh.load(schedule.astype({"game_status": "Int64"}), "schedule")
    wh.load(pd.DataFrame(BOX_SCORES, columns=["game_id", "game_date", "player_lookup", "player_status"]), "pgs")
    return wh


def pairs(frame: pd.DataFrame) -> set[tuple[date, str]]:
    return set(zip(pd.to_datetime(frame["game_date"]).dt.date, frame["player_lookup"], strict=True))


def test_the_sql_and_the_frames_find_the_same_players(warehouse: DuckDBWarehouse) -> None:
    in_sql = warehouse.query(PLAYED_SQL, {"start": D1, "end": D2})
    schedule, pgs = warehouse.query("SELECT * FROM {schedule}"), warehouse.query("SELECT * FROM {pgs}")
    assert pairs(in_sql) == PLAYED
    assert pairs(expected_from_schedule(pgs, schedule, [D1, D2])) == PLAYED
