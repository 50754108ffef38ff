"""The benchmark stays runnable: `bench.py --quick` runs end to end and prints every case and column (not timed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"


def test_quick_benchmark_prints_every_case_and_column():
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for text in ("wall_s", "cpu_s", "game_dates_per_s", "rows_per_s", "peak_rss_mib", "jobs", "rows_read",
                 "default chunks", "--chunk-days 7", "--chunk-days 1", "no-op rerun", ": status", ": validate",
                 "growth: 2 seasons", "wall time, default chunks", "--chunk-days 1 ÷ default"):  # fmt: skip
        assert text in done.stdout, text
