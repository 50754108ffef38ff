"""The HTML coverage report: one self-contained page (inline CSS, JS and SVG; nothing fetched) showing a
range's ledger state as a calendar heatmap, per-date detail, summary counts and per-season coverage."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backfill.ledger import failing_audits
from backfill.status import date_states
from validation.gate import GateRules
from warehouse import BadInput, Warehouse

STATES = ("published", "published_warning", "blocked", "failed", "bootstrap", "off_day", "pending")
STATE_LABELS = {
    "published": "published",
    "published_warning": "published with coverage warning",
    "blocked": "blocked by the gate",
    "failed": "failed",
    "bootstrap": "bootstrap window (skipped)",
    "off_day": "off-day (no games)",
    "pending": "pending (never run)",
}
FALLBACK_SOURCES = ("pgs_synthetic", "mixed")  # context built (at least partly) from box scores
DEFAULT_RULES = GateRules()  # the thresholds drawn when the ledger has none recorded for the range
CHART_WIDTH, CHART_HEIGHT, MARGIN, RIGHT_MARGIN = 960, 240, 44, 84


def report_data(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """One row per calendar day of [start, end] with its report state and ledger details."""
    return calendar_days(date_states(wh, start, end), start, end)


def calendar_days(states: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Spread `date_states` (game dates only) over every calendar day; the days without a row are off-days."""
    days = pd.date_range(start, end, freq="D", name="day")
    frame = states.set_axis(pd.DatetimeIndex(states.index).as_unit(days.unit).normalize()).reindex(days)
    return pd.DataFrame(
        {
            "day": days,
            "state": day_states(frame),
            "forced": frame["forced"].astype("boolean").fillna(False).astype(bool),
            "fallback": frame["context_source"].isin(FALLBACK_SOURCES),
            "expected": frame["expected_players"].astype("Int64"),
            "published": frame["published_players"].astype("Int64"),
            "coverage": frame["coverage"].astype("float64"),
            "last_attempt": _optional_text(frame["status"].where(frame["status"] != "pending")),
            "last_coverage": frame.get("last_coverage", pd.Series(np.nan, index=frame.index)).astype("float64"),
            "source": _optional_text(frame["context_source"]),
            "reason": _optional_text(frame["reason"]),
            "run_id": _optional_text(frame["run_id"]),
            "season": frame["season"].astype("Int64"),
            "games": frame["games"].astype("Int64"),
            "force_reason": _optional_text(frame["force_reason"]),
            "partial": _recorded_or_parsed(frame, "source_reason", "reason", "upcg_partial"),
            "min_coverage": _column(frame, "min_coverage").astype("float64"),
            "warn_coverage": _column(frame, "warn_coverage").astype("float64"),
        }
    ).reset_index(drop=True)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(np.nan, index=frame.index)


def _recorded_or_parsed(frame: pd.DataFrame, column: str, legacy: str, prefix: str) -> pd.Series:
    """A verdict from its typed ledger column; ledger rows written before that column existed only say it
    in their reason text."""
    text = _column(frame, column).where(_column(frame, column).notna(), frame[legacy])
    return text.fillna("").astype(str).str.startswith(prefix) & frame["context_source"].isin(FALLBACK_SOURCES)


def _optional_text(column: pd.Series) -> pd.Series:
    return column.astype("object").where(column.notna(), None)


def day_states(frame: pd.DataFrame) -> np.ndarray:
    """The report state of each day from its ledger status (NaN: not a game date, so an off-day)."""
    # what the table holds decides the colour: a later blocked attempt does not unpublish a date
    published = pd.to_numeric(frame["published_players"], errors="coerce").fillna(0) > 0
    status = frame["status"].where(~published | frame["status"].isna(), "published")
    legacy = frame["reason"].fillna("").astype(str).str.contains("coverage_warning", regex=False)
    recorded = _column(frame, "warning")
    warned = recorded.where(recorded.notna(), legacy).astype(bool)
    bootstrap = status.eq("skipped_bootstrap") | (status.eq("pending") & frame["bootstrap"].eq(True))
    conditions = [
        status.isna(),
        bootstrap,
        status.eq("published") & warned,
        status.eq("published"),
        status.eq("blocked"),
        status.eq("failed"),
    ]
    choices = ["off_day", "bootstrap", "published_warning", "published", "blocked", "failed"]
    return np.select([c.to_numpy(dtype=bool) for c in conditions], choices, default="pending")


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


