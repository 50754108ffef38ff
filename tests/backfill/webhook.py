"""A local webhook for the notification tests: a JSON endpoint on 127.0.0.1 that records every request Apprise
POSTs, and the secret a real webhook's URL would carry."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "T000-SECRET-TOKEN-9f8e7d"  # stands for a Slack webhook's token: must never leak


class Webhook:
    """A JSON endpoint that records every request; `status` 0 means: accept, never answer."""

    def __init__(self, status: int = 200) -> None:
        self.status, self.requests, self.release = status, [], threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.requests.append({"path": self.path, "json": json.loads(body or b"{}")})
                if hook.status == 0:
                    hook.release.wait(60)
                    return
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hooks/{SECRET}"

    @property
    def messages(self) -> list[dict]:
        return [request["json"] for request in self.requests]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
