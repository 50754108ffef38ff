"""The coverage gate (SPEC §6.4): per date, publish, block or fail — decided from numbers only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from warehouse.errors import BadInput

PUBLISHED, BLOCKED, FAILED, SKIPPED_BOOTSTRAP = "published", "blocked", "failed", "skipped_bootstrap"
GATE_INPUT_COLUMNS = [
    "expected_players", "row_count", "current_coverage", "psza_rows", "tdza_rows", "out_of_range_rows", "error",
]  # fmt: skip


def checked_fraction(option: str, value: float) -> float:
    if not 0.0 < value <= 1.0:  # NaN fails this too
        raise BadInput(f"{option}: {value} is out of range; expected a fraction in (0, 1], e.g. 0.90")
    return value


@dataclass(frozen=True)
class GateRules:
    min_coverage: float = 0.90
    warn_coverage: float = 0.95
    force: bool = False
    force_reason: str | None = None

    def __post_init__(self) -> None:
        checked_fraction("--min-coverage", self.min_coverage)
        checked_fraction("--warn-coverage", self.warn_coverage)
        if self.warn_coverage < self.min_coverage:
            raise BadInput(
                f"--warn-coverage: {self.warn_coverage} is below --min-coverage {self.min_coverage}; "
                "expected min ≤ warn ≤ 1"
            )
        if self.force and not (self.force_reason or "").strip():
            raise BadInput('--force needs --reason "why these dates may publish below the gate"')
        if self.force_reason is not None and not self.force:
            raise BadInput("--reason is recorded only with --force; add --force or drop --reason")


def percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100.0 * part / whole.where(whole > 0)).fillna(0.0).map("{:.1f}%".format)


def coverage_of(facts: pd.DataFrame) -> pd.Series:
    expected = facts["expected_players"]
    return (facts["row_count"] / expected.where(expected > 0)).astype("float64")


def block_reasons(facts: pd.DataFrame, coverage: pd.Series, rules: GateRules) -> pd.Series:
    """Why each date may not publish (empty string: it may), first matching rule wins."""
    counts = facts["row_count"].astype(str) + "/" + facts["expected_players"].astype(str)
    below = (
        "coverage " + counts + " (" + percent(facts["row_count"], facts["expected_players"])
        + f") below {rules.min_coverage:.0%}"
    )  # fmt: skip
    regression = "regression " + coverage.map("{:.3f}".format) + " < published " + facts[
        "current_coverage"
    ].map("{:.3f}".format)
    conditions = [
        facts["expected_players"] == 0,
        facts["psza_rows"] == 0,
        facts["tdza_rows"] == 0,
        coverage < rules.min_coverage,
        facts["current_coverage"].notna() & (coverage < facts["current_coverage"] - 1e-12),
    ]
    choices = ["upstream_missing", "upstream_missing psza", "upstream_missing tdza", below, regression]
    return pd.Series(
        np.select(conditions, [np.broadcast_to(c, len(facts)) if isinstance(c, str) else c.to_numpy()
                               for c in choices], default=""),
        index=facts.index,
    )  # fmt: skip


def evaluate_gate(facts: pd.DataFrame, rules: GateRules) -> pd.DataFrame:
    """facts: GATE_INPUT_COLUMNS per date → status, coverage, reason, forced, warning per date."""
    coverage = coverage_of(facts)
    blocked_because = block_reasons(facts, coverage, rules)
    error = facts["error"].fillna("").astype(str)
    error = error.where(facts["out_of_range_rows"] == 0, "range_check: " + facts["out_of_range_rows"].astype(str)
                        + " rows outside the factor ranges")  # fmt: skip
    forceable = (blocked_because != "") & (facts["expected_players"] > 0) & rules.force
    status = np.select(
        [error != "", (blocked_because != "") & ~forceable], [FAILED, BLOCKED], default=PUBLISHED
    )
    warning = (status == PUBLISHED) & (coverage < rules.warn_coverage)
    reason = np.select(
        [error != "", forceable & (error == ""), blocked_because != ""],
        [error.to_numpy(), ("forced: " + blocked_because).to_numpy(), blocked_because.to_numpy()],
        default="",
    )
    return pd.DataFrame(
        {"status": status, "coverage": coverage, "reason": reason, "forced": forceable & (error == ""),
         "warning": warning},
        index=facts.index,
    )  # fmt: skip
