"""What only BigQuery has, through the CLI on the local emulator (the scenarios both backends share are in
tests/scenarios): the job budget of a long run, the same table as DuckDB, the errors an operator meets first
(datasets, tables, project ids), leases held elsewhere or left by a dead run, and staging tables a killed run
left."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from support import INCIDENT_WEEK, assert_one_clear_line, invoke, published_rows, run_document

from processors.season_inputs import INPUT_READS
from warehouse.bigquery import BigQueryWarehouse
from warehouse.bigquery.jobs import Jobs

pytestmark = pytest.mark.bigquery_emulator

SIXTY_GAME_DATES = ("--start-date", "2023-01-15", "--end-date", "2023-03-21")
# issue 30: eight fixed jobs (schedule, ledger, run record, lease, killed runs, the season's reads in one, lease
# release, run record closed) and two for its one chunk (staging load, publish script that also verifies)
JOB_BUDGET = 10


def orchestration_tables(wh: BigQueryWarehouse) -> list[str]:
    dataset = f"{wh.project}.{wh.dataset_name('orchestration')}"
    return sorted(table.table_id for table in wh.client.list_tables(dataset))


@pytest.fixture
def demo_url(bigquery_url: str) -> str:
    """`demo --allow-bigquery` into a fresh emulator project; returns its URL."""
    result = invoke(bigquery_url, "demo", "--allow-bigquery")
    assert result.exit_code == 0, result.output
    return bigquery_url


@pytest.fixture
def bigquery_jobs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every job the BigQuery adapter completes, as (kind, SQL or destination table)."""
    jobs: list[tuple[str, str]] = []
    run_job = Jobs.run

    def recording(self: Jobs, submit, *, kind: str, resubmit_safe: bool):  # type: ignore[no-untyped-def]
        job, result = run_job(self, submit, kind=kind, resubmit_safe=resubmit_safe)
        what = getattr(job, "query", None) or str(getattr(job, "destination", ""))
        jobs.append((type(job).__name__, " ".join(what.split())))
        return job, result

    monkeypatch.setattr(Jobs, "run", recording)
    return jobs


def test_a_sixty_date_backfill_stays_within_the_job_budget(demo_url, bigquery_jobs):
    result, document = run_document(demo_url, *SIXTY_GAME_DATES)

    assert result.exit_code == 0, result.output
    assert document["counts"]["published"] == 60
    kinds = [kind for kind, _ in bigquery_jobs]
    assert document["warehouse_jobs"] == len(bigquery_jobs), "\n".join(map(str, bigquery_jobs))
    assert len(bigquery_jobs) <= JOB_BUDGET, "\n".join(map(str, bigquery_jobs))
    assert kinds.count("LoadJob") == 2  # the runs row and the single chunk's one staging load


def test_duckdb_and_bigquery_publish_identical_pcf(demo_url, demo_db: Path):
    span = ("--start-date", "2022-12-20", "--end-date", "2023-03-05")  # synthetic, UPCG, the incident
    on_duckdb, expected = run_document(demo_db, *span)
    on_bigquery, document = run_document(demo_url, *span)

    assert on_duckdb.exit_code == on_bigquery.exit_code == 0, on_bigquery.output
    assert expected["dates"] == document["dates"]
    assert {entry["context_source"] for entry in document["dates"]} == {"upcg", "pgs_synthetic"}
    table = published_rows(demo_db)
    assert len(table) > 10_000
    pd.testing.assert_frame_equal(published_rows(demo_url), table)


# --- errors an operator meets first ----------------------------------------------------------
def test_a_misspelled_dataset_is_bad_input_naming_it(demo_url):
    """Not a hint to `init`, which would create the misspelled dataset, empty."""
    result = invoke(demo_url, "--datasets", "orchestration=nope", "run", *INCIDENT_WEEK)

    assert result.exit_code == 2
    assert_one_clear_line(result, "--datasets: orchestration=nope holds none of its tables", "backfill_runs")
    status = invoke(demo_url, "--datasets", "precompute=nope", "validate", *INCIDENT_WEEK)
    assert status.exit_code == 2
    assert_one_clear_line(status, "--datasets: precompute=nope", "player_composite_factors")


