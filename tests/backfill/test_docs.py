"""The README documents every command and option, exactly as the CLI's help says it."""

from __future__ import annotations

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
