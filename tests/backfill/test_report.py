"""The HTML coverage report (issue 9): per-day states from the ledger, and one self-contained, escaped page."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from support import keep_upcg_share, said

import backfill.api
from backfill.cli import cli
from backfill.cli.report import STATES, calendar_days, render_report, report_data
from warehouse import Datasets, connect

START, END = date(2022, 10, 15), date(2023, 3, 5)
HOSTILE = "<script>alert(1)</script>"
CELL = re.compile(r'<button [^>]*class="day state-(?P<state>[a-z_]+)[^"]*" data-date="(?P<day>[0-9-]{10})"')

EXPECTED_STATES = {
    "2022-10-15": "off_day",  # before the opener
    "2022-10-20": "bootstrap",  # recorded as skipped_bootstrap
    "2022-10-21": "bootstrap",  # never run, but inside the window
    "2022-11-01": "published",  # UPCG empty this early: fallback to box scores
    "2023-02-19": "off_day",  # All-Star break
    "2023-02-23": "blocked",  # --source upcg on the incident date
    "2023-02-24": "published_warning",  # the other incident date, forced through the gate
    "2023-02-25": "published",
    "2023-03-01": "published_warning",  # 92% of UPCG left: between the gate and the warning bar
    "2023-03-02": "failed",  # the zone table vanished
    "2023-03-03": "pending",  # never run
}


def _cli(db: Path, *args: str) -> int:
    result = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{db}", "--log-format", "json", *args])
    return result.exit_code


@pytest.fixture(scope="module")
def scenario_db(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo copy whose ledger holds every state: built once, read by every test of this module."""
    db = tmp_path_factory.mktemp("report") / "pcf.duckdb"
    shutil.copy(demo_file, db)
    keep_upcg_share(db, "2023-03-01", 0.92)
    assert _cli(db, "run", "--dates", "2022-10-20,2022-11-01") == 0
    assert _cli(db, "run", "--start-date", "2023-02-20", "--end-date", "2023-03-01", "--source", "upcg") == 3
    assert _cli(db, "run", "--dates", "2023-02-24", "--source", "upcg", "--force", "--reason", HOSTILE) == 0
    wh = connect(f"duckdb:///{db}", Datasets())
    wh.execute("DROP TABLE {psza}")
    wh.close()
    assert _cli(db, "run", "--dates", "2023-03-02") == 1
    return db


@pytest.fixture(scope="module")
def days(scenario_db: Path) -> pd.DataFrame:
    wh = connect(f"duckdb:///{scenario_db}", Datasets())
    try:
        return report_data(backfill.api.status(wh, START, END))
    finally:
        wh.close()