def test_a_project_without_the_tables_is_one_line(bigquery_url):
    result = invoke(bigquery_url, "run", *INCIDENT_WEEK)

    assert result.exit_code == 1
    assert_one_clear_line(result, "missing tables", "pcf-backfill init")


def test_an_invalid_project_id_is_a_usage_error(bigquery_url):
    result = invoke("bigquery://Bad_Project!", "run", *INCIDENT_WEEK)

    assert result.exit_code == 2
    assert_one_clear_line(result, "Bad_Project!")


def test_a_lease_held_elsewhere_exits_4_naming_its_holder_until_lock_release_frees_it(demo_url, open_db):
    wh = open_db(demo_url)
    beat = pd.Timestamp.now(tz="UTC") - pd.Timedelta(seconds=30)
    wh.load(
        pd.DataFrame(
            [
                {
                    "lease_id": "held-elsewhere",
                    "holder": "run-0",
                    "start_date": date(2023, 2, 1),
                    "end_date": date(2023, 2, 28),
                    "acquired_at": beat,
                    "heartbeat_at": beat,
                    "expires_at": beat + pd.Timedelta(minutes=15),
                    "host": "pcf-7",
                    "pid": 4242,
                    "command": "pcf-backfill run --start-date 2023-02-01 --end-date 2023-02-28",
                }
            ]
        ),
        "leases",
    )
    refused = invoke(demo_url, "run", *INCIDENT_WEEK)
    assert refused.exit_code == 4
    assert_one_clear_line(refused, "PID 4242 on pcf-7", "pcf-backfill run --start-date 2023-02-01", "last heartbeat")
    listed = invoke(demo_url, "lock", "status", "--output", "json")
    assert [lease["lease_id"] for lease in json.loads(listed.stdout)["leases"]] == ["held-elsewhere"]
    released = invoke(demo_url, "lock", "release", "held-elsewhere", "--reason", "pcf-7 was replaced")
    assert released.exit_code == 0, released.output
    audit = wh.query("SELECT options FROM {runs} WHERE command = 'lock release'")
    assert "pcf-7 was replaced" in audit["options"].iat[0] and "held-elsewhere" in audit["options"].iat[0]
    assert invoke(demo_url, "run", *INCIDENT_WEEK).exit_code == 0


def test_a_cleanup_while_another_holds_the_lease_exits_4_naming_it_and_deletes_nothing(demo_url, open_db):
    wh = open_db(demo_url)
    upcg = "SELECT * FROM {upcg} ORDER BY game_date, player_lookup"
    before = wh.query(upcg)
    beat = pd.Timestamp.now(tz="UTC") - pd.Timedelta(seconds=5)
    wh.load(
        pd.DataFrame(
            [
                {
                    "lease_id": "first-cleanup",
                    "holder": "cleanup-20261126T040000-0badcafe",
                    "start_date": date(1, 1, 1),
                    "end_date": date(2026, 11, 18),
                    "acquired_at": beat,
                    "heartbeat_at": beat,
                    "expires_at": beat + pd.Timedelta(minutes=15),
                    "host": "pcf-7",
                    "pid": 4242,
                    "command": "pcf-backfill cleanup --mode partial --execute",
                }
            ]
        ),
        "leases",
    )
    second = invoke(demo_url, "cleanup", "--mode", "partial", "--execute")
    assert second.exit_code == 4, second.output
    assert_one_clear_line(second, "PID 4242 on pcf-7", "pcf-backfill cleanup --mode partial --execute")
    pd.testing.assert_frame_equal(wh.query(upcg), before)
    refused = wh.query("SELECT rows_deleted, error FROM {cleanup_ops}").to_dict("records")
    assert len(refused) == 1 and refused[0]["rows_deleted"] == 0 and "LockHeld" in refused[0]["error"]


