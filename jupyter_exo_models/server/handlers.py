"""REST handlers under ``/jupyter-exo-models/``, authenticated like every Jupyter handler.

Status codes: 400 bad input (invalid id, unknown zone, malformed JSON), 404 no such model,
409 model in use (with ``deployments``), 422 preflight failed (with the report), 424
credentials missing or rejected, 502 Exoscale or the Hub unreachable. Errors are
``{"error", "message", "fix"}``. Secrets stay on the server: no answer carries one.
"""

from __future__ import annotations

import json
from typing import Any

import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from ..core import api
from ..core.config import ZONES, validate_zone
from ..core.credentials import default_zone
from ..core.errors import (
    AuthenticationError,
    ConfigurationError,
    CredentialsMissingError,
    ExoModelsError,
    InvalidModelIdError,
    ModelInUseError,
    NotFoundError,
    PreflightFailed,
)

STATUS = [  # most specific first
    (InvalidModelIdError, 400), (CredentialsMissingError, 424), (ConfigurationError, 400),
    (AuthenticationError, 424), (NotFoundError, 404), (ModelInUseError, 409), (ExoModelsError, 502),
]


class _Handler(APIHandler):
    def fail(self, exc: ExoModelsError) -> None:
        status = next(code for kind, code in STATUS if isinstance(exc, kind))
        body = exc.to_dict()
        if isinstance(exc, ModelInUseError):
            body["deployments"] = exc.deployments
        self.set_status(status)
        self.finish(json.dumps(body))

    def bad_request(self, message: str, fix: str) -> None:
        self.set_status(400)
        self.finish(json.dumps({"error": "BadRequest", "message": message, "fix": fix}))

    def body(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.bad_request("The request body is not a JSON object", 'Send e.g. {"model": "org/name", "zone": "de-fra-1"}')
            return None
        return data

    def zone(self, value: Any) -> str:
        return validate_zone(default_zone(value if isinstance(value, str) else None))


class ZonesHandler(_Handler):
    @tornado.web.authenticated
    def get(self) -> None:
        status = api.credentials_status()
        self.finish(json.dumps({"zones": list(ZONES), "default_zone": default_zone(), "sandbox": status["sandbox"],
                                "credentials": {"exoscale": status["exoscale"], "hf": status["hf"]}}))


class ModelsHandler(_Handler):
    @tornado.web.authenticated
    async def get(self) -> None:
        zone = self.get_query_argument("zone", None)
        try:
            if zone == "all":
                by_zone, errors = await api.alist_models_all_zones()
                models = [m for z in ZONES for m in by_zone.get(z, [])]
            else:
                models, errors = await api.alist_models(self.zone(zone)), {}
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps({"models": [m.to_dict() for m in models],
                                "errors": {z: e.to_dict() for z, e in errors.items()}}))


class ModelHandler(_Handler):
    @tornado.web.authenticated
    async def get(self, zone: str, model: str) -> None:
        try:
            found = await api.aget_model(model, self.zone(zone))
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps(found.to_dict()))

    @tornado.web.authenticated
    async def delete(self, zone: str, model: str) -> None:
        try:
            operation = await api.adelete_model(model, self.zone(zone))
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps({"operation": operation.to_dict()}))


class PreflightHandler(_Handler):
    @tornado.web.authenticated
    async def post(self) -> None:
        data = self.body()
        if data is None:
            return
        try:
            report = await api.apreflight(str(data.get("model", "")), zone=self.zone(data.get("zone")))
        except ExoModelsError as exc:
            return self.fail(exc)
        self.finish(json.dumps(report.to_dict()))


class ImportsHandler(_Handler):
    @tornado.web.authenticated
    async def post(self) -> None:
        data = self.body()
        if data is None:
            return
        try:
            job = await api.astart_import(str(data.get("model", "")), zone=self.zone(data.get("zone")),
                                          force=bool(data.get("force", False)))
        except PreflightFailed as exc:
            self.set_status(422)
            return self.finish(json.dumps({**exc.to_dict(), "report": exc.report.to_dict()}))
        except ExoModelsError as exc:
            return self.fail(exc)
        job.start()  # keep watching on the server's loop, so its registry shares the job with later calls
        self.set_status(201 if not job.attached else 200)
        self.finish(json.dumps({"model": job.to_dict(), "attached": job.attached}))


def setup_handlers(web_app: Any) -> None:
    base = url_path_join(web_app.settings["base_url"], "jupyter-exo-models")
    web_app.add_handlers(".*$", [
        (url_path_join(base, "zones"), ZonesHandler),
        (url_path_join(base, "models"), ModelsHandler),
        (url_path_join(base, r"models/([a-z0-9-]+)/(.+)"), ModelHandler),
        (url_path_join(base, "preflight"), PreflightHandler),
        (url_path_join(base, "imports"), ImportsHandler),
    ])