# --- rendering: pure, DataFrame in, HTML out ------------------------------------------------------------


def render_report(days: pd.DataFrame, start: date, end: date, title: str,
                  audits: pd.DataFrame | None = None) -> str:  # fmt: skip
    """The whole page as one self-contained HTML string; every value from data is escaped."""
    sections = [
        f'<header><h1>{_text(title)}</h1><p class="range">{start.isoformat()} → {end.isoformat()}</p></header>',
        _summary(days),
        _legend(),
        _calendar(days, start, end),
        _detail_panel(),
        _attention(days),
        _failing_audits(audits),
        _coverage_charts(days),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(title)}</title><style>{CSS}</style></head>\n<body>\n"
        + "\n".join(sections)
        + f"\n<script>{SCRIPT}</script>\n</body></html>\n"
    )


def _text(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _coverage_text(value: Any) -> str:
    return "—" if _missing(value) else f"{float(value):.1%}"


def _count_text(value: Any) -> str:
    return "—" if _missing(value) else str(int(value))


def _season_label(season: int) -> str:
    return f"{season}-{(season + 1) % 100:02d}"


def _attrs(values: dict[str, Any]) -> str:
    return " ".join(f'{name}="{_text(value)}"' for name, value in values.items() if not _missing(value))


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
        **_detail_attrs(row),
    }
    return f"<button {_attrs(attrs)}>{day.day}</button>"


def _tooltip(row: Any) -> str:
    day = row.day.date()
    lines = [f"{day.strftime('%a')} {day.isoformat()}: {STATE_LABELS[row.state]}"]
    if not _missing(row.expected):
        lines.append(
            f"{_count_text(row.published)}/{_count_text(row.expected)} players ({_coverage_text(row.coverage)})"
        )
    if row.source:
        lines.append(f"source {row.source}" + (" (fallback)" if row.fallback else ""))
    if row.forced:
        lines.append(f"forced: {row.force_reason or ''}")
    if row.last_attempt and row.last_attempt != row.state:
        lines.append(f"last attempt {row.last_attempt} ({_coverage_text(row.last_coverage)})")
    if row.reason:
        lines.append(str(row.reason))
    return "\n".join(lines)


def _detail_attrs(row: Any) -> dict[str, Any]:
    forced_note = f"yes: {row.force_reason or ''}" if row.forced else "no"
    return {
        "data-label": STATE_LABELS[row.state],
        "data-games": _count_text(row.games),
        "data-expected": _count_text(row.expected),
        "data-published": _count_text(row.published),
        "data-coverage": _coverage_text(row.coverage),
        "data-source": row.source or "—",
        "data-reason": row.reason or "—",
        "data-last": (f"{row.last_attempt} ({_coverage_text(row.last_coverage)})" if row.last_attempt else "never run")
        if row.state != "off_day" else "—",
        "data-forced-note": forced_note if row.state != "off_day" else "—",
        "data-run": row.run_id or "—",
    }


