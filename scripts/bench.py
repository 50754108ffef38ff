"""Benchmark the backfill as operators run it (DuckDB), and how its cost grows with the league.

    python scripts/bench.py               # the full table: medians of 3 (about 4 minutes on a quiet 2-core machine)
    python scripts/bench.py --quick       # two small seasons, one repetition (a smoke test)
    python scripts/bench.py --emulator    # also the BigQuery job counts, on the emulator (one season)

One demo league of 16 seasons (2009-10 … 2024-25) is generated once; every case runs the installed
CLI as a child process on a fresh copy, so wall time and peak RSS are those an operator would see.
Side by side over the last four seasons: default chunks, --chunk-days 7, --chunk-days 1 and a no-op
rerun; over the whole league: a nightly catch-up that publishes its last date (everything before it
published), `status` and `validate`; then the growth series: default settings over the last 1, 2, 4, 8
and 16 seasons. Jobs and rows read are what the run reports (`warehouse_jobs`, `warehouse_rows_read`).
Last, each target of issue 30 beside its figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench_report import jobs_and_chunks, print_chart, print_table, print_targets, summarise, target_rows

from demo.seasons import season_end, season_opener

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Shape:
    league: tuple[int, int]  # first and last season generated
    seasons: int  # the side-by-side cases cover the last `seasons` seasons
    growth: tuple[int, ...]
    repetitions: int
    weeks: int | None = None  # limit the side-by-side range to its first weeks (the smoke test)


FULL = Shape(league=(2009, 2024), seasons=4, growth=(1, 2, 4, 8, 16), repetitions=3)
QUICK = Shape(league=(2021, 2022), seasons=1, growth=(1, 2), repetitions=1, weeks=5)


@dataclass
class Measurement:
    seconds: float
    cpu_seconds: float  # user + system: what the child itself used, however busy the machine was
    peak_rss_mib: float
    stdout: str


def cli(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "backfill.cli", "--warehouse", url, "--log-format", "json", *args]


def measure(command: list[str], accept: tuple[int, ...] = (0,), env: dict | None = None) -> Measurement:
    """Run a child, return its wall time, its CPU time and peak RSS (wait4 rusage) and its stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        stdout = out.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in accept:
        raise SystemExit(f"{' '.join(command)} exited {code}:\n{stdout}")
    return Measurement(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)


def season_range(last_season: int, seasons: int, weeks: int | None = None) -> tuple[str, str]:
    start = season_opener(last_season - seasons + 1)
    end = season_end(last_season) if weeks is None else start + timedelta(weeks=weeks)
    return start.isoformat(), end.isoformat()


@dataclass(frozen=True)
class Case:
    """One command over a range, on a fresh copy of `source` ("league": nothing published; "finished": all;
    "nightly": all but the league's last date). A catch-up's range is the one date it publishes."""

    name: str
    command: str  # run, catch-up, status or validate
    dates: tuple[str, str]
    extra: tuple[str, ...] = ()
    source: str = "league"
    once: bool = False  # the slowest shape: one run says enough about it

    def arguments(self) -> list[str]:
        if self.command == "catch-up":  # the nightly shape: the catch-up of the day after, one day's window
            after = (date.fromisoformat(self.dates[1]) + timedelta(days=1)).isoformat()
            return ["catch-up", "--as-of", after, "--lookback-days", "1", *self.extra]
        return [self.command, "--start-date", self.dates[0], "--end-date", self.dates[1], *self.extra]


def run_once(case: Case, databases: dict[str, Path], work: Path) -> tuple[Measurement, dict | None]:
    if case.command not in WRITERS:  # read-only: no copy needed
        return measure(cli(f"duckdb:///{databases[case.source]}", *case.arguments()), accept=(0, 3)), None
    db = work / "case.duckdb"
    shutil.copy(databases[case.source], db)
    measurement = measure(cli(f"duckdb:///{db}", *case.arguments(), "--output", "json"))
    return measurement, json.loads(measurement.stdout)


WRITERS = ("run", "catch-up")


