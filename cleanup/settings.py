"""What a cleanup was asked to do, validated once (SPEC §8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from warehouse.errors import InvalidSetting

MODES = ("all", "partial")
MAX_RETENTION_DAYS = 36_500


@dataclass(frozen=True, kw_only=True)
class CleanupSettings:
    """`today` is the America/New_York date, resolved by the CLI; nothing here reads the clock."""

    today: date
    retention_days: int = 7
    mode: str = "all"
    execute: bool = False
    backup: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.today, datetime) or not isinstance(self.today, date):
            raise TypeError(f"today must be a date, got {type(self.today).__name__}")
        retention = self.retention_days
        if isinstance(retention, bool) or not isinstance(retention, int) or not 0 <= retention <= MAX_RETENTION_DAYS:
            raise InvalidSetting(
                "retention_days",
                "{field}: expected a whole number of days from 0 to {most}, got {value!r}",
                most=MAX_RETENTION_DAYS,
                value=retention,
            )
        if self.mode not in MODES:
            raise InvalidSetting(
                "mode", "{field}: expected one of {modes}, got {value!r}", modes=" | ".join(MODES), value=self.mode
            )

    @property
    def cutoff(self) -> date:
        """Rows dated before the cutoff are candidates; the cutoff is never after today."""
        return self.today - timedelta(days=self.retention_days)

    @property
    def dry_run(self) -> bool:
        return not self.execute
