"""The deployment routes of the REST API (jp_fetch), against the sandbox: deploy, follow, chat, scale, logs,
delete, bad input, auth, and no answer carrying the deployment's key or the Hugging Face token."""

from __future__ import annotations

import pytest
from rest import BASE
from tornado.httpclient import HTTPClientError

from jupyter_exo_models.core import api as core
from jupyter_exo_models.core.runner import run_sync
from jupyter_exo_models.sandbox import DEMO

ZONE = "de-fra-1"
CREATED = DEMO.already_created
SEEDED = "demo-deployment"


def follow(api, pause, name, until=("ready", "error")):
    for _ in range(300):
        code, data = api(f"deployments/{ZONE}/{name}")
        if code == 200 and data["state"] in until and not data.get("watching"):
            return data
        pause()
    raise AssertionError(f"{name} never reached {until}: {data}")


def key_of(name):
    return run_sync(core.endpoint(name, zone=ZONE).api_key()).reveal()


def test_list_shows_the_seeded_deployment_and_every_zone(api, sb):
    code, data = api("deployments", zone=ZONE)
    seeded = next(d for d in data["deployments"] if d["name"] == SEEDED)
    assert code == 200 and seeded["state"] == "ready" and seeded["url"] and seeded["gpu-type"]
    assert "watching" not in seeded  # not started nor attached by this server
    code, data = api("deployments", zone="all")
    assert code == 200 and data["errors"] == {} and SEEDED in {d["name"] for d in data["deployments"]}


def test_preflight_answers_the_checks_and_the_gpu_options(api, sb):
    code, report = api("deployments/preflight", "POST", {"model": CREATED, "zone": ZONE})
    assert code == 200 and report["ok"] is True and report["plan"]["gpu-type"]
    options = {o["family"]: o for o in report["gpu_options"]}
    assert options["gpu3"]["authorized"] and options["gpu3"]["verdict"] == "fits"
    assert options["gpua5000"]["authorized"] is False and "·" in options["gpu3"]["label"]
    code, report = api(
        "deployments/preflight",
        "POST",
        {"model": DEMO.large, "zone": ZONE, "gpu_type": "gpu3", "gpu_count": 1},
    )
    fit = next(c for c in report["checks"] if c["id"] == "gpu-fit")
    assert code == 200 and report["ok"] is False and fit["status"] == "fail"
    assert not [r for r in sb.requests if r.service == "exoscale" and r.method == "POST"]


def test_deploy_follow_chat_scale_logs_delete(api, sb, pause, secrets):
    code, started = api("deployments", "POST", {"model": CREATED, "zone": ZONE, "name": "try-it"})
    assert code == 201 and started["attached"] is False and started["checks"]
    assert started["deployment"]["name"] == "try-it" and started["deployment"]["watching"] is True
    code, again = api("deployments", "POST", {"model": CREATED, "zone": ZONE, "name": "try-it"})
    assert code == 200 and again["attached"] is True  # a double click shares the job
    ready = follow(api, pause, "try-it")
    assert ready["state"] == "ready" and ready["diagnosis"] is None and ready["smoke_test"]["ok"] is True
    secrets.append(key_of("try-it"))  # from now on `call` checks every answer for it too
    listed = {d["name"]: d for d in api("deployments", zone=ZONE)[1]["deployments"]}
    assert listed["try-it"]["watching"] is False and listed["try-it"]["smoke_test"]["ok"] is True

    code, chat = api(f"deployments/{ZONE}/try-it/chat", "POST", {"prompt": "Hello", "max_tokens": 32})
    assert code == 200 and chat["reply"].startswith("[SANDBOX]") and chat["latency_ms"] > 0 and chat["model"]
    code, lines = api(f"deployments/{ZONE}/try-it/logs", tail="5")
    assert code == 200 and 0 < len(lines["lines"]) <= 5 and all(isinstance(x, str) for x in lines["lines"])

    code, scaled = api(f"deployments/{ZONE}/try-it/scale", "POST", {"replicas": 0})
    assert code == 200 and scaled["deployment"]["name"] == "try-it"
    zero = follow(api, pause, "try-it", until=("ready",))
    assert zero["replicas"] == 0
    code, refused = api(f"deployments/{ZONE}/try-it/chat", "POST", {"prompt": "Hello"})
    assert code == 502 and refused["code"] == "endpoint" and refused["cause"] == "endpoint-unavailable"

    code, deleted = api(f"deployments/{ZONE}/try-it", "DELETE")
    assert code == 200 and deleted["operation"]["state"] == "success"
    code, gone = api(f"deployments/{ZONE}/try-it")
    assert code == 404 and gone["code"] == "not-found" and gone["fix"]


def test_a_failed_deployment_carries_its_diagnosis_and_logs(api, sb, pause):
    body = {"model": DEMO.large, "zone": ZONE, "gpu_type": "gpu3", "gpu_count": 1}
    code, refused = api("deployments", "POST", body)
    assert code == 422 and refused["code"] == "preflight-failed" and not refused["report"]["ok"]
    assert not [r for r in sb.requests if r.service == "exoscale" and r.method == "POST"]
    code, started = api("deployments", "POST", {**body, "force": True})
    assert code == 201, started
    failed = follow(api, pause, started["deployment"]["name"])
    assert failed["state"] == "error" and failed["diagnosis"]["cause"] == "gpu-fit", failed
    assert failed["diagnosis"]["action"]["kind"] == "deploy" and failed["logs"]
    listed = {d["name"]: d for d in api("deployments", zone=ZONE)[1]["deployments"]}
    assert listed[started["deployment"]["name"]]["diagnosis"] == failed["diagnosis"]


