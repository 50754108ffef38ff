"""The backfill and cleanup scenarios end to end through the CLI, on the local BigQuery emulator:
the same commands as tests/backfill/test_run.py and tests/cleanup/test_cleanup_demo.py, against
`bigquery://<fresh project>` holding the 2022-23 demo league."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from backfill.cli import cli
from warehouse import Warehouse, WarehouseError, connect
from warehouse.bigquery import LEASE_MUTEX_ID, BigQueryWarehouse
from warehouse.bigquery.jobs import Jobs
from warehouse.schemas import TABLES

pytestmark = pytest.mark.bigquery_emulator

TODAY = "2026-11-26"  # as tests/conftest.py pins it
INCIDENT_WEEK = ("--start-date", "2023-02-20", "--end-date", "2023-02-26")
INCIDENT_DATES = ("2023-02-23", "2023-02-24")
SIXTY_GAME_DATES = ("--start-date", "2023-01-15", "--end-date", "2023-03-21")
# 18, plus three crash-safety jobs per run (dead lease holders, killed runs, leftover staging), plus one for the
# audits (SPEC §6.9): the trailing published dates' profile, read once per chunk
JOB_BUDGET = 22
RUN_METADATA = ["run_id", "processed_at"]


# --- helpers ---------------------------------------------------------------------------------
def invoke(url: str, *args: str) -> Result:
    """The CLI in-process against a warehouse URL, logs as JSON, today pinned."""
    return CliRunner().invoke(
        cli, ["--warehouse", url, "--log-format", "json", "--today", TODAY, *args], catch_exceptions=False
    )


def run_json(url: str, *args: str) -> tuple[Result, dict]:
    result = invoke(url, "run", *args, "--output", "json")
    assert result.stdout, result.stderr
    return result, json.loads(result.stdout)


def by_date(document: dict) -> dict[str, dict]:
    return {entry["game_date"]: entry for entry in document["dates"]}


def error_lines(result: Result) -> list[str]:
    """What stderr says besides the JSON log lines."""
    return [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("{")]


def assert_one_clear_line(result: Result, *fragments: str) -> None:
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def pcf_frame(wh: Warehouse) -> pd.DataFrame:
    """PCF without run metadata, typed by the contract so both backends compare equal."""
    rows = wh.query("SELECT * FROM {pcf} ORDER BY game_date, player_lookup")
    return contract_typed(rows.drop(columns=RUN_METADATA), "pcf")


def contract_typed(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """BigQuery returns nullable Int64/boolean, DuckDB int64/float64/bool/object: cast both the same way."""
    dtypes = {"INT64": "Int64", "FLOAT64": "Float64", "BOOL": "boolean", "STRING": "string",
              "DATE": "datetime64[us]", "TIMESTAMP": "datetime64[us]"}  # fmt: skip
    types = {column.name: dtypes[column.type] for column in TABLES[key].columns if column.name in frame}
    return frame.astype(types).reset_index(drop=True)


def count(wh: Warehouse, sql: str, **params: object) -> int:
    return int(wh.query(sql, params)["n"].iloc[0])


def pcf_rows(wh: Warehouse, day: str) -> int:
    return count(wh, "SELECT count(*) AS n FROM {pcf} WHERE game_date = @d", d=date.fromisoformat(day))


def active_players(wh: Warehouse, day: str) -> int:
    return count(
        wh,
        "SELECT count(DISTINCT player_lookup) AS n FROM {pgs} WHERE game_date = @d AND player_status = 'active'",
        d=date.fromisoformat(day),
    )


def ledger_state(wh: Warehouse, day: str) -> pd.Series:
    """The date's current ledger row (its latest verdict)."""
    rows = wh.query(
        "SELECT * FROM {checkpoints} WHERE game_date = @d ORDER BY COALESCE(attempt, 0) DESC, finished_at DESC",
        {"d": date.fromisoformat(day)},
    )
    return rows.iloc[0]


