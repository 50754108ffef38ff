"""The words the product records and answers with, in one place: a date's status, the rule that blocked it, what
UPCG held, where its context came from, whether its inputs still hold, the exit codes. Imports nothing of the
project, so every layer (warehouse, processors, validation, the pipeline, the API, the CLI) reads them from here.

The enums are `StrEnum`s: each member *is* its string, so the ledger's columns, JSON and logs hold the plain words
("published", "coverage"), and a value read back from the warehouse compares equal to the member.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Literal, get_args


class DateStatus(StrEnum):
    """A game date's verdict (SPEC §6.4): the `status` ledger column."""

    PUBLISHED = "published"
    BLOCKED = "blocked"
    FAILED = "failed"
    SKIPPED_BOOTSTRAP = "skipped_bootstrap"


class BlockedBy(StrEnum):
    """Which rule blocked a date (the `blocked_by` ledger column); the reason says the same for people, with the
    numbers."""

    UPSTREAM_MISSING = "upstream_missing"
    GAMES_NOT_FINAL = "games_not_final"
    UPSTREAM_PARTIAL = "upstream_partial"
    UPCG_DISAGREES = "upcg_disagrees"  # UPCG says otherwise than the box scores (SPEC §6.9) and the date uses it
    COVERAGE = "coverage"
    AUDIT = "audit"
    REGRESSION = "regression"
    IDENTITY_CONFLICT = "identity_conflict"  # two players (ids) under one (date, lookup): PCF's key cannot hold both


class UpcgState(StrEnum):
    """What UPCG holds for a date (the `upcg_state` ledger column); the source reason says the same for people,
    with the counts."""

    NO_EXPECTED_PLAYERS = "no_expected_players"
    DISAGREES = "upcg_disagrees"
    COMPLETE = "upcg_complete"
    EMPTY = "upcg_empty"
    PARTIAL = "upcg_partial"


# UPCG covering less of who played is partial (`UpcgState.PARTIAL`): `auto` does not use it, `cleanup --mode
# partial` removes it
UPCG_SUFFICIENT = 0.90


class Source(StrEnum):
    """Where a date's (or a row's) context came from (SPEC §4): the `context_source` column."""

    UPCG = "upcg"
    PGS_SYNTHETIC = "pgs_synthetic"  # built from box-score history
    MIXED = "mixed"  # `fill`: UPCG where it has the player, box scores for the rest


SYNTHETIC_SOURCES = (Source.PGS_SYNTHETIC, Source.MIXED)  # context built (at least partly) from box-score history

# How a date's context source is chosen (SPEC §4).
SourcePolicy = Literal["auto", "fill", "upcg", "pgs"]
SOURCE_POLICIES: tuple[str, ...] = get_args(SourcePolicy)
# Where the zone tables' rows come from (SPEC §6.8): `auto` builds the rows the tables lack or get wrong from the
# box scores, `tables` takes only the tables' own rows that agree with the box scores.
ZoneMode = Literal["auto", "tables"]
ZONE_MODES: tuple[str, ...] = get_args(ZoneMode)
ZONE_FROM_BOX_SCORES = "ZONE_FROM_BOX_SCORES"  # the warning a PCF row carries when its zones were built


class InputState(StrEnum):
    """Is a published date still true to its inputs (SPEC §6.10)? The kind of its inputs reason."""

    FRESH = "fresh"  # the digests its fingerprint recorded equal the digests now
    STALE = "stale"  # some differ, or its rows were computed by another calculation_version
    UNVERIFIED = "unverified"  # published without a fingerprint: nothing can vouch for it


class ContractBreach(StrEnum):
    """How an input column breaks the input contract (SPEC §2)."""

    MISSING_COLUMN = "missing_column"
    WRONG_TYPE = "wrong_type"


class ExitCode(IntEnum):
    """Every command's exit code (SPEC §7). A signal other than these exits 128 + its number."""

    OK = 0  # every date in scope published or legitimately skipped
    FAILED = 1  # a date failed or the warehouse errored
    BAD_INPUT = 2  # a usage error or bad input: nothing written
    NEEDS_ATTENTION = 3  # a date blocked by the gate, a gap `validate` or `freshness` found
    LOCK_HELD = 4  # another run holds the lock for an overlapping range
    INTERRUPTED = 130  # Ctrl-C, an interrupt or the caller's cancel (128 + SIGINT)
    TERMINATED = 143  # the host terminated it (128 + SIGTERM)
