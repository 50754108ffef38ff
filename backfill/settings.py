"""Settings objects built once by the CLI and handed to the core (which never reads the environment)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from backfill.dates import checked_range, date_range
from validation.rules import GateRules
from vocabulary import SOURCE_POLICIES, ZONE_MODES, SourcePolicy, ZoneMode
from warehouse import Datasets
from warehouse.errors import InvalidSetting

if TYPE_CHECKING:
    from validation.audits import AuditRules

RERUN_MODES = ("pending", "blocked", "failed", "stale", "all")
LABEL = re.compile(r"[^\x00-\x1f\x7f]{1,128}")
# Read by the CLI (root options) and the API (`opened`), passed to the warehouse, which never reads them itself.
EMULATOR_HOST_VARIABLE = "BIGQUERY_EMULATOR_HOST"
CREDENTIALS_VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS"
# BigQuery's tunables a deployment sets once (the lease lifetime for long chunks; the cap on a query's bill).
BIGQUERY_VARIABLES = {"PCF_LEASE_TTL_SECONDS": "lease_ttl", "PCF_MAXIMUM_BYTES_BILLED": "maximum_bytes_billed"}


def bigquery_tuning(environ: Mapping[str, str]) -> dict[str, int]:
    """The BigQuery settings the environment sets, as `connect` takes them; a value that is not a whole number
    names its variable (the bounds are the settings' own: see `BigQuerySettings`)."""
    tuning = {}
    for variable, name in BIGQUERY_VARIABLES.items():
        text = (environ.get(variable) or "").strip()
        if not text:
            continue
        try:
            tuning[name] = int(text)
        except ValueError:
            raise InvalidSetting(variable, "{field}: {value!r} is not a whole number", value=text) from None
    if tuning:  # the bounds are the settings' own; a refusal names the variable that was set
        from warehouse.bigquery.settings import BigQuerySettings

        try:
            BigQuerySettings(**tuning)  # type: ignore[arg-type]  # only whole-number fields are set
        except InvalidSetting as error:
            variable = next(key for key, name in BIGQUERY_VARIABLES.items() if name == error.field)
            raise InvalidSetting(variable, error.template, **error.values) from None
    return tuning


def default_audit_rules() -> AuditRules:
    """The audits' registry comes with their arithmetic (pandas): loaded when a run's settings are built, not
    when a command that runs nothing reads its options."""
    from validation.audits import AuditRules

    return AuditRules()


def audit_threshold(word: str) -> tuple[str, float]:
    """`NAME=VALUE` as --audit-threshold, PCF_AUDIT_THRESHOLD and a config file spell an audit's threshold →
    (name, value); anything else is a ValueError saying so. Whether the audit exists and the value fits it is
    `AuditRules`' to say."""
    name, equals, number = word.partition("=")
    try:
        value = float(number)
    except ValueError:
        equals = ""
    if not equals:
        raise ValueError(f"{word!r}: expected NAME=VALUE, e.g. shot_zone_zero_share=0.6")
    return name.strip(), value


def whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


DEFAULT_CHUNK_DAYS = 90  # a quarter season per read and per publish transaction
MAX_LOOKBACK_DAYS = 36_500  # how far back `catch-up` may look


@dataclass(frozen=True)
class AppSettings:
    warehouse_url: str
    datasets: Datasets
    log_format: str = "auto"
    log_level: str = "info"
    today: date | None = None  # pinned "today" (America/New_York) for replays and tests
    debug: bool = False
    emulator_host: str | None = None  # bigquery:// URLs are served by the BigQuery emulator here
    credentials_file: str | None = None  # else Google is reached with this key file (default: ADC)
    config_file: Path | None = None  # where option defaults came from, if anywhere


@dataclass(frozen=True)
class RunSettings:
    """What a run (or catch-up) was asked to do, checked when built: an error names the field it refuses."""

    start: date
    end: date
    dates: tuple[date, ...] | None = None  # explicit dates instead of every day of [start, end]
    rules: GateRules = field(default_factory=GateRules)
    source: SourcePolicy = "auto"
    rerun: str = "pending"
    dry_run: bool = False
    chunk_days: int = DEFAULT_CHUNK_DAYS
    workers: int = 1
    command: str = "run"
    audits: AuditRules = field(default_factory=default_audit_rules)
    label: str | None = None  # the caller's name for the run (an orchestrator's run or partition), in the ledger
    zones: ZoneMode = "auto"  # zone rows the tables lack or get wrong: built from box scores, or left missing
    season_so_far: bool = False  # catch-up: start no later than the first game of `end`'s season (SPEC §6.10)

    def __post_init__(self) -> None:
        checked_range(self.start, self.end)
        if self.label is not None and not (isinstance(self.label, str) and LABEL.fullmatch(self.label)):
            raise InvalidSetting(
                "label", "{field}: {value!r}; expected 1 to 128 characters, no control characters", value=self.label
            )
        self.check_dates()
        if not isinstance(self.rules, GateRules):
            raise InvalidSetting("rules", "{field}: expected GateRules, got {kind}", kind=type(self.rules).__name__)
        if not whole_number(self.chunk_days) or not 1 <= self.chunk_days <= MAX_LOOKBACK_DAYS:
            raise InvalidSetting(
                "chunk_days",
                "{field}: {value} must be a whole number from 1 to {most}",
                value=self.chunk_days,
                most=MAX_LOOKBACK_DAYS,
            )
        if not whole_number(self.workers) or not 1 <= self.workers <= 16:
            raise InvalidSetting("workers", "{field}: {value} must be between 1 and 16", value=self.workers)
        for name, value, allowed in (
            ("source", self.source, SOURCE_POLICIES),
            ("rerun", self.rerun, RERUN_MODES),
            ("zones", self.zones, ZONE_MODES),
        ):
            if value not in allowed:
                raise InvalidSetting(
                    name, "{field}: {value!r}; expected one of {allowed}", value=value, allowed=", ".join(allowed)
                )

    def check_dates(self) -> None:
        """Explicit dates are real dates inside [start, end]: the lease covers only that range."""
        if self.dates is None:
            return
        if not self.dates or not all(isinstance(day, date) for day in self.dates):
            raise InvalidSetting("dates", "{field}: expected one or more dates, got {value!r}", value=self.dates)
        outside = sorted({day for day in self.dates if not self.start <= day <= self.end})
        if outside:
            raise InvalidSetting(
                "dates",
                "{field}: {outside} outside {start} {first} … {end} {last}",
                outside=", ".join(map(str, outside)),
                first=self.start,
                last=self.end,
            )

    def calendar_days(self) -> list[date]:
        return sorted(set(self.dates)) if self.dates else date_range(self.start, self.end)
