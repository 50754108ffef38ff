"""The API inside a host process (Airflow, Dagster): it prints nothing of its own, its events reach the host's
`logging` handlers, and however the host stops a call it ends as `Interrupted` with the ledger saying so."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from support import sampled

import backfill
from backfill import Interrupted
from backfill.cli.logs import configure_logging
from warehouse import Datasets, connect
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
    script = f"import backfill, datetime\nTODAY = datetime.date(2026, 11, 26)\ntry: {call}\nexcept KeyboardInterrupt: 0"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)

    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_the_hosts_handler_receives_each_date_event_with_its_fields(demo_db, handler):
    result = backfill.run(url(demo_db), *WEEK, today=TODAY)

    done = [record for record in handler.records if getattr(record, "event", None) == "date_done"]
    assert [date.fromisoformat(record.game_date) for record in done] == [v.game_date for v in result.verdicts]
    assert {record.name for record in done} == {"backfill.pipeline.runner"}
    assert {record.status for record in done} == {"published"}
    assert all(record.run_id == result.run_id for record in done)
    assert done[0].getMessage().startswith(f"date_done run_id={result.run_id} game_date=")


def test_the_command_lines_own_configuration_replaces_itself_instead_of_stacking():
    configure_logging("json", "info")
    configure_logging("json", "warning")

    handlers = logging.getLogger("warehouse").handlers
    assert sum(not isinstance(h, logging.NullHandler) for h in handlers) == 1
    assert logging.getLogger("warehouse").level == logging.WARNING


# --- stopping a call ------------------------------------------------------------------------------
SPAN = (date(2022, 11, 1), date(2022, 11, 30))  # 30 game dates in 2-day chunks: a second or more to stop midway
MOMENTS = [0.0, 0.3, 0.4, 0.1, 0.5, 0.7, 0.2, 0.05, 0.45, 0.6]


def stop_at(db: Path, moment: float) -> Interrupted | None:
    """Run SPAN on the main thread and press Ctrl-C `moment` seconds after its first chunk published (Python's
    default SIGINT handler, as in a host that installed none); None when the run ended first. A stop that lands
    while the call closes the file, after the run recorded its end, carries no run id: it stopped no run."""
    stopper = threading.Timer(moment, os.kill, (os.getpid(), signal.SIGINT))

    def first_chunk_done(_day: date, _verdict: object) -> None:
        if not stopper.is_alive() and not stopper.finished.is_set():
            stopper.start()

    try:
        try:
            backfill.run(url(db), *SPAN, chunk_days=2, on_date=first_chunk_done, today=TODAY)
            return None
        except Interrupted as stopped:
            return stopped
        finally:
            stopper.cancel()
            if stopper.is_alive():
                stopper.join()
            time.sleep(0.05)  # a signal sent as the run ended is handled here, not later in the test
    except KeyboardInterrupt:
        return None


def all_published(db: Path) -> bool:
    """The stop came after the last chunk published (a run faster than the moment): it stopped nothing midway."""
    return all(state.status == "published" for state in backfill.status(url(db), *SPAN).dates)


def cancel_after(dates: int) -> Callable[[], bool]:
    done = []
    return lambda: len(done) >= dates or bool(done.append(1))


@pytest.fixture(scope="module")
def imported(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """One run first: a Ctrl-C inside a module's first import would break that module for the whole session."""
    db = tmp_path_factory.mktemp("warm") / "warm.duckdb"
    shutil.copy(demo_file, db)
    backfill.run(url(db), SPAN[0], SPAN[0], today=TODAY)


@pytest.mark.parametrize("attempt", sampled(range(10), fast=3))  # SIGINT at once, SIGINT later, cancel
def test_however_a_host_stops_a_run_it_raises_interrupted_and_the_ledger_says_130(
    demo_file, tmp_path, imported, attempt
):
    db = tmp_path / "stopped.duckdb"
    moment = MOMENTS[attempt]
    for _ in range(5):  # a run that ended before the stop proves nothing: stop the next one sooner
        shutil.copy(demo_file, db)
        if attempt % 3 == 2:  # the `cancel` hook, answering yes at a chunk boundary
            with pytest.raises(Interrupted) as raised:
                backfill.run(url(db), *SPAN, chunk_days=2, cancel=cancel_after(int(moment * 20)), today=TODAY)
            stopped: Interrupted | None = raised.value
        else:
            stopped = stop_at(db, moment)
        if stopped is not None and stopped.run_id is not None and not all_published(db):
            break
        moment /= 2

    assert stopped is not None and stopped.run_id is not None, "no moment stopped the run midway"

    assert stopped.exit_code == 130 and isinstance(stopped, KeyboardInterrupt)
    wh = connect(url(db), Datasets(), read_only=True)
    try:
        runs = wh.query("SELECT run_id, exit_code, finished_at FROM {runs}")
        failed = wh.query("SELECT count(*) AS n FROM {checkpoints} WHERE status = 'failed'")["n"].iat[0]
    finally:
        wh.close()
    assert runs["run_id"].tolist() == [stopped.run_id] and runs["exit_code"].tolist() == [130]
    assert runs["finished_at"].notna().all() and failed == 0
    states = backfill.status(url(db), *SPAN).dates
    # every chunk published whole with its ledger rows, or not at all
    assert all((state.status == "published") == (state.published_players > 0) for state in states)
    assert sum(state.status == "published" for state in states) < len(states)


def test_a_hosts_own_termination_exception_is_interrupted_with_143(demo_db):
    """Dagster's DagsterExecutionInterruptedError and Airflow's AirflowTaskTerminated are BaseExceptions."""

    class HostTerminated(BaseException):
        pass

    def terminate(_day: date, _verdict: object) -> None:
        raise HostTerminated

    with pytest.raises(Interrupted) as stopped:
        backfill.run(url(demo_db), *WEEK, chunk_days=1, on_date=terminate, today=TODAY)

    assert stopped.value.exit_code == 143 and isinstance(stopped.value.__cause__, HostTerminated)
    assert stopped.value.resume_command and "run --start-date 2023-02-20" in stopped.value.resume_command
    wh = connect(url(demo_db), Datasets(), read_only=True)
    try:
        assert wh.query("SELECT exit_code FROM {runs}")["exit_code"].tolist() == [143]
    finally:
        wh.close()


def test_a_query_interrupted_from_another_thread_is_interrupted(demo_db):
    """DuckDB's own interrupt (a host holding the open warehouse stops the query in flight)."""
    wh = connect(url(demo_db), Datasets(), read_only=True)
    threading.Timer(0.2, wh.interrupt).start()
    try:
        with pytest.raises(Interrupted) as stopped:
            wh.query("SELECT count(*) AS n FROM range(10000000000) AS a(i) WHERE i % 7 = 3")
    finally:
        wh.close()
    assert stopped.value.exit_code == 130
