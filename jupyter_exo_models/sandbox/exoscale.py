"""A fake Exoscale API v2 (Dedicated Inference models, deployments and operations), with real request signing.

Model states follow the sandbox clock lazily: ``creating`` for ``timings.creating``
seconds, then the fake Exoscale asks the fake Hub (exact, case-sensitive name,
with the given token) whether it could download the weights: if not, ``error``
with a recognisable message; else ``downloading`` then ``created``.

The OpenAPI document of the ``exoscale`` package is the authority for every shape and status
(``tests/contract`` checks the sandbox against it). Where it is silent, the sandbox assumes:

- A signature that is missing, malformed, expired or wrong answers 403 (the spec documents no 401
  anywhere, and the official SDK reads 403 as the authentication error).
- ``GET /zone`` is public: served unsigned; a signed request is checked, and a key whose IAM role is
  restricted (here: no 'ai' service) gets 403, as the SDK's comment on ``list-zones`` says.
- A body that breaks ``create-model-request`` answers 422 ``request-invalid-body`` with ``errors[]``
  and no ``detail`` (the real answer quoted in docs/SERVICES.md; the spec lists only 200 and 403 for the
  call).
- A malformed (non-UUID) model or operation id answers 404, the documented "not found".
- A duplicate name is not refused with 409 (undocumented for ``POST /ai/model``): the create is
  accepted (200, a pending operation) and the operation then fails with reason ``conflict`` (a
  documented reason) and no ``reference``. Clients must look before they create.
- ``DELETE /ai/model/{id}`` of a model some deployment uses answers 412 ``delete-model-conflict-response``:
  ``deployments`` lists the deployments' *names* (the spec says only "Deployments using models"), beside
  the usual problem fields (the schema allows them).

Deployments (``sandbox/deployments.py``; the spec documents shapes and statuses, not behaviour):

- States: ``creating`` (``timings.deployment_creating``) → ``deploying`` (``deployment_deploying``: vLLM
  starts and loads the weights) → ``ready`` or ``error``; a PATCH of the engine version or flags goes
  ``updating`` → ``deploying`` → ``ready``/``error``; a scale goes ``scaling`` (``timings.scaling``), plus
  ``deploying`` when replicas come back from 0. ``preparing`` is never used. A deployment scaled to 0 is
  ``ready`` with ``replicas`` 0, and its endpoint answers 503.
- The operation of a create, update or scale stays pending until the deployment is ``ready`` (success) or
  ``error`` (failure, reason ``fault``, message = ``state-details`` = vLLM's last log line). A delete and a
  mere rename are done at once.
- ``deployment-url`` is required as a string by the spec: it is given from creation, as
  ``<sandbox inference server>/<deployment id>``, WITHOUT ``/v1`` (clients append it; the real value's form
  is unknown).
- ``POST /ai/deployment``: a body that breaks the schema answers 422 as for models; 400 for a ``gpu-count``
  over 8, a ``gpu-type`` that is no GPU family of the spec, and a model not found in the zone or not
  ``created`` (by ``id``, or by exact ``name``); 412 (the spec's "probably insufficient GPUs") for a family
  the zone does not offer or has not authorized (``catalog.INSTANCE_TYPES``; also for a scale-up).
  A duplicate name is accepted and its operation fails with ``conflict``, as for models (no 409 is
  documented for create).
- 409 for a PATCH or a scale while the deployment is creating, deploying, scaling or updating, and for a PATCH
  to a name another deployment of the zone has; a DELETE is accepted in any state (its 409 is never used).
  A PATCH with none of its three fields is a 400.
- ``GET /ai/deployment`` lists your (``private``) deployments; ``?visibility=public`` lists Exoscale's
  managed ones, of which the sandbox has none; another value is a 400. The catalog's seed deployments
  (``SeedModel.deployments``) are real, ready deployments.
- Logs are vLLM-like lines (``time``, ``node`` = one per replica, ``message``), timed by the sandbox clock;
  ``?tail`` keeps the last N (a negative or non-integer one is a 400); ``?stream`` answers the same JSON.
- ``GET /ai/help/inference-engine-parameters`` gives the same realistic subset of ``vllm serve`` flags for
  every version (``sandbox/vllm.py``); an unknown ``?version`` is a 400 (undocumented).
- A deployment's fate is decided from its configuration: an argument ``vllm serve`` does not know (or a bad
  value) fails with argparse's text; an engine older than the model's architecture (``Repo.min_engine``)
  fails with vLLM's "not supported for now"; weights that ``core.gpus.fit`` says do not fit die of CUDA
  out-of-memory. Flags such as ``--quantization`` or ``--gpu-memory-utilization`` do not change the fit.
- The deployment's API key is random (``sandbox-dk-...``), revealed by ``GET .../api-key`` only; the endpoint
  checks ``Authorization: Bearer <key>`` on ``/v1/*`` as vLLM's ``--api-key`` does (401
  ``{"error": "Unauthorized"}``); ``/health`` is open. ``service-level`` is ``standard`` (assumed).
"""

