"""Files the tool writes besides the warehouse (`--metrics-file`, `--html`, the DuckDB writers' lock file): one check
for all of them.

An output path either does not exist yet, is an empty file, or holds the tool's own output of that kind,
recognised by the opening the tool wrote there. Anything else (the warehouse, a config file, somebody's notes,
a directory) is bad input naming the file, refused before any work: a typo costs a retry, never data.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from warehouse.errors import BadInput


@dataclass(frozen=True)
class OutputKind:
    option: str  # how the command line names the path
    noun: str  # what the tool writes there, with its article
    opening: bytes  # the first bytes of every such file the tool writes


# prometheus_client writes each metric's HELP line first, and every metric of ours has the prefix
METRICS_FILE = OutputKind("--metrics-file", "a Prometheus metrics file", b"# HELP pcf_backfill_")
# the report's head names its generator before anything a title or the data could change
REPORT_OPENING = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="pcf-backfill">'
)
HTML_REPORT = OutputKind("--html", "an HTML report", REPORT_OPENING.encode())
# beside a DuckDB file (`pcf.duckdb.lock`): the holder's JSON, which a writer replaces (warehouse.duckdb_lock)
LOCK_FILE = OutputKind("--warehouse", "a writers' lock file", b'{"pid": ')


def checked_output(path: Path, kind: OutputKind, inputs: Sequence[Path] = ()) -> Path:
    """`path` if writing `kind` there destroys nothing; `inputs` (the warehouse's files, the config file) are
    named as what they are when the path is one of them."""
    where = f"{kind.option}: {path}"
    expected = f"expected a new file or {kind.noun} this tool wrote"
    if not path.parent.is_dir():
        raise BadInput(
            f"{kind.option}: directory {path.parent} does not exist; expected a file in an existing directory"
        )
    if not os.path.lexists(path):
        return path
    if path.is_dir():
        raise BadInput(f"{where} is a directory; {expected}")
    if any(_same(path, file) for file in inputs):
        raise BadInput(f"{where} is an input of this command (the warehouse or its config); {expected}")
    if not path.is_file():
        raise BadInput(f"{where} is not a regular file; {expected}")
    if not _opens_with(path, kind.opening):
        raise BadInput(f"{where} exists and is not {kind.noun} this tool wrote; refusing to overwrite it ({expected})")
    return path


def _same(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


def _opens_with(path: Path, opening: bytes) -> bool:
    try:
        with path.open("rb") as file:
            head = file.read(len(opening))
    except OSError as error:
        raise BadInput(f"{path}: cannot be read ({error.strerror}); expected a file this tool may replace") from None
    return head == opening or not head  # an empty file holds nothing to lose
