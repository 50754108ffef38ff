"""The README documents every command and option, exactly as the CLI's help says it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from backfill.docs import BEGIN, END, cli_reference, documented_options

README = Path(__file__).resolve().parents[2] / "README.md"


def reference_in_readme() -> str:
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "README.md lost its command-reference markers"
    return text[text.index(BEGIN) : text.index(END) + len(END)]


def test_readme_reference_is_the_generated_one():
    assert reference_in_readme() == cli_reference(), "run `python scripts/cli_reference.py` to refresh README.md"


@pytest.mark.parametrize(("command", "flags"), sorted(documented_options().items()))
def test_every_command_and_option_is_documented(command, flags):
    reference = reference_in_readme()
    assert f"### `{command}`" in reference
    section = reference.split(f"### `{command}`", 1)[1].split("### `", 1)[0]
    for flag in flags:
        assert flag in section, f"{command}: {flag} is not documented"


@pytest.mark.parametrize("command", sorted(documented_options()))
def test_every_command_help_shows_an_example(command):
    section = reference_in_readme().split(f"### `{command}`", 1)[1].split("### `", 1)[0]
    assert "Example" in section, f"{command} --help has no example"


def guaranteed_tests() -> list[tuple[str, str | None]]:
    """(path, test name or None) of every test the README's Guarantees table names; `::name` alone continues
    the file named before it."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Guarantees", 1)[1].split("\n## ", 1)[0]
    named: list[tuple[str, str | None]] = []
    for reference in re.findall(r"`((?:tests/[\w/.]+)?(?:::\w+)?)`", table):
        path, _, test = reference.partition("::")
        named.append((path or named[-1][0], test or None))
    return named


def missing(root: Path, path: str, test: str | None) -> bool:
    if not (root / path).exists():
        return True
    if test is None:
        return False
    module = ast.parse((root / path).read_text(encoding="utf-8"))
    return test not in {node.name for node in module.body if isinstance(node, ast.FunctionDef)}


def test_every_test_the_guarantees_table_names_exists():
    named = guaranteed_tests()
    assert len(named) > 50
    gone = [f"{path}::{test}" if test else path for path, test in named if missing(README.parent, path, test)]
    assert gone == [], "the README's Guarantees table names tests that do not exist"
