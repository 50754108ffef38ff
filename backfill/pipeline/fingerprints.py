"""Input fingerprints (SPEC §6.10): what a published date's rows were computed from, recorded with the verdict.

Each input is cut into *parts* by the window that reads it, so a correction stales exactly the dates whose values
can change: who played, status, team and usage are read season to date (days rest, usage, star teammates, the
history gate), minutes only by the last-7-days window and the date's own box-score sums, UPCG, PSZA, TDZA and the
players' birth dates only on the date itself. A part's digest per day (and game) is `BIT_XOR` of a 64-bit hash of
each row, with a row count: order-independent, computed in the warehouse by one aggregate statement per part.

A run records its digests once per (part, day, game) in `backfill_inputs`, in the transaction that publishes the
dates that read them, and one `backfill_fingerprints` row per published date naming the run whose digests hold its
inputs and the windows it read. Checking a range is one aggregate statement per part: the digests recorded against
the digests now (`backfill.pipeline.input_checks`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from league.calendar import Calendar
from processors.version import CALCULATION_VERSION
from warehouse.errors import WarehouseError
from warehouse.logger import get_logger
from warehouse.schemas import TABLES

if TYPE_CHECKING:
    import pandas as pd

    from backfill.pipeline.published import PublishedState
    from backfill.settings import RunSettings
    from league.calendar import Season
    from processors.season_inputs import SeasonInputs
    from warehouse import Warehouse

log = get_logger(__name__)

Window = Literal["season", "week", "own"]
WEEK_DAYS = 7  # SPEC §3: D − 7 < game_date < D; the date's own minutes are read by its box-score sums


@dataclass(frozen=True)
class Part:
    """One input as a window reads it: its rows' columns hashed, per day (and per game where the table has games)."""

    name: str
    table: str  # contract key
    date_column: str
    columns: tuple[str, ...]
    window: Window
    by_game: bool = True

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")


def _all_but(key: str, *left_out: str) -> tuple[str, ...]:
    return tuple(name for name in TABLES[key].column_names if name not in left_out)


PARTS = (
    Part("schedule", "schedule", "game_date", _all_but("schedule"), "season"),
    Part("pgs", "pgs", "game_date", _all_but("pgs", "minutes_played"), "season"),
    Part("pgs_minutes", "pgs", "game_date", ("game_id", "player_lookup", "minutes_played"), "week"),
    Part("tgs", "tgs", "game_date", _all_but("tgs"), "season"),
    Part("upcg", "upcg", "game_date", _all_but("upcg", "processed_at"), "own"),
    Part("psza", "psza", "analysis_date", _all_but("psza"), "own", by_game=False),
    Part("tdza", "tdza", "analysis_date", _all_but("tdza"), "own", by_game=False),
    Part(
        "players", "players", "game_date", ("player_lookup", "universal_player_id", "birth_date"), "own", by_game=False
    ),
)
PARTS_BY_NAME = {part.name: part for part in PARTS}
FINGERPRINT_KEYS = ("inputs", "fingerprints")  # the tables a publish records them in
# The players who appear in a day's box scores, with their players row: a birth date matters on the days they play.
PLAYERS_OF_THE_DAY = (
    "(SELECT d.game_date, p.player_lookup, p.universal_player_id, p.birth_date FROM "
    "(SELECT DISTINCT game_date, player_lookup FROM {pgs} WHERE game_date BETWEEN @from AND @to) "
    "AS d JOIN {players} AS p ON p.player_lookup = d.player_lookup)"
)


def digest_sql(wh: Warehouse, part: Part, since: str = "from") -> str:
    """Per day (and game) of [@<since>, @to]: the part's row count and digest."""
    source = PLAYERS_OF_THE_DAY if part.name == "players" else f"{{{part.table}}}"
    source = source.replace("@from", f"@{since}")
    game = "COALESCE(t.game_id, '')" if part.by_game else "''"
    digest = f"CAST(BIT_XOR({wh.row_hash([f't.{name}' for name in part.columns])}) AS STRING)"
    grouped = f"t.{part.date_column}, {game}" if part.by_game else f"t.{part.date_column}"
    return (
        f"SELECT t.{part.date_column} AS day, {game} AS game_id, COUNT(*) AS row_count, {digest} AS digest "
        f"FROM {source} AS t WHERE t.{part.date_column} BETWEEN @{since} AND @to GROUP BY {grouped}"
    )


def all_digests_sql(wh: Warehouse, parts: Sequence[Part]) -> str:
    """Every part's digests in one statement (one job on BigQuery, where each costs a round trip): part i reads
    [@from_i, @to]."""
    return "\nUNION ALL\n".join(
        f"SELECT '{part.name}' AS part, digests.* FROM ({digest_sql(wh, part, f'from_{i}')}) AS digests"
        for i, part in enumerate(parts)
    )


def _published_state() -> PublishedState:
    from backfill.pipeline.published import PublishedState  # frames: only a run that publishes pays for them

    return PublishedState()


