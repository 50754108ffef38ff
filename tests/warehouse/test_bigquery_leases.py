"""The BigQuery lease on the emulator: one holder at a time, named when refused; taken over when it expired or its
process died; kept alive by its heartbeat."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from warehouse.bigquery import LEASE_MUTEX_ID, BigQueryWarehouse
from warehouse.errors import LockHeld

emulator = pytest.mark.bigquery_emulator
D1, D2, D3 = date(2023, 2, 23), date(2023, 2, 24), date(2023, 2, 25)


@emulator
def test_an_overlapping_lease_is_refused_naming_its_holder(make_bigquery_warehouse) -> None:
    first = make_bigquery_warehouse()
    first.create_tables()
    second = make_bigquery_warehouse(first.project)
    with first.lease("alice@host run-1", D1, D3):
        with (
            pytest.raises(LockHeld, match=r"alice@host run-1 \(PID \d+ on .+; last heartbeat \d+ s ago") as refused,
            second.lease("bob@host run-2", D2, D2 + timedelta(days=5)),
        ):
            pass
        assert refused.value.exit_code == 4
        with second.lease("bob@host run-3", D3 + timedelta(days=1), D3 + timedelta(days=9)):
            pass  # a disjoint range
    with second.lease("bob@host run-4", D2, D2):
        pass  # released on exit
    leases = first.query("SELECT lease_id FROM {leases}")
    assert leases["lease_id"].tolist() == [LEASE_MUTEX_ID]


@emulator
def test_an_expired_lease_is_taken_over(bigquery_warehouse: BigQueryWarehouse) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=3)
    expired = {
        "lease_id": "crashed",
        "holder": "o'neil@host run-0",
        "start_date": D1,
        "end_date": D3,
        "acquired_at": long_ago,
        "heartbeat_at": long_ago,
        "expires_at": long_ago + timedelta(minutes=15),
    }
    bigquery_warehouse.load(pd.DataFrame([expired]), "leases")

    with bigquery_warehouse.lease("o'neil@host run-1", D2, D2):
        holders = bigquery_warehouse.query(
            "SELECT holder FROM {leases} WHERE lease_id != @mutex", {"mutex": LEASE_MUTEX_ID}
        )
        assert holders["holder"].tolist() == ["o'neil@host run-1"]


def live_lease(host: str, pid: int, silent: timedelta) -> dict:
    beat = datetime.now(UTC) - silent
    return {
        "lease_id": "held",
        "holder": "run-0",
        "start_date": D1,
        "end_date": D3,
        "acquired_at": beat,
        "heartbeat_at": beat,
        "expires_at": datetime.now(UTC) + timedelta(minutes=10),
        "host": host,
        "pid": pid,
        "command": "pcf-backfill run --start-date 2023-02-23 --end-date 2023-02-25",
    }


@emulator
def test_a_lease_held_on_another_host_is_refused_naming_host_pid_command_and_silence(bigquery_warehouse) -> None:
    bigquery_warehouse.load(pd.DataFrame([live_lease("other-host", 4242, timedelta(seconds=40))]), "leases")
    with pytest.raises(LockHeld) as refused, bigquery_warehouse.lease("run-1", D2, D2):
        pass
    message = str(refused.value)
    assert "PID 4242 on other-host" in message and "pcf-backfill run --start-date 2023-02-23" in message
    assert re.search(r"last heartbeat (4\d|5\d) s ago", message), message


@emulator
def test_a_lease_of_a_dead_process_on_this_host_is_taken_over_at_once(bigquery_warehouse) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()  # its PID names no process now
    bigquery_warehouse.load(pd.DataFrame([live_lease(socket.gethostname(), gone.pid, timedelta(0))]), "leases")
    with bigquery_warehouse.lease("run-1", D2, D2) as taken_over:
        holders = bigquery_warehouse.query(
            "SELECT holder, pid FROM {leases} WHERE lease_id != @mutex", {"mutex": LEASE_MUTEX_ID}
        )
    assert holders["holder"].tolist() == ["run-1"]
    assert holders["pid"].tolist() == [os.getpid()]
    assert [(lease["pid"], lease["host"], lease["why"]) for lease in taken_over] == [
        (gone.pid, socket.gethostname(), "process gone")
    ]  # what the run's notification names


@emulator
def test_a_held_lease_is_kept_alive_by_its_heartbeat(make_bigquery_warehouse) -> None:
    warehouse = make_bigquery_warehouse(lease_ttl=5)  # the shortest lifetime: a beat every 1.7 s
    warehouse.create_tables()
    with warehouse.lease("slow run", D1, D1):
        time.sleep(3.8)
        lease = warehouse.query("SELECT acquired_at, heartbeat_at, expires_at FROM {leases} WHERE holder = 'slow run'")
    assert lease["heartbeat_at"][0] - lease["acquired_at"][0] >= pd.Timedelta(seconds=1.6)
    assert lease["expires_at"][0] - lease["heartbeat_at"][0] == pd.Timedelta(seconds=5)


@emulator
def test_of_racing_runs_exactly_one_gets_the_lease(make_bigquery_warehouse) -> None:
    first = make_bigquery_warehouse()
    first.create_tables()
    racers = [first, *(make_bigquery_warehouse(first.project) for _ in range(3))]
    outcomes: list[str] = []
    inside = threading.Barrier(len(racers), timeout=60)

    def race(number: int, warehouse: BigQueryWarehouse) -> None:
        try:
            with warehouse.lease(f"racer {number}", D1, D3):
                outcomes.append("won")
                inside.wait()
        except LockHeld:
            outcomes.append("refused")
            inside.wait()

    threads = [threading.Thread(target=race, args=pair) for pair in enumerate(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["refused", "refused", "refused", "won"]
