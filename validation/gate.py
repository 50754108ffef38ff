"""The coverage gate (SPEC §6.4): per date, publish, block or fail — decided from numbers only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from validation.rules import FORCED_PREFIX, GateRules
from vocabulary import SYNTHETIC_SOURCES, BlockedBy, DateStatus

# What validation/box_scores.py finds per date (one text each, '' where nothing is wrong); named here, not
# imported, so the reading commands that load the gate's words never load the processing stack.
BOX_SCORE_FACTS = [
    "pgs_teams_differ",
    "duplicate_rows",
    "tgs_teams_differ",
    "tgs_missing_games",
    "unbalanced_games",
    "history_partial",
    "tgs_history_missing",
]
GATE_INPUT_COLUMNS = [
    "expected_players",
    "row_count",
    "context_source",
    "final_games",
    "missing_games",
    "unfinished_games",
    "history_missing",
    *BOX_SCORE_FACTS,
    "psza_rows",
    "psza_players",
    "psza_expected",
    "tdza_rows",
    "tdza_teams",
    "tdza_expected",
    "candidate_completeness",
    "candidate_zeroed_scores",
    "previous_players",
    "previous_completeness",
    "previous_zeroed_scores",
    "out_of_range_rows",
    "error",
    "upcg_disagrees",
    "audit_block",
    "changed_players",
    "identity_conflicts",
]
QUALITY_TOLERANCE = 1e-9


# The texts below are built per date in Python: a gate judges a few dozen dates, where each pandas string
# operation costs more than formatting every date's text.
def percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    share = (100.0 * part / whole.where(whole > 0)).fillna(0.0)
    return pd.Series([f"{value:.1f}%" for value in share.tolist()], index=part.index, dtype="str")


def coverage_of(facts: pd.DataFrame) -> pd.Series:
    expected = facts["expected_players"]
    return (facts["row_count"] / expected.where(expected > 0)).astype("float64")


def _fraction_text(part: pd.Series, whole: pd.Series) -> pd.Series:
    pairs = zip(part.astype("int64").tolist(), whole.astype("int64").tolist(), strict=True)
    return pd.Series([f"{done}/{of}" for done, of in pairs], index=part.index, dtype="str")


def regression_flags(facts: pd.DataFrame) -> pd.Series:
    """New rows of lower quality than the published ones: fewer players, lower mean completeness,
    or more component scores zeroed by missing inputs (SPEC §6.4)."""
    previous = facts["previous_players"].fillna(0) > 0
    fewer = facts["row_count"] < facts["previous_players"]
    less_complete = facts["candidate_completeness"] < facts["previous_completeness"] - QUALITY_TOLERANCE
    more_zeroed = facts["candidate_zeroed_scores"] > facts["previous_zeroed_scores"]
    return previous & (fewer | less_complete | more_zeroed)


def regression_text(facts: pd.DataFrame) -> pd.Series:
    columns = [
        facts["previous_players"].fillna(0).astype("int64"),
        facts["row_count"].astype("int64"),
        facts["previous_completeness"].fillna(0),
        facts["candidate_completeness"].fillna(0),
        facts["previous_zeroed_scores"].fillna(0).astype("int64"),
        facts["candidate_zeroed_scores"].fillna(0).astype("int64"),
    ]
    texts = [
        f"regression: players {players} → {rows}, completeness {previous:.1f} → {candidate:.1f}, "
        f"zeroed scores {zeroed_before} → {zeroed_now}"
        for players, rows, previous, candidate, zeroed_before, zeroed_now in zip(
            *(column.tolist() for column in columns), strict=True
        )
    ]
    return pd.Series(texts, index=facts.index, dtype="str")


def block_reasons(facts: pd.DataFrame, coverage: pd.Series, rules: GateRules) -> pd.DataFrame:
    """Why each date may not publish without --force (regression is judged apart: it yields only to
    --allow-regression): the rule (`cause`) and the sentence (`reason`); the first matching rule wins.
    Empty strings: no objection."""
    below = (
        "coverage "
        + _fraction_text(facts["row_count"], facts["expected_players"])
        + " ("
        + percent(facts["row_count"], facts["expected_players"])
        + f") below {rules.min_coverage:.0%}"
    )
    needs_history = facts["context_source"].isin(SYNTHETIC_SOURCES)
    stale_upcg, audit_block = _text(facts, "upcg_disagrees"), _text(facts, "audit_block")
    identity_conflicts = _text(facts, "identity_conflicts")
    stale_upcg_used = ~needs_history & (stale_upcg != "")  # only `--source upcg` keeps it
    zone_note = _text(facts, "zone_note").map(lambda note: f"; {note}" if note else "")  # which way rows are off
    psza_share = facts["psza_players"] / facts["psza_expected"].where(facts["psza_expected"] > 0)
    tdza_share = facts["tdza_teams"] / facts["tdza_expected"].where(facts["tdza_expected"] > 0)
    box = {column: _text(facts, column) for column in BOX_SCORE_FACTS}  # validation/box_scores.py
    rules_in_order: list[tuple[pd.Series, str, pd.Series | str]] = [
        (box["pgs_teams_differ"] != "", BlockedBy.UPSTREAM_PARTIAL, "upstream_partial pgs: " + box["pgs_teams_differ"]),
        (
            facts["missing_games"] != "",
            BlockedBy.UPSTREAM_MISSING,
            "upstream_missing pgs: games " + facts["missing_games"],
        ),
        (facts["unfinished_games"] != "", BlockedBy.GAMES_NOT_FINAL, "games not final: " + facts["unfinished_games"]),
        (facts["expected_players"] == 0, BlockedBy.UPSTREAM_MISSING, "upstream_missing pgs: no active box scores"),
        (identity_conflicts != "", BlockedBy.IDENTITY_CONFLICT, "identity_conflict " + identity_conflicts),
        (
            box["duplicate_rows"] != "",
            BlockedBy.UPSTREAM_PARTIAL,
            "upstream_partial pgs: duplicate rows " + box["duplicate_rows"],
        ),
        (box["tgs_teams_differ"] != "", BlockedBy.UPSTREAM_PARTIAL, "upstream_partial tgs: " + box["tgs_teams_differ"]),
        (
            box["tgs_missing_games"] != "",
            BlockedBy.UPSTREAM_MISSING,
            "upstream_missing tgs: games " + box["tgs_missing_games"],
        ),
        (box["unbalanced_games"] != "", BlockedBy.UPSTREAM_PARTIAL, "upstream_partial pgs: " + box["unbalanced_games"]),
        (
            needs_history & (facts["history_missing"] != ""),
            BlockedBy.UPSTREAM_MISSING,
            "upstream_missing history: games " + facts["history_missing"],
        ),
        (
            needs_history & (box["history_partial"] != ""),
            BlockedBy.UPSTREAM_PARTIAL,
            "upstream_partial history: games " + box["history_partial"],
        ),
        (
            needs_history & (box["tgs_history_missing"] != ""),
            BlockedBy.UPSTREAM_MISSING,
            "upstream_missing tgs history: " + box["tgs_history_missing"],
        ),
        (facts["psza_rows"] == 0, BlockedBy.UPSTREAM_MISSING, "upstream_missing psza"),
        (facts["tdza_rows"] == 0, BlockedBy.UPSTREAM_MISSING, "upstream_missing tdza"),
        (
            psza_share < rules.min_coverage,
            BlockedBy.UPSTREAM_PARTIAL,
            "upstream_partial psza " + _fraction_text(facts["psza_players"], facts["psza_expected"]) + zone_note,
        ),
        (
            tdza_share < rules.min_coverage,
            BlockedBy.UPSTREAM_PARTIAL,
            "upstream_partial tdza " + _fraction_text(facts["tdza_teams"], facts["tdza_expected"]) + zone_note,
        ),
        (stale_upcg_used, BlockedBy.UPCG_DISAGREES, stale_upcg),
        (coverage < rules.min_coverage, BlockedBy.COVERAGE, below),
        (audit_block != "", BlockedBy.AUDIT, audit_block),
    ]
    conditions = [condition.fillna(False).astype(bool).to_numpy() for condition, _, _ in rules_in_order]
    return pd.DataFrame(
        {
            "cause": _first_match(conditions, [cause for _, cause, _ in rules_in_order], facts.index),
            "reason": _first_match(conditions, [text for _, _, text in rules_in_order], facts.index),
        }
    )


def _text(facts: pd.DataFrame, column: str) -> pd.Series:
    """An optional text fact ('' where absent)."""
    return facts.get(column, pd.Series("", index=facts.index)).fillna("").astype(str)


def _first_match(conditions: list[np.ndarray], texts: list[pd.Series | str], index: pd.Index) -> pd.Series:
    choices = [
        np.broadcast_to(text, len(index)) if isinstance(text, str) else text.astype(str).to_numpy() for text in texts
    ]
    return pd.Series(np.select(conditions, choices, default=""), index=index)


def evaluate_gate(facts: pd.DataFrame, rules: GateRules) -> pd.DataFrame:
    """facts: GATE_INPUT_COLUMNS per date → status, coverage, reason, blocked_by (the rule, when blocked),
    forced, regression, warning per date.

    --force publishes a blocked date that holds nothing better; a regression (worse than what is
    published) yields only to --allow-regression."""
    coverage = coverage_of(facts)
    objections = block_reasons(facts, coverage, rules)
    blocked_because = objections["reason"]
    # When the inputs pass every completeness check and everyone who played gets a row, a changed set of players is
    # the source's correction (a player added to the box score, one corrected to DNP), not worse data; the rule keeps
    # judging candidates that leave out players who played (a partial reload).
    changed = facts["changed_players"].fillna(0) > 0
    correction = changed & (blocked_because == "") & (facts["row_count"] == facts["expected_players"])
    regression = regression_flags(facts) & ~correction
    error = facts["error"].fillna("").astype(str)
    error = error.where(
        facts["out_of_range_rows"] == 0,
        "range_check: " + facts["out_of_range_rows"].astype(str) + " rows outside the factor ranges",
    )
    has_rows = facts["row_count"] > 0
    forced = (blocked_because != "") & rules.force & (has_rows | (facts["unfinished_games"] != ""))
    regression_blocks = regression & ~rules.allow_regression
    objection = ((blocked_because != "") & ~forced) | regression_blocks
    status = np.select([error != "", objection], [DateStatus.FAILED, DateStatus.BLOCKED], default=DateStatus.PUBLISHED)
    regression_reason = regression_text(facts)
    reason = np.select(
        [error != "", (blocked_because != "") & ~forced, regression_blocks, forced, regression],
        [
            error.to_numpy(),
            blocked_because.to_numpy(),
            regression_reason.to_numpy(),
            (FORCED_PREFIX + blocked_because).to_numpy(),
            ("allowed " + regression_reason).to_numpy(),
        ],
        default="",
    )
    judged = error == ""  # a failed date was not judged by the gate
    blocked_by = objections["cause"].where(judged & (blocked_because != "") & ~forced)
    blocked_by = blocked_by.mask(judged & blocked_by.isna() & regression_blocks, BlockedBy.REGRESSION.value).astype(
        "object"
    )
    published = status == DateStatus.PUBLISHED
    return pd.DataFrame(
        {
            "status": status,
            "coverage": coverage,
            "reason": reason,
            "forced": forced & published,
            "blocked_by": blocked_by.where(blocked_by.notna(), None),
            "allowed_regression": regression & published,
            "warning": published & (coverage < rules.warn_coverage),
        },
        index=facts.index,
    )
