"""The HTML coverage report: one self-contained page showing a range's ledger state as a calendar heatmap,
per-date detail, summary counts and per-season coverage. `data` reads, `html` and `chart` render (pure),
`assets/` holds the page's CSS and JS; this module builds the page and writes it safely."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from backfill.cli.report.data import STATES, calendar_days, report_data
from backfill.cli.report.html import render_report
from backfill.pipeline.ledger import failing_audits
from warehouse import Warehouse
from warehouse.outputs import HTML_REPORT, checked_output

__all__ = ["STATES", "build_report", "calendar_days", "render_report", "report_data", "write_report"]


def build_report(wh: Warehouse, start: date, end: date, title: str | None = None) -> str:
    title = title or f"PCF backfill coverage {start.isoformat()} → {end.isoformat()}"
    return render_report(report_data(wh, start, end), start, end, title, failing_audits(wh, start, end))


def write_report(wh: Warehouse, start: date, end: date, path: Path, title: str | None = None) -> Path:
    """Write the page through a temporary file and a rename: a crash leaves the old file or the new one."""
    checked_output(path, HTML_REPORT, wh.local_files())
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
