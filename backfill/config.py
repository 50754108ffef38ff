"""Options from a TOML file (SPEC §7): `--config PATH` (or PCF_CONFIG), or `[tool.pcf-backfill]` in a
pyproject.toml beside the DuckDB warehouse file. The file only supplies defaults: arguments (the command line, a
Python call) and PCF_* variables still win. The CLI and the API read it through this module alike.

    [tool.pcf-backfill]
    min-coverage = 0.85            # an option's long name, for every command that has it
    baseline-dates = 21
    [tool.pcf-backfill.audit-thresholds]
    shot_zone_zero_share = 0.6
    [tool.pcf-backfill.catch-up]   # only for one command
    lookback-days = 7

A file holds defaults, never actions: a key that arms or targets one (REFUSED) is bad input naming the key and
the file, and so is a value of the wrong type (`true` where a number goes). Plain data in, plain data out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from warehouse.errors import BadInput
from warehouse.urls import DuckDBUrl, parse_url

PYPROJECT = "pyproject.toml"
SECTION = ("tool", "pcf-backfill")
AUDIT_TABLE = "audit-thresholds"  # a table of NAME = VALUE, the repeatable --audit-threshold
AUDIT_OPTION = "audit-threshold"
# What a stray file must never decide: whether a command writes or deletes, what it overrides, which dates.
REFUSED = ("execute", "no-backup", "force", "reason", "allow-regression", "start-date", "end-date", "dates", "as-of")

Kind = Literal["flag", "whole", "number", "text", "words"]
KIND_WORDS = {
    "flag": "true or false",
    "whole": "a whole number",
    "number": "a number",
    "text": "a string",
    "words": "a list of strings",
}


@dataclass(frozen=True)
class Option:
    """An option as a config file may set it: the parameter it fills and the kind of value it takes."""

    param: str
    kind: Kind


Options = Mapping[str, Option]  # long option name (no dashes in front) → the option


@dataclass(frozen=True)
class ConfigFile:
    path: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)  # long option name → value, for every command having it
    commands: dict[str, dict[str, Any]] = field(default_factory=dict)  # command → long option name → value

    def values(self, command: str, options: Options) -> dict[str, Any]:
        """The file's values for `command`, by parameter name (its own table wins), checked against `options`."""
        chosen = {key: value for key, value in self.options.items() if key in options}
        chosen.update(self.commands.get(command, {}))
        return {
            options[key].param: checked_value(key, value, options[key], self.path)
            for key, value in chosen.items()
            if key in options
        }


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


def find_config(explicit: str | Path | None, warehouse_url: str) -> Path | None:
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise BadInput(f"--config: {explicit} is not a readable file; expected a TOML file")
        return path
    return beside_warehouse(warehouse_url)


def read_config(path: Path | None) -> ConfigFile:
    """The file's tables as written (long option names), with every refused key refused."""
    if path is None:
        return ConfigFile()
    options: dict[str, Any] = {}
    commands: dict[str, dict[str, Any]] = {}
    for key, value in _section(_read(path), path).items():
        if isinstance(value, dict) and key != AUDIT_TABLE:
            commands[key] = {_key(name): _refused(name, raw, path, key) for name, raw in value.items()}
        else:
            options[_key(key)] = _refused(key, value, path, None)
    return ConfigFile(path, options, commands)


def load_config(path: Path | None, commands: Mapping[str, Options]) -> ConfigFile:
    """`read_config`, with every key checked against the options of the commands (`commands`: name → options):
    an unknown key or a value of the wrong kind is bad input naming it and the file."""
    config = read_config(path)
    known = {key: option for options in commands.values() for key, option in options.items()}
    tables: list[tuple[str | None, dict[str, Any], Options]] = [(None, config.options, known)]
    for command, table in config.commands.items():
        if command not in commands:
            raise BadInput(
                f"--config: {path}: unknown table [{'.'.join(SECTION)}.{command}]; expected a command: "
                f"{', '.join(sorted(commands))}"
            )
        tables.append((command, table, commands[command]))
    for name, table, options in tables:
        unknown = [key for key in table if key not in options]
        if unknown:
            where = f"[{'.'.join(SECTION)}.{name}]" if name else "its options"
            raise BadInput(
                f"--config: {path}: unknown option {', '.join(unknown)} in {where}; "
                f"expected one of {', '.join(sorted(set(options) - set(REFUSED)))}"  # never suggest a refused key
            )
        for key, value in table.items():
            checked_value(key, value, options[key], path)
    return config


def default_map(config: ConfigFile, commands: Mapping[str, Options]) -> dict[str, dict[str, Any]]:
    """click's default_map: per command, the file's values for the parameters it has."""
    mapped = {command: config.values(command, options) for command, options in commands.items()}
    return {command: values for command, values in mapped.items() if values}


def checked_value(key: str, value: Any, option: Option, path: Path | None) -> Any:
    """The value as the option takes it (click's words for the audit table), or bad input naming key and file."""
    if option.kind == "words" and key == AUDIT_OPTION and isinstance(value, dict):
        if all(_is(threshold, "number") for threshold in value.values()):
            return [f"{audit}={threshold}" for audit, threshold in value.items()]
    elif _is(value, option.kind):
        return list(value) if option.kind == "words" else value
    written = str(value).lower() if isinstance(value, bool) else repr(value)  # as TOML spells it
    raise BadInput(f"--config: {path}: {key} = {written} is the wrong type; expected {KIND_WORDS[option.kind]}")


def _is(value: Any, kind: Kind) -> bool:
    if kind == "flag":
        return isinstance(value, bool)
    if kind in ("whole", "number"):  # TOML's true is no number, though Python's bool is an int
        allowed: tuple[type, ...] = (int,) if kind == "whole" else (int, float)
        return isinstance(value, allowed) and not isinstance(value, bool)
    if kind == "words":
        return isinstance(value, list) and all(isinstance(word, str) for word in value)
    return isinstance(value, str)


def _key(key: str) -> str:
    return AUDIT_OPTION if key == AUDIT_TABLE else key


def _refused(key: str, value: Any, path: Path, command: str | None) -> Any:
    if key in REFUSED or key.replace("_", "-") in REFUSED:
        where = f" (in [{'.'.join(SECTION)}.{command}])" if command else ""
        raise BadInput(
            f"--config: {path}: {key}{where} arms or targets an action, so a config file may not set "
            f"it; give --{key.replace('_', '-')} on the command line"
        )
    return value


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
