"""The `pcf-backfill` command line: parse options, build settings, call the API once, render the result.

One module per command group (`run`: run, catch-up; `inspect`: status, validate, freshness, report; `cleanup`;
`setup`: init, demo; `lock`); the options they share are defined once in `options`. Errors are translated once, in
`edge.PcfGroup.main`, into one line on stderr and an exit code.
"""

from backfill.cli import cleanup, inspect, lock, run, setup, show_config  # noqa: F401 - importing a module registers its commands
from backfill.cli.root import cli, main

__all__ = ["cli", "main"]
