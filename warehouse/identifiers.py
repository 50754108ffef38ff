"""Identifier validation: the only way a user string ever reaches SQL text."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from warehouse.errors import BadInput

DATASET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,1023}")
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,1023}")
PROJECT_ID = re.compile(r"[a-z][a-z0-9\-]{4,28}[a-z0-9]")


def checked_identifier(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.fullmatch(value):
        raise BadInput(f"invalid {what} {value!r}: must match {pattern.pattern}")
    return value


@dataclass(frozen=True)
class Datasets:
    """Dataset (BigQuery) or schema (DuckDB) names of one deployment."""

    reference: str = "nba_reference"
    analytics: str = "nba_analytics"
    precompute: str = "nba_precompute"
    orchestration: str = "nba_orchestration"

    def __post_init__(self) -> None:
        for field in fields(self):
            checked_identifier(getattr(self, field.name), DATASET_NAME, f"dataset name for {field.name}")

    @classmethod
    def parse(cls, text: str | None) -> Datasets:
        """`reference=ref_x,analytics=an_x` → Datasets; unknown keys are bad input."""
        if not text:
            return cls()
        known = {field.name for field in fields(cls)}
        overrides: dict[str, str] = {}
        for item in text.split(","):
            key, sep, name = item.partition("=")
            key = key.strip()
            if not sep or key not in known:
                raise BadInput(
                    f"--datasets: expected KEY=NAME[,KEY=NAME...] with keys {', '.join(sorted(known))}; got {item!r}"
                )
            overrides[key] = name.strip()
        return cls(**overrides)

    def as_dict(self) -> dict[str, str]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def option_text(self) -> str | None:
        """The --datasets value naming every dataset that differs from the default; None when none does."""
        default = Datasets().as_dict()
        return ",".join(f"{key}={name}" for key, name in self.as_dict().items() if name != default[key]) or None
