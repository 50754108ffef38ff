"""Options from a TOML file (SPEC §6.9): command line > environment > file > defaults, and `config` says which."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from click.testing import CliRunner
from support import TODAY, lose_zone_split, said

from backfill.cli import cli
from warehouse import Datasets, InvalidSetting, connect

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
    result = CliRunner(env=env).invoke(
        cli, ["--warehouse", f"duckdb:///{db}", "--today", TODAY, *args, "--output", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return {entry["setting"]: entry for entry in json.loads(result.stdout)["settings"]}


def test_a_pyproject_beside_the_warehouse_raises_a_threshold_and_config_says_where_it_came_from(
    run_cli, demo_db, open_db
):
    assert run_cli(demo_db, "run", "--start-date", "2022-11-01", "--end-date", "2022-11-21").exit_code == 0
    lose_zone_split(demo_db, ZEROED)
    assert run_cli(demo_db, "run", "--dates", ZEROED).exit_code == 3  # the drift audit blocks it
    (demo_db.parent / "pyproject.toml").write_text(PYPROJECT)

    shown = settings(run_cli, demo_db, "config", "run")
    pyproject = str((demo_db.parent / "pyproject.toml").resolve())
    assert shown["audit shot_zone_zero_share (block)"] == {
        "setting": "audit shot_zone_zero_share (block)",
        "value": 1.0,
        "source": f"config file {pyproject}",
    }
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
    assert (shown["--min-coverage"]["value"], shown["--min-coverage"]["source"]) == (
        0.8,
        "environment PCF_MIN_COVERAGE",
    )
    assert (shown["--chunk-days"]["value"], shown["--chunk-days"]["source"]) == (7, "command line")
    shown = settings(run_cli, demo_db, "config", "run", "--audit-threshold", "shot_zone_zero_share=0.5")
    assert shown["audit shot_zone_zero_share (block)"]["value"] == 0.5
    assert shown["audit shot_zone_zero_share (block)"]["source"] == "command line"


def test_an_explicit_config_file_may_hold_options_at_its_top_level_and_per_command(run_cli, demo_db, tmp_path):
    path = tmp_path / "ops.toml"
    path.write_text("baseline-dates = 21\n[catch-up]\nlookback-days = 7\n")
    shown = settings(run_cli, demo_db, "--config", str(path), "config", "catch-up")
    assert shown["--lookback-days"] == {"setting": "--lookback-days", "value": 7, "source": f"config file {path}"}
    assert shown["--baseline-dates"]["value"] == 21


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("min-coverge = 0.8\n", "unknown option min-coverge"),
        ("min-coverage = \n", "is not valid TOML"),
        ("[tool.pcf-backfill.audit-thresholds]\nshot_zone = 0.5\n", "unknown audit shot_zone"),
    ],
    ids=["unknown-key", "bad-toml", "unknown-audit"],
)
def test_a_bad_config_file_is_one_line_exit_2(run_cli, demo_db, text, words):
    (demo_db.parent / "pyproject.toml").write_text("[tool.pcf-backfill]\n" + text if "[tool" not in text else text)
    result = run_cli(demo_db, "run", "--dates", ZEROED)
    assert result.exit_code == 2
    assert words in result.output and len(said(result.output)) == 1


REFUSED = {  # every key that arms or targets an action, with the command whose dry default it would change
    "execute": ("cleanup", "true"),
    "no-backup": ("cleanup", "true"),
    "force": ("run", "true"),
    "reason": ("run", '"because the file said so"'),
    "allow-regression": ("run", "true"),
    "start-date": ("run", '"2022-11-01"'),
    "end-date": ("run", '"2022-11-07"'),
    "dates": ("run", '"2022-11-01"'),
    "as-of": ("catch-up", '"2022-11-08"'),
}


@pytest.mark.parametrize("in_command_table", [False, True], ids=["top-level", "command-table"])
@pytest.mark.parametrize("key", REFUSED)
def test_a_config_file_cannot_arm_or_target_an_action(run_cli, demo_db, key, in_command_table):
    command, value = REFUSED[key]
    table = f"[tool.pcf-backfill.{command}]" if in_command_table else "[tool.pcf-backfill]"
    config = demo_db.parent / "pyproject.toml"
    config.write_text(f"{table}\n{key} = {value}\n")
    before = demo_db.read_bytes()
    result = run_cli(demo_db, "cleanup", "--mode", "partial")  # the README's dry run: any key refuses it
    assert result.exit_code == 2, result.output
    assert f"{config}: {key}" in result.output and "config file may not set it" in result.output
    assert demo_db.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("min-coverage = true", "min-coverage"),
        ("chunk-days = 7.5", "chunk-days"),
        ("baseline-dates = false", "baseline-dates"),
        ("source = 1", "source"),
        ("dry-run = 1", "dry-run"),
        ('notify = "jsons://h/p"', "notify"),
        ("[tool.pcf-backfill.audit-thresholds]\nshot_zone_zero_share = true", "audit-threshold"),
    ],
    ids=[
        "bool-for-number",
        "float-for-whole",
        "bool-for-whole",
        "number-for-choice",
        "number-for-flag",
        "text-for-list",
        "bool-threshold",
    ],
)
def test_a_value_of_the_wrong_type_is_exit_2_naming_the_key(run_cli, demo_db, text, key):
    config = demo_db.parent / "pyproject.toml"
    config.write_text(text if text.startswith("[") else f"[tool.pcf-backfill]\n{text}\n")
    result = run_cli(demo_db, "status", "--start-date", "2022-11-01", "--end-date", "2022-11-07")
    assert result.exit_code == 2, result.output
    assert f"{config}: {key}" in result.output and "wrong type" in result.output


@pytest.mark.parametrize("key", ["notify-urls", "dates-text", "as-of-text", "html-path", "metrics_file"])
def test_keys_are_the_long_option_names_not_the_internal_ones(run_cli, demo_db, key):
    (demo_db.parent / "pyproject.toml").write_text(f'[tool.pcf-backfill]\n{key} = "x"\n')
    result = run_cli(demo_db, "status", "--start-date", "2022-11-01", "--end-date", "2022-11-07")
    assert result.exit_code == 2 and f"unknown option {key}" in result.output, result.output


def test_long_names_set_their_options(run_cli, demo_db):
    (demo_db.parent / "pyproject.toml").write_text(
        '[tool.pcf-backfill]\nnotify-on = "always"\n[tool.pcf-backfill.report]\nhtml = "season.html"\n'
    )
    assert settings(run_cli, demo_db, "config", "report")["--html"]["value"] == "season.html"
    assert settings(run_cli, demo_db, "config", "run")["--notify-on"]["value"] == "always"


SECRET_URLS = [
    "jsons://ops:hunter2@hooks.example.com/services/T0KEN/x?key=K3Y",
    "slack://TOKA/TOKB/TOKC",
    "mailtos://alerts:p4ss@example.com",
]


@pytest.mark.parametrize("output", ["text", "json"])
def test_config_never_prints_a_secret_of_a_notification_url(demo_db, output):
    (demo_db.parent / "pyproject.toml").write_text(f"[tool.pcf-backfill]\nnotify = {json.dumps(SECRET_URLS[:2])}\n")
    result = CliRunner(env={"PCF_NOTIFY": SECRET_URLS[2]}).invoke(
        cli,
        ["--warehouse", f"duckdb:///{demo_db}", "config", "catch-up", "--notify", SECRET_URLS[1], "--output", output],
    )
    assert result.exit_code == 0, result.output
    for secret in ("hunter2", "ops:", "T0KEN", "K3Y", "TOKA", "TOKB", "TOKC", "p4ss", "alerts"):
        assert secret not in result.stdout
    assert "slack://<secret>" in result.stdout


UPCG_ONLY = '[tool.pcf-backfill.run]\nsource = "upcg"\n'
PRE_UPCG = "2022-11-22"  # the demo's UPCG starts in January: upcg alone blocks this date, box scores publish it
COMPARED = ("status", "context_source", "expected_players", "published_players")


def test_the_api_settles_options_from_the_same_config_file_as_the_cli(run_cli, demo_file, tmp_path):
    """Moving from cron to an orchestrator keeps the gate: a date the CLI blocks the API blocks too."""
    import shutil

    import backfill

    verdicts = {}
    for front in ("cli", "api"):
        db = tmp_path / front / "pcf.duckdb"
        db.parent.mkdir()
        shutil.copy(demo_file, db)
        (db.parent / "pyproject.toml").write_text(UPCG_ONLY)
        if front == "cli":
            result = run_cli(db, "run", "--dates", PRE_UPCG, "--output", "json")
            verdicts[front] = {key: json.loads(result.stdout)["dates"][0][key] for key in COMPARED}
        else:
            outcome = backfill.run(f"duckdb:///{db}", dates=[PRE_UPCG], today=date.fromisoformat(TODAY))
            verdicts[front] = {key: getattr(outcome.verdicts[0], key) for key in COMPARED}
    assert verdicts["api"] == verdicts["cli"]
    assert verdicts["api"]["status"] == "blocked"


@pytest.mark.parametrize(
    ("env", "argument", "expected"),
    [
        ({}, None, "upcg"),
        ({"PCF_SOURCE": "pgs"}, None, "pgs"),
        ({"PCF_SOURCE": "pgs"}, "fill", "fill"),
    ],
    ids=["config-file", "environment-beats-file", "argument-beats-environment"],
)
def test_api_options_are_settled_argument_then_environment_then_file(demo_db, env, argument, expected):
    from backfill.api.defaults import settled

    (demo_db.parent / "pyproject.toml").write_text(UPCG_ONLY + "chunk-days = 7\n")
    options = settled("run", f"duckdb:///{demo_db}", {"source": argument, "min_coverage": None}, environ=env)
    assert options == {"source": expected, "chunk_days": 7}


def test_the_api_refuses_what_the_cli_refuses_in_a_config_file(demo_db):
    import backfill
    from warehouse import BadInput

    (demo_db.parent / "pyproject.toml").write_text("[tool.pcf-backfill.run]\nmin-coverage = true\n")
    with pytest.raises(BadInput, match="min-coverage = true is the wrong type"):
        backfill.run(f"duckdb:///{demo_db}", dates=[PRE_UPCG], today=date.fromisoformat(TODAY))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, {}),
        (
            {"PCF_LEASE_TTL_SECONDS": "60", "PCF_MAXIMUM_BYTES_BILLED": "1000000000"},
            {"lease_ttl": 60, "maximum_bytes_billed": 1_000_000_000},
        ),
        ({"PCF_LEASE_TTL_SECONDS": "4"}, "PCF_LEASE_TTL_SECONDS: 4 seconds; expected a whole number, at least 5"),
        ({"PCF_LEASE_TTL_SECONDS": "soon"}, "PCF_LEASE_TTL_SECONDS: 'soon' is not a whole number"),
        ({"PCF_MAXIMUM_BYTES_BILLED": "0"}, "PCF_MAXIMUM_BYTES_BILLED: 0; expected a whole number of bytes"),
    ],
)
def test_bigquery_settings_from_the_environment_are_checked_naming_the_variable(environ, expected) -> None:
    from backfill.settings import bigquery_tuning
    from warehouse import InvalidSetting

    if isinstance(expected, dict):
        assert bigquery_tuning(environ) == expected
    else:
        with pytest.raises(InvalidSetting) as refused:
            bigquery_tuning(environ)
        assert str(refused.value) == expected


@pytest.mark.slow
def test_zones_come_from_the_command_line_the_environment_or_the_file_for_the_cli_and_the_api_alike(run_cli, demo_db):
    """A date whose PSZA rows are missing: built from the box scores under `auto`, blocked under `tables`."""
    import backfill

    day = "2023-03-01"
    wh = connect(f"duckdb:///{demo_db}", Datasets())
    wh.execute("DELETE FROM {psza} WHERE analysis_date = @d", {"d": date.fromisoformat(day)})
    wh.close()
    (demo_db.parent / "pyproject.toml").write_text('[tool.pcf-backfill]\nzones = "tables"\n')
    shown = settings(run_cli, demo_db, "config", "run")
    assert shown["--zones"]["value"] == "tables" and shown["--zones"]["source"].startswith("config file ")

    blocked = run_cli(demo_db, "run", "--dates", day)
    assert blocked.exit_code == 3 and "upstream_missing psza" in blocked.stdout
    assert "--zones tables" in blocked.stdout  # the resume hint keeps the option that decided the verdict
    assert run_cli(demo_db, "run", "--dates", day, "--dry-run", env={"PCF_ZONES": "auto"}).exit_code == 0
    assert run_cli(demo_db, "run", "--dates", day, "--dry-run", "--zones", "auto").exit_code == 0

    today = date.fromisoformat(TODAY)
    url = f"duckdb:///{demo_db}"
    blocked = backfill.run(url, dates=[day], dry_run=True, today=today).verdicts[0]
    assert blocked.blocked_by == "upstream_missing" and blocked.reason == "upstream_missing psza"  # names the table
    built = backfill.run(url, dates=[day], dry_run=True, today=today, zones="auto").verdicts[0]
    assert built.status == "published" and built.zone_rows_built == built.expected_players
    with pytest.raises(InvalidSetting) as refused:
        backfill.run(url, dates=[day], dry_run=True, today=today, zones="box")
    assert refused.value.field == "zones" and refused.value.values["value"] == "box"
