"""BigQuery as production answers (tests/emulator/fault_proxy.py between the CLI and the emulator): a load whose
response is lost, two runs side by side on disjoint ranges, and a run that stalls past its lease.

One demo league serves the module; each scenario works on dates of its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from support import cli_process, invoke

from warehouse import Datasets, Warehouse, connect

pytestmark = pytest.mark.bigquery_emulator
TODAY = "2023-06-30"


@pytest.fixture(scope="module")
def league(bigquery_emulator: str) -> Iterator[str]:
    """The 2022-23 demo league in a project of its own; returns its URL."""
    from demo import generate_demo

    url = f"bigquery://pcf-prod-{uuid.uuid4().hex[:8]}"
    wh = connect(url, Datasets(), emulator_host=bigquery_emulator)
    try:
        generate_demo(wh, [2022], seed=42, allow_bigquery=True)
    finally:
        wh.close()
    return url


@pytest.fixture
def reader(league: str, bigquery_emulator: str) -> Iterator[Warehouse]:
    wh = connect(league, Datasets(), read_only=True, emulator_host=bigquery_emulator)
    yield wh
    wh.close()


def published_per_date(wh: Warehouse, start: str, end: str) -> dict[str, int]:
    """How many "published" ledger rows each date has (a date published twice shows 2)."""
    rows = wh.rows(
        "SELECT CAST(game_date AS STRING) AS day, COUNT(*) AS n FROM {checkpoints} WHERE status = "
        "'published' AND game_date BETWEEN @start AND @end GROUP BY game_date",
        {"start": date.fromisoformat(start), "end": date.fromisoformat(end)},
    )
    return {row["day"]: row["n"] for row in rows}


def staging_tables(wh: Warehouse) -> list[str]:
    tables = wh.client.list_tables(wh.dataset_id("orchestration"))  # type: ignore[attr-defined]
    return [table.table_id for table in tables if table.table_id.startswith("_staging_")]


def run_process(url: str, proxy_url: str, *args: str, lease_ttl: int = 900) -> subprocess.Popen[str]:
    """`run ARGS --output json` in a process of its own (a run that can be paused, or run beside another), reaching
    the emulator through the proxy."""
    env = {**os.environ, "BIGQUERY_EMULATOR_HOST": proxy_url, "PCF_LEASE_TTL_SECONDS": str(lease_ttl)}
    return cli_process(url, "run", *args, "--output", "json", today=TODAY, env=env, stdout=subprocess.PIPE)


def wait_until(condition, seconds: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.2)


def test_a_lost_load_response_is_waited_for_and_leaves_nothing(league, reader, bigquery_fault_proxy) -> None:
    bigquery_fault_proxy.fail("load", "lose", times=2)  # the run record's load and the chunk's staging load
    result = invoke(
        league,
        "run",
        "--dates",
        "2023-01-10,2023-01-11",
        "--output",
        "json",
        today=TODAY,
        env={"BIGQUERY_EMULATOR_HOST": bigquery_fault_proxy.url},
    )

    assert result.exit_code == 0, result.output
    assert bigquery_fault_proxy.injected_kinds().count("response lost") == 2
    assert bigquery_fault_proxy.injected_kinds().count("409 duplicate job id") == 2
    run_id = json.loads(result.stdout)["run_id"]
    assert reader.rows("SELECT COUNT(*) AS n FROM {runs} WHERE run_id = @run_id", {"run_id": run_id})[0]["n"] == 1
    assert published_per_date(reader, "2023-01-10", "2023-01-11") == {"2023-01-10": 1, "2023-01-11": 1}
    duplicates = reader.rows(
        "SELECT COUNT(*) AS n FROM (SELECT game_date, player_lookup FROM {pcf} WHERE game_date "
        "BETWEEN DATE '2023-01-10' AND DATE '2023-01-11' GROUP BY 1, 2 HAVING COUNT(*) > 1)"
    )
    assert duplicates[0]["n"] == 0
    assert staging_tables(reader) == []


def test_two_runs_on_disjoint_ranges_both_finish(league, reader, bigquery_fault_proxy) -> None:
    bigquery_fault_proxy.transaction_seconds = 1.0  # long transactions: the two runs' publishes meet
    bigquery_fault_proxy.fail("transaction", "abort")  # and at least one is aborted, as BigQuery would
    first = run_process(
        league, bigquery_fault_proxy.url, "--start-date", "2022-12-01", "--end-date", "2022-12-20", "--chunk-days", "4"
    )
    second = run_process(
        league, bigquery_fault_proxy.url, "--start-date", "2022-12-21", "--end-date", "2023-01-08", "--chunk-days", "4"
    )
    outcomes = [process.communicate(timeout=600) for process in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], "\n".join(err[-3000:] for _, err in outcomes)
    assert "transaction aborted" in bigquery_fault_proxy.injected_kinds()
    retried = [json.loads(line) for _, err in outcomes for line in err.splitlines() if '"bigquery_job_retried"' in line]
    assert retried and all(entry["job_id"].startswith("pcf_") and entry["reason"] for entry in retried)
    published = published_per_date(reader, "2022-12-01", "2023-01-08")
    assert set(published.values()) == {1}
    assert sum(json.loads(out)["counts"]["published"] for out, _ in outcomes) == len(published)


def test_a_run_that_stalls_past_its_lease_never_publishes_again(league, reader, bigquery_fault_proxy) -> None:
    span = ("--start-date", "2023-02-01", "--end-date", "2023-03-10")
    # a lease of 10 s: short enough to expire while the run is paused, long enough that a busy CI host's
    # scheduling never costs the running process its lease
    stalled = run_process(league, bigquery_fault_proxy.url, *span, "--chunk-days", "1", lease_ttl=10)
    wait_until(lambda: published_per_date(reader, "2023-02-01", "2023-03-10"), 180, "the first run to publish")
    stalled.send_signal(signal.SIGSTOP)  # paused: its heartbeat stops too, and its lease expires
    try:
        time.sleep(11)
        takeover = run_process(league, bigquery_fault_proxy.url, *span, "--chunk-days", "7")
        wait_until(
            lambda: (
                reader.rows(
                    "SELECT COUNT(*) AS n FROM {runs} WHERE exit_code = 137 AND start_date = DATE '2023-02-01'"
                )[0]["n"]
                == 1
            ),
            120,
            "the next run to take the lease over and close the stalled run's record",
        )
    finally:
        stalled.send_signal(signal.SIGCONT)
    _, stalled_log = stalled.communicate(timeout=300)
    takeover_out, takeover_log = takeover.communicate(timeout=600)

    assert stalled.returncode == 4, stalled_log[-3000:]
    assert json.loads(takeover_out)["run_id"] in stalled_log  # it names the run that holds the range now
    assert takeover.returncode == 0, takeover_log[-3000:]
    assert set(published_per_date(reader, "2023-02-01", "2023-03-10").values()) == {1}  # no date published twice
    killed = reader.rows(
        "SELECT exit_code FROM {runs} WHERE start_date = DATE '2023-02-01' AND run_id != @run_id",
        {"run_id": json.loads(takeover_out)["run_id"]},
    )
    assert [row["exit_code"] for row in killed] == [137]  # the record the other run closed stays as it closed it
