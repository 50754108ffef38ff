"""However a host stops an API call, on both backends: it raises `Interrupted`, the run's ledger row says 130
(143 for the host's own termination), the lease is given back, and nothing half-published stays."""

from __future__ import annotations

from datetime import date

import pytest
from support import query

import backfill

TODAY = date(2026, 11, 26)
SPAN = (date(2023, 3, 1), date(2023, 3, 6))


class HostTerminated(BaseException):
    """What Airflow (AirflowTaskTerminated) and Dagster (DagsterExecutionInterruptedError) raise in a task."""


def after_first_date(error: BaseException):  # type: ignore[no-untyped-def]
    def on_date(_day: date, _verdict: object) -> None:
        raise error

    return on_date


@pytest.mark.parametrize(("how", "exit_code"), [("cancel", 130), ("ctrl-c", 130), ("terminated", 143)])
def test_a_stopped_call_raises_interrupted_and_its_run_row_says_why(warehouse, how, exit_code):
    options: dict[str, object] = {
        "cancel": {"cancel": lambda: bool(query(warehouse.url, "SELECT count(*) AS n FROM {pcf}")["n"].iat[0])},
        "ctrl-c": {"on_date": after_first_date(KeyboardInterrupt())},
        "terminated": {"on_date": after_first_date(HostTerminated())},
    }[how]

    with pytest.raises(backfill.Interrupted) as stopped:
        backfill.run(warehouse.url, *SPAN, chunk_days=2, today=TODAY, **options)  # type: ignore[arg-type]

    assert stopped.value.exit_code == exit_code and stopped.value.resume_command
    runs = query(warehouse.url, "SELECT run_id, exit_code FROM {runs}")
    assert runs.to_dict("records") == [{"run_id": stopped.value.run_id, "exit_code": exit_code}]
    states = backfill.status(warehouse.url, *SPAN).dates
    assert all((state.status == "published") == (state.published_players > 0) for state in states)
    assert 0 < sum(state.status == "published" for state in states) < len(states)
    assert backfill.api.leases(warehouse.url).leases == []
    assert backfill.run(warehouse.url, *SPAN, today=TODAY).exit_code == 0  # the rerun resumes
