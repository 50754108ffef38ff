"""Every statement the CLI sends to BigQuery is one BigQuery's own analyzer (ZetaSQL) accepts.

The emulator translates GoogleSQL to DuckDB and runs statements real BigQuery rejects; ZetaSQL
with BigQuery's dialect does not. Every emulator test is checked this way (tests/warehouse/
conftest.py); this module walks every command once and proves the check has teeth."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from google.cloud import bigquery
from googlesql import GoogleSqlAnalyzer, Rejected, StatementRecorder, contract_tables
from googlesql.partitions import star_reads, unfiltered_reads
from support import INCIDENT_DATES, INCIDENT_WEEK, TODAY

from backfill.cli import cli
from warehouse import connect
from warehouse.bigquery import BigQueryWarehouse
from warehouse.bigquery.values import schema_fields
from warehouse.schemas import TABLES

pytestmark = pytest.mark.bigquery_emulator

MARCH_WEEK = ("--start-date", "2023-03-01", "--end-date", "2023-03-07")
PROJECT = "pcf-test-analyzer"
PCF = f"`{PROJECT}.nba_precompute.player_composite_factors`"
LEASES = f"`{PROJECT}.nba_orchestration.backfill_leases`"


class Walk:
    """The CLI in-process against one emulator project, counting the statements each step sends."""

    def __init__(self, url: str, statements: StatementRecorder) -> None:
        self.url = url
        self.statements = statements
        self.sent: dict[str, int] = {}
        self.jobs: dict[str, list] = {}  # per step, the query jobs it ran

    def step(self, name: str, *args: str, exit_code: int = 0, today: str = TODAY) -> Result:
        before = len(self.statements.statements)
        result = CliRunner().invoke(
            cli, ["--warehouse", self.url, "--log-format", "json", "--today", today, *args], catch_exceptions=False
        )
        assert result.exit_code == exit_code, f"{name}: {result.output}"
        self.sent[name] = len(self.statements.statements) - before
        self.jobs[name] = [sent.job for sent in self.statements.statements[before:] if sent.job is not None]
        return result


def create_an_older_ledger(url: str, emulator_host: str) -> None:
    """The ledger table as an older version created it, without the contract's newest column."""
    wh = connect(url, emulator_host=emulator_host)
    assert isinstance(wh, BigQueryWarehouse)
    spec = TABLES["checkpoints"]
    dataset = f"{wh.project}.{wh.dataset_name(spec.dataset)}"
    try:
        wh.client.create_dataset(dataset)
        wh.client.create_table(bigquery.Table(f"{dataset}.{spec.name}", schema=schema_fields(spec)[:-1]))
    finally:
        wh.close()


# --- every command, through the CLI, against the emulator ----------------------------------------
def test_every_command_sends_only_statements_bigquery_accepts(
    bigquery_url, bigquery_emulator, bigquery_statements, tmp_path: Path
):
    older = Walk(f"{bigquery_url}-older", bigquery_statements)  # the emulator's metadata misses added columns
    create_an_older_ledger(older.url, bigquery_emulator)
    older.step("init, adding a column in place", "init")
    walk = Walk(bigquery_url, bigquery_statements)

    walk.step("init", "init")
    walk.step("demo", "demo", "--allow-bigquery")
    walk.step("run, blocked", "run", *INCIDENT_WEEK, "--source", "upcg", exit_code=3)
    walk.step("run, forced", "run", *INCIDENT_WEEK, "--source", "upcg", "--force", "--reason", "UPCG is stale")
    walk.step("run, fallback", "run", *INCIDENT_WEEK, "--rerun", "all")
    walk.step("run, fill", "run", "--dates", ",".join(INCIDENT_DATES), "--source", "fill", "--rerun", "all")
    walk.step("run, dry run", "run", *MARCH_WEEK, "--dry-run")
    walk.step("status", "status", *INCIDENT_WEEK)
    walk.step("validate", "validate", *INCIDENT_WEEK)
    walk.step("report", "report", *INCIDENT_WEEK, "--html", str(tmp_path / "report.html"))
    walk.step("catch-up", "catch-up", "--lookback-days", "3", today="2023-03-10")
    walk.step("freshness", "freshness", exit_code=3)
    walk.step("cleanup, dry run", "cleanup", "--mode", "partial")
    executed = walk.step("cleanup, execute", "cleanup", "--mode", "partial", "--execute", "--output", "json")
    walk.step("cleanup restore", "cleanup", "restore", json.loads(executed.stdout)["backup_table"])

    verdict = bigquery_statements.verdict()
    sent = older.sent | walk.sent
    print("\n".join(f"{name}: {count} statements" for name, count in sent.items()))
    print(verdict.summary())
    assert [name for name, count in sent.items() if count == 0] == []
    assert verdict.rejections == [], "\n\n".join(verdict.rejections)
    assert verdict.analysed == sum(sent.values())
    unfiltered = sorted(
        {read for statement in bigquery_statements.statements for read in unfiltered_reads(statement.sql)}
    )
    assert unfiltered == [], "\n".join(unfiltered)  # what require_partition_filter would refuse
    assert sorted({read for statement in bigquery_statements.statements for read in star_reads(statement.sql)}) == []
    catch_up = walk.jobs["catch-up"]  # the nightly job: every job named and labelled with its run
    assert catch_up and all(job.job_id.startswith("pcf_") for job in catch_up)
    assert {(job.labels["pcf_command"], job.labels["pcf_run_id"]) for job in catch_up} == {
        ("catch-up", catch_up[-1].labels["pcf_run_id"])
    }
    assert all(set(job.labels) >= {"pcf_run_id", "pcf_command"} for jobs in walk.jobs.values() for job in jobs)


