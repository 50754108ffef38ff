"""What the gate checks of SPEC §6.8 (issue 26) cost in a run: `run` in a child process with each check function
timed where the processor calls it, on a fresh copy of a demo league per repetition; medians of the repetitions.

    .venv/bin/python scripts/bench_checks.py LEAGUE.duckdb [--repeat 3] [--start-date D] [--end-date D]

LEAGUE.duckdb is a demo league file (`pcf-backfill --warehouse duckdb:///LEAGUE.duckdb demo --seasons 2021-2024`);
it is copied, never written. The checks timed: the league-games filter of the history (`history_rows`), identity
(`identity_conflicts`, `conflict_texts`, `in_conflict`, `match_upcg`), the box score adding up with the team lines
(`box_score_checks`) and the zone tables against the box scores (`check_zones`, which also hands on the zone
inputs the old table lookup gave). Their share is of the child's whole wall time, interpreter start-up included.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

START = time.perf_counter()  # the child's clock starts before it imports anything of the project

CHECKS = (
    "history_rows",
    "identity_conflicts",
    "conflict_texts",
    "in_conflict",
    "match_upcg",
    "box_score_checks",
    "check_zones",
)
FOUR_SEASONS = ("2021-10-19", "2025-04-13")


def timed(spent: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, adding its wall seconds to spent[name] and its CPU seconds to spent[name + " cpu"]."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began, began_cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - began
            spent[f"{name} cpu"] = spent.get(f"{name} cpu", 0.0) + time.process_time() - began_cpu

    return wrapper


def child(url: str, start: str, end: str) -> None:
    """One timed `run`; prints one JSON line: wall and CPU seconds per check, of all checks and of the whole run."""
    import backfill.pipeline.compute as compute

    spent: dict[str, float] = {}
    for name in CHECKS:
        setattr(compute, name, timed(spent, name, getattr(compute, name)))
    from backfill.cli import main

    sys.argv = ["pcf-backfill", "--warehouse", url, "run", "--start-date", start, "--end-date", end]
    try:
        main()  # exits with the run's exit code, after the finally below
    finally:
        checks = sum(spent.get(name, 0.0) for name in CHECKS)
        checks_cpu = sum(spent.get(f"{name} cpu", 0.0) for name in CHECKS)
        totals = {"checks": checks, "run": time.perf_counter() - START}
        cpu = {"checks cpu": checks_cpu, "run cpu": time.process_time()}
        print(json.dumps({**spent, **totals, **cpu}))


def repetition(league: Path, start: str, end: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "league.duckdb"
        shutil.copyfile(league, copy)
        url = f"duckdb:///{copy}"
        cli = [sys.executable, "-m", "backfill.cli", "--warehouse", url, "init"]
        subprocess.run(cli, check=True, capture_output=True)
        done = subprocess.run(
            [sys.executable, __file__, "--child", url, "--start-date", start, "--end-date", end],
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("league", help="a demo league's DuckDB file (copied), or with --child a warehouse URL")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--start-date", default=FOUR_SEASONS[0])
    parser.add_argument("--end-date", default=FOUR_SEASONS[1])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.league, options.start_date, options.end_date)
        return
    runs = [repetition(Path(options.league), options.start_date, options.end_date) for _ in range(options.repeat)]
    print(f"{'seconds, median of ' + str(len(runs)):>24}  {'wall':>7}  {'cpu':>7}   every run (wall)")
    for name in [*CHECKS, "checks", "run"]:
        wall = [run.get(name, 0.0) for run in runs]
        cpu = statistics.median(run.get(f"{name} cpu", 0.0) for run in runs)
        print(f"{name:>24}  {statistics.median(wall):7.3f}  {cpu:7.3f}   " + " ".join(f"{s:.3f}" for s in wall))
    for clock in ("", " cpu"):
        shares = [run[f"checks{clock}"] / run[f"run{clock}"] for run in runs]
        every = " ".join(f"{share:.1%}" for share in shares)
        print(f"{'share of the run' + clock:>24}  {statistics.median(shares):7.1%}   {every}")


if __name__ == "__main__":
    main()