def calendar(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def test_report_data_has_one_row_per_calendar_day(days):
    assert [day.date().isoformat() for day in days["day"]] == calendar(START, END)
    assert set(days["state"]) <= set(STATES)


def test_report_data_gives_each_day_its_state(days):
    by_day = days.set_index(days["day"].dt.strftime("%Y-%m-%d"))
    assert by_day.loc[list(EXPECTED_STATES), "state"].to_dict() == EXPECTED_STATES


def test_report_data_marks_fallback_and_forced_dates(days):
    by_day = days.set_index(days["day"].dt.strftime("%Y-%m-%d"))
    assert by_day.loc["2022-11-01", ["fallback", "source", "reason"]].tolist() == [True, "pgs_synthetic", "upcg_empty"]
    assert by_day.loc["2023-02-25", ["fallback", "source"]].tolist() == [False, "upcg"]
    forced = by_day[by_day["forced"]]
    assert forced.index.tolist() == ["2023-02-24"] and forced["force_reason"].iloc[0] == HOSTILE
    blocked = by_day.loc["2023-02-23"]
    # what is published (nothing) and what the last attempt did (1 of who played) are two facts
    assert blocked["coverage"] == 0 and blocked["published"] == 0
    assert blocked["last_attempt"] == "blocked" and blocked["last_coverage"] == pytest.approx(1 / blocked["expected"])
    off_day = by_day.loc["2023-02-19"]
    assert pd.isna(off_day["expected"]) and not off_day["forced"] and not off_day["fallback"]


def test_rendered_calendar_has_exactly_one_cell_per_day_in_its_state(days):
    html = render_report(days, START, END, "demo")
    cells = [(match["day"], match["state"]) for match in CELL.finditer(html)]
    assert [day for day, _ in cells] == calendar(START, END)
    assert html.count('class="day ') == len(cells)
    assert dict(cells) == {day.date().isoformat(): state for day, state in zip(days["day"], days["state"], strict=True)}


def test_rendered_cells_carry_fallback_and_forced_marks(days):
    html = render_report(days, START, END, "demo")
    cell = {match["day"]: html[match.start() : html.index(">", match.end())] for match in CELL.finditer(html)}
    assert 'data-fallback="true"' in cell["2022-11-01"] and 'data-fallback="true"' not in cell["2023-02-25"]
    assert 'data-forced="true"' in cell["2023-02-24"] and 'data-forced="true"' not in cell["2023-02-23"]
    assert "title=" in cell["2023-02-23"] and 'data-coverage="0.0%"' in cell["2023-02-23"]
    assert 'data-last="blocked (0.6%)"' in cell["2023-02-23"]


def test_report_escapes_text_from_the_ledger(days):
    hostile = days.copy()
    hostile.loc[hostile["state"] == "blocked", "reason"] = '"><img src=x onerror=alert(2)>'
    html = render_report(hostile, START, END, title="<b>title</b>")
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<b>title</b>" not in html
    assert html.count("<script") == 1  # the page's own, inline


def test_report_is_self_contained(days):
    html = render_report(days, START, END, "demo")
    assert not re.search(r"https?:|//[a-z]", html, re.IGNORECASE)
    assert "<link" not in html and " src=" not in html and "url(" not in html and "@import" not in html


def test_report_draws_coverage_per_season_with_the_gate(days):
    html = render_report(days, START, END, "demo")
    assert html.count('<svg class="chart"') == 1 and 'data-season="2022"' in html
    assert html.count('<circle class="point') == days["coverage"].notna().sum()
    assert 'class="threshold gate"' in html and "90% gate" in html
    assert '<circle class="point state-blocked"' in html


def test_summary_counts_every_state(days):
    html = render_report(days, START, END, "demo")
    counts = days["state"].value_counts()
    for state in STATES:
        assert f'<li class="count state-{state}"><b>{counts.get(state, 0)}</b>' in html


def test_calendar_days_from_states_alone():
    """Pure: game dates never run are pending (bootstrap inside the window); 'mixed' context counts as fallback."""
    states = pd.DataFrame(
        {
            "games": [7, 6, 5],
            "season": [2022, 2022, 2022],
            "bootstrap": [True, False, False],
            "status": ["pending", "pending", "published"],
            "coverage": [float("nan"), float("nan"), 0.97],
            "reason": [None, None, "fill 120/200 from UPCG"],
            "run_id": [None, None, "r1"],
            "context_source": [None, None, "mixed"],
            "expected_players": [None, None, 200],
            "published_players": [None, None, 194],
            "forced": [pd.NA, pd.NA, False],
            "force_reason": [None, None, None],
        },
        index=pd.to_datetime(["2022-10-19", "2022-11-02", "2022-11-03"]).rename("game_date"),
    )
    days = calendar_days(states, date(2022, 10, 19), date(2022, 11, 4))
    by_day = days.set_index(days["day"].dt.strftime("%Y-%m-%d"))
    assert len(days) == 17
    assert by_day.loc["2022-10-19", "state"] == "bootstrap" and by_day.loc["2022-11-02", "state"] == "pending"
    assert by_day.loc["2022-11-03", ["state", "fallback", "forced"]].tolist() == ["published", True, False]
    assert by_day.loc["2022-11-04", "state"] == "off_day"
    assert calendar_days(states.iloc[0:0], date(2022, 7, 1), date(2022, 7, 10))["state"].eq("off_day").all()


def _report(db: Path, html: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        [
            "--warehouse",
            f"duckdb:///{db}",
            "--log-format",
            "json",
            "report",
            "--start-date",
            "2023-02-01",
            "--end-date",
            "2023-02-28",
            "--html",
            str(html),
        ],
    )
    return result.exit_code, result.output


def test_report_refuses_to_write_over_the_warehouse(demo_db):
    before = demo_db.read_bytes()
    code, output = _report(demo_db, demo_db)
    assert code == 2 and "--html" in output and "warehouse" in output, output
    assert len(said(output)) == 1
    assert demo_db.read_bytes() == before


@pytest.mark.parametrize("content", [b"id,name\n1,x\n", b"\x00\x01binary", b"<p>a fragment, not a report</p>"])
def test_report_refuses_any_existing_file_that_is_not_html(demo_db, tmp_path, content):
    other = tmp_path / "notes.html"
    other.write_bytes(content)
    code, output = _report(demo_db, other)
    assert code == 2 and "not an HTML report" in output, output
    assert other.read_bytes() == content


def test_report_replaces_an_earlier_report_through_a_rename(demo_db, tmp_path):
    html = tmp_path / "season.html"
    assert _report(demo_db, html)[0] == 0
    first = html.stat().st_ino
    assert _report(demo_db, html)[0] == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert html.stat().st_ino != first, "written to a new file and renamed over the old one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pcf.duckdb", "season.html"], "no temporary file left"


def test_the_chart_draws_the_thresholds_each_date_was_gated_with(days):
    """The bars come from the ledger's typed columns: a range gated with --min-coverage 0.8 shows an 80% gate."""
    relaxed = days.assign(
        min_coverage=days["min_coverage"].where(days["min_coverage"].isna(), 0.8),
        warn_coverage=days["warn_coverage"].where(days["warn_coverage"].isna(), 0.85),
    )
    html = render_report(relaxed, START, END, "demo")
    assert "80% gate" in html and "85% warning" in html and "90% gate" not in html
    assert 'data-bars="gate 80%, warning 85%"' in html


def test_the_page_inlines_its_css_and_js_package_files(days):
    html = render_report(days, START, END, "demo")
    assets = files("backfill.cli.report").joinpath("assets")
    for name, tag in (("report.css", "style"), ("report.js", "script")):
        content = assets.joinpath(name).read_text(encoding="utf-8")
        assert len(content) > 500 and f"<{tag}>{content}</{tag}>" in html


def test_a_build_of_the_package_ships_the_report_assets_and_templates(tmp_path):
    """What a wheel would hold: setuptools' build of the packages, package data included."""
    root = Path(__file__).resolve().parents[2]
    build = subprocess.run(
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "-d", str(tmp_path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    report = Path("backfill", "cli", "report")
    sources = sorted((root / report).glob("assets/*")) + sorted((root / report).glob("templates/*"))
    assert {path.name for path in sources} >= {"report.css", "report.js", "report.html.j2", "chart.html.j2"}
    typed = sorted(root.glob("*/py.typed"))  # PEP 561: each package tells type checkers to read its annotations
    assert {path.parent.name for path in typed} >= {"backfill", "warehouse", "processors", "validation", "vocabulary"}
    sources += typed
    for source in sources:
        shipped = tmp_path / source.relative_to(root)
        assert shipped.is_file() and shipped.read_bytes() == source.read_bytes(), (
            f"{source.relative_to(root)} not built"
        )
