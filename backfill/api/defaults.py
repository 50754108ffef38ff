"""How an API call settles the options it was not given, in the command line's order: an argument > PCF_<OPTION>
> the config file (PCF_CONFIG, else a pyproject.toml beside a DuckDB warehouse) > the default.

Moving the nightly job from cron to an orchestrator then keeps the gate it had: the same file and the same
variables decide the same way. Only options a config file may hold are settled so; what arms or targets an
action (`force`, `reason`, `allow_regression`, `execute`, `backup`, dates) comes from the call's arguments alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from backfill.config import Kind, Option, Options, find_config, read_config
from backfill.settings import audit_threshold
from warehouse import InvalidSetting

from .common import WarehouseLike, warehouse_url

CONFIG_VARIABLE = "PCF_CONFIG"  # the command line's --config
TRUE_WORDS, FALSE_WORDS = {"1", "true", "t", "yes", "y", "on"}, {"0", "false", "f", "no", "n", "off"}  # click's

# Per command: the long option name → the API's parameter and the kind of value.
SETTLED: dict[str, Options] = {
    "run": {
        "source": Option("source", "text"),
        "min-coverage": Option("min_coverage", "number"),
        "warn-coverage": Option("warn_coverage", "number"),
        "rerun": Option("rerun", "text"),
        "dry-run": Option("dry_run", "flag"),
        "chunk-days": Option("chunk_days", "whole"),
        "workers": Option("workers", "whole"),
        "audit-threshold": Option("audit_thresholds", "words"),
        "baseline-dates": Option("baseline_dates", "whole"),
        "zones": Option("zones", "text"),
    },
    "catch-up": {
        "lookback-days": Option("lookback_days", "whole"),
        "min-coverage": Option("min_coverage", "number"),
        "warn-coverage": Option("warn_coverage", "number"),
        "chunk-days": Option("chunk_days", "whole"),
        "dry-run": Option("dry_run", "flag"),
        "audit-threshold": Option("audit_thresholds", "words"),
        "baseline-dates": Option("baseline_dates", "whole"),
        "zones": Option("zones", "text"),
    },
    "validate": {"min-coverage": Option("min_coverage", "number")},
    "freshness": {"max-lag-hours": Option("max_lag_hours", "number")},
    "cleanup": {"retention-days": Option("retention_days", "whole"), "mode": Option("mode", "text")},
}


def settled(
    command: str, warehouse: WarehouseLike, given: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`given` (parameter → value, None meaning "not given") with each missing option taken from the environment
    or the config file; an option found nowhere is left out, so the callee's default applies."""
    environ = os.environ if environ is None else environ
    options = SETTLED[command]
    values = {name: value for name, value in given.items() if value is not None}
    missing = {key: option for key, option in options.items() if option.param not in values}
    found = {}
    for key, option in list(missing.items()):
        text = environ.get(variable(key))
        if text:  # click treats an empty variable as unset
            found[option.param] = from_text(key, text, option.kind)
            del missing[key]
    if missing:
        path = find_config(environ.get(CONFIG_VARIABLE) or None, warehouse_url(warehouse))
        found.update(read_config(path).values(command, missing))
    if "audit_thresholds" in found:  # NAME=VALUE words, as the command line takes them
        found["audit_thresholds"] = thresholds_of(found["audit_thresholds"])
    return values | found


def variable(key: str) -> str:
    return "PCF_" + key.upper().replace("-", "_")


def from_text(key: str, text: str, kind: Kind) -> Any:
    """A PCF_* value as click reads it for that kind of option."""
    try:
        if kind == "flag":
            word = text.strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ValueError(text)
            return word in TRUE_WORDS
        if kind == "whole":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        raise InvalidSetting(
            variable(key),
            "{field}: {value!r} is not {kind}",
            value=text,
            kind={"flag": "true or false", "whole": "a whole number"}.get(kind, "a number"),
        ) from None
    return text.split() if kind == "words" else text


def thresholds_of(words: list[str]) -> dict[str, float]:
    """NAME=VALUE words (PCF_AUDIT_THRESHOLD, the config's table) as the mapping the settings take."""
    try:
        return dict(audit_threshold(word) for word in words)
    except ValueError as error:
        raise InvalidSetting("audit_thresholds", "{field}: {problem}", problem=str(error)) from None
