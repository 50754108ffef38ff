"""The commands that repair what `validate` found (SPEC §6.7): the narrowest run per kind of problem, judged with
the audit options of the run that last judged its dates."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from backfill import hints
from backfill.dates import dates_text
from validation.reconcile import repair_mode
from validation.rules import DEFAULT_BASELINE_DATES
from warehouse import Warehouse

if TYPE_CHECKING:
    from validation.audits import AuditRules

Row = dict[str, Any]

RUN_OPTIONS_SQL = "SELECT run_id, options FROM {runs} WHERE run_id IN (SELECT * FROM UNNEST(@run_ids))"


def audit_words_of_runs(wh: Warehouse, run_ids: list[str]) -> dict[str, list[str]]:
    """Per run, the audit options it ran with that differ from the defaults (as `backfill_runs` recorded them):
    a repair of the dates it judged must be judged the same way."""
    if not run_ids:
        return {}
    runs = wh.rows(RUN_OPTIONS_SQL, {"run_ids": sorted(set(run_ids))})
    return {str(run["run_id"]): hints.audit_option_words(recorded_audit_rules(run["options"])) for run in runs}


def recorded_audit_rules(options: object) -> AuditRules:
    """The audit rules a run record's options hold (defaults for a record written before audits existed)."""
    from validation.audits import AuditRules  # the audits' registry: loaded only to repeat a judged run's options

    try:
        audits = json.loads(str(options)).get("audits") or {}
        baseline_dates = int(audits.get("baseline_dates", DEFAULT_BASELINE_DATES))
        return AuditRules(dict(audits.get("thresholds") or {}), baseline_dates)
    except (ValueError, TypeError, AttributeError):  # InvalidSetting is a ValueError: an audit since retired
        return AuditRules()


def repair_commands(
    problems: Sequence[Row],
    base: list[str],
    audit_words: Mapping[str, list[str]] | None = None,
) -> list[str]:
    """The narrowest commands that repair the dates: a plain run for dates with nothing published, a recompute
    (`--rerun all`) for dates whose published rows are wrong, `--rerun stale` for dates whose inputs changed,
    each with the audit options of the run that last judged its dates (`audit_words`, by run id); and
    `validate --recompute` over the dates nothing vouches for."""
    audit_words = audit_words or {}
    groups: dict[tuple[str, tuple[str, ...]], list[date]] = {}
    for row in problems:
        mode = repair_mode(row["problems"])
        options = () if mode == "verify" else tuple(audit_words.get(str(row.get("last_run_id")), []))
        groups.setdefault((mode, options), []).append(row["game_date"])
    return [repair_command(base, mode, dates, words) for (mode, words), dates in sorted(groups.items())]


def repair_command(base: list[str], mode: str, dates: list[date], words: Sequence[str]) -> str:
    if mode == "verify":
        return shlex.join(
            [
                *base,
                "validate",
                "--recompute",
                "--start-date",
                min(dates).isoformat(),
                "--end-date",
                max(dates).isoformat(),
            ]
        )
    rerun = [] if mode == "pending" else ["--rerun", mode]
    return shlex.join([*base, "run", "--dates", dates_text(dates), *rerun, *words])