DETAIL_FIELDS = (
    ("date", "Date"), ("label", "State"), ("games", "Games"), ("expected", "Expected players"),
    ("published", "Published players"), ("coverage", "Coverage"), ("source", "Context source"),
    ("last", "Last attempt"), ("reason", "Reason"), ("forced-note", "Forced"), ("run", "Run"),
)  # fmt: skip


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
        f"<tr><td>{pd.Timestamp(row.game_date).date().isoformat()}</td><td>{_text(row.audit)}</td>"
        f"<td>{_text(row.severity)}</td><td>{_number(row.value)}</td><td>{_number(row.baseline)}</td>"
        f'<td>{_number(row.threshold)}</td><td class="reason">{_text(row.detail)}</td></tr>'
        for row in audits.itertuples(index=False)
    )
    return (
        '<section class="audits"><h2>Failing audits (last attempt)</h2><table><thead><tr><th>Date</th><th>Audit</th>'
        "<th>Severity</th><th>Value</th><th>Baseline</th><th>Threshold</th><th>Detail</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _number(value: Any) -> str:
    return "—" if _missing(value) else f"{float(value):.2f}"


def _attention_row(row: Any) -> str:
    forced = f"<br>&#9733; forced: {_text(row.force_reason)}" if row.forced else ""
    return (
        f'<tr data-date="{row.day.date().isoformat()}"><td>{row.day.date().isoformat()}</td>'
        f'<td><span class="swatch state-{row.state}"></span>{STATE_LABELS[row.state]}</td>'
        f"<td>{_count_text(row.published)}/{_count_text(row.expected)}</td><td>{_coverage_text(row.coverage)}</td>"
        f'<td class="reason">{_text(row.reason)}{forced}</td></tr>'
    )


# --- per-season coverage chart (inline SVG) ---------------------------------------------------------------


def _coverage_charts(days: pd.DataFrame) -> str:
    seasons = sorted(int(s) for s in days["season"].dropna().unique())
    charts = [_season_chart(days[days["season"] == season], season) for season in seasons]
    body = "".join(charts) or '<p class="hint">No game dates in this range.</p>'
    return f'<section class="charts"><h2>Coverage per season</h2>{body}</section>'


def _in_force(days: pd.DataFrame, column: str) -> float:
    """The threshold the season's verdicts were gated with (the most common one), else the default."""
    recorded = days[column].dropna()
    return float(recorded.mode().iloc[0]) if len(recorded) else float(getattr(DEFAULT_RULES, column))


def _season_chart(season_days: pd.DataFrame, season: int) -> str:
    label = _season_label(season)
    points = season_days[season_days["coverage"].notna()]
    if points.empty:
        return f'<h3>{label}</h3><p class="hint">No coverage recorded for {label} in this range yet.</p>'
    axis = _TimeAxis(season_days["day"].min(), season_days["day"].max())
    parts = [_y_axis(), _x_axis(axis), _threshold(_in_force(season_days, "min_coverage"), "gate"),
             _threshold(_in_force(season_days, "warn_coverage"), "warn")]
    parts.append(_coverage_line(points, axis))
    return (
        f'<h3>{label}</h3><svg class="chart" data-season="{season}" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" '
        f'role="img" aria-label="Coverage per game date, season {label}">{"".join(parts)}</svg>'
    )


@dataclass(frozen=True)
class _TimeAxis:
    first: pd.Timestamp
    last: pd.Timestamp

    def x(self, day: pd.Timestamp) -> float:
        span = max((self.last - self.first).days, 1)
        return MARGIN + (day - self.first).days / span * (CHART_WIDTH - MARGIN - RIGHT_MARGIN)

    def month_ticks(self) -> list[pd.Timestamp]:
        months = pd.date_range(self.first.to_period("M").to_timestamp(), self.last, freq="MS")
        return [month for month in months if month >= self.first] or [self.first]


def _y(coverage: float) -> float:
    return CHART_HEIGHT - MARGIN - coverage * (CHART_HEIGHT - 2 * MARGIN)


def _y_axis() -> str:
    ticks = []
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _y(share)
        ticks.append(
            f'<line class="grid" x1="{MARGIN}" x2="{CHART_WIDTH - RIGHT_MARGIN}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{MARGIN - 6}" y="{y + 4:.1f}" text-anchor="end">{share:.0%}</text>'
        )
    return "".join(ticks)


def _x_axis(axis: _TimeAxis) -> str:
    bottom = CHART_HEIGHT - MARGIN
    return "".join(
        f'<line class="axis" x1="{axis.x(tick):.1f}" x2="{axis.x(tick):.1f}" y1="{bottom}" y2="{bottom + 5}"/>'
        f'<text class="tick" x="{axis.x(tick):.1f}" y="{bottom + 18}" text-anchor="middle">'
        f"{tick.strftime('%b %Y')}</text>"
        for tick in axis.month_ticks()
    )


def _threshold(share: float, kind: str) -> str:
    y = _y(share)
    name, label_y = ("90% gate", y + 11) if kind == "gate" else ("95% warning", y - 3)
    return (
        f'<line class="threshold {kind}" x1="{MARGIN}" x2="{CHART_WIDTH - RIGHT_MARGIN}" y1="{y:.1f}" y2="{y:.1f}"/>'
        f'<text class="threshold-label {kind}" x="{CHART_WIDTH - RIGHT_MARGIN + 6}" y="{label_y:.1f}">{name}</text>'
    )


def _coverage_line(points: pd.DataFrame, axis: _TimeAxis) -> str:
    coords = [(axis.x(row.day), _y(float(row.coverage)), row) for row in points.itertuples(index=False)]
    path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _ in coords)
    dots = "".join(
        f'<circle class="point state-{row.state}" cx="{cx:.1f}" cy="{cy:.1f}" r="{_point_radius(row.state)}">'
        f"<title>{row.day.date().isoformat()}: {_coverage_text(row.coverage)} ({STATE_LABELS[row.state]})"
        "</title></circle>"
        for cx, cy, row in coords
    )
    return f'<polyline class="coverage" points="{path}"/>{dots}'


