"""REST handlers under ``/jupyter-exo-models/``, authenticated like every Jupyter handler and authorized
for the resource ``jupyter_exo_models`` (``read`` for GET, ``write`` for POST and DELETE) by the server's
authorizer (``ServerApp.authorizer_class``); a refusal is a 403 in this API's error shape.

Routes: ``GET zones``; ``GET models?zone=<zone>|all``; ``GET``/``DELETE models/<zone>/<name or id>``;
``POST preflight`` ``{"model", "zone"}``; ``POST imports`` ``{"model", "zone", "force"}``.

Deployments: ``GET deployments?zone=<zone>|all`` (``{"deployments", "errors"}``);
``POST deployments/preflight`` and ``POST deployments`` take ``{"model", "zone", "name", "gpu_type",
"gpu_count", "replicas", "engine_version", "engine_args", "force"}`` (all but ``model`` optional). Preflight
answers the report with ``gpu_options``; a deploy answers 201 ``{"deployment", "attached", "checks"}`` (200
when it attached), or 422 with the ``report`` when a check failed. ``GET``/``DELETE
deployments/<zone>/<name or id>``; ``POST deployments/<zone>/<name>/scale`` ``{"replicas": 0..100}``
(returns once Exoscale accepted it: the state shows ``scaling`` meanwhile); ``GET
deployments/<zone>/<name>/logs?tail=1..1000`` (``{"lines"}``); ``POST deployments/<zone>/<name>/chat``
``{"prompt", "max_tokens"}`` (``{"reply", "latency_ms", "model"}``: the endpoint's key stays on this server).
A deployment is its ``deploy --json`` shape plus, when this server started or attached to it, ``watching``,
``diagnosis`` (``{cause, message, fix, action}`` once it failed, else null), ``smoke_test`` and ``logs`` (the
last lines read for the diagnosis). An endpoint's refusal is a 502 with its ``cause`` (``endpoint-key``,
``endpoint-path``, ``endpoint-unavailable``, ``endpoint-error``).

Status codes: 400 bad input (a model that is neither a repo id nor a UUID, an unknown, empty or
non-string zone, malformed JSON, a body over 64 KiB or nested over 8 levels), 404 no such
model or route, 409 model in use (with ``deployments``), no GPUs of that family to be had, or a
deployment that failed (with its ``cause``), 422 preflight failed (with the report), 424 credentials
missing or rejected, 502 Exoscale, the Hub or an endpoint unreachable or refusing. Errors are
``{"error", "code", "message", "fix", "action"}``; compare ``code`` (e.g. ``credentials-rejected``, see
``core/errors.py``), not ``error`` (a class name). ``action`` (also in each check result and diagnosis)
is the fix as data for the sidebar to phrase, ``{"kind", ...args}`` (kinds in ``core/fixes.py``), or null:
``fix`` names no command of any face. Secrets stay on the server: no answer carries one.

As on the command line: ``preflight`` answers 200 with the report even when a check fails, an
invalid id included (that is the ``repo-id`` check failing; ``check`` prints it and exits 1),
while an import with an invalid id or zone is bad input (400; ``import`` exits 2).

``"force": true`` (a JSON boolean, default false) starts an import although a check failed, like
``import --force``; Exoscale then usually refuses it and the model ends in ``error`` with a
diagnosis. It exists for scripts that know better than the checks; the sidebar never sends it.

A model (in ``models`` lists and ``GET models/<zone>/<model>``) carries, when this server started
or attached to its import, ``watching`` (the server still follows it) and ``diagnosis``
(``{cause, message, fix, action}`` once an import ended in ``error``, else null).

``GET zones`` answers what the sidebar needs to start: ``zones``, ``default_zone``
(``ExoModelsConfig.default_zone`` when the server's configuration sets it, else the environment's),
``server_config`` (what that configuration sets, ``{"default_zone": str | null}``), ``sandbox``, the
``credentials`` found (never their secrets) and ``hf_login_command`` (how to save a Hugging Face token with
the installed huggingface_hub).
"""

