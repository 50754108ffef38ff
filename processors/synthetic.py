"""The partial-data fallback: SPEC §3 context rebuilt from box scores, for every player-date at once.

Histories are laid out as one array sorted by (entity, season, day); a player's entity is his id, never his
lookup (processors.identity), so two players who share a name keep two histories. A target's window is then
two binary searches into that array and its value a difference of prefix sums — no loop over
players or dates, and nothing on or after the target date is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from league.games import ACTIVE
from processors.identity import PLAYER_ID, player_ids
from processors.keys import (
    day_numbers,
    distinct,
    first_of_runs,
    occurrences,
    pair_keys,
    positions_in,
    sort_codes,
)
from warehouse.schemas import CONTEXT_COLUMN_NAMES

DAY_SPAN = 1_000_000  # > any day number, so (group, day) packs into one sortable integer
STAR_USAGE = 28.0
STAR_MIN_GAMES = 5
OUT_STATUSES = ("dnp", "inactive")
WINDOW_SUM_DECIMALS = 9
SHOT_COLUMNS = ("fga_paint", "fga_mid", "fga_three")
PACE_GAMES = 10  # a team's pace is the mean of its last this many games (SPEC §3)


@dataclass(frozen=True)
class History:
    """One entity's dated values, sorted, with prefix sums for O(1) window aggregates."""

    entities: pd.Index  # entity value → its code
    seasons: np.ndarray  # the seasons present, sorted; group = entity code * len(seasons) + season position
    keys: np.ndarray  # group * DAY_SPAN + day, sorted
    days: np.ndarray
    prefix: dict[str, np.ndarray]  # name → cumulative sums, length n + 1
    starts: np.ndarray  # per group, the index of its first row (a group without rows: the next group's)

    @classmethod
    def build(cls, entity: pd.Series, season: np.ndarray, days: np.ndarray, values: dict[str, np.ndarray]) -> History:
        """From one row per (entity, season, day), in any order."""
        codes, uniques = pd.factorize(entity)
        seasons = np.unique(season)
        group = codes.astype(np.int64) * len(seasons) + np.searchsorted(seasons, season)
        order = np.lexsort((days, group))
        keys = group[order] * DAY_SPAN + days[order]
        prefix = {name: np.concatenate([[0.0], np.cumsum(array[order])]) for name, array in values.items()}
        starts = np.searchsorted(keys, np.arange(len(uniques) * len(seasons), dtype=np.int64) * DAY_SPAN)
        return cls(pd.Index(uniques), seasons, keys, days[order], prefix, starts)

    def group_of(self, entity: pd.Series, season: pd.Series) -> np.ndarray:
        """Each target's group number (-1: no history); computed once per target set, it is the costly part.
        Single-level lookups (a string index, a sorted array) instead of a MultiIndex keep it cheap."""
        code, position = positions_in(self.entities, entity), self._season_positions(season)
        return np.where((code >= 0) & (position >= 0), code * len(self.seasons) + position, -1)

    def season_groups(self, season: pd.Series) -> np.ndarray:
        """`group_of` in a history of one entity (the league's): its group in each target's season (-1: none)."""
        position = self._season_positions(season)
        return position if len(self.entities) else np.full(len(position), -1, dtype=np.int64)

    def _season_positions(self, season: pd.Series) -> np.ndarray:
        """Each target's season's position among `seasons` (-1: a season without history)."""
        wanted = pd.to_numeric(season, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if not len(self.seasons):
            return np.full(len(wanted), -1, dtype=np.int64)
        position = np.clip(np.searchsorted(self.seasons, wanted), 0, len(self.seasons) - 1)
        return np.where(self.seasons[position] == wanted, position, -1)

    def locate(
        self, entity: pd.Series, season: pd.Series, day: np.ndarray, group: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each target: (index of its group's first row, index of its first row on/after day)."""
        return self.locate_groups(self.group_of(entity, season) if group is None else group, day)

    def locate_groups(self, group: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`locate` for targets whose group the caller knows."""
        missing = group < 0
        first = self.starts[np.where(missing, 0, group)] if len(self.starts) else np.zeros(len(group), np.int64)
        return np.where(missing, 0, first), np.where(missing, 0, self._search(group * DAY_SPAN + day))

    def index_at(self, group: np.ndarray, day: np.ndarray) -> np.ndarray:
        return np.where(group < 0, 0, self._search(group * DAY_SPAN + day))

    def _search(self, needles: np.ndarray) -> np.ndarray:
        """Where each needle would go in `keys` (searchsorted, left). Needles are searched in sorted order:
        numpy finds sorted needles about twice as fast, sort included."""
        order = np.argsort(needles, kind="stable")
        positions = np.empty(len(needles), dtype=np.int64)
        positions[order] = np.searchsorted(self.keys, needles[order], side="left")
        return positions

    def window_sum(self, name: str, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        # Prefix sums run over every player's history, so a difference carries float noise that
        # depends on how much history the chunk read; rounding makes a window's sum independent of
        # that (35.0 minutes must never become 35.000000000001 and cross a threshold).
        with np.errstate(over="ignore", invalid="ignore"):  # absurd inputs (1e308 minutes) become inf/NaN
            sums: np.ndarray = np.round(self.prefix[name][hi] - self.prefix[name][lo], WINDOW_SUM_DECIMALS)
        return sums


def active_history(pgs: pd.DataFrame) -> History:
    """Each player's active games (one per day: the first by game_id), with minutes, usage, back-to-back flags and
    shot attempts per zone (the PSZA windows of processors.zones read the same history)."""
    is_active = ((pgs["player_status"] == ACTIVE) & pgs["player_lookup"].notna()).to_numpy()
    active = pgs.loc[
        is_active,
        [
            "player_lookup",
            PLAYER_ID,
            "season",
            "game_date",
            "game_id",
            "minutes_played",
            "usage_rate",
            *[name for name in SHOT_COLUMNS if name in pgs],
        ],
    ]
    who = player_ids(active)
    player, season = sort_codes(who), active["season"].to_numpy(dtype=np.int64)
    days = day_numbers(active["game_date"])
    order = np.lexsort((sort_codes(active["game_id"]), days, season, player))
    kept = order[first_of_runs(player[order], season[order], days[order])]
    player, season, days = player[kept], season[kept], days[kept]
    minutes = _finite(active["minutes_played"])[kept]
    usage = _finite(active["usage_rate"])[kept]
    same_player = (player[1:] == player[:-1]) & (season[1:] == season[:-1])
    closes_b2b = np.concatenate([[False], same_player & (np.diff(days) == 1)])
    values = {
        "games": np.ones(len(kept)),
        "minutes": np.nan_to_num(minutes),
        "usage": np.nan_to_num(usage),
        "usage_n": (~np.isnan(usage)).astype(float),
        "b2b": closes_b2b.astype(float),
        **shot_attempts(active, kept),
    }
    return History.build(who.iloc[kept], season, days, values)


def shot_attempts(active: pd.DataFrame, kept: np.ndarray) -> dict[str, np.ndarray]:
    """Attempts per zone of the kept games (NULL as none) and `unknown`: 1 on a game without its shot split, whose
    window cannot say what a zone table should hold."""
    shots = {
        name: _finite(active[name])[kept] if name in active else np.full(len(kept), np.nan) for name in SHOT_COLUMNS
    }
    unknown = np.isnan(np.column_stack(list(shots.values()))).any(axis=1)
    return {**{name: np.nan_to_num(attempts) for name, attempts in shots.items()}, "unknown": unknown.astype(float)}


def _finite(values: pd.Series) -> np.ndarray:
    array = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    return np.where(np.isfinite(array), array, np.nan)


def _mean(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)


def player_workload(targets: pd.DataFrame, history: History) -> pd.DataFrame:
    """days_rest … projected_usage_rate for each (player, season, game_date) target."""
    day, who = day_numbers(targets["game_date"]), player_ids(targets)
    group = history.group_of(who, targets["season"])
    first, now = history.locate(who, targets["season"], day, group)
    week = np.maximum(first, history.index_at(group, day - 6))
    fortnight = np.maximum(first, history.index_at(group, day - 13))
    last7 = np.maximum(first, now - 7)
    played_before = now - first
    previous_day = history.days[np.maximum(now - 1, 0)] if len(history.days) else np.zeros(len(day))
    days_rest = np.where(played_before > 0, day - previous_day, np.nan)
    games_week = history.window_sum("games", week, now)
    minutes_week = history.window_sum("minutes", week, now)
    return pd.DataFrame(
        {
            "days_rest": pd.array(days_rest, dtype="Int64"),
            "back_to_back": days_rest == 1,
            "games_in_last_7_days": games_week.astype(np.int64),
            "minutes_in_last_7_days": minutes_week,
            "avg_minutes_per_game_last_7": _mean(minutes_week, games_week),
            "back_to_backs_last_14_days": history.window_sum("b2b", fortnight, now).astype(np.int64),
            "avg_usage_rate_last_7_games": _mean(
                history.window_sum("usage", last7, now), history.window_sum("usage_n", last7, now)
            ),
            "projected_usage_rate": np.where(
                played_before >= 3,
                _mean(history.window_sum("usage", first, now), history.window_sum("usage_n", first, now)),
                np.nan,
            ),
        },
        index=targets.index,
    )


def player_age(targets: pd.DataFrame, players: pd.DataFrame) -> pd.api.extensions.ExtensionArray:
    """Whole years from birth_date to the game date."""
    births = players.assign(player=player_ids(players)).drop_duplicates("player").set_index("player")["birth_date"]
    birth = pd.to_datetime(player_ids(targets).map(births)).to_numpy()
    game = pd.to_datetime(targets["game_date"]).to_numpy()
    (game_year, game_month, game_day), (birth_year, birth_month, birth_day) = _ymd(game), _ymd(birth)
    before_birthday = (game_month < birth_month) | ((game_month == birth_month) & (game_day < birth_day))
    years = game_year - birth_year - before_birthday
    return pd.array(np.where(np.isnat(birth), np.nan, years), dtype="Int64")


def _ymd(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of datetime64 values (meaningless where NaT), in numpy: `.dt` costs ~10× more."""
    years, months = dates.astype("datetime64[Y]"), dates.astype("datetime64[M]")
    return (
        years.astype(np.int64) + 1970,
        (months - years.astype("datetime64[M]")).astype(np.int64) + 1,
        (dates.astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64) + 1,
    )


def stars_out(targets: pd.DataFrame, pgs: pd.DataFrame, history: History) -> pd.Series:
    """Teammates out on the day (dnp/inactive) who averaged ≥ 28% usage over ≥ 5 prior games."""
    out = pgs[
        (
            pgs["player_status"].isin(OUT_STATUSES)
            & pgs["player_lookup"].notna()
            & pgs["game_date"].isin(targets["game_date"].unique())
        ).to_numpy()
    ]
    (player_day,) = pair_keys((out["game_date"], player_ids(out)))
    out = out[distinct(player_day)]
    first, now = history.locate(player_ids(out), out["season"], day_numbers(out["game_date"]))
    usage = _mean(history.window_sum("usage", first, now), history.window_sum("usage_n", first, now))
    is_star = ((now - first) >= STAR_MIN_GAMES) & (usage >= STAR_USAGE) & out["team_abbr"].notna().to_numpy()
    team_day, star_team_day = pair_keys(
        (targets["game_date"], targets["team_abbr"]), (out["game_date"][is_star], out["team_abbr"][is_star])
    )
    return pd.Series(occurrences(team_day, star_team_day), index=targets.index)


def team_pace(targets: pd.DataFrame, tgs: pd.DataFrame) -> pd.DataFrame:
    """Mean pace over each side's last PACE_GAMES games of the season before the date."""
    games = tgs[tgs["team_abbr"].notna()].drop_duplicates(["team_abbr", "season", "game_date"])
    pace = _finite(games["pace"])
    values = {"pace": np.nan_to_num(pace), "n": (~np.isnan(pace)) * 1.0}
    history = History.build(
        games["team_abbr"], games["season"].to_numpy(dtype=np.int64), day_numbers(games["game_date"]), values
    )
    day = day_numbers(targets["game_date"])

    def last_ten(team: pd.Series) -> np.ndarray:
        first, now = history.locate(team, targets["season"], day)
        start = np.maximum(first, now - PACE_GAMES)
        return _mean(history.window_sum("pace", start, now), history.window_sum("n", start, now))

    own, opponent = last_ten(targets["team_abbr"]), last_ten(targets["opponent_team_abbr"])
    with np.errstate(invalid="ignore"):  # inf − inf from absurd paces is NaN: the factor's default
        differential = own - opponent
    return pd.DataFrame({"pace_differential": differential, "opponent_pace_last_10": opponent}, index=targets.index)


def synthetic_context(
    targets: pd.DataFrame,
    pgs: pd.DataFrame,
    tgs: pd.DataFrame,
    players: pd.DataFrame,
    history: History | None = None,
) -> pd.DataFrame:
    """SPEC §3 context for each target row (game_date, player_lookup, universal_player_id, season, team_abbr,
    opponent_team_abbr); `history` is `active_history(pgs)` when the caller has it already."""
    if targets.empty:  # e.g. every date of the chunk has complete UPCG: skip building histories
        return pd.DataFrame(index=targets.index, columns=CONTEXT_COLUMN_NAMES)
    history = active_history(pgs) if history is None else history
    context = pd.concat(
        [
            player_workload(targets, history),
            pd.DataFrame({"player_age": player_age(targets, players)}, index=targets.index),
            pd.DataFrame({"star_teammates_out": stars_out(targets, pgs, history)}, index=targets.index),
            team_pace(targets, tgs),
        ],
        axis=1,
    )
    return context[CONTEXT_COLUMN_NAMES]
