"""Settings objects built once by the CLI and handed to the core (which never reads the environment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from backfill.dates import checked_range, date_range
from processors.policy import SourcePolicy
from validation.gate import GateRules
from warehouse import Datasets
from warehouse.errors import BadInput

RERUN_MODES = ("pending", "blocked", "failed", "all")
DEFAULT_CHUNK_DAYS = 90  # a quarter season per read and per publish transaction


@dataclass(frozen=True)
class AppSettings:
    warehouse_url: str
    datasets: Datasets
    log_format: str = "auto"
    log_level: str = "info"
    today: date | None = None  # pinned "today" (America/New_York) for replays and tests
    debug: bool = False


@dataclass(frozen=True)
class RunSettings:
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

    def __post_init__(self) -> None:
        checked_range(self.start, self.end)
        if self.chunk_days < 1:
            raise BadInput(f"--chunk-days: {self.chunk_days} must be a whole number ≥ 1")
        if not 1 <= self.workers <= 16:
            raise BadInput(f"--workers: {self.workers} must be between 1 and 16")
        if self.rerun not in RERUN_MODES:
            raise BadInput(f"--rerun: {self.rerun!r}; expected one of {', '.join(RERUN_MODES)}")

    def calendar_days(self) -> list[date]:
        return sorted(set(self.dates)) if self.dates else date_range(self.start, self.end)
