"""Audits beyond coverage (SPEC §6.9): are the values right, not only is everyone there?

An audit is a pure function of one chunk's `AuditData` (the staged rows' per-date profile, the per-date facts the
processor gathered, and each date's baseline: the median profile of the trailing published dates of its season,
both from `validation.profiles`) and its threshold; it returns a `Finding` per date. The registry `AUDITS` names
each one with its severity: a failing `block` audit blocks the date (`--force` may override it like any block), a
failing `warn` audit is recorded and shown. Adding an audit is one function and one line in `AUDITS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from validation.rules import DEFAULT_BASELINE_DATES, MAX_BASELINE_DATES
from warehouse.errors import InvalidSetting

WARN, BLOCK = "warn", "block"
DEFAULT_UPCG_DISAGREE_SHARE = 0.10
FINDING_COLUMNS = [
    "game_date",
    "audit",
    "value",
    "threshold",
    "baseline",
    "baseline_dates",
    "severity",
    "passed",
    "detail",
]


# --- the registry -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditData:
    """One chunk: per date (all frames share the index) the staged profile, the processor's facts, the baseline."""

    profile: pd.DataFrame
    facts: pd.DataFrame
    baseline: pd.DataFrame


@dataclass(frozen=True)
class Finding:
    value: pd.Series
    passed: pd.Series
    baseline: pd.Series | None = None
    detail: pd.Series | None = None


AuditCheck = Callable[[AuditData, float], Finding]


@dataclass(frozen=True)
class Audit:
    name: str
    severity: str  # warn | block
    threshold: float
    check: AuditCheck
    about: str


def upcg_agreement(data: AuditData, threshold: float) -> Finding:
    """Share of compared UPCG players whose context disagrees with the box scores (the source decision
    acts on it: auto/fill rebuild the context, `--source upcg` blocks)."""
    facts, index = data.facts, data.facts.index
    checked = _column(facts, "agreement_checked", 0).astype(int).to_numpy()
    disagreeing = _column(facts, "agreement_disagreeing", 0).astype(int).to_numpy()
    fields = _column(facts, "agreement_fields", "").astype(str).to_numpy()
    notes = _column(facts, "agreement_note", "").astype(str).to_numpy()
    share = pd.Series(np.where(checked > 0, disagreeing / np.maximum(checked, 1), np.nan), index=index)
    detail = [
        f"{bad}/{seen} disagree" + (f": {named}" if named else "") + (f"; {note}" if note else "")
        if seen
        else (note or "not compared")
        for bad, seen, named, note in zip(disagreeing, checked, fields, notes, strict=True)
    ]
    return Finding(value=share, passed=share.isna() | (share <= threshold), detail=pd.Series(detail, index=index))


def _column(frame: pd.DataFrame, name: str, default: object) -> pd.Series:
    return frame[name].fillna(default) if name in frame else pd.Series(default, index=frame.index)  # type: ignore[arg-type]


def rise_over_baseline(column: str) -> AuditCheck:
    """The value may exceed its baseline by at most the threshold (absolute)."""

    def check(data: AuditData, threshold: float) -> Finding:
        value, base = data.profile[column], data.baseline[column]
        return Finding(value=value, baseline=base, passed=value.isna() | base.isna() | (value - base <= threshold))

    return check


def drop_below_baseline(column: str, relative: bool = False) -> AuditCheck:
    """The value may fall below its baseline by at most the threshold (absolute, or a share of the baseline)."""

    def check(data: AuditData, threshold: float) -> Finding:
        value, base = data.profile[column], data.baseline[column]
        allowed = threshold * base.abs() if relative else threshold
        return Finding(value=value, baseline=base, passed=value.isna() | base.isna() | (base - value <= allowed))

    return check


def shift_from_baseline(column: str) -> AuditCheck:
    """The value may differ from its baseline by at most the threshold, either way."""

    def check(data: AuditData, threshold: float) -> Finding:
        value, base = data.profile[column], data.baseline[column]
        within = (value - base).abs() <= threshold
        return Finding(value=value, baseline=base, passed=value.isna() | base.isna() | within)

    return check


# Thresholds are justified by the four-season demo's spread (docs/audits.md).
AUDITS: tuple[Audit, ...] = (
    Audit(
        "upcg_agreement",
        WARN,
        DEFAULT_UPCG_DISAGREE_SHARE,
        upcg_agreement,
        "share of UPCG players whose context disagrees with the box scores",
    ),
    Audit(
        "shot_zone_zero_share",
        BLOCK,
        0.40,
        rise_over_baseline("shot_zone_zero_share"),
        "share of shot-zone scores exactly 0, rise over the baseline",
    ),
    Audit(
        "pace_zero_share",
        BLOCK,
        0.40,
        rise_over_baseline("pace_zero_share"),
        "share of pace scores exactly 0, rise over the baseline",
    ),
    Audit(
        "usage_spike_zero_share",
        BLOCK,
        0.40,
        rise_over_baseline("usage_spike_zero_share"),
        "share of usage-spike scores exactly 0, rise over the baseline",
    ),
    Audit(
        "fatigue_zero_share",
        BLOCK,
        0.40,
        rise_over_baseline("fatigue_zero_share"),
        "share of fatigue scores exactly 0, rise over the baseline",
    ),
    Audit(
        "mean_completeness",
        BLOCK,
        10.0,
        drop_below_baseline("mean_completeness"),
        "mean data_completeness_pct, drop below the baseline (points)",
    ),
    Audit(
        "players_per_game",
        WARN,
        0.25,
        drop_below_baseline("players_per_game", relative=True),
        "players per game, drop below the baseline (share of it)",
    ),
    Audit(
        "fatigue_mean", WARN, 15.0, shift_from_baseline("fatigue_mean"), "mean fatigue score, shift from the baseline"
    ),
    Audit(
        "shot_zone_mean",
        WARN,
        3.0,
        shift_from_baseline("shot_zone_mean"),
        "mean shot-zone score, shift from the baseline",
    ),
    Audit("pace_mean", WARN, 1.0, shift_from_baseline("pace_mean"), "mean pace score, shift from the baseline"),
    Audit(
        "usage_spike_mean",
        WARN,
        1.0,
        shift_from_baseline("usage_spike_mean"),
        "mean usage-spike score, shift from the baseline",
    ),
)
AUDIT_NAMES = tuple(audit.name for audit in AUDITS)


