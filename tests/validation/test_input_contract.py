"""The input contract (SPEC §2) as records: which table, which column, what is wrong; the run decides on the fields
(a broken schedule stops it, any other broken input fails its dates: tests/backfill/test_partial_inputs.py)."""

from __future__ import annotations

from validation.contract import ContractProblem, InputContractError, contract_problems
from vocabulary import ContractBreach
from warehouse.schemas import TABLES


def held(key: str) -> dict[str, str]:
    """A table's columns as the contract promises them."""
    return {column.name: column.type for column in TABLES[key].columns}


def test_a_table_as_promised_has_no_problem():
    assert contract_problems({"schedule": held("schedule"), "pgs": held("pgs")}, ("schedule", "pgs")) == []


def test_a_missing_column_and_a_wrong_type_are_records_naming_table_column_and_types():
    promised, pgs = held("pgs"), held("pgs")
    del pgs["team_abbr"]
    pgs["minutes_played"] = "VARCHAR"

    problems = contract_problems({"pgs": pgs, "schedule": held("schedule")}, ("schedule", "pgs"), str.lower)

    # the types spelled as the warehouse spells them (here: lower case)
    assert {(p.table, p.column, p.kind, p.expected, p.found) for p in problems} == {
        ("pgs", "team_abbr", ContractBreach.MISSING_COLUMN, promised["team_abbr"].lower(), None),
        ("pgs", "minutes_played", ContractBreach.WRONG_TYPE, promised["minutes_played"].lower(), "varchar"),
    }


def test_a_table_not_there_is_left_to_the_read_that_needs_it():
    assert contract_problems({"pgs": {}}, ("pgs",)) == []


def test_the_error_carries_its_records_and_one_line_for_people():
    problem = ContractProblem("schedule", "game_date", ContractBreach.WRONG_TYPE, "DATE", "TIMESTAMP")

    error = InputContractError([problem])

    assert error.problems == [problem]
    assert str(error).startswith(f"input contract: {TABLES['schedule'].name}.game_date is TIMESTAMP; expected DATE")
