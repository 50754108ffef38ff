"""No output option destroys data (SPEC §7): every file the tool writes is new, empty, or its own output of that
kind; anything else is exit 2 naming the file, before any work, with the file and the warehouse untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

WEEK = ("--start-date", "2022-11-01", "--end-date", "2022-11-07")
OUTPUTS = {  # every option that names a file the tool writes, on every command that has it
    "run --metrics-file": ("run", *WEEK, "--metrics-file"),
    "catch-up --metrics-file": ("catch-up", "--metrics-file"),
    "validate --metrics-file": ("validate", *WEEK, "--metrics-file"),
    "freshness --metrics-file": ("freshness", "--metrics-file"),
    "report --html": ("report", *WEEK, "--html"),
}
CONFIG = "[project]\nname = 'league-ops'\n\n[tool.pcf-backfill]\nmin-coverage = 0.85\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def target_path(kind: str, demo_db: Path) -> Path:
    """The path an operator mistyped: the warehouse, the config file beside it, a stranger's file, a folder."""
    if kind == "warehouse":
        return demo_db
    if kind == "directory":
        folder = demo_db.parent / "exports"
        folder.mkdir()
        (folder / "keep.txt").write_text("keep me")
        return folder
    path = demo_db.parent / ("pyproject.toml" if kind == "config file" else "notes.txt")
    path.write_text(CONFIG if kind == "config file" else "# HELP is not enough\nthe operator's notes\n")
    return path


@pytest.mark.parametrize("target", ["warehouse", "config file", "foreign file", "directory"])
@pytest.mark.parametrize("output", OUTPUTS, ids=lambda name: name.replace(" ", ""))
def test_an_output_option_never_replaces_a_file_that_is_not_its_own(run_cli, demo_db, output, target):
    path = target_path(target, demo_db)
    watched = [demo_db, *(path.iterdir() if path.is_dir() else [path])]
    before = {file: digest(file) for file in watched}
    result = run_cli(demo_db, *OUTPUTS[output], str(path))
    assert result.exit_code == 2, result.output
    assert f"{output.split()[1]}: {path}" in result.output
    assert {file: digest(file) for file in watched} == before
    assert sorted(p.name for p in demo_db.parent.iterdir() if p.name.startswith(".")) == [], "no temporary file"


@pytest.mark.parametrize("output", ["run --metrics-file", "report --html"])
def test_an_output_replaces_its_own_earlier_file_and_an_empty_one(run_cli, demo_db, output):
    path = demo_db.parent / "out"
    path.touch()
    for _ in range(2):  # the empty file, then the tool's own
        result = run_cli(demo_db, *OUTPUTS[output], str(path))
        assert result.exit_code == 0, result.output
        assert path.stat().st_size > 0
    assert path.read_text().startswith("# HELP pcf_backfill_" if "metrics" in output else "<!DOCTYPE html>")


def test_an_output_in_a_missing_folder_is_bad_input(run_cli, demo_db):
    result = run_cli(demo_db, *OUTPUTS["freshness --metrics-file"], str(demo_db.parent / "nowhere" / "pcf.prom"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_stranger_file_where_the_writers_lock_goes_is_never_truncated(run_cli, demo_db):
    lock = Path(f"{demo_db}.lock")
    lock.write_text("the operator's notes\n")
    before = digest(demo_db)
    result = run_cli(demo_db, "run", *WEEK)
    assert result.exit_code == 2 and f"--warehouse: {lock}" in result.output, result.output
    assert lock.read_text() == "the operator's notes\n" and digest(demo_db) == before
    lock.unlink()
    assert run_cli(demo_db, "run", *WEEK).exit_code == 0  # and the lock it writes itself is its own again
    lock.write_text('{"pid": 1, "host": "gone", "command": "pcf-backfill run", "started": "2023-01-01"}')
    assert run_cli(demo_db, "run", *WEEK, "--rerun", "all").exit_code == 0
