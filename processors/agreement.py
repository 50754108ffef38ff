"""Cross-source agreement (SPEC §6.9): UPCG is verified against the box scores before it is trusted.

Where UPCG holds a player who played, the §3 context rebuilt from box scores is computed too and the
two are compared field by field within small tolerances. A date where more than a share of players
disagree holds stale context: the policy then builds it from box scores (or blocks, under `upcg`).
The comparison needs the season's box-score history to be complete; a date without it is not compared.
A field whose box-score side was built from incomplete inputs (pace_differential from a team's pace history
with TGS lines missing) is not compared on that row: it cannot vouch for UPCG, nor count against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from processors.factor_inputs import as_flag, as_float

# field → absolute tolerance (counts and flags must match exactly; floats may differ by rounding upstream)
AGREEMENT_FIELDS: dict[str, float] = {
    "days_rest": 0.0,
    "back_to_back": 0.0,
    "games_in_last_7_days": 0.0,
    "minutes_in_last_7_days": 0.5,
    "back_to_backs_last_14_days": 0.0,
    "avg_usage_rate_last_7_games": 0.5,
    "pace_differential": 0.5,
}
FLAG_FIELDS = ("back_to_back",)
FLOAT_SLACK = 1e-9
NOT_COMPARED = "history incomplete: not compared"


@dataclass(frozen=True)
class AgreementRules:
    max_disagreeing_share: float = 0.10  # more than this share of compared players disagreeing → UPCG stale


def field_disagreements(upcg: pd.DataFrame, synthetic: pd.DataFrame) -> pd.DataFrame:
    """Per compared row and field: True where the two sources differ beyond the field's tolerance
    (both missing agrees; one missing does not)."""
    differ = {}
    for name, tolerance in AGREEMENT_FIELDS.items():
        if name in FLAG_FIELDS:
            differ[name] = as_flag(upcg[name]) != as_flag(synthetic[name])
            continue
        a, b = as_float(upcg[name]), as_float(synthetic[name])
        with np.errstate(invalid="ignore"):
            close = np.abs(a - b) <= tolerance + FLOAT_SLACK
        differ[name] = ~((np.isnan(a) & np.isnan(b)) | close)
    return pd.DataFrame(differ, index=upcg.index)


def agreement_facts(
    compared: pd.DataFrame,
    upcg: pd.DataFrame,
    synthetic: pd.DataFrame,
    history_missing: pd.Series,
    rules: AgreementRules,
    unchecked: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Per date (history_missing's index): players compared, players disagreeing, the per-field counts
    ('days_rest 108, games_in_last_7_days 98'), a note when not compared, stale or not, and the reason text.

    `compared` holds game_date per compared row; `upcg` and `synthetic` the context of the same rows;
    `unchecked` per field, True on the compared rows whose box-score value was built from incomplete inputs."""
    dates = history_missing.index
    position = dates.get_indexer(pd.DatetimeIndex(compared["game_date"]))  # -1: not one of the dates
    whole = (position >= 0) & np.append(history_missing.eq("").to_numpy(dtype=bool), False)[position]
    fields = list(AGREEMENT_FIELDS)
    differ = field_disagreements(upcg.loc[whole, fields], synthetic.loc[whole, fields])
    for name, rows in (unchecked or {}).items():
        differ[name] &= ~np.asarray(rows, dtype=bool)[whole]
    day = position[whole]

    def per_date(flags: np.ndarray | None = None) -> pd.Series:
        """How many compared rows of each date (carry the flag, when given)."""
        return pd.Series(np.bincount(day, weights=flags, minlength=len(dates)).astype("int64"), index=dates)

    per_field = pd.DataFrame({name: per_date(differ[name].to_numpy(dtype=float)) for name in fields}, index=dates)
    checked = per_date()
    disagreeing = per_date(differ.to_numpy().any(axis=1).astype(float))
    held = pd.Series(np.bincount(position[position >= 0], minlength=len(dates)), index=dates)
    stale = (checked > 0) & (disagreeing > rules.max_disagreeing_share * checked)
    field_counts, names = _field_texts(per_field)
    reason = "upcg_disagrees " + disagreeing.astype(str) + "/" + checked.astype(str) + ": " + names
    notes = pd.Series(np.where((history_missing != "") & (held > 0), NOT_COMPARED, ""), index=dates, dtype=str)
    for name, rows in (unchecked or {}).items():
        skipped = per_date(np.asarray(rows, dtype=bool)[whole].astype(float))
        note = f"{name} not compared for " + skipped.astype(str) + " (box-score inputs incomplete)"
        notes = (notes + "; " + note.where(skipped > 0, "")).str.strip("; ")
    return pd.DataFrame(
        {
            "agreement_checked": checked,
            "agreement_disagreeing": disagreeing,
            "agreement_fields": field_counts,
            "agreement_note": notes,
            "upcg_stale": stale,
            "upcg_disagrees": reason.where(stale, ""),
        },
        index=dates,
    )


def _field_texts(per_field: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per date, the fields that disagree, most first: with counts ('days_rest 108, …') and names only.
    Only dates with a disagreement are spelled out (usually none)."""
    counts = pd.Series("", index=per_field.index, dtype=object)
    names = pd.Series("", index=per_field.index, dtype=object)
    for day, row in per_field[per_field.to_numpy().sum(axis=1) > 0].iterrows():
        ranked = row[row > 0].sort_values(ascending=False, kind="stable")
        counts[day] = ", ".join(f"{name} {int(count)}" for name, count in ranked.items())
        names[day] = ", ".join(str(name) for name in ranked.index)
    return counts, names
