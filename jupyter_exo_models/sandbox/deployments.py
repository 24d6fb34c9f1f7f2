"""Deployments of the fake Exoscale (``/ai/deployment``...) and the OpenAI-compatible endpoint of each.

A deployment's fate is decided when a phase starts (create, update, scale), from its configuration: vLLM's
argparse refuses an unknown flag, an engine older than the model's architecture refuses the model, and
weights that do not fit the GPUs (``core.gpus.fit``) die of CUDA out-of-memory; anything else becomes
``ready``. States then follow the sandbox clock lazily, as models do. The assumptions are listed in
``sandbox/exoscale.py``.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..core import gpus
from ..core.exoscale.models import is_uuid
from . import vllm
from .server import Request, Response, invalid_body, json_response, problem

if TYPE_CHECKING:
    from .exoscale import FakeExoscale

MAX_GPUS = 8  # create-deployment-request: "Number of GPUs (1-8)"
TRANSITIONAL = ("creating", "deploying", "scaling", "updating", "preparing")
# every GPU family of the spec's instance-type enum (a gpu-type outside it is a bad request, not a 412)
GPU_FAMILIES = ("gpu", "gpu2", "gpu3", "gpu3080ti", "gpua30", "gpua5000", "gpub300", "gpurtx6000pro")
SERVICE_LEVEL = "standard"  # assumed: the spec gives only "a non-empty string"


@dataclass
class _Event:
    at: float  # sandbox clock
    node: str
    message: str


@dataclass
class _Deployment:
    id: str
    name: str
    zone: str
    model_id: str
    model_name: str
    gpu_type: str
    gpu_count: int
    replicas: int
    engine: str
    parameters: list[str]
    api_key: str = field(repr=False)
    created_clock: float
    created_wall: float
    phase: str = "create"  # "seed" (ready from the start), "create", "update" or "scale"
    phase_start: float = 0.0
    previous_replicas: int = 0
    failure: str | None = None  # the error the current phase ends in (None: it ends ready)
    operation_id: str = ""
    events: list[_Event] = field(default_factory=list)

    def node(self, replica: int) -> str:
        return f"sandbox-{self.gpu_type}-{self.id[:8]}-{replica}"

    def wall(self, at: float) -> str:
        moment = datetime.fromtimestamp(self.created_wall + at - self.created_clock, timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def option(self, name: str) -> str | None:
        return vllm.parse(self.parameters)[0].get(name)


@dataclass
class _Operation:
    zone: str
    deployment_id: str | None
    final: dict | None = None  # the answer once the phase it follows has ended


class Deployments:
    """The deployments of every zone (guarded by the sandbox's lock, which FakeExoscale holds)."""

    def __init__(self, exoscale: FakeExoscale) -> None:
        self.exoscale = exoscale
        self.endpoint_base = "http://127.0.0.1:0"  # the inference server's URL once the sandbox starts
        self._deployments: dict[str, _Deployment] = {}
        self._operations: dict[str, _Operation] = {}

    @property
    def _now(self) -> float:
        return self.exoscale.clock.time()

    def reset(self) -> None:
        self._deployments.clear()
        self._operations.clear()

    def seed(self, zone: str, model_id: str, name: str) -> str:
        """A deployment that is ready from the start (the catalog's seeds, tests' worlds)."""
        model = self.exoscale._models[model_id]
        authorized = [f for f, ok in self.exoscale.catalog.instance_types[zone].items() if ok]
        chosen = gpus.choose(authorized, model.size or None)
        deployment = self._new(
            zone, name, model, chosen.family if chosen else authorized[0], 1, 1, vllm.DEFAULT_ENGINE, []
        )
        deployment.phase = "seed"
        self._schedule_start(deployment, range(1), self._now, 0.0)
        self._operations[deployment.operation_id].final = self._operation_json(deployment)
        return deployment.id

    def using(self, model_id: str) -> list[str]:
        """Names of the deployments of a model (DELETE /ai/model answers 412 with them)."""
        return [d.name for d in self._deployments.values() if d.model_id == model_id]

    def find(self, deployment_id: str) -> _Deployment | None:
        return self._deployments.get(deployment_id)

    # -- state machine ------------------------------------------------------------------------
    def _new(
        self,
        zone: str,
        name: str,
        model: Any,
        gpu_type: str,
        gpu_count: int,
        replicas: int,
        engine: str,
        parameters: list[str],
    ) -> _Deployment:
        now = self._now
        deployment = _Deployment(
            str(uuid.uuid4()),
            name,
            zone,
            model.id,
            model.name,
            gpu_type,
            gpu_count,
            replicas,
            engine,
            parameters,
            api_key="sandbox-dk-" + secrets.token_urlsafe(24),  # recognisable, random, never logged
            created_clock=now,
            created_wall=time.time(),
            phase_start=now,
        )
        deployment.failure = self._failure(deployment)
        self._deployments[deployment.id] = deployment
        self._begin_operation(deployment)
        return deployment

    def _begin_operation(self, deployment: _Deployment) -> str:
        deployment.operation_id = operation_id = str(uuid.uuid4())
        self._operations[operation_id] = _Operation(deployment.zone, deployment.id)
        return operation_id

    def _failure(self, deployment: _Deployment) -> str | None:
        """Why vLLM will not serve this configuration (its last log line), or None."""
        _, argparse_error = vllm.parse(deployment.parameters)
        if argparse_error:
            return argparse_error
        repo = self.exoscale.catalog.repo(deployment.model_name)
        if (
            repo
            and repo.min_engine
            and vllm.version_key(deployment.engine) < vllm.version_key(repo.min_engine)
        ):
            return vllm.architecture_error(repo.architecture)
        if self._fit(deployment).fits is False:
            family = gpus.FAMILIES[deployment.gpu_type]
            need = self._fit(deployment).need or 0
            return vllm.out_of_memory(family.memory_gib * 0.99, need / gpus.GIB / deployment.gpu_count)
        return None

    def _weights(self, deployment: _Deployment) -> int | None:
        """The weights' bytes, from the parameters the Hub lists (BF16, as the fake Hub gives them)."""
        repo = self.exoscale.catalog.repo(deployment.model_name)
        model = self.exoscale._models.get(deployment.model_id)
        by_dtype = {"BF16": repo.parameters} if repo and repo.parameters else None
        return gpus.weights_bytes(by_dtype, model.size if model else None)

    def _fit(self, deployment: _Deployment) -> gpus.Fit:
        return gpus.fit(deployment.gpu_type, deployment.gpu_count, self._weights(deployment))

    def _starts(self, deployment: _Deployment) -> bool:
        """Whether the current phase (re)starts vLLM (it then spends ``deployment_deploying`` loading)."""
        if deployment.phase == "create":
            return True
        if deployment.phase == "update":
            return deployment.replicas > 0
        if deployment.phase == "scale":
            return deployment.replicas > 0 and (deployment.previous_replicas == 0 or bool(deployment.failure))
        return False

    def _segments(self, deployment: _Deployment) -> tuple[str, float, float]:
        """(the phase's first state, its length, the length of the deploying that follows)."""
        t = self.exoscale.timings
        first = {"create": "creating", "update": "updating", "scale": "scaling"}[deployment.phase]
        length = t.scaling if deployment.phase == "scale" else t.deployment_creating
        return first, length, t.deployment_deploying if self._starts(deployment) else 0.0

    def state(self, deployment: _Deployment) -> str:
        if deployment.phase != "seed":
            first, length, deploying = self._segments(deployment)
            elapsed = self._now - deployment.phase_start
            if elapsed < length:
                return first
            if elapsed < length + deploying:
                return "deploying"
        return "error" if deployment.failure and deployment.replicas > 0 else "ready"

    def serving(self, deployment: _Deployment) -> bool:
        state = self.state(deployment)
        if state == "scaling":  # the old replicas serve while the new ones come (or the surplus goes)
            return deployment.previous_replicas > 0 and deployment.replicas > 0 and not deployment.failure
        return state == "ready" and deployment.replicas > 0

    def _details(self, deployment: _Deployment, state: str) -> str:
        d = deployment
        return {
            "creating": f"Allocating {d.replicas} × {d.gpu_count} {d.gpu_type} GPU(s)",
            "updating": "Applying the new inference engine configuration",
            "scaling": f"Scaling from {d.previous_replicas} to {d.replicas} replica(s)",
            "deploying": f"Starting vLLM {d.engine} and loading {d.model_name}",
            "ready": f"Serving {d.replicas} replica(s)"
            if d.replicas
            else "Scaled to zero: no replica serves",
            "error": d.failure or "",
        }[state]

    def _start_phase(self, deployment: _Deployment, phase: str) -> str:
        """End the current phase (its operation keeps its answer), start ``phase``; the new operation's id."""
        self._operations[deployment.operation_id].final = self._operation_json(deployment)
        deployment.phase, deployment.phase_start = phase, self._now
        deployment.failure = self._failure(deployment)
        return self._begin_operation(deployment)

    # -- logs ---------------------------------------------------------------------------------
    def _schedule_start(self, deployment: _Deployment, replicas: range, start: float, length: float) -> None:
        """vLLM's startup lines on each replica, spread over ``length`` seconds from ``start``."""
        d = deployment
        repo = self.exoscale.catalog.repo(d.model_name)
        weights = (self._weights(d) or 0) / gpus.GIB
        lines = vllm.startup_lines(
            d.engine, d.model_name, repo.architecture if repo else "LlamaForCausalLM", d.gpu_count, weights
        )
        if d.failure and d.failure.startswith("vllm serve:"):
            lines = ["usage: vllm serve [model_tag] [options]", d.failure]
        elif d.failure and d.failure.startswith("ValueError"):
            lines = [*lines[:2], "ERROR [engine.py] EngineCore failed to start.", d.failure]
        elif d.failure:
            lines = [*lines[:4], "ERROR [engine.py] EngineCore failed to start.", d.failure]
        else:
            lines += vllm.READY_LINES
        for replica in replicas:
            for i, message in enumerate(lines):
                at = start + length * (i + 1) / len(lines)  # the last line when the state changes
                d.events.append(_Event(at, d.node(replica), message))

    def _schedule_stop(self, deployment: _Deployment, replicas: range, at: float) -> None:
        for replica in replicas:
            for message in vllm.SHUTDOWN_LINES:
                deployment.events.append(_Event(at, deployment.node(replica), message))

    def _schedule_phase(self, deployment: _Deployment) -> None:
        _, length, deploying = self._segments(deployment)
        start = deployment.phase_start + length
        if deployment.phase == "update" and deployment.previous_replicas:
            self._schedule_stop(deployment, range(deployment.previous_replicas), deployment.phase_start)
        if deployment.phase == "scale" and deployment.replicas < deployment.previous_replicas:
            self._schedule_stop(deployment, range(deployment.replicas, deployment.previous_replicas), start)
        if self._starts(deployment):
            first = 0 if deployment.phase != "scale" or deployment.failure else deployment.previous_replicas
            self._schedule_start(deployment, range(first, deployment.replicas), start, deploying)
        elif deployment.phase == "scale" and deployment.replicas > deployment.previous_replicas:
            self._schedule_start(
                deployment, range(deployment.previous_replicas, deployment.replicas), start, 0.0
            )

    def log(self, deployment: _Deployment, message: str) -> None:
        deployment.events.append(_Event(self._now, deployment.node(0), message))

    # -- JSON ---------------------------------------------------------------------------------
    def _json(self, deployment: _Deployment, full: bool = True) -> dict:
        d = deployment
        state = self.state(d)
        body: dict = {
            "id": d.id,
            "name": d.name,
            "state": state,
            "gpu-type": d.gpu_type,
            "gpu-count": d.gpu_count,
            "replicas": d.replicas,
            "deployment-url": f"{self.endpoint_base}/{d.id}",  # no /v1: clients append it
            "service-level": SERVICE_LEVEL,
            "model": {"id": d.model_id, "name": d.model_name},
            "visibility": "private",
            "created-at": d.wall(d.created_clock)[:19] + "Z",
            "updated-at": d.wall(d.phase_start)[:19] + "Z",
        }
        if full:  # list-deployments-response-entry has neither
            body["state-details"] = self._details(d, state)
            body["inference-engine-version"] = d.engine
            body["inference-engine-parameters"] = list(d.parameters)
        return body

    def _operation_json(self, deployment: _Deployment) -> dict:
        d = deployment
        op: dict = {
            "id": d.operation_id,
            "reference": {"id": d.id, "link": f"/v2/ai/deployment/{d.id}", "command": "get-deployment"},
        }
        state = self.state(d)
        if state == "error":
            op.update(state="failure", reason="fault", message=d.failure or "")
        else:
            op["state"] = "pending" if state in TRANSITIONAL else "success"
        return op

    def operation(self, zone: str, operation_id: str) -> dict | None:
        operation = self._operations.get(operation_id)
        if operation is None or operation.zone != zone:
            return None
        if operation.final is not None:
            return {**operation.final, "id": operation_id}
        deployment = self._deployments.get(operation.deployment_id or "")
        if deployment is None:
            return {"id": operation_id, "state": "success"}
        return self._operation_json(deployment)

    def _finished(self, zone: str, deployment_id: str | None, final: dict) -> Response:
        """An operation that is over as soon as it is accepted (delete, rename, no-op scale, conflict)."""
        operation_id = str(uuid.uuid4())
        self._operations[operation_id] = _Operation(zone, deployment_id, {**final, "id": operation_id})
        return json_response(200, self._operations[operation_id].final)

    # -- HTTP (Exoscale) ----------------------------------------------------------------------
    def route(self, request: Request, zone: str, path: str) -> Response | None:
        method = request.method
        if path == "/ai/deployment":
            if method == "GET":
                return self._list(request, zone)
            if method == "POST":
                return self._create(request, zone)
        if path == "/ai/instance-type" and method == "GET":
            types = self.exoscale.catalog.instance_types.get(zone, {})
            return json_response(
                200, {"instance-types": [{"family": f, "authorized": ok} for f, ok in types.items()]}
            )
        if path == "/ai/help/inference-engine-parameters" and method == "GET":
            version = _query(request, "version") or vllm.DEFAULT_ENGINE
            if version not in vllm.ENGINE_VERSIONS:
                return problem(400, f"Unknown inference engine version {version[:40]!r}")
            return json_response(200, {"parameters": [flag.entry() for flag in vllm.FLAGS]})
        m = re.fullmatch(r"/ai/deployment/([^/]+)(/scale|/api-key|/logs)?", path)
        if m is None:
            return None
        deployment = self._deployments.get(m.group(1)) if is_uuid(m.group(1)) else None
        if deployment is None or deployment.zone != zone:
            return problem(404, "The referenced deployment was not found.")
        action = (method, m.group(2))
        if action == ("GET", None):
            return json_response(200, self._json(deployment))
        if action == ("PATCH", None):
            return self._update(request, deployment)
        if action == ("DELETE", None):
            return self._delete(deployment)
        if action == ("POST", "/scale"):
            return self._scale(request, deployment)
        if action == ("GET", "/api-key"):
            return json_response(200, {"api-key": deployment.api_key})
        if action == ("GET", "/logs"):
            return self._logs(request, deployment)
        return None

    def _list(self, request: Request, zone: str) -> Response:
        visibility = _query(request, "visibility") or "private"
        if visibility not in ("private", "public"):
            return problem(400, "visibility must be private or public")
        found = [
            self._json(d, full=False)
            for d in self._deployments.values()
            if d.zone == zone and visibility == "private"  # the sandbox has no managed (public) deployments
        ]
        return json_response(200, {"deployments": found})

    def _create(self, request: Request, zone: str) -> Response:
        body, errors = _object(request)
        if body is not None:
            errors += _check(body, _CREATE, required=("name", "model", "gpu-type", "gpu-count", "replicas"))
        if errors or body is None:
            return invalid_body(errors)
        ref, gpu_type, gpu_count = body["model"], body["gpu-type"], body["gpu-count"]
        if gpu_count > MAX_GPUS:
            return problem(400, f"gpu-count must be between 1 and {MAX_GPUS}")
        if gpu_type not in GPU_FAMILIES:
            return problem(400, f"Unknown GPU type {gpu_type[:40]!r}")
        model = next(
            (
                m
                for m in self.exoscale._models.values()
                if m.zone == zone
                and (m.id == ref.get("id") or ("id" not in ref and m.name == ref.get("name")))
            ),
            None,
        )
        if model is None:
            return problem(400, "The referenced model was not found.")
        state = self.exoscale.state(model)
        if state != "created":
            return problem(
                400, f"Model {model.name} is not ready to deploy (state {state}): wait until created"
            )
        if not self.exoscale.catalog.instance_types.get(zone, {}).get(gpu_type):
            return problem(
                412, f"Cannot deploy on {gpu_type} in {zone} (probably insufficient GPUs): not authorized"
            )
        name = body["name"]
        if any(d.name == name and d.zone == zone for d in self._deployments.values()):
            message = f"A deployment named {name} already exists in {zone}"
            done = self._finished(zone, None, {"state": "failure", "reason": "conflict", "message": message})
            return json_response(
                200, {"id": json.loads(done.body)["id"], "state": "pending"}
            )  # as for models
        deployment = self._new(
            zone,
            name,
            model,
            gpu_type,
            gpu_count,
            body["replicas"],
            body.get("inference-engine-version", vllm.DEFAULT_ENGINE),
            list(body.get("inference-engine-parameters", [])),
        )
        self._schedule_phase(deployment)
        return json_response(200, self._operation_json(deployment))

    def _busy(self, deployment: _Deployment) -> Response | None:
        state = self.state(deployment)
        if state in TRANSITIONAL:
            return problem(
                409, f"Deployment {deployment.name} is {state}: retry once it is ready or in error"
            )
        return None

    def _update(self, request: Request, deployment: _Deployment) -> Response:
        body, errors = _object(request)
        if body is not None:
            errors += _check(body, _UPDATE)
        if errors or body is None:
            return invalid_body(errors)
        changes = {k: body[k] for k in _UPDATE if k in body}
        if not changes:
            return problem(
                400, "Nothing to update: give name, inference-engine-version or inference-engine-parameters"
            )
        busy = self._busy(deployment)
        if busy is not None:
            return busy
        name = changes.get("name", deployment.name)
        if any(
            d.name == name and d.zone == deployment.zone and d.id != deployment.id
            for d in self._deployments.values()
        ):
            return problem(409, f"A deployment named {name} already exists in {deployment.zone}")
        deployment.name = name
        engine = changes.get("inference-engine-version", deployment.engine)
        parameters = list(changes.get("inference-engine-parameters", deployment.parameters))
        if (engine, parameters) == (deployment.engine, deployment.parameters):  # a rename restarts nothing
            return self._finished(deployment.zone, deployment.id, self._operation_json(deployment))
        deployment.engine, deployment.parameters = engine, parameters
        deployment.previous_replicas = deployment.replicas
        self._start_phase(deployment, "update")
        self._schedule_phase(deployment)
        return json_response(200, self._operation_json(deployment))

    def _scale(self, request: Request, deployment: _Deployment) -> Response:
        body, errors = _object(request)
        if body is not None:
            errors += _check(body, _SCALE, required=("replicas",))
        if errors or body is None:
            return invalid_body(errors)
        busy = self._busy(deployment)
        if busy is not None:
            return busy
        replicas = body["replicas"]
        if replicas == deployment.replicas:
            return self._finished(deployment.zone, deployment.id, self._operation_json(deployment))
        authorized = self.exoscale.catalog.instance_types.get(deployment.zone, {}).get(deployment.gpu_type)
        if replicas > deployment.replicas and not authorized:
            return problem(
                412,
                f"Cannot scale up on {deployment.gpu_type} in {deployment.zone} (probably insufficient GPUs)",
            )
        deployment.previous_replicas, deployment.replicas = deployment.replicas, replicas
        self._start_phase(deployment, "scale")
        self._schedule_phase(deployment)
        return json_response(200, self._operation_json(deployment))

    def _delete(self, deployment: _Deployment) -> Response:
        self._operations[deployment.operation_id].final = self._operation_json(deployment)
        del self._deployments[deployment.id]
        reference = {
            "id": deployment.id,
            "link": f"/v2/ai/deployment/{deployment.id}",
            "command": "get-deployment",
        }
        return self._finished(deployment.zone, deployment.id, {"state": "success", "reference": reference})

    def _logs(self, request: Request, deployment: _Deployment) -> Response:
        tail, stream = _query(request, "tail"), _query(request, "stream")
        if tail is not None and not re.fullmatch(r"\d{1,9}", tail):
            return problem(400, "tail must be a non-negative integer")
        if stream is not None and stream.lower() not in ("true", "false"):
            return problem(400, "stream must be true or false")
        now = self._now
        events = sorted((e for e in deployment.events if e.at <= now), key=lambda e: e.at)
        if tail is not None:
            events = events[len(events) - int(tail) :] if int(tail) else []
        logs = [{"time": deployment.wall(e.at), "node": e.node, "message": e.message} for e in events]
        return json_response(200, {"logs": logs})

    # -- HTTP (the inference endpoints) -------------------------------------------------------
    def serve(self, request: Request) -> Response:
        """``{deployment-url}/v1/...``: vLLM's OpenAI-compatible server behind Exoscale's gateway."""
        m = re.fullmatch(r"/([0-9a-f-]{36})(/.*)?", request.path)
        with self.exoscale._lock:
            deployment = self._deployments.get(m.group(1)) if m else None
            if deployment is None or m is None:
                return json_response(404, {"detail": "Not Found"})
            sub = m.group(2) or "/"
            if not self.serving(deployment):
                replicas = "scaled to zero" if deployment.replicas == 0 else self.state(deployment)
                return json_response(
                    503, {"error": f"SANDBOX: no replica serves this deployment ({replicas})"}
                )
            answer = self._serve(request, deployment, sub)
            self.log(deployment, vllm.access_line(request.method, sub, answer.status))
            return answer

    def _serve(self, request: Request, deployment: _Deployment, sub: str) -> Response:
        if sub == "/health":
            return Response(200)
        if sub.startswith("/v1") and not hmac.compare_digest(
            (request.bearer() or "").encode(), deployment.api_key.encode()
        ):
            return json_response(401, {"error": "Unauthorized"})  # vLLM's --api-key middleware
        served = deployment.option("served-model-name") or deployment.model_name
        routes = {"/v1/models": "GET", "/v1/chat/completions": "POST"}
        if sub not in routes:
            return json_response(404, {"detail": "Not Found"})
        if request.method != routes[sub]:
            return json_response(405, {"detail": "Method Not Allowed"})
        if sub == "/v1/models":
            max_len = int(deployment.option("max-model-len") or vllm.DEFAULT_MAX_MODEL_LEN)
            model = {
                "id": served,
                "object": "model",
                "created": int(time.time()),
                "owned_by": "vllm",
                "root": f"/models/{deployment.model_name}",
                "parent": None,
                "max_model_len": max_len,
            }
            return json_response(200, {"object": "list", "data": [model]})
        return _chat(request, served)


def _chat(request: Request, served: str) -> Response:
    """A deterministic chat completion in OpenAI's shape (SSE chunks when ``stream`` is true)."""
    try:
        body = json.loads(request.body or b"")
    except ValueError:
        body = None
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not isinstance(messages, list) or not messages:
        return _openai_error(400, "BadRequestError", "messages: a non-empty list of messages is required")
    if body.get("model") not in (None, served):
        return _openai_error(
            404, "NotFoundError", f"The model `{str(body['model'])[:80]}` does not exist.", "model"
        )
    prompt = "\n".join(
        m["content"] if isinstance(m.get("content"), str) else json.dumps(m.get("content"))
        for m in messages
        if isinstance(m, dict)
    )
    reply = f"[SANDBOX] {served} received {len(messages)} message(s), prompt digest {vllm.digest(prompt)}."
    words = reply.split()
    limit = body.get("max_tokens") or body.get("max_completion_tokens")
    finish = "stop"
    if isinstance(limit, int) and 0 < limit < len(words):
        words, finish = words[:limit], "length"
    content = " ".join(words)
    completion_id, created = "chatcmpl-" + uuid.uuid4().hex, int(time.time())
    usage = {
        "prompt_tokens": vllm.tokens(prompt) + 4 * len(messages),
        "completion_tokens": len(words),
        "total_tokens": vllm.tokens(prompt) + 4 * len(messages) + len(words),
    }
    if body.get("stream") is True:
        chunks = [{"role": "assistant", "content": ""}, {"content": content}]
        events = [
            {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": served,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}],
            }
            for delta, reason in zip(chunks, (None, finish))
        ]
        text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        return Response(200, text.encode(), {"Content-Type": "text/event-stream"})
    return json_response(
        200,
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": served,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "logprobs": None,
                    "finish_reason": finish,
                }
            ],
            "usage": usage,
        },
    )