from __future__ import annotations

import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..core.clock import Clock
from ..core.config import ZONES
from ..core.exoscale.auth import signature, signing_message
from ..core.exoscale.models import is_uuid
from .catalog import Catalog
from .deployments import Deployments
from .hub import INVALID_TOKEN, NOT_FOUND, FakeHub, answer_text
from .server import Request, Response, invalid_body, json_response, problem

_AUTH = re.compile(r"^EXO2-HMAC-SHA256 (.+)$")
_PATH = re.compile(r"^/([a-z0-9-]+)/v2(/.*)$")


@dataclass
class Timings:
    """Seconds a model spends in each state (plus ``per_gb`` of download per GB of weights), and a deployment.

    A deployment spends ``deployment_creating`` creating (or updating), then ``deployment_deploying``
    deploying (vLLM starting and loading the weights) whenever vLLM (re)starts; a scale spends ``scaling``
    scaling.
    """

    creating: float = 1.0
    downloading: float = 2.0
    per_gb: float = 0.0
    deployment_creating: float = 1.0
    deployment_deploying: float = 3.0
    scaling: float = 1.0


@dataclass
class _Model:
    id: str
    name: str
    zone: str
    started: float
    created_at: str
    hf_token: str | None = field(default=None, repr=False)
    fixed_state: str | None = None
    verdict: tuple[str, str] | None = None  # (reason, message) once decided; ("", "") for success
    size: int = 0
    operation_id: str = ""


@dataclass(frozen=True)
class _Operation:
    zone: str
    kind: str  # "create", "delete" or "conflict" (a create refused for its name)
    model_id: str | None = None
    name: str = ""


