"""Contract: the sandbox's deployment answers follow the installed exoscale/openapi.json.

Hand-made, signed requests drive every deployment call through its answers (documented errors included);
each logged exchange is checked against the operation's parameters, body, statuses and answer schemas.
"""

from __future__ import annotations

import json
import uuid

import pytest
from jsonschema import Draft4Validator

from jupyter_exo_models.core.config import ZONES
from jupyter_exo_models.sandbox import DEMO
from jupyter_exo_models.sandbox.catalog import INSTANCE_TYPES
from jupyter_exo_models.sandbox.deployments import GPU_FAMILIES
from jupyter_exo_models.sandbox.vllm import ENGINE_VERSIONS

from .openapi import DEPLOYMENT_OPERATIONS, Contract, exchanges
from .test_exoscale_contract import INVALID_BODY, assert_follows, raw

ZONE = "de-fra-1"


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract()


def _schema(contract: Contract, name: str) -> dict:
    return contract.resolver.lookup(f"#/components/schemas/{name}").contents


def test_the_sandboxs_engine_versions_and_families_are_the_specs(contract):
    engine = _schema(contract, "inference-engine-version")
    assert list(ENGINE_VERSIONS) == engine["enum"] and engine["default"] == "0.28.0"
    families = set(_schema(contract, "instance-type")["properties"]["family"]["enum"])
    assert set(GPU_FAMILIES) == {f for f in families if f.startswith("gpu")}
    assert sorted(INSTANCE_TYPES) == sorted(ZONES)
    assert {f for zone in INSTANCE_TYPES.values() for f in zone} <= set(GPU_FAMILIES)


async def test_every_deployment_call_follows_the_spec(sb, contract):
    timings = sb.exoscale.timings
    timings.creating = timings.downloading = 0
    timings.deployment_creating = timings.deployment_deploying = timings.scaling = 0
    model_id = next(m["id"] for m in sb.exoscale.models(ZONE) if m["name"] == DEMO.already_created)
    spec = {"model": {"id": model_id}, "gpu-type": "gpu3", "gpu-count": 1, "replicas": 1}
    async with raw(sb) as signed:
        assert (await signed.get("/ai/instance-type")).status_code == 200
        assert (
            await signed.get("/ai/help/inference-engine-parameters", params={"version": "0.20.0"})
        ).is_success
        assert (await signed.get("/ai/help/inference-engine-parameters")).is_success
        created = await signed.post("/ai/deployment", json={**spec, "name": "contract"})
        deployment_id = created.json()["reference"]["id"]
        await signed.get(f"/operation/{created.json()['id']}")
        by_name = {**spec, "name": "by-name", "model": {"name": DEMO.already_created}}
        by_name |= {"inference-engine-version": "0.25.0", "inference-engine-parameters": ["--enforce-eager"]}
        assert (await signed.post("/ai/deployment", json=by_name)).is_success
        duplicate = await signed.post("/ai/deployment", json={**spec, "name": "contract"})
        assert (await signed.get(f"/operation/{duplicate.json()['id']}")).json()["reason"] == "conflict"
        bad_flag = {**spec, "name": "bad-flag", "inference-engine-parameters": ["--foo"]}
        failed = await signed.post("/ai/deployment", json=bad_flag)
        assert (await signed.get(f"/operation/{failed.json()['id']}")).json()["state"] == "failure"
        for status, body in (
            (412, {**spec, "name": "refused", "gpu-type": "gpua5000"}),
            (400, {**spec, "name": "too-many", "gpu-count": 9}),
            (400, {**spec, "name": "no-model", "model": {"id": str(uuid.uuid4())}}),
        ):
            assert (await signed.post("/ai/deployment", json=body)).status_code == status
        for visibility in (None, "private", "public"):
            params = {"visibility": visibility} if visibility else {}
            assert (await signed.get("/ai/deployment", params=params)).status_code == 200
        assert (await signed.get("/ai/deployment", params={"visibility": "everyone"})).status_code == 400
        url = f"/ai/deployment/{deployment_id}"
        await signed.get(url)
        await signed.get(url + "/api-key")
        await signed.get(url + "/logs", params={"tail": 3, "stream": "false"})
        assert (await signed.get(url + "/logs", params={"tail": "-1"})).status_code == 400
        scaled = await signed.post(url + "/scale", json={"replicas": 0})
        await signed.get(f"/operation/{scaled.json()['id']}")
        await signed.post(url + "/scale", json={"replicas": 0})  # no change: done at once
        await signed.post(url + "/scale", json={"replicas": 2})
        renamed = await signed.patch(url, json={"name": "contract-renamed"})
        await signed.get(f"/operation/{renamed.json()['id']}")
        await signed.patch(url, json={"inference-engine-parameters": ["--max-model-len", "4096"]})
        assert (await signed.patch(url, json={})).status_code == 400
        assert (await signed.patch(url, json={"name": "by-name"})).status_code == 409
        timings.scaling = 60  # keep the next scale busy
        await signed.post(url + "/scale", json={"replicas": 1})
        assert (await signed.post(url + "/scale", json={"replicas": 3})).status_code == 409
        assert (await signed.patch(url, json={"name": "busy"})).status_code == 409
        in_use = await signed.delete(f"/ai/model/{model_id}")
        assert in_use.status_code == 412 and set(in_use.json()["deployments"]) >= {
            "contract-renamed",
            "by-name",
        }
        deleted = await signed.delete(url)
        await signed.get(f"/operation/{deleted.json()['id']}")
        missing = f"/ai/deployment/{uuid.uuid4()}"
        for method, suffix in (
            ("GET", ""),
            ("PATCH", ""),
            ("DELETE", ""),
            ("POST", "/scale"),
            ("GET", "/api-key"),
        ):
            body = {"replicas": 1} if suffix == "/scale" else {"name": "x"} if method == "PATCH" else None
            answer = await signed.request(method, url + suffix, json=body)
            assert answer.status_code == 404, (method, suffix)
            assert (await signed.request(method, missing + suffix, json=body)).status_code == 404
        assert (await signed.get(missing + "/logs")).status_code == 404
    async with raw(sb, secret="wrong-secret") as forged:
        for method, path, body in (
            ("POST", "/ai/deployment", {**spec, "name": "forged"}),
            ("PATCH", f"/ai/deployment/{uuid.uuid4()}", {"name": "x"}),
            ("DELETE", f"/ai/deployment/{uuid.uuid4()}", None),
            ("POST", f"/ai/deployment/{uuid.uuid4()}/scale", {"replicas": 1}),
        ):
            assert (await forged.request(method, path, json=body)).status_code == 403
    found = exchanges(sb.requests)
    assert {e.operation for e in found} >= set(DEPLOYMENT_OPERATIONS)
    assert {(e.operation, e.status) for e in found} >= {
        ("create-deployment", 400),
        ("create-deployment", 403),
        ("create-deployment", 412),
        ("list-deployments", 400),
        ("update-deployment", 400),
        ("update-deployment", 409),
        ("scale-deployment", 409),
        ("delete-deployment", 404),
        ("get-deployment-logs", 400),
        ("reveal-deployment-api-key", 404),
        ("delete-model", 412),
    }
    assert_follows(contract, found)