from __future__ import annotations

import json
import re
from typing import Any

import tornado
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from ..core import api
from ..core.config import ZONES, validate_zone
from ..core.credentials import default_zone, hf_login_command
from ..core.deploy_preflight import check_deployment_name
from ..core.deployments import DeploymentJob, known_deployment_job
from ..core.endpoint import MAX_PROMPT, MAX_TOKENS, Endpoint
from ..core.errors import (
    AuthenticationError,
    ConfigurationError,
    CredentialsMissingError,
    DeploymentFailed,
    EndpointError,
    ExoModelsError,
    GpuUnavailableError,
    InvalidModelIdError,
    ModelInUseError,
    NotFoundError,
    PreflightFailed,
    UsageError,
)
from ..core.exoscale.models import Deployment, Model, is_uuid
from ..core.imports import known_job
from .config import ExoModelsConfig

AUTH_RESOURCE = "jupyter_exo_models"  # what the server's authorizer is asked about
CONFIG_SETTING = "jupyter_exo_models_config"  # the ExoModelsConfig in the web app's settings

STATUS = [  # most specific first
    (InvalidModelIdError, 400),
    (UsageError, 400),
    (CredentialsMissingError, 424),
    (ConfigurationError, 400),
    (AuthenticationError, 424),
    (NotFoundError, 404),
    (ModelInUseError, 409),
    (GpuUnavailableError, 409),
    (DeploymentFailed, 409),
    (ExoModelsError, 502),
]
EXAMPLE = 'Send e.g. {"model": "org/name", "zone": "de-fra-1"}'
MAX_BODY = 64 * 1024  # the largest real body is ~100 bytes; Tornado's own limit (100 MB) serves uploads
MAX_DEPTH = 8  # real bodies are flat objects
DEPLOY_EXAMPLE = 'Send e.g. {"model": "org/name", "zone": "de-fra-1", "gpu_type": "gpu3", "gpu_count": 1}'
# a name in a path: Exoscale's own rule is one character at least; ours for new ones is check_deployment_name
PATH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
MAX_TAIL = 1000
WATCH_LIMIT = 4 * 3600.0  # seconds a watch this server started may last: the sidebar may be long closed
MAX_REPLICAS = 100


def json_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in ``raw`` (brackets inside strings do not count); linear time."""
    depth = deepest = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == 0x5C:  # backslash
                escaped = True
            elif char == 0x22:  # closing quote
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in b"]}":
            depth -= 1
    return deepest


def with_job(model: Model) -> dict[str, Any]:
    """The model as Exoscale has it, plus what this server's job for it knows (the diagnosis)."""
    data = model.to_dict()
    job = known_job(model.name, model.zone)
    if job is None:
        return data
    job_data = job.to_dict()
    if job_data.get("id") not in (None, model.id):  # a job about an earlier model of that name
        return data
    return {**job_data, **data, "watching": not job.done}  # Exoscale's live state wins over the job's


def _diagnosis(job: DeploymentJob) -> dict[str, Any] | None:
    """Why the job failed: its diagnosis, else its error (a failed import leaves no diagnosis of its own)."""
    if job.diagnosis is not None:
        return job.diagnosis.to_dict()
    error = job.error
    if isinstance(error, ExoModelsError) and not job.watching:
        cause = getattr(error, "cause", None) or error.code
        return {
            "cause": cause,
            "message": error.message,
            "fix": error.fix,
            "action": error.to_dict()["action"],
        }
    return None


def deployment_view(deployment: Deployment | None, job: DeploymentJob | None) -> dict[str, Any]:
    """A deployment as Exoscale has it (or as the job knows it, before Exoscale does), plus what this server's
    job for it knows; a job about an earlier deployment of that name is ignored."""
    job_data = job.to_dict() if job is not None else None
    if deployment is None:
        assert job_data is not None
        data = job_data["deployment"]
    else:
        data = deployment.to_dict()
        if job is not None and job.deployment is not None and job.deployment.id != deployment.id:
            job, job_data = None, None
    if job is None or job_data is None:
        return data
    return {
        **data,
        "watching": not job.done,
        "diagnosis": _diagnosis(job),
        "smoke_test": job_data["smoke_test"],
        "logs": list(job.logs),
    }


