"""Reconciliation (SPEC §6.7, §7 `validate`): completeness and consistency of what the tables hold, per date.

A date needs attention when it is a game date outside the bootstrap window with nothing published (pending,
blocked or failed), or when what is published falls below the bar, holds rows for players who did not play,
holds values out of range, disagrees with the ledger or has duplicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from validation.gate import SKIPPED_BOOTSTRAP

CHECKS = {
    "not_published": "a game date with nothing published (never run, blocked or failed)",
    "duplicates": "more than one row for a (game_date, player_lookup) key",
    "rows_without_ledger": "rows in PCF but the ledger never published the date",
    "ledger_published_rows_missing": "fewer rows in PCF than the date's latest publish wrote",
    "coverage_below_bar": "published players ÷ players who played is below the bar",
    "rows_for_non_players": "rows for players who did not play in the date's final games",
    "values_out_of_range": "scores outside SPEC §5.5, NULL, or a total that is not the sum of its parts",
    "published_without_players": "rows in PCF for a date with no active box scores",
    "bootstrap_with_rows": "rows in PCF for a date in a season's bootstrap window",
    "skipped_but_not_bootstrap": "recorded as skipped_bootstrap, but outside the bootstrap window",
}
# Dates whose published rows are wrong are recomputed; dates with nothing published just need a run.
RECOMPUTE = ("duplicates", "ledger_published_rows_missing", "coverage_below_bar", "rows_for_non_players",
             "values_out_of_range", "rows_without_ledger")  # fmt: skip


def reconcile(facts: pd.DataFrame, min_coverage: float) -> pd.DataFrame:
    """facts per date (see backfill.date_facts.date_facts) → the same rows with `state`, `coverage` and
    `problems` (comma-separated check names, '' when clean)."""
    game_date, bootstrap = facts["is_game_date"].astype(bool), facts["bootstrap"].astype(bool)
    has_rows = facts["pcf_rows"] > 0
    coverage = facts["published_coverage"]
    findings = {
        # a date whose games are all unfinished needs attention once a run has seen it (blocked)
        "not_published": game_date & ~bootstrap & ~has_rows
        & ((facts["games"] > 0) | facts["last_status"].isin(["blocked", "failed"])),
        "duplicates": facts["pcf_rows"] > facts["pcf_players"],
        "rows_without_ledger": has_rows & ~facts["ever_published"].astype(bool),
        "ledger_published_rows_missing": facts["ever_published"].astype(bool)
        & (facts["pcf_rows"] < facts["ledger_published_players"]),
        "coverage_below_bar": has_rows & (coverage < min_coverage),
        "rows_for_non_players": (facts["rows_for_non_players"] > 0) & (facts["expected_players"] > 0),
        "values_out_of_range": facts["rows_out_of_range"] > 0,
        "published_without_players": has_rows & (facts["expected_players"] == 0),
        "bootstrap_with_rows": bootstrap & has_rows,
        "skipped_but_not_bootstrap": game_date & ~bootstrap & (facts["last_status"] == SKIPPED_BOOTSTRAP),
    }
    flags = pd.DataFrame(findings, index=facts.index).fillna(False).astype(bool)
    names = np.array(list(findings))
    problems = [", ".join(names[row]) for row in flags.to_numpy()]
    state = facts["last_status"].where(game_date, "not_a_game_date")
    return facts.assign(state=state, coverage=coverage, problems=problems)


def needs_attention(report: pd.DataFrame) -> pd.DataFrame:
    return report[report["problems"] != ""]


def needs_recompute(problems: pd.Series) -> pd.Series:
    """Per date: True when its published rows must be recomputed (`--rerun all`), not just run."""
    return problems.astype(str).str.split(", ").map(lambda names: any(name in RECOMPUTE for name in names))


