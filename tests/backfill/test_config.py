"""Options from a TOML file (SPEC §6.9): command line > environment > file > defaults, and `config` says which."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from click.testing import CliRunner
from support import TODAY

from backfill.cli import cli

ZEROED = "2022-11-22"
PYPROJECT = """
[project]
name = "league-ops"

[tool.pcf-backfill]
min-coverage = 0.85

[tool.pcf-backfill.audit-thresholds]
shot_zone_zero_share = 1.0
"""


def settings(run_cli, db, *args, env=None) -> dict[str, dict]:
    result = CliRunner(env=env).invoke(cli, ["--warehouse", f"duckdb:///{db}", "--today", TODAY, *args,
                                             "--output", "json"], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    return {entry["setting"]: entry for entry in json.loads(result.stdout)["settings"]}


def test_a_pyproject_beside_the_warehouse_raises_a_threshold_and_config_says_where_it_came_from(
    run_cli, demo_db, open_db
):
    assert run_cli(demo_db, "run", "--start-date", "2022-11-01", "--end-date", "2022-11-21").exit_code == 0
    wh = open_db(demo_db)
    wh.execute("UPDATE {tdza} SET paint_defense_vs_league_avg = 0, mid_range_defense_vs_league_avg = 0, "
               "three_pt_defense_vs_league_avg = 0 WHERE analysis_date = @d", {"d": date.fromisoformat(ZEROED)})
    wh.close()
    assert run_cli(demo_db, "run", "--dates", ZEROED).exit_code == 3  # the drift audit blocks it
    (demo_db.parent / "pyproject.toml").write_text(PYPROJECT)

    shown = settings(run_cli, demo_db, "config", "run")
    pyproject = str((demo_db.parent / "pyproject.toml").resolve())
    assert shown["audit shot_zone_zero_share (block)"] == {
        "setting": "audit shot_zone_zero_share (block)", "value": 1.0, "source": f"config file {pyproject}"}
    assert shown["audit pace_zero_share (block)"]["source"] == "default"
    assert shown["--min-coverage"]["value"] == 0.85 and shown["--chunk-days"]["source"] == "default"

    result = run_cli(demo_db, "run", "--dates", ZEROED)
    assert result.exit_code == 0, result.output
    text = run_cli(demo_db, "config").stdout
    assert f"Config file: {pyproject}" in text
    assert re.search(r"audit shot_zone_zero_share \(block\) +1\.0 +config file ", text)


def test_the_command_line_beats_the_environment_which_beats_the_file(run_cli, demo_db):
    (demo_db.parent / "pyproject.toml").write_text(PYPROJECT)
    env = {"PCF_MIN_COVERAGE": "0.8", "PCF_CHUNK_DAYS": "30"}
    shown = settings(run_cli, demo_db, "config", "run", "--chunk-days", "7", env=env)
    assert (shown["--min-coverage"]["value"], shown["--min-coverage"]["source"]) == (0.8,
                                                                                     "environment PCF_MIN_COVERAGE")
    assert (shown["--chunk-days"]["value"], shown["--chunk-days"]["source"]) == (7, "command line")
    shown = settings(run_cli, demo_db, "config", "run", "--audit-threshold", "shot_zone_zero_share=0.5")
    assert shown["audit shot_zone_zero_share (block)"]["value"] == 0.5
    assert shown["audit shot_zone_zero_share (block)"]["source"] == "command line"


def test_an_explicit_config_file_may_hold_options_at_its_top_level_and_per_command(run_cli, demo_db, tmp_path):
    path = tmp_path / "ops.toml"
    path.write_text('baseline-dates = 21\n[catch-up]\nlookback-days = 7\n')
    shown = settings(run_cli, demo_db, "--config", str(path), "config", "catch-up")
    assert shown["--lookback-days"] == {"setting": "--lookback-days", "value": 7, "source": f"config file {path}"}
    assert shown["--baseline-dates"]["value"] == 21


@pytest.mark.parametrize(
    ("text", "words"),
    [("min-coverge = 0.8\n", "unknown option min-coverge"), ("min-coverage = \n", "is not valid TOML"),
     ("[tool.pcf-backfill.audit-thresholds]\nshot_zone = 0.5\n", "unknown audit shot_zone")],
    ids=["unknown-key", "bad-toml", "unknown-audit"],
)
def test_a_bad_config_file_is_one_line_exit_2(run_cli, demo_db, text, words):
    (demo_db.parent / "pyproject.toml").write_text("[tool.pcf-backfill]\n" + text if "[tool" not in text else text)
    result = run_cli(demo_db, "run", "--dates", ZEROED)
    assert result.exit_code == 2
    assert words in result.output and len(result.output.strip().splitlines()) == 1
