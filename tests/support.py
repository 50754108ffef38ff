"""Helpers the tests share (fixtures stay in conftest.py files): the backends a backend-neutral test runs on, the CLI
in-process with today pinned or in a process of its own, and reads of the warehouse written in SQL that DuckDB and
BigQuery both accept, or in pandas over fetched rows. (Whether the table and the ledger agree: consistency.py.)

A `target` is a DuckDB file (a Path) or any `--warehouse` URL (a str).

- `published_rows`: PCF without run metadata, typed by the contract and in key order — what must be identical
  however the table was reached, on either backend.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from backfill.cli import cli
from backfill.settings import EMULATOR_HOST_VARIABLE
from warehouse import Datasets, Warehouse, connect
from warehouse.schemas import TABLES

TODAY = "2026-11-26"  # pinned so date validation never depends on the day the suite runs
INCIDENT_WEEK = ("--start-date", "2023-02-20", "--end-date", "2023-02-26")
INCIDENT_DATES = ("2023-02-23", "2023-02-24")  # UPCG holds 1 player on the 23rd (the incident)
RUN_METADATA = ["run_id", "processed_at"]
KEY = ["game_date", "player_lookup"]
CONTRACT_DTYPES = {
    "INT64": "Int64",
    "FLOAT64": "Float64",
    "BOOL": "boolean",
    "STRING": "string",
    "DATE": "datetime64[us]",
    "TIMESTAMP": "datetime64[us]",
}

DEMO_SEASON = ("--start-date", "2022-10-18", "--end-date", "2023-04-09")  # the demo league's 2022-23 season
Target = Path | str

# The backends a test written once runs on (a fixture's params); the emulator's are marked so `-m` can leave them out.
BACKENDS = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("bigquery", id="bigquery", marks=pytest.mark.bigquery_emulator),
]


def sampled(values: Iterable[Any], fast: int) -> list[Any]:
    """Parameters of a test that samples moments or inputs: `fast` of them, spread over the list (the first
    included), run in `make test-fast`; the rest are marked slow and run in the full suite only."""
    values = list(values)
    step = -(-len(values) // fast)
    return [value if n % step == 0 else pytest.param(value, marks=pytest.mark.slow) for n, value in enumerate(values)]


def said(output: str) -> list[str]:
    """What a command said to a person: its lines without the JSON log lines (every invocation's stream ends
    with a `run_done` line)."""
    return [line for line in output.strip().splitlines() if not line.startswith('{"event": ')]


def url_of(target: Target) -> str:
    return f"duckdb:///{target}" if isinstance(target, Path) else target


def invoke(target: Target, *args: str, today: str | None = TODAY, env: dict[str, str] | None = None) -> Result:
    """The CLI in-process: JSON logs, today pinned (None: the real clock), exceptions left to the CLI's own edge."""
    pinned = ["--today", today] if today else []
    return CliRunner().invoke(
        cli, ["--warehouse", url_of(target), "--log-format", "json", *pinned, *args], env=env, catch_exceptions=False
    )


def cli_process(
    target: Target,
    *args: str,
    today: str | None = TODAY,
    env: dict[str, str] | None = None,
    stdout: int = subprocess.DEVNULL,
    stderr: int = subprocess.PIPE,
    text: bool = True,
) -> subprocess.Popen:
    """The CLI in a process of its own, to signal, kill or hold while other commands run, today pinned as `invoke`
    pins it; its JSON log lines are on stderr (a pipe unless `stderr` is a file)."""
    pinned = ["--today", today] if today else []
    command = [sys.executable, "-m", "backfill.cli", "--warehouse", url_of(target), "--log-format", "json", *pinned]
    return subprocess.Popen([*command, *args], stdout=stdout, stderr=stderr, env=env, text=text)


def start_run(target: Target, *options: str, **process: Any) -> subprocess.Popen:
    """`run` over the whole demo season (long enough to be caught mid-run) in a process of its own."""
    return cli_process(target, "run", *DEMO_SEASON, *options, **process)


