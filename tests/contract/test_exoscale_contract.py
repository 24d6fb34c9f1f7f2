"""Contract: the sandbox's answers and the client's requests follow the installed exoscale/openapi.json.

The real traffic of the package's own client (and of hand-made requests for what the client never
sends) goes through the sandbox; every logged exchange is checked against the operation's documented
parameters, request body, statuses and answer schemas. The schemas themselves are pinned, so an
upgrade of ``exoscale`` that changes them fails here, saying which part changed and what to re-check.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from jsonschema import Draft4Validator

from jupyter_exo_models.core import api
from jupyter_exo_models.core.config import ZONES
from jupyter_exo_models.core.credentials import ExoscaleCredentials
from jupyter_exo_models.core.errors import ExoModelsError, ModelInUseError
from jupyter_exo_models.core.exoscale.auth import ExoscaleV2Signer
from jupyter_exo_models.core.exoscale.client import ExoscaleClient
from jupyter_exo_models.core.secrets import Secret
from jupyter_exo_models.sandbox import DEMO

from .openapi import DEPLOYMENT_OPERATIONS, OPERATIONS, SPEC_PATH, Contract, Exchange, exchanges

TINY = "sandbox-org/Tiny-Llama-1B"
ZONE = "de-fra-1"

# Contract().fingerprints of exoscale 0.16.4; `python tests/contract/openapi.py` prints the new ones
PINNED = {
    "create-deployment 200": "a0e786282f454d82",
    "create-deployment 400": "afb23cc917939e72",
    "create-deployment 403": "afb23cc917939e72",
    "create-deployment 412": "afb23cc917939e72",
    "create-deployment request": "840b28b0fb05d526",
    "create-model 200": "a0e786282f454d82",
    "create-model 403": "afb23cc917939e72",
    "create-model request": "a6a83169f6246c3f",
    "delete-deployment 200": "a0e786282f454d82",
    "delete-deployment 403": "afb23cc917939e72",
    "delete-deployment 404": "afb23cc917939e72",
    "delete-deployment 409": "afb23cc917939e72",
    "delete-deployment parameters": "a2bd9e4ad2fee222",
    "delete-model 200": "a0e786282f454d82",
    "delete-model 403": "afb23cc917939e72",
    "delete-model 404": "afb23cc917939e72",
    "delete-model 412": "37c9ed5b52b961be",
    "delete-model parameters": "a2bd9e4ad2fee222",
    "get-deployment 200": "660129d3ff5629ea",
    "get-deployment 404": "afb23cc917939e72",
    "get-deployment parameters": "a2bd9e4ad2fee222",
    "get-deployment-logs 200": "e7f3b6e31a54c5dd",
    "get-deployment-logs 400": "afb23cc917939e72",
    "get-deployment-logs 404": "afb23cc917939e72",
    "get-deployment-logs 500": "afb23cc917939e72",
    "get-deployment-logs parameters": "80b6f94250b4abcb",
    "get-inference-engine-help 200": "d4a0ba769547bd90",
    "get-inference-engine-help parameters": "ea0adfe6cd57d095",
    "get-model 200": "3c700d04c19c893a",
    "get-model 404": "afb23cc917939e72",
    "get-model parameters": "a2bd9e4ad2fee222",
    "get-operation 200": "a0e786282f454d82",
    "get-operation parameters": "a2bd9e4ad2fee222",
    "list-ai-instance-types 200": "7722c4a17a93cdd8",
    "list-deployments 200": "05024befc78a6b2d",
    "list-deployments 400": "afb23cc917939e72",
    "list-deployments parameters": "1c378bdd74d6896b",
    "list-models 200": "c7bb19fbcb7dbb70",
    "list-zones 200": "1361b7dd5bdc6c80",
    "reveal-deployment-api-key 200": "8ef0da15332c495b",
    "reveal-deployment-api-key 404": "afb23cc917939e72",
    "reveal-deployment-api-key parameters": "a2bd9e4ad2fee222",
    "scale-deployment 200": "a0e786282f454d82",
    "scale-deployment 403": "afb23cc917939e72",
    "scale-deployment 404": "afb23cc917939e72",
    "scale-deployment 409": "afb23cc917939e72",
    "scale-deployment 412": "afb23cc917939e72",
    "scale-deployment parameters": "a2bd9e4ad2fee222",
    "scale-deployment request": "bdf791f4059e2937",
    "update-deployment 200": "a0e786282f454d82",
    "update-deployment 400": "afb23cc917939e72",
    "update-deployment 403": "afb23cc917939e72",
    "update-deployment 404": "afb23cc917939e72",
    "update-deployment 409": "afb23cc917939e72",
    "update-deployment parameters": "a2bd9e4ad2fee222",
    "update-deployment request": "0e5cf748f3135cbf",
}
RECHECK = {
    "list-zones": "Zone and ExoscaleClient.list_zones, core/config.ZONES, the sandbox's _zones()",
    "list-models": "Model.from_api (core/exoscale/models.py), the sandbox's model JSON, tests/live/shapes.py",
    "get-model": "Model.from_api (core/exoscale/models.py), the sandbox's model JSON, tests/live/shapes.py",
    "create-model": "the body ExoscaleClient.create_model sends, its error handling, the sandbox's _create",
    "delete-model": "ExoscaleClient.delete_model and ModelInUseError (412), the sandbox's _delete",
    "get-operation": "Operation.from_api, the importer's diagnosis of reasons, the sandbox's _operation_json",
    **{
        op: "the sandbox's deployments (sandbox/deployments.py), tests/contract/test_deployment_contract.py"
        for op in DEPLOYMENT_OPERATIONS
    },
}

# docs/SERVICES.md quotes this 422 answer; the OpenAPI document has no schema for it
INVALID_BODY = {
    "type": "object",
    "required": ["type", "title", "errors"],
    "not": {"required": ["detail"]},
    "properties": {
        "type": {"enum": ["#/http-problem-types/request-invalid-body"]},
        "title": {"type": "string"},
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["detail", "location", "pointer", "path"],
                "properties": {k: {"type": "string"} for k in ("detail", "location", "pointer", "path")},
            },
        },
    },
}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract()


def credentials(secret: str = DEMO.exo_secret) -> ExoscaleCredentials:
    return ExoscaleCredentials(DEMO.exo_key, Secret(secret), ZONE, "argument")


def raw(sb, secret: str | None = DEMO.exo_secret) -> httpx.AsyncClient:
    """Hand-made requests, signed like the client's (unsigned when ``secret`` is None)."""
    auth = ExoscaleV2Signer(DEMO.exo_key, Secret(secret)) if secret is not None else None
    return httpx.AsyncClient(base_url=sb.exoscale_url(ZONE), auth=auth)


