"""Fidelity: the official exoscale SDK deploys in the sandbox, and the endpoints answer as vLLM's server."""

from __future__ import annotations

import httpx
import pytest
from exoscale.api.exceptions import ExoscaleAPIClientException, ExoscaleAPIServerException
from exoscale.api.v2 import Client

from jupyter_exo_models.core.clock import VirtualClock
from jupyter_exo_models.core.config import ZONES
from jupyter_exo_models.sandbox import DEMO, Sandbox, Timings

FAST = Timings(creating=0, downloading=0, deployment_creating=0.05, deployment_deploying=0.1, scaling=0.05)
GPU3 = {"gpu_type": "gpu3", "gpu_count": 1, "replicas": 1}


@pytest.fixture
def fast():
    from exoscale.api import v2

    v2._poll_interval = lambda run_time: 0.02  # the SDK's own schedule, sped up
    with Sandbox(timings=FAST) as sandbox:
        yield sandbox


@pytest.fixture
def sdk(fast):
    return Client(DEMO.exo_key, DEMO.exo_secret, url=fast.exoscale_url("de-fra-1"))


def imported(sdk, name=DEMO.tiny):
    return sdk.wait(sdk.create_model(name=name, huggingface_token=DEMO.hf_token)["id"])["reference"]["id"]


def deploy(sdk, name, model, **options):
    operation = sdk.create_deployment(name=name, model=model, **{**GPU3, **options})
    return operation, operation["reference"]["id"]


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_the_sdk_deploys_scales_updates_and_deletes(sdk, fast):
    model_id = imported(sdk)
    assert {t["family"]: t["authorized"] for t in sdk.list_ai_instance_types()["instance-types"]} == {
        "gpu3": True,
        "gpurtx6000pro": True,
        "gpua5000": False,
    }
    help_entries = {p["name"]: p for p in sdk.get_inference_engine_help(version="0.28.0")["parameters"]}
    assert help_entries["dtype"]["allowed-values"] == [
        "auto",
        "half",
        "float16",
        "bfloat16",
        "float",
        "float32",
    ]
    assert (
        help_entries["enforce-eager"]["type"] == "bool"
        and "--max-model-len" in help_entries["max-model-len"]["flags"]
    )

    operation, deployment_id = deploy(sdk, "tiny-chat", {"id": model_id})
    assert operation["state"] == "pending" and sdk.get_deployment(id=deployment_id)["state"] == "creating"
    assert sdk.wait(operation["id"], max_wait_time=30)["state"] == "success"
    deployment = sdk.get_deployment(id=deployment_id)
    assert deployment["state"] == "ready" and deployment["model"] == {"id": model_id, "name": DEMO.tiny}
    assert deployment["inference-engine-version"] == "0.28.0" and deployment["visibility"] == "private"
    listed = {d["name"]: d for d in sdk.list_deployments()["deployments"]}
    assert set(listed) == {"tiny-chat", "demo-deployment"}  # the catalog's seed is a real, ready deployment
    assert (
        "state-details" not in listed["tiny-chat"] and "inference-engine-version" not in listed["tiny-chat"]
    )
    assert sdk.list_deployments(visibility="public")["deployments"] == []

    key = sdk.reveal_deployment_api_key(id=deployment_id)["api-key"]
    assert (
        "sandbox" in key
        and key != sdk.reveal_deployment_api_key(id=listed["demo-deployment"]["id"])["api-key"]
    )
    url = deployment["deployment-url"]
    assert not url.endswith("/v1") and url.startswith(fast.inference_url)
    assert httpx.get(url + "/v1/models", headers=bearer(key)).json()["data"][0]["id"] == DEMO.tiny
    logs = sdk.get_deployment_logs(id=deployment_id, tail=2, stream=False)["logs"]
    assert [entry["message"] for entry in logs][-1].endswith('"GET /v1/models HTTP/1.1" 200 OK')
    assert any(
        "Application startup complete" in e["message"]
        for e in sdk.get_deployment_logs(id=deployment_id)["logs"]
    )

    assert sdk.wait(sdk.scale_deployment(id=deployment_id, replicas=0)["id"])["state"] == "success"
    assert sdk.get_deployment(id=deployment_id)["replicas"] == 0
    assert httpx.get(url + "/v1/models", headers=bearer(key)).status_code == 503
    assert (
        sdk.get_deployment_logs(id=deployment_id, tail=1)["logs"][0]["message"]
        == "INFO:     Application shutdown complete."
    )
    assert sdk.wait(sdk.scale_deployment(id=deployment_id, replicas=1)["id"])["state"] == "success"
    assert httpx.get(url + "/v1/models", headers=bearer(key)).status_code == 200

    update = sdk.update_deployment(id=deployment_id, inference_engine_parameters=["--max-model-len=4096"])
    assert sdk.get_deployment(id=deployment_id)["state"] == "updating"
    sdk.wait(update["id"])
    assert httpx.get(url + "/v1/models", headers=bearer(key)).json()["data"][0]["max_model_len"] == 4096
    sdk.wait(sdk.update_deployment(id=deployment_id, name="tiny-renamed")["id"])
    assert sdk.get_deployment(id=deployment_id)["name"] == "tiny-renamed"

    with pytest.raises(ExoscaleAPIClientException) as in_use:
        sdk.delete_model(id=model_id)
    assert "412" in str(in_use.value) and "tiny-renamed" in str(in_use.value)
    assert sdk.wait(sdk.delete_deployment(id=deployment_id)["id"])["state"] == "success"
    with pytest.raises(ExoscaleAPIClientException) as gone:
        sdk.get_deployment(id=deployment_id)
    assert "404" in str(gone.value)
    assert httpx.get(url + "/v1/models", headers=bearer(key)).status_code == 404
    sdk.wait(sdk.delete_model(id=model_id)["id"])  # no deployment uses it any more