def table_counts(wh: Warehouse) -> dict[str, int]:
    union = " UNION ALL ".join(f"SELECT '{key}' AS table_key, count(*) AS n FROM {{{key}}}" for key in TABLES)
    return dict(wh.query(union).set_index("table_key")["n"].astype(int))


def orchestration_tables(wh: BigQueryWarehouse) -> list[str]:
    dataset = f"{wh.project}.{wh.dataset_name('orchestration')}"
    return sorted(table.table_id for table in wh.client.list_tables(dataset))


# --- fixtures --------------------------------------------------------------------------------
@pytest.fixture
def open_warehouse(bigquery_emulator: str) -> Iterator[Callable[[str], BigQueryWarehouse]]:
    """Open a `bigquery://` URL the way the CLI does (served by the emulator)."""
    opened: list[Warehouse] = []

    def _open(url: str) -> BigQueryWarehouse:
        wh = connect(url, emulator_host=bigquery_emulator)
        assert isinstance(wh, BigQueryWarehouse)
        opened.append(wh)
        return wh

    yield _open
    for wh in opened:
        wh.close()


@pytest.fixture
def new_demo_project(bigquery_url: str) -> Callable[[], str]:
    """`demo --allow-bigquery` into a fresh emulator project; returns its URL."""
    projects = iter(range(100))

    def _make() -> str:
        url = f"{bigquery_url}-{next(projects)}"
        result = invoke(url, "demo", "--allow-bigquery")
        assert result.exit_code == 0, result.output
        return url

    return _make


@pytest.fixture
def demo_url(new_demo_project: Callable[[], str]) -> str:
    return new_demo_project()


