"""Time the composite-factors processor on a whole demo season, in memory (no warehouse writes).

    python scripts/bench_factors.py [--season 2022] [--repetitions 5]

Generates the demo season into a temporary DuckDB file, reads every input once, then times
context building (UPCG or synthetic) plus the factor math for every game date of the season.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from backfill.pipeline.compute import compute_composite_factors
from demo import SUPPORTED_SEASONS, generate_demo
from processors.sources import read_sources
from warehouse import Datasets, connect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--season", type=int, default=2022, choices=SUPPORTED_SEASONS)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pcf-bench-factors-") as tmp:
        wh = connect(f"duckdb:///{Path(tmp) / 'league.duckdb'}", Datasets())
        generate_demo(wh, [args.season], seed=42)
        games = wh.query("SELECT DISTINCT game_date FROM {schedule} ORDER BY 1")
        dates = [ts.date() for ts in games["game_date"]]
        sources = read_sources(wh, dates[0], dates[-1])
        wh.close()
    timings, rows = [], 0
    for _ in range(args.repetitions):
        started = time.perf_counter()
        result = compute_composite_factors(sources, dates, "auto")
        timings.append(time.perf_counter() - started)
        rows = len(result.rows)
    seconds = statistics.median(timings)
    print(f"season {args.season}: {len(dates)} game dates, {rows:,} rows")
    print(
        f"median of {args.repetitions}: {seconds:.3f} s, {rows / seconds:,.0f} rows/s "
        f"(min {min(timings):.3f} s, max {max(timings):.3f} s)"
    )


if __name__ == "__main__":
    main()
