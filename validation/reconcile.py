"""Reconciliation (SPEC §6.7, §7 `validate`): completeness and consistency of what the tables hold, per date.

A date needs attention when it is a game date outside the bootstrap window with nothing published (pending,
blocked or failed), or when what is published falls below the bar, holds rows for players who did not play,
holds values out of range, disagrees with the ledger or has duplicates. Plain values in, plain rows out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vocabulary import DateStatus, InputState

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
    "stale_inputs": "published rows whose inputs (or calculation_version) changed since they were computed",
    "unverified": "published without an input fingerprint: nothing vouches that the rows match their inputs",
}
# Dates whose published rows are wrong are recomputed; dates with nothing published just need a run; stale dates
# are rerun with `--rerun stale`; unverified dates are checked by `validate --recompute`.
RECOMPUTE = (
    "duplicates",
    "ledger_published_rows_missing",
    "coverage_below_bar",
    "rows_for_non_players",
    "values_out_of_range",
    "rows_without_ledger",
)


def failed_checks(facts: Mapping[str, Any], min_coverage: float) -> list[str]:
    """The checks of `CHECKS` one date's facts (see backfill.pipeline.date_facts.date_facts) fail, in their order."""
    game_date, bootstrap = bool(facts["is_game_date"]), bool(facts["bootstrap"])
    has_rows, ever_published = facts["pcf_rows"] > 0, bool(facts["ever_published"])
    coverage = facts["published_coverage"]
    findings = {
        # a date whose games are all unfinished needs attention once a run has seen it (blocked)
        "not_published": game_date
        and not bootstrap
        and not has_rows
        and (facts["games"] > 0 or facts["last_status"] in (DateStatus.BLOCKED, DateStatus.FAILED)),
        "duplicates": facts["pcf_rows"] > facts["pcf_players"],
        "rows_without_ledger": has_rows and not ever_published,
        "ledger_published_rows_missing": ever_published and facts["pcf_rows"] < facts["ledger_published_players"],
        "coverage_below_bar": has_rows and coverage is not None and coverage < min_coverage,  # NaN: no verdict
        "rows_for_non_players": facts["rows_for_non_players"] > 0 and facts["expected_players"] > 0,
        "values_out_of_range": facts["rows_out_of_range"] > 0,
        "published_without_players": has_rows and facts["expected_players"] == 0,
        "bootstrap_with_rows": bootstrap and has_rows,
        "skipped_but_not_bootstrap": game_date
        and not bootstrap
        and facts["last_status"] == DateStatus.SKIPPED_BOOTSTRAP,
        "stale_inputs": has_rows and facts.get("inputs") == InputState.STALE,
        "unverified": has_rows and facts.get("inputs") == InputState.UNVERIFIED,
    }
    return [name for name, failed in findings.items() if failed]


def reconcile(facts: Sequence[Mapping[str, Any]], min_coverage: float) -> list[dict[str, Any]]:
    """facts per date → the same rows with `state`, `coverage` and `problems` (the names of the checks of `CHECKS`
    the date fails, in their order; empty when clean)."""
    return [
        {
            **row,
            "state": row["last_status"] if row["is_game_date"] else "not_a_game_date",
            "coverage": row["published_coverage"],
            "problems": failed_checks(row, min_coverage),
        }
        for row in facts
    ]


def needs_attention(report: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [row for row in report if row["problems"]]


def needs_recompute(problems: Sequence[str]) -> bool:
    """True when a date's published rows must be recomputed (`--rerun all`), not just run."""
    return any(name in RECOMPUTE for name in problems)


def repair_mode(problems: Sequence[str]) -> str:
    """How a date's problems (check names) are repaired: `all` (recompute), `stale` (`run --rerun stale`), `verify`
    (`validate --recompute`) or `pending` (a plain run)."""
    if needs_recompute(problems):
        return "all"
    if "stale_inputs" in problems:
        return "stale"
    if "not_published" not in problems and "unverified" in problems:
        return "verify"
    return "pending"
