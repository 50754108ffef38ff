"""The page, rendered: pure, DataFrame in, one self-contained HTML string out (inline CSS, JS and SVG; nothing
fetched). This module works out what the page says; the Jinja2 templates (templates/, autoescaped: every value from
data is escaped) say how, and the CSS and JS are package files (assets/) inlined as they are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import pandas as pd

from backfill.cli.report.chart import coverage_charts
from backfill.cli.report.data import STATE_LABELS, STATES
from backfill.cli.report.text import count_text, coverage_text, missing, number_text
from warehouse.outputs import REPORT_OPENING

if TYPE_CHECKING:
    import jinja2

DETAIL_FIELDS = (  # the date detail panel: data-NAME of the clicked day, shown under LABEL (assets/report.js)
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
ATTENTION_STATES = ("blocked", "failed", "published_warning")  # below the bar or failed (and any forced date)


@cache
def asset(name: str) -> str:
    """A file of backfill/cli/report/assets, shipped with the package."""
    return files("backfill.cli.report").joinpath("assets", name).read_text(encoding="utf-8")


@cache
def templates() -> jinja2.Environment:
    import jinja2  # imported on use: only `report` renders a page

    return jinja2.Environment(
        loader=jinja2.PackageLoader("backfill.cli.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a name the template expects and the page lacks is an error, not ""
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_report(days: pd.DataFrame, start: date, end: date, title: str, audits: pd.DataFrame | None = None) -> str:
    """The whole page as one self-contained HTML string; every value from data is escaped."""
    from markupsafe import Markup  # Jinja2's: what the templates insert as it is (our own opening, CSS and JS)

    by_day = {
        day.date(): row for day, row in zip(pd.DatetimeIndex(days["day"]), days.itertuples(index=False), strict=True)
    }

    return (
        templates()
        .get_template("report.html.j2")
        .render(
            opening=Markup(REPORT_OPENING),
            css=Markup(asset("report.css")),
            js=Markup(asset("report.js")),
            title=title,
            start=start.isoformat(),
            end=end.isoformat(),
            calendar_days=len(days),
            game_dates=int((days["state"] != "off_day").sum()),
            counts=_counts(days),
            states=[(state, STATE_LABELS[state]) for state in STATES],
            months=[_month(year, month, by_day) for year, month in _months(start, end)],
            detail_fields=DETAIL_FIELDS,
            attention=[_attention_row(row) for row in _needing_attention(days).itertuples(index=False)],
            audits=[_audit_row(row) for row in (audits.itertuples(index=False) if audits is not None else ())],
            charts=coverage_charts(days),
        )
    )


@dataclass(frozen=True)
class Count:
    kind: str  # the CSS class: state-STATE, or marker
    n: int
    label: str


def _counts(days: pd.DataFrame) -> list[Count]:
    """Dates per state, then the dates built from box scores and the forced ones."""
    counts = days["state"].value_counts()
    fallback = days[days["fallback"]]
    return [Count(f"state-{state}", int(counts.get(state, 0)), STATE_LABELS[state]) for state in STATES] + [
        Count("marker", len(fallback), f"fallback to box scores ({int(fallback['partial'].sum())} UPCG partial)"),
        Count("marker", int(days["forced"].sum()), "forced"),
    ]


def _months(start: date, end: date) -> Iterable[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass(frozen=True)
class Month:
    label: str
    cells: list[dict[str, Any] | None]  # 31 places: a day's cell, or None for a day outside the range or month


def _month(year: int, month: int, by_day: dict[date, Any]) -> Month:
    cells = []
    for day_of_month in range(1, 32):
        try:
            row = by_day.get(date(year, month, day_of_month))
        except ValueError:
            row = None
        cells.append(_cell(row) if row is not None else None)
    return Month(date(year, month, 1).strftime("%b %Y"), cells)


def _cell(row: Any) -> dict[str, Any]:
    classes = ["day", f"state-{row.state}"] + ["forced"] * bool(row.forced) + ["fallback"] * bool(row.fallback)
    classes += ["fallback-partial"] * bool(row.partial)
    attributes = {  # in this order on the page; None leaves an attribute out
        "type": "button",
        "class": " ".join(classes),
        "data-date": row.day.date().isoformat(),
        "data-state": row.state,
        "data-fallback": "true" if row.fallback else None,
        "data-forced": "true" if row.forced else None,
        "title": _tooltip(row),
        **_detail_attributes(row),
    }
    return {"day": row.day.day, "attributes": attributes}


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
        lines.append(inputs_text(row))
    return "\n".join(lines)


def inputs_text(row: Any) -> str:
    """The inputs' state, with what it means for the date when there is more to say (`stale: pgs game …`)."""
    return f"{row.inputs}: {row.inputs_reason}" if row.inputs_reason else str(row.inputs or "—")


def _detail_attributes(row: Any) -> dict[str, Any]:
    """What the detail panel shows for the day (DETAIL_FIELDS); an off-day has no verdict to describe."""
    game_day = row.state != "off_day"
    forced_note = f"yes: {row.force_reason or ''}" if row.forced else "no"
    last = f"{row.last_attempt} ({coverage_text(row.last_coverage)})" if row.last_attempt else "never run"
    return {
        "data-label": STATE_LABELS[row.state],
        "data-games": count_text(row.games),
        "data-expected": count_text(row.expected),
        "data-published": count_text(row.published),
        "data-coverage": coverage_text(row.coverage),
        "data-source": row.source or "—",
        "data-reason": row.reason or "—",
        "data-last": last if game_day else "—",
        "data-forced-note": forced_note if game_day else "—",
        "data-run": row.run_id or "—",
        "data-inputs": inputs_text(row) if game_day else "—",
        "data-stale": "true" if row.inputs == "stale" else None,
        "data-bars": _bars(row) if game_day else "—",
    }


def _bars(row: Any) -> str:
    """The thresholds the date's latest verdict was gated with, as recorded in its ledger row."""
    if missing(row.min_coverage):
        return "none recorded"
    return f"gate {row.min_coverage:.0%}, warning {row.warn_coverage:.0%}"


def _needing_attention(days: pd.DataFrame) -> pd.DataFrame:
    """The dates an operator has to look at: below the bar, failed, or forced through it."""
    return days[days["state"].isin(ATTENTION_STATES) | days["forced"]]


def _attention_row(row: Any) -> dict[str, Any]:
    return {
        "day": row.day.date().isoformat(),
        "state": row.state,
        "label": STATE_LABELS[row.state],
        "players": f"{count_text(row.published)}/{count_text(row.expected)}",
        "coverage": coverage_text(row.coverage),
        "reason": "" if row.reason is None else row.reason,
        "forced": bool(row.forced),
        "force_reason": "" if row.force_reason is None else row.force_reason,
    }


def _audit_row(row: Any) -> dict[str, str]:
    """An audit (SPEC §6.9) the date's last attempt failed: value against baseline and threshold."""
    return {
        "day": pd.Timestamp(row.game_date).date().isoformat(),
        "audit": row.audit,
        "severity": row.severity,
        "value": number_text(row.value),
        "baseline": number_text(row.baseline),
        "threshold": number_text(row.threshold),
        "detail": "" if row.detail is None else row.detail,
    }