def window_start(part: Part, day: date, calendar: Calendar) -> date:
    """The first day of `part` a date's rows read (a season's history starts at its first game)."""
    if part.window == "season":
        return calendar.history_start(day)
    if part.window == "week":
        return max(calendar.history_start(day), day - timedelta(days=WEEK_DAYS - 1))
    return day


def settings_words(settings: RunSettings) -> str:
    """The gate settings that decided a date, as its fingerprint records them."""
    rules = settings.rules
    return json.dumps(
        {
            "source": settings.source,
            "min_coverage": rules.min_coverage,
            "warn_coverage": rules.warn_coverage,
            "force": rules.force,
            "allow_regression": rules.allow_regression,
        },
        sort_keys=True,
    )


@dataclass
class Observations:
    """What one run saw of its inputs: every part's digests per season, taken just before the run reads that
    season (so a write racing the read can only make a date look stale, never hide a change), and which of them
    the run has recorded so far."""

    first: date
    last: date
    calendar: Calendar
    _seasons: dict[int, pd.DataFrame | None] = field(default_factory=dict)  # None: an input could not be digested
    published: PublishedState = field(default_factory=_published_state)  # what PCF holds, read with the digests
    _recorded_through: dict[int, date] = field(default_factory=dict)
    _days: dict[int, Any] = field(default_factory=dict)  # each season's digest days as datetime64[D], made once

    def observe(self, wh: Warehouse, start: date, end: date, inputs: SeasonInputs) -> None:
        """Take the digests of every season [start, end] touches that this run has not read yet, in the read of
        that season's inputs (one job on BigQuery, and one snapshot of every input)."""
        for season in self.calendar.seasons_between(start, end):
            if season.season not in self._seasons:
                self._seasons[season.season] = self._digests(wh, season, inputs)

    def _digests(self, wh: Warehouse, season: Season, inputs: SeasonInputs) -> pd.DataFrame | None:
        """The season's digests, over the days `SeasonInputs` reads of it; None when an input cannot be read (its
        dates then fail, or publish unverified: a fingerprint is never recorded from part of the inputs)."""
        history_from, season_end = self.calendar.span(season)
        first, last = max(history_from, self.first), min(season_end, self.last) if season_end else self.last
        since = {part.name: max(history_from, window_start(part, first, self.calendar)) for part in PARTS}
        try:
            params = {"to": last, **{f"from_{i}": since[part.name] for i, part in enumerate(PARTS)}}
            also = {"digests": (all_digests_sql(wh, PARTS), params), **self.published.reads(first, last, history_from)}
            frames = inputs.read_season_with(wh, season, also)
            self.published.take(frames, first, last, history_from)
            return frames["digests"]
        except WarehouseError as error:  # the inputs are read again, alone, when a chunk needs them
            log.warning("inputs_not_fingerprinted", season=season.season, error=str(error))
            return None

    def _season_of(self, day: date) -> int:
        season = self.calendar.season_of(day)
        return -1 if season is None else season  # -1: before the schedule's first season, never digested

    def records(
        self,
        published: Sequence[date],
        run_id: str,
        settings: RunSettings,
        now: datetime,
        *,
        published_runs: Mapping[date, str] | None = None,
        differing: Mapping[date, int] | None = None,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """For the dates a chunk publishes: the digests they read that this run has not recorded yet
        (`backfill_inputs` rows) and one fingerprint per date (`backfill_fingerprints` rows). A recomputation
        vouches for rows another run published (`published_runs`) and says how many of them differ."""
        import numpy as np
        import pandas as pd

        inputs = []
        published = [day for day in published if self._seasons.get(self._season_of(day)) is not None]
        for season in sorted({self._season_of(day) for day in published}):
            through = max(day for day in published if self._season_of(day) == season)
            digests = self._seasons[season]
            assert digests is not None
            days = self._days.get(season)
            if days is None:  # once per season, not per chunk: a season's digests are thousands of rows
                days = self._days[season] = pd.to_datetime(digests["day"]).to_numpy().astype("datetime64[D]")
            since = self._recorded_through.get(season)
            new = days <= np.datetime64(through, "D")
            if since is not None:
                new &= days > np.datetime64(since, "D")
            inputs.append(digests[new])
            self._recorded_through[season] = max(through, since or through)
        columns = [name for name in TABLES["inputs"].column_names if name != "run_id"]
        inputs_rows = (pd.concat(inputs, ignore_index=True) if inputs else pd.DataFrame(columns=columns)).assign(
            run_id=run_id
        )
        words = settings_words(settings)
        fingerprints = pd.DataFrame(
            {
                "game_date": pd.to_datetime(pd.Series(list(published), dtype="object")),
                "run_id": run_id,
                "published_run_id": [(published_runs or {}).get(day, run_id) for day in published],
                "differing_rows": [(differing or {}).get(day, 0) for day in published],
                "season_from": [self.calendar.history_start(day) for day in published],
                "week_from": [window_start(PARTS_BY_NAME["pgs_minutes"], day, self.calendar) for day in published],
                "calculation_version": CALCULATION_VERSION,
                "settings": words,
                "recorded_at": now,
            }
        )
        return inputs_rows[TABLES["inputs"].column_names], fingerprints[TABLES["fingerprints"].column_names]
