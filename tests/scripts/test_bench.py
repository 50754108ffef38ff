"""The benchmark stays runnable: `bench.py --quick` runs end to end and prints every case and column (not timed)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
BENCH, BENCH_REPORT = SCRIPTS / "bench.py", SCRIPTS / "bench_report.py"


@pytest.mark.slow
def test_quick_benchmark_prints_every_case_and_column():
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for text in (
        "wall_s",
        "cpu_s",
        "game_dates_per_s",
        "rows_per_s",
        "peak_rss_mib",
        "jobs",
        "rows_read",
        "default chunks",
        "--chunk-days 7",
        "--chunk-days 1",
        "no-op rerun",
        ": status",
        ": validate",
        "growth: 2 seasons",
        "wall time, default chunks",
        "--chunk-days 1 ÷ default",
        "2 seasons: nightly catch-up, one date",
        "| issue 30 target |",
        "game dates/s | ",
        "peak RSS MiB",
        "no-op rerun: wall s",
        "status: wall s",
    ):
        assert text in done.stdout, text


def report_module():
    spec = importlib.util.spec_from_file_location("bench_report", BENCH_REPORT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_job_counts_come_from_the_runs_own_chunks():
    report = report_module()
    dates = [{"game_date": day} for day in ("2024-11-01", "2024-11-02", "2024-11-09", "2024-11-20")]
    assert report.jobs_and_chunks({"warehouse_jobs": 31, "dates": dates}, 7) == (31, 3)
    assert report.jobs_and_chunks({"warehouse_jobs": 25, "dates": dates}, 30) == (25, 1)


def test_each_target_is_judged_against_its_limit():
    report = report_module()

    def case(name, wall, rate=0.0, rss=300.0):
        return {"case": name, "wall_s": wall, "game_dates_per_s": rate, "peak_rss_mib": rss}

    results = [
        case("default", 2.0, 300.0),
        case("7", 3.0),
        case("1", 5.0),
        case("noop", 0.3),
        case("nightly", 0.6),
        case("status", 0.4),
        case("validate", 0.5),
    ]
    rows = report.target_rows(
        results, [(16, case("16", 10.0, 250.0, 900.0))], {"fixed": 8, "per_chunk": 2.5, "nightly": 10}
    )
    met = {name: ok for name, _, _, ok in rows}
    assert met == {
        "default: game dates/s": True,
        "16 seasons, default chunks: game dates/s": False,
        "16 seasons: peak RSS MiB": True,
        "--chunk-days 7 ÷ default (wall)": False,
        "--chunk-days 1 ÷ default (wall)": True,
        "noop: wall s": True,
        "nightly: wall s": False,
        "status: wall s": True,
        "validate: wall s": True,
        "BigQuery (emulator): fixed jobs per run": True,
        "BigQuery (emulator): jobs per chunk": False,
        "BigQuery (emulator): nightly catch-up jobs": True,
    }
