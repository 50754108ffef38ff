"""The command line's log output, configured here and only here (the CLI root calls `configure_logging`).

Modules log through `warehouse.logger.get_logger(__name__)`: standard `logging` records under the `backfill`
and `warehouse` loggers, which print nothing unless someone installs a handler. A host embedding the API
installs its own; the command line installs this one: the events rendered by structlog on stderr.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from warehouse.logger import ROOTS

LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("auto", "console", "json")
_installed: list[logging.Handler] = []  # the handler of the last configuration, replaced by the next one


def clear_progress_line(_logger: object, _method: str, line: Any) -> Any:
    """On a terminal, a log line first wipes the progress bar, which redraws below it."""
    return "\r\x1b[K" + line


def event_fields(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    """A record's event back as structlog's event dict: its name and fields are the record's own attributes."""
    record = event_dict.pop("_record")
    event_dict.pop("_from_structlog", None)
    fields = {key: value for key, value in vars(record).items() if key not in _RECORD_KEYS}
    return {**event_dict, **fields}


_RECORD_KEYS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def configure_logging(log_format: str = "auto", level: str = "info", stream: TextIO | None = None) -> None:
    """Human-readable lines on a terminal, JSON lines otherwise (cron, CI); always on stderr."""
    stream = stream or sys.stderr
    use_console = log_format == "console" or (log_format == "auto" and stream.isatty())
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer(colors=stream.isatty())
        if use_console
        else structlog.processors.JSONRenderer(sort_keys=False)
    )
    on_terminal = [clear_progress_line] if use_console and stream.isatty() else []
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                event_fields,
                structlog.stdlib.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
            processors=[structlog.processors.format_exc_info, renderer, *on_terminal],
        )
    )
    for name in ROOTS:
        logger = logging.getLogger(name)
        for old in _installed:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(getattr(logging, level.upper()))
    _installed[:] = [handler]
