"""The README's "From Python" example runs against the demo, and the orchestrator examples of
docs/orchestrators.md run against the API with stand-ins for Airflow and Dagster (not installed here)."""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import backfill

ROOT = Path(__file__).resolve().parents[2]
README, GUIDE = ROOT / "README.md", ROOT / "docs" / "orchestrators.md"
TODAY = date(2026, 11, 26)


def python_blocks(path: Path, section: str | None = None) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if section is not None:
        text = text.split(f"\n{section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def execute(source: str, name: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(source, name, "exec"), namespace)  # noqa: S102 - the documented example, run as written
    return namespace


def identity_decorator(*args: Any, **_options: Any) -> Any:
    """`@task`, `@task(retries=2)`, `@dag(schedule=…)`, `@dg.asset(…)`: the function, unchanged."""
    if len(args) == 1 and callable(args[0]):
        return args[0]
    return lambda function: function


def declare_dag(**options: Any) -> Any:
    """`@dag(…)`: calling the decorated function declares the DAG; its tasks run later, one by one."""
    return lambda function: lambda: None


def stub_module(monkeypatch: pytest.MonkeyPatch, name: str, **members: Any) -> None:
    module = types.ModuleType(name)
    module.__dict__.update(members)
    monkeypatch.setitem(sys.modules, name, module)


class AirflowSkipException(Exception):  # noqa: N818 - Airflow's names
    pass


class AirflowFailException(Exception):  # noqa: N818
    pass


@dataclass
class MaterializeResult:
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class AssetCheckResult:
    passed: bool
    severity: str = "ERROR"
    metadata: dict[str, Any] = field(default_factory=dict)


class Failure(Exception):  # noqa: N818
    def __init__(self, description: str, metadata: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.metadata = metadata


@pytest.fixture
def airflow(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_module(monkeypatch, "airflow")
    stub_module(monkeypatch, "airflow.sdk", dag=declare_dag, task=identity_decorator)
    stub_module(monkeypatch, "airflow.exceptions", AirflowSkipException=AirflowSkipException,
                AirflowFailException=AirflowFailException)  # fmt: skip


@pytest.fixture
def dagster(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_module(monkeypatch, "dagster", asset=identity_decorator, asset_check=identity_decorator,
                MaterializeResult=MaterializeResult, AssetCheckResult=AssetCheckResult, Failure=Failure,
                AssetCheckSeverity=types.SimpleNamespace(WARN="WARN", ERROR="ERROR"),
                Definitions=lambda **parts: parts)  # fmt: skip


def test_the_readme_example_runs_against_the_demo(demo_db, monkeypatch, capsys):
    monkeypatch.chdir(demo_db.parent)  # the example names duckdb:///pcf.duckdb, relative to the working directory
    [example] = python_blocks(README, "## From Python")

    execute(example, "README.md")

    printed = capsys.readouterr().out
    assert "2023-02-23 published pgs_synthetic" in printed and "2023-02-24 published pgs_synthetic" in printed
    assert "3 [datetime.date(2023, 2, 23), datetime.date(2023, 2, 24)]" in printed
    assert "warn_coverage: 0.95 is below min_coverage 0.97; expected min ≤ warn ≤ 1" in printed
    assert re.search(r"cancel 130 pcf-backfill --warehouse duckdb:///\S*pcf\.duckdb run", printed)


def test_the_airflow_task_maps_exit_codes_to_success_skip_and_failure(airflow, demo_db):
    [example, _dagster] = python_blocks(GUIDE)
    guide = execute(example, "orchestrators.md (Airflow)")
    url = f"duckdb:///{demo_db}"

    summary = guide["catch_up_pcf"](url, as_of="2023-02-27")

    assert summary["exit_code"] == 0 and summary["published"] > 0 and summary["blocked"] == summary["failed"] == 0
    blocked = backfill.run(url, "2023-02-23", "2023-02-24", source="upcg", rerun="all", today=TODAY)
    with pytest.raises(AirflowSkipException, match="blocked"):
        guide["outcome"](blocked)


def test_the_dagster_asset_and_checks_call_the_api(dagster, demo_db):
    [_airflow, example] = python_blocks(GUIDE)
    guide = execute(example, "orchestrators.md (Dagster)")
    guide["WAREHOUSE"] = f"duckdb:///{demo_db}"

    materialized = guide["player_composite_factors"]()
    reconciled = guide["pcf_reconciles"]()
    fresh = guide["pcf_is_fresh"]()

    assert isinstance(materialized, MaterializeResult) and materialized.metadata["run_id"]
    assert isinstance(reconciled, AssetCheckResult) and isinstance(reconciled.metadata["repairs"], list)
    assert fresh.passed is False and fresh.severity == "WARN"  # the demo's season was never backfilled
    assert "run --" in fresh.metadata["fix"]
    assert set(guide["defs"]["asset_checks"]) == {guide["pcf_reconciles"], guide["pcf_is_fresh"]}
