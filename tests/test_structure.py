"""The tree's layers, checked from the source (issue 31): no package imports a package above it, the packages import
each other without a cycle, and no module (of the packages, the scripts or the tests) is over 300 lines.

Every import counts wherever it is written: at the top of a module, inside a function (a lazy import is still a
dependency, only a later one) and under `if TYPE_CHECKING:` (a type from a layer above is a dependency too: mypy
follows it, and the annotation ties the lower layer to the upper one's shape).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The layers, lowest first. A package may import its own modules, the packages of its own layer and those of the
# layers below; never a package of a layer above. `backfill` alone is the package's own `__init__`: the public
# names, re-exported from the API.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("vocabulary",),  # the words verdicts record, as types: it imports nothing of the project
    ("warehouse",),  # the Warehouse interface, its two backends, the tables' schemas
    ("league",),  # the league's rules: seasons, openers, bootstrap windows, which games count, who played
    ("processors",),  # the factors: sources, source policy, context (UPCG or synthetic), the math
    ("validation",),  # the input checks, the audits and the gate: the processors' values in, verdicts out
    ("demo", "cleanup"),
    ("backfill.settings", "backfill.config", "backfill.dates", "backfill.hints", "backfill.lazy", "backfill.lineage"),
    ("backfill.pipeline",),  # plan, compute, evaluate, gate, publish, ledger, leases
    ("backfill.api",),
    ("backfill.cli", "backfill.dagster", "backfill"),  # the edges a user or an orchestrator calls
)
LAYER_OF = {package: level for level, packages in enumerate(LAYERS) for package in packages}
TOP_LEVEL = sorted({package.split(".")[0] for package in LAYER_OF})
MAX_LINES = 300  # a module a reader can hold; a longer one is two topics


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path for top in TOP_LEVEL for path in sorted((ROOT / top).rglob("*.py")) if path.is_file()
}


def package_of(module: str) -> str | None:
    """The declared package a module belongs to: the longest one that is the module or holds it."""
    holders = [package for package in LAYER_OF if module == package or module.startswith(package + ".")]
    return max(holders, key=len) if holders else None


def imported_modules(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import of this project's code in the file, wherever it is written."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package, `level - 1` packages up
                parts = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"  # `from backfill import hints` imports backfill.hints
                yield node.lineno, submodule if submodule in MODULES else base


def package_imports() -> Iterator[tuple[str, int, str, str]]:
    """(module, line, its package, the imported package) for every import of another declared package."""
    for module, path in MODULES.items():
        own = package_of(module)
        for line, target in imported_modules(module, path):
            if target.split(".")[0] not in TOP_LEVEL:
                continue
            imported = package_of(target)
            if own is not None and imported is not None and imported != own:
                yield module, line, own, imported


def test_imports_count_wherever_they_are_written(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import warehouse.schemas\n"
        "from backfill import hints\n"
        "if TYPE_CHECKING:\n"
        "    from validation.gate import GateRules\n"
        "def later():\n"
        "    from backfill.pipeline import runner\n"
        "from .common import warehouse_url\n"
    )
    found = {module for _, module in imported_modules("backfill.api.example", source)}
    assert found == {
        "typing",
        "warehouse.schemas",
        "backfill.hints",
        "validation.gate",
        "backfill.pipeline.runner",
        "backfill.api.common",
    }


def test_every_module_has_a_declared_layer() -> None:
    unplaced = [
        module
        for module in MODULES
        if package_of(module) is None or (package_of(module) == "backfill" and module != "backfill")
    ]
    assert unplaced == [], f"place these modules' packages in LAYERS: {unplaced}"


def test_no_package_imports_a_package_above_it() -> None:
    upward = sorted(
        {
            f"{module}:{line} imports {imported} (layer {LAYER_OF[imported]}) from {own} (layer {LAYER_OF[own]})"
            for module, line, own, imported in package_imports()
            if LAYER_OF[imported] > LAYER_OF[own]
        }
    )
    assert not upward, "imports of a layer above:\n" + "\n".join(upward)


def test_the_packages_import_each_other_without_a_cycle() -> None:
    graph: dict[str, set[str]] = {package: set() for package in LAYER_OF}
    for _, _, own, imported in package_imports():
        graph[own].add(imported)
    cycle = find_cycle(graph)
    assert not cycle, f"the packages import each other in a cycle: {' -> '.join(cycle)}"


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as the packages along it (first repeated at the end), or [] when there is none."""
    done: set[str] = set()

    def visit(package: str, path: list[str]) -> list[str]:
        if package in path:
            return [*path[path.index(package) :], package]
        if package in done:
            return []
        for imported in sorted(graph[package]):
            if cycle := visit(imported, [*path, package]):
                return cycle
        done.add(package)
        return []

    for package in sorted(graph):
        if cycle := visit(package, []):
            return cycle
    return []


@pytest.mark.parametrize(
    ("graph", "cycle"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b", "c"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
    ],
)
def test_find_cycle_names_the_packages_along_a_cycle(graph: dict[str, set[str]], cycle: list[str]) -> None:
    assert find_cycle(graph) == cycle


def test_no_module_is_over_300_lines() -> None:
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for top in (*TOP_LEVEL, "scripts", "tests")
        for path in sorted((ROOT / top).rglob("*.py"))
    }
    long = [f"{path} ({lines})" for path, lines in lengths.items() if lines > MAX_LINES]
    assert not long, f"modules over {MAX_LINES} lines: {', '.join(long)}"
