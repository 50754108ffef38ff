"""Read-only views of a range: what is published and what the last attempt did (`status`, `report`), and the
reconciliation of the tables (`validate`)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pandas as pd

from backfill import hints
from backfill.ledger import current_states, last_published
from backfill.plan import game_dates
from validation.audits import DEFAULT_BASELINE_DATES, AuditRules
from validation.inputs import PLAYED_SQL
from validation.reconcile import needs_recompute, reconcile
from warehouse import Warehouse

PENDING = "pending"

EXPECTED_SQL = f"""
SELECT game_date, COUNT(DISTINCT player_lookup) AS expected_players FROM ({PLAYED_SQL}) AS played GROUP BY game_date
"""
PCF_SQL = "SELECT game_date, COUNT(*) AS pcf_rows FROM {pcf} WHERE game_date BETWEEN @start AND @end GROUP BY game_date"
# A row is out of range when a score breaks SPEC §5.5, is NULL, or the total is not the sum of its parts.
OUT_OF_RANGE = """(COALESCE(pcf.fatigue_score, -1) NOT BETWEEN 0 AND 100
  OR COALESCE(ABS(pcf.shot_zone_mismatch_score), 99) > 10 OR COALESCE(ABS(pcf.pace_score), 99) > 3
  OR COALESCE(ABS(pcf.usage_spike_score), 99) > 3 OR COALESCE(ABS(pcf.total_composite_adjustment), 99) > 21
  OR COALESCE(ABS(pcf.total_composite_adjustment - (pcf.fatigue_adjustment + pcf.shot_zone_mismatch_score
     + pcf.pace_score + pcf.usage_spike_score)), 99) > 0.005)"""
# What the table holds now, per date: rows, players, who of them played, who did not, values out of range.
PUBLISHED_SQL = f"""
SELECT pcf.game_date, COUNT(*) AS pcf_rows, COUNT(DISTINCT pcf.player_lookup) AS pcf_players,
       COUNT(DISTINCT played.player_lookup) AS matched_players,
       SUM(CASE WHEN played.player_lookup IS NULL THEN 1 ELSE 0 END) AS rows_for_non_players,
       SUM(CASE WHEN {OUT_OF_RANGE} THEN 1 ELSE 0 END) AS rows_out_of_range,
       CASE WHEN MIN(pcf.context_source) = MAX(pcf.context_source) THEN MIN(pcf.context_source) ELSE 'mixed' END
         AS published_source,
       MAX(pcf.run_id) AS published_run_id