def assert_follows(contract: Contract, found: list[Exchange]) -> None:
    problems = [p for exchange in found for p in contract.problems(exchange)]
    assert not problems, f"departures from {contract.version}:\n" + "\n".join(problems)


async def test_the_clients_traffic_follows_the_spec(sb, contract):
    async with ExoscaleClient(credentials(), ZONE) as client:
        assert {z.name for z in await client.list_zones()} >= {ZONE}
    await api.apreflight(TINY, zone=ZONE, hf_token=DEMO.hf_token)
    job = await api.aimport_model(TINY, zone=ZONE, hf_token=DEMO.hf_token)
    assert (await api.aget_model(job.model.id, zone=ZONE)).state == "created"
    with pytest.raises(ExoModelsError):
        await api.aimport_model("sandbox-org/pytorch-only", zone=ZONE, hf_token=DEMO.hf_token, force=True)
    with pytest.raises(ExoModelsError):
        await api.aget_model(str(uuid.uuid4()), zone=ZONE)
    with pytest.raises(ModelInUseError):
        await api.adelete_model("sandbox-org/In-Use-Model", zone=ZONE)
    await api.adelete_model(job.model.id, zone=ZONE)

    found = exchanges(sb.requests)
    # every operation of the model flows was checked (a model in use lists the deployments, to name them)
    assert {e.operation for e in found} == set(OPERATIONS) | {"list-deployments"}
    assert {(e.operation, e.status) for e in found} >= {("get-model", 404), ("delete-model", 412)}
    assert_follows(contract, found)


async def test_the_sandboxs_other_answers_follow_the_spec(sb, contract):
    async with raw(sb, secret=None) as anonymous:
        assert (await anonymous.get("/zone")).status_code == 200  # public
    async with raw(sb) as signed:
        duplicate = (await signed.post("/ai/model", json={"name": "sandbox-org/Already-Created"})).json()
        assert (await signed.get(f"/operation/{duplicate['id']}")).json()["reason"] == "conflict"
        for name in ("sandbox-org/mixed-case-model", "sandbox-gated/Llama-Gated-8B"):
            await signed.post("/ai/model", json={"name": name, "huggingface-token": DEMO.hf_token})
        sb.exoscale.timings.creating = 0  # decide their fate at the next look
        for model in sb.exoscale.models(ZONE):
            await signed.get(f"/ai/model/{model['id']}")
        for operation_id in [
            json.loads(r.answer)["id"] for r in list(sb.requests) if r.method == "POST" and r.status == 200
        ]:
            await signed.get(f"/operation/{operation_id}")
        await signed.delete(f"/ai/model/{uuid.uuid4()}")
    async with raw(sb, secret="wrong-secret") as forged:
        assert (await forged.post("/ai/model", json={"name": TINY})).status_code == 403
        await forged.delete(f"/ai/model/{uuid.uuid4()}")
    found = exchanges(sb.requests)
    assert {(e.operation, e.status) for e in found} >= {
        ("create-model", 403),
        ("delete-model", 403),
        ("delete-model", 404),
    }
    assert {json.loads(e.answer).get("reason") for e in found if e.operation == "get-operation"} >= {
        "conflict",
        "not-found",
        "forbidden",
    }
    assert_follows(contract, found)