@pytest.fixture
def bigquery_jobs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every job the BigQuery adapter completes, as (kind, SQL or destination table)."""
    jobs: list[tuple[str, str]] = []
    run_job = Jobs.run

    def recording(self: Jobs, submit, *, resubmit_safe: bool):  # type: ignore[no-untyped-def]
        job, result = run_job(self, submit, resubmit_safe=resubmit_safe)
        what = getattr(job, "query", None) or str(getattr(job, "destination", ""))
        jobs.append((type(job).__name__, " ".join(what.split())))
        return job, result

    monkeypatch.setattr(Jobs, "run", recording)
    return jobs


# --- the runner's scenarios --------------------------------------------------------------------
def test_incident_week_falls_back_to_box_scores_and_publishes_everyone(demo_url, open_warehouse):
    result, document = run_json(demo_url, *INCIDENT_WEEK)

    assert result.exit_code == 0, result.output
    dates = by_date(document)
    wh = open_warehouse(demo_url)
    for day in INCIDENT_DATES:
        assert dates[day]["status"] == "published"
        assert dates[day]["context_source"] == "pgs_synthetic"
        assert pcf_rows(wh, day) == active_players(wh, day) == dates[day]["published_players"]
        state = ledger_state(wh, day)
        assert state["status"] == "published" and state["reason"].startswith("upcg_partial")
    assert ledger_state(wh, "2023-02-23")["reason"].startswith("upcg_partial 1/")
    assert dates["2023-02-25"]["context_source"] == "upcg"
    assert set(dates) == {"2023-02-23", "2023-02-24", "2023-02-25", "2023-02-26"}  # 20–22: All-Star break
    run = wh.query("SELECT exit_code, dates_published FROM {runs}")
    assert run.to_dict("records") == [{"exit_code": 0, "dates_published": 4}]


def test_upcg_only_blocks_incident_dates_then_force_publishes_them(demo_url, open_warehouse):
    result, document = run_json(demo_url, *INCIDENT_WEEK, "--source", "upcg")

    assert result.exit_code == 3, result.output
    dates = by_date(document)
    wh = open_warehouse(demo_url)
    for day in INCIDENT_DATES:
        assert dates[day]["status"] == "blocked"
        assert pcf_rows(wh, day) == 0
    assert all(entry["status"] == "published" for day, entry in dates.items() if day not in INCIDENT_DATES)
    assert "1/" in ledger_state(wh, "2023-02-23")["reason"]

    forced, document = run_json(demo_url, *INCIDENT_WEEK, "--source", "upcg", "--force", "--reason", "UPCG is stale")

    assert forced.exit_code == 0, forced.output
    assert {d: e["status"] for d, e in by_date(document).items()} == dict.fromkeys(INCIDENT_DATES, "published")
    for day in INCIDENT_DATES:
        state = ledger_state(wh, day)
        assert state["status"] == "published"
        assert state["forced"] and state["force_reason"] == "UPCG is stale" and state["forced_by"]
    assert pcf_rows(wh, "2023-02-23") == 1  # forced through with UPCG's single player
    assert ledger_state(wh, "2023-02-23")["coverage"] == pytest.approx(1 / active_players(wh, "2023-02-23"))


def test_a_failed_publish_mid_run_resumes_to_the_table_of_an_uninterrupted_run(
    new_demo_project, open_warehouse, monkeypatch
):
    reference_url, url = new_demo_project(), new_demo_project()
    assert run_json(reference_url, *INCIDENT_WEEK)[0].exit_code == 0  # one chunk, never interrupted

    publishes: list[int] = []
    run_atomic = BigQueryWarehouse.run_atomic

    def second_publish_fails(self: BigQueryWarehouse, statements) -> None:  # type: ignore[no-untyped-def]
        publishes.append(len(statements))
        if len(publishes) == 2:
            raise WarehouseError("injected: the publish transaction was aborted")
        run_atomic(self, statements)

    with monkeypatch.context() as patched:
        patched.setattr(BigQueryWarehouse, "run_atomic", second_publish_fails)
        failed = invoke(url, "run", *INCIDENT_WEEK, "--chunk-days", "2")

    assert failed.exit_code == 1, failed.output
    assert_one_clear_line(failed, "injected")
    wh = open_warehouse(url)
    published = wh.query("SELECT DISTINCT game_date FROM {pcf} ORDER BY 1")["game_date"].dt.date.astype(str)
    assert published.tolist() == ["2023-02-23", "2023-02-24"]  # the first chunk only
    ledger = wh.query("SELECT game_date, status FROM {checkpoints} ORDER BY game_date")
    assert ledger["game_date"].dt.date.astype(str).tolist() == ["2023-02-23", "2023-02-24"]
    assert wh.query("SELECT exit_code FROM {runs}")["exit_code"].tolist() == [1]
    assert wh.query("SELECT lease_id FROM {leases}")["lease_id"].tolist() == [LEASE_MUTEX_ID]
    assert not [name for name in orchestration_tables(wh) if name.startswith("_staging_")]

    resumed, document = run_json(url, *INCIDENT_WEEK, "--chunk-days", "2")

    assert resumed.exit_code == 0, resumed.output
    assert sorted(by_date(document)) == ["2023-02-25", "2023-02-26"]
    assert document["counts"]["already_done"] == 2
    pd.testing.assert_frame_equal(pcf_frame(wh), pcf_frame(open_warehouse(reference_url)))
    keys = wh.query("SELECT count(*) AS n, count(DISTINCT CONCAT(CAST(game_date AS STRING), player_lookup)) AS k "
                    "FROM {pcf}")  # fmt: skip
    assert keys["n"][0] == keys["k"][0]


def test_dry_run_writes_nothing(demo_url, open_warehouse, bigquery_jobs):
    wh = open_warehouse(demo_url)
    counts, tables = table_counts(wh), orchestration_tables(wh)
    leases = wh.query("SELECT * FROM {leases}")
    bigquery_jobs.clear()

    result = invoke(demo_url, "run", *INCIDENT_WEEK, "--dry-run")

    assert result.exit_code == 0, result.output
    for word in ("expected", "upcg", "source", "coverage", "action", "2023-02-23", "pgs_synthetic"):
        assert word in result.stdout
    writes = [job for job in bigquery_jobs if job[0] != "QueryJob" or not job[1].upper().startswith(("SELECT", "WITH"))]
    assert writes == []
    assert table_counts(wh) == counts
    assert counts["runs"] == counts["checkpoints"] == counts["pcf"] == 0
    assert orchestration_tables(wh) == tables
    pd.testing.assert_frame_equal(wh.query("SELECT * FROM {leases}"), leases)


def test_a_sixty_date_backfill_stays_within_the_job_budget(demo_url, bigquery_jobs):
    result, document = run_json(demo_url, *SIXTY_GAME_DATES)

    assert result.exit_code == 0, result.output
    assert document["counts"]["published"] == 60
    kinds = [kind for kind, _ in bigquery_jobs]
    assert document["warehouse_jobs"] == len(bigquery_jobs), "\n".join(map(str, bigquery_jobs))
    assert len(bigquery_jobs) <= JOB_BUDGET, "\n".join(map(str, bigquery_jobs))
    assert kinds.count("LoadJob") == 2  # the runs row and the single chunk's one staging load


def test_duckdb_and_bigquery_publish_identical_pcf(demo_url, demo_db: Path, open_warehouse, run_cli):
    span = ("--start-date", "2022-12-20", "--end-date", "2023-03-05")  # synthetic, UPCG, the incident
    on_duckdb = run_cli(demo_db, "run", *span, "--output", "json")
    on_bigquery, document = run_json(demo_url, *span)

    assert on_duckdb.exit_code == on_bigquery.exit_code == 0, on_bigquery.output
    assert json.loads(on_duckdb.stdout)["dates"] == document["dates"]
    assert {entry["context_source"] for entry in document["dates"]} == {"upcg", "pgs_synthetic"}
    duckdb_wh = connect(f"duckdb:///{demo_db}")
    try:
        expected = pcf_frame(duckdb_wh)
    finally:
        duckdb_wh.close()
    assert len(expected) > 10_000
    pd.testing.assert_frame_equal(pcf_frame(open_warehouse(demo_url)), expected)


# --- cleanup -----------------------------------------------------------------------------------
def test_partial_cleanup_backs_up_and_restore_puts_upcg_back(demo_url, open_warehouse):
    wh = open_warehouse(demo_url)
    upcg = "SELECT * FROM {upcg} ORDER BY game_date, player_lookup"
    before = wh.query(upcg)

    done = invoke(demo_url, "cleanup", "--mode", "partial", "--execute", "--output", "json")

    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    doomed = pd.to_datetime(sorted(d["game_date"] for d in report["dates"] if d["action"] == "delete"))
    assert [str(day.date()) for day in doomed] == list(INCIDENT_DATES)
    removed = before[before["game_date"].isin(doomed)]
    after = wh.query(upcg)
    pd.testing.assert_frame_equal(after, before[~before["game_date"].isin(doomed)].reset_index(drop=True))
    backup = report["backup_table"]
    assert count(wh, f"SELECT count(*) AS n FROM {wh.qualified('analytics', backup)}") == len(removed)
    operation = wh.query("SELECT mode, dry_run, rows_matched, rows_deleted, backup_table FROM {cleanup_ops}")
    assert operation.to_dict("records") == [
        {"mode": "partial", "dry_run": False, "rows_matched": len(removed), "rows_deleted": len(removed),
         "backup_table": backup}
    ]  # fmt: skip

    restored = invoke(demo_url, "cleanup", "restore", backup)

    assert restored.exit_code == 0, restored.output
    pd.testing.assert_frame_equal(wh.query(upcg), before)


def test_a_cleanup_while_another_holds_the_lease_exits_4_naming_it_and_deletes_nothing(demo_url, open_warehouse):
    wh = open_warehouse(demo_url)
    upcg = "SELECT * FROM {upcg} ORDER BY game_date, player_lookup"
    before = wh.query(upcg)
    beat = pd.Timestamp.now(tz="UTC") - pd.Timedelta(seconds=5)
    wh.load(pd.DataFrame([{
        "lease_id": "first-cleanup", "holder": "cleanup-20261126T040000-0badcafe", "start_date": date(1, 1, 1),
        "end_date": date(2026, 11, 18), "acquired_at": beat, "heartbeat_at": beat,
        "expires_at": beat + pd.Timedelta(minutes=15), "host": "pcf-7", "pid": 4242,
        "command": "pcf-backfill cleanup --mode partial --execute",
    }]), "leases")  # fmt: skip
    second = invoke(demo_url, "cleanup", "--mode", "partial", "--execute")
    assert second.exit_code == 4, second.output
    assert_one_clear_line(second, "PID 4242 on pcf-7", "pcf-backfill cleanup --mode partial --execute")
    pd.testing.assert_frame_equal(wh.query(upcg), before)
    refused = wh.query("SELECT rows_deleted, error FROM {cleanup_ops}").to_dict("records")
    assert len(refused) == 1 and refused[0]["rows_deleted"] == 0 and "LockHeld" in refused[0]["error"]


# --- errors an operator meets first ----------------------------------------------------------
def test_a_missing_dataset_is_one_line_naming_it(demo_url, bigquery_statements):
    bigquery_statements.expect_rejection(".nope.")  # BigQuery, like the emulator, finds no such table
    result = invoke(demo_url, "--datasets", "orchestration=nope", "run", *INCIDENT_WEEK)

    assert result.exit_code == 1
    assert_one_clear_line(result, "nope.backfill_runs", "pcf-backfill init")
    status = invoke(demo_url, "--datasets", "precompute=nope", "validate", *INCIDENT_WEEK)
    assert status.exit_code == 1
    assert_one_clear_line(status, "nope")


def test_a_project_without_the_tables_is_one_line(bigquery_url):
    result = invoke(bigquery_url, "run", *INCIDENT_WEEK)

    assert result.exit_code == 1
    assert_one_clear_line(result, "missing tables", "pcf-backfill init")


def test_an_invalid_project_id_is_a_usage_error(bigquery_url):
    result = invoke("bigquery://Bad_Project!", "run", *INCIDENT_WEEK)

    assert result.exit_code == 2
    assert_one_clear_line(result, "Bad_Project!")


# --- partial inputs and the two facts of a date (SPEC §6.4, §6.7) --------------------------------
def execute(wh: Warehouse, sql: str, **params: object) -> None:
    assert wh.execute(sql, params) > 0, sql


def test_partial_inputs_block_and_repairs_publish_on_bigquery(demo_url, open_warehouse):
    wh = open_warehouse(demo_url)
    day, d = "2023-02-27", date(2023, 2, 27)
    kept = wh.query("SELECT MIN(game_id) AS g FROM {schedule} WHERE game_date = @d", {"d": d})["g"].iloc[0]
    hidden = "UPDATE {pgs} SET player_status = @to WHERE game_date = @d AND game_id <> @kept AND player_status = @from"
    execute(wh, hidden, d=d, kept=kept, to="hidden", **{"from": "active"})  # box scores of 1 game of 9
    result, document = run_json(demo_url, "--dates", day)
    assert result.exit_code == 3 and by_date(document)[day]["reason"].startswith("upstream_missing pgs: games ")
    assert pcf_rows(wh, day) == 0
    execute(wh, hidden, d=d, kept=kept, to="active", **{"from": "hidden"})
    result, _ = run_json(demo_url, "--dates", day)
    assert result.exit_code == 0 and pcf_rows(wh, day) == active_players(wh, day)

    other, o = "2023-02-28", date(2023, 2, 28)
    renamed = "UPDATE {tdza} SET team_abbr = CONCAT(@prefix, team_abbr) WHERE analysis_date = @d AND team_abbr <> 'BOS'"
    execute(wh, renamed, d=o, prefix="x")  # zone defense for one team only
    result, document = run_json(demo_url, "--dates", other)
    assert result.exit_code == 3 and by_date(document)[other]["reason"].startswith("upstream_partial tdza ")
    assert pcf_rows(wh, other) == 0

    before = wh.query("SELECT data_hash FROM {pcf} WHERE game_date = @d ORDER BY player_lookup", {"d": d})
    # worse context in a field the cross-source audit does not compare
    execute(wh, "UPDATE {upcg} SET projected_usage_rate = NULL WHERE game_date = @d", d=d)
    result, document = run_json(demo_url, "--dates", day, "--rerun", "all")
    assert result.exit_code == 3 and by_date(document)[day]["reason"].startswith("regression: players ")
    after = wh.query("SELECT data_hash FROM {pcf} WHERE game_date = @d ORDER BY player_lookup", {"d": d})
    pd.testing.assert_frame_equal(before, after)


def test_stale_upcg_falls_back_and_zeroed_tdza_is_blocked_by_the_audits_on_bigquery(demo_url, open_warehouse):
    wh = open_warehouse(demo_url)
    day, d = "2023-02-27", date(2023, 2, 27)
    execute(wh, "UPDATE {upcg} SET days_rest = days_rest + 2, games_in_last_7_days = games_in_last_7_days + 1 "
                "WHERE game_date = @d AND player_lookup < @split", d=d, split="n")  # about half the players
    result, document = run_json(demo_url, "--dates", day)
    assert result.exit_code == 0, result.output
    entry = by_date(document)[day]
    assert entry["context_source"] == "pgs_synthetic" and entry["source_reason"].startswith("upcg_disagrees ")
    assert pcf_rows(wh, day) == active_players(wh, day)
    result, document = run_json(demo_url, "--dates", day, "--source", "upcg", "--rerun", "all")
    assert result.exit_code == 3 and by_date(document)[day]["reason"].startswith("upcg_disagrees ")

    assert run_json(demo_url, "--start-date", "2022-11-01", "--end-date", "2022-11-21")[0].exit_code == 0
    execute(wh, "UPDATE {tdza} SET paint_defense_vs_league_avg = 0, mid_range_defense_vs_league_avg = 0, "
                "three_pt_defense_vs_league_avg = 0 WHERE analysis_date = @d", d=date(2022, 11, 22))
    result, document = run_json(demo_url, "--dates", "2022-11-22")
    assert result.exit_code == 3
    assert by_date(document)["2022-11-22"]["reason"].startswith("audit shot_zone_zero_share 1.00 vs 0.0")
    assert pcf_rows(wh, "2022-11-22") == 0
    status = invoke(demo_url, "status", "--start-date", "2022-11-22", "--end-date", "2022-11-22")
    assert "shot_zone_zero_share 1.00 vs baseline 0.0" in status.stdout and "(threshold 0.4)" in status.stdout


def test_force_never_lowers_coverage_and_validate_finds_every_gap_on_bigquery(demo_url, open_warehouse):
    wh = open_warehouse(demo_url)
    assert invoke(demo_url, "run", "--dates", "2023-02-23").exit_code == 0
    forced = ("--dates", "2023-02-23", "--rerun", "all", "--source", "upcg", "--force", "--reason", "test")
    result, document = run_json(demo_url, *forced)
    assert result.exit_code == 3 and by_date(document)["2023-02-23"]["reason"].startswith("regression: players ")
    assert pcf_rows(wh, "2023-02-23") == active_players(wh, "2023-02-23")
    status = json.loads(invoke(demo_url, "status", "--start-date", "2023-02-23", "--end-date", "2023-02-23",
                               "--output", "json").stdout)["dates"][0]  # fmt: skip
    assert status["coverage"] == 1.0 and status["last_attempt"]["status"] == "blocked"

    result, document = run_json(demo_url, *forced, "--allow-regression")
    assert result.exit_code == 0 and pcf_rows(wh, "2023-02-23") == 1
    assert bool(ledger_state(wh, "2023-02-23")["allowed_regression"])

    assert invoke(demo_url, "run", "--dates", "2023-02-25").exit_code == 0
    blocked = invoke(demo_url, "run", "--dates", "2023-02-24", "--source", "upcg")
    assert blocked.exit_code == 3
    result = invoke(demo_url, "validate", "--start-date", "2023-02-23", "--end-date", "2023-02-26", "--output", "json")
    assert result.exit_code == 3
    found = {entry["game_date"]: entry for entry in json.loads(result.stdout)["problems"]}
    assert found["2023-02-24"]["state"] == "blocked" and found["2023-02-26"]["state"] == "pending"
    assert "coverage_below_bar" in found["2023-02-23"]["problems"]


def test_a_lease_held_elsewhere_exits_4_naming_its_holder_until_lock_release_frees_it(demo_url, open_warehouse):
    wh = open_warehouse(demo_url)
    beat = pd.Timestamp.now(tz="UTC") - pd.Timedelta(seconds=30)
    wh.load(pd.DataFrame([{
        "lease_id": "held-elsewhere", "holder": "run-0", "start_date": date(2023, 2, 1), "end_date": date(2023, 2, 28),
        "acquired_at": beat, "heartbeat_at": beat, "expires_at": beat + pd.Timedelta(minutes=15),
        "host": "pcf-7", "pid": 4242, "command": "pcf-backfill run --start-date 2023-02-01 --end-date 2023-02-28",
    }]), "leases")  # fmt: skip
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


class Recorder(BaseHTTPRequestHandler):
    """A JSON webhook on 127.0.0.1 that keeps what Apprise POSTs (`server.bodies`)."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        self.server.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_a_lease_taken_over_from_a_dead_run_sends_one_message_naming_it(demo_url, open_warehouse):
    gone = subprocess.Popen(["true"])
    gone.wait()  # its PID names no process now: the holder died without releasing its lease
    beat = pd.Timestamp.now(tz="UTC") - pd.Timedelta(seconds=40)
    open_warehouse(demo_url).load(pd.DataFrame([{
        "lease_id": "killed-run-lease", "holder": "20261126T040000Z-deadbeef", "start_date": date(2023, 2, 1),
        "end_date": date(2023, 2, 28), "acquired_at": beat, "heartbeat_at": beat,
        "expires_at": beat + pd.Timedelta(minutes=15), "host": socket.gethostname(), "pid": gone.pid,
        "command": "pcf-backfill run --start-date 2023-02-01 --end-date 2023-02-28",
    }]), "leases")  # fmt: skip
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
    assert f"run 20261126T040000Z-deadbeef (PID {gone.pid} on {socket.gethostname()}: pcf-backfill run " \
           "--start-date 2023-02-01 --end-date 2023-02-28; silent 4" in message["message"]  # fmt: skip
    assert "process gone" in message["message"]


def test_the_next_run_drops_the_staging_tables_a_killed_run_left(demo_url, open_warehouse):
    wh = open_warehouse(demo_url)
    dataset = f"{wh.project}.{wh.dataset_name('orchestration')}"
    wh.client.create_table(bigquery_table(f"{dataset}._staging_pcf_deadbeef"))
    assert "_staging_pcf_deadbeef" in orchestration_tables(wh)
    assert invoke(demo_url, "run", *INCIDENT_WEEK).exit_code == 0
    assert not [name for name in orchestration_tables(wh) if name.startswith("_staging_")]


def bigquery_table(table_id: str):  # type: ignore[no-untyped-def]
    from google.cloud import bigquery

    return bigquery.Table(table_id, schema=[bigquery.SchemaField("x", "INT64")])