def test_states_follow_the_virtual_clock():
    clock = VirtualClock()
    timings = Timings(creating=0, downloading=0, deployment_creating=30, deployment_deploying=300, scaling=20)
    with Sandbox(clock=clock, timings=timings) as sb:
        sdk = Client(DEMO.exo_key, DEMO.exo_secret, url=sb.exoscale_url("de-fra-1"))
        operation, deployment_id = deploy(sdk, "slow", {"name": DEMO.already_created})
        states = []
        for step in (0, 30, 100, 200):
            clock.advance(step)
            states.append(sdk.get_deployment(id=deployment_id)["state"])
            if states[-1] == "deploying":
                assert sdk.get_operation(id=operation["id"])["state"] == "pending"
        assert states == ["creating", "deploying", "deploying", "ready"]
        assert sdk.get_operation(id=operation["id"])["state"] == "success"
        messages = [e["message"] for e in sdk.get_deployment_logs(id=deployment_id)["logs"]]
        assert messages[0].startswith("INFO [api_server.py] vLLM API server version 0.28.0")
        assert messages[-1] == "INFO:     Application startup complete."
        sdk.scale_deployment(id=deployment_id, replicas=3)
        assert sdk.get_deployment(id=deployment_id)["state"] == "scaling"
        clock.advance(20)
        assert sdk.get_deployment(id=deployment_id)["state"] == "ready"
        nodes = {e["node"] for e in sdk.get_deployment_logs(id=deployment_id)["logs"]}
        assert len(nodes) == 3


def failure_of(sdk, operation, deployment_id):
    with pytest.raises(ExoscaleAPIServerException) as err:
        sdk.wait(operation["id"], max_wait_time=30)
    assert "fault" in str(err.value)
    deployment = sdk.get_deployment(id=deployment_id)
    assert deployment["state"] == "error"
    assert sdk.get_operation(id=operation["id"])["message"] == deployment["state-details"]
    last = sdk.get_deployment_logs(id=deployment_id, tail=1)["logs"][0]["message"]
    assert last == deployment["state-details"]
    return deployment["state-details"]


