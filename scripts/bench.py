"""Benchmark the backfill on the four-season demo league (DuckDB), beside its per-date baseline.

    python scripts/bench.py            # four seasons, 3 repetitions, medians
    python scripts/bench.py --quick    # one season, three weeks, 1 repetition (a smoke test)

Each case runs the installed `pcf-backfill` as a child process, so wall time and peak RSS are
those an operator would see. Needs only the dev install.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

FULL = {"seasons": "2021-2024", "start": "2021-10-19", "end": "2025-04-13", "repetitions": 3}
QUICK = {"seasons": "2022", "start": "2022-10-18", "end": "2022-11-21", "repetitions": 1}
COLUMNS = ("case", "wall_s", "game_dates_per_s", "rows_per_s", "peak_rss_mib", "queries_per_date")


@dataclass
class Measurement:
    seconds: float
    peak_rss_mib: float
    stdout: str


def cli(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "backfill.cli", "--warehouse", f"duckdb:///{db}", "--log-format", "json", *args]


def measure(command: list[str], accept: tuple[int, ...] = (0,)) -> Measurement:
    """Run a child, return its wall time, its own peak RSS (wait4 rusage) and stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        stdout = out.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in accept:
        raise SystemExit(f"{' '.join(command)} exited {code}:\n{stdout}")
    return Measurement(seconds, usage.ru_maxrss / 1024, stdout)


def backfill_case(name: str, base: Path, work: Path, options: dict, repetitions: int, extra: list[str],
                  prepare_from: Path | None = None) -> dict:  # fmt: skip
    runs = []
    for _ in range(repetitions):
        db = work / f"{name}.duckdb"
        shutil.copy(prepare_from or base, db)
        measurement = measure(cli(db, "run", "--start-date", options["start"], "--end-date", options["end"],
                                  "--output", "json", *extra))  # fmt: skip
        runs.append((measurement, json.loads(measurement.stdout)))
    return summarise(name, runs)


def summarise(name: str, runs: list[tuple[Measurement, dict]]) -> dict:
    seconds = statistics.median(m.seconds for m, _ in runs)
    document = runs[0][1]
    processed = sum(1 for d in document["dates"] if d["status"] != "skipped_bootstrap")
    rows = sum(d["published_players"] or 0 for d in document["dates"])
    return {
        "case": name,
        "wall_s": seconds,
        "game_dates_per_s": processed / seconds if processed else 0.0,
        "rows_per_s": rows / seconds if rows else 0.0,
        "peak_rss_mib": max(m.peak_rss_mib for m, _ in runs),
        "queries_per_date": document["warehouse_jobs"] / max(processed, 1) if processed else float("nan"),
        "processed_dates": processed,
        "published_rows": rows,
        "jobs": document["warehouse_jobs"],
    }


def validate_case(db: Path, options: dict, repetitions: int) -> dict:
    runs = [measure(cli(db, "validate", "--start-date", options["start"], "--end-date", options["end"]),
                    accept=(0, 3)) for _ in range(repetitions)]  # fmt: skip
    return {
        "case": "4 validate",
        "wall_s": statistics.median(m.seconds for m in runs),
        "game_dates_per_s": 0.0,
        "rows_per_s": 0.0,
        "peak_rss_mib": max(m.peak_rss_mib for m in runs),
        "queries_per_date": float("nan"),
    }


def print_table(results: list[dict]) -> None:
    print("  ".join(f"{c:>16}" for c in COLUMNS))
    for result in results:
        cells = [f"{result[c]:>16.2f}" if isinstance(result[c], float) else f"{result[c]:>16}" for c in COLUMNS]
        print("  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one season, three weeks, one repetition")
    parser.add_argument("--repetitions", type=int, default=None)
    args = parser.parse_args()
    options = QUICK if args.quick else FULL
    repetitions = args.repetitions or options["repetitions"]
    with tempfile.TemporaryDirectory(prefix="pcf-bench-") as tmp:
        work = Path(tmp)
        base = work / "league.duckdb"
        generation = measure(cli(base, "demo", "--seasons", options["seasons"]))
        print(f"demo league {options['seasons']}: generated in {generation.seconds:.1f} s "
              f"(peak RSS {generation.peak_rss_mib:.0f} MiB)")  # fmt: skip
        cold = backfill_case("1 cold backfill", base, work, options, repetitions, [])
        # the per-date baseline takes minutes; one repetition says enough about it
        baseline = backfill_case("2 per-date (--chunk-days 1)", base, work, options, 1,
                                 ["--chunk-days", "1"])
        done = work / "done.duckdb"
        shutil.copy(work / "1 cold backfill.duckdb", done)
        noop = backfill_case("3 no-op rerun", base, work, options, repetitions, [], prepare_from=done)
        check = validate_case(done, options, repetitions)
    results = [cold, baseline, noop, check]
    print(f"range {options['start']} → {options['end']}, {cold['processed_dates']} game dates, "
          f"{cold['published_rows']:,} rows, median of {repetitions}")  # fmt: skip
    print_table(results)
    print(f"per-date baseline ÷ default: {baseline['wall_s'] / cold['wall_s']:.1f}×")


if __name__ == "__main__":
    main()
