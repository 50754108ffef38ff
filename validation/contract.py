"""The input contract (SPEC §2): each input table's columns and types as the product reads them. A broken column
is a record (which table, which column, what is wrong) with a sentence for people; callers decide on the fields.
Plain values, no pandas."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from vocabulary import ContractBreach, ExitCode
from warehouse.errors import PcfError
from warehouse.schemas import TABLES, compatible


@dataclass(frozen=True)
class ContractProblem:
    """One input column that breaks SPEC §2."""

    table: str  # the input's key in warehouse.schemas.TABLES: schedule, pgs, …
    column: str
    kind: ContractBreach
    expected: str  # the type SPEC §2 promises, spelled as the warehouse spells it
    found: str | None  # the type the warehouse holds (None: the column is missing)

    @property
    def message(self) -> str:
        """`input contract: player_game_summary.minutes_played is VARCHAR; expected DOUBLE`."""
        where = f"{TABLES[self.table].name}.{self.column}"
        found = "missing" if self.found is None else self.found
        return f"input contract: {where} is {found}; expected {self.expected}"


class InputContractError(PcfError):
    """An input table no longer has the columns or types SPEC §2 promises; nothing is read as defaults."""

    exit_code = ExitCode.FAILED

    def __init__(self, problems: Sequence[ContractProblem]) -> None:
        self.problems = list(problems)
        super().__init__(contract_text(self.problems) + " — fix the upstream table, then rerun")


def contract_text(problems: Sequence[ContractProblem]) -> str:
    return "; ".join(problem.message for problem in problems)


def contract_problems(
    found: Mapping[str, Mapping[str, str]], keys: Sequence[str], type_name: Callable[[str], str] = str
) -> list[ContractProblem]:
    """Each input table's columns against SPEC §2: missing columns and incompatible types, the types spelled as
    the warehouse spells them (`type_name`: DuckDB says VARCHAR where BigQuery says STRING)."""
    problems = []
    for key in keys:
        columns = found.get(key, {})
        if not columns:
            continue  # a missing table is reported where it is read
        for column in TABLES[key].columns:
            held, expected = columns.get(column.name), type_name(column.type)
            if held is None:
                problems.append(ContractProblem(key, column.name, ContractBreach.MISSING_COLUMN, expected, None))
            elif not compatible(column.type, held):
                problems.append(ContractProblem(key, column.name, ContractBreach.WRONG_TYPE, expected, type_name(held)))
    return problems
