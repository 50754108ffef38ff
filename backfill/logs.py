"""Logging is configured here and only here; modules call structlog.get_logger()."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("auto", "console", "json")


def clear_progress_line(_logger: object, _method: str, line: Any) -> Any:
    """On a terminal, a log line first wipes the progress bar, which redraws below it."""
    return "\r\x1b[K" + line


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
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
            *on_terminal,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
