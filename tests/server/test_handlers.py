"""The server extension's REST API (jp_fetch), against the sandbox: every route, auth, bad input, no
secrets."""

from __future__ import annotations

import huggingface_hub
import pytest
from hostile import echoing_services
from rest import BASE, CANARY_SECRET
from tornado.httpclient import HTTPClientError

from jupyter_exo_models.core.credentials import set_session_credentials
from jupyter_exo_models.sandbox import DEMO


def test_no_answer_carries_a_secret_exoscale_quoted_back(api, pause, monkeypatch):
    with echoing_services(monkeypatch) as exoscale:
        code, _data = api(
            "imports", "POST", {"model": DEMO.tiny, "zone": "de-fra-1"}
        )  # `call` checks every answer
        assert code == 201 and exoscale.tokens == [DEMO.hf_token]
        for _ in range(200):
            code, model = api(f"models/de-fra-1/{DEMO.tiny}")
            if model.get("diagnosis"):
                break
            pause()
        assert model["diagnosis"]["cause"] == "hf-token" and "hf_…" in model["diagnosis"]["message"]
        code, listed = api("models", zone="de-fra-1")
        assert code == 200 and listed["models"][0]["diagnosis"] == model["diagnosis"]


def test_zones_and_credentials(api, sb):
    code, data = api("zones")
    assert code == 200 and "de-fra-1" in data["zones"] and data["sandbox"] is True
    assert data["credentials"]["exoscale"]["found"] and data["credentials"]["hf"]["found"]


@pytest.mark.parametrize(
    ("version", "command"),
    [("0.25.0", "huggingface-cli login"), ("0.33.9", "huggingface-cli login"), ("0.34.0", "hf auth login")]
    + [("1.0.0rc1", "hf auth login"), ("not-a-version", "hf auth login")],
)
def test_zones_names_the_hf_login_command_of_the_installed_huggingface_hub(
    api, sb, monkeypatch, version, command
):
    monkeypatch.setattr(huggingface_hub, "__version__", version)
    code, data = api("zones")
    assert code == 200 and data["hf_login_command"] == command


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


def test_import_status_and_delete(api, sb, pause):
    code, data = api("imports", "POST", {"model": DEMO.tiny, "zone": "de-fra-1"})
    assert code == 201 and data["attached"] is False
    again_code, again = api("imports", "POST", {"model": DEMO.tiny, "zone": "de-fra-1"})
    assert again_code == 200 and again["attached"] is True
    model_id = data["model"]["id"]
    for _ in range(100):
        code, model = api(f"models/de-fra-1/{model_id}")
        if model.get("state") == "created":
            break
        pause()
    assert code == 200 and model["state"] == "created", model
    assert len([m for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.tiny]) == 1
    code, data = api(f"models/de-fra-1/{model_id}", "DELETE")
    assert code == 200 and data["operation"]["state"] == "success"
    code, data = api(f"models/de-fra-1/{model_id}")
    assert code == 404 and data["fix"]


def test_fixes_carry_their_action_as_data_beside_the_face_neutral_fix(api, sb):
    code, report = api("preflight", "POST", {"model": DEMO.broken_import, "zone": "de-fra-1"})
    check = next(c for c in report["checks"] if c["id"] == "already-imported")
    assert code == 200 and check["status"] == "fail" and "%exo" not in check["fix"]
    assert check["action"] == {
        "kind": "delete-model",
        "model": DEMO.broken_import,
        "id": check["data"]["model"]["id"],
        "zone": "de-fra-1",
    }
    assert all(c["action"] is None for c in report["checks"] if c["status"] == "pass")
    code, error = api(f"models/de-fra-1/{DEMO.in_use}", "DELETE")
    assert code == 409 and error["deployments"] == ["demo-deployment"] and "exo " not in error["fix"]
    assert error["action"] == {"kind": "delete-deployments", "names": ["demo-deployment"], "zone": "de-fra-1"}
    code, error = api("models/de-fra-1/sandbox-org/nope")
    assert code == 404 and error["action"] == {"kind": "list-models", "zone": "de-fra-1"}
    code, error = api("no-such-route")
    assert code == 404 and error.keys() == {"error", "code", "message", "fix", "action"}


