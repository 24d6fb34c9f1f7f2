"""The shapes of real answers the project relies on: the fields core/hub.py and core/exoscale/models.py read.

Each check asserts one answer, with a message saying what the project would get wrong. They run against
the real services in ``test_live.py`` (``pytest -m live``) and against the sandbox in the normal suite,
so they stay in step with both.
"""

from __future__ import annotations

import re
from typing import Any

from contract.openapi import Contract
from huggingface_hub.utils import GatedRepoError, HfHubHTTPError

from jupyter_exo_models.core.exoscale.models import Deployment, EngineParameter, Model
from jupyter_exo_models.core.gpus import FAMILIES
from jupyter_exo_models.core.hub import RepoInfo, TokenInfo

TOKEN_ROLES = ("read", "write", "fineGrained")
SCOPE_ENTITIES = ("user", "org", "model")
MODEL_STATES = (
    "creating",
    "downloading",
    "created",
    "ready",
    "error",
)  # docs/SERVICES.md; older answers say "status"
REPO_KINDS = ("public", "gated", "private")
# what the Hub says to a token it refuses for a gated repo (docs/SERVICES.md)
GATE_TEXTS = {"not in the authorized list": "not-accepted", "awaiting a review": "pending"}
NO_GATED_PERMISSION = "enable access to public gated repositories"
_UUID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$", re.IGNORECASE)


def check_whoami(data: Any) -> TokenInfo:
    """``HfApi.whoami()``: the user, the orgs and the token's role and scopes."""
    assert isinstance(data, dict), f"whoami answered a {type(data).__name__}, not an object"
    assert isinstance(data.get("name"), str) and data["name"], "whoami: no user 'name'"
    orgs = data.get("orgs", [])
    assert isinstance(orgs, list) and all(
        isinstance(o, dict) and isinstance(o.get("name"), str) for o in orgs
    ), "whoami: 'orgs' is not a list of {name}"
    token = (data.get("auth") or {}).get("accessToken")
    assert isinstance(token, dict), "whoami: no auth.accessToken (the token's role and scopes)"
    assert token.get("role") in TOKEN_ROLES, f"whoami: unknown token role {token.get('role')!r}"
    assert isinstance(token.get("displayName", ""), str), "whoami: accessToken.displayName is not a string"
    if token["role"] == "fineGrained":
        fine = token.get("fineGrained")
        assert isinstance(fine, dict), "whoami: a fine-grained token without accessToken.fineGrained"
        assert isinstance(fine.get("canReadGatedRepos"), bool), (
            "whoami: fineGrained.canReadGatedRepos missing"
        )
        for scope in fine.get("scoped", []):
            entity = scope.get("entity") or {}
            assert entity.get("type") in SCOPE_ENTITIES and isinstance(entity.get("name"), str), (
                f"whoami: a scope's entity is {entity!r}"
            )
            assert all(isinstance(p, str) for p in scope.get("permissions", [])), (
                "whoami: permissions not strings"
            )
    info = TokenInfo.from_whoami(data)
    assert info.user == data["name"] and info.role == token["role"]
    return info


def check_model_info(info: Any, requested: str, kind: str) -> RepoInfo:
    """``HfApi.model_info(repo, files_metadata=True)`` of a ``public``, ``gated`` or ``private`` repo."""
    assert kind in REPO_KINDS
    assert isinstance(info.id, str) and info.id.lower() == requested.lower(), (
        f"model_info: id {info.id!r} is not the canonical form of {requested!r}"
    )
    assert isinstance(info.private, bool), "model_info: 'private' is not a boolean"
    assert info.gated in (None, False, "auto", "manual"), f"model_info: unknown gated value {info.gated!r}"
    looks = {
        "public": not info.private and not info.gated,
        "gated": info.gated in ("auto", "manual"),
        "private": info.private,
    }[kind]
    assert looks, (
        f"model_info: {requested} is not {kind} (private={info.private}, gated={info.gated!r}): check its id"
    )
    assert info.siblings, "model_info: no siblings (the repo's files)"
    for sibling in info.siblings:
        assert isinstance(sibling.rfilename, str), "model_info: a sibling without rfilename"
        assert isinstance(sibling.size, int) and sibling.size >= 0, (
            f"model_info: {sibling.rfilename} has no size (files_metadata=True gives every file's)"
        )
    card = info.card_data.to_dict() if info.card_data is not None else {}
    license_ = card.get("license")
    assert license_ is None or isinstance(license_, (str, list)), f"model_info: license is {license_!r}"
    for name, field in (card.get("extra_gated_fields") or {}).items():
        assert isinstance(field, str) or (isinstance(field, dict) and "type" in field), (
            f"model_info: gate field {name!r} is {field!r}, neither a type name nor {{type, ...}}"
        )
    if info.safetensors is not None:
        assert isinstance(info.safetensors.total, int) and info.safetensors.total > 0, (
            "model_info: safetensors.total is not a parameter count"
        )
    repo = RepoInfo.from_model_info(info)
    assert repo.id == info.id and len(repo.files) == len(info.siblings)
    return repo


