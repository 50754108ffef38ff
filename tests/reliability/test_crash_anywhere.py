"""Crash anywhere: SIGKILL a real `python -m backfill.cli ... run` over the demo season at seeded, randomised
moments — several kills in a row on the same file, each run resuming the last — then rerun to completion.

Each kill point is either "the N-th `date_done` line plus a random sub-delay" (anywhere in compute, gate,
publish or verify) or "the N-th publish transaction plus 0–4 ms" (aimed at the atomic publish itself; the
`publish_trace/sitecustomize.py` shim marks its start and end on stderr, which also tells whether a kill landed
inside it). After every kill the file must be consistent (consistency.ledger_problems); after the final rerun the
PCF table must equal an uninterrupted run's, excluding run_id and processed_at.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import support
from consistency import assert_consistent, current_states
from support import opened, published_rows, query

TRACE_DIR = Path(__file__).parent / "publish_trace"
KILLS_PER_SEQUENCE = 7
SEQUENCES = [  # (seed, extra run options): 4 × 7 = 28 kill points
    (11, ()),
    (23, ()),
    (37, ()),
    (41, ("--workers", "2")),  # chunks computed ahead on other threads while one publishes
]


@dataclass(frozen=True)
class KillPoint:
    after: str  # the log event that arms the kill: `plan`, `date_done` or `publish_begin`
    count: int  # ... its N-th occurrence in this process
    delay: float  # seconds between that line and SIGKILL


@dataclass(frozen=True)
class Outcome:
    point: KillPoint
    finished_first: bool  # the run completed before the kill point came
    dates_logged: int
    publishes_begun: int  # publish_begin markers: proof the trace shim is loaded
    inside_publish: bool  # killed between the start and the end of a publish transaction
    in_flight_committed: bool  # ... after its COMMIT had landed (the ledger holds more than was logged)


def kill_points(rng: random.Random) -> list[KillPoint]:
    """Spread so that the kills of one sequence cover most of a season of ~165 date lines."""
    points = []
    for _ in range(KILLS_PER_SEQUENCE):
        if rng.random() < 0.45:
            points.append(KillPoint("publish_begin", rng.randint(1, 5), rng.uniform(0.0, 0.004)))
        else:
            count = rng.randint(0, 30)
            points.append(KillPoint("date_done" if count else "plan", max(count, 1), rng.uniform(0.0, 0.5)))
    return points


def start_run(db: Path, *extra: str, traced: bool = True) -> subprocess.Popen:
    """The season in chunks of 5 dates in a process of its own; `traced`: its publish transactions mark their start
    and end on stderr (the `publish_trace` shim)."""
    env = dict(os.environ)
    if traced:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TRACE_DIR), env.get("PYTHONPATH")]))
        env["RELIABILITY_TRACE_PUBLISH"] = "1"
    return support.start_run(db, "--chunk-days", "5", *extra, env=env, text=False)


def events(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines if line.startswith("{")]


def ledger_rows_of(db: Path, run_id: str | None) -> int:
    wh = opened(db)
    try:
        found = wh.query("SELECT count(*) AS n FROM {checkpoints} WHERE run_id = @run_id", {"run_id": run_id})
        return int(found["n"].iloc[0])
    finally:
        wh.close()


def kill_at(db: Path, point: KillPoint, extra: tuple[str, ...]) -> Outcome:
    victim = start_run(db, *extra)
    assert victim.stderr is not None
    marker, seen, lines = f'"event": "{point.after}"', 0, []
    for raw in victim.stderr:
        lines.append(raw.decode())
        seen += marker in lines[-1]
        if seen == point.count:
            break
    if seen == point.count:
        wait_then_kill(victim, point.delay)
    lines += victim.stderr.read().decode().splitlines()
    victim.wait(timeout=60)
    assert victim.returncode in (0, -signal.SIGKILL), lines[-3:]
    finished_first = victim.returncode == 0
    logged = events(lines)
    run_id = next((e["run_id"] for e in logged if e["event"] == "plan"), None)
    dates_logged = sum(e["event"] == "date_done" for e in logged)
    begins = sum(e["event"] == "publish_begin" for e in logged)
    inside = begins > sum(e["event"] == "publish_end" for e in logged)
    committed = inside and ledger_rows_of(db, run_id) > dates_logged
    return Outcome(point, finished_first, dates_logged, begins, inside, committed)


def wait_then_kill(victim: subprocess.Popen, delay: float) -> None:
    try:
        victim.wait(timeout=delay)  # the run may also finish within the sub-delay
    except subprocess.TimeoutExpired:
        victim.send_signal(signal.SIGKILL)


def season_states(db: Path) -> pd.Series:
    wh = opened(db)
    try:
        return current_states(wh)["status"]
    finally:
        wh.close()


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "extra"), SEQUENCES, ids=[f"seed{s}{''.join(e)}" for s, e in SEQUENCES])
def test_sigkill_anywhere_then_rerun_matches_an_uninterrupted_run(seed, extra, demo_file, tmp_path, season_reference):
    db = tmp_path / "crash.duckdb"
    shutil.copy(demo_file, db)
    outcomes = []
    for point in kill_points(random.Random(seed)):
        outcomes.append(kill_at(db, point, extra))
        assert_consistent(db)

    final = start_run(db, *extra, traced=False)
    _, stderr = final.communicate(timeout=300)
    assert final.returncode == 0, stderr.decode()[-2000:]
    assert_consistent(db)
    pd.testing.assert_frame_equal(published_rows(db), season_reference)
    assert set(season_states(db)) == {"published", "skipped_bootstrap"}

    killed = [o for o in outcomes if not o.finished_first]
    inside = [o for o in killed if o.inside_publish]
    print(
        f"seed {seed}: {len(killed)} kills ({len(outcomes) - len(killed)} runs finished first), "
        f"{len(inside)} inside a publish transaction ({sum(o.in_flight_committed for o in inside)} after its "
        f"commit), dates logged per kill {[o.dates_logged for o in outcomes]}"
    )
    assert killed, "every run finished before its kill point: the kill points no longer fit the season"
    assert sum(o.publishes_begun for o in outcomes) > 0, "the publish trace shim did not load"


@pytest.mark.slow
def test_the_run_after_a_sigkill_starts_at_once_and_closes_the_killed_runs_record(demo_file, tmp_path):
    db = tmp_path / "killed.duckdb"
    shutil.copy(demo_file, db)
    victim = start_run(db, traced=False)
    assert victim.stderr is not None
    while b'"event": "date_done"' not in (line := victim.stderr.readline()):
        assert line, "the run ended before it recorded anything"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert Path(f"{db}.lock").exists(), "the killed run's lock file is left behind, its lock is not"
    rerun = start_run(db, traced=False)
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr.decode()[-500:]
    runs = query(db, "SELECT finished_at, exit_code FROM {runs} ORDER BY started_at")
    assert runs["finished_at"].notna().all(), "no run record is left open"
    assert runs["exit_code"].tolist() == [137, 0]
