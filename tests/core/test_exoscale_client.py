"""The Exoscale client under faults: every bad answer becomes a clear, typed error; nothing is duplicated."""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import formatdate

import httpx
import pytest

from jupyter_exo_models.core.clock import VirtualClock
from jupyter_exo_models.core.config import Endpoints
from jupyter_exo_models.core.credentials import ExoscaleCredentials
from jupyter_exo_models.core.errors import (
    AuthenticationError,
    ConflictError,
    InsecureEndpointError,
    ModelInUseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from jupyter_exo_models.core.exoscale.client import ExoscaleClient
from jupyter_exo_models.core.imports import ImportJob
from jupyter_exo_models.core.secrets import Secret
from jupyter_exo_models.sandbox import DEMO

TINY = "sandbox-org/Tiny-Llama-1B"


def credentials(key=DEMO.exo_key, secret=DEMO.exo_secret):
    return ExoscaleCredentials(key, Secret(secret), "de-fra-1", "argument")


def client(**kwargs) -> ExoscaleClient:
    return ExoscaleClient(credentials(), "de-fra-1", clock=VirtualClock(), **kwargs)


async def test_create_poll_list_delete(sb):
    async with client() as c:
        created = await c.create_model(TINY, Secret(DEMO.hf_token))
        assert created.operation and not created.adopted
        model = await c.get_model(created.operation.reference_id)
        assert model.name == TINY and model.state in ("creating", "downloading")
        assert [m.name for m in await c.list_models()].count(TINY) == 1
        assert len(await c.list_zones()) == 8
        assert (await c.get_operation(created.operation.id)).reference_id == model.id
    body = next(r for r in sb.requests if r.method == "POST").json()
    assert body == {"name": TINY, "huggingface-token": DEMO.hf_token}


async def test_a_conflicting_create_is_attached_to_the_existing_model(sb):
    # the spec documents no 409: a duplicate name is accepted, then its operation fails with reason conflict
    async with client() as c:
        result = await c.create_model("sandbox-org/Already-Created")
    assert not result.adopted and result.operation is not None
    job = ImportJob("sandbox-org/Already-Created", "de-fra-1", credentials(), operation=result.operation)
    assert (await job.wait(timeout=30)).state == "created" and job.attached and job.diagnosis is None


async def test_a_409_still_adopts_the_existing_model():
    existing = {"id": "7f1c2e9a-0000-4000-8000-000000000001", "name": "org/model", "state": "created"}
    answers = {
        "POST": httpx.Response(409, json={"title": "Conflict"}),
        "GET": httpx.Response(200, json={"models": [existing]}),
    }
    endpoints = Endpoints("https://hub.example", "https://api-{zone}.exoscale.com/v2")
    async with ExoscaleClient(
        credentials(),
        "de-fra-1",
        endpoints=endpoints,
        transport=httpx.MockTransport(lambda request: answers[request.method]),
    ) as c:
        result = await c.create_model("org/model")
    assert result.adopted and result.model.id == existing["id"] and result.operation is None


@pytest.mark.parametrize("action", ["lose-response", 500, 503, 502, "drop"])
async def test_ambiguous_post_never_duplicates(sb, action):
    sb.faults.once("exoscale", "POST", r"/ai/model$", action)
    async with client() as c:
        result = await c.create_model(TINY)
        models = [m for m in await c.list_models() if m.name == TINY]
    assert len(models) == 1
    posts = [r for r in sb.requests if r.method == "POST"]
    # a request the server processed is adopted; one it refused (5xx before processing) is retried once
    assert len(posts) == (1 if result.adopted else 2)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, "drop"])
async def test_idempotent_calls_retry(sb, status):
    for _ in range(2):
        sb.faults.once("exoscale", "GET", r"/ai/model$", status)
    async with client() as c:
        assert await c.list_models()
    assert len([r for r in sb.requests if r.method == "GET"]) == 3


async def test_retries_are_bounded(sb):
    sb.faults.error_rate, sb.faults.error_statuses, sb.faults.services = 1.0, (503,), {"exoscale"}
    async with client(max_retries=2) as c:
        with pytest.raises(ServerError) as err:
            await c.list_models()
    assert len(sb.requests) == 3 and err.value.status == 503 and "retry" in err.value.fix.lower()


@pytest.mark.parametrize("retry_after", ["7", "http-date"])
async def test_rate_limit_honours_retry_after(retry_after):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        value = retry_after if retry_after != "http-date" else formatdate(time.time() + 7.4, usegmt=True)
        if len(calls) < 3:
            return httpx.Response(
                429, headers={"Retry-After": value}, json={"title": "Too Many Requests", "status": 429}
            )
        return httpx.Response(200, json={"models": []})

    clock = VirtualClock()
    endpoints = Endpoints("https://hub.example", "https://api-{zone}.exoscale.com/v2")
    async with ExoscaleClient(
        credentials(), "de-fra-1", endpoints=endpoints, clock=clock, transport=httpx.MockTransport(handler)
    ) as c:
        assert await c.list_models() == []
    # An HTTP date has whole seconds, so the wait it asks for is 7.4 s less the truncated fraction.
    assert len(clock.slept) == 2 and all(6.3 < t <= 7.4 for t in clock.slept), clock.slept


