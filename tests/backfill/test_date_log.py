"""The one log line per date (SPEC §4) says what to do about a partial UPCG, and only where there is something."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from backfill.pipeline.runner import MISNAMED_UPCG_HINT, PARTIAL_UPCG_HINT, log_date

BASE = {
    "status": "published",
    "context_source": "pgs_synthetic",
    "source_reason": "upcg_partial 41/43 (95.3%)",
    "reason": "",
    "upcg_players": 43,
    "expected_players": 43,
    "published_players": 43,
    "coverage": 1.0,
    "seconds": 0.01,
    "upcg_state": "upcg_partial",
}


@pytest.mark.parametrize(
    ("changed", "hint"),
    [
        ({"upcg_misnamed": 2}, MISNAMED_UPCG_HINT),  # lookups spelled otherwise: cleanup would delete good rows
        ({"upcg_misnamed": 0}, PARTIAL_UPCG_HINT),
        ({"upcg_misnamed": float("nan"), "status": "skipped_bootstrap", "upcg_state": None}, None),  # not computed
    ],
    ids=["misnamed", "partial", "bootstrap"],
)
def test_the_hint_fits_what_upcg_holds(caplog, changed, hint):
    with caplog.at_level(logging.INFO, logger="backfill.pipeline.runner"):
        log_date("run", {**BASE, **changed}, date(2023, 2, 27))
    (record,) = [record for record in caplog.records if getattr(record, "event", None) == "date_done"]
    assert getattr(record, "hint", None) == hint
