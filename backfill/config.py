"""Options from a TOML file (SPEC §6.9): `--config PATH`, or `[tool.pcf-backfill]` in a pyproject.toml beside the
DuckDB warehouse file. The file only supplies defaults: the command line and PCF_* variables still win.

    [tool.pcf-backfill]
    min-coverage = 0.85            # any option of any command that has it
    baseline-dates = 21
    [tool.pcf-backfill.audit-thresholds]
    shot_zone_zero_share = 0.6
    [tool.pcf-backfill.catch-up]   # only for one command
    lookback-days = 7

Plain data in, plain data out: the CLI turns it into click's `default_map`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.errors import BadInput
from warehouse.urls import DuckDBUrl, parse_url

PYPROJECT = "pyproject.toml"
SECTION = ("tool", "pcf-backfill")
MAPPED_OPTIONS = {"audit_thresholds": "audit_threshold"}  # a table of NAME = VALUE → the repeatable option


@dataclass(frozen=True)
class ConfigFile:
    path: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)  # parameter name → value, for every command having it
    commands: dict[str, dict[str, Any]] = field(default_factory=dict)  # command → parameter name → value


def beside_warehouse(warehouse_url: str) -> Path | None:
    """pyproject.toml in the folder of a DuckDB warehouse file, when it exists and has our section."""
    try:
        url = parse_url(warehouse_url)
    except BadInput:
        return None  # the command reports a bad URL itself
    if not isinstance(url, DuckDBUrl):
        return None
    candidate = Path(url.path).expanduser().resolve().parent / PYPROJECT
    return candidate if candidate.is_file() and _section(_read(candidate), candidate) else None


def find_config(explicit: str | None, warehouse_url: str) -> Path | None:
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise BadInput(f"--config: {explicit} is not a readable file; expected a TOML file")
        return path
    return beside_warehouse(warehouse_url)


def load_config(path: Path | None, commands: Mapping[str, set[str]]) -> ConfigFile:
    """The file's options, checked against the parameters each command has (`commands`: name → parameter names);
    an unknown key is bad input naming it and the file."""
    if path is None:
        return ConfigFile()
    document = _read(path)
    section = _section(document, path)
    known = set().union(*commands.values()) if commands else set()
    options, per_command = {}, {}
    for key, value in section.items():
        if key in commands and isinstance(value, dict):
            per_command[key] = {name: _value(name, raw) for name, raw in _checked(value, commands[key], path, key)}
        else:
            name, = (name for name, _ in _checked({key: value}, known, path, None))
            options[name] = _value(name, value)
    return ConfigFile(path, options, per_command)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BadInput(f"--config: {path} is not valid TOML: {error}") from None


def _section(document: dict[str, Any], path: Path) -> dict[str, Any]:
    """[tool.pcf-backfill] if present; a file given with --config other than a pyproject.toml may also hold the
    options at its top level."""
    section: Any = document
    for part in SECTION:
        section = section.get(part) if isinstance(section, dict) else None
    if isinstance(section, dict):
        return section
    return {} if path.name == PYPROJECT else {key: value for key, value in document.items() if key != "tool"}


def _param(key: str) -> str:
    name = key.replace("-", "_")
    return MAPPED_OPTIONS.get(name, name)


def _checked(table: dict[str, Any], known: set[str], path: Path, command: str | None) -> list[tuple[str, Any]]:
    names = [(_param(key), value) for key, value in table.items()]
    unknown = [key for key, (name, _) in zip(table, names, strict=True) if name not in known]
    if unknown:
        where = f"[{'.'.join(SECTION)}.{command}]" if command else "its options"
        raise BadInput(f"--config: {path}: unknown option {', '.join(unknown)} in {where}; "
                       f"expected one of {', '.join(sorted(k.replace('_', '-') for k in known))}")  # fmt: skip
    return names


def _value(name: str, value: Any) -> Any:
    """TOML values as click receives them: a table of audit thresholds becomes NAME=VALUE words."""
    if name == "audit_threshold" and isinstance(value, dict):
        return [f"{audit}={threshold}" for audit, threshold in value.items()]
    return value


def default_map(config: ConfigFile, commands: Mapping[str, set[str]]) -> dict[str, dict[str, Any]]:
    """click's default_map: per command, the file's values for the parameters it has (its own table wins)."""
    mapped = {}
    for command, params in commands.items():
        values = {name: value for name, value in config.options.items() if name in params}
        values.update(config.commands.get(command, {}))
        if values:
            mapped[command] = values
    return mapped
