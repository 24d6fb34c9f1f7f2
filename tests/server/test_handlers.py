"""The server extension's REST API (jp_fetch), against the sandbox: every route, auth, bad input, no secrets."""

from __future__ import annotations

import json
import time

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_exo_models.sandbox import DEMO

BASE = "jupyter-exo-models"


@pytest.fixture
def api(jp_fetch, jp_asyncio_loop):
    """A blocking caller: these tests run on pytest-jupyter's loop, not pytest-asyncio's."""
    return lambda path, method="GET", body=None, **params: jp_asyncio_loop.run_until_complete(
        call(jp_fetch, path, method, body, **params))


async def call(jp_fetch, path, method="GET", body=None, **params):
    try:
        response = await jp_fetch(BASE, *path.split("/"), method=method, params=params or None,
                                  body=None if body is None else (body if isinstance(body, bytes) else json.dumps(body)),
                                  allow_nonstandard_methods=True)
    except HTTPClientError as exc:
        assert exc.response is not None, exc
        response = exc.response
    text = response.body.decode()
    for secret in (DEMO.hf_token, DEMO.exo_secret):
        assert secret not in text
    return response.code, json.loads(text) if text else None


def test_zones_and_credentials(api, sb):
    code, data = api("zones")
    assert code == 200 and "de-fra-1" in data["zones"] and data["sandbox"] is True
    assert data["credentials"]["exoscale"]["found"] and data["credentials"]["hf"]["found"]


def test_models_of_a_zone_and_all_zones(api, sb):
    code, data = api("models", zone="de-fra-1")
    assert code == 200 and {m["name"] for m in data["models"]} >= {DEMO.already_created, DEMO.broken_import}
    code, data = api("models", zone="all")
    assert code == 200 and data["errors"] == {}


def test_preflight_route(api, sb):
    code, data = api("preflight", "POST", {"model": DEMO.gated, "zone": "de-fra-1"})
    assert code == 200 and data["ok"] is False
    gate = next(c for c in data["checks"] if c["id"] == "gated-access")
    assert gate["status"] == "fail" and gate["data"]["prompt"]


def test_import_status_and_delete(api, sb):
    code, data = api("imports", "POST", {"model": DEMO.tiny, "zone": "de-fra-1"})
    assert code == 201 and data["attached"] is False
    again_code, again = api("imports", "POST", {"model": DEMO.tiny, "zone": "de-fra-1"})
    assert again_code == 200 and again["attached"] is True
    model_id = data["model"]["id"]
    for _ in range(100):
        code, model = api(f"models/de-fra-1/{model_id}")
        if model.get("state") == "created":
            break
        time.sleep(0.1)
    assert code == 200 and model["state"] == "created", model
    assert len([m for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.tiny]) == 1
    code, data = api(f"models/de-fra-1/{model_id}", "DELETE")
    assert code == 200 and data["operation"]["state"] == "success"
    code, data = api(f"models/de-fra-1/{model_id}")
    assert code == 404 and data["fix"]


def test_refused_import_returns_the_report(api, sb):
    code, data = api("imports", "POST", {"model": "sandbox-org/mixed-case-model"})
    assert code == 422 and not data["report"]["ok"]
    assert not [r for r in sb.requests if r.method == "POST" and r.service == "exoscale"]


def test_delete_in_use_lists_deployments(api, sb):
    in_use = next(m for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.in_use)
    code, data = api(f"models/de-fra-1/{in_use['id']}", "DELETE")
    assert code == 409 and data["deployments"] == ["demo-deployment"]


@pytest.mark.parametrize("path, method, body, params", [
    ("preflight", "POST", b"{not json", {}),
    ("preflight", "POST", b"[1, 2]", {}),
    ("imports", "POST", {"model": "../etc/passwd"}, {}),
    ("imports", "POST", {"model": DEMO.tiny, "zone": "mars-1"}, {}),
    ("models", "GET", None, {"zone": "mars-1"}),
    ("models/mars-1/x", "GET", None, {}),
])
def test_bad_input_is_a_clear_4xx(api, sb, path, method, body, params):
    code, data = api(path, method, body, **params)
    assert 400 <= code < 500 and data["message"] and data["fix"]


def test_missing_credentials(api, monkeypatch):
    code, data = api("models", zone="de-fra-1")
    assert code == 424 and "EXOSCALE_API_KEY" in data["fix"]
    code, data = api("zones")
    assert code == 200 and data["credentials"]["exoscale"]["found"] is False


def test_authentication_is_required(jp_fetch, jp_asyncio_loop, sb):
    for path, method in (("zones", "GET"), ("models", "GET"), ("preflight", "POST"), ("imports", "POST")):
        with pytest.raises(HTTPClientError) as err:
            jp_asyncio_loop.run_until_complete(jp_fetch(BASE, path, method=method, headers={"Authorization": ""},
                                                        body=b"{}" if method == "POST" else None))
        assert err.value.code == 403
