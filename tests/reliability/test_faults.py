"""Deterministic faults at each phase boundary of a run, injected in-process with monkeypatch (the product has
no test hooks). The run covers three chunks; the fault strikes the second chunk's publish (or the run's ledger
writes). After each fault: the CLI exits non-zero with one clear line, every date is either fully old or fully new
with a matching ledger row (consistency.ledger_problems, plus which run owns each chunk), and a rerun finishes the
job identically to an uninterrupted run.

| fault | where | the second chunk ends | exit |
|---|---|---|---|
| publish refused | after staging, before the transaction | old | 1 |
| statement fails after the DELETE | inside the transaction | old (the DELETE rolls back) | 1 |
| the ledger INSERT fails | inside the transaction, PCF rows already inserted | old | 1 |
| statement fails after the ledger INSERT | inside the transaction, before COMMIT | old | 1 |
| SIGTERM inside the transaction | inside the transaction | old | 143 |
| verify cannot read | after COMMIT, before verify | new | 1 |
| verify finds a different count | after COMMIT | failed; rows withdrawn with the ledger row, atomically | 1 |
| ... and recording that failure fails | the ledger write of the verify failure | new | 1 |
| the run record cannot be written | ledger write before any work | old (nothing ran) | 1 |
| the run record cannot be closed | ledger write after all work | new (all chunks) | 1 |

Each fault runs twice: over a published range with `--rerun all` ("old" = the first run's rows and ledger rows),
and (marked slow) on a fresh file ("old" = never published; the rerun resumes the pending dates).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from consistency import current_states, ledger_problems
from support import invoke, opened, published_rows, sampled

import backfill.pipeline.publish
from backfill.pipeline.plan import chunk_dates
from warehouse import WarehouseError
from warehouse.duckdb_backend import DuckDBWarehouse

RANGE = ("--start-date", "2023-02-23", "--end-date", "2023-03-07", "--chunk-days", "5")
FAIL_SQL = "SELECT error('injected failure inside the publish transaction')"
run_atomic, load, execute = DuckDBWarehouse.run_atomic, DuckDBWarehouse.load, DuckDBWarehouse.execute
counted = backfill.pipeline.publish.counted


def on_call(number: int, fault: Callable, original: Callable) -> Callable:
    """`original`, except that its `number`-th call runs `fault(self, *args)` instead."""
    calls = itertools.count(1)

    def patched(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return (fault if next(calls) == number else original)(self, *args, **kwargs)

    return patched


def refuse(_self: object, *_args: object, **_kwargs: object) -> None:
    raise WarehouseError("injected: the warehouse refused the request")


def failing_at(position: int) -> Callable:
    """The real transaction with a failing statement inserted at `position` (0: before the first)."""

    def fault(self: DuckDBWarehouse, statements: Sequence[str], then: str | None = None) -> list:
        statements = list(statements)
        assert statements[0].startswith("DELETE") and "{checkpoints}" in statements[-1]
        return run_atomic(self, [*statements[:position], FAIL_SQL, *statements[position:]], then)

    return fault


def sigterm_after_delete(self: DuckDBWarehouse, statements: Sequence[str], then: str | None = None) -> list:
    """A real SIGTERM to this process between two statements: the CLI's own handler takes it from there."""

    def delete_then_signal():  # type: ignore[no-untyped-def]
        yield statements[0]
        os.kill(os.getpid(), signal.SIGTERM)
        yield from statements[1:]

    return run_atomic(self, delete_then_signal(), then)  # type: ignore[arg-type]


def miscounted(found: Sequence, dates: Sequence) -> pd.Series:
    return counted(found, dates) + 1


def refuse_load(key: str) -> Callable[[pytest.MonkeyPatch], None]:
    def patched(self: DuckDBWarehouse, frame: pd.DataFrame, target: str) -> None:
        if target == key:
            raise WarehouseError(f"injected: cannot write {key}")
        load(self, frame, target)

    return lambda mp: mp.setattr(DuckDBWarehouse, "load", patched)


def refuse_statement(table: str) -> Callable[[pytest.MonkeyPatch], None]:
    def patched(self: DuckDBWarehouse, sql: str, params: object = None) -> int:
        if table in sql:
            raise WarehouseError(f"injected: cannot write {table}")
        return execute(self, sql, params)

    return lambda mp: mp.setattr(DuckDBWarehouse, "execute", patched)


@dataclass(frozen=True)
class Fault:
    name: str
    install: Callable[[pytest.MonkeyPatch], None]
    exit_code: int
    message: str  # in the one line the operator sees
    new_chunks: frozenset[int]  # chunks (1-based) whose dates end published by the faulted run
    failed_chunks: frozenset[int] = frozenset()  # chunks whose dates end `failed` with no rows


def patch_run_atomic(number: int, fault: Callable) -> Callable[[pytest.MonkeyPatch], None]:
    return lambda mp: mp.setattr(DuckDBWarehouse, "run_atomic", on_call(number, fault, run_atomic))


def patch_verify(fault: Callable) -> Callable[[pytest.MonkeyPatch], None]:
    """The second chunk's count of what its publish committed (read after the COMMIT, in the same job on BigQuery)."""
    return lambda mp: mp.setattr(backfill.pipeline.publish, "counted", on_call(2, fault, counted))


