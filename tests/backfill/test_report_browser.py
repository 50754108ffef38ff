"""The season's HTML report in a real headless Chromium (issue 9): it renders, marks the incident, logs nothing."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import INCIDENT_DATES

import backfill.api
from backfill.cli import cli
from backfill.cli.report import write_report
from warehouse import Datasets, connect

pytestmark = pytest.mark.slow

START, END = date(2022, 10, 1), date(2023, 4, 30)
SEASON = ("--start-date", "2022-10-18", "--end-date", "2023-04-09")
BOOTSTRAP_WINDOW = [(date(2022, 10, 18) + timedelta(days=n)).isoformat() for n in range(14)]
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1200,1600",
    "--enable-logging=stderr",
    "--v=0",
)


class ReportDom(HTMLParser):
    """The parts of the rendered DOM the test looks at: calendar cells, the body marker, the detail panel."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.cells: dict[str, dict[str, str]] = {}
        self.body: dict[str, str] = {}
        self.detail: dict[str, str] = {}
        self._field: str | None = None
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "body":
            self.body = values
        elif "day" in values.get("class", "").split():
            self.cells[values["data-date"]] = values
        elif tag == "dd" and "data-field" in values:
            self._field = values["data-field"]

    def handle_data(self, data: str) -> None:
        if self._field:
            self.detail[self._field] = self.detail.get(self._field, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "dd":
            self._field = None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():  # `make test` installs it when it runs as root (as CI does)
        pytest.skip(
            "headless Chromium not found: install Debian's package (`apt-get install -y chromium`, as root) "
            "to run the browser test"
        )
    return path


def headless(chromium: str, profile: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def page_messages(stderr: str, report: Path) -> list[str]:
    """Console output and uncaught errors of the report page (the browser's own chatter is ignored)."""
    return [line for line in stderr.splitlines() if ("CONSOLE" in line and report.name in line) or "Uncaught" in line]


@pytest.fixture(scope="module")
def season_report(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report_browser")
    db = folder / "pcf.duckdb"
    shutil.copy(demo_file, db)
    result = CliRunner().invoke(cli, ["--warehouse", f"duckdb:///{db}", "--log-format", "json", "run", *SEASON])
    assert result.exit_code == 0, result.output
    wh = connect(f"duckdb:///{db}", Datasets())
    try:
        status = backfill.api.status(wh, START, END)
        return write_report(status, folder / "report.html", title="PCF backfill — demo season 2022-23")
    finally:
        wh.close()


def test_season_report_renders_calendar_in_headless_chromium(chromium, season_report, tmp_path):
    url = season_report.as_uri() + "#2023-02-23"  # the fragment opens that date's detail panel
    run = headless(chromium, tmp_path / "profile", url, "--dump-dom")
    assert run.returncode == 0, f"chromium --dump-dom exited {run.returncode}:\n{run.stderr[-3000:]}"
    assert page_messages(run.stderr, season_report) == []
    dom = ReportDom(run.stdout)
    assert dom.body.get("data-rendered") == "212", "the page script did not finish wiring the calendar"
    assert len(dom.cells) == 212 == (END - START).days + 1
    for day in INCIDENT_DATES:
        assert dom.cells[day].get("data-fallback") == "true", f"{day} is not marked as a fallback date"
        assert "fallback-partial" in dom.cells[day]["class"].split()
    assert {dom.cells[day]["data-state"] for day in BOOTSTRAP_WINDOW} == {"bootstrap"}
    assert dom.cells["2022-10-17"]["data-state"] == "off_day" and dom.cells["2022-11-01"]["data-state"] == "published"
    assert dom.detail["date"] == "2023-02-23" and dom.detail["reason"].startswith("upcg_partial 1/")
    assert dom.detail["source"] == "pgs_synthetic"


def test_season_report_screenshot(chromium, season_report, tmp_path):
    screenshot = season_report.with_suffix(".png")
    run = headless(chromium, tmp_path / "profile", season_report.as_uri(), f"--screenshot={screenshot}")
    assert run.returncode == 0, f"chromium --screenshot exited {run.returncode}:\n{run.stderr[-3000:]}"
    assert page_messages(run.stderr, season_report) == []
    image = screenshot.read_bytes()
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    assert (width, height) == (1200, 1600)
    assert len(image) > 50_000, f"{screenshot} looks blank ({len(image)} bytes)"
