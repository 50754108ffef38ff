"""Coverage per season as inline SVG: one point per game date, and the gate and warning bars each date
was gated with (the thresholds its verdict recorded; a range gated with other bars shows the steps). This module
computes what to draw, coordinates formatted; templates/chart.html.j2 draws it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from backfill.cli.report.data import STATE_LABELS
from backfill.cli.report.text import coverage_text
from league.calendar import season_name
from validation.rules import GateRules

CHART_WIDTH, CHART_HEIGHT, MARGIN, RIGHT_MARGIN = 960, 240, 44, 84
DEFAULT_RULES = GateRules()  # the bars drawn for a season whose ledger has no thresholds recorded


@dataclass(frozen=True)
class Tick:
    x1: str
    x2: str
    y1: str
    y2: str
    text_x: str
    text_y: str
    label: str


@dataclass(frozen=True)
class Bar:
    """A dashed threshold across the chart, stepping where the recorded threshold changes."""

    kind: str  # gate | warn
    value: str
    points: str
    label_x: str
    label_y: str
    label: str


@dataclass(frozen=True)
class Dot:
    state: str
    x: str
    y: str
    radius: int
    title: str


@dataclass(frozen=True)
class SeasonChart:
    season: int
    label: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    thresholds: list[Bar] = field(default_factory=list)
    line: str = ""
    dots: list[Dot] = field(default_factory=list)  # none: no coverage recorded for the season in the range


def coverage_charts(days: pd.DataFrame) -> list[SeasonChart]:
    seasons = sorted(int(s) for s in days["season"].dropna().unique())
    return [_season_chart(days[days["season"] == season], season) for season in seasons]


def thresholds_in_force(season_days: pd.DataFrame, column: str) -> pd.Series:
    """Per game date, the threshold its latest verdict was gated with; a date without one (never run, or
    recorded before thresholds were) takes its neighbour's, and a season without any the default."""
    game_days = season_days[season_days["state"] != "off_day"]
    recorded = game_days.set_index("day")[column].astype("float64")
    return recorded.ffill().bfill().fillna(float(getattr(DEFAULT_RULES, column)))


def _season_chart(season_days: pd.DataFrame, season: int) -> SeasonChart:
    label = season_name(season)
    points = season_days[season_days["coverage"].notna()]
    if points.empty:
        return SeasonChart(season, label)
    axis = _TimeAxis(season_days["day"].min(), season_days["day"].max())
    days, coverage = pd.DatetimeIndex(points["day"]), points["coverage"].to_numpy(dtype=float)
    rows = zip(days, coverage, points.itertuples(index=False), strict=True)
    coords = [(axis.x(day), _y(share), row) for day, share, row in rows]
    return SeasonChart(
        season,
        label,
        y_ticks=_y_ticks(),
        x_ticks=_x_ticks(axis),
        thresholds=[
            _threshold(thresholds_in_force(season_days, "min_coverage"), "gate", axis),
            _threshold(thresholds_in_force(season_days, "warn_coverage"), "warn", axis),
        ],
        line=" ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _ in coords),
        dots=[_dot(cx, cy, row) for cx, cy, row in coords],
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


def _y_ticks() -> list[Tick]:
    """Grid lines across the chart at 0, 25, 50, 75 and 100% coverage."""
    ticks = []
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = f"{_y(share):.1f}"
        ticks.append(
            Tick(
                str(MARGIN),
                str(CHART_WIDTH - RIGHT_MARGIN),
                y,
                y,
                str(MARGIN - 6),
                f"{_y(share) + 4:.1f}",
                f"{share:.0%}",
            )
        )
    return ticks


def _x_ticks(axis: _TimeAxis) -> list[Tick]:
    """A mark below the chart at the first of each month."""
    bottom = CHART_HEIGHT - MARGIN
    ticks = []
    for month in axis.month_ticks():
        x = f"{axis.x(month):.1f}"
        ticks.append(Tick(x, x, str(bottom), str(bottom + 5), x, str(bottom + 18), month.strftime("%b %Y")))
    return ticks


def _threshold(shares: pd.Series, kind: str, axis: _TimeAxis) -> Bar:
    """Stepping where the recorded threshold changes; labelled with its last value."""
    left, right = MARGIN, CHART_WIDTH - RIGHT_MARGIN
    steps = shares[shares.ne(shares.shift())]  # the first date of each run of one value
    corners: list[tuple[float, float]] = []
    for number, (day, share) in enumerate(zip(pd.DatetimeIndex(steps.index), steps.to_numpy(dtype=float), strict=True)):
        x = left if number == 0 else axis.x(day)
        corners += ([(x, corners[-1][1])] if corners else []) + [(x, _y(float(share)))]
    corners.append((right, corners[-1][1]))
    last = float(shares.iloc[-1])
    y = corners[-1][1]
    name, label_y = (f"{last:.0%} gate", y + 11) if kind == "gate" else (f"{last:.0%} warning", y - 3)
    path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)
    return Bar(kind, f"{last:g}", path, str(right + 6), f"{label_y:.1f}", name)


def _dot(x: float, y: float, row: Any) -> Dot:
    title = f"{row.day.date().isoformat()}: {coverage_text(row.coverage)} ({STATE_LABELS[row.state]})"
    return Dot(row.state, f"{x:.1f}", f"{y:.1f}", 3 if row.state == "published" else 5, title)  # blocked stand out