def test_status_of_a_forced_import_that_failed_carries_its_diagnosis(api, sb, pause):
    code, data = api("imports", "POST", {"model": DEMO.pytorch_only, "zone": "de-fra-1", "force": True})
    assert code == 201, data
    for _ in range(100):
        code, model = api(f"models/de-fra-1/{DEMO.pytorch_only}")
        # the diagnosis is set just before the watch ends: wait for both
        if model.get("diagnosis") and model.get("watching") is False:
            break
        pause()
    assert code == 200 and model["state"] == "error" and model["watching"] is False, model
    assert model["diagnosis"]["cause"] == "weights-format"
    assert model["diagnosis"]["message"] and "safetensors" in model["diagnosis"]["fix"]
    assert api(f"models/de-fra-1/{model['id']}")[1]["diagnosis"] == model["diagnosis"]  # by id as by name
    _, listed = api("models", zone="de-fra-1")
    rows = {m["name"]: m for m in listed["models"]}
    assert rows[DEMO.pytorch_only]["diagnosis"] == model["diagnosis"]
    assert "diagnosis" not in rows[DEMO.broken_import]  # failed before this server: nothing to claim


def test_preflight_of_an_invalid_id_is_a_report_like_the_cli_check(api, sb):
    code, data = api("preflight", "POST", {"model": "not a repo id", "zone": "de-fra-1"})
    assert code == 200 and data["ok"] is False
    assert next(c for c in data["checks"] if c["id"] == "repo-id")["status"] == "fail"
    assert not [r for r in sb.requests if r.service == "exoscale" and r.method == "POST"]


def test_refused_import_returns_the_report(api, sb):
    code, data = api("imports", "POST", {"model": "sandbox-org/mixed-case-model"})
    assert code == 422 and not data["report"]["ok"]
    assert not [r for r in sb.requests if r.method == "POST" and r.service == "exoscale"]


def test_delete_in_use_lists_deployments(api, sb):
    in_use = next(m for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.in_use)
    code, data = api(f"models/de-fra-1/{in_use['id']}", "DELETE")
    assert code == 409 and data["deployments"] == ["demo-deployment"]


@pytest.mark.parametrize(
    "path, method, body, params",
    [
        ("preflight", "POST", b"{not json", {}),
        ("preflight", "POST", b"[1, 2]", {}),
        ("imports", "POST", {"model": "../etc/passwd"}, {}),
        ("imports", "POST", {"model": DEMO.tiny, "zone": "mars-1"}, {}),
        ("models", "GET", None, {"zone": "mars-1"}),
        ("models/mars-1/x", "GET", None, {}),
        ("models/mars-1/x", "DELETE", None, {}),
        ("models/DE-FRA-1/no-such-model", "GET", None, {}),  # was an HTML 404 from the route pattern
        ("models/de-fra-1/", "GET", None, {}),
        ("no-such-route", "GET", None, {}),
        ("preflight", "POST", {"model": DEMO.tiny, "zone": 5}, {}),  # was silently the default zone
        ("imports", "POST", {"model": DEMO.tiny, "zone": 5}, {}),
        ("imports", "POST", {"model": 5}, {}),
        ("imports", "POST", {"model": DEMO.pytorch_only, "force": "false"}, {}),  # bool("false") is True
        ("preflight", "GET", None, {}),  # was Jupyter's {"message", "reason"}: no fix
        ("models", "PUT", b"{}", {}),
        ("preflight", "POST", {"model": DEMO.tiny, "zone": ""}, {}),  # was silently the default zone
        ("imports", "POST", {"model": DEMO.tiny, "zone": " "}, {}),
        ("models", "GET", None, {"zone": "\x00"}),  # Tornado's get_query_argument made it ""
        ("models", "GET", None, {"zone": ""}),
        ("models/ /x", "GET", None, {}),
        ("models/de-fra-1/a/b/c", "DELETE", None, {}),  # was a request for a name that cannot exist
        ("models/de-fra-1/org/name@main", "GET", None, {}),
        (
            "imports",
            "POST",
            b'{"model": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            {},
        ),  # was a 500 (RecursionError)
        ("preflight", "POST", b'{"model": "org/name", "x": "' + b"a" * 5_000_000 + b'"}', {}),
    ],
)
def test_bad_input_is_a_clear_4xx(api, sb, path, method, body, params):
    code, data = api(path, method, body, **params)
    assert 400 <= code < 500 and data["message"] and data["fix"]
    assert not [r for r in sb.requests if r.service == "exoscale" and r.method in ("POST", "DELETE")]


def test_missing_credentials(api, monkeypatch):
    code, data = api("models", zone="de-fra-1")
    assert code == 424 and "EXOSCALE_API_KEY" in data["fix"]
    code, data = api("zones")
    assert code == 200 and data["credentials"]["exoscale"]["found"] is False


