"""The REST API asks the server's authorizer (resource ``jupyter_exo_models``) and reads
``ExoModelsConfig``."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError
from traitlets import TraitError

from jupyter_exo_models.sandbox import DEMO
from jupyter_exo_models.server.config import ExoModelsConfig
from jupyter_exo_models.server.handlers import AUTH_RESOURCE

BASE = "jupyter-exo-models"
ROUTES = (
    ("zones", "GET"),
    ("models", "GET"),
    ("preflight", "POST"),
    ("imports", "POST"),
    (f"models/de-fra-1/{DEMO.already_created}", "GET"),
    (f"models/de-fra-1/{DEMO.already_created}", "DELETE"),
    ("no-such-route", "GET"),
    ("no-such-route", "POST"),
    ("deployments", "GET"),
    ("deployments", "POST"),
    ("deployments/de-fra-1/demo-deployment/chat", "POST"),
    ("deployments/de-fra-1/demo-deployment/scale", "POST"),
    ("deployments/de-fra-1/demo-deployment", "DELETE"),
)


class ReadOnlyAuthorizer(Authorizer):
    """Lets this API be read, never written; every other resource of the server as usual."""

    asked: ClassVar[list[tuple[str, str]]] = []

    def is_authorized(self, handler, user, action, resource):
        if resource == AUTH_RESOURCE:
            ReadOnlyAuthorizer.asked.append((handler.request.method, action))
            return action == "read"
        return True


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_exo_models": True},
            "authorizer_class": ReadOnlyAuthorizer,
        },
        "ExoModelsConfig": {"default_zone": "AT-VIE-1"},
    }


def fetch(jp_fetch, jp_asyncio_loop, path, method="GET", **params):
    body = json.dumps({"model": DEMO.tiny, "zone": "de-fra-1"}) if method == "POST" else None

    async def call():  # jp_fetch makes its future on the running loop: none may be current outside it
        return await jp_fetch(BASE, *path.split("/"), method=method, body=body, params=params or None)

    try:
        response = jp_asyncio_loop.run_until_complete(call())
    except HTTPClientError as exc:
        assert exc.response is not None, exc
        response = exc.response
    return response.code, json.loads(response.body.decode())


def test_the_authorizer_decides_each_route_by_its_action(jp_fetch, jp_asyncio_loop, sb):
    ReadOnlyAuthorizer.asked.clear()
    for path, method in ROUTES:
        code, data = fetch(
            jp_fetch, jp_asyncio_loop, path, method, **({"zone": "de-fra-1"} if path == "models" else {})
        )
        if method == "GET":
            assert code in (200, 404), (path, data)
        else:
            assert code == 403, (path, data)
            assert data["code"] == "forbidden" and data["error"] == "HTTPError"
            assert AUTH_RESOURCE in data["message"] and AUTH_RESOURCE in data["fix"]
    assert ReadOnlyAuthorizer.asked == [(m, "read" if m == "GET" else "write") for _, m in ROUTES]
    assert not [r for r in sb.requests if r.service == "exoscale" and r.method in ("POST", "DELETE")]
    assert [m["name"] for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.already_created]


def test_the_configured_default_zone_is_the_api_s_and_the_sidebar_s(
    jp_fetch, jp_asyncio_loop, sb, monkeypatch
):
    monkeypatch.setenv("EXOSCALE_ZONE", "ch-gva-2")  # the configuration wins over the environment
    code, data = fetch(jp_fetch, jp_asyncio_loop, "zones")
    assert code == 200 and data["default_zone"] == "at-vie-1"
    assert data["server_config"] == {"default_zone": "at-vie-1"}


def test_a_wrong_configured_zone_is_refused_when_the_server_starts():
    with pytest.raises(TraitError, match="mars-1"):
        ExoModelsConfig(default_zone="mars-1")
    assert ExoModelsConfig().default_zone is None
