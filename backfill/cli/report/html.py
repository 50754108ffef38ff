"""The page, rendered: pure, DataFrame in, one self-contained HTML string out (inline CSS, JS and SVG;
nothing fetched). Every value from data is escaped; the CSS and JS are package files (assets/)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

from backfill.cli.report.chart import coverage_charts
from backfill.cli.report.data import STATE_LABELS, STATES
from backfill.cli.report.text import attributes, count_text, coverage_text, missing, number_text, text
from warehouse.outputs import REPORT_OPENING


@cache
def asset(name: str) -> str:
    """A file of backfill/cli/report/assets, shipped with the package."""
    return files("backfill.cli.report").joinpath("assets", name).read_text(encoding="utf-8")


def render_report(days: pd.DataFrame, start: date, end: date, title: str, audits: pd.DataFrame | None = None) -> str:
    """The whole page as one self-contained HTML string; every value from data is escaped."""
    sections = [
        f'<header><h1>{text(title)}</h1><p class="range">{start.isoformat()} → {end.isoformat()}</p></header>',
        _summary(days),
        _legend(),
        _calendar(days, start, end),
        _detail_panel(),
        _attention(days),
        _failing_audits(audits),
        coverage_charts(days),
    ]
    return (
        REPORT_OPENING + '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{text(title)}</title><style>{asset('report.css')}</style></head>\n<body>\n"
        + "\n".join(sections)
        + f"\n<script>{asset('report.js')}</script>\n</body></html>\n"
    )


def _summary(days: pd.DataFrame) -> str:
    counts = days["state"].value_counts()
    items = [
        f'<li class="count state-{state}"><b>{int(counts.get(state, 0))}</b> {STATE_LABELS[state]}</li>'
        for state in STATES
    ]
    fallback = days[days["fallback"]]
    partial = int(fallback["partial"].sum())
    items.append(
        f'<li class="count marker"><b>{len(fallback)}</b> fallback to box scores ({partial} UPCG partial)</li>'
    )
    items.append(f'<li class="count marker"><b>{int(days["forced"].sum())}</b> forced</li>')
    game_dates = int((days["state"] != "off_day").sum())
    return (
        f'<section class="summary"><h2>Summary</h2><p>{len(days)} calendar days, {game_dates} game dates.</p>'
        f'<ul id="summary">{"".join(items)}</ul></section>'
    )


def _legend() -> str:
    swatches = [f'<li><span class="swatch state-{state}"></span>{STATE_LABELS[state]}</li>' for state in STATES]
    swatches += [
        '<li><span class="swatch forced-mark">★</span>forced (published below the gate with --force)</li>',
        '<li><span class="swatch fb-mark"></span>fallback: context from box scores (UPCG empty)</li>',
        '<li><span class="swatch fb-mark partial"></span>fallback: UPCG partial (stale pre-game rows)</li>',
    ]
    return f'<section class="legend"><ul>{"".join(swatches)}</ul></section>'


def _months(start: date, end: date) -> Iterable[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _calendar(days: pd.DataFrame, start: date, end: date) -> str:
    by_day = {row.day.date(): row for row in days.itertuples(index=False)}
    rows = [_month_row(year, month, by_day) for year, month in _months(start, end)]
    return (
        f'<section class="calendar"><h2>Calendar</h2><p class="hint">Hover a day for a summary, click it for '
        f'details.</p><div id="calendar" data-days="{len(days)}">{"".join(rows)}</div></section>'
    )


def _month_row(year: int, month: int, by_day: dict[date, Any]) -> str:
    cells = []
    for day_of_month in range(1, 32):
        try:
            day = date(year, month, day_of_month)
        except ValueError:
            day = None
        row = by_day.get(day) if day else None
        cells.append(_cell(row) if row is not None else '<span class="pad"></span>')
    label = date(year, month, 1).strftime("%b %Y")
    return f'<div class="month"><span class="mlabel">{label}</span><div class="cells">{"".join(cells)}</div></div>'


def _cell(row: Any) -> str:
    day = row.day.date()
    partial = bool(row.partial)
    classes = ["day", f"state-{row.state}"] + ["forced"] * bool(row.forced) + ["fallback"] * bool(row.fallback)
    classes += ["fallback-partial"] * partial
    attrs = {
        "type": "button",
        "class": " ".join(classes),
        "data-date": day.isoformat(),
        "data-state": row.state,
        "data-fallback": "true" if row.fallback else None,
        "data-forced": "true" if row.forced else None,
        "title": _tooltip(row),
        **_detail_attributes(row),
    }
    return f"<button {attributes(attrs)}>{day.day}</button>"


def _tooltip(row: Any) -> str:
    day = row.day.date()
    lines = [f"{day.strftime('%a')} {day.isoformat()}: {STATE_LABELS[row.state]}"]
    if not missing(row.expected):
        lines.append(f"{count_text(row.published)}/{count_text(row.expected)} players ({coverage_text(row.coverage)})")
    if row.source:
        lines.append(f"source {row.source}" + (" (fallback)" if row.fallback else ""))
    if row.forced:
        lines.append(f"forced: {row.force_reason or ''}")
    if row.last_attempt and row.last_attempt != row.state:
        lines.append(f"last attempt {row.last_attempt} ({coverage_text(row.last_coverage)})")
    if row.reason:
        lines.append(str(row.reason))
    if row.inputs_reason:
        lines.append(str(row.inputs_reason))
    return "\n".join(lines)


def _detail_attributes(row: Any) -> dict[str, Any]:
    forced_note = f"yes: {row.force_reason or ''}" if row.forced else "no"
    return {
        "data-label": STATE_LABELS[row.state],
        "data-games": count_text(row.games),
        "data-expected": count_text(row.expected),
        "data-published": count_text(row.published),
        "data-coverage": coverage_text(row.coverage),
        "data-source": row.source or "—",
        "data-reason": row.reason or "—",
        "data-last": (f"{row.last_attempt} ({coverage_text(row.last_coverage)})" if row.last_attempt else "never run")
        if row.state != "off_day"
        else "—",
        "data-forced-note": forced_note if row.state != "off_day" else "—",
        "data-run": row.run_id or "—",
        "data-inputs": (row.inputs_reason or row.inputs or "—") if row.state != "off_day" else "—",
        "data-stale": "true" if row.inputs == "stale" else None,
        "data-bars": _bars(row) if row.state != "off_day" else "—",
    }


def _bars(row: Any) -> str:
    """The thresholds the date's latest verdict was gated with, as recorded in its ledger row."""
    if missing(row.min_coverage):
        return "none recorded"
    return f"gate {row.min_coverage:.0%}, warning {row.warn_coverage:.0%}"


