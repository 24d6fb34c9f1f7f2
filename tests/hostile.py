"""A scriptable local HTTP server on 127.0.0.1 for fault tests: each route answers however the test says,
including not at all, byte by byte, or forever. Real sockets, real HTTP: nothing of ours is mocked."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self

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
        for key, value in {
            "Content-Type": "application/json",
            "Content-Length": str(len(payload)),
            **(headers or {}),
        }.items():
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
    """``server.route("GET", r"/de-fra-1/v2/ai/model", respond)``; ``server.stopping`` ends endless
    answers."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[tuple[str, str], Respond] = {}
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self.stopping = threading.Event()
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

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

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


class EchoingExoscale:
    """A fake Exoscale that fails every import and quotes back, in every text it sends, the Hugging Face token
    it received and the ``echo`` values given (e.g. the Exoscale secret): what no face may ever show."""

    def __init__(self, server: HostileServer, zone: str = "de-fra-1", *, echo: tuple[str, ...] = ()) -> None:
        import uuid

        self.models: dict[str, dict[str, Any]] = {}
        self.operations: dict[str, str] = {}
        self._uuid = uuid.uuid4
        self._echo = echo
        base = f"/{zone}/v2"
        server.route(
            "GET", base + "/ai/model", lambda h, _: h.json(200, {"models": list(self.models.values())})
        )
        server.route("POST", base + "/ai/model", self._create)
        server.route("GET", base + r"/ai/model/([^/]+)", self._model)
        server.route("GET", base + r"/operation/([^/]+)", self._operation)
        server.route("DELETE", base + r"/ai/model/([^/]+)", self._delete)
        self.tokens: list[str] = []

    def _words(self, name: str) -> str:
        quoted = " ".join(self.tokens[-1:] + list(self._echo))
        return (
            f"Download of {name} failed with token {quoted}: 401 Client Error: Invalid credentials in "
            f"Authorization header (sent: {quoted})"
        )

    def _create(self, h: Handler, _: object) -> None:
        body = json.loads(h.body)
        self.tokens.append(body.get("huggingface-token", ""))
        model_id, op_id = str(self._uuid()), str(self._uuid())
        self.models[model_id] = {"id": model_id, "name": body["name"], "state": "error"}
        self.operations[op_id] = model_id
        h.json(200, {"id": op_id, "state": "pending", "reference": {"id": model_id}})

    def _model(self, h: Handler, match: re.Match[str]) -> None:
        model = self.models.get(match.group(1))
        if model is None:
            h.json(
                404,
                {"title": "Not Found", "detail": f"no model {match.group(1)}; last token {self._words('')}"},
            )
        else:
            h.json(200, model)

    def _operation(self, h: Handler, match: re.Match[str]) -> None:
        model = self.models.get(self.operations.get(match.group(1), ""), {"name": "?"})
        h.json(
            200,
            {
                "id": match.group(1),
                "state": "failure",
                "reason": "forbidden",
                "message": self._words(model["name"]),
                "reference": {"id": model.get("id", "")},
            },
        )

    def _delete(self, h: Handler, match: re.Match[str]) -> None:
        self.models.pop(match.group(1), None)
        h.json(200, {"id": str(self._uuid()), "state": "success", "message": self._words("")})


ECHOED_EXO_SECRET = "echoed-exoscale-secret-canary-0123456789"


@contextlib.contextmanager
def echoing_services(monkeypatch: Any) -> Iterator[EchoingExoscale]:
    """The sandbox's Hub (the demo token is real to it) and an :class:`EchoingExoscale`, wired in through the
    environment as real services would be; the Exoscale secret in force is :data:`ECHOED_EXO_SECRET`."""
    from jupyter_exo_models.sandbox import DEMO, Sandbox

    hub = Sandbox().start()  # started, not activated: the package uses the environment's endpoints
    try:
        with HostileServer() as server:
            exoscale = EchoingExoscale(server, echo=(ECHOED_EXO_SECRET,))
            for name, value in {
                "HF_ENDPOINT": hub.hub_url,
                "HF_TOKEN": DEMO.hf_token,
                "EXOSCALE_API_KEY": DEMO.exo_key,
                "EXOSCALE_API_SECRET": ECHOED_EXO_SECRET,
                "EXOSCALE_API_ENDPOINT": server.template,
                "EXO_MODELS_POLL_INTERVAL": "0.05",
            }.items():
                monkeypatch.setenv(name, value)
            yield exoscale
    finally:
        hub.stop()
