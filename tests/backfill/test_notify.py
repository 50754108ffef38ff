"""Notifications (SPEC §11) end to end: a local webhook on 127.0.0.1 records what Apprise POSTs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import INCIDENT_WEEK, invoke, lose_zone_split, said, start_run
from webhook import SECRET, Webhook

from backfill.cli import cli
from backfill.cli.notify import BUDGET_VARIABLE, MAX_ATTEMPTS

BLOCKED_DAY = date(2023, 2, 25)
TODAY_AFTER_INCIDENT_WEEK = "2023-02-27"  # catch-up --lookback-days 7 covers 2023-02-20 … 2023-02-26
PSZA_OF_DAY = "SELECT * FROM {psza} WHERE analysis_date = @d"


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()


def catch_up(db: Path, *args: str, env: dict[str, str] | None = None, group: tuple[str, ...] = ()) -> Result:
    """The nightly catch-up over the incident week (2023-02-20 … 2023-02-26), "today" pinned."""
    return CliRunner().invoke(
        cli,
        [
            "--warehouse",
            f"duckdb:///{db}",
            "--log-format",
            "json",
            "--today",
            TODAY_AFTER_INCIDENT_WEEK,
            *group,
            "catch-up",
            "--lookback-days",
            "7",
            *args,
        ],
        catch_exceptions=False,
        env=env,
    )


@pytest.fixture
def psza_withheld(demo_db, open_db, monkeypatch):
    """2023-02-25 loses its shot-zone rows and the zone tables are taken as they are (`--zones tables`), so it will
    block as upstream_missing; returns a function restoring them."""
    monkeypatch.setenv("PCF_ZONES", "tables")
    wh = open_db(demo_db)
    rows = wh.query(PSZA_OF_DAY, {"d": BLOCKED_DAY})
    wh.execute("DELETE FROM {psza} WHERE analysis_date = @d", {"d": BLOCKED_DAY})
    wh.close()

    def restore() -> None:
        again = open_db(demo_db)
        again.load(rows, "psza")
        again.close()

    return restore


def test_a_blocked_date_sends_one_digest_then_one_recovery(demo_db, webhook, psza_withheld):
    blocked = catch_up(demo_db, "--notify", webhook.url)
    assert blocked.exit_code == 3, blocked.output
    assert len(webhook.requests) == 1
    message = webhook.messages[0]
    assert webhook.requests[0]["path"] == f"/hooks/{SECRET}"
    assert message["type"] == "warning"
    assert "1 blocked" in message["title"]
    assert f"{BLOCKED_DAY}  blocked: upstream_missing psza" in message["message"]
    # the catch-up covers the season so far, with its options
    assert (
        f"pcf-backfill --warehouse duckdb:///{demo_db} run --start-date 2022-10-18 --end-date 2023-02-26 "
        "--zones tables --rerun stale" in message["message"]
    )
    assert "status --start-date 2022-10-18 --end-date 2023-02-26" in message["message"]

    psza_withheld()
    recovered = catch_up(demo_db, "--notify", webhook.url)
    assert recovered.exit_code == 0, recovered.output
    assert len(webhook.requests) == 2
    message = webhook.messages[1]
    assert message["type"] == "success"
    assert f"{BLOCKED_DAY}  recovered: was blocked" in message["message"]
    assert "Needs attention" not in message["message"]


def test_a_clean_run_sends_nothing_unless_asked(demo_db, webhook):
    assert catch_up(demo_db, "--notify", webhook.url).exit_code == 0
    assert webhook.requests == []
    assert catch_up(demo_db, "--notify", webhook.url, "--notify-on", "always").exit_code == 0
    assert [m["title"] for m in webhook.messages] == ["pcf-backfill catch-up: all clear"]


def test_the_url_may_come_from_the_environment(demo_db, webhook, psza_withheld):
    result = catch_up(demo_db, env={"PCF_NOTIFY": webhook.url})
    assert result.exit_code == 3
    assert len(webhook.requests) == 1


def table_dump(db: Path) -> str:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.sql("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        return "\n".join(con.sql(f'SELECT * FROM "{schema}"."{name}"').df().to_csv() for schema, name in tables)


BUDGET = 2.0  # seconds of delivery (PCF_NOTIFY_BUDGET_SECONDS): the default 10 s would only make the test wait


@pytest.mark.parametrize("status", [500, 0], ids=["answers_500", "never_answers"])
def test_an_unreachable_webhook_changes_neither_exit_code_nor_data(tmp_path, psza_withheld, demo_db, status):
    reference = tmp_path / "reference.duckdb"
    reference.write_bytes(demo_db.read_bytes())  # the same league, PSZA withheld, run without --notify
    assert invoke(reference, "run", *INCIDENT_WEEK).exit_code == 3
    hook = Webhook(status)
    try:
        clock = time.monotonic()
        result = invoke(demo_db, "run", *INCIDENT_WEEK, "--notify", hook.url, env={BUDGET_VARIABLE: str(BUDGET)})
        elapsed = time.monotonic() - clock
    finally:
        hook.close()
    assert result.exit_code == 3, result.output
    assert elapsed < BUDGET + 10  # the run itself takes a few seconds; unbounded, 3 silent attempts take 13.5 s
    assert 1 <= len(hook.requests) <= MAX_ATTEMPTS
    if status == 500:
        assert len(hook.requests) == MAX_ATTEMPTS
    assert '"event": "notify_gave_up"' in result.stderr
    published = "SELECT game_date, status, published_players FROM {checkpoints} ORDER BY game_date"
    from warehouse import Datasets, connect

    states = []
    for db in (reference, demo_db):
        wh = connect(f"duckdb:///{db}", Datasets())
        states.append(wh.query(published).to_dict("records"))
        wh.close()
    assert states[0] == states[1]
    for text in (result.stdout, result.stderr, table_dump(demo_db)):
        assert SECRET not in text and hook.url not in text


@pytest.mark.parametrize("value", ["0", "0.5", "301", "nan", "ten"])
def test_a_delivery_budget_out_of_bounds_is_bad_input_naming_the_variable(demo_db, webhook, value):
    result = catch_up(demo_db, "--notify", webhook.url, env={BUDGET_VARIABLE: value})
    assert result.exit_code == 2, result.output
    assert [line for line in said(result.output) if line.startswith("Error: ")] == [
        f"Error: {BUDGET_VARIABLE}: {value!r}; expected seconds from 1 to 300"
    ]
    assert webhook.requests == []


def test_the_url_never_reaches_logs_output_or_tables(demo_db, webhook, psza_withheld):
    result = catch_up(demo_db, "--notify", webhook.url, "--output", "json", group=("--log-level", "debug", "--debug"))
    assert result.exit_code == 3, result.output
    assert len(webhook.requests) == 1
    for text in (result.stdout, result.stderr, table_dump(demo_db)):
        assert SECRET not in text


def test_a_url_apprise_cannot_use_is_bad_input_without_echoing_it(demo_db):
    result = catch_up(demo_db, "--notify", f"nosuchservice://{SECRET}@example")
    assert result.exit_code == 2
    assert "--notify: URL #1 (nosuchservice://…)" in result.stderr
    assert SECRET not in result.output


def test_cleanup_execute_sends_the_deletion_and_how_to_undo_it(demo_db, webhook):
    result = CliRunner().invoke(
        cli,
        [
            "--warehouse",
            f"duckdb:///{demo_db}",
            "--log-format",
            "json",
            "--today",
            "2023-04-10",
            "cleanup",
            "--mode",
            "partial",
            "--execute",
            "--notify",
            webhook.url,
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert len(webhook.requests) == 1
    message = webhook.messages[0]["message"]
    assert "cleanup deleted" in message and "cleanup restore upcoming_player_game_context_backup_" in message


@pytest.mark.slow
def test_a_correction_upstream_is_named_by_validate_and_freshness_and_the_catch_up_says_it_republished(
    run_cli, demo_db, webhook, open_db
):
    assert catch_up(demo_db).exit_code == 0
    corrected = date(2023, 2, 26)  # the last date of the window: only its own values read that day's usage
    wh = open_db(demo_db)
    game = wh.rows("SELECT MIN(game_id) AS g FROM {pgs} WHERE game_date = @d", {"d": corrected})[0]["g"]
    wh.execute("UPDATE {pgs} SET usage_rate = usage_rate + 1 WHERE game_id = @g", {"g": game})
    wh.close()
    said = f"{corrected}  validate: stale_inputs — pgs game {game} changed"

    assert (
        run_cli(
            demo_db, "validate", "--start-date", "2023-02-20", "--end-date", "2023-02-26", "--notify", webhook.url
        ).exit_code
        == 3
    )
    assert said in webhook.messages[-1]["message"] and "--rerun stale" in webhook.messages[-1]["message"]
    fresh = run_cli(demo_db, "--today", TODAY_AFTER_INCIDENT_WEEK, "freshness", "--notify", webhook.url)
    assert fresh.exit_code == 3
    assert f"{corrected}  stale: pgs game {game} changed" in webhook.messages[-1]["message"]
    assert catch_up(demo_db, "--notify", webhook.url).exit_code == 0
    assert f"{corrected}  republished: inputs changed — pgs game {game} changed" in webhook.messages[-1]["message"]
    assert len(webhook.requests) == 3


def test_validate_sends_the_dates_that_need_attention(run_cli, demo_db, webhook, open_db):
    assert run_cli(demo_db, "run", "--start-date", "2023-02-20", "--end-date", "2023-02-26").exit_code == 0
    wh = open_db(demo_db)
    wh.execute("DELETE FROM {pcf} WHERE game_date = @d", {"d": BLOCKED_DAY})
    wh.close()
    result = run_cli(
        demo_db, "validate", "--start-date", "2023-02-20", "--end-date", "2023-02-26", "--notify", webhook.url
    )
    assert result.exit_code == 3
    assert len(webhook.requests) == 1
    message = webhook.messages[0]["message"]
    assert f"{BLOCKED_DAY}  validate:" in message and "--rerun all" in message


def test_failing_audits_reach_the_digest_with_value_and_threshold(run_cli, demo_db, webhook, open_db):
    assert run_cli(demo_db, "run", "--start-date", "2022-11-01", "--end-date", "2022-11-21").exit_code == 0
    # a warn audit alone (every shift of the mean fatigue beyond 0 points) does not block, but is worth a look
    warned = run_cli(
        demo_db,
        "run",
        "--dates",
        "2022-11-21",
        "--rerun",
        "all",
        "--audit-threshold",
        "fatigue_mean=0",
        "--notify",
        webhook.url,
    )
    assert warned.exit_code == 0 and len(webhook.requests) == 1, warned.output
    title, message = webhook.messages[0]["title"], webhook.messages[0]["message"]
    assert title == "pcf-backfill run: 1 audit warning" and webhook.messages[0]["type"] == "warning"
    assert "2022-11-21  audit warn: fatigue_mean" in message and "(threshold 0)" in message

    lose_zone_split(demo_db, "2022-11-22")
    blocked = run_cli(demo_db, "run", "--dates", "2022-11-22", "--notify", webhook.url)
    assert blocked.exit_code == 3 and len(webhook.requests) == 2
    message = webhook.messages[1]["message"]
    assert "Failing audits:" in message
    assert "2022-11-22  audit block: shot_zone_zero_share 1.00 vs baseline 0.0" in message
    assert "(threshold 0.4)" in message


def test_a_run_stopped_by_an_error_says_so(tmp_path, webhook):
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = catch_up(empty, "--notify", webhook.url)
    assert result.exit_code == 1
    assert len(webhook.requests) == 1
    message = webhook.messages[0]
    assert (message["type"], message["title"]) == ("failure", "pcf-backfill catch-up: stopped")
    assert "stopped: missing tables" in message["message"] and "To retry: pcf-backfill" in message["message"]


@pytest.mark.slow
def test_a_second_writer_is_told_who_holds_the_file_without_the_holders_url(demo_db, run_cli):
    holder = start_run(demo_db, "--chunk-days", "3", "--notify", f"json://127.0.0.1:9/hooks/{SECRET}", text=False)
    try:
        assert holder.stderr is not None
        assert b'"event": "plan"' in holder.stderr.readline()  # the holder is inside its run now
        lock_file = Path(f"{demo_db}.lock").read_text()
        result = run_cli(demo_db, "run", "--dates", "2023-03-01")
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 4, result.output
    assert "--notify '<secret>'" in result.output or "--notify <secret>" in result.output
    assert SECRET not in result.output and SECRET not in lock_file
