"""The docs stay true: the command reference is the CLI's help, the guarantees name tests that exist, the README
is an entry page whose table of contents reaches every docs/ page, every relative link leads somewhere and every
repository path the docs name exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from backfill.cli.docs import BEGIN, END, HEADING, cli_reference, documented_options

ROOT = Path(__file__).resolve().parents[2]
README, DOCS = ROOT / "README.md", ROOT / "docs"
REFERENCE, GUARANTEES, DOCS_INDEX = DOCS / "cli-reference.md", DOCS / "guarantees.md", DOCS / "README.md"
PAGES = sorted(DOCS.glob("*.md"))


def reference_in_docs() -> str:
    text = REFERENCE.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "docs/cli-reference.md lost its command-reference markers"
    return text[text.index(BEGIN) : text.index(END) + len(END)]


def command_section(command: str) -> str:
    reference = reference_in_docs()
    assert f"{HEADING}`{command}`" in reference
    return reference.split(f"{HEADING}`{command}`", 1)[1].split(f"{HEADING}`", 1)[0]


def test_the_reference_is_the_generated_one():
    assert reference_in_docs() == cli_reference(), "run `python scripts/cli_reference.py` to refresh it"


@pytest.mark.parametrize(("command", "flags"), sorted(documented_options().items()))
def test_every_command_and_option_is_documented(command, flags):
    section = command_section(command)
    for flag in flags:
        assert flag in section, f"{command}: {flag} is not documented"


@pytest.mark.parametrize("command", sorted(documented_options()))
def test_every_command_help_shows_an_example(command):
    assert "Example" in command_section(command), f"{command} --help has no example"


def guaranteed_tests() -> list[tuple[str, str | None]]:
    """(path, test name or None) of every test the Guarantees table names; `::name` alone continues the file
    named before it."""
    table = GUARANTEES.read_text(encoding="utf-8").split("| promise | proved by |", 1)[1]
    named: list[tuple[str, str | None]] = []
    for reference in re.findall(r"`((?:tests/[\w/.]+)?(?:::\w+)?)`", table):
        path, _, test = reference.partition("::")
        named.append((path or named[-1][0], test or None))
    return named


def missing(path: str, test: str | None) -> bool:
    if not (ROOT / path).exists():
        return True
    if test is None:
        return False
    module = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return test not in {node.name for node in module.body if isinstance(node, ast.FunctionDef)}


def test_every_test_the_guarantees_table_names_exists():
    named = guaranteed_tests()
    assert len(named) > 50
    gone = [f"{path}::{test}" if test else path for path, test in named if missing(path, test)]
    assert gone == [], "docs/guarantees.md names tests that do not exist"


def prose(path: Path) -> str:
    """The page without its fenced code blocks, whose brackets are code, not links."""
    return re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)


def relative_links(path: Path) -> list[str]:
    targets = re.findall(r"\]\(([^)\s]+)\)", prose(path))
    return [target for target in targets if not re.match(r"[a-z]+:", target)]


def anchors(path: Path) -> set[str]:
    """GitHub's anchors of the page's headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", prose(path), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_the_readme_is_an_entry_page_that_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.S)
    assert first_block is not None
    commands = [line.split("#", 1)[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, flags=re.M) and re.search(r"^test:", makefile, flags=re.M)


@pytest.mark.parametrize("index", [README, DOCS_INDEX], ids=["README.md", "docs/README.md"])
def test_every_docs_page_is_in_the_table_of_contents(index):
    linked = {(index.parent / target.split("#", 1)[0]).resolve() for target in relative_links(index)}
    unlinked = [page.name for page in PAGES if page != index and page.resolve() not in linked]
    assert unlinked == [], f"{index.relative_to(ROOT)} does not link these docs/ pages"


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    broken = []
    for target in relative_links(page):
        file, _, anchor = target.partition("#")
        linked = (page.parent / file).resolve() if file else page
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in anchors(linked)):
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda page: str(page.relative_to(ROOT)))
def test_every_repository_path_the_docs_name_exists(page):
    """A module or test moved, the docs follow: `backfill/…`, `tests/…::name` (the file), `scripts/…`."""
    tops = "backfill|processors|validation|cleanup|warehouse|demo|tests|scripts|docs|\\.ci"
    named = re.findall(rf"`((?:{tops})/[^`\s:]*)", page.read_text(encoding="utf-8"))
    assert [path for path in named if not (ROOT / path).exists()] == []


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda page: str(page.relative_to(ROOT)))
def test_every_make_target_the_docs_name_exists(page):
    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M))
    text = page.read_text(encoding="utf-8")
    code_blocks = "\n".join(re.findall(r"^```.*?^```", text, flags=re.S | re.M))
    named = set(re.findall(r"`make ([\w-]+)", text) + re.findall(r"^make ([\w-]+)", code_blocks, flags=re.M))
    assert named - targets == set()
