"""The bad-input cases of `test_bad_input.py` for option values: dates, thresholds, whole numbers and choices, and
what every case is made of (`Refusal`: arguments, the option the one error line names, the accepted form it states).
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

RANGE = ("--start-date", "2023-03-01", "--end-date", "2023-03-07")
MISSING_BACKUP = "upcoming_player_game_context_backup_20230301T090000"


class Refusal(NamedTuple):
    args: tuple[str, ...]
    option: str  # named in the one error line
    form: str  # the accepted form, as the line states it
    warehouse: str = "duckdb:///{db}"
    env: tuple[tuple[str, str], ...] = ()


# A valid invocation of each command; a case changes or adds one option.
COMMANDS: dict[str, tuple[str, ...]] = {
    "run": ("run", *RANGE),
    "catch-up": ("catch-up",),
    "status": ("status", *RANGE),
    "validate": ("validate", *RANGE),
    "report": ("report", *RANGE, "--html", "{tmp}/report.html"),
    "cleanup": ("cleanup",),
    "freshness": ("freshness",),
    "cleanup restore": ("cleanup", "restore", MISSING_BACKUP),
    "demo": ("demo", "--seasons", "2022"),
    "init": ("init",),
}
RANGE_COMMANDS = ("run", "status", "validate", "report")
NEEDS_A_WAREHOUSE = ("run", "catch-up", "status", "validate", "report", "cleanup", "cleanup restore")
CREATES_A_WAREHOUSE = ("demo", "init")  # run on a path that does not exist yet, which must stay absent

DATE_FORM = "YYYY-MM-DD, today or yesterday"
BAD_DATES = ("2023-13-01", "2023-02-30", "", "02/23/2023", "2023-2-3", "20230223", "tomorrow", "2023-02-23T00:00")
FRACTION = "fraction in (0, 1]"
THRESHOLDS = {
    "-1": FRACTION,
    "0": FRACTION,
    "1.5": FRACTION,
    "nan": FRACTION,
    "inf": FRACTION,
    "abc": "valid float",
    "": "valid float",
}
IDENTIFIER_FORM = "[A-Za-z_][A-Za-z0-9_]{0,1023}"
HOSTILE_DATASET_NAMES = (
    "bad;name",
    "x`y",
    "a'b",
    'a"b',
    "with space",
    "ünïcode",
    "1digit",
    "",
    "a.b",
    "a-b",
    "x" * 1025,
    "pcf; DROP SCHEMA nba_analytics",
)


def with_option(command: str, option: str, *values: str) -> tuple[str, ...]:
    """The command's valid arguments with `option` set to `values` (replaced if present, else appended)."""
    args = list(COMMANDS[command])
    if option in args:
        at = args.index(option)
        return (*args[:at], option, *values, *args[at + 2 :])
    return (*args, option, *values)


def group_options(*args: str, command: str = "status") -> tuple[str, ...]:
    return (*args, *COMMANDS[command])


def dates() -> list[pytest.param]:
    cases = [
        pytest.param(Refusal(with_option(command, option, bad), option, DATE_FORM), id=f"{command} {option}={bad!r}")
        for command in RANGE_COMMANDS
        for option in ("--start-date", "--end-date")
        for bad in BAD_DATES
    ]
    run_dates = ("run", "--dates")
    cases += [
        pytest.param(Refusal((*run_dates, bad), "--dates", DATE_FORM), id=f"run --dates={bad!r}")
        for bad in ("2023-13-01", "2023-02-30", "", ",", " , ", "02/23/2023", "2023-03-01;2023-03-02")
    ]
    cases += [
        pytest.param(Refusal((*run_dates, "2023-03-01,2026-11-27"), "--dates", "after today"), id="run --dates future"),
        pytest.param(
            Refusal((*run_dates, "2023-03-01", *RANGE), "--dates", "either --dates or --start-date"),
            id="run --dates with a range",
        ),
        pytest.param(Refusal(("run",), "--start-date and --end-date", DATE_FORM), id="run without dates"),
        pytest.param(Refusal(("run", "--start-date", "2023-03-01"), "--end-date", DATE_FORM), id="run without end"),
        pytest.param(Refusal(group_options("--today", "2023-02-30"), "--today", DATE_FORM), id="--today impossible"),
        pytest.param(Refusal(group_options("--today", "soon"), "--today", DATE_FORM), id="--today malformed"),
    ]
    for command in RANGE_COMMANDS:
        reversed_range = with_option(command, "--start-date", "2023-03-08")
        cases.append(pytest.param(Refusal(reversed_range, "--end-date", "start ≤ end"), id=f"{command} reversed"))
        for future in ("2026-11-27", "2099-01-01"):
            cases.append(
                pytest.param(
                    Refusal(with_option(command, "--end-date", future), "--end-date", "after today"),
                    id=f"{command} ends {future}",
                )
            )
    return cases