class _Handler(APIHandler):
    auth_resource = AUTH_RESOURCE

    @property
    def exo_config(self) -> ExoModelsConfig:
        return self.settings.get(CONFIG_SETTING) or ExoModelsConfig()

    def default_zone(self) -> str:
        return self.exo_config.default_zone or default_zone()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Tornado's own refusals (a method this route lacks, failed authentication or authorization) in this
        API's shape too."""
        allowed = [m for m in ("GET", "POST", "DELETE") if m.lower() in type(self).__dict__]
        message = f"{status_code} {self._reason}"
        if status_code == 405:
            code, fix = "method-not-allowed", f"This route answers {' and '.join(allowed)}"
        elif status_code == 403:
            code, fix = (
                "forbidden",
                (
                    f"Log in to this Jupyter server, or ask its administrator to allow you the "
                    f"{AUTH_RESOURCE} resource (its authorizer refused this request)"
                ),
            )
            error = kwargs.get("exc_info", (None, None, None))[1]
            if isinstance(error, tornado.web.HTTPError) and error.log_message:
                message = f"{message}: {error.log_message}"  # "User is not authorized to read on resource: …"
        else:
            code, fix = "http-error", "See the README's sidebar section"
        self.set_header("Content-Type", "application/json")
        self.finish(
            json.dumps({"error": "HTTPError", "code": code, "message": message, "fix": fix, "action": None})
        )

    def fail(self, exc: ExoModelsError) -> None:
        status = next(code for kind, code in STATUS if isinstance(exc, kind))
        body = exc.to_dict()
        if isinstance(exc, ModelInUseError):
            body["deployments"] = exc.deployments
        if isinstance(exc, EndpointError):  # the endpoint's refusal: 401/403, 404, 503 or another
            body.update(cause=exc.cause, status=exc.status)
        self.set_status(status)
        self.finish(json.dumps(body))

    def body(self) -> dict[str, Any]:
        raw = self.request.body or b"{}"
        if len(raw) > MAX_BODY:
            raise ConfigurationError(
                f"The request body has {len(raw)} bytes (at most {MAX_BODY})", fix=EXAMPLE
            )
        if json_depth(raw) > MAX_DEPTH:  # before parsing: deep nesting is a RecursionError in json.loads
            raise ConfigurationError(f"The request body nests deeper than {MAX_DEPTH} levels", fix=EXAMPLE)
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ConfigurationError("The request body is not a JSON object", fix=EXAMPLE)
        return data

    def zone(self, value: Any) -> str:
        """The zone given, validated (``""`` or a control character is no zone); None: the default zone."""
        if value is None:
            return validate_zone(self.default_zone())
        if not isinstance(value, str):  # not silently the default zone
            raise ConfigurationError(
                f"The zone must be a string, not {json.dumps(value)[:100]}",
                fix="Use one of: " + ", ".join(ZONES),
            )
        return validate_zone(value)

    def query_zone(self) -> str | None:
        """``?zone=`` as sent: Tornado's get_query_argument strips control characters (``%00`` became "")."""
        values = self.request.query_arguments.get("zone")
        return values[-1].decode("utf-8", "replace") if values else None

    @staticmethod
    def model_id(data: dict[str, Any]) -> str:
        value = data.get("model", "")
        if not isinstance(value, str):
            raise InvalidModelIdError(
                f"The model id must be a string, not {json.dumps(value)[:100]}", fix=EXAMPLE
            )
        return value

    @staticmethod
    def path_name(value: str) -> str:
        """A deployment's name or UUID from the URL (maybe created elsewhere: not our stricter rule)."""
        if is_uuid(value) or PATH_NAME.fullmatch(value):
            return value
        raise ConfigurationError(
            f"Not a deployment name or id: {json.dumps(value)[:100]}",
            fix="Use the deployment's name (letters, digits, '-', '.', '_') or its UUID",
        )

    @staticmethod
    def whole(data: dict[str, Any], key: str, low: int, high: int, default: int | None) -> int | None:
        value = data.get(key, default)
        if value is None and default is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigurationError(
                f'"{key}" must be a whole number from {low} to {high}, not {json.dumps(value)[:100]}',
                fix=DEPLOY_EXAMPLE,
            )
        return value

    @staticmethod
    def text(data: dict[str, Any], key: str, limit: int = 255) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise ConfigurationError(
                f'"{key}" must be a string of at most {limit} characters, not {json.dumps(value)[:100]}',
                fix=DEPLOY_EXAMPLE,
            )
        return value

    def deploy_args(self, data: dict[str, Any]) -> dict[str, Any]:
        """The deployment's parameters from a body; the core's checks judge their values (family, count)."""
        args = data.get("engine_args", [])
        if not (isinstance(args, list) and len(args) <= 64 and all(isinstance(a, str) for a in args)):
            raise ConfigurationError('"engine_args" must be a list of strings', fix=DEPLOY_EXAMPLE)
        return {
            "name": self.text(data, "name"),
            "zone": self.zone(data.get("zone")),
            "gpu_type": self.text(data, "gpu_type", 64),
            "gpu_count": self.whole(data, "gpu_count", 0, MAX_REPLICAS, None),
            "replicas": self.whole(data, "replicas", 0, MAX_REPLICAS, 1),
            "engine_version": self.text(data, "engine_version", 64),
            "engine_args": args,
        }


class ZonesHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    def get(self) -> None:
        try:
            status = api.credentials_status()
        except ExoModelsError as exc:  # a malformed endpoint: nothing works until it is fixed
            return self.fail(exc)
        self.finish(
            json.dumps(
                {
                    "zones": list(ZONES),
                    "default_zone": self.default_zone(),
                    "server_config": {"default_zone": self.exo_config.default_zone},
                    "sandbox": status["sandbox"],
                    "credentials": {"exoscale": status["exoscale"], "hf": status["hf"]},
                    "hf_login_command": hf_login_command(),
                }
            )
        )


class ModelsHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        zone = self.query_zone()
        try:
            every = zone == "all"
            models, errors = await api.alisting(None if every else self.zone(zone), all_zones=every)
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(
            json.dumps(
                {
                    "models": [with_job(m) for m in models],
                    "errors": {z: e.to_dict() for z, e in errors.items()},
                }
            )
        )


class ModelHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def get(self, zone: str, model: str) -> None:
        try:
            zone = self.zone(zone)
            found = await api.aget_model(model, zone)
        except NotFoundError as exc:
            job = known_job(model, zone)
            if job is not None and job.model is None:  # refused by Exoscale before any model existed
                self.finish(json.dumps({**job.to_dict(), "watching": not job.done}))
                return
            return self.fail(exc)
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps(with_job(found)))

    @tornado.web.authenticated
    @authorized
    async def delete(self, zone: str, model: str) -> None:
        try:
            operation = await api.adelete_model(model, self.zone(zone))
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps({"operation": operation.to_dict()}))


class PreflightHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        try:
            data = self.body()
            report = await api.apreflight(self.model_id(data), zone=self.zone(data.get("zone")))
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps(report.to_dict()))


class ImportsHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        try:
            data = self.body()
            force = data.get("force", False)
            if not isinstance(force, bool):  # bool("false") is True: never force by accident
                raise ConfigurationError(
                    f'"force" must be true or false, not {json.dumps(force)}', fix=EXAMPLE
                )
            job = await api.astart_import(self.model_id(data), zone=self.zone(data.get("zone")), force=force)
        except PreflightFailed as exc:
            self.set_status(422)
            self.finish(json.dumps({**exc.to_dict(), "report": exc.report.to_dict()}))
            return
        except ExoModelsError as exc:
            return self.fail(exc)
        job.watch_limit = WATCH_LIMIT
        job.start()  # keep watching on the server's loop, so its registry shares the job with later calls
        self.set_status(201 if not job.attached else 200)
        self.finish(json.dumps({"model": job.to_dict(), "attached": job.attached}))


class DeploymentsHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        zone = self.query_zone()
        try:
            every = zone == "all"
            found, errors = await api.alist_deployments(None if every else self.zone(zone), all_zones=every)
        except ExoModelsError as exc:
            return self.fail(exc)
        views = [deployment_view(d, known_deployment_job(d.name, d.zone)) for d in found]
        self.finish(json.dumps({"deployments": views, "errors": {z: e.to_dict() for z, e in errors.items()}}))

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        try:
            data = self.body()
            force = data.get("force", False)
            if not isinstance(force, bool):  # bool("false") is True: never force by accident
                raise ConfigurationError(
                    f'"force" must be true or false, not {json.dumps(force)[:100]}', fix=DEPLOY_EXAMPLE
                )
            args = self.deploy_args(data)
            if args["name"] is not None:
                check_deployment_name(args["name"])  # bad input, as an invalid id is for imports
            job = await api.adeploy(self.model_id(data), **args, force=force, wait=False)
            job.watch_limit = WATCH_LIMIT
        except PreflightFailed as exc:
            self.set_status(422)
            self.finish(json.dumps({**exc.to_dict(), "report": exc.report.to_dict()}))
            return
        except ExoModelsError as exc:
            return self.fail(exc)
        self.set_status(200 if job.attached else 201)
        checks = [c.to_dict() for c in job.report.checks] if job.report else []
        view = deployment_view(job.deployment, job)
        self.finish(json.dumps({"deployment": view, "attached": job.attached, "checks": checks}))


class DeploymentPreflightHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        try:
            data = self.body()
            report = await api.adeploy_preflight(self.model_id(data), **self.deploy_args(data))
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps(report.to_dict()))


_endpoints: dict[tuple[str, str], Endpoint] = {}  # (zone, name): its key asked once, kept on this server


def _forget_endpoint(zone: str, name: str) -> None:
    """After a scale, a delete or an endpoint error: the zone's cached endpoints may be stale (a path names a
    deployment by name or by UUID, so every entry of the zone goes; the cache only saves a key request)."""
    for key in [k for k in _endpoints if k[0] == zone]:
        _endpoints.pop(key, None)


class DeploymentHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def get(self, zone: str, name: str) -> None:
        try:
            zone, name = self.zone(zone), self.path_name(name)
            found = await api.aget_deployment(name, zone)
        except NotFoundError as exc:
            job = known_deployment_job(name, zone)
            if job is not None and job.deployment is None:  # importing, or refused before Exoscale had it
                self.finish(json.dumps(deployment_view(None, job)))
                return
            return self.fail(exc)
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps(deployment_view(found, known_deployment_job(found.name, zone))))

    @tornado.web.authenticated
    @authorized
    async def delete(self, zone: str, name: str) -> None:
        try:
            zone, name = self.zone(zone), self.path_name(name)
            operation = await api.adelete_deployment(name, zone=zone)
        except ExoModelsError as exc:
            return self.fail(exc)
        _forget_endpoint(zone, name)
        self.finish(json.dumps({"operation": operation.to_dict()}))


class DeploymentScaleHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def post(self, zone: str, name: str) -> None:
        try:
            zone, name = self.zone(zone), self.path_name(name)
            replicas = self.whole(self.body(), "replicas", 0, MAX_REPLICAS, None)
            if replicas is None:
                raise ConfigurationError('"replicas" is missing', fix='Send e.g. {"replicas": 0}')
            scaled = await api.ascale(name, replicas, zone=zone, wait=False)
        except ExoModelsError as exc:
            return self.fail(exc)
        _forget_endpoint(zone, name)
        self.finish(json.dumps({"deployment": deployment_view(scaled, None)}))


class DeploymentLogsHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def get(self, zone: str, name: str) -> None:
        try:
            zone, name = self.zone(zone), self.path_name(name)
            raw = self.request.query_arguments.get("tail", [b"50"])[-1].decode("utf-8", "replace")
            tail = int(raw) if raw.isdigit() and len(raw) < 6 else 0
            if not 1 <= tail <= MAX_TAIL:
                raise ConfigurationError(
                    f"tail must be a whole number from 1 to {MAX_TAIL}, not {json.dumps(raw)[:100]}",
                    fix="Use e.g. ?tail=50",
                )
            lines = await api.adeployment_logs(name, zone=zone, tail=tail)
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps({"lines": [str(line) for line in lines]}))


class DeploymentChatHandler(_Handler):
    @tornado.web.authenticated
    @authorized
    async def post(self, zone: str, name: str) -> None:
        try:
            zone, name = self.zone(zone), self.path_name(name)
            data = self.body()
            prompt = data.get("prompt")
            if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > MAX_PROMPT:
                raise ConfigurationError(
                    f'"prompt" must be a non-empty string of at most {MAX_PROMPT} characters',
                    fix='Send e.g. {"prompt": "Hello", "max_tokens": 64}',
                )
            max_tokens = self.whole(data, "max_tokens", 1, MAX_TOKENS, 64)
            assert max_tokens is not None
            endpoint = _endpoints.get((zone, name))
            if endpoint is None:
                endpoint = _endpoints[(zone, name)] = await api.aendpoint(name, zone=zone)
            reply = await endpoint.achat_reply(prompt, max_tokens)
        except EndpointError as exc:
            _forget_endpoint(
                zone, name
            )  # a rotated key, a new URL, scaled to zero: ask Exoscale again next time
            return self.fail(exc)
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps(reply.to_dict()))


class UnknownRouteHandler(_Handler):
    """JSON, not Jupyter's HTML page, for any other path under the API (e.g. ``models/de-fra-1/``)."""

    def not_found(self) -> None:
        self.set_status(404)
        self.finish(
            json.dumps(
                {
                    "error": "NotFound",
                    "code": "not-found",
                    "message": f"No such route: {self.request.path}",
                    "fix": "Use zones, models, models/<zone>/<model>, preflight, imports or deployments",
                    "action": None,
                }
            )
        )

    # one method each: @authorized fixes its action (read, write) at its first call
    @tornado.web.authenticated
    @authorized
    def get(self, *_: str) -> None:
        self.not_found()

    @tornado.web.authenticated
    @authorized
    def post(self, *_: str) -> None:
        self.not_found()

    @tornado.web.authenticated
    @authorized
    def delete(self, *_: str) -> None:
        self.not_found()


def setup_handlers(web_app: Any, config: ExoModelsConfig | None = None) -> None:
    web_app.settings[CONFIG_SETTING] = config or ExoModelsConfig()
    base = url_path_join(web_app.settings["base_url"], "jupyter-exo-models")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "zones"), ZonesHandler),
            (url_path_join(base, "models"), ModelsHandler),
            # any zone text, so that a wrong one gets a JSON answer naming the zones, not an HTML 404
            (url_path_join(base, r"models/([^/]+)/(.+)"), ModelHandler),
            (url_path_join(base, "preflight"), PreflightHandler),
            (url_path_join(base, "imports"), ImportsHandler),
            (url_path_join(base, "deployments"), DeploymentsHandler),
            (url_path_join(base, "deployments/preflight"), DeploymentPreflightHandler),
            (url_path_join(base, r"deployments/([^/]+)/([^/]+)"), DeploymentHandler),
            (url_path_join(base, r"deployments/([^/]+)/([^/]+)/scale"), DeploymentScaleHandler),
            (url_path_join(base, r"deployments/([^/]+)/([^/]+)/logs"), DeploymentLogsHandler),
            (url_path_join(base, r"deployments/([^/]+)/([^/]+)/chat"), DeploymentChatHandler),
            (url_path_join(base, "(.*)"), UnknownRouteHandler),
        ],
    )