def _point_radius(state: str) -> int:
    return 3 if state == "published" else 5  # the dates below the bar stand out


CSS = """
:root { --published:#2f9e44; --published_warning:#f2c200; --blocked:#f76707; --failed:#c92a2a;
  --bootstrap:#74c0fc; --off_day:#f1f3f5; --pending:#adb5bd; --ink:#212529; --muted:#6c757d; }
* { box-sizing:border-box; }
[hidden] { display:none !important; }
body { font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; color:var(--ink);
  margin:0 auto; padding:16px 24px 40px; max-width:1120px; background:#fff; }
h1 { font-size:22px; margin:0 0 2px; } h2 { font-size:16px; margin:22px 0 8px; }
h3 { font-size:14px; margin:12px 0 4px; }
.range, .hint { color:var(--muted); margin:0 0 6px; }
ul { list-style:none; padding:0; margin:0; display:flex; flex-wrap:wrap; gap:6px 14px; }
.count { padding:3px 8px; border-radius:4px; background:#f8f9fa; border-left:6px solid var(--off_day); }
.count b { font-size:15px; margin-right:3px; }
.count.marker { border-left-color:#495057; } .count.state-off_day { border-left-color:#dee2e6; }
.legend { margin-top:12px; } .legend li { display:flex; align-items:center; gap:6px; color:#343a40; }
.swatch { display:inline-block; width:16px; height:16px; border-radius:3px; border:1px solid #ced4da;
  vertical-align:middle; margin-right:4px; position:relative; font-size:12px; line-height:14px; text-align:center; }
.swatch.forced-mark { border:2px solid var(--ink); background:#fff; }
.swatch.fb-mark { background:#fff; }
.swatch.fb-mark::after, .day.fallback::after { content:""; position:absolute; top:2px; right:2px; width:6px; height:6px;
  border-radius:50%; background:#343a40; box-shadow:0 0 0 1.5px #fff; }
.swatch.fb-mark.partial::after, .day.fallback-partial::after { background:#d6336c; width:8px; height:8px;
  top:1px; right:1px; }
.month { display:flex; align-items:center; margin:3px 0; }
.mlabel { width:76px; flex:none; font-weight:600; color:#495057; }
.cells { display:grid; grid-template-columns:repeat(31, 30px); gap:3px; }
.day, .pad { width:30px; height:30px; }
.day { position:relative; border:1px solid rgba(0,0,0,.12); border-radius:4px; padding:0; font:inherit;
  font-size:11px; color:var(--ink); cursor:pointer; }
.day:hover, .day:focus-visible { outline:2px solid #1c7ed6; outline-offset:1px; z-index:1; }
.day.selected { outline:3px solid #1c7ed6; outline-offset:1px; z-index:2; }
.day.forced { border:2px solid var(--ink); }
.day.forced::before { content:"\\2605"; position:absolute; left:1px; top:-3px; font-size:10px; color:var(--ink); }
.state-published { background:var(--published); } .day.state-published { color:#fff; }
.state-published_warning { background:var(--published_warning); }
.state-blocked { background:var(--blocked); } .day.state-blocked { color:#fff; }
.state-failed { background:var(--failed); } .day.state-failed { color:#fff; }
.state-bootstrap { background:var(--bootstrap); }
.state-off_day { background:var(--off_day); } .day.state-off_day { color:#adb5bd; }
.state-pending { background:repeating-linear-gradient(45deg,#ced4da 0 4px,#e9ecef 4px 8px); }
.count.state-published, .count.state-published_warning, .count.state-blocked, .count.state-failed,
.count.state-bootstrap, .count.state-off_day, .count.state-pending { background:#f8f9fa; }
.count.state-published { border-left-color:var(--published); }
.count.state-published_warning { border-left-color:var(--published_warning); }
.count.state-blocked { border-left-color:var(--blocked); } .count.state-failed { border-left-color:var(--failed); }
.count.state-bootstrap { border-left-color:var(--bootstrap); }
.count.state-pending { border-left-color:var(--pending); }
.detail dl { display:grid; grid-template-columns:150px 1fr; gap:2px 12px; margin:0; padding:10px 14px;
  background:#f8f9fa; border:1px solid #dee2e6; border-radius:6px; max-width:760px; }
.detail dt { color:var(--muted); } .detail dd { margin:0; overflow-wrap:anywhere; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:4px 8px; border-bottom:1px solid #e9ecef; }
td { white-space:nowrap; } td.reason { white-space:normal; overflow-wrap:anywhere; }
.chart { width:100%; height:auto; max-width:960px; background:#fff; }
.chart .grid { stroke:#e9ecef; } .chart .axis { stroke:#868e96; }
.chart .tick { font-size:11px; fill:#495057; }
.chart .threshold { stroke-width:1.5; stroke-dasharray:6 4; }
.chart .threshold.gate { stroke:var(--failed); } .chart .threshold.warn { stroke:#e8a700; }
.chart .threshold-label { font-size:10px; } .chart .threshold-label.gate { fill:var(--failed); }
.chart .threshold-label.warn { fill:#b08000; }
.chart .coverage { fill:none; stroke:#1c7ed6; stroke-width:1.5; }
.chart .point { stroke:#fff; stroke-width:1; }
.chart .point.state-published { fill:var(--published); }
.chart .point.state-published_warning { fill:var(--published_warning); stroke:#8a6d00; }
.chart .point.state-blocked { fill:var(--blocked); } .chart .point.state-failed { fill:var(--failed); }
"""

SCRIPT = """
(function () {
  "use strict";
  var list = document.getElementById("detail");
  var empty = document.getElementById("detail-empty");
  function show(cell) {
    var previous = document.querySelector(".day.selected");
    if (previous) { previous.classList.remove("selected"); }
    cell.classList.add("selected");
    list.querySelectorAll("dd[data-field]").forEach(function (field) {
      field.textContent = cell.getAttribute("data-" + field.getAttribute("data-field")) || "\\u2014";
    });
    list.hidden = false;
    empty.hidden = true;
  }
  function showHash() {
    var day = location.hash.slice(1);
    var cell = /^\\d{4}-\\d{2}-\\d{2}$/.test(day) && document.querySelector('#calendar .day[data-date="' + day + '"]');
    if (cell) { show(cell); }
  }
  var cells = document.querySelectorAll("#calendar .day");
  cells.forEach(function (cell) {
    cell.addEventListener("click", function () {
      show(cell);
      history.replaceState(null, "", "#" + cell.getAttribute("data-date"));
    });
  });
  window.addEventListener("hashchange", showHash);
  showHash();
  document.body.setAttribute("data-rendered", String(cells.length));
})();
"""
