"""Coverage per season as inline SVG: one point per game date, and the gate and warning bars each date
was gated with (the thresholds its verdict recorded; a range gated with other bars shows the steps)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from backfill.cli.report.data import STATE_LABELS
from backfill.cli.report.text import coverage_text
from league.calendar import season_name
from validation.rules import GateRules

CHART_WIDTH, CHART_HEIGHT, MARGIN, RIGHT_MARGIN = 960, 240, 44, 84
DEFAULT_RULES = GateRules()  # the bars drawn for a season whose ledger has no thresholds recorded


def coverage_charts(days: pd.DataFrame) -> str:
    seasons = sorted(int(s) for s in days["season"].dropna().unique())
    charts = [_season_chart(days[days["season"] == season], season) for season in seasons]
    body = "".join(charts) or '<p class="hint">No game dates in this range.</p>'
    return f'<section class="charts"><h2>Coverage per season</h2>{body}</section>'


def thresholds_in_force(season_days: pd.DataFrame, column: str) -> pd.Series:
    """Per game date, the threshold its latest verdict was gated with; a date without one (never run, or
    recorded before thresholds were) takes its neighbour's, and a season without any the default."""
    game_days = season_days[season_days["state"] != "off_day"]
    recorded = game_days.set_index("day")[column].astype("float64")
    return recorded.ffill().bfill().fillna(float(getattr(DEFAULT_RULES, column)))


def _season_chart(season_days: pd.DataFrame, season: int) -> str:
    label = season_name(season)
    points = season_days[season_days["coverage"].notna()]
    if points.empty:
        return f'<h3>{label}</h3><p class="hint">No coverage recorded for {label} in this range yet.</p>'
    axis = _TimeAxis(season_days["day"].min(), season_days["day"].max())
    parts = [
        _y_axis(),
        _x_axis(axis),
        _threshold(thresholds_in_force(season_days, "min_coverage"), "gate", axis),
        _threshold(thresholds_in_force(season_days, "warn_coverage"), "warn", axis),
    ]
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


def _threshold(shares: pd.Series, kind: str, axis: _TimeAxis) -> str:
    """A dashed bar across the chart, stepping where the recorded threshold changes; labelled with its
    last value."""
    left, right = MARGIN, CHART_WIDTH - RIGHT_MARGIN
    steps = shares[shares.ne(shares.shift())]  # the first date of each run of one value
    corners: list[tuple[float, float]] = []
    for number, (day, share) in enumerate(steps.items()):
        x = left if number == 0 else axis.x(pd.Timestamp(day))
        corners += ([(x, corners[-1][1])] if corners else []) + [(x, _y(float(share)))]
    corners.append((right, corners[-1][1]))
    last = float(shares.iloc[-1])
    y = corners[-1][1]
    name, label_y = (f"{last:.0%} gate", y + 11) if kind == "gate" else (f"{last:.0%} warning", y - 3)
    path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)
    return (
        f'<polyline class="threshold {kind}" data-threshold="{last:g}" points="{path}"/>'
        f'<text class="threshold-label {kind}" x="{right + 6}" y="{label_y:.1f}">{name}</text>'
    )


def _coverage_line(points: pd.DataFrame, axis: _TimeAxis) -> str:
    coords = [(axis.x(row.day), _y(float(row.coverage)), row) for row in points.itertuples(index=False)]
    path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _ in coords)
    dots = "".join(
        f'<circle class="point state-{row.state}" cx="{cx:.1f}" cy="{cy:.1f}" r="{_point_radius(row.state)}">'
        f"<title>{row.day.date().isoformat()}: {coverage_text(row.coverage)} ({STATE_LABELS[row.state]})"
        "</title></circle>"
        for cx, cy, row in coords
    )
    return f'<polyline class="coverage" points="{path}"/>{dots}'


def _point_radius(state: str) -> int:
    return 3 if state == "published" else 5  # the dates below the bar stand out