def verify_and_its_record_fail(mp: pytest.MonkeyPatch) -> None:
    patch_verify(miscounted)(mp)
    patch_run_atomic(3, refuse)(mp)  # 1, 2: the chunks' publishes; 3: recording the verify failure


FAULTS = [
    Fault("publish refused after staging", patch_run_atomic(2, refuse), 1, "refused", frozenset({1})),
    Fault("fails after the DELETE", patch_run_atomic(2, failing_at(1)), 1, "injected failure", frozenset({1})),
    Fault("the ledger INSERT fails", patch_run_atomic(2, failing_at(2)), 1, "injected failure", frozenset({1})),
    Fault("fails before COMMIT", patch_run_atomic(2, failing_at(3)), 1, "injected failure", frozenset({1})),
    Fault(
        "SIGTERM inside the transaction", patch_run_atomic(2, sigterm_after_delete), 143, "To resume", frozenset({1})
    ),
    Fault("verify cannot read", patch_verify(refuse), 1, "refused", frozenset({1, 2})),
    Fault(
        "verify finds another count",
        patch_verify(miscounted),
        1,
        "verify:",
        frozenset({1, 3}),
        failed_chunks=frozenset({2}),
    ),
    Fault("recording the verify failure fails", verify_and_its_record_fail, 1, "refused", frozenset({1, 2})),
    Fault("run record cannot be written", refuse_load("runs"), 1, "cannot write runs", frozenset()),
    Fault(
        "run record cannot be closed",
        refuse_statement("UPDATE {runs} SET finished_at = @finished"),
        1,
        "cannot write UPDATE {runs} SET finished_at = @finished",
        frozenset({1, 2, 3}),
    ),
]


@pytest.fixture(scope="module")
def uninterrupted(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The range published once, by one run: the reference, and the "old" state for `--rerun all`."""
    db = tmp_path_factory.mktemp("uninterrupted") / "pcf.duckdb"
    shutil.copy(demo_file, db)
    assert invoke(db, "run", *RANGE).exit_code == 0
    return db


def owners(db: Path) -> tuple[pd.Series, pd.Series]:
    """Per game date: the run_id of its current ledger state, and its status."""
    wh = opened(db)
    try:
        states = current_states(wh)
        return states["run_id"], states["status"]
    finally:
        wh.close()


def last_run_id(db: Path) -> str | None:
    wh = opened(db)
    try:
        runs = wh.query("SELECT run_id FROM {runs} ORDER BY started_at DESC LIMIT 1")["run_id"]
    finally:
        wh.close()
    return str(runs.iloc[0]) if len(runs) else None


def one_clear_line(result, fault: Fault) -> str:  # type: ignore[no-untyped-def]
    """The operator's line: the one non-log line on stderr, or the failed dates of the summary."""
    lines = [line for line in result.stderr.splitlines() if line and not line.startswith("{")]
    if fault.failed_chunks:  # the run itself completed and says what failed in its summary
        failed = [d for d in json.loads(result.stdout)["dates"] if d["status"] == "failed"]
        assert lines == [] and failed
        return failed[0]["reason"]
    assert len(lines) == 1 and result.stdout == "", result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("start", [pytest.param("fresh", marks=pytest.mark.slow), "republish"])
@pytest.mark.parametrize("fault", sampled(FAULTS, fast=4), ids=[f.name for f in FAULTS])
def test_a_fault_leaves_every_date_old_or_new_and_a_rerun_finishes_the_job(
    fault, start, uninterrupted, demo_file, tmp_path, monkeypatch
):
    db = tmp_path / "pcf.duckdb"
    shutil.copy(uninterrupted if start == "republish" else demo_file, db)
    old_owners, _ = owners(db)
    rerun = ("--rerun", "all") if start == "republish" else ()

    with monkeypatch.context() as mp:
        fault.install(mp)
        result = invoke(db, "run", *RANGE, *rerun, "--output", "json")
    assert result.exit_code == fault.exit_code, result.output
    assert fault.message in one_clear_line(result, fault)

    wh = opened(db)
    assert ledger_problems(wh) == []
    wh.close()
    owner, status = owners(db)
    game_dates = sorted(published_rows(uninterrupted)["game_date"].unique())
    faulted_run = last_run_id(db)
    for number, chunk in enumerate(chunk_dates([ts.date() for ts in pd.to_datetime(game_dates)], 5), start=1):
        days = pd.to_datetime(pd.Series(chunk, dtype="object"))
        if number in fault.failed_chunks:
            assert (status.reindex(days) == "failed").all(), f"chunk {number} failed"
        elif number in fault.new_chunks:
            assert (owner.reindex(days) == faulted_run).all(), f"chunk {number} fully new"
        elif start == "republish":
            assert (owner.reindex(days) == old_owners.reindex(days)).all(), f"chunk {number} fully old"
        else:
            assert owner.reindex(days).isna().all(), f"chunk {number} still pending"

    finish = invoke(db, "run", *RANGE, *rerun)
    assert finish.exit_code == 0, finish.output
    wh = opened(db)
    assert ledger_problems(wh) == []
    wh.close()
    pd.testing.assert_frame_equal(published_rows(db), published_rows(uninterrupted))
