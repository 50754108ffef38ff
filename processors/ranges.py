"""What a publishable row's scores may be (SPEC §5.5), declared once: the gate checks computed rows with
`range_violations`, and `status` and `validate` count the published rows that break it with `OUT_OF_RANGE_SQL`,
SQL generated from the same declaration. The SQL needs no pandas: `status` and `validate` load none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# Each score's allowed range, both ends included; a NULL score is out of range.
SCORE_RANGES: dict[str, tuple[float, float]] = {
    "fatigue_score": (0, 100),
    "shot_zone_mismatch_score": (-10, 10),
    "pace_score": (-3, 3),
    "usage_spike_score": (-3, 3),
    "total_composite_adjustment": (-21, 21),
}
# The total is the sum of the stored components (SPEC §5.5); half a cent absorbs the floats' noise.
TOTAL = "total_composite_adjustment"
PARTS = ("fatigue_adjustment", "shot_zone_mismatch_score", "pace_score", "usage_spike_score")
SUM_SLACK = 0.005
KEYS = ("game_date", "player_lookup")  # a computed row without its key cannot be published (checked in Python only)


def range_violations(pcf: pd.DataFrame) -> pd.Series:
    """True for rows that must not be published: a score out of its range or NULL, a total that is not the sum of
    its parts, or a NULL key."""
    import numpy as np
    import pandas as pd

    from processors.factor_inputs import as_float

    violations = np.zeros(len(pcf), dtype=bool)
    for column, (low, high) in SCORE_RANGES.items():
        values = as_float(pcf[column])
        violations |= ~((values >= low) & (values <= high))
    parts = np.sum([as_float(pcf[column]) for column in PARTS], axis=0)
    violations |= ~(np.abs(as_float(pcf[TOTAL]) - parts) <= SUM_SLACK)
    for key in KEYS:
        violations |= pcf[key].isna().to_numpy()
    return pd.Series(violations, index=pcf.index, name="range_violation")


def out_of_range_sql(alias: str) -> str:
    """The SQL condition that a row (of the table aliased `alias`) breaks a range or its sum, as `range_violations`."""
    ranges = [
        f"{alias}.{column} IS NULL OR {alias}.{column} NOT BETWEEN {low} AND {high}"
        for column, (low, high) in SCORE_RANGES.items()
    ]
    gap = f"ABS({alias}.{TOTAL} - ({' + '.join(f'{alias}.{column}' for column in PARTS)}))"
    return "(" + "\n  OR ".join([*ranges, f"{gap} IS NULL OR {gap} > {SUM_SLACK}"]) + ")"


OUT_OF_RANGE_SQL = out_of_range_sql("pcf")