async def test_rate_limit_exhausted():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"title": "Too Many Requests", "status": 429, "detail": "slow"})

    endpoints = Endpoints("https://hub.example", "https://api-{zone}.exoscale.com/v2")
    async with ExoscaleClient(
        credentials(),
        "de-fra-1",
        endpoints=endpoints,
        clock=VirtualClock(),
        max_retries=1,
        transport=httpx.MockTransport(handler),
    ) as c:
        with pytest.raises(RateLimitedError):
            await c.list_models()


@pytest.mark.parametrize(
    "key, secret, detail",
    [
        (DEMO.exo_key, "wrong-secret-value", "signature"),
        ("EXOunknown", DEMO.exo_secret, "API key"),
        (DEMO.exo_key_no_ai, DEMO.exo_secret_no_ai, "IAM"),
    ],
)
async def test_auth_errors_name_the_fix_and_hide_the_secret(sb, key, secret, detail, caplog):
    with caplog.at_level(logging.DEBUG):
        async with ExoscaleClient(credentials(key, secret), "de-fra-1") as c:
            with pytest.raises(AuthenticationError) as err:
                await c.list_models()
    assert detail in err.value.detail and "EXOSCALE_API_KEY" in err.value.fix
    for text in (str(err.value), repr(err.value), repr(c), caplog.text, str(err.value.to_dict())):
        assert secret not in text


async def test_not_found_and_in_use(sb):
    async with client() as c:
        with pytest.raises(NotFoundError):
            await c.get_model("7f1c2e9a-0000-4000-8000-000000000000")
        in_use = await c.find_model("sandbox-org/In-Use-Model")
        with pytest.raises(ModelInUseError) as err:
            await c.delete_model(in_use.id)
    assert err.value.deployments == ["demo-deployment"] and err.value.status == 412


async def test_conflict_without_model_is_raised():
    def handler(request):
        if request.method == "POST":
            return httpx.Response(409, json={"title": "Conflict", "status": 409, "detail": "exists"})
        return httpx.Response(200, json={"models": []})

    endpoints = Endpoints("https://hub.example", "https://api-{zone}.exoscale.com/v2")
    async with ExoscaleClient(
        credentials(), "de-fra-1", endpoints=endpoints, transport=httpx.MockTransport(handler)
    ) as c:
        with pytest.raises(ConflictError):
            await c.create_model(TINY)


async def test_plain_http_to_a_remote_host_is_refused_before_sending():
    sent = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200, json={}))
    endpoints = Endpoints("https://hub.example", "http://api-{zone}.exoscale.com/v2")
    with pytest.raises(InsecureEndpointError) as err:
        ExoscaleClient(credentials(), "de-fra-1", endpoints=endpoints, transport=transport)
    assert sent == [] and "https" in err.value.fix


async def test_a_hanging_server_times_out_with_a_clear_error(sb):
    sb.faults.hang = True
    async with client(timeout=0.3, max_retries=1) as c:
        with pytest.raises(TransportError) as err:
            await c.list_models()
    assert "network" in err.value.fix.lower()
    sb.faults.hang = False


async def test_connection_refused():
    endpoints = Endpoints("https://hub.example", "http://127.0.0.1:9/{zone}/v2")
    async with ExoscaleClient(
        credentials(), "de-fra-1", endpoints=endpoints, clock=VirtualClock(), max_retries=1
    ) as c:
        with pytest.raises(TransportError):
            await c.list_models()


async def test_concurrent_clients_share_nothing_mutable(sb):
    async def one():
        async with client() as c:
            return len(await c.list_models())

    assert len(set(await asyncio.gather(*(one() for _ in range(10))))) == 1


async def test_a_delete_whose_answer_was_lost_succeeds(sb):
    async with client() as c:
        created = await c.create_model(TINY, Secret(DEMO.hf_token))
        sb.faults.once("exoscale", "DELETE", r"/ai/model/", "lose-response")
        operation = await c.delete_model(created.operation.reference_id)
        assert operation.state == "success"
        assert TINY not in [m.name for m in await c.list_models()]
        with pytest.raises(NotFoundError):  # deleting what is not there is still an error
            await c.delete_model(created.operation.reference_id)


async def test_a_hanging_server_is_asked_twice_at_most(sb):
    sb.faults.hang = True
    try:
        async with client(timeout=0.3) as c:
            with pytest.raises(TransportError):
                await c.list_models()
    finally:
        sb.faults.hang = False
    assert len([r for r in sb.requests if r.service == "exoscale"]) == 2


@pytest.mark.parametrize(
    "call, body",
    [
        ("list_models", []),
        ("list_models", "text"),
        ("get_model", [{"id": "x"}]),
        ("get_model", "text"),
        ("get_operation", None),
        ("list_zones", {"zones": [{"api-endpoint": "no name"}]}),
    ],
)
async def test_an_answer_of_the_wrong_shape_is_a_typed_error(call, body):
    endpoints = Endpoints("https://hub.example", "https://api-{zone}.exoscale.com/v2")
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    async with ExoscaleClient(credentials(), "de-fra-1", endpoints=endpoints, transport=transport) as c:
        with pytest.raises(ServerError) as err:
            await (
                getattr(c, call)()
                if call in ("list_models", "list_zones")
                else getattr(c, call)("7f1c2e9a-0000-4000-8000-000000000000")
            )
    assert "shape" in err.value.message or "invalid JSON" in err.value.message
