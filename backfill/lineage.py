"""OpenLineage run events for `run`, `catch-up` and `cleanup` (the `lineage` extra: openlineage-python).

Emitted only when the client is configured in its standard way (OPENLINEAGE_CONFIG, an openlineage.yml in the
working directory or ~/.openlineage, OPENLINEAGE_URL, or OPENLINEAGE__* variables), so Marquez, DataHub or
Airflow's lineage see each writing call: START, then COMPLETE or FAIL (ABORT when the caller stopped it), with
the input tables and the output, named as the warehouse names them (namespace `bigquery`, or `duckdb://` and
the file's path), the output's row count and, as the run facet `pcf`, the per-date verdicts. A lineage backend
that is down never fails a run: the event is dropped with a warning. openlineage is imported only then.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warehouse import Interrupted, Warehouse
from warehouse.logger import get_logger

log = get_logger(__name__)
PRODUCER = "https://github.com/pcf-backfill/pcf-backfill"
JOB_NAMESPACE_VARIABLE = "OPENLINEAGE_NAMESPACE"  # the one Airflow's integration reads too


def configured(environ: Mapping[str, str] | None = None) -> bool:
    """openlineage-python is installed and told where to send events (and not disabled)."""
    environ = os.environ if environ is None else environ
    if environ.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        return False
    files = [
        environ.get("OPENLINEAGE_CONFIG"),
        Path.cwd() / "openlineage.yml",
        Path.home() / ".openlineage" / "openlineage.yml",
    ]
    told = (
        any(path and Path(path).is_file() for path in files)
        or bool(environ.get("OPENLINEAGE_URL"))
        or any(name.startswith("OPENLINEAGE__") for name in environ)
    )
    if not told:
        return False
    try:
        import openlineage.client  # noqa: F401
    except ImportError:
        return False
    return True


def dataset_of(wh: Warehouse, key: str) -> tuple[str, str]:
    """A table as OpenLineage names it: (namespace, name) — `bigquery`, `project.dataset.table`; for DuckDB
    `duckdb://` and the file's path, `schema.table`."""
    name = wh.table(key).replace("`", "").replace('"', "")
    if wh.backend == "bigquery":
        return "bigquery", name
    return f"duckdb://{Path(getattr(wh, 'path', '')).resolve()}", name


@dataclass
class Outcome:
    """What the call reports for its COMPLETE/FAIL event: rows written per output table, the `pcf` facet."""

    rows: dict[str, int] = field(default_factory=dict)
    facet: dict[str, Any] = field(default_factory=dict)
    failed: bool = False
    sent: bool = False  # whether anyone receives it: when not, the caller need not assemble it


@contextmanager
def reported(wh: Warehouse, command: str, inputs: list[str], outputs: list[str]) -> Iterator[Outcome]:
    """START now; COMPLETE (or FAIL, as the block's `Outcome` says) after the block; FAIL when it raises, ABORT
    when it is interrupted. Nothing at all when OpenLineage is not configured."""
    if not configured():
        yield Outcome()
        return
    outcome = Outcome(sent=True)
    from openlineage.client import OpenLineageClient
    from openlineage.client.uuid import generate_new_uuid

    client, run_id = OpenLineageClient(), str(generate_new_uuid())

    def send(state: str, **parts: Any) -> None:
        emit(client, state, run_id, command, wh, **parts)

    send("START", inputs=inputs)
    try:
        yield outcome
    except BaseException as error:
        send(
            "ABORT" if isinstance(error, Interrupted | KeyboardInterrupt) else "FAIL",
            inputs=inputs,
            facet={**outcome.facet, "error": f"{type(error).__name__}: {error}"},
        )
        raise
    send(
        "FAIL" if outcome.failed else "COMPLETE", inputs=inputs, outputs=outputs, rows=outcome.rows, facet=outcome.facet
    )


def emit(
    client: Any,
    state: str,
    run_id: str,
    command: str,
    wh: Warehouse,
    *,
    inputs: list[str],
    outputs: list[str] | None = None,
    rows: dict[str, int] | None = None,
    facet: dict[str, Any] | None = None,
) -> None:
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.facet_v2 import output_statistics_output_dataset
    from openlineage.client.generated.base import RunFacet

    def output(key: str) -> OutputDataset:
        namespace, name = dataset_of(wh, key)
        count = (rows or {}).get(key)
        statistics = output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet
        facets: dict[str, Any] = {} if count is None else {"outputStatistics": statistics(rowCount=count)}
        return OutputDataset(namespace=namespace, name=name, outputFacets=facets)

    pcf = RunFacet(producer=PRODUCER).with_additional_properties(**facet) if facet else None
    run_facets: dict[str, Any] = {"pcf": pcf} if pcf else {}
    event = RunEvent(
        eventType=getattr(RunState, state),
        eventTime=datetime.now(UTC).isoformat(),
        producer=PRODUCER,
        run=Run(runId=run_id, facets=run_facets),
        job=Job(namespace=os.environ.get(JOB_NAMESPACE_VARIABLE, "pcf-backfill"), name=f"pcf_backfill.{command}"),
        inputs=[
            InputDataset(namespace=namespace, name=name) for namespace, name in (dataset_of(wh, key) for key in inputs)
        ],
        outputs=[output(key) for key in outputs or []],
    )
    try:
        client.emit(event)
    except Exception as error:  # lineage is a report on the run, never a reason for it to fail
        log.warning("lineage_not_sent", state=state, error=f"{type(error).__name__}: {error}")
