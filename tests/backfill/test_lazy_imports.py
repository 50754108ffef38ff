"""Commands that compute no factors import none of the machinery they do not use: inspection stays fast.

Each command runs in a fresh interpreter; the modules it loaded are read from `sys.modules` afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
from backfill.cli import main
out, sys.argv = sys.argv[1], ["pcf-backfill", *sys.argv[2:]]
try:
    main()
except SystemExit:
    pass
with open(out, "w") as sink:
    json.dump(sorted(sys.modules), sink)
"""
BIGQUERY_CLIENT = "google.cloud.bigquery"
PROCESSING = ("backfill.pipeline.runner", "backfill.pipeline.compute", "processors.factors", "processors.synthetic")
REPORT = "backfill.cli.report"
FRAMES = ("pandas", "numpy", "pyarrow")  # what a command that shows no frame never needs (~0.4 s to import)
RANGE = ("--start-date", "2022-11-01", "--end-date", "2022-11-30")


def report_modules(modules: set[str]) -> set[str]:
    """The report package and its modules (data, html, chart…): only `report` loads them."""
    return {name for name in modules if name == REPORT or name.startswith(REPORT + ".")}


def loaded_modules(tmp_path: Path, *args: str) -> set[str]:
    listing = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(listing), *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(listing.read_text()))


@pytest.mark.parametrize(
    ("command", "loads_report", "loads_frames"),
    [
        (("status", *RANGE), False, False),
        (("status", *RANGE, "--output", "json"), False, False),
        (("validate", *RANGE), False, False),
        (("report", *RANGE, "--html", "{tmp}/r.html"), True, True),
        (("freshness",), False, True),
    ],
    ids=["status", "status-json", "validate", "report", "freshness"],
)
def test_inspection_commands_import_neither_bigquery_nor_the_processing_stack(
    demo_db, tmp_path, command, loads_report, loads_frames
):
    args = [word.replace("{tmp}", str(tmp_path)) for word in command]
    modules = loaded_modules(tmp_path, "--warehouse", f"duckdb:///{demo_db}", *args)
    assert "duckdb" in modules, "the probe ran the command"
    assert not modules & {BIGQUERY_CLIENT, *PROCESSING}
    assert bool(report_modules(modules) & modules) is loads_report
    assert bool(modules & set(FRAMES)) is loads_frames  # status and validate read plain rows


def test_help_imports_no_warehouse_driver_nor_the_processing_stack(tmp_path):
    modules = loaded_modules(tmp_path, "--help")
    assert "click" in modules
    assert not modules & {BIGQUERY_CLIENT, "duckdb", *PROCESSING, *report_modules(modules)}


def test_importing_the_command_line_loads_no_frame_library_nor_a_warehouse_driver():
    done = subprocess.run(
        [sys.executable, "-c", "import backfill.cli.root, sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    modules = set(done.stdout.split())
    assert "backfill.cli.inspect" in modules and "click" in modules, "the probe imported every command"
    assert not modules & {*FRAMES, BIGQUERY_CLIENT, "duckdb"}


@pytest.mark.parametrize(
    "args",
    [("--help",), ("run", "--help"), ("status", "--start-date", "2022-11-01")],
    ids=["help", "run-help", "bad-input"],
)
def test_help_and_bad_input_load_no_frame_library(tmp_path, args):
    modules = loaded_modules(tmp_path, *args)
    assert "backfill.cli.inspect" in modules, "the probe ran the command line"
    assert not modules & set(FRAMES)


def test_importing_the_run_api_loads_no_frame_library_until_a_run_starts():
    """An orchestrator parses the file that imports `backfill.run` often (Airflow: every DAG-folder scan); the frame
    libraries and the processing stack load when a run starts, not then."""
    probe = (
        "import sys\nfrom backfill.api import catch_up, run, run_with_settings\nprint(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    modules = set(done.stdout.split())
    assert "backfill.api.runs" in modules, "the probe imported the run API"
    assert not modules & {*FRAMES, BIGQUERY_CLIENT, "duckdb", *PROCESSING, "validation.audits"}


def test_the_api_module_is_an_attribute_of_the_package_from_a_bare_import():
    probe = "import backfill; print(backfill.api.init.__name__, backfill.api.leases.__name__, 'api' in dir(backfill))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["init", "leases", "True"]