def _openai_error(status: int, kind: str, message: str, param: str | None = None) -> Response:
    return json_response(
        status, {"error": {"message": message, "type": kind, "param": param, "code": status}}
    )


# -- request bodies: the spec's schemas, checked by hand (the sandbox has no jsonschema at run time) --------
def _string(value: object) -> str | None:
    return None if isinstance(value, str) and value else "expected a non-empty string"


def _count(minimum: int):
    def check(value: object) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
        return None if ok else f"expected an integer >= {minimum}"

    return check


def _engine(value: object) -> str | None:
    return None if value in vllm.ENGINE_VERSIONS else "expected one of " + ", ".join(vllm.ENGINE_VERSIONS)


def _arguments(value: object) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return None if ok else "expected an array of strings"


def _model_ref(value: object) -> str | None:
    if not isinstance(value, dict) or not value:
        return "expected an object with id or name"
    if "id" in value and not (isinstance(value["id"], str) and is_uuid(value["id"])):
        return "id: expected a UUID"
    if "name" in value and _string(value["name"]):
        return "name: expected a non-empty string"
    return None


_CREATE = {
    "name": _string,
    "model": _model_ref,
    "gpu-type": lambda v: None if isinstance(v, str) else "expected a string",
    "gpu-count": _count(1),
    "replicas": _count(1),
    "inference-engine-version": _engine,
    "inference-engine-parameters": _arguments,
    "product-name": _string,
}
_UPDATE = {"name": _string, "inference-engine-version": _engine, "inference-engine-parameters": _arguments}
_SCALE = {"replicas": _count(0)}


def _object(request: Request) -> tuple[dict | None, list[dict[str, str]]]:
    from .exoscale import _body_error

    try:
        body = json.loads(request.body or b"")
    except ValueError:
        return None, [_body_error("the body is not valid JSON", "")]
    if not isinstance(body, dict):
        return None, [_body_error("expected an object", "")]
    return body, []


def _check(body: dict, checks: dict, required: tuple[str, ...] = ()) -> list[dict[str, str]]:
    from .exoscale import _body_error

    errors = [_body_error("required", name) for name in required if name not in body]
    for name, check in checks.items():
        if name in body and (error := check(body[name])):
            errors.append(_body_error(error, name))
    return errors


def _query(request: Request, name: str) -> str | None:
    values = request.query.get(name)
    return values[-1] if values else None