def run_json(target: Target, *args: str) -> tuple[Result, dict[str, dict]]:
    """`run ARGS --output json`: the result and its dates by game date ({} when nothing was printed)."""
    result = invoke(target, "run", *args, "--output", "json")
    document = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result, by_date(document)


def run_document(target: Target, *args: str) -> tuple[Result, dict]:
    """`run ARGS --output json`: the result and the whole JSON summary."""
    result = invoke(target, "run", *args, "--output", "json")
    assert result.stdout, result.output
    return result, json.loads(result.stdout)


def by_date(document: dict) -> dict[str, dict]:
    return {entry["game_date"]: entry for entry in document.get("dates", [])}


def error_lines(result: Result) -> list[str]:
    """What stderr says besides the JSON log lines."""
    return [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("{")]


def assert_one_clear_line(result: Result, *fragments: str) -> None:
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# --- reading the warehouse ------------------------------------------------------------------------
def opened(target: Target) -> Warehouse:
    """A connection the caller closes (see `reading` for a context manager); a `bigquery://` URL is served by the
    emulator the `bigquery_url` fixture put in the environment, as the CLI finds it."""
    return connect(url_of(target), Datasets(), emulator_host=os.environ.get(EMULATOR_HOST_VARIABLE))


@contextmanager
def reading(target: Target | Warehouse) -> Iterator[Warehouse]:
    """The target's warehouse for a few statements; an already open Warehouse is used and left open."""
    if isinstance(target, Warehouse):
        yield target
        return
    wh = opened(target)
    try:
        yield wh
    finally:
        wh.close()


def query(target: Target | Warehouse, sql: str, **params: object) -> pd.DataFrame:
    with reading(target) as wh:
        return wh.query(sql, params)


def execute(target: Target | Warehouse, sql: str, **params: object) -> int:
    with reading(target) as wh:
        return wh.execute(sql, params)


def count(target: Target | Warehouse, sql: str, **params: object) -> int:
    """The `n` of a one-row query."""
    return int(query(target, sql, **params)["n"].iloc[0])


def pcf_rows(target: Target | Warehouse, day: str) -> int:
    return count(target, "SELECT count(*) AS n FROM {pcf} WHERE game_date = @d", d=date.fromisoformat(day))


def who_played(target: Target | Warehouse, day: str) -> int:
    """Distinct players with an active box score on the day: the players a date must publish."""
    return count(
        target,
        "SELECT count(DISTINCT player_lookup) AS n FROM {pgs} WHERE game_date = @d AND player_status = 'active'",
        d=date.fromisoformat(day),
    )


def ledger_state(target: Target | Warehouse, day: str) -> pd.Series:
    """The date's current ledger row (its latest verdict)."""
    rows = query(
        target,
        "SELECT * FROM {checkpoints} WHERE game_date = @d ORDER BY COALESCE(attempt, 0) DESC, finished_at DESC",
        d=date.fromisoformat(day),
    )
    return rows.iloc[0]


