"""Exoscale API v2 client for Dedicated Inference models, on httpx.

Every server is distrusted: each attempt has a total deadline (a body trickled byte by byte cannot hang a
call), each call a budget over all its attempts and waits, each answer a size cap; every text in an answer is
redacted (no secret this process holds is ever quoted back) and cleaned (no escape sequence, no 5 MB line)
where it enters, in :meth:`ExoscaleClient._send`; every id put in a path must be a UUID.

Idempotent calls (GET, DELETE) are retried on 429 (honouring Retry-After up to the call's budget), 5xx and
connection errors. The create POST is never retried blindly: after an ambiguous failure the zone is searched
for the model first, and a 409 (not documented, but possible) is answered by adopting the existing model.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ..clock import SYSTEM_CLOCK, Clock
from ..config import Endpoints, current_endpoints, ensure_safe_url, validate_zone
from ..credentials import EXOSCALE_KEYS_URL, ExoscaleCredentials
from ..errors import (
    AuthenticationError,
    ConflictError,
    ExoscaleAPIError,
    GpuUnavailableError,
    ModelInUseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from ..fixes import Action
from ..secrets import Secret
from ..text import clean, clean_data
from .auth import ExoscaleV2Signer
from .models import (
    Deployment,
    EngineParameter,
    InstanceType,
    LogLine,
    Model,
    Operation,
    Zone,
    find_existing,
    is_uuid,
)

if TYPE_CHECKING:
    from typing_extensions import Self

T = TypeVar("T")

log = logging.getLogger("jupyter_exo_models.exoscale")

RETRY_STATUSES = {429, 500, 502, 503, 504}  # safe for idempotent calls only
ATTEMPT_TIMEOUT = 20.0  # seconds for one whole request, body included
CALL_BUDGET = 60.0  # seconds for one call: every attempt, backoff and Retry-After wait
MAX_BODY = 4 * 1024 * 1024  # bytes of one answer; the API's largest lists are far smaller
MAX_DEPTH = 32  # nesting of one JSON answer


@dataclass(frozen=True)
class DeploymentCreated:
    """What ``create_deployment`` led to: a new operation, or the existing deployment of that name adopted."""

    operation: Operation | None
    deployment: Deployment | None

    @property
    def adopted(self) -> bool:
        return self.deployment is not None


@dataclass(frozen=True)
class CreateResult:
    """What ``create_model`` led to: a new operation, or an existing model adopted."""

    operation: Operation | None
    model: Model | None
    adopted: bool


_ssl_context: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One verified TLS context for every client: building one loads the CA bundle (about 40 ms)."""
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = httpx.create_ssl_context()
    return _ssl_context


