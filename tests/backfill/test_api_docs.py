"""The example of docs/python-api.md runs against the demo, and the orchestrator examples of
docs/orchestrators.md run: Airflow's against the API with stand-ins for Airflow (not installed here), Dagster's
for real (the `dagster` extra)."""

from __future__ import annotations

import re
import sys
import types
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import backfill

ROOT = Path(__file__).resolve().parents[2]
API_GUIDE, GUIDE = ROOT / "docs" / "python-api.md", ROOT / "docs" / "orchestrators.md"
TODAY = date(2026, 11, 26)


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


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


@pytest.fixture
def airflow(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_module(monkeypatch, "airflow")
    stub_module(monkeypatch, "airflow.sdk", dag=declare_dag, task=identity_decorator)
    stub_module(
        monkeypatch,
        "airflow.sdk.exceptions",
        AirflowSkipException=AirflowSkipException,
        AirflowFailException=AirflowFailException,
    )


def test_the_python_api_example_runs_against_the_demo(demo_db, monkeypatch, capsys):
    monkeypatch.chdir(demo_db.parent)  # the example names duckdb:///pcf.duckdb, relative to the working directory
    [example] = python_blocks(API_GUIDE)

    execute(example, "python-api.md")

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
    with pytest.raises(AirflowFailException, match="InvalidSetting"):  # no retry can make a missing file appear
        guide["catch_up_pcf"](f"duckdb:///{demo_db.parent / 'missing.duckdb'}", as_of="2023-02-27")


def test_the_dagster_example_is_a_code_location_with_the_asset_its_checks_and_the_schedule():
    [_airflow, example] = python_blocks(GUIDE)
    defs = execute(example, "orchestrators.md (Dagster)")["defs"]

    asset = defs.resolve_assets_def("player_composite_factors")
    assert {key.name for key in asset.check_keys} == {"pcf_reconciles", "pcf_is_fresh"}
    assert asset.partitions_def.get_first_partition_key() == "2021-10-19"
    assert defs.resolve_schedule_def("pcf_catch_up").execution_timezone == "America/New_York"
