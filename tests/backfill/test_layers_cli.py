"""The command line calls the API and nothing under it (issue 31): every module of `backfill/cli` imports, of this
package, only `backfill.api` (the package itself, not its modules), the base modules the API builds on
(`backfill.settings`, `backfill.config`, `backfill.dates`, `backfill.hints`) and its own modules; never the run
pipeline.

Every import counts wherever it is written: at the top, inside a function, under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[2] / "backfill" / "cli"
ALLOWED = ("backfill.api", "backfill.settings", "backfill.config", "backfill.dates", "backfill.hints")


def imported(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) for each import of `source`; `from backfill import api` imports `backfill.api`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "backfill":
                yield from ((node.lineno, f"backfill.{alias.name}") for alias in node.names)
            else:
                yield node.lineno, node.module


def refused(module: str) -> bool:
    """A module of this package the command line may not import: the pipeline, an API module, anything not listed."""
    if not module.startswith("backfill.") or module.startswith("backfill.cli"):
        return False
    return module not in ALLOWED


def cli_imports() -> Iterator[tuple[str, str]]:
    """(where, module) for every import of every module of `backfill/cli`."""
    for path in sorted(CLI.rglob("*.py")):
        for line, module in imported(path.read_text(encoding="utf-8")):
            yield f"{path.relative_to(CLI.parent)}:{line}", module


def test_the_command_line_imports_only_the_api_and_the_base_modules_of_the_package() -> None:
    assert "backfill.api" in {module for _, module in cli_imports()}  # the walk sees the imports at all
    wrong = [f"{where} imports {module}" for where, module in cli_imports() if refused(module)]
    assert wrong == [], "the command line calls the API only:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("from backfill.pipeline.signals import Interrupted", ["backfill.pipeline.signals"]),
        ("def f():\n    from backfill.pipeline import runner", ["backfill.pipeline"]),
        # an API module, not the API: its names are the package's
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from backfill.api.results import R",
            ["backfill.api.results"],
        ),
        ("from backfill import api, hints, lineage", ["backfill.lineage"]),
        ("import backfill.pipeline.plan", ["backfill.pipeline.plan"]),
        ("from backfill.api import RunResult\nfrom backfill.cli import render\nfrom warehouse import PcfError", []),
    ],
)
def test_the_walk_catches_an_import_of_the_pipeline_wherever_it_is_written(source: str, caught: list[str]) -> None:
    assert [module for _, module in imported(source) if refused(module)] == caught
