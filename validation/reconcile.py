"""Reconciliation (SPEC §7 `validate`): what the tables hold versus who played and what the ledger says."""

from __future__ import annotations

import numpy as np
import pandas as pd

from validation.gate import PUBLISHED

CHECKS = {
    "duplicates": "more than one row for a (game_date, player_lookup) key",
    "rows_without_ledger": "rows in PCF but the ledger never published the date",
    "ledger_published_rows_missing": "fewer rows in PCF than the date's latest publish wrote",
    "coverage_below_bar": "published players ÷ players who played is below the bar",
    "published_without_players": "rows in PCF for a date with no active box scores",
}


def reconcile(facts: pd.DataFrame, min_coverage: float) -> pd.DataFrame:
    """facts per game date: expected_players, pcf_rows, pcf_players, matched_players, state, ever_published and
    ledger_published_players (of the latest `published` verdict, which a later blocked or failed verdict leaves
    in place) → one row per date with `problems` (comma-separated, '' when clean)."""
    published = facts["state"] == PUBLISHED
    ever_published = facts["ever_published"].astype(bool)
    has_rows = facts["pcf_rows"] > 0
    coverage = facts["matched_players"] / facts["expected_players"].where(facts["expected_players"] > 0)
    findings = {
        "duplicates": facts["pcf_rows"] > facts["pcf_players"],
        "rows_without_ledger": has_rows & ~ever_published,
        "ledger_published_rows_missing": ever_published & (facts["pcf_rows"] < facts["ledger_published_players"]),
        "coverage_below_bar": (published | has_rows) & (coverage < min_coverage),
        "published_without_players": has_rows & (facts["expected_players"] == 0),
    }
    flags = pd.DataFrame(findings, index=facts.index)
    names = np.array(list(findings))
    problems = [", ".join(names[row]) for row in flags.to_numpy()]
    return facts.assign(coverage=coverage, problems=problems)


def needs_attention(report: pd.DataFrame) -> pd.DataFrame:
    return report[report["problems"] != ""]