def contract_typed(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """BigQuery returns nullable Int64/boolean, DuckDB int64/float64/bool/object: cast both the same way."""
    types = {column.name: CONTRACT_DTYPES[column.type] for column in TABLES[key].columns if column.name in frame}
    return frame.astype(types).reset_index(drop=True)


def published_rows(target: Target | Warehouse) -> pd.DataFrame:
    """PCF without run metadata, typed by the contract, in key order."""
    rows = query(target, "SELECT * FROM {pcf}").drop(columns=RUN_METADATA)
    return contract_typed(rows.sort_values(KEY), "pcf")


def table_counts(target: Target | Warehouse) -> dict[str, int]:
    """Rows of every contract table."""
    union = " UNION ALL ".join(f"SELECT '{key}' AS table_key, count(*) AS n FROM {{{key}}}" for key in TABLES)
    return {str(key): int(n) for key, n in query(target, union).set_index("table_key")["n"].items()}


def audit_rows(target: Target | Warehouse, day: str, audit: str) -> pd.DataFrame:
    return query(
        target,
        "SELECT * FROM {audits} WHERE game_date = @d AND audit = @a ORDER BY attempt",
        d=date.fromisoformat(day),
        a=audit,
    )


# --- degrading inputs ------------------------------------------------------------------------------
def set_aside(target: Target | Warehouse, key: str, where: str, **params: object) -> pd.DataFrame:
    """Take rows out of an input and return them (for `put_back`), as if upstream had not written them yet."""
    with reading(target) as wh:
        rows = wh.query(f"SELECT * FROM {{{key}}} WHERE {where}", params)
        assert wh.execute(f"DELETE FROM {{{key}}} WHERE {where}", params) == len(rows) > 0
    return rows


def put_back(target: Target | Warehouse, key: str, rows: pd.DataFrame) -> None:
    with reading(target) as wh:
        wh.load(rows, key)


ZONE_SPLIT = [f"opp_{kind}_{zone}" for kind in ("fga", "fgm") for zone in ("paint", "mid", "three")]


def lose_zone_split(target: Target | Warehouse, before: str, teams: list[str] | None = None) -> None:
    """The team box scores lost their shot-zone split before `before` (every opp_fga_*/opp_fgm_* of TGS 0), for
    `teams` (default: all): those teams' zone defense is unknown, so every shot-zone score against them is 0. The
    zone tables are rebuilt from these box scores (`--zones auto`), whatever they hold."""
    which = {} if teams is None else {"teams": teams}
    only = " AND team_abbr IN (SELECT * FROM UNNEST(@teams))" if which else ""
    execute(
        target,
        f"UPDATE {{tgs}} SET {', '.join(f'{column} = 0' for column in ZONE_SPLIT)} WHERE game_date < @d{only}",
        d=date.fromisoformat(before),
        **which,
    )


def keep_upcg_share(target: Target | Warehouse, day: str, share: float) -> None:
    """Leave only the first `share` of the date's UPCG players, in name order (a partial pre-game table)."""
    d = date.fromisoformat(day)
    players = query(target, "SELECT DISTINCT player_lookup FROM {upcg} WHERE game_date = @d ORDER BY 1", d=d)
    last_kept = players["player_lookup"].iloc[round(share * len(players)) - 1]
    execute(target, "DELETE FROM {upcg} WHERE game_date = @d AND player_lookup > @last", d=d, last=last_kept)


def make_upcg_stale(target: Target | Warehouse, day: str) -> int:
    """Rest and workload of another day for about half the date's UPCG rows (players before "n"): every player
    still there. Returns how many of the players who played got a stale row."""
    stale = "game_date = @d AND player_lookup < 'n'"
    d = date.fromisoformat(day)
    changed = execute(
        target,
        "UPDATE {upcg} SET days_rest = days_rest + 2, games_in_last_7_days = "
        "games_in_last_7_days + 1, minutes_in_last_7_days = minutes_in_last_7_days + 30 "
        f"WHERE {stale}",
        d=d,
    )
    assert changed > 0
    played = "SELECT player_lookup FROM {pgs} WHERE game_date = @d AND player_status = 'active'"
    return count(target, f"SELECT count(*) AS n FROM {{upcg}} WHERE {stale} AND player_lookup IN ({played})", d=d)


def pgs_rows(players_by_date: dict[date, list[str]]) -> pd.DataFrame:
    """Minimal active box-score rows: one LAL game per date, the players named."""
    return pd.DataFrame(
        [
            {
                "game_id": f"{day:%Y%m%d}_BOS_LAL",
                "game_date": day,
                "season": 2022,
                "player_lookup": player,
                "team_abbr": "LAL",
                "player_status": "active",
                "minutes_played": 31.5,
                "points": 20,
            }
            for day, players in players_by_date.items()
            for player in players
        ]
    )
