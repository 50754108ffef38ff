"""The gate's settings and defaults (SPEC §6.4): plain values, no pandas, so settings, the ledger's readers and the
command line use them without loading the gate's arithmetic. The words its verdicts record are in `vocabulary`."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.errors import InvalidSetting

FORCED_PREFIX = "forced: "  # how a forced date's reason begins: the objection it was published past
# The default bars (SPEC §6.4): a date publishes at ≥ 90% of who played, with a warning below 95%. Every
# default — the CLI's, the API's, the report's — is these.
DEFAULT_MIN_COVERAGE, DEFAULT_WARN_COVERAGE = 0.90, 0.95
DEFAULT_BASELINE_DATES = 14  # the audits' baseline: the median of this many trailing published dates (SPEC §6.9)
MAX_BASELINE_DATES = 366  # a season has fewer game dates: more would only cost memory (one row per date and player)


def checked_fraction(field: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < value <= 1.0:  # NaN fails too
        raise InvalidSetting(
            field, "{field}: {value!r} is out of range; expected a fraction in (0, 1], e.g. 0.90", value=value
        )
    return value


@dataclass(frozen=True)
class GateRules:
    """When a date publishes, warns or blocks; checked when built (errors name the field)."""

    min_coverage: float = DEFAULT_MIN_COVERAGE
    warn_coverage: float = DEFAULT_WARN_COVERAGE
    force: bool = False
    force_reason: str | None = None  # why forcing or allowing a regression is right (recorded)
    allow_regression: bool = False

    def __post_init__(self) -> None:
        checked_fraction("min_coverage", self.min_coverage)
        checked_fraction("warn_coverage", self.warn_coverage)
        if self.warn_coverage < self.min_coverage:
            raise InvalidSetting(
                "warn_coverage",
                "{warn_coverage}: {warn} is below {min_coverage} {min}; expected min ≤ warn ≤ 1",
                warn=self.warn_coverage,
                min=self.min_coverage,
            )
        has_reason = bool((self.force_reason or "").strip())
        if self.force and not has_reason:
            raise InvalidSetting("force", '{force} needs {force_reason} "why these dates may publish below the gate"')
        if self.allow_regression and not has_reason:
            raise InvalidSetting(
                "allow_regression",
                '{allow_regression} needs {force_reason} "why worse rows may replace published ones"',
            )
        if self.force_reason is not None and not (self.force or self.allow_regression):
            raise InvalidSetting(
                "force_reason",
                "{force_reason} is recorded only with {force} or {allow_regression}; add one or drop {force_reason}",
            )