class FakeExoscale:
    """State and HTTP handler of the fake Exoscale API (thread-safe)."""

    def __init__(
        self, catalog: Catalog, hub: FakeHub, clock: Clock, timings: Timings, lock: threading.RLock
    ) -> None:
        self.catalog = catalog
        self.hub = hub
        self.clock = clock
        self.timings = timings
        self._lock = lock
        self._models: dict[str, _Model] = {}
        self._operations: dict[str, _Operation] = {}
        self.deployments = Deployments(self)
        self.reset()

    # -- control ------------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self._models.clear()
            self._operations.clear()
            self.deployments.reset()
            for seed in self.catalog.models:
                repo = self.catalog.repo(seed.name)
                model = self._new(seed.zone, seed.name, None)
                model.fixed_state = seed.state
                model.size = repo.safetensors_bytes if repo and seed.state != "error" else 0
                if seed.state == "error":
                    model.verdict = ("fault", "SANDBOX seeded failure: download interrupted")
                for name in seed.deployments:  # ready deployments, listed by GET /ai/deployment
                    self.deployments.seed(seed.zone, model.id, name)

    def models(self, zone: str) -> list[dict]:
        """The zone's models as the API lists them."""
        with self._lock:
            return [self._json(m) for m in self._models.values() if m.zone == zone]

    def add_deployment(self, zone: str, model_id: str, name: str) -> str:
        """A ready deployment of the model (its id), as if deployed long ago."""
        with self._lock:
            assert self._models[model_id].zone == zone
            return self.deployments.seed(zone, model_id, name)

    # -- state machine ------------------------------------------------------------------------
    def _new(self, zone: str, name: str, hf_token: str | None) -> _Model:
        model = _Model(str(uuid.uuid4()), name, zone, self.clock.time(), _now_iso(), hf_token)
        model.operation_id = str(uuid.uuid4())
        self._models[model.id] = model
        self._operations[model.operation_id] = _Operation(zone, "create", model.id)
        return model

    def state(self, model: _Model) -> str:
        if model.fixed_state:
            return model.fixed_state
        elapsed = self.clock.time() - model.started
        if elapsed < self.timings.creating:
            return "creating"
        if model.verdict is None:
            model.verdict = self._download_verdict(model)
            repo = self.catalog.repo(model.name)
            model.size = repo.safetensors_bytes if repo and not model.verdict[0] else 0
            model.hf_token = None  # Exoscale keeps the files, not the token
        if model.verdict[0]:
            return "error"
        download = self.timings.downloading + self.timings.per_gb * model.size / 1e9
        return "downloading" if elapsed < self.timings.creating + download else "created"

    def _download_verdict(self, model: _Model) -> tuple[str, str]:
        """What happens when Exoscale fetches the repo from the Hub: ("", "") or (reason, message).

        Assumed (Exoscale does not document its failure messages): the operation's message relays the Hub's
        answer to the download, in huggingface_hub's words ("<status> Client Error: <the Hub's text>").
        """
        repo = self.catalog.repo(model.name)
        if model.hf_token is not None and self.hub.token(model.hf_token) is None:
            return ("forbidden", f"401 Client Error: {INVALID_TOKEN}")
        token = self.hub.token(model.hf_token)
        if (
            repo is None or repo.id != model.name
        ):  # Exoscale asks for the exact name: a wrong case is not found
            return (
                "not-found",
                (f"404 Client Error: {NOT_FOUND} for url: https://huggingface.co/api/models/{model.name}"),
            )
        access = self.hub.access(token, repo)
        if access == "not-found":
            return (
                "not-found",
                (f"404 Client Error: {NOT_FOUND} for url: https://huggingface.co/api/models/{model.name}"),
            )
        if access != "granted":
            status, text = answer_text(access, repo)
            return ("forbidden", f"{status} Client Error: {text}")
        if not repo.safetensors_bytes:
            return ("unsupported", f"No model weights in safetensors format found in {model.name}")
        return ("", "")

    def _json(self, model: _Model) -> dict:
        state = self.state(model)
        return {
            "id": model.id,
            "name": model.name,
            "state": state,
            "model-size": model.size,
            "created-at": model.created_at,
            "updated-at": _now_iso(),
        }

    def _operation_json(self, operation_id: str) -> dict:
        operation = self._operations[operation_id]
        if operation.kind == "conflict":
            return {
                "id": operation_id,
                "state": "failure",
                "reason": "conflict",
                "message": f"A model named {operation.name} already exists in {operation.zone}",
            }
        model_id = operation.model_id
        model = self._models.get(model_id or "")
        op: dict = {
            "id": operation_id,
            "reference": {"id": model_id, "link": f"/v2/ai/model/{model_id}", "command": "get-model"},
        }
        if operation.kind == "delete" or model is None:
            op["state"] = "success"
            return op
        state = self.state(model)
        if state in ("created", "ready"):
            op["state"] = "success"
        elif state == "error":
            reason, message = model.verdict or ("fault", "")
            op.update(state="failure", reason=reason, message=message)
        else:
            op["state"] = "pending"
        return op

    # -- HTTP ---------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        match = _PATH.match(request.path)
        if match is None or match.group(1) not in ZONES:
            return problem(404, f"No such endpoint {request.path} (SANDBOX serves /<zone>/v2/...)")
        zone, path = match.groups()
        if request.method == "GET" and path == "/zone" and "authorization" not in request.headers:
            return self._zones()
        denied = self._authenticate(request, path)
        if denied is not None:
            return denied
        with self._lock:
            return self._route(request, zone, path)

    def _authenticate(self, request: Request, path: str) -> Response | None:
        header = request.headers.get("authorization", "")
        match = _AUTH.match(header)
        if match is None:
            return problem(403, "Missing or malformed Authorization header (EXO2-HMAC-SHA256)")
        fields = dict(part.split("=", 1) for part in match.group(1).split(",") if "=" in part)
        key = fields.get("credential", "")
        known = self.catalog.exoscale_keys.get(key)
        try:
            expires = int(fields.get("expires", ""))
        except ValueError:
            return problem(403, "Malformed expires in Authorization header")
        if known is None:
            return problem(403, "Invalid API key")
        if expires < time.time():
            return problem(403, "Request signature expired")
        message, names = signing_message(request.method, request.raw_path, request.body, expires)
        signed = [n for n in fields.get("signed-query-args", "").split(";") if n]
        if signed != names or not hmac.compare_digest(
            signature(known[0], message), fields.get("signature", "")
        ):
            return problem(403, "Invalid request signature")
        if path == "/zone" and not known[1]:
            return problem(
                403,
                "The API key's IAM role is restricted: operation not permitted (list-zones is "
                "public: send it unsigned)",
            )
        if path.startswith("/ai/") and not known[1]:
            return problem(
                403,
                "The API key's IAM role does not allow the 'ai' service "
                "(Dedicated Inference): operation not permitted",
            )
        return None

    def _route(self, request: Request, zone: str, path: str) -> Response:
        method = request.method
        if method == "GET" and path == "/zone":
            return self._zones()
        if path == "/ai/model":
            if method == "GET":
                return json_response(200, {"models": self.models(zone)})
            if method == "POST":
                return self._create(request, zone)
        if (m := re.fullmatch(r"/ai/model/([^/]+)", path)) and method in ("GET", "DELETE"):
            model = self._find(zone, m.group(1))
            if isinstance(model, Response):
                return model
            return json_response(200, self._json(model)) if method == "GET" else self._delete(model)
        if (m := re.fullmatch(r"/operation/([^/]+)", path)) and method == "GET":
            operation = self._operations.get(m.group(1))
            if operation is None or operation.zone != zone:
                deployment_operation = self.deployments.operation(zone, m.group(1))
                if deployment_operation is not None:
                    return json_response(200, deployment_operation)
                return problem(404, f"Operation {m.group(1)} not found")
            return json_response(200, self._operation_json(m.group(1)))
        answer = self.deployments.route(request, zone, path)
        return answer or problem(404, f"No route {method} {path}")

    @staticmethod
    def _zones() -> Response:
        return json_response(
            200,
            {
                "zones": [
                    {
                        "name": z,
                        "api-endpoint": f"https://api-{z}.exoscale.com/v2",
                        "sos-endpoint": f"https://sos-{z}.exo.io",
                    }
                    for z in ZONES
                ]
            },
        )

    def _create(self, request: Request, zone: str) -> Response:
        try:
            body = json.loads(request.body or b"")
        except ValueError:
            return invalid_body([_body_error("the body is not valid JSON", "")])
        if not isinstance(body, dict):
            return invalid_body([_body_error("expected an object", "")])
        name, token = body.get("name"), body.get("huggingface-token")
        errors = []
        if not isinstance(name, str) or not name:
            errors.append(
                _body_error("expected a non-empty string (the exact Hugging Face model name)", "name")
            )
        if token is not None and not isinstance(token, str):
            errors.append(_body_error("expected a string", "huggingface-token"))
        if errors or not isinstance(name, str):
            return invalid_body(errors)
        if any(m.name == name and m.zone == zone for m in self._models.values()):
            operation_id = str(uuid.uuid4())
            self._operations[operation_id] = _Operation(zone, "conflict", name=name)
            return json_response(200, {"id": operation_id, "state": "pending"})
        model = self._new(zone, name, token)
        return json_response(200, self._operation_json(model.operation_id))

    def _find(self, zone: str, model_id: str) -> _Model | Response:
        model = self._models.get(model_id) if is_uuid(model_id) else None
        if model is None or model.zone != zone:
            return problem(404, "The referenced model was not found.")
        return model

    def _delete(self, model: _Model) -> Response:
        if in_use := self.deployments.using(model.id):
            # delete-model-conflict-response: {"deployments": [...]}; the problem fields are kept beside it
            return problem(412, f"Model {model.name} is used by deployments", deployments=in_use)
        del self._models[model.id]
        operation_id = str(uuid.uuid4())
        self._operations[operation_id] = _Operation(model.zone, "delete", model.id)
        return json_response(200, self._operation_json(operation_id))


def _body_error(detail: str, field_name: str) -> dict[str, str]:
    """One entry of a 422's ``errors[]``; the real keys per docs/SERVICES.md, their values' form assumed."""
    return {
        "detail": detail,
        "location": "body",
        "pointer": f"/{field_name}" if field_name else "",
        "path": field_name,
    }


def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
