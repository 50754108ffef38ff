"""What a notification says and to whom (SPEC §11), without sending one: which verdicts need a person, a digest's
title and level, the takeover event, the delivery budget, and a command line shown elsewhere with its URLs hidden."""

from __future__ import annotations

from datetime import date

import pytest
from webhook import SECRET

from backfill.cli.digests import Attention, Digest, problem_kind, takeover_text
from backfill.cli.notify import BUDGET_VARIABLE, RETRY_BUDGET_SECONDS, delivery_budget, redacted


@pytest.mark.parametrize(("value", "budget"), [(None, RETRY_BUDGET_SECONDS), ("2.5", 2.5), ("300", 300.0)])
def test_the_delivery_budget_is_ten_seconds_unless_the_environment_says_otherwise(value, budget):
    assert delivery_budget({} if value is None else {BUDGET_VARIABLE: value}) == budget


@pytest.mark.parametrize(
    ("status", "blocked_by", "forced", "kind"),
    [
        ("blocked", "coverage", False, "blocked"),
        ("blocked", "regression", False, "regression"),
        ("failed", None, False, "failed"),
        ("published", None, True, "forced"),
        ("published", None, False, None),
        ("skipped_bootstrap", None, False, None),
    ],
)
def test_which_verdicts_need_a_person(status, blocked_by, forced, kind):
    assert problem_kind(status, blocked_by, forced) == kind


def test_a_digest_is_titled_by_what_happened_and_typed_by_the_worst():
    day = date(2023, 2, 23)
    forced = Digest("run", "run x", [Attention(day, "forced", "forced: coverage 1/177")], exit_code=0)
    assert (forced.title, forced.level) == ("pcf-backfill run: 1 forced", "warning")
    failed = Digest(
        "run",
        "run x",
        [Attention(day, "failed", "boom"), Attention(day, "blocked", "low")],
        recovered=[Attention(day, "recovered", "was blocked")],
        exit_code=1,
    )
    assert failed.level == "failure"
    assert failed.title == "pcf-backfill run: 1 failed, 1 blocked, 1 recovered"
    assert not Digest("run", "run x").worth_sending("attention")
    assert Digest("run", "run x").worth_sending("always")


def test_a_command_line_shown_elsewhere_hides_every_notify_url():
    argv = [
        "--warehouse",
        "duckdb:///pcf.duckdb",
        "catch-up",
        "--notify",
        f"json://h/{SECRET}",
        f"--notify=slack://{SECRET}",
        "--notify-on",
        "always",
        "--lookback-days",
        "3",
    ]
    shown = redacted(argv)
    assert SECRET not in " ".join(shown)
    assert shown == [
        "--warehouse",
        "duckdb:///pcf.duckdb",
        "catch-up",
        "--notify",
        "<secret>",
        "--notify=<secret>",
        "--notify-on",
        "always",
        "--lookback-days",
        "3",
    ]


def test_a_lease_taken_over_from_a_dead_run_is_an_event_naming_the_dead_run():
    lease = {
        "lease_id": "l-1",
        "holder": "20261126T040000Z-deadbeef",
        "host": "batch1",
        "pid": 4242,
        "command": "pcf-backfill catch-up",
        "silent_seconds": 961,
        "why": "expired",
    }
    event = takeover_text(lease)
    assert event.startswith("lease taken over from a dead run: run 20261126T040000Z-deadbeef (PID 4242 on batch1: ")
    assert "pcf-backfill catch-up; silent 961 s, expired" in event
    digest = Digest("catch-up", "catch-up x: exit 0", events=[event])
    assert digest.needs_person and digest.level == "warning"
    assert digest.title == "pcf-backfill catch-up: lease taken over from a dead run"
