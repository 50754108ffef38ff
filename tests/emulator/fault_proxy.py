"""A small HTTP proxy between the BigQuery client and the emulator that answers the way BigQuery does where the
emulator does not, and injects the faults a production run meets.

Always, as BigQuery: a job id inserted twice gets 409 "Already Exists: Job" (the emulator would run it again),
a load job keeps the id its insert gave it (the emulator names uploads itself: the proxy maps the names), and
two transactions changing one table at the same time do not both commit: the later one fails with "Transaction
is aborted due to concurrent update" (each transaction is held `transaction_seconds` in flight, so runs side
by side do meet).

On request (`fail`): an insert answered 403 rateLimitExceeded or 500 backendError without running, run and its
answer lost (the connection closed unanswered, as when a network drops the response), or a transaction aborted
as if a concurrent one had just changed its table.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit

Kind = Literal["query", "load", "transaction", "any"]
How = Literal["lose", "rateLimitExceeded", "backendError", "abort"]

JOB_ID = re.compile(rb'"jobId"\s*:\s*"([^"]+)"')
JOB_PATH = re.compile(r"/jobs/([^/?]+)")
CHANGED_TABLE = re.compile(r"(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE|MERGE\s+INTO|MERGE)\s+`([^`]+)`", re.IGNORECASE)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
STATUS_OF = {"rateLimitExceeded": (403, "PERMISSION_DENIED"), "backendError": (500, "INTERNAL")}


@dataclass
class Fault:
    kind: Kind
    how: How
    times: int


@dataclass
class Insert:
    """One job insert as the proxy saw it."""

    job_id: str
    kind: Kind
    sql: str = ""

    @property
    def changed_tables(self) -> set[str]:
        return set(CHANGED_TABLE.findall(self.sql)) if self.kind == "transaction" else set()


@dataclass
class FaultProxy:
    """Forwards to `upstream`; `url` is what the client is pointed at (BIGQUERY_EMULATOR_HOST)."""

    upstream: str
    transaction_seconds: float = 0.3
    faults: list[Fault] = field(default_factory=list)
    injected: list[tuple[str, str]] = field(default_factory=list)  # (what, job id), in order
    url: str = ""
    _inserted: set[str] = field(default_factory=set)
    _in_flight: dict[str, set[str]] = field(default_factory=dict)  # job id → tables its transaction changes
    _load_ids: dict[str, str] = field(default_factory=dict)  # a load's job id → the emulator's name for it
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, kind: Kind, how: How, times: int = 1) -> None:
        """The next `times` inserts of `kind` meet `how`."""
        with self._lock:
            self.faults.append(Fault(kind, how, times))

    def injected_kinds(self) -> list[str]:
        return [what for what, _ in self.injected]

    # --- deciding ---------------------------------------------------------------------------------------
    def _fault_for(self, insert: Insert) -> How | None:
        with self._lock:
            for fault in self.faults:
                kinds = {insert.kind, "any"} | ({"query"} if insert.kind == "transaction" else set())
                if fault.times and fault.kind in kinds:  # a transaction is a query too
                    fault.times -= 1
                    return fault.how
        return None

    def _first_insert(self, job_id: str) -> bool:
        with self._lock:
            if job_id in self._inserted:
                return False
            self._inserted.add(job_id)
            return True

    @contextmanager
    def _transaction(self, insert: Insert) -> Iterator[bool]:
        """Yields whether the transaction may run: False when one in flight changes a table it changes."""
        tables = insert.changed_tables
        with self._lock:
            clash = any(tables & others for others in self._in_flight.values())
            if not clash:
                self._in_flight[insert.job_id] = tables
        try:
            yield not clash
        finally:
            with self._lock:
                self._in_flight.pop(insert.job_id, None)

    def note(self, what: str, job_id: str) -> None:
        with self._lock:
            self.injected.append((what, job_id))


def parse_insert(method: str, path: str, body: bytes) -> Insert | None:
    """A job insert (a query, or a load's upload), else None."""
    if method != "POST" or not urlsplit(path).path.endswith("/jobs"):
        return None
    found = JOB_ID.search(body)
    if not found:
        return None
    job_id = found.group(1).decode()
    if urlsplit(path).path.startswith("/upload/"):
        return Insert(job_id, "load")
    try:
        query = json.loads(body).get("configuration", {}).get("query", {}).get("query", "")
    except ValueError:
        return Insert(job_id, "any")
    return Insert(job_id, "transaction" if "BEGIN TRANSACTION" in query.upper() else "query", query)


def error_body(status: int, state: str, reason: str, message: str) -> bytes:
    return json.dumps(
        {
            "error": {
                "code": status,
                "message": message,
                "status": state,
                "errors": [{"reason": reason, "message": message, "domain": "global"}],
            }
        }
    ).encode()


def aborted_body(body: bytes, table: str) -> bytes:
    """The insert, its query replaced by one that fails as BigQuery's abort does: the job exists, and failed."""
    document = json.loads(body)
    message = f"Transaction is aborted due to concurrent update against table {table}."
    document["configuration"]["query"]["query"] = f"SELECT ERROR('{message}')"
    return json.dumps(document).encode()


def handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    upstream = urlsplit(proxy.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: object) -> None:  # quiet: the test reads `injected`
            pass

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            insert = parse_insert(self.command, self.path, body)
            if insert is None:
                named = JOB_PATH.search(self.path)
                emulated = proxy._load_ids.get(named.group(1)) if named else None
                if named and emulated:  # a load asked for by its own id
                    self.path = self.path.replace(f"/jobs/{named.group(1)}", f"/jobs/{emulated}")
                self._forward(body, rename=(emulated, named.group(1)) if named and emulated else None)
                return
            if not proxy._first_insert(insert.job_id):
                proxy.note("409 duplicate job id", insert.job_id)
                self._answer(
                    409, error_body(409, "ALREADY_EXISTS", "duplicate", f"Already Exists: Job {insert.job_id}")
                )
                return
            how = proxy._fault_for(insert)
            if how in STATUS_OF:
                proxy._inserted.discard(insert.job_id)  # refused before it ran: the id stays free
                proxy.note(how, insert.job_id)
                status, state = STATUS_OF[how]
                self._answer(status, error_body(status, state, how, f"injected {how}"))
                return
            if insert.kind == "transaction":
                with proxy._transaction(insert) as free:
                    if not free or how == "abort":
                        proxy.note("transaction aborted", insert.job_id)
                        body = aborted_body(body, min(insert.changed_tables, default="a table"))
                    else:
                        time.sleep(proxy.transaction_seconds)
                    self._forward(body, lose=how == "lose")
            else:
                self._forward(body, lose=how == "lose", load_id=insert.job_id if insert.kind == "load" else None)
            if how == "lose":
                proxy.note("response lost", insert.job_id)

        def _forward(
            self, body: bytes, *, lose: bool = False, load_id: str | None = None, rename: tuple[str, str] | None = None
        ) -> None:
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=300)
            headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
            headers["Content-Length"] = str(len(body))
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            connection.close()
            named = JOB_ID.search(payload) if load_id else None
            if load_id and named:
                rename = (named.group(1).decode(), load_id)
                with proxy._lock:
                    proxy._load_ids[load_id] = rename[0]
            if rename:
                payload = payload.replace(rename[0].encode(), rename[1].encode())
            if lose:  # it ran; the client never hears so
                self.close_connection = True
                self.connection.close()
                return
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _answer(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


@contextmanager
def serving(upstream: str, **options: float) -> Iterator[FaultProxy]:
    """A proxy to `upstream` on a free port of 127.0.0.1, stopped afterwards."""
    proxy = FaultProxy(upstream, **options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(proxy))
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="bigquery-fault-proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
