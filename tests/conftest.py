"""Shared fixtures: the demo league, generated once per test session and copied per test, and the local BigQuery
emulator, started once per session for tests marked `bigquery_emulator` (it runs from its own venv: create it with
`bash tests/emulator/install.sh`). Plain helpers live in support.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import Result
from support import Target, invoke, opened

from warehouse import Datasets, Warehouse, connect

if TYPE_CHECKING:
    from emulator.fault_proxy import FaultProxy
    from googlesql import StatementRecorder

    from warehouse.bigquery import BigQueryWarehouse

GOOGLESQL_PROPERTY = "googlesql_statements_analysed"  # per emulator test, summed at the end of the session
_googlesql_counts: list[int] = []


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2022-23 demo league (seed 42), generated once; tests must copy it before writing."""
    from demo import generate_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    wh = connect(f"duckdb:///{path}", Datasets())
    generate_demo(wh, [2022], seed=42)
    wh.close()
    return path


@pytest.fixture
def demo_db(demo_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo league for one test."""
    copy = tmp_path / "pcf.duckdb"
    shutil.copy(demo_file, copy)
    return copy


@pytest.fixture
def open_db() -> Iterator[Callable[[Target], Warehouse]]:
    """Open a DuckDB file or a warehouse URL for the test; closed when it ends."""
    connections: list[Warehouse] = []

    def _open(target: Target) -> Warehouse:
        connections.append(opened(target))
        return connections[-1]

    yield _open
    for wh in connections:
        wh.close()


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    return invoke


# --- the BigQuery emulator ------------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[1]
EMULATOR_VENV = Path(os.environ.get("PCF_BQEMULATOR_VENV", REPO / ".venv-emulator"))
LAUNCHER = REPO / "tests" / "emulator" / "launch.py"
INSTALL_COMMAND = "bash tests/emulator/install.sh"
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the BigQuery emulator exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    pytest.fail(f"the BigQuery emulator was not ready within {START_TIMEOUT:.0f} s; log: {log}")


@pytest.fixture(scope="session")
def bigquery_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint (http://127.0.0.1:PORT) of a bqemulator subprocess on free ports."""
    python = EMULATOR_VENV / "bin" / "python"
    if not python.exists():
        pytest.fail(f"no BigQuery emulator venv at {EMULATOR_VENV}: create it with `{INSTALL_COMMAND}`", pytrace=False)
    rest_port, grpc_port = _free_port(), _free_port()
    workdir = tmp_path_factory.mktemp("bqemulator")
    log = workdir / "emulator.log"
    command = [
        str(python),
        str(LAUNCHER),
        "--rest-port",
        str(rest_port),
        "--grpc-port",
        str(grpc_port),
        "--ephemeral",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=workdir)
    url = f"http://127.0.0.1:{rest_port}"
    try:
        _wait_until_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def bigquery_fault_proxy(bigquery_emulator: str) -> Iterator[FaultProxy]:
    """A proxy in front of the emulator answering as BigQuery does (409 for a repeated job id, aborts for
    concurrent transactions on one table) and injecting the faults a test asks for (`fail`)."""
    from emulator.fault_proxy import serving

    with serving(bigquery_emulator) as proxy:
        yield proxy


@pytest.fixture
def make_bigquery_warehouse(bigquery_emulator: str) -> Iterator[Callable[..., BigQueryWarehouse]]:
    """Warehouses on the emulator; each call without `project` gets a fresh, empty project, reached through
    `endpoint` if given (a fault proxy). Other keyword arguments override `BigQuerySettings` fields."""
    from warehouse.bigquery import BigQuerySettings, BigQueryWarehouse

    opened: list[BigQueryWarehouse] = []

    def make(
        project: str | None = None, datasets: Datasets | None = None, endpoint: str | None = None, **settings: Any
    ) -> BigQueryWarehouse:
        warehouse = BigQueryWarehouse(
            project or f"pcf-test-{uuid.uuid4().hex[:10]}",
            datasets or Datasets(),
            emulator_host=endpoint or bigquery_emulator,
            settings=replace(BigQuerySettings.for_emulator(), **settings),
        )
        opened.append(warehouse)
        return warehouse

    yield make
    for warehouse in opened:
        warehouse.close()


@pytest.fixture
def bigquery_warehouse(make_bigquery_warehouse: Callable[..., BigQueryWarehouse]) -> BigQueryWarehouse:
    """A fresh project on the emulator with every contract table created."""
    warehouse = make_bigquery_warehouse()
    warehouse.create_tables()
    return warehouse


@pytest.fixture
def bigquery_url(bigquery_emulator: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """`--warehouse` URL of a fresh emulator project, reached the way users reach it:
    BIGQUERY_EMULATOR_HOST in the environment."""
    monkeypatch.setenv("BIGQUERY_EMULATOR_HOST", bigquery_emulator)
    return f"bigquery://pcf-test-{uuid.uuid4().hex[:10]}"


class NotRecording:
    """What `bigquery_statements` is in a test that sends nothing to BigQuery: it records nothing and rejects
    nothing, without loading the analyzer."""

    statements: tuple = ()

    def expect_rejection(self, fragment: str) -> None:
        """Nothing is checked here, so nothing needs excusing."""


@pytest.fixture(autouse=True)
def bigquery_statements(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StatementRecorder | NotRecording]:
    """In every emulator test: every statement sent to BigQuery, analysed afterwards by ZetaSQL
    (see tests/googlesql) with BigQuery's dialect; the test fails on any statement it rejects. A test
    that sends invalid SQL on purpose says so: `bigquery_statements.expect_rejection(fragment)`."""
    if request.node.get_closest_marker("bigquery_emulator") is None:
        yield NotRecording()
        return
    from googlesql import recording

    with recording(monkeypatch) as recorder:
        yield recorder
    verdict = recorder.verdict()
    request.node.user_properties.append((GOOGLESQL_PROPERTY, verdict.analysed))
    if verdict.rejections:
        pytest.fail(
            f"{len(verdict.rejections)} statement(s) BigQuery would reject; {verdict.summary()}\n\n"
            + "\n\n".join(verdict.rejections),
            pytrace=False,
        )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect how many BigQuery statements ZetaSQL analysed (reports reach here from xdist workers too)."""
    if report.when == "teardown":
        _googlesql_counts.extend(value for name, value in report.user_properties if name == GOOGLESQL_PROPERTY)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _googlesql_counts:
        senders = sum(1 for count in _googlesql_counts if count)
        terminalreporter.write_line(
            f"ZetaSQL (BigQuery's analyzer) checked {sum(_googlesql_counts)} BigQuery statements sent in {senders} "
            "emulator tests"
        )
