"""Every printed command ("To resume", "To inspect", "To repair"), pasted in another folder, acts on the same
warehouse and datasets with the options that shaped the verdict, over the narrowest set of dates."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import INCIDENT_WEEK, lose_zone_split

from backfill.cli import cli
from warehouse import Datasets, connect

DATASETS = "analytics=an_custom,orchestration=orch_custom,precompute=pre_custom"
TODAY = ["--today", "2026-11-26"]


def hint(output: str, label: str) -> list[str]:
    found = re.search(rf"^{label}: (pcf-backfill .+)$", output, re.MULTILINE)
    assert found, output
    return shlex.split(found.group(1))[1:]


def paste(words: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, [*TODAY, "--log-format", "json", *words])


@pytest.fixture(scope="module")
def custom_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo league in custom datasets, in a file named relative to its own folder."""
    folder = tmp_path_factory.mktemp("deployment")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(cli, ["--warehouse", "duckdb:///pcf.duckdb", "--datasets", DATASETS, "demo"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    other = tmp_path / "elsewhere"
    other.mkdir()
    return other


def run_there(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(folder)
    return CliRunner().invoke(
        cli, [*TODAY, "--log-format", "json", "--warehouse", "duckdb:///pcf.duckdb", "--datasets", DATASETS, *args]
    )


def published(folder: Path, day: str) -> int:
    wh = connect(f"duckdb:///{folder / 'pcf.duckdb'}", Datasets.parse(DATASETS), read_only=True)
    try:
        return int(wh.query("SELECT count(*) AS n FROM {pcf} WHERE game_date = @d", {"d": day})["n"].iat[0])
    finally:
        wh.close()


def test_resume_and_inspect_hints_act_on_the_same_warehouse_datasets_and_options(custom_folder, elsewhere, monkeypatch):
    blocked = run_there(
        custom_folder,
        monkeypatch,
        "run",
        *INCIDENT_WEEK,
        "--source",
        "upcg",
        "--chunk-days",
        "3",
        "--min-coverage",
        "0.85",
    )
    assert blocked.exit_code == 3, blocked.output
    resume, inspect = hint(blocked.stdout, "To resume"), hint(blocked.stdout, "To inspect")
    assert resume[resume.index("--warehouse") + 1] == f"duckdb:///{custom_folder / 'pcf.duckdb'}"
    assert Datasets.parse(resume[resume.index("--datasets") + 1]) == Datasets.parse(DATASETS)
    assert {"--source", "upcg", "--chunk-days", "3", "--min-coverage", "0.85"} <= set(resume)
    monkeypatch.chdir(elsewhere)
    again = paste(resume)
    assert again.exit_code == 3, again.output  # the same verdicts: same warehouse, datasets and gate
    assert "0 published" in again.stdout and "2 blocked" in again.stdout
    status = paste(inspect)
    assert status.exit_code == 0 and "2023-02-23" in status.stdout and "blocked" in status.stdout
    assert list(elsewhere.iterdir()) == [], "nothing was created where the hints were pasted"


def test_the_repair_hint_recomputes_exactly_the_dates_that_need_it(custom_folder, elsewhere, monkeypatch):
    assert run_there(custom_folder, monkeypatch, "run", *INCIDENT_WEEK).exit_code == 0
    wh = connect(f"duckdb:///{custom_folder / 'pcf.duckdb'}", Datasets.parse(DATASETS))
    wh.execute("DELETE FROM {pcf} WHERE game_date = DATE '2023-02-25' AND player_lookup < 'm'")
    wh.close()
    checked = run_there(custom_folder, monkeypatch, "validate", *INCIDENT_WEEK)
    assert checked.exit_code == 3, checked.output
    repair = hint(checked.stdout, "To repair")
    assert repair[repair.index("--dates") + 1] == "2023-02-25"
    monkeypatch.chdir(elsewhere)
    fixed = paste(repair)
    assert fixed.exit_code == 0, fixed.output
    assert "1 published" in fixed.stdout
    assert run_there(custom_folder, monkeypatch, "validate", *INCIDENT_WEEK).exit_code == 0
    assert published(custom_folder, "2023-02-25") > 0


def lose_zone_split_of(folder: Path, before: str, share_of_teams: int = 1) -> None:
    """The box scores lost their shot-zone split before `before` for every `share_of_teams`-th team (1: all)."""
    wh = connect(f"duckdb:///{folder / 'pcf.duckdb'}", Datasets.parse(DATASETS))
    teams = wh.query("SELECT DISTINCT team_abbr FROM {tgs} ORDER BY 1")["team_abbr"].tolist()
    lose_zone_split(wh, before, teams[::share_of_teams])
    wh.close()


@pytest.mark.slow
def test_resume_and_repair_hints_carry_the_audit_options_that_decided_the_verdicts(
    custom_folder, elsewhere, monkeypatch
):
    assert (
        run_there(custom_folder, monkeypatch, "run", "--start-date", "2022-11-01", "--end-date", "2022-11-21").exit_code
        == 0
    )
    lose_zone_split_of(custom_folder, "2022-11-22")  # every shot-zone score 0: blocked under any threshold below 1
    lose_zone_split_of(custom_folder, "2022-11-23", share_of_teams=4)  # 61% of them: 0.7 lets it through, 0.4 not
    days = ["--start-date", "2022-11-22", "--end-date", "2022-11-23", "--rerun", "all"]
    audit_options = ["--audit-threshold", "shot_zone_zero_share=0.7", "--baseline-dates", "7"]
    by_default = run_there(custom_folder, monkeypatch, "run", *days, "--dry-run")
    assert "0 published" in by_default.stdout and "2 blocked" in by_default.stdout, by_default.output
    first = run_there(custom_folder, monkeypatch, "run", *days, *audit_options)
    assert first.exit_code == 3 and "1 published" in first.stdout and "1 blocked" in first.stdout, first.output
    resume = hint(first.stdout, "To resume")
    assert resume[resume.index("--audit-threshold") + 1] == "shot_zone_zero_share=0.7"
    assert resume[resume.index("--baseline-dates") + 1] == "7"
    monkeypatch.chdir(elsewhere)
    again = paste(resume)  # --rerun all: both dates judged again, as the first run judged them
    assert again.exit_code == 3 and "1 published" in again.stdout and "1 blocked" in again.stdout, again.output
    checked = run_there(
        custom_folder, monkeypatch, "validate", "--start-date", "2022-11-22", "--end-date", "2022-11-23"
    )
    repair = hint(checked.stdout, "To repair")
    assert repair[repair.index("--dates") + 1] == "2022-11-22" and "shot_zone_zero_share=0.7" in repair
    monkeypatch.chdir(elsewhere)
    repaired = paste(repair)
    assert repaired.exit_code == 3 and "(threshold 0.7)" in repaired.stdout, repaired.output
    assert list(elsewhere.iterdir()) == [], "nothing was created where the hints were pasted"
