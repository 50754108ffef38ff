"""What the BigQuery adapter sends, recorded at the google-cloud-bigquery client, and ZetaSQL's verdict on it.

`StatementRecorder` wraps the client itself (queries, loads, table creation, copies), so every statement any
code sends through it is seen, whoever wrote it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import click
import pytest
from google.cloud import bigquery

from googlesql.analyzer import Columns, GoogleSqlAnalyzer, Rejected, contract_tables, waivers


# --- what the adapter sends ----------------------------------------------------------------------
@dataclass
class SentStatement:
    """One query job as sent: its SQL, its parameters (name → type), who sent it."""

    sql: str
    params: dict[str, str]
    project: str
    sender: str
    job: Any = None  # the QueryJob, None when submitting it failed

    @property
    def ran_on_emulator(self) -> bool:
        return self.job is not None and getattr(self.job, "error_result", None) is None


@dataclass
class CreatedTable:
    """A table made through the API (create_table, a load or copy job) with its columns."""

    table_id: str
    columns: Columns | None = None
    like: str | None = None  # a copy job's source, whose columns it takes


@dataclass
class StatementRecorder:
    """Everything sent through every google.cloud.bigquery.Client while installed, in order."""

    events: list[SentStatement | CreatedTable] = field(default_factory=list)
    expected_rejections: list[str] = field(default_factory=list)
    _last_command: str = "no CLI command yet"
    _verdict: tuple[Any, Verdict] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def statements(self) -> list[SentStatement]:
        return [event for event in self.events if isinstance(event, SentStatement)]

    def verdict(self) -> Verdict:
        """ZetaSQL's verdict on everything recorded so far (worked out once per recording state)."""
        state = (len(self.events), tuple(self.expected_rejections))
        if self._verdict is None or self._verdict[0] != state:
            self._verdict = (state, analyse(self.events, self.expected_rejections))
        return self._verdict[1]

    def expect_rejection(self, fragment: str) -> None:
        """A test that sends invalid SQL on purpose names it here: statements containing
        `fragment` may be rejected."""
        self.expected_rejections.append(fragment)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        client = bigquery.Client
        monkeypatch.setattr(client, "query", self._recording_query(client.query))
        monkeypatch.setattr(client, "create_table", self._recording_create(client.create_table))
        monkeypatch.setattr(client, "load_table_from_file", self._recording_load(client.load_table_from_file))
        monkeypatch.setattr(client, "copy_table", self._recording_copy(client.copy_table))

    def _record(self, event: SentStatement | CreatedTable) -> None:
        with self._lock:
            self.events.append(event)

    def _recording_query(self, query: Callable[..., Any]) -> Callable[..., Any]:
        def recording(client: bigquery.Client, sql: str, *args: Any, **kwargs: Any) -> Any:
            config = kwargs.get("job_config") or (args[0] if args else None)
            parameters = getattr(config, "query_parameters", None) or []
            sent = SentStatement(sql, dict(map(_parameter_type, parameters)), client.project, self._sender())
            self._record(sent)
            sent.job = query(client, sql, *args, **kwargs)
            return sent.job

        return recording

    def _recording_create(self, create_table: Callable[..., Any]) -> Callable[..., Any]:
        def recording(client: bigquery.Client, table: Any, *args: Any, **kwargs: Any) -> Any:
            created = create_table(client, table, *args, **kwargs)
            self._record(CreatedTable(_table_id(client, created), _columns(created.schema)))
            return created

        return recording

    def _recording_load(self, load: Callable[..., Any]) -> Callable[..., Any]:
        def recording(client: bigquery.Client, file: Any, destination: Any, *args: Any, **kwargs: Any) -> Any:
            schema = getattr(kwargs.get("job_config"), "schema", None)
            job = load(client, file, destination, *args, **kwargs)
            if schema:  # a load creates its destination when it is missing
                self._record(CreatedTable(_table_id(client, destination), _columns(schema)))
            return job

        return recording

    def _recording_copy(self, copy: Callable[..., Any]) -> Callable[..., Any]:
        def recording(client: bigquery.Client, sources: Any, destination: Any, *args: Any, **kwargs: Any) -> Any:
            job = copy(client, sources, destination, *args, **kwargs)
            source = sources[0] if isinstance(sources, list | tuple) else sources
            self._record(CreatedTable(_table_id(client, destination), like=_table_id(client, source)))
            return job

        return recording

    def _sender(self) -> str:
        """The CLI command running (with the options it was given), or who else it was."""
        context = click.get_current_context(silent=True)
        if context is None:
            if threading.current_thread() is threading.main_thread():
                return "test code (no CLI command)"
            return f"a worker thread of `{self._last_command}`"
        defaults = {param.name: param.default for param in context.command.params}
        options = [
            f"--{name.replace('_', '-')} {value}" if value is not True else f"--{name.replace('_', '-')}"
            for name, value in context.params.items()
            if value not in (None, False, (), []) and value != defaults.get(name)
        ]
        self._last_command = " ".join(["pcf-backfill", *context.command_path.split()[1:], *map(str, options)])
        return self._last_command


