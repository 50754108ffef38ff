"""Every module's logger: structlog's API over a standard `logging` logger named under `backfill` or `warehouse`.

A library must not print behind its host's back. The events go to `logging` whatever structlog's global
configuration says (the host's own structlog setup is left alone), so Airflow, Dagster or any handler the host
installs receive them, `logging.disable` silences them, and with no handler nothing is written at all. Each
record's message reads `event key=value …`; the event's name and fields are also the record's attributes (what
JSON formatters pick up). The command line renders them itself (`backfill.cli.logs`).
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog

ROOTS = ("backfill", "warehouse")
# the attributes every LogRecord has: an event field of the same name keeps a trailing underscore
RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
PASSED_TO_LOGGING = ("exc_info", "stack_info")

for _root in ROOTS:  # the library's loggers stay silent until the host configures logging (no lastResort)
    logging.getLogger(_root).addHandler(logging.NullHandler())


def logger_name(module: str) -> str:
    """`backfill.pipeline.runner`, `warehouse.duckdb_file`; the other packages' modules log under `backfill`."""
    return module if module.split(".")[0] in ROOTS else f"backfill.{module}"


def as_record(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    """structlog's event as the keyword arguments of a `logging` call."""
    fields = {key: value for key, value in event_dict.items() if key not in PASSED_TO_LOGGING}
    event = str(fields.pop("event"))
    message = " ".join([event, *(f"{key}={value}" for key, value in fields.items())])
    extra = {"event": event, **{f"{key}_" if key in RECORD_ATTRIBUTES else key: value for key, value in fields.items()}}
    return {"msg": message, "extra": extra, **{key: event_dict[key] for key in PASSED_TO_LOGGING if key in event_dict}}


PROCESSORS: list[structlog.typing.Processor] = [
    structlog.stdlib.filter_by_level,
    structlog.contextvars.merge_contextvars,
    as_record,
]


def get_logger(module: str) -> Any:
    """The logger of `module` (pass `__name__`)."""
    stdlib = logging.getLogger(logger_name(module))
    return structlog.wrap_logger(
        stdlib, processors=PROCESSORS, wrapper_class=structlog.stdlib.BoundLogger, cache_logger_on_first_use=True
    )