FROM {{pcf}} AS pcf
LEFT JOIN ({PLAYED_SQL}) AS played ON played.game_date = pcf.game_date AND played.player_lookup = pcf.player_lookup
WHERE pcf.game_date BETWEEN @start AND @end
GROUP BY pcf.game_date
"""
COUNTS = ["games", "expected_players", "pcf_rows", "pcf_players", "matched_players", "rows_for_non_players",
          "rows_out_of_range", "ledger_published_players"]  # fmt: skip


def date_facts(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """Every date of the range that has league games or PCF rows, with both facts (SPEC §6.7): what is
    published (from the table) and the last attempt (the latest ledger verdict; pending when never run)."""
    params = {"start": start, "end": end}
    games = game_dates(wh, start, end)[["games", "scheduled", "season", "bootstrap"]]
    attempts = current_states(wh, start, end).add_prefix("last_")
    facts = pd.concat(
        [
            games,
            attempts,
            last_published(wh, start, end),
            wh.query(EXPECTED_SQL, params).set_index("game_date"),
            wh.query(PUBLISHED_SQL, params).set_index("game_date"),
        ],
        axis=1,
    ).sort_index()
    facts.index.name = "game_date"
    facts[COUNTS] = facts[COUNTS].apply(pd.to_numeric, errors="coerce").fillna(0).astype("int64")
    facts["is_game_date"] = facts["scheduled"].notna()
    facts["bootstrap"] = facts["bootstrap"].astype("boolean").fillna(False).astype(bool)
    facts["ever_published"] = facts["ever_published"].astype("boolean").fillna(False).astype(bool)
    facts["last_status"] = facts["last_status"].where(facts["last_status"].notna(), PENDING)
    expected = facts["expected_players"]
    facts["published_coverage"] = facts["matched_players"] / expected.where(expected > 0)
    return facts


def date_states(wh: Warehouse, start: date, end: date) -> pd.DataFrame:
    """Every game date with the columns `status` and `report` read: `status`, `reason`, `forced` of the last
    attempt; `published_players`, `coverage`, `context_source`, `run_id` of what the table holds."""
    facts = date_facts(wh, start, end)
    facts = facts[facts["is_game_date"]]
    nothing = facts["pcf_rows"] == 0
    return pd.DataFrame({
        "games": facts["games"], "season": facts["season"], "bootstrap": facts["bootstrap"],
        "status": facts["last_status"], "reason": facts["last_reason"],
        "last_coverage": facts["last_coverage"], "last_run_id": facts["last_run_id"],
        "forced": facts["last_forced"].astype("boolean").fillna(False).astype(bool),
        "force_reason": facts["last_force_reason"],
        "expected_players": facts["expected_players"], "published_players": facts["matched_players"],
        "published_rows": facts["pcf_rows"], "coverage": facts["published_coverage"],
        "context_source": facts["published_source"].where(~nothing, facts["last_context_source"]),
        "source_reason": facts["last_source_reason"], "upcg_state": facts["last_upcg_state"],
        "blocked_by": facts["last_blocked_by"],
        "warning": facts["last_coverage_warning"],
        "min_coverage": facts["last_min_coverage"], "warn_coverage": facts["last_warn_coverage"],
        "run_id": facts["published_run_id"].where(~nothing, None),
    }, index=facts.index)  # fmt: skip


def dated_rows(frame: pd.DataFrame) -> Iterator[tuple[pd.Timestamp, dict[str, Any]]]:
    """(game_date, row as a dict) per row: what `iterrows` gives, at a fraction of its cost on long ranges."""
    return zip(frame.index, frame.to_dict("records"), strict=True)


def summary_counts(report: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in report["status"].value_counts().sort_index().items()}


def reconciliation(wh: Warehouse, start: date, end: date, min_coverage: float) -> pd.DataFrame:
    return reconcile(date_facts(wh, start, end), min_coverage)


RUN_OPTIONS_SQL = "SELECT run_id, options FROM {runs} WHERE run_id IN (SELECT * FROM UNNEST(@run_ids))"


def audit_words_of_runs(wh: Warehouse, run_ids: list[str]) -> dict[str, list[str]]:
    """Per run, the audit options it ran with that differ from the defaults (as `backfill_runs` recorded them):
    a repair of the dates it judged must be judged the same way."""
    if not run_ids:
        return {}
    runs = wh.query(RUN_OPTIONS_SQL, {"run_ids": sorted(set(run_ids))})
    return {str(row.run_id): hints.audit_option_words(recorded_audit_rules(row.options))
            for row in runs.itertuples()}  # fmt: skip


def recorded_audit_rules(options: object) -> AuditRules:
    """The audit rules a run record's options hold (defaults for a record written before audits existed)."""
    try:
        audits = json.loads(str(options)).get("audits") or {}
        baseline_dates = int(audits.get("baseline_dates", DEFAULT_BASELINE_DATES))
        return AuditRules(dict(audits.get("thresholds") or {}), baseline_dates)
    except (ValueError, TypeError, AttributeError):  # InvalidSetting is a ValueError: an audit since retired
        return AuditRules()


def repair_commands(problems: pd.DataFrame, base: list[str], audit_words: Mapping[str, list[str]] | None = None,
                    ) -> list[str]:  # fmt: skip
    """The narrowest runs that repair the dates: a plain run for dates with nothing published, a recompute
    (`--rerun all`) for dates whose published rows are wrong; each with the audit options of the run that
    last judged its dates (`audit_words`, by run id)."""
    audit_words = audit_words or {}
    last_runs = problems["last_run_id"] if "last_run_id" in problems else pd.Series(None, index=problems.index)
    options = [tuple(audit_words.get(str(run), [])) for run in last_runs]
    groups = pd.DataFrame({"recompute": needs_recompute(problems["problems"]), "options": options},
                          index=problems.index)  # fmt: skip
    commands = []
    for (recompute, words), group in groups.groupby(["recompute", "options"], sort=True):
        dates = ",".join(ts.date().isoformat() for ts in group.index)
        commands.append(shlex.join([*base, "run", "--dates", dates, *(["--rerun", "all"] if recompute else []),
                                    *words]))  # fmt: skip
    return commands
