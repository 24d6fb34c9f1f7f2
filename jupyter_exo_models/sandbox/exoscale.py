"""A fake Exoscale API v2 (Dedicated Inference models and operations), with real request signing.

Model states follow the sandbox clock lazily: ``creating`` for ``timings.creating``
seconds, then the fake Exoscale asks the fake Hub (exact, case-sensitive name,
with the given token) whether it could download the weights: if not, ``error``
with a recognisable message; else ``downloading`` then ``created``.
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
from .hub import FakeHub
from .server import Request, Response, json_response, problem

_AUTH = re.compile(r"^EXO2-HMAC-SHA256 (.+)$")
_PATH = re.compile(r"^/([a-z0-9-]+)/v2(/.*)$")


@dataclass
class Timings:
    """Seconds a model spends in each state (plus ``per_gb`` of download per GB of weights)."""

    creating: float = 1.0
    downloading: float = 2.0
    per_gb: float = 0.0


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
    deployments: tuple[str, ...] = ()
    size: int = 0
    operation_id: str = ""


class FakeExoscale:
    """State and HTTP handler of the fake Exoscale API (thread-safe)."""

    def __init__(self, catalog: Catalog, hub: FakeHub, clock: Clock, timings: Timings, lock: threading.RLock) -> None:
        self.catalog = catalog
        self.hub = hub
        self.clock = clock
        self.timings = timings
        self._lock = lock
        self._models: dict[str, _Model] = {}
        self._operations: dict[str, tuple[str, str, str | None]] = {}  # id -> (zone, model id, kind)
        self.reset()

    # -- control ------------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self._models.clear()
            self._operations.clear()
            for seed in self.catalog.models:
                repo = self.catalog.repo(seed.name)
                model = self._new(seed.zone, seed.name, None)
                model.fixed_state = seed.state
                model.deployments = seed.deployments
                model.size = repo.safetensors_bytes if repo and seed.state != "error" else 0
                if seed.state == "error":
                    model.verdict = ("fault", "SANDBOX seeded failure: download interrupted")

    def models(self, zone: str) -> list[dict]:
        """The zone's models as the API lists them."""
        with self._lock:
            return [self._json(m) for m in self._models.values() if m.zone == zone]

    def add_deployment(self, zone: str, model_id: str, name: str) -> None:
        with self._lock:
            model = self._models[model_id]
            assert model.zone == zone
            model.deployments += (name,)

    # -- state machine ------------------------------------------------------------------------
    def _new(self, zone: str, name: str, hf_token: str | None) -> _Model:
        model = _Model(str(uuid.uuid4()), name, zone, self.clock.time(), _now_iso(), hf_token)
        model.operation_id = str(uuid.uuid4())
        self._models[model.id] = model
        self._operations[model.operation_id] = (zone, model.id, "create")
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
        """What happens when Exoscale fetches the repo from the Hub: ("", "") or (reason, message)."""
        repo = self.catalog.repo(model.name)
        token = self.hub.token(model.hf_token)
        if repo is None or repo.id != model.name:
            return ("not-found", f"Model {model.name} not found on Hugging Face (model names are case-sensitive)")
        access = self.hub.access(token, repo)
        if access == "not-found":
            return ("not-found", (f"Repository {model.name} not found on Hugging Face, or not readable with the "
                                  "provided Hugging Face token"))
        if access != "granted":
            return ("forbidden", (f"Access to gated repository {model.name} is restricted: the Hugging Face "
                                  "account of the token must accept the model's license terms"))
        if not repo.safetensors_bytes:
            return ("unsupported", f"No model weights in safetensors format found in {model.name}")
        return ("", "")

    def _json(self, model: _Model) -> dict:
        state = self.state(model)
        return {"id": model.id, "name": model.name, "state": state, "model-size": model.size,
                "created-at": model.created_at, "updated-at": _now_iso()}

    def _operation_json(self, operation_id: str) -> dict:
        _, model_id, kind = self._operations[operation_id]
        model = self._models.get(model_id)
        op: dict = {"id": operation_id, "reference": {"id": model_id, "link": f"/v2/ai/model/{model_id}",
                                                       "command": "get-model"}}
        if kind == "delete" or model is None:
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
            return problem(404, "Not Found", f"No such endpoint {request.path} (SANDBOX serves /<zone>/v2/...)")
        zone, path = match.groups()
        denied = self._authenticate(request, path)
        if denied is not None:
            return denied
        with self._lock:
            return self._route(request, zone, path)

    def _authenticate(self, request: Request, path: str) -> Response | None:
        header = request.headers.get("authorization", "")
        match = _AUTH.match(header)
        if match is None:
            return problem(401, "Unauthorized", "Missing or malformed Authorization header (EXO2-HMAC-SHA256)")
        fields = dict(part.split("=", 1) for part in match.group(1).split(",") if "=" in part)
        key = fields.get("credential", "")
        known = self.catalog.exoscale_keys.get(key)
        try:
            expires = int(fields.get("expires", ""))
        except ValueError:
            return problem(401, "Unauthorized", "Malformed expires in Authorization header")
        if known is None:
            return problem(403, "Forbidden", "Invalid API key")
        if expires < time.time():
            return problem(403, "Forbidden", "Request signature expired")
        message, names = signing_message(request.method, request.raw_path, request.body, expires)
        signed = [n for n in fields.get("signed-query-args", "").split(";") if n]
        if signed != names or not hmac.compare_digest(signature(known[0], message), fields.get("signature", "")):
            return problem(403, "Forbidden", "Invalid request signature")
        if path.startswith("/ai/") and not known[1]:
            return problem(403, "Forbidden", "The API key's IAM role does not allow the 'ai' service "
                                             "(Dedicated Inference): operation not permitted")
        return None

    def _route(self, request: Request, zone: str, path: str) -> Response:
        method = request.method
        if method == "GET" and path == "/zone":
            return json_response(200, {"zones": [{"name": z, "api-endpoint": f"https://api-{z}.exoscale.com/v2"}
                                                 for z in ZONES]})
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
            if not is_uuid(m.group(1)):
                return problem(400, "Bad Request", f"Invalid operation id {m.group(1)!r}: expected a UUID")
            if m.group(1) not in self._operations or self._operations[m.group(1)][0] != zone:
                return problem(404, "Not Found", f"Operation {m.group(1)} not found")
            return json_response(200, self._operation_json(m.group(1)))
        return problem(404, "Not Found", f"No route {method} {path}")

    def _create(self, request: Request, zone: str) -> Response:
        try:
            body = json.loads(request.body or b"")
        except ValueError:
            return problem(400, "Bad Request", "Request body is not valid JSON")
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            return problem(400, "Bad Request", "Field 'name' is required (the exact Hugging Face model name)")
        token = body.get("huggingface-token")
        if token is not None and not isinstance(token, str):
            return problem(400, "Bad Request", "Field 'huggingface-token' must be a string")
        if any(m.name == name and m.zone == zone for m in self._models.values()):
            return problem(409, "Conflict", f"A model named {name} already exists in {zone}")
        model = self._new(zone, name, token)
        return json_response(200, self._operation_json(model.operation_id))

    def _find(self, zone: str, model_id: str) -> _Model | Response:
        if not is_uuid(model_id):
            return problem(400, "Bad Request", f"Invalid model id {model_id!r}: expected a UUID")
        model = self._models.get(model_id)
        if model is None or model.zone != zone:
            return problem(404, "Not Found", f"Model {model_id} not found")
        return model

    def _delete(self, model: _Model) -> Response:
        if model.deployments:
            return problem(412, "Precondition Failed", f"Model {model.name} is used by deployments",
                           deployments=list(model.deployments))
        del self._models[model.id]
        operation_id = str(uuid.uuid4())
        self._operations[operation_id] = (model.zone, model.id, "delete")
        return json_response(200, self._operation_json(operation_id))


def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