def test_a_model_too_large_for_its_gpus_dies_of_cuda_out_of_memory(sdk):
    large = imported(sdk, DEMO.large)  # 70B parameters in BF16: 141 GB of weights
    operation, deployment_id = deploy(sdk, "large-on-one-a40", {"id": large})
    assert sdk.get_deployment(id=deployment_id)["state"] == "creating"
    details = failure_of(sdk, operation, deployment_id)
    assert details.startswith("torch.OutOfMemoryError: CUDA out of memory.")
    operation, _ = deploy(sdk, "large-on-two-rtx6000", {"id": large}, gpu_type="gpurtx6000pro", gpu_count=2)
    assert sdk.wait(operation["id"])["state"] == "success"


def test_an_unknown_engine_flag_fails_as_vllms_argparse(sdk):
    parameters = ["--max-model-len", "2048", "--foo", "3", "--bar"]
    operation, deployment_id = deploy(
        sdk, "typo", {"name": DEMO.already_created}, inference_engine_parameters=parameters
    )
    details = failure_of(sdk, operation, deployment_id)
    assert details == "vllm serve: error: unrecognized arguments: --foo 3 --bar"
    operation, deployment_id = deploy(
        sdk, "bad-dtype", {"name": DEMO.already_created}, inference_engine_parameters=["--dtype", "fp4"]
    )
    assert "argument --dtype: invalid choice: 'fp4'" in failure_of(sdk, operation, deployment_id)
    # fixing the flags restarts it
    sdk.wait(sdk.update_deployment(id=deployment_id, inference_engine_parameters=["--dtype=bfloat16"])["id"])
    assert sdk.get_deployment(id=deployment_id)["state"] == "ready"


def test_an_architecture_newer_than_the_engine_is_refused(sdk):
    model_id = imported(sdk, DEMO.new_architecture)
    operation, deployment_id = deploy(sdk, "old-engine", {"id": model_id}, inference_engine_version="0.20.0")
    details = failure_of(sdk, operation, deployment_id)
    assert "Model architectures ['SandboxNextForCausalLM'] are not supported for now" in details
    sdk.wait(sdk.update_deployment(id=deployment_id, inference_engine_version="0.25.0")["id"])
    assert sdk.get_deployment(id=deployment_id)["state"] == "ready"


def test_refusals_at_create(fast, sdk):
    with pytest.raises(ExoscaleAPIClientException) as refused:  # listed in de-fra-1, not authorized
        deploy(sdk, "a5000", {"name": DEMO.already_created}, gpu_type="gpua5000")
    assert "412" in str(refused.value) and "probably insufficient GPUs" in str(refused.value)
    with pytest.raises(ExoscaleAPIClientException) as absent:  # not offered in de-fra-1 at all
        deploy(sdk, "3080", {"name": DEMO.already_created}, gpu_type="gpu3080ti")
    assert "412" in str(absent.value)
    vienna = Client(DEMO.exo_key, DEMO.exo_secret, url=fast.exoscale_url("at-vie-2"))
    assert {"family": "gpua5000", "authorized": True} in vienna.list_ai_instance_types()["instance-types"]
    for model in ({"name": DEMO.broken_import}, {"name": DEMO.tiny}):  # in error; not imported in this zone
        with pytest.raises(ExoscaleAPIClientException) as bad:
            deploy(sdk, "bad-model", model)
        assert "400" in str(bad.value)
    operation = sdk.create_deployment(name="demo-deployment", model={"name": DEMO.already_created}, **GPU3)
    assert operation["state"] == "pending"  # a duplicate name is accepted, then its operation fails
    with pytest.raises(ExoscaleAPIServerException) as conflict:
        sdk.wait(operation["id"])
    assert "conflict" in str(conflict.value) and "reference" not in sdk.get_operation(id=operation["id"])


