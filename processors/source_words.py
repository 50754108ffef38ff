"""The source policies and the words a verdict records about a date's context source (SPEC §4): plain values,
no pandas, so settings, the ledger's readers and the command line use them without loading the policy's arithmetic."""

from __future__ import annotations

from typing import Literal, get_args

SourcePolicy = Literal["auto", "fill", "upcg", "pgs"]
SOURCE_POLICIES: tuple[str, ...] = get_args(SourcePolicy)
# UPCG covering less of who played is partial: `auto` does not use it, `cleanup --mode partial` removes it
UPCG_SUFFICIENT = 0.90
UPCG, SYNTHETIC, MIXED = "upcg", "pgs_synthetic", "mixed"
# What UPCG holds for a date, as the verdict records it (the `upcg_state` ledger column); the source reason
# says the same for people, with the counts.
NO_EXPECTED, UPCG_DISAGREES, UPCG_COMPLETE = "no_expected_players", "upcg_disagrees", "upcg_complete"
UPCG_EMPTY, UPCG_PARTIAL = "upcg_empty", "upcg_partial"
# Where the zone tables' rows come from (SPEC §6.8): `auto` builds the rows the tables lack or get wrong from the
# box scores, `tables` takes only the tables' own rows that agree with the box scores.
ZoneMode = Literal["auto", "tables"]
ZONE_MODES: tuple[str, ...] = get_args(ZoneMode)
ZONE_FROM_BOX_SCORES = "ZONE_FROM_BOX_SCORES"