def measure_all(cases: list[Case], databases: dict[str, Path], work: Path, repetitions: int) -> dict[str, dict]:
    """Repetitions interleaved (every case once, then again…), so a burst of load elsewhere on the
    machine skews every case a little rather than one case a lot."""
    runs: dict[str, list[tuple[Measurement, dict | None]]] = {case.name: [] for case in cases}
    for repetition in range(repetitions):
        for case in cases:
            if repetition == 0 or not case.once:
                runs[case.name].append(run_once(case, databases, work))
    return {case.name: summarise(case.name, runs[case.name]) for case in cases}


def cases_for(shape: Shape, last_date: str) -> tuple[list[Case], list[tuple[int, str]]]:
    """The side-by-side cases, the whole league's, and the growth series (seasons, case name)."""
    dates = season_range(shape.league[1], shape.seasons, shape.weeks)
    label = f"{shape.seasons} season{'s' if shape.seasons > 1 else ''}"
    league = season_range(shape.league[1], shape.league[1] - shape.league[0] + 1)
    whole = f"{shape.league[1] - shape.league[0] + 1} seasons"
    default = f"{label}: default chunks"
    cases = [
        Case(default, "run", dates),
        Case(f"{label}: --chunk-days 7", "run", dates, ("--chunk-days", "7")),
        Case(f"{label}: --chunk-days 1", "run", dates, ("--chunk-days", "1"), once=True),
        Case(f"{label}: no-op rerun", "run", dates, source="finished"),
        Case(f"{whole}: nightly catch-up, one date", "catch-up", (last_date, last_date), source="nightly"),
        Case(f"{whole}: status", "status", league, source="finished"),
        Case(f"{whole}: validate", "validate", league, source="finished"),
    ]
    growth = []
    for seasons in shape.growth:
        if seasons == shape.seasons and not shape.weeks:
            growth.append((seasons, default))
        else:
            cases.append(Case(f"growth: {seasons} seasons", "run", season_range(shape.league[1], seasons)))
            growth.append((seasons, cases[-1].name))
    return cases, growth


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def emulator_case(work: Path, season: int) -> tuple[dict, dict[str, float]]:
    """One season on the local BigQuery emulator (its venv: tests/emulator/install.sh): a run with --chunk-days
    7 of all but its last date, the nightly catch-up publishing that date, and a rerun of everything with
    --chunk-days 30. Jobs per chunk are the two runs' difference over their difference in chunks; fixed jobs
    what remains of the first. Tables created and dropped through the API are no jobs and are not counted."""
    python = Path(os.environ.get("PCF_BQEMULATOR_VENV", REPO / ".venv-emulator")) / "bin" / "python"
    rest = free_port()
    command = [
        str(python),
        str(REPO / "tests" / "emulator" / "launch.py"),
        "--rest-port",
        str(rest),
        "--grpc-port",
        str(free_port()),
        "--ephemeral",
        "--log-level",
        "warning",
    ]
    emulator = subprocess.Popen(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host = f"http://127.0.0.1:{rest}"
    try:
        wait_until_ready(host)
        env = {**os.environ, "BIGQUERY_EMULATOR_HOST": host}
        url = "bigquery://pcf-bench"
        measure(cli(url, "demo", "--seasons", str(season), "--allow-bigquery"), env=env)
        opener, end = season_range(season, 1)
        last = last_game_date(url, opener, end, env)
        before = (date.fromisoformat(last) - timedelta(days=1)).isoformat()

        def run(case: Case) -> tuple[Measurement, dict]:
            measurement = measure(cli(url, *case.arguments(), "--output", "json"), env=env)
            return measurement, json.loads(measurement.stdout)

        weekly = run(Case("weekly", "run", (opener, before), ("--chunk-days", "7")))
        nightly = run(Case("nightly", "catch-up", (last, last)))
        monthly = run(Case("monthly", "run", (opener, last), ("--chunk-days", "30", "--rerun", "all")))
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
    (jobs_7, chunks_7), (jobs_30, chunks_30) = jobs_and_chunks(weekly[1], 7), jobs_and_chunks(monthly[1], 30)
    per_chunk = (jobs_7 - jobs_30) / (chunks_7 - chunks_30)
    counts = {
        "fixed": jobs_7 - per_chunk * chunks_7,
        "per_chunk": per_chunk,
        "nightly": float(nightly[1]["warehouse_jobs"]),
    }
    return summarise("emulator, 1 season: --chunk-days 7", [weekly]), counts


def last_game_date(url: str, start: str, end: str, env: dict | None = None) -> str:
    """The range's last game date, as `status` lists it."""
    status = measure(
        cli(url, "status", "--start-date", start, "--end-date", end, "--output", "json"), accept=(0, 3), env=env
    )
    return str(max(d["game_date"] for d in json.loads(status.stdout)["dates"]))


def wait_until_ready(host: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{host}/readyz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the BigQuery emulator at {host} was not ready within {timeout:.0f} s")


def prepare(shape: Shape, work: Path) -> tuple[dict[str, Path], str]:
    """The demo league; `nightly`: everything published but its last date; `finished`: everything."""
    league, nightly, finished = work / "league.duckdb", work / "nightly.duckdb", work / "finished.duckdb"
    seasons = f"{shape.league[0]}-{shape.league[1]}"
    generation = measure(cli(f"duckdb:///{league}", "demo", "--seasons", seasons))
    print(
        f"demo league {seasons}: generated in {generation.seconds:.1f} s (peak RSS {generation.peak_rss_mib:.0f} MiB)"
    )
    opener, end = season_range(shape.league[1], shape.league[1] - shape.league[0] + 1)
    last = last_game_date(f"duckdb:///{league}", opener, end)
    shutil.copy(league, nightly)
    before = (date.fromisoformat(last) - timedelta(days=1)).isoformat()
    measure(cli(f"duckdb:///{nightly}", "run", "--start-date", opener, "--end-date", before))
    shutil.copy(nightly, finished)
    measure(cli(f"duckdb:///{finished}", *Case("", "catch-up", (last, last)).arguments()))
    return {"league": league, "nightly": nightly, "finished": finished}, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="two small seasons, one repetition")
    parser.add_argument("--repetitions", type=int, default=None)
    parser.add_argument("--emulator", action="store_true", help="also the BigQuery job counts, on the emulator")
    args = parser.parse_args()
    shape = QUICK if args.quick else FULL
    repetitions = args.repetitions or shape.repetitions
    # An installed package runs from cached bytecode: without it every child would compile the project's ~80
    # modules again (about 0.25 s, a third of a no-op run), which is the environment's cost, not the tool's.
    # The preparation's children write the caches the measured ones read.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"load average before: {', '.join(f'{value:.2f}' for value in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="pcf-bench-") as tmp:
        work = Path(tmp)
        databases, last = prepare(shape, work)
        cases, growth = cases_for(shape, last)
        results = measure_all(cases, databases, work, repetitions)
        emulator, jobs = emulator_case(work, shape.league[1]) if args.emulator else (None, {})
    default, week, day = (results[case.name] for case in cases[:3])
    print(
        f"side by side: {cases[0].dates[0]} → {cases[0].dates[1]}, {default['processed_dates']} game dates "
        f"computed, {default['published_rows']:,} rows published"
    )
    print(
        f"medians of {repetitions}, repetitions interleaved (--chunk-days 1: one run); load average after: "
        f"{', '.join(f'{value:.2f}' for value in os.getloadavg())}"
    )
    print_table([results[case.name] for case in cases] + ([emulator] if emulator else []))
    print()
    series = [(seasons, results[name]) for seasons, name in growth]
    print_chart(series)
    for name, result in (("--chunk-days 7", week), ("--chunk-days 1", day)):
        print(f"{name} ÷ default: {result['wall_s'] / default['wall_s']:.1f}×")
    reference = dict(series).get(4, series[0][1])
    print(
        f"{series[-1][0]} seasons ÷ {4 if 4 in dict(series) else series[0][0]}: "
        f"{series[-1][1]['wall_s'] / reference['wall_s']:.1f}×"
    )
    print()
    print_targets(target_rows([results[case.name] for case in cases], series, jobs))


if __name__ == "__main__":
    main()
