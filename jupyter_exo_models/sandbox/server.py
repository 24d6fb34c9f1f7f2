"""HTTP plumbing of the sandbox: threaded stdlib servers on 127.0.0.1, fault injection, a request log."""

from __future__ import annotations

import json
import random
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as the sandbox saw it (kept in the request log)."""

    service: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str] = field(repr=False)  # Authorization and the create body carry secrets
    body: bytes = field(repr=False)
    raw_path: str
    time: float = field(default_factory=time.time)
    status: int | None = None  # None: no answer was sent (dropped, hung)
    fault: str | None = None
    answer: bytes = field(default=b"", repr=False)  # the body sent back (contract tests check its shape)
    answer_type: str = ""  # its Content-Type

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:].strip() or None if value.lower().startswith("bearer ") else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


def problem(status: int, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem answer in Exoscale's shape (``error-response`` of its OpenAPI document).

    Exoscale's problem types are fragments such as ``#/http-problem-types/not-found``; the sandbox
    assumes each is the kebab-cased title (the standard phrase of the status), as the quoted ones are.
    """
    title = HTTPStatus(status).phrase
    body = {
        "type": f"#/http-problem-types/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return json_response(status, body)


def invalid_body(errors: list[dict[str, str]]) -> Response:
    """Exoscale's 422 for a body that breaks the request schema: ``errors[]`` and no ``detail``
    (docs/SERVICES.md)."""
    return json_response(
        422,
        {
            "type": "#/http-problem-types/request-invalid-body",
            "title": "Invalid Request Body",
            "errors": errors,
        },
    )


@dataclass
class _Once:
    service: str
    method: str
    path: re.Pattern[str]
    action: int | str


class Faults:
    """What goes wrong, and how often. Mutable while the sandbox runs.

    Attributes:
        latency: seconds added before every answer of ``services``.
        error_rate: share of requests answered with a status from ``error_statuses``.
        drop_rate: share of requests whose connection is closed without an answer.
        hang: accept requests but never answer (until the sandbox stops).
        services: which services the latency and the random faults apply to (the hub and exoscale by
            default; "inference", the deployments' endpoints, when added).
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        error_rate: float = 0.0,
        drop_rate: float = 0.0,
        error_statuses: tuple[int, ...] = (429, 500, 503),
        services: set[str] | None = None,
        hang: bool = False,
        seed: int | None = None,
    ) -> None:
        self.latency = latency
        self.error_rate = error_rate
        self.drop_rate = drop_rate
        self.error_statuses = error_statuses
        self.services = services or {"hub", "exoscale"}
        self.hang = hang
        self._random = random.Random(seed)
        self._once: list[_Once] = []
        self._lock = threading.Lock()

    def once(self, service: str, method: str, path_regex: str, action: int | str) -> None:
        """Apply ``action`` (a status, ``"drop"`` or ``"lose-response"``) to the next matching request."""
        with self._lock:
            self._once.append(_Once(service, method.upper(), re.compile(path_regex), action))

    def reset(self) -> None:
        with self._lock:
            self.latency = self.error_rate = self.drop_rate = 0.0
            self.hang = False
            self._once.clear()

    def decide(self, service: str, method: str, path: str) -> int | str | None:
        with self._lock:
            for rule in self._once:
                if rule.service == service and rule.method == method and rule.path.search(path):
                    self._once.remove(rule)
                    return rule.action
            if service not in self.services:
                return None
            roll = self._random.random()
            if roll < self.drop_rate:
                return "drop"
            if roll < self.drop_rate + self.error_rate:
                return self._random.choice(self.error_statuses)
        return None


class ServiceServer:
    """One fake service on 127.0.0.1:<free port>, served from a daemon thread."""

    def __init__(
        self,
        name: str,
        handle: Callable[[Request], Response],
        faults: Faults,
        log: list[Request],
        error: Callable[[int], Response],
        max_body: int | None = None,
    ) -> None:
        self.name = name
        self._max_body = max_body  # larger bodies are refused unread (413), so a client cannot fill memory
        self._handle = handle
        self._faults = faults
        self._log = log
        self._error = error
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}" if isinstance(host, str) else f"http://{host.decode()}:{port}"

    def start(self) -> None:
        handler = type(f"{self.name}Handler", (_Handler,), {"service": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{self.name}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def serve(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        too_large = self._max_body is not None and length > self._max_body
        body = handler.rfile.read(length) if length and not too_large else b""
        request = Request(
            self.name,
            handler.command,
            parts.path,
            parse_qs(parts.query),
            {k.lower(): v for k, v in handler.headers.items()},
            body,
            handler.path,
        )
        self._log.append(request)
        faults = self._faults
        if faults.latency and self.name in faults.services:
            time.sleep(faults.latency)
        if faults.hang and self.name in faults.services:
            request.fault = "hang"
            self._stopping.wait()
            handler.close_connection = True
            return
        action = faults.decide(self.name, request.method, request.path)
        request.fault = None if action is None else str(action)
        if action == "drop":
            return self._drop(handler)
        if too_large:
            action, handler.close_connection = 413, True  # the unread body must not be taken for a request
        response = self._error(int(action)) if isinstance(action, int) else self._safe_handle(request)
        if action == "lose-response":
            return self._drop(handler)
        request.status, request.answer = response.status, response.body
        request.answer_type = response.headers.get("Content-Type", "")
        handler.send_response(response.status)
        headers = {"X-Sandbox": "1", "Content-Length": str(len(response.body)), **response.headers}
        if response.status == 429:
            headers.setdefault("Retry-After", "0")
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        if request.method != "HEAD":
            handler.wfile.write(response.body)

    def _safe_handle(self, request: Request) -> Response:
        try:
            return self._handle(request)
        except Exception as exc:  # noqa: BLE001 -- a sandbox bug answers 500 instead of killing the connection
            return problem(500, f"SANDBOX bug: {type(exc).__name__}: {exc}")

    @staticmethod
    def _drop(handler: _Handler) -> None:
        handler.close_connection = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default backlog of 5 makes concurrent clients wait a SYN retry (1 s)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # clients hang up: not news
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = (
        True  # headers and body go out in two writes: Nagle + delayed ACK would add 40 ms
    )
    service: ServiceServer

    def _dispatch(self) -> None:
        self.service.serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # the request log replaces stderr noise
        pass
