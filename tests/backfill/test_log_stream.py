"""Logs a machine can read (SPEC §7): a date that needs a person logs at warning (blocked) or error (failed), and
every invocation's log stream ends with one `run_done` line: command, exit code, counts, seconds."""

from __future__ import annotations

import json

import pytest

INCIDENT = ("--dates", "2023-02-23..2023-02-25", "--source", "upcg")  # the 23rd and 24th block, the 25th publishes


def events(result) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(line) for line in result.stderr.splitlines() if line.startswith('{"event": ')]


def test_blocked_dates_log_at_warning_and_the_stream_ends_with_run_done(run_cli, demo_db):
    result = run_cli(demo_db, "run", *INCIDENT)
    assert result.exit_code == 3
    logged = events(result)
    levels = {entry["game_date"]: entry["level"] for entry in logged if entry["event"] == "date_done"}
    assert levels == {"2023-02-23": "warning", "2023-02-24": "warning", "2023-02-25": "info"}
    done = logged[-1]
    assert done["event"] == "run_done" and [e["event"] for e in logged].count("run_done") == 1
    assert (done["command"], done["exit_code"], done["level"]) == ("run", 3, "warning")
    assert done["dates"] == {"published": 1, "blocked": 2, "failed": 0, "skipped": 0, "stale": 0}
    assert done["rows_published"] > 0 and done["seconds"] > 0


def test_a_failed_date_logs_at_error(run_cli, demo_db, open_db):
    wh = open_db(demo_db)
    wh.execute("DROP TABLE {psza}")  # reading the zones fails: the date fails, nothing is published
    wh.close()
    result = run_cli(demo_db, "run", "--dates", "2023-03-01")
    assert result.exit_code == 1
    logged = events(result)
    assert [e["level"] for e in logged if e["event"] == "date_done"] == ["error"]
    done = logged[-1]
    assert (done["event"], done["command"], done["exit_code"], done["level"]) == ("run_done", "run", 1, "error")


@pytest.mark.parametrize(
    ("args", "command", "code"),
    [
        (("status", "--start-date", "2023-02-23", "--end-date", "2023-02-25"), "status", 0),
        (("validate", "--start-date", "2023-02-23", "--end-date", "2023-02-25"), "validate", 3),
        (("cleanup", "restore", "no_such_backup"), "cleanup restore", 2),
        (("run", "--start-date", "2023-02-24", "--end-date", "2023-02-22"), "run", 2),
    ],
    ids=["status", "validate", "cleanup-restore", "bad-input"],
)
def test_every_invocation_ends_its_log_stream_with_run_done(run_cli, demo_db, args, command, code):
    result = run_cli(demo_db, *args)
    assert result.exit_code == code, result.output
    done = events(result)[-1]
    assert (done["event"], done["command"], done["exit_code"]) == ("run_done", command, code)


def test_the_report_closes_its_log_stream_with_the_dates_it_showed(run_cli, demo_db, tmp_path):
    result = run_cli(
        demo_db, "report", "--start-date", "2023-02-23", "--end-date", "2023-02-25", "--html", str(tmp_path / "r.html")
    )
    assert result.exit_code == 0, result.output
    done = events(result)[-1]
    assert (done["event"], done["command"]) == ("run_done", "report")
    assert sum(done["dates"].values()) == 3  # three game dates, whatever their state