DETAIL_FIELDS = (
    ("date", "Date"),
    ("label", "State"),
    ("games", "Games"),
    ("expected", "Expected players"),
    ("published", "Published players"),
    ("coverage", "Coverage"),
    ("source", "Context source"),
    ("last", "Last attempt"),
    ("reason", "Reason"),
    ("forced-note", "Forced"),
    ("run", "Run"),
    ("bars", "Thresholds"),
    ("inputs", "Inputs since published"),
)


def _detail_panel() -> str:
    rows = "".join(f'<dt>{label}</dt><dd data-field="{name}">—</dd>' for name, label in DETAIL_FIELDS)
    return (
        '<section class="detail"><h2>Date detail</h2><p id="detail-empty" class="hint">Click a day in the calendar.'
        f'</p><dl id="detail" hidden>{rows}</dl></section>'
    )


def _attention(days: pd.DataFrame) -> str:
    """The dates an operator has to look at: below the bar, failed, or forced through it."""
    flagged = days[days["state"].isin(["blocked", "failed", "published_warning"]) | days["forced"]]
    if flagged.empty:
        return ""
    rows = "".join(_attention_row(row) for row in flagged.itertuples(index=False))
    return (
        '<section class="attention"><h2>Dates that need attention</h2><table><thead><tr><th>Date</th><th>State</th>'
        f"<th>Players</th><th>Coverage</th><th>Reason</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _failing_audits(audits: pd.DataFrame | None) -> str:
    """The audits (SPEC §6.9) each date's last attempt failed: value against baseline and threshold."""
    if audits is None or audits.empty:
        return ""
    rows = "".join(
        f"<tr><td>{pd.Timestamp(row.game_date).date().isoformat()}</td><td>{text(row.audit)}</td>"
        f"<td>{text(row.severity)}</td><td>{number_text(row.value)}</td><td>{number_text(row.baseline)}</td>"
        f'<td>{number_text(row.threshold)}</td><td class="reason">{text(row.detail)}</td></tr>'
        for row in audits.itertuples(index=False)
    )
    return (
        '<section class="audits"><h2>Failing audits (last attempt)</h2><table><thead><tr><th>Date</th><th>Audit</th>'
        "<th>Severity</th><th>Value</th><th>Baseline</th><th>Threshold</th><th>Detail</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _attention_row(row: Any) -> str:
    forced = f"<br>&#9733; forced: {text(row.force_reason)}" if row.forced else ""
    return (
        f'<tr data-date="{row.day.date().isoformat()}"><td>{row.day.date().isoformat()}</td>'
        f'<td><span class="swatch state-{row.state}"></span>{STATE_LABELS[row.state]}</td>'
        f"<td>{count_text(row.published)}/{count_text(row.expected)}</td><td>{coverage_text(row.coverage)}</td>"
        f'<td class="reason">{text(row.reason)}{forced}</td></tr>'
    )
