"""The HTML coverage report: one self-contained page showing a range's ledger state as a calendar heatmap,
per-date detail, summary counts and per-season coverage. It renders what `backfill.api.status` returns: `data`
spreads it over the calendar, `html` and `chart` render (pure), `assets/` holds the page's CSS and JS; this module
builds the page and writes it safely."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from backfill.cli.report.data import STATES, audit_frame, calendar_days, report_data
from backfill.cli.report.html import render_report
from warehouse.outputs import HTML_REPORT, checked_output

if TYPE_CHECKING:
    from backfill.api import StatusResult

__all__ = ["STATES", "audit_frame", "build_report", "calendar_days", "render_report", "report_data", "write_report"]


def build_report(status: StatusResult, title: str | None = None) -> str:
    """The page of what `backfill.api.status` returned."""
    title = title or f"PCF backfill coverage {status.start.isoformat()} → {status.end.isoformat()}"
    return render_report(report_data(status), status.start, status.end, title, audit_frame(status.failing_audits))


def write_report(status: StatusResult, path: Path, inputs: Sequence[Path] = (), title: str | None = None) -> Path:
    """Write the page through a temporary file and a rename: a crash leaves the old file or the new one. `inputs`:
    the files the page must never replace (a DuckDB warehouse's, a config file)."""
    checked_output(path, HTML_REPORT, list(inputs))
    html = build_report(status, title)
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