class ExoscaleClient:
    """Async client for one zone. Use as ``async with ExoscaleClient(credentials, zone) as client:``.

    Args:
        credentials: the key and secret (the secret stays masked in every repr).
        zone: the zone; defaults to the credentials' zone.
        endpoints: where to send requests (default: the sandbox's or the environment's).
        transport: an httpx transport (tests).
        timeout: seconds for one whole request (connection, upload and the whole answer).
        budget: seconds for one call, over all its attempts and waits (a ``Retry-After`` asking for more
            fails the call at once, saying so).
        max_retries: retries of an idempotent call.
        on_wait: called with a sentence each time a call waits before retrying (progress displays).

    Raises (from every call):
        AuthenticationError, NotFoundError, ConflictError, ModelInUseError, RateLimitedError,
        ServerError, TransportError, ExoscaleAPIError: each with the server's title/detail and a fix.
        InsecureEndpointError: the endpoint is plain HTTP to a non-loopback host (nothing is sent).
    """

    def __init__(
        self,
        credentials: ExoscaleCredentials,
        zone: str | None = None,
        *,
        endpoints: Endpoints | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = ATTEMPT_TIMEOUT,
        budget: float = CALL_BUDGET,
        max_retries: int = 5,
        clock: Clock = SYSTEM_CLOCK,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.zone = validate_zone(zone or credentials.zone)
        self.credentials = credentials
        self.base_url = (endpoints or current_endpoints()).exoscale(self.zone)
        ensure_safe_url(self.base_url)
        self.timeout = timeout
        self.budget = budget
        self.max_retries = max_retries
        self.on_wait = on_wait
        self._clock = clock
        self._signer = ExoscaleV2Signer(credentials.key, credentials.secret)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            verify=shared_ssl_context(),
            headers={"User-Agent": "jupyter-exo-models", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"<ExoscaleClient zone={self.zone} endpoint={self.base_url} key={self.credentials.key}>"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- calls --------------------------------------------------------------------------------
    async def list_zones(self) -> list[Zone]:
        """The zones (``GET /zone`` is public: sent unsigned, as the SDK does)."""
        data = await self._request("GET", "/zone", signed=False)
        return _shaped(
            "GET /zone",
            lambda: [
                Zone(str(z["name"]), z.get("api-endpoint"))
                for z in _items(data, "zones")
                if isinstance(z, dict)
            ],
        )

    async def list_models(self) -> list[Model]:
        data = await self._request("GET", "/ai/model")
        return _shaped(
            "GET /ai/model",
            lambda: [Model.from_api(m, self.zone) for m in _items(data, "models") if isinstance(m, dict)],
        )

    async def get_model(self, model_id: str) -> Model:
        data = await self._request("GET", _id_path("/ai/model/", model_id))
        return _shaped("GET /ai/model/{id}", lambda: Model.from_api(data, self.zone))

    async def find_model(self, name: str) -> Model | None:
        """The zone's model with exactly this name (see :func:`models.find_existing`), or None."""
        return find_existing(await self.list_models(), {name})

    async def get_operation(self, operation_id: str) -> Operation:
        data = await self._request("GET", _id_path("/operation/", operation_id))
        return _shaped("GET /operation/{id}", lambda: Operation.from_api(data, self.zone))

    async def delete_model(self, model_id: str) -> Operation:
        try:
            data = await self._request("DELETE", _id_path("/ai/model/", model_id))
            return _shaped("DELETE /ai/model/{id}", lambda: Operation.from_api(data, self.zone))
        except NotFoundError as exc:
            if not exc.after_ambiguous_attempt:
                raise
            # an earlier attempt deleted it but its answer was lost: the model is gone, as asked
            return Operation(id="", state="success", zone=self.zone, reference_id=model_id)

    async def create_model(
        self, name: str, hf_token: Secret | None = None, *, attempts: int = 6
    ) -> CreateResult:
        """Create the model once, adopting an existing one rather than ever creating a duplicate."""
        body: dict[str, Any] = {"name": name}
        if hf_token:
            body["huggingface-token"] = hf_token  # revealed only as the request is sent
        operation, existing = await self._create_once(
            "/ai/model", body, lambda: self.find_model(name), attempts
        )
        return CreateResult(operation, existing, adopted=existing is not None)

    # -- deployments ------------------------------------------------------------------------------
    async def list_deployments(self) -> list[Deployment]:
        """The zone's deployments, the user's own only (``public`` ones are Exoscale's managed ones)."""
        data = await self._request("GET", "/ai/deployment")
        return _shaped(
            "GET /ai/deployment",
            lambda: [
                d
                for d in (
                    Deployment.from_api(e, self.zone)
                    for e in _items(data, "deployments")
                    if isinstance(e, dict)
                )
                if d.private
            ],
        )

    async def get_deployment(self, deployment_id: str) -> Deployment:
        data = await self._request("GET", _id_path("/ai/deployment/", deployment_id))
        return _shaped("GET /ai/deployment/{id}", lambda: Deployment.from_api(data, self.zone))

    async def find_deployment(self, name: str) -> Deployment | None:
        """The zone's deployment with exactly this name, or None."""
        return next((d for d in await self.list_deployments() if d.name == name), None)

    async def create_deployment(
        self,
        name: str,
        *,
        model_id: str | None = None,
        model_name: str | None = None,
        gpu_type: str,
        gpu_count: int,
        replicas: int,
        engine_version: str | None = None,
        engine_parameters: Sequence[str] = (),
        attempts: int = 6,
    ) -> DeploymentCreated:
        """Create the deployment once: after an ambiguous failure the zone is searched for it first, and an
        existing one of that name is adopted, never duplicated."""
        body: dict[str, Any] = {
            "name": name,
            "model": {"id": model_id} if model_id else {"name": model_name},
            "gpu-type": gpu_type,
            "gpu-count": gpu_count,
            "replicas": replicas,
        }
        if engine_version:
            body["inference-engine-version"] = engine_version
        if engine_parameters:
            body["inference-engine-parameters"] = list(engine_parameters)
        operation, existing = await self._create_once(
            "/ai/deployment", body, lambda: self.find_deployment(name), attempts
        )
        return DeploymentCreated(operation, existing)

    async def update_deployment(
        self,
        deployment_id: str,
        *,
        name: str | None = None,
        engine_version: str | None = None,
        engine_parameters: Sequence[str] | None = None,
    ) -> Operation:
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if engine_version is not None:
            body["inference-engine-version"] = engine_version
        if engine_parameters is not None:
            body["inference-engine-parameters"] = list(engine_parameters)
        # the same PATCH twice sets the same values: safe to retry
        data = await self._request("PATCH", _id_path("/ai/deployment/", deployment_id), json_body=body)
        return _shaped("PATCH /ai/deployment/{id}", lambda: Operation.from_api(data, self.zone))

    async def scale_deployment(self, deployment_id: str, replicas: int) -> Operation:
        """Scale to ``replicas`` (0: scale to zero; the endpoint then answers 503).

        Retried: the same target twice is one scale."""
        path = _id_path("/ai/deployment/", deployment_id) + "/scale"
        data = await self._request("POST", path, json_body={"replicas": replicas})
        return _shaped("POST /ai/deployment/{id}/scale", lambda: Operation.from_api(data, self.zone))

    async def delete_deployment(self, deployment_id: str) -> Operation:
        try:
            data = await self._request("DELETE", _id_path("/ai/deployment/", deployment_id))
            return _shaped("DELETE /ai/deployment/{id}", lambda: Operation.from_api(data, self.zone))
        except NotFoundError as exc:
            if not exc.after_ambiguous_attempt:
                raise
            return Operation(id="", state="success", zone=self.zone, reference_id=deployment_id)

    async def reveal_api_key(self, deployment_id: str) -> Secret:
        """The endpoint's key, as a :class:`Secret` (masked in every repr and text)."""
        data = await self._request(
            "GET", _id_path("/ai/deployment/", deployment_id) + "/api-key", holds_secret=True
        )
        key = data.get("api-key")
        if not isinstance(key, str) or not key.strip():
            raise ServerError(
                "Exoscale answered GET /ai/deployment/{id}/api-key without a key",
                status=200,
                fix="Retry later; if it persists, contact Exoscale support",
            )
        return Secret(key.strip())

    async def deployment_logs(self, deployment_id: str, tail: int = 50) -> list[LogLine]:
        """The last ``tail`` lines of the deployment's engine (redacted and cleaned), oldest first."""
        path = _id_path("/ai/deployment/", deployment_id) + "/logs"
        data = await self._request("GET", path, params={"tail": str(tail)})
        return _shaped(
            "GET /ai/deployment/{id}/logs",
            lambda: [LogLine.from_api(e) for e in _items(data, "logs") if isinstance(e, dict)][-tail:],
        )

    async def list_instance_types(self) -> list[InstanceType]:
        """The zone's GPU families and whether this organization may use each."""
        data = await self._request("GET", "/ai/instance-type")
        return _shaped(
            "GET /ai/instance-type",
            lambda: [
                InstanceType(str(e["family"]), e.get("authorized") is True)
                for e in _items(data, "instance-types")
                if isinstance(e, dict) and isinstance(e.get("family"), str)
            ],
        )

    async def engine_parameters(self, version: str | None = None) -> list[EngineParameter]:
        """The flags the inference engine's server accepts (for ``version``, else the API's default)."""
        params = {"version": version} if version else None
        data = await self._request("GET", "/ai/help/inference-engine-parameters", params=params)
        return _shaped(
            "GET /ai/help/inference-engine-parameters",
            lambda: [EngineParameter.from_api(e) for e in _items(data, "parameters") if isinstance(e, dict)],
        )

    async def _create_once(
        self, path: str, body: dict[str, Any], find: Callable[[], Awaitable[T | None]], attempts: int
    ) -> tuple[Operation | None, T | None]:
        """POST a create once: a 409 (undocumented, but possible) or an ambiguous failure (the request may
        have been processed) is answered by looking for the resource first, adopting it if it exists; a
        create is retried only when it surely was not made. A Secret in ``body`` is revealed for each send
        only, so no copy of the body kept anywhere holds it."""
        deadline = self._clock.time() + self.budget
        call = f"POST {path}"
        for attempt in range(1, attempts + 1):
            sent = {k: v.reveal() if isinstance(v, Secret) else v for k, v in body.items()}
            try:
                data = await self._send("POST", path, json_body=sent, deadline=deadline)
                return _shaped(call, functools.partial(Operation.from_api, data, self.zone)), None
            except ConflictError:
                existing = await find()
                if existing is None:
                    raise
                return None, existing
            except (TransportError, ServerError, RateLimitedError) as exc:
                if not exc.not_sent and not isinstance(exc, RateLimitedError):
                    existing = await find()  # before trying again, or giving up
                    if existing is not None:
                        log.debug("%s answered ambiguously; adopting what it created", call)
                        return None, existing
                if attempt == attempts:
                    raise
                await self._backoff(attempt, exc, call, deadline)
            finally:
                sent.clear()
        raise AssertionError("unreachable")

    # -- plumbing -----------------------------------------------------------------------------
    async def _request(
        self,
        method: str,
        path: str,
        *,
        signed: bool = True,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        holds_secret: bool = False,
    ) -> dict[str, Any]:
        """An idempotent call, retried on rate limits, gateway errors and connection failures, within the
        budget.

        A request that timed out is retried once only: a server that hangs would otherwise cost minutes.
        """
        deadline = self._clock.time() + self.budget
        ambiguous = timeouts = 0
        for attempt in range(self.max_retries + 1):
            try:
                return await self._send(
                    method,
                    path,
                    json_body,
                    signed=signed,
                    deadline=deadline,
                    params=params,
                    holds_secret=holds_secret,
                )
            except (TransportError, RateLimitedError, ServerError) as exc:
                retryable = isinstance(exc, TransportError) or exc.status in RETRY_STATUSES
                timeouts += exc.timed_out
                if not retryable or attempt == self.max_retries or timeouts > 1:
                    raise
                ambiguous += not exc.not_sent
                await self._backoff(attempt + 1, exc, f"{method} {path}", deadline)
            except ExoscaleAPIError as exc:
                exc.after_ambiguous_attempt = ambiguous > 0
                raise
        raise AssertionError("unreachable")

    async def _backoff(self, attempt: int, exc: ExoscaleAPIError, call: str, deadline: float) -> None:
        """Wait before the next attempt: the server's Retry-After, else jittered exponential backoff.

        Raises:
            the error itself, re-worded, when the wait would overrun the call's budget.
        """
        asked = exc.retry_after
        delay = asked if asked is not None else min(8.0, 0.25 * 2 ** (attempt - 1)) * (0.5 + random.random())
        left = deadline - self._clock.time()
        why = f"{exc.status} {exc.title}".strip() if exc.status else exc.message
        if delay > left:
            if asked is not None:
                exc.message = (
                    f"Exoscale asks to retry {call} in {math.ceil(asked)} s ({why}): not waiting that long"
                )
                exc.fix = f"Try again in {math.ceil(asked)} s"
                exc.args = (exc.message,)
            raise exc
        if asked is not None or delay >= 1:
            sentence = (
                f"Exoscale asks to wait {delay:.0f} s before retrying {call} ({why})"
                if asked is not None
                else f"Retrying {call} in {delay:.0f} s ({why})"
            )
            log.warning("%s", sentence)
            if self.on_wait is not None:
                self.on_wait(sentence)
        await self._clock.sleep(delay)

    async def _send(
        self,
        method: str,
        path: str,
        json_body: dict[str, Any] | None = None,
        *,
        signed: bool = True,
        deadline: float | None = None,
        params: dict[str, str] | None = None,
        holds_secret: bool = False,
    ) -> dict[str, Any]:
        """One attempt, bounded in time (the attempt's timeout, within the call's deadline) and size; every
        string of the answer redacted and cleaned."""
        content = json.dumps(json_body).encode() if json_body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        limit = (
            self.timeout if deadline is None else max(0.5, min(self.timeout, deadline - self._clock.time()))
        )
        started = time.perf_counter()
        try:
            status, reason, response_headers, raw = await asyncio.wait_for(
                self._fetch(method, path, content, headers, signed, params), limit
            )
        except (httpx.TransportError, asyncio.TimeoutError) as exc:
            not_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
            log.debug("%s %s%s: %s", method, self.base_url, path, type(exc).__name__)
            what = f"no whole answer within {limit:g} s" if not not_sent else type(exc).__name__
            raise TransportError(
                f"No answer from Exoscale ({what}) for {method} {path} in {self.zone}",
                fix="Check your network (and EXOSCALE_API_ENDPOINT), then retry",
                not_sent=not_sent,
                timed_out=not not_sent and isinstance(exc, (asyncio.TimeoutError, httpx.TimeoutException)),
            ) from None
        log.debug(
            "%s %s%s -> %s in %.0f ms",
            method,
            self.base_url,
            path,
            status,
            (time.perf_counter() - started) * 1000,
        )
        data = _decode(raw, holds_secret=holds_secret and 200 <= status < 300)
        if 200 <= status < 300:
            if not isinstance(data, dict):
                raise ServerError(
                    f"Exoscale answered {method} {path} with invalid JSON", status=status, fix="Retry later"
                ) from None
            return data
        raise _error(status, reason, response_headers, data, raw, method, path, self.zone)

    async def _fetch(
        self,
        method: str,
        path: str,
        content: bytes | None,
        headers: dict[str, str] | None,
        signed: bool,
        params: dict[str, str] | None = None,
    ) -> tuple[int, str, httpx.Headers, bytes]:
        request = self._http.build_request(method, path, content=content, headers=headers, params=params)
        if signed:
            request = next(self._signer.auth_flow(request))
        response = await self._http.send(request, stream=True)
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BODY:
                raise _too_large(method, path, response.status_code)
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():  # decoded: a compressed bomb counts too
                size += len(chunk)
                if size > MAX_BODY:
                    raise _too_large(method, path, response.status_code)
                chunks.append(chunk)
        finally:
            await response.aclose()
        return response.status_code, response.reason_phrase, response.headers, b"".join(chunks)


def _too_large(method: str, path: str, status: int) -> ServerError:
    return ServerError(
        f"Exoscale's answer to {method} {path} is larger than {MAX_BODY // (1024 * 1024)} MB: "
        "not read further",
        status=status,
        fix="Retry later; if it persists, contact Exoscale support",
    )


def _decode(raw: bytes, *, holds_secret: bool = False) -> Any:
    """The answer's JSON with every string redacted and cleaned; None when it is not JSON (or nests
    absurdly). An answer that ``holds_secret`` (a key, to be wrapped in a Secret at once) is kept as sent:
    redacting would mask a key this process already knows."""
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        return None
    if _depth(data) > MAX_DEPTH:
        return None
    return data if holds_secret else clean_data(data)


def _depth(data: Any) -> int:
    depth, level = 0, [data]
    while level:
        depth += 1
        level = [
            v
            for item in level
            if isinstance(item, (dict, list))
            for v in (item.values() if isinstance(item, dict) else item)
        ]
        if depth > MAX_DEPTH:
            break
    return depth - 1


def _items(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _id_path(prefix: str, value: str) -> str:
    """``prefix + value`` for a UUID only: an id from an answer never steers a signed request elsewhere."""
    if not is_uuid(value):
        raise ServerError(
            f"Exoscale gave an id that is not a UUID ({clean(repr(value), 80)}): not used in a request",
            fix="Retry later; if it persists, contact Exoscale support",
        )
    return prefix + value.lower()


def _shaped(call: str, parse: Callable[[], T]) -> T:
    """``parse()`` an answer, a typed error when it is not of the documented shape."""
    try:
        return parse()
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ServerError(
            f"Exoscale answered {call} with an unexpected shape ({type(exc).__name__})",
            status=200,
            fix="Retry later; if it persists, contact Exoscale support",
        ) from None


def _problem(data: Any, raw: bytes) -> tuple[str, str, str, list[dict[str, Any]]]:
    """(type, title, detail, errors) from any of Exoscale's error shapes: RFC 9457 problem JSON, a 422's
    ``errors[]`` without ``detail``, legacy ``{"message"}``/``{"error"}``, or plain text."""
    if not isinstance(data, dict):
        text = data if isinstance(data, str) else raw.decode("utf-8", "replace") if data is None else ""
        return "", "", clean(text), []
    errors = (
        [e for e in data.get("errors") or [] if isinstance(e, dict)]
        if isinstance(data.get("errors"), list)
        else []
    )
    detail = next(
        (str(data[k]) for k in ("detail", "message", "error") if isinstance(data.get(k), str) and data[k]), ""
    )
    if not detail and errors:
        detail = "; ".join(
            f"{e.get('pointer') or e.get('path') or e.get('location') or 'body'}: {e.get('detail') or '?'}"
            for e in errors[:5]
        )
    problem_type = str(data["type"]) if isinstance(data.get("type"), str) else ""
    title = str(data["title"]) if isinstance(data.get("title"), str) else ""
    return problem_type if problem_type != "about:blank" else "", title, clean(detail), errors


def _error(
    status: int, reason: str, headers: httpx.Headers, data: Any, raw: bytes, method: str, path: str, zone: str
) -> ExoscaleAPIError:
    """A typed error carrying the server's own words first, then the likely cause."""
    problem_type, title, detail, errors = _problem(data, raw)
    title = title or clean(reason)
    summary = f"Exoscale answered {status} {title}".rstrip() + (f": {detail}" if detail else "")
    kwargs: dict[str, Any] = {
        "status": status,
        "title": title,
        "detail": detail,
        "body": data,
        "problem_type": problem_type,
        "errors": errors,
    }
    if status in (401, 403):
        # a 403 is not always the key: a quota or an organization policy refuses with it too, so the server's
        # own words come first and the likely causes after
        return AuthenticationError(
            summary,
            fix="Most often the key or secret is wrong (check EXOSCALE_API_KEY and EXOSCALE_API_SECRET, or "
            "the exo config)"
            + (
                ", or the key's IAM role lacks Dedicated Inference (service 'ai'); a quota or an "
                "organization policy can also refuse"
                if status == 403
                else ""
            )
            + f": {EXOSCALE_KEYS_URL}",
            **kwargs,
        )
    if status == 404:
        return NotFoundError(summary, fix=f"Check the id and the zone ({zone})", **kwargs)
    if status == 409:
        return ConflictError(
            summary, fix="A model of that name exists: attach to it, or delete it first", **kwargs
        )
    if status == 412 and isinstance(data, dict) and isinstance(data.get("deployments"), list):
        deployments = [clean(d, 100) for d in data["deployments"] if isinstance(d, (str, int))]
        return ModelInUseError(
            f"The model is used by deployment(s): {', '.join(deployments) or 'unknown'}",
            deployments=deployments,
            fix="Delete those deployments first, then the model",
            action=Action("delete-deployments", {"names": deployments, "zone": zone}),
            **kwargs,
        )
    if status == 412 and path.startswith("/ai/deployment"):
        return GpuUnavailableError(
            summary,
            fix=f"Exoscale has too few GPUs of that family for you in {zone} (a quota, or capacity): choose "
            "another family or zone, or ask Exoscale support to raise the quota",
            **kwargs,
        )
    if status == 429:
        return RateLimitedError(
            summary,
            fix="Too many requests: wait a moment and retry",
            action=Action("retry-later", {"seconds": _retry_after(headers)}),
            retry_after=_retry_after(headers),
            **kwargs,
        )
    if status >= 500:
        return ServerError(
            summary,
            fix="Exoscale had a problem: retry in a moment",
            action=Action("retry-later", {"seconds": _retry_after(headers)}),
            retry_after=_retry_after(headers),
            **kwargs,
        )
    return ExoscaleAPIError(summary, fix=f"Exoscale refused {method} {path}", **kwargs)


def _retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After in seconds, given as seconds or as an HTTP date (RFC 9110)."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
        return max(0.0, seconds) if math.isfinite(seconds) else None
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
