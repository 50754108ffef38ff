"""Start bqemulator for the test suite, with the two fixes it needs to run offline.

Run with the emulator's own interpreter (see install.sh), never the project's:
    .venv-emulator/bin/python tests/emulator/launch.py --rest-port 9050 --grpc-port 9060

1. At start-up bqemulator runs `INSTALL spatial` (and `INSTALL avro`), which download
   DuckDB extensions: without network it exits (spatial) or waits for a connection
   timeout (avro). Neither GEOGRAPHY nor Avro is part of our contract, so each extension
   is loaded when it is already present and skipped otherwise — nothing is downloaded.
2. The BigQuery client uploads small loads with media Content-Type `*/*`, which the
   emulator's upload whitelist rejects; `*/*` is added to it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bqemulator import cli
from bqemulator.api.routes import upload
from bqemulator.storage import engine


def _load_if_present(extension: str) -> Callable[[engine.DuckDBEngine], None]:
    def load(self: engine.DuckDBEngine) -> None:
        try:
            self._connection.execute(f"LOAD {extension}")
        except Exception:  # noqa: BLE001 - a missing extension only disables its feature
            print(f"bqemulator launcher: DuckDB extension {extension!r} not installed; skipped", file=sys.stderr)

    return load


def main() -> None:
    engine.DuckDBEngine._load_spatial = _load_if_present("spatial")
    engine.DuckDBEngine._load_format_extensions = _load_if_present("avro")
    upload._PERMITTED_MEDIA_CONTENT_TYPES = (*upload._PERMITTED_MEDIA_CONTENT_TYPES, "*/*")
    cli.main(["start", *sys.argv[1:]], prog_name="bqemulator")


if __name__ == "__main__":
    main()