async def test_undocumented_answers_keep_the_documented_shapes(sb, contract):
    """What the spec leaves out (a 403 on reads, a 404 for an unknown operation, a 422) still has a known
    shape."""
    error_response = contract.response_validator("get-model", 404)  # error-response, RFC 9457
    async with raw(sb, secret="wrong-secret") as forged:
        denied = [await forged.get("/ai/model"), await forged.get(f"/operation/{uuid.uuid4()}")]
    async with raw(sb) as signed:
        denied.append(await signed.get(f"/operation/{uuid.uuid4()}"))
        bad = [await signed.post("/ai/model", json=body) for body in ({}, {"name": ""}, {"name": 3})]
        bad.append(await signed.post("/ai/model", content=b"{", headers={"Content-Type": "application/json"}))
    assert [r.status_code for r in denied] == [403, 403, 404]
    for answer in denied:
        assert answer.headers["content-type"].startswith("application/json")
        assert not [e.message for e in error_response.iter_errors(answer.json())]
    for answer in bad:
        assert answer.status_code == 422
        assert not [e.message for e in Draft4Validator(INVALID_BODY).iter_errors(answer.json())]
    assert len(sb.exoscale.models(ZONE)) == len(sb.catalog.models)  # nothing was created


def test_the_checker_catches_departures_without_quoting_the_token(contract):
    """The contract can fail: field drift, an undocumented status, a bad id, a token of the wrong type."""
    model = {
        "id": str(uuid.uuid4()),
        "name": TINY,
        "status": "ready",
        "model-size": 1,
        "created-at": "2026-02-01T10:00:00Z",
        "updated-at": "2026-02-30T10:00:00Z",
    }
    drift = Exchange(
        "get-model",
        "GET",
        "/ai/model/x",
        {"id": "x"},
        b"",
        "",
        200,
        json.dumps(model).encode(),
        "application/json",
    )
    found = contract.problems(drift)
    assert any("'state' is a required property" in p for p in found)
    assert any("is not a 'date-time'" in p for p in found) and any("path parameter id" in p for p in found)
    canary = "hf_CanaryTokenThatMustNeverBePrinted"
    body = json.dumps({"name": TINY, "huggingface-token": [canary]}).encode()
    conflict = Exchange(
        "create-model",
        "POST",
        "/ai/model",
        {},
        body,
        "application/json",
        409,
        b'{"title": "Conflict"}',
        "application/json",
    )
    found = contract.problems(conflict)
    assert any("huggingface-token" in p and "'type'" in p for p in found)
    assert any("answered 409" in p for p in found) and canary not in "\n".join(found)


def schema_changes(contract: Contract) -> list[str]:
    """What differs from PINNED, each with what to re-check."""
    now = contract.fingerprints
    return [
        f"{name}: {'new' if name not in PINNED else 'removed' if name not in now else 'changed'}; "
        f"re-check {RECHECK[name.split(' ')[0]]}"
        for name in sorted(PINNED.keys() | now.keys())
        if PINNED.get(name) != now.get(name)
    ]


def test_the_schemas_the_project_relies_on_are_pinned(contract):
    for op in OPERATIONS:
        contract.operation(op)  # still at the same method and path
    changed = schema_changes(contract)
    assert not changed, (
        f"{contract.version} changed the schemas this project relies on:\n  "
        + "\n  ".join(changed)
        + "\nMake the sandbox and the client follow the new document, then update PINNED in "
        "tests/contract/test_exoscale_contract.py (`python tests/contract/openapi.py` prints it)."
    )


def test_a_changed_schema_is_named(tmp_path):
    document = json.loads(SPEC_PATH.read_text())
    schemas = document["components"]["schemas"]
    schemas["get-model-response"]["properties"]["status"] = schemas["get-model-response"]["properties"].pop(
        "state"
    )
    schemas["operation"]["required"] = ["id", "state", "reference"]
    document["paths"]["/ai/model"]["post"]["responses"]["409"] = {"description": "Conflict"}
    changed_copy = tmp_path / "openapi.json"
    changed_copy.write_text(json.dumps(document))
    changed = schema_changes(Contract(changed_copy))
    assert [c.split(":")[0] for c in changed if "deployment" not in c.split(":")[0]] == [
        "create-model 200",
        "create-model 409",
        "delete-model 200",
        "get-model 200",
        "get-operation 200",
    ]
    named = {c.split(":")[0]: c for c in changed}
    assert (
        "create-model 409: new; re-check the body ExoscaleClient.create_model sends"
        in named["create-model 409"]
    )
    assert "Model.from_api" in named["get-model 200"]
    # the deployment calls answer operations too
    assert {c.split(":")[0] for c in changed if "deployment" in c.split(":")[0]} == {
        f"{op} 200"
        for op in ("create-deployment", "delete-deployment", "scale-deployment", "update-deployment")
    }


def test_the_zones_are_the_documented_ones(contract):
    zone_names = contract.resolver.lookup("#/components/schemas/zone-name").contents["enum"]
    assert sorted(ZONES) == sorted(zone_names), "core/config.ZONES and the sandbox must list the spec's zones"