def thresholds() -> list[pytest.param]:
    owners = [
        ("run", "--min-coverage"),
        ("run", "--warn-coverage"),
        ("catch-up", "--min-coverage"),
        ("catch-up", "--warn-coverage"),
        ("validate", "--min-coverage"),
    ]
    cases = [
        pytest.param(Refusal(with_option(command, option, value), option, form), id=f"{command} {option}={value!r}")
        for command, option in owners
        for value, form in THRESHOLDS.items()
    ]
    for command in ("run", "catch-up"):
        below = (*COMMANDS[command], "--min-coverage", "0.9", "--warn-coverage", "0.85")
        cases.append(pytest.param(Refusal(below, "--warn-coverage", "min ≤ warn"), id=f"{command} warn below min"))
    cases.append(
        pytest.param(
            Refusal(COMMANDS["run"], "--min-coverage", FRACTION, env=(("PCF_MIN_COVERAGE", "nan"),)),
            id="PCF_MIN_COVERAGE=nan",
        )
    )
    audit = "--audit-threshold"
    for command in ("run", "catch-up"):
        cases += [
            pytest.param(
                Refusal((*COMMANDS[command], audit, word), audit, "NAME=VALUE"), id=f"{command} {audit} {word!r}"
            )
            for word in ("shot_zone_zero_share", "shot_zone_zero_share=high", "=", "")
        ]
    cases.append(
        pytest.param(
            Refusal(COMMANDS["run"], audit, "NAME=VALUE", env=(("PCF_AUDIT_THRESHOLD", "shot_zone_zero_share:0.6"),)),
            id="PCF_AUDIT_THRESHOLD malformed",
        )
    )
    return cases


def whole_numbers() -> list[pytest.param]:
    table = [
        (
            "run",
            "--chunk-days",
            {
                "0": "from 1 to 36500",
                "-1": "from 1 to 36500",
                "1.5": "valid integer",
                "abc": "valid integer",
                "": "valid integer",
                "36501": "from 1 to 36500",
            },
        ),
        ("catch-up", "--chunk-days", {"0": "from 1 to 36500", "-5": "from 1 to 36500", "x": "valid integer"}),
        ("run", "--baseline-dates", {"0": "from 1 to 366", "100000000000": "from 1 to 366"}),
        ("catch-up", "--baseline-dates", {"367": "from 1 to 366"}),
        ("run", "--workers", {"0": "between 1 and 16", "17": "between 1 and 16", "two": "valid integer"}),
        (
            "catch-up",
            "--lookback-days",
            {"0": "1<=x<=36500", "-1": "1<=x<=36500", "10000000": "1<=x<=36500", "abc": "valid integer"},
        ),
        (
            "cleanup",
            "--retention-days",
            {"-1": "from 0 to 36500", "36501": "from 0 to 36500", "abc": "valid integer", "": "valid integer"},
        ),
        ("demo", "--seed", {"-1": "x>=0", "abc": "valid integer"}),
        ("freshness", "--max-lag-hours", {"nan": "from 0 to 8784", "100000": "from 0 to 8784"}),
    ]
    return [
        pytest.param(
            Refusal(
                with_option(command, option, value),
                option,
                form,
                warehouse="duckdb:///{missing}" if command in CREATES_A_WAREHOUSE else "duckdb:///{db}",
            ),
            id=f"{command} {option}={value!r}",
        )
        for command, option, values in table
        for value, form in values.items()
    ]


def choices() -> list[pytest.param]:
    cases = [
        pytest.param(Refusal(with_option(command, option, "bogus"), option, "is not one of"), id=f"{command} {option}")
        for command, option in [("run", "--source"), ("run", "--rerun"), ("cleanup", "--mode")]
    ]
    cases += [
        pytest.param(
            Refusal(with_option(command, "--output", "xml"), "--output", "is not one of"), id=f"{command} --output"
        )
        for command in ("run", "catch-up", "status", "validate", "cleanup")
    ]
    cases += [
        pytest.param(Refusal(group_options(option, "loud"), option, "is not one of"), id=option)
        for option in ("--log-format", "--log-level")
    ]
    return cases