def test_every_zone_offers_gpus_and_some_are_authorized_elsewhere(fast):
    tables = {
        zone: {
            t["family"]: t["authorized"]
            for t in Client(
                DEMO.exo_key, DEMO.exo_secret, url=fast.exoscale_url(zone)
            ).list_ai_instance_types()["instance-types"]
        }
        for zone in ZONES
    }
    assert all(tables.values())
    # the example of Exoscale's Limits page
    assert tables["at-vie-2"]["gpu3080ti"] and tables["at-vie-2"]["gpua5000"]
    assert tables["ch-dk-2"]["gpurtx6000pro"] is False and tables["hr-zag-1"]["gpurtx6000pro"]
    assert tables["de-fra-1"]["gpu3"] and tables["de-fra-1"]["gpurtx6000pro"]
    refused = {f for t in tables.values() for f, ok in t.items() if not ok}
    authorized = {f for t in tables.values() for f, ok in t.items() if ok}
    assert {"gpurtx6000pro", "gpua5000", "gpu3"} <= refused & authorized


def test_the_endpoint_answers_as_vllm(sdk, fast):
    operation, deployment_id = deploy(sdk, "chat", {"name": DEMO.already_created})
    url = sdk.get_deployment(id=deployment_id)["deployment-url"] + "/v1"
    assert httpx.get(url + "/models").status_code == 503  # not ready yet
    sdk.wait(operation["id"])
    key = sdk.reveal_deployment_api_key(id=deployment_id)["api-key"]
    for headers in ({}, bearer("sandbox-dk-wrong"), {"Authorization": key}):
        answer = httpx.get(url + "/models", headers=headers)
        assert answer.status_code == 401 and answer.json() == {"error": "Unauthorized"}
    models = httpx.get(url + "/models", headers=bearer(key)).json()
    assert models["object"] == "list" and models["data"][0]["owned_by"] == "vllm"
    assert set(models["data"][0]) >= {"id", "object", "created", "owned_by", "root", "max_model_len"}
    prompt = {"model": DEMO.already_created, "messages": [{"role": "user", "content": "Hello, sandbox!"}]}
    chat = httpx.post(url + "/chat/completions", json=prompt, headers=bearer(key)).json()
    reply = chat["choices"][0]["message"]
    assert reply["role"] == "assistant" and reply["content"].startswith("[SANDBOX]")
    assert chat["object"] == "chat.completion" and chat["usage"]["total_tokens"] > 0
    again = httpx.post(url + "/chat/completions", json=prompt, headers=bearer(key)).json()
    assert again["choices"][0]["message"]["content"] == reply["content"]  # deterministic
    stream = httpx.post(url + "/chat/completions", json={**prompt, "stream": True}, headers=bearer(key))
    assert stream.headers["content-type"] == "text/event-stream" and stream.text.endswith("data: [DONE]\n\n")
    wrong = httpx.post(url + "/chat/completions", json={**prompt, "model": "gpt-4"}, headers=bearer(key))
    assert wrong.status_code == 404 and wrong.json()["error"]["type"] == "NotFoundError"
    assert httpx.post(url + "/chat/completions", json={}, headers=bearer(key)).status_code == 400
    huge = httpx.post(url + "/chat/completions", content=b"x" * 2_000_000, headers=bearer(key))
    assert huge.status_code == 413
    assert (
        httpx.get(fast.inference_url + "/00000000-0000-0000-0000-000000000000/v1/models").status_code == 404
    )
    sdk.wait(sdk.scale_deployment(id=deployment_id, replicas=0)["id"])
    assert httpx.post(url + "/chat/completions", json=prompt, headers=bearer(key)).status_code == 503
    # the key is in no answer but its reveal, in no log line, and not in the request log's repr
    shown = [r.answer.decode(errors="replace") for r in fast.requests if not r.path.endswith("/api-key")]
    logs = sdk.get_deployment_logs(id=deployment_id)["logs"]
    assert key not in "".join(shown) + repr(logs) + repr(fast.requests)