@dataclass(frozen=True)
class AuditRules:
    """How strict the audits are: thresholds by audit name (defaults from `AUDITS`) and how many
    trailing published dates make a baseline."""

    thresholds: Mapping[str, float] = field(default_factory=dict)
    baseline_dates: int = DEFAULT_BASELINE_DATES

    def __post_init__(self) -> None:
        unknown = sorted(set(self.thresholds) - set(AUDIT_NAMES))
        if unknown:
            raise InvalidSetting(
                "audit_thresholds",
                "{field}: unknown audit {unknown}; expected one of {names}",
                unknown=", ".join(unknown),
                names=", ".join(AUDIT_NAMES),
            )
        bad = [
            f"{name}={value}"
            for name, value in self.thresholds.items()
            if not isinstance(value, int | float) or not np.isfinite(value) or value < 0
        ]
        if bad:
            raise InvalidSetting(
                "audit_thresholds", "{field}: {bad}: a threshold must be a finite number ≥ 0", bad=", ".join(bad)
            )
        if (
            isinstance(self.baseline_dates, bool)
            or not isinstance(self.baseline_dates, int)
            or not (1 <= self.baseline_dates <= MAX_BASELINE_DATES)
        ):
            raise InvalidSetting(
                "baseline_dates",
                "{field}: {value} must be a whole number from 1 to {most}",
                value=self.baseline_dates,
                most=MAX_BASELINE_DATES,
            )

    def threshold(self, audit: Audit) -> float:
        return float(self.thresholds.get(audit.name, audit.threshold))

    @property
    def upcg_disagree_share(self) -> float:
        return self.threshold(AUDITS[0])


def run_audits(data: AuditData, rules: AuditRules) -> pd.DataFrame:
    """Every audit on every date of the chunk: one row each (FINDING_COLUMNS)."""
    dates = data.profile.index
    base_dates = data.baseline["baseline_dates"].astype("int64")
    enough = np.array(
        [
            "no baseline yet"
            if count == 0
            else f"baseline {count} of {rules.baseline_dates} dates"
            if count < rules.baseline_dates
            else ""
            for count in base_dates.to_numpy()
        ],
        dtype=object,
    )
    columns: dict[str, list[np.ndarray]] = {name: [] for name in FINDING_COLUMNS}
    for audit in AUDITS:
        threshold = rules.threshold(audit)
        finding = audit.check(data, threshold)
        baseline = finding.baseline
        columns["game_date"].append(dates.to_numpy())
        columns["audit"].append(np.full(len(dates), audit.name, dtype=object))
        columns["value"].append(finding.value.to_numpy(dtype=float, na_value=np.nan))
        columns["threshold"].append(np.full(len(dates), threshold))
        columns["baseline"].append(
            baseline.to_numpy(dtype=float, na_value=np.nan) if baseline is not None else np.full(len(dates), np.nan)
        )
        columns["baseline_dates"].append(
            base_dates.to_numpy() if baseline is not None else np.zeros(len(dates), dtype="int64")
        )
        columns["severity"].append(np.full(len(dates), audit.severity, dtype=object))
        columns["passed"].append(finding.passed.fillna(True).to_numpy(dtype=bool))
        detail: np.ndarray = finding.detail.to_numpy(dtype=object) if finding.detail is not None else enough
        columns["detail"].append(np.where(detail == "", np.array(None, dtype=object), detail))
    return pd.DataFrame({name: np.concatenate(parts) for name, parts in columns.items()})


def block_reasons(findings: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """Per date, the first failing block audit as `audit shot_zone_zero_share 1.00 vs 0.05` ('' if none)."""
    failing = findings[(findings["severity"] == BLOCK) & ~findings["passed"]]
    if failing.empty:
        return pd.Series("", index=dates)
    text = (
        "audit "
        + failing["audit"]
        + " "
        + failing["value"].map("{:.2f}".format)
        + " vs "
        + failing["baseline"].map("{:.2f}".format)
        + " (threshold "
        + failing["threshold"].map("{:g}".format)
        + ")"
    )
    first = text.groupby(failing["game_date"].to_numpy()).first()
    return first.reindex(dates).fillna("")
