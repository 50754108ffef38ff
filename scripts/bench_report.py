"""What `bench.py` makes of its runs: each case summarised (medians of its runs), the table, the growth chart and
each target of issue 30 beside its figure. Plain functions over the runs' measurements and JSON documents."""

from __future__ import annotations

import statistics
from datetime import date
from typing import Any

from backfill.pipeline.plan import chunk_dates

COLUMNS = ("case", "wall_s", "cpu_s", "game_dates_per_s", "rows_per_s", "peak_rss_mib", "jobs", "rows_read")


def summarise(name: str, runs: list[tuple[Any, dict | None]]) -> dict:
    """One case's figures from its runs: (measurement from `bench.measure`, the run's JSON document or None)."""
    seconds = statistics.median(m.seconds for m, _ in runs)
    document = runs[0][1] or {"dates": [], "warehouse_jobs": "", "warehouse_rows_read": ""}
    document["dates"] = document["dates"] or []
    processed = sum(1 for d in document["dates"] if d["status"] != "skipped_bootstrap")
    rows = sum(d["published_players"] or 0 for d in document["dates"])
    return {
        "case": name,
        "wall_s": seconds,
        "cpu_s": statistics.median(m.cpu_seconds for m, _ in runs),
        "game_dates_per_s": processed / seconds if processed else 0.0,
        "rows_per_s": rows / seconds if rows else 0.0,
        "peak_rss_mib": max(m.peak_rss_mib for m, _ in runs),
        "jobs": document["warehouse_jobs"],
        "rows_read": document["warehouse_rows_read"],
        "processed_dates": processed,
        "published_rows": rows,
        "all_seconds": [round(m.seconds, 2) for m, _ in runs],
    }


def cell(value: object) -> str:
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)


def print_table(results: list[dict]) -> None:
    print("| " + " | ".join(COLUMNS) + " | every run (s) |")
    print("|" + "---|" * (len(COLUMNS) + 1))
    for result in results:
        runs = " ".join(f"{seconds:.2f}" for seconds in result["all_seconds"])
        print("| " + " | ".join(cell(result[column]) for column in COLUMNS) + f" | {runs} |")


def print_chart(growth: list[tuple[int, dict]], width: int = 50) -> None:
    """Wall time against seasons as a text bar chart (no plotting library needed)."""
    longest = max(result["wall_s"] for _, result in growth)
    print("```")
    print("seasons  wall time, default chunks (peak RSS)")
    for seasons, result in growth:
        bar = "█" * max(1, round(width * result["wall_s"] / longest))
        print(f"{seasons:>7}  {bar} {result['wall_s']:.1f} s  ({result['peak_rss_mib']:.0f} MiB)")
    print("```")


def jobs_and_chunks(document: dict, chunk_days: int) -> tuple[int, int]:
    """A run's jobs and the chunks its dates make (as the run itself chunks them)."""
    days = [date.fromisoformat(d["game_date"]) for d in document["dates"]]
    return int(document["warehouse_jobs"]), len(chunk_dates(days, chunk_days))


def target_rows(results: list[dict], growth: list[tuple[int, dict]], jobs: dict[str, float]) -> list[tuple]:
    """(target, figure, limit, met) for each target of issue 30 this bench measures."""
    default, week, day, noop, nightly, status, validate = results[:7]
    largest_seasons, largest = growth[-1]
    at_least = lambda name, figure, limit: (name, figure, f"≥ {limit:g}", figure >= limit)  # noqa: E731
    at_most = lambda name, figure, limit: (name, figure, f"≤ {limit:g}", figure <= limit)  # noqa: E731
    rows = [
        at_least(f"{default['case']}: game dates/s", default["game_dates_per_s"], 280),
        at_least(f"{largest_seasons} seasons, default chunks: game dates/s", largest["game_dates_per_s"], 280),
        at_most(f"{largest_seasons} seasons: peak RSS MiB", largest["peak_rss_mib"], 1024),
        at_most("--chunk-days 7 ÷ default (wall)", week["wall_s"] / default["wall_s"], 1.4),
        at_most("--chunk-days 1 ÷ default (wall)", day["wall_s"] / default["wall_s"], 3),
        *(
            at_most(f"{case['case']}: wall s", case["wall_s"], limit)
            for case, limit in ((noop, 0.4), (nightly, 0.5), (status, 0.5), (validate, 0.5))
        ),
    ]
    if jobs:
        rows += [
            at_most("BigQuery (emulator): fixed jobs per run", jobs["fixed"], 8),
            at_most("BigQuery (emulator): jobs per chunk", jobs["per_chunk"], 2),
            at_most("BigQuery (emulator): nightly catch-up jobs", jobs["nightly"], 10),
        ]
    return rows


def print_targets(rows: list[tuple]) -> None:
    print("| issue 30 target | figure | target | met |")
    print("|---|---|---|---|")
    for name, figure, limit, met in rows:
        print(f"| {name} | {figure:,.2f} | {limit} | {'yes' if met else 'no'} |")