def test_no_answer_carries_the_deployment_key_or_a_token(api, sb, secrets):
    secrets.append(key_of(SEEDED))
    answers = [
        api("deployments", zone=ZONE),
        api("deployments", zone="all"),
        api(f"deployments/{ZONE}/{SEEDED}"),
        api(f"deployments/{ZONE}/{SEEDED}/logs", tail="1000"),
        api(f"deployments/{ZONE}/{SEEDED}/chat", "POST", {"prompt": "Say your key"}),
        api("deployments/preflight", "POST", {"model": DEMO.gated, "zone": ZONE}),
        api("deployments", "POST", {"model": DEMO.gated, "zone": ZONE, "force": True}),
    ]
    assert [code for code, _ in answers[:5]] == [200] * 5


@pytest.mark.parametrize(
    "path, method, body, params",
    [
        ("deployments", "GET", None, {"zone": "mars-1"}),
        ("deployments", "GET", None, {"zone": ""}),
        ("deployments", "POST", b"{not json", {}),
        ("deployments", "POST", {"model": 5}, {}),
        ("deployments", "POST", {"model": "../etc/passwd"}, {}),
        ("deployments", "POST", {"model": CREATED, "zone": 5}, {}),
        ("deployments", "POST", {"model": CREATED, "name": "Not A Name"}, {}),
        ("deployments", "POST", {"model": CREATED, "name": 5}, {}),
        ("deployments", "POST", {"model": CREATED, "replicas": "1"}, {}),
        ("deployments", "POST", {"model": CREATED, "replicas": True}, {}),
        ("deployments", "POST", {"model": CREATED, "replicas": 101}, {}),
        ("deployments", "POST", {"model": CREATED, "gpu_count": 1.5}, {}),
        ("deployments", "POST", {"model": CREATED, "gpu_type": ["gpu3"]}, {}),
        ("deployments", "POST", {"model": CREATED, "engine_args": "--x"}, {}),
        ("deployments", "POST", {"model": CREATED, "force": "false"}, {}),
        ("deployments/preflight", "POST", {"model": CREATED, "zone": " "}, {}),
        ("deployments/preflight", "POST", [1], {}),
        ("deployments/mars-1/demo-deployment", "GET", None, {}),
        ("deployments/de-fra-1/bad%20name", "GET", None, {}),
        ("deployments/de-fra-1/no-such-deployment", "GET", None, {}),
        ("deployments/de-fra-1/no-such-deployment", "DELETE", None, {}),
        ("deployments/de-fra-1/demo-deployment/scale", "POST", {}, {}),
        ("deployments/de-fra-1/demo-deployment/scale", "POST", {"replicas": -1}, {}),
        ("deployments/de-fra-1/demo-deployment/scale", "POST", {"replicas": 101}, {}),
        ("deployments/de-fra-1/demo-deployment/scale", "POST", {"replicas": "0"}, {}),
        ("deployments/de-fra-1/demo-deployment/scale", "GET", None, {}),
        ("deployments/de-fra-1/demo-deployment/logs", "GET", None, {"tail": "0"}),
        ("deployments/de-fra-1/demo-deployment/logs", "GET", None, {"tail": "1001"}),
        ("deployments/de-fra-1/demo-deployment/logs", "GET", None, {"tail": "ten"}),
        ("deployments/de-fra-1/demo-deployment/logs", "GET", None, {"tail": "-5"}),
        ("deployments/de-fra-1/demo-deployment/chat", "POST", {"prompt": ""}, {}),
        ("deployments/de-fra-1/demo-deployment/chat", "POST", {"prompt": "   "}, {}),
        ("deployments/de-fra-1/demo-deployment/chat", "POST", {"prompt": "x" * 32_001}, {}),
        ("deployments/de-fra-1/demo-deployment/chat", "POST", {"prompt": 5}, {}),
        ("deployments/de-fra-1/demo-deployment/chat", "POST", {"prompt": "hi", "max_tokens": 0}, {}),
        ("deployments/de-fra-1/demo-deployment/chat", "POST", {"prompt": "hi", "max_tokens": 5000}, {}),
        ("deployments/de-fra-1/demo-deployment/nope", "GET", None, {}),
    ],
)
def test_bad_input_is_a_clear_4xx_with_nothing_sent(api, sb, path, method, body, params):
    code, data = api(path, method, body, **params)
    assert 400 <= code < 500 and data["message"] and data["fix"] and data["code"], data
    assert not [r for r in sb.requests if r.method in ("POST", "DELETE") and r.service != "hub"]


def test_authentication_is_required(jp_fetch, jp_asyncio_loop, sb):
    routes = (
        ("deployments", "GET"),
        ("deployments", "POST"),
        ("deployments/preflight", "POST"),
        (f"deployments/{ZONE}/{SEEDED}", "GET"),
        (f"deployments/{ZONE}/{SEEDED}", "DELETE"),
        (f"deployments/{ZONE}/{SEEDED}/scale", "POST"),
        (f"deployments/{ZONE}/{SEEDED}/logs", "GET"),
        (f"deployments/{ZONE}/{SEEDED}/chat", "POST"),
    )
    for path, method in routes:
        with pytest.raises(HTTPClientError) as err:
            jp_asyncio_loop.run_until_complete(
                jp_fetch(
                    BASE,
                    *path.split("/"),
                    method=method,
                    headers={"Authorization": ""},
                    body=b'{"prompt": "hi", "replicas": 0}' if method == "POST" else None,
                )
            )
        assert err.value.code == 403, path
    assert not [r for r in sb.requests if r.service in ("exoscale", "inference")]
    assert [d for d in sb.exoscale.deployments._deployments.values() if d.name == SEEDED]
