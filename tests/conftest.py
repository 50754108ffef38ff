"""Shared fixtures: the demo league is generated once per test session and copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from backfill.cli import cli
from warehouse import Datasets, Warehouse, connect

TODAY = "2026-11-26"  # pinned so date validation never depends on the day the suite runs
GOOGLESQL_PROPERTY = "googlesql_statements_analysed"  # set by tests/warehouse/conftest.py
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
def open_db() -> Iterator[Callable[[Path], Warehouse]]:
    opened: list[Warehouse] = []

    def _open(path: Path) -> Warehouse:
        wh = connect(f"duckdb:///{path}", Datasets())
        opened.append(wh)
        return wh

    yield _open
    for wh in opened:
        wh.close()


def invoke(db: Path, *args: str) -> Result:
    """Run the CLI in-process against a DuckDB file, with logs as JSON and today pinned."""
    return CliRunner().invoke(
        cli, ["--warehouse", f"duckdb:///{db}", "--log-format", "json", "--today", TODAY, *args],
        catch_exceptions=False,
    )  # fmt: skip


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    return invoke


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