def check_access(auth_check: Any, repo_id: str, kind: str) -> str:
    """``HfApi.auth_check(repo)`` by a token that may read it: passes, or (gated only) a refusal we recognise.

    Returns "granted", "not-accepted", "pending" or "token-no-gated".
    """
    try:
        auth_check(repo_id)
    except GatedRepoError as exc:
        assert kind == "gated", f"auth_check: {kind} repo {repo_id} answered GatedRepo"
        text = str(exc)
        verdict = next((v for words, v in GATE_TEXTS.items() if words in text), None)
        assert verdict is not None, (
            f"auth_check: a GatedRepo refusal in words hub.py does not know: {text[:300]!r}"
        )
        return verdict
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        if kind == "gated" and status == 403 and NO_GATED_PERMISSION in str(exc):
            return "token-no-gated"  # a fine-grained token without the gated-repos permission
        raise AssertionError(
            f"auth_check: {kind} repo {repo_id} answered HTTP {status} ({type(exc).__name__}): "
            "the token must be able to read it"
        ) from None
    return "granted"


def check_zones(data: Any) -> None:
    """``GET /zone``: each zone's name and api-endpoint."""
    zones = data.get("zones") if isinstance(data, dict) else None
    assert isinstance(zones, list) and zones, "GET /zone: no 'zones' list"
    for zone in zones:
        assert isinstance(zone.get("name"), str) and isinstance(zone.get("api-endpoint"), str), (
            f"GET /zone: a zone without name/api-endpoint: {zone!r}"
        )


def check_models(data: Any, zone: str) -> list[Model]:
    """``GET /ai/model``: what Model.from_api reads, tolerating the state/status drift the project reads."""
    models = data.get("models") if isinstance(data, dict) else None
    assert isinstance(models, list), "GET /ai/model: no 'models' list"
    return [check_model(m, zone) for m in models]


def check_model(data: Any, zone: str) -> Model:
    """One model (a list entry or ``GET /ai/model/{id}``)."""
    assert isinstance(data, dict), f"a model is a {type(data).__name__}"
    assert isinstance(data.get("id"), str) and _UUID.match(data["id"]), f"a model id is {data.get('id')!r}"
    assert isinstance(data.get("name"), str) and data["name"], "a model without a name"
    state = data.get("state", data.get("status"))
    assert state in MODEL_STATES, (
        f"model {data['name']}: unknown state {state!r} (neither 'state' nor 'status')"
    )
    size = data.get("model-size")
    assert size is None or (isinstance(size, int) and size >= 0), f"model {data['name']}: model-size {size!r}"
    for stamp in ("created-at", "updated-at"):
        assert data.get(stamp) is None or isinstance(data[stamp], str), (
            f"model {data['name']}: {stamp} not text"
        )
    model = Model.from_api(data, zone)
    assert model.id == data["id"] and model.name == data["name"]
    return model


def departures(contract: Contract, operation: str, data: Any) -> list[str]:
    """Where a 200 answer departs from the OpenAPI document (stricter than what the project relies on)."""
    validator = contract.response_validator(operation, 200)
    assert validator is not None
    return [
        f"{operation}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(data)
    ]


def check_deployments(data: Any, zone: str) -> list[Deployment]:
    """``GET /ai/deployment``: what Deployment.from_api reads (state or status, model or model-id)."""
    entries = data.get("deployments") if isinstance(data, dict) else None
    assert isinstance(entries, list), "GET /ai/deployment: no 'deployments' list"
    found = []
    for entry in entries:
        assert isinstance(entry, dict) and isinstance(entry.get("name"), str), f"a deployment is {entry!r}"
        deployment = Deployment.from_api(entry, zone)
        assert deployment.state != "unknown", f"deployment {deployment.name}: neither 'state' nor 'status'"
        assert deployment.model_id or deployment.model_name, f"deployment {deployment.name}: no model"
        found.append(deployment)
    return found


def check_instance_types(data: Any) -> list[str]:
    """``GET /ai/instance-type``: each family and whether it is authorized; returns the families the GPU
    table lacks."""
    entries = data.get("instance-types") if isinstance(data, dict) else None
    assert isinstance(entries, list) and entries, "GET /ai/instance-type: no 'instance-types' list"
    for entry in entries:
        assert isinstance(entry.get("family"), str) and isinstance(entry.get("authorized"), bool), (
            f"GET /ai/instance-type: an entry without family/authorized: {entry!r}"
        )
    return sorted({e["family"] for e in entries} - set(FAMILIES))


def check_engine_help(data: Any) -> None:
    """``GET /ai/help/inference-engine-parameters``: the parameters' flags, as the engine-args check reads
    them."""
    parameters = data.get("parameters") if isinstance(data, dict) else None
    assert isinstance(parameters, list) and parameters, "engine help: no 'parameters' list"
    read = [EngineParameter.from_api(p) for p in parameters if isinstance(p, dict)]
    assert any(p.flags for p in read), "engine help: no parameter names a flag"
