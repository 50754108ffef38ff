"""The HTML coverage report: one self-contained page showing a range's ledger state as a calendar heatmap,
per-date detail, summary counts and per-season coverage. `data` reads, `html` and `chart` render (pure),
`assets/` holds the page's CSS and JS; this module builds the page and writes it safely."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from backfill.ledger import failing_audits
from backfill.report.data import STATES, calendar_days, report_data
from backfill.report.html import render_report
from warehouse import BadInput, Warehouse

__all__ = ["STATES", "build_report", "calendar_days", "render_report", "report_data", "write_report"]


def build_report(wh: Warehouse, start: date, end: date, title: str | None = None) -> str:
    title = title or f"PCF backfill coverage {start.isoformat()} → {end.isoformat()}"
    return render_report(report_data(wh, start, end), start, end, title, failing_audits(wh, start, end))


def write_report(wh: Warehouse, start: date, end: date, path: Path, title: str | None = None) -> Path:
    """Write the page through a temporary file and a rename: a crash leaves the old file or the new one."""
    checked_report_path(path, wh.local_files())
    html = build_report(wh, start, end, title)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(html)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


HTML_OPENINGS = ("<!doctype html", "<html")


def checked_report_path(path: Path, inputs: Sequence[Path]) -> Path:
    """An output never overwrites an input: refuse the warehouse's own files and any existing non-HTML file."""
    if not path.parent.is_dir():
        raise BadInput(f"--html: directory {path.parent} does not exist; expected FILE in an existing directory")
    if not path.exists():
        return path
    if any(file.exists() and os.path.samefile(path, file) for file in inputs):
        raise BadInput(f"--html: {path} is the warehouse itself; expected a new or existing .html FILE")
    if not path.is_file() or not looks_like_html(path):
        raise BadInput(f"--html: {path} exists and is not an HTML report; refusing to overwrite it "
                       "(expected a new or existing .html FILE)")  # fmt: skip
    return path


def looks_like_html(path: Path) -> bool:
    with path.open("rb") as file:
        opening = file.read(512).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n").lower()
    return opening.startswith(HTML_OPENINGS) or not opening  # an empty file holds nothing to lose