class Recorder(BaseHTTPRequestHandler):
    """A JSON webhook on 127.0.0.1 that keeps what Apprise POSTs (`server.bodies`)."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        self.server.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_a_lease_taken_over_from_a_dead_run_sends_one_message_naming_it(demo_url, open_db):
    gone = subprocess.Popen(["true"])
    gone.wait()  # its PID names no process now: the holder died without releasing its lease
    beat = pd.Timestamp.now(tz="UTC") - pd.Timedelta(seconds=40)
    open_db(demo_url).load(
        pd.DataFrame(
            [
                {
                    "lease_id": "killed-run-lease",
                    "holder": "20261126T040000Z-deadbeef",
                    "start_date": date(2023, 2, 1),
                    "end_date": date(2023, 2, 28),
                    "acquired_at": beat,
                    "heartbeat_at": beat,
                    "expires_at": beat + pd.Timedelta(minutes=15),
                    "host": socket.gethostname(),
                    "pid": gone.pid,
                    "command": "pcf-backfill run --start-date 2023-02-01 --end-date 2023-02-28",
                }
            ]
        ),
        "leases",
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.bodies = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = invoke(demo_url, "run", *INCIDENT_WEEK, "--notify", f"json://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    (message,) = server.bodies  # type: ignore[attr-defined]
    assert message["title"] == "pcf-backfill run: lease taken over from a dead run"
    assert (
        f"run 20261126T040000Z-deadbeef (PID {gone.pid} on {socket.gethostname()}: pcf-backfill run "
        "--start-date 2023-02-01 --end-date 2023-02-28; silent 4" in message["message"]
    )
    assert "process gone" in message["message"]
    assert "Note: lease taken over from a dead run: run 20261126T040000Z-deadbeef" in result.stdout


def test_the_next_run_drops_the_staging_tables_a_killed_run_left(demo_url, open_db):
    wh = open_db(demo_url)
    dataset = f"{wh.project}.{wh.dataset_name('orchestration')}"
    wh.client.create_table(bigquery_table(f"{dataset}._staging_pcf_deadbeef"))
    assert "_staging_pcf_deadbeef" in orchestration_tables(wh)
    assert invoke(demo_url, "run", *INCIDENT_WEEK).exit_code == 0
    assert not [name for name in orchestration_tables(wh) if name.startswith("_staging_")]


def bigquery_table(table_id: str):  # type: ignore[no-untyped-def]
    from google.cloud import bigquery

    return bigquery.Table(table_id, schema=[bigquery.SchemaField("x", "INT64")])


def test_init_lists_what_it_creates_and_creates_inputs_only_when_asked(bigquery_url):
    first = invoke(bigquery_url, "init")
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert [line for line in lines if line.startswith("Created dataset ")] == [
        f"Created dataset {name}" for name in ("nba_reference", "nba_analytics", "nba_precompute", "nba_orchestration")
    ]
    tables = {line.removeprefix("Created table ") for line in lines if line.startswith("Created table ")}
    assert "nba_precompute.player_composite_factors" in tables and "nba_orchestration.backfill_leases" in tables
    assert not tables & {"nba_reference.schedule", "nba_analytics.upcoming_player_game_context"}  # upstream's own

    inputs = invoke(bigquery_url, "init", "--with-inputs")
    assert inputs.exit_code == 0, inputs.output
    assert "Created dataset" not in inputs.output and "Created table nba_reference.schedule" in inputs.output
    assert len([line for line in inputs.output.splitlines() if line.startswith("Created table ")]) == 7


def test_bigquery_reports_bytes_billed_and_a_dry_run_estimates_with_dry_run_jobs(demo_url, bigquery_statements):
    result, document = run_document(demo_url, "--start-date", "2023-01-15", "--end-date", "2023-01-21")
    assert result.exit_code == 0, result.output
    assert isinstance(document["bytes_billed"], int) and "estimated_bytes" not in document
    before = len(bigquery_statements.statements)

    rehearsal, estimated = run_document(demo_url, "--start-date", "2023-01-22", "--end-date", "2023-01-28", "--dry-run")
    assert rehearsal.exit_code == 0, rehearsal.output
    assert isinstance(estimated["estimated_bytes"], int)
    dry = [
        statement.job
        for statement in bigquery_statements.statements[before:]
        if statement.job is not None and statement.job.dry_run
    ]
    assert {job.job_id.split("_")[-2] for job in dry} == {"estimate"}
    assert len(dry) == len(INPUT_READS)  # one per input table the run reads (one season)
    assert all(job.labels["pcf_command"] == "run" for job in dry)
