"""Is each published date still true to its inputs (SPEC §6.10)? The third fact beside published and last attempt.

`fresh`: the digests its fingerprint recorded equal the digests now; `stale`: some differ (named, with what
changed), or its rows were computed by another calculation_version; `unverified`: published without a
fingerprint (before fingerprints existed, or by an older version), so nothing can vouch for it.

One statement lists the published dates with their fingerprints, then one statement compares, part by part, the
digests each fingerprint's run recorded with the digests now, inside that run's windows; plain rows, no pandas
(`status` and `validate` read this).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from backfill.pipeline.fingerprints import FINGERPRINT_KEYS, PARTS, PARTS_BY_NAME, Part, digest_sql
from processors.version import CALCULATION_VERSION
from vocabulary import InputState
from warehouse import Warehouse

LISTED_CHANGES = 3  # a reason names this many changes, then counts the rest

PUBLISHED_RUNS = """
SELECT game_date, MAX(run_id) AS run_id, MIN(calculation_version) AS oldest_version,
       MAX(calculation_version) AS newest_version
FROM {pcf} WHERE game_date BETWEEN @start AND @end GROUP BY game_date"""
# Per published date, the newest fingerprint that vouches for the rows the table holds now (same run).
FINGERPRINTED_SQL = f"""
SELECT p.game_date, p.oldest_version, p.newest_version, f.run_id AS inputs_run_id, f.season_from, f.week_from,
       f.differing_rows
FROM ({PUBLISHED_RUNS}) AS p
LEFT JOIN (
  SELECT game_date, run_id, published_run_id, season_from, week_from, differing_rows,
         ROW_NUMBER() OVER (PARTITION BY game_date ORDER BY recorded_at DESC) AS rn
  FROM {{fingerprints}} WHERE game_date BETWEEN @start AND @end
) AS f ON f.game_date = p.game_date AND f.published_run_id = p.run_id AND f.rn = 1
ORDER BY p.game_date"""
LOWER_BOUND = {"season": "season_from", "week": "week_from", "own": "game_date"}
# Per fingerprinting run, the first day each kind of window read and the last date it vouches for.
SPANS_SQL = """spans AS (
  SELECT run_id, MIN(season_from) AS season_from, MIN(week_from) AS week_from, MIN(game_date) AS game_date,
         MAX(game_date) AS hi
  FROM {fingerprints} WHERE run_id IN (SELECT * FROM UNNEST(@runs)) AND game_date BETWEEN @start AND @end
  GROUP BY run_id
)"""


def part_changes(wh: Warehouse, part: Part, i: int) -> tuple[str, str]:
    """The part's named subqueries and its select: per fingerprinting run, every (day, game) of the part inside its
    dates' windows whose digest now differs from the recorded one, or that only one side has (the part's days are
    [@from_<i>, @to])."""
    low = LOWER_BOUND[part.window]
    subqueries = f"""now_{i} AS ({digest_sql(wh, part, f"from_{i}")}
), recorded_{i} AS (
  SELECT i.run_id, i.day, i.game_id, i.row_count, i.digest FROM {{inputs}} AS i
  JOIN spans AS s ON s.run_id = i.run_id AND i.day BETWEEN s.{low} AND s.hi
  WHERE i.part = '{part.name}' AND i.day BETWEEN @from_{i} AND @to
), seen_{i} AS (
  SELECT s.run_id, d.day, d.game_id, d.row_count, d.digest FROM spans AS s
  JOIN now_{i} AS d ON d.day BETWEEN s.{low} AND s.hi
)"""
    select = f"""SELECT '{part.name}' AS part, COALESCE(r.run_id, n.run_id) AS run_id, COALESCE(r.day, n.day) AS day,
       COALESCE(r.game_id, n.game_id) AS game_id, r.row_count AS was_rows, n.row_count AS now_rows
FROM recorded_{i} AS r FULL OUTER JOIN seen_{i} AS n ON n.run_id = r.run_id AND n.day = r.day AND n.game_id = r.game_id
WHERE r.digest IS NULL OR n.digest IS NULL OR r.digest <> n.digest"""
    return subqueries, select


def changes_sql(wh: Warehouse, parts: list[Part]) -> str:
    """Every part's changes in one statement (one job on BigQuery, where each costs a round trip)."""
    pieces = [part_changes(wh, part, i) for i, part in enumerate(parts)]
    return (
        "WITH "
        + ",\n".join([SPANS_SQL, *(subqueries for subqueries, _ in pieces)])
        + "\n"
        + "\nUNION ALL\n".join(select for _, select in pieces)
    )


@dataclass(frozen=True)
class Change:
    """One (part, day, game) a date read that is not what it was: rows added (was None), removed (now None) or
    changed."""

    part: str
    day: date
    game_id: str
    was_rows: int | None
    now_rows: int | None

    def words(self, game_date: date) -> str:
        """`pgs game 20230303_BOS_NYK added (24 rows)`, `pgs minutes history changed on 2023-02-27 (game …)`."""
        label = PARTS_BY_NAME[self.part].label
        if self.was_rows is None:
            how, rows = "added", rows_text(self.now_rows)
        elif self.now_rows is None:
            how, rows = "removed", rows_text(self.was_rows)
        else:
            how, rows = "changed", rows_text(self.now_rows)
            if self.was_rows != self.now_rows:
                rows = f"{self.was_rows} → {rows}"
        if self.day == game_date:
            return f"{label} game {self.game_id} {how} ({rows})" if self.game_id else f"{label} {how} ({rows})"
        said = "" if how == "changed" else f" {how}"
        game = f"game {self.game_id}{said}, " if self.game_id else (f"{how}, " if said else "")
        return f"{label} history changed on {self.day} ({game}{rows})"


