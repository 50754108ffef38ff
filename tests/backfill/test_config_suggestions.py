"""A config file's unknown key is answered with the keys a file may set: never with one it refuses (SPEC §7)."""

from __future__ import annotations


def test_an_unknown_key_is_answered_with_the_keys_a_file_may_set(run_cli, demo_db):
    (demo_db.parent / "pyproject.toml").write_text("[tool.pcf-backfill]\nexecut = true\n")
    result = run_cli(demo_db, "cleanup")
    assert result.exit_code == 2, result.output
    line = next(line for line in result.output.splitlines() if "unknown option execut " in line)
    suggested = set(line.split("expected one of ", 1)[1].split(", "))
    assert "min-coverage" in suggested and not {"execute", "no-backup", "force", "reason", "dates", "as-of"} & suggested