def test_authentication_is_required(jp_fetch, jp_asyncio_loop, sb):
    routes = (
        ("zones", "GET"),
        ("models", "GET"),
        ("preflight", "POST"),
        ("imports", "POST"),
        ("models/de-fra-1/sandbox-org/Already-Created", "GET"),
        ("models/de-fra-1/sandbox-org/Already-Created", "DELETE"),
        ("no-such-route", "GET"),
    )
    for path, method in routes:
        with pytest.raises(HTTPClientError) as err:
            jp_asyncio_loop.run_until_complete(
                jp_fetch(
                    BASE,
                    *path.split("/"),
                    method=method,
                    headers={"Authorization": ""},
                    body=b"{}" if method == "POST" else None,
                )
            )
        assert err.value.code == 403
    assert [m["name"] for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.already_created]


@pytest.mark.parametrize("credentials", ["sandbox demo", "rejected"])
def test_no_route_answers_a_secret(api, sb, credentials):
    """`call` checks every answer for the secrets; this walks every route, failures included."""
    if credentials == "rejected":
        set_session_credentials(hf_token=DEMO.hf_revoked, key=DEMO.exo_key, secret=CANARY_SECRET)
    created = next(m for m in sb.exoscale.models("de-fra-1") if m["name"] == DEMO.already_created)
    answers = [
        api("zones"),
        api("models", zone="de-fra-1"),
        api("models", zone="all"),
        api(f"models/de-fra-1/{created['id']}"),
        api("models/de-fra-1/sandbox-org/nope"),
        api("preflight", "POST", {"model": DEMO.gated, "zone": "de-fra-1"}),
        api("imports", "POST", {"model": DEMO.tiny, "zone": "de-fra-1"}),
        api("imports", "POST", {"model": DEMO.pytorch_only, "zone": "de-fra-1", "force": True}),
        api(f"models/de-fra-1/{DEMO.in_use}", "DELETE"),
    ]
    if credentials == "rejected":
        assert {code for code, _ in answers[1:2] + answers[3:5]} == {424}
        hub = next(c for c in answers[5][1]["checks"] if c["id"] == "hf-token")
        assert hub["status"] == "fail" and answers[6][0] == 422


@pytest.mark.parametrize("text", ["accounts = 5", 'accounts = "abc"', "[accounts]\nname = 'x'"])
def test_a_malformed_exo_config_is_a_credentials_answer_on_every_route(api, tmp_path, text):
    path = tmp_path / "xdg" / "exoscale" / "exoscale.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    code, data = api("zones")
    assert code == 200 and "is malformed" in data["credentials"]["exoscale"]["error"]["message"]
    for route in ("models", "models/de-fra-1/org/name"):
        code, data = api(route, zone="de-fra-1") if route == "models" else api(route)
        assert code == 424 and "is malformed" in data["message"] and data["fix"]


@pytest.mark.parametrize("route", ["zones", "models", "models/de-fra-1/org/name"])
def test_a_malformed_endpoint_is_a_clear_400(api, monkeypatch, route):
    monkeypatch.setenv("EXOSCALE_API_ENDPOINT", "http://[127.0.0.1]/{zone}/v2")
    monkeypatch.setenv("EXOSCALE_API_KEY", "EXOkey")
    monkeypatch.setenv("EXOSCALE_API_SECRET", CANARY_SECRET)
    code, data = api(route)
    assert code == 400 and "EXOSCALE_API_ENDPOINT" in data["message"] + data["fix"]


@pytest.mark.parametrize(
    "path, method",
    [
        ("models/ /x", "GET"),
        ("models/de-fra-1/a/b/c", "DELETE"),
        ("models/de-fra-1/org/name@main", "GET"),
        ("models/de-fra-1/org/m%20", "GET"),
    ],
)
def test_an_unusable_zone_or_model_in_the_path_is_refused_with_nothing_sent(api, sb, path, method):
    code, data = api(path, method)
    assert code == 400 and data["fix"], data
    assert not [r for r in sb.requests if r.service == "exoscale"]
    if "@" in path:
        assert "Use the repo id org/name" in data["fix"]


def test_zones_without_server_config_uses_the_environment_s_default_zone(api, sb, monkeypatch):
    monkeypatch.setenv("EXOSCALE_ZONE", "ch-gva-2")
    code, data = api("zones")
    assert (
        code == 200 and data["default_zone"] == "ch-gva-2" and data["server_config"] == {"default_zone": None}
    )