def rows_text(count: int | None) -> str:
    return "1 row" if count == 1 else f"{count} rows"


@dataclass(frozen=True)
class InputCheck:
    """A published date's inputs now against its fingerprint."""

    game_date: date
    state: InputState
    changes: tuple[Change, ...] = ()
    versions: tuple[str, str] | None = None  # (published, current) calculation_version when they differ
    inputs_run_id: str | None = None  # the run whose recorded digests vouch for the date
    missing_tables: tuple[str, ...] = ()  # inputs it read whose tables are gone
    differing_rows: int = 0  # rows a recomputation (`validate --recompute`) found different from the published ones

    @property
    def reason(self) -> str | None:
        """What the state means for this date, for people: `pgs game 20230303_BOS_NYK added (24 rows); …` when
        stale; None when fresh. The kind is `state`, not a prefix of the text."""
        if self.state == InputState.UNVERIFIED:
            return "published without an input fingerprint (`validate --recompute` checks it)"
        if self.state == InputState.FRESH:
            return None
        words = [f"calculation_version {self.versions[0]} → {self.versions[1]}"] if self.versions else []
        words += [f"input table {key} is missing" for key in self.missing_tables]
        if self.differing_rows:
            words.append(f"recomputed values differ in {rows_text(self.differing_rows)}")
        ordered = sorted(
            self.changes,
            key=lambda change: (change.day != self.game_date, -change.day.toordinal(), change.part, change.game_id),
        )
        words += [change.words(self.game_date) for change in ordered[:LISTED_CHANGES]]
        if len(ordered) > LISTED_CHANGES:
            words.append(f"{len(ordered) - LISTED_CHANGES} more changes")
        return "; ".join(words)

    @property
    def changed_parts(self) -> list[str]:
        return sorted(
            {change.part for change in self.changes}
            | set(self.missing_tables)
            | ({"calculation_version"} if self.versions else set())
            | ({"recomputed_values"} if self.differing_rows else set())
        )


def check_inputs(wh: Warehouse, start: date, end: date) -> dict[date, InputCheck]:
    """Every date of [start, end] with rows in PCF, checked against its fingerprint."""
    params = {"start": start, "end": end}
    if wh.missing_tables(FINGERPRINT_KEYS):  # a warehouse `init` has not migrated yet: nothing vouches
        published = wh.rows(PUBLISHED_RUNS, params)
        return {row["game_date"]: _judged(row, None, ()) for row in published}
    dates = wh.rows(FINGERPRINTED_SQL, params)
    missing = tuple(wh.missing_tables(sorted({part.table for part in PARTS})))
    parts = [part for part in PARTS if part.table not in missing and not (part.name == "players" and "pgs" in missing)]
    changes = _changes(wh, dates, parts, start, end) if any(row["inputs_run_id"] for row in dates) else {}
    return {
        row["game_date"]: _judged(
            row, row["inputs_run_id"], changes.get(row["game_date"], ()), missing if row["inputs_run_id"] else ()
        )
        for row in dates
    }


def _judged(
    row: Mapping[str, Any],
    inputs_run_id: str | None,
    changes: tuple[Change, ...] | list[Change],
    missing: tuple[str, ...] = (),
) -> InputCheck:
    oldest, newest = row["oldest_version"], row["newest_version"]
    versions = None
    if oldest != CALCULATION_VERSION or newest != CALCULATION_VERSION:
        versions = (str(oldest if oldest != CALCULATION_VERSION else newest), CALCULATION_VERSION)
    differing = int(row.get("differing_rows") or 0)
    if versions or changes or missing or differing:
        return InputCheck(
            row["game_date"], InputState.STALE, tuple(changes), versions, inputs_run_id, missing, differing
        )
    return InputCheck(
        row["game_date"],
        InputState.UNVERIFIED if inputs_run_id is None else InputState.FRESH,
        inputs_run_id=inputs_run_id,
    )


def _changes(
    wh: Warehouse, dates: list[dict[str, Any]], parts: list[Part], start: date, end: date
) -> dict[date, list[Change]]:
    """Per date, the changes inside its windows: one statement for every part, then each differing (part, day,
    game) is given to the dates of its run whose window holds it."""
    by_run: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in dates:
        if row["inputs_run_id"]:
            by_run[row["inputs_run_id"]].append(row)
    if not parts:
        return {}
    since = {
        f"from_{i}": min(row[LOWER_BOUND[part.window]] for rows in by_run.values() for row in rows)
        for i, part in enumerate(parts)
    }
    params = {"start": start, "end": end, "to": end, "runs": sorted(by_run), **since}
    found: dict[date, list[Change]] = defaultdict(list)
    for item in wh.rows(changes_sql(wh, parts), params):
        part = PARTS_BY_NAME[item["part"]]
        change = Change(part.name, item["day"], str(item["game_id"] or ""), item["was_rows"], item["now_rows"])
        for row in by_run.get(item["run_id"], []):
            if row[LOWER_BOUND[part.window]] <= change.day <= row["game_date"]:
                found[row["game_date"]].append(change)
    return found
