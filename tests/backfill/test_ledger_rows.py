"""The ledger rows a chunk records, built from its verdicts without a database."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from backfill.pipeline.gating import uncomputed_verdicts
from backfill.pipeline.invocation import Invocation
from backfill.pipeline.ledger import checkpoint_rows
from backfill.settings import RunSettings
from validation.rules import GateRules
from vocabulary import DateStatus

D1, D2, D3 = date(2023, 2, 21), date(2023, 2, 22), date(2023, 2, 23)
STARTED, FINISHED = datetime(2023, 2, 24, 6, 0), datetime(2023, 2, 24, 6, 1)
INVOCATION = Invocation("run-1", "ana", "host", "1.0")


def computed(statuses: list[str], **columns: list) -> pd.DataFrame:
    days = [D1, D2][: len(statuses)]
    return pd.DataFrame(
        {
            "status": statuses,
            "reason": None,
            "source_reason": "upcg_complete",
            "context_source": "upcg",
            "coverage": 0.93,
            "forced": False,
            "warning": False,
            "allowed_regression": False,
            "row_count": 180,
            "upcg_players": 190,
            "expected_players": 193,
            "upcg_state": "upcg_complete",
            "blocked_by": None,
            **columns,
        },
        index=pd.DatetimeIndex(pd.to_datetime(pd.Series(days, dtype="object")), name="game_date"),
    )


def rows_of(verdicts: pd.DataFrame, rules: GateRules | None = None) -> list[dict]:
    settings = RunSettings(D1, D3, rules=rules or GateRules())
    return checkpoint_rows(verdicts, INVOCATION, settings, STARTED, FINISHED).to_pylist()


def test_a_published_verdict_with_a_warning_says_it_in_columns_and_in_words() -> None:
    (row,) = rows_of(computed([DateStatus.PUBLISHED], warning=[True]))

    assert row["game_date"] == datetime(2023, 2, 21)
    assert (row["status"], row["published_players"], row["coverage"]) == (DateStatus.PUBLISHED, 180, 0.93)
    assert row["coverage_warning"] is True
    assert row["reason"] == "upcg_complete; coverage_warning"  # the source's reason when the verdict has none
    assert (row["run_id"], row["processor"], row["started_at"], row["finished_at"]) == (
        "run-1",
        "player_composite_factors",
        STARTED,
        FINISHED,
    )
    assert (row["min_coverage"], row["warn_coverage"]) == (0.90, 0.95)
    assert (row["forced"], row["force_reason"], row["forced_by"]) == (False, None, None)
    assert "attempt" not in row  # numbered in the publish transaction


def test_only_overridden_verdicts_record_who_forced_them_and_why() -> None:
    rules = GateRules(force=True, force_reason="box scores checked by hand")
    forced, blocked = rows_of(
        computed(
            [DateStatus.PUBLISHED, DateStatus.BLOCKED],
            forced=[True, False],
            reason=[None, "coverage 0.5"],
            blocked_by=[None, "coverage"],
        ),
        rules,
    )

    assert (forced["forced"], forced["force_reason"], forced["forced_by"]) == (
        True,
        "box scores checked by hand",
        "ana",
    )
    assert (blocked["forced"], blocked["force_reason"], blocked["forced_by"]) == (False, None, None)
    assert (blocked["status"], blocked["published_players"], blocked["blocked_by"]) == (
        DateStatus.BLOCKED,
        0,
        "coverage",
    )
    assert blocked["reason"] == "coverage 0.5"


def test_a_failed_date_records_nulls_where_nothing_was_measured() -> None:
    (row,) = rows_of(uncomputed_verdicts([D3], DateStatus.FAILED, "KeyError: 'usage_rate'"))

    assert (row["status"], row["reason"], row["published_players"]) == (DateStatus.FAILED, "KeyError: 'usage_rate'", 0)
    assert row["coverage"] is None  # NaN in the verdict is NULL in the ledger, never a number
    assert (row["upcg_state"], row["candidate_players"], row["previous_completeness"]) == (None, None, None)
    assert (row["min_coverage"], row["warn_coverage"]) == (0.90, 0.95)
