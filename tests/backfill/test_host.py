"""The API inside a host process (Airflow, Dagster): it prints nothing of its own, its events reach the host's
`logging` handlers, and however the host stops a call it ends as `Interrupted` with the ledger saying so."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import backfill
from backfill.logs import configure_logging
from warehouse.logger import ROOTS

TODAY = date(2026, 11, 26)
WEEK = (date(2023, 2, 20), date(2023, 2, 26))


def url(path: Path) -> str:
    return f"duckdb:///{path}"


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def unconfigured():
    """Logging as a host that configured nothing finds it (a command run earlier in this process installed its
    handler); put back afterwards."""
    loggers = [logging.getLogger(name) for name in ROOTS]
    saved = [(logger.handlers[:], logger.level) for logger in loggers]
    for logger in loggers:
        logger.handlers = [h for h in logger.handlers if isinstance(h, logging.NullHandler)]
        logger.setLevel(logging.NOTSET)
    yield
    for logger, (handlers, level) in zip(loggers, saved, strict=True):
        logger.handlers, logger.level = handlers, level


@pytest.fixture
def handler():
    """A host's handler on the `backfill` logger, removed afterwards."""
    collect, logger = Collect(), logging.getLogger("backfill")
    level = logger.level
    logger.addHandler(collect)
    logger.setLevel(logging.INFO)
    yield collect
    logger.removeHandler(collect)
    logger.setLevel(level)


def test_a_call_with_logging_disabled_prints_nothing(demo_db, capfd):
    logging.disable(logging.CRITICAL)
    try:
        result = backfill.run(url(demo_db), *WEEK, today=TODAY)
        backfill.status(url(demo_db), *WEEK)
        backfill.validate(url(demo_db), *WEEK)
    finally:
        logging.disable(logging.NOTSET)

    assert result.exit_code == 0
    assert capfd.readouterr() == ("", "")


def test_a_process_that_configured_no_logging_sees_nothing_either(demo_db):
    """A cancelled run logs a warning; the library's NullHandler keeps Python's last-resort handler from putting
    it on stderr (pytest installs handlers of its own, hence a fresh process)."""
    call = f"backfill.run({url(demo_db)!r}, '2023-02-20', '2023-02-26', cancel=lambda: True, today=TODAY)"
    script = f"import backfill, datetime; TODAY = datetime.date(2026, 11, 26); assert {call}.cancelled"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)

    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_the_hosts_handler_receives_each_date_event_with_its_fields(demo_db, handler):
    result = backfill.run(url(demo_db), *WEEK, today=TODAY)

    done = [record for record in handler.records if getattr(record, "event", None) == "date_done"]
    assert [date.fromisoformat(record.game_date) for record in done] == [v.game_date for v in result.verdicts]
    assert {record.name for record in done} == {"backfill.runner"}
    assert {record.status for record in done} == {"published"}
    assert all(record.run_id == result.run_id for record in done)
    assert done[0].getMessage().startswith(f"date_done run_id={result.run_id} game_date=")


def test_the_command_lines_own_configuration_replaces_itself_instead_of_stacking():
    configure_logging("json", "info")
    configure_logging("json", "warning")

    handlers = logging.getLogger("warehouse").handlers
    assert sum(not isinstance(h, logging.NullHandler) for h in handlers) == 1
    assert logging.getLogger("warehouse").level == logging.WARNING
