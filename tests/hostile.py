"""A scriptable local HTTP server on 127.0.0.1 for fault tests: each route answers however the test says,
including not at all, byte by byte, or forever. Real sockets, real HTTP: nothing of ours is mocked."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Respond = Callable[["Handler", "re.Match[str]"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, dict(self.headers), body))
        for (method, pattern), respond in list(self.server.routes.items()):
            if method == self.command and (match := re.fullmatch(pattern, self.path.split("?")[0])):
                try:
                    respond(self, match)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should
                return
        self.json(404, {"title": "Not Found", "detail": f"no route {self.command} {self.path}"})

    do_GET = do_POST = do_DELETE = do_PATCH = _dispatch

    def log_message(self, *args: Any) -> None:
        pass

    @property
    def body(self) -> bytes:
        return self.server.seen[-1][3]

    def json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", "Content-Length": str(len(payload)),
                           **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def text(self, status: int, text: str) -> None:
        payload = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class HostileServer(ThreadingHTTPServer):
    """``server.route("GET", r"/de-fra-1/v2/ai/model", respond)``; ``server.stopping`` ends endless answers."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[tuple[str, str], Respond] = {}
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def template(self) -> str:
        return self.url + "/{zone}/v2"

    def route(self, method: str, pattern: str, respond: Respond) -> None:
        self.routes[(method, pattern)] = respond

    def requests(self, method: str | None = None) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _, _ in self.seen if method is None or m == method]

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
