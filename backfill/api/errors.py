"""What `raise_for_status()` raises: a command finished, but not every date in scope is where it should be."""

from __future__ import annotations

from datetime import date

from vocabulary import ExitCode
from warehouse import PcfError


class BackfillError(PcfError):
    """A command finished but not every date in scope is where it should be. `reasons` maps each date to why."""

    def __init__(self, message: str, reasons: dict[date, str] | None = None, resume_command: str | None = None):
        super().__init__(message)
        self.reasons = dict(reasons or {})
        self.resume_command = resume_command

    @property
    def dates(self) -> list[date]:
        return sorted(self.reasons)


class DatesBlocked(BackfillError):
    """The gate kept dates back (or the schedule is missing for the range): exit code 3."""

    exit_code = ExitCode.NEEDS_ATTENTION


class DatesFailed(BackfillError):
    """Dates failed (an error while computing, checking or verifying them): exit code 1."""

    exit_code = ExitCode.FAILED


def summary(status: str, reasons: dict[date, str]) -> str:
    listed = "; ".join(f"{day} {reason}" for day, reason in sorted(reasons.items()))
    return f"{len(reasons)} date{'s' if len(reasons) != 1 else ''} {status}: {listed}"
