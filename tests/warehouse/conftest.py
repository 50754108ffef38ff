"""The local BigQuery emulator, started once per test session for tests marked
`bigquery_emulator`. It runs from its own venv: create it with `bash tests/emulator/install.sh`."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from googlesql import GOOGLESQL_PROPERTY, StatementRecorder, recording

from warehouse.bigquery import BigQuerySettings, BigQueryWarehouse
from warehouse.identifiers import Datasets

REPO = Path(__file__).resolve().parents[2]
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
        str(python), str(LAUNCHER), "--rest-port", str(rest_port), "--grpc-port", str(grpc_port),
        "--ephemeral", "--log-level", "warning",
    ]  # fmt: skip
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
def make_bigquery_warehouse(bigquery_emulator: str) -> Iterator[Callable[..., BigQueryWarehouse]]:
    """Warehouses on the emulator; each call without `project` gets a fresh, empty project.
    Keyword arguments override `BigQuerySettings` fields."""
    opened: list[BigQueryWarehouse] = []

    def make(project: str | None = None, datasets: Datasets | None = None, **settings: Any) -> BigQueryWarehouse:
        warehouse = BigQueryWarehouse(
            project or f"pcf-test-{uuid.uuid4().hex[:10]}", datasets or Datasets(),
            emulator_host=bigquery_emulator, settings=replace(BigQuerySettings.for_emulator(), **settings),
        )  # fmt: skip
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


@pytest.fixture(autouse=True)
def bigquery_statements(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[StatementRecorder]:
    """In every emulator test: every statement sent to BigQuery, analysed afterwards by ZetaSQL
    (see googlesql.py) with BigQuery's dialect; the test fails on any statement it rejects. A test
    that sends invalid SQL on purpose says so: `bigquery_statements.expect_rejection(fragment)`."""
    if request.node.get_closest_marker("bigquery_emulator") is None:
        yield StatementRecorder()
        return
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