async def test_undocumented_deployment_answers_keep_the_documented_shapes(sb, contract):
    """A body breaking the schema answers 422 as for models; an unknown engine version 400; 403 on reads."""
    error_response = contract.response_validator("get-deployment", 404)
    async with raw(sb) as signed:
        bad = [
            await signed.post("/ai/deployment", json={}),
            await signed.post(
                "/ai/deployment", json={"name": "x", "model": {}, "gpu-type": "gpu3", "gpu-count": 0}
            ),
            await signed.post(f"/ai/deployment/{uuid.uuid4()}/scale", json={"replicas": -1}),
            await signed.patch(f"/ai/deployment/{uuid.uuid4()}", json={"inference-engine-version": "9.9.9"}),
        ]
        unknown_version = await signed.get(
            "/ai/help/inference-engine-parameters", params={"version": "0.1.0"}
        )
    async with raw(sb, secret="wrong-secret") as forged:
        denied = [
            await forged.get("/ai/deployment"),
            await forged.get(f"/ai/deployment/{uuid.uuid4()}/api-key"),
        ]
    assert [r.status_code for r in bad[:2]] == [422, 422]
    for answer in bad[:2]:
        assert not [e.message for e in Draft4Validator(INVALID_BODY).iter_errors(answer.json())]
    assert [e["path"] for e in bad[1].json()["errors"]] == ["replicas", "model", "gpu-count"]
    assert [r.status_code for r in bad[2:]] == [404, 404]  # an unknown deployment is looked up first
    assert unknown_version.status_code == 400 and [r.status_code for r in denied] == [403, 403]
    for answer in (unknown_version, *denied):
        assert not [e.message for e in error_response.iter_errors(answer.json())]
    assert not json.dumps([r.json() for r in denied]).count(DEMO.exo_secret)