def test_a_statement_the_emulator_runs_and_bigquery_rejects_is_reported_in_full(
    bigquery_warehouse: BigQueryWarehouse, bigquery_statements
):
    bigquery_warehouse.query("SELECT player_lookup FROM {upcg} WHERE player_lookup ILIKE 'a%'")  # DuckDB's ILIKE

    rejections = bigquery_statements.verdict().rejections

    assert len(rejections) == 1
    assert "sent by: test code" in rejections[0]
    assert "the emulator ran it" in rejections[0]
    assert "WHERE player_lookup ILIKE 'a%'" in rejections[0]
    assert 'ZetaSQL: Syntax error: Expected ";" or end of input but got identifier "ILIKE"' in rejections[0]
    bigquery_statements.events.clear()  # judged here: the suite's own check must not fail this test


# --- the analyzer on its own: what BigQuery rejects, and what it accepts ----------------------------
@pytest.fixture(scope="module")
def analyzer():
    analyzer = GoogleSqlAnalyzer(contract_tables(PROJECT))
    yield analyzer
    analyzer.close()


@pytest.mark.parametrize(
    ("sql", "params", "error"),
    [
        (f"SELECT game_dat FROM {PCF}", {}, "Unrecognized name: game_dat; Did you mean game_date?"),
        (f"SELECT player_lookup FROM {PCF} WHERE game_date = @day", {}, "Query parameter 'day' not found"),
        (f"SELECT player_lookup FROM {PCF} WHERE game_date = @day", {"day": "INT64"}, "No matching signature"),
        (f"SELECT game_date::STRING FROM {PCF}", {}, 'Syntax error: Expected ";" or end of input but got ":"'),
        (f"SELECT * EXCLUDE (run_id) FROM {PCF}", {}, "got keyword EXCLUDE"),
        (f"SELECT DATE_DIFF('day', game_date, DATE '2023-03-01') FROM {PCF}", {}, "A valid date part name is required"),
        (
            f"BEGIN TRANSACTION;\nDELETE FROM {LEASES} WHERE lease_id = 'x';\n"
            f"UPDATE {LEASES} SET heartbeat_att = CURRENT_TIMESTAMP() WHERE TRUE;\nCOMMIT TRANSACTION;",
            {},
            "Unrecognized name: heartbeat_att",
        ),
        (f"SELECT player_lookup FROM `{PROJECT}.nba_precompute.player_composite_factor`", {}, "Table not found"),
    ],
    ids=[
        "misspelled-column",
        "undeclared-parameter",
        "mistyped-parameter",
        "duckdb-cast",
        "duckdb-exclude",
        "duckdb-date-diff",
        "typo-inside-a-script",
        "misspelled-table",
    ],
)
def test_bigquery_s_analyzer_rejects(analyzer: GoogleSqlAnalyzer, sql: str, params: dict[str, str], error: str):
    with pytest.raises(Rejected, match=re.escape(error)):
        analyzer.check(sql, params)


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        (f"SELECT player_lookup FROM {PCF} WHERE game_date IN UNNEST(@days)", {"days": "ARRAY<DATE>"}),
        (f"SELECT player_lookup FROM `{PROJECT}`.nba_precompute.player_composite_factors", {}),
        (
            f"BEGIN TRANSACTION;\nDELETE FROM {LEASES} WHERE expires_at < CURRENT_TIMESTAMP();\n"
            f"INSERT INTO {LEASES} (lease_id, holder) SELECT 'a', 'b' FROM (SELECT 1) "
            f"WHERE NOT EXISTS (SELECT 1 FROM {LEASES} WHERE lease_id = 'a');\nCOMMIT TRANSACTION;\n"
            f"SELECT lease_id FROM {LEASES}",
            {},
        ),
        (f"CREATE TEMP TABLE held AS SELECT lease_id, holder FROM {LEASES};\nSELECT holder FROM held", {}),
    ],
    ids=["array-parameter", "quoted-project-path", "transaction-script", "table-created-earlier-in-a-script"],
)
def test_bigquery_s_analyzer_accepts(analyzer: GoogleSqlAnalyzer, sql: str, params: dict[str, str]):
    analyzer.check(sql, params)