def _parameter_type(parameter: Any) -> tuple[str, str]:
    if isinstance(parameter, bigquery.ArrayQueryParameter):
        return parameter.name, f"ARRAY<{parameter.array_type}>"
    if isinstance(parameter, bigquery.ScalarQueryParameter):
        return parameter.name, parameter.type_
    raise TypeError(f"no ZetaSQL declaration for query parameter {parameter!r}")


def _table_id(client: bigquery.Client, table: Any) -> str:
    reference = table.reference if isinstance(table, bigquery.Table) else table
    if isinstance(reference, str):
        reference = bigquery.TableReference.from_string(reference, default_project=client.project)
    return f"{reference.project}.{reference.dataset_id}.{reference.table_id}"


def _columns(schema: Iterable[bigquery.SchemaField]) -> Columns:
    return tuple((f.name, f"ARRAY<{f.field_type}>" if f.mode == "REPEATED" else f.field_type) for f in schema)


# --- the verdict ----------------------------------------------------------------------------------
@dataclass
class Verdict:
    """What the analyzer made of a recording: counts, and every rejection spelled out."""

    analysed: int = 0
    distinct: int = 0
    waived: int = 0
    expected: int = 0
    rejections: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"ZetaSQL (BigQuery's analyzer) analysed {self.analysed} statements ({self.distinct} distinct): "
            f"{len(self.rejections)} rejected, {self.waived} waived, {self.expected} invalid on purpose"
        )


def _waiver(sql: str) -> str | None:
    return next((reason for fragment, reason in waivers().items() if fragment in sql), None)


def analyse(events: Iterable[SentStatement | CreatedTable], expected_rejections: Iterable[str] = ()) -> Verdict:
    """Check every statement against the contract tables of its project plus the tables made
    before it; each distinct (SQL, parameters, tables) is analysed once."""
    verdict = Verdict()
    analyzer = GoogleSqlAnalyzer()
    checked: dict[tuple[Any, ...], str | None] = {}
    try:
        for event in events:
            if isinstance(event, CreatedTable):
                columns = event.columns if event.like is None else analyzer.known.get(event.like)
                if columns is not None:
                    analyzer.add_tables({event.table_id: columns})
            elif _waiver(event.sql):
                verdict.waived += 1
            else:
                _check_one(event, analyzer, verdict, checked, tuple(expected_rejections))
    finally:
        analyzer.close()
    return verdict


def _check_one(
    sent: SentStatement,
    analyzer: GoogleSqlAnalyzer,
    verdict: Verdict,
    checked: dict[Any, str | None],
    expected: tuple[str, ...],
) -> None:
    verdict.analysed += 1
    analyzer.add_tables({k: v for k, v in contract_tables(sent.project).items() if k not in analyzer.known})
    key = (sent.sql, tuple(sorted(sent.params.items())), frozenset(analyzer.known.items()))
    if key not in checked:
        verdict.distinct += 1
        checked[key] = _rejection(analyzer, sent)
    message = checked[key]
    if message is None:
        return
    if any(fragment in sent.sql for fragment in expected) and not sent.ran_on_emulator:
        verdict.expected += 1
        return
    params = ", ".join(f"@{name} {type_}" for name, type_ in sent.params.items()) or "none"
    emulator = "ran it" if sent.ran_on_emulator else "failed it too"
    verdict.rejections.append(
        f"sent by: {sent.sender}\nparameters: {params}\nthe emulator {emulator}\n"
        f"statement:\n{sent.sql.strip()}\nZetaSQL: {message}"
    )


def _rejection(analyzer: GoogleSqlAnalyzer, sent: SentStatement) -> str | None:
    try:
        analyzer.check(sent.sql, sent.params)
    except Rejected as rejection:
        return str(rejection)
    return None


@contextmanager
def recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[StatementRecorder]:
    recorder = StatementRecorder()
    with monkeypatch.context() as patched:
        recorder.install(patched)
        yield recorder
