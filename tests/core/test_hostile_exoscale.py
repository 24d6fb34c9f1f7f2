"""The Exoscale client and the import watch facing a hostile or drifting server: real local HTTP servers that
trickle, never stop, ask to wait for days, quote secrets back, send escapes, ids that are paths, and the field
shapes the real service has used (``status`` before ``state``, operations without ``reference``)."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import uuid

import pytest
from hostile import Handler, HostileServer

from jupyter_exo_models.core import api
from jupyter_exo_models.core.clock import VirtualClock
from jupyter_exo_models.core.config import Endpoints
from jupyter_exo_models.core.credentials import ExoscaleCredentials
from jupyter_exo_models.core.errors import (
    AuthenticationError,
    ExoscaleAPIError,
    ImportFailed,
    RateLimitedError,
    ServerError,
    TransportError,
)
from jupyter_exo_models.core.exoscale import client as client_module
from jupyter_exo_models.core.exoscale.client import ExoscaleClient
from jupyter_exo_models.core.exoscale.models import Model, Operation
from jupyter_exo_models.core.imports import ImportJob
from jupyter_exo_models.core.polling import PollSchedule
from jupyter_exo_models.core.secrets import Secret

KEY, SECRET = "EXOhostiletestkey0000001", "hostile-test-secret-value-0001"
TOKEN = "hf_CANARYechoHOSTILEecho0123456789abcd"  # a canary, never a real token
MODELS = r"/de-fra-1/v2/ai/model"
MODEL = r"/de-fra-1/v2/ai/model/([^/]+)"
OPERATION = r"/de-fra-1/v2/operation/([^/]+)"


@pytest.fixture
def server(monkeypatch):
    with HostileServer() as srv:
        monkeypatch.setenv("EXOSCALE_API_ENDPOINT", srv.template)
        monkeypatch.setenv("EXOSCALE_API_KEY", KEY)
        monkeypatch.setenv("EXOSCALE_API_SECRET", SECRET)
        yield srv


def credentials() -> ExoscaleCredentials:
    return ExoscaleCredentials(KEY, Secret(SECRET), "de-fra-1", "argument")


def client(srv: HostileServer, **kwargs) -> ExoscaleClient:
    return ExoscaleClient(
        credentials(), "de-fra-1", endpoints=Endpoints("http://127.0.0.1", srv.template), **kwargs
    )


def trickle(h: Handler, _: object) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    while not h.server.stopping.wait(0.2):
        h.wfile.write(b" ")
        h.wfile.flush()


def endless(h: Handler, _: object) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    h.wfile.write(b'd\r\n{"models": [ \r\n')
    chunk = b'{"id": "x"},' * 5000
    while not h.server.stopping.is_set():
        h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


async def test_a_trickled_body_is_abandoned_at_each_attempts_deadline(server):
    server.route("GET", MODELS, trickle)
    async with client(server, timeout=0.5) as c:
        with pytest.raises(TransportError) as err:
            await asyncio.wait_for(
                c.list_models(), 30
            )  # before: each byte renewed httpx's read timeout, forever
    assert "no whole answer within 0.5 s" in err.value.message and err.value.timed_out
    assert len(server.requests("GET")) == 2  # a deadline is one failed attempt; a second one ends the call


@pytest.mark.slow
def test_a_command_facing_a_trickling_server_gives_up_within_its_budget(server):
    server.route("GET", MODELS, trickle)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "jupyter_exo_models", "list", "-z", "de-fra-1"],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert done.returncode == 1 and "no whole answer within" in done.stderr
    assert client_module.ATTEMPT_TIMEOUT * 2 <= client_module.CALL_BUDGET <= 60  # "about a minute" by design


async def test_an_endless_body_is_cut_at_the_cap(server):
    server.route("GET", MODELS, endless)
    async with client(server) as c:
        with pytest.raises(ServerError) as err:
            await asyncio.wait_for(c.list_models(), 60)
    assert "larger than 4 MB" in err.value.message


async def test_a_declared_huge_body_is_not_read(server):
    def huge(h: Handler, _: object) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(10 * 1024**3))
        h.end_headers()
        h.server.stopping.wait(5)

    server.route("GET", MODELS, huge)
    async with client(server) as c:
        with pytest.raises(ServerError, match="larger than 4 MB"):
            await asyncio.wait_for(c.list_models(), 30)


async def test_a_retry_after_beyond_the_budget_fails_at_once(server):
    server.route(
        "GET", MODELS, lambda h, _: h.json(429, {"title": "Too Many Requests"}, {"Retry-After": "999999"})
    )
    clock = VirtualClock()
    async with client(server, clock=clock) as c:
        with pytest.raises(RateLimitedError) as err:
            await c.list_models()
    assert "Exoscale asks to retry GET /ai/model in 999999 s" in err.value.message
    assert clock.slept == [] and len(server.requests()) == 1  # before: five waits of 60 s, six requests


async def test_a_short_retry_after_is_waited_and_said(server, caplog):
    answers = iter([(429, {"title": "Too Many Requests"}), (200, {"models": []})])
    server.route("GET", MODELS, lambda h, _: h.json(*next(answers), {"Retry-After": "12"}))
    clock, said = VirtualClock(), []
    with caplog.at_level(logging.WARNING, "jupyter_exo_models"):
        async with client(server, clock=clock, on_wait=said.append) as c:
            assert await c.list_models() == []
    assert clock.slept == [12.0]
    assert said == ["Exoscale asks to wait 12 s before retrying GET /ai/model (429 Too Many Requests)"]
    assert said[0] in caplog.text


async def test_server_text_is_truncated_and_stripped_of_escapes(server):
    detail = "\x1b[31mred\x1b[0m\r\nInjected: line\u202e" + "x" * 1_000_000
    server.route("GET", MODELS, lambda h, _: h.json(400, {"title": "Bad\x07 Request", "detail": detail}))
    async with client(server) as c:
        with pytest.raises(ExoscaleAPIError) as err:
            await c.list_models()
    for text in (err.value.message, err.value.detail, str(err.value.to_dict())):
        assert not any(ch in text for ch in "\x1b\r\n\x07\u202e")
    assert len(err.value.message) < 600 and err.value.message.endswith("…")
    assert "red Injected: line" in err.value.detail


async def test_an_id_that_is_not_a_uuid_never_reaches_a_request_path(server):
    server.route(
        "GET",
        MODELS,
        lambda h, _: h.json(
            200, {"models": [{"id": "../evil?x=1", "name": "org/model", "state": "created"}]}
        ),
    )
    with pytest.raises(ServerError, match="not a UUID"):
        await api.adelete_model("org/model", zone="de-fra-1")
    assert server.requests("DELETE") == [] and server.requests() == [("GET", "/de-fra-1/v2/ai/model")]


async def test_a_secret_quoted_back_is_redacted_where_it_enters(server, caplog):
    def echo(h: Handler, _: object) -> None:
        sent = h.body.decode()
        h.json(
            400,
            {
                "title": "Bad Request",
                "detail": f"cannot use {sent}",
                "errors": [{"detail": sent}],
                "echo": {"token": TOKEN, "secret": SECRET},
            },
        )

    server.route("POST", MODELS, echo)
    with caplog.at_level(logging.DEBUG):
        async with client(server) as c:
            with pytest.raises(ExoscaleAPIError) as err:
                await c.create_model("org/model", Secret(TOKEN))
    assert TOKEN in server.seen[-1][3].decode()  # it was sent, and quoted back
    for text in (
        str(err.value),
        repr(err.value),
        str(err.value.to_dict()),
        str(err.value.body),
        str(err.value.errors),
        caplog.text,
    ):
        assert TOKEN not in text and SECRET not in text
    assert "hf_…abcd" in err.value.detail


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            422,
            {
                "type": "#/http-problem-types/request-invalid-body",
                "title": "Invalid Request Body",
                "errors": [
                    {"detail": "must be a string", "location": "body", "pointer": "/name", "path": "name"}
                ],
            },
            "422 Invalid Request Body: /name: must be a string",
        ),
        (
            404,
            {
                "type": "#/http-problem-types/not-found",
                "title": "Not Found",
                "detail": "The referenced model was not found.",
            },
            "404 Not Found: The referenced model was not found.",
        ),
        (400, {"message": "legacy message"}, "400 Bad Request: legacy message"),
        (400, {"error": "legacy error"}, "400 Bad Request: legacy error"),
        (502, "upstream broke <b>badly</b>", "502 Bad Gateway: upstream broke <b>badly</b>"),
    ],
)
async def test_every_error_shape_keeps_the_servers_words(server, status, body, expected):
    answer = (
        (lambda h, _: h.text(status, body)) if isinstance(body, str) else (lambda h, _: h.json(status, body))
    )
    server.route("GET", MODEL, answer)
    async with client(server, max_retries=0) as c:
        with pytest.raises(ExoscaleAPIError) as err:
            await c.get_model(str(uuid.uuid4()))
    assert err.value.message == f"Exoscale answered {expected}"
    if isinstance(body, dict) and "errors" in body:
        assert err.value.errors == body["errors"] and err.value.to_dict()["errors"] == body["errors"]
        assert err.value.problem_type == body["type"] and err.value.to_dict()["type"] == body["type"]


async def test_a_403_on_create_shows_the_servers_reason_before_the_likely_cause(server):
    server.route(
        "POST",
        MODELS,
        lambda h, _: h.json(
            403, {"title": "Forbidden", "detail": "Quota exceeded for ai models in this zone"}
        ),
    )
    async with client(server) as c:
        with pytest.raises(AuthenticationError) as err:
            await c.create_model("org/model")
    assert err.value.message == "Exoscale answered 403 Forbidden: Quota exceeded for ai models in this zone"
    assert "quota" in err.value.fix and "IAM" in err.value.fix


async def test_models_are_read_whatever_the_state_fields_era(server):
    ids = [str(uuid.uuid4()) for _ in range(4)]
    server.route(
        "GET",
        MODELS,
        lambda h, _: h.json(
            200,
            {
                "models": [
                    {"id": ids[0], "name": "old/status", "status": "READY", "model-size": "123"},
                    {
                        "id": ids[1],
                        "name": "new/state",
                        "state": "created",
                        "status": "downloading",
                        "model-size": -1,
                    },
                    {"id": ids[2], "name": "future/state", "state": "pulling"},
                    {"id": ids[3], "name": "no/state", "model-size": True},
                    "not a model",
                    7,
                ]
            },
        ),
    )
    async with client(server) as c:
        models = await c.list_models()
    assert [(m.name, m.state, m.size) for m in models] == [
        ("old/status", "ready", 123),
        ("new/state", "created", None),
        ("future/state", "pulling", None),
        ("no/state", "unknown", None),
    ]


def job_for(operation: Operation, clock: VirtualClock) -> ImportJob:
    return ImportJob(
        "org/model", "de-fra-1", credentials(), operation=operation, schedule=PollSchedule(3), clock=clock
    )


async def test_an_operation_without_reference_is_followed_to_the_model(server):
    model_id, op_id = str(uuid.uuid4()), str(uuid.uuid4())
    op_states = iter(["pending", "pending", "success"])
    listings = iter([[], [], [{"id": model_id, "name": "org/model", "state": "downloading"}]])
    server.route(
        "GET", OPERATION, lambda h, _: h.json(200, {"id": op_id, "state": next(op_states, "success")})
    )
    server.route("GET", MODELS, lambda h, _: h.json(200, {"models": next(listings, [])}))
    server.route(
        "GET", MODEL, lambda h, _: h.json(200, {"id": model_id, "name": "org/model", "status": "ready"})
    )
    job = job_for(Operation(op_id, "pending", "de-fra-1"), VirtualClock())
    model = await asyncio.wait_for(job.wait(), 30)  # before: "no longer exists" at the first poll
    assert model.id == model_id and model.state == "ready"
    assert [e.state for e in job.events] == ["creating", "downloading", "ready"]


async def test_a_model_never_listed_fails_only_after_the_grace_period(server):
    op_id = str(uuid.uuid4())
    server.route("GET", OPERATION, lambda h, _: h.json(200, {"id": op_id, "state": "success"}))
    server.route("GET", MODELS, lambda h, _: h.json(200, {"models": []}))
    clock = VirtualClock()
    job = job_for(Operation(op_id, "pending", "de-fra-1"), clock)
    with pytest.raises(ImportFailed, match="no longer exists"):
        await asyncio.wait_for(job.wait(), 30)
    assert clock.time() >= 30 and len(server.requests("GET")) > 10


async def test_an_unknown_state_is_watched_and_shown_as_it_is(server):
    model_id = str(uuid.uuid4())
    states = iter(["creating", "pulling-weights", "pulling-weights", "created"])
    server.route(
        "GET",
        MODEL,
        lambda h, _: h.json(200, {"id": model_id, "name": "org/model", "state": next(states, "created")}),
    )
    job = ImportJob(
        "org/model",
        "de-fra-1",
        credentials(),
        model=Model(model_id, "org/model", "creating", "de-fra-1"),
        schedule=PollSchedule(3),
        clock=VirtualClock(),
    )
    assert (await asyncio.wait_for(job.wait(), 30)).state == "created"
    assert [e.state for e in job.events] == ["creating", "pulling-weights", "created"]


async def test_a_watch_says_why_it_waits(server):
    model_id = str(uuid.uuid4())
    answers = iter(
        [
            (429, {"title": "Too Many Requests"}),
            (200, {"id": model_id, "name": "org/model", "state": "created"}),
        ]
    )
    server.route("GET", MODEL, lambda h, _: h.json(*next(answers), {"Retry-After": "20"}))
    seen = []
    job = ImportJob(
        "org/model",
        "de-fra-1",
        credentials(),
        model=Model(model_id, "org/model", "creating", "de-fra-1"),
        schedule=PollSchedule(3),
        clock=VirtualClock(),
    )
    job.subscribe(seen.append)
    await asyncio.wait_for(job.wait(), 30)
    waiting = [e for e in seen if "asks to wait 20 s" in e.message]
    assert waiting and waiting[0].state == "creating" and not waiting[0].final
